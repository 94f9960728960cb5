//! Account states: freezing, closing and releasing a closed account's
//! contacts.
//!
//! `users.status` is `normal`, `frozen`, `closed` or `pre_opened` (see
//! [`crate::activation`]); sign-in, token checks and the wallet refuse
//! anything but `normal` (a pre-opened account may only receive money), so
//! a freeze takes effect on the next request. Closing is a soft delete: the row, the ledger
//! and the audit trail stay; after a grace period the email, phone and
//! username are moved aside so someone may register them again.

use crate::audit::AuditEvent;
use crate::caller::Operator;
use crate::notifications::Event;
use crate::staff_limits::StaffAction;
use crate::store;
use crate::store::users::{ClosedBy, UserStatus};
use crate::{AuthContext, DomainError, UserCenter};
use shared::admin::AuditAction;
use shared::identity;
use shared::{AppError, ErrorCode, Field};

/// Who closes an account and on whose authority.
pub(crate) struct Closing {
    pub(crate) user_id: i64,
    pub(crate) reason: Option<String>,
    /// `None` when the owner (or a trusted server) closes it.
    pub(crate) operator: Option<i64>,
    pub(crate) authorised_by: Option<i64>,
    /// Erase the personal data after the grace period.
    pub(crate) erase: bool,
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
        let (from, to, audited) = if frozen {
            (
                UserStatus::Normal,
                UserStatus::Frozen,
                AuditAction::AccountFrozen,
            )
        } else {
            (
                UserStatus::Frozen,
                UserStatus::Normal,
                AuditAction::AccountUnfrozen,
            )
        };
        let mut tx = crate::store::begin_write(&self.pool).await?;
        let status = self.status_of(&mut tx, user_id).await?;
        if status == UserStatus::Closed {
            return Err(ErrorCode::AccountClosed.into());
        }
        // It cannot sign in or pay anyway; to stop it, close it.
        if status == UserStatus::PreOpened {
            return Err(ErrorCode::AccountNotActivated.into());
        }
        let changed = status == from;
        if changed {
            store::users::set_status(&mut tx, user_id, to, self.now()).await?;
            self.audit_in(&mut tx, &AuditEvent::by_staff(audited, &op, Some(user_id)))
                .await?;
        }
        tx.commit().await?;
        self.sessions_changed_for(user_id);
        if changed {
            let event = if frozen {
                Event::AccountFrozen
            } else {
                Event::AccountUnfrozen
            };
            self.notify(user_id, event).await;
        }
        tracing::info!(
            user_id,
            staff_id,
            status = to.as_str(),
            "account status set"
        );
        Ok(())
    }

    /// The user closes their own account, confirmed by the password. All
    /// balances must be zero (`BALANCE_NOT_ZERO`); every session ends,
    /// this one included. With `erase`, the personal data is erased once
    /// the grace period is over (see [`crate::erasure`]).
    pub async fn close_own_account(
        &self,
        auth: &AuthContext,
        password: &str,
        reason: Option<&str>,
        erase: bool,
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
        let event = AuditEvent::by_user(AuditAction::AccountClosedByUser, auth.user_id, auth)
            .details(serde_json::json!({ "reason": reason, "erase": erase }));
        self.close(
            Closing {
                user_id: auth.user_id,
                reason,
                operator: None,
                authorised_by: None,
                erase,
            },
            &event,
        )
        .await
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
        let event = AuditEvent::by_staff(AuditAction::AccountClosed, &op, Some(user_id))
            .details(serde_json::json!({ "reason": reason, "authorised_by": authorised_by }));
        self.close(
            Closing {
                user_id,
                reason: Some(reason),
                operator: Some(staff_id),
                authorised_by,
                erase: false,
            },
            &event,
        )
        .await
    }

    /// Closes the account and writes `event` in the same transaction.
    pub(crate) async fn close(
        &self,
        closing: Closing,
        event: &AuditEvent,
    ) -> Result<(), DomainError> {
        let user_id = closing.user_id;
        let mut tx = crate::store::begin_write(&self.pool).await?;
        if self.status_of(&mut tx, user_id).await? == UserStatus::Closed {
            return Err(ErrorCode::AccountClosed.into());
        }
        // Inside the write transaction, so no deposit lands between the
        // check and the close.
        if store::ledger::holds_money(&mut tx, user_id).await? {
            return Err(ErrorCode::BalanceNotZero.into());
        }
        let now = self.now();
        let by = ClosedBy {
            reason: closing.reason.as_deref(),
            operator: closing.operator,
            authorised_by: closing.authorised_by,
        };
        store::users::close(&mut tx, user_id, &by, now).await?;
        if closing.erase {
            store::erasure::request(&mut tx, user_id, now).await?;
            let requested = AuditEvent {
                action: AuditAction::ErasureRequested,
                ..event.clone()
            };
            self.audit_in(&mut tx, &requested).await?;
        }
        store::sessions::revoke_all(&mut tx, user_id, None, now).await?;
        self.audit_in(&mut tx, event).await?;
        tx.commit().await?;
        self.sessions_changed_for(user_id);
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
        let mut conn = self.pool.acquire().await?;
        let released = store::users::release_closed_contacts(&mut conn, cutoff, now).await?;
        if released > 0 {
            tracing::info!(accounts = released, "contacts of closed accounts released");
        }
        Ok(released)
    }

    async fn status_of(
        &self,
        conn: &mut store::Conn,
        user_id: i64,
    ) -> Result<UserStatus, DomainError> {
        store::users::status(conn, user_id)
            .await?
            .ok_or_else(|| ErrorCode::NotFound.into())
    }
}
