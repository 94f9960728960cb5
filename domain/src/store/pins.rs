//! Payment PINs: `payment_pins`, one argon2id hash per user.

use super::{Conn, EngineConn, StoreResult};

/// The user's PIN hash; `None` while no PIN is set.
pub(crate) async fn hash_of(conn: &mut Conn, user_id: i64) -> StoreResult<Option<String>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                "SELECT pin_hash FROM payment_pins WHERE user_id = ?1",
                user_id
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                "SELECT pin_hash FROM payment_pins WHERE user_id = $1",
                user_id
            )
            .fetch_optional(conn)
            .await
        },
    }
}

/// Stores the first PIN; `false` when the user already has one (of two
/// first PINs set at once, exactly one is stored).
pub(crate) async fn insert_first(
    conn: &mut Conn,
    user_id: i64,
    hash: &str,
    now: i64,
) -> StoreResult<bool> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let done = sqlx::query!(
                "INSERT INTO payment_pins (user_id, pin_hash, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?3) ON CONFLICT (user_id) DO NOTHING",
                user_id,
                hash,
                now,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected() == 1)
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let done = sqlx::query!(
                "INSERT INTO payment_pins (user_id, pin_hash, created_at, updated_at)
                 VALUES ($1, $2, $3, $3) ON CONFLICT (user_id) DO NOTHING",
                user_id,
                hash,
                now,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected() == 1)
        },
    }
}

/// Stores a new PIN hash, creating the row if there is none.
pub(crate) async fn replace(
    conn: &mut Conn,
    user_id: i64,
    hash: &str,
    now: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "INSERT INTO payment_pins (user_id, pin_hash, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?3)
                 ON CONFLICT (user_id) DO UPDATE SET
                   pin_hash = excluded.pin_hash, updated_at = excluded.updated_at",
                user_id,
                hash,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "INSERT INTO payment_pins (user_id, pin_hash, created_at, updated_at)
                 VALUES ($1, $2, $3, $3)
                 ON CONFLICT (user_id) DO UPDATE SET
                   pin_hash = excluded.pin_hash, updated_at = excluded.updated_at",
                user_id,
                hash,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}
