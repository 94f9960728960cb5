//! Notices to users: `notification_outbox` (every notice, until sent or
//! given up) and `notification_preferences`.

use super::{Conn, EngineConn, StoreResult};
use shared::notifications::NotificationPreferences;
use shared::validate::Contact;

/// A notice as it is queued.
pub(crate) struct NewNotice<'a> {
    /// `None` for a notice to a contact that no account holds.
    pub user_id: Option<i64>,
    pub kind: &'a str,
    pub to: &'a Contact,
    pub subject: &'a str,
    pub body: &'a str,
    pub now: i64,
}

/// A notice claimed for one delivery attempt.
pub(crate) struct Claimed {
    pub channel: String,
    pub destination: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
}

impl Claimed {
    /// Where it goes.
    pub(crate) fn recipient(&self) -> Contact {
        match self.channel.as_str() {
            "email" => Contact::Email(self.destination.clone()),
            _ => Contact::Phone(self.destination.clone()),
        }
    }
}

/// Queues a notice, due at once; its id.
pub(crate) async fn queue(conn: &mut Conn, n: &NewNotice<'_>) -> StoreResult<i64> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let channel = if n.to.is_email() { "email" } else { "phone" };
            let destination = n.to.value();
            sqlx::query_scalar!(
                r#"INSERT INTO notification_outbox
                     (user_id, kind, channel, destination, subject, body, next_attempt_at, created_at)
                   VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id AS "id!: i64""#,
                n.user_id,
                n.kind,
                channel,
                destination,
                n.subject,
                n.body,
                n.now,
            )
            .fetch_one(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let channel = if n.to.is_email() { "email" } else { "phone" };
            let destination = n.to.value();
            sqlx::query_scalar!(
                r#"INSERT INTO notification_outbox
                     (user_id, kind, channel, destination, subject, body, next_attempt_at, created_at)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id AS "id!: i64""#,
                n.user_id,
                n.kind,
                channel,
                destination,
                n.subject,
                n.body,
                n.now,
            )
            .fetch_one(conn)
            .await
        },
    }
}

/// Forgets notices sent before `sent_before` and given up before `given_up_before`.
pub(crate) async fn prune(
    conn: &mut Conn,
    sent_before: i64,
    given_up_before: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "DELETE FROM notification_outbox
                 WHERE (sent_at IS NOT NULL AND sent_at < ?1) OR (gave_up_at IS NOT NULL AND gave_up_at < ?2)",
                sent_before,
                given_up_before,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "DELETE FROM notification_outbox
                 WHERE (sent_at IS NOT NULL AND sent_at < $1) OR (gave_up_at IS NOT NULL AND gave_up_at < $2)",
                sent_before,
                given_up_before,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// Up to `limit` notices due at `now` that nobody is sending, oldest due first.
pub(crate) async fn due(conn: &mut Conn, now: i64, limit: i64) -> StoreResult<Vec<i64>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                r#"SELECT id AS "id!: i64" FROM notification_outbox
                   WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= ?1
                     AND (claimed_until IS NULL OR claimed_until <= ?1)
                   ORDER BY next_attempt_at, id LIMIT ?2"#,
                now,
                limit,
            )
            .fetch_all(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                r#"SELECT id AS "id!: i64" FROM notification_outbox
                   WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= $1
                     AND (claimed_until IS NULL OR claimed_until <= $1)
                   ORDER BY next_attempt_at, id LIMIT $2"#,
                now,
                limit,
            )
            .fetch_all(conn)
            .await
        },
    }
}

/// Claims a due notice until `until`, counting the attempt; `None` when it
/// is no longer due or another attempt holds it.
pub(crate) async fn claim(
    conn: &mut Conn,
    id: i64,
    now: i64,
    until: i64,
) -> StoreResult<Option<Claimed>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                Claimed,
                "UPDATE notification_outbox SET attempts = attempts + 1, claimed_until = ?1
                 WHERE id = ?2 AND sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= ?3
                   AND (claimed_until IS NULL OR claimed_until <= ?3)
                 RETURNING channel, destination, subject, body, attempts",
                until,
                id,
                now,
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                Claimed,
                "UPDATE notification_outbox SET attempts = attempts + 1, claimed_until = $1
                 WHERE id = $2 AND sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= $3
                   AND (claimed_until IS NULL OR claimed_until <= $3)
                 RETURNING channel, destination, subject, body, attempts",
                until,
                id,
                now,
            )
            .fetch_optional(conn)
            .await
        },
    }
}

