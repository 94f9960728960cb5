//! What staff may not do even with the staff role: act on a privileged
//! account without being a super admin, or act on (or vouch for) themselves.
//!
//! A rogue or compromised staff account must not be able to lock out every
//! administrator, nor pay, approve or authorise itself. Every refusal answers
//! `FORBIDDEN` with a message saying which rule applies, and is written to
//! the audit log as `staff_action_refused`.

use crate::audit::AuditEvent;
use crate::caller::Operator;
use crate::store::users::Role;
use crate::{DomainError, UserCenter};
use shared::admin::AuditAction;
use shared::{AppError, ErrorCode};

/// A staff action on a user account that the limits apply to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaffAction {
    Freeze,
    Unfreeze,
    SetPermissions,
    RevokeSessions,
    Close,
    /// A deposit, withdrawal, hold, release or settlement made by staff.
    AdjustBalance,
    /// Approving or rejecting a verification submission.
    Review,
    /// Lifting a payment lock (too many wrong PINs).
    UnlockPayments,
    /// Seeing a full ID number (everything else shows it masked).
    RevealIdNumber,
}

impl StaffAction {
    pub const ALL: [StaffAction; 9] = [
        StaffAction::Freeze,
        StaffAction::Unfreeze,
        StaffAction::SetPermissions,
        StaffAction::RevokeSessions,
        StaffAction::Close,
        StaffAction::AdjustBalance,
        StaffAction::Review,
        StaffAction::UnlockPayments,
        StaffAction::RevealIdNumber,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StaffAction::Freeze => "freeze",
            StaffAction::Unfreeze => "unfreeze",
            StaffAction::SetPermissions => "set_permissions",
            StaffAction::RevokeSessions => "revoke_sessions",
            StaffAction::Close => "close",
            StaffAction::AdjustBalance => "adjust_balance",
            StaffAction::Review => "review",
            StaffAction::UnlockPayments => "unlock_payments",
            StaffAction::RevealIdNumber => "reveal_id_number",
        }
    }

    /// Whether only a super admin may take this action on a staff or
    /// super-admin account. Reviews are not: a submission is the person's
    /// own paperwork, and the self rule below covers the conflict.
    fn guards_privileged_targets(self) -> bool {
        !matches!(self, StaffAction::Review)
    }
}

/// The rule a refused action broke, as the answer's message.
const PRIVILEGED_TARGET: &str = "Only a super admin may act on a staff or super-admin account.";
const OWN_BALANCE: &str = "You cannot adjust your own balance.";
const OWN_REVIEW: &str = "You cannot review your own submission.";
const OWN_AUTHORISATION: &str = "You cannot name yourself as the authorising operator.";
const OWN_FREEZE: &str = "You cannot freeze your own account.";
/// Else a stolen staff session could guess its own PIN without limit.
const OWN_PAYMENT_LOCK: &str = "You cannot lift your own payment lock.";

impl UserCenter {
    /// `FORBIDDEN` unless `op` is staff and the limits allow `action` on
    /// `target` (authorised by `authoriser`, when the action names one).
    /// Refusals by the limits are audited.
    pub(crate) async fn check_staff_action(
        &self,
        op: &Operator,
        action: StaffAction,
        target: i64,
        authoriser: Option<i64>,
    ) -> Result<(), DomainError> {
        self.require_staff(op.id).await?;
        let refusal = if op.id == target && action == StaffAction::AdjustBalance {
            Some(OWN_BALANCE)
        } else if op.id == target && action == StaffAction::Review {
            Some(OWN_REVIEW)
        } else if op.id == target && action == StaffAction::Freeze {
            Some(OWN_FREEZE)
        } else if op.id == target && action == StaffAction::UnlockPayments {
            Some(OWN_PAYMENT_LOCK)
        } else if authoriser == Some(op.id) {
            Some(OWN_AUTHORISATION)
        } else if action.guards_privileged_targets()
            && self.role(op.id).await? != Role::SuperAdmin
            && self.role_or_user(target).await?.is_staff()
        {
            Some(PRIVILEGED_TARGET)
        } else {
            None
        };
        let Some(message) = refusal else {
            return Ok(());
        };
        tracing::warn!(
            staff_id = op.id,
            target,
            action = action.as_str(),
            "staff action refused"
        );
        self.audit(
            AuditEvent::by_staff(AuditAction::StaffActionRefused, op, Some(target)).details(
                serde_json::json!({
                    "action": action.as_str(),
                    "reason": message,
                    "authorised_by": authoriser,
                }),
            ),
        )
        .await;
        Err(AppError::with_message(ErrorCode::Forbidden, message).into())
    }

