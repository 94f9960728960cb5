//! `user/modifyContact`, `user/bindMail` and `user/bindMobile`.
//!
//! The product's rule is that a contact nobody proved with a code stays
//! *pending*: off the account, claiming nothing, until its owner proves it
//! (`domain::service_codes`). So the new contact is live (and verified)
//! only when the request's `sid` came from `validatecode` for that very
//! contact (after `sendcode2`); with the user's own `sid` (from `sendcode`,
//! then `validatecode` with `userId`), or without any (`bindMail` and
//! `bindMobile` document none), it is stored as pending and the answer
//! says so (`"pending": true`). The user proves it later on the security
//! page, or through this facade with a contact `sid`.

use super::call::{user_id, Call};
use super::params::Params;
use super::replies::{message, Status};
use super::Yonyou;
use axum::extract::State;
use axum::response::Response;
use domain::service_codes::ContactOutcome;
use serde_json::json;
use shared::ErrorCode;

/// The message of a contact stored as pending.
const PENDING: &str =
    "已保存，待验证：新的手机号或邮箱须用验证码验证（sendcode2 + validatecode 的 sid）后生效";

/// Which contact a bind call is for.
#[derive(Clone, Copy)]
enum Kind {
    Email,
    Mobile,
}

/// `POST user/modifyContact`: `{userId, contact, sid}`, `sid` required.
pub(super) async fn modify_contact(State(y): State<Yonyou>, call: Call) -> Response {
    const S: Status = Status::Int;
    let p = match call.params {
        Ok(p) => p,
        Err(e) => return S.unreadable(e),
    };
    let Some(id) = user_id(&p) else {
        return S.fail(message(&ErrorCode::NotFound.into()));
    };
    let Some(contact) = p.text(&["contact"]) else {
        return S.fail("缺少参数 contact（手机号或邮箱）");
    };
    let Some(sid) = p.text(&["sid"]) else {
        return S.fail("缺少参数 sid（先调用 validatecode 获取）");
    };
    match y
        .uc
        .set_user_contact(id, &contact, Some(&sid), &call.client)
        .await
    {
        Ok(ContactOutcome::Live) => S.ok(json!({ "msg": "修改成功" })),
        Ok(ContactOutcome::Pending) => S.ok(json!({ "msg": PENDING, "pending": true })),
        Err(e) => S.error(&e),
    }
}

/// `POST user/bindMail`: `{userId, email}` (and optionally a contact `sid`).
pub(super) async fn bind_mail(state: State<Yonyou>, call: Call) -> Response {
    bind(state, call, Kind::Email).await
}

/// `POST user/bindMobile`: `{userId, mobile}` (and optionally a contact `sid`).
pub(super) async fn bind_mobile(state: State<Yonyou>, call: Call) -> Response {
    bind(state, call, Kind::Mobile).await
}

/// Both binds: `status` a string, as their tables say.
async fn bind(State(y): State<Yonyou>, call: Call, kind: Kind) -> Response {
    const S: Status = Status::Text;
    let p = match call.params {
        Ok(p) => p,
        Err(e) => return S.unreadable(e),
    };
    let Some(id) = user_id(&p) else {
        return S.fail(message(&ErrorCode::NotFound.into()));
    };
    let contact = match given(&p, kind) {
        Ok(c) => c,
        Err(msg) => return S.fail(msg),
    };
    let sid = p.text(&["sid"]);
    match y
        .uc
        .set_user_contact(id, &contact, sid.as_deref(), &call.client)
        .await
    {
        Ok(ContactOutcome::Live) => S.ok(json!({})),
        Ok(ContactOutcome::Pending) => S.ok(json!({ "msg": PENDING, "pending": true })),
        Err(e) => S.error(&e),
    }
}

/// The email (or mobile) a bind call names, refused when it has the other
/// form.
fn given(p: &Params, kind: Kind) -> Result<String, &'static str> {
    match kind {
        Kind::Email => match p.text(&["email", "contact"]) {
            Some(e) if e.contains('@') => Ok(e),
            Some(_) => Err("邮箱格式不正确"),
            None => Err("缺少参数 email"),
        },
        Kind::Mobile => match p.text(&["mobile", "contact"]) {
            Some(m) if !m.contains('@') => Ok(m),
            Some(_) => Err("手机号格式不正确"),
            None => Err("缺少参数 mobile"),
        },
    }
}
