//! Opening the database: SQLite (the embedded default) or PostgreSQL,
//! chosen by the URL's scheme.
//!
//! Every pooled SQLite connection gets the same PRAGMAs through the connect
//! options (a PRAGMA run as a query would reach only one connection of the
//! pool).

use crate::store::Pool;
use crate::DomainError;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// Whether `url` names a PostgreSQL database (`postgres://…` or
/// `postgresql://…`); anything else is opened as SQLite.
pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Opens the database at `url` (`sqlite://path`, `sqlite::memory:` or
/// `postgres://user@host:port/db`), creating a missing SQLite file, and
/// applies pending migrations.
pub async fn connect(url: &str) -> Result<Pool, DomainError> {
    if is_postgres(url) {
        return Ok(Pool::Postgres(connect_postgres(url).await?));
    }
    Ok(Pool::Sqlite(connect_sqlite(url).await?))
}

/// The PostgreSQL schema's migrations: the same numbers and meaning as the
/// SQLite ones (`domain/MIGRATIONS.md` gives each SQLite-only construct's
/// PostgreSQL form).
pub static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations-postgres");

/// Opens a PostgreSQL database and applies its migrations. Several servers
/// may start at once: sqlx's migrator holds an advisory lock while it runs,
/// so one applies and the others wait.
async fn connect_postgres(url: &str) -> Result<sqlx::PgPool, DomainError> {
    let options = PgConnectOptions::from_str(url)?;
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await?;
    POSTGRES_MIGRATIONS.run(&pool).await?;
    Ok(pool)
}

async fn connect_sqlite(url: &str) -> Result<SqlitePool, DomainError> {
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
/// (`table.column`, e.g. `users.email`). SQLite names the column in its
/// message (`UNIQUE constraint failed: users.email`); PostgreSQL names the
/// constraint or index, which the PostgreSQL migrations call
/// `<table>_<column>_key` (the default) or name after the column.
pub(crate) fn is_unique_violation(err: &sqlx::Error, column: &str) -> bool {
    match err {
        sqlx::Error::Database(db) if db.is_unique_violation() => match db.constraint() {
            Some(constraint) => {
                let (table, col) = column.split_once('.').unwrap_or(("", column));
                constraint.starts_with(table) && constraint.contains(col)
            }
            None => db.message().contains(column),
        },
        _ => false,
    }
}

/// A database of its own for one test, on the engine the test run names:
/// a new SQLite file in `dir`, or, when `UC_TEST_POSTGRES` names a
/// PostgreSQL database (`./scripts/test` starts a throwaway cluster), a new
/// database there, copied from a migrated template and dropped with this
/// value. The domain's and the server's suites run unchanged on both.
pub struct TestDatabase {
    pub url: String,
    /// The same database for the tests' own statements, which look at or
    /// tamper with the rows directly: written once (with `$1` placeholders,
    /// which both engines read), run on either engine.
    pub sql: sqlx::AnyPool,
    dropped_from: Option<(String, String)>,
}

/// The variable that runs the test suites on PostgreSQL.
pub const TEST_POSTGRES_VAR: &str = "UC_TEST_POSTGRES";

impl TestDatabase {
    /// Whether this test runs on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.dropped_from.is_some()
    }

    pub async fn new(dir: &std::path::Path) -> Result<TestDatabase, DomainError> {
        sqlx::any::install_default_drivers();
        let Ok(base) = std::env::var(TEST_POSTGRES_VAR) else {
            let url = format!("sqlite://{}", dir.join("test.db").display());
            return Ok(TestDatabase {
                sql: sqlx::AnyPool::connect_lazy(&url)?,
                url,
                dropped_from: None,
            });
        };
        let template = test_template(&base).await?;
        let name = format!("uc_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(&base).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
        )))
        .execute(&mut admin)
        .await?;
        let url = with_database(&base, &name);
        Ok(TestDatabase {
            sql: sqlx::AnyPool::connect_lazy(&url)?,
            url,
            dropped_from: Some((base, name)),
        })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((base, name)) = self.dropped_from.take() else {
            return;
        };

        // Drop runs inside the test's runtime, which cannot block on
        // itself: a thread of its own with a runtime of its own.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                if let Ok(mut admin) = sqlx::PgConnection::connect(&base).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                    )))
                    .execute(&mut admin)
                    .await;
                }
            });
        })
        .join();
    }
}

/// `base` with its database name replaced.
fn with_database(base: &str, name: &str) -> String {
    let (head, tail) = base.split_once('?').map_or((base, ""), |(h, t)| (h, t));
    let head = head.rsplit_once('/').map_or(head, |(h, _)| h);
    if tail.is_empty() {
        format!("{head}/{name}")
    } else {
        format!("{head}/{name}?{tail}")
    }
}

/// The migrated template the tests' databases are copied from, made once
/// per test process (copying is much faster than migrating each one).
async fn test_template(base: &str) -> Result<String, DomainError> {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_try_init(|| async {
            let name = format!("uc_template_{}", std::process::id());
            let mut admin = sqlx::PgConnection::connect(base).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
            )))
            .execute(&mut admin)
            .await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                .execute(&mut admin)
                .await?;
            let pool = sqlx::PgPool::connect(&with_database(base, &name)).await?;
            POSTGRES_MIGRATIONS.run(&pool).await?;
            pool.close().await;
            Ok::<_, DomainError>(name)
        })
        .await
        .cloned()
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
        let pool = pool.as_sqlite();
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
