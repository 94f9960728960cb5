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
