//! The seed's answer: `{"data": …, "info": "…", "code": 1000, "state": 1}`.
//!
//! Every answer of an operation is HTTP `200` with this envelope, success or
//! not, as such APIs answer and as the document's examples imply (it shows
//! bodies only, never a status): the apps read `code`. Only requests that
//! reach no operation differ: an unknown action is `404` and a method the
//! document does not give is `405` (with `Allow`), both with the envelope.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::borrow::Cow;

/// The document's numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Code {
    /// 1000: success.
    Success,
    /// 996 获取失败: the verification state could not be read.
    FetchFailed,
    /// 997 缺少必须参数 / 图片名称地址不能空.
    MissingParameter,
    /// 998 添加失败 / 资格证上传失败.
    AddFailed,
    /// 999 用户未登录: no token, or (where 1015 is not documented) a token
    /// of no live session.
    NotLoggedIn,
    /// 1001 输入的信息有误 (real-name submission).
    InputWrong,
    /// 1006 输入的信息不符合 / 账号密码格式不正确.
    InputMismatch,
    /// 1007 注册的账号已存在.
    AccountExists,
    /// 1008 验证码有误 (registration).
    SmsCodeWrong,
    /// 1009 注册失败.
    RegisterFailed,
    /// 1010 账号密码错误.
    WrongCredentials,
    /// 1012 认证失败.
    VerificationFailed,
    /// 1013 验证码有误 (password reset) / 请填写正确的身份信息 (real name).
    WrongCodeOrIdentity,
    /// 1015 用户不存在: a token of no live session, where documented.
    UserNotFound,
    /// 404: not an operation of the document (this facade's own).
    UnknownAction,
    /// 405: a method the document does not give (this facade's own).
    WrongMethod,
}

impl Code {
    pub(super) fn number(self) -> u32 {
        match self {
            Code::Success => 1000,
            Code::FetchFailed => 996,
            Code::MissingParameter => 997,
            Code::AddFailed => 998,
            Code::NotLoggedIn => 999,
            Code::InputWrong => 1001,
            Code::InputMismatch => 1006,
            Code::AccountExists => 1007,
            Code::SmsCodeWrong => 1008,
            Code::RegisterFailed => 1009,
            Code::WrongCredentials => 1010,
            Code::VerificationFailed => 1012,
            Code::WrongCodeOrIdentity => 1013,
            Code::UserNotFound => 1015,
            Code::UnknownAction => 404,
            Code::WrongMethod => 405,
        }
    }
}

/// One answer of the facade.
#[derive(Debug)]
pub(super) struct Reply {
    pub(super) data: Value,
    pub(super) info: Cow<'static, str>,
    pub(super) code: Code,
    /// 1 on success, 2 on failure; the document shows 1 on one failure
    /// (`exit_login`'s 1015), see [`Reply::with_state`].
    pub(super) state: u8,
    status: StatusCode,
    allow: Option<&'static str>,
}

impl Reply {
    /// `code 1000, state 1` with `data`.
    pub(super) fn ok(data: Value, info: &'static str) -> Reply {
        Reply {
            data,
            info: Cow::Borrowed(info),
            code: Code::Success,
            state: 1,
            status: StatusCode::OK,
            allow: None,
        }
    }

    /// A failure: `data ""`, `state 2`.
    pub(super) fn fail(code: Code, info: impl Into<Cow<'static, str>>) -> Reply {
        Reply {
            data: Value::String(String::new()),
            info: info.into(),
            code,
            state: 2,
            status: StatusCode::OK,
            allow: None,
        }
    }

    /// The same answer with another `state`.
    pub(super) fn with_state(mut self, state: u8) -> Reply {
        self.state = state;
        self
    }

    pub(super) fn unknown_action() -> Reply {
        Reply {
            status: StatusCode::NOT_FOUND,
            ..Reply::fail(Code::UnknownAction, "接口不存在")
        }
    }

    /// `allow` is the `Allow` header's value, e.g. `POST`.
    pub(super) fn wrong_method(allow: &'static str) -> Reply {
        Reply {
            status: StatusCode::METHOD_NOT_ALLOWED,
            allow: Some(allow),
            ..Reply::fail(Code::WrongMethod, format!("请求方法错误,请使用 {allow}"))
        }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let body = json!({
            "data": self.data,
            "info": self.info,
            "code": self.code.number(),
            "state": self.state,
        });
        let mut res = (self.status, Json(body)).into_response();
        let headers = res.headers_mut();
        // Answers carry tokens and personal data.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(allow) = self.allow {
            headers.insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        res
    }
}
