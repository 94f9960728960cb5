//! Conformance of the java110 facade (seed 001): the document's examples
//! sent exactly, the signature headers, each failure's status and reason,
//! and round trips with the REST API.

use super::java110::UtcOffset;
use super::{CompatSettings, Seed};
use crate::tests::{server_with_compat, settings, Server};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use domain::accounts::Registration;
use domain::legacy_signatures::{format_compact_time, java110_sign};
use domain::password_digests::DigestScheme;
use domain::service_apps::Scope;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};

const CHINA: i32 = 8 * 3600;
const PASSWORD: &str = "correct horse 1";
const REGISTER: &str = "/api/user.service.register";
const LOGIN: &str = "/api/user.service.login";
const CHECK: &str = "/api/check.service.login";

/// The document's examples, byte for byte (indentation included).
const DOC_REGISTER: &str = r#"{
     "name": "张三",
     "email": "928255095@qq.com",
     "password": "ERCBHDUYFJDNDHDJDNDJDHDUDHDJDDKDK",
     "sex": "0",
     "tel": "17797173943"
}"#;
const DOC_LOGIN: &str =
    "{\n\t\"username\":\"admin\",\n\t\"passwd\":\"d57167e07915c9428b1c3aae57003807\"\n}";
const DOC_CHECK: &str = "{\n\t\"token\":\"eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqYXZhMTEwIiwianRpIjoiOGU1ZGY4NjBhYTUyNDgyNzk3MjBjZDFjNzg3ZDk4OTkifQ.PGwR_YjIDwn8sQFKr7CDmUk87MYt1lgi1s7a5OrE_Jg\"\n}";

/// A service app as `server admin create-app` prints it.
struct App {
    id: String,
    secret: String,
}

async fn app(s: &Server, scopes: &[Scope]) -> App {
    let app = s.uc.create_service_app("java110", scopes).await.unwrap();
    App {
        id: app.app_id,
        secret: app.secret.expose().to_string(),
    }
}

async fn java110_server(tz: UtcOffset) -> (Server, App) {
    let mut domain = settings();
    domain.password_digests = vec![DigestScheme::Java110];
    let compat = CompatSettings {
        seeds: vec![Seed::Java110],
        java110: super::java110::Options { tz },
        ..CompatSettings::default()
    };
    let s = server_with_compat(domain, &compat).await;
    let app = app(&s, &[Scope::UsersWrite, Scope::AuthCheck]).await;
    (s, app)
}

fn now_in(offset: i32) -> String {
    format_compact_time(domain::clock::now(), offset)
}

/// A transaction id of the documented form: `1000000000` + time + a
/// six-digit sequence.
fn transaction_id() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    format!(
        "1000000000{}{:06}",
        now_in(CHINA),
        NEXT.fetch_add(1, Ordering::SeqCst)
    )
}

/// The headers of one request; `None` leaves a header out.
struct Headers {
    app_id: Option<String>,
    transaction_id: Option<String>,
    req_time: Option<String>,
    sign: Option<String>,
}

impl Headers {
    /// Correctly signed headers for `body` by `app`, now in China.
    fn signed(app: &App, body: &str) -> Headers {
        let (tx, time) = (transaction_id(), now_in(CHINA));
        let sign = java110_sign(&tx, &time, &app.id, body.as_bytes(), &app.secret);
        Headers {
            app_id: Some(app.id.clone()),
            transaction_id: Some(tx),
            req_time: Some(time),
            sign: Some(sign),
        }
    }

    /// Signed with this transaction id and time.
    fn signed_at(app: &App, body: &str, tx: &str, time: &str) -> Headers {
        Headers {
            app_id: Some(app.id.clone()),
            transaction_id: Some(tx.into()),
            req_time: Some(time.into()),
            sign: Some(java110_sign(
                tx,
                time,
                &app.id,
                body.as_bytes(),
                &app.secret,
            )),
        }
    }
}

