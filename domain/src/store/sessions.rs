//! Sessions and their refresh tokens.
//!
//! A session is one sign-in; its refresh tokens rotate, each stored as a
//! digest only. Revoking is setting `revoked_at`: rows stay for the
//! account's session history and for reuse detection.

use super::{Conn, EngineConn, StoreResult};
use crate::store::users::UserStatus;

/// A session as it is opened.
pub(crate) struct NewSession<'a> {
    pub id: &'a str,
    pub user_id: i64,
    pub now: i64,
    pub expires_at: i64,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub label: &'a str,
    pub device_id: Option<&'a str>,
}

/// A live session as the user's session list shows it.
pub(crate) struct SessionRow {
    pub id: String,
    pub label: Option<String>,
    pub ip: Option<String>,
    pub device_id: Option<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
}

/// A refresh token with its session and account, as a refresh reads them.
pub(crate) struct RefreshRow {
    pub session_id: String,
    pub rotated_at: Option<i64>,
    pub user_id: i64,
    pub revoked_at: Option<i64>,
    pub expires_at: i64,
    /// When the session started: the absolute cap counts from here.
    pub created_at: i64,
    pub status: UserStatus,
}

/// A session found through one of its refresh tokens.
pub(crate) struct SessionOwner {
    pub session_id: String,
    pub user_id: i64,
}

pub(crate) async fn insert(conn: &mut Conn, s: &NewSession<'_>) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "INSERT INTO sessions (id, user_id, created_at, expires_at, last_seen_at, ip, user_agent,
                                       label, device_id)
                 VALUES (?1, ?2, ?3, ?4, ?3, ?5, ?6, ?7, ?8)",
                s.id,
                s.user_id,
                s.now,
                s.expires_at,
                s.ip,
                s.user_agent,
                s.label,
                s.device_id,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "INSERT INTO sessions (id, user_id, created_at, expires_at, last_seen_at, ip, user_agent,
                                       label, device_id)
                 VALUES ($1, $2, $3, $4, $3, $5, $6, $7, $8)",
                s.id,
                s.user_id,
                s.now,
                s.expires_at,
                s.ip,
                s.user_agent,
                s.label,
                s.device_id,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

pub(crate) async fn insert_refresh_token(
    conn: &mut Conn,
    token_hash: &str,
    session_id: &str,
    now: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "INSERT INTO refresh_tokens (token_hash, session_id, issued_at) VALUES (?1, ?2, ?3)",
                token_hash,
                session_id,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "INSERT INTO refresh_tokens (token_hash, session_id, issued_at) VALUES ($1, $2, $3)",
                token_hash,
                session_id,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

pub(crate) async fn find_refresh(
    conn: &mut Conn,
    token_hash: &str,
) -> StoreResult<Option<RefreshRow>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                RefreshRow,
                r#"SELECT r.session_id, r.rotated_at, s.user_id, s.revoked_at, s.expires_at, s.created_at,
                          u.status AS "status: UserStatus"
                   FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id
                   JOIN users u ON u.id = s.user_id
                   WHERE r.token_hash = ?1"#,
                token_hash,
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                RefreshRow,
                r#"SELECT r.session_id, r.rotated_at, s.user_id, s.revoked_at, s.expires_at, s.created_at,
                          u.status AS "status: UserStatus"
                   FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id
                   JOIN users u ON u.id = s.user_id
                   WHERE r.token_hash = $1"#,
                token_hash,
            )
            .fetch_optional(conn)
            .await
        },
    }
}

/// Marks a refresh token as replaced (it may come back only within the grace).
pub(crate) async fn mark_rotated(conn: &mut Conn, token_hash: &str, now: i64) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "UPDATE refresh_tokens SET rotated_at = ?1 WHERE token_hash = ?2",
                now,
                token_hash,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "UPDATE refresh_tokens SET rotated_at = $1 WHERE token_hash = $2",
                now,
                token_hash,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// A refresh extends the session and records where it was seen.
pub(crate) async fn touch(
    conn: &mut Conn,
    session_id: &str,
    now: i64,
    expires_at: i64,
    ip: Option<&str>,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "UPDATE sessions SET last_seen_at = ?1, expires_at = ?2, ip = COALESCE(?3, ip) WHERE id = ?4",
                now,
                expires_at,
                ip,
                session_id,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "UPDATE sessions SET last_seen_at = $1, expires_at = $2, ip = COALESCE($3, ip) WHERE id = $4",
                now,
                expires_at,
                ip,
                session_id,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// When the session expires, if it is live and its account may sign in:
/// the check behind every access token.
pub(crate) async fn live_until(
    conn: &mut Conn,
    session_id: &str,
    user_id: i64,
    now: i64,
) -> StoreResult<Option<i64>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                r#"SELECT s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
                   WHERE s.id = ?1 AND s.user_id = ?2 AND s.revoked_at IS NULL AND s.expires_at > ?3
                     AND u.status = ?4"#,
                session_id,
                user_id,
                now,
                UserStatus::Normal,
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                r#"SELECT s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
                   WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > $3
                     AND u.status = $4"#,
                session_id,
                user_id,
                now,
                UserStatus::Normal as _,
            )
            .fetch_optional(conn)
            .await
        },
    }
}

