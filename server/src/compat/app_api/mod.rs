//! The facade for seed 002, the app API under `Api/User/…` with the
//! `{data, info, code, state}` envelope: see `README.md`, "Compatible APIs".
//!
//! Its callers are end users' mobile apps, so it is not limited to the
//! service network: they authenticate with the token `login` and `register`
//! hand out. The document says to keep that token for the whole session
//! ("token需要保存起来"), so it is the session's refresh token, checked with
//! [`UserCenter::authenticate_session_token`] (a 15-minute access token
//! could not serve); `exit_login` ends the session.
//!
//! Every path is `/Api/User/{action}`, optionally followed by `/` or by
//! ThinkPHP-style `key/value` segments (`/token/{token}`); see [`params`].

mod accounts;
mod addresses;
mod details;
mod envelope;
#[cfg(test)]
mod fuzz_tests;
mod params;
mod reviews;
mod status;

use super::CompatSettings;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use domain::{AuthContext, UserCenter};
use edge::Caller;
use envelope::{Code, Reply};
use params::Params;
use std::sync::Arc;

/// This facade's own settings (`UC_COMPAT_APP_API_*`).
#[derive(clap::Args, Clone, Debug, Default)]
// Each facade's settings are their own argument group (clap names
// groups after the struct, and every facade's is called `Options`).
#[group(id = "compat-app-api")]
pub struct Options {
    /// Wallet currency (a code or an alias) whose available balance
    /// `get_user_details` shows as `integral` (积分). Empty: the currency
    /// with the alias `integral` (seeded: POINTS), else "0".
    #[arg(long = "compat-app-api-integral", env = "UC_COMPAT_APP_API_INTEGRAL",
          default_value = "", global = true, value_parser = currency_name)]
    pub integral: String,

    /// The same for `currency` (小马砖). Empty: the currency with the alias
    /// `currency`, else "".
    #[arg(long = "compat-app-api-currency", env = "UC_COMPAT_APP_API_CURRENCY",
          default_value = "", global = true, value_parser = currency_name)]
    pub currency: String,

    /// The same for `virtual_currency` (红包, withdrawable). Empty: the
    /// currency with the alias `virtual_currency`, else "".
    #[arg(long = "compat-app-api-virtual-currency", env = "UC_COMPAT_APP_API_VIRTUAL_CURRENCY",
          default_value = "", global = true, value_parser = currency_name)]
    pub virtual_currency: String,

    /// Where avatar files are reached from outside, e.g.
    /// https://id.example.com: put before `/media/avatars/…` in `portrait`,
    /// and accepted before it in `uploadPortrait` addresses. Empty: the
    /// path alone.
    #[arg(long = "compat-app-api-media-base", env = "UC_COMPAT_APP_API_MEDIA_BASE",
          default_value = "", global = true, value_parser = media_base)]
    pub media_base: String,
}

/// Empty, or a currency code or alias (1–32 letters, digits, `_`, `-`),
/// kept as typed: the facade looks it up as given, then upper-cased.
fn currency_name(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(String::new());
    }
    shared::currency::check_alias(value).map_err(|_| {
        format!("{value:?} is not a currency code or alias like CNY or integral (1–32 letters, digits, _ or -)")
    })
}

/// Empty, or an `http(s)://host[/path]` base without a trailing `/`.
fn media_base(value: &str) -> Result<String, String> {
    let value = value.trim().trim_end_matches('/');
    if value.is_empty() {
        return Ok(String::new());
    }
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    let ok = rest.is_some_and(|r| {
        let host = r.split('/').next().unwrap_or_default();
        !host.is_empty()
            && !host.contains('@')
            && !r.contains(['?', '#', '\\'])
            && !r.chars().any(|c| c.is_whitespace() || c.is_control())
    });
    if ok {
        Ok(value.to_string())
    } else {
        Err(format!(
            "{value:?} is not a base URL like https://id.example.com"
        ))
    }
}

/// What the handlers share.
#[derive(Clone)]
struct Facade {
    uc: UserCenter,
    options: Arc<Options>,
}

/// The facade's routes at the seed's own paths.
pub fn routes(uc: UserCenter, settings: &CompatSettings) -> Router {
    let facade = Facade {
        uc,
        options: Arc::new(settings.app_api.clone()),
    };
    Router::new()
        .route("/Api/User/{action}", any(dispatch))
        .route("/Api/User/{action}/", any(dispatch))
        .route("/Api/User/{action}/{*rest}", any(dispatch))
        .with_state(facade)
}

/// The document's operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operation {
    Register,
    Verification,
    GetVerification,
    Login,
    RetrievePassword,
    GetUserDetails,
    UploadPortrait,
    AuthenticationQualifications,
    ExitLogin,
}

impl Operation {
    const ALL: [(&'static str, Operation); 9] = [
        ("register", Operation::Register),
        ("verification", Operation::Verification),
        ("getVerification", Operation::GetVerification),
        ("login", Operation::Login),
        ("retrieve_password", Operation::RetrievePassword),
        ("get_user_details", Operation::GetUserDetails),
        ("uploadPortrait", Operation::UploadPortrait),
        (
            "authenticationQualifications",
            Operation::AuthenticationQualifications,
        ),
        ("exit_login", Operation::ExitLogin),
    ];

    /// The action as the document spells it (ASCII case aside).
    fn parse(action: &str) -> Option<Operation> {
        Self::ALL
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(action))
            .map(|(_, op)| *op)
    }

