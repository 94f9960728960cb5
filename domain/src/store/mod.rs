//! The storage layer: every SQL statement of the product, one module per
//! aggregate.
//!
//! Functions here take a connection or an open transaction
//! ([`Conn`]), never the pool, so one domain operation composes several of
//! them inside a single transaction (a password reset replaces the
//! password, ends the sessions and writes its audit row, or none of it).
//! Statements are checked at compile time (`query!`, `query_as!`) against
//! the data in `domain/.sqlx`, which `scripts/sqlx-prepare` refreshes from
//! the migrations. The domain modules above hold the rules and never SQL.
//!
//! Errors are `sqlx::Error`: this layer has nothing to add to them, and the
//! domain maps them into [`crate::DomainError`].

// Each storage function holds one statement per engine, side by side:
// `match conn.engine() { Sqlite(c) => on_sqlite! {…}, Postgres(c) =>
// on_postgres! {…} }`. Both are checked at compile time against the query
// data in `domain/.sqlx`, where each statement's file names its engine.
// `scripts/sqlx-prepare` refreshes that data one engine at a time (a live
// database describes only its own statements), building with the feature
// `prepare-sqlite` or `prepare-postgres`, which leaves the other engine's
// statements out of that build.
#[cfg(not(feature = "prepare-postgres"))]
macro_rules! on_sqlite {
    ($($body:tt)*) => {{ $($body)* }};
}
#[cfg(feature = "prepare-postgres")]
macro_rules! on_sqlite {
    ($($body:tt)*) => {
        unreachable!("SQLite statements are left out while preparing PostgreSQL's")
    };
}
#[cfg(not(feature = "prepare-sqlite"))]
macro_rules! on_postgres {
    ($($body:tt)*) => {{ $($body)* }};
}
#[cfg(feature = "prepare-sqlite")]
macro_rules! on_postgres {
    ($($body:tt)*) => {
        unreachable!("PostgreSQL statements are left out while preparing SQLite's")
    };
}

pub(crate) mod account_sources;
pub(crate) mod audit;
pub(crate) mod codes;
pub(crate) mod consents;
pub(crate) mod contacts;
pub(crate) mod copy;
pub(crate) mod currencies;
pub(crate) mod data_keys;
pub(crate) mod devices;
pub(crate) mod erasure;
pub(crate) mod import;
pub(crate) mod ledger;
pub(crate) mod ledger_reads;
pub(crate) mod media;
pub(crate) mod notifications;
pub(crate) mod passwords;
pub(crate) mod pins;
pub(crate) mod resealing;
pub(crate) mod sealed;
pub(crate) mod search;
pub(crate) mod service_apps;
pub(crate) mod sessions;
pub(crate) mod throttle;
pub(crate) mod user_search;
pub(crate) mod users;
pub(crate) mod verifications;

mod engine;
pub use engine::{Conn, Engine, Pool, Tx};
pub(crate) use engine::{EngineConn, OwnConn};

/// Opens a write transaction. On SQLite, `BEGIN IMMEDIATE` takes the write
/// lock at once, so the reads inside see the state the writes apply to (a
/// plain `BEGIN` would take it at the first write and could fail there
/// instead). On PostgreSQL the same guarantee comes from a transaction-level
/// advisory lock that every write transaction takes first: the domain's
/// read-then-write steps (lockout counters, limits, balances) stay exact
/// however many servers share the database.
pub(crate) async fn begin_write(pool: &Pool) -> StoreResult<Tx<'static>> {
    match pool {
        Pool::Sqlite(p) => Ok(Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?)),
        Pool::Postgres(p) => {
            let mut tx = p.begin().await?;
            lock_writes(&mut tx).await?;
            Ok(Tx::Postgres(tx))
        }
    }
}

/// [`begin_write`] on a connection of the caller's own (the ledger writer's).
pub(crate) async fn begin_write_on(conn: &mut OwnConn) -> StoreResult<Tx<'_>> {
    use sqlx::Connection;
    match conn {
        OwnConn::Sqlite(c) => Ok(Tx::Sqlite(c.begin_with("BEGIN IMMEDIATE").await?)),
        OwnConn::Postgres(c) => {
            let mut tx = c.begin().await?;
            lock_writes(&mut tx).await?;
            Ok(Tx::Postgres(tx))
        }
    }
}

/// The advisory lock key of write transactions on PostgreSQL ("uc-write").
const WRITE_LOCK: i64 = 0x7563_2d77_7269_7465;

async fn lock_writes(conn: &mut sqlx::PgConnection) -> StoreResult<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(WRITE_LOCK)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether the database answers (the readiness probe).
pub(crate) async fn ping(conn: &mut Conn) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(c) => on_sqlite! {
            sqlx::query!("SELECT 1 AS one").fetch_one(c).await?;
        },
        EngineConn::Postgres(c) => on_postgres! {
            sqlx::query("SELECT 1").execute(c).await?;
        },
    }
    Ok(())
}

/// What a storage function returns.
pub(crate) type StoreResult<T> = Result<T, sqlx::Error>;

#[cfg(test)]
pub(crate) mod tests {
    use crate::store::ledger::SystemAccount;
    use crate::store::throttle::Kind;
    use crate::store::users::{Role, UserStatus};
    use shared::identity::{Gender, IdType};
    use shared::media::DocumentKind;
    use shared::profile::{VerificationKind, VerificationState};
    use shared::wallet::TransferKind;

