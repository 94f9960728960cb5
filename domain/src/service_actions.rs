//! What a trusted front system does for a user whose session it holds.
//!
//! Some seed systems (the ukex exchange and ukexpay wallet of seed 003) run
//! their own servers in front of the user center: they sign the user in,
//! keep the session token and then, on the service network, check the
//! payment PIN, record contacts the user typed, and manage the user's
//! permission flags. These are the domain operations behind that; each
//! keeps the product's rules (counted PIN checks, unproven contacts stay
//! pending, audited flag changes).

use crate::audit::{AuditEvent, Whence};
use crate::contacts::add_pending_contact;
use crate::store;
use crate::store::users::UserStatus;
use crate::{DomainError, UserCenter};
use shared::admin::{AuditAction, Permissions};
use shared::validate::{self, Contact};
use shared::ErrorCode;

/// A contact a front system recorded for a user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContactOutcome {
    /// It already is the account's live contact: nothing changed.
    Unchanged,
    /// Kept as the account's pending contact of its kind (replacing an
    /// earlier pending one) until the user proves it with a code.
    Pending(Contact),
}

impl UserCenter {
    /// Checks a payment PIN without paying, counted like a payment's (see
    /// [`wallet::pin`](crate::wallet)): `PIN_NOT_SET`, `INVALID_PIN`,
    /// `PIN_INCORRECT` with the tries left, `PIN_LOCKED`, or Ok.
    ///
    /// For front systems that ask for the PIN before an act of their own
    /// (seed 003's "verify the trade password").
    pub async fn check_payment_pin(&self, user_id: i64, pin: &str) -> Result<(), DomainError> {
        self.verify_payment_pin(user_id, pin).await
    }

    /// Records an email or mobile number a front system was given for the
    /// user. Nobody proved it, so it is stored as the account's *pending*
    /// contact of its kind: not unique-claimed, not usable to sign in, reset
    /// or receive transfers, until the user binds it with a code (the
    /// security page offers that). The account's live contact stays as it is.
    ///
    /// The answer is the same whether or not another account has the
    /// contact, so this is no oracle for who is registered.
    pub async fn record_contact(
        &self,
        user_id: i64,
        raw: &str,
    ) -> Result<ContactOutcome, DomainError> {
        let contact = validate::parse_contact(raw)?;
        let mut conn = self.pool.acquire().await?;
        let store::users::Contacts {
            email,
            phone,
            status,
        } = store::users::contacts(&mut conn, user_id)
            .await?
            .ok_or(DomainError::from(ErrorCode::NotFound))?;
        if status == UserStatus::Closed {
            return Err(ErrorCode::AccountClosed.into());
        }
        let live = match &contact {
            Contact::Email(_) => email,
            Contact::Phone(_) => phone,
        };
        if live.as_deref() == Some(contact.value()) {
            return Ok(ContactOutcome::Unchanged);
        }
        let mut tx = crate::store::begin_write(&self.pool).await?;
        add_pending_contact(&mut tx, user_id, &contact, self.now()).await?;
        tx.commit().await?;
        tracing::info!(
            user_id,
            kind = if contact.is_email() { "email" } else { "phone" },
            "pending contact recorded by a front system"
        );
        Ok(ContactOutcome::Pending(contact))
    }

    /// A front system sets the user's permission flags (sign-in, transfers,
    /// withdrawals), as staff can. Audited with the system's name as the
    /// actor, so staff see who changed them. Turning sign-in off ends the
    /// user's sessions, as the staff console does.
    pub async fn set_permissions_for_service(
        &self,
        service: &str,
        user_id: i64,
        permissions: Permissions,
        from: Whence<'_>,
    ) -> Result<Permissions, DomainError> {
        shared::wallet::check_request_id(service).map_err(|_| {
            shared::AppError::with_message(ErrorCode::InvalidInput, "bad service name")
        })?;
        let event = AuditEvent::by_app(
            AuditAction::PermissionsChanged,
            service,
            Some(user_id),
            from,
        );
        self.apply_permissions(user_id, permissions, event).await
    }
}

