//! `consents`: separate consents given and withdrawn, and the removal of
//! what a withdrawn identity-documents consent no longer covers.

use super::{Conn, EngineConn, StoreResult};

pub(crate) struct ConsentRow {
    pub version: i64,
    pub given_at: i64,
    pub withdrawn_at: Option<i64>,
}

/// The user's newest consent row for a purpose.
pub(crate) async fn latest(
    conn: &mut Conn,
    user_id: i64,
    purpose: &str,
) -> StoreResult<Option<ConsentRow>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                ConsentRow,
                "SELECT version, given_at, withdrawn_at FROM consents
                 WHERE user_id = ?1 AND purpose = ?2 ORDER BY id DESC LIMIT 1",
                user_id,
                purpose,
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                ConsentRow,
                "SELECT version, given_at, withdrawn_at FROM consents
                 WHERE user_id = $1 AND purpose = $2 ORDER BY id DESC LIMIT 1",
                user_id,
                purpose,
            )
            .fetch_optional(conn)
            .await
        },
    }
}

pub(crate) async fn insert(
    conn: &mut Conn,
    user_id: i64,
    purpose: &str,
    version: i64,
    now: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "INSERT INTO consents (user_id, purpose, version, given_at) VALUES (?1, ?2, ?3, ?4)",
                user_id,
                purpose,
                version,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "INSERT INTO consents (user_id, purpose, version, given_at) VALUES ($1, $2, $3, $4)",
                user_id,
                purpose,
                version,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// Closes the consents in force; whether there was one.
pub(crate) async fn withdraw(
    conn: &mut Conn,
    user_id: i64,
    purpose: &str,
    now: i64,
) -> StoreResult<bool> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let done = sqlx::query!(
                "UPDATE consents SET withdrawn_at = ?1
                 WHERE user_id = ?2 AND purpose = ?3 AND withdrawn_at IS NULL",
                now,
                user_id,
                purpose,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected() > 0)
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let done = sqlx::query!(
                "UPDATE consents SET withdrawn_at = $1
                 WHERE user_id = $2 AND purpose = $3 AND withdrawn_at IS NULL",
                now,
                user_id,
                purpose,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected() > 0)
        },
    }
}

/// Every consent row of a user, oldest first (for the data export).
pub(crate) async fn all_of(
    conn: &mut Conn,
    user_id: i64,
) -> StoreResult<Vec<(String, ConsentRow)>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let rows = sqlx::query!(
                "SELECT purpose, version, given_at, withdrawn_at FROM consents
                 WHERE user_id = ?1 ORDER BY id",
                user_id,
            )
            .fetch_all(conn)
            .await?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    (
                        r.purpose,
                        ConsentRow {
                            version: r.version,
                            given_at: r.given_at,
                            withdrawn_at: r.withdrawn_at,
                        },
                    )
                })
                .collect())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let rows = sqlx::query!(
                "SELECT purpose, version, given_at, withdrawn_at FROM consents
                 WHERE user_id = $1 ORDER BY id",
                user_id,
            )
            .fetch_all(conn)
            .await?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    (
                        r.purpose,
                        ConsentRow {
                            version: r.version,
                            given_at: r.given_at,
                            withdrawn_at: r.withdrawn_at,
                        },
                    )
                })
                .collect())
        },
    }
}

/// Deletes the user's real-name submissions that are not verified, with
/// their ID-card photos and any ID-card photo not yet attached. Returns
/// (submissions deleted, paths of the deleted photos).
pub(crate) async fn remove_unverified_identity(
    conn: &mut Conn,
    user_id: i64,
) -> StoreResult<(u64, Vec<String>)> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let paths = sqlx::query_scalar!(
                "DELETE FROM documents
                 WHERE user_id = ?1 AND kind IN ('id_front', 'id_back')
                   AND (verification_id IS NULL OR verification_id IN (
                        SELECT id FROM verifications
                        WHERE user_id = ?1 AND kind = 'real_name' AND state <> 'verified'))
                 RETURNING path",
                user_id,
            )
            .fetch_all(&mut *conn)
            .await?;
            let done = sqlx::query!(
                "DELETE FROM verifications
                 WHERE user_id = ?1 AND kind = 'real_name' AND state <> 'verified'",
                user_id,
            )
            .execute(conn)
            .await?;
            Ok((done.rows_affected(), paths))
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let paths = sqlx::query_scalar!(
                "DELETE FROM documents
                 WHERE user_id = $1 AND kind IN ('id_front', 'id_back')
                   AND (verification_id IS NULL OR verification_id IN (
                        SELECT id FROM verifications
                        WHERE user_id = $1 AND kind = 'real_name' AND state <> 'verified'))
                 RETURNING path",
                user_id,
            )
            .fetch_all(&mut *conn)
            .await?;
            let done = sqlx::query!(
                "DELETE FROM verifications
                 WHERE user_id = $1 AND kind = 'real_name' AND state <> 'verified'",
                user_id,
            )
            .execute(conn)
            .await?;
            Ok((done.rows_affected(), paths))
        },
    }
}