/// Sends `body` to `path` with `headers`; the status, content type and body.
async fn send(
    s: &Server,
    path: &str,
    headers: &Headers,
    body: &str,
) -> (StatusCode, String, String) {
    let mut req = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json");
    for (name, value) in [
        ("app_id", &headers.app_id),
        ("transaction_id", &headers.transaction_id),
        ("req_time", &headers.req_time),
        ("sign", &headers.sign),
    ] {
        if let Some(v) = value {
            req = req.header(name, v);
        }
    }
    let (status, h, bytes) = s
        .send(req.body(Body::from(body.to_string())).unwrap())
        .await;
    let content_type = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (
        status,
        content_type,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// A correctly signed request; a non-200 answer must be plain text.
async fn call(s: &Server, app: &App, path: &str, body: &str) -> (StatusCode, String) {
    let (status, content_type, text) = send(s, path, &Headers::signed(app, body), body).await;
    if status == StatusCode::OK {
        assert!(
            content_type.starts_with("application/json"),
            "{content_type}"
        );
    } else {
        assert!(
            content_type.starts_with("text/plain"),
            "{status}: {content_type}: {text}"
        );
        assert!(
            !text.trim_start().starts_with('{'),
            "a reason, not JSON: {text}"
        );
    }
    (status, text)
}

fn object(text: &str) -> serde_json::Map<String, Value> {
    match serde_json::from_str(text) {
        Ok(Value::Object(map)) => map,
        _ => panic!("not a JSON object: {text}"),
    }
}

fn digits(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
}

/// `{"responseTime","userId"}`: both strings, the time 14 digits near now.
fn assert_register_answer(text: &str) -> String {
    let answer = object(text);
    let mut keys: Vec<_> = answer.keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["responseTime", "userId"], "{text}");
    let time = answer["responseTime"].as_str().unwrap();
    assert_eq!(time.len(), 14, "{text}");
    let unix = domain::legacy_signatures::parse_compact_time(time, CHINA).unwrap();
    assert!((unix - domain::clock::now()).abs() < 60, "{text}");
    assert!(
        digits(&answer["userId"]),
        "userId is a string of digits: {text}"
    );
    answer["userId"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_documents_examples_sent_exactly() {
    let (s, app) = java110_server(UtcOffset::default()).await;

    // Register: the example's password is a 33-letter placeholder, no
    // digest java110's `passwdMd5` can produce, so it is refused with the
    // reason …
    let (status, text) = call(&s, &app, REGISTER, DOC_REGISTER).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.contains("32 hexadecimal digits"), "{text}");
    // … and the same example with a real digest is answered as documented.
    let with_digest = DOC_REGISTER.replace(
        "ERCBHDUYFJDNDHDJDNDJDHDUDHDJDDKDK",
        &DigestScheme::Java110.of(PASSWORD),
    );
    let (status, text) = call(&s, &app, REGISTER, &with_digest).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let id: i64 = assert_register_answer(&text).parse().unwrap();
    let user = s.uc.profile(id).await.unwrap();
    assert_eq!(user.email.as_deref(), Some("928255095@qq.com"));
    assert_eq!(user.phone.as_deref(), Some("17797173943"));
    assert_eq!(user.display_name.as_deref(), Some("张三"));
    assert_eq!(user.gender, shared::identity::Gender::Male);

    // Login: an account `admin` whose java110 digest is the example's.
    let admin =
        s.uc.create_user_with_digest(
            Registration {
                email: "admin@example.com",
                username: "admin",
                ..Default::default()
            },
            DigestScheme::Java110,
            "d57167e07915c9428b1c3aae57003807",
        )
        .await
        .unwrap();
    let (status, text) = call(&s, &app, LOGIN, DOC_LOGIN).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let answer = object(&text);
    assert_eq!(answer.len(), 3, "{text}");
    assert_eq!(answer["userName"], "admin");
    assert_eq!(answer["userId"], admin.id.to_string());
    let token = answer["token"].as_str().unwrap().to_string();
    assert!(!token.is_empty() && token.len() <= 64, "{token}");

    // Check: the example's token is java110's, not ours …
    let (status, text) = call(&s, &app, CHECK, DOC_CHECK).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{text}");
    assert!(text.contains("token"), "{text}");
    // … the one login handed out is answered as documented.
    let body = format!("{{\n\t\"token\":\"{token}\"\n}}");
    let (status, text) = call(&s, &app, CHECK, &body).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(
        object(&text),
        object(&json!({"userId": admin.id.to_string()}).to_string())
    );
}

#[tokio::test]
async fn the_signature_headers_are_checked() {
    let (s, app) = java110_server(UtcOffset::default()).await;
    let body = r#"{"token":"nothing"}"#;
    let other = self::app(&s, &[Scope::UsersWrite, Scope::AuthCheck]).await;
    let no_scope = self::app(&s, &[Scope::UsersRead]).await;
    let signed = || Headers::signed(&app, body);
    let tx = transaction_id();
    let at = |minutes: i64| format_compact_time(domain::clock::now() + minutes * 60, CHINA);
    type Case = (
        &'static str,
        Headers,
        &'static str,
        StatusCode,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (
            "signed",
            signed(),
            body,
            StatusCode::UNAUTHORIZED,
            "token is not valid",
        ),
        (
            "no app_id",
            Headers {
                app_id: None,
                ..signed()
            },
            body,
            StatusCode::UNAUTHORIZED,
            "app_id",
        ),
        (
            "no transaction_id",
            Headers {
                transaction_id: None,
                ..signed()
            },
            body,
            StatusCode::UNAUTHORIZED,
            "transaction_id",
        ),
        (
            "no req_time",
            Headers {
                req_time: None,
                ..signed()
            },
            body,
            StatusCode::UNAUTHORIZED,
            "req_time",
        ),
        (
            "no sign",
            Headers {
                sign: None,
                ..signed()
            },
            body,
            StatusCode::UNAUTHORIZED,
            "sign",
        ),
        (
            "blank sign",
            Headers {
                sign: Some(" ".into()),
                ..signed()
            },
            body,
            StatusCode::UNAUTHORIZED,
            "sign",
        ),
        (
            "wrong sign",
            Headers {
                sign: Some("0".repeat(32)),
                ..signed()
            },
            body,
            StatusCode::UNAUTHORIZED,
            "sign does not match",
        ),
        (
            "body changed after signing",
            signed(),
            r#"{"token":"nothinG"}"#,
            StatusCode::UNAUTHORIZED,
            "sign does not match",
        ),
        (
            "another app's id",
            Headers {
                app_id: Some(other.id.clone()),
                ..signed()
            },
            body,
            StatusCode::UNAUTHORIZED,
            "sign does not match",
        ),
        (
            "unknown app",
            Headers {
                app_id: Some("app_unknown".into()),
                ..signed()
            },
            body,
            StatusCode::UNAUTHORIZED,
            "Unknown or disabled app",
        ),
        (
            "req_time as Unix seconds",
            Headers {
                req_time: Some(domain::clock::now().to_string()),
                ..signed()
            },
            body,
            StatusCode::BAD_REQUEST,
            "YYYYMMDDhhmmss",
        ),
        (
            "req_time with separators",
            Headers {
                req_time: Some("2018-11-25 23:06:34".into()),
                ..signed()
            },
            body,
            StatusCode::BAD_REQUEST,
            "YYYYMMDDhhmmss",
        ),
        (
            "req_time six minutes old",
            Headers::signed_at(&app, body, &tx, &at(-6)),
            body,
            StatusCode::UNAUTHORIZED,
            "five minutes",
        ),
        (
            "req_time six minutes ahead",
            Headers::signed_at(&app, body, &tx, &at(6)),
            body,
            StatusCode::UNAUTHORIZED,
            "five minutes",
        ),
        (
            "req_time in UTC, not +08:00",
            Headers::signed_at(&app, body, &tx, &now_in(0)),
            body,
            StatusCode::UNAUTHORIZED,
            "five minutes",
        ),
        (
            "transaction_id with spaces",
            Headers::signed_at(&app, body, "1000 0001", &now_in(CHINA)),
            body,
            StatusCode::BAD_REQUEST,
            "transaction_id",
        ),
        (
            "app without the scope",
            Headers::signed(&no_scope, body),
            body,
            StatusCode::FORBIDDEN,
            "auth:check",
        ),
    ];
    for (name, headers, sent, status, reason) in cases {
        let (got, content_type, text) = send(&s, CHECK, &headers, sent).await;
        assert_eq!(got, status, "{name}: {text}");
        assert!(
            content_type.starts_with("text/plain"),
            "{name}: {content_type}"
        );
        assert!(text.contains(reason), "{name}: {text}");
    }
    // Four minutes off is within the window; upper-case hex signs too.
    let mut near = Headers::signed_at(&app, body, &transaction_id(), &at(-4));
    near.sign = near.sign.map(|s| s.to_uppercase());
    let (status, _, text) = send(&s, CHECK, &near, body).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "reached the token check: {text}"
    );
    assert!(text.contains("token is not valid"), "{text}");
}

#[tokio::test]
async fn a_transaction_id_is_used_once() {
    let (s, app) = java110_server(UtcOffset::default()).await;
    let body = format!(
        r#"{{"email":"once@example.com","password":"{}"}}"#,
        DigestScheme::Java110.of(PASSWORD)
    );
    let headers = Headers::signed(&app, &body);
    let (status, _, text) = send(&s, REGISTER, &headers, &body).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    // The captured request again, byte for byte.
    let (status, content_type, text) = send(&s, REGISTER, &headers, &body).await;
    assert_eq!(status, StatusCode::CONFLICT, "{text}");
    assert!(content_type.starts_with("text/plain"));
    assert!(text.contains("transaction id was already used"), "{text}");
    // With a fresh req_time the old sign no longer matches.
    let fresh = Headers {
        req_time: Some(format_compact_time(domain::clock::now() + 2, CHINA)),
        ..Headers::signed_at(
            &app,
            &body,
            headers.transaction_id.as_deref().unwrap(),
            headers.req_time.as_deref().unwrap(),
        )
    };
    let (status, _, text) = send(&s, REGISTER, &fresh, &body).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{text}");
    assert!(text.contains("sign does not match"), "{text}");
    // The same id from another app is that app's own.
    let other = self::app(&s, &[Scope::UsersWrite]).await;
    let other_body = body.replace("once@", "twice@");
    let reused = Headers::signed_at(
        &other,
        &other_body,
        headers.transaction_id.as_deref().unwrap(),
        &now_in(CHINA),
    );
    let (status, _, text) = send(&s, REGISTER, &reused, &other_body).await;
    assert_eq!(status, StatusCode::OK, "{text}");
}

#[tokio::test]
async fn the_time_zone_is_configurable() {
    let (s, app) = java110_server(UtcOffset(0)).await;
    let body = r#"{"token":"x"}"#;
    let utc = Headers::signed_at(&app, body, &transaction_id(), &now_in(0));
    let (status, _, text) = send(&s, CHECK, &utc, body).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        text.contains("token is not valid"),
        "reached the token check: {text}"
    );
    let china = Headers::signed_at(&app, body, &transaction_id(), &now_in(CHINA));
    let (status, _, text) = send(&s, CHECK, &china, body).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(text.contains("five minutes"), "{text}");
    // responseTime is written in the same zone.
    let register = format!(
        r#"{{"email":"utc@example.com","password":"{}"}}"#,
        DigestScheme::Java110.of(PASSWORD)
    );
    let utc = Headers::signed_at(&app, &register, &transaction_id(), &now_in(0));
    let (status, _, text) = send(&s, REGISTER, &utc, &register).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let time = object(&text)["responseTime"].as_str().unwrap().to_string();
    let unix = domain::legacy_signatures::parse_compact_time(&time, 0).unwrap();
    assert!((unix - domain::clock::now()).abs() < 60, "{time}");
}