    /// The values a column's `CHECK (column IN (…))` admits, read from the
    /// schema the migrations built: SQLite keeps each table's SQL as
    /// written; PostgreSQL renders a list as `(column = ANY (ARRAY['a'::text,
    /// …]))`, and a one-value list as `(column = 'a'::text)`.
    async fn check_list(db: &crate::db::TestDatabase, table: &str, column: &str) -> Vec<String> {
        let list = if db.is_postgres() {
            let defs: Vec<(String,)> = sqlx::query_as(
                "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
                 JOIN pg_class t ON t.oid = c.conrelid
                 WHERE t.relname = $1 AND c.contype = 'c'",
            )
            .bind(table)
            .fetch_all(&db.sql)
            .await
            .unwrap_or_else(|e| panic!("table {table}: {e}"));
            let any = format!("({column} = ANY (ARRAY[");
            let one = format!("({column} = '");
            let def = defs
                .into_iter()
                .map(|(d,)| d)
                .find(|d| d.contains(&any) || d.contains(&one))
                .unwrap_or_else(|| panic!("{table}.{column} has no CHECK list"));
            let start = def
                .find(&any)
                .map(|i| i + any.len())
                .unwrap_or_else(|| def.find(&one).map_or(0, |i| i + one.len() - 1));
            let rest = &def[start..];
            let end = rest
                .find(']')
                .or_else(|| rest.find(')'))
                .unwrap_or(rest.len());
            rest[..end].replace("::text", "")
        } else {
            let (sql,): (String,) =
                sqlx::query_as("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $1")
                    .bind(table)
                    .fetch_one(&db.sql)
                    .await
                    .unwrap_or_else(|e| panic!("table {table}: {e}"));
            let marker = format!("CHECK ({column} IN (");
            let start = sql
                .find(&marker)
                .unwrap_or_else(|| panic!("{table}.{column} has no CHECK list"))
                + marker.len();
            sql[start..start + sql[start..].find(')').unwrap()].to_string()
        };
        let mut values: Vec<String> = list
            .split(',')
            .map(|v| v.trim().trim_matches('\'').to_string())
            .collect();
        values.sort();
        values
    }

    /// Holds a column's CHECK list equal to an enum's stored names: a variant
    /// the database would refuse, or a stored value no variant reads, fails.
    pub(crate) async fn assert_check_lists(
        db: &crate::db::TestDatabase,
        table: &str,
        column: &str,
        names: &[&str],
    ) {
        let mut names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        names.sort();
        assert_eq!(
            check_list(db, table, column).await,
            names,
            "{table}.{column}"
        );
    }

    /// The text the engine stores for an enum value (its sqlx encoding).
    async fn stored<T>(pool: &super::Pool, value: T) -> String
    where
        T: for<'q> sqlx::Encode<'q, sqlx::Sqlite>
            + sqlx::Type<sqlx::Sqlite>
            + for<'q> sqlx::Encode<'q, sqlx::Postgres>
            + sqlx::Type<sqlx::Postgres>
            + Send
            + 'static,
    {
        match pool {
            super::Pool::Sqlite(p) => {
                sqlx::query_scalar("SELECT $1")
                    .bind(value)
                    .fetch_one(p)
                    .await
            }
            super::Pool::Postgres(p) => {
                sqlx::query_scalar("SELECT $1::text")
                    .bind(value)
                    .fetch_one(p)
                    .await
            }
        }
        .unwrap()
    }

    #[tokio::test]
    async fn the_check_constraints_admit_exactly_the_enums_variants() {
        let f = crate::tests::fixture().await;
        let cases: Vec<(&str, &str, Vec<&str>)> = vec![
            (
                "users",
                "status",
                UserStatus::ALL.iter().map(|s| s.as_str()).collect(),
            ),
            (
                "users",
                "role",
                Role::ALL.iter().map(|r| r.as_str()).collect(),
            ),
            (
                "users",
                "gender",
                Gender::ALL.iter().map(|g| g.as_str()).collect(),
            ),
            (
                "users",
                "id_type",
                IdType::ALL.iter().map(|t| t.as_str()).collect(),
            ),
            (
                "verifications",
                "kind",
                VerificationKind::ALL.iter().map(|k| k.as_str()).collect(),
            ),
            (
                "verifications",
                "state",
                // Unverified is the absence of a row, never stored.
                VerificationState::ALL
                    .iter()
                    .filter(|s| **s != VerificationState::Unverified)
                    .map(|s| s.as_str())
                    .collect(),
            ),
            (
                "documents",
                "kind",
                DocumentKind::ALL.iter().map(|k| k.as_str()).collect(),
            ),
            (
                "wallet_transfers",
                "kind",
                TransferKind::ALL.iter().map(|k| k.as_str()).collect(),
            ),
            (
                "consents",
                "purpose",
                shared::privacy::ConsentPurpose::ALL
                    .iter()
                    .map(|p| p.as_str())
                    .collect(),
            ),
            (
                "data_keys",
                "purpose",
                [
                    crate::store::data_keys::Purpose::Data,
                    crate::store::data_keys::Purpose::Index,
                ]
                .iter()
                .map(|p| p.as_str())
                .collect(),
            ),
        ];
        for (table, column, variants) in cases {
            assert_check_lists(&f.db, table, column, &variants).await;
        }
        let mut systems = Vec::new();
        for system in SystemAccount::ALL {
            systems.push(stored(&f.uc.pool, system).await);
        }
        let systems: Vec<&str> = systems.iter().map(String::as_str).collect();
        assert_check_lists(&f.db, "wallet_accounts", "system", &systems).await;
        // The limiter's kinds have no CHECK; their stored names are the enum's.
        for kind in Kind::ALL {
            assert_eq!(stored(&f.uc.pool, kind).await, kind.as_str());
        }
    }
}
