//! The facade for seed `java110` (001): `POST /api/user.service.register`,
//! `/api/user.service.login` and `/api/check.service.login`, as java110's
//! API gateway answers them. See `README.md`, "Compatible APIs".
//!
//! Every request is signed by a service app (`server admin create-app`):
//! the headers `app_id`, `transaction_id`, `req_time` and `sign`, checked by
//! the domain ([`domain::legacy_signatures`]) before the body is read. The
//! answers are java110's: `200` with a JSON body on success, otherwise
//! another status whose plain-text body is the reason.
//!
//! Passwords arrive as java110's salted digest
//! `md5(md5(password + "hc@java110"))`; the domain keeps an argon2id
//! verifier over it ([`DigestScheme::Java110`]), so the same person signs in
//! with the plaintext on the web.

use super::CompatSettings;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use domain::accounts::Registration;
use domain::legacy_signatures::{format_compact_time, Java110Request};
use domain::password_digests::DigestScheme;
use domain::service_apps::Scope;
use domain::{DomainError, UserCenter};
use edge::Caller;
use serde_json::{json, Map, Value};
use shared::dto::UserProfile;
use shared::identity::Gender;
use shared::profile::UpdateProfileRequest;
use shared::ErrorCode;
use std::fmt;
use std::str::FromStr;

/// This facade's own settings (`UC_COMPAT_JAVA110_*`).
#[derive(clap::Args, Clone, Debug, Default)]
// Each facade's settings are their own argument group (clap names
// groups after the struct, and every facade's is called `Options`).
#[group(id = "compat-java110")]
pub struct Options {
    /// The time zone of `req_time` and `responseTime` (`YYYYMMDDhhmmss`,
    /// local time of the java110 deployment): a fixed offset such as
    /// `+08:00`, `-05:30`, `UTC+8` or `Z`.
    #[arg(
        long = "compat-java110-tz",
        env = "UC_COMPAT_JAVA110_TZ",
        default_value = "+08:00",
        global = true
    )]
    pub tz: UtcOffset,
}

/// A fixed offset from UTC, in seconds east.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UtcOffset(pub i32);

/// China Standard Time, java110's home (and what `Default` and clap agree on).
impl Default for UtcOffset {
    fn default() -> Self {
        UtcOffset(8 * 3600)
    }
}

impl fmt::Display for UtcOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { '-' } else { '+' };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60)
    }
}

impl FromStr for UtcOffset {
    type Err = String;

    /// `+08:00`, `+0800`, `+08`, `+8`, with an optional `UTC`/`GMT` before
    /// it; `Z`, `UTC` or `GMT` alone for UTC. At most ±14:00, whole minutes.
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let invalid = || format!("{raw:?} is not a UTC offset such as +08:00, -05:30 or UTC+8");
        let text = raw.trim();
        let upper = text.to_ascii_uppercase();
        let rest = upper
            .strip_prefix("UTC")
            .or_else(|| upper.strip_prefix("GMT"))
            .unwrap_or(&upper);
        if rest.is_empty() || rest == "Z" {
            return if upper.is_empty() {
                Err(invalid())
            } else {
                Ok(UtcOffset(0))
            };
        }
        let (sign, digits) = match rest.as_bytes()[0] {
            b'+' => (1, &rest[1..]),
            b'-' => (-1, &rest[1..]),
            _ => return Err(invalid()),
        };
        let (hours, minutes) = match digits.split_once(':') {
            Some((h, m)) => (h, m),
            // Four bytes split in two only when they are four characters.
            None if digits.len() == 4 && digits.is_ascii() => digits.split_at(2),
            None => (digits, "0"),
        };
        let number = |s: &str| {
            (!s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<i32>().ok())
                .flatten()
        };
        let (Some(h), Some(m)) = (number(hours), number(minutes)) else {
            return Err(invalid());
        };
        if m >= 60 || h * 60 + m > 14 * 60 {
            return Err(invalid());
        }
        Ok(UtcOffset(sign * (h * 3600 + m * 60)))
    }
}

/// The facade's routes at the seed's own paths.
pub fn routes(uc: UserCenter, settings: &CompatSettings) -> Router {
    let state = Java110 {
        uc,
        tz: settings.java110.tz,
    };
    Router::new()
        .route("/api/user.service.register", post(register))
        .route("/api/user.service.login", post(login))
        .route("/api/check.service.login", post(check))
        .with_state(state)
}

#[derive(Clone)]
struct Java110 {
    uc: UserCenter,
    tz: UtcOffset,
}

