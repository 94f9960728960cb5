//! The authorization matrix: every operation of the OpenAPI document and
//! every server function, called by each caller who may not use it, with
//! another user's ids in paths, queries and bodies. Each must be refused as
//! documented and no answer may carry that user's data.
//!
//! Operations are classified here by who may call them. A new REST operation
//! outside `/admin/` and `/service/` fails the matrix until it is classified,
//! and so does a new server function: nothing slips through unclassified.

use crate::tests::{server, Server};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};

/// Who may call an operation.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Access {
    /// Anyone: sign-in, sign-up, codes, the document.
    Public,
    /// A signed-in user, on their own data only.
    User,
    /// Staff (`/api/v1/admin/…`); some actions super admins only.
    Staff,
    /// A signed app with the operation's scope (`/api/v1/service/…`).
    Service,
}

/// The class of a REST operation, `None` when nobody classified it yet.
fn rest_access(method: &str, path: &str) -> Option<Access> {
    let p = path.strip_prefix("/api/v1")?;
    if p.starts_with("/service/") {
        return Some(Access::Service);
    }
    if p.starts_with("/admin/") {
        return Some(Access::Staff);
    }
    Some(match (method, p) {
        (
            "POST",
            "/auth/activate"
            | "/auth/check"
            | "/auth/login"
            | "/auth/login/code"
            | "/auth/password/reset"
            | "/auth/refresh"
            | "/auth/register"
            | "/codes/send"
            | "/codes/verify",
        )
        | ("GET", "/captcha" | "/currencies" | "/docs" | "/openapi.json") => Access::Public,
        ("POST", "/auth/logout")
        | ("GET" | "POST", "/devices")
        | ("GET", "/devices/{device_id}/check")
        | ("DELETE", "/devices/{device_id}")
        | ("GET", "/me")
        | ("PUT" | "DELETE", "/me/avatar")
        | ("POST", "/me/close" | "/me/contact" | "/me/password" | "/me/qualification")
        | ("GET" | "POST", "/me/documents" | "/me/verification")
        | ("GET", "/me/documents/{id}" | "/me/export")
        | ("GET" | "POST" | "DELETE", "/me/consents/identity_documents")
        | ("GET" | "PUT", "/me/notifications")
        | ("GET" | "PATCH", "/me/profile")
        | ("GET", "/sessions")
        | ("DELETE", "/sessions/{id}")
        | ("POST", "/sessions/revoke-others")
        | ("GET", "/wallet/balances" | "/wallet/chart" | "/wallet/history")
        | ("GET" | "POST", "/wallet/pin")
        | ("POST", "/wallet/pin/change" | "/wallet/pin/reset" | "/wallet/transfers") => {
            Access::User
        }
        _ => return None,
    })
}

/// The class of a server function by its endpoint name, `None` when
/// nobody classified it yet.
fn server_fn_access(name: &str) -> Option<Access> {
    if name.starts_with("admin_") {
        return Some(Access::Staff);
    }
    Some(match name {
        "login" | "register" | "login_code" | "reset_password" | "send_code" | "captcha"
        | "refresh" | "logout" | "session_status" | "me" | "activate_account"
        | "country_options" => Access::Public,
        "update_profile"
        | "submit_real_name"
        | "my_qualification"
        | "submit_qualification"
        | "remove_avatar"
        | "close_account"
        | "notification_preferences"
        | "save_notification_preferences"
        | "change_password"
        | "change_contact"
        | "wallet"
        | "set_pin"
        | "change_pin"
        | "reset_pin"
        | "preview_transfer"
        | "transfer"
        | "wallet_history"
        | "wallet_chart"
        | "sessions"
        | "revoke_session"
        | "revoke_other_sessions"
        | "devices"
        | "remove_device"
        | "my_verification"
        | "my_consent"
        | "give_consent"
        | "withdraw_consent"
        | "my_profile"
        | "profile"
        | "verification"
        | "my_documents" => Access::User,
        _ => return None,
    })
}

