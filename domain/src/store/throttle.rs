//! The attempt limiter's counters: `throttle_state` (per kind and key),
//! `throttle_failures` (one row per failure, for rolling windows) and
//! `throttle_reservations` (attempts admitted and not yet judged).

use super::{Conn, EngineConn, StoreResult};

/// What is being guessed; each kind has its own counters and policy.
/// Stored as its snake_case name in the `kind` columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum Kind {
    /// Password or code sign-in, per account (per identifier when unknown).
    SignIn,
    /// Sign-in failures per client IP; past a threshold a captcha is needed.
    SignInIp,
    /// The payment PIN, per user.
    Pin,
    /// The current password re-entered to confirm a change, per user.
    Reentry,
    /// Wrong entries of the live code for one contact and purpose.
    Code,
    /// Captcha images handed to one IP.
    Captcha,
    /// Avatar and document uploads per user and hour.
    Upload,
}

impl Kind {
    /// Every kind, for the test that holds the stored names to `as_str`.
    #[cfg(test)]
    pub const ALL: [Kind; 7] = [
        Kind::SignIn,
        Kind::SignInIp,
        Kind::Pin,
        Kind::Reentry,
        Kind::Code,
        Kind::Captcha,
        Kind::Upload,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::SignIn => "sign_in",
            Kind::SignInIp => "sign_in_ip",
            Kind::Pin => "pin",
            Kind::Reentry => "reentry",
            Kind::Code => "code",
            Kind::Captcha => "captcha",
            Kind::Upload => "upload",
        }
    }
}

/// One key's stored counters.
pub(crate) struct Counters {
    pub consecutive: i64,
    pub lock_count: i64,
    pub locked_until: Option<i64>,
}

pub(crate) async fn counters(
    conn: &mut Conn,
    kind: Kind,
    key: &str,
) -> StoreResult<Option<Counters>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                Counters,
                "SELECT consecutive, lock_count, locked_until FROM throttle_state
                 WHERE kind = ?1 AND key = ?2",
                kind,
                key,
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                Counters,
                "SELECT consecutive, lock_count, locked_until FROM throttle_state
                 WHERE kind = $1 AND key = $2",
                kind as _,
                key,
            )
            .fetch_optional(conn)
            .await
        },
    }
}

pub(crate) async fn save_counters(
    conn: &mut Conn,
    kind: Kind,
    key: &str,
    c: &Counters,
    now: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "INSERT INTO throttle_state (kind, key, consecutive, lock_count, locked_until, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (kind, key) DO UPDATE SET
                   consecutive = excluded.consecutive, lock_count = excluded.lock_count,
                   locked_until = excluded.locked_until, updated_at = excluded.updated_at",
                kind,
                key,
                c.consecutive,
                c.lock_count,
                c.locked_until,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "INSERT INTO throttle_state (kind, key, consecutive, lock_count, locked_until, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (kind, key) DO UPDATE SET
                   consecutive = excluded.consecutive, lock_count = excluded.lock_count,
                   locked_until = excluded.locked_until, updated_at = excluded.updated_at",
                kind as _,
                key,
                c.consecutive,
                c.lock_count,
                c.locked_until,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// Failures of the key after `since`.
pub(crate) async fn failures_after(
    conn: &mut Conn,
    kind: Kind,
    key: &str,
    since: i64,
) -> StoreResult<i64> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                r#"SELECT COUNT(*) AS "n!: i64" FROM throttle_failures
                   WHERE kind = ?1 AND key = ?2 AND at > ?3"#,
                kind,
                key,
                since,
            )
            .fetch_one(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                r#"SELECT COUNT(*) AS "n!: i64" FROM throttle_failures
                   WHERE kind = $1 AND key = $2 AND at > $3"#,
                kind as _,
                key,
                since,
            )
            .fetch_one(conn)
            .await
        },
    }
}

