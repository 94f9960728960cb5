//! `/user/sendmsgbymobile` and `/user/sendmsgbyemail` (the document writes
//! them `/user/ sendmsgby…`, with a space; both spellings are served):
//! a service's message to the user's bound phone or email, through the
//! product's service messaging (`send_service_message`: the same length
//! rules, no message to a closed account).

use super::call::{sys_id, user_id, Call};
use super::replies::{message, Status};
use super::Yonyou;
use axum::extract::State;
use axum::response::Response;
use domain::DomainError;
use serde_json::json;
use shared::admin::MessageChannel;
use shared::service::SendMessageRequest;
use shared::ErrorCode;

/// `{userId, massage}` (the document's spelling; `message` is accepted too)
/// → an SMS.
pub(super) async fn by_mobile(state: State<Yonyou>, call: Call) -> Response {
    send(state, call, MessageChannel::Sms).await
}

/// `{userId, massage}` → an email (subject "User Center").
pub(super) async fn by_email(state: State<Yonyou>, call: Call) -> Response {
    send(state, call, MessageChannel::Email).await
}

/// `{"status":"1"}` (no `msg`, as documented) or `{"status":"0","msg":…}`.
async fn send(State(y): State<Yonyou>, call: Call, channel: MessageChannel) -> Response {
    const S: Status = Status::Text;
    let p = match call.params {
        Ok(p) => p,
        Err(e) => return S.unreadable(e),
    };
    let Some(id) = user_id(&p) else {
        return S.fail(message(&ErrorCode::NotFound.into()));
    };
    let Some(text) = p.text(&["massage", "message", "msg"]) else {
        return S.fail("缺少参数 massage（消息内容）");
    };
    let request = SendMessageRequest {
        user_id: id,
        channel,
        subject: None,
        text,
    };
    let checked = match request.check() {
        Ok(m) => m,
        Err(e) => return S.error(&DomainError::from(e)),
    };
    let app = format!("yonyou:{}", sys_id(&p));
    match y.uc.send_service_message(&app, id, channel, checked).await {
        Ok(_) => S.ok(json!({})),
        Err(e) => S.error(&e),
    }
}
