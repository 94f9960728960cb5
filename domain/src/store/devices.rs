//! Devices bound to accounts: `devices`.

use super::{Conn, EngineConn, StoreResult};
use crate::store::users::Role;

pub(crate) struct DeviceRow {
    pub device_id: String,
    pub name: String,
    pub os: String,
    pub created_at: i64,
    pub updated_at: i64,
}

pub(crate) async fn is_bound(conn: &mut Conn, user_id: i64, device_id: &str) -> StoreResult<bool> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let found = sqlx::query_scalar!(
                r#"SELECT 1 AS "bound!: i64" FROM devices WHERE user_id = ?1 AND device_id = ?2"#,
                user_id,
                device_id,
            )
            .fetch_optional(conn)
            .await?;
            Ok(found.is_some())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let found = sqlx::query_scalar!(
                r#"SELECT 1::bigint AS "bound!: i64" FROM devices WHERE user_id = $1 AND device_id = $2"#,
                user_id,
                device_id,
            )
            .fetch_optional(conn)
            .await?;
            Ok(found.is_some())
        },
    }
}

/// Binds a device, or renames it when it is already bound.
pub(crate) async fn bind(
    conn: &mut Conn,
    user_id: i64,
    device_id: &str,
    name: &str,
    os: &str,
    now: i64,
) -> StoreResult<DeviceRow> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                DeviceRow,
                "INSERT INTO devices (user_id, device_id, name, os, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)
                 ON CONFLICT (user_id, device_id) DO UPDATE SET name = excluded.name, os = excluded.os,
                   updated_at = excluded.updated_at
                 RETURNING device_id, name, os, created_at, updated_at",
                user_id,
                device_id,
                name,
                os,
                now,
            )
            .fetch_one(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                DeviceRow,
                "INSERT INTO devices (user_id, device_id, name, os, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5)
                 ON CONFLICT (user_id, device_id) DO UPDATE SET name = excluded.name, os = excluded.os,
                   updated_at = excluded.updated_at
                 RETURNING device_id, name, os, created_at, updated_at",
                user_id,
                device_id,
                name,
                os,
                now,
            )
            .fetch_one(conn)
            .await
        },
    }
}

/// The user's devices, oldest first.
pub(crate) async fn list(conn: &mut Conn, user_id: i64) -> StoreResult<Vec<DeviceRow>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                DeviceRow,
                "SELECT device_id, name, os, created_at, updated_at FROM devices
                 WHERE user_id = ?1 ORDER BY created_at, id",
                user_id
            )
            .fetch_all(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                DeviceRow,
                "SELECT device_id, name, os, created_at, updated_at FROM devices
                 WHERE user_id = $1 ORDER BY created_at, id",
                user_id
            )
            .fetch_all(conn)
            .await
        },
    }
}

/// Unbinds a device; whether it was bound.
pub(crate) async fn remove(conn: &mut Conn, user_id: i64, device_id: &str) -> StoreResult<bool> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let done = sqlx::query!(
                "DELETE FROM devices WHERE user_id = ?1 AND device_id = ?2",
                user_id,
                device_id,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected() > 0)
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let done = sqlx::query!(
                "DELETE FROM devices WHERE user_id = $1 AND device_id = $2",
                user_id,
                device_id,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected() > 0)
        },
    }
}

/// The account's role and whether the device is bound to it; `None`: no
/// such account.
pub(crate) async fn role_and_binding(
    conn: &mut Conn,
    user_id: i64,
    device_id: &str,
) -> StoreResult<Option<(Role, bool)>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let row = sqlx::query!(
                r#"SELECT u.role AS "role: Role",
                          EXISTS (SELECT 1 FROM devices d WHERE d.user_id = u.id AND d.device_id = ?1)
                            AS "bound!: bool"
                   FROM users u WHERE u.id = ?2"#,
                device_id,
                user_id,
            )
            .fetch_optional(conn)
            .await?;
            Ok(row.map(|r| (r.role, r.bound)))
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let row = sqlx::query!(
                r#"SELECT u.role AS "role: Role",
                          EXISTS (SELECT 1 FROM devices d WHERE d.user_id = u.id AND d.device_id = $1)
                            AS "bound!: bool"
                   FROM users u WHERE u.id = $2"#,
                device_id,
                user_id,
            )
            .fetch_optional(conn)
            .await?;
            Ok(row.map(|r| (r.role, r.bound)))
        },
    }
}
