//! What users read of the ledger: balances, history pages, the balance
//! chart. Each journal row stores both sides' balances after it, so none of
//! this replays the journal.

use super::{Conn, EngineConn, StoreResult};
use crate::store::currencies::CurrencyRow;
use sqlx::{QueryBuilder, Sqlite};

/// A currency, and the user's posted and frozen in it if they have an account.
pub(crate) struct BalanceRow {
    pub currency: CurrencyRow,
    pub posted: Option<i64>,
    pub frozen: Option<i64>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct HistoryRow {
    pub id: i64,
    pub kind: String,
    pub amount: i64,
    pub debit_account: i64,
    pub debit_posted_after: i64,
    pub debit_frozen_after: i64,
    pub credit_posted_after: i64,
    pub credit_frozen_after: i64,
    pub memo: Option<String>,
    pub created_at: i64,
    pub other_email: Option<String>,
    pub other_phone: Option<String>,
    pub other_username: Option<String>,
}

/// A page of one account's history, newest first.
pub(crate) struct HistoryFilter<'a> {
    pub account: i64,
    /// Only rows older than this id (the previous page's last).
    pub before: Option<i64>,
    pub from: Option<i64>,
    pub until: Option<i64>,
    /// The kinds' stored names; never empty.
    pub kinds: &'a [&'a str],
    pub limit: i64,
}

/// The user's balance rows: every enabled currency, and each disabled one
/// they still hold money in, by code.
pub(crate) async fn balances(conn: &mut Conn, user_id: i64) -> StoreResult<Vec<BalanceRow>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let rows = sqlx::query!(
                r#"SELECT c.code AS "code!", c.name, c.name_zh, c.scale, c.enabled AS "enabled: bool",
                          a.posted AS "posted?: i64", a.frozen AS "frozen?: i64"
                   FROM currencies c
                   LEFT JOIN wallet_accounts a ON a.currency = c.code AND a.user_id = ?1
                   WHERE c.enabled = 1 OR a.posted <> 0 OR a.frozen <> 0
                   ORDER BY c.code"#,
                user_id
            )
            .fetch_all(conn)
            .await?;
            Ok(rows
                .into_iter()
                .map(|r| BalanceRow {
                    currency: CurrencyRow {
                        code: r.code,
                        name: r.name,
                        name_zh: r.name_zh,
                        scale: r.scale,
                        enabled: r.enabled,
                    },
                    posted: r.posted,
                    frozen: r.frozen,
                })
                .collect())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let rows = sqlx::query!(
                r#"SELECT c.code AS "code!", c.name, c.name_zh, c.scale, c.enabled AS "enabled: bool",
                          a.posted AS "posted?: i64", a.frozen AS "frozen?: i64"
                   FROM currencies c
                   LEFT JOIN wallet_accounts a ON a.currency = c.code AND a.user_id = $1
                   WHERE c.enabled OR a.posted <> 0 OR a.frozen <> 0
                   ORDER BY c.code COLLATE "C""#,
                user_id
            )
            .fetch_all(conn)
            .await?;
            Ok(rows
                .into_iter()
                .map(|r| BalanceRow {
                    currency: CurrencyRow {
                        code: r.code,
                        name: r.name,
                        name_zh: r.name_zh,
                        scale: r.scale,
                        enabled: r.enabled,
                    },
                    posted: r.posted,
                    frozen: r.frozen,
                })
                .collect())
        },
    }
}

/// The user's account id in the currency, if they have one.
pub(crate) async fn account_id(
    conn: &mut Conn,
    user_id: i64,
    currency: &str,
) -> StoreResult<Option<i64>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                r#"SELECT id AS "id!: i64" FROM wallet_accounts WHERE user_id = ?1 AND currency = ?2"#,
                user_id,
                currency,
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                r#"SELECT id AS "id!: i64" FROM wallet_accounts WHERE user_id = $1 AND currency = $2"#,
                user_id,
                currency,
            )
            .fetch_optional(conn)
            .await
        },
    }
}

