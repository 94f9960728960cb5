//! Registering, signing in and reading one's own account.

use crate::audit::AuditEvent;
use crate::caller::ClientInfo;
use crate::codes::code_incorrect;
use crate::contacts::{add_pending_contact, release_pending};
use crate::password_digests::{store_digests, DigestScheme, PasswordVerifiers};
use crate::profile::ProfileFields;
use crate::sessions::{auth_response, IssuedTokens};
use crate::store::users::{Role, UserRow, UserStatus};
use crate::throttle::{sign_in_key, Kind};
use crate::{clock, db, store, DomainError, UserCenter};
use shared::admin::AuditAction;
use shared::dto::{AuthResponse, CodePurpose, UserProfile};
use shared::identity::CivilDate;
use shared::identity::{mask_id_number, Gender, IdType};
use shared::media::{avatar_url, AVATAR_SIZES};
use shared::profile::{AccountState, UpdateProfileRequest, VerificationKind, VerificationState};
use shared::validate::{self, Contact, PasswordLengths};
use shared::{AppError, ErrorCode, Field};

impl From<UserRow> for UserProfile {
    /// The owner's view: the ID number masked, verification unknown
    /// (unverified) until [`with_verification`] fills it in.
    fn from(row: UserRow) -> Self {
        UserProfile {
            id: row.id,
            email: row.email,
            phone: row.phone,
            username: row.username,
            pending_email: None,
            pending_phone: None,
            email_verified: row.email_verified,
            phone_verified: row.phone_verified,
            created_at: clock::rfc3339(row.created_at),
            display_name: row.display_name,
            real_name: row.real_name,
            gender: Gender::parse(&row.gender).unwrap_or_default(),
            id_country: row.id_country,
            id_type: IdType::parse(&row.id_type).unwrap_or_default(),
            id_number_masked: row.id_number.as_deref().map(mask_id_number),
            id_number: None,
            verification: VerificationState::Unverified,
            verification_reason: None,
            account_state: row.status.state(),
            role: row.role,
            avatar_url: row
                .avatar_hash
                .as_deref()
                .map(|h| avatar_url(h, AVATAR_SIZES[0])),
            avatar_small_url: row
                .avatar_hash
                .as_deref()
                .map(|h| avatar_url(h, AVATAR_SIZES[AVATAR_SIZES.len() - 1])),
        }
    }
}

/// Adds the real-name verification's state to a profile.
pub(crate) fn with_verification(
    mut profile: UserProfile,
    state: VerificationState,
    reason: Option<String>,
) -> UserProfile {
    profile.verification = state;
    profile.verification_reason = reason;
    profile
}

/// What a sign-in proves the password with.
#[derive(Clone, Copy, Debug)]
pub(crate) enum LoginSecret<'a> {
    Password(&'a str),
    /// A digest a seed client computed (see `password_digests`).
    Digest(DigestScheme, &'a str),
}

impl LoginSecret<'_> {
    fn is_empty(&self) -> bool {
        match self {
            LoginSecret::Password(p) | LoginSecret::Digest(_, p) => p.is_empty(),
        }
    }

    fn too_long(&self) -> bool {
        match self {
            LoginSecret::Password(p) => p.chars().count() > validate::PASSWORD_MAX_CHARS,
            // Hex of at most SHA-1's length; anything longer is no digest.
            LoginSecret::Digest(_, d) => d.len() > 64,
        }
    }
}

/// A sign-up form as typed; empty strings mean "not given".
#[derive(Clone, Debug, Default)]
pub struct Registration<'a> {
    pub email: &'a str,
    pub phone: &'a str,
    pub username: &'a str,
    pub password: &'a str,
    /// The `register` code sent to the email, or to the phone when there is
    /// no email. Required while `require_contact_code` is on.
    pub code: &'a str,
    /// Optional profile given at sign-up (real name, gender, ID document,
    /// display name), checked exactly as the profile page checks them.
    pub identity: Option<&'a UpdateProfileRequest>,
}

