//! Erasure (PIPL art. 47, GDPR art. 17): a user closing their account may
//! ask for their personal data to be erased. The account stays closed
//! through the grace period (`closed_contact_grace`, 30 days by default:
//! time to change one's mind, or for support to recognise the person);
//! after it, [`UserCenter::erase_due_accounts`] deletes the personal fields,
//! photos, submissions, sessions and devices. The ledger and the audit log
//! are records the law requires to keep: their rows stay, with amounts and
//! ids, under the account id, which no longer names anyone.

use crate::audit::AuditEvent;
use crate::{store, DomainError, UserCenter};
use shared::admin::AuditAction;

/// Accounts erased per transaction.
const BATCH: i64 = 50;

impl UserCenter {
    /// Erases every account whose erasure is due; returns how many. The
    /// server runs it periodically; safe to run from several places.
    pub async fn erase_due_accounts(&self) -> Result<u64, DomainError> {
        let cutoff = self.now() - self.settings.closed_contact_grace.as_secs() as i64;
        let mut erased = 0;
        loop {
            let due = {
                let mut conn = self.pool.acquire().await?;
                store::erasure::due(&mut conn, cutoff, BATCH).await?
            };
            if due.is_empty() {
                return Ok(erased);
            }
            for user_id in due {
                self.erase_account(user_id).await?;
                erased += 1;
            }
        }
    }

    async fn erase_account(&self, user_id: i64) -> Result<(), DomainError> {
        // Under the media lock: no upload or sweep sees a row without its
        // file or the reverse.
        let guard = self.media.lock.lock().await;
        let mut tx = store::begin_write(&self.pool).await?;
        let (paths, avatar) = store::erasure::erase(&mut tx, user_id, self.now()).await?;
        let event = AuditEvent::by_system(AuditAction::AccountErased, Some(user_id))
            .details(serde_json::json!({ "documents_deleted": paths.len() }));
        self.audit_in(&mut tx, &event).await?;
        let orphans = crate::media::unused_document_paths(&mut tx, &paths).await?;
        tx.commit().await?;
        self.sessions_changed_for(user_id);
        self.media.remove_private_files(orphans).await?;
        if let Some(hash) = avatar {
            self.forget_avatar_files(&hash).await?;
        }
        drop(guard);
        tracing::info!(user_id, "personal data of a closed account erased");
        Ok(())
    }
}
