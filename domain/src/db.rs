//! Opening the SQLite database.
//!
//! Every pooled connection gets the same PRAGMAs through the connect options
//! (a PRAGMA run as a query would reach only one connection of the pool).

use crate::DomainError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::time::Duration;

/// Opens (creating if missing) the database at `url` (`sqlite://path` or
/// `sqlite::memory:`) and applies pending migrations.
pub async fn connect(url: &str) -> Result<SqlitePool, DomainError> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a committed write survives power loss, which money needs.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}

/// Whether a database error is a UNIQUE constraint violation on `column`
/// (e.g. `users.email`).
pub(crate) fn is_unique_violation(err: &sqlx::Error, column: &str) -> bool {
    match err {
        sqlx::Error::Database(db) => db.is_unique_violation() && db.message().contains(column),
        _ => false,
    }
}