/// What a sign-up does once the account exists.
#[derive(Clone, Copy)]
pub(crate) enum AfterSignUp<'c> {
    /// Opens a session for the new account (the web and REST sign-up).
    SignIn(&'c ClientInfo),
    /// Leaves the account pre-opened, with no session: a trusted caller
    /// signed it up for someone who activates it later (jigsaw's `register`
    /// without a payment password).
    PreOpen,
}

/// A new account as sign-up made it.
pub(crate) struct SignedUp {
    pub(crate) row: UserRow,
    pub(crate) issued: Option<IssuedTokens>,
    /// The second contact, waiting for its own code.
    pub(crate) pending: Option<Contact>,
}

/// An account about to be created, checked against the sign-up rules (the
/// same for self-service sign-up and accounts an operator creates).
pub(crate) struct NewAccount {
    pub(crate) valid: validate::ValidRegistration,
    /// The case-folded username that uniqueness is checked on.
    pub(crate) username_key: Option<String>,
    /// The contact a sign-up code proves: the email, else the phone.
    pub(crate) contact: Contact,
}

impl NewAccount {
    /// Validates the identifiers and the password policy; the first problem
    /// is the error. Empty strings mean "not given"; an email or a phone is
    /// required.
    pub(crate) fn validate(
        email: &str,
        phone: &str,
        username: &str,
        password: &str,
    ) -> Result<NewAccount, DomainError> {
        Self::validate_within(email, phone, username, password, PasswordLengths::PRODUCT)
    }

    /// [`Self::validate`] with other password length limits.
    pub(crate) fn validate_within(
        email: &str,
        phone: &str,
        username: &str,
        password: &str,
        lengths: PasswordLengths,
    ) -> Result<NewAccount, DomainError> {
        let valid =
            validate::validate_registration_within(email, phone, username, password, lengths)
                .map_err(|mut errors| DomainError::Rejected(errors.remove(0)))?;
        let contact = match (&valid.email, &valid.phone) {
            (Some(email), _) => Contact::Email(email.clone()),
            (None, Some(phone)) => Contact::Phone(phone.clone()),
            (None, None) => return Err(ErrorCode::ContactRequired.into()),
        };
        let username_key = valid.username.as_deref().map(validate::username_key);
        Ok(NewAccount {
            valid,
            username_key,
            contact,
        })
    }
}

impl NewAccount {
    /// Validates the identifiers only, for an account whose password is
    /// known only as a digest (its policy cannot be checked).
    pub(crate) fn validate_identifiers(
        email: &str,
        phone: &str,
        username: &str,
    ) -> Result<NewAccount, DomainError> {
        // Any policy-conforming stand-in: only the identifiers' errors count.
        const STAND_IN: &str = "Stand-in password 1";
        let mut valid = match validate::validate_registration(email, phone, username, STAND_IN) {
            Ok(valid) => valid,
            Err(errors) => {
                let first = errors
                    .into_iter()
                    .find(|e| e.field != Some(Field::Password));
                match first {
                    Some(e) => return Err(DomainError::Rejected(e)),
                    None => validate::validate_registration(email, phone, username, "")
                        .map_err(|_| DomainError::from(ErrorCode::InvalidInput))?,
                }
            }
        };
        valid.password.clear();
        let contact = match (&valid.email, &valid.phone) {
            (Some(email), _) => Contact::Email(email.clone()),
            (None, Some(phone)) => Contact::Phone(phone.clone()),
            (None, None) => return Err(ErrorCode::ContactRequired.into()),
        };
        let username_key = valid.username.as_deref().map(validate::username_key);
        Ok(NewAccount {
            valid,
            username_key,
            contact,
        })
    }
}

/// Which contacts of a new account a code has proven.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Verified {
    pub(crate) email: bool,
    pub(crate) phone: bool,
}

