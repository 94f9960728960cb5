//! Accounts a trusted caller creates whose password is known only as a
//! digest: a signed service app, or a server on the service network, through
//! a seed facade (java110's `user.service.register`, jigsaw's `register`).
//!
//! Such a caller is in the position of `POST /service/users` (an app with
//! `users:write`, [`UserCenter::create_admin`]): it vouches for the account,
//! so no sign-up code is asked for (the seed protocols have none to give),
//! no session is opened (the seed answers only the new user's id), and the
//! contacts are stored as not verified until the owner proves them. The
//! identifiers are checked as at sign-up; the password policy cannot be, as
//! only the digest is known. The first plaintext sign-in on the web adds
//! the ordinary verifier (see [`password_digests`](crate::password_digests)).

use crate::accounts::{mark_pre_opened, AfterSignUp, LoginSecret, NewAccount, Registration};
use crate::caller::ClientInfo;
use crate::password_digests::DigestScheme;
use crate::store::users::Role;
use crate::{DomainError, UserCenter};
use shared::dto::UserProfile;
use shared::profile::AccountState;
use shared::validate::PasswordLengths;
use shared::{AppError, ErrorCode, Field};

impl UserCenter {
    /// Signs in with a digest of the password, with the same lockout,
    /// captcha and throttling as [`Self::login`]. An account without a
    /// verifier for `scheme` (its password was set before the facade was
    /// enabled) fails like a wrong password until one plaintext sign-in
    /// adds it.
    pub async fn login_with_digest(
        &self,
        identifier: &str,
        scheme: DigestScheme,
        digest: &str,
        captcha: Option<(&str, &str)>,
        client: &ClientInfo,
    ) -> Result<shared::dto::AuthResponse, DomainError> {
        self.sign_in_with(
            identifier,
            LoginSecret::Digest(scheme, digest),
            captcha,
            client,
        )
        .await
    }

    /// Creates an account, like [`Self::register`] (the same identifier and
    /// sign-up code rules), whose password is known only as a digest:
    /// `form.password` is ignored, and the password policy cannot be
    /// checked. The first plaintext sign-in adds the ordinary verifier.
    pub async fn register_with_digest(
        &self,
        form: Registration<'_>,
        scheme: DigestScheme,
        digest: &str,
        client: &ClientInfo,
    ) -> Result<shared::dto::AuthResponse, DomainError> {
        let digest = scheme
            .normalise(digest)
            .ok_or(DomainError::from(ErrorCode::InvalidInput))?;
        let verifiers = self.verifiers_of_digest(scheme, &digest).await?;
        self.register_verified(form, Some(verifiers), client).await
    }

    /// Creates a `user` account from `form` (email, phone, username; its
    /// password and code are ignored) with `digest` as the password under
    /// `scheme`. `INVALID_INPUT` (on the password field) when `digest` is no
    /// digest of that scheme; `*_TAKEN` when an identifier is in use.
    pub async fn create_user_with_digest(
        &self,
        form: Registration<'_>,
        scheme: DigestScheme,
        digest: &str,
    ) -> Result<UserProfile, DomainError> {
        self.create_with_digest(form, scheme, digest, AccountState::Active)
            .await
    }

    /// jigsaw's `register` without a payment password: an account in the
    /// pre-opened state (it receives money, but neither signs in nor pays
    /// until a payment PIN is set, see [`crate::activation`]), its password
    /// known as `digest` under `scheme`. With `form.code` the sign-up code
    /// rule applies, as in [`Self::register_with_digest`] (the code proves
    /// the contact, a second contact waits for its own); without one the
    /// caller vouches. No session is opened either way.
    pub async fn pre_open_with_digest(
        &self,
        form: Registration<'_>,
        scheme: DigestScheme,
        digest: &str,
    ) -> Result<UserProfile, DomainError> {
        if form.code.trim().is_empty() {
            return self
                .create_with_digest(form, scheme, digest, AccountState::PreOpened)
                .await;
        }
        let digest = normalised(scheme, digest)?;
        let verifiers = self.verifiers_of_digest(scheme, &digest).await?;
        let done = self
            .sign_up(
                form,
                Some(verifiers),
                PasswordLengths::PRODUCT,
                AfterSignUp::PreOpen,
            )
            .await?;
        let mut user = UserProfile::from(done.row);
        user.pending_phone = done.pending.map(|c| c.value().to_string());
        Ok(user)
    }

