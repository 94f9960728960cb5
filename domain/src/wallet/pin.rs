//! The payment PIN: six digits, separate from the sign-in password, asked for
//! every payment a user makes.
//!
//! Stored as argon2id through the same [`Hasher`](crate::passwords::Hasher) as
//! passwords. Wrong PINs are counted by the attempt limiter
//! ([`throttle`](crate::throttle), kind `pin`, per user), which admits an
//! attempt before its hash is checked and never lets more wrong guesses reach
//! the hash than are left. Six digits are only a million guesses, so the lock
//! (5 tries, then an hour, by default) is what protects them.

use crate::audit::{AuditEvent, Whence};
use crate::caller::Operator;
use crate::notifications::Event;
use crate::passwords::StoredHash;
use crate::staff_limits::StaffAction;
use crate::store;
use crate::throttle::Kind;
use crate::AuthContext;
use crate::{DomainError, UserCenter};
use shared::admin::AuditAction;
use shared::dto::CodePurpose;
use shared::validate::Contact;
use shared::wallet::{self, PinStatus};
use shared::{AppError, ErrorCode, Field};

/// What proves that the owner, not just a session, sets the first PIN.
#[derive(Clone, Copy, Debug)]
pub enum PinProof<'a> {
    /// The sign-in password.
    Password(&'a str),
    /// The `sid` of a `pay_password` code verified while signed in.
    Ticket(&'a str),
}

impl<'a> PinProof<'a> {
    /// The proof a request carries: a non-empty password, else a non-empty
    /// `sid`; `PROOF_REQUIRED` (on the password field) when neither.
    pub fn from_request(
        password: Option<&'a str>,
        sid: Option<&'a str>,
    ) -> Result<Self, DomainError> {
        let given = |v: Option<&'a str>| v.filter(|v| !v.is_empty());
        match (given(password), given(sid)) {
            (Some(password), _) => Ok(PinProof::Password(password)),
            (None, Some(sid)) => Ok(PinProof::Ticket(sid)),
            (None, None) => Err(AppError::field(ErrorCode::ProofRequired, Field::Password).into()),
        }
    }
}

impl UserCenter {
    /// Whether the user has a PIN and whether payments are locked.
    pub async fn pin_status(&self, user_id: i64) -> Result<PinStatus, DomainError> {
        let now = self.now();
        let max = self.settings.wallet.pin_max_failures;
        let mut conn = self.pool.acquire().await?;
        let set = store::pins::hash_of(&mut conn, user_id).await?;
        drop(conn);
        let state = self.throttle_state(Kind::Pin, &user_id.to_string()).await?;
        let locked_until = state.locked_until.filter(|&u| u > now);
        Ok(PinStatus {
            set: set.is_some(),
            locked: locked_until.is_some(),
            locked_until,
            retry_after_secs: locked_until.map(|u| u - now),
            remaining_attempts: if locked_until.is_some() {
                0
            } else {
                (i64::from(max) - state.consecutive).max(0) as u32
            },
        })
    }

    /// Activates payments with a first PIN, proven by the sign-in password
    /// or a `pay_password` ticket; `PIN_ALREADY_SET` if there is one.
    ///
    /// The PIN is the second factor for money, so a session alone (a
    /// borrowed device, a stolen cookie) must not be enough to create it and
    /// then spend. A wrong password counts in the re-entry limiter (see
    /// [`reentry`](crate::reentry)); a ticket is spent only when the PIN is
    /// stored.
    pub async fn set_payment_pin(
        &self,
        auth: &AuthContext,
        pin: &str,
        proof: PinProof<'_>,
    ) -> Result<(), DomainError> {
        let user_id = auth.user_id;
        wallet::check_pin(pin)?;
        let mut conn = self.pool.acquire().await?;
        let exists = store::pins::hash_of(&mut conn, user_id).await?;
        drop(conn);
        if exists.is_some() {
            return Err(ErrorCode::PinAlreadySet.into());
        }
        if let PinProof::Password(password) = proof {
            self.reenter_password(auth, password, Field::Password)
                .await?;
        }
        let hash = self.new_pin_hash(user_id, pin).await?;
        let mut tx = crate::store::begin_write(&self.pool).await?;
        if let PinProof::Ticket(sid) = proof {
            self.consume_pay_ticket(&mut tx, user_id, sid).await?;
        }
        // Two first activations at once: only one wins (and the loser's
        // ticket stays unspent, as its transaction is dropped).
        self.insert_first_pin(&mut tx, user_id, &hash).await?;
        tx.commit().await?;
        tracing::info!(user_id, "payment PIN set");
        self.audit(AuditEvent::by_user(AuditAction::PinSet, user_id, auth))
            .await;
        self.notify(user_id, Event::PinSet).await;
        Ok(())
    }

    /// Changes the PIN; the old one is checked (and counted) like a payment's.
    ///
    /// `by` is the user (the web layers pass their [`AuthContext`], so the
    /// audit row gets the IP and user agent; tests pass a bare id).
    pub async fn change_payment_pin(
        &self,
        by: impl Into<Operator>,
        old_pin: &str,
        new_pin: &str,
    ) -> Result<(), DomainError> {
        let by = by.into();
        let user_id = by.id;
        wallet::check_pin(new_pin)?;
        self.verify_payment_pin(user_id, old_pin).await?;
        let hash = self.new_pin_hash(user_id, new_pin).await?;
        let mut conn = self.pool.acquire().await?;
        store::pins::replace(&mut conn, user_id, &hash.0, self.now()).await?;
        drop(conn);
        tracing::info!(user_id, "payment PIN changed");
        self.audit(AuditEvent::by_user(AuditAction::PinChanged, user_id, &by))
            .await;
        self.notify(user_id, Event::PinChanged).await;
        Ok(())
    }

    /// Sets a new PIN without the old one, and lifts a payment lock.
    ///
    /// Only for a caller that has just verified the user another way and
    /// consumed that proof. Nothing here checks that; calling it otherwise lets
    /// anyone with a session replace the PIN. A forgotten PIN is reset with
    /// [`reset_payment_pin`](Self::reset_payment_pin), which does both.
    pub async fn replace_payment_pin(
        &self,
        user_id: i64,
        new_pin: &str,
    ) -> Result<(), DomainError> {
        wallet::check_pin(new_pin)?;
        let hash = self.new_pin_hash(user_id, new_pin).await?;
        let mut tx = crate::store::begin_write(&self.pool).await?;
        self.store_replaced_pin(&mut tx, user_id, &hash).await?;
        tx.commit().await?;
        tracing::info!(user_id, "payment PIN replaced");
        self.audit(AuditEvent::by_user(
            AuditAction::PinChanged,
            user_id,
            Whence::default(),
        ))
        .await;
        self.notify(user_id, Event::PinChanged).await;
        Ok(())
    }

    /// Forgotten PIN: sets a new one (and lifts a payment lock) with the
    /// `sid` of a `pay_password` code the signed-in user verified.
    ///
    /// The PIN is checked and hashed first, so a weak PIN or a typo costs no
    /// ticket; the ticket is then consumed and the PIN stored in one
    /// transaction. The ticket must have been issued to this user for a
    /// contact still on the account (`TICKET_INVALID` otherwise).
    pub async fn reset_payment_pin(
        &self,
        by: impl Into<Operator>,
        sid: &str,
        new_pin: &str,
    ) -> Result<(), DomainError> {
        let by = by.into();
        let user_id = by.id;
        wallet::check_pin(new_pin)?;
        let hash = self.new_pin_hash(user_id, new_pin).await?;
        let mut tx = crate::store::begin_write(&self.pool).await?;
        self.consume_pay_ticket(&mut tx, user_id, sid).await?;
        self.store_replaced_pin(&mut tx, user_id, &hash).await?;
        tx.commit().await?;
        tracing::info!(user_id, "payment PIN reset with a verification code");
        self.audit(AuditEvent::by_user(AuditAction::PinChanged, user_id, &by))
            .await;
        self.notify(user_id, Event::PinChanged).await;
        Ok(())
    }

    /// Forgotten PIN in one step, as the wallet page asks for it: the
    /// `pay_password` code sent to `contact` (one of the user's own) and the
    /// new PIN. The PIN is checked first, so a typo in it costs no code; the
    /// code is then exchanged for a ticket that
    /// [`reset_payment_pin`](Self::reset_payment_pin) spends.
    pub async fn reset_payment_pin_with_code(
        &self,
        by: impl Into<Operator>,
        contact: &str,
        code: &str,
        new_pin: &str,
    ) -> Result<(), DomainError> {
        let by = by.into();
        wallet::check_pin(new_pin)?;
        let ticket = self
            .verify_code(contact, Some(CodePurpose::PayPassword), code, Some(by.id))
            .await?;
        self.reset_payment_pin(by, &ticket.sid, new_pin).await
    }

    /// Staff lift a payment lock and forget the wrong PINs counted so far,
    /// for a user who proved themselves to support. Within the staff limits
    /// (never one's own lock: see [`staff_limits`](crate::staff_limits));
    /// audited with whether a lock was on.
    pub async fn unlock_payments(
        &self,
        op: impl Into<Operator>,
        user_id: i64,
    ) -> Result<(), DomainError> {
        let op = op.into();
        self.check_staff_action(&op, StaffAction::UnlockPayments, user_id, None)
            .await?;
        let mut conn = self.pool.acquire().await?;
        let exists = store::users::status(&mut conn, user_id).await?;
        drop(conn);
        if exists.is_none() {
            return Err(ErrorCode::NotFound.into());
        }
        let before = self.pin_status(user_id).await?;
        let mut tx = crate::store::begin_write(&self.pool).await?;
        self.clear_throttle(&mut tx, Kind::Pin, &user_id.to_string())
            .await?;
        tx.commit().await?;
        tracing::info!(user_id, staff_id = op.id, "payment lock lifted");
        self.audit(
            AuditEvent::by_staff(AuditAction::PaymentsUnlocked, &op, Some(user_id))
                .details(serde_json::json!({ "was_locked": before.locked })),
        )
        .await;
        Ok(())
    }

    /// Checks a payment PIN: `PIN_NOT_SET`, `PIN_LOCKED` (with the time it
    /// ends), `PIN_INCORRECT` (with the tries left) or Ok.
    ///
    /// The counters come as [`LoginFailures`](shared::LoginFailures):
    /// `consecutive_failures` and `remaining_consecutive` are the PIN's; there
    /// is no rolling window for PINs, so the `cumulative` pair repeats them.
    pub(crate) async fn verify_payment_pin(
        &self,
        user_id: i64,
        pin: &str,
    ) -> Result<(), DomainError> {
        // Not six digits can never be right: refuse without counting.
        if pin.len() != wallet::PIN_DIGITS || !pin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ErrorCode::InvalidPin.into());
        }
        let mut conn = self.pool.acquire().await?;
        let stored = store::pins::hash_of(&mut conn, user_id).await?;
        drop(conn);
        let Some(hash) = stored else {
            return Err(ErrorCode::PinNotSet.into());
        };
        let attempt = self.reserve(Kind::Pin, &user_id.to_string()).await?;
        // Read again once admitted: a PIN replaced while this one waited is
        // the one to check.
        let mut conn = self.pool.acquire().await?;
        let current = store::pins::hash_of(&mut conn, user_id).await?;
        drop(conn);
        let hash = current.unwrap_or(hash);
        if self.hasher.verify(pin, Some(&StoredHash(hash))).await? {
            attempt.forgive().await?;
            return Ok(());
        }
        tracing::info!(user_id, "wrong payment PIN");
        Err(attempt.fail().await?.error(ErrorCode::PinIncorrect))
    }

    /// Spends a `pay_password` ticket issued to this user for a contact
    /// still on the account (`TICKET_INVALID` otherwise; dropping the
    /// transaction then leaves the ticket unused).
    pub(crate) async fn consume_pay_ticket(
        &self,
        tx: &mut crate::store::Conn,
        user_id: i64,
        sid: &str,
    ) -> Result<(), DomainError> {
        let contact = self
            .consume_ticket(&mut *tx, sid, CodePurpose::PayPassword, Some(user_id))
            .await?;
        let contacts = store::users::contacts(&mut *tx, user_id).await?;
        let bound = contacts.is_some_and(|c| match &contact {
            Contact::Email(e) => c.email.as_deref() == Some(e),
            Contact::Phone(p) => c.phone.as_deref() == Some(p),
        });
        if bound {
            Ok(())
        } else {
            Err(ErrorCode::TicketInvalid.into())
        }
    }

    /// Stores the first PIN of a user inside the caller's transaction and
    /// clears any wrong-PIN count; `PIN_ALREADY_SET` when there is one (of
    /// two first PINs set at once, exactly one is stored).
    pub(crate) async fn insert_first_pin(
        &self,
        conn: &mut crate::store::Conn,
        user_id: i64,
        hash: &StoredHash,
    ) -> Result<(), DomainError> {
        let now = self.now();
        let inserted = store::pins::insert_first(conn, user_id, &hash.0, now).await?;
        if !inserted {
            return Err(ErrorCode::PinAlreadySet.into());
        }
        self.clear_throttle(conn, Kind::Pin, &user_id.to_string())
            .await
    }

    /// Stores a new PIN hash, creating the row if there is none, and clears
    /// the wrong-PIN count and any lock.
    async fn store_replaced_pin(
        &self,
        conn: &mut crate::store::Conn,
        user_id: i64,
        hash: &StoredHash,
    ) -> Result<(), DomainError> {
        let now = self.now();
        store::pins::replace(conn, user_id, &hash.0, now).await?;
        self.clear_throttle(conn, Kind::Pin, &user_id.to_string())
            .await
    }

    /// Hashes a new PIN after checking it differs from the sign-in password.
    ///
    /// Under today's password policy (at least 8 characters) a six-digit PIN
    /// cannot equal the password, but the check guards imported accounts and
    /// policy changes; it costs one hash, on a rare operation.
    pub(crate) async fn new_pin_hash(
        &self,
        user_id: i64,
        pin: &str,
    ) -> Result<StoredHash, DomainError> {
        let mut conn = self.pool.acquire().await?;
        let password = store::passwords::main_hash(&mut conn, user_id)
            .await?
            .ok_or(DomainError::from(ErrorCode::NotFound))?;
        drop(conn);
        if self.verify_password(user_id, Some(&password), pin).await? {
            return Err(ErrorCode::PinSameAsPassword.into());
        }
        self.hasher.hash(pin).await
    }
}
