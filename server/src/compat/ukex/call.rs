//! One call of a ukex server: its body as named fields (JSON or form), its
//! `token` header and its client, read once by the [`Call`] extractor.
//!
//! Reading never fails the request by itself: a body that cannot be read
//! is kept as a [`Problem`], so each operation answers it with its own
//! failure word in the seed's envelope.

use super::envelope::Problem;
use super::Ukex;
use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, Method};
use axum::Form;
use domain::{AuthContext, ClientInfo};
use edge::Caller;
use serde_json::{Map, Value};

/// Largest body a call may have: the seed's requests are a few fields.
const BODY_LIMIT: usize = 64 * 1024;

/// A call as the handlers see it.
pub(crate) struct Call {
    /// IP and user agent of the calling server, for sessions and audit rows.
    pub(crate) client: ClientInfo,
    token: Option<String>,
    request_id_header: Option<String>,
    fields: Result<Fields, String>,
}

impl FromRequest<Ukex> for Call {
    type Rejection = std::convert::Infallible;

    async fn from_request(req: Request, _: &Ukex) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let caller = Caller::from_parts(&parts);
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let token = header("token");
        let request_id_header = header("x-request-id").or_else(|| header("x-transaction-id"));
        let fields = if parts.method == Method::POST {
            read_fields(&parts.headers, body).await
        } else {
            Err(format!(
                "请求方式须为 POST（收到 {}）",
                parts.method.as_str()
            ))
        };
        Ok(Call {
            client: caller.client,
            token,
            request_id_header,
            fields,
        })
    }
}

impl Call {
    /// The body's fields, or why it could not be read.
    pub(crate) fn fields(&self) -> Result<&Fields, Problem> {
        self.fields.as_ref().map_err(|e| Problem::new(e.clone()))
    }

    /// The user whose session token is in the `token` header, seen from
    /// this call's client.
    pub(crate) async fn user(&self, uc: &domain::UserCenter) -> Result<AuthContext, Problem> {
        let token = self
            .token
            .as_deref()
            .ok_or_else(|| Problem::new("未登录：请求头缺少 token (UNAUTHENTICATED)"))?;
        Ok(uc
            .authenticate_session_token(token)
            .await?
            .seen_from(&self.client))
    }

    /// The client's idempotency key for a wallet call: the
    /// `X-Request-Id` / `X-Transaction-Id` header, else a `requestId`,
    /// `request_id`, `transaction_id` or `transactionId` field.
    pub(crate) fn request_id(&self) -> Result<Option<String>, Problem> {
        if let Some(id) = &self.request_id_header {
            return Ok(Some(id.clone()));
        }
        self.fields()?
            .first_text(&["requestId", "request_id", "transaction_id", "transactionId"])
    }
}

/// Reads a JSON object or a form body into fields.
async fn read_fields(headers: &HeaderMap, body: Body) -> Result<Fields, String> {
    let bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|_| format!("请求体过大（最多 {} KB）", BODY_LIMIT / 1024))?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let text = std::str::from_utf8(&bytes).map_err(|_| "请求体不是 UTF-8 文本".to_string())?;
    if text.trim().is_empty() {
        return Ok(Fields::default());
    }
    let json = if content_type.contains("json") {
        true
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        false
    } else if content_type.is_empty() || content_type.starts_with("text/plain") {
        text.trim_start().starts_with('{')
    } else {
        return Err(format!(
            "不支持的 Content-Type {content_type}，请用 application/json 或 application/x-www-form-urlencoded"
        ));
    };
    if json {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => Ok(Fields(map)),
            Ok(_) => Err("请求体须为 JSON 对象".into()),
            Err(_) => Err("请求体不是有效的 JSON".into()),
        }
    } else {
        form_fields(bytes).await
    }
}

