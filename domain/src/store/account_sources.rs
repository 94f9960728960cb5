//! Which front system created an account: `account_sources`.

use super::{Conn, EngineConn, StoreResult};

pub(crate) async fn insert(
    conn: &mut Conn,
    user_id: i64,
    source_type: i64,
    now: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "INSERT INTO account_sources (user_id, source_type, created_at) VALUES (?1, ?2, ?3)",
                user_id,
                source_type,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "INSERT INTO account_sources (user_id, source_type, created_at) VALUES ($1, $2, $3)",
                user_id,
                source_type,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

pub(crate) async fn of_user(conn: &mut Conn, user_id: i64) -> StoreResult<Option<i64>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                "SELECT source_type FROM account_sources WHERE user_id = ?1",
                user_id
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                "SELECT source_type FROM account_sources WHERE user_id = $1",
                user_id
            )
            .fetch_optional(conn)
            .await
        },
    }
}
