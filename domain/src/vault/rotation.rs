//! Re-sealing: plaintext rows from before encryption, and rows sealed
//! under an older key after `server keys rotate`. Each row is re-sealed in
//! its own small write, guarded by the key id it was read with, so the work
//! can stop at any point (a kill, a restart) and resume where it stopped.

use crate::store::{self, sealed::SealedIdentity};
use crate::vault::{sealed_file_parts, Vault};
use crate::{DomainError, UserCenter};

/// Rows re-sealed per statement batch.
const BATCH: i64 = 100;

/// How many records one pass sealed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Resealed {
    pub users: u64,
    pub verifications: u64,
    pub documents: u64,
}

impl Resealed {
    pub fn any(&self) -> bool {
        self.users + self.verifications + self.documents > 0
    }

    fn add(&mut self, other: Resealed) {
        self.users += other.users;
        self.verifications += other.verifications;
        self.documents += other.documents;
    }
}

/// Where a rotation stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyStatus {
    /// The key sealing new writes.
    pub active: i64,
    /// Records still sealed under an older key (or not at all).
    pub pending: Resealed,
}

impl UserCenter {
    /// Adds a data key; new writes are sealed under it at once, and
    /// [`Self::reseal_all`] moves the existing records onto it.
    pub async fn rotate_data_key(&self) -> Result<i64, DomainError> {
        let vault = self.vault().await?;
        let mut tx = store::begin_write(&self.pool).await?;
        let id = vault.add_key(&mut tx).await?;
        tx.commit().await?;
        tracing::info!(key = id, "new data-encryption key");
        Ok(id)
    }

    /// Re-seals every record not sealed under the active key (rows and
    /// photos written before encryption, and those under older keys), at most
    /// `limit` batches per table (`None`: until none is left). Returns how
    /// many it re-sealed.
    pub async fn reseal_all(&self, limit: Option<u32>) -> Result<Resealed, DomainError> {
        self.reseal(limit, true).await
    }

    /// [`Self::reseal_all`] without the document files: for the operator
    /// CLI, a process of its own, which cannot take the running server's
    /// media lock (the server re-seals the files within a minute, or at its
    /// next start).
    pub async fn reseal_rows(&self) -> Result<Resealed, DomainError> {
        self.reseal(None, false).await
    }

    async fn reseal(&self, limit: Option<u32>, files: bool) -> Result<Resealed, DomainError> {
        let vault = self.vault().await?;
        let mut conn = self.pool.acquire().await?;
        vault.refresh(&mut conn).await?;
        drop(conn);
        let mut total = Resealed::default();
        let mut cursor = Cursor::default();
        if !files {
            cursor.documents = None;
        }
        let mut rounds = 0u32;
        while !cursor.done() {
            let step = self.reseal_batch(vault, &mut cursor).await?;
            total.add(step);
            rounds += 1;
            if limit.is_some_and(|l| rounds >= l) {
                break;
            }
        }
        Ok(total)
    }

    /// The id of the data key sealing new writes, after reading keys other
    /// processes added.
    pub async fn active_data_key(&self) -> Result<i64, DomainError> {
        let vault = self.vault().await?;
        let mut conn = self.pool.acquire().await?;
        vault.refresh(&mut conn).await?;
        Ok(vault.active_key())
    }

    /// The active key and how much is left to re-seal.
    pub async fn key_status(&self) -> Result<KeyStatus, DomainError> {
        let vault = self.vault().await?;
        let mut conn = self.pool.acquire().await?;
        vault.refresh(&mut conn).await?;
        let active = vault.active_key();
        let (users, verifications, documents) =
            store::resealing::pending_counts(&mut conn, active).await?;
        Ok(KeyStatus {
            active,
            pending: Resealed {
                users,
                verifications,
                documents,
            },
        })
    }

