//! The domain's error enum.
//!
//! `Rejected` carries a user-facing [`AppError`]; every other variant is an
//! internal failure, which is logged here and shown to users only as `INTERNAL`.

use shared::{AppError, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("{0}")]
    Rejected(AppError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("password hashing error: {0}")]
    Hash(String),
    #[error("token error: {0}")]
    Token(#[from] jsonwebtoken::errors::Error),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// Encoding a re-sized image failed (decoding failures are the
    /// upload's fault and become `Rejected`).
    #[error("image error: {0}")]
    Image(#[from] image::ImageError),
    #[error("background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error(transparent)]
    Vault(#[from] crate::vault::VaultError),
}

impl DomainError {
    /// The error as the user may see it; internal failures are logged first.
    pub fn to_app_error(&self) -> AppError {
        match self {
            DomainError::Rejected(e) => e.clone(),
            other if other.is_storage_full() => {
                tracing::error!(error = %other, "write refused: the data disk is full");
                AppError::new(ErrorCode::StorageFull)
            }
            other => {
                tracing::error!(error = %other, "internal error");
                AppError::internal()
            }
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            DomainError::Rejected(e) => e.code,
            other if other.is_storage_full() => ErrorCode::StorageFull,
            _ => ErrorCode::Internal,
        }
    }

    /// Whether the failure is the data disk being full: SQLite's
    /// `SQLITE_FULL` (a write, sign-in or payment that needed room the disk
    /// no longer has) or `ENOSPC` from a file write. Every entry point
    /// (REST, server functions, the seed facades) then answers
    /// `STORAGE_FULL`, which tells the client to try again later, instead
    /// of `INTERNAL`; nothing was written either way.
    fn is_storage_full(&self) -> bool {
        match self {
            DomainError::Database(sqlx::Error::Database(db)) => db
                .code()
                .and_then(|code| code.parse::<i32>().ok())
                .is_some_and(|code| code & 0xff == SQLITE_FULL),
            DomainError::Database(sqlx::Error::Io(io)) | DomainError::Io(io) => {
                io.kind() == std::io::ErrorKind::StorageFull
            }
            _ => false,
        }
    }
}

/// SQLite's primary result code for "database or disk is full".
const SQLITE_FULL: i32 = 13;

impl From<AppError> for DomainError {
    fn from(e: AppError) -> Self {
        DomainError::Rejected(e)
    }
}

impl From<ErrorCode> for DomainError {
    fn from(code: ErrorCode) -> Self {
        DomainError::Rejected(AppError::new(code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Connection;

    /// The code as every entry point answers it (and agrees with `code()`).
    fn code_of(e: DomainError) -> ErrorCode {
        assert_eq!(e.to_app_error().code, e.code());
        e.code()
    }

    /// A real `SQLITE_FULL`: an in-memory database capped at a few pages.
    async fn sqlite_full() -> sqlx::Error {
        let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .unwrap();
        sqlx::query("PRAGMA max_page_count = 4")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("CREATE TABLE t (b BLOB)")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("INSERT INTO t VALUES (zeroblob(100000))")
            .execute(&mut conn)
            .await
            .unwrap_err()
    }

    #[tokio::test]
    async fn a_full_disk_is_storage_full_not_internal() {
        assert_eq!(code_of(sqlite_full().await.into()), ErrorCode::StorageFull);
        let enospc = std::io::Error::from_raw_os_error(28);
        assert_eq!(code_of(enospc.into()), ErrorCode::StorageFull);
        // Other failures stay internal.
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert_eq!(code_of(denied.into()), ErrorCode::Internal);
        assert_eq!(
            code_of(sqlx::Error::RowNotFound.into()),
            ErrorCode::Internal
        );
    }
}