    /// The role of `user_id`; an unknown id counts as a plain user, so the
    /// action goes on to answer `NOT_FOUND` as before.
    async fn role_or_user(&self, user_id: i64) -> Result<Role, DomainError> {
        match self.role(user_id).await {
            Err(e) if e.code() == ErrorCode::NotFound => Ok(Role::User),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{code_of, fixture, signup_named, Fixture};
    use shared::admin::{AdjustBalanceRequest, AdjustDirection, Permissions};
    use shared::profile::VerificationKind;
    use std::sync::atomic::{AtomicU32, Ordering};

    static NEXT: AtomicU32 = AtomicU32::new(0);

    /// A fresh account with `role`.
    async fn account(uc: &UserCenter, role: Role) -> i64 {
        let name = format!("person{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let (auth, _) = signup_named(uc, &name, "correct horse battery").await;
        uc.set_role(&name, role).await.unwrap();
        auth.user_id
    }

    /// Takes `action` as `op` on `target` through the public function, and
    /// says whether the staff limits refused it (any other answer means
    /// they let it through).
    async fn refused(uc: &UserCenter, op: i64, action: StaffAction, target: i64) -> bool {
        let result = match action {
            StaffAction::Freeze => uc.set_frozen(op, target, true).await,
            StaffAction::Unfreeze => uc.set_frozen(op, target, false).await,
            StaffAction::SetPermissions => uc
                .set_permissions(op, target, Permissions::default())
                .await
                .map(drop),
            StaffAction::RevokeSessions => uc.staff_revoke_sessions(op, target).await.map(drop),
            StaffAction::Close => uc.close_account(op, target, "test", None).await,
            StaffAction::AdjustBalance => {
                let req = AdjustBalanceRequest {
                    direction: AdjustDirection::Deposit,
                    currency: "CNY".into(),
                    amount: "1".into(),
                    reason: "test".into(),
                    request_id: format!("adj-{}", NEXT.fetch_add(1, Ordering::Relaxed)),
                };
                uc.adjust_balance(op, target, &req).await.map(drop)
            }
            StaffAction::Review => uc
                .approve_verification(op, target, VerificationKind::RealName)
                .await
                .map(drop),
            StaffAction::UnlockPayments => uc.unlock_payments(op, target).await,
            StaffAction::RevealIdNumber => uc.reveal_id_number(op, target, "test").await.map(drop),
        };
        match result {
            Err(e) if e.code() == ErrorCode::Forbidden => {
                assert!(
                    e.to_app_error().message != ErrorCode::Forbidden.english(),
                    "{action:?}: a refusal says which rule applies"
                );
                true
            }
            _ => false,
        }
    }

    async fn refusals_audited(f: &Fixture) -> i64 {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'staff_action_refused'")
                .fetch_one(&f.db.sql)
                .await
                .unwrap();
        n
    }

    /// The expected answer: (operator role, target role or `None` for
    /// self, action) → refused?
    fn expected(op: Role, target: Option<Role>, action: StaffAction) -> bool {
        match target {
            None => match action {
                StaffAction::AdjustBalance
                | StaffAction::Review
                | StaffAction::Freeze
                | StaffAction::UnlockPayments => true,
                // A staff member's own account is a staff account.
                _ => op != Role::SuperAdmin,
            },
            Some(target) => {
                op != Role::SuperAdmin && target.is_staff() && action.guards_privileged_targets()
            }
        }
    }

    #[tokio::test]
    async fn every_staff_action_by_target_role_and_on_oneself() {
        let f = fixture().await;
        let mut refusals = 0;
        for op_role in [Role::Staff, Role::SuperAdmin] {
            for target_role in [
                None,
                Some(Role::User),
                Some(Role::Staff),
                Some(Role::SuperAdmin),
            ] {
                for action in StaffAction::ALL {
                    // Fresh accounts each time: closing and freezing stick.
                    let op = account(&f.uc, op_role).await;
                    let target = match target_role {
                        Some(role) => account(&f.uc, role).await,
                        None => op,
                    };
                    let want = expected(op_role, target_role, action);
                    assert_eq!(
                        refused(&f.uc, op, action, target).await,
                        want,
                        "{op_role} → {target_role:?}: {action:?}"
                    );
                    refusals += i64::from(want);
                }
            }
        }
        assert_eq!(
            refusals_audited(&f).await,
            refusals,
            "each refusal is audited"
        );
    }

    #[tokio::test]
    async fn nobody_names_themselves_as_the_authorising_operator() {
        let f = fixture().await;
        for role in [Role::Staff, Role::SuperAdmin] {
            let op = account(&f.uc, role).await;
            let target = account(&f.uc, Role::User).await;
            let e =
                f.uc.close_account(op, target, "test", Some(op))
                    .await
                    .unwrap_err();
            assert_eq!(e.code(), ErrorCode::Forbidden);
            assert_eq!(e.to_app_error().message, OWN_AUTHORISATION);
            let other = account(&f.uc, Role::Staff).await;
            f.uc.close_account(op, target, "test", Some(other))
                .await
                .unwrap();
        }
        assert_eq!(refusals_audited(&f).await, 2);
    }

    #[tokio::test]
    async fn a_plain_user_is_forbidden_without_a_staff_refusal_row() {
        let f = fixture().await;
        let user = account(&f.uc, Role::User).await;
        let target = account(&f.uc, Role::User).await;
        assert_eq!(
            code_of(f.uc.set_frozen(user, target, true).await),
            ErrorCode::Forbidden
        );
        assert_eq!(refusals_audited(&f).await, 0);
    }
}
