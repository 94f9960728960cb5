//! The audit log: who did what to whom, from where, and when.
//!
//! Every staff action and every security-relevant event of a user is one
//! row of `audit_log`; the table refuses updates and deletes (triggers), so
//! the log only grows.
//!
//! A row that records a change is written in the change's own transaction
//! ([`UserCenter::audit_in`]): both commit, or neither. Events that change
//! nothing (a failed sign-in, a refusal, a read) are written on their own
//! ([`UserCenter::audit`]); a failure to write one of those is logged and
//! does not fail the request.

use crate::caller::Operator;
use crate::store::audit::AuditFilter;
use crate::{clock, store, DomainError, UserCenter};
use shared::admin::{AuditAction, AuditEntry, AuditPage, AuditQuery, AUDIT_PER_PAGE};

pub use crate::caller::Whence;
pub use crate::store::audit::AuditEvent;

impl UserCenter {
    /// Appends one row for an event that changed nothing; see the module
    /// docs for why errors are only logged.
    pub(crate) async fn audit(&self, event: AuditEvent) {
        // Every security event and staff action passes here: sign-in results
        // and locks, PIN locks, refusals. Operators graph them by action.
        metrics::counter!("uc_audit_events_total", "action" => event.action.as_str()).increment(1);
        if let Err(e) = self.try_audit(&event).await {
            tracing::error!(error = %e, action = event.action.as_str(), "audit row not written");
        }
    }

    async fn try_audit(&self, event: &AuditEvent) -> Result<(), DomainError> {
        let mut conn = self.pool.acquire().await?;
        store::audit::insert(&mut conn, self.now(), event).await?;
        Ok(())
    }

    /// Writes the row inside the caller's transaction, so the change and its
    /// record commit together; an error here fails (and rolls back) the change.
    pub(crate) async fn audit_in(
        &self,
        conn: &mut store::Conn,
        event: &AuditEvent,
    ) -> Result<(), DomainError> {
        store::audit::insert(conn, self.now(), event).await?;
        metrics::counter!("uc_audit_events_total", "action" => event.action.as_str()).increment(1);
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
        let mut conn = self.pool.acquire().await?;
        let filter = AuditFilter {
            action: query.action.map(AuditAction::as_str),
            actor_id: query.actor_id,
            target_id: query.target_id,
            before: query.before,
            limit: limit + 1,
        };
        let rows = store::audit::page(&mut conn, &filter).await?;
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
