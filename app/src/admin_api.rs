//! Server functions of the staff console. Thin adapters: the domain checks
//! the caller's role against the database on every call (`FORBIDDEN` for
//! anyone else) and writes the audit rows.

use leptos::prelude::*;
use shared::admin::{AuditPage, BatchCreated, UserDetail, UserPage};
use shared::profile::Verification;
use shared::wallet::Receipt;
use shared::AppError;

/// Parses an optional id typed into a form; blank is `None`.
#[cfg(feature = "ssr")]
fn optional_id(raw: &str) -> Result<Option<i64>, AppError> {
    let raw = raw.trim().trim_start_matches('#');
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse().map(Some).map_err(|_| {
        AppError::with_message(shared::ErrorCode::InvalidInput, "Enter a user id (digits).")
    })
}

/// Searches users: free text or a list of ids; `sort` is `newest`,
/// `oldest` or `name`.
#[server(prefix = "/api/fn", endpoint = "admin_search")]
pub async fn admin_search(
    #[server(default)] q: String,
    #[server(default)] sort: String,
    #[server(default)] page: u32,
) -> Result<UserPage, AppError> {
    use crate::server::*;
    use shared::admin::{UserSearch, UserSort};
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    let search = UserSearch {
        q,
        sort: UserSort::parse(&sort).unwrap_or_default(),
        page: page.max(1),
    };
    uc.search_users(&auth, &search).await.map_err(reject)
}

#[server(prefix = "/api/fn", endpoint = "admin_user")]
pub async fn admin_user(id: i64) -> Result<UserDetail, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    uc.user_detail(&auth, id).await.map_err(reject)
}

/// Freezes (`frozen = true`) or unfreezes an account.
#[server(prefix = "/api/fn", endpoint = "admin_set_frozen")]
pub async fn admin_set_frozen(user_id: i64, frozen: bool) -> Result<(), AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    uc.set_frozen(&auth, user_id, frozen).await.map_err(reject)
}

/// Lifts the user's sign-in locks.
#[server(prefix = "/api/fn", endpoint = "admin_unlock")]
pub async fn admin_unlock(user_id: i64) -> Result<(), AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    uc.staff_unlock(&auth, user_id).await.map_err(reject)
}

/// Lifts the user's payment lock (too many wrong PINs).
#[server(prefix = "/api/fn", endpoint = "admin_unlock_payments")]
pub async fn admin_unlock_payments(user_id: i64) -> Result<(), AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    uc.unlock_payments(&auth, user_id).await.map_err(reject)
}

/// Ends every session of the user.
#[server(prefix = "/api/fn", endpoint = "admin_revoke_sessions")]
pub async fn admin_revoke_sessions(user_id: i64) -> Result<u64, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    uc.staff_revoke_sessions(&auth, user_id)
        .await
        .map_err(reject)
}

/// Sets the permission flags; a checkbox that is not ticked is absent.
#[server(prefix = "/api/fn", endpoint = "admin_set_permissions")]
pub async fn admin_set_permissions(
    user_id: i64,
    #[server(default)] allow_login: Option<String>,
    #[server(default)] allow_transfer: Option<String>,
    #[server(default)] allow_withdraw: Option<String>,
) -> Result<(), AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    let on = |v: Option<String>| v.is_some_and(|v| v != "false" && v != "off");
    let permissions = shared::admin::Permissions {
        allow_login: on(allow_login),
        allow_transfer: on(allow_transfer),
        allow_withdraw: on(allow_withdraw),
    };
    uc.set_permissions(&auth, user_id, permissions)
        .await
        .map(|_| ())
        .map_err(reject)
}

/// Gives the user a role (`user`, `staff`, `super_admin`): super admins only.
#[server(prefix = "/api/fn", endpoint = "admin_set_role")]
pub async fn admin_set_role(user_id: i64, role: String) -> Result<(), AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    let role = domain::admin::Role::parse(&role)
        .ok_or_else(|| AppError::with_message(shared::ErrorCode::InvalidInput, "unknown role"))?;
    uc.set_role_of(&auth, user_id, role).await.map_err(reject)
}

