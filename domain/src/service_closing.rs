//! Closing an account for a trusted server on the service network
//! (jigsaw's `closeUser`), which names its own operator and the operator
//! who authorised the closing in its own terms (a teller number, a name):
//! they are not staff accounts of this product, so they are recorded as
//! given, in the audit row, beside the reason.
//!
//! The closing itself is the product's: balances must be zero
//! (`BALANCE_NOT_ZERO`), every session ends, the contacts are released
//! after the grace period (see `account_status`).

use crate::account_status::Closing;
use crate::audit::AuditEvent;
use crate::caller::ClientInfo;
use crate::{DomainError, UserCenter};
use shared::admin::AuditAction;
use shared::{identity, AppError, ErrorCode};

/// Longest operator label kept.
const LABEL_MAX_CHARS: usize = 64;

/// Who closes an account on a trusted server's side, in its own terms.
#[derive(Clone, Copy, Debug, Default)]
pub struct ServiceClosing<'a> {
    /// Why; empty for none, else 1-200 characters.
    pub reason: Option<&'a str>,
    /// The server's operator who closes it.
    pub operator: Option<&'a str>,
    /// The operator who authorised it.
    pub authoriser: Option<&'a str>,
}

/// An operator label: trimmed, empty means none, at most 64 characters and
/// no control characters.
fn label(raw: Option<&str>, what: &str) -> Result<Option<String>, DomainError> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > LABEL_MAX_CHARS || text.chars().any(char::is_control) {
        return Err(AppError::with_message(
            ErrorCode::InvalidInput,
            format!("The {what} may have at most {LABEL_MAX_CHARS} characters and no control characters."),
        )
        .into());
    }
    Ok(Some(text.to_string()))
}

impl UserCenter {
    /// Closes `user_id` for the trusted server `via` (its name in the audit
    /// log, e.g. `jigsaw`), calling from `client`. `ACCOUNT_CLOSED` when it
    /// already is, `NOT_FOUND` for no such account.
    pub async fn close_account_for_service(
        &self,
        user_id: i64,
        closing: ServiceClosing<'_>,
        via: &str,
        client: &ClientInfo,
    ) -> Result<(), DomainError> {
        let reason = match closing.reason.map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => Some(identity::normalize_reason(r)?),
            None => None,
        };
        let operator = label(closing.operator, "operator")?;
        let authoriser = label(closing.authoriser, "authorising operator")?;
        let event = AuditEvent {
            action: AuditAction::AccountClosed,
            actor: None,
            actor_app: Some(via.to_string()),
            target: Some(user_id),
            ip: client.ip.clone(),
            user_agent: client.user_agent.clone(),
            details: serde_json::json!({
                "reason": reason,
                "operator": operator,
                "authorised_by": authoriser,
            }),
        };
        self.close(
            Closing {
                user_id,
                reason,
                operator: None,
                authorised_by: None,
                erase: false,
            },
            &event,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::Registration;
    use crate::tests::{client, fixture_with, test_settings};

    #[tokio::test]
    async fn a_service_closes_with_its_operators_on_record() {
        let f = fixture_with(test_settings()).await;
        let form = Registration {
            email: "c@example.com",
            password: "correct horse 1",
            ..Default::default()
        };
        let user = f.uc.register(form, &client()).await.unwrap().user;
        let closing = ServiceClosing {
            reason: Some("customer request"),
            operator: Some("teller 0012"),
            authoriser: Some("supervisor 7"),
        };
        let long = "x".repeat(65);
        let bad = ServiceClosing {
            operator: Some(&long),
            ..closing
        };
        assert_eq!(
            f.uc.close_account_for_service(user.id, bad, "jigsaw", &client())
                .await
                .unwrap_err()
                .code(),
            ErrorCode::InvalidInput
        );
        f.uc.close_account_for_service(user.id, closing, "jigsaw", &client())
            .await
            .unwrap();
        assert_eq!(
            f.uc.profile(user.id).await.unwrap().account_state,
            shared::profile::AccountState::Closed
        );
        let (app, details): (Option<String>, String) = sqlx::query_as(
            "SELECT actor_app, details FROM audit_log WHERE action = 'account_closed' AND target_id = $1",
        )
        .bind(user.id)
        .fetch_one(&f.db.sql)
        .await
        .unwrap();
        assert_eq!(app.as_deref(), Some("jigsaw"));
        let details: serde_json::Value = serde_json::from_str(&details).unwrap();
        assert_eq!(details["reason"], "customer request");
        assert_eq!(details["operator"], "teller 0012");
        assert_eq!(details["authorised_by"], "supervisor 7");
        assert_eq!(
            f.uc.close_account_for_service(user.id, closing, "jigsaw", &client())
                .await
                .unwrap_err()
                .code(),
            ErrorCode::AccountClosed
        );
    }
}