    /// A vouched account (no code, no session) in `state`, `Active` or
    /// `PreOpened`.
    async fn create_with_digest(
        &self,
        form: Registration<'_>,
        scheme: DigestScheme,
        digest: &str,
        state: AccountState,
    ) -> Result<UserProfile, DomainError> {
        let account = NewAccount::validate_identifiers(form.email, form.phone, form.username)?;
        let digest = normalised(scheme, digest)?;
        // A taken identifier costs no hash.
        self.ensure_free(&mut *self.pool.acquire().await?, &account)
            .await?;
        let verifiers = self.verifiers_of_digest(scheme, &digest).await?;
        let (mut tx, mut row) = self
            .insert_vouched(&account, &verifiers, Role::User)
            .await?;
        if state == AccountState::PreOpened {
            mark_pre_opened(&mut tx, row.id, self.now()).await?;
            row = self.user_row_in(&mut tx, row.id).await?;
        }
        tx.commit().await?;
        tracing::info!(
            user_id = row.id,
            scheme = scheme.name(),
            state = state.as_str(),
            "account created with a password digest"
        );
        Ok(row.into())
    }
}

/// `digest` as verifiers are made of it; `INVALID_INPUT` (on the password
/// field) when it is no digest of `scheme`.
fn normalised(scheme: DigestScheme, digest: &str) -> Result<String, DomainError> {
    scheme.normalise(digest).ok_or_else(|| {
        AppError::with_message(
            ErrorCode::InvalidInput,
            "The password must be sent as the client's digest (lowercase or uppercase hex).",
        )
        .with_field(Field::Password)
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{client, fixture_with, test_settings};

    const PASSWORD: &str = "correct horse 1";

    #[tokio::test]
    async fn an_account_created_with_a_digest_signs_in_both_ways() {
        let mut settings = test_settings();
        settings.codes.require_contact_code = true;
        settings.password_digests = vec![DigestScheme::Java110];
        let f = fixture_with(settings).await;
        let digest = DigestScheme::Java110.of(PASSWORD);
        let form = Registration {
            email: "Ann@Example.com",
            phone: "13800138000",
            // Ignored: only the digest is the password.
            password: "something else entirely",
            ..Default::default()
        };
        // No code is needed, although sign-up requires one.
        let user = f
            .uc
            .create_user_with_digest(form.clone(), DigestScheme::Java110, &digest.to_uppercase())
            .await
            .unwrap();
        assert_eq!(user.email.as_deref(), Some("ann@example.com"));
        assert!(!user.email_verified && !user.phone_verified);
        let (sessions,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions")
            .fetch_one(&f.db.sql)
            .await
            .unwrap();
        assert_eq!(sessions, 0, "no session is opened");
        f.uc.login_with_digest(
            "13800138000",
            DigestScheme::Java110,
            &digest,
            None,
            &client(),
        )
        .await
        .unwrap();
        f.uc.login("ann@example.com", PASSWORD, None, &client())
            .await
            .unwrap();
        assert_eq!(
            f.uc.login(
                "ann@example.com",
                "something else entirely",
                None,
                &client()
            )
            .await
            .unwrap_err()
            .code(),
            ErrorCode::InvalidCredentials
        );

        let again =
            f.uc.create_user_with_digest(form, DigestScheme::Java110, &digest)
                .await
                .unwrap_err();
        assert_eq!(again.code(), ErrorCode::EmailTaken);
        let not_digest =
            f.uc.create_user_with_digest(
                Registration {
                    email: "bob@example.com",
                    ..Default::default()
                },
                DigestScheme::Java110,
                "ERCBHDUYFJDNDHDJDNDJDHDUDHDJDDKDK",
            )
            .await
            .unwrap_err();
        assert_eq!(not_digest.code(), ErrorCode::InvalidInput);
        let no_contact =
            f.uc.create_user_with_digest(Registration::default(), DigestScheme::Java110, &digest)
                .await
                .unwrap_err();
        assert_eq!(no_contact.code(), ErrorCode::ContactRequired);
    }
}
