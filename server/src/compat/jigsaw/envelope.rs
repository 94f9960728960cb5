//! jigsaw's answers: a JSON object with `result` (`SUCCESS` or `FAIL`),
//! `failReason` on failure, and the trade's return fields. A failure of the
//! trade itself (a wrong password, a taken phone number) is an answer like
//! any other, `200` with `result: FAIL`; only a call that names no trade or
//! carries no readable body gets another status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::DomainError;
use serde_json::{Map, Value};

pub(super) const SUCCESS: &str = "SUCCESS";
pub(super) const FAIL: &str = "FAIL";

/// One answer under construction.
#[derive(Debug)]
pub(super) struct Answer(Map<String, Value>);

impl Answer {
    /// `{"result": "SUCCESS"}`.
    pub(super) fn success() -> Answer {
        let mut map = Map::new();
        map.insert("result".into(), SUCCESS.into());
        Answer(map)
    }

    /// `{"result": "FAIL", "failCode", "failReason"}`: `failCode` is the
    /// product's error code (an addition, for clients that branch on it).
    pub(super) fn refused(code: &str, reason: impl Into<String>) -> Answer {
        let mut map = Map::new();
        map.insert("result".into(), FAIL.into());
        map.insert("failCode".into(), code.into());
        map.insert("failReason".into(), reason.into().into());
        Answer(map)
    }

    /// The answer with `key` set.
    pub(super) fn with(mut self, key: &str, value: impl Into<Value>) -> Answer {
        self.0.insert(key.into(), value.into());
        self
    }

    /// The answer with `key` set when there is a value.
    pub(super) fn with_some(self, key: &str, value: Option<impl Into<Value>>) -> Answer {
        match value {
            Some(v) => self.with(key, v),
            None => self,
        }
    }

    /// A FAIL answer for a required field that is missing.
    pub(super) fn missing(key: &str) -> Answer {
        Answer::refused("REQUIRED", format!("{key} is required."))
    }

    /// A FAIL answer for a field of the wrong form.
    pub(super) fn invalid(reason: impl Into<String>) -> Answer {
        Answer::refused("INVALID_INPUT", reason)
    }
}

/// A domain refusal as a FAIL answer: its code and message, and where the
/// domain says so, the failure counters of the sign-in or PIN limiter
/// (`consecutiveErrors`, `cumulativeErrors`, `remainingConsecutive`,
/// `remainingCumulative`, `lockedUntil`), the wait (`retryAfter`) and
/// whether a captcha is now needed (`captchaRequired`).
impl From<DomainError> for Answer {
    fn from(e: DomainError) -> Answer {
        let error = e.to_app_error();
        let mut reason = error.message.clone();
        if let Some(secs) = error.retry_after_secs {
            reason.push_str(&format!(" Try again in {secs} seconds."));
        }
        let mut answer = Answer::refused(error.code.as_str(), reason)
            .with_some("retryAfter", error.retry_after_secs);
        if let Some(counters) = error.login {
            answer = answer
                .with("consecutiveErrors", counters.consecutive_failures)
                .with("cumulativeErrors", counters.cumulative_failures)
                .with("remainingConsecutive", counters.remaining_consecutive)
                .with("remainingCumulative", counters.remaining_cumulative)
                .with_some("lockedUntil", counters.locked_until);
        }
        if error.captcha_required {
            answer = answer.with("captchaRequired", true);
        }
        answer
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        (StatusCode::OK, Json(Value::Object(self.0))).into_response()
    }
}