/// Inserts a validated account with its password hash and role (`user`,
/// `staff` or `super_admin`) inside the caller's write transaction. A UNIQUE
/// violation that slipped past [`UserCenter::ensure_free`] becomes its
/// `*_TAKEN` error.
pub(crate) async fn insert_account(
    tx: &mut crate::store::Conn,
    account: &NewAccount,
    verifiers: &PasswordVerifiers,
    verified: Verified,
    role: Role,
    now: i64,
) -> Result<UserRow, DomainError> {
    let valid = &account.valid;
    let new = store::users::NewUser {
        email: valid.email.as_deref(),
        phone: valid.phone.as_deref(),
        username: valid.username.as_deref(),
        username_key: account.username_key.as_deref(),
        password_hash: verifiers.main_phc(),
        email_verified: verified.email,
        phone_verified: verified.phone,
        role,
        now,
    };
    let row = store::users::insert(tx, &new)
        .await
        .map_err(map_unique_violation)?;
    store_digests(tx, row.id, &verifiers.digests).await?;
    Ok(row)
}

impl UserCenter {
    /// Inserts an account someone vouches for: an operator, a signed
    /// service app or a seed facade's trusted caller. No code is asked for
    /// and no session is opened, so its contacts are stored as not verified
    /// until the owner proves them. Uniqueness is checked inside the write
    /// transaction, which is returned open so the caller can record more
    /// about the account (its source, its display name) before committing.
    pub(crate) async fn insert_vouched(
        &self,
        account: &NewAccount,
        verifiers: &PasswordVerifiers,
        role: Role,
    ) -> Result<(store::Tx<'static>, UserRow), DomainError> {
        let mut tx = crate::store::begin_write(&self.pool).await?;
        let row = self
            .insert_vouched_in(&mut tx, account, verifiers, Verified::default(), role)
            .await?;
        Ok((tx, row))
    }

    /// [`Self::insert_vouched`] inside the caller's write transaction, for
    /// callers that write many accounts in one (the import), with the
    /// contacts the caller also vouches were proven (`verified`).
    pub(crate) async fn insert_vouched_in(
        &self,
        conn: &mut crate::store::Conn,
        account: &NewAccount,
        verifiers: &PasswordVerifiers,
        verified: Verified,
        role: Role,
    ) -> Result<UserRow, DomainError> {
        self.ensure_free(&mut *conn, account).await?;
        insert_account(conn, account, verifiers, verified, role, self.now()).await
    }

    /// Creates an account and signs it in.
    ///
    /// Duplicates are found after normalisation; the UNIQUE constraints make
    /// concurrent sign-ups with the same email create exactly one account.
    /// With `require_contact_code`, the code proves the email (else the phone)
    /// and is used up only if the account is created.
    pub async fn register(
        &self,
        form: Registration<'_>,
        client: &ClientInfo,
    ) -> Result<AuthResponse, DomainError> {
        self.register_within(form, PasswordLengths::PRODUCT, client)
            .await
    }

    /// [`Self::register`] with other password length limits (see
    /// [`crate::password_policy`]).
    pub(crate) async fn register_within(
        &self,
        form: Registration<'_>,
        lengths: PasswordLengths,
        client: &ClientInfo,
    ) -> Result<AuthResponse, DomainError> {
        self.register_verified_within(form, None, lengths, client)
            .await
    }

    /// [`Self::register`], with the password's verifiers already made when
    /// it is known only as a digest (`form.password` is then ignored).
    pub(crate) async fn register_verified(
        &self,
        form: Registration<'_>,
        digest_only: Option<PasswordVerifiers>,
        client: &ClientInfo,
    ) -> Result<AuthResponse, DomainError> {
        self.register_verified_within(form, digest_only, PasswordLengths::PRODUCT, client)
            .await
    }

    /// [`Self::register_verified`] with a plaintext password held to
    /// `lengths`.
    async fn register_verified_within(
        &self,
        form: Registration<'_>,
        digest_only: Option<PasswordVerifiers>,
        lengths: PasswordLengths,
        client: &ClientInfo,
    ) -> Result<AuthResponse, DomainError> {
        let done = self
            .sign_up(form, digest_only, lengths, AfterSignUp::SignIn(client))
            .await?;
        let issued = done
            .issued
            .ok_or_else(|| DomainError::from(ErrorCode::Internal))?;
        let mut user = UserProfile::from(done.row);
        user.pending_phone = done.pending.map(|c| c.value().to_string());
        Ok(auth_response(issued, user))
    }