    /// The methods the document gives (`post:` / `get:`); both where it
    /// gives none (`verification`, `getVerification`).
    fn allow(self) -> &'static str {
        match self {
            Operation::Register
            | Operation::Login
            | Operation::RetrievePassword
            | Operation::UploadPortrait => "POST",
            Operation::GetUserDetails
            | Operation::AuthenticationQualifications
            | Operation::ExitLogin => "GET",
            Operation::Verification | Operation::GetVerification => "GET, POST",
        }
    }

    fn allows(self, method: &Method) -> bool {
        self.allow().split(", ").any(|m| m == method.as_str())
    }
}

/// One request: find the operation, check the method, read the fields,
/// run it.
async fn dispatch(
    State(facade): State<Facade>,
    caller: Caller,
    method: Method,
    Path(path): Path<Vec<(String, String)>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let value = |name: &str| {
        path.iter()
            .find(|(key, _)| key == name)
            .map(|(_, v)| v.as_str())
    };
    let Some(op) = value("action").and_then(Operation::parse) else {
        return Reply::unknown_action().into_response();
    };
    if !op.allows(&method) {
        return Reply::wrong_method(op.allow()).into_response();
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    // An unreadable or oversized body adds no fields; the operation then
    // answers its own "missing input" code.
    let body = body.unwrap_or_default();
    let params = Params::parse(value("rest"), &body, content_type, query.as_deref());
    let request = Request {
        facade: &facade,
        caller: &caller,
        params: &params,
        host: headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::trim),
    };
    let reply = match op {
        Operation::Register => accounts::register(&request).await,
        Operation::Login => accounts::login(&request).await,
        Operation::RetrievePassword => accounts::retrieve_password(&request).await,
        Operation::ExitLogin => accounts::exit_login(&request).await,
        Operation::GetUserDetails => details::get_user_details(&request).await,
        Operation::UploadPortrait => details::upload_portrait(&request).await,
        Operation::Verification => reviews::verification(&request).await,
        Operation::GetVerification => reviews::get_verification(&request).await,
        Operation::AuthenticationQualifications => reviews::qualification(&request).await,
    };
    reply.into_response()
}

/// What an operation reads.
struct Request<'a> {
    facade: &'a Facade,
    caller: &'a Caller,
    params: &'a Params,
    /// The `Host` header, for absolute image addresses.
    host: Option<&'a str>,
}

/// Why a request has no session.
enum NoSession {
    /// No token was sent.
    Missing,
    /// The token belongs to no live session (ended, rotated away by a
    /// REST refresh, unknown, or the account may no longer sign in).
    Unknown,
}

impl NoSession {
    /// 999 for both, as most operations document.
    fn not_logged_in(self) -> Reply {
        Reply::fail(Code::NotLoggedIn, "用户未登录")
    }

    /// 999 without a token, 1015 for a token of no live session, where
    /// the document lists 1015 (`get_user_details`, `exit_login`).
    fn or_unknown_user(self) -> Reply {
        match self {
            NoSession::Missing => self.not_logged_in(),
            NoSession::Unknown => Reply::fail(Code::UserNotFound, "用户不存在"),
        }
    }
}

impl Request<'_> {
    fn uc(&self) -> &UserCenter {
        &self.facade.uc
    }

    /// The session of the request's token (path, body or query, in that
    /// order; see [`params`]). Only a session token of this facade's
    /// `login`/`register` counts; a REST access token does not.
    async fn session(&self) -> Result<AuthContext, NoSession> {
        let token = self.params.get("token").ok_or(NoSession::Missing)?;
        match self.uc().authenticate_session_token(token.trim()).await {
            Ok(auth) => Ok(auth.seen_from(&self.caller.client)),
            Err(e) => {
                if e.code() == shared::ErrorCode::Internal {
                    tracing::warn!(error = %e, "app API: token check failed");
                }
                Err(NoSession::Unknown)
            }
        }
    }

    /// The caller's client facts, with the device id the app sent as
    /// `RegistrationID` or `uuid` when it is a valid device id (else the
    /// `X-Device-Id` header's, as everywhere).
    fn client(&self) -> domain::ClientInfo {
        let mut client = self.caller.client.clone();
        if let Some(id) = self
            .params
            .any_of(&["RegistrationID", "uuid"])
            .and_then(|id| shared::validate::check_device_id(id).ok())
        {
            client.device_id = Some(id);
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse() {
        assert_eq!(currency_name(" cny ").unwrap(), "cny");
        assert_eq!(currency_name("integral").unwrap(), "integral");
        assert_eq!(currency_name("").unwrap(), "");
        assert!(currency_name("小马砖").is_err());
        assert_eq!(
            media_base("https://id.example.com/").unwrap(),
            "https://id.example.com"
        );
        assert_eq!(media_base("").unwrap(), "");
        for bad in [
            "id.example.com",
            "ftp://x",
            "https://",
            "https://a@b",
            "https://x/?q",
        ] {
            assert!(media_base(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn actions_and_methods() {
        assert_eq!(
            Operation::parse("get_user_details"),
            Some(Operation::GetUserDetails)
        );
        assert_eq!(
            Operation::parse("UploadPortrait"),
            Some(Operation::UploadPortrait)
        );
        assert_eq!(Operation::parse("delete_everything"), None);
        assert!(Operation::Register.allows(&Method::POST));
        assert!(!Operation::Register.allows(&Method::GET));
        assert!(Operation::Verification.allows(&Method::GET));
        assert!(Operation::Verification.allows(&Method::POST));
        assert!(!Operation::ExitLogin.allows(&Method::POST));
    }
}
