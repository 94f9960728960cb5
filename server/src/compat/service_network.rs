//! The network check of the facades whose seed has no credential of its own
//! for server-to-server calls: such a deployment trusts its internal
//! network, so the facade answers only clients in `UC_COMPAT_ALLOW_FROM`
//! (loopback by default). The client address is the one the edge resolved
//! (behind `UC_TRUSTED_PROXIES`, the real client, never a forwarded header
//! from outside).

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use ipnet::IpNet;
use std::sync::Arc;

/// `router`, answering `403` with a plain-text reason to clients outside
/// `allow`.
pub fn only_from(router: Router, allow: Arc<Vec<IpNet>>) -> Router {
    router.layer(axum::middleware::from_fn(
        move |req: Request, next: Next| {
            let allow = allow.clone();
            async move { check(&allow, req, next).await }
        },
    ))
}

async fn check(allow: &[IpNet], req: Request, next: Next) -> Response {
    let client = req
        .extensions()
        .get::<edge::RequestFacts>()
        .map(|facts| facts.client.ip);
    match client {
        Some(ip) if allow.iter().any(|net| net.contains(&ip)) => next.run(req).await,
        _ => (
            StatusCode::FORBIDDEN,
            "this interface answers only the service network (UC_COMPAT_ALLOW_FROM)",
        )
            .into_response(),
    }
}
