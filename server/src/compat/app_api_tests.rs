//! Conformance tests of the app API facade (seed 002, `Api/User/…`): every
//! example of the document sent as it shows it, each documented error code
//! from the input that should produce it, round trips with the REST API,
//! the review states behind `status`, and tokens that act for their owner
//! only.

use crate::compat::{app_api, CompatSettings};
use crate::tests::{server_with_compat, settings, Server};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use domain::admin::Role;
use domain::wallet::{Actor, Movement};
use serde_json::{json, Value};
use shared::profile::VerificationKind;
use std::time::Duration;

/// Six characters: the facade's minimum, under the product's.
const SHORT_PASSWORD: &str = "xK9#qv";
const WEB_PASSWORD: &str = "correct horse battery";
/// A valid mainland resident ID (GB 11643).
const ID_NUMBER: &str = "440524188001010014";
/// A JPush RegistrationID as the SDK hands them out.
const JPUSH_ID: &str = "1a0018970a9c4c2b5a9";

async fn app_server() -> Server {
    app_server_with(app_api::Options::default()).await
}

async fn app_server_with(options: app_api::Options) -> Server {
    let mut domain = settings();
    // Tests send several codes to one phone.
    domain.codes.resend_after = Duration::ZERO;
    let compat = CompatSettings {
        app_api: options,
        ..CompatSettings::all()
    };
    server_with_compat(domain, &compat).await
}

/// `a=b&c=d`, encoded as a form.
fn form(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

/// Sends a request as the app would: the body form-encoded when there is
/// one, no cookies, no `Origin`.
async fn app(s: &Server, method: &str, uri: &str, body: &str) -> (StatusCode, Value) {
    app_with(s, method, uri, body, "application/x-www-form-urlencoded").await
}

async fn app_with(
    s: &Server,
    method: &str,
    uri: &str,
    body: &str,
    content_type: &str,
) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if !body.is_empty() {
        req = req.header(header::CONTENT_TYPE, content_type);
    }
    let (status, headers, bytes) = s
        .send(req.body(Body::from(body.to_string())).unwrap())
        .await;
    if status == StatusCode::OK {
        assert_eq!(headers[header::CACHE_CONTROL], "no-store", "{uri}");
    }
    let value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| panic!("{uri}: not JSON: {}", String::from_utf8_lossy(&bytes)));
    (status, value)
}

/// Checks the envelope `{data, info, code, state}` with its documented
/// types, and returns the code.
fn code_of(v: &Value) -> u64 {
    let obj = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"));
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["code", "data", "info", "state"], "{v}");
    assert!(v["info"].is_string(), "{v}");
    assert!(v["state"].is_u64(), "{v}");
    v["code"]
        .as_u64()
        .unwrap_or_else(|| panic!("code is not a number: {v}"))
}

/// Asserts an answer: HTTP 200, the envelope, `code`, and the state and
/// data the document gives (success: state 1; failure: state 2, data "").
#[track_caller]
fn expect(answer: &(StatusCode, Value), code: u64) {
    let (status, v) = answer;
    assert_eq!(*status, StatusCode::OK, "{v}");
    assert_eq!(code_of(v), code, "{v}");
    if code == 1000 {
        assert_eq!(v["state"], 1, "{v}");
    } else {
        assert_eq!(v["state"], 2, "{v}");
        assert_eq!(v["data"], "", "{v}");
    }
}

