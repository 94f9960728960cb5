//! The OpenAPI document and the docs page: the document parses, lists every
//! route under `/api/v1` and nothing else, and carries what clients need
//! (security schemes, scopes, error codes).

use crate::tests::server;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::Value;
use std::collections::BTreeSet;

/// Every operation under `/api/v1`, written out: a route that disappears, or
/// appears without a `#[utoipa::path]`, fails here first.
const EXPECTED: &[&str] = &[
    "DELETE /api/v1/devices/{device_id}",
    "DELETE /api/v1/me/avatar",
    "DELETE /api/v1/me/consents/identity_documents",
    "DELETE /api/v1/sessions/{id}",
    "GET /api/v1/admin/documents/{id}",
    "GET /api/v1/admin/users/{id}",
    "GET /api/v1/admin/wallet/audit",
    "GET /api/v1/captcha",
    "GET /api/v1/currencies",
    "GET /api/v1/devices",
    "GET /api/v1/devices/{device_id}/check",
    "GET /api/v1/docs",
    "GET /api/v1/me",
    "GET /api/v1/me/consents/identity_documents",
    "GET /api/v1/me/documents",
    "GET /api/v1/me/documents/{id}",
    "GET /api/v1/me/export",
    "GET /api/v1/me/notifications",
    "GET /api/v1/me/profile",
    "GET /api/v1/me/verification",
    "GET /api/v1/openapi.json",
    "GET /api/v1/service/users",
    "GET /api/v1/service/users/lookup",
    "GET /api/v1/service/users/search",
    "GET /api/v1/service/users/{id}",
    "GET /api/v1/service/users/{id}/balances",
    "GET /api/v1/service/users/{id}/export",
    "GET /api/v1/service/users/{id}/history",
    "GET /api/v1/service/users/{id}/permissions",
    "GET /api/v1/sessions",
    "GET /api/v1/wallet/balances",
    "GET /api/v1/wallet/chart",
    "GET /api/v1/wallet/history",
    "GET /api/v1/wallet/pin",
    "PATCH /api/v1/me/profile",
    "POST /api/v1/admin/users/{id}/close",
    "POST /api/v1/admin/users/{id}/freeze",
    "POST /api/v1/admin/users/{id}/id-number/reveal",
    "POST /api/v1/admin/users/{id}/payments/unlock",
    "POST /api/v1/admin/users/{id}/qualification/approve",
    "POST /api/v1/admin/users/{id}/qualification/reject",
    "POST /api/v1/admin/users/{id}/unfreeze",
    "POST /api/v1/admin/users/{id}/verification/approve",
    "POST /api/v1/admin/users/{id}/verification/reject",
    "POST /api/v1/admin/wallet/deposit",
    "POST /api/v1/admin/wallet/freeze",
    "POST /api/v1/admin/wallet/settle",
    "POST /api/v1/admin/wallet/unfreeze",
    "POST /api/v1/admin/wallet/withdraw",
    "POST /api/v1/auth/activate",
    "POST /api/v1/auth/check",
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/login/code",
    "POST /api/v1/auth/logout",
    "POST /api/v1/auth/password/reset",
    "POST /api/v1/auth/refresh",
    "POST /api/v1/auth/register",
    "POST /api/v1/codes/send",
    "POST /api/v1/codes/verify",
    "POST /api/v1/devices",
    "POST /api/v1/me/close",
    "POST /api/v1/me/consents/identity_documents",
    "POST /api/v1/me/contact",
    "POST /api/v1/me/documents",
    "POST /api/v1/me/password",
    "POST /api/v1/me/qualification",
    "POST /api/v1/me/verification",
    "POST /api/v1/service/auth/check",
    "POST /api/v1/service/auth/login",
    "POST /api/v1/service/messages",
    "POST /api/v1/service/users",
    "POST /api/v1/service/users/pre-open",
    "POST /api/v1/service/users/{id}/activate",
    "POST /api/v1/service/wallet/deposit",
    "POST /api/v1/service/wallet/freeze",
    "POST /api/v1/service/wallet/settle",
    "POST /api/v1/service/wallet/transfer",
    "POST /api/v1/service/wallet/unfreeze",
    "POST /api/v1/service/wallet/verify-pin",
    "POST /api/v1/service/wallet/withdraw",
    "POST /api/v1/sessions/revoke-others",
    "POST /api/v1/wallet/pin",
    "POST /api/v1/wallet/pin/change",
    "POST /api/v1/wallet/pin/reset",
    "POST /api/v1/wallet/transfers",
    "PUT /api/v1/me/avatar",
    "PUT /api/v1/service/users/{id}/permissions",
    "PUT /api/v1/me/notifications",
];