/// The first user, whose data nobody else may touch or see.
struct Owner {
    id: i64,
    token: String,
    session_id: String,
    document_id: i64,
    device_id: &'static str,
}

const OWNER_EMAIL: &str = "owner-a@example.com";

async fn owner(s: &Server) -> Owner {
    let (id, token) = s.signup(OWNER_EMAIL).await;
    let (status, sessions) = s.get("/api/v1/sessions", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{sessions}");
    let session_id = sessions[0]["id"].as_str().unwrap().to_string();
    let device_id = "owner-a-phone";
    let (status, device) = s
        .json(
            "POST",
            "/api/v1/devices",
            Body::from(
                json!({"device_id": device_id, "name": "A's phone", "os": "Android"}).to_string(),
            ),
            "application/json",
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{device}");
    s.consent(&token).await;
    let (status, document) = s
        .json(
            "POST",
            "/api/v1/me/documents?kind=id_front",
            Body::from(crate::media_tests::png(64, 48, 7)),
            "image/png",
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{document}");
    Owner {
        id,
        token,
        session_id,
        document_id: document["id"].as_i64().unwrap(),
        device_id,
    }
}

/// The request target and body that aim `method path` at the owner's data.
fn aimed_at(path: &str, a: &Owner) -> (String, Value) {
    let target = path.replace("{device_id}", a.device_id).replace(
        "{id}",
        &if path.contains("/sessions/") {
            a.session_id.clone()
        } else if path.contains("/documents/") {
            a.document_id.to_string()
        } else {
            a.id.to_string()
        },
    );
    let target = match path {
        "/api/v1/service/users" => format!("{target}?ids={}", a.id),
        "/api/v1/service/users/lookup" => format!("{target}?identifier={OWNER_EMAIL}"),
        "/api/v1/service/users/search" => format!("{target}?q={OWNER_EMAIL}"),
        p if p.ends_with("/history") => format!("{target}?currency=CNY"),
        _ => target,
    };
    if path == "/api/v1/auth/logout" {
        // Its optional body is a refresh token; without one, the token decides.
        return (target, Value::Null);
    }
    let body = json!({
        "user_id": a.id,
        "from_user_id": a.id,
        "to_user_id": a.id,
        "currency": "CNY",
        "amount": "1.00",
        "recipient": OWNER_EMAIL,
        "contact": OWNER_EMAIL,
        "identifier": OWNER_EMAIL,
        "session_id": a.session_id,
        "device_id": a.device_id,
    });
    (target, body)
}

async fn call(
    s: &Server,
    method: &str,
    target: &str,
    body: &Value,
    token: Option<&str>,
) -> (StatusCode, String) {
    let mut req = Request::builder().method(method).uri(target);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let body = if method == "GET" || method == "DELETE" || body.is_null() {
        Body::empty()
    } else {
        req = req.header(header::CONTENT_TYPE, "application/json");
        Body::from(body.to_string())
    };
    let (status, _, bytes) = s.send(req.body(body).unwrap()).await;
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// No answer to someone else may carry the owner's data.
fn assert_nothing_of(a: &Owner, who: &str, op: &str, status: StatusCode, body: &str) {
    for secret in [OWNER_EMAIL, a.session_id.as_str(), a.token.as_str()] {
        assert!(
            !body.contains(secret),
            "{op} as {who}: {status} carries the owner's data: {body}"
        );
    }
}

#[tokio::test]
async fn every_rest_operation_refuses_whoever_may_not_call_it() {
    let s = server().await;
    let a = owner(&s).await;
    let (_, other) = s.signup("other-b@example.com").await;
    let doc = crate::openapi_tests::fetch_document(&s).await;
    let mut ops = crate::openapi_tests::operations(&doc);
    // The other user's own logout ends their session: last.
    ops.sort_by_key(|(m, p, _)| (m == "POST" && p == "/api/v1/auth/logout", p.clone()));
    let mut unclassified = Vec::new();
    let mut cells = 0;
    for (method, path, _) in &ops {
        let op = format!("{method} {path}");
        let Some(access) = rest_access(method, path) else {
            unclassified.push(op);
            continue;
        };
        let (target, body) = aimed_at(path, &a);
        // Nobody signed in.
        let (status, answer) = call(&s, method, &target, &body, None).await;
        assert!(
            !status.is_server_error(),
            "{op} anonymous: {status} {answer}"
        );
        assert_nothing_of(&a, "anonymous", &op, status, &answer);
        if access != Access::Public {
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{op} anonymous: {answer}");
        }
        cells += 1;
        // Another ordinary user, with the owner's ids.
        let (status, answer) = call(&s, method, &target, &body, Some(&other)).await;
        assert!(
            !status.is_server_error(),
            "{op} as another user: {status} {answer}"
        );
        assert_nothing_of(&a, "another user", &op, status, &answer);
        match access {
            Access::Staff => {
                assert_eq!(status, StatusCode::FORBIDDEN, "{op} as a user: {answer}");
                assert!(answer.contains("\"FORBIDDEN\""), "{op} as a user: {answer}");
            }
            // A Bearer token is no service signature.
            Access::Service => {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{op} as a user: {answer}")
            }
            // Devices are the caller's own bindings: checking or removing
            // the owner's device id touches only the caller's (the owner's
            // binding is checked below).
            Access::User if path.contains("{device_id}") => {}
            Access::User if path.contains('{') => assert!(
                status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
                "{op} as another user with the owner's id: {status} {answer}"
            ),
            Access::User | Access::Public => {}
        }
        cells += 1;
    }
    assert!(
        unclassified.is_empty(),
        "classify these operations in rest_access: {unclassified:?}"
    );
    assert!(cells > 100, "{cells} cells");

    // The owner still has everything.
    let (status, me) = s.get("/api/v1/me", Some(&a.token)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["email"], OWNER_EMAIL);
    let (_, devices) = s.get("/api/v1/devices", Some(&a.token)).await;
    assert!(devices.to_string().contains(a.device_id), "{devices}");
    let (status, _) = s
        .get(
            &format!("/api/v1/me/documents/{}", a.document_id),
            Some(&a.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn every_server_function_refuses_whoever_may_not_call_it() {
    let s = server().await;
    let a = owner(&s).await;
    let (_, other) = s.signup("other-b@example.com").await;
    let mut fns: Vec<(&'static str, String)> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| (path, method.to_string()))
        .collect();
    fns.sort();
    assert!(fns.len() > 40, "{} server functions registered", fns.len());
    let mut unclassified = Vec::new();
    for (path, method) in &fns {
        let name = path.rsplit('/').next().unwrap_or(path);
        // The other user's logout comes last (below).
        if *name == *"logout" {
            continue;
        }
        let Some(access) = server_fn_access(name) else {
            unclassified.push(path.to_string());
            continue;
        };
        if access == Access::Public {
            continue;
        }
        // Aimed at the owner wherever a function takes an id or a contact.
        let form = format!(
            "id={id}&user_id={id}&session_id={sid}&device_id={dev}&contact={email}&recipient={email}",
            id = a.id,
            sid = a.session_id,
            dev = a.device_id,
            email = OWNER_EMAIL.replace('@', "%40"),
        );
        for (who, cookie) in [("anonymous", None), ("another user", Some(&other))] {
            if who == "another user" && access == Access::User {
                continue;
            }
            let mut req = Request::builder()
                .method(method.as_str())
                .uri(*path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json");
            if let Some(token) = cookie {
                req = req.header(header::COOKIE, format!("uc_token={token}"));
            }
            let (status, _, bytes) = s.send(req.body(Body::from(form.clone())).unwrap()).await;
            let answer = String::from_utf8_lossy(&bytes);
            assert!(!status.is_success(), "{path} as {who}: {status} {answer}");
            assert_nothing_of(&a, who, path, status, &answer);
        }
    }
    assert!(
        unclassified.is_empty(),
        "classify these server functions in server_fn_access: {unclassified:?}"
    );
    // The owner's session survived every call.
    let (status, _) = s.get("/api/v1/me", Some(&a.token)).await;
    assert_eq!(status, StatusCode::OK);
}
