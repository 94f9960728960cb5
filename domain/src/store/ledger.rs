//! The ledger: wallet accounts (`wallet_accounts`), the immutable journal
//! (`wallet_transfers`) and the idempotency records (`wallet_requests`).
//! Every movement composes these inside one write transaction.

use super::{Conn, StoreResult};
use crate::store::users::UserStatus;

/// The system accounts of a currency: where money enters and leaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type)]
#[sqlx(rename_all = "snake_case")]
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
    let funded = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM wallet_accounts
                          WHERE user_id = ?1 AND (posted <> 0 OR frozen <> 0)) AS "funded!: bool""#,
        user_id
    )
    .fetch_one(conn)
    .await?;
    Ok(funded)
}

/// Opens a new currency's system accounts (the outside world, fees).
pub(crate) async fn open_system_accounts(
    conn: &mut Conn,
    currency: &str,
    now: i64,
) -> StoreResult<()> {
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
}

/// Whether any journal row is in the currency (then its scale is fixed).
pub(crate) async fn has_journal_rows(conn: &mut Conn, currency: &str) -> StoreResult<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM wallet_transfers WHERE currency = ?1) AS "used!: bool""#,
        currency
    )
    .fetch_one(conn)
    .await
}

/// The user's status and, when it exists, their account in the currency;
/// `None`: no such user.
pub(crate) async fn user_account(
    conn: &mut Conn,
    user_id: i64,
    currency: &str,
) -> StoreResult<Option<(UserStatus, Option<Balances>)>> {
    let row = sqlx::query!(
        r#"SELECT u.status AS "status: UserStatus", a.id AS "id?: i64", a.posted AS "posted?: i64",
                  a.frozen AS "frozen?: i64"
           FROM users u LEFT JOIN wallet_accounts a ON a.user_id = u.id AND a.currency = ?1
           WHERE u.id = ?2"#,
        currency,
        user_id,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| {
        let account = match (r.id, r.posted, r.frozen) {
            (Some(id), Some(posted), Some(frozen)) => Some(Balances { id, posted, frozen }),
            _ => None,
        };
        (r.status, account)
    }))
}

/// Opens the user's (empty) account in the currency; its id.
pub(crate) async fn open_user_account(
    conn: &mut Conn,
    user_id: i64,
    currency: &str,
    now: i64,
) -> StoreResult<i64> {
    sqlx::query_scalar!(
        r#"INSERT INTO wallet_accounts (currency, user_id, created_at, updated_at)
           VALUES (?1, ?2, ?3, ?3) RETURNING id AS "id!: i64""#,
        currency,
        user_id,
        now,
    )
    .fetch_one(conn)
    .await
}

pub(crate) async fn system_account(
    conn: &mut Conn,
    system: SystemAccount,
    currency: &str,
) -> StoreResult<Option<Balances>> {
    sqlx::query_as!(
        Balances,
        r#"SELECT id AS "id!", posted, frozen FROM wallet_accounts
           WHERE system = ?1 AND currency = ?2"#,
        system,
        currency,
    )
    .fetch_optional(conn)
    .await
}

pub(crate) async fn open_system_account(
    conn: &mut Conn,
    system: SystemAccount,
    currency: &str,
    now: i64,
) -> StoreResult<Balances> {
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
}

/// Writes new balances with a compare-and-set on the ones read; `false`
/// when the account changed meanwhile (impossible under SQLite's single
/// writer, possible on other databases).
pub(crate) async fn set_balances(
    conn: &mut Conn,
    before: Balances,
    posted: i64,
    frozen: i64,
    now: i64,
) -> StoreResult<bool> {
    let done = sqlx::query!(
        "UPDATE wallet_accounts SET posted = ?1, frozen = ?2, updated_at = ?3
         WHERE id = ?4 AND posted = ?5 AND frozen = ?6",
        posted,
        frozen,
        now,
        before.id,
        before.posted,
        before.frozen,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Appends a journal row; its id.
pub(crate) async fn insert_transfer(conn: &mut Conn, t: &NewTransfer<'_>) -> StoreResult<i64> {
    sqlx::query_scalar!(
        r#"INSERT INTO wallet_transfers (kind, currency, debit_account, credit_account, amount,
             debit_posted_after, debit_frozen_after, credit_posted_after, credit_frozen_after,
             memo, actor_user_id, actor_service, request_id, created_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
           RETURNING id AS "id!: i64""#,
        t.kind,
        t.currency,
        t.debit,
        t.credit,
        t.amount,
        t.debit_after.0,
        t.debit_after.1,
        t.credit_after.0,
        t.credit_after.1,
        t.memo,
        t.actor_user,
        t.actor_service,
        t.request_id,
        t.now,
    )
    .fetch_one(conn)
    .await
}

/// The stored (request hash, receipt JSON) of an earlier request.
pub(crate) async fn find_request(
    conn: &mut Conn,
    scope: &str,
    request_id: &str,
) -> StoreResult<Option<(String, String)>> {
    let row = sqlx::query!(
        "SELECT request_hash, result FROM wallet_requests WHERE scope = ?1 AND request_id = ?2",
        scope,
        request_id,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.request_hash, r.result)))
}

/// Records a finished request; the primary key makes a second record fail.
pub(crate) async fn record_request(
    conn: &mut Conn,
    scope: &str,
    request_id: &str,
    hash: &str,
    transfer_id: i64,
    result: &str,
    now: i64,
) -> StoreResult<()> {
    sqlx::query!(
        "INSERT INTO wallet_requests (scope, request_id, request_hash, transfer_id, result, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        scope,
        request_id,
        hash,
        transfer_id,
        result,
        now,
    )
    .execute(conn)
    .await?;
    Ok(())
}