/// A refusal: the status and the plain-text reason java110 clients show.
#[derive(Debug)]
struct Failure {
    status: StatusCode,
    reason: String,
    retry_after: Option<i64>,
}

impl Failure {
    fn bad_request(reason: impl Into<String>) -> Self {
        Failure {
            status: StatusCode::BAD_REQUEST,
            reason: reason.into(),
            retry_after: None,
        }
    }
}

/// Domain errors keep the product's status for their code (401 for
/// signatures and credentials, 403 for scopes and disabled accounts, 409
/// for replays and taken contacts, 429 for locks), except that a captcha
/// demand is 429: java110's protocol has no captcha, so its client can only
/// wait or send the user to the web sign-in.
impl From<DomainError> for Failure {
    fn from(e: DomainError) -> Self {
        let error = e.to_app_error();
        let status = match error.code {
            ErrorCode::CaptchaRequired | ErrorCode::CaptchaIncorrect => {
                StatusCode::TOO_MANY_REQUESTS
            }
            code => StatusCode::from_u16(code.http_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        };
        let mut reason = match error.code {
            ErrorCode::CaptchaRequired | ErrorCode::CaptchaIncorrect => {
                "Too many failed sign-ins: this account (or this client) must now solve \
                 a captcha. Sign in on the web once, or send captcha_key and \
                 captcha_answer from GET /api/v1/captcha."
                    .to_string()
            }
            _ => error.message.clone(),
        };
        if let Some(left) = error.login.as_ref().map(|l| l.remaining_consecutive) {
            if error.code == ErrorCode::InvalidCredentials {
                reason.push_str(&format!(" {left} attempts left before the account locks."));
            }
        }
        if let Some(secs) = error.retry_after_secs {
            reason.push_str(&format!(" Try again in {secs} seconds."));
        }
        Failure {
            status,
            reason,
            retry_after: error.retry_after_secs,
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let mut res = (
            self.status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            self.reason,
        )
            .into_response();
        if let Some(secs) = self.retry_after {
            if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        res
    }
}

impl Java110 {
    /// Checks the signature headers under `scope`, then reads the body as a
    /// JSON object (whatever its `Content-Type`: java110's gateway reads
    /// the raw body).
    async fn verified(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        scope: Scope,
    ) -> Result<Map<String, Value>, Failure> {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let app = self
            .uc
            .verify_java110_request(Java110Request {
                app_id: header("app_id"),
                transaction_id: header("transaction_id"),
                req_time: header("req_time"),
                sign: header("sign"),
                body,
                utc_offset_secs: self.tz.0,
            })
            .await?;
        app.require(scope)?;
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(Failure::bad_request("The body must be a JSON object.")),
        }
    }

    /// `YYYYMMDDhhmmss` now, in the configured zone.
    fn response_time(&self) -> String {
        format_compact_time(domain::clock::now(), self.tz.0)
    }
}

/// A field as text: a string, or a number written out (`"sex": 0`); absent,
/// `null` and blank are `None`.
fn text(body: &Map<String, Value>, name: &str) -> Result<Option<String>, Failure> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(Failure::bad_request(format!("{name} must be a string."))),
    }
}

fn required(body: &Map<String, Value>, name: &str) -> Result<String, Failure> {
    text(body, name)?.ok_or_else(|| Failure::bad_request(format!("{name} is required.")))
}

/// java110's password digest, `md5(md5(password + "hc@java110"))`: 32 hex
/// digits, compared in lowercase. Anything else is not a digest java110's
/// own code produces (the document's register example, `ERCBHD…`, is a
/// placeholder of 33 letters), and no plaintext password could ever match
/// it on the web, so it is refused rather than stored.
fn digest(body: &Map<String, Value>, name: &str) -> Result<String, Failure> {
    DigestScheme::Java110
        .normalise(&required(body, name)?)
        .ok_or_else(|| {
            Failure::bad_request(format!(
                "{name} must be java110's password digest md5(md5(password + \"hc@java110\")): \
                 32 hexadecimal digits."
            ))
        })
}

/// java110's `sex`: `0` a boy, `1` a girl.
fn gender(body: &Map<String, Value>) -> Result<Option<Gender>, Failure> {
    match text(body, "sex")?.as_deref() {
        None => Ok(None),
        Some("0") => Ok(Some(Gender::Male)),
        Some("1") => Ok(Some(Gender::Female)),
        Some(_) => Err(Failure::bad_request("sex must be 0 (male) or 1 (female).")),
    }
}

/// The name java110 answers as `userName`: the display name, else the
/// username, email or phone.
fn user_name(user: &UserProfile) -> String {
    [&user.display_name, &user.username, &user.email, &user.phone]
        .into_iter()
        .find_map(|v| v.clone())
        .unwrap_or_default()
}

