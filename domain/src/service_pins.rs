//! The payment PIN handled for a trusted server on the service network
//! (jigsaw's `register`, `userActivation` and `authPayPwd`), whose clients
//! may send the PIN as a digest, `MD5(MD5(pin))`.
//!
//! The product keeps the PIN as argon2id of the six digits, so a digest has
//! to become the PIN first. A six-digit PIN has only a million values, so
//! its digest is inverted by trying them all: about two million MD5s, a
//! fraction of a second, on a blocking thread and one inversion at a time
//! (a caller cannot make the server burn more than one core on it). This
//! does not weaken the PIN, whose strength was never more than those million
//! guesses: what protects it is the PIN limiter, and a PIN *check* inverts
//! only after the limiter has admitted the attempt, so a locked PIN costs
//! nothing and every digest, right, wrong or no PIN's at all, counts.

use crate::audit::AuditEvent;
use crate::password_digests::DigestScheme;
use crate::passwords::StoredHash;
use crate::store;
use crate::store::users::UserStatus;
use crate::throttle::Kind;
use crate::{DomainError, UserCenter};
use md5::{Digest, Md5};
use shared::admin::AuditAction;
use shared::wallet::{self, PIN_DIGITS};
use shared::{AppError, ErrorCode};
use tokio::sync::Semaphore;

/// One inversion at a time, server-wide.
static INVERSIONS: Semaphore = Semaphore::const_new(1);

