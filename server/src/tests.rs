//! HTTP-level tests of the router: the REST API and server functions against a
//! real temporary SQLite file, driven without a socket.

use super::{router, AppState};
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use domain::{Settings, UserCenter};
use leptos::prelude::LeptosOptions;
use serde_json::{json, Value};
use std::net::SocketAddr;
use tower::ServiceExt;

/// The host the tests' requests are addressed to, and its origin.
pub(crate) const SITE_HOST: &str = "uc.test";
pub(crate) const SITE_ORIGIN: &str = "http://uc.test";

pub(crate) struct Server {
    app: Router,
    pub(crate) uc: UserCenter,
    // Dropped in this order: the database, then the directory.
    pub(crate) db: domain::db::TestDatabase,
    pub(crate) _dir: tempfile::TempDir,
}

/// Default settings but for sign-up codes and sign-in captchas, which the
/// tests of other features need not solve (the code tests turn them on),
/// and the uploads' free-space floor, which would make the tests depend on
/// the test machine's disk (the domain tests cover the floor).
pub(crate) fn settings() -> Settings {
    let mut settings = Settings::default();
    settings.codes.require_contact_code = false;
    settings.lockout.captcha_after = u32::MAX;
    settings.uploads.min_free_bytes = 0;
    settings
}

pub(crate) async fn server() -> Server {
    server_with(settings()).await
}

pub(crate) async fn server_with(settings: Settings) -> Server {
    server_with_edge(settings, edge::EdgeSettings::default()).await
}

/// A server with deployment settings of the edge (proxies, HTTPS, origin).
pub(crate) async fn server_with_edge(settings: Settings, edge: edge::EdgeSettings) -> Server {
    server_with_all(settings, edge, &crate::compat::CompatSettings::default()).await
}

/// A server with the seed-compatible facades of `compat` mounted.
pub(crate) async fn server_with_compat(
    settings: Settings,
    compat: &crate::compat::CompatSettings,
) -> Server {
    server_with_all(settings, edge::EdgeSettings::default(), compat).await
}

async fn server_with_all(
    settings: Settings,
    edge: edge::EdgeSettings,
    compat: &crate::compat::CompatSettings,
) -> Server {
    server_built(settings, edge, compat, test_site(), |outbox| {
        domain::Messenger::outbox(outbox, "User Center <no-reply@localhost>").unwrap()
    })
    .await
}

/// The site the tests serve: the server crate's directory, with no build in it.
fn test_site() -> LeptosOptions {
    LeptosOptions::builder().output_name("user-center").build()
}

/// A server whose stored files (`LEPTOS_SITE_ROOT`) are in `site_root`.
pub(crate) async fn server_with_site(site_root: &std::path::Path) -> Server {
    let options = LeptosOptions::builder()
        .output_name("user-center")
        .site_root(site_root.to_string_lossy().as_ref())
        .site_pkg_dir("pkg")
        .build();
    server_built(
        settings(),
        edge::EdgeSettings::default(),
        &crate::compat::CompatSettings::default(),
        options,
        |outbox| domain::Messenger::outbox(outbox, "User Center <no-reply@localhost>").unwrap(),
    )
    .await
}

/// A server whose messages go through `messenger`, made for the temporary
/// directory's `outbox` (e.g. a mail server that fails).
pub(crate) async fn server_with_messenger(
    settings: Settings,
    messenger: impl FnOnce(&std::path::Path) -> domain::Messenger,
) -> Server {
    server_built(
        settings,
        edge::EdgeSettings::default(),
        &crate::compat::CompatSettings::default(),
        test_site(),
        messenger,
    )
    .await
}

