//! The guarded edge through the whole router: cross-origin refusals, client
//! addresses behind proxies, the same audit facts from REST and server
//! functions, page headers and HTTPS cookies.

use crate::tests::{server, server_with_edge, settings, Server, SITE_HOST, SITE_ORIGIN};
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use edge::EdgeSettings;
use serde_json::Value;

/// Sends a request exactly as given (no helpful `Host` or `Origin`).
async fn raw(s: &Server, req: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let (status, headers, body) = s.send_exact(req).await;
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

/// A form post to a server function, as a browser page sends it, with
/// `headers` (cookie, origin, …) added.
pub(crate) fn form(path: &str, body: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut b = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::HOST, SITE_HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    for (name, value) in headers {
        b = b.header(*name, *value);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

async fn token_of(s: &Server, email: &str) -> String {
    let (status, reg) = s.register(email).await;
    assert_eq!(status, StatusCode::CREATED, "{reg}");
    reg["token"].as_str().unwrap().to_string()
}

fn code_of(body: &str) -> String {
    serde_json::from_str::<Value>(body).unwrap_or(Value::Null)["code"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[tokio::test]
async fn cross_origin_state_changes_are_refused_and_change_nothing() {
    let s = server().await;
    let token = token_of(&s, "victim@d.co").await;
    let cookie = format!("uc_token={token}");

    // A page on another port posts the PIN form with the victim's cookie.
    let req = form(
        "/api/fn/set_pin",
        "pin=135790&confirm_pin=135790&password=correct+horse+battery",
        &[("cookie", &cookie), ("origin", "http://uc.test:8080")],
    );
    let (status, _, body) = raw(&s, req).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(code_of(&body), "CSRF_REJECTED");
    assert!(body.contains("http://uc.test:8080"), "says why: {body}");
    let (_, pin) = s.get("/api/v1/wallet/pin", Some(&token)).await;
    assert_eq!(pin["set"], false, "nothing changed");

    // The same form from the site itself works.
    let req = form(
        "/api/fn/set_pin",
        "pin=135790&confirm_pin=135790&password=correct+horse+battery",
        &[("cookie", &cookie), ("origin", SITE_ORIGIN)],
    );
    let (status, _, body) = raw(&s, req).await;
    assert!(status.is_success(), "{status} {body}");

    // Cookie-authenticated REST: no Origin and no Referer is refused, a
    // foreign Referer too, the site's own Referer passes.
    let revoke = |extra: Option<(header::HeaderName, &'static str)>| {
        let mut b = Request::builder()
            .method("POST")
            .uri("/api/v1/sessions/revoke-others")
            .header(header::HOST, SITE_HOST)
            .header(header::COOKIE, &cookie);
        if let Some((k, v)) = extra {
            b = b.header(k, v);
        }
        b.body(Body::empty()).unwrap()
    };
    let (status, _, body) = raw(&s, revoke(None)).await;
    assert_eq!(
        (status, code_of(&body).as_str()),
        (StatusCode::FORBIDDEN, "CSRF_REJECTED")
    );
    let (status, _, _) = raw(&s, revoke(Some((header::REFERER, "http://evil.test/page")))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, body) = raw(
        &s,
        revoke(Some((header::REFERER, "http://uc.test/security"))),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn login_csrf_is_refused_but_api_clients_sign_in() {
    let s = server().await;
    token_of(&s, "attacker@d.co").await;
    let login = "identifier=attacker%40d.co&password=correct+horse+battery";
    // No cookie at all, but a foreign page: refused, and no cookie is set.
    let (status, headers, body) = raw(
        &s,
        form(
            "/api/fn/login",
            login,
            &[("origin", "http://127.0.0.1:9999")],
        ),
    )
    .await;
    assert_eq!(
        (status, code_of(&body).as_str()),
        (StatusCode::FORBIDDEN, "CSRF_REJECTED")
    );
    assert!(headers.get(header::SET_COOKIE).is_none());
    // An opaque origin (a sandboxed frame, a data: page) is foreign too.
    let (status, _, _) = raw(&s, form("/api/fn/login", login, &[("origin", "null")])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // curl, an app or a server: no Origin, no cookie.
    let (status, body) = s
        .post_json(
            "/api/v1/auth/login",
            serde_json::json!({"identifier": "attacker@d.co", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn bearer_callers_and_signed_calls_are_not_judged_by_origin() {
    let s = server().await;
    let token = token_of(&s, "app@d.co").await;
    // A partner's web app calling with a Bearer token from its own origin.
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/sessions/revoke-others")
        .header(header::HOST, SITE_HOST)
        .header(header::ORIGIN, "https://partner.example")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = raw(&s, req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A signed call is judged by its signature alone, cookie or not.
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/service/auth/check")
        .header(header::HOST, SITE_HOST)
        .header(header::ORIGIN, "https://partner.example")
        .header(header::COOKIE, format!("uc_token={token}"))
        .body(Body::from("{}"))
        .unwrap();
    let (status, _, body) = raw(&s, req).await;
    assert_eq!(
        (status, code_of(&body).as_str()),
        (StatusCode::UNAUTHORIZED, "SIGNATURE_MISSING")
    );
}

#[tokio::test]
async fn the_public_url_is_the_only_accepted_origin() {
    let s = server_with_edge(
        settings(),
        EdgeSettings {
            public_origin: Some("https://id.example.com".into()),
            ..EdgeSettings::default()
        },
    )
    .await;
    token_of(&s, "p@d.co").await;
    let login = "identifier=p%40d.co&password=correct+horse+battery";
    // The Host header says uc.test, but the operator said where the site is.
    let (status, _, _) = raw(&s, form("/api/fn/login", login, &[("origin", SITE_ORIGIN)])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, body) = raw(
        &s,
        form(
            "/api/fn/login",
            login,
            &[("origin", "https://id.example.com")],
        ),
    )
    .await;
    assert!(status.is_success(), "{status} {body}");
}

/// The audit rows of one action, as `(ip, user agent)`.
async fn audit_facts(s: &Server, action: &str) -> Vec<(Option<String>, Option<String>)> {
    sqlx::query_as("SELECT ip, user_agent FROM audit_log WHERE action = $1 ORDER BY id")
        .bind(action)
        .fetch_all(&s.db.sql)
        .await
        .unwrap()
}

/// Signs in over REST with `X-Forwarded-For: client`; returns the token.
async fn login_forwarded_for(s: &Server, email: &str, client: &str) -> String {
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/auth/login")
        .header(header::HOST, SITE_HOST)
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-forwarded-for", client)
        .body(Body::from(
            serde_json::json!({"identifier": email, "password": "correct horse battery"})
                .to_string(),
        ))
        .unwrap();
    let (status, _, body) = raw(s, req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str::<Value>(&body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn behind_a_trusted_proxy_rest_and_server_functions_record_the_same_facts() {
    // The test socket's peer is 127.0.0.1: here, the proxy.
    let s = server_with_edge(
        settings(),
        EdgeSettings {
            trusted_proxies: edge::settings::parse_trusted_proxies("127.0.0.1").unwrap(),
            ..EdgeSettings::default()
        },
    )
    .await;
    let token = token_of(&s, "both@d.co").await;

    // Through REST, from an app.
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/sessions/revoke-others")
        .header(header::HOST, SITE_HOST)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::USER_AGENT, "shop-app/2.1")
        .header("x-forwarded-for", "6.6.6.6, 198.51.100.7")
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = raw(&s, req).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Through a server function, from the browser.
    let req = form(
        "/api/fn/revoke_other_sessions",
        "",
        &[
            ("cookie", &format!("uc_token={token}")),
            ("origin", SITE_ORIGIN),
            ("user-agent", "Mozilla/5.0 (X11; Linux x86_64)"),
            ("forwarded", "for=203.0.113.5;proto=http"),
        ],
    );
    let (status, _, body) = raw(&s, req).await;
    assert!(status.is_success(), "{status} {body}");

    assert_eq!(
        audit_facts(&s, "other_sessions_revoked").await,
        vec![
            (Some("198.51.100.7".into()), Some("shop-app/2.1".into())),
            (
                Some("203.0.113.5".into()),
                Some("Mozilla/5.0 (X11; Linux x86_64)".into())
            ),
        ]
    );

    // A sign-in's session and audit row show the client, not the proxy.
    let new_token = login_forwarded_for(&s, "both@d.co", "192.0.2.44").await;
    let (_, sessions) = s.get("/api/v1/sessions", Some(&new_token)).await;
    let ips: Vec<&str> = sessions
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["ip"].as_str())
        .collect();
    assert!(ips.contains(&"192.0.2.44"), "{sessions}");
    assert_eq!(
        audit_facts(&s, "login_succeeded").await.last().unwrap().0,
        Some("192.0.2.44".into())
    );
}

#[tokio::test]
async fn a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored() {
    let s = server().await;
    token_of(&s, "spoof@d.co").await;
    login_forwarded_for(&s, "spoof@d.co", "192.0.2.44").await;
    assert_eq!(
        audit_facts(&s, "login_succeeded").await.last().unwrap().0,
        Some("127.0.0.1".into())
    );
}

/// GETs a page as a browser does, with an optional cookie.
async fn page(s: &Server, path: &str, cookie: Option<&str>) -> (StatusCode, HeaderMap, String) {
    let mut b = Request::builder()
        .uri(path)
        .header(header::HOST, SITE_HOST)
        .header(header::ACCEPT, "text/html");
    if let Some(cookie) = cookie {
        b = b.header(header::COOKIE, cookie);
    }
    raw(s, b.body(Body::empty()).unwrap()).await
}

/// The nonce in a response's Content-Security-Policy.
fn nonce_of(headers: &HeaderMap) -> String {
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    csp.split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy")
        .to_string()
}

#[tokio::test]
async fn pages_carry_the_headers_and_the_nonce_their_scripts_use() {
    let s = server().await;
    let (status, headers, html) = page(&s, "/login", None).await;
    assert_eq!(status, StatusCode::OK);
    let nonce = nonce_of(&headers);
    assert!(
        html.contains(&format!("<script type=\"module\" nonce=\"{nonce}\"")),
        "the hydration script carries the policy's nonce"
    );
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::REFERRER_POLICY], "same-origin");
    assert!(headers.get(header::STRICT_TRANSPORT_SECURITY).is_none());
    assert_eq!(
        headers[header::CACHE_CONTROL],
        "no-cache",
        "a signed-out page may be kept, but is revalidated before each use"
    );

    // The 404 page is rendered with the nonce as well.
    let (status, headers, html) = page(&s, "/no-such-page", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains(&format!("nonce=\"{}\"", nonce_of(&headers))));

    // Signed in: neither the page nor API answers are stored anywhere.
    let token = token_of(&s, "h@d.co").await;
    let (_, headers, _) = page(&s, "/profile", Some(&format!("uc_token={token}"))).await;
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    let req = Request::builder()
        .uri("/api/v1/me")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (_, headers, _) = raw(&s, req).await;
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");

    // The API docs page runs under its own nonce.
    let (_, headers, html) = page(&s, "/api/v1/docs", None).await;
    let nonce = nonce_of(&headers);
    assert!(html.contains(&format!("<script nonce=\"{nonce}\">")));
    assert!(html.contains(&format!("<style nonce=\"{nonce}\">")));
}

#[tokio::test]
async fn over_https_cookies_carry_the_host_prefix_and_pages_hsts() {
    let s = server_with_edge(
        settings(),
        EdgeSettings {
            secure_cookies: true,
            ..EdgeSettings::default()
        },
    )
    .await;
    token_of(&s, "tls@d.co").await;
    let (status, headers, body) = raw(
        &s,
        form(
            "/api/fn/login",
            "identifier=tls%40d.co&password=correct+horse+battery",
            &[("origin", "https://uc.test")],
        ),
    )
    .await;
    assert!(status.is_success(), "{status} {body}");
    let cookies: Vec<&str> = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    for c in &cookies {
        assert!(
            c.starts_with("__Host-uc_") && c.contains("Secure") && c.contains("Path=/;"),
            "{c}"
        );
    }
    assert_eq!(
        headers[header::STRICT_TRANSPORT_SECURITY],
        "max-age=31536000"
    );
    // Plain http is not this site's origin any more.
    let (status, _, _) = raw(
        &s,
        form(
            "/api/fn/login",
            "identifier=tls%40d.co&password=correct+horse+battery",
            &[("origin", SITE_ORIGIN)],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
