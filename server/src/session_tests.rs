//! HTTP-level tests of session renewal and logout: the refresh race between
//! two tabs, and logging out with only the refresh cookie left.

use crate::tests::{server, Server};
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use serde_json::{json, Value};

/// The `name=value` pairs a response sets, cleared ones (empty value) included.
fn set_cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|c| {
            let pair = c.split(';').next()?;
            let (name, value) = pair.split_once('=')?;
            Some((name.to_string(), value.to_string()))
        })
        .collect()
}

impl Server {
    /// Signs in through the login server function, as the page does;
    /// returns the access and refresh cookies' values.
    async fn browser_login(&self, email: &str) -> (String, String) {
        self.register(email).await;
        let body = format!(
            "identifier={}&password=correct+horse+battery",
            email.replace('@', "%40")
        );
        let req = Request::builder()
            .method("POST")
            .uri("/api/fn/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(Body::from(body))
            .unwrap();
        let (status, headers, _) = self.send(req).await;
        assert!(status.is_success(), "{status}");
        let cookies = set_cookies(&headers);
        let value = |name: &str| {
            cookies
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("no {name} cookie in {cookies:?}"))
        };
        (value("uc_token"), value("uc_refresh"))
    }

    /// Posts to a server function with the given cookie header, as a form.
    async fn post_fn(&self, path: &str, cookie: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
        let req = Request::builder()
            .method("POST")
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    async fn rest_refresh(&self, refresh_token: &str) -> (StatusCode, Value) {
        self.post_json(
            "/api/v1/auth/refresh",
            json!({ "refresh_token": refresh_token }),
        )
        .await
    }
}

#[tokio::test]
async fn parallel_refreshes_give_one_winner_and_one_superseded_and_the_session_lives() {
    let s = server().await;
    let (_, reg) = s.register("race@d.co").await;
    let refresh = reg["refresh_token"].as_str().unwrap();
    let (a, b) = tokio::join!(s.rest_refresh(refresh), s.rest_refresh(refresh));
    let (winner, loser) = if a.0 == StatusCode::OK {
        (a, b)
    } else {
        (b, a)
    };
    assert_eq!(winner.0, StatusCode::OK, "{}", winner.1);
    assert_eq!(loser.0, StatusCode::CONFLICT, "{}", loser.1);
    assert_eq!(loser.1["code"], "REFRESH_SUPERSEDED");

    // The winner's tokens work, and so does the session's next refresh.
    let (status, _) = s.get("/api/v1/me", winner.1["token"].as_str()).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = s
        .rest_refresh(winner.1["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn the_refresh_server_function_keeps_the_cookies_when_superseded() {
    let s = server().await;
    let (_, refresh) = s.browser_login("tabs@d.co").await;
    let cookie = format!("uc_refresh={refresh}");
    let (status, headers, _) = s.post_fn("/api/auth/refresh", &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(set_cookies(&headers).len(), 2, "new cookies");
    // The second tab, a moment later, with the cookie it read before.
    let (status, headers, body) = s.post_fn("/api/auth/refresh", &cookie).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let err: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(err["code"], "REFRESH_SUPERSEDED");
    assert!(
        set_cookies(&headers).is_empty(),
        "the winner's cookies must not be cleared"
    );
}

#[tokio::test]
async fn logout_with_a_lapsed_access_token_revokes_the_session() {
    let s = server().await;
    let (_, refresh) = s.browser_login("lapsed@d.co").await;
    // The access cookie is gone (it lives only as long as its token); the
    // refresh cookie is sent to /api/auth, where logout lives.
    let (status, headers, _) = s
        .post_fn("/api/auth/logout", &format!("uc_refresh={refresh}"))
        .await;
    assert!(status.is_success() || status.is_redirection(), "{status}");
    let cleared = set_cookies(&headers);
    assert!(
        ["uc_token", "uc_refresh"]
            .iter()
            .all(|name| cleared.iter().any(|(n, v)| n == name && v.is_empty())),
        "{cleared:?}"
    );
    let (status, body) = s.rest_refresh(&refresh).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["code"], "TOKEN_REVOKED");
}

#[tokio::test]
async fn rest_logout_with_only_the_refresh_token_revokes_the_session() {
    let s = server().await;
    let (token, refresh) = s.browser_login("rest-lapsed@d.co").await;
    // Without a token or a refresh token there is nothing to end.
    let (status, body) = s.post_json("/api/v1/auth/logout", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/auth/logout")
        .body(Body::empty())
        .unwrap();
    let (status, _, bytes) = s.send(req).await;
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["code"], "UNAUTHENTICATED");
    // An app whose access token lapsed sends the refresh token alone.
    let (status, body) = s
        .post_json("/api/v1/auth/logout", json!({"refresh_token": refresh}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _) = s.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = s.rest_refresh(&refresh).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    // Twice is harmless.
    let (status, _) = s
        .post_json("/api/v1/auth/logout", json!({"refresh_token": refresh}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_plain_users_batch_is_refused_before_its_csv_is_read() {
    let s = server().await;
    let (token, _) = s.browser_login("not-staff@d.co").await;
    // 51 rows would be BATCH_TOO_LARGE for staff; anyone else never gets
    // that far.
    let csv: String = (0..51).map(|i| format!("u{i}@d.co,,,\n")).collect();
    let req = Request::builder()
        .method("POST")
        .uri("/api/fn/admin_batch_create")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header(header::COOKIE, format!("uc_token={token}"))
        .body(Body::from(format!(
            "csv={}",
            csv.replace('@', "%40")
                .replace(',', "%2C")
                .replace('\n', "%0A")
        )))
        .unwrap();
    let (status, _, body) = s.send(req).await;
    let body = String::from_utf8_lossy(&body);
    assert!(!status.is_success(), "{status} {body}");
    assert!(body.contains("FORBIDDEN"), "{status} {body}");
    assert!(!body.contains("BATCH_TOO_LARGE"), "{body}");
}

#[tokio::test]
async fn logout_with_a_live_access_token_revokes_the_session() {
    let s = server().await;
    let (token, refresh) = s.browser_login("live@d.co").await;
    let (status, _, _) = s
        .post_fn(
            "/api/auth/logout",
            &format!("uc_token={token}; uc_refresh={refresh}"),
        )
        .await;
    assert!(status.is_success() || status.is_redirection(), "{status}");
    let (status, _) = s.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = s.rest_refresh(&refresh).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_header_posts_logout_where_the_refresh_cookie_is_sent() {
    let s = server().await;
    let (token, _) = s.browser_login("header@d.co").await;
    let req = Request::builder()
        .uri("/profile")
        .header(header::COOKIE, format!("uc_token={token}"))
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = s.send(req).await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8_lossy(&body);
    assert!(
        html.contains(r#"action="/api/auth/logout""#),
        "the no-JavaScript logout form must post under /api/auth"
    );
}
