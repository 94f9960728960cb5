//! The audit log: who did what to whom, from where, and when.
//!
//! Every staff action and every security-relevant event of a user is one
//! row of `audit_log`; the table refuses updates and deletes (triggers), so
//! the log only grows. Rows are written after the action succeeded. A
//! failure to write one is logged and does not undo the action: the action
//! is already committed, and failing the request would make the client
//! retry something that happened.

use crate::admin::Operator;
use crate::sessions::{AuthContext, ClientInfo};
use crate::{clock, DomainError, UserCenter};
use shared::admin::{AuditAction, AuditEntry, AuditPage, AuditQuery, AUDIT_PER_PAGE};

/// Where an audited request came from. Every row carries it, whichever web
/// layer (REST, server function, command line) made the call, so the log
/// reads the same for the same act.
#[derive(Clone, Copy, Debug, Default)]
pub struct Whence<'a> {
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

impl<'a> From<&'a ClientInfo> for Whence<'a> {
    fn from(c: &'a ClientInfo) -> Self {
        Whence {
            ip: c.ip.as_deref(),
            user_agent: c.user_agent.as_deref(),
        }
    }
}

impl<'a> From<&'a AuthContext> for Whence<'a> {
    fn from(a: &'a AuthContext) -> Self {
        Whence {
            ip: a.ip.as_deref(),
            user_agent: a.user_agent.as_deref(),
        }
    }
}

impl<'a> From<&'a Operator> for Whence<'a> {
    fn from(op: &'a Operator) -> Self {
        Whence {
            ip: op.ip.as_deref(),
            user_agent: op.user_agent.as_deref(),
        }
    }
}

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

    /// A staff action on `target`.
    pub fn by_staff(action: AuditAction, op: &Operator, target: Option<i64>) -> Self {
        Self::new(action, Some(op.id), target, op.into())
    }

    /// Adds particulars (a JSON object) to the row.
    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

/// One row of the audit log as the viewer query reads it.
#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at: i64,
    action: String,
    actor_id: Option<i64>,
    actor_label: Option<String>,
    actor_app: Option<String>,
    target_id: Option<i64>,
    target_label: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    details: String,
}

impl UserCenter {
    /// Appends one row; see the module docs for why errors are only logged.
    pub(crate) async fn audit(&self, event: AuditEvent) {
        // Every security event and staff action passes here: sign-in results
        // and locks, PIN locks, refusals. Operators graph them by action.
        metrics::counter!("uc_audit_events_total", "action" => event.action.as_str()).increment(1);
        if let Err(e) = self.try_audit(&event).await {
            tracing::error!(error = %e, action = event.action.as_str(), "audit row not written");
        }
    }

    async fn try_audit(&self, event: &AuditEvent) -> Result<(), DomainError> {
        sqlx::query(
            "INSERT INTO audit_log (at, actor_id, actor_app, target_id, action, ip, user_agent, details)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(self.now())
        .bind(event.actor)
        .bind(&event.actor_app)
        .bind(event.target)
        .bind(event.action.as_str())
        .bind(&event.ip)
        .bind(&event.user_agent)
        .bind(event.details.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A page of the audit log for staff, newest first, filtered by action,
    /// actor and target.
    pub async fn audit_log(
        &self,
        op: impl Into<Operator>,
        query: &AuditQuery,
    ) -> Result<AuditPage, DomainError> {
        let op = op.into();
        self.require_staff(op.id).await?;
        let limit = i64::from(AUDIT_PER_PAGE);
        // Optional filters as `(? IS NULL OR column = ?)`: one static,
        // portable statement instead of SQL assembled from strings.
        let rows: Vec<AuditRow> = sqlx::query_as(
            "SELECT a.id, a.at, a.action, a.actor_id,
                    COALESCE(actor.email, actor.username, actor.phone) AS actor_label,
                    a.actor_app, a.target_id,
                    COALESCE(target.email, target.username, target.phone) AS target_label,
                    a.ip, a.user_agent, a.details
             FROM audit_log a
             LEFT JOIN users actor ON actor.id = a.actor_id
             LEFT JOIN users target ON target.id = a.target_id
             WHERE (? IS NULL OR a.action = ?)
               AND (? IS NULL OR a.actor_id = ?)
               AND (? IS NULL OR a.target_id = ?)
               AND (? IS NULL OR a.id < ?)
             ORDER BY a.id DESC
             LIMIT ?",
        )
        .bind(query.action.map(AuditAction::as_str))
        .bind(query.action.map(AuditAction::as_str))
        .bind(query.actor_id)
        .bind(query.actor_id)
        .bind(query.target_id)
        .bind(query.target_id)
        .bind(query.before)
        .bind(query.before)
        .bind(limit + 1)
        .fetch_all(&self.pool)
        .await?;
        let more = rows.len() as i64 > limit;
        let entries: Vec<AuditEntry> = rows
            .into_iter()
            .take(limit as usize)
            .filter_map(|r| {
                Some(AuditEntry {
                    id: r.id,
                    at: clock::rfc3339(r.at),
                    // A row of an action this version does not know is skipped, not fatal.
                    action: AuditAction::parse(&r.action)?,
                    actor_id: r.actor_id,
                    actor_label: r.actor_label,
                    actor_app: r.actor_app,
                    target_id: r.target_id,
                    target_label: r.target_label,
                    ip: r.ip,
                    user_agent: r.user_agent,
                    details: r.details,
                })
            })
            .collect();
        let next_before = if more {
            entries.last().map(|e| e.id)
        } else {
            None
        };
        Ok(AuditPage {
            entries,
            next_before,
        })
    }
}
