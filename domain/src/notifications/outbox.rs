//! The outbox: every notice is a row until it is delivered or given up.
//!
//! A notice is written when its event happens, then tried at once in the
//! background. A failed try waits `retry_base`, then twice that after each
//! further failure (up to `retry_max`), and [`deliver_due_notifications`]
//! (run periodically by the server) tries the rows that are due again. After
//! `max_attempts` the row is given up and keeps its last error.
//!
//! An attempt first *claims* its row (counting the attempt and holding the
//! row for a lease) in one `UPDATE`, so the immediate send and the periodic
//! one never send a row twice; a process that dies mid-send lets the lease
//! lapse and the row is tried again.
//!
//! [`deliver_due_notifications`]: UserCenter::deliver_due_notifications

use crate::delivery::Message;
use crate::{DomainError, UserCenter};
use shared::notifications::NoticeKind;
use shared::validate::Contact;

/// Rows tried per round; the rest wait for the next.
const ROUND_SIZE: i64 = 100;
/// How long delivered rows are kept (for support questions), in seconds.
const KEEP_SENT: i64 = 7 * 24 * 3600;
/// How long given-up rows are kept, in seconds.
const KEEP_GIVEN_UP: i64 = 30 * 24 * 3600;

/// What one round of [`UserCenter::deliver_due_notifications`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryRound {
    pub sent: u32,
    /// Failed and to be tried again later.
    pub failed: u32,
    /// Failed for the last allowed time.
    pub gave_up: u32,
}

/// How an attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Sent,
    Failed,
    GaveUp,
    /// Not due, already sent, or claimed by another attempt.
    NotClaimed,
}

#[derive(sqlx::FromRow)]
struct Claimed {
    channel: String,
    destination: String,
    subject: String,
    body: String,
    attempts: i64,
}

impl UserCenter {
    /// Writes a notice for `to`, due now.
    pub(super) async fn enqueue(
        &self,
        user_id: Option<i64>,
        kind: NoticeKind,
        to: &Contact,
        message: &Message,
    ) -> Result<i64, DomainError> {
        let now = self.now();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO notification_outbox
               (user_id, kind, channel, destination, subject, body, next_attempt_at, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(user_id)
        .bind(kind.as_str())
        .bind(if to.is_email() { "email" } else { "phone" })
        .bind(to.value())
        .bind(&message.subject)
        .bind(&message.text)
        .bind(now)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        tracing::info!(id, kind = kind.as_str(), to = %to.masked(), "notice queued");
        Ok(id)
    }

    /// Tries row `id` in the background, now.
    pub(super) fn send_soon(&self, id: i64) {
        let uc = self.clone();
        tokio::spawn(async move {
            if let Err(e) = uc.attempt(id).await {
                tracing::warn!(error = %e, id, "notice attempt failed to run");
            }
        });
    }

    /// Tries every notice that is due, one after another, and forgets
    /// old delivered and given-up rows. For the server's periodic task (and
    /// tests); an error is the store's, not a delivery's.
    pub async fn deliver_due_notifications(&self) -> Result<DeliveryRound, DomainError> {
        let now = self.now();
        sqlx::query(
            "DELETE FROM notification_outbox
             WHERE (sent_at IS NOT NULL AND sent_at < ?) OR (gave_up_at IS NOT NULL AND gave_up_at < ?)",
        )
        .bind(now - KEEP_SENT)
        .bind(now - KEEP_GIVEN_UP)
        .execute(&self.pool)
        .await?;
        let due: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM notification_outbox
             WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= ?
               AND (claimed_until IS NULL OR claimed_until <= ?)
             ORDER BY next_attempt_at, id LIMIT ?",
        )
        .bind(now)
        .bind(now)
        .bind(ROUND_SIZE)
        .fetch_all(&self.pool)
        .await?;
        let mut round = DeliveryRound::default();
        for (id,) in due {
            match self.attempt(id).await? {
                Outcome::Sent => round.sent += 1,
                Outcome::Failed => round.failed += 1,
                Outcome::GaveUp => round.gave_up += 1,
                Outcome::NotClaimed => {}
            }
        }
        Ok(round)
    }

    /// Claims row `id` if it is due and free, sends it, and records how that went.
    async fn attempt(&self, id: i64) -> Result<Outcome, DomainError> {
        let now = self.now();
        // Longer than any send may take (the messenger's timeout), so a
        // live attempt never loses its row to another.
        let lease = self.messenger.timeout().as_secs() as i64 + 60;
        let claimed: Option<Claimed> = sqlx::query_as(
            "UPDATE notification_outbox SET attempts = attempts + 1, claimed_until = ?
             WHERE id = ? AND sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= ?
               AND (claimed_until IS NULL OR claimed_until <= ?)
             RETURNING channel, destination, subject, body, attempts",
        )
        .bind(now + lease)
        .bind(id)
        .bind(now)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = claimed else {
            return Ok(Outcome::NotClaimed);
        };
        let to = match row.channel.as_str() {
            "email" => Contact::Email(row.destination),
            _ => Contact::Phone(row.destination),
        };
        let message = Message {
            subject: row.subject,
            text: row.body,
        };
        let sent = self.messenger.send(&to, &message).await;
        // The clock is read again: a send may take a while.
        let now = self.now();
        match sent {
            Ok(()) => {
                sqlx::query(
                    "UPDATE notification_outbox SET sent_at = ?, claimed_until = NULL WHERE id = ?",
                )
                .bind(now)
                .bind(id)
                .execute(&self.pool)
                .await?;
                tracing::info!(id, attempts = row.attempts, to = %to.masked(), "notice sent");
                metrics::counter!("uc_notice_attempts_total", "outcome" => "sent").increment(1);
                Ok(Outcome::Sent)
            }
            Err(e) if row.attempts >= i64::from(self.settings.notifications.max_attempts) => {
                sqlx::query(
                    "UPDATE notification_outbox
                     SET gave_up_at = ?, last_error = ?, claimed_until = NULL WHERE id = ?",
                )
                .bind(now)
                .bind(e.to_string())
                .bind(id)
                .execute(&self.pool)
                .await?;
                tracing::error!(error = %e, id, attempts = row.attempts, to = %to.masked(), "notice given up");
                metrics::counter!("uc_notice_attempts_total", "outcome" => "given_up").increment(1);
                Ok(Outcome::GaveUp)
            }
            Err(e) => {
                let wait = self.retry_wait(row.attempts);
                sqlx::query(
                    "UPDATE notification_outbox
                     SET next_attempt_at = ?, last_error = ?, claimed_until = NULL WHERE id = ?",
                )
                .bind(now + wait)
                .bind(e.to_string())
                .bind(id)
                .execute(&self.pool)
                .await?;
                tracing::warn!(error = %e, id, attempts = row.attempts, retry_in_secs = wait, "notice not sent; will retry");
                metrics::counter!("uc_notice_attempts_total", "outcome" => "retry").increment(1);
                Ok(Outcome::Failed)
            }
        }
    }

    /// Seconds to wait after the `attempts`-th failed attempt.
    fn retry_wait(&self, attempts: i64) -> i64 {
        let settings = &self.settings.notifications;
        let base = settings.retry_base.as_secs().max(1) as i64;
        let max = (settings.retry_max.as_secs() as i64).max(base);
        let doublings = (attempts - 1).clamp(0, 30) as u32;
        base.saturating_mul(1i64 << doublings).min(max)
    }
}