/// A code the product sends for `purpose`, requested through its REST API
/// as the app does (with the image captcha solved from the dev outbox).
async fn send_code(s: &Server, contact: &str, purpose: &str) -> String {
    let (status, captcha) = s.get("/api/v1/captcha", None).await;
    assert_eq!(status, StatusCode::OK, "{captcha}");
    let key = captcha["key"].as_str().unwrap();
    let answer = std::fs::read_to_string(
        s._dir
            .path()
            .join("outbox/captcha")
            .join(format!("{key}.txt")),
    )
    .unwrap();
    let before = s.messages(contact).len();
    let (status, sent) = s
        .post_json(
            "/api/v1/codes/send",
            json!({"contact": contact, "purpose": purpose,
                   "captcha_key": key, "captcha_answer": answer}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    for _ in 0..100 {
        if s.messages(contact).len() > before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    s.last_code_to(contact).await
}

/// Registers `phone` through the facade, as the document's example;
/// returns the token.
async fn register(s: &Server, phone: &str, password: &str) -> String {
    let code = send_code(s, phone, "register").await;
    let body = form(&[
        ("phone", phone),
        ("code", &code),
        ("password", password),
        ("RegistrationID", JPUSH_ID),
    ]);
    let answer = app(s, "POST", "/Api/User/register", &body).await;
    expect(&answer, 1000);
    answer.1["data"]["token"].as_str().unwrap().to_string()
}

async fn login(s: &Server, phone: &str, password: &str) -> (StatusCode, Value) {
    let body = form(&[("phone", phone), ("password", password)]);
    app(s, "POST", "/Api/User/login", &body).await
}

async fn details(s: &Server, token: &str) -> (StatusCode, Value) {
    app(
        s,
        "GET",
        &format!("/Api/User/get_user_details?token={token}"),
        "",
    )
    .await
}

/// Signs in through the REST API; the access token.
async fn rest_login(s: &Server, identifier: &str, password: &str) -> (StatusCode, Value) {
    s.post_json(
        "/api/v1/auth/login",
        json!({"identifier": identifier, "password": password}),
    )
    .await
}

async fn rest_token(s: &Server, identifier: &str, password: &str) -> String {
    let (status, v) = rest_login(s, identifier, password).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v["token"].as_str().unwrap().to_string()
}

fn png(seed: u8) -> Vec<u8> {
    let image =
        image::RgbImage::from_fn(48, 32, |x, y| image::Rgb([x as u8 ^ seed, y as u8, seed]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// Uploads through the REST API with an access token; the JSON answer.
async fn rest_upload(s: &Server, method: &str, path: &str, access: &str, seed: u8) -> Value {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "image/png")
        .header(header::AUTHORIZATION, format!("Bearer {access}"))
        .body(Body::from(png(seed)))
        .unwrap();
    let (status, _, bytes) = s.send(req).await;
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(status.is_success(), "{v}");
    v
}

/// The avatar address of a new upload by the holder of `access`.
async fn uploaded_avatar(s: &Server, access: &str, seed: u8) -> String {
    let me = rest_upload(s, "PUT", "/api/v1/me/avatar", access, seed).await;
    me["avatar_url"].as_str().unwrap().to_string()
}

/// The address of a new qualification photo by the holder of `access`.
async fn uploaded_document(s: &Server, access: &str, seed: u8) -> String {
    let doc = rest_upload(
        s,
        "POST",
        "/api/v1/me/documents?kind=qualification",
        access,
        seed,
    )
    .await;
    format!("/api/v1/me/documents/{}", doc["id"])
}

async fn staff(s: &Server) -> i64 {
    s.uc.create_admin("staff@example.com", "", "", WEB_PASSWORD, Role::Staff)
        .await
        .unwrap()
        .id
}

fn user_id(details: &Value) -> i64 {
    details["data"]["_id"].as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn every_documented_example_answers_in_the_documented_shape() {
    let s = app_server().await;
    let phone = "15507898841";

    // 用户注册: post:Api/User/register with the four fields.
    let token = register(&s, phone, SHORT_PASSWORD).await;
    assert!(!token.is_empty());

    // 用户登录: post:Api/User/login.
    let answer = login(&s, phone, SHORT_PASSWORD).await;
    expect(&answer, 1000);
    let data = answer.1["data"].as_object().unwrap();
    let mut keys: Vec<&str> = data.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["authenticationState", "token"]);
    assert_eq!(answer.1["data"]["authenticationState"], 0);
    assert_eq!(answer.1["info"], "登录成功");
    let login_token = answer.1["data"]["token"].as_str().unwrap().to_string();
    assert_ne!(login_token, token, "each sign-in is its own session");

    // 获取用户详细信息: get:Api/User/get_user_details?token=用户token. Every
    // field, each a string, as the example (a new account: status 2, no
    // balances configured: "0", "", "").
    let answer = details(&s, &token).await;
    expect(&answer, 1000);
    let data = answer.1["data"].as_object().unwrap();
    let mut keys: Vec<&str> = data.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "_id",
            "account",
            "currency",
            "integral",
            "portrait",
            "status",
            "uuid",
            "virtual_currency"
        ]
    );
    assert!(data.values().all(Value::is_string), "{data:?}");
    assert_eq!(data["account"], phone);
    assert_eq!(data["integral"], "0");
    assert_eq!(data["status"], "2");
    assert_eq!(
        data["uuid"], JPUSH_ID,
        "the session's device is the RegistrationID"
    );
    assert_eq!(data["portrait"], "");
    assert_eq!(data["currency"], "");
    assert_eq!(data["virtual_currency"], "");
    assert_eq!(answer.1["info"], "");
    let id = user_id(&answer.1);
    // The sign-in session had no device id.
    assert_eq!(details(&s, &login_token).await.1["data"]["uuid"], "");

    // 认证身份证: Api/User/verification/token/用户token with name, cardno.
    let body = form(&[("name", "张三"), ("cardno", ID_NUMBER)]);
    let answer = app(
        &s,
        "POST",
        &format!("/Api/User/verification/token/{token}"),
        &body,
    )
    .await;
    expect(&answer, 1000);
    assert_eq!(details(&s, &token).await.1["data"]["status"], "4");

    // 获取用户认证信息: under review, so not (yet) 1000.
    let uri = format!("/Api/User/getVerification/token/{token}");
    let answer = app(&s, "GET", &uri, "").await;
    expect(&answer, 1012);
    let staff = staff(&s).await;
    s.uc.approve_verification(staff, id, VerificationKind::RealName)
        .await
        .unwrap();
    let answer = app(&s, "GET", &uri, "").await;
    expect(&answer, 1000);
    assert_eq!(answer.1["info"], "获取成功");
    assert_eq!(answer.1["data"], "");
    assert_eq!(
        login(&s, phone, SHORT_PASSWORD).await.1["data"]["authenticationState"],
        1
    );

    // 更换头像: post:Api/User/uploadPortrait/ with portrait = an address of
    // an image uploaded here.
    let access = rest_token(&s, phone, SHORT_PASSWORD).await;
    let avatar = uploaded_avatar(&s, &access, 1).await;
    // Point it elsewhere through the REST API, then back through the facade.
    uploaded_avatar(&s, &access, 2).await;
    let other_user = s.register("other@example.com").await.1;
    let other_access = other_user["token"].as_str().unwrap();
    let kept = uploaded_avatar(&s, other_access, 1).await;
    assert_eq!(kept, avatar, "same picture, same address");
    let body = form(&[("token", &token), ("portrait", &avatar)]);
    let answer = app(&s, "POST", "/Api/User/uploadPortrait/", &body).await;
    expect(&answer, 1000);
    assert_eq!(answer.1["info"], "添加成功");
    assert_eq!(
        details(&s, &token).await.1["data"]["portrait"],
        avatar.as_str()
    );

    // 资格证认证: get:Api/User/authenticationQualifications/token/用户token
    // with picture = the address of an uploaded qualification photo.
    let picture = uploaded_document(&s, &access, 3).await;
    let uri = format!(
        "/Api/User/authenticationQualifications/token/{token}?{}",
        form(&[("picture", &picture)])
    );
    let answer = app(&s, "GET", &uri, "").await;
    expect(&answer, 1000);
    assert_eq!(answer.1["info"], "从业资格证上传成功,等待客服认证");
    assert_eq!(details(&s, &token).await.1["data"]["status"], "4");
    s.uc.approve_verification(staff, id, VerificationKind::Qualification)
        .await
        .unwrap();
    assert_eq!(details(&s, &token).await.1["data"]["status"], "0");

    // 找回密码: post:Api/User/retrieve_password with the code sent to it.
    let code = send_code(&s, phone, "reset_password").await;
    let body = form(&[
        ("account", phone),
        ("phone_code", &code),
        ("new_password", "n3w-pw7"),
    ]);
    let answer = app(&s, "POST", "/Api/User/retrieve_password", &body).await;
    expect(&answer, 1000);
    assert_eq!(answer.1["info"], "密码设置成功");
    // The reset ended every session, so the app signs in again.
    expect(&details(&s, &token).await, 1015);
    expect(&login(&s, phone, SHORT_PASSWORD).await, 1010);
    let answer = login(&s, phone, "n3w-pw7").await;
    expect(&answer, 1000);
    let token = answer.1["data"]["token"].as_str().unwrap().to_string();

    // 退出登录: get:Api/User/exit_login?token=用户token; the token is dead.
    let answer = app(
        &s,
        "GET",
        &format!("/Api/User/exit_login?token={token}"),
        "",
    )
    .await;
    expect(&answer, 1000);
    assert_eq!(answer.1["info"], "退出成功");
    expect(&details(&s, &token).await, 1015);
}

#[tokio::test]
async fn every_documented_error_code_comes_from_its_input() {
    let s = app_server().await;
    let phone = "13900000001";
    let token = register(&s, phone, SHORT_PASSWORD).await;
    let fresh = "13900000002";
    let fresh_code = send_code(&s, fresh, "register").await;
    let bogus = "not-a-live-session-token";
    let access = rest_token(&s, phone, SHORT_PASSWORD).await;
    let foreign_hash = "ab".repeat(32);

    // A phone that got an account after its code was sent (here through
    // the REST API): 1007.
    let taken = "13900000003";
    let taken_code = send_code(&s, taken, "register").await;
    let (status, _) = s
        .post_json(
            "/api/v1/auth/register",
            json!({"phone": taken, "password": WEB_PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let reg = |phone: &str, code: &str, password: &str| {
        form(&[
            ("phone", phone),
            ("code", code),
            ("password", password),
            ("RegistrationID", JPUSH_ID),
        ])
    };
    let t = token.as_str();
    let cases: Vec<(&str, &str, String, String, u64)> = vec![
        // 用户注册
        ("register: no phone", "POST", "/Api/User/register".into(), reg("", &fresh_code, SHORT_PASSWORD), 1006),
        ("register: not a phone", "POST", "/Api/User/register".into(), reg("12345", &fresh_code, SHORT_PASSWORD), 1006),
        ("register: 5 characters", "POST", "/Api/User/register".into(), reg(fresh, &fresh_code, "xK9#q"), 1006),
        ("register: 17 characters", "POST", "/Api/User/register".into(), reg(fresh, &fresh_code, "xK9#qv2!xK9#qv2!z"), 1006),
        ("register: the phone as password", "POST", "/Api/User/register".into(), reg(fresh, &fresh_code, fresh), 1006),
        ("register: no code", "POST", "/Api/User/register".into(), reg(fresh, "", SHORT_PASSWORD), 1006),
        ("register: wrong code", "POST", "/Api/User/register".into(), reg(fresh, "000000", SHORT_PASSWORD), 1008),
        ("register: not a code", "POST", "/Api/User/register".into(), reg(fresh, "12ab", SHORT_PASSWORD), 1008),
        ("register: taken meanwhile", "POST", "/Api/User/register".into(), reg(taken, &taken_code, SHORT_PASSWORD), 1007),
        // 认证身份证
        ("verification: no token", "POST", "/Api/User/verification".into(), form(&[("name", "张三"), ("cardno", ID_NUMBER)]), 999),
        ("verification: dead token", "POST", format!("/Api/User/verification/token/{bogus}"), form(&[("name", "张三"), ("cardno", ID_NUMBER)]), 999),
        ("verification: no cardno", "POST", format!("/Api/User/verification/token/{t}"), form(&[("name", "张三")]), 1001),
        ("verification: no name", "GET", format!("/Api/User/verification/token/{t}?cardno={ID_NUMBER}"), String::new(), 1001),
        ("verification: bad check digit", "POST", format!("/Api/User/verification/token/{t}"), form(&[("name", "张三"), ("cardno", "440524188001010015")]), 1013),
        ("verification: not an ID", "POST", format!("/Api/User/verification/token/{t}"), form(&[("name", "张三"), ("cardno", "12345")]), 1013),
        // 获取用户认证信息
        ("getVerification: no token", "GET", "/Api/User/getVerification".into(), String::new(), 999),
        ("getVerification: dead token", "GET", format!("/Api/User/getVerification/token/{bogus}"), String::new(), 999),
        ("getVerification: never submitted", "GET", format!("/Api/User/getVerification/token/{t}"), String::new(), 1012),
        // 用户登录
        ("login: no password", "POST", "/Api/User/login".into(), form(&[("phone", phone)]), 1006),
        ("login: not an account name", "POST", "/Api/User/login".into(), form(&[("phone", "12345"), ("password", SHORT_PASSWORD)]), 1006),
        ("login: wrong password", "POST", "/Api/User/login".into(), form(&[("phone", phone), ("password", "wrong1")]), 1010),
        ("login: unknown account", "POST", "/Api/User/login".into(), form(&[("phone", "13900000009"), ("password", SHORT_PASSWORD)]), 1010),
        // 找回密码
        ("retrieve_password: no code", "POST", "/Api/User/retrieve_password".into(), form(&[("account", phone), ("new_password", "abc123")]), 1006),
        ("retrieve_password: bad account", "POST", "/Api/User/retrieve_password".into(), form(&[("account", "12345"), ("phone_code", "123456"), ("new_password", "abc123")]), 1006),
        ("retrieve_password: short password", "POST", "/Api/User/retrieve_password".into(), form(&[("account", phone), ("phone_code", "123456"), ("new_password", "abc12")]), 1006),
        ("retrieve_password: wrong code", "POST", "/Api/User/retrieve_password".into(), form(&[("account", phone), ("phone_code", "000000"), ("new_password", "abc123")]), 1013),
        ("retrieve_password: unknown account", "POST", "/Api/User/retrieve_password".into(), form(&[("account", "13900000009"), ("phone_code", "000000"), ("new_password", "abc123")]), 1013),
        // 获取用户详细信息
        ("get_user_details: no token", "GET", "/Api/User/get_user_details".into(), String::new(), 999),
        ("get_user_details: dead token", "GET", format!("/Api/User/get_user_details?token={bogus}"), String::new(), 1015),
        ("get_user_details: an access token", "GET", format!("/Api/User/get_user_details?token={access}"), String::new(), 1015),
        // 更换头像
        ("uploadPortrait: no token", "POST", "/Api/User/uploadPortrait/".into(), form(&[("portrait", "/media/avatars/x.png")]), 999),
        ("uploadPortrait: dead token", "POST", "/Api/User/uploadPortrait/".into(), form(&[("token", bogus), ("portrait", "/media/avatars/x.png")]), 999),
        ("uploadPortrait: no portrait", "POST", "/Api/User/uploadPortrait/".into(), form(&[("token", t)]), 997),
        ("uploadPortrait: another host", "POST", "/Api/User/uploadPortrait/".into(), form(&[("token", t), ("portrait", "https://evil.example/a.png")]), 998),
        ("uploadPortrait: metadata service", "POST", "/Api/User/uploadPortrait/".into(), form(&[("token", t), ("portrait", "http://169.254.169.254/latest/meta-data/")]), 998),
        ("uploadPortrait: not stored here", "POST", "/Api/User/uploadPortrait/".into(), form(&[("token", t), ("portrait", &format!("/media/avatars/{foreign_hash}-256.png"))]), 998),
        ("uploadPortrait: a document", "POST", "/Api/User/uploadPortrait/".into(), form(&[("token", t), ("portrait", "/api/v1/me/documents/1")]), 998),
        // 资质认证
        ("authenticationQualifications: no token", "GET", "/Api/User/authenticationQualifications?picture=/api/v1/me/documents/1".into(), String::new(), 999),
        ("authenticationQualifications: no picture", "GET", format!("/Api/User/authenticationQualifications/token/{t}"), String::new(), 997),
        ("authenticationQualifications: another host", "GET", format!("/Api/User/authenticationQualifications/token/{t}?picture=https://evil.example/q.jpg"), String::new(), 998),
        ("authenticationQualifications: no such document", "GET", format!("/Api/User/authenticationQualifications/token/{t}?picture=/api/v1/me/documents/999"), String::new(), 998),
        // 退出登录
        ("exit_login: no token", "GET", "/Api/User/exit_login".into(), String::new(), 999),
    ];
    for (name, method, uri, body, want) in cases {
        let answer = app(&s, method, &uri, &body).await;
        assert_eq!(answer.0, StatusCode::OK, "{name}: {}", answer.1);
        assert_eq!(code_of(&answer.1), want, "{name}: {}", answer.1);
        assert_eq!(answer.1["state"], 2, "{name}");
        assert_eq!(answer.1["data"], "", "{name}");
        assert!(!answer.1["info"].as_str().unwrap().is_empty(), "{name}");
    }
    // Nothing above registered anyone or changed the account.
    expect(&login(&s, fresh, SHORT_PASSWORD).await, 1010);
    expect(&login(&s, phone, SHORT_PASSWORD).await, 1000);
    assert_eq!(details(&s, &token).await.1["data"]["portrait"], "");

    // 1012 for a second submission while one is under review.
    let uri = format!("/Api/User/verification/token/{t}");
    let body = form(&[("name", "张三"), ("cardno", ID_NUMBER)]);
    expect(&app(&s, "POST", &uri, &body).await, 1000);
    expect(&app(&s, "POST", &uri, &body).await, 1012);
    // 998 for a second qualification while one is under review, and for
    // an avatar path given as the certificate.
    let picture = uploaded_document(&s, &access, 1).await;
    let uri = |picture: &str| {
        format!(
            "/Api/User/authenticationQualifications/token/{t}?{}",
            form(&[("picture", picture)])
        )
    };
    expect(&app(&s, "GET", &uri(&picture), "").await, 1000);
    let second = uploaded_document(&s, &access, 2).await;
    expect(&app(&s, "GET", &uri(&second), "").await, 998);
    let avatar = uploaded_avatar(&s, &access, 1).await;
    expect(&app(&s, "GET", &uri(&avatar), "").await, 998);

    // exit_login with a token of no live session: 1015, state 1, as the
    // document shows it.
    let uri = format!("/Api/User/exit_login?token={t}");
    expect(&app(&s, "GET", &uri, "").await, 1000);
    let (status, v) = app(&s, "GET", &uri, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((code_of(&v), v["state"].clone()), (1015, json!(1)), "{v}");
    assert_eq!(v["info"], "用户不存在");
}

/// The statement that takes `table` away. PostgreSQL refuses to drop a
/// table another table's foreign key names unless told `CASCADE` (which
/// drops only those constraints); SQLite knows no `CASCADE`.
fn drop_table(s: &Server, table: &'static str) -> &'static str {
    match (table, s.db.is_postgres()) {
        ("refresh_tokens", false) => "DROP TABLE refresh_tokens",
        ("refresh_tokens", true) => "DROP TABLE refresh_tokens CASCADE",
        ("verifications", false) => "DROP TABLE verifications",
        ("verifications", true) => "DROP TABLE verifications CASCADE",
        _ => unreachable!("{table}"),
    }
}

/// 1009 and 996 answer failures of the server itself, which no input
/// causes: a table is taken away under the running server.
#[tokio::test]
async fn server_failures_answer_1009_and_996() {
    let s = app_server().await;
    let phone = "13900000012";
    let code = send_code(&s, phone, "register").await;
    sqlx::query(drop_table(&s, "refresh_tokens"))
        .execute(&s.db.sql)
        .await
        .unwrap();
    let body = form(&[
        ("phone", phone),
        ("code", &code),
        ("password", SHORT_PASSWORD),
    ]);
    let answer = app(&s, "POST", "/Api/User/register", &body).await;
    expect(&answer, 1009);
    assert_eq!(answer.1["info"], "注册失败");

    let s = app_server().await;
    let token = register(&s, "13900000013", SHORT_PASSWORD).await;
    sqlx::query(drop_table(&s, "verifications"))
        .execute(&s.db.sql)
        .await
        .unwrap();
    let answer = app(
        &s,
        "GET",
        &format!("/Api/User/getVerification/token/{token}"),
        "",
    )
    .await;
    expect(&answer, 996);
    assert_eq!(answer.1["info"], "获取失败");
}

#[tokio::test]
async fn a_token_acts_for_its_owner_only() {
    let s = app_server().await;
    let (a_phone, b_phone) = ("13700000001", "13700000002");
    let a = register(&s, a_phone, SHORT_PASSWORD).await;
    let b = register(&s, b_phone, SHORT_PASSWORD).await;
    let a_id = user_id(&details(&s, &a).await.1);
    let b_id = user_id(&details(&s, &b).await.1);
    assert_ne!(a_id, b_id);

    // A's token reads A, wherever it is put; a second token elsewhere in
    // the request never switches to B (one source wins: path, body, query).
    let b_form = form(&[("token", &b)]);
    let a_form = form(&[("token", &a)]);
    for (uri, body) in [
        (format!("/Api/User/get_user_details?token={a}"), ""),
        (
            format!("/Api/User/get_user_details/token/{a}"),
            b_form.as_str(),
        ),
        (
            format!("/Api/User/get_user_details/token/{a}?token={b}"),
            b_form.as_str(),
        ),
        (
            format!("/Api/User/get_user_details?token={b}"),
            a_form.as_str(),
        ),
    ] {
        let (_, v) = app(&s, "GET", &uri, body).await;
        assert_eq!(v["data"]["account"], a_phone, "{uri}: {v}");
        assert_eq!(user_id(&v), a_id);
    }

    // A submits a real name with A's token in the path and B's in the body:
    // only A is under review.
    let body = form(&[("token", &b), ("name", "张三"), ("cardno", ID_NUMBER)]);
    expect(
        &app(
            &s,
            "POST",
            &format!("/Api/User/verification/token/{a}"),
            &body,
        )
        .await,
        1000,
    );
    assert_eq!(details(&s, &a).await.1["data"]["status"], "4");
    assert_eq!(details(&s, &b).await.1["data"]["status"], "2");

    // A cannot submit B's qualification photo: it stays B's, unsubmitted.
    let b_access = rest_token(&s, b_phone, SHORT_PASSWORD).await;
    let b_picture = uploaded_document(&s, &b_access, 7).await;
    let uri = format!(
        "/Api/User/authenticationQualifications/token/{a}?{}",
        form(&[("picture", &b_picture)])
    );
    expect(&app(&s, "GET", &uri, "").await, 998);
    assert_eq!(details(&s, &a).await.1["data"]["status"], "4");
    let uri = format!(
        "/Api/User/authenticationQualifications/token/{b}?{}",
        form(&[("picture", &b_picture)])
    );
    expect(&app(&s, "GET", &uri, "").await, 1000);

    // A sets an avatar (a picture someone else keeps stored): B's stays as
    // it was.
    let c = s.register("c@example.com").await.1;
    let picture = uploaded_avatar(&s, c["token"].as_str().unwrap(), 5).await;
    let a_access = rest_token(&s, a_phone, SHORT_PASSWORD).await;
    uploaded_avatar(&s, &a_access, 8).await;
    let b_avatar = uploaded_avatar(&s, &b_access, 6).await;
    let body = form(&[("token", &b), ("portrait", &picture)]);
    expect(
        &app(
            &s,
            "POST",
            &format!("/Api/User/uploadPortrait/token/{a}"),
            &body,
        )
        .await,
        1000,
    );
    assert_eq!(
        details(&s, &a).await.1["data"]["portrait"],
        picture.as_str()
    );
    assert_eq!(
        details(&s, &b).await.1["data"]["portrait"],
        b_avatar.as_str()
    );

    // A signs out: B's session lives on.
    expect(
        &app(
            &s,
            "GET",
            &format!("/Api/User/exit_login/token/{a}?token={b}"),
            "",
        )
        .await,
        1000,
    );
    expect(&details(&s, &a).await, 1015);
    expect(&details(&s, &b).await, 1000);

    // A REST access token (or refresh token rotated away) is no facade token.
    let (_, rest) = rest_login(&s, b_phone, SHORT_PASSWORD).await;
    expect(&details(&s, rest["token"].as_str().unwrap()).await, 1015);
    let refresh = rest["refresh_token"].as_str().unwrap();
    expect(&details(&s, refresh).await, 1000);
    let (status, _) = s
        .post_json("/api/v1/auth/refresh", json!({"refresh_token": refresh}))
        .await;
    assert_eq!(status, StatusCode::OK);
    expect(&details(&s, refresh).await, 1015);
}

#[tokio::test]
async fn passwords_round_trip_with_the_rest_api() {
    let s = app_server().await;
    // A 6-character password set through the facade signs in through REST.
    let phone = "13600000001";
    register(&s, phone, SHORT_PASSWORD).await;
    assert_eq!(
        rest_login(&s, phone, SHORT_PASSWORD).await.0,
        StatusCode::OK
    );
    // REST still asks 8 for its own sign-up.
    let (status, v) = s
        .post_json(
            "/api/v1/auth/register",
            json!({"phone": "13600000002", "password": SHORT_PASSWORD}),
        )
        .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("WEAK_PASSWORD"))
    );

    // An account made through REST signs in through the facade, by phone
    // or by email, and a long web password is not held to 16.
    let (status, v) = s
        .post_json(
            "/api/v1/auth/register",
            json!({"phone": "13600000003", "email": "web@example.com", "password": WEB_PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let long = "a much longer web passphrase than sixteen";
    s.post_json(
        "/api/v1/auth/register",
        json!({"email": "long@example.com", "password": long}),
    )
    .await;
    expect(&login(&s, "13600000003", WEB_PASSWORD).await, 1000);
    expect(&login(&s, "web@example.com", WEB_PASSWORD).await, 1000);
    let answer = login(&s, "long@example.com", long).await;
    expect(&answer, 1000);
    let token = answer.1["data"]["token"].as_str().unwrap();
    assert_eq!(
        details(&s, token).await.1["data"]["account"],
        "long@example.com"
    );

    // A reset through the facade to 7 characters works on the web too.
    let code = send_code(&s, "13600000003", "reset_password").await;
    let body = form(&[
        ("account", "13600000003"),
        ("phone_code", &code),
        ("new_password", "7chars!"),
    ]);
    expect(
        &app(&s, "POST", "/Api/User/retrieve_password", &body).await,
        1000,
    );
    assert_eq!(
        rest_login(&s, "web@example.com", "7chars!").await.0,
        StatusCode::OK
    );
    assert_eq!(
        rest_login(&s, "web@example.com", WEB_PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn status_follows_the_account_and_its_reviews() {
    let s = app_server().await;
    let staff = staff(&s).await;
    let status = |v: &Value| v["data"]["status"].as_str().unwrap().to_string();
    let submit = |token: String| {
        let s = &s;
        async move {
            let body = form(&[("name", "张三"), ("cardno", ID_NUMBER)]);
            let uri = format!("/Api/User/verification/token/{token}");
            expect(&app(s, "POST", &uri, &body).await, 1000);
        }
    };

    // Never reviewed 2 → under review 4 → approved 0.
    let a = register(&s, "13500000001", SHORT_PASSWORD).await;
    let a_id = user_id(&details(&s, &a).await.1);
    assert_eq!(status(&details(&s, &a).await.1), "2");
    submit(a.clone()).await;
    assert_eq!(status(&details(&s, &a).await.1), "4");
    s.uc.approve_verification(staff, a_id, VerificationKind::RealName)
        .await
        .unwrap();
    assert_eq!(status(&details(&s, &a).await.1), "0");

    // Rejected 3, with the reason in getVerification; resubmitted 4.
    let b = register(&s, "13500000002", SHORT_PASSWORD).await;
    let b_id = user_id(&details(&s, &b).await.1);
    submit(b.clone()).await;
    s.uc.reject_verification(staff, b_id, VerificationKind::RealName, "照片模糊")
        .await
        .unwrap();
    assert_eq!(status(&details(&s, &b).await.1), "3");
    let answer = app(
        &s,
        "GET",
        &format!("/Api/User/getVerification/token/{b}"),
        "",
    )
    .await;
    expect(&answer, 1012);
    assert!(
        answer.1["info"].as_str().unwrap().contains("照片模糊"),
        "{}",
        answer.1
    );
    expect(&login(&s, "13500000002", SHORT_PASSWORD).await, 1000);
    assert_eq!(
        login(&s, "13500000002", SHORT_PASSWORD).await.1["data"]["authenticationState"],
        0
    );
    submit(b.clone()).await;
    assert_eq!(status(&details(&s, &b).await.1), "4");

    // The qualification counts too: a rejected certificate is 3 even with
    // the ID approved.
    let access = rest_token(&s, "13500000001", SHORT_PASSWORD).await;
    let picture = uploaded_document(&s, &access, 9).await;
    let uri = format!(
        "/Api/User/authenticationQualifications/token/{a}?{}",
        form(&[("picture", &picture)])
    );
    expect(&app(&s, "GET", &uri, "").await, 1000);
    assert_eq!(status(&details(&s, &a).await.1), "4");
    s.uc.reject_verification(staff, a_id, VerificationKind::Qualification, "证件过期")
        .await
        .unwrap();
    assert_eq!(status(&details(&s, &a).await.1), "3");

    // A frozen account's token stops working, like every session of it.
    s.uc.set_frozen(staff, a_id, true).await.unwrap();
    expect(&details(&s, &a).await, 1015);
    expect(&login(&s, "13500000001", SHORT_PASSWORD).await, 1010);
}

#[tokio::test]
async fn balances_and_avatar_addresses_follow_the_settings() {
    let s = app_server_with(app_api::Options {
        integral: "USDT".into(),
        currency: "CNY".into(),
        virtual_currency: "USD".into(),
        media_base: "https://id.example.com".into(),
    })
    .await;
    let staff = staff(&s).await;
    let phone = "13400000001";
    let token = register(&s, phone, SHORT_PASSWORD).await;
    let id = user_id(&details(&s, &token).await.1);
    let deposit = |currency: &'static str, amount: &'static str, request_id: &'static str| {
        let uc = s.uc.clone();
        async move {
            uc.deposit(
                Movement {
                    user_id: id,
                    currency,
                    amount,
                    memo: "",
                    request_id,
                },
                &Actor::User(staff),
            )
            .await
            .unwrap();
        }
    };
    deposit("CNY", "12.5", "t-1").await;
    deposit("USD", "3", "t-2").await;
    let (_, v) = details(&s, &token).await;
    assert_eq!(v["data"]["currency"], "12.50");
    assert_eq!(v["data"]["virtual_currency"], "3.00");
    assert_eq!(v["data"]["integral"], "0.000000");

    // `portrait` is absolute under the media base, and that address (or
    // the one with this server's Host) is accepted back.
    let access = rest_token(&s, phone, SHORT_PASSWORD).await;
    let path = uploaded_avatar(&s, &access, 4).await;
    let absolute = format!("https://id.example.com{path}");
    assert_eq!(
        details(&s, &token).await.1["data"]["portrait"],
        absolute.as_str()
    );
    uploaded_avatar(&s, &access, 5).await;
    let second = s.register("second@example.com").await.1;
    uploaded_avatar(&s, second["token"].as_str().unwrap(), 4).await;
    for address in [absolute.clone(), format!("http://uc.test{path}")] {
        let body = form(&[("token", &token), ("portrait", &address)]);
        expect(
            &app(&s, "POST", "/Api/User/uploadPortrait", &body).await,
            1000,
        );
        assert_eq!(
            details(&s, &token).await.1["data"]["portrait"],
            absolute.as_str()
        );
    }
    let body = form(&[
        ("token", &token),
        ("portrait", &format!("https://cdn.other.example{path}")),
    ]);
    expect(
        &app(&s, "POST", "/Api/User/uploadPortrait", &body).await,
        998,
    );
}

#[tokio::test]
async fn paths_methods_and_bodies_are_read_tolerantly() {
    let s = app_server().await;
    let phone = "13300000001";
    let token = register(&s, phone, SHORT_PASSWORD).await;

    // JSON bodies, a trailing slash, and the token as a form field.
    let body = json!({"phone": phone, "password": SHORT_PASSWORD}).to_string();
    expect(
        &app_with(&s, "POST", "/Api/User/login/", &body, "application/json").await,
        1000,
    );
    expect(
        &app_with(&s, "POST", "/Api/User/login", &body, "").await,
        1000,
    );
    let uri = "/Api/User/getVerification/";
    expect(
        &app(&s, "POST", uri, &form(&[("token", &token)])).await,
        1012,
    );
    expect(
        &app(&s, "GET", &format!("{uri}?token={token}"), "").await,
        1012,
    );
    expect(
        &app(
            &s,
            "GET",
            &format!("/Api/User/get_user_details/token/{token}/"),
            "",
        )
        .await,
        1000,
    );

    // A method the document does not give: 405 with Allow; an unknown
    // action: 404; both with the envelope.
    let req = Request::builder()
        .method("GET")
        .uri("/Api/User/login")
        .body(Body::empty())
        .unwrap();
    let (status, headers, bytes) = s.send(req).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers[header::ALLOW], "POST");
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(code_of(&v), 405);
    let (status, v) = app(
        &s,
        "POST",
        &format!("/Api/User/exit_login?token={token}"),
        "",
    )
    .await;
    assert_eq!((status, code_of(&v)), (StatusCode::METHOD_NOT_ALLOWED, 405));
    expect(&details(&s, &token).await, 1000);
    let (status, v) = app(&s, "GET", "/Api/User/delete_everything", "").await;
    assert_eq!((status, code_of(&v)), (StatusCode::NOT_FOUND, 404));

    // Junk bodies are missing fields, never a 500.
    for (body, ct) in [
        ("{\"phone\": ", "application/json"),
        ("\u{0}\u{1}%%%", "application/x-www-form-urlencoded"),
        ("phone=1", "multipart/form-data; boundary=x"),
    ] {
        expect(
            &app_with(&s, "POST", "/Api/User/login", body, ct).await,
            1006,
        );
    }
}

#[tokio::test]
async fn the_facade_answers_under_the_prefix_and_only_when_enabled() {
    let compat = CompatSettings {
        prefix: "/legacy".into(),
        ..CompatSettings::all()
    };
    let s = server_with_compat(settings(), &compat).await;
    let body = form(&[("phone", "13200000001"), ("password", SHORT_PASSWORD)]);
    expect(
        &app(&s, "POST", "/legacy/Api/User/login", &body).await,
        1010,
    );
    let off = server_with_compat(settings(), &CompatSettings::default()).await;
    let req = Request::builder()
        .method("POST")
        .uri("/Api/User/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let (status, _, _) = off.send(req).await;
    assert_ne!(status, StatusCode::OK);
}

/// The document's "upload image" call is not part of it; the app uploads
/// through the REST API with an access token it gets by refreshing its
/// token, and keeps the new refresh token as its token from then on.
#[tokio::test]
async fn images_are_uploaded_through_rest_with_a_refreshed_token() {
    let s = app_server().await;
    let token = register(&s, "13100000001", SHORT_PASSWORD).await;
    let (status, renewed) = s
        .post_json("/api/v1/auth/refresh", json!({"refresh_token": token}))
        .await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    let access = renewed["token"].as_str().unwrap();
    let token = renewed["refresh_token"].as_str().unwrap();
    let avatar = uploaded_avatar(&s, access, 1).await;
    let picture = uploaded_document(&s, access, 2).await;
    assert_eq!(
        details(&s, token).await.1["data"]["portrait"],
        avatar.as_str()
    );
    uploaded_avatar(&s, access, 3).await;
    let keeper = s.register("keeper@example.com").await.1;
    uploaded_avatar(&s, keeper["token"].as_str().unwrap(), 1).await;
    let body = form(&[("token", token), ("portrait", &avatar)]);
    expect(
        &app(&s, "POST", "/Api/User/uploadPortrait/", &body).await,
        1000,
    );
    assert_eq!(
        details(&s, token).await.1["data"]["portrait"],
        avatar.as_str()
    );
    let uri = format!(
        "/Api/User/authenticationQualifications/token/{token}?{}",
        form(&[("picture", &format!("http://uc.test{picture}"))])
    );
    expect(&app(&s, "GET", &uri, "").await, 1000);
    assert_eq!(details(&s, token).await.1["data"]["status"], "4");
}

/// The product's sign-in limiter guards this sign-in too: after failures a
/// captcha is needed (which the app may send as an extension), and a reset
/// through the facade clears the failures.
#[tokio::test]
async fn repeated_failures_need_a_captcha_until_a_reset() {
    let mut domain = settings();
    domain.codes.resend_after = Duration::ZERO;
    domain.lockout.captcha_after = 2;
    let s = server_with_compat(domain, &CompatSettings::all()).await;
    let phone = "13000000001";
    register(&s, phone, SHORT_PASSWORD).await;
    for _ in 0..2 {
        expect(&login(&s, phone, "wrong-1").await, 1010);
    }
    // Now even the right password needs the captcha.
    let answer = login(&s, phone, SHORT_PASSWORD).await;
    expect(&answer, 1010);
    assert!(
        answer.1["info"].as_str().unwrap().contains("captcha_key"),
        "{}",
        answer.1
    );
    let (_, captcha) = s.get("/api/v1/captcha", None).await;
    let key = captcha["key"].as_str().unwrap();
    let solution = std::fs::read_to_string(
        s._dir
            .path()
            .join("outbox/captcha")
            .join(format!("{key}.txt")),
    )
    .unwrap();
    let body = form(&[
        ("phone", phone),
        ("password", SHORT_PASSWORD),
        ("captcha_key", key),
        ("captcha_answer", &solution),
    ]);
    expect(&app(&s, "POST", "/Api/User/login", &body).await, 1000);

    for _ in 0..2 {
        expect(&login(&s, phone, "wrong-2").await, 1010);
    }
    expect(&login(&s, phone, SHORT_PASSWORD).await, 1010);
    let code = send_code(&s, phone, "reset_password").await;
    let body = form(&[
        ("account", phone),
        ("phone_code", &code),
        ("new_password", "abc-123"),
    ]);
    expect(
        &app(&s, "POST", "/Api/User/retrieve_password", &body).await,
        1000,
    );
    expect(&login(&s, phone, "abc-123").await, 1000);
}

#[tokio::test]
async fn without_settings_the_fields_follow_currency_aliases() {
    let s = app_server().await;
    let token = register(&s, "13400000009", SHORT_PASSWORD).await;
    let id = user_id(&details(&s, &token).await.1);
    let service = Actor::Service("tests".into());
    let deposit = |currency: &'static str, amount: &'static str, request_id: &'static str| {
        let uc = s.uc.clone();
        let service = service.clone();
        async move {
            uc.deposit(
                Movement {
                    user_id: id,
                    currency,
                    amount,
                    memo: "",
                    request_id,
                },
                &service,
            )
            .await
            .unwrap();
        }
    };
    // `integral` is the seeded alias of POINTS.
    deposit("POINTS", "250", "p-1").await;
    let (_, v) = details(&s, &token).await;
    assert_eq!(v["data"]["integral"], "250");
    assert_eq!(v["data"]["currency"], "");
    // An operator names the 小马砖 currency by the field's name.
    s.uc.edit_currency(
        domain::wallet::CurrencyAdmin::CommandLine,
        "USD",
        &shared::currency::CurrencyEdit {
            aliases: Some(vec!["currency".into()]),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    deposit("USD", "7.5", "u-1").await;
    let (_, v) = details(&s, &token).await;
    assert_eq!(v["data"]["currency"], "7.50");
    assert_eq!(v["data"]["virtual_currency"], "");
}
