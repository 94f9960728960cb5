//! One-time codes and the tickets they buy: `code_sends` (the send limits'
//! log), `verification_codes` (stored as keyed hashes) and
//! `security_tickets` (stored as digests).
//!
//! A contact is its key (`email:…`, `phone:…`) and a purpose its wire name.

use super::{Conn, EngineConn, StoreResult};

/// The sends to one contact in the last day.
pub(crate) struct ContactSends {
    pub last: Option<i64>,
    pub count: i64,
    pub first: Option<i64>,
}

/// Forgets sends at or before `before` (older than the limits' day).
pub(crate) async fn prune_sends(conn: &mut Conn, before: i64) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!("DELETE FROM code_sends WHERE at <= ?1", before)
                .execute(conn)
                .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!("DELETE FROM code_sends WHERE at <= $1", before)
                .execute(conn)
                .await?;
            Ok(())
        },
    }
}

pub(crate) async fn sends_to(conn: &mut Conn, contact: &str) -> StoreResult<ContactSends> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                ContactSends,
                r#"SELECT MAX(at) AS "last?: i64", COUNT(*) AS "count!: i64", MIN(at) AS "first?: i64"
                   FROM code_sends WHERE contact = ?1"#,
                contact
            )
            .fetch_one(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                ContactSends,
                r#"SELECT MAX(at) AS "last?: i64", COUNT(*) AS "count!: i64", MIN(at) AS "first?: i64"
                   FROM code_sends WHERE contact = $1"#,
                contact
            )
            .fetch_one(conn)
            .await
        },
    }
}

/// (how many, the first) of the sends asked for from one IP.
pub(crate) async fn sends_from(conn: &mut Conn, ip: &str) -> StoreResult<(i64, Option<i64>)> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let row = sqlx::query!(
                r#"SELECT COUNT(*) AS "count!: i64", MIN(at) AS "first?: i64"
                   FROM code_sends WHERE ip = ?1"#,
                ip
            )
            .fetch_one(conn)
            .await?;
            Ok((row.count, row.first))
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let row = sqlx::query!(
                r#"SELECT COUNT(*) AS "count!: i64", MIN(at) AS "first?: i64"
                   FROM code_sends WHERE ip = $1"#,
                ip
            )
            .fetch_one(conn)
            .await?;
            Ok((row.count, row.first))
        },
    }
}

pub(crate) async fn record_send(
    conn: &mut Conn,
    contact: &str,
    ip: Option<&str>,
    now: i64,
) -> StoreResult<i64> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                r#"INSERT INTO code_sends (contact, ip, at) VALUES (?1, ?2, ?3) RETURNING id AS "id!: i64""#,
                contact,
                ip,
                now,
            )
            .fetch_one(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                r#"INSERT INTO code_sends (contact, ip, at) VALUES ($1, $2, $3) RETURNING id AS "id!: i64""#,
                contact,
                ip,
                now,
            )
            .fetch_one(conn)
            .await
        },
    }
}

/// Takes back a send that never reached its contact, and its code.
pub(crate) async fn forget_send(
    conn: &mut Conn,
    send_id: i64,
    code_id: Option<i64>,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!("DELETE FROM code_sends WHERE id = ?1", send_id)
                .execute(&mut *conn)
                .await?;
            if let Some(id) = code_id {
                sqlx::query!("DELETE FROM verification_codes WHERE id = ?1", id)
                    .execute(conn)
                    .await?;
            }
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!("DELETE FROM code_sends WHERE id = $1", send_id)
                .execute(&mut *conn)
                .await?;
            if let Some(id) = code_id {
                sqlx::query!("DELETE FROM verification_codes WHERE id = $1", id)
                    .execute(conn)
                    .await?;
            }
            Ok(())
        },
    }
}

/// A code as it is stored.
pub(crate) struct NewCode<'a> {
    pub contact: &'a str,
    pub purpose: &'a str,
    pub code_hash: &'a str,
    /// The signed-in user it was sent for, if any: only they may use it.
    pub user_id: Option<i64>,
    pub now: i64,
    pub expires_at: i64,
}

