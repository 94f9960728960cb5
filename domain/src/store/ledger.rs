//! The ledger: wallet accounts (`wallet_accounts`), the immutable journal
//! (`wallet_transfers`) and the idempotency records (`wallet_requests`).
//! Every movement composes these inside one write transaction.

use super::{Conn, EngineConn, StoreResult};
use crate::store::users::UserStatus;

/// The system accounts of a currency: where money enters and leaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub(crate) enum SystemAccount {
    /// The outside world: deposits come from it, withdrawals go to it.
    External,
    Fees,
    /// Opening balances of imported users come from it.
    Migration,
}

impl SystemAccount {
    /// Every system account, for the test that holds them to the CHECK list.
    #[cfg(test)]
    pub const ALL: [SystemAccount; 3] = [
        SystemAccount::External,
        SystemAccount::Fees,
        SystemAccount::Migration,
    ];
}

/// An account's balances as read inside the transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Balances {
    pub id: i64,
    pub posted: i64,
    pub frozen: i64,
}

/// A journal row as it is written.
pub(crate) struct NewTransfer<'a> {
    pub kind: &'a str,
    pub currency: &'a str,
    pub debit: i64,
    pub credit: i64,
    pub amount: i64,
    pub debit_after: (i64, i64),
    pub credit_after: (i64, i64),
    pub memo: Option<&'a str>,
    pub actor_user: Option<i64>,
    pub actor_service: Option<&'a str>,
    pub request_id: &'a str,
    pub now: i64,
}

/// Whether any of the user's wallet accounts holds money, posted or frozen.
pub(crate) async fn holds_money(conn: &mut Conn, user_id: i64) -> StoreResult<bool> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let funded = sqlx::query_scalar!(
                r#"SELECT EXISTS (SELECT 1 FROM wallet_accounts
                                  WHERE user_id = ?1 AND (posted <> 0 OR frozen <> 0)) AS "funded!: bool""#,
                user_id
            )
            .fetch_one(conn)
            .await?;
            Ok(funded)
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let funded = sqlx::query_scalar!(
                r#"SELECT EXISTS (SELECT 1 FROM wallet_accounts
                                  WHERE user_id = $1 AND (posted <> 0 OR frozen <> 0)) AS "funded!: bool""#,
                user_id
            )
            .fetch_one(conn)
            .await?;
            Ok(funded)
        },
    }
}

/// Opens a new currency's system accounts (the outside world, fees).
pub(crate) async fn open_system_accounts(
    conn: &mut Conn,
    currency: &str,
    now: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "INSERT INTO wallet_accounts (currency, system, created_at, updated_at)
                 VALUES (?1, ?2, ?4, ?4), (?1, ?3, ?4, ?4)",
                currency,
                SystemAccount::External,
                SystemAccount::Fees,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "INSERT INTO wallet_accounts (currency, system, created_at, updated_at)
                 VALUES ($1, $2, $4, $4), ($1, $3, $4, $4)",
                currency,
                SystemAccount::External as _,
                SystemAccount::Fees as _,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// Whether any journal row is in the currency (then its scale is fixed).
pub(crate) async fn has_journal_rows(conn: &mut Conn, currency: &str) -> StoreResult<bool> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                r#"SELECT EXISTS (SELECT 1 FROM wallet_transfers WHERE currency = ?1) AS "used!: bool""#,
                currency
            )
            .fetch_one(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                r#"SELECT EXISTS (SELECT 1 FROM wallet_transfers WHERE currency = $1) AS "used!: bool""#,
                currency
            )
            .fetch_one(conn)
            .await
        },
    }
}

/// What an order needs to know of its currency and of one user (see
/// [`order_states`]).
pub(crate) struct OrderState {
    pub currency_enabled: bool,
    /// The currency's decimal places now (fixed once it has a journal row).
    pub currency_scale: i64,
    /// `None`: no such user.
    pub user: Option<OrderUser>,
}

pub(crate) struct OrderUser {
    pub status: UserStatus,
    pub allow_transfer: bool,
    pub allow_withdraw: bool,
    /// The user's account in the currency, when it exists.
    pub account: Option<Balances>,
}