/// The live session whose current (unrotated) refresh token this is.
pub(crate) async fn live_by_current_token(
    conn: &mut Conn,
    token_hash: &str,
    now: i64,
) -> StoreResult<Option<SessionOwner>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                SessionOwner,
                r#"SELECT s.id AS "session_id!", s.user_id FROM refresh_tokens r
                   JOIN sessions s ON s.id = r.session_id JOIN users u ON u.id = s.user_id
                   WHERE r.token_hash = ?1 AND r.rotated_at IS NULL AND s.revoked_at IS NULL
                     AND s.expires_at > ?2 AND u.status = ?3"#,
                token_hash,
                now,
                UserStatus::Normal,
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                SessionOwner,
                r#"SELECT s.id AS "session_id!", s.user_id FROM refresh_tokens r
                   JOIN sessions s ON s.id = r.session_id JOIN users u ON u.id = s.user_id
                   WHERE r.token_hash = $1 AND r.rotated_at IS NULL AND s.revoked_at IS NULL
                     AND s.expires_at > $2 AND u.status = $3"#,
                token_hash,
                now,
                UserStatus::Normal as _,
            )
            .fetch_optional(conn)
            .await
        },
    }
}

/// The session any of whose refresh tokens (current or rotated) this is.
pub(crate) async fn by_any_token(
    conn: &mut Conn,
    token_hash: &str,
) -> StoreResult<Option<SessionOwner>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                SessionOwner,
                r#"SELECT s.id AS "session_id!", s.user_id FROM refresh_tokens r
                   JOIN sessions s ON s.id = r.session_id
                   WHERE r.token_hash = ?1"#,
                token_hash,
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                SessionOwner,
                r#"SELECT s.id AS "session_id!", s.user_id FROM refresh_tokens r
                   JOIN sessions s ON s.id = r.session_id
                   WHERE r.token_hash = $1"#,
                token_hash,
            )
            .fetch_optional(conn)
            .await
        },
    }
}

/// Ends one session, whoever owns it (a stolen refresh token's).
pub(crate) async fn revoke(conn: &mut Conn, session_id: &str, now: i64) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "UPDATE sessions SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
                now,
                session_id,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                now,
                session_id,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// Ends one of the user's sessions; whether one was live.
pub(crate) async fn revoke_own(
    conn: &mut Conn,
    user_id: i64,
    session_id: &str,
    now: i64,
) -> StoreResult<bool> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let done = sqlx::query!(
                "UPDATE sessions SET revoked_at = ?1 WHERE id = ?2 AND user_id = ?3 AND revoked_at IS NULL",
                now,
                session_id,
                user_id,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected() > 0)
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let done = sqlx::query!(
                "UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
                now,
                session_id,
                user_id,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected() > 0)
        },
    }
}

/// Ends every live session of the user except `keep` (none: all of them),
/// inside the caller's transaction: a password change, a reset, closing or
/// freezing the account commits together with the end of its sessions.
/// Returns how many were ended.
pub(crate) async fn revoke_all(
    conn: &mut Conn,
    user_id: i64,
    keep: Option<&str>,
    now: i64,
) -> StoreResult<u64> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let done = sqlx::query!(
                "UPDATE sessions SET revoked_at = ?1
                 WHERE user_id = ?2 AND revoked_at IS NULL AND id IS NOT ?3",
                now,
                user_id,
                keep,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let done = sqlx::query!(
                "UPDATE sessions SET revoked_at = $1
                 WHERE user_id = $2 AND revoked_at IS NULL AND id IS DISTINCT FROM $3",
                now,
                user_id,
                keep,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected())
        },
    }
}

/// The user's live sessions, most recently seen first.
pub(crate) async fn list_live(
    conn: &mut Conn,
    user_id: i64,
    now: i64,
) -> StoreResult<Vec<SessionRow>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                SessionRow,
                r#"SELECT id AS "id!", label, ip, device_id, created_at, last_seen_at FROM sessions
                   WHERE user_id = ?1 AND revoked_at IS NULL AND expires_at > ?2
                   ORDER BY last_seen_at DESC, created_at DESC"#,
                user_id,
                now,
            )
            .fetch_all(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                SessionRow,
                r#"SELECT id AS "id!", label, ip, device_id, created_at, last_seen_at FROM sessions
                   WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2
                   ORDER BY last_seen_at DESC, created_at DESC"#,
                user_id,
                now,
            )
            .fetch_all(conn)
            .await
        },
    }
}

/// Whether the user has signed in before, and whether from this client
/// (its device id, or without one its label) or a device bound to them.
pub(crate) async fn device_history(
    conn: &mut Conn,
    user_id: i64,
    device_id: Option<&str>,
    label: &str,
) -> StoreResult<(bool, bool)> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let row = sqlx::query!(
                r#"SELECT EXISTS (SELECT 1 FROM sessions WHERE user_id = ?1) AS "any!: bool",
                          (EXISTS (SELECT 1 FROM sessions WHERE user_id = ?1
                                     AND CASE WHEN ?2 IS NULL THEN label = ?3 ELSE device_id = ?2 END)
                           OR EXISTS (SELECT 1 FROM devices WHERE user_id = ?1 AND device_id = ?2))
                          AS "seen!: bool""#,
                user_id,
                device_id,
                label,
            )
            .fetch_one(conn)
            .await?;
            Ok((row.any, row.seen))
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let row = sqlx::query!(
                r#"SELECT EXISTS (SELECT 1 FROM sessions WHERE user_id = $1) AS "any!: bool",
                          (EXISTS (SELECT 1 FROM sessions WHERE user_id = $1
                                     AND CASE WHEN $2::text IS NULL THEN label = $3 ELSE device_id = $2 END)
                           OR EXISTS (SELECT 1 FROM devices WHERE user_id = $1 AND device_id = $2))
                          AS "seen!: bool""#,
                user_id,
                device_id,
                label,
            )
            .fetch_one(conn)
            .await?;
            Ok((row.any, row.seen))
        },
    }
}