    async fn reseal_batch(
        &self,
        vault: &Vault,
        cursor: &mut Cursor,
    ) -> Result<Resealed, DomainError> {
        let active = vault.active_key();
        let mut done = Resealed::default();
        let mut tx = store::begin_write(&self.pool).await?;
        let users = match cursor.users {
            Some(after) => store::resealing::stale_users(&mut tx, active, after, BATCH).await?,
            None => Vec::new(),
        };
        cursor.users = next_cursor(users.last().map(|r| r.id), users.len());
        for row in users {
            let (id, old, sealed) = resealed(&mut tx, vault, row).await?;
            if store::resealing::set_user(&mut tx, id, old, &sealed).await? {
                done.users += 1;
            }
        }
        let verifications = match cursor.verifications {
            Some(after) => {
                store::resealing::stale_verifications(&mut tx, active, after, BATCH).await?
            }
            None => Vec::new(),
        };
        cursor.verifications = next_cursor(verifications.last().map(|r| r.id), verifications.len());
        for row in verifications {
            let (id, old, sealed) = resealed(&mut tx, vault, row).await?;
            if store::resealing::set_verification(&mut tx, id, old, &sealed).await? {
                done.verifications += 1;
            }
        }
        tx.commit().await?;
        let documents = match cursor.documents {
            Some(after) => {
                let mut conn = self.pool.acquire().await?;
                store::resealing::stale_documents(&mut conn, active, after, BATCH).await?
            }
            None => Vec::new(),
        };
        cursor.documents = next_cursor(documents.last().map(|d| d.id), documents.len());
        for doc in documents {
            if self.reseal_document(vault, doc).await? {
                done.documents += 1;
            }
        }
        Ok(done)
    }

    /// Re-seals one photo: the new file is written beside the old, the row
    /// is pointed at it (if it still names the old file and key), then the
    /// old file is removed. A kill in between leaves an orphan file that
    /// the start-up sweep removes, never a row without its file.
    async fn reseal_document(
        &self,
        vault: &Vault,
        doc: store::resealing::StaleDocument,
    ) -> Result<bool, DomainError> {
        // Under the media lock: the sweep and uploads see the row and its
        // file change together.
        let _guard = self.media.lock.lock().await;
        let Some(old_path) = self.media.private_path(&doc.path) else {
            return Ok(false);
        };
        let bytes = match tokio::fs::read(&old_path).await {
            Ok(bytes) => bytes,
            // Deleted meanwhile (the sweep, an erasure): nothing to seal.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e.into()),
        };
        let plain = match sealed_file_parts(&bytes) {
            Some(_) => self.open_document_file(&bytes).await?,
            None => bytes,
        };
        let (key_id, sealed) = vault.seal_file(&plain);
        let relative = crate::media::sealed_document_path(&doc.sha256, key_id);
        let Some(new_path) = self.media.private_path(&relative) else {
            return Ok(false);
        };
        let write_to = new_path.clone();
        tokio::task::spawn_blocking(move || crate::media::write_once(&write_to, &sealed)).await??;
        let mut conn = self.pool.acquire().await?;
        let moved = store::resealing::set_document(
            &mut conn, doc.id, doc.key_id, &doc.path, &relative, key_id,
        )
        .await?;
        // Identical photos share a file: each is removed with its last row.
        for (path, relative) in [
            (&old_path, doc.path.as_str()),
            (&new_path, relative.as_str()),
        ] {
            if store::media::path_users(&mut conn, relative).await? == 0 {
                crate::media::remove_if_present(path)?;
            }
        }
        Ok(moved)
    }
}

/// A row's identity opened under its old key (or read as legacy
/// plaintext) and sealed under the active one: (row id, old key, sealed).
async fn resealed(
    conn: &mut store::Conn,
    vault: &Vault,
    mut row: store::resealing::StaleIdentity,
) -> Result<(i64, Option<i64>, SealedIdentity), DomainError> {
    store::sealed::open_identity(
        conn,
        vault,
        row.key_id,
        &mut row.real_name,
        &mut row.id_number,
    )
    .await?;
    let sealed = SealedIdentity::seal(
        vault,
        row.real_name.as_deref(),
        &row.id_type,
        row.id_number.as_deref(),
    );
    Ok((row.id, row.key_id, sealed))
}

/// Where each table's pass stands: the last id seen, `None` once done.
struct Cursor {
    users: Option<i64>,
    verifications: Option<i64>,
    documents: Option<i64>,
}

impl Default for Cursor {
    fn default() -> Self {
        Cursor {
            users: Some(0),
            verifications: Some(0),
            documents: Some(0),
        }
    }
}

impl Cursor {
    fn done(&self) -> bool {
        self.users.is_none() && self.verifications.is_none() && self.documents.is_none()
    }
}

/// The cursor after a batch: a short batch was the table's last.
fn next_cursor(last: Option<i64>, len: usize) -> Option<i64> {
    if len < BATCH as usize {
        None
    } else {
        last
    }
}
