//! Copying a whole database to the other engine (`server import --from`,
//! `server export --to`): every table, row for row, with the same ids.
//!
//! Statements here are built at run time (the tables and columns are read
//! from the target's schema), so they are not checked at compile time; the
//! names come from the database's own catalogue, never from input, and every
//! value is bound.

use super::{EngineConn, Pool, StoreResult};
use sqlx::{AssertSqlSafe, QueryBuilder, Row};

/// Every table, parents before the tables whose foreign keys name them.
pub(crate) const TABLES: [&str; 31] = [
    "data_keys",
    "users",
    "account_sources",
    "audit_log",
    "captchas",
    "code_sends",
    "consents",
    "currencies",
    "currency_aliases",
    "devices",
    "verifications",
    "documents",
    "imported_users",
    "legacy_passwords",
    "notification_outbox",
    "notification_preferences",
    "password_digests",
    "payment_pins",
    "pending_contacts",
    "sessions",
    "refresh_tokens",
    "security_tickets",
    "service_apps",
    "service_transactions",
    "throttle_failures",
    "throttle_reservations",
    "throttle_state",
    "verification_codes",
    "wallet_accounts",
    "wallet_transfers",
    "wallet_requests",
];

/// Rows written per statement.
const CHUNK: usize = 500;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Int,
    Text,
    Bool,
}

#[derive(Clone, Debug)]
enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(Option<bool>),
}

struct Column {
    name: String,
    kind: Kind,
    key: bool,
}

/// The target's columns of `table`, in order, with their kinds.
async fn columns(pool: &Pool, table: &str) -> StoreResult<Vec<Column>> {
    match pool {
        Pool::Postgres(p) => {
            let rows = sqlx::query(
                "SELECT c.column_name::text AS name, c.data_type::text AS type,
                        EXISTS (SELECT 1 FROM information_schema.key_column_usage k
                                JOIN information_schema.table_constraints t
                                  ON t.constraint_name = k.constraint_name
                                 AND t.table_name = k.table_name
                                WHERE t.constraint_type = 'PRIMARY KEY'
                                  AND k.table_name = c.table_name
                                  AND k.column_name = c.column_name) AS key
                 FROM information_schema.columns c
                 WHERE c.table_schema = current_schema() AND c.table_name = $1
                 ORDER BY c.ordinal_position",
            )
            .bind(table)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    let ty: String = r.try_get("type")?;
                    Ok(Column {
                        name: r.try_get("name")?,
                        kind: match ty.as_str() {
                            "boolean" => Kind::Bool,
                            "bigint" | "integer" | "smallint" => Kind::Int,
                            _ => Kind::Text,
                        },
                        key: r.try_get("key")?,
                    })
                })
                .collect()
        }
        Pool::Sqlite(p) => {
            let rows = sqlx::query("SELECT name, type, pk FROM pragma_table_info($1) ORDER BY cid")
                .bind(table)
                .fetch_all(p)
                .await?;
            rows.iter()
                .map(|r| {
                    let ty: String = r.try_get("type")?;
                    let pk: i64 = r.try_get("pk")?;
                    Ok(Column {
                        name: r.try_get("name")?,
                        kind: if ty.eq_ignore_ascii_case("INTEGER") {
                            Kind::Int
                        } else {
                            Kind::Text
                        },
                        key: pk > 0,
                    })
                })
                .collect()
        }
    }
}

/// Reads one column of a source row as the target wants it. SQLite keeps
/// flags as 0/1 integers; PostgreSQL as booleans.
fn read<R: Row>(row: &R, i: usize, source_bool: bool, want: Kind) -> Result<Value, sqlx::Error>
where
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<bool>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    Ok(match want {
        Kind::Text => Value::Text(row.try_get(i)?),
        Kind::Int if source_bool => Value::Int(row.try_get::<Option<bool>, _>(i)?.map(i64::from)),
        Kind::Int => Value::Int(row.try_get(i)?),
        Kind::Bool if source_bool => Value::Bool(row.try_get(i)?),
        Kind::Bool => Value::Bool(row.try_get::<Option<i64>, _>(i)?.map(|v| v != 0)),
    })
}