/// `(METHOD, path, operation)` of every operation in the document.
pub(crate) fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                out.push((method.to_uppercase(), path.clone(), op.clone()));
            }
        }
    }
    out
}

pub(crate) async fn fetch_document(s: &crate::tests::Server) -> Value {
    if let Ok(path) = std::env::var("UC_DUMP_OPENAPI") {
        let _ = std::fs::write(path, crate::rest::openapi::json_text());
    }
    let req = Request::get("/api/v1/openapi.json")
        .body(Body::empty())
        .unwrap();
    let (status, headers, body) = s.send(req).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    serde_json::from_slice(&body).expect("the document is JSON")
}

#[tokio::test]
async fn the_document_lists_exactly_the_routes_of_the_router() {
    let s = server().await;
    let doc = fetch_document(&s).await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc["info"]["title"], "User Center API");

    let ops = operations(&doc);
    let listed: BTreeSet<String> = ops.iter().map(|(m, p, _)| format!("{m} {p}")).collect();
    let expected: BTreeSet<String> = EXPECTED.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        listed.difference(&expected).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "documented but not in EXPECTED"
    );
    assert_eq!(
        expected.difference(&listed).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "in EXPECTED but not documented"
    );

    // Each documented operation is routed: an anonymous request reaches a
    // handler (an auth or input error, or a public answer), never the
    // fallback's 404 or a 405.
    for (method, path, _) in &ops {
        let uri = path.replace("{id}", "1").replace("{device_id}", "dev-1");
        let req = Request::builder()
            .method(method.as_str())
            .uri(&uri)
            .body(Body::empty())
            .unwrap();
        let (status, _, body) = s.send(req).await;
        assert!(
            status != StatusCode::NOT_FOUND && status != StatusCode::METHOD_NOT_ALLOWED,
            "{method} {uri}: {status} {}",
            String::from_utf8_lossy(&body)
        );
    }
    // And the fallback still answers for anything else.
    let (status, body) = s.get("/api/v1/no/such/route", None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("NOT_FOUND"))
    );

    // The other direction: nothing under /api/v1 is routed except through
    // `utoipa_axum::routes!`, which documents what it routes. Every file of
    // `rest/` is read, so a new module is held to this too. Routes outside
    // the API (`/healthz`, the public avatar files of `media_files.rs`, the
    // pages) are declared outside `rest/`, and main.rs may only nest the
    // routers of `rest::api()` under /api/v1, never route below it itself.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/rest");
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let source = std::fs::read_to_string(&path).unwrap();
            let name = path.display();
            for bypass in [".route(", ".route_service(", ".nest(\"", ".nest_service("] {
                assert!(
                    !source.contains(bypass),
                    "{name} uses {bypass}: register routes with utoipa_axum::routes! and #[utoipa::path]"
                );
            }
            files += 1;
        }
    }
    assert!(files >= 6, "read {files} files of {dir}");
    assert!(
        !include_str!("main.rs").contains("\"/api/v1/"),
        "main.rs routes under /api/v1 itself"
    );
    assert!(
        !include_str!("media_files.rs").contains("\"/api/"),
        "media_files.rs routes under /api"
    );

    // The uploads are documented as raw image bodies.
    for (method, path) in [
        ("put", "/api/v1/me/avatar"),
        ("post", "/api/v1/me/documents"),
    ] {
        let content = &doc["paths"][path][method]["requestBody"]["content"];
        for ct in ["image/jpeg", "image/png", "image/webp", "image/gif"] {
            assert_eq!(
                content[ct]["schema"],
                serde_json::json!({"type": "string", "format": "binary"}),
                "{method} {path} {ct}: {content}"
            );
        }
    }
}

