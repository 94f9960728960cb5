//! Which front system created an account.
//!
//! The ukex exchange and the ukexpay wallet (seed 003) create their users in
//! this user center and keep telling them apart by a `source_type`
//! (1 = ukex, 2 = ukexpay). The source is recorded in the same transaction
//! as the account, so no account of theirs exists without it; accounts made
//! any other way have none.

use crate::accounts::NewAccount;
use crate::store::users::Role;
use crate::{store, DomainError, UserCenter};
use shared::dto::UserProfile;
use shared::validate::{self, Identifier};
use shared::ErrorCode;

/// The front system an account was created by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccountSource {
    /// `1`: the ukex exchange.
    Ukex,
    /// `2`: the ukexpay wallet.
    UkexPay,
}

impl AccountSource {
    /// The seed's number, as stored.
    pub fn code(self) -> i64 {
        match self {
            AccountSource::Ukex => 1,
            AccountSource::UkexPay => 2,
        }
    }

    pub fn from_code(code: i64) -> Option<AccountSource> {
        match code {
            1 => Some(AccountSource::Ukex),
            2 => Some(AccountSource::UkexPay),
            _ => None,
        }
    }
}

impl UserCenter {
    /// Creates an account for a front system from one identifier (an email
    /// or a mobile number: an account needs a contact, so a bare username
    /// is `CONTACT_REQUIRED`) and a password, and records its source.
    ///
    /// As for accounts an operator creates ([`create_admin`](Self::create_admin)):
    /// the sign-up rules apply (formats, password policy, uniqueness), no
    /// code is asked and no session is opened; the calling system vouches
    /// for the contact, which is stored as not verified.
    pub async fn create_account_from(
        &self,
        identifier: &str,
        password: &str,
        source: AccountSource,
    ) -> Result<UserProfile, DomainError> {
        let (email, phone) = match validate::parse_identifier(identifier)? {
            Identifier::Email(e) => (e, String::new()),
            Identifier::Phone(p) => (String::new(), p),
            Identifier::Username(_) => return Err(ErrorCode::ContactRequired.into()),
        };
        let account = NewAccount::validate(&email, &phone, "", password)?;
        self.ensure_free(&mut *self.pool.acquire().await?, &account)
            .await?;
        // The password's verifiers, those of the digests seed clients send included.
        let verifiers = self.password_verifiers(&account.valid.password).await?;
        let now = self.now();
        let (mut tx, row) = self
            .insert_vouched(&account, &verifiers, Role::User)
            .await?;
        store::account_sources::insert(&mut tx, row.id, source.code(), now).await?;
        tx.commit().await?;
        tracing::info!(
            user_id = row.id,
            source = source.code(),
            "account created by a front system"
        );
        Ok(row.into())
    }

    /// The system that created the account, if one did.
    pub async fn account_source(&self, user_id: i64) -> Result<Option<AccountSource>, DomainError> {
        let mut conn = self.pool.acquire().await?;
        let code = store::account_sources::of_user(&mut conn, user_id).await?;
        Ok(code.and_then(AccountSource::from_code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{client, code_of, fixture};

    const PASSWORD: &str = "correct horse battery";

    #[tokio::test]
    async fn accounts_remember_the_system_that_created_them() {
        let f = fixture().await;
        let uc = &f.uc;
        let ex = uc
            .create_account_from("Trader@Example.com", PASSWORD, AccountSource::Ukex)
            .await
            .unwrap();
        assert_eq!(ex.email.as_deref(), Some("trader@example.com"));
        assert!(!ex.email_verified, "vouched for, not proven");
        let pay = uc
            .create_account_from("13628379881", PASSWORD, AccountSource::UkexPay)
            .await
            .unwrap();
        assert_eq!(pay.phone.as_deref(), Some("13628379881"));
        assert_eq!(
            uc.account_source(ex.id).await.unwrap(),
            Some(AccountSource::Ukex)
        );
        assert_eq!(
            uc.account_source(pay.id).await.unwrap(),
            Some(AccountSource::UkexPay)
        );
        // The password works for an ordinary sign-in.
        uc.login("13628379881", PASSWORD, None, &client())
            .await
            .unwrap();

        // Accounts made otherwise have no source.
        let (web, _) = crate::tests::signup_named(uc, "web", PASSWORD).await;
        assert_eq!(uc.account_source(web.user_id).await.unwrap(), None);
    }

    #[tokio::test]
    async fn the_digests_seed_clients_send_work_for_these_accounts_too() {
        use crate::password_digests::DigestScheme;
        let mut settings = crate::tests::test_settings();
        settings.password_digests = vec![DigestScheme::DoubleMd5];
        let f = crate::tests::fixture_with(settings).await;
        f.uc.create_account_from("d@example.com", PASSWORD, AccountSource::Ukex)
            .await
            .unwrap();
        let digest = DigestScheme::DoubleMd5.of(PASSWORD);
        f.uc.login_with_digest(
            "d@example.com",
            DigestScheme::DoubleMd5,
            &digest,
            None,
            &client(),
        )
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn the_sign_up_rules_apply_and_nothing_is_half_written() {
        let f = fixture().await;
        let uc = &f.uc;
        uc.create_account_from("a@example.com", PASSWORD, AccountSource::Ukex)
            .await
            .unwrap();
        let cases = [
            ("a@example.com", PASSWORD, ErrorCode::EmailTaken),
            ("just_a_name", PASSWORD, ErrorCode::ContactRequired),
            ("b@example.com", "short", ErrorCode::WeakPassword),
            ("", PASSWORD, ErrorCode::Required),
            ("12", PASSWORD, ErrorCode::InvalidIdentifier),
        ];
        for (identifier, password, code) in cases {
            assert_eq!(
                code_of(
                    uc.create_account_from(identifier, password, AccountSource::UkexPay)
                        .await
                ),
                code,
                "{identifier}"
            );
        }
        let (users,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
            .fetch_one(&f.db.sql)
            .await
            .unwrap();
        let (sources,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM account_sources")
            .fetch_one(&f.db.sql)
            .await
            .unwrap();
        assert_eq!((users, sources), (1, 1));
        assert_eq!(AccountSource::from_code(3), None);
        assert_eq!(AccountSource::from_code(2), Some(AccountSource::UkexPay));
    }
}
