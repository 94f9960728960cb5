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
}

impl DomainError {
    /// The error as the user may see it; internal failures are logged first.
    pub fn to_app_error(&self) -> AppError {
        match self {
            DomainError::Rejected(e) => e.clone(),
            other => {
                tracing::error!(error = %other, "internal error");
                AppError::internal()
            }
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            DomainError::Rejected(e) => e.code,
            _ => ErrorCode::Internal,
        }
    }
}

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