/// Opens the user's (empty) account in the currency; its id.
pub(crate) async fn open_user_account(
    conn: &mut Conn,
    user_id: i64,
    currency: &str,
    now: i64,
) -> StoreResult<i64> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                r#"INSERT INTO wallet_accounts (currency, user_id, created_at, updated_at)
                   VALUES (?1, ?2, ?3, ?3) RETURNING id AS "id!: i64""#,
                currency,
                user_id,
                now,
            )
            .fetch_one(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                r#"INSERT INTO wallet_accounts (currency, user_id, created_at, updated_at)
                   VALUES ($1, $2, $3, $3) RETURNING id AS "id!: i64""#,
                currency,
                user_id,
                now,
            )
            .fetch_one(conn)
            .await
        },
    }
}

pub(crate) async fn open_system_account(
    conn: &mut Conn,
    system: SystemAccount,
    currency: &str,
    now: i64,
) -> StoreResult<Balances> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                Balances,
                r#"INSERT INTO wallet_accounts (currency, system, created_at, updated_at)
                   VALUES (?1, ?2, ?3, ?3) RETURNING id AS "id!", posted, frozen"#,
                currency,
                system,
                now,
            )
            .fetch_one(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                Balances,
                r#"INSERT INTO wallet_accounts (currency, system, created_at, updated_at)
                   VALUES ($1, $2, $3, $3) RETURNING id AS "id!", posted, frozen"#,
                currency,
                system as _,
                now,
            )
            .fetch_one(conn)
            .await
        },
    }
}

// ---------------------------------------------------------------------------
// Set-based statements for the ledger writer's batches: a whole batch reads
// and writes in a handful of statements, whatever its size. The rows travel
// as one JSON array parameter (`json_each`), so each statement stays static
// and compile-checked. SQLite-only (PostgreSQL: `unnest` of arrays; see
// domain/MIGRATIONS.md).
// ---------------------------------------------------------------------------

/// A stored request: its hash and receipt JSON, by (scope, request id).
pub(crate) struct StoredRequest {
    pub scope: String,
    pub request_id: String,
    pub request_hash: String,
    pub result: String,
}

/// The stored requests among `keys` (scope, request id).
pub(crate) async fn find_requests(
    conn: &mut Conn,
    keys: &[(&str, &str)],
) -> StoreResult<Vec<StoredRequest>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let keys = json(keys)?;
            sqlx::query_as!(
                StoredRequest,
                r#"SELECT r.scope AS "scope!", r.request_id AS "request_id!", r.request_hash, r.result
                   FROM json_each(?1) j
                   JOIN wallet_requests r ON r.scope = j.value ->> 0 AND r.request_id = j.value ->> 1"#,
                keys
            )
            .fetch_all(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let keys = json(keys)?;
            sqlx::query_as!(
                StoredRequest,
                r#"SELECT r.scope AS "scope!", r.request_id AS "request_id!", r.request_hash, r.result
                   FROM jsonb_array_elements($1::text::jsonb) AS j(value)
                   JOIN wallet_requests r ON r.scope = j.value ->> 0 AND r.request_id = j.value ->> 1"#,
                keys
            )
            .fetch_all(conn)
            .await
        },
    }
}

