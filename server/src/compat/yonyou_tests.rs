//! Conformance tests of the yonyou facade (seed 004): every example of the
//! document sent as it is written, the documented shapes and codes, each
//! error from the input that causes it, round trips with the REST API, and
//! hostile input.

use super::yonyou::{Options, SecretKey};
use super::{CompatSettings, Seed};
use crate::tests::{server_with_compat, settings, Server};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use domain::password_digests::DigestScheme;
use serde_json::{json, Value};

const SECRET_KEY: &str = "0123456789abcdef0123456789abcdef-yonyou";
const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";

/// The document's add-user body, as printed (the line break included).
const DOC_ADD_USER: &str =
    "userCode=\ntanyh1&userMobile=13811394460&userPassword=tanyh*123&userName=tanyh";
/// The document's batch body, as printed.
const DOC_ADD_USERS: &str = r#"{"users":[{"userCode":"ptest1","userPassword":"tanyh*123","userMobile":"13412343431","userName":"[0xe6][0xb5][0x8b][0xe8][0xaf][0x95][0xe7][0x94][0xa8][0xe6][0x88][0xb7]p1","userEmail":"ptest1@yonyou.com"},{"userCode":"ptest2","userMobile":"13412343432","userName":"[0xe6][0xb5][0x8b][0xe8][0xaf][0x95][0xe7][0x94][0xa8][0xe6][0x88][0xb7]p2","userEmail":"ptest2@yonyou.com"}],"sysId":"ipu"}"#;
const DOC_PKS: &str =
    r#"{"pks":["2c1afdf0-4a47-4b03-8d40-defaa65b9943","604821"],"sysid":"","secretKey":""}"#;
const DOC_SENDCODE2_MOBILE: &str =
    r#"{"contact":"13856545851","type":"mobile","code":"123389","key":"1495615240000"}"#;
const DOC_SENDCODE2_EMAIL: &str =
    r#"{"contact":"mymail@yonyou.com","type":"email","code":"123389","key":"1495615240000"}"#;
const DOC_SENDCODE_EMAIL: &str =
    r#"{"userId":"f2a2314a-1fdd-41e3-9119-4b2e8bb63ca5","type":"email","sysid":"yht"}"#;
const DOC_SENDCODE_MOBILE: &str =
    r#"{"userId":"f2a2314a-1fdd-41e3-9119-4b2e8bb63ca5","type":"mobile","sysid":"yht"}"#;
const DOC_VALIDATE_USER: &str =
    r#"{"userId":"f2a2314a-1fdd-41e3-9119-4b2e8bb63ca5","type":"mobile","code":"849818"}"#;
const DOC_VALIDATE_CONTACT: &str = r#"{"contact":"13811452269","type":"mobile","code":"849818"}"#;
const DOC_MODIFY_PASSWORD: &str = r#"{"userId":"f2a2314a-1fdd-41e3-9119-4b2e8bb63ca5","shaPassword":"66c9549482d98808b306dcf47f0b419c06271bb6","md5Password":"ddb5dae482528387954e1a3bc7af2ca3","shaNewPassword":"2cb67291738027c35b3e64eaf5ea8855c4da8cc5","md5NewPassword":"811e172171edeb860e09a87576b66297","reset":false,"sid":"fc1f6dc08e56ed8de3bd619beff560aa"}"#;
const DOC_MODIFY_CONTACT: &str = r#"{"userId":"f2a2314a-1fdd-41e3-9119-4b2e8bb63ca5","contact":"teest@yonyou.com","sid":"fc1f6dc08e56ed8de3bd619beff560aa"}"#;
const DOC_BIND_MAIL: &str =
    r#"{"userId":"f2a2314a-1fdd-41e3-9119-4b2e8bb63ca5","email":"120437047@qq.com"}"#;
const DOC_BIND_MOBILE: &str =
    r#"{"userId":"f2a2314a-1fdd-41e3-9119-4b2e8bb63ca5","mobile":"13866544465"}"#;
const DOC_CAS_VALIDATE: &str = r#"{"userName":"yhttest345","md5Password":"f5740c21c8472ae57c40884093c40739","shaPassword":"10f0064b104ead147c0d946aa03f2fa1945a2001","norsa":"norsa","sysId":"yht"}"#;

/// Every UserVO field the document names, with its JSON type.
const USER_VO: &[(&str, &str)] = &[
    ("registerDate", "string"),
    ("sysId", "string"),
    ("userCode", "string"),
    ("userEmail", "string"),
    ("userId", "string"),
    ("userMobile", "string"),
    ("userName", "string"),
    ("need_merge", "number"),
    ("needMerge", "bool"),
    ("sex", "number"),
    ("account", "string"),
    ("lang", "string"),
    ("loginType", "string"),
    ("mailValidatect", "number"),
    ("outDate", "string"),
    ("registerSource", "string"),
    ("secretKey", "string"),
    ("status", "number"),
    ("timeZone", "string"),
    ("userActivate", "bool"),
    ("userAvator", "string"),
    ("userAvatorNew", "string"),
    ("validateEmail", "bool"),
    ("validateMobile", "bool"),
    ("verified", "bool"),
];

fn type_of(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Null => "null",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn assert_user_vo(vo: &Value) {
    for (name, kind) in USER_VO {
        assert_eq!(type_of(&vo[*name]), *kind, "{name} in {vo}");
    }
    let date = vo["registerDate"].as_str().unwrap();
    let shape: String = date
        .chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { c })
        .collect();
    assert_eq!(shape, "9999-99-99 99:99:99", "{date}");
    assert_eq!(vo["secretKey"], "", "never a real secret");
}

fn compat(secret_key: Option<&str>) -> CompatSettings {
    CompatSettings {
        seeds: vec![Seed::Yonyou],
        yonyou: Options {
            secret_key: secret_key
                .map(|k| SecretKey::new(k).unwrap())
                .unwrap_or_default(),
        },
        ..CompatSettings::default()
    }
}

/// The server's settings when `UC_COMPAT=yonyou`: MD5 verifiers kept; codes
/// may be resent at once so a test can ask twice.
fn yonyou_settings() -> domain::Settings {
    let mut s = settings();
    s.password_digests = vec![DigestScheme::Md5];
    s.codes.resend_after = std::time::Duration::ZERO;
    s
}

async fn yonyou() -> Server {
    server_with_compat(yonyou_settings(), &compat(Some(SECRET_KEY))).await
}

