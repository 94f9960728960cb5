//! The signed service API's reads of one user (balances, history, flags),
//! setting the flags with `users:admin`, and currencies addressed by alias.
//! (Every endpoint's `403 SCOPE_MISSING` is covered for all endpoints at
//! once in `service_tests`.)

use crate::service_tests::{App, Tamper};
use crate::tests::{server, Server};
use axum::http::StatusCode;
use domain::service_apps::Scope;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};

static NEXT: AtomicU32 = AtomicU32::new(0);

/// A signed call with a fresh transaction id.
async fn call(s: &Server, app: &App, method: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let tx = format!("read-{}", NEXT.fetch_add(1, Ordering::Relaxed));
    s.signed(app, method, path, body, &tx, Tamper::default())
        .await
}

/// Registers `email`: (user id, access token).
async fn user(s: &Server, email: &str) -> (i64, String) {
    let (status, body) = s.register(email).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["user"]["id"].as_i64().unwrap(),
        body["token"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn a_service_reads_balances_and_pages_history_like_the_wallet() {
    let s = server().await;
    let (id, token) = user(&s, "reader@example.com").await;
    let writer = s.app(&[Scope::WalletWrite]).await;
    let reader = s.app(&[Scope::WalletRead]).await;
    // Five deposits in CNY, one in points addressed by its alias.
    for amount in ["1", "2", "3", "4", "5"] {
        let (status, r) = call(
            &s,
            &writer,
            "POST",
            "/api/v1/service/wallet/deposit",
            json!({"user_id": id, "currency": "CNY", "amount": amount}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{r}");
    }
    let (status, r) = call(
        &s,
        &writer,
        "POST",
        "/api/v1/service/wallet/deposit",
        json!({"user_id": id, "currency": "integral", "amount": "30"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    assert_eq!(r["currency"], "POINTS", "booked under the code");

    let (status, balances) = call(
        &s,
        &reader,
        "GET",
        &format!("/api/v1/service/users/{id}/balances"),
        Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{balances}");
    let of = |code: &str| {
        balances
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["currency"] == code)
            .cloned()
            .unwrap()
    };
    assert_eq!(of("CNY")["available"], "15.00");
    assert_eq!(of("POINTS")["available"], "30");
    assert_eq!(of("POINTS")["name_zh"], "积分");
    assert_eq!(of("POINTS")["enabled"], true);
    // The same as the user's own wallet shows.
    let (_, own) = s.get("/api/v1/wallet/balances", Some(&token)).await;
    assert_eq!(balances, own);

    // History: pages of two, by the same cursor as the web wallet.
    let mut cursor = String::new();
    let mut seen = Vec::new();
    loop {
        let query = format!("currency=CNY&limit=2&cursor={cursor}");
        let (status, page) = call(
            &s,
            &reader,
            "GET",
            &format!("/api/v1/service/users/{id}/history?{query}"),
            Value::Null,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let (_, mine) = s
            .get(&format!("/api/v1/wallet/history?{query}"), Some(&token))
            .await;
        assert_eq!(page, mine, "the user sees the same page");
        for item in page["items"].as_array().unwrap() {
            seen.push(item["amount"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_i64() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    assert_eq!(
        seen,
        ["5.00", "4.00", "3.00", "2.00", "1.00"],
        "newest first"
    );
    // Points by alias in the query too.
    let (status, page) = call(
        &s,
        &reader,
        "GET",
        &format!("/api/v1/service/users/{id}/history?currency=integral"),
        Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"][0]["amount"], "30");

    // Refusals, each with its code.
    for (path, want, code) in [
        (
            "/api/v1/service/users/999999/balances".to_string(),
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        ),
        (
            "/api/v1/service/users/x/balances".to_string(),
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        ),
        (
            "/api/v1/service/users/999999/history?currency=CNY".to_string(),
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        ),
        (
            format!("/api/v1/service/users/{id}/history?currency=XYZ"),
            StatusCode::NOT_FOUND,
            "UNKNOWN_CURRENCY",
        ),
        (
            format!("/api/v1/service/users/{id}/history?currency=CNY&limit=0"),
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
        ),
        (
            format!("/api/v1/service/users/{id}/history"),
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
        ),
        (
            format!("/api/v1/service/users/{id}/history?currency=CNY&page=2"),
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
        ),
    ] {
        let (status, body) = call(&s, &reader, "GET", &path, Value::Null).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (want, Some(code)),
            "{path}"
        );
    }
}

#[tokio::test]
async fn users_admin_sets_the_flags_and_they_take_effect() {
    let s = server().await;
    let (id, token) = user(&s, "flags@example.com").await;
    let (other, _) = user(&s, "other@example.com").await;
    let admin = s.app(&[Scope::UsersAdmin]).await;
    let reader = s.app(&[Scope::UsersRead]).await;
    let path = format!("/api/v1/service/users/{id}/permissions");
    let (status, flags) = call(&s, &reader, "GET", &path, Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        flags,
        json!({"allow_login": true, "allow_transfer": true, "allow_withdraw": true})
    );

    let off = json!({"allow_login": true, "allow_transfer": false, "allow_withdraw": true});
    let (status, answer) = call(&s, &admin, "PUT", &path, off.clone()).await;
    assert_eq!((status, &answer), (StatusCode::OK, &off));
    let (_, flags) = call(&s, &reader, "GET", &path, Value::Null).await;
    assert_eq!(flags, off);
    // The user notices: their transfer is refused by the ledger.
    s.uc.deposit(
        domain::wallet::Movement {
            user_id: id,
            currency: "CNY",
            amount: "5",
            memo: "",
            request_id: "fund-1",
        },
        &domain::wallet::Actor::Service("tests".into()),
    )
    .await
    .unwrap();
    s.uc.set_payment_pin(
        &s.uc.authenticate(&token).await.unwrap(),
        "480716",
        domain::wallet::PinProof::Password("correct horse battery"),
    )
    .await
    .unwrap();
    let (status, refused) = s
        .json(
            "POST",
            "/api/v1/wallet/transfers",
            axum::body::Body::from(
                json!({"to": "other@example.com", "currency": "CNY", "amount": "1",
                       "request_id": "pay-1", "pin": "480716"})
                .to_string(),
            ),
            "application/json",
            Some(&token),
        )
        .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("TRANSFER_NOT_ALLOWED"))
    );
    // Audited with the app as the actor.
    let (actor_app,): (Option<String>,) = sqlx::query_as(
        "SELECT actor_app FROM audit_log WHERE action = 'permissions_changed' AND target_id = $1",
    )
    .bind(id)
    .fetch_one(&s.db.sql)
    .await
    .unwrap();
    assert_eq!(actor_app.as_deref(), Some(admin.id.as_str()));

    // Turning sign-in off ends the user's sessions at once.
    let (status, _) = call(
        &s,
        &admin,
        "PUT",
        &path,
        json!({"allow_login": false, "allow_transfer": true, "allow_withdraw": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = s.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // All three flags are required; unknown users are not found.
    for (target, body, want, code) in [
        (
            path.clone(),
            json!({"allow_login": true}),
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
        ),
        (
            "/api/v1/service/users/999999/permissions".to_string(),
            off.clone(),
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        ),
    ] {
        let (status, body) = call(&s, &admin, "PUT", &target, body).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (want, Some(code)),
            "{target}"
        );
    }
    let (status, _) = call(
        &s,
        &reader,
        "GET",
        "/api/v1/service/users/999999/permissions",
        Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The other user was never touched.
    let (_, flags) = call(
        &s,
        &reader,
        "GET",
        &format!("/api/v1/service/users/{other}/permissions"),
        Value::Null,
    )
    .await;
    assert_eq!(flags["allow_transfer"], true);
}

#[tokio::test]
async fn the_document_names_the_new_scopes() {
    let s = server().await;
    let doc = crate::openapi_tests::fetch_document(&s).await;
    let scope = |method: &str, path: &str| doc["paths"][path][method]["x-required-scope"].clone();
    assert_eq!(
        scope("get", "/api/v1/service/users/{id}/balances"),
        json!(["wallet:read"])
    );
    assert_eq!(
        scope("get", "/api/v1/service/users/{id}/history"),
        json!(["wallet:read"])
    );
    assert_eq!(
        scope("get", "/api/v1/service/users/{id}/permissions"),
        json!(["users:read"])
    );
    assert_eq!(
        scope("put", "/api/v1/service/users/{id}/permissions"),
        json!(["users:admin"])
    );
    let schemes = doc["components"]["securitySchemes"].to_string();
    assert!(
        schemes.contains("wallet:read") && schemes.contains("users:admin"),
        "{schemes}"
    );
    let params: Vec<&str> = doc["paths"]["/api/v1/service/users/{id}/history"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for name in ["id", "currency", "kind", "cursor", "limit", "from", "until"] {
        assert!(params.contains(&name), "{name} in {params:?}");
    }
}
