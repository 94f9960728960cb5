//! The audit log: `audit_log`, append-only (its triggers refuse updates
//! and deletes).

use super::{Conn, EngineConn, StoreResult};
use crate::caller::{Operator, Whence};
use shared::admin::AuditAction;

/// One event to record.
#[derive(Clone, Debug)]
pub struct AuditEvent {
    pub action: AuditAction,
    pub actor: Option<i64>,
    pub actor_app: Option<String>,
    pub target: Option<i64>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub details: serde_json::Value,
}

impl AuditEvent {
    fn new(action: AuditAction, actor: Option<i64>, target: Option<i64>, from: Whence) -> Self {
        AuditEvent {
            action,
            actor,
            actor_app: None,
            target,
            ip: from.ip.map(str::to_string),
            user_agent: from.user_agent.map(str::to_string),
            details: serde_json::Value::Object(Default::default()),
        }
    }

    /// An event the user caused on their own account.
    pub fn by_user<'a>(action: AuditAction, user_id: i64, from: impl Into<Whence<'a>>) -> Self {
        Self::new(action, Some(user_id), Some(user_id), from.into())
    }

    /// Something the system did on its own (a scheduled erasure).
    pub fn by_system(action: AuditAction, target: Option<i64>) -> Self {
        Self::new(action, None, target, Whence::default())
    }

    /// A staff action on `target`.
    pub fn by_staff(action: AuditAction, op: &Operator, target: Option<i64>) -> Self {
        Self::new(action, Some(op.id), target, op.into())
    }

    /// An action a signed service or a seed facade's caller took on `target`,
    /// recorded under the app's name.
    pub fn by_app(action: AuditAction, app: &str, target: Option<i64>, from: Whence) -> Self {
        AuditEvent {
            actor_app: Some(app.to_string()),
            ..Self::new(action, None, target, from)
        }
    }

    /// Adds particulars (a JSON object) to the row.
    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

/// One row of the audit log as the viewer reads it, with the actor's and
/// the target's labels (email, else username, else phone).
pub(crate) struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub action: String,
    pub actor_id: Option<i64>,
    pub actor_label: Option<String>,
    pub actor_app: Option<String>,
    pub target_id: Option<i64>,
    pub target_label: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub details: String,
}

/// The viewer's filters; `None` is "any".
pub(crate) struct AuditFilter<'a> {
    pub action: Option<&'a str>,
    pub actor_id: Option<i64>,
    pub target_id: Option<i64>,
    /// Only rows older than this id (the previous page's last).
    pub before: Option<i64>,
    pub limit: i64,
}

pub(crate) async fn insert(conn: &mut Conn, at: i64, e: &AuditEvent) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let action = e.action.as_str();
            let details = e.details.to_string();
            sqlx::query!(
                "INSERT INTO audit_log (at, actor_id, actor_app, target_id, action, ip, user_agent, details)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                at,
                e.actor,
                e.actor_app,
                e.target,
                action,
                e.ip,
                e.user_agent,
                details,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let action = e.action.as_str();
            let details = e.details.to_string();
            sqlx::query!(
                "INSERT INTO audit_log (at, actor_id, actor_app, target_id, action, ip, user_agent, details)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                at,
                e.actor,
                e.actor_app,
                e.target,
                action,
                e.ip,
                e.user_agent,
                details,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// A page, newest first. Optional filters are `(?n IS NULL OR column = ?n)`:
/// one static statement rather than SQL assembled per filter.
pub(crate) async fn page(conn: &mut Conn, f: &AuditFilter<'_>) -> StoreResult<Vec<AuditRow>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                AuditRow,
                r#"SELECT a.id AS "id!", a.at, a.action, a.actor_id,
                          COALESCE(actor.email, actor.username, actor.phone) AS "actor_label?: String",
                          a.actor_app, a.target_id,
                          COALESCE(target.email, target.username, target.phone) AS "target_label?: String",
                          a.ip, a.user_agent, a.details
                   FROM audit_log a
                   LEFT JOIN users actor ON actor.id = a.actor_id
                   LEFT JOIN users target ON target.id = a.target_id
                   WHERE (?1 IS NULL OR a.action = ?1)
                     AND (?2 IS NULL OR a.actor_id = ?2)
                     AND (?3 IS NULL OR a.target_id = ?3)
                     AND (?4 IS NULL OR a.id < ?4)
                   ORDER BY a.id DESC
                   LIMIT ?5"#,
                f.action,
                f.actor_id,
                f.target_id,
                f.before,
                f.limit,
            )
            .fetch_all(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                AuditRow,
                r#"SELECT a.id AS "id!", a.at, a.action, a.actor_id,
                          COALESCE(actor.email, actor.username, actor.phone) AS "actor_label?: String",
                          a.actor_app, a.target_id,
                          COALESCE(target.email, target.username, target.phone) AS "target_label?: String",
                          a.ip, a.user_agent, a.details
                   FROM audit_log a
                   LEFT JOIN users actor ON actor.id = a.actor_id
                   LEFT JOIN users target ON target.id = a.target_id
                   WHERE ($1::text IS NULL OR a.action = $1)
                     AND ($2::bigint IS NULL OR a.actor_id = $2)
                     AND ($3::bigint IS NULL OR a.target_id = $3)
                     AND ($4::bigint IS NULL OR a.id < $4)
                   ORDER BY a.id DESC
                   LIMIT $5"#,
                f.action,
                f.actor_id,
                f.target_id,
                f.before,
                f.limit,
            )
            .fetch_all(conn)
            .await
        },
    }
}

/// An event about one user, for their data export: what they did to
/// themselves and what was done to them (never what they did to others).
pub(crate) struct SubjectEvent {
    pub at: i64,
    pub action: String,
    pub actor_id: Option<i64>,
    pub actor_app: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub details: String,
}

/// Every event whose target is the user, or whose actor is the user with
/// no other target; oldest first.
pub(crate) async fn about_user(conn: &mut Conn, user_id: i64) -> StoreResult<Vec<SubjectEvent>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                SubjectEvent,
                "SELECT at, action, actor_id, actor_app, ip, user_agent, details FROM audit_log
                 WHERE target_id = ?1 OR (actor_id = ?1 AND target_id IS NULL)
                 ORDER BY id",
                user_id,
            )
            .fetch_all(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                SubjectEvent,
                "SELECT at, action, actor_id, actor_app, ip, user_agent, details FROM audit_log
                 WHERE target_id = $1 OR (actor_id = $1 AND target_id IS NULL)
                 ORDER BY id",
                user_id,
            )
            .fetch_all(conn)
            .await
        },
    }
}
