//! yonyou's answers: `{"status": …, "msg": …}` with HTTP 200, success or not.
//!
//! The document types `status` as a String in some tables and shows it as a
//! number in some examples. Each endpoint follows its own example where it
//! has one, else its own table: [`Status::Int`] answers `1`/`0`,
//! [`Status::Text`] answers `"1"`/`"0"`. The handlers name which.

use super::params::Unreadable;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::DomainError;
use serde_json::{json, Map, Value};
use shared::ErrorCode;

/// How an endpoint writes `status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Status {
    /// `1` / `0`.
    Int,
    /// `"1"` / `"0"`.
    Text,
}

impl Status {
    fn value(self, ok: bool) -> Value {
        match (self, ok) {
            (Status::Int, true) => json!(1),
            (Status::Int, false) => json!(0),
            (Status::Text, true) => json!("1"),
            (Status::Text, false) => json!("0"),
        }
    }

    /// `{"status": 1, …fields}`.
    pub(super) fn ok(self, fields: Value) -> Response {
        self.body(true, fields)
    }

    /// `{"status": 0, "msg": msg}`.
    pub(super) fn fail(self, msg: impl Into<String>) -> Response {
        self.body(false, json!({ "msg": msg.into() }))
    }

    /// `{"status": 0, "msg": …}` for a domain error (HTTP 500 for an
    /// internal one, with the same body).
    pub(super) fn error(self, e: &DomainError) -> Response {
        let mut response = self.fail(message(e));
        if e.code() == ErrorCode::Internal {
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        }
        response
    }

    /// The answer to a request that could not be read.
    pub(super) fn unreadable(self, e: Unreadable) -> Response {
        self.fail(e.0)
    }

    /// `{"status": …}` with `fields` (an object) after it.
    pub(super) fn body(self, ok: bool, fields: Value) -> Response {
        Json(self.object(ok, fields)).into_response()
    }

    /// The object of [`Status::body`], for answers nested in another.
    pub(super) fn object(self, ok: bool, fields: Value) -> Value {
        let mut map = Map::new();
        map.insert("status".into(), self.value(ok));
        if let Value::Object(fields) = fields {
            map.extend(fields);
        }
        Value::Object(map)
    }
}

/// The `msg` of a domain error: the seed's language (Chinese) for what its
/// clients run into, the product's English text otherwise.
pub(super) fn message(e: &DomainError) -> String {
    let app = e.to_app_error();
    let text = match app.code {
        ErrorCode::InvalidCredentials => "用户名或密码错误",
        ErrorCode::AccountLocked => "登录失败次数过多，账户已临时锁定，请稍后再试",
        ErrorCode::AccountDisabled => "账户已停用",
        ErrorCode::LoginNotAllowed => "该账户已被禁止登录",
        ErrorCode::AccountClosed => "账户已注销",
        ErrorCode::DeviceCodeRequired => "该设备未绑定，请使用验证码登录",
        ErrorCode::CaptchaRequired => "请输入图形验证码",
        ErrorCode::CaptchaIncorrect => "图形验证码错误或已过期",
        ErrorCode::InvalidCode => "验证码应为6位数字",
        ErrorCode::CodeIncorrect => "验证码错误或已过期",
        ErrorCode::CodeSendTooSoon => "发送过于频繁，请稍后再试",
        ErrorCode::CodeDailyLimit => "今日发送次数已达上限",
        ErrorCode::TicketInvalid => "sid 无效、已使用或不属于该用户",
        ErrorCode::PasswordIncorrect => "原密码错误",
        ErrorCode::ReentryLocked => "原密码错误次数过多，请稍后再试",
        ErrorCode::NotFound => "用户不存在",
        ErrorCode::NoSuchContact if app.message.contains("email") => "该用户未绑定邮箱",
        ErrorCode::NoSuchContact => "该用户未绑定手机",
        ErrorCode::InvalidPhone => "手机号格式不正确",
        ErrorCode::InvalidEmail => "邮箱格式不正确",
        ErrorCode::InvalidContact => "手机号或邮箱格式不正确",
        ErrorCode::InvalidUsername => {
            "userCode 格式不正确：3-32 位字母、数字、_ 或 -，且不能全为数字（与手机号或邮箱相同时除外）"
        }
        ErrorCode::ContactRequired => "userMobile 或 userEmail 至少填写一个",
        ErrorCode::WeakPassword => "密码强度不足：至少 8 位，且不能是常见密码或与账号相同",
        ErrorCode::InvalidDisplayName => "userName 最多 32 个字符",
        ErrorCode::EmailTaken => "邮箱已被其他账户使用",
        ErrorCode::PhoneTaken => "手机号已被其他账户使用",
        ErrorCode::UsernameTaken => "用户帐号已经存在",
        ErrorCode::DeliveryFailed => "发送失败，请稍后再试",
        ErrorCode::RateLimited => "请求过于频繁，请稍后再试",
        ErrorCode::InvalidMessage => "消息内容最多 500 个字符",
        ErrorCode::Required => "缺少必填参数",
        ErrorCode::Internal => "服务器内部错误",
        _ => return app.message,
    };
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn status_is_a_number_or_a_text_as_the_endpoint_says() {
        let body = |r: Response| async move {
            let bytes = axum::body::to_bytes(r.into_body(), usize::MAX)
                .await
                .unwrap();
            serde_json::from_slice::<Value>(&bytes).unwrap()
        };
        assert_eq!(
            body(Status::Int.ok(json!({"sid": "x"}))).await,
            json!({"status": 1, "sid": "x"})
        );
        assert_eq!(
            body(Status::Text.fail("no")).await,
            json!({"status": "0", "msg": "no"})
        );
        let e = DomainError::from(ErrorCode::CodeIncorrect);
        assert_eq!(
            body(Status::Int.error(&e)).await["msg"],
            "验证码错误或已过期"
        );
    }
}
