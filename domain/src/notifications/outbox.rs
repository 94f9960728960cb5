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
use crate::store::notifications::{AfterFailure, NewNotice};
use crate::{store, DomainError, UserCenter};
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
        let notice = NewNotice {
            user_id,
            kind: kind.as_str(),
            to,
            subject: &message.subject,
            body: &message.text,
            now,
        };
        let mut conn = self.pool.acquire().await?;
        let id = store::notifications::queue(&mut conn, &notice).await?;
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
        let mut conn = self.pool.acquire().await?;
        store::notifications::prune(&mut conn, now - KEEP_SENT, now - KEEP_GIVEN_UP).await?;
        let due = store::notifications::due(&mut conn, now, ROUND_SIZE).await?;
        drop(conn);
        let mut round = DeliveryRound::default();
        for id in due {
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
        let mut conn = self.pool.acquire().await?;
        let claimed = store::notifications::claim(&mut conn, id, now, now + lease).await?;
        drop(conn);
        let Some(row) = claimed else {
            return Ok(Outcome::NotClaimed);
        };
        let to = row.recipient();
        let message = Message {
            subject: row.subject,
            text: row.body,
        };
        let sent = self.messenger.send(&to, &message).await;
        // The clock is read again: a send may take a while.
        let now = self.now();
        match sent {
            Ok(()) => {
                let mut conn = self.pool.acquire().await?;
                store::notifications::mark_sent(&mut conn, id, now).await?;
                tracing::info!(id, attempts = row.attempts, to = %to.masked(), "notice sent");
                metrics::counter!("uc_notice_attempts_total", "outcome" => "sent").increment(1);
                Ok(Outcome::Sent)
            }
            Err(e) if row.attempts >= i64::from(self.settings.notifications.max_attempts) => {
                let mut conn = self.pool.acquire().await?;
                let then = AfterFailure::GiveUp(now);
                store::notifications::failed(&mut conn, id, &e.to_string(), then).await?;
                tracing::error!(error = %e, id, attempts = row.attempts, to = %to.masked(), "notice given up");
                metrics::counter!("uc_notice_attempts_total", "outcome" => "given_up").increment(1);
                Ok(Outcome::GaveUp)
            }
            Err(e) => {
                let wait = self.retry_wait(row.attempts);
                let mut conn = self.pool.acquire().await?;
                let then = AfterFailure::RetryAt(now + wait);
                store::notifications::failed(&mut conn, id, &e.to_string(), then).await?;
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
