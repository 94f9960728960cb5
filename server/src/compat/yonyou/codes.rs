//! `images/getValiImage`, `user/sendcode2`, `user/sendcode` and
//! `user/validatecode`: captchas, codes, and the one-time `sid` a code is
//! exchanged for. Which code proves what is the domain's
//! (`domain::service_codes`).

use super::call::{user_id, Call};
use super::params::Params;
use super::replies::{message, Status};
use super::Yonyou;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use shared::admin::MessageChannel;
use shared::ErrorCode;

/// The document's `type`: `mobile` or `email`.
fn channel(p: &Params) -> Result<Option<MessageChannel>, &'static str> {
    match p.text(&["type"]).map(|t| t.to_ascii_lowercase()).as_deref() {
        None => Ok(None),
        Some("mobile" | "phone" | "sms") => Ok(Some(MessageChannel::Sms)),
        Some("email" | "mail") => Ok(Some(MessageChannel::Email)),
        Some(_) => Err("type 应为 mobile 或 email"),
    }
}

/// The success message of a sent code.
fn sent(channel: MessageChannel) -> &'static str {
    match channel {
        MessageChannel::Sms => "短信发送成功",
        MessageChannel::Email => "邮件发送成功",
    }
}

/// The contact a request names: `contact`, or `mobile` / `email` as `type`
/// says (either, when it says nothing), and the channel it is on. A
/// `type` that disagrees with the contact's form is refused.
fn contact(p: &Params) -> Result<(String, MessageChannel), &'static str> {
    let by_type = channel(p)?;
    let given = match by_type {
        _ if p.text(&["contact"]).is_some() => p.text(&["contact"]),
        Some(MessageChannel::Sms) => p.text(&["mobile"]),
        Some(MessageChannel::Email) => p.text(&["email"]),
        None => p.text(&["mobile"]).or_else(|| p.text(&["email"])),
    };
    let contact = given.ok_or("缺少 contact（手机号或邮箱）")?;
    let form = if contact.contains('@') {
        MessageChannel::Email
    } else {
        MessageChannel::Sms
    };
    match by_type {
        Some(t) if t != form => Err("contact 与 type 不一致"),
        _ => Ok((contact, form)),
    }
}

/// `GET images/getValiImage?ts=…`: a PNG captcha keyed by the client's
/// `ts`, which it sends back as `key` with the answer as `code`. Errors are
/// the JSON envelope with a 4xx status (an `<img>` shows nothing either way).
pub(super) async fn captcha_image(State(y): State<Yonyou>, call: Call) -> Response {
    const S: Status = Status::Int;
    let p = match call.params {
        Ok(p) => p,
        Err(e) => return with_status(S.unreadable(e), StatusCode::BAD_REQUEST),
    };
    let Some(ts) = p.text(&["ts"]) else {
        return with_status(S.fail("缺少参数 ts"), StatusCode::BAD_REQUEST);
    };
    match y
        .uc
        .captcha_for_client_key(&ts, call.client.ip.as_deref())
        .await
    {
        Ok(png) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            png,
        )
            .into_response(),
        Err(e) => {
            let status =
                StatusCode::from_u16(e.code().http_status()).unwrap_or(StatusCode::BAD_REQUEST);
            let msg = match e.code() {
                ErrorCode::InvalidInput => "ts 应为 1-64 位字母、数字、.、_ 或 -".to_string(),
                _ => message(&e),
            };
            with_status(S.fail(msg), status)
        }
    }
}

fn with_status(mut response: Response, status: StatusCode) -> Response {
    *response.status_mut() = status;
    response
}

/// `POST /user/sendcode2`: a code to a new contact (`contact`, or
/// `mobile`/`email` by `type`), after the captcha (`key` = the image's
/// `ts`, `code` = its characters). The answer is the same whether or not an
/// account has the contact (its owner gets a notice instead of a code).
/// `userId`, documented as optional, is not needed and ignored.
pub(super) async fn send_contact_code(State(y): State<Yonyou>, call: Call) -> Response {
    const S: Status = Status::Int;
    let p = match call.params {
        Ok(p) => p,
        Err(e) => return S.unreadable(e),
    };
    let (contact, channel) = match contact(&p) {
        Ok(c) => c,
        Err(msg) => return S.fail(msg),
    };
    let key = p.text(&["key"]);
    let code = p.text(&["code"]);
    match y
        .uc
        .send_contact_code(
            &contact,
            (key.as_deref(), code.as_deref()),
            call.lang,
            call.client.ip.as_deref(),
        )
        .await
    {
        Ok(_) => S.ok(json!({ "msg": sent(channel) })),
        Err(e) => S.error(&e),
    }
}

/// `POST /user/sendcode`: a code to the user's own mobile or email
/// (`type`), for `validatecode` with the same `userId`.
pub(super) async fn send_user_code(State(y): State<Yonyou>, call: Call) -> Response {
    const S: Status = Status::Int;
    let p = match call.params {
        Ok(p) => p,
        Err(e) => return S.unreadable(e),
    };
    let channel = match channel(&p) {
        Ok(Some(c)) => c,
        Ok(None) => return S.fail("缺少参数 type（mobile 或 email）"),
        Err(msg) => return S.fail(msg),
    };
    let Some(id) = user_id(&p) else {
        return S.fail(message(&ErrorCode::NotFound.into()));
    };
    match y
        .uc
        .send_user_code(id, channel, call.lang, call.client.ip.as_deref())
        .await
    {
        Ok(_) => S.ok(json!({ "msg": sent(channel) })),
        Err(e) => S.error(&e),
    }
}

/// `POST user/validatecode`: `{"status":1,"sid":"…"}` for a right code.
/// With `userId`, the code `sendcode` sent to that user's `type` contact,
/// and the `sid` works only for that user (`modifypassword`). Without, the
/// code `sendcode2` sent to `contact`, and the `sid` proves that contact
/// (`modifyContact`, `bindMail`, `bindMobile`). Each `sid` works once.
pub(super) async fn validate_code(State(y): State<Yonyou>, call: Call) -> Response {
    const S: Status = Status::Int;
    let p = match call.params {
        Ok(p) => p,
        Err(e) => return S.unreadable(e),
    };
    let Some(code) = p.text(&["code"]) else {
        return S.fail("缺少参数 code");
    };
    let ticket = if p.text(&["userId"]).is_some() {
        let channel = match channel(&p) {
            Ok(Some(c)) => c,
            Ok(None) => return S.fail("缺少参数 type（mobile 或 email）"),
            Err(msg) => return S.fail(msg),
        };
        let Some(id) = user_id(&p) else {
            return S.fail(message(&ErrorCode::NotFound.into()));
        };
        y.uc.verify_user_code(id, channel, &code).await
    } else {
        let contact = match contact(&p) {
            Ok((contact, _)) => contact,
            Err(msg) => return S.fail(msg),
        };
        y.uc.verify_contact_code(&contact, &code).await
    };
    match ticket {
        Ok(ticket) => S.ok(json!({ "sid": ticket.sid })),
        Err(e) => S.error(&e),
    }
}
