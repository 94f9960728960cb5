//! Small request/response adjustments shared by every route.

use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use shared::{AppError, ErrorCode};

/// Server functions answer every error with 500. When the body is one of our
/// errors with a client-side code (e.g. a malformed argument), give it the
/// status that code implies, so bad input is a 4xx as API clients expect.
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let is_server_fn = path.starts_with("/api/fn/") || path.starts_with("/api/auth/");
    let res = next.run(req).await;
    if !is_server_fn || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        if err.code != ErrorCode::Internal {
            if let Ok(status) = StatusCode::from_u16(err.code.http_status()) {
                parts.status = status;
            }
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
