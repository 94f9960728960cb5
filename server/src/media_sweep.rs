//! Media files an interrupted upload left behind.
//!
//! An upload writes its files (through a temporary file and a rename)
//! before the database row that references them, so the process dying
//! between the two (`kill -9`, a power cut) leaves files that nothing
//! references, and dying during the write leaves a `*.tmp-…` file. Nothing
//! else would ever delete them: avatar files go only when an account stops
//! using them, documents with their row. So the server deletes them once at
//! start, before it serves anything, when no upload can be half done.

use shared::media::parse_avatar_file_name;
use sqlx::SqlitePool;
use std::path::{Path, PathBuf};

/// Deletes the files under `media` (the media directory) that no account's
/// avatar and no document references, and half-written temporary files;
/// returns how many. Files it does not recognise are left alone.
pub async fn remove_orphans(pool: &SqlitePool, media: &Path) -> Result<usize, domain::DomainError> {
    let mut removed = 0;
    for (path, name) in files_two_levels_below(&media.join("avatars"))? {
        let orphan = is_half_written(&name)
            || match parse_avatar_file_name(&name) {
                Some((hash, _)) => !referenced(pool, AVATAR_IN_USE, hash).await?,
                None => false,
            };
        removed += remove_if(orphan, &path)?;
    }
    let private = media.join("private");
    for (path, name) in files_two_levels_below(&private.join("documents"))? {
        let relative = path.strip_prefix(&private).unwrap_or(&path);
        let orphan = is_half_written(&name)
            || !referenced(pool, DOCUMENT_STORED, &relative.to_string_lossy()).await?;
        removed += remove_if(orphan, &path)?;
    }
    Ok(removed)
}

fn is_half_written(name: &str) -> bool {
    name.contains(".tmp-")
}

const AVATAR_IN_USE: &str = "SELECT EXISTS (SELECT 1 FROM users WHERE avatar_hash = ?)";
const DOCUMENT_STORED: &str = "SELECT EXISTS (SELECT 1 FROM documents WHERE path = ?)";

/// Whether the `EXISTS` query `sql` finds `value`.
async fn referenced(
    pool: &SqlitePool,
    sql: &'static str,
    value: &str,
) -> Result<bool, domain::DomainError> {
    let (found,): (bool,) = sqlx::query_as(sql).bind(value).fetch_one(pool).await?;
    Ok(found)
}

fn remove_if(orphan: bool, path: &Path) -> Result<usize, domain::DomainError> {
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