/// Stores the live code of a contact and purpose, retiring any earlier one.
pub(crate) async fn replace_code(conn: &mut Conn, c: &NewCode<'_>) -> StoreResult<i64> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "UPDATE verification_codes SET consumed_at = ?1
                 WHERE contact = ?2 AND purpose = ?3 AND consumed_at IS NULL",
                c.now,
                c.contact,
                c.purpose,
            )
            .execute(&mut *conn)
            .await?;
            sqlx::query_scalar!(
                r#"INSERT INTO verification_codes (contact, purpose, code_hash, user_id, created_at, expires_at)
                   VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id AS "id!: i64""#,
                c.contact,
                c.purpose,
                c.code_hash,
                c.user_id,
                c.now,
                c.expires_at,
            )
            .fetch_one(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "UPDATE verification_codes SET consumed_at = $1
                 WHERE contact = $2 AND purpose = $3 AND consumed_at IS NULL",
                c.now,
                c.contact,
                c.purpose,
            )
            .execute(&mut *conn)
            .await?;
            sqlx::query_scalar!(
                r#"INSERT INTO verification_codes (contact, purpose, code_hash, user_id, created_at, expires_at)
                   VALUES ($1, $2, $3, $4, $5, $6) RETURNING id AS "id!: i64""#,
                c.contact,
                c.purpose,
                c.code_hash,
                c.user_id,
                c.now,
                c.expires_at,
            )
            .fetch_one(conn)
            .await
        },
    }
}

/// The live (unused, unexpired) code of a contact and purpose.
pub(crate) struct LiveCode {
    pub id: i64,
    pub code_hash: String,
    pub user_id: Option<i64>,
}

pub(crate) async fn live_code(
    conn: &mut Conn,
    contact: &str,
    purpose: &str,
    now: i64,
) -> StoreResult<Option<LiveCode>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                LiveCode,
                r#"SELECT id AS "id!", code_hash, user_id FROM verification_codes
                   WHERE contact = ?1 AND purpose = ?2 AND consumed_at IS NULL AND expires_at > ?3
                   ORDER BY id DESC LIMIT 1"#,
                contact,
                purpose,
                now,
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                LiveCode,
                r#"SELECT id AS "id!", code_hash, user_id FROM verification_codes
                   WHERE contact = $1 AND purpose = $2 AND consumed_at IS NULL AND expires_at > $3
                   ORDER BY id DESC LIMIT 1"#,
                contact,
                purpose,
                now,
            )
            .fetch_optional(conn)
            .await
        },
    }
}

/// The newest code of a contact and purpose, used or not: (hash, expiry).
pub(crate) async fn latest_code(
    conn: &mut Conn,
    contact: &str,
    purpose: &str,
) -> StoreResult<Option<(String, i64)>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let row = sqlx::query!(
                "SELECT code_hash, expires_at FROM verification_codes
                 WHERE contact = ?1 AND purpose = ?2 ORDER BY id DESC LIMIT 1",
                contact,
                purpose,
            )
            .fetch_optional(conn)
            .await?;
            Ok(row.map(|r| (r.code_hash, r.expires_at)))
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let row = sqlx::query!(
                "SELECT code_hash, expires_at FROM verification_codes
                 WHERE contact = $1 AND purpose = $2 ORDER BY id DESC LIMIT 1",
                contact,
                purpose,
            )
            .fetch_optional(conn)
            .await?;
            Ok(row.map(|r| (r.code_hash, r.expires_at)))
        },
    }
}

/// Marks a code used (or dead of too many wrong tries).
pub(crate) async fn consume_code(conn: &mut Conn, id: i64, now: i64) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "UPDATE verification_codes SET consumed_at = ?1 WHERE id = ?2",
                now,
                id
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "UPDATE verification_codes SET consumed_at = $1 WHERE id = $2",
                now,
                id
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// A ticket as it is stored: the digest of its id only.
pub(crate) struct NewTicket<'a> {
    pub id_hash: &'a str,
    pub contact: &'a str,
    pub purpose: &'a str,
    pub user_id: Option<i64>,
    pub now: i64,
    pub expires_at: i64,
}

