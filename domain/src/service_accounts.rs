//! Accounts a trusted server creates and looks up for its own users: the
//! seed systems' "add user" calls (yonyou's `user/user`, `user/users`) and
//! their searches by ids and name.
//!
//! Such a server vouches for the account like an operator does
//! ([`create_admin`](UserCenter::create_admin)): the sign-up rules apply,
//! no code is asked for, no session is opened, and the contacts are on the
//! account but not verified. Two things differ from an operator's account:
//!
//! - **A taken contact answers with its holder.** The seed documents that
//!   adding a user whose mobile, email or account name exists returns the
//!   existing user; that existence answer is given here, to callers the
//!   deployment trusts (the facades that use it answer only the service
//!   network).
//! - **No password is a password nobody knows.** The seed sets a shared
//!   "default password" when none is given; this product never does. The
//!   account gets a random 32-character password that is neither stored in
//!   clear nor sent anywhere, so it cannot sign in with a password until its
//!   owner sets one by proving a contact (forgot password, or the seed's
//!   reset with a code).

use crate::accounts::NewAccount;
use crate::password_digests::PasswordVerifiers;
use crate::store::search::contains_pattern;
use crate::store::user_search::{Order, TextMatch, UserFilter};
use crate::store::users::{Holder, Key, Role, UserStatus};
use crate::{store, DomainError, UserCenter};
use rand::distributions::{Alphanumeric, DistString};
use shared::dto::UserProfile;
use shared::identity::normalize_display_name;
use shared::validate::{self, normalize_email, normalize_phone, normalize_username};
use shared::{AppError, ErrorCode, Field};

/// Length of the password of an account created without one.
const UNKNOWN_PASSWORD_CHARS: usize = 32;

/// An account a trusted server asks for; empty strings mean "not given".
#[derive(Clone, Debug, Default)]
pub struct ServiceAccount<'a> {
    pub email: &'a str,
    pub phone: &'a str,
    pub username: &'a str,
    /// The nickname shown to others.
    pub display_name: &'a str,
    /// `None` (or empty): a password nobody knows; see the module docs.
    pub password: Option<&'a str>,
    /// Which application asks (the seed's `sysId`), for the log.
    pub source: &'a str,
}

/// What adding an account did.
#[derive(Clone, Debug)]
pub enum ServiceAccountOutcome {
    Created(UserProfile),
    /// The phone (`PHONE_TAKEN`), email (`EMAIL_TAKEN`) or username
    /// (`USERNAME_TAKEN`) already belongs to `user`; checked in that order.
    Exists {
        taken: ErrorCode,
        user: UserProfile,
    },
}

/// One page of [`UserCenter::find_service_users`].
#[derive(Clone, Debug)]
pub struct ServiceUserPage {
    pub users: Vec<UserProfile>,
    /// Matches over all pages.
    pub total: i64,
}

/// The name a user is shown by where a seed has one "user name": the
/// display name, else the username, else the phone, else the email.
/// [`UserCenter::find_service_users`] searches exactly this.
pub fn shown_name(user: &UserProfile) -> &str {
    user.display_name
        .as_deref()
        .or(user.username.as_deref())
        .or(user.phone.as_deref())
        .or(user.email.as_deref())
        .unwrap_or_default()
}

/// `raw` normalised by `f`, or `None` when blank.
fn optional(
    raw: &str,
    f: fn(&str) -> Result<String, AppError>,
) -> Result<Option<String>, DomainError> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        Ok(Some(f(raw)?))
    }
}

impl UserCenter {
    /// Creates the account, or answers which account already has its phone,
    /// email or username. See the module docs.
    ///
    /// The identifiers are checked first (formats, then holders), the
    /// display name and the password policy after: a taken contact is
    /// answered whatever else the request says.
    pub async fn create_service_account(
        &self,
        new: &ServiceAccount<'_>,
    ) -> Result<ServiceAccountOutcome, DomainError> {
        let email = optional(new.email, normalize_email)?;
        let phone = optional(new.phone, normalize_phone)?;
        let username = optional(new.username, normalize_username)?;
        if email.is_none() && phone.is_none() {
            return Err(AppError::field(ErrorCode::ContactRequired, Field::Email).into());
        }
        let key = username.as_deref().map(validate::username_key);
        let holders = (phone.as_deref(), email.as_deref(), key.as_deref());
        if let Some(found) = self.holder(holders).await? {
            return Ok(found);
        }
        let display_name = optional(new.display_name, normalize_display_name)?;
        // A given password gets every verifier a plaintext one does (the
        // digest schemes of the enabled facades included); an unknown one
        // only the ordinary verifier: no client can send its digest anyway.
        let (account, verifiers) = match new.password.filter(|p| !p.is_empty()) {
            Some(password) => {
                let account = NewAccount::validate(
                    email.as_deref().unwrap_or(""),
                    phone.as_deref().unwrap_or(""),
                    username.as_deref().unwrap_or(""),
                    password,
                )?;
                let verifiers = self.password_verifiers(&account.valid.password).await?;
                (account, verifiers)
            }
            None => {
                let unknown = loop {
                    let p =
                        Alphanumeric.sample_string(&mut rand::rngs::OsRng, UNKNOWN_PASSWORD_CHARS);
                    if !p.chars().all(|c| c.is_ascii_digit()) {
                        break p;
                    }
                };
                let account = NewAccount::validate(
                    email.as_deref().unwrap_or(""),
                    phone.as_deref().unwrap_or(""),
                    username.as_deref().unwrap_or(""),
                    &unknown,
                )?;
                let verifiers = PasswordVerifiers {
                    main: Some(self.hasher.hash(&unknown).await?),
                    digests: Vec::new(),
                };
                (account, verifiers)
            }
        };
        // Someone may have taken an identifier since the look above.
        let (mut tx, row) = match self.insert_vouched(&account, &verifiers, Role::User).await {
            Ok(inserted) => inserted,
            Err(e) if is_taken(e.code()) => {
                return match self.holder(holders).await? {
                    Some(found) => Ok(found),
                    None => Err(e),
                };
            }
            Err(e) => return Err(e),
        };
        if let Some(name) = &display_name {
            store::users::set_display_name(&mut tx, row.id, name).await?;
        }
        tx.commit().await?;
        tracing::info!(
            user_id = row.id,
            source = new.source,
            password_given = new.password.is_some_and(|p| !p.is_empty()),
            "account created by a trusted service"
        );
        Ok(ServiceAccountOutcome::Created(self.profile(row.id).await?))
    }