    /// Creates an account by the sign-up rules, then does `after`.
    pub(crate) async fn sign_up(
        &self,
        form: Registration<'_>,
        digest_only: Option<PasswordVerifiers>,
        lengths: PasswordLengths,
        after: AfterSignUp<'_>,
    ) -> Result<SignedUp, DomainError> {
        let mut account = match digest_only {
            Some(_) => NewAccount::validate_identifiers(form.email, form.phone, form.username)?,
            None => NewAccount::validate_within(
                form.email,
                form.phone,
                form.username,
                form.password,
                lengths,
            )?,
        };
        // Checked with the other fields, before any code is spent.
        let profile = match form.identity {
            Some(change) => Some(
                ProfileFields::new_account()
                    .merged(change, CivilDate::china_from_unix(self.now()))?,
            ),
            None => None,
        };
        // A second contact that no code proves is only pending: see
        // `pending_contacts`. Without the code requirement it is trusted.
        let pending = if self.settings.codes.require_contact_code && account.valid.email.is_some() {
            account.valid.phone.take().map(Contact::Phone)
        } else {
            None
        };
        let proven = &account.contact;
        // Without the requirement a code is optional, but one that is given
        // must be right: it marks the contact verified.
        let code = if self.settings.codes.require_contact_code || !form.code.trim().is_empty() {
            Some(validate::check_code(form.code)?)
        } else {
            None
        };
        // The code is proven before anything is said about who has the
        // contacts or the username: otherwise this form tells strangers
        // which addresses have accounts (a taken contact never gets a code,
        // its owner gets a notice). The code stays live until the account
        // is created.
        if let Some(code) = &code {
            let mut tx = crate::store::begin_write(&self.pool).await?;
            if self
                .take_code(&mut tx, proven, CodePurpose::Register, code, None)
                .await?
            {
                tx.rollback().await?;
            } else {
                tx.commit().await?;
                return Err(code_incorrect());
            }
        }
        // A taken contact or username costs no hash.
        if let Err(taken) = self
            .ensure_free(&mut *self.pool.acquire().await?, &account)
            .await
        {
            // It may belong to an account closed long enough ago: release
            // such contacts (lazily, only when one is in the way) and look again.
            if taken.code() == ErrorCode::Internal
                || self.release_closed_contacts(self.now()).await? == 0
            {
                return Err(taken);
            }
            self.ensure_free(&mut *self.pool.acquire().await?, &account)
                .await?;
        }
        // Hash before taking the write lock: the lock is held for microseconds,
        // the hash for tens of milliseconds.
        let verifiers = match digest_only {
            Some(verifiers) => verifiers,
            None => self.password_verifiers(&account.valid.password).await?,
        };

        let mut tx = crate::store::begin_write(&self.pool).await?;
        self.ensure_free(&mut tx, &account).await?;
        if let Some(code) = &code {
            if !self
                .take_code(&mut tx, proven, CodePurpose::Register, code, None)
                .await?
            {
                // Keep the counted attempt; nothing else was written.
                tx.commit().await?;
                return Err(code_incorrect());
            }
        }
        let verified = Verified {
            email: code.is_some() && proven.is_email(),
            phone: code.is_some() && !proven.is_email(),
        };
        let mut row = insert_account(
            &mut tx,
            &account,
            &verifiers,
            verified,
            Role::User,
            self.now(),
        )
        .await?;
        if code.is_some() {
            release_pending(&mut tx, proven).await?;
        }
        if let Some(contact) = &pending {
            add_pending_contact(&mut tx, row.id, contact, self.now()).await?;
        }
        if let Some(profile) = &profile {
            profile
                .store(&mut tx, self.vault().await?, row.id, self.now())
                .await?;
        }
        let issued = match after {
            AfterSignUp::SignIn(client) => Some(self.start_session(&mut tx, row.id, client).await?),
            AfterSignUp::PreOpen => {
                mark_pre_opened(&mut tx, row.id, self.now()).await?;
                None
            }
        };
        if profile.is_some() || issued.is_none() {
            row = self.user_row_in(&mut tx, row.id).await?;
        }
        tx.commit().await?;
        tracing::info!(
            user_id = row.id,
            pre_opened = issued.is_none(),
            "account registered"
        );
        Ok(SignedUp {
            row,
            issued,
            pending,
        })
    }

