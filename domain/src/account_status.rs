//! Account states: freezing, closing and releasing a closed account's
//! contacts.
//!
//! `users.status` is `normal`, `frozen`, `closed` or `pre_opened` (see
//! [`crate::activation`]); sign-in, token checks and the wallet refuse
//! anything but `normal` (a pre-opened account may only receive money), so
//! a freeze takes effect on the next request. Closing is a soft delete: the row, the ledger
//! and the audit trail stay; after a grace period the email, phone and
//! username are moved aside so someone may register them again.

use crate::admin::Operator;
use crate::audit::AuditEvent;
use crate::notifications::Event;
use crate::staff_limits::StaffAction;
use crate::{AuthContext, DomainError, UserCenter};
use shared::admin::AuditAction;
use shared::identity;
use shared::profile::AccountState;
use shared::{AppError, ErrorCode, Field};

/// Who closes an account and on whose authority.
pub(crate) struct Closing {
    pub(crate) user_id: i64,
    pub(crate) reason: Option<String>,
    /// `None` when the owner (or a trusted server) closes it.
    pub(crate) operator: Option<i64>,
    pub(crate) authorised_by: Option<i64>,
}

impl UserCenter {
    /// Staff freeze (`true`) or unfreeze (`false`) an account. A frozen
    /// account keeps its data and sessions, but neither signs in nor moves
    /// money until unfrozen. Closed accounts stay closed (`ACCOUNT_CLOSED`).
    pub async fn set_frozen(
        &self,
        op: impl Into<Operator>,
        user_id: i64,
        frozen: bool,
    ) -> Result<(), DomainError> {
        let op = op.into();
        let staff_id = op.id;
        // Locking oneself out helps nobody and needs another operator to undo.
        let action = if frozen {
            StaffAction::Freeze
        } else {
            StaffAction::Unfreeze
        };
        self.check_staff_action(&op, action, user_id, None).await?;
        let (from, to) = if frozen {
            ("normal", "frozen")
        } else {
            ("frozen", "normal")
        };
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let status = self.status_of(&mut tx, user_id).await?;
        if status == "closed" {
            return Err(ErrorCode::AccountClosed.into());
        }
        // It cannot sign in or pay anyway; to stop it, close it.
        if status == AccountState::PreOpened.stored() {
            return Err(ErrorCode::AccountNotActivated.into());
        }
        let changed = status == from;
        if changed {
            sqlx::query("UPDATE users SET status = ?, updated_at = ? WHERE id = ?")
                .bind(to)
                .bind(self.now())
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        if changed {
            let action = if frozen {
                AuditAction::AccountFrozen
            } else {
                AuditAction::AccountUnfrozen
            };
            self.audit(AuditEvent::by_staff(action, &op, Some(user_id)))
                .await;
            let event = if frozen {
                Event::AccountFrozen
            } else {
                Event::AccountUnfrozen
            };
            self.notify(user_id, event).await;
        }
        tracing::info!(user_id, staff_id, status = to, "account status set");
        Ok(())
    }

    /// The user closes their own account, confirmed by the password. All
    /// balances must be zero (`BALANCE_NOT_ZERO`); every session ends,
    /// this one included.
    pub async fn close_own_account(
        &self,
        auth: &AuthContext,
        password: &str,
        reason: Option<&str>,
    ) -> Result<(), DomainError> {
        if password.is_empty() {
            return Err(AppError::field(ErrorCode::Required, Field::Password).into());
        }
        let reason = match reason.map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => Some(identity::normalize_reason(r)?),
            None => None,
        };
        self.reenter_password(auth, password, Field::Password)
            .await?;
        self.close(Closing {
            user_id: auth.user_id,
            reason: reason.clone(),
            operator: None,
            authorised_by: None,
        })
        .await?;
        self.audit(
            AuditEvent::by_user(AuditAction::AccountClosedByUser, auth.user_id, auth)
                .details(serde_json::json!({ "reason": reason })),
        )
        .await;
        Ok(())
    }