    /// The account holding the phone, else the email, else the username
    /// key. A holder closed long enough ago is released first (as sign-up
    /// does), so its contacts are free again.
    async fn holder(
        &self,
        identifiers: (Option<&str>, Option<&str>, Option<&str>),
    ) -> Result<Option<ServiceAccountOutcome>, DomainError> {
        let mut released = false;
        loop {
            match self.first_holder(identifiers).await? {
                Some((taken, Holder { id, status })) => {
                    if status == UserStatus::Closed && !released {
                        released = true;
                        if self.release_closed_contacts(self.now()).await? > 0 {
                            continue;
                        }
                    }
                    return Ok(Some(ServiceAccountOutcome::Exists {
                        taken,
                        user: self.profile(id).await?,
                    }));
                }
                None => return Ok(None),
            }
        }
    }

    /// Which identifier is taken, and the first account found holding one.
    async fn first_holder(
        &self,
        (phone, email, key): (Option<&str>, Option<&str>, Option<&str>),
    ) -> Result<Option<(ErrorCode, Holder)>, DomainError> {
        let checks = [
            (phone.map(Key::Phone), ErrorCode::PhoneTaken),
            (email.map(Key::Email), ErrorCode::EmailTaken),
            (key.map(Key::Username), ErrorCode::UsernameTaken),
        ];
        let mut conn = self.pool.acquire().await?;
        for (key, taken) in checks {
            let Some(key) = key else { continue };
            if let Some(holder) = store::users::holder(&mut conn, key).await? {
                return Ok(Some((taken, holder)));
            }
        }
        Ok(None)
    }

    /// Users among `ids` (all users when `None`) whose [`shown_name`]
    /// contains `name` (ASCII case-insensitive; `%` and `_` match
    /// themselves), oldest first, one page (`page` from 0, `per_page` 1–100).
    pub async fn find_service_users(
        &self,
        ids: Option<&[i64]>,
        name: &str,
        page: u32,
        per_page: u32,
    ) -> Result<ServiceUserPage, DomainError> {
        let per_page = per_page.clamp(1, 100);
        let name = name.trim();
        let pattern = contains_pattern(name);
        let filter = UserFilter {
            ids,
            text: (!name.is_empty()).then_some(TextMatch::ShownName(&pattern)),
            exact: None,
        };
        let mut conn = self.pool.acquire().await?;
        let total = store::user_search::count(&mut conn, &filter).await?;
        let rows = store::user_search::page(
            &mut conn,
            self.vault().await?,
            &filter,
            Order::Oldest,
            i64::from(per_page),
            i64::from(page) * i64::from(per_page),
        )
        .await?;
        drop(conn);
        let mut users = Vec::with_capacity(rows.len());
        for row in rows {
            users.push(self.profile_of(row).await?);
        }
        Ok(ServiceUserPage { users, total })
    }
}

fn is_taken(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::PhoneTaken | ErrorCode::EmailTaken | ErrorCode::UsernameTaken
    )
}

#[cfg(test)]
mod tests {
    use super::{ServiceAccount, ServiceAccountOutcome};
    use crate::password_digests::DigestScheme;
    use crate::tests::{client, code_of, fixture_with, test_settings};
    use shared::ErrorCode;