/// [`OrderState`] of each (currency, user) pair, in one statement; pairs
/// whose currency does not exist are left out.
pub(crate) async fn order_states(
    conn: &mut Conn,
    pairs: &[(&str, i64)],
) -> StoreResult<Vec<(String, i64, OrderState)>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let pairs = json(pairs)?;
            let rows = sqlx::query!(
                r#"SELECT c.code AS "currency!: String", j.value ->> 1 AS "user_id!: i64",
                          c.enabled AS "enabled: bool", c.scale, u.status AS "status?: UserStatus",
                          u.allow_transfer AS "allow_transfer?: bool",
                          u.allow_withdraw AS "allow_withdraw?: bool",
                          a.id AS "id?: i64", a.posted AS "posted?: i64", a.frozen AS "frozen?: i64"
                   FROM json_each(?1) j
                   JOIN currencies c ON c.code = j.value ->> 0
                   LEFT JOIN users u ON u.id = j.value ->> 1
                   LEFT JOIN wallet_accounts a ON a.user_id = u.id AND a.currency = c.code"#,
                pairs
            )
            .fetch_all(conn)
            .await?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    let account = match (r.id, r.posted, r.frozen) {
                        (Some(id), Some(posted), Some(frozen)) => Some(Balances { id, posted, frozen }),
                        _ => None,
                    };
                    let user = match (r.status, r.allow_transfer, r.allow_withdraw) {
                        (Some(status), Some(allow_transfer), Some(allow_withdraw)) => Some(OrderUser {
                            status,
                            allow_transfer,
                            allow_withdraw,
                            account,
                        }),
                        _ => None,
                    };
                    let state = OrderState {
                        currency_enabled: r.enabled,
                        currency_scale: r.scale,
                        user,
                    };
                    (r.currency, r.user_id, state)
                })
                .collect())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let pairs = json(pairs)?;
            let rows = sqlx::query!(
                r#"SELECT c.code AS "currency!: String", (j.value ->> 1)::bigint AS "user_id!: i64",
                          c.enabled AS "enabled!: bool", c.scale AS "scale!", u.status AS "status?: UserStatus",
                          u.allow_transfer AS "allow_transfer?: bool",
                          u.allow_withdraw AS "allow_withdraw?: bool",
                          a.id AS "id?: i64", a.posted AS "posted?: i64", a.frozen AS "frozen?: i64"
                   FROM jsonb_array_elements($1::text::jsonb) AS j(value)
                   JOIN currencies c ON c.code = j.value ->> 0
                   LEFT JOIN users u ON u.id = (j.value ->> 1)::bigint
                   LEFT JOIN wallet_accounts a ON a.user_id = u.id AND a.currency = c.code"#,
                pairs
            )
            .fetch_all(conn)
            .await?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    let account = match (r.id, r.posted, r.frozen) {
                        (Some(id), Some(posted), Some(frozen)) => Some(Balances { id, posted, frozen }),
                        _ => None,
                    };
                    let user = match (r.status, r.allow_transfer, r.allow_withdraw) {
                        (Some(status), Some(allow_transfer), Some(allow_withdraw)) => Some(OrderUser {
                            status,
                            allow_transfer,
                            allow_withdraw,
                            account,
                        }),
                        _ => None,
                    };
                    let state = OrderState {
                        currency_enabled: r.enabled,
                        currency_scale: r.scale,
                        user,
                    };
                    (r.currency, r.user_id, state)
                })
                .collect())
        },
    }
}

/// The system accounts of the given currencies.
pub(crate) async fn system_accounts(
    conn: &mut Conn,
    currencies: &[&str],
) -> StoreResult<Vec<(String, SystemAccount, Balances)>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let currencies = json(currencies)?;
            let rows = sqlx::query!(
                r#"SELECT a.id AS "id!", a.currency, a.system AS "system!: SystemAccount", a.posted,
                          a.frozen
                   FROM wallet_accounts a
                   WHERE a.system IS NOT NULL AND a.currency IN (SELECT value FROM json_each(?1))"#,
                currencies
            )
            .fetch_all(conn)
            .await?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    let balances = Balances {
                        id: r.id,
                        posted: r.posted,
                        frozen: r.frozen,
                    };
                    (r.currency, r.system, balances)
                })
                .collect())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let currencies = json(currencies)?;
            let rows = sqlx::query!(
                r#"SELECT a.id AS "id!", a.currency, a.system AS "system!: SystemAccount", a.posted,
                          a.frozen
                   FROM wallet_accounts a
                   WHERE a.system IS NOT NULL
                     AND a.currency IN (SELECT jsonb_array_elements_text($1::text::jsonb))"#,
                currencies
            )
            .fetch_all(conn)
            .await?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    let balances = Balances {
                        id: r.id,
                        posted: r.posted,
                        frozen: r.frozen,
                    };
                    (r.currency, r.system, balances)
                })
                .collect())
        },
    }
}