    /// Refuses an account whose email, phone or username another account
    /// already has (`*_TAKEN`). Run before hashing, for a cheap answer, and
    /// again inside the write transaction, where the answer holds.
    pub(crate) async fn ensure_free(
        &self,
        conn: &mut store::Conn,
        account: &NewAccount,
    ) -> Result<(), DomainError> {
        let valid = &account.valid;
        let taken = store::users::first_holder_of(
            conn,
            valid.email.as_deref(),
            valid.phone.as_deref(),
            account.username_key.as_deref(),
        )
        .await?;
        match taken {
            None => Ok(()),
            Some((email, phone)) => {
                let code = if email.is_some() && email == valid.email {
                    ErrorCode::EmailTaken
                } else if phone.is_some() && phone == valid.phone {
                    ErrorCode::PhoneTaken
                } else {
                    ErrorCode::UsernameTaken
                };
                Err(taken_error(code).into())
            }
        }
    }

    /// Signs in with an email, phone number or username and a password.
    ///
    /// An unknown account and a wrong password give the same error after the
    /// same amount of work (a dummy hash is verified), so the answer does not
    /// reveal which accounts exist.
    ///
    /// Failures count against the account (against the identifier when no
    /// account has it) and against the client's IP. After a few consecutive
    /// failures, or many from one IP, a solved captcha is needed as well; it
    /// is checked before the password.
    pub async fn login(
        &self,
        identifier: &str,
        password: &str,
        captcha: Option<(&str, &str)>,
        client: &ClientInfo,
    ) -> Result<AuthResponse, DomainError> {
        self.sign_in_with(identifier, LoginSecret::Password(password), captcha, client)
            .await
    }

    /// The sign-in of [`Self::login`] and
    /// [`Self::login_with_digest`](crate::UserCenter::login_with_digest):
    /// the same lookup, captcha, limiter and audit whatever form the secret has.
    pub(crate) async fn sign_in_with(
        &self,
        identifier: &str,
        secret: LoginSecret<'_>,
        captcha: Option<(&str, &str)>,
        client: &ClientInfo,
    ) -> Result<AuthResponse, DomainError> {
        let identifier = validate::parse_identifier(identifier)?;
        if secret.is_empty() {
            return Err(AppError::field(ErrorCode::Required, Field::Password).into());
        }
        let mut conn = self.pool.acquire().await?;
        let found = store::users::credentials(&mut conn, (&identifier).into()).await?;
        drop(conn);
        let key = sign_in_key(found.as_ref().map(|f| f.id), &identifier.key());
        if self
            .sign_in_needs_captcha(&key, client.ip.as_deref())
            .await?
        {
            self.solve_captcha(captcha.map(|c| c.0), captcha.map(|c| c.1))
                .await?;
        }
        if secret.too_long() {
            // No account can have such a password; don't spend a hash on it.
            return Err(ErrorCode::InvalidCredentials.into());
        }
        // Admitted before the hash is checked: see `throttle`.
        let attempt = self.reserve(Kind::SignIn, &key).await?;
        let user_id = found.as_ref().map(|f| f.id);
        let ok = match secret {
            LoginSecret::Password(password) => {
                let stored = found.as_ref().map(|f| f.password_hash.as_str());
                self.verify_password(user_id.unwrap_or(0), stored, password)
                    .await?
            }
            LoginSecret::Digest(scheme, digest) => {
                self.verify_digest(user_id, scheme, digest).await?
            }
        };
        let (user_id, status) = match found {
            Some(f) if ok => (f.id, f.status),
            _ => {
                tracing::info!(identifier = %identifier.key(), "login failed");
                let failure = attempt.fail().await?;
                self.count_ip_failure(client.ip.as_deref()).await?;
                self.audit_login_failure(
                    found.as_ref().map(|f| f.id),
                    &identifier.key(),
                    failure.set_lock,
                    client,
                )
                .await;
                return Err(failure.error(ErrorCode::InvalidCredentials));
            }
        };
        attempt.forgive().await?;
        if self.settings.unbound_device_needs_code && !self.device_is_bound(user_id, client).await?
        {
            return Err(ErrorCode::DeviceCodeRequired.into());
        }
        self.sign_in(user_id, status, client).await
    }

