//! The facade for seed `jigsaw` (000), the jigsaw RPC user API: one
//! operation per trade code (交易代码), called as
//! `POST /jigsaw/{tradeCode}` with a JSON object (or a form) of English
//! keys for the document's Chinese fields, answered with `result`
//! (`SUCCESS` / `FAIL`) and the documented return fields. See `README.md`,
//! "Compatible APIs", for the key table and the status numbers.
//!
//! The document describes server-to-server calls with no credential, so the
//! facade answers only `UC_COMPAT_ALLOW_FROM` (applied by `compat::routes`).
//! Passwords arrive as `MD5(MD5(password))` ([`DigestScheme::DoubleMd5`]).

mod envelope;
#[cfg(test)]
mod fuzz_tests;
mod request;
mod trades;
mod user_info;

use super::CompatSettings;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use domain::password_digests::DigestScheme;
use domain::{Lang, UserCenter};
use edge::Caller;
use envelope::Answer;

/// The scheme jigsaw clients hash passwords (and payment passwords) with.
const SCHEME: DigestScheme = DigestScheme::DoubleMd5;

/// This facade's own settings (`UC_COMPAT_JIGSAW_*`).
#[derive(clap::Args, Clone, Debug)]
// Each facade's settings are their own argument group (clap names
// groups after the struct, and every facade's is called `Options`).
#[group(id = "compat-jigsaw")]
pub struct Options {
    /// Language of the codes `sendSmsCode` sends (`zh-CN` or `en`); jigsaw
    /// callers send no `Accept-Language` of their users.
    #[arg(
        long = "compat-jigsaw-lang",
        env = "UC_COMPAT_JIGSAW_LANG",
        default_value = "zh-CN",
        global = true
    )]
    pub lang: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            lang: "zh-CN".into(),
        }
    }
}

/// What every trade needs.
#[derive(Clone)]
struct Jigsaw {
    uc: UserCenter,
    lang: Lang,
}

/// The facade's routes at the seed's own paths.
pub fn routes(uc: UserCenter, settings: &CompatSettings) -> Router {
    let state = Jigsaw {
        uc,
        lang: Lang::from_tag(&settings.jigsaw.lang),
    };
    Router::new()
        .route("/jigsaw/{trade_code}", post(call))
        .with_state(state)
}

/// The trade codes, as the document spells them.
const TRADE_CODES: [&str; 8] = [
    "register",
    "userActivation",
    "getUserInfoByUserId",
    "updateUserInfo",
    "authLoginPwd",
    "authPayPwd",
    "sendSmsCode",
    "closeUser",
];

/// One RPC: the trade code picks the operation; the body is its fields.
async fn call(
    State(s): State<Jigsaw>,
    Path(trade_code): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !TRADE_CODES.contains(&trade_code.as_str()) {
        let reason = format!(
            "Unknown trade code {trade_code:?}; known: {}.",
            TRADE_CODES.join(", ")
        );
        return (
            StatusCode::NOT_FOUND,
            Answer::refused("UNKNOWN_TRADE_CODE", reason),
        )
            .into_response();
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let fields = match request::Fields::parse(content_type, &body) {
        Ok(fields) => fields,
        Err(reason) => {
            return (
                StatusCode::BAD_REQUEST,
                Answer::refused("INVALID_INPUT", reason),
            )
                .into_response()
        }
    };
    let t = trades::Trade {
        uc: &s.uc,
        lang: s.lang,
        client: &caller.client,
        fields: &fields,
    };
    let outcome = match trade_code.as_str() {
        "register" => t.register().await,
        "userActivation" => t.user_activation().await,
        "getUserInfoByUserId" => t.get_user_info().await,
        "updateUserInfo" => t.update_user_info().await,
        "authLoginPwd" => t.auth_login_pwd().await,
        "authPayPwd" => t.auth_pay_pwd().await,
        "sendSmsCode" => t.send_sms_code().await,
        _ => t.close_user().await,
    };
    outcome.unwrap_or_else(|failure| failure).into_response()
}