async fn call(s: &Server, method: &str, path: &str, ct: &str, body: &str) -> (StatusCode, Value) {
    s.json(method, path, Body::from(body.to_string()), ct, None)
        .await
}

async fn post(s: &Server, path: &str, body: Value) -> Value {
    let (status, v) = call(s, "POST", path, JSON, &body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{path}: {v}");
    v
}

async fn get(s: &Server, path: &str) -> Value {
    let (status, v) = call(s, "GET", path, JSON, "").await;
    assert_eq!(status, StatusCode::OK, "{path}: {v}");
    v
}

/// Adds a user through the facade; returns its UserVO.
async fn add(s: &Server, code: &str, mobile: &str, email: &str, password: Option<&str>) -> Value {
    let mut body = json!({"userCode": code, "userName": code, "userMobile": mobile,
                          "userEmail": email, "sysId": "test"});
    if let Some(p) = password {
        body["userPassword"] = json!(p);
    }
    let v = post(s, "/user/user", body).await;
    assert_eq!(v["status"], 1, "{v}");
    v["user"].clone()
}

fn id_of(vo: &Value) -> String {
    vo["userId"].as_str().unwrap().to_string()
}

/// The answer of the captcha drawn for `ts` (the dev outbox has it).
async fn captcha(s: &Server, ts: &str) -> String {
    let (status, headers, png) = s
        .send(
            Request::get(format!("/images/getValiImage?ts={ts}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    std::fs::read_to_string(s._dir.path().join(format!("outbox/captcha/{ts}.txt"))).unwrap()
}

/// The code in the first message to `to` after the `before`th (codes of
/// these flows are delivered in the background). Chinese email subjects are
/// RFC 2047 encoded words: decoded before the six digits are looked for.
async fn new_code_to(s: &Server, to: &str, before: usize) -> String {
    use base64::Engine;
    for _ in 0..200 {
        if let Some(text) = s.messages(to).get(before) {
            let mut lines = Vec::new();
            for line in text.lines() {
                if let Some(rest) = line.strip_prefix("Subject:") {
                    lines.push(rest.to_string());
                } else if line.contains("\"text\"") {
                    lines.push(line.to_string());
                }
            }
            let mut plain = String::new();
            for line in &lines {
                for word in line.split_whitespace() {
                    let lower = word.to_ascii_lowercase();
                    match lower
                        .strip_prefix("=?utf-8?b?")
                        .and_then(|w| w.strip_suffix("?="))
                    {
                        Some(_) => {
                            let b64 = &word[10..word.len() - 2];
                            let bytes = base64::engine::general_purpose::STANDARD
                                .decode(b64)
                                .unwrap_or_default();
                            plain.push_str(&String::from_utf8_lossy(&bytes));
                        }
                        None => plain.push_str(word),
                    }
                    plain.push(' ');
                }
            }
            return plain
                .split(|c: char| !c.is_ascii_digit())
                .find(|run| run.len() == 6)
                .unwrap_or_else(|| panic!("a code in {text}"))
                .to_string();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("no new message to {to}");
}

/// A user's `sid`: a code to their `kind` contact, then validated.
async fn user_sid(s: &Server, id: &str, kind: &str, to: &str) -> String {
    let before = s.messages(to).len();
    let sent = post(
        s,
        "/user/sendcode",
        json!({"userId": id, "type": kind, "sysid": "yht"}),
    )
    .await;
    assert_eq!(sent["status"], 1, "{sent}");
    let code = new_code_to(s, to, before).await;
    let v = post(
        s,
        "/user/validatecode",
        json!({"userId": id, "type": kind, "code": code}),
    )
    .await;
    assert_eq!(v["status"], 1, "{v}");
    v["sid"].as_str().unwrap().to_string()
}

/// A contact's `sid`: captcha, `sendcode2`, then validated by contact.
async fn contact_sid(s: &Server, contact: &str, ts: &str) -> String {
    let answer = captcha(s, ts).await;
    let kind = if contact.contains('@') {
        "email"
    } else {
        "mobile"
    };
    let before = s.messages(contact).len();
    let sent = post(
        s,
        "/user/sendcode2",
        json!({"contact": contact, "type": kind, "key": ts, "code": answer}),
    )
    .await;
    assert_eq!(sent["status"], 1, "{sent}");
    let code = new_code_to(s, contact, before).await;
    let v = post(
        s,
        "/user/validatecode",
        json!({"contact": contact, "type": kind, "code": code}),
    )
    .await;
    assert_eq!(v["status"], 1, "{v}");
    v["sid"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn add_user_doc_form_body_then_get_it() {
    let s = yonyou().await;
    let (status, v) = call(&s, "POST", "/user/user", FORM, DOC_ADD_USER).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["status"], 1, "a number, as in the examples: {v}");
    let vo = &v["user"];
    assert_user_vo(vo);
    assert_eq!(vo["userCode"], "tanyh1");
    assert_eq!(vo["userName"], "tanyh");
    assert_eq!(vo["userMobile"], "138****4460");
    assert_eq!(vo["status"], 0);
    assert_eq!(vo["userActivate"], true);
    assert_eq!(
        vo["validateMobile"], false,
        "a service's contact is not proven"
    );
    let id = id_of(vo);
    assert!(id.parse::<i64>().is_ok(), "{id}");

    let v = get(&s, &format!("/user/user?userId={id}")).await;
    assert_eq!(v["status"], "1", "a string, as its table says: {v}");
    assert_user_vo(&v["user"]);
    assert_eq!(v["user"]["userId"], id.as_str());
    // With the configured secretKey the contacts are in full.
    let v = get(
        &s,
        &format!("/user/user?userId={id}&secretKey={SECRET_KEY}"),
    )
    .await;
    assert_eq!(v["user"]["userMobile"], "13811394460");

    for bad in [
        "f2a2314a-1fdd-41e3-9119-4b2e8bb63ca5",
        "999999",
        "1%20OR%201=1",
        "-1",
    ] {
        let v = get(&s, &format!("/user/user?userId={bad}")).await;
        assert_eq!(v, json!({"status": "0", "msg": "用户不存在"}), "{bad}");
    }
    let v = get(&s, "/user/user").await;
    assert_eq!(v["status"], "0");
}

#[tokio::test]
async fn taken_mobile_email_and_user_code_answer_the_existing_user_with_their_codes() {
    let s = yonyou().await;
    let first = add(
        &s,
        "s2323",
        "18909090909",
        "s2323@qq.com",
        Some("tanyh*123"),
    )
    .await;
    let cases = [
        (
            json!({"userCode": "other1", "userName": "x", "userMobile": "18909090909"}),
            "18909090909 手机号已存在",
            "900010000200008",
        ),
        (
            json!({"userCode": "other2", "userName": "x", "userEmail": "s2323@qq.com"}),
            "s2323@qq.com 邮箱已存在",
            "900010000200009",
        ),
        (
            json!({"userCode": "s2323", "userName": "x", "userMobile": "18900000001"}),
            "s2323 用户帐号已经存在",
            "900010000200007",
        ),
        // The mobile is checked before the email.
        (
            json!({"userCode": "other3", "userName": "x", "userMobile": "18909090909",
                   "userEmail": "s2323@qq.com"}),
            "18909090909 手机号已存在",
            "900010000200008",
        ),
    ];
    for (body, msg, code) in cases {
        let v = post(&s, "/user/user", body.clone()).await;
        assert_eq!(v["status"], 0, "{body}: {v}");
        assert_eq!(v["msg"], msg, "{body}");
        assert_eq!(v["code"], code, "{body}");
        assert_user_vo(&v["user"]);
        assert_eq!(v["user"]["userId"], first["userId"], "{body}");
        assert_eq!(v["user"]["userMobile"], "189****0909", "masked: {v}");
    }
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(&s.db.sql)
        .await
        .unwrap();
    assert_eq!(n, 1, "nothing else was added");
}

#[tokio::test]
async fn add_user_errors_have_clear_messages() {
    let s = yonyou().await;
    let cases = [
        (
            json!({"userName": "x", "userMobile": "13800000001"}),
            "userCode",
        ),
        (
            json!({"userCode": "abc", "userMobile": "13800000001"}),
            "userName",
        ),
        (
            json!({"userCode": "abc", "userName": "x"}),
            "userMobile 或 userEmail",
        ),
        (
            json!({"userCode": "abc", "userName": "x", "userMobile": "12345"}),
            "手机号格式",
        ),
        (
            json!({"userCode": "abc", "userName": "x", "userEmail": "no-at"}),
            "邮箱格式",
        ),
        (
            json!({"userCode": "s2323@zblzbl", "userName": "x", "userMobile": "13800000001"}),
            "userCode 格式",
        ),
        (
            json!({"userCode": "abc", "userName": "x", "userMobile": "13800000001",
                "userPassword": "short"}),
            "密码强度",
        ),
        (
            json!({"userCode": "abc", "userName": "x".repeat(33), "userMobile": "13800000001"}),
            "userName",
        ),
    ];
    for (body, expect) in cases {
        let v = post(&s, "/user/user", body.clone()).await;
        assert_eq!(v["status"], 0, "{body}: {v}");
        assert!(v["msg"].as_str().unwrap().contains(expect), "{body}: {v}");
    }
    let (status, v) = call(&s, "POST", "/user/user", JSON, "{oops").await;
    assert_eq!(
        (status, v["status"].clone()),
        (StatusCode::OK, json!(0)),
        "{v}"
    );
    // A userCode that is the mobile itself (yonyou's phone accounts) is fine.
    let vo = add(&s, "13811394465", "13811394465", "", None).await;
    assert_eq!(vo["userCode"], "13811394465");
    assert_eq!(vo["userName"], "13811394465");
}

#[tokio::test]
async fn no_password_means_nobody_knows_it_until_a_reset() {
    let s = yonyou().await;
    let vo = add(&s, "nopass", "13800000002", "", None).await;
    let id = id_of(&vo);
    let hash: (String,) = sqlx::query_as("SELECT password_hash FROM users WHERE id = $1")
        .bind(id.parse::<i64>().unwrap())
        .fetch_one(&s.db.sql)
        .await
        .unwrap();
    assert!(hash.0.starts_with("$argon2id$"), "a real, unknown password");
    // Four guesses: a fifth would lock the account (and answer 429).
    for guess in ["123456", "12345678", "password", "13800000002"] {
        let (status, _) = s
            .post_json(
                "/api/v1/auth/login",
                json!({"identifier": "nopass", "password": guess}),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{guess}");
    }
    // The owner sets one: a code to the phone, then a reset.
    let sid = user_sid(&s, &id, "mobile", "13800000002").await;
    let new = DigestScheme::Md5.of("a brand new pass");
    let v = post(
        &s,
        "/user/modifypassword",
        json!({"userId": id, "md5NewPassword": new, "reset": true, "sid": sid}),
    )
    .await;
    assert_eq!(v, json!({"status": 1, "msg": "密码重置成功"}));
    let (status, body) = s
        .post_json(
            "/api/v1/auth/login",
            json!({"identifier": "nopass", "password": "a brand new pass"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn batch_add_doc_body_rows_duplicates_and_the_limit() {
    let s = yonyou().await;
    let (status, v) = call(&s, "POST", "/user/users", JSON, DOC_ADD_USERS).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["status"], 1, "{v}");
    let rows = v["users"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for (row, name) in rows.iter().zip(["测试用户p1", "测试用户p2"]) {
        assert_eq!(row["status"], 1, "{row}");
        assert_user_vo(&row["user"]);
        assert_eq!(row["user"]["userName"], name);
    }
    // Again: every row answers its duplicate, with the existing user.
    let (_, again) = call(&s, "POST", "/user/users", JSON, DOC_ADD_USERS).await;
    assert_eq!(again["status"], 1);
    for (row, first) in again["users"].as_array().unwrap().iter().zip(rows) {
        assert_eq!(row["status"], 0);
        assert_eq!(row["code"], "900010000200008");
        assert_eq!(row["user"]["userId"], first["user"]["userId"]);
    }
    // A mixed batch: one new row, one taken, one invalid.
    let v = post(
        &s,
        "/user/users",
        json!({"sysId": "ipu", "users": [
            {"userCode": "ptest3", "userName": "p3", "userEmail": "ptest3@yonyou.com"},
            {"userCode": "ptest4", "userName": "p4", "userEmail": "ptest1@yonyou.com"},
            {"userCode": "ptest5", "userName": "p5"},
        ]}),
    )
    .await;
    let rows: Vec<_> = v["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].clone())
        .collect();
    assert_eq!(rows, vec![json!(1), json!(0), json!(0)], "{v}");
    assert_eq!(v["users"][1]["code"], "900010000200009");
    assert_eq!(v["users"][1]["msg"], "ptest1@yonyou.com 邮箱已存在");

    // 51 rows: refused whole, nothing added.
    let many: Vec<Value> = (0..51)
        .map(|i| {
            json!({"userCode": format!("bulk{i}"), "userName": "b",
                        "userMobile": format!("1370000{i:04}")})
        })
        .collect();
    let v = post(&s, "/user/users", json!({"sysId": "ipu", "users": many})).await;
    assert_eq!(v["status"], 0);
    assert!(v["msg"].as_str().unwrap().contains("50"), "{v}");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users WHERE username LIKE 'bulk%'")
        .fetch_one(&s.db.sql)
        .await
        .unwrap();
    assert_eq!(n, 0);
    // A form with sysId and jsonStr works too; no users at all does not.
    let form = format!(
        "sysId=ipu&jsonStr={}",
        urlencode(
            r#"{"users":[{"userCode":"ptest6","userName":"p6","userMobile":"13412343436"}]}"#
        )
    );
    let (_, v) = call(&s, "POST", "/user/users", FORM, &form).await;
    assert_eq!(v["users"][0]["status"], 1, "{v}");
    let v = post(&s, "/user/users", json!({"sysId": "ipu"})).await;
    assert_eq!(v["status"], 0);
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn users_by_pks_masks_unless_the_secret_key_is_right() {
    let s = yonyou().await;
    let (_, v) = call(&s, "POST", "/user/getusersbypks", JSON, DOC_PKS).await;
    assert_eq!(
        v,
        json!({"status": 1, "users": []}),
        "unknown ids are left out"
    );
    let a = add(&s, "tanyh", "13811394465", "tanyh@yonyou.com", None).await;
    let b = add(&s, "other", "13811394466", "", None).await;
    let pks = json!([id_of(&a), "2c1afdf0-4a47-4b03-8d40-defaa65b9943", id_of(&b)]);
    for key in ["", "wrong", &SECRET_KEY[1..]] {
        let v = post(
            &s,
            "/user/getusersbypks",
            json!({"pks": pks, "sysid": "", "secretKey": key}),
        )
        .await;
        assert_eq!(v["status"], 1);
        let users = v["users"].as_array().unwrap();
        assert_eq!(users.len(), 2);
        assert_user_vo(&users[0]);
        assert_eq!(users[0]["userMobile"], "138****4465", "{key}");
        assert_eq!(users[0]["userEmail"], "t***@yonyou.com", "{key}");
        assert_eq!(users[1]["userEmail"], "");
    }
    let v = post(
        &s,
        "/user/getusersbypks",
        json!({"pks": pks, "sysid": "", "secretKey": SECRET_KEY}),
    )
    .await;
    assert_eq!(v["users"][0]["userMobile"], "13811394465");
    assert_eq!(v["users"][0]["userEmail"], "tanyh@yonyou.com");
    // Without a configured key nothing unmasks, not even an empty key.
    let bare = server_with_compat(yonyou_settings(), &compat(None)).await;
    add(&bare, "tanyh", "13811394465", "", None).await;
    let v = post(
        &bare,
        "/user/getusersbypks",
        json!({"pks": ["1"], "secretKey": ""}),
    )
    .await;
    assert_eq!(v["users"][0]["userMobile"], "138****4465");
    let too_many: Vec<String> = (0..501).map(|i| i.to_string()).collect();
    let v = post(&s, "/user/getusersbypks", json!({ "pks": too_many })).await;
    assert_eq!(v["status"], 0);
}

#[tokio::test]
async fn users_page_filters_by_ids_and_name_in_spring_page_shape() {
    let s = yonyou().await;
    let mut ids = Vec::new();
    for i in 0..25 {
        let vo = post(
            &s,
            "/user/user",
            json!({"userCode": format!("page{i:02}"), "userName": format!("张三{i:02}"),
                   "userMobile": format!("1390000{i:04}")}),
        )
        .await;
        ids.push(id_of(&vo["user"]));
    }
    add(&s, "lisi", "13700000000", "", None).await;

    let v = get(&s, "/user/userspage?userName=%E5%BC%A0%E4%B8%89").await;
    assert_eq!(v["status"], "1", "{v}");
    let page = &v["user"];
    for key in [
        "number",
        "totalpages",
        "content",
        "totalElements",
        "sort",
        "first",
        "firstpage",
        "last",
        "lastpage",
        "numberOfElements",
        "size",
    ] {
        assert!(page.get(key).is_some(), "{key} in {page}");
    }
    assert_eq!(page["size"], 20);
    assert_eq!(page["number"], 0);
    assert_eq!(page["totalElements"], 25);
    assert_eq!(page["totalpages"], 2);
    assert_eq!(page["numberOfElements"], 20);
    assert_eq!(
        (page["first"].clone(), page["last"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(page["firstpage"], true);
    assert_eq!(page["lastpage"], false);
    for key in [
        "nullHandling",
        "ignoreCase",
        "property",
        "ascending",
        "direction",
    ] {
        assert!(page["sort"].get(key).is_some(), "{key}");
    }
    assert_eq!(page["content"][0]["userName"], "张三00", "oldest first");
    assert_user_vo(&page["content"][0]);

    let v = get(&s, "/user/userspage?userName=%E5%BC%A0%E4%B8%89&page=1").await;
    assert_eq!(v["user"]["numberOfElements"], 5);
    assert_eq!(v["user"]["lastpage"], true);
    // By ids (repeated, comma-separated or []) and a name together.
    let q = format!("/user/userspage?pks={}&pks={}&userName=07", ids[7], ids[8]);
    let v = get(&s, &q).await;
    assert_eq!(v["user"]["totalElements"], 1);
    assert_eq!(v["user"]["content"][0]["userId"], ids[7].as_str());
    let q = format!("/user/userspage?pks={},{},nonsense", ids[1], ids[2]);
    assert_eq!(get(&s, &q).await["user"]["totalElements"], 2);
    let v = get(&s, "/user/userspage?pks=nonsense").await;
    assert_eq!(v["user"]["totalElements"], 0, "unknown ids find nobody");
    // Wildcards match only themselves.
    assert_eq!(
        get(&s, "/user/userspage?userName=%25").await["user"]["totalElements"],
        0
    );
    assert_eq!(get(&s, "/user/userspage?size=0").await["status"], "0");
    assert_eq!(get(&s, "/user/userspage?page=x").await["status"], "0");
    assert_eq!(get(&s, "/user/userspage?page=1000001").await["status"], "0");
    assert_eq!(
        get(&s, "/user/userspage?size=100").await["user"]["size"],
        100
    );
}

#[tokio::test]
async fn captcha_then_sendcode2_doc_examples() {
    let s = yonyou().await;
    // The document's examples carry a captcha answer ("123389") that no
    // image of ours has: wrong captcha.
    for body in [DOC_SENDCODE2_MOBILE, DOC_SENDCODE2_EMAIL] {
        captcha(&s, "1495615240000").await;
        let (_, v) = call(&s, "POST", "/user/sendcode2", JSON, body).await;
        assert_eq!(
            v,
            json!({"status": 0, "msg": "图形验证码错误或已过期"}),
            "{body}"
        );
    }
    // No captcha at all.
    let v = post(
        &s,
        "/user/sendcode2",
        json!({"contact": "13856545851", "type": "mobile"}),
    )
    .await;
    assert_eq!(v, json!({"status": 0, "msg": "请输入图形验证码"}));
    // The same bodies with the image's real answer.
    let answer = captcha(&s, "1495615240000").await;
    let body = DOC_SENDCODE2_MOBILE.replace("123389", &answer);
    let (_, v) = call(&s, "POST", "/user/sendcode2", JSON, &body).await;
    assert_eq!(v, json!({"status": 1, "msg": "短信发送成功"}));
    assert_eq!(new_code_to(&s, "13856545851", 0).await.len(), 6);
    let answer = captcha(&s, "1495615240001").await;
    let body = DOC_SENDCODE2_EMAIL
        .replace("123389", &answer)
        .replace("1495615240000", "1495615240001");
    let (_, v) = call(&s, "POST", "/user/sendcode2", JSON, &body).await;
    assert_eq!(v, json!({"status": 1, "msg": "邮件发送成功"}));
    // The documented `mobile`/`email` fields work as well as `contact`.
    let answer = captcha(&s, "k2").await;
    let v = post(
        &s,
        "/user/sendcode2",
        json!({"mobile": "13856545852", "type": "mobile", "key": "k2", "code": answer}),
    )
    .await;
    assert_eq!(v["status"], 1, "{v}");
    // A used captcha is gone; a type that contradicts the contact is refused.
    let v = post(
        &s,
        "/user/sendcode2",
        json!({"mobile": "13856545852", "type": "mobile", "key": "k2", "code": answer}),
    )
    .await;
    assert_eq!(v["status"], 0);
    let v = post(
        &s,
        "/user/sendcode2",
        json!({"contact": "a@b.co", "type": "mobile"}),
    )
    .await;
    assert_eq!(v["msg"], "contact 与 type 不一致");

    // The image itself: a bad or missing ts is a 400 with the envelope.
    for path in [
        "/images/getValiImage",
        "/images/getValiImage?ts=..%2F..%2Fx",
    ] {
        let (status, v) = call(&s, "GET", path, JSON, "").await;
        assert_eq!(
            (status, v["status"].clone()),
            (StatusCode::BAD_REQUEST, json!(0)),
            "{path}"
        );
    }
}

#[tokio::test]
async fn sendcode_validatecode_doc_examples_and_their_errors() {
    let s = yonyou().await;
    for body in [DOC_SENDCODE_EMAIL, DOC_SENDCODE_MOBILE] {
        let (_, v) = call(&s, "POST", "/user/sendcode", JSON, body).await;
        assert_eq!(
            v,
            json!({"status": 0, "msg": "用户不存在"}),
            "a yonyou UUID: {body}"
        );
    }
    let (_, v) = call(&s, "POST", "/user/validatecode", JSON, DOC_VALIDATE_USER).await;
    assert_eq!(v, json!({"status": 0, "msg": "用户不存在"}));
    let (_, v) = call(&s, "POST", "/user/validatecode", JSON, DOC_VALIDATE_CONTACT).await;
    assert_eq!(v, json!({"status": 0, "msg": "验证码错误或已过期"}));

    let vo = add(
        &s,
        "codes",
        "13811452269",
        "codes@yonyou.com",
        Some("tanyh*123"),
    )
    .await;
    let id = id_of(&vo);
    for (kind, to, msg) in [
        ("mobile", "13811452269", "短信发送成功"),
        ("email", "codes@yonyou.com", "邮件发送成功"),
    ] {
        let body = DOC_SENDCODE_MOBILE
            .replace("f2a2314a-1fdd-41e3-9119-4b2e8bb63ca5", &id)
            .replace("mobile", kind);
        let before = s.messages(to).len();
        let (_, v) = call(&s, "POST", "/user/sendcode", JSON, &body).await;
        assert_eq!(v, json!({"status": 1, "msg": msg}), "{kind}");
        let code = new_code_to(&s, to, before).await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let body = DOC_VALIDATE_USER
            .replace("f2a2314a-1fdd-41e3-9119-4b2e8bb63ca5", &id)
            .replace("mobile", kind);
        let (_, v) = call(
            &s,
            "POST",
            "/user/validatecode",
            JSON,
            &body.replace("849818", wrong),
        )
        .await;
        assert_eq!(
            v,
            json!({"status": 0, "msg": "验证码错误或已过期"}),
            "{kind}"
        );
        let (_, v) = call(
            &s,
            "POST",
            "/user/validatecode",
            JSON,
            &body.replace("849818", &code),
        )
        .await;
        assert_eq!(v["status"], 1, "{kind}: {v}");
        let sid = v["sid"].as_str().unwrap();
        assert!(sid.len() >= 32, "{sid}");
        // A code works once.
        let (_, v) = call(
            &s,
            "POST",
            "/user/validatecode",
            JSON,
            &body.replace("849818", &code),
        )
        .await;
        assert_eq!(v["status"], 0, "{kind}");
    }
    let no_email = add(&s, "noemail", "13811452270", "", None).await;
    let v = post(
        &s,
        "/user/sendcode",
        json!({"userId": id_of(&no_email), "type": "email"}),
    )
    .await;
    assert_eq!(v, json!({"status": 0, "msg": "该用户未绑定邮箱"}));
    let v = post(&s, "/user/sendcode", json!({"userId": id, "type": "fax"})).await;
    assert_eq!(v["msg"], "type 应为 mobile 或 email");
    let v = post(
        &s,
        "/user/validatecode",
        json!({"userId": id, "type": "mobile", "code": "12a"}),
    )
    .await;
    assert_eq!(v["status"], 0);
}

#[tokio::test]
async fn modifypassword_needs_the_users_own_unused_sid_and_the_old_password() {
    let s = yonyou().await;
    let md5 = |pw: &str| DigestScheme::Md5.of(pw);
    let a = id_of(&add(&s, "usera", "13900000001", "", Some("first password A")).await);
    let b = id_of(&add(&s, "userb", "13900000002", "", Some("first password B")).await);

    // The document's body: a yonyou UUID and a sid nobody issued.
    let (_, v) = call(
        &s,
        "POST",
        "/user/modifypassword",
        JSON,
        DOC_MODIFY_PASSWORD,
    )
    .await;
    assert_eq!(v["status"], 0, "{v}");
    // The same body for a real user: the sid is not one.
    let body = DOC_MODIFY_PASSWORD.replace("f2a2314a-1fdd-41e3-9119-4b2e8bb63ca5", &a);
    let (_, v) = call(&s, "POST", "/user/modifypassword", JSON, &body).await;
    assert_eq!(
        v,
        json!({"status": 0, "msg": "sid 无效、已使用或不属于该用户"})
    );

    let sid_a = user_sid(&s, &a, "mobile", "13900000001").await;
    let sid_b = user_sid(&s, &b, "mobile", "13900000002").await;
    let change = |sid: &str, old: &str, new: &str| {
        json!({"userId": a, "shaPassword": "66c9549482d98808b306dcf47f0b419c06271bb6",
               "md5Password": md5(old), "shaNewPassword": "2cb67291738027c35b3e64eaf5ea8855c4da8cc5",
               "md5NewPassword": md5(new), "reset": false, "sid": sid})
    };
    // B's sid does not work for A.
    let v = post(
        &s,
        "/user/modifypassword",
        change(&sid_b, "first password A", "second pw A"),
    )
    .await;
    assert_eq!(v["msg"], "sid 无效、已使用或不属于该用户");
    // A wrong old password, counted.
    let v = post(
        &s,
        "/user/modifypassword",
        change(&sid_a, "not the password", "second pw A"),
    )
    .await;
    assert_eq!(v, json!({"status": 0, "msg": "原密码错误"}));
    // Right: changed; the sid is used up.
    let v = post(
        &s,
        "/user/modifypassword",
        change(&sid_a, "first password A", "second pw A"),
    )
    .await;
    assert_eq!(v, json!({"status": 1, "msg": "密码修改成功"}));
    let v = post(
        &s,
        "/user/modifypassword",
        change(&sid_a, "second pw A", "third pw A"),
    )
    .await;
    assert_eq!(v["msg"], "sid 无效、已使用或不属于该用户", "reused sid");
    // B's sid still works for B (it was not spent on A).
    let v = post(
        &s,
        "/user/modifypassword",
        json!({"userId": b, "md5NewPassword": md5("reset pw B"), "reset": true, "sid": sid_b}),
    )
    .await;
    assert_eq!(v["status"], 1, "{v}");

    // The new passwords sign in through the web and through cas.
    for (who, pw) in [("usera", "second pw A"), ("userb", "reset pw B")] {
        let (status, body) = s
            .post_json(
                "/api/v1/auth/login",
                json!({"identifier": who, "password": pw}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{who}: {body}");
        let v = post(
            &s,
            "/cas/v1/validate",
            json!({"userName": who, "md5Password": md5(pw), "norsa": "norsa", "sysId": "yht"}),
        )
        .await;
        assert_eq!(v["status"], "1", "{who}: {v}");
    }
    // Input errors.
    let sid = user_sid(&s, &a, "mobile", "13900000001").await;
    for (body, msg) in [
        (
            json!({"userId": a, "md5NewPassword": md5("x"), "reset": true}),
            "sid",
        ),
        (
            json!({"userId": a, "sid": sid, "reset": true, "shaNewPassword": "2cb6"}),
            "md5NewPassword",
        ),
        (
            json!({"userId": a, "sid": sid, "reset": true, "md5NewPassword": "xyz"}),
            "32 位",
        ),
        (
            json!({"userId": a, "sid": sid, "md5NewPassword": md5("x")}),
            "md5Password",
        ),
    ] {
        let v = post(&s, "/user/modifypassword", body.clone()).await;
        assert_eq!(v["status"], 0, "{body}");
        assert!(v["msg"].as_str().unwrap().contains(msg), "{body}: {v}");
    }
}

#[tokio::test]
async fn contacts_are_live_only_when_a_code_proved_them() {
    let s = yonyou().await;
    let id = id_of(&add(&s, "contacts", "13700000001", "", Some("tanyh*123")).await);
    let uid: i64 = id.parse().unwrap();
    // The document's bodies name a yonyou UUID.
    for (path, body) in [
        ("/user/bindMail", DOC_BIND_MAIL),
        ("/user/bindMobile", DOC_BIND_MOBILE),
    ] {
        let (_, v) = call(&s, "POST", path, JSON, body).await;
        assert_eq!(v, json!({"status": "0", "msg": "用户不存在"}), "{path}");
    }
    let (_, v) = call(&s, "POST", "/user/modifyContact", JSON, DOC_MODIFY_CONTACT).await;
    assert_eq!(v, json!({"status": 0, "msg": "用户不存在"}));

    // bindMail without proof: pending, off the account.
    let body = DOC_BIND_MAIL.replace("f2a2314a-1fdd-41e3-9119-4b2e8bb63ca5", &id);
    let (_, v) = call(&s, "POST", "/user/bindMail", JSON, &body).await;
    assert_eq!(
        (v["status"].clone(), v["pending"].clone()),
        (json!("1"), json!(true)),
        "{v}"
    );
    let me = s.uc.profile(uid).await.unwrap();
    assert_eq!(me.email, None);
    assert_eq!(me.pending_email.as_deref(), Some("120437047@qq.com"));
    // bindMobile without proof: pending too (the current phone stays).
    let body = DOC_BIND_MOBILE.replace("f2a2314a-1fdd-41e3-9119-4b2e8bb63ca5", &id);
    let (_, v) = call(&s, "POST", "/user/bindMobile", JSON, &body).await;
    assert_eq!(v["pending"], true, "{v}");
    assert_eq!(
        s.uc.profile(uid).await.unwrap().phone.as_deref(),
        Some("13700000001")
    );

    // modifyContact with the new address's own sid: live and verified.
    let sid = contact_sid(&s, "teest@yonyou.com", "c1").await;
    let body = DOC_MODIFY_CONTACT
        .replace("f2a2314a-1fdd-41e3-9119-4b2e8bb63ca5", &id)
        .replace("fc1f6dc08e56ed8de3bd619beff560aa", &sid);
    let (_, v) = call(&s, "POST", "/user/modifyContact", JSON, &body).await;
    assert_eq!(v, json!({"status": 1, "msg": "修改成功"}));
    let me = s.uc.profile(uid).await.unwrap();
    assert_eq!(me.email.as_deref(), Some("teest@yonyou.com"));
    assert!(me.email_verified);
    let (_, v) = call(&s, "POST", "/user/modifyContact", JSON, &body).await;
    assert_eq!(
        v["msg"], "sid 无效、已使用或不属于该用户",
        "reused sid: {v}"
    );

    // A sid for another address does not bind this one.
    let sid = contact_sid(&s, "13700000009", "c2").await;
    let v = post(
        &s,
        "/user/modifyContact",
        json!({"userId": id, "contact": "13700000008", "sid": sid}),
    )
    .await;
    assert_eq!(v["status"], 0, "{v}");
    // The user's own sid (their old phone) leaves the new one pending.
    let sid = user_sid(&s, &id, "mobile", "13700000001").await;
    let v = post(
        &s,
        "/user/modifyContact",
        json!({"userId": id, "contact": "13700000008", "sid": sid}),
    )
    .await;
    assert_eq!(v["pending"], true, "{v}");
    assert_eq!(
        s.uc.profile(uid).await.unwrap().pending_phone.as_deref(),
        Some("13700000008")
    );
    // Another user's sid is refused.
    let other = id_of(&add(&s, "other", "13700000002", "", None).await);
    let sid = user_sid(&s, &other, "mobile", "13700000002").await;
    let v = post(
        &s,
        "/user/modifyContact",
        json!({"userId": id, "contact": "13700000007", "sid": sid}),
    )
    .await;
    assert_eq!(v["msg"], "sid 无效、已使用或不属于该用户");
    // bindMobile with a contact sid: live, verified, in the UserVO.
    let sid = contact_sid(&s, "13700000009", "c3").await;
    let v = post(
        &s,
        "/user/bindMobile",
        json!({"userId": id, "mobile": "13700000009", "sid": sid}),
    )
    .await;
    assert_eq!(v, json!({"status": "1"}));
    let vo = get(&s, &format!("/user/user?userId={id}")).await;
    assert_eq!(vo["user"]["userMobile"], "137****0009");
    assert_eq!(vo["user"]["validateMobile"], true);
    for (path, body, msg) in [
        (
            "/user/bindMail",
            json!({"userId": id, "email": "13700000005"}),
            "邮箱格式",
        ),
        (
            "/user/bindMobile",
            json!({"userId": id, "mobile": "a@b.co"}),
            "手机号格式",
        ),
        ("/user/bindMobile", json!({"userId": id}), "mobile"),
        (
            "/user/modifyContact",
            json!({"userId": id, "contact": "a@b.co"}),
            "sid",
        ),
    ] {
        let v = post(&s, path, body.clone()).await;
        assert!(
            v["msg"].as_str().unwrap().contains(msg),
            "{path} {body}: {v}"
        );
    }
}

#[tokio::test]
async fn cas_validate_doc_example_rsa_and_lockout() {
    let s = yonyou().await;
    let (_, v) = call(&s, "POST", "/cas/v1/validate", JSON, DOC_CAS_VALIDATE).await;
    assert_eq!(v, json!({"status": "0", "msg": "用户名或密码错误"}));
    let without_norsa = DOC_CAS_VALIDATE.replace(r#""norsa":"norsa","#, "");
    let (_, v) = call(&s, "POST", "/cas/v1/validate", JSON, &without_norsa).await;
    assert_eq!(
        v,
        json!({"status": "0", "msg": "RSA not supported; send norsa"})
    );

    add(&s, "yhttest345", "13600000001", "", Some("yht test pass")).await;
    let md5 = DigestScheme::Md5.of("yht test pass");
    let body = DOC_CAS_VALIDATE.replace("f5740c21c8472ae57c40884093c40739", &md5);
    let (_, v) = call(&s, "POST", "/cas/v1/validate", JSON, &body).await;
    assert_eq!(v["status"], "1", "{v}");
    assert_eq!(v["msg"], "认证成功");
    assert_user_vo(&v["user"]);
    assert_eq!(v["user"]["userCode"], "yhttest345");
    // By phone and uppercase hex too; no session is left open.
    let v = post(
        &s,
        "/cas/v1/validate",
        json!({"userName": "13600000001", "md5Password": md5.to_uppercase(), "norsa": ""}),
    )
    .await;
    assert_eq!(v["status"], "1", "{v}");
    let (open,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL")
        .fetch_one(&s.db.sql)
        .await
        .unwrap();
    assert_eq!(open, 0);

    // The sign-in lockout counts: five wrong, then even the right one is refused.
    let wrong = DOC_CAS_VALIDATE.replace("yhttest345", "13600000001");
    for _ in 0..5 {
        let (_, v) = call(&s, "POST", "/cas/v1/validate", JSON, &wrong).await;
        assert_eq!(v["status"], "0");
    }
    let (_, v) = call(&s, "POST", "/cas/v1/validate", JSON, &body).await;
    assert_eq!(v["status"], "0");
    assert!(v["msg"].as_str().unwrap().contains("锁定"), "{v}");
}

#[tokio::test]
async fn round_trips_with_the_web_sign_in() {
    let s = yonyou().await;
    // Added through yonyou with a password: the web and cas both take it.
    let (_, v) = call(&s, "POST", "/user/user", FORM, DOC_ADD_USER).await;
    assert_eq!(v["status"], 1);
    for identifier in ["tanyh1", "13811394460"] {
        let (status, body) = s
            .post_json(
                "/api/v1/auth/login",
                json!({"identifier": identifier, "password": "tanyh*123"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{identifier}: {body}");
    }
    let v = post(
        &s,
        "/cas/v1/validate",
        json!({"userName": "tanyh1", "md5Password": DigestScheme::Md5.of("tanyh*123"),
               "norsa": "norsa", "sysId": "yht"}),
    )
    .await;
    assert_eq!(v["status"], "1", "{v}");

    // Registered through the web: the MD5 verifier was made at sign-up.
    let (status, reg) = s.register("web@example.com").await;
    assert_eq!(status, StatusCode::CREATED, "{reg}");
    let v = post(
        &s,
        "/cas/v1/validate",
        json!({"userName": "web@example.com",
               "md5Password": DigestScheme::Md5.of("correct horse battery"), "norsa": "norsa"}),
    )
    .await;
    assert_eq!(v["status"], "1", "{v}");
    assert_eq!(v["user"]["userId"], reg["user"]["id"].to_string());
    let v = post(
        &s,
        "/cas/v1/validate",
        json!({"userName": "web@example.com",
               "md5Password": DigestScheme::Md5.of("wrong horse battery"), "norsa": "norsa"}),
    )
    .await;
    assert_eq!(v, json!({"status": "0", "msg": "用户名或密码错误"}));
}

#[tokio::test]
async fn an_account_from_before_the_facade_validates_after_one_plaintext_sign_in() {
    // Registered while no digest scheme was kept …
    let plain = {
        let mut s = settings();
        s.codes.resend_after = std::time::Duration::ZERO;
        s
    };
    let s = server_with_compat(plain, &compat(None)).await;
    s.register("old@example.com").await;
    let validate = json!({"userName": "old@example.com",
        "md5Password": DigestScheme::Md5.of("correct horse battery"), "norsa": "norsa"});
    assert_eq!(
        post(&s, "/cas/v1/validate", validate.clone()).await["status"],
        "0"
    );
    // … the same database under UC_COMPAT=yonyou: one web sign-in adds the verifier.
    let uc = domain::UserCenter::new(
        s.uc.pool().clone(),
        b"server test secret, 32 bytes long",
        yonyou_settings(),
        domain::Messenger::outbox(&s._dir.path().join("outbox"), "UC <uc@localhost>").unwrap(),
    )
    .unwrap();
    uc.open_vault().await.unwrap();
    let client = domain::ClientInfo::default();
    uc.login("old@example.com", "correct horse battery", None, &client)
        .await
        .unwrap();
    let md5 = DigestScheme::Md5.of("correct horse battery");
    uc.login_with_digest("old@example.com", DigestScheme::Md5, &md5, None, &client)
        .await
        .unwrap();
}

#[tokio::test]
async fn messages_go_to_the_users_bound_phone_or_email() {
    let s = yonyou().await;
    let id = id_of(&add(&s, "msg", "13500000001", "", None).await);
    let v = post(
        &s,
        "/user/sendmsgbymobile",
        json!({"userId": id, "massage": "您的订单已发货", "sysId": "yht"}),
    )
    .await;
    assert_eq!(v, json!({"status": "1"}), "no msg on success");
    assert!(s
        .messages("13500000001")
        .iter()
        .any(|m| m.contains("您的订单已发货")));
    // `message` too, and the path as the document writes it (with a space).
    let v = post(
        &s,
        "/user/%20sendmsgbymobile",
        json!({"userId": id, "message": "second"}),
    )
    .await;
    assert_eq!(v, json!({"status": "1"}));
    for (path, body, msg) in [
        (
            "/user/sendmsgbyemail",
            json!({"userId": id, "massage": "hi"}),
            "该用户未绑定邮箱",
        ),
        ("/user/sendmsgbymobile", json!({"userId": id}), "massage"),
        (
            "/user/sendmsgbymobile",
            json!({"userId": id, "massage": "x".repeat(501)}),
            "500",
        ),
        (
            "/user/sendmsgbymobile",
            json!({"userId": "f2a2314a", "massage": "hi"}),
            "用户不存在",
        ),
    ] {
        let v = post(&s, path, body.clone()).await;
        assert_eq!(v["status"], "0", "{path} {body}");
        assert!(v["msg"].as_str().unwrap().contains(msg), "{path}: {v}");
    }
}

#[tokio::test]
async fn every_path_variant_is_served_and_only_to_the_service_network() {
    let s = yonyou().await;
    let id = id_of(&add(&s, "paths", "13400000001", "", None).await);
    for path in ["/user/user", "//user/user", "/rest/user/user"] {
        let v = get(&s, &format!("{path}?userId={id}")).await;
        assert_eq!(v["status"], "1", "{path}");
    }
    let v = post(&s, "//cas/v1/validate", json!({"userName": "paths"})).await;
    assert_eq!(v["msg"], "RSA not supported; send norsa");

    // A client outside UC_COMPAT_ALLOW_FROM (the tests' client is 127.0.0.1).
    let mut far = compat(None);
    far.allow_from = vec!["10.0.0.0/8".parse().unwrap()];
    let s = server_with_compat(yonyou_settings(), &far).await;
    for (method, path) in [
        ("GET", "/user/user?userId=1"),
        ("POST", "/user/user"),
        ("POST", "/cas/v1/validate"),
        ("GET", "/images/getValiImage?ts=1"),
        ("POST", "/user/sendmsgbymobile"),
    ] {
        let (status, _) = call(&s, method, path, JSON, "{}").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}");
    }
}

#[tokio::test]
async fn hostile_input_never_breaks_the_envelope() {
    let s = yonyou().await;
    let bodies = [
        "",
        "{oops",
        "[1,2]",
        "null",
        r#"{"userId":{"$ne":1}}"#,
        r#"{"userId":"1; DROP TABLE users"}"#,
        r#"{"userId":"99999999999999999999999"}"#,
        "userId=%ff%fe",
    ];
    let paths = [
        "/user/user",
        "/user/users",
        "/user/sendcode2",
        "/user/sendcode",
        "/user/validatecode",
        "/user/modifypassword",
        "/user/modifyContact",
        "/user/bindMail",
        "/user/bindMobile",
        "/cas/v1/validate",
        "/user/sendmsgbymobile",
        "/user/sendmsgbyemail",
    ];
    for path in paths {
        for body in bodies {
            let (status, v) = call(&s, "POST", path, JSON, body).await;
            assert_eq!(status, StatusCode::OK, "{path} {body}: {v}");
            assert!(
                v["status"] == json!(0) || v["status"] == json!("0"),
                "{path} {body}: {v}"
            );
            assert!(v["msg"].is_string(), "{path} {body}: {v}");
        }
    }
    let (status, v) = call(&s, "POST", "/user/user", JSON, &"x".repeat(2 << 20)).await;
    assert!(
        status == StatusCode::OK || status == StatusCode::PAYLOAD_TOO_LARGE,
        "{status}"
    );
    if status == StatusCode::OK {
        assert_eq!(v["status"], 0);
    }
}