/// A payment PIN as a client sent it.
#[derive(Clone, Copy, Debug)]
pub enum PinAsSent<'a> {
    /// The six digits.
    Plain(&'a str),
    /// The PIN's digest under a scheme (hex, either case).
    Digest(DigestScheme, &'a str),
}

impl<'a> PinAsSent<'a> {
    /// Six digits are the PIN itself; anything else is taken as a digest
    /// under `scheme` (a digest is never six digits long).
    pub fn parse(raw: &'a str, scheme: DigestScheme) -> PinAsSent<'a> {
        let raw = raw.trim();
        if raw.len() == PIN_DIGITS && raw.bytes().all(|b| b.is_ascii_digit()) {
            PinAsSent::Plain(raw)
        } else {
            PinAsSent::Digest(scheme, raw)
        }
    }
}

/// The six-digit PIN whose digest under `scheme` is `digest`, if any.
/// CPU-bound (up to a million candidates): call on a blocking thread.
pub fn pin_from_digest(scheme: DigestScheme, digest: &str) -> Option<String> {
    let digest = scheme.normalise(digest)?;
    let fast = match scheme {
        DigestScheme::Md5 => Some(false),
        DigestScheme::DoubleMd5 => Some(true),
        DigestScheme::Sha1 | DigestScheme::Java110 => None,
    };
    let Some(twice) = fast else {
        return (0..1_000_000u32)
            .map(|n| format!("{n:06}"))
            .find(|pin| scheme.of(pin) == digest);
    };
    // MD5 and MD5(MD5) without an allocation per candidate: compare raw
    // bytes, hex-encoding the inner digest on the stack.
    let mut target = [0u8; 16];
    hex::decode_to_slice(&digest, &mut target).ok()?;
    let mut pin = *b"000000";
    let mut inner_hex = [0u8; 32];
    for n in 0..1_000_000u32 {
        let mut rest = n;
        for slot in pin.iter_mut().rev() {
            *slot = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        let inner = Md5::digest(pin);
        let outer = if twice {
            hex::encode_to_slice(inner, &mut inner_hex).ok()?;
            Md5::digest(inner_hex)
        } else {
            inner
        };
        if outer[..] == target[..] {
            return String::from_utf8(pin.to_vec()).ok();
        }
    }
    None
}

/// [`pin_from_digest`] on a blocking thread, one at a time.
async fn invert(scheme: DigestScheme, digest: &str) -> Result<Option<String>, DomainError> {
    let _turn = INVERSIONS
        .acquire()
        .await
        .map_err(|e| DomainError::Hash(e.to_string()))?;
    let digest = digest.to_owned();
    Ok(tokio::task::spawn_blocking(move || pin_from_digest(scheme, &digest)).await?)
}

fn not_a_pin() -> DomainError {
    AppError::with_message(
        ErrorCode::InvalidPin,
        "The payment password must be 6 digits, or the MD5(MD5()) digest of 6 digits.",
    )
    .into()
}

impl UserCenter {
    /// The six digits of a PIN as sent, for setting it: `INVALID_PIN` when
    /// the digest is no six-digit PIN's.
    pub async fn pin_as_digits(&self, pin: PinAsSent<'_>) -> Result<String, DomainError> {
        match pin {
            PinAsSent::Plain(pin) => Ok(pin.to_string()),
            PinAsSent::Digest(scheme, digest) => {
                invert(scheme, digest).await?.ok_or_else(not_a_pin)
            }
        }
    }

    /// Checks a user's payment PIN as sent, counted by the PIN limiter like
    /// a payment's: `PIN_NOT_SET`, `PIN_LOCKED` (with the time it ends),
    /// `PIN_INCORRECT` (with the counters) or Ok. A digest is inverted only
    /// once the attempt is admitted; one that is no PIN's is a wrong PIN.
    pub async fn check_pin_as_sent(
        &self,
        user_id: i64,
        pin: PinAsSent<'_>,
    ) -> Result<(), DomainError> {
        let (scheme, digest) = match pin {
            PinAsSent::Plain(pin) => return self.verify_payment_pin(user_id, pin).await,
            PinAsSent::Digest(scheme, digest) => (scheme, digest),
        };
        if scheme.normalise(digest).is_none() {
            // Not even a digest: refused without counting, like a PIN that
            // is not six digits.
            return Err(not_a_pin());
        }
        let mut conn = self.pool.acquire().await?;
        let stored = store::pins::hash_of(&mut conn, user_id).await?;
        drop(conn);
        if stored.is_none() {
            return Err(ErrorCode::PinNotSet.into());
        }
        let attempt = self.reserve(Kind::Pin, &user_id.to_string()).await?;
        let matched = match invert(scheme, digest).await? {
            Some(pin) => {
                // Read once admitted: a PIN replaced meanwhile is the one to check.
                let mut conn = self.pool.acquire().await?;
                let current = store::pins::hash_of(&mut conn, user_id).await?;
                drop(conn);
                match current {
                    Some(hash) => self.hasher.verify(&pin, Some(&StoredHash(hash))).await?,
                    None => false,
                }
            }
            None => false,
        };
        if matched {
            attempt.forgive().await?;
            return Ok(());
        }
        tracing::info!(user_id, "wrong payment PIN (digest)");
        Err(attempt.fail().await?.error(ErrorCode::PinIncorrect))
    }

    /// A signed service checks a user's PIN (six digits): [`Self::check_pin_as_sent`]
    /// for an account that exists (`NOT_FOUND` otherwise), counted by the
    /// PIN limiter exactly as a payment's check is.
    pub async fn verify_pin_for_service(&self, user_id: i64, pin: &str) -> Result<(), DomainError> {
        self.user_row(user_id).await?;
        self.check_pin_as_sent(user_id, PinAsSent::Plain(pin)).await
    }

    /// Sets a user's first payment PIN for a trusted server (jigsaw's
    /// activation of an account that has none): `PIN_ALREADY_SET` if there
    /// is one, `ACCOUNT_CLOSED` / `ACCOUNT_DISABLED` for a closed or frozen
    /// account. With `ticket`, the `sid` of a `pay_password` code verified
    /// for this user, the ticket is spent with the PIN; without, the server
    /// vouches for the user, as it did when it created the account.
    pub async fn activate_payment_pin(
        &self,
        user_id: i64,
        pin: PinAsSent<'_>,
        ticket: Option<&str>,
    ) -> Result<(), DomainError> {
        let mut conn = self.pool.acquire().await?;
        let status = store::users::status(&mut conn, user_id).await?;
        drop(conn);
        match status {
            None => return Err(ErrorCode::NotFound.into()),
            Some(UserStatus::Normal) => {}
            Some(UserStatus::Closed) => return Err(ErrorCode::AccountClosed.into()),
            Some(_) => return Err(ErrorCode::AccountDisabled.into()),
        }
        if self.pin_status(user_id).await?.set {
            return Err(ErrorCode::PinAlreadySet.into());
        }
        let pin = self.pin_as_digits(pin).await?;
        wallet::check_pin(&pin)?;
        let hash = self.new_pin_hash(user_id, &pin).await?;
        let mut tx = crate::store::begin_write(&self.pool).await?;
        if let Some(sid) = ticket {
            self.consume_pay_ticket(&mut tx, user_id, sid).await?;
        }
        self.insert_first_pin(&mut tx, user_id, &hash).await?;
        tx.commit().await?;
        tracing::info!(user_id, "payment PIN set by a trusted server");
        self.audit(
            AuditEvent::by_user(
                AuditAction::PinSet,
                user_id,
                crate::audit::Whence::default(),
            )
            .details(serde_json::json!({ "via": "service", "code_verified": ticket.is_some() })),
        )
        .await;
        self.notify(user_id, crate::notifications::Event::PinSet)
            .await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::Registration;
    use crate::tests::{fixture_with, test_settings};

    fn double_md5(pin: &str) -> String {
        DigestScheme::DoubleMd5.of(pin)
    }

    #[test]
    fn digests_of_pins_invert_and_others_do_not() {
        assert_eq!(
            pin_from_digest(
                DigestScheme::DoubleMd5,
                &double_md5("024680").to_uppercase()
            ),
            Some("024680".into())
        );
        assert_eq!(
            pin_from_digest(DigestScheme::Md5, &DigestScheme::Md5.of("999998")),
            Some("999998".into())
        );
        assert_eq!(
            pin_from_digest(DigestScheme::Sha1, &DigestScheme::Sha1.of("000123")),
            Some("000123".into())
        );
        assert_eq!(pin_from_digest(DigestScheme::DoubleMd5, "not hex"), None);
        assert!(matches!(
            PinAsSent::parse(" 024680 ", DigestScheme::DoubleMd5),
            PinAsSent::Plain("024680")
        ));
        assert!(matches!(
            PinAsSent::parse("abc", DigestScheme::DoubleMd5),
            PinAsSent::Digest(DigestScheme::DoubleMd5, "abc")
        ));
    }

    #[tokio::test]
    async fn activation_then_checks_count_against_the_pin_limiter() {
        let f = fixture_with(test_settings()).await;
        let user =
            f.uc.create_user_with_digest(
                Registration {
                    phone: "13800138000",
                    ..Default::default()
                },
                DigestScheme::DoubleMd5,
                &double_md5("login password 1"),
            )
            .await
            .unwrap();
        let code = |r: Result<(), DomainError>| r.unwrap_err().code();
        let digest = double_md5("024680");
        assert_eq!(
            code(
                f.uc.check_pin_as_sent(
                    user.id,
                    PinAsSent::Digest(DigestScheme::DoubleMd5, &digest)
                )
                .await
            ),
            ErrorCode::PinNotSet
        );
        // A weak PIN is refused as such, even as a digest.
        let weak = double_md5("000000");
        assert_eq!(
            code(
                f.uc.activate_payment_pin(
                    user.id,
                    PinAsSent::Digest(DigestScheme::DoubleMd5, &weak),
                    None
                )
                .await
            ),
            ErrorCode::WeakPin
        );
        f.uc.activate_payment_pin(
            user.id,
            PinAsSent::Digest(DigestScheme::DoubleMd5, &digest),
            None,
        )
        .await
        .unwrap();
        assert_eq!(
            code(
                f.uc.activate_payment_pin(user.id, PinAsSent::Plain("135790"), None)
                    .await
            ),
            ErrorCode::PinAlreadySet
        );
        f.uc.check_pin_as_sent(user.id, PinAsSent::Digest(DigestScheme::DoubleMd5, &digest))
            .await
            .unwrap();
        f.uc.check_pin_as_sent(user.id, PinAsSent::Plain("024680"))
            .await
            .unwrap();
        // Wrong as a digest, wrong in plain, and a digest of no PIN all count.
        let wrong =
            f.uc.check_pin_as_sent(
                user.id,
                PinAsSent::Digest(DigestScheme::DoubleMd5, &double_md5("024681")),
            )
            .await
            .unwrap_err();
        assert_eq!(wrong.code(), ErrorCode::PinIncorrect);
        let counters = wrong.to_app_error().login.unwrap();
        assert_eq!(
            (
                counters.consecutive_failures,
                counters.remaining_consecutive
            ),
            (1, 4)
        );
        assert_eq!(
            code(
                f.uc.check_pin_as_sent(user.id, PinAsSent::Plain("024682"))
                    .await
            ),
            ErrorCode::PinIncorrect
        );
        // Not hex: refused, not counted.
        assert_eq!(
            code(
                f.uc.check_pin_as_sent(user.id, PinAsSent::Digest(DigestScheme::DoubleMd5, "zz"))
                    .await
            ),
            ErrorCode::InvalidPin
        );
        // The digest of something that is no six-digit PIN (a full scan).
        let no_pin = double_md5("not a pin");
        assert_eq!(
            code(
                f.uc.check_pin_as_sent(
                    user.id,
                    PinAsSent::Digest(DigestScheme::DoubleMd5, &no_pin)
                )
                .await
            ),
            ErrorCode::PinIncorrect
        );
        f.uc.check_pin_as_sent(user.id, PinAsSent::Plain("024683"))
            .await
            .unwrap_err();
        let locking =
            f.uc.check_pin_as_sent(
                user.id,
                PinAsSent::Digest(DigestScheme::DoubleMd5, &double_md5("024685")),
            )
            .await
            .unwrap_err();
        assert_eq!(locking.code(), ErrorCode::PinLocked);
        // Locked: even the right digest is refused before any inversion.
        assert_eq!(
            code(
                f.uc.check_pin_as_sent(
                    user.id,
                    PinAsSent::Digest(DigestScheme::DoubleMd5, &digest)
                )
                .await
            ),
            ErrorCode::PinLocked
        );
    }
}