pub(crate) async fn mark_sent(conn: &mut Conn, id: i64, now: i64) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "UPDATE notification_outbox SET sent_at = ?1, claimed_until = NULL WHERE id = ?2",
                now,
                id,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "UPDATE notification_outbox SET sent_at = $1, claimed_until = NULL WHERE id = $2",
                now,
                id,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// What becomes of a notice whose attempt failed.
pub(crate) enum AfterFailure {
    /// Tried again at this time.
    RetryAt(i64),
    /// Never tried again (given up at this time).
    GiveUp(i64),
}

/// Records a failed attempt and releases the notice's claim.
pub(crate) async fn failed(
    conn: &mut Conn,
    id: i64,
    error: &str,
    then: AfterFailure,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let (retry_at, gave_up_at) = match then {
                AfterFailure::RetryAt(at) => (Some(at), None),
                AfterFailure::GiveUp(at) => (None, Some(at)),
            };
            sqlx::query!(
                "UPDATE notification_outbox
                 SET next_attempt_at = COALESCE(?1, next_attempt_at), gave_up_at = ?2, last_error = ?3,
                     claimed_until = NULL
                 WHERE id = ?4",
                retry_at,
                gave_up_at,
                error,
                id,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let (retry_at, gave_up_at) = match then {
                AfterFailure::RetryAt(at) => (Some(at), None),
                AfterFailure::GiveUp(at) => (None, Some(at)),
            };
            sqlx::query!(
                "UPDATE notification_outbox
                 SET next_attempt_at = COALESCE($1, next_attempt_at), gave_up_at = $2, last_error = $3,
                     claimed_until = NULL
                 WHERE id = $4",
                retry_at,
                gave_up_at,
                error,
                id,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// The user's stored preferences; `None`: never set.
pub(crate) async fn preferences(
    conn: &mut Conn,
    user_id: i64,
) -> StoreResult<Option<NotificationPreferences>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                NotificationPreferences,
                r#"SELECT lang, review_decided AS "review_decided: bool",
                          account_unfrozen AS "account_unfrozen: bool", money_received AS "money_received: bool"
                   FROM notification_preferences WHERE user_id = ?1"#,
                user_id
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                NotificationPreferences,
                r#"SELECT lang, review_decided AS "review_decided: bool",
                          account_unfrozen AS "account_unfrozen: bool", money_received AS "money_received: bool"
                   FROM notification_preferences WHERE user_id = $1"#,
                user_id
            )
            .fetch_optional(conn)
            .await
        },
    }
}

pub(crate) async fn set_preferences(
    conn: &mut Conn,
    user_id: i64,
    p: &NotificationPreferences,
    now: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "INSERT INTO notification_preferences
                   (user_id, lang, review_decided, account_unfrozen, money_received, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (user_id) DO UPDATE SET lang = excluded.lang,
                   review_decided = excluded.review_decided,
                   account_unfrozen = excluded.account_unfrozen,
                   money_received = excluded.money_received, updated_at = excluded.updated_at",
                user_id,
                p.lang,
                p.review_decided,
                p.account_unfrozen,
                p.money_received,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "INSERT INTO notification_preferences
                   (user_id, lang, review_decided, account_unfrozen, money_received, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (user_id) DO UPDATE SET lang = excluded.lang,
                   review_decided = excluded.review_decided,
                   account_unfrozen = excluded.account_unfrozen,
                   money_received = excluded.money_received, updated_at = excluded.updated_at",
                user_id,
                p.lang,
                p.review_decided,
                p.account_unfrozen,
                p.money_received,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}