/// `POST /api/user.service.register`: `{name, email, password, tel, sex}`
/// → `{"responseTime", "userId"}`.
async fn register(
    State(s): State<Java110>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Failure> {
    let body = s.verified(&headers, &body, Scope::UsersWrite).await?;
    let email = text(&body, "email")?.unwrap_or_default();
    let tel = text(&body, "tel")?.unwrap_or_default();
    let password = digest(&body, "password")?;
    // Checked before the account is created, so a bad name or sex creates
    // nothing.
    let name = text(&body, "name")?
        .map(|n| shared::identity::normalize_display_name(&n))
        .transpose()
        .map_err(|e| Failure::bad_request(format!("name: {}", e.message)))?;
    let gender = gender(&body)?;
    let form = Registration {
        email: &email,
        phone: &tel,
        ..Default::default()
    };
    let user =
        s.uc.create_user_with_digest(form, DigestScheme::Java110, &password)
            .await?;
    if name.is_some() || gender.is_some() {
        let change = UpdateProfileRequest {
            display_name: name,
            gender,
            ..Default::default()
        };
        s.uc.update_profile(user.id, &change).await?;
    }
    Ok(Json(json!({
        "responseTime": s.response_time(),
        "userId": user.id.to_string(),
    }))
    .into_response())
}

/// `POST /api/user.service.login`: `{username, passwd}` →
/// `{"userName", "userId", "token"}`; the token is the session's
/// long-lived token, which `check.service.login` accepts.
async fn login(
    State(s): State<Java110>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Failure> {
    let body = s.verified(&headers, &body, Scope::UsersWrite).await?;
    let username = required(&body, "username")?;
    let passwd = digest(&body, "passwd")?;
    // Not java110's: for a client that learned to pass the captcha the
    // domain asks for after repeated failures (see `Failure`).
    let captcha_key = text(&body, "captcha_key")?;
    let captcha_answer = text(&body, "captcha_answer")?;
    let captcha = captcha_key.as_deref().zip(captcha_answer.as_deref());
    let auth =
        s.uc.login_with_digest(
            &username,
            DigestScheme::Java110,
            &passwd,
            captcha,
            &caller.client,
        )
        .await?;
    Ok(Json(json!({
        "userName": user_name(&auth.user),
        "userId": auth.user.id.to_string(),
        "token": auth.refresh_token,
    }))
    .into_response())
}

/// `POST /api/check.service.login`: `{token}` → `{"userId"}` while the
/// session lives.
async fn check(
    State(s): State<Java110>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Failure> {
    let body = s.verified(&headers, &body, Scope::AuthCheck).await?;
    let token = required(&body, "token")?;
    let auth =
        s.uc.authenticate_session_token(&token)
            .await
            .map_err(|e| match e.code() {
                ErrorCode::Unauthenticated => Failure {
                    status: StatusCode::UNAUTHORIZED,
                    reason: "The token is not valid: unknown, signed out or expired.".into(),
                    retry_after: None,
                },
                _ => Failure::from(e),
            })?;
    Ok(Json(json!({ "userId": auth.user_id.to_string() })).into_response())
}

#[cfg(test)]
mod fuzz_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_parse_in_the_usual_spellings() {
        let ok = [
            ("+08:00", 8 * 3600),
            ("+0800", 8 * 3600),
            ("+08", 8 * 3600),
            ("+8", 8 * 3600),
            ("UTC+8", 8 * 3600),
            ("gmt+08:00", 8 * 3600),
            ("-05:30", -(5 * 3600 + 30 * 60)),
            ("Z", 0),
            ("UTC", 0),
            ("+00:00", 0),
            ("+14:00", 14 * 3600),
        ];
        for (text, secs) in ok {
            assert_eq!(text.parse::<UtcOffset>(), Ok(UtcOffset(secs)), "{text}");
        }
        for bad in [
            "",
            "8",
            "+15:00",
            "+08:60",
            "Asia/Shanghai",
            "+0a:00",
            "+123",
        ] {
            assert!(bad.parse::<UtcOffset>().is_err(), "{bad}");
        }
        // Four bytes that are not four characters: refused, not a panic
        // (found by the decoder fuzzing).
        for bad in ["-0一", "+1é1", "UTC+é12"] {
            assert!(bad.parse::<UtcOffset>().is_err(), "{bad}");
        }
        assert_eq!(UtcOffset::default().to_string(), "+08:00");
        assert_eq!(UtcOffset(-(5 * 3600 + 1800)).to_string(), "-05:30");
    }
}