/// Deposits to or withdraws from the user's balance.
#[server(prefix = "/api/fn", endpoint = "admin_adjust_balance")]
pub async fn admin_adjust_balance(
    user_id: i64,
    direction: String,
    currency: String,
    amount: String,
    #[server(default)] reason: String,
    request_id: String,
) -> Result<Receipt, AppError> {
    use crate::server::*;
    use shared::admin::{AdjustBalanceRequest, AdjustDirection};
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    let direction = match direction.as_str() {
        "withdraw" => AdjustDirection::Withdraw,
        _ => AdjustDirection::Deposit,
    };
    let req = AdjustBalanceRequest {
        direction,
        currency,
        amount,
        reason,
        request_id,
    };
    uc.adjust_balance(&auth, user_id, &req)
        .await
        .map_err(reject)
}

/// Sends the user a message by email or SMS.
#[server(prefix = "/api/fn", endpoint = "admin_send_message")]
pub async fn admin_send_message(
    user_id: i64,
    channel: String,
    #[server(default)] subject: String,
    #[server(default)] text: String,
) -> Result<(), AppError> {
    use crate::server::*;
    use shared::admin::{MessageChannel, StaffMessage};
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    let channel = match channel.as_str() {
        "sms" => MessageChannel::Sms,
        _ => MessageChannel::Email,
    };
    let message = StaffMessage {
        channel,
        subject,
        text,
    };
    uc.send_staff_message(&auth, user_id, &message)
        .await
        .map_err(reject)
}

/// The account's full ID number, for a reason that goes to the audit log.
#[server(prefix = "/api/fn", endpoint = "admin_reveal_id_number")]
pub async fn admin_reveal_id_number(user_id: i64, reason: String) -> Result<String, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    uc.reveal_id_number(&auth, user_id, &reason)
        .await
        .map_err(reject)
}

/// Closes the account with a reason, optionally on another operator's authority.
#[server(prefix = "/api/fn", endpoint = "admin_close_account")]
pub async fn admin_close_account(
    user_id: i64,
    #[server(default)] reason: String,
    #[server(default)] authorised_by: String,
) -> Result<(), AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    let authoriser = optional_id(&authorised_by)?;
    uc.close_account(&auth, user_id, &reason, authoriser)
        .await
        .map_err(reject)
}

/// Approves (`decision = approve`) or rejects a pending submission of
/// `kind` (`real_name` or `qualification`).
#[server(prefix = "/api/fn", endpoint = "admin_review")]
pub async fn admin_review(
    user_id: i64,
    kind: String,
    decision: String,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    use crate::server::*;
    use shared::profile::VerificationKind;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    let kind = match kind.as_str() {
        "qualification" => VerificationKind::Qualification,
        _ => VerificationKind::RealName,
    };
    let done = if decision == "approve" {
        uc.approve_verification(&auth, user_id, kind).await
    } else {
        uc.reject_verification(&auth, user_id, kind, &reason).await
    };
    done.map(|_| ()).map_err(reject)
}

/// Submissions awaiting review, oldest first, with their user ids.
#[server(prefix = "/api/fn", endpoint = "admin_pending")]
pub async fn admin_pending(kind: String) -> Result<Vec<(i64, Verification)>, AppError> {
    use crate::server::*;
    use shared::profile::VerificationKind;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    let kind = match kind.as_str() {
        "qualification" => VerificationKind::Qualification,
        _ => VerificationKind::RealName,
    };
    uc.pending_verifications(auth.user_id, kind, 100)
        .await
        .map_err(reject)
}

/// A page of the audit log; blank filters match everything.
#[server(prefix = "/api/fn", endpoint = "admin_audit")]
pub async fn admin_audit(
    #[server(default)] action: String,
    #[server(default)] actor_id: String,
    #[server(default)] target_id: String,
    #[server(default)] before: Option<i64>,
) -> Result<AuditPage, AppError> {
    use crate::server::*;
    use shared::admin::{AuditAction, AuditQuery};
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    let query = AuditQuery {
        action: AuditAction::parse(&action),
        actor_id: optional_id(&actor_id)?,
        target_id: optional_id(&target_id)?,
        before,
    };
    uc.audit_log(&auth, &query).await.map_err(reject)
}

/// Creates up to 50 users from CSV (`email,phone,username,name`).
#[server(prefix = "/api/fn", endpoint = "admin_batch_create")]
pub async fn admin_batch_create(#[server(default)] csv: String) -> Result<BatchCreated, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let caller = caller().await?;
    let auth = caller.authenticate(&uc).await.map_err(reject)?;
    // Staff only: nobody else gets the CSV parsed at all.
    uc.require_staff(auth.user_id).await.map_err(reject)?;
    let rows = shared::admin::parse_batch_csv(&csv)?;
    uc.batch_create(&auth, &rows, caller.lang)
        .await
        .map_err(reject)
}