/// One page of history. Built with `QueryBuilder` because the kinds are a
/// list of any length (`IN` with one bound value per kind); every value is
/// bound, nothing is spliced.
pub(crate) async fn history(
    conn: &mut Conn,
    f: &HistoryFilter<'_>,
) -> StoreResult<Vec<HistoryRow>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
                "SELECT t.id, t.kind, t.amount, t.debit_account,
                        t.debit_posted_after, t.debit_frozen_after,
                        t.credit_posted_after, t.credit_frozen_after,
                        t.memo, t.created_at,
                        u.email AS other_email, u.phone AS other_phone, u.username AS other_username
                 FROM wallet_transfers t
                 LEFT JOIN wallet_accounts o ON o.id =
                     CASE WHEN t.debit_account = ",
            );
            q.push_bind(f.account)
                .push(" THEN t.credit_account ELSE t.debit_account END LEFT JOIN users u ON u.id = o.user_id WHERE (t.debit_account = ")
                .push_bind(f.account)
                .push(" OR t.credit_account = ")
                .push_bind(f.account)
                .push(")");
            if let Some(before) = f.before {
                q.push(" AND t.id < ").push_bind(before);
            }
            if let Some(from) = f.from {
                q.push(" AND t.created_at >= ").push_bind(from);
            }
            if let Some(until) = f.until {
                q.push(" AND t.created_at < ").push_bind(until);
            }
            q.push(" AND t.kind IN (");
            let mut kinds = q.separated(", ");
            for kind in f.kinds {
                kinds.push_bind(*kind);
            }
            q.push(") ORDER BY t.id DESC LIMIT ").push_bind(f.limit);
            q.build_query_as::<HistoryRow>().fetch_all(conn).await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let mut q: QueryBuilder<sqlx::Postgres> = QueryBuilder::new(
                "SELECT t.id, t.kind, t.amount, t.debit_account,
                        t.debit_posted_after, t.debit_frozen_after,
                        t.credit_posted_after, t.credit_frozen_after,
                        t.memo, t.created_at,
                        u.email AS other_email, u.phone AS other_phone, u.username AS other_username
                 FROM wallet_transfers t
                 LEFT JOIN wallet_accounts o ON o.id =
                     CASE WHEN t.debit_account = ",
            );
            q.push_bind(f.account)
                .push(" THEN t.credit_account ELSE t.debit_account END LEFT JOIN users u ON u.id = o.user_id WHERE (t.debit_account = ")
                .push_bind(f.account)
                .push(" OR t.credit_account = ")
                .push_bind(f.account)
                .push(")");
            if let Some(before) = f.before {
                q.push(" AND t.id < ").push_bind(before);
            }
            if let Some(from) = f.from {
                q.push(" AND t.created_at >= ").push_bind(from);
            }
            if let Some(until) = f.until {
                q.push(" AND t.created_at < ").push_bind(until);
            }
            q.push(" AND t.kind IN (");
            let mut kinds = q.separated(", ");
            for kind in f.kinds {
                kinds.push_bind(*kind);
            }
            q.push(") ORDER BY t.id DESC LIMIT ").push_bind(f.limit);
            q.build_query_as::<HistoryRow>().fetch_all(conn).await
        },
    }
}

/// The account's posted balance after its last row before `start`.
pub(crate) async fn posted_before(
    conn: &mut Conn,
    account: i64,
    start: i64,
) -> StoreResult<Option<i64>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                r#"SELECT CASE WHEN debit_account = ?1 THEN debit_posted_after ELSE credit_posted_after END
                          AS "posted!: i64"
                   FROM wallet_transfers
                   WHERE (debit_account = ?1 OR credit_account = ?1) AND created_at < ?2
                   ORDER BY id DESC LIMIT 1"#,
                account,
                start,
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                r#"SELECT CASE WHEN debit_account = $1 THEN debit_posted_after ELSE credit_posted_after END
                          AS "posted!: i64"
                   FROM wallet_transfers
                   WHERE (debit_account = $1 OR credit_account = $1) AND created_at < $2
                   ORDER BY id DESC LIMIT 1"#,
                account,
                start,
            )
            .fetch_optional(conn)
            .await
        },
    }
}