/// A form as fields: `a=1&a=2`, `a[]=1&a[]=2` and `a[0]=1&a[1]=2` are the
/// list `a`; a key given once without brackets is a single value.
async fn form_fields(bytes: axum::body::Bytes) -> Result<Fields, String> {
    let req = Request::builder()
        .method(Method::POST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(bytes))
        .map_err(|_| "请求体不是有效的表单".to_string())?;
    let Form(pairs) = Form::<Vec<(String, String)>>::from_request(req, &())
        .await
        .map_err(|_| "请求体不是有效的表单".to_string())?;
    let mut map = Map::new();
    for (key, value) in pairs {
        let (name, listed) = match key.find('[') {
            Some(i) if key.ends_with(']') => (key[..i].to_string(), true),
            _ => (key, false),
        };
        let value = Value::String(value);
        match map.get_mut(&name) {
            Some(Value::Array(items)) => items.push(value),
            Some(single) => {
                let first = single.take();
                *single = Value::Array(vec![first, value]);
            }
            None if listed => {
                map.insert(name, Value::Array(vec![value]));
            }
            None => {
                map.insert(name, value);
            }
        }
    }
    Ok(Fields(map))
}

/// A call's named fields. Names are matched exactly, else ignoring ASCII
/// case (`userid` finds `UserId`).
#[derive(Debug, Default)]
pub(crate) struct Fields(Map<String, Value>);

impl Fields {
    fn get(&self, name: &str) -> Option<&Value> {
        self.0
            .get(name)
            .or_else(|| {
                self.0
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v)
            })
            .filter(|v| !v.is_null())
    }

    /// Whether the field is there with a value (not null, not "").
    pub(crate) fn has(&self, name: &str) -> bool {
        match self.get(name) {
            Some(Value::String(s)) => !s.trim().is_empty(),
            Some(_) => true,
            None => false,
        }
    }

    /// A text field as sent (not trimmed: passwords are taken as typed);
    /// an integer is taken as its digits. `None` when absent or empty.
    pub(crate) fn text(&self, name: &str) -> Result<Option<String>, Problem> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(Some(n.to_string())),
            Some(_) => Err(Problem::invalid(name, "须为字符串")),
        }
    }

    /// A text field that must be there.
    pub(crate) fn required(&self, name: &str) -> Result<String, Problem> {
        self.text(name)?.ok_or_else(|| Problem::missing(name))
    }

    /// The first of several names that is there.
    pub(crate) fn first_text(&self, names: &[&str]) -> Result<Option<String>, Problem> {
        for name in names {
            if let Some(value) = self.text(name)? {
                return Ok(Some(value));
            }
        }
        Ok(None)
    }

    /// An integer field, given as a number or as digits.
    pub(crate) fn int(&self, name: &str) -> Result<Option<i64>, Problem> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| Problem::invalid(name, "须为整数")),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| Problem::invalid(name, "须为整数")),
            Some(_) => Err(Problem::invalid(name, "须为整数")),
        }
    }

    /// An integer field that must be there.
    pub(crate) fn required_int(&self, name: &str) -> Result<i64, Problem> {
        self.int(name)?.ok_or_else(|| Problem::missing(name))
    }

    /// A list field (`List<T>`): a JSON array, a JSON array written as
    /// text (as form clients send it), or one value as a list of one.
    pub(crate) fn list(&self, name: &str) -> Result<Vec<Value>, Problem> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => Ok(items.clone()),
            Some(Value::String(s)) if s.trim_start().starts_with('[') => {
                match serde_json::from_str::<Value>(s) {
                    Ok(Value::Array(items)) => Ok(items),
                    _ => Err(Problem::invalid(name, "须为列表")),
                }
            }
            Some(Value::String(s)) if s.trim().is_empty() => Ok(Vec::new()),
            Some(Value::Object(_)) => Err(Problem::invalid(name, "须为列表")),
            Some(single) => Ok(vec![single.clone()]),
        }
    }
}

/// The user id a request names (`uid`, `UserId`, `buyerUserId`, …), which
/// must be the token's own user.
pub(crate) fn own_user(fields: &Fields, name: &str, auth: &AuthContext) -> Result<(), Problem> {
    let raw = fields.required(name)?;
    match raw.trim().parse::<i64>() {
        Ok(id) if id == auth.user_id => Ok(()),
        Ok(_) => Err(Problem::not_yours(name)),
        Err(_) => Err(Problem::invalid(name, "须为用户 id（数字）")),
    }
}

#[cfg(test)]
mod fuzz_tests;