/// A fresh idempotency key for a wallet call whose client sent none: such
/// a call is one movement of its own (`prefix-` and 32 hex digits).
pub fn one_off_request_id(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::caller::AuthContext;
    use crate::tests::{client, code_of, fixture, signup_named};
    use crate::wallet::{Actor, Authorisation, Movement, PinProof, Recipient, Transfer};
    use shared::admin::AuditQuery;

    const PASSWORD: &str = "correct horse battery";

    async fn with_pin(uc: &UserCenter, name: &str) -> AuthContext {
        let (auth, _) = signup_named(uc, name, PASSWORD).await;
        uc.set_payment_pin(&auth, "480716", PinProof::Password(PASSWORD))
            .await
            .unwrap();
        auth
    }

    #[tokio::test]
    async fn pin_checks_are_counted_and_lock() {
        let f = fixture().await;
        let uc = &f.uc;
        let (nopin, _) = signup_named(uc, "nopin", PASSWORD).await;
        assert_eq!(
            code_of(uc.check_payment_pin(nopin.user_id, "480716").await),
            ErrorCode::PinNotSet
        );
        let auth = with_pin(uc, "pin").await;
        uc.check_payment_pin(auth.user_id, "480716").await.unwrap();
        assert_eq!(
            code_of(uc.check_payment_pin(auth.user_id, "12ab").await),
            ErrorCode::InvalidPin
        );
        let max = uc.settings().wallet.pin_max_failures;
        for i in 0..max {
            let err = uc
                .check_payment_pin(auth.user_id, "000001")
                .await
                .unwrap_err()
                .to_app_error();
            let expected = if i + 1 < max {
                ErrorCode::PinIncorrect
            } else {
                ErrorCode::PinLocked
            };
            assert_eq!(err.code, expected, "attempt {i}");
        }
        // Locked: even the right PIN is refused, for payments as well.
        assert_eq!(
            code_of(uc.check_payment_pin(auth.user_id, "480716").await),
            ErrorCode::PinLocked
        );
        assert!(uc.pin_status(auth.user_id).await.unwrap().locked);
    }

    #[tokio::test]
    async fn recorded_contacts_stay_pending_and_claim_nothing() {
        let f = fixture().await;
        let uc = &f.uc;
        let (ann, _) = signup_named(uc, "ann", PASSWORD).await;
        let (bob, _) = signup_named(uc, "bob", PASSWORD).await;
        let outcome = uc.record_contact(ann.user_id, "136 2837 9881").await;
        assert_eq!(
            outcome.unwrap(),
            ContactOutcome::Pending(Contact::Phone("13628379881".into()))
        );
        let profile = uc.profile(ann.user_id).await.unwrap();
        assert_eq!(profile.phone, None);
        assert_eq!(profile.pending_phone.as_deref(), Some("13628379881"));
        // Not an identifier yet: no sign-in with it …
        assert_eq!(
            code_of(uc.login("13628379881", PASSWORD, None, &client()).await),
            ErrorCode::InvalidCredentials
        );
        // … and Bob may still record (or register) the same number.
        uc.record_contact(bob.user_id, "13628379881").await.unwrap();
        // The live email is unchanged by recording it again.
        assert_eq!(
            uc.record_contact(ann.user_id, "ANN@example.com")
                .await
                .unwrap(),
            ContactOutcome::Unchanged
        );
        assert_eq!(
            code_of(uc.record_contact(ann.user_id, "not a contact").await),
            ErrorCode::InvalidContact
        );
        assert_eq!(
            code_of(uc.record_contact(9999, "13628379881").await),
            ErrorCode::NotFound
        );
    }

    #[tokio::test]
    async fn services_set_flags_audited_and_sign_in_off_ends_sessions() {
        let f = fixture().await;
        let uc = &f.uc;
        let (ann, token) = signup_named(uc, "ann", PASSWORD).await;
        let no_transfer = Permissions {
            allow_transfer: false,
            ..Permissions::default()
        };
        uc.set_permissions_for_service("ukex", ann.user_id, no_transfer, Whence::default())
            .await
            .unwrap();
        assert_eq!(uc.permissions(ann.user_id).await.unwrap(), no_transfer);
        // The wallet obeys the flag.
        let (bob, _) = signup_named(uc, "bob", PASSWORD).await;
        let service = Actor::Service("ukex".into());
        let deposit = Movement {
            user_id: ann.user_id,
            currency: "CNY",
            amount: "5",
            memo: "",
            request_id: "d1",
        };
        uc.deposit(deposit, &service).await.unwrap();
        let pay = Transfer {
            from_user: ann.user_id,
            to: Recipient::UserId(bob.user_id),
            currency: "CNY",
            amount: "1",
            memo: "",
            request_id: "t1",
        };
        assert_eq!(
            code_of(uc.transfer(pay, Authorisation::Service(&service)).await),
            ErrorCode::TransferNotAllowed
        );
        uc.authenticate(&token).await.unwrap();

        let no_login = Permissions {
            allow_login: false,
            ..Permissions::default()
        };
        uc.set_permissions_for_service("ukex", ann.user_id, no_login, Whence::default())
            .await
            .unwrap();
        assert!(uc.authenticate(&token).await.is_err(), "sessions ended");
        assert_eq!(
            code_of(uc.login("ann", PASSWORD, None, &client()).await),
            ErrorCode::LoginNotAllowed
        );

        let staff = uc
            .create_admin(
                "ops@example.com",
                "",
                "ops",
                PASSWORD,
                crate::admin::Role::Staff,
            )
            .await
            .unwrap();
        let log = uc
            .audit_log(
                staff.id,
                &AuditQuery {
                    target_id: Some(ann.user_id),
                    action: Some(AuditAction::PermissionsChanged),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(log.entries.len(), 2);
        assert!(log
            .entries
            .iter()
            .all(|e| e.actor_app.as_deref() == Some("ukex") && e.actor_id.is_none()));

        assert_eq!(
            code_of(
                uc.set_permissions_for_service("ukex", 9999, no_login, Whence::default())
                    .await
            ),
            ErrorCode::NotFound
        );
        assert_eq!(
            code_of(
                uc.set_permissions_for_service(
                    "bad name",
                    ann.user_id,
                    no_login,
                    Whence::default()
                )
                .await
            ),
            ErrorCode::InvalidInput
        );
    }

    #[test]
    fn one_off_request_ids_are_valid_and_fresh() {
        let a = one_off_request_id("ukex");
        assert!(shared::wallet::check_request_id(&a).is_ok(), "{a}");
        assert!(a.starts_with("ukex-"));
        assert_ne!(a, one_off_request_id("ukex"));
    }
}