    fn account<'a>(phone: &'a str, email: &'a str, username: &'a str) -> ServiceAccount<'a> {
        ServiceAccount {
            email,
            phone,
            username,
            display_name: "测试用户",
            password: Some("tanyh*12345"),
            source: "test",
        }
    }

    fn created(outcome: ServiceAccountOutcome) -> shared::dto::UserProfile {
        match outcome {
            ServiceAccountOutcome::Created(user) => user,
            other => panic!("not created: {other:?}"),
        }
    }

    #[tokio::test]
    async fn created_unverified_with_every_verifier_or_answered_with_the_holder() {
        let mut settings = test_settings();
        settings.password_digests = vec![DigestScheme::Md5];
        let f = fixture_with(settings).await;
        let user = created(
            f.uc.create_service_account(&account("13800000001", "a@example.com", "tanyh"))
                .await
                .unwrap(),
        );
        assert_eq!(user.display_name.as_deref(), Some("测试用户"));
        assert!(!user.phone_verified && !user.email_verified);
        f.uc.login("tanyh", "tanyh*12345", None, &client())
            .await
            .unwrap();
        let md5 = DigestScheme::Md5.of("tanyh*12345");
        f.uc.login_with_digest("a@example.com", DigestScheme::Md5, &md5, None, &client())
            .await
            .unwrap();

        // The phone, then the email, then the username; whatever else is wrong.
        for (phone, email, username, taken) in [
            (
                "13800000001",
                "a@example.com",
                "tanyh",
                ErrorCode::PhoneTaken,
            ),
            (
                "13800000002",
                "A@Example.com",
                "tanyh",
                ErrorCode::EmailTaken,
            ),
            ("13800000002", "", "TANYH", ErrorCode::UsernameTaken),
        ] {
            let mut new = account(phone, email, username);
            new.password = Some("short");
            match f.uc.create_service_account(&new).await.unwrap() {
                ServiceAccountOutcome::Exists { taken: t, user: u } => {
                    assert_eq!((t, u.id), (taken, user.id), "{phone} {email} {username}");
                }
                other => panic!("{other:?}"),
            }
        }
        // Formats are checked before anyone is looked for.
        assert_eq!(
            code_of(f.uc.create_service_account(&account("123", "", "")).await),
            ErrorCode::InvalidPhone
        );
        assert_eq!(
            code_of(f.uc.create_service_account(&account("", "", "tanyh")).await),
            ErrorCode::ContactRequired
        );
    }

    #[tokio::test]
    async fn without_a_password_nobody_can_sign_in_with_one() {
        let f = fixture_with(test_settings()).await;
        let mut new = account("13800000003", "", "nopass");
        new.password = None;
        let user = created(f.uc.create_service_account(&new).await.unwrap());
        let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM users WHERE id = $1")
            .bind(user.id)
            .fetch_one(&f.db.sql)
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$"));
        let (digests,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM password_digests")
            .fetch_one(&f.db.sql)
            .await
            .unwrap();
        assert_eq!(digests, 0);
        for guess in ["", "tanyh*12345", "nopass", "13800000003"] {
            assert!(f.uc.login("nopass", guess, None, &client()).await.is_err());
        }
    }

    #[tokio::test]
    async fn a_closed_holder_past_its_grace_is_released() {
        let mut settings = test_settings();
        settings.closed_contact_grace = std::time::Duration::ZERO;
        let f = fixture_with(settings).await;
        let first = created(
            f.uc.create_service_account(&account("13800000004", "", ""))
                .await
                .unwrap(),
        );
        sqlx::query("UPDATE users SET status = 'closed', closed_at = 0 WHERE id = $1")
            .bind(first.id)
            .execute(&f.db.sql)
            .await
            .unwrap();
        let second = created(
            f.uc.create_service_account(&account("13800000004", "", ""))
                .await
                .unwrap(),
        );
        assert_ne!(second.id, first.id);
    }

    #[tokio::test]
    async fn found_by_ids_and_shown_name_oldest_first_a_page_at_a_time() {
        let f = fixture_with(test_settings()).await;
        let mut ids = Vec::new();
        for (i, name) in ["张三", "张三丰", "李四", ""].iter().enumerate() {
            let phone = format!("1380000010{i}");
            let mut new = account(&phone, "", "");
            new.display_name = name;
            ids.push(created(f.uc.create_service_account(&new).await.unwrap()).id);
        }
        let page = f.uc.find_service_users(None, "张三", 0, 20).await.unwrap();
        assert_eq!(page.total, 2);
        assert_eq!(
            page.users.iter().map(|u| u.id).collect::<Vec<_>>(),
            ids[..2].to_vec()
        );
        // Without a display name the phone is the name shown.
        let page =
            f.uc.find_service_users(None, "13800000103", 0, 20)
                .await
                .unwrap();
        assert_eq!(page.users[0].id, ids[3]);
        let page =
            f.uc.find_service_users(Some(&[ids[1], ids[2], 999]), "", 0, 1)
                .await
                .unwrap();
        assert_eq!((page.total, page.users[0].id), (2, ids[1]));
        let page =
            f.uc.find_service_users(Some(&[ids[1], ids[2]]), "", 1, 1)
                .await
                .unwrap();
        assert_eq!(page.users[0].id, ids[2]);
        assert_eq!(
            f.uc.find_service_users(Some(&[]), "", 0, 20)
                .await
                .unwrap()
                .total,
            0
        );
        assert_eq!(
            f.uc.find_service_users(None, "_", 0, 20)
                .await
                .unwrap()
                .total,
            0
        );
    }
}