pub(crate) async fn insert_ticket(conn: &mut Conn, t: &NewTicket<'_>) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "INSERT INTO security_tickets (id_hash, contact, purpose, user_id, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                t.id_hash,
                t.contact,
                t.purpose,
                t.user_id,
                t.now,
                t.expires_at,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "INSERT INTO security_tickets (id_hash, contact, purpose, user_id, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                t.id_hash,
                t.contact,
                t.purpose,
                t.user_id,
                t.now,
                t.expires_at,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// Uses a live ticket once: (its contact key, the user it was issued to).
pub(crate) async fn take_ticket(
    conn: &mut Conn,
    id_hash: &str,
    purpose: &str,
    now: i64,
) -> StoreResult<Option<(String, Option<i64>)>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let row = sqlx::query!(
                "UPDATE security_tickets SET consumed_at = ?1
                 WHERE id_hash = ?2 AND purpose = ?3 AND consumed_at IS NULL AND expires_at > ?1
                 RETURNING contact, user_id",
                now,
                id_hash,
                purpose,
            )
            .fetch_optional(conn)
            .await?;
            Ok(row.map(|r| (r.contact, r.user_id)))
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let row = sqlx::query!(
                "UPDATE security_tickets SET consumed_at = $1
                 WHERE id_hash = $2 AND purpose = $3 AND consumed_at IS NULL AND expires_at > $1
                 RETURNING contact, user_id",
                now,
                id_hash,
                purpose,
            )
            .fetch_optional(conn)
            .await?;
            Ok(row.map(|r| (r.contact, r.user_id)))
        },
    }
}

/// Whether a live ticket of the purpose, issued to the user, exists.
pub(crate) async fn ticket_is_live(
    conn: &mut Conn,
    id_hash: &str,
    purpose: &str,
    user_id: i64,
    now: i64,
) -> StoreResult<bool> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let found = sqlx::query_scalar!(
                r#"SELECT 1 AS "live!: i64" FROM security_tickets
                   WHERE id_hash = ?1 AND purpose = ?2 AND user_id = ?3
                     AND consumed_at IS NULL AND expires_at > ?4"#,
                id_hash,
                purpose,
                user_id,
                now,
            )
            .fetch_optional(conn)
            .await?;
            Ok(found.is_some())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let found = sqlx::query_scalar!(
                r#"SELECT 1::bigint AS "live!: i64" FROM security_tickets
                   WHERE id_hash = $1 AND purpose = $2 AND user_id = $3
                     AND consumed_at IS NULL AND expires_at > $4"#,
                id_hash,
                purpose,
                user_id,
                now,
            )
            .fetch_optional(conn)
            .await?;
            Ok(found.is_some())
        },
    }
}

/// Stores a captcha's answer (as a keyed hash) under its key (as a digest),
/// first forgetting the expired ones.
pub(crate) async fn put_captcha(
    conn: &mut Conn,
    key_hash: &str,
    answer_hash: &str,
    now: i64,
    expires_at: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!("DELETE FROM captchas WHERE expires_at <= ?1", now)
                .execute(&mut *conn)
                .await?;
            sqlx::query!(
                "INSERT INTO captchas (key_hash, answer_hash, expires_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key_hash) DO UPDATE SET answer_hash = excluded.answer_hash,
                   expires_at = excluded.expires_at",
                key_hash,
                answer_hash,
                expires_at,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!("DELETE FROM captchas WHERE expires_at <= $1", now)
                .execute(&mut *conn)
                .await?;
            sqlx::query!(
                "INSERT INTO captchas (key_hash, answer_hash, expires_at) VALUES ($1, $2, $3)
                 ON CONFLICT (key_hash) DO UPDATE SET answer_hash = excluded.answer_hash,
                   expires_at = excluded.expires_at",
                key_hash,
                answer_hash,
                expires_at,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// Uses up a live captcha: its answer hash, if it was there.
pub(crate) async fn take_captcha(
    conn: &mut Conn,
    key_hash: &str,
    now: i64,
) -> StoreResult<Option<String>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                "DELETE FROM captchas WHERE key_hash = ?1 AND expires_at > ?2 RETURNING answer_hash",
                key_hash,
                now,
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                "DELETE FROM captchas WHERE key_hash = $1 AND expires_at > $2 RETURNING answer_hash",
                key_hash,
                now,
            )
            .fetch_optional(conn)
            .await
        },
    }
}