/// (time, posted balance after) of each of the account's rows from `start`, oldest first.
pub(crate) async fn posted_since(
    conn: &mut Conn,
    account: i64,
    start: i64,
) -> StoreResult<Vec<(i64, i64)>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let rows = sqlx::query!(
                r#"SELECT created_at,
                          CASE WHEN debit_account = ?1 THEN debit_posted_after ELSE credit_posted_after END
                          AS "posted!: i64"
                   FROM wallet_transfers
                   WHERE (debit_account = ?1 OR credit_account = ?1) AND created_at >= ?2
                   ORDER BY id"#,
                account,
                start,
            )
            .fetch_all(conn)
            .await?;
            Ok(rows.into_iter().map(|r| (r.created_at, r.posted)).collect())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let rows = sqlx::query!(
                r#"SELECT created_at,
                          CASE WHEN debit_account = $1 THEN debit_posted_after ELSE credit_posted_after END
                          AS "posted!: i64"
                   FROM wallet_transfers
                   WHERE (debit_account = $1 OR credit_account = $1) AND created_at >= $2
                   ORDER BY id"#,
                account,
                start,
            )
            .fetch_all(conn)
            .await?;
            Ok(rows.into_iter().map(|r| (r.created_at, r.posted)).collect())
        },
    }
}

/// Every wallet account as the auditor reads it.
pub(crate) struct StoredAccount {
    pub id: i64,
    pub currency: String,
    pub system: bool,
    pub posted: i64,
    pub frozen: i64,
}

/// A journal row as the auditor replays it.
pub(crate) struct JournalRow {
    pub id: i64,
    pub kind: String,
    pub currency: String,
    pub debit_account: i64,
    pub credit_account: i64,
    pub amount: i64,
    pub debit_posted_after: i64,
    pub debit_frozen_after: i64,
    pub credit_posted_after: i64,
    pub credit_frozen_after: i64,
}

pub(crate) async fn all_accounts(conn: &mut Conn) -> StoreResult<Vec<StoredAccount>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                StoredAccount,
                r#"SELECT id AS "id!", currency, system IS NOT NULL AS "system!: bool", posted, frozen
                   FROM wallet_accounts ORDER BY id"#
            )
            .fetch_all(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                StoredAccount,
                r#"SELECT id AS "id!", currency, system IS NOT NULL AS "system!: bool", posted, frozen
                   FROM wallet_accounts ORDER BY id ASC"#
            )
            .fetch_all(conn)
            .await
        },
    }
}

/// Up to `limit` journal rows after `after`, in order.
pub(crate) async fn journal_page(
    conn: &mut Conn,
    after: i64,
    limit: i64,
) -> StoreResult<Vec<JournalRow>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                JournalRow,
                r#"SELECT id AS "id!", kind, currency, debit_account, credit_account, amount,
                          debit_posted_after, debit_frozen_after, credit_posted_after, credit_frozen_after
                   FROM wallet_transfers WHERE id > ?1 ORDER BY id LIMIT ?2"#,
                after,
                limit,
            )
            .fetch_all(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                JournalRow,
                r#"SELECT id AS "id!", kind, currency, debit_account, credit_account, amount,
                          debit_posted_after, debit_frozen_after, credit_posted_after, credit_frozen_after
                   FROM wallet_transfers WHERE id > $1 ORDER BY id LIMIT $2"#,
                after,
                limit,
            )
            .fetch_all(conn)
            .await
        },
    }
}