/// Sets the balances of accounts (id, posted, frozen). The writer read them
/// inside the same write transaction, so no compare-and-set is needed; the
/// table's CHECKs still refuse an overdraft.
pub(crate) async fn set_balances_many(
    conn: &mut Conn,
    accounts: &[(i64, i64, i64)],
    now: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let accounts = json(accounts)?;
            sqlx::query!(
                "UPDATE wallet_accounts SET posted = j.value ->> 1, frozen = j.value ->> 2, updated_at = ?2
                 FROM json_each(?1) j WHERE wallet_accounts.id = j.value ->> 0",
                accounts,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let accounts = json(accounts)?;
            sqlx::query!(
                "UPDATE wallet_accounts SET posted = (j.value ->> 1)::bigint,
                     frozen = (j.value ->> 2)::bigint, updated_at = $2
                 FROM jsonb_array_elements($1::text::jsonb) AS j(value)
                 WHERE wallet_accounts.id = (j.value ->> 0)::bigint",
                accounts,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// Appends journal rows in order; their ids, in the same order.
pub(crate) async fn insert_transfers(
    conn: &mut Conn,
    rows: &[NewTransfer<'_>],
) -> StoreResult<Vec<i64>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let rows = json(
                &rows
                    .iter()
                    .map(|t| {
                        (
                            t.kind,
                            t.currency,
                            t.debit,
                            t.credit,
                            t.amount,
                            t.debit_after,
                            t.credit_after,
                            (t.memo, t.actor_user, t.actor_service, t.request_id, t.now),
                        )
                    })
                    .collect::<Vec<_>>(),
            )?;
            // Rows are inserted in the array's order, so the ids they get rise in
            // that order.
            let mut ids = sqlx::query_scalar!(
                r#"INSERT INTO wallet_transfers (kind, currency, debit_account, credit_account, amount,
                     debit_posted_after, debit_frozen_after, credit_posted_after, credit_frozen_after,
                     memo, actor_user_id, actor_service, request_id, created_at)
                   SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4,
                          value ->> '$[5][0]', value ->> '$[5][1]', value ->> '$[6][0]', value ->> '$[6][1]',
                          value ->> '$[7][0]', value ->> '$[7][1]', value ->> '$[7][2]', value ->> '$[7][3]',
                          value ->> '$[7][4]'
                   FROM json_each(?1) ORDER BY key
                   RETURNING id AS "id!: i64""#,
                rows
            )
            .fetch_all(conn)
            .await?;
            ids.sort_unstable();
            Ok(ids)
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let rows = json(
                &rows
                    .iter()
                    .map(|t| {
                        (
                            t.kind,
                            t.currency,
                            t.debit,
                            t.credit,
                            t.amount,
                            t.debit_after,
                            t.credit_after,
                            (t.memo, t.actor_user, t.actor_service, t.request_id, t.now),
                        )
                    })
                    .collect::<Vec<_>>(),
            )?;
            // Rows are inserted in the array's order, so the ids they get rise in
            // that order.
            let mut ids = sqlx::query_scalar!(
                r#"INSERT INTO wallet_transfers (kind, currency, debit_account, credit_account, amount,
                     debit_posted_after, debit_frozen_after, credit_posted_after, credit_frozen_after,
                     memo, actor_user_id, actor_service, request_id, created_at)
                   SELECT value ->> 0, value ->> 1, (value ->> 2)::bigint, (value ->> 3)::bigint,
                          (value ->> 4)::bigint, (value -> 5 ->> 0)::bigint, (value -> 5 ->> 1)::bigint,
                          (value -> 6 ->> 0)::bigint, (value -> 6 ->> 1)::bigint, value -> 7 ->> 0,
                          (value -> 7 ->> 1)::bigint, value -> 7 ->> 2, value -> 7 ->> 3,
                          (value -> 7 ->> 4)::bigint
                   FROM jsonb_array_elements($1::text::jsonb) WITH ORDINALITY AS j(value, key)
                   ORDER BY key
                   RETURNING id AS "id!: i64""#,
                rows
            )
            .fetch_all(conn)
            .await?;
            ids.sort_unstable();
            Ok(ids)
        },
    }
}

/// A finished request to record: scope, request id, hash, journal row,
/// receipt JSON.
pub(crate) type NewRequest<'a> = (&'a str, &'a str, &'a str, i64, &'a str);

/// Records finished requests; the primary key makes a second record fail.
pub(crate) async fn record_requests(
    conn: &mut Conn,
    requests: &[NewRequest<'_>],
    now: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let requests = json(requests)?;
            sqlx::query!(
                "INSERT INTO wallet_requests (scope, request_id, request_hash, transfer_id, result, created_at)
                 SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, ?2
                 FROM json_each(?1)",
                requests,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let requests = json(requests)?;
            sqlx::query!(
                "INSERT INTO wallet_requests (scope, request_id, request_hash, transfer_id, result, created_at)
                 SELECT value ->> 0, value ->> 1, value ->> 2, (value ->> 3)::bigint, value ->> 4, $2
                 FROM jsonb_array_elements($1::text::jsonb) AS j(value)",
                requests,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// The JSON array parameter of a set-based statement.
fn json<T: serde::Serialize + ?Sized>(rows: &T) -> StoreResult<String> {
    serde_json::to_string(rows).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}