#[tokio::test]
async fn register_refuses_bad_input_with_a_reason() {
    let (s, app) = java110_server(UtcOffset::default()).await;
    let digest = DigestScheme::Java110.of(PASSWORD);
    let (status, text) = call(
        &s,
        &app,
        REGISTER,
        &json!({"email": "taken@example.com", "password": digest, "tel": "13800138000"})
            .to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let cases: Vec<(&str, Value, StatusCode, &str)> = vec![
        (
            "no password",
            json!({"email": "a@example.com"}),
            StatusCode::BAD_REQUEST,
            "password is required",
        ),
        (
            "plaintext password",
            json!({"email": "a@example.com", "password": PASSWORD}),
            StatusCode::BAD_REQUEST,
            "32 hexadecimal digits",
        ),
        (
            "no email or tel",
            json!({"name": "x", "password": digest}),
            StatusCode::BAD_REQUEST,
            "email address or a phone",
        ),
        (
            "bad email",
            json!({"email": "not-an-email", "password": digest}),
            StatusCode::BAD_REQUEST,
            "valid email",
        ),
        (
            "bad tel",
            json!({"tel": "12345", "password": digest}),
            StatusCode::BAD_REQUEST,
            "mobile number",
        ),
        (
            "bad sex",
            json!({"email": "a@example.com", "password": digest, "sex": "2"}),
            StatusCode::BAD_REQUEST,
            "sex must be 0",
        ),
        (
            "name too long",
            json!({"email": "a@example.com", "password": digest, "name": "x".repeat(51)}),
            StatusCode::BAD_REQUEST,
            "name",
        ),
        (
            "password not a string",
            json!({"email": "a@example.com", "password": ["x"]}),
            StatusCode::BAD_REQUEST,
            "password must be a string",
        ),
        (
            "email taken",
            json!({"email": "Taken@example.com", "password": digest}),
            StatusCode::CONFLICT,
            "email is already registered",
        ),
        (
            "tel taken",
            json!({"tel": "13800138000", "password": digest}),
            StatusCode::CONFLICT,
            "phone number is already registered",
        ),
    ];
    for (name, body, status, reason) in cases {
        let (got, text) = call(&s, &app, REGISTER, &body.to_string()).await;
        assert_eq!(got, status, "{name}: {text}");
        assert!(text.contains(reason), "{name}: {text}");
    }
    for raw in ["", "not json", "[1,2]", "\"text\""] {
        let (status, text) = call(&s, &app, REGISTER, raw).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{raw}: {text}");
        assert!(text.contains("JSON object"), "{text}");
    }
    // Numbers are taken as the strings they spell; 1 is a girl.
    let (status, text) = call(
        &s,
        &app,
        REGISTER,
        &json!({"tel": 13900139000u64, "password": digest, "sex": 1}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let id: i64 = assert_register_answer(&text).parse().unwrap();
    let user = s.uc.profile(id).await.unwrap();
    assert_eq!(user.gender, shared::identity::Gender::Female);
    assert_eq!(user.phone.as_deref(), Some("13900139000"));
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(&s.db.sql)
        .await
        .unwrap();
    assert_eq!(n, 2, "no refused request created an account");
}

#[tokio::test]
async fn login_failures_are_counted_and_alike_for_unknown_accounts() {
    let (s, app) = java110_server(UtcOffset::default()).await;
    let digest = DigestScheme::Java110.of(PASSWORD);
    let (status, _) = call(
        &s,
        &app,
        REGISTER,
        &json!({"email": "l@example.com", "password": digest}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let login = |user: &str, passwd: &str| json!({"username": user, "passwd": passwd}).to_string();
    let wrong = DigestScheme::Java110.of("wrong password");
    let (status, text) = call(&s, &app, LOGIN, &login("l@example.com", &wrong)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        text.contains("Incorrect account or password. 4 attempts left"),
        "{text}"
    );
    let (status, unknown) = call(&s, &app, LOGIN, &login("nobody@example.com", &wrong)).await;
    assert_eq!((status, unknown), (StatusCode::UNAUTHORIZED, text));
    for (name, body, status, reason) in [
        (
            "no username",
            json!({"passwd": digest}).to_string(),
            StatusCode::BAD_REQUEST,
            "username is required",
        ),
        (
            "no passwd",
            json!({"username": "l@example.com"}).to_string(),
            StatusCode::BAD_REQUEST,
            "passwd is required",
        ),
        (
            "plaintext passwd",
            login("l@example.com", PASSWORD),
            StatusCode::BAD_REQUEST,
            "32 hexadecimal digits",
        ),
    ] {
        let (got, text) = call(&s, &app, LOGIN, &body).await;
        assert_eq!(got, status, "{name}: {text}");
        assert!(text.contains(reason), "{name}: {text}");
    }
    for _ in 0..4 {
        call(&s, &app, LOGIN, &login("l@example.com", &wrong)).await;
    }
    let (status, text) = call(&s, &app, LOGIN, &login("l@example.com", &digest)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{text}");
    assert!(
        text.contains("locked") && text.contains("Try again in"),
        "{text}"
    );
}

#[tokio::test]
async fn a_frozen_account_neither_signs_in_nor_checks() {
    let (s, app) = java110_server(UtcOffset::default()).await;
    let digest = DigestScheme::Java110.of(PASSWORD);
    let (_, text) = call(
        &s,
        &app,
        REGISTER,
        &json!({"email": "f@example.com", "password": digest}).to_string(),
    )
    .await;
    let id: i64 = assert_register_answer(&text).parse().unwrap();
    let login = json!({"username": "f@example.com", "passwd": digest}).to_string();
    let (status, text) = call(&s, &app, LOGIN, &login).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let token = object(&text)["token"].as_str().unwrap().to_string();
    let staff =
        s.uc.create_admin(
            "staff@example.com",
            "",
            "",
            "staff password 1",
            domain::admin::Role::Staff,
        )
        .await
        .unwrap();
    s.uc.set_frozen(staff.id, id, true).await.unwrap();
    let (status, text) = call(&s, &app, CHECK, &json!({"token": token}).to_string()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{text}");
    let (status, text) = call(&s, &app, LOGIN, &login).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
    assert!(text.contains("cannot sign in"), "{text}");
}

#[tokio::test]
async fn registered_through_java110_signs_in_on_the_web() {
    let (s, app) = java110_server(UtcOffset::default()).await;
    let body = json!({"name": "Ann", "email": "ann@example.com", "password": DigestScheme::Java110.of(PASSWORD), "tel": "13700137000", "sex": "1"});
    let (status, text) = call(&s, &app, REGISTER, &body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let id = assert_register_answer(&text);
    let (status, web) = s
        .post_json(
            "/api/v1/auth/login",
            json!({"identifier": "13700137000", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{web}");
    assert_eq!(web["user"]["id"].to_string(), id);
    assert_eq!(web["user"]["display_name"], "Ann");
    let (status, _) = s
        .post_json(
            "/api/v1/auth/login",
            json!({"identifier": "ann@example.com", "password": "correct horse 2"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn registered_on_the_web_signs_in_through_java110() {
    let (s, app) = java110_server(UtcOffset::default()).await;
    let (status, web) = s
        .post_json(
            "/api/v1/auth/register",
            json!({"email": "web@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{web}");
    let login =
        json!({"username": "WEB@example.com", "passwd": DigestScheme::Java110.of(PASSWORD)});
    let (status, text) = call(&s, &app, LOGIN, &login.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let answer = object(&text);
    assert_eq!(answer["userId"], web["user"]["id"].to_string());
    assert_eq!(answer["userName"], "web@example.com");
    // The token lives with its session: checked, then ended by a web logout.
    let token = answer["token"].as_str().unwrap();
    let (status, text) = call(&s, &app, CHECK, &json!({"token": token}).to_string()).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(object(&text)["userId"], web["user"]["id"].to_string());
    // "Sign out everywhere else" from the web session ends the java110 one.
    let (status, _) = s
        .json(
            "POST",
            "/api/v1/sessions/revoke-others",
            Body::empty(),
            "application/json",
            web["token"].as_str(),
        )
        .await;
    assert!(status.is_success(), "{status}");
    let (status, text) = call(&s, &app, CHECK, &json!({"token": token}).to_string()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{text}");
    // The web's access token is not a java110 token.
    let (status, _) = call(&s, &app, CHECK, &json!({"token": web["token"]}).to_string()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// The worked example in README's java110 section.
#[test]
fn the_readme_example_signs_as_documented() {
    let passwd = DigestScheme::Java110.of(PASSWORD);
    assert_eq!(passwd, "7e98ea10891b8e697de5b1cacbd7b549");
    let body = format!(r#"{{"username":"ann@example.com","passwd":"{passwd}"}}"#);
    assert_eq!(
        java110_sign(
            "100000000020181125230634000001",
            "20181125230634",
            "app_3f2b9c0d4e5f60718293a4b5c6d7e8f9",
            body.as_bytes(),
            "Hx2cQe7Vn0rL5sYd8Wm3Ka6Tb1Pz4Uj9",
        ),
        "a5ac8ae4aac413fc7fc10d26418aab4d"
    );
}

#[tokio::test]
async fn a_captcha_demand_is_429_and_can_be_met() {
    let mut domain = settings();
    domain.password_digests = vec![DigestScheme::Java110];
    domain.lockout.captcha_after = 2;
    let compat = CompatSettings {
        seeds: vec![Seed::Java110],
        ..CompatSettings::default()
    };
    let s = server_with_compat(domain, &compat).await;
    let app = app(&s, &[Scope::UsersWrite]).await;
    let digest = DigestScheme::Java110.of(PASSWORD);
    let (status, _) = call(
        &s,
        &app,
        REGISTER,
        &json!({"email": "c@example.com", "password": digest}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let login = |passwd: &str| json!({"username": "c@example.com", "passwd": passwd});
    for _ in 0..2 {
        let (status, _) = call(&s, &app, LOGIN, &login(&"0".repeat(32)).to_string()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, text) = call(&s, &app, LOGIN, &login(&digest).to_string()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{text}");
    assert!(text.contains("captcha"), "{text}");
    // The extension fields carry a solved captcha.
    let (status, captcha) = s.get("/api/v1/captcha", None).await;
    assert_eq!(status, StatusCode::OK);
    let key = captcha["key"].as_str().unwrap();
    let answer =
        std::fs::read_to_string(s._dir.path().join(format!("outbox/captcha/{key}.txt"))).unwrap();
    let mut body = login(&digest);
    body["captcha_key"] = json!(key);
    body["captcha_answer"] = json!(answer);
    let (status, text) = call(&s, &app, LOGIN, &body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{text}");
}