async fn server_built(
    settings: Settings,
    edge: edge::EdgeSettings,
    compat: &crate::compat::CompatSettings,
    leptos_options: LeptosOptions,
    messenger: impl FnOnce(&std::path::Path) -> domain::Messenger,
) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let test_db = domain::db::TestDatabase::new(dir.path()).await.unwrap();
    let pool = domain::db::connect(&test_db.url).await.unwrap();
    let mut settings = settings;
    settings
        .media_dir
        .get_or_insert_with(|| dir.path().join("media"));
    let outbox = dir.path().join("outbox");
    let messenger = messenger(&outbox).with_captcha_outbox(outbox.join("captcha"));
    let uc = UserCenter::new(
        pool,
        b"server test secret, 32 bytes long",
        settings,
        messenger,
    )
    .unwrap();
    uc.open_vault().await.unwrap();
    let state = AppState {
        leptos_options,
        uc: uc.clone(),
    };
    let app = router(state, edge, compat)
        .layer(MockConnectInfo(SocketAddr::from(([127, 0, 0, 1], 4000))));
    Server {
        app,
        uc,
        db: test_db,
        _dir: dir,
    }
}

impl Server {
    /// The user agrees to the processing of identity documents (needed
    /// before ID-card photos and real-name submissions).
    pub(crate) async fn consent(&self, token: &str) {
        let (status, body) = self
            .post_as(
                token,
                "/api/v1/me/consents/identity_documents",
                serde_json::json!({ "version": 1 }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["in_force"], true);
    }

    /// Sends a request as the site's own pages would: to host
    /// [`SITE_HOST`], and with that origin on requests that carry cookies
    /// (the cross-origin tests set their own `Origin`).
    pub(crate) async fn send(
        &self,
        mut req: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let h = req.headers_mut();
        if !h.contains_key(header::HOST) {
            h.insert(header::HOST, header::HeaderValue::from_static(SITE_HOST));
        }
        if h.contains_key(header::COOKIE)
            && !h.contains_key(header::ORIGIN)
            && !h.contains_key(header::REFERER)
        {
            h.insert(
                header::ORIGIN,
                header::HeaderValue::from_static(SITE_ORIGIN),
            );
        }
        self.send_exact(req).await
    }

    /// Sends a request exactly as given.
    pub(crate) async fn send_exact(
        &self,
        req: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, headers, body.to_vec())
    }