/// What [`copy_all`] did, per table: rows read from the source.
pub(crate) type Copied = Vec<(&'static str, u64)>;

/// Copies every row of every table from `from` into `to` (whose schema is
/// migrated), in one transaction on the target: all of it or nothing.
/// Rows already there with the same key are overwritten with the source's
/// values (the target's seed currencies and system accounts, or a
/// previous run's rows), so running it again changes nothing; the
/// append-only audit log keeps the rows it has.
pub(crate) async fn copy_all(from: &Pool, to: &Pool) -> StoreResult<Copied> {
    let mut report = Vec::with_capacity(TABLES.len());
    let mut tx = super::begin_write(to).await?;
    for table in TABLES {
        let target = columns(to, table).await?;
        let source = columns(from, table).await?;
        let source_bool: Vec<bool> = target
            .iter()
            .map(|c| {
                source
                    .iter()
                    .any(|s| s.name == c.name && s.kind == Kind::Bool)
            })
            .collect();
        let list = target
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let keys = target
            .iter()
            .filter(|c| c.key)
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let select = format!("SELECT {list} FROM {table} ORDER BY {keys}");
        let mut rows: Vec<Vec<Value>> = Vec::new();
        match from {
            Pool::Sqlite(p) => {
                for r in sqlx::query(AssertSqlSafe(select)).fetch_all(p).await? {
                    rows.push(
                        (0..target.len())
                            .map(|i| read(&r, i, source_bool[i], target[i].kind))
                            .collect::<Result<_, _>>()?,
                    );
                }
            }
            Pool::Postgres(p) => {
                for r in sqlx::query(AssertSqlSafe(select)).fetch_all(p).await? {
                    rows.push(
                        (0..target.len())
                            .map(|i| read(&r, i, source_bool[i], target[i].kind))
                            .collect::<Result<_, _>>()?,
                    );
                }
            }
        }
        let update = target
            .iter()
            .filter(|c| !c.key)
            .map(|c| format!("{0} = excluded.{0}", c.name))
            .collect::<Vec<_>>()
            .join(", ");
        // The audit log refuses updates: a row it has stays as it is.
        let on_conflict = if table == "audit_log" || update.is_empty() {
            format!(" ON CONFLICT ({keys}) DO NOTHING")
        } else {
            format!(" ON CONFLICT ({keys}) DO UPDATE SET {update}")
        };
        report.push((table, rows.len() as u64));
        for chunk in rows.chunks(CHUNK) {
            match tx.engine() {
                EngineConn::Sqlite(c) => {
                    let mut q =
                        QueryBuilder::<sqlx::Sqlite>::new(format!("INSERT INTO {table} ({list}) "));
                    q.push_values(chunk, |mut b, row| {
                        for v in row {
                            match v {
                                Value::Int(v) => b.push_bind(*v),
                                Value::Text(v) => b.push_bind(v.clone()),
                                Value::Bool(v) => b.push_bind(v.map(i64::from)),
                            };
                        }
                    });
                    q.push(&on_conflict);
                    q.build().execute(c).await?;
                }
                EngineConn::Postgres(c) => {
                    let mut q = QueryBuilder::<sqlx::Postgres>::new(format!(
                        "INSERT INTO {table} ({list}) "
                    ));
                    q.push_values(chunk, |mut b, row| {
                        for v in row {
                            match v {
                                Value::Int(v) => b.push_bind(*v),
                                Value::Text(v) => b.push_bind(v.clone()),
                                Value::Bool(v) => b.push_bind(*v),
                            };
                        }
                    });
                    q.push(&on_conflict);
                    q.build().execute(c).await?;
                }
            }
        }
    }
    // PostgreSQL's identity columns go on after the highest copied id.
    if let EngineConn::Postgres(c) = tx.engine() {
        for table in TABLES {
            let has_id = sqlx::query_scalar::<_, bool>(
                "SELECT pg_get_serial_sequence($1, 'id') IS NOT NULL
                 FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'id'",
            )
            .bind(table)
            .fetch_optional(&mut *c)
            .await?
            .unwrap_or(false);
            if has_id {
                sqlx::query(AssertSqlSafe(format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                                   COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                )))
                .execute(&mut *c)
                .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(report)
}

/// Rows per table, for comparing the two ends after a copy.
pub(crate) async fn row_counts(pool: &Pool) -> StoreResult<Vec<(&'static str, i64)>> {
    let mut counts = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}");
        let n: i64 = match pool {
            Pool::Sqlite(p) => sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(p).await?,
            Pool::Postgres(p) => sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(p).await?,
        };
        counts.push((table, n));
    }
    Ok(counts)
}
