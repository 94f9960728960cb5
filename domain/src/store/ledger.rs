//! The ledger: wallet accounts, the journal of transfers, requests.

use super::{Conn, StoreResult};

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
         VALUES (?1, 'external', ?2, ?2), (?1, 'fees', ?2, ?2)",
        currency,
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