    /// Signs in with a one-time `login` code sent to a bound email or phone.
    /// The same lockout counters as passwords apply, and an unknown contact
    /// fails exactly like a wrong code.
    pub async fn login_with_code(
        &self,
        contact: &str,
        code: &str,
        client: &ClientInfo,
    ) -> Result<AuthResponse, DomainError> {
        let contact = validate::parse_contact(contact)?;
        let code = validate::check_code(code)?;
        let owner = self.owner_of(&contact).await?;
        let owner_id = owner.as_ref().map(|o| o.id);
        let attempt = self
            .reserve(Kind::SignIn, &sign_in_key(owner_id, &contact.key()))
            .await?;
        let matched = self
            .use_code(&contact, CodePurpose::Login, &code, None)
            .await;
        let (user_id, status) = match (owner, matched) {
            (Some(owner), Ok(())) => (owner.id, owner.status),
            (_, Err(e)) if e.code() != ErrorCode::CodeIncorrect => {
                // The store failed: count the attempt, as an unjudged one is.
                attempt.fail().await?;
                return Err(e);
            }
            _ => {
                tracing::info!(identifier = %contact.key(), "code login failed");
                let failure = attempt.fail().await?;
                self.count_ip_failure(client.ip.as_deref()).await?;
                self.audit_login_failure(owner_id, &contact.key(), failure.set_lock, client)
                    .await;
                return Err(failure.error(ErrorCode::CodeIncorrect));
            }
        };
        attempt.forgive().await?;
        if self.settings.unbound_device_needs_code && status == UserStatus::Normal {
            // The code proved the user holds the contact: trust the device.
            self.trust_device(user_id, client).await?;
        }
        self.sign_in(user_id, status, client).await
    }

    /// Records a failed sign-in (and the lock it set) against the account,
    /// if the identifier has one; the identifier is kept either way.
    async fn audit_login_failure(
        &self,
        user_id: Option<i64>,
        identifier: &str,
        locked: bool,
        client: &ClientInfo,
    ) {
        let event = |action| AuditEvent {
            action,
            actor: None,
            actor_app: None,
            target: user_id,
            ip: client.ip.clone(),
            user_agent: client.user_agent.clone(),
            details: serde_json::json!({ "identifier": identifier }),
        };
        self.audit(event(AuditAction::LoginFailed)).await;
        if locked {
            self.audit(event(AuditAction::LoginLocked)).await;
        }
    }

    /// Opens a session for a user whose credentials were just proven.
    async fn sign_in(
        &self,
        user_id: i64,
        status: UserStatus,
        client: &ClientInfo,
    ) -> Result<AuthResponse, DomainError> {
        match status.state() {
            AccountState::Active => {}
            // Told only now, to someone who proved the password or a code.
            AccountState::PreOpened => return Err(ErrorCode::AccountNotActivated.into()),
            AccountState::Frozen | AccountState::Closed => {
                return Err(ErrorCode::AccountDisabled.into())
            }
        }
        if !self.permissions(user_id).await?.allow_login {
            return Err(ErrorCode::LoginNotAllowed.into());
        }
        let new_device = self.is_new_device(user_id, client).await?;
        let mut tx = crate::store::begin_write(&self.pool).await?;
        let issued = self.start_session(&mut tx, user_id, client).await?;
        tx.commit().await?;
        self.audit(AuditEvent::by_user(
            AuditAction::LoginSucceeded,
            user_id,
            client,
        ))
        .await;
        if new_device {
            let event = crate::notifications::Event::NewDeviceSignIn {
                device: crate::sessions::known_client(client.user_agent.as_deref()),
                ip: client.ip.clone(),
                at: self.now(),
            };
            self.notify(user_id, event).await;
        }
        let user = self.profile(user_id).await?;
        Ok(auth_response(issued, user))
    }