#[tokio::test]
async fn the_document_describes_security_scopes_and_errors() {
    let s = server().await;
    let doc = fetch_document(&s).await;
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["cookie"]["in"], "cookie");
    for (scheme, header_name) in [
        ("service_app_id", "X-App-Id"),
        ("service_req_time", "X-Req-Time"),
        ("service_transaction_id", "X-Transaction-Id"),
        ("service_sign", "X-Sign"),
    ] {
        assert_eq!(schemes[scheme]["in"], "header");
        assert_eq!(schemes[scheme]["name"], header_name);
    }
    let sign = schemes["service_sign"]["description"].as_str().unwrap();
    assert!(
        sign.contains("METHOD\\nPATH?QUERY\\nREQ_TIME\\nTRANSACTION_ID\\nhex(sha256(body))"),
        "{sign}"
    );

    let ops = operations(&doc);
    for (method, path, op) in &ops {
        assert!(
            op["summary"].as_str().is_some_and(|s| !s.is_empty()),
            "{method} {path} has no summary"
        );
        assert!(op["tags"][0].is_string(), "{method} {path} has no tag");
        let service = path.starts_with("/api/v1/service/");
        let scopes = op["x-required-scope"].as_array();
        assert_eq!(service, scopes.is_some(), "{method} {path}: scope");
        if service {
            let req = &op["security"][0];
            for scheme in [
                "service_app_id",
                "service_req_time",
                "service_transaction_id",
                "service_sign",
            ] {
                assert!(req.get(scheme).is_some(), "{method} {path} lacks {scheme}");
            }
            assert_eq!(
                op["responses"]["403"]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/AppError"
            );
        }
        if path.starts_with("/api/v1/admin/") || path == "/api/v1/me" {
            let reqs = op["security"].as_array().expect("secured");
            assert!(
                reqs.contains(&serde_json::json!({"bearer": []})),
                "{method} {path}"
            );
            assert!(
                reqs.contains(&serde_json::json!({"cookie": []})),
                "{method} {path}"
            );
            assert!(op["responses"]["401"].is_object(), "{method} {path}");
        }
        if !path.ends_with("/openapi.json") && !path.ends_with("/docs") {
            assert_eq!(
                op["responses"]["default"]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/AppError",
                "{method} {path}"
            );
        }
    }
    let scope_of = |m: &str, p: &str| {
        ops.iter()
            .find(|(method, path, _)| method == m && path == p)
            .map(|(_, _, op)| op["x-required-scope"].clone())
    };
    assert_eq!(
        scope_of("GET", "/api/v1/service/users/search"),
        Some(serde_json::json!(["users:read"]))
    );
    assert_eq!(
        scope_of("POST", "/api/v1/service/auth/login"),
        Some(serde_json::json!(["users:write"]))
    );
    for (method, path, scope) in [
        ("GET", "/api/v1/service/users/lookup", "users:read"),
        ("POST", "/api/v1/service/users/pre-open", "users:write"),
        ("POST", "/api/v1/service/users/{id}/activate", "users:write"),
        ("POST", "/api/v1/service/wallet/verify-pin", "wallet:write"),
    ] {
        assert_eq!(
            scope_of(method, path),
            Some(serde_json::json!([scope])),
            "{method} {path}"
        );
    }

    // Every stable error code, with its status, and the error body's fields.
    let codes = doc["components"]["schemas"]["ErrorCode"]["x-error-codes"]
        .as_array()
        .unwrap();
    assert_eq!(codes.len(), shared::ErrorCode::ALL.len());
    assert!(codes.contains(&serde_json::json!({
        "code": "SCOPE_MISSING", "status": 403, "message": "This app is not allowed to do this."
    })));
    let enum_values = doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .unwrap();
    assert_eq!(enum_values.len(), shared::ErrorCode::ALL.len());
    // One flat object: a plain error validates, counters are optional.
    let app_error = &doc["components"]["schemas"]["AppError"];
    assert_eq!(app_error["type"], "object", "{app_error}");
    for field in [
        "code",
        "message",
        "field",
        "retry_after_secs",
        "consecutive_failures",
        "locked_until",
    ] {
        assert!(
            app_error["properties"].get(field).is_some(),
            "AppError lacks {field}: {app_error}"
        );
    }
    assert_eq!(
        app_error["required"],
        serde_json::json!(["code", "message"])
    );
    // Every schema a reference points to exists.
    let text = doc.to_string();
    for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = &part[..part.find('"').unwrap()];
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "dangling reference to {name}"
        );
    }
}

#[tokio::test]
async fn the_docs_page_is_self_contained_html() {
    let s = server().await;
    let req = Request::get("/api/v1/docs").body(Body::empty()).unwrap();
    let (status, headers, body) = s.send(req).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let page = String::from_utf8(body).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("openapi.json"));
    // Nothing is loaded from elsewhere: the page must work offline.
    for external in ["http://", "https://", "//cdn", "<link"] {
        assert!(!page.contains(external), "the page refers to {external}");
    }
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("connect-src 'self'"), "{csp}");
}
