//! What operators watch: Prometheus metrics on an address of their own
//! (`UC_METRICS_BIND`), the readiness check `/readyz`, and request counts
//! and durations by route.
//!
//! Metrics never share the public listener: an operator binds them to a
//! private address (loopback, or the monitoring network), so nothing about
//! traffic or security events is visible to users.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use domain::UserCenter;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::time::Instant;

/// Latency buckets in seconds: from a token check (well under a millisecond)
/// to an argon2id sign-in under load.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// Jobs per ledger-writer commit: one when idle, up to the writer's batch
/// limit (256) under load.
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

/// Installs the process-wide Prometheus recorder; every `metrics::counter!`
/// of the domain and the server lands in it from then on.
pub fn install_recorder() -> Result<PrometheusHandle, String> {
    PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
        .map_err(|e| e.to_string())?
        .set_buckets_for_metric(
            Matcher::Full("uc_ledger_batch_orders".into()),
            BATCH_BUCKETS,
        )
        .map_err(|e| e.to_string())?
        .install_recorder()
        .map_err(|e| format!("cannot install the metrics recorder: {e}"))
}

/// Serves `GET /metrics` on `addr` for as long as the server runs.
pub async fn serve_metrics(
    addr: SocketAddr,
    handle: PrometheusHandle,
    uc: UserCenter,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("metrics on http://{addr}/metrics");
    axum::serve(listener, metrics_router(handle, uc)).await
}

/// The metrics listener's only route.
pub fn metrics_router(handle: PrometheusHandle, uc: UserCenter) -> Router {
    Router::new()
        .route("/metrics", get(render))
        .with_state((handle, uc))
}

async fn render(State((handle, uc)): State<(PrometheusHandle, UserCenter)>) -> Response {
    // The pool's state is read when scraped: a gauge, not an event.
    let (size, idle) = uc.pool_usage();
    metrics::gauge!("uc_db_pool_connections").set(f64::from(size));
    metrics::gauge!("uc_db_pool_connections_in_use").set(size as f64 - idle as f64);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response()
}

/// `GET /readyz`: `200 ready` while the database answers, else `503` with
/// the reason (load balancers take the instance out until it answers again).
pub async fn readyz(State(uc): State<UserCenter>) -> Response {
    match uc.check_ready().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database not answering").into_response()
        }
    }
}

/// Counts each routed request and its duration by method, route pattern
/// (never the raw path: ids would make a series per user) and status.
pub async fn track_requests(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = req.method().as_str().to_owned();
    let start = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::histogram!(
        "uc_http_request_duration_seconds",
        "method" => method.clone(),
        "route" => route.clone()
    )
    .record(start.elapsed().as_secs_f64());
    metrics::counter!(
        "uc_http_requests_total",
        "method" => method,
        "route" => route,
        "status" => status
    )
    .increment(1);
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::server;
    use axum::body::Body;
    use serde_json::json;
    use tower::ServiceExt;

    #[tokio::test]
    async fn requests_and_security_events_are_counted_by_route_and_action() {
        // The only test that installs the process-wide recorder.
        let handle = install_recorder().expect("recorder");
        let s = server().await;
        let (status, _) = s.get("/api/v1/me", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        s.register("metrics@example.com").await;
        let (status, _) = s
            .post_json(
                "/api/v1/auth/login",
                json!({"identifier": "metrics@example.com", "password": "wrong password here"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, body) = s.get("/readyz", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let res = metrics_router(handle, s.uc.clone())
            .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let text = String::from_utf8(
            axum::body::to_bytes(res.into_body(), usize::MAX)
                .await
                .unwrap()
                .to_vec(),
        )
        .unwrap();
        for line in [
            r#"uc_http_requests_total{method="GET",route="/api/v1/me",status="401"} 1"#,
            r#"uc_http_requests_total{method="POST",route="/api/v1/auth/login",status="401"} 1"#,
            r#"uc_audit_events_total{action="login_failed"} 1"#,
            r#"uc_http_request_duration_seconds_count{method="GET",route="/api/v1/me"} 1"#,
            "uc_db_pool_connections ",
        ] {
            assert!(text.contains(line), "no {line:?} in\n{text}");
        }
        // Ids never become labels: one series per route pattern.
        assert!(!text.contains("/api/v1/admin/users/1"), "{text}");
    }
}
