//! Media files an interrupted upload left behind.
//!
//! An upload writes its files (through a temporary file and a rename)
//! before the database row that references them, so the process dying
//! between the two (`kill -9`, a power cut) leaves files that nothing
//! references, and dying during the write leaves a `*.tmp-…` file. Nothing
//! else would ever delete them: avatar files go only when an account stops
//! using them, documents with their row. So the server deletes them once at
//! start, before it serves anything, when no upload of its own can be half
//! done. On PostgreSQL other servers may share the media directory and be
//! mid-upload, so only files older than [`SHARED_GRACE`] go there.

use crate::{store, DomainError, UserCenter};
use shared::media::parse_avatar_file_name;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How old an unreferenced file must be before a server sharing the media
/// directory with others removes it: far longer than any upload takes
/// between writing its files and committing their row.
const SHARED_GRACE: Duration = Duration::from_secs(600);

impl UserCenter {
    /// Deletes the files in the media directory that no account's avatar
    /// and no document references, and half-written temporary files;
    /// returns how many. Files it does not recognise are left alone. Run
    /// at start, before serving.
    pub async fn remove_orphan_media(&self) -> Result<usize, DomainError> {
        let media = self.media.dir().to_path_buf();
        let grace = match self.pool {
            store::Pool::Sqlite(_) => None,
            store::Pool::Postgres(_) => Some(SHARED_GRACE),
        };
        let mut conn = self.pool.acquire().await?;
        let mut removed = 0;
        for (path, name) in files_two_levels_below(&media.join("avatars"))? {
            let orphan = is_half_written(&name)
                || match parse_avatar_file_name(&name) {
                    Some((hash, _)) => store::media::avatar_users(&mut conn, hash).await? == 0,
                    None => false,
                };
            removed += remove_if(orphan && old_enough(&path, grace), &path)?;
        }
        let private = media.join("private");
        for (path, name) in files_two_levels_below(&private.join("documents"))? {
            let relative = path.strip_prefix(&private).unwrap_or(&path);
            let orphan = is_half_written(&name)
                || store::media::path_users(&mut conn, &relative.to_string_lossy()).await? == 0;
            removed += remove_if(orphan && old_enough(&path, grace), &path)?;
        }
        Ok(removed)
    }
}

fn is_half_written(name: &str) -> bool {
    name.contains(".tmp-")
}

/// Whether the file was last written longer than `grace` ago (always,
/// without a grace).
fn old_enough(path: &Path, grace: Option<Duration>) -> bool {
    let Some(grace) = grace else {
        return true;
    };
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age >= grace)
}

fn remove_if(orphan: bool, path: &Path) -> Result<usize, DomainError> {
    if !orphan {
        return Ok(0);
    }
    std::fs::remove_file(path)?;
    tracing::warn!(path = %path.display(), "removed a media file an interrupted upload left");
    Ok(1)
}

/// The files in the subdirectories of `dir` (media files live in
/// `dir/ab/…`, by the first two characters of their hash), with their names.
fn files_two_levels_below(dir: &Path) -> std::io::Result<Vec<(PathBuf, String)>> {
    let mut files = Vec::new();
    let Ok(shards) = std::fs::read_dir(dir) else {
        return Ok(files);
    };
    for shard in shards {
        let shard = shard?;
        if !shard.file_type()?.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(shard.path())? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                let name = entry.file_name().to_string_lossy().into_owned();
                files.push((entry.path(), name));
            }
        }
    }
    Ok(files)
}
