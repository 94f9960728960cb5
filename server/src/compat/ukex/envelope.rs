//! The seed's answer, `{"status": 1|0, "data": …}`, and why a call failed.

use super::messages;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::DomainError;
use serde_json::{json, Value};
use shared::AppError;

/// One answer. Always HTTP 200: the seed's clients read `status`.
#[derive(Debug)]
pub(crate) struct Reply {
    status: u8,
    data: Value,
}

impl Reply {
    pub(crate) fn ok(data: impl Into<Value>) -> Reply {
        Reply {
            status: 1,
            data: data.into(),
        }
    }

    /// `status: 0` with `data` = the operation's failure word (the
    /// document's "添加失败", "操作失败", …) and the reason.
    pub(crate) fn failed(word: &str, problem: Problem) -> Reply {
        Reply {
            status: 0,
            data: Value::String(format!("{word}：{}", problem.0)),
        }
    }

    /// The answer of an operation: `data` on success, else the failure word
    /// and the reason.
    pub(crate) fn of(result: Result<Value, Problem>, failure_word: &str) -> Reply {
        match result {
            Ok(data) => Reply::ok(data),
            Err(problem) => Reply::failed(failure_word, problem),
        }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        Json(json!({ "status": self.status, "data": self.data })).into_response()
    }
}

/// Why an operation failed, as the text after the failure word.
#[derive(Debug)]
pub(crate) struct Problem(pub(crate) String);

impl Problem {
    pub(crate) fn new(text: impl Into<String>) -> Problem {
        Problem(text.into())
    }

    /// A required field is missing or empty.
    pub(crate) fn missing(field: &str) -> Problem {
        Problem(format!("缺少必填字段 {field}"))
    }

    /// A field has a value of the wrong kind.
    pub(crate) fn invalid(field: &str, expected: &str) -> Problem {
        Problem(format!("字段 {field} 不正确：{expected}"))
    }

    /// The token's user may not act on the user named in the request.
    pub(crate) fn not_yours(field: &str) -> Problem {
        Problem(format!("无权操作：{field} 不是 token 所属的用户"))
    }
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Self {
        Problem(messages::explain(&e))
    }
}

impl From<DomainError> for Problem {
    fn from(e: DomainError) -> Self {
        e.to_app_error().into()
    }
}

impl From<shared::ErrorCode> for Problem {
    fn from(code: shared::ErrorCode) -> Self {
        AppError::new(code).into()
    }
}
