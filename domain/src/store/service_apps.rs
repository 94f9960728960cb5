//! Signed service apps: `service_apps` (the secret stored encrypted) and
//! `service_transactions` (transaction ids seen within the replay window).

use super::{Conn, EngineConn, StoreResult};

/// An app as it is registered.
pub(crate) struct NewApp<'a> {
    pub app_id: &'a str,
    pub name: &'a str,
    pub secret_nonce: &'a str,
    pub secret_encrypted: &'a str,
    /// Comma-separated scope names.
    pub scopes: &'a str,
    pub now: i64,
}

/// An app's stored secret and scopes.
pub(crate) struct StoredApp {
    pub secret_nonce: String,
    pub secret_encrypted: String,
    pub scopes: String,
    pub disabled_at: Option<i64>,
}

pub(crate) async fn insert(conn: &mut Conn, a: &NewApp<'_>) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "INSERT INTO service_apps (app_id, name, secret_nonce, secret_encrypted, scopes, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                a.app_id,
                a.name,
                a.secret_nonce,
                a.secret_encrypted,
                a.scopes,
                a.now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "INSERT INTO service_apps (app_id, name, secret_nonce, secret_encrypted, scopes, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                a.app_id,
                a.name,
                a.secret_nonce,
                a.secret_encrypted,
                a.scopes,
                a.now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

pub(crate) async fn find(conn: &mut Conn, app_id: &str) -> StoreResult<Option<StoredApp>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                StoredApp,
                "SELECT secret_nonce, secret_encrypted, scopes, disabled_at FROM service_apps
                 WHERE app_id = ?1",
                app_id
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                StoredApp,
                "SELECT secret_nonce, secret_encrypted, scopes, disabled_at FROM service_apps
                 WHERE app_id = $1",
                app_id
            )
            .fetch_optional(conn)
            .await
        },
    }
}

/// Records a transaction id of the app; `false` when it was already seen
/// (a replay).
pub(crate) async fn record_transaction(
    conn: &mut Conn,
    app_id: &str,
    transaction_id: &str,
    now: i64,
) -> StoreResult<bool> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let done = sqlx::query!(
                "INSERT INTO service_transactions (app_id, transaction_id, at) VALUES (?1, ?2, ?3)
                 ON CONFLICT DO NOTHING",
                app_id,
                transaction_id,
                now,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected() == 1)
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let done = sqlx::query!(
                "INSERT INTO service_transactions (app_id, transaction_id, at) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                app_id,
                transaction_id,
                now,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected() == 1)
        },
    }
}

/// Forgets the transaction ids seen before `before`.
pub(crate) async fn forget_transactions(conn: &mut Conn, before: i64) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!("DELETE FROM service_transactions WHERE at < ?1", before)
                .execute(conn)
                .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!("DELETE FROM service_transactions WHERE at < $1", before)
                .execute(conn)
                .await?;
            Ok(())
        },
    }
}