/// Records one failure at `now`, first dropping those at or before `expired`
/// (they left the window).
pub(crate) async fn add_failure(
    conn: &mut Conn,
    kind: Kind,
    key: &str,
    expired: i64,
    now: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "DELETE FROM throttle_failures WHERE kind = ?1 AND key = ?2 AND at <= ?3",
                kind,
                key,
                expired,
            )
            .execute(&mut *conn)
            .await?;
            sqlx::query!(
                "INSERT INTO throttle_failures (kind, key, at) VALUES (?1, ?2, ?3)",
                kind,
                key,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "DELETE FROM throttle_failures WHERE kind = $1 AND key = $2 AND at <= $3",
                kind as _,
                key,
                expired,
            )
            .execute(&mut *conn)
            .await?;
            sqlx::query!(
                "INSERT INTO throttle_failures (kind, key, at) VALUES ($1, $2, $3)",
                kind as _,
                key,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// When the failure `offset` places after the key's oldest happened.
pub(crate) async fn failure_at(
    conn: &mut Conn,
    kind: Kind,
    key: &str,
    offset: i64,
) -> StoreResult<i64> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                "SELECT at FROM throttle_failures WHERE kind = ?1 AND key = ?2
                 ORDER BY at, id LIMIT 1 OFFSET ?3",
                kind,
                key,
                offset,
            )
            .fetch_one(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                "SELECT at FROM throttle_failures WHERE kind = $1 AND key = $2
                 ORDER BY at, id LIMIT 1 OFFSET $3",
                kind as _,
                key,
                offset,
            )
            .fetch_one(conn)
            .await
        },
    }
}

/// Forgets the key's counters and failures (a lock lifted, a secret replaced).
pub(crate) async fn clear(conn: &mut Conn, kind: Kind, key: &str) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "DELETE FROM throttle_state WHERE kind = ?1 AND key = ?2",
                kind,
                key
            )
            .execute(&mut *conn)
            .await?;
            sqlx::query!(
                "DELETE FROM throttle_failures WHERE kind = ?1 AND key = ?2",
                kind,
                key
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "DELETE FROM throttle_state WHERE kind = $1 AND key = $2",
                kind as _,
                key
            )
            .execute(&mut *conn)
            .await?;
            sqlx::query!(
                "DELETE FROM throttle_failures WHERE kind = $1 AND key = $2",
                kind as _,
                key
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// Admits one attempt; its reservation id.
pub(crate) async fn reserve(conn: &mut Conn, kind: Kind, key: &str, now: i64) -> StoreResult<i64> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                r#"INSERT INTO throttle_reservations (kind, key, at) VALUES (?1, ?2, ?3)
                   RETURNING id AS "id!: i64""#,
                kind,
                key,
                now,
            )
            .fetch_one(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                r#"INSERT INTO throttle_reservations (kind, key, at) VALUES ($1, $2, $3)
                   RETURNING id AS "id!: i64""#,
                kind as _,
                key,
                now,
            )
            .fetch_one(conn)
            .await
        },
    }
}

/// Settles a reservation; whether it was still there (a crash sweep may
/// already have counted it).
pub(crate) async fn release(conn: &mut Conn, id: i64) -> StoreResult<bool> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let done = sqlx::query!("DELETE FROM throttle_reservations WHERE id = ?1", id)
                .execute(conn)
                .await?;
            Ok(done.rows_affected() == 1)
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let done = sqlx::query!("DELETE FROM throttle_reservations WHERE id = $1", id)
                .execute(conn)
                .await?;
            Ok(done.rows_affected() == 1)
        },
    }
}

/// Removes the key's reservations made at or before `stale` (left by a
/// crash); how many there were.
pub(crate) async fn sweep_stale(
    conn: &mut Conn,
    kind: Kind,
    key: &str,
    stale: i64,
) -> StoreResult<usize> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let ids = sqlx::query_scalar!(
                r#"DELETE FROM throttle_reservations WHERE kind = ?1 AND key = ?2 AND at <= ?3
                   RETURNING id AS "id!: i64""#,
                kind,
                key,
                stale,
            )
            .fetch_all(conn)
            .await?;
            Ok(ids.len())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let ids = sqlx::query_scalar!(
                r#"DELETE FROM throttle_reservations WHERE kind = $1 AND key = $2 AND at <= $3
                   RETURNING id AS "id!: i64""#,
                kind as _,
                key,
                stale,
            )
            .fetch_all(conn)
            .await?;
            Ok(ids.len())
        },
    }
}

/// Attempts of the key admitted and not yet judged.
pub(crate) async fn in_flight(conn: &mut Conn, kind: Kind, key: &str) -> StoreResult<i64> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                r#"SELECT COUNT(*) AS "n!: i64" FROM throttle_reservations WHERE kind = ?1 AND key = ?2"#,
                kind,
                key,
            )
            .fetch_one(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                r#"SELECT COUNT(*) AS "n!: i64" FROM throttle_reservations WHERE kind = $1 AND key = $2"#,
                kind as _,
                key,
            )
            .fetch_one(conn)
            .await
        },
    }
}
