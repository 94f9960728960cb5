//! Limits on what one account may store: uploads per hour, documents not yet
//! attached to a submission, how long those are kept, and the free space the
//! data disk must keep.
//!
//! The media directory shares its disk with the SQLite database and its WAL.
//! A disk filled by uploads makes every write fail, the ledger's included, so
//! uploads are refused (`507 STORAGE_FULL`) while free space is under the
//! floor, before anything is decoded or written.

use crate::throttle::{account_key, Kind};
use crate::{store, DomainError, UserCenter};
use shared::{AppError, ErrorCode};
use std::path::Path;
use std::time::Duration;

/// Upload limits; see the module docs.
#[derive(Clone, Debug)]
pub struct UploadSettings {
    /// Avatars and documents one user may upload within an hour (refused
    /// ones count too: decoding is the expensive part).
    pub per_hour: u32,
    /// Documents a user may hold that no submission references yet.
    pub max_unattached_documents: u32,
    /// How long an unattached document is kept before the sweep removes it.
    pub unattached_ttl: Duration,
    /// The free-space floor is the smaller of `min_free_bytes` and
    /// `min_free_percent` of the disk's size: 1 GiB on disks over 20 GiB (a
    /// 2 TB disk is not refused with 100 GB free), 5 % on smaller ones (a
    /// 4 GB disk is not refused while a quarter empty). Either at 0 turns
    /// the floor off.
    pub min_free_bytes: u64,
    pub min_free_percent: u8,
}

impl Default for UploadSettings {
    fn default() -> Self {
        UploadSettings {
            per_hour: 30,
            max_unattached_documents: 20,
            unattached_ttl: Duration::from_secs(24 * 3600),
            min_free_bytes: 1 << 30,
            min_free_percent: 5,
        }
    }
}

impl UploadSettings {
    /// The free bytes under which uploads stop, on a disk of `total` bytes.
    pub fn floor(&self, total: u64) -> u64 {
        let percent = (u128::from(total) * u128::from(self.min_free_percent.min(100)) / 100) as u64;
        self.min_free_bytes.min(percent)
    }
}

/// What is being uploaded: documents also count against the unattached quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Upload {
    Avatar,
    Document,
}

/// `(available, total)` bytes of the filesystem holding `dir`, or of its
/// nearest existing ancestor (the media directory is created on first use).
/// `None` where the platform cannot tell, which skips the floor.
pub fn disk_space(dir: &Path) -> Option<(u64, u64)> {
    let existing = dir.ancestors().find(|p| p.exists())?;
    statvfs(existing)
}

#[cfg(unix)]
fn statvfs(path: &Path) -> Option<(u64, u64)> {
    match rustix::fs::statvfs(path) {
        Ok(s) => Some((
            s.f_bavail.saturating_mul(s.f_frsize),
            s.f_blocks.saturating_mul(s.f_frsize),
        )),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "cannot read free disk space");
            None
        }
    }
}

#[cfg(not(unix))]
fn statvfs(_path: &Path) -> Option<(u64, u64)> {
    None
}

impl UserCenter {
    /// Refuses an upload before its bytes are processed: `507 STORAGE_FULL`
    /// under the free-space floor, `409 DOCUMENT_QUOTA` with too many
    /// unattached documents, `429 RATE_LIMITED` (with `retry_after_secs`)
    /// past the hourly allowance. Only an upload that passes the first two
    /// is counted against the hour.
    pub async fn admit_upload(&self, user_id: i64, what: Upload) -> Result<(), DomainError> {
        self.check_upload_room(user_id, what).await?;
        self.charge(Kind::Upload, &account_key(user_id)).await?;
        Ok(())
    }

    /// The checks of [`Self::admit_upload`] that count nothing: the
    /// free-space floor and the document quota. The web layer runs them
    /// before reading an upload's body, so a refused upload is not even
    /// received; the upload itself checks again.
    pub async fn check_upload_room(&self, user_id: i64, what: Upload) -> Result<(), DomainError> {
        self.check_free_space().await?;
        if what == Upload::Document {
            let mut conn = self.pool.acquire().await?;
            self.check_document_quota(&mut conn, user_id).await?;
            drop(conn);
        }
        Ok(())
    }

    /// `STORAGE_FULL` while the media disk's free space is under the floor.
    pub(crate) async fn check_free_space(&self) -> Result<(), DomainError> {
        let limits = &self.settings.uploads;
        let dir = self.media.dir().to_path_buf();
        let space = tokio::task::spawn_blocking(move || disk_space(&dir)).await?;
        if let Some((free, total)) = space {
            let floor = limits.floor(total);
            if free < floor {
                tracing::warn!(
                    free,
                    floor,
                    "upload refused: data disk under its free-space floor"
                );
                return Err(ErrorCode::StorageFull.into());
            }
        }
        Ok(())
    }

    /// `DOCUMENT_QUOTA` when the user already holds the most unattached
    /// documents allowed. Run under the media lock before a new row is
    /// written, so parallel uploads cannot overshoot.
    pub(crate) async fn check_document_quota(
        &self,
        conn: &mut store::Conn,
        user_id: i64,
    ) -> Result<(), DomainError> {
        let max = self.settings.uploads.max_unattached_documents;
        let held = store::media::unattached_count(conn, user_id).await?;
        if held >= i64::from(max) {
            return Err(AppError::with_message(
                ErrorCode::DocumentQuota,
                format!(
                    "You already have {held} photos not yet submitted (at most {max}). Submit them, or wait until unsubmitted ones expire after a day."
                ),
            )
            .into());
        }
        Ok(())
    }
}

impl UserCenter {
    /// Removes the documents no submission took within
    /// [`UploadSettings::unattached_ttl`]: their rows, and their files once no
    /// other row points at the same file (identical images share one).
    /// Returns how many documents were removed. The server runs it
    /// periodically; it holds the media lock, so it never removes a file an
    /// upload is about to reference.
    pub async fn sweep_unattached_documents(&self) -> Result<u64, DomainError> {
        let cutoff = self.now() - self.settings.uploads.unattached_ttl.as_secs() as i64;
        let _guard = self.media.lock.lock().await;
        let mut tx = crate::store::begin_write(&self.pool).await?;
        let removed = store::media::expire_unattached(&mut tx, cutoff).await?;
        let orphans = crate::media::unused_document_paths(&mut tx, &removed).await?;
        tx.commit().await?;
        self.media.remove_private_files(orphans).await?;
        if !removed.is_empty() {
            tracing::info!(
                documents = removed.len(),
                "expired unattached documents removed"
            );
        }
        Ok(removed.len() as u64)
    }
}