    pub(crate) async fn json(
        &self,
        method: &str,
        path: &str,
        body: Body,
        content_type: &str,
        token: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, content_type);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let (status, _, bytes) = self.send(req.body(body).unwrap()).await;
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, value)
    }

    pub(crate) async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.json("GET", path, Body::empty(), "application/json", token)
            .await
    }

    pub(crate) async fn delete(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.json("DELETE", path, Body::empty(), "application/json", token)
            .await
    }

    /// Registers `email` with the tests' password; returns status and body.
    pub(crate) async fn register(&self, email: &str) -> (StatusCode, Value) {
        self.post_json(
            "/api/v1/auth/register",
            json!({"email": email, "password": "correct horse battery"}),
        )
        .await
    }

    pub(crate) async fn post_json(&self, path: &str, value: Value) -> (StatusCode, Value) {
        self.json(
            "POST",
            path,
            Body::from(value.to_string()),
            "application/json",
            None,
        )
        .await
    }

    /// A captcha from the API, solved by reading the dev outbox.
    pub(crate) async fn solved_captcha(&self) -> (String, String) {
        let (status, c) = self.get("/api/v1/captcha", None).await;
        assert_eq!(status, StatusCode::OK, "{c}");
        let key = c["key"].as_str().unwrap().to_string();
        let answer = std::fs::read_to_string(
            self._dir
                .path()
                .join("outbox/captcha")
                .join(format!("{key}.txt")),
        )
        .unwrap();
        (key, answer)
    }

    /// Messages to `to` in the email and SMS outboxes, oldest first.
    pub(crate) fn messages(&self, to: &str) -> Vec<String> {
        let mut files: Vec<_> = ["outbox/email", "outbox/sms"]
            .iter()
            .filter_map(|d| std::fs::read_dir(self._dir.path().join(d)).ok())
            .flat_map(|entries| entries.flatten().map(|e| e.path()))
            .collect();
        files.sort_by_key(|p| p.file_name().map(|n| n.to_os_string()));
        files
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .filter(|t| {
                t.contains(&format!("To: {to}")) || t.contains(&format!("\"to\": \"{to}\""))
            })
            .collect()
    }

    fn messages_to(&self, to: &str) -> usize {
        self.messages(to).len()
    }

    /// The code in the newest message to `to` that carries one (the first
    /// run of six digits in its subject, or an SMS's text), waiting a little
    /// for codes delivered in the background (sign-up, sign-in, recovery).
    /// Notices to the same contact carry no code and are passed over.
    pub(crate) async fn last_code_to(&self, to: &str) -> String {
        for _ in 0..100 {
            let code = self.messages(to).iter().rev().find_map(|text| {
                let line = text
                    .lines()
                    .find(|l| l.starts_with("Subject:") || l.contains("\"text\""))
                    .unwrap_or(text);
                line.split(|c: char| !c.is_ascii_digit())
                    .find(|run| run.len() == 6)
                    .map(str::to_string)
            });
            if let Some(code) = code {
                return code;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("no code to {to}");
    }
}

#[tokio::test]
async fn rest_register_login_me_logout() {
    let s = server().await;
    let (status, reg) = s.register("Ann@Example.com").await;
    assert_eq!(status, StatusCode::CREATED, "{reg}");
    assert_eq!(reg["user"]["email"], "ann@example.com");
    assert!(!reg.to_string().contains("argon2"), "hash leaked: {reg}");

    let (status, login) = s
        .post_json(
            "/api/v1/auth/login",
            json!({"identifier": "ANN@example.com", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let token = login["token"].as_str().unwrap().to_string();

    let (status, me) = s.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["id"], reg["user"]["id"]);

    let (status, _) = s
        .json(
            "POST",
            "/api/v1/auth/logout",
            Body::empty(),
            "application/json",
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, err) = s.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(err["code"], "UNAUTHENTICATED");
}

#[tokio::test]
async fn rest_wrong_password_and_unknown_account_answer_alike() {
    let s = server().await;
    s.post_json(
        "/api/v1/auth/register",
        json!({"phone": "13800138000", "password": "correct horse battery"}),
    )
    .await;
    let wrong = s
        .post_json(
            "/api/v1/auth/login",
            json!({"identifier": "+86 138 0013 8000", "password": "nope nope nope"}),
        )
        .await;
    let unknown = s
        .post_json(
            "/api/v1/auth/login",
            json!({"identifier": "13900000000", "password": "nope nope nope"}),
        )
        .await;
    assert_eq!(wrong.0, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong, unknown);
    assert_eq!(wrong.1["code"], "INVALID_CREDENTIALS");
}

#[tokio::test]
async fn rest_bad_input_gets_specific_4xx() {
    let s = server().await;
    let cases: Vec<(&str, Body, &str, StatusCode, &str)> = vec![
        (
            "empty body",
            Body::empty(),
            "application/json",
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
        ),
        (
            "not json",
            Body::from("{oops"),
            "application/json",
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
        ),
        (
            "non-utf8",
            Body::from(vec![0xff, 0xfe, 0x00]),
            "application/json",
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
        ),
        (
            "unknown field",
            Body::from(r#"{"email":"a@b.co","password":"correct horse battery","role":"admin"}"#),
            "application/json",
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
        ),
        (
            "wrong type",
            Body::from(r#"{"email":1,"password":"x"}"#),
            "application/json",
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
        ),
        (
            "missing password",
            Body::from(r#"{"email":"a@b.co"}"#),
            "application/json",
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
        ),
        (
            "text/plain",
            Body::from("hello"),
            "text/plain",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            "too large",
            Body::from(format!(
                r#"{{"email":"a@b.co","password":"{}"}}"#,
                "x".repeat(100_000)
            )),
            "application/json",
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
        ),
        (
            "long email",
            Body::from(format!(
                r#"{{"email":"{}@b.co","password":"correct horse battery"}}"#,
                "a".repeat(200)
            )),
            "application/json",
            StatusCode::BAD_REQUEST,
            "INVALID_EMAIL",
        ),
    ];
    for (name, body, ct, status, code) in cases {
        let (got, value) = s
            .json("POST", "/api/v1/auth/register", body, ct, None)
            .await;
        assert_eq!(got, status, "{name}: {value}");
        assert_eq!(value["code"], code, "{name}: {value}");
    }
    let (status, value) = s.get("/api/v1/nope", None).await;
    assert_eq!(
        (status, value["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("NOT_FOUND"))
    );
    assert_eq!(user_count(&s).await, 0, "nothing half-written");
}

async fn user_count(s: &Server) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(&s.db.sql)
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn server_fn_login_sets_http_only_cookie_and_errors_are_4xx() {
    let s = server().await;
    s.register("c@d.co").await;
    let form = |body: &str| {
        Request::builder()
            .method("POST")
            .uri("/api/fn/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let (status, headers, _) = s
        .send(form("identifier=c%40d.co&password=correct+horse+battery"))
        .await;
    assert!(status.is_success() || status.is_redirection(), "{status}");
    let cookie = headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(
        cookie.starts_with("uc_token=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    let (status, _, body) = s
        .send(form("identifier=c%40d.co&password=wrong+password+x"))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let err: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(err["code"], "INVALID_CREDENTIALS");

    // A missing argument is the caller's mistake, not a server error.
    let (status, _, body) = s.send(form("identifier=c%40d.co")).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "{}",
        String::from_utf8_lossy(&body)
    );
}

#[tokio::test]
async fn server_fn_error_from_plain_form_redirects_back_with_the_error() {
    let s = server().await;
    let req = Request::builder()
        .method("POST")
        .uri("/api/fn/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::REFERER, "http://127.0.0.1:3000/login")
        .body(Body::from(
            "identifier=nobody%40d.co&password=wrong+password+x",
        ))
        .unwrap();
    let (status, headers, _) = s.send(req).await;
    assert_eq!(status, StatusCode::FOUND);
    let location = headers.get(header::LOCATION).unwrap().to_str().unwrap();
    assert!(
        location.starts_with("http://127.0.0.1:3000/login?") && location.contains("__err="),
        "{location}"
    );
}

#[tokio::test]
async fn rest_lockout_reports_counters_and_429() {
    let s = server().await;
    s.register("l@d.co").await;
    let login = |pw: &'static str| json!({"identifier": "l@d.co", "password": pw});
    let (status, body) = s
        .post_json("/api/v1/auth/login", login("wrong one here"))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["consecutive_failures"], 1);
    assert_eq!(body["remaining_consecutive"], 4);
    assert_eq!(body["cumulative_failures"], 1);
    assert_eq!(body["remaining_cumulative"], 19);
    for _ in 0..4 {
        s.post_json("/api/v1/auth/login", login("wrong one here"))
            .await;
    }
    let (status, body) = s
        .post_json("/api/v1/auth/login", login("correct horse battery"))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["code"], "ACCOUNT_LOCKED");
    assert!(body["locked_until"].as_i64().unwrap() > 0);
    assert!(body["retry_after_secs"].as_i64().unwrap() > 14 * 60);
}

mod token_check {
    use super::*;
    use base64::Engine;

    fn b64(v: &Value) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    }

    async fn check(s: &Server, token: &str) -> (StatusCode, Value) {
        s.post_json("/api/v1/auth/check", json!({ "token": token }))
            .await
    }

    #[tokio::test]
    async fn valid_revoked_tampered_none_and_foreign_tokens() {
        let s = server().await;
        let (_, reg) = s.register("t@d.co").await;
        let token = reg["token"].as_str().unwrap().to_string();

        let (status, ok) = check(&s, &token).await;
        assert_eq!(status, StatusCode::OK, "{ok}");
        assert_eq!(ok["user_id"], reg["user"]["id"]);
        assert!(ok["expires_at"].as_i64().unwrap() > 0);
        assert!(ok["session_id"].as_str().unwrap().len() >= 16);

        // Bearer header works too.
        let (status, _) = s
            .json(
                "POST",
                "/api/v1/auth/check",
                Body::empty(),
                "application/json",
                Some(&token),
            )
            .await;
        assert_eq!(status, StatusCode::OK);

        let parts: Vec<&str> = token.split('.').collect();
        let claims: Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(parts[1])
                .unwrap(),
        )
        .unwrap();

        // Payload changed, signature kept.
        let mut raised = claims.clone();
        raised["sub"] = json!("999");
        let tampered = format!("{}.{}.{}", parts[0], b64(&raised), parts[2]);
        assert_eq!(
            check(&s, &tampered).await.1["code"],
            "TOKEN_INVALID_SIGNATURE"
        );

        // `alg: none` with no signature.
        let none = format!(
            "{}.{}.",
            b64(&json!({"alg": "none", "typ": "JWT"})),
            parts[1]
        );
        let (status, body) = check(&s, &none).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["code"], "TOKEN_MALFORMED");

        // Another algorithm family is refused even with a plausible signature.
        let hs512 = format!(
            "{}.{}.{}",
            b64(&json!({"alg": "HS512", "typ": "JWT"})),
            parts[1],
            parts[2]
        );
        assert_eq!(check(&s, &hs512).await.0, StatusCode::UNAUTHORIZED);

        // Signed with another secret.
        let foreign = domain::tokens::TokenKeys::new(b"some other service's secret, 32b")
            .issue(&serde_json::from_value(claims.clone()).unwrap())
            .unwrap();
        assert_eq!(
            check(&s, &foreign).await.1["code"],
            "TOKEN_INVALID_SIGNATURE"
        );

        // Expired, signed by us.
        let mut old: domain::tokens::Claims = serde_json::from_value(claims.clone()).unwrap();
        old.exp = old.iat - 10;
        let expired = domain::tokens::TokenKeys::new(b"server test secret, 32 bytes long")
            .issue(&old)
            .unwrap();
        assert_eq!(check(&s, &expired).await.1["code"], "TOKEN_EXPIRED");

        assert_eq!(check(&s, "not a token").await.1["code"], "TOKEN_MALFORMED");
        let (status, body) = s.post_json("/api/v1/auth/check", json!({"token": 5})).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("INVALID_INPUT"))
        );
        let (status, body) = s
            .json(
                "POST",
                "/api/v1/auth/check",
                Body::empty(),
                "application/json",
                None,
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("UNAUTHENTICATED"))
        );

        // Revoked by logout.
        s.json(
            "POST",
            "/api/v1/auth/logout",
            Body::empty(),
            "application/json",
            Some(&token),
        )
        .await;
        assert_eq!(check(&s, &token).await.1["code"], "TOKEN_REVOKED");
    }
}

#[tokio::test]
async fn rest_refresh_rotates_and_sessions_can_be_revoked() {
    let s = server().await;
    let (_, a) = s.register("r@d.co").await;
    let (_, b) = s
        .post_json(
            "/api/v1/auth/login",
            json!({"identifier": "r@d.co", "password": "correct horse battery"}),
        )
        .await;
    let refresh = a["refresh_token"].as_str().unwrap();
    let (status, renewed) = s
        .post_json("/api/v1/auth/refresh", json!({ "refresh_token": refresh }))
        .await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    assert_ne!(renewed["refresh_token"], a["refresh_token"]);
    let token_a = renewed["token"].as_str().unwrap();

    let (status, list) = s.get("/api/v1/sessions", Some(token_a)).await;
    assert_eq!(status, StatusCode::OK);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    let other = list.iter().find(|x| x["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let path = format!("/api/v1/sessions/{other}");
    let (status, _) = s.delete(&path, Some(token_a)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = s.get("/api/v1/me", b["token"].as_str()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = s.delete(&path, Some(token_a)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, body) = s
        .post_json("/api/v1/auth/refresh", json!({ "refresh_token": "bogus" }))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("TOKEN_REVOKED"))
    );
}

#[tokio::test]
async fn rest_devices_bind_list_check_remove() {
    let s = server().await;
    let (_, reg) = s.register("dev@d.co").await;
    let t = reg["token"].as_str();
    let bind = |body: Value| {
        s.json(
            "POST",
            "/api/v1/devices",
            Body::from(body.to_string()),
            "application/json",
            t,
        )
    };
    let (status, dev) =
        bind(json!({"device_id": "ios-1", "name": "Ann's iPhone", "os": "iOS 17"})).await;
    assert_eq!(status, StatusCode::OK, "{dev}");
    assert_eq!(dev["name"], "Ann's iPhone");
    // Binding again renames, it does not duplicate.
    bind(json!({"device_id": "ios-1", "name": "Work phone", "os": "iOS 17"})).await;
    let (status, body) = bind(json!({"device_id": "bad id", "name": "x", "os": "y"})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("INVALID_DEVICE"))
    );

    let (_, list) = s.get("/api/v1/devices", t).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["name"], "Work phone");

    let (_, check) = s.get("/api/v1/devices/ios-1/check", t).await;
    assert_eq!(check, json!({"bound": true, "group": 2}));
    let (status, _) = s.delete("/api/v1/devices/ios-1", t).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, check) = s.get("/api/v1/devices/ios-1/check", t).await;
    assert_eq!(check["bound"], false);
    let (status, _) = s.delete("/api/v1/devices/ios-1", t).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s.get("/api/v1/devices", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// Many pages rendered at once, signed in and not: none may fail. (The page
/// title once read a disposed i18n signal under concurrent rendering.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_server_rendering_never_fails() {
    let s = server().await;
    let (_, reg) = s.register("ssr@d.co").await;
    let cookie = format!("uc_token={}", reg["token"].as_str().unwrap());
    let mut tasks = Vec::new();
    for i in 0..60 {
        let app = s.app.clone();
        let cookie = cookie.clone();
        tasks.push(tokio::spawn(async move {
            let path = ["/profile", "/login", "/security", "/"][i % 4];
            let req = Request::builder()
                .uri(path)
                .header(header::ACCEPT, "text/html")
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap();
            let res = app.oneshot(req).await.unwrap();
            let status = res.status();
            let body = axum::body::to_bytes(res.into_body(), usize::MAX)
                .await
                .unwrap();
            (
                path,
                status,
                String::from_utf8_lossy(&body).contains("User Center"),
            )
        }));
    }
    for t in tasks {
        let (path, status, titled) = t.await.expect("rendering must not panic");
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(titled, "{path} has its title");
    }
}

#[tokio::test]
async fn rest_sign_up_with_a_code_then_reset_the_password() {
    let mut settings = Settings {
        lockout: domain::LockoutPolicy {
            captcha_after: u32::MAX,
            ..Default::default()
        },
        ..Settings::default()
    };
    // A short cooldown, so the phone can get a second code in this test.
    settings.codes.resend_after = std::time::Duration::from_secs(2);
    let s = server_with(settings).await;
    // Without a code, sign-up is refused with a field error.
    let (status, body) = s.register("new@example.com").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "REQUIRED");
    assert_eq!(body["field"], "code");

    // Sending needs a captcha; a bad purpose is a clear 400.
    let (status, body) = s
        .post_json(
            "/api/v1/codes/send",
            json!({"contact": "new@example.com", "purpose": "register"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "CAPTCHA_REQUIRED");
    assert_eq!(body["captcha_required"], true);
    let (status, body) = s
        .post_json(
            "/api/v1/codes/send",
            json!({"contact": "new@example.com", "purpose": "nonsense"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "INVALID_INPUT");

    let (key, answer) = s.solved_captcha().await;
    let (status, sent) = s
        .post_json(
            "/api/v1/codes/send",
            json!({"contact": "new@example.com", "purpose": "register",
                   "captcha_key": key, "captcha_answer": answer}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(sent["retry_after_secs"], 2);
    assert_eq!(sent["sent_to"], "n***@example.com");

    // A second send within the cooldown: 429 with the wait.
    let (key, answer) = s.solved_captcha().await;
    let (status, body) = s
        .post_json(
            "/api/v1/codes/send",
            json!({"contact": "new@example.com", "purpose": "register",
                   "captcha_key": key, "captcha_answer": answer}),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["code"], "CODE_SEND_TOO_SOON");
    assert!(body["retry_after_secs"].as_i64().unwrap() > 0);

    let code = s.last_code_to("new@example.com").await;
    let (status, reg) = s
        .post_json(
            "/api/v1/auth/register",
            json!({"email": "new@example.com", "phone": "13900000001",
                   "password": "correct horse battery", "code": code}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reg}");
    assert_eq!(reg["user"]["email_verified"], true);
    // The phone no code proved is pending, off the account, until proven.
    assert!(reg["user"]["phone"].is_null(), "{reg}");
    assert_eq!(reg["user"]["pending_phone"], "13900000001");
    let token = reg["token"].as_str().unwrap().to_string();
    let (key, answer) = s.solved_captcha().await;
    let (status, body) = s
        .post_as(
            &token,
            "/api/v1/codes/send",
            json!({"contact": "13900000001", "purpose": "bind_contact",
                   "captcha_key": key, "captcha_answer": answer}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let code = s.last_code_to("13900000001").await;
    let (status, me) = s
        .post_as(
            &token,
            "/api/v1/me/contact",
            json!({"contact": "13900000001", "code": code}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["phone"], "13900000001");
    assert_eq!(me["phone_verified"], true);
    assert!(me.get("pending_phone").is_none(), "{me}");

    // Forgot password by phone → ticket → reset; the old session ends.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (key, answer) = s.solved_captcha().await;
    let (status, _) = s
        .post_json(
            "/api/v1/codes/send",
            json!({"contact": "139 0000 0001", "purpose": "reset_password",
                   "captcha_key": key, "captcha_answer": answer}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Delivery is in the background here: wait for the SMS.
    for _ in 0..100 {
        if s.messages_to("13900000001") >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let code = s.last_code_to("13900000001").await;
    let (status, ticket) = s
        .post_json(
            "/api/v1/codes/verify",
            json!({"contact": "13900000001", "purpose": "reset_password", "code": code}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ticket}");
    let (status, body) = s
        .post_json(
            "/api/v1/auth/password/reset",
            json!({"sid": ticket["sid"], "new_password": "a whole new passphrase"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _) = s.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = s
        .post_json(
            "/api/v1/auth/password/reset",
            json!({"sid": ticket["sid"], "new_password": "yet another passphrase"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "TICKET_INVALID");
    let (status, _) = s
        .post_json(
            "/api/v1/auth/login",
            json!({"identifier": "new@example.com", "password": "a whole new passphrase"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // The email heard about the phone added to the account, then the reset.
    for _ in 0..100 {
        if s.messages_to("new@example.com") >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let mail = s.messages("new@example.com");
    assert!(mail[1].contains("a phone number was added"), "{}", mail[1]);
    assert!(mail[2].contains("password was reset"), "{}", mail[2]);
}

#[tokio::test]
async fn rest_register_code_and_reset_answer_alike_for_taken_and_free_contacts() {
    let s = server().await;
    let (status, _) = s.register("taken@example.com").await;
    assert_eq!(status, StatusCode::CREATED);
    let mut answers = Vec::new();
    for contact in ["taken@example.com", "free@example.com"] {
        // Before the captcha …
        let (status, body) = s
            .post_json(
                "/api/v1/codes/send",
                json!({"contact": contact, "purpose": "register"}),
            )
            .await;
        assert_eq!(
            (status, body["code"].clone()),
            (StatusCode::BAD_REQUEST, json!("CAPTCHA_REQUIRED"))
        );
        // … and after it.
        let (key, answer) = s.solved_captcha().await;
        let (status, mut sent) = s
            .post_json(
                "/api/v1/codes/send",
                json!({"contact": contact, "purpose": "register",
                       "captcha_key": key, "captcha_answer": answer}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{contact}: {sent}");
        sent["sent_to"] = json!("(masked)");
        // A reset with a guessed code and the contact itself as the password.
        let (status, reset) = s
            .post_json(
                "/api/v1/auth/password/reset",
                json!({"contact": contact, "code": "000000", "new_password": contact}),
            )
            .await;
        answers.push((sent, status, reset));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].2["code"], "CODE_INCORRECT");
}
