//! Opening the SQLite database.
//!
//! Every pooled connection gets the same PRAGMAs through the connect options
//! (a PRAGMA run as a query would reach only one connection of the pool).

use crate::DomainError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, SqlitePool};
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
        // A sealed value written over a plaintext one (the upgrade's
        // sealing in place), an erased account: the old bytes are zeroed
        // in the page rather than left in the file. FAST: only where that
        // costs no extra I/O.
        .pragma("secure_delete", "FAST")
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        // A local file does not go away between uses: no round trip to
        // test a connection before handing it out.
        .test_before_acquire(false)
        // When SQLite rolls a transaction back by itself (a COMMIT that
        // found the disk full), sqlx's own ROLLBACK then fails and the
        // connection believes a transaction is still open: every later
        // `begin` on it would fail until a restart. Such a connection is
        // closed instead of going back to the pool. Only a connection that
        // still looks inside a transaction (a dropped one, whose rollback
        // is queued) pays the ping that runs that rollback first.
        .after_release(|conn, _| {
            Box::pin(async move {
                if conn.is_in_transaction() {
                    conn.ping().await?;
                }
                Ok(!conn.is_in_transaction())
            })
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A connection whose transaction SQLite ended by itself (as on a full
    /// disk) must not poison the pool: afterwards every connection can
    /// begin a transaction again.
    #[tokio::test]
    async fn a_transaction_sqlite_rolled_back_itself_does_not_poison_the_pool() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let pool = connect(&url).await.unwrap();
        {
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
            // SQLite's own rollback, behind sqlx's back.
            sqlx::query("ROLLBACK").execute(&mut *tx).await.unwrap();
            assert!(tx.commit().await.is_err());
        }
        let mut held = Vec::new();
        for _ in 0..8 {
            held.push(pool.acquire().await.unwrap());
        }
        for conn in &mut held {
            let tx = conn.begin_with("BEGIN IMMEDIATE").await.unwrap();
            tx.rollback().await.unwrap();
        }
    }
}
