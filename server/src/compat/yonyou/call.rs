//! One yonyou request as the handlers see it: its fields ([`Params`]),
//! the caller's facts for the domain, and the language of messages.
//!
//! Extracting it never fails: a body that cannot be read is kept as the
//! reason, and each handler answers it in its own envelope.

use super::params::{Params, Unreadable};
use super::user_vo::Contacts;
use super::Yonyou;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::{ACCEPT_LANGUAGE, CONTENT_TYPE};
use domain::{ClientInfo, Lang};
use edge::Caller;
use std::convert::Infallible;

/// The request.
pub(super) struct Call {
    pub(super) params: Result<Params, Unreadable>,
    pub(super) client: ClientInfo,
    /// The caller's language when it names one, else Chinese: yonyou's
    /// users are, and its SDK sends no `Accept-Language`.
    pub(super) lang: Lang,
}

impl<S: Send + Sync> FromRequest<S> for Call {
    type Rejection = Infallible;

    async fn from_request(req: Request, state: &S) -> Result<Self, Infallible> {
        let (parts, body) = req.into_parts();
        let caller = Caller::from_parts(&parts);
        let lang = if parts.headers.contains_key(ACCEPT_LANGUAGE) {
            caller.lang
        } else {
            Lang::ZhCn
        };
        let content_type = parts
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let query = parts.uri.query().map(str::to_string);
        let params = match Bytes::from_request(Request::from_parts(parts, body), state).await {
            Ok(bytes) => Params::parse(content_type.as_deref(), query.as_deref(), &bytes),
            Err(_) => Err(Unreadable("请求体过大或无法读取")),
        };
        Ok(Call {
            params,
            client: caller.client,
            lang,
        })
    }
}

impl Yonyou {
    /// Plain contacts when the request carries the configured `secretKey`.
    pub(super) fn contacts(&self, params: &Params) -> Contacts {
        match params.text(&["secretKey", "secretkey"]) {
            Some(key) if self.secret_key.matches(&key) => Contacts::Plain,
            _ => Contacts::Masked,
        }
    }
}

/// The account id a yonyou `userId` names: the product's ids are integers,
/// handed out as decimal strings. `None` for anything else (a yonyou UUID
/// names no account here).
pub(super) fn user_id(params: &Params) -> Option<i64> {
    parse_user_id(&params.text(&["userId", "userid", "userID"])?)
}

pub(super) fn parse_user_id(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() || text.len() > 19 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|id| *id > 0)
}

/// The calling application's `sysId` (any of the document's spellings).
pub(super) fn sys_id(params: &Params) -> String {
    params
        .text(&["sysId", "sysid", "systId", "systemCode"])
        .unwrap_or_default()
}