    /// The signed-in user's own account, with the real-name state; the ID
    /// number is masked.
    pub async fn profile(&self, user_id: i64) -> Result<UserProfile, DomainError> {
        let mut conn = self.pool.acquire().await?;
        let row = store::users::profile_by_id(&mut conn, self.vault().await?, user_id)
            .await?
            .ok_or(DomainError::from(ErrorCode::NotFound))?;
        let mut profile = UserProfile::from(row.user);
        profile.pending_email = row.pending_email;
        profile.pending_phone = row.pending_phone;
        Ok(match row.verification {
            Some((state, reason)) => {
                // The CHECK constraint admits only the known states.
                let state = VerificationState::parse(&state).unwrap_or(VerificationState::Pending);
                with_verification(profile, state, reason)
            }
            None => profile,
        })
    }

    /// [`Self::user_row`] inside the caller's transaction.
    pub(crate) async fn user_row_in(
        &self,
        conn: &mut crate::store::Conn,
        user_id: i64,
    ) -> Result<UserRow, DomainError> {
        store::users::by_id(conn, self.vault().await?, user_id)
            .await?
            .ok_or_else(|| ErrorCode::NotFound.into())
    }

    /// The status as stored, including the seed systems' review values that
    /// imported accounts may carry (`in_review`, …). Only the seed facades
    /// whose documents show those values read it; everything else reads the
    /// profile's `account_state`.
    pub async fn stored_status(&self, user_id: i64) -> Result<UserStatus, DomainError> {
        Ok(self.user_row(user_id).await?.status)
    }

    pub(crate) async fn user_row(&self, user_id: i64) -> Result<UserRow, DomainError> {
        let mut conn = self.pool.acquire().await?;
        self.user_row_in(&mut conn, user_id).await
    }

    /// A row as its owner sees it, with the real-name state looked up.
    pub(crate) async fn profile_of(&self, row: UserRow) -> Result<UserProfile, DomainError> {
        let latest = self
            .latest_verification(
                &mut *self.pool.acquire().await?,
                row.id,
                VerificationKind::RealName,
            )
            .await?;
        let pending = self.pending_contacts(row.id).await?;
        let mut profile = UserProfile::from(row);
        for contact in pending {
            match contact {
                Contact::Email(e) => profile.pending_email = Some(e),
                Contact::Phone(p) => profile.pending_phone = Some(p),
            }
        }
        Ok(match latest {
            Some(v) => with_verification(profile, v.state(), v.reason),
            None => profile,
        })
    }
}

/// Puts a just-inserted account in the pre-opened state, inside the
/// transaction that inserted it.
pub(crate) async fn mark_pre_opened(
    conn: &mut crate::store::Conn,
    user_id: i64,
    now: i64,
) -> Result<(), DomainError> {
    store::users::set_status(conn, user_id, UserStatus::PreOpened, now).await?;
    Ok(())
}

fn taken_error(code: ErrorCode) -> AppError {
    let field = match code {
        ErrorCode::EmailTaken => Field::Email,
        ErrorCode::PhoneTaken => Field::Phone,
        _ => Field::Username,
    };
    AppError::field(code, field)
}

/// Turns a UNIQUE violation that slipped past the pre-check into its `*_TAKEN`
/// error; anything else stays internal.
fn map_unique_violation(e: sqlx::Error) -> DomainError {
    for (column, code) in [
        ("users.email", ErrorCode::EmailTaken),
        ("users.phone", ErrorCode::PhoneTaken),
        ("users.username_key", ErrorCode::UsernameTaken),
    ] {
        if db::is_unique_violation(&e, column) {
            return taken_error(code).into();
        }
    }
    e.into()
}