    /// Staff close an account with a reason, optionally naming the operator
    /// who authorised it (who must be staff too). Balances must be zero.
    pub async fn close_account(
        &self,
        op: impl Into<Operator>,
        user_id: i64,
        reason: &str,
        authorised_by: Option<i64>,
    ) -> Result<(), DomainError> {
        let op = op.into();
        let staff_id = op.id;
        self.check_staff_action(&op, StaffAction::Close, user_id, authorised_by)
            .await?;
        if let Some(authoriser) = authorised_by {
            self.require_staff(authoriser).await?;
        }
        let reason = identity::normalize_reason(reason)?;
        self.close(Closing {
            user_id,
            reason: Some(reason.clone()),
            operator: Some(staff_id),
            authorised_by,
        })
        .await?;
        self.audit(
            AuditEvent::by_staff(AuditAction::AccountClosed, &op, Some(user_id))
                .details(serde_json::json!({ "reason": reason, "authorised_by": authorised_by })),
        )
        .await;
        Ok(())
    }

    pub(crate) async fn close(&self, closing: Closing) -> Result<(), DomainError> {
        let user_id = closing.user_id;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if self.status_of(&mut tx, user_id).await? == "closed" {
            return Err(ErrorCode::AccountClosed.into());
        }
        // Inside the write transaction, so no deposit lands between the
        // check and the close.
        let (funded,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM wallet_accounts
             WHERE user_id = ? AND (posted <> 0 OR frozen <> 0)",
        )
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
        if funded > 0 {
            return Err(ErrorCode::BalanceNotZero.into());
        }
        let now = self.now();
        sqlx::query(
            "UPDATE users SET status = 'closed', closed_at = ?, closed_reason = ?, closed_by = ?,
                    close_authorised_by = ?, updated_at = ?
             WHERE id = ?",
        )
        .bind(now)
        .bind(&closing.reason)
        .bind(closing.operator)
        .bind(closing.authorised_by)
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL")
            .bind(now)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        // The contacts stay on the account through the grace period, so
        // they can still be told.
        self.notify(user_id, Event::AccountClosed).await;
        tracing::info!(
            user_id,
            operator = closing.operator,
            authorised_by = closing.authorised_by,
            "account closed"
        );
        Ok(())
    }

    /// Frees the email, phone and username of accounts closed longer than
    /// `closed_contact_grace` before `now`, so they can be registered again.
    /// The originals move to `released_*` (the record stays complete); the
    /// email becomes `closed-<id>@closed.invalid`, because a row must keep
    /// an email or a phone and `.invalid` can never be delivered to.
    ///
    /// Called lazily by sign-up when a contact is taken, and safe to call
    /// from a periodic job. Returns how many accounts were released.
    pub async fn release_closed_contacts(&self, now: i64) -> Result<u64, DomainError> {
        let cutoff = now - self.settings.closed_contact_grace.as_secs() as i64;
        let done = sqlx::query(
            "UPDATE users SET released_email = email, released_phone = phone,
                    released_username = username,
                    email = 'closed-' || id || '@closed.invalid', phone = NULL,
                    username = NULL, username_key = NULL,
                    contacts_released_at = ?, updated_at = ?
             WHERE closed_at IS NOT NULL AND contacts_released_at IS NULL AND closed_at <= ?",
        )
        .bind(now)
        .bind(now)
        .bind(cutoff)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() > 0 {
            tracing::info!(
                accounts = done.rows_affected(),
                "contacts of closed accounts released"
            );
        }
        Ok(done.rows_affected())
    }

    async fn status_of(
        &self,
        conn: &mut sqlx::SqliteConnection,
        user_id: i64,
    ) -> Result<String, DomainError> {
        let row: Option<(String,)> = sqlx::query_as("SELECT status FROM users WHERE id = ?")
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
        row.map(|(s,)| s).ok_or_else(|| ErrorCode::NotFound.into())
    }
}
