//! Conformance tests of the ukex facade (seed 003): every request of the
//! document sent as it shows it, the `{status, data}` answers and their
//! types, each failure with its reason, hostile input, round trips with the
//! REST API and the service-network check.

use crate::compat::CompatSettings;
use crate::tests::{server_with_compat, settings, Server};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use domain::account_sources::AccountSource;
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery";
const NEW_PASSWORD: &str = "a whole new passphrase";
const PIN: &str = "480716";

async fn ukex() -> Server {
    server_with_compat(settings(), &CompatSettings::all()).await
}

/// POSTs `body` as JSON with the `token` header when given; the answer
/// must be HTTP 200 with exactly `status` (0 or 1) and `data`.
async fn call(s: &Server, path: &str, token: Option<&str>, body: Value) -> Value {
    let mut req = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        req = req.header("token", t);
    }
    answer(s, req.body(Body::from(body.to_string())).unwrap()).await
}

/// Sends a request and checks the envelope.
async fn answer(s: &Server, req: Request<Body>) -> Value {
    let (status, _, bytes) = s.send(req).await;
    let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    assert_eq!(status, StatusCode::OK, "{value}");
    let object = value.as_object().expect("a JSON object");
    let mut keys: Vec<_> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["data", "status"], "{value}");
    assert!(
        value["status"] == 0 || value["status"] == 1,
        "status is 0 or 1: {value}"
    );
    value
}

/// A form body, as `a=b&c=d`.
async fn call_form(s: &Server, path: &str, token: Option<&str>, body: &str) -> Value {
    let mut req = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(t) = token {
        req = req.header("token", t);
    }
    answer(s, req.body(Body::from(body.to_string())).unwrap()).await
}

fn ok(answer: &Value, data: Value) {
    assert_eq!(answer, &json!({"status": 1, "data": data}));
}

/// `status: 0` and `data` the failure word, then a reason containing `why`.
fn failed(answer: &Value, word: &str, why: &str) {
    assert_eq!(answer["status"], 0, "{answer}");
    let data = answer["data"].as_str().expect("a text reason");
    assert!(
        data.starts_with(&format!("{word}：")) && data.contains(why),
        "expected {word}：…{why}…, got {data}"
    );
}

/// An account created and signed in through the facade: (token, uid).
async fn account(s: &Server, usercount: &str, source: i64) -> (String, String) {
    let created = call(
        s,
        "/api/UserCenter/Login",
        None,
        json!({"usercount": usercount, "password": PASSWORD, "source_type": source}),
    )
    .await;
    ok(&created, json!("添加成功"));
    let login = call(
        s,
        "/api/UserCenter/Login",
        None,
        json!({"usercount": usercount, "password": PASSWORD}),
    )
    .await;
    assert_eq!(login["status"], 1, "{login}");
    (
        login["data"]["token"].as_str().unwrap().to_string(),
        login["data"]["uid"].as_str().unwrap().to_string(),
    )
}

async fn deposit(s: &Server, token: &str, amount: &str) {
    let added = call(
        s,
        "/api/Balance/AddBalance",
        Some(token),
        json!({"coinId": "1", "quantityNum": amount}),
    )
    .await;
    ok(&added, json!("充值成功"));
}

/// The user's CNY balance as (available, frozen), read from the domain.
async fn cny(s: &Server, uid: &str) -> (String, String) {
    let balances = s.uc.balances(uid.parse().unwrap()).await.unwrap();
    let b = balances.iter().find(|b| b.currency == "CNY").unwrap();
    (b.available.clone(), b.frozen.clone())
}

#[tokio::test]
async fn one_path_creates_accounts_and_signs_in_with_the_documented_types() {
    let s = ukex().await;
    // "新增用户账号", exactly as documented, then as a form and under `Api/`.
    let created = call(
        &s,
        "/api/UserCenter/Login",
        None,
        json!({"usercount": "ann@example.com", "password": PASSWORD, "source_type": 1}),
    )
    .await;
    ok(&created, json!("添加成功"));
    let created = call_form(
        &s,
        "/Api/UserCenter/Login",
        None,
        "usercount=13628379881&password=correct+horse+battery&source_type=2",
    )
    .await;
    ok(&created, json!("添加成功"));

    // "登录": token (string), deadLine (int, the session's end), uid (string).
    let before = chrono_now();
    let login = call(
        &s,
        "/Api/UserCenter/Login",
        None,
        json!({"usercount": "13628379881", "password": PASSWORD}),
    )
    .await;
    assert_eq!(login["status"], 1, "{login}");
    let data = login["data"].as_object().unwrap();
    let mut keys: Vec<_> = data.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["deadLine", "token", "uid"]);
    assert!(data["token"].as_str().unwrap().len() >= 32);
    let dead_line = data["deadLine"].as_i64().expect("deadLine is an integer");
    assert!(dead_line > before + 29 * 24 * 3600, "a 30-day session");
    let uid = data["uid"].as_str().expect("uid is a string");
    let uid: i64 = uid.parse().unwrap();
    assert_eq!(
        s.uc.account_source(uid).await.unwrap(),
        Some(AccountSource::UkexPay)
    );
    // The token is long-lived: it keeps working, call after call.
    let token = data["token"].as_str().unwrap();
    for _ in 0..2 {
        let found = call(
            &s,
            "/api/User/Info",
            Some(token),
            json!({"column": ["uid", "mobile", "source_type"], "value": [], "oper_type": 2}),
        )
        .await;
        ok(
            &found,
            json!({"uid": uid.to_string(), "mobile": "13628379881", "source_type": 2}),
        );
    }

    // Failures, each with its reason.
    let cases = [
        (
            json!({"usercount": "ann@example.com", "password": PASSWORD, "source_type": 1}),
            "添加失败",
            "EMAIL_TAKEN",
        ),
        (
            json!({"usercount": "ann@example.com", "password": PASSWORD, "source_type": 3}),
            "添加失败",
            "source_type",
        ),
        (
            json!({"usercount": "ann@example.com", "password": PASSWORD, "source_type": "ukex"}),
            "添加失败",
            "source_type",
        ),
        (
            json!({"usercount": "just_a_name", "password": PASSWORD, "source_type": 1}),
            "添加失败",
            "CONTACT_REQUIRED",
        ),
        (
            json!({"usercount": "bob@example.com", "password": "short", "source_type": 1}),
            "添加失败",
            "WEAK_PASSWORD",
        ),
        (
            json!({"password": PASSWORD, "source_type": 1}),
            "添加失败",
            "缺少必填字段 usercount",
        ),
        (
            json!({"usercount": "ann@example.com"}),
            "登录失败",
            "缺少必填字段 password",
        ),
        (
            json!({"usercount": "ann@example.com", "password": "wrong password here"}),
            "登录失败",
            "INVALID_CREDENTIALS",
        ),
        (
            json!({"usercount": ["ann@example.com"], "password": PASSWORD}),
            "登录失败",
            "usercount",
        ),
    ];
    for (body, word, why) in cases {
        failed(
            &call(&s, "/api/UserCenter/Login", None, body).await,
            word,
            why,
        );
    }
    // A wrong password and an unknown account answer alike (but for the
    // tries left, which count per identifier).
    let wrong = call(
        &s,
        "/api/UserCenter/Login",
        None,
        json!({"usercount": "13628379881", "password": "wrong password here"}),
    )
    .await;
    let unknown = call(
        &s,
        "/api/UserCenter/Login",
        None,
        json!({"usercount": "13900000000", "password": "wrong password here"}),
    )
    .await;
    assert_eq!(wrong, unknown);
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn the_same_password_works_through_the_facade_and_the_web() {
    let s = ukex().await;
    account(&s, "ann@example.com", 1).await;
    let (status, body) = s
        .post_json(
            "/api/v1/auth/login",
            json!({"identifier": "ann@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // And the reverse: registered on the web, signed in through ukex.
    let (status, _) = s.register("web@example.com").await;
    assert_eq!(status, StatusCode::CREATED);
    let login = call(
        &s,
        "/api/UserCenter/Login",
        None,
        json!({"usercount": "web@example.com", "password": PASSWORD}),
    )
    .await;
    assert_eq!(login["status"], 1, "{login}");
}

#[tokio::test]
async fn every_documented_request_answers_as_documented() {
    let s = ukex().await;
    let (token, uid) = account(&s, "ann@example.com", 1).await;
    let (_, seller) = account(&s, "13628379882", 2).await;
    let t = Some(token.as_str());
    // (path, request as the document shows it, expected answer)
    let table: Vec<(&str, Value, Value)> = vec![
        (
            "/api/Device/AddBindDevice",
            json!({"uid": uid, "device_id": "ios-1", "device_name": "Ann's iPhone", "device_os": "iOS 17"}),
            json!({"status": 1, "data": "绑定成功"}),
        ),
        (
            "/api/Device/CheckBindDevice",
            json!({"uid": uid, "device_id": "ios-1"}),
            json!({"status": 1, "data": {"groupid": "2"}}),
        ),
        (
            "/api/Device/RemoveBindDevice",
            json!({"uid": uid, "device_id": "ios-1"}),
            json!({"status": 1, "data": "移除成功"}),
        ),
        (
            "/api/User/Auth",
            json!({"column": ["is_allow_login"], "value": [1], "oper_type": 1}),
            json!({"status": 1, "data": "操作成功"}),
        ),
        (
            "/api/User/Auth",
            json!({"column": ["is_allow_login"], "value": [1], "oper_type": 2}),
            json!({"status": 1, "data": "操作成功"}),
        ),
        (
            "/api/User/Auth",
            json!({"column": ["is_allow_login"], "value": [1], "oper_type": 3}),
            json!({"status": 1, "data": "操作成功"}),
        ),
        (
            "/api/User/Info",
            json!({"column": ["mobile"], "value": ["13628379881"], "oper_type": 1}),
            json!({"status": 1, "data": "操作成功"}),
        ),
        (
            "/api/User/Info",
            json!({"column": ["mobile"], "value": ["13628379881"], "oper_type": 2}),
            // The number is pending until proven: the live mobile is none.
            json!({"status": 1, "data": {"mobile": null}}),
        ),
        (
            "/api/User/RealInfo",
            json!({"column": ["first_name"], "value": ["wu"], "oper_type": 1}),
            json!({"status": 1, "data": "操作成功"}),
        ),
        (
            "/api/User/RealInfo",
            json!({"column": ["first_name"], "value": ["wu"], "oper_type": 2}),
            json!({"status": 1, "data": {"first_name": "wu"}}),
        ),
        (
            "/api/Balance/AddBalance",
            json!({"coinId": "1", "quantityNum": "100.50"}),
            json!({"status": 1, "data": "充值成功"}),
        ),
        (
            "/api/Balance/ReduceBalance",
            json!({"coinId": "1", "quantityNum": "0.50"}),
            json!({"status": 1, "data": "操作成功"}),
        ),
        (
            "/api/Balance/TransferBalance",
            json!({"buyerUserId": uid, "sellerUserId": seller, "coinId": "1", "transNum": "10"}),
            json!({"status": 1, "data": "操作成功"}),
        ),
        // The same fields at the anchor the document files them under.
        (
            "/api/Balance/ReduceBalance",
            json!({"buyerUserId": uid, "sellerUserId": seller, "coinId": "1", "transNum": "5"}),
            json!({"status": 1, "data": "操作成功"}),
        ),
        (
            "/api/Balance/AllocationBalance",
            json!({"UserId": uid, "coinId": "1", "AssetsNum": "30", "oper_type": 1}),
            json!({"status": 1, "data": "操作成功"}),
        ),
        (
            "/api/Balance/AllocationBalance",
            json!({"UserId": uid, "coinId": "1", "AssetsNum": "20", "oper_type": 2}),
            json!({"status": 1, "data": "操作成功"}),
        ),
        // The document's PIN and password requests carry no proof, which
        // the product requires: refused with the field to add …
        (
            "/api/Password/Pay",
            json!({"uid": uid, "paypassword": PIN, "oper_type": 2}),
            json!({"status": 0, "data": "修改失败：首次设置交易密码须验证登录密码：请带上 password（登录密码）或 sid (PROOF_REQUIRED)"}),
        ),
        (
            "/api/Password/Login",
            json!({"usercount": "ann@example.com", "password": NEW_PASSWORD}),
            json!({"status": 0, "data": "密码修改失败：修改登录密码须验证原密码：请带上 oldpassword（原密码）或 sid (PROOF_REQUIRED)"}),
        ),
        // … and done with it.
        (
            "/api/Password/Pay",
            json!({"uid": uid, "paypassword": PIN, "oper_type": 2, "password": PASSWORD}),
            json!({"status": 1, "data": "修改成功"}),
        ),
        (
            "/api/Password/Pay",
            json!({"uid": uid, "paypassword": PIN, "oper_type": 1}),
            json!({"status": 1, "data": "验证成功"}),
        ),
        (
            "/api/Password/Pay",
            json!({"uid": uid, "paypassword": "952863", "oper_type": 2, "old_paypassword": PIN}),
            json!({"status": 1, "data": "修改成功"}),
        ),
        (
            "/api/Password/Pay",
            json!({"uid": uid, "paypassword": "952863", "oper_type": 1}),
            json!({"status": 1, "data": "验证成功"}),
        ),
        (
            "/api/Password/Login",
            json!({"usercount": "ann@example.com", "password": NEW_PASSWORD, "oldpassword": PASSWORD}),
            json!({"status": 1, "data": "密码修改成功"}),
        ),
    ];
    for (path, body, expected) in table {
        let got = call(&s, path, t, body.clone()).await;
        assert_eq!(got, expected, "{path} {body}");
        // The `Api/` spelling of the anchors reaches the same operation
        // (finds only: they change nothing).
        if body["oper_type"] == 2 && path.contains("Info") {
            let capital = path.replacen("/api/", "/Api/", 1);
            assert_eq!(call(&s, &capital, t, body).await, expected, "{capital}");
        }
    }
    // 100.50 - 0.50 - 10 - 5 = 85 available before the holds; 30 held, 20 released.
    assert_eq!(cny(&s, &uid).await, ("75.00".into(), "10.00".into()));
    assert_eq!(cny(&s, &seller).await, ("15.00".into(), "0.00".into()));
    // The password change kept the calling session, and the new password works.
    let found = call(
        &s,
        "/api/User/Info",
        t,
        json!({"column": ["pending_mobile", "usercount"], "oper_type": 2}),
    )
    .await;
    ok(
        &found,
        json!({"pending_mobile": "13628379881", "usercount": "ann@example.com"}),
    );
    let login = call(
        &s,
        "/api/UserCenter/Login",
        None,
        json!({"usercount": "ann@example.com", "password": NEW_PASSWORD}),
    )
    .await;
    assert_eq!(login["status"], 1, "{login}");
}

#[tokio::test]
async fn every_failure_is_status_0_with_its_reason() {
    let s = ukex().await;
    let (token, uid) = account(&s, "ann@example.com", 1).await;
    let (other_token, other) = account(&s, "bob@example.com", 1).await;
    deposit(&s, &token, "10").await;
    let t = Some(token.as_str());
    // (path, token, body, failure word, part of the reason)
    let table: Vec<(&str, Option<&str>, Value, &str, &str)> = vec![
        // No token, a made-up one, another user's ids.
        (
            "/api/Password/Pay",
            None,
            json!({"uid": uid, "paypassword": PIN, "oper_type": 1}),
            "验证失败",
            "请求头缺少 token",
        ),
        (
            "/api/Device/AddBindDevice",
            Some("forged"),
            json!({"uid": uid, "device_id": "d", "device_name": "n", "device_os": "o"}),
            "绑定失败",
            "UNAUTHENTICATED",
        ),
        (
            "/api/Balance/AddBalance",
            None,
            json!({"coinId": "1", "quantityNum": "1"}),
            "充值失败",
            "请求头缺少 token",
        ),
        (
            "/api/User/Info",
            Some("forged"),
            json!({"column": ["mobile"], "oper_type": 2}),
            "操作失败",
            "token 无效",
        ),
        (
            "/api/Password/Pay",
            t,
            json!({"uid": other, "paypassword": PIN, "oper_type": 1}),
            "验证失败",
            "无权操作：uid",
        ),
        (
            "/api/Device/AddBindDevice",
            t,
            json!({"uid": other, "device_id": "d", "device_name": "n", "device_os": "o"}),
            "绑定失败",
            "无权操作：uid",
        ),
        (
            "/api/Device/RemoveBindDevice",
            t,
            json!({"uid": other, "device_id": "d"}),
            "移除失败",
            "无权操作：uid",
        ),
        (
            "/api/Device/CheckBindDevice",
            t,
            json!({"uid": other, "device_id": "d"}),
            "检测失败",
            "无权操作：uid",
        ),
        (
            "/api/Balance/AllocationBalance",
            t,
            json!({"UserId": other, "coinId": "1", "AssetsNum": "1", "oper_type": 1}),
            "操作失败",
            "无权操作：UserId",
        ),
        // A seller's (or anyone's) token cannot pull the buyer's money.
        (
            "/api/Balance/TransferBalance",
            Some(other_token.as_str()),
            json!({"buyerUserId": uid, "sellerUserId": other, "coinId": "1", "transNum": "1"}),
            "操作失败",
            "无权操作：buyerUserId",
        ),
        (
            "/api/Password/Login",
            t,
            json!({"usercount": "bob@example.com", "password": NEW_PASSWORD, "oldpassword": PASSWORD}),
            "密码修改失败",
            "无权操作：usercount",
        ),
        (
            "/api/Password/Pay",
            t,
            json!({"uid": "me", "paypassword": PIN, "oper_type": 1}),
            "验证失败",
            "uid 不正确",
        ),
        // Amounts are exact decimal strings.
        (
            "/api/Balance/AddBalance",
            t,
            json!({"coinId": "1", "quantityNum": "1e3"}),
            "充值失败",
            "AMOUNT_EXPONENT",
        ),
        (
            "/api/Balance/AddBalance",
            t,
            json!({"coinId": "1", "quantityNum": "-1"}),
            "充值失败",
            "AMOUNT_NEGATIVE",
        ),
        (
            "/api/Balance/AddBalance",
            t,
            json!({"coinId": "1", "quantityNum": "0.0000001"}),
            "充值失败",
            "AMOUNT_TOO_PRECISE",
        ),
        (
            "/api/Balance/AddBalance",
            t,
            json!({"coinId": "1", "quantityNum": "0"}),
            "充值失败",
            "AMOUNT_NOT_POSITIVE",
        ),
        (
            "/api/Balance/AddBalance",
            t,
            json!({"coinId": "1", "quantityNum": "1,000"}),
            "充值失败",
            "AMOUNT_GROUPING",
        ),
        (
            "/api/Balance/AddBalance",
            t,
            json!({"coinId": "1", "quantityNum": 1.5}),
            "充值失败",
            "quantityNum 不正确",
        ),
        (
            "/api/Balance/AddBalance",
            t,
            json!({"coinId": "1"}),
            "充值失败",
            "缺少必填字段 quantityNum",
        ),
        (
            "/api/Balance/AddBalance",
            t,
            json!({"coinId": "99", "quantityNum": "1"}),
            "充值失败",
            "未知的 coinId 99",
        ),
        (
            "/api/Balance/ReduceBalance",
            t,
            json!({"coinId": "1", "quantityNum": "11"}),
            "操作失败",
            "INSUFFICIENT_FUNDS",
        ),
        (
            "/api/Balance/TransferBalance",
            t,
            json!({"buyerUserId": uid, "sellerUserId": uid, "coinId": "1", "transNum": "1"}),
            "操作失败",
            "CANNOT_TRANSFER_TO_SELF",
        ),
        (
            "/api/Balance/TransferBalance",
            t,
            json!({"buyerUserId": uid, "sellerUserId": "999999", "coinId": "1", "transNum": "1"}),
            "操作失败",
            "RECIPIENT_NOT_FOUND",
        ),
        (
            "/api/Balance/AllocationBalance",
            t,
            json!({"UserId": uid, "coinId": "1", "AssetsNum": "1", "oper_type": 2}),
            "操作失败",
            "INSUFFICIENT_FROZEN",
        ),
        (
            "/api/Balance/AllocationBalance",
            t,
            json!({"UserId": uid, "coinId": "1", "AssetsNum": "1", "oper_type": 3}),
            "操作失败",
            "oper_type 不正确",
        ),
        // PINs and passwords.
        (
            "/api/Password/Pay",
            t,
            json!({"uid": uid, "paypassword": PIN, "oper_type": 1}),
            "验证失败",
            "PIN_NOT_SET",
        ),
        (
            "/api/Password/Pay",
            t,
            json!({"uid": uid, "paypassword": "123456", "oper_type": 2, "password": PASSWORD}),
            "修改失败",
            "WEAK_PIN",
        ),
        (
            "/api/Password/Pay",
            t,
            json!({"uid": uid, "paypassword": PIN, "oper_type": 2, "password": "not my password"}),
            "修改失败",
            "PASSWORD_INCORRECT",
        ),
        (
            "/api/Password/Pay",
            t,
            json!({"uid": uid, "paypassword": PIN, "oper_type": 7}),
            "操作失败",
            "oper_type 不正确",
        ),
        (
            "/api/Password/Login",
            t,
            json!({"usercount": "ann@example.com", "password": "short", "oldpassword": PASSWORD}),
            "密码修改失败",
            "WEAK_PASSWORD",
        ),
        (
            "/api/Password/Login",
            t,
            json!({"usercount": "ann@example.com", "password": NEW_PASSWORD, "oldpassword": "not my password"}),
            "密码修改失败",
            "PASSWORD_INCORRECT",
        ),
        // Devices.
        (
            "/api/Device/AddBindDevice",
            t,
            json!({"uid": uid, "device_id": "bad id", "device_name": "n", "device_os": "o"}),
            "绑定失败",
            "INVALID_DEVICE",
        ),
        (
            "/api/Device/AddBindDevice",
            t,
            json!({"uid": uid, "device_id": "d1", "device_os": "o"}),
            "绑定失败",
            "缺少必填字段 device_name",
        ),
        (
            "/api/Device/RemoveBindDevice",
            t,
            json!({"uid": uid, "device_id": "never-bound"}),
            "移除失败",
            "该设备未绑定",
        ),
        (
            "/api/Device/CheckBindDevice",
            t,
            json!({"uid": uid, "device_id": "never-bound"}),
            "检测失败",
            "该设备未绑定",
        ),
        // Columns and values.
        (
            "/api/User/Auth",
            t,
            json!({"column": ["is_admin"], "value": [1], "oper_type": 2}),
            "操作失败",
            "未知的权限字段 is_admin",
        ),
        (
            "/api/User/Auth",
            t,
            json!({"column": ["is_allow_login"], "value": [5], "oper_type": 2}),
            "操作失败",
            "值须为 1 或 0",
        ),
        (
            "/api/User/Auth",
            t,
            json!({"column": ["is_allow_login"], "value": [], "oper_type": 1}),
            "操作失败",
            "个数须相同",
        ),
        (
            "/api/User/Auth",
            t,
            json!({"column": ["is_allow_transfer"], "value": [0], "oper_type": 3}),
            "操作失败",
            "权限不符：is_allow_transfer",
        ),
        (
            "/api/User/Auth",
            t,
            json!({"column": ["is_allow_login"], "value": [1], "oper_type": 4}),
            "操作失败",
            "oper_type 不正确",
        ),
        (
            "/api/User/Info",
            t,
            json!({"column": ["salary"], "value": ["1"], "oper_type": 1}),
            "操作失败",
            "未知的字段 salary",
        ),
        (
            "/api/User/Info",
            t,
            json!({"column": ["uid"], "value": ["7"], "oper_type": 1}),
            "操作失败",
            "字段 uid 不能修改",
        ),
        (
            "/api/User/Info",
            t,
            json!({"column": ["mobile"], "value": ["12345"], "oper_type": 1}),
            "操作失败",
            "INVALID_CONTACT",
        ),
        (
            "/api/User/Info",
            t,
            json!({"column": ["mobile"], "oper_type": 3}),
            "操作失败",
            "oper_type 不正确",
        ),
        (
            "/api/User/Info",
            t,
            json!({"column": {"a": 1}, "oper_type": 2}),
            "操作失败",
            "column 不正确",
        ),
        (
            "/api/User/Info",
            t,
            json!({"column": ["mobile"]}),
            "操作失败",
            "缺少必填字段 oper_type",
        ),
        (
            "/api/User/RealInfo",
            t,
            json!({"column": ["last_name"], "value": ["yp"], "oper_type": 1}),
            "操作失败",
            "last_name 不支持",
        ),
        (
            "/api/User/RealInfo",
            t,
            json!({"column": ["id_number"], "value": ["123"], "oper_type": 1}),
            "操作失败",
            "INVALID_ID_NUMBER",
        ),
        (
            "/api/User/RealInfo",
            t,
            json!({"column": ["real_status"], "value": ["verified"], "oper_type": 1}),
            "操作失败",
            "不能修改",
        ),
    ];
    for (path, token, body, word, why) in table {
        let got = call(&s, path, token, body.clone()).await;
        assert_eq!(got["status"], 0, "{path} {body}: {got}");
        failed(&got, word, why);
    }
    // Nothing of the above moved money or changed Ann's flags.
    assert_eq!(cny(&s, &uid).await, ("10.00".into(), "0.00".into()));
    assert_eq!(cny(&s, &other).await, ("0.00".into(), "0.00".into()));
    let flags = call(&s, "/api/User/Auth", t, json!({"oper_type": 3})).await;
    ok(
        &flags,
        json!({"is_allow_login": 1, "is_allow_transfer": 1, "is_allow_withdraw": 1}),
    );
}

#[tokio::test]
async fn unreadable_calls_are_status_0_too() {
    let s = ukex().await;
    let (token, _) = account(&s, "ann@example.com", 1).await;
    let send = |method: &str, content_type: &str, body: &'static str| {
        Request::builder()
            .method(method)
            .uri("/api/Balance/AddBalance")
            .header(header::CONTENT_TYPE, content_type)
            .header("token", token.as_str())
            .body(Body::from(body))
            .unwrap()
    };
    let cases = [
        (send("GET", "application/json", ""), "请求方式须为 POST"),
        (send("PUT", "application/json", "{}"), "请求方式须为 POST"),
        (send("POST", "application/json", "{oops"), "不是有效的 JSON"),
        (send("POST", "application/json", "[1]"), "须为 JSON 对象"),
        (
            send("POST", "application/xml", "<a/>"),
            "不支持的 Content-Type",
        ),
        (send("POST", "application/json", ""), "缺少必填字段 coinId"),
    ];
    for (req, why) in cases {
        failed(&answer(&s, req).await, "充值失败", why);
    }
    let huge = format!(
        r#"{{"coinId":"1","quantityNum":"{}"}}"#,
        "1".repeat(100_000)
    );
    let req = Request::builder()
        .method("POST")
        .uri("/api/Balance/AddBalance")
        .header(header::CONTENT_TYPE, "application/json")
        .header("token", token.as_str())
        .body(Body::from(huge))
        .unwrap();
    failed(&answer(&s, req).await, "充值失败", "请求体过大");
}

#[tokio::test]
async fn form_bodies_and_lists_are_read_like_json() {
    let s = ukex().await;
    let (token, uid) = account(&s, "ann@example.com", 1).await;
    let t = Some(token.as_str());
    let changed = call_form(
        &s,
        "/api/User/Info",
        t,
        "column[]=nickname&column[]=email&value[]=Ann&value[]=ann2%40example.com&oper_type=1",
    )
    .await;
    ok(&changed, json!("操作成功"));
    let found = call_form(
        &s,
        "/api/User/Info",
        t,
        "column=nickname&column=pending_email&column=email&oper_type=2",
    )
    .await;
    ok(
        &found,
        json!({"nickname": "Ann", "pending_email": "ann2@example.com", "email": "ann@example.com"}),
    );
    // A list written as JSON text, as some form clients send it.
    let found = call_form(
        &s,
        "/api/User/Info",
        t,
        "column=%5B%22nickname%22%5D&oper_type=2",
    )
    .await;
    ok(&found, json!({"nickname": "Ann"}));
    let bound = call_form(
        &s,
        "/api/Device/AddBindDevice",
        t,
        &format!("uid={uid}&device_id=kiosk-7&device_name=Kiosk&device_os=Linux"),
    )
    .await;
    ok(&bound, json!("绑定成功"));
    deposit(&s, &token, "3").await;
    let held = call_form(
        &s,
        "/api/Balance/AllocationBalance",
        t,
        &format!("UserId={uid}&coinId=1&AssetsNum=1.25&oper_type=1"),
    )
    .await;
    ok(&held, json!("操作成功"));
    assert_eq!(cny(&s, &uid).await, ("1.75".into(), "1.25".into()));
}

#[tokio::test]
async fn a_transfer_through_ukex_shows_in_the_web_wallet() {
    let s = ukex().await;
    let (buyer_token, buyer) = account(&s, "buyer@example.com", 1).await;
    let (_, seller) = account(&s, "seller@example.com", 2).await;
    deposit(&s, &buyer_token, "50").await;
    let paid = call(
        &s,
        "/api/Balance/TransferBalance",
        Some(&buyer_token),
        json!({"buyerUserId": buyer, "sellerUserId": seller, "coinId": "1", "transNum": "12.34"}),
    )
    .await;
    ok(&paid, json!("操作成功"));

    // The seller signs in on the web and reads the wallet.
    let (status, login) = s
        .post_json(
            "/api/v1/auth/login",
            json!({"identifier": "seller@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{login}");
    let web = login["token"].as_str().unwrap();
    let (status, history) = s
        .get("/api/v1/wallet/history?currency=CNY", Some(web))
        .await;
    assert_eq!(status, StatusCode::OK, "{history}");
    let item = &history["items"][0];
    assert_eq!(item["kind"], "transfer", "{history}");
    assert_eq!(item["direction"], "in", "{history}");
    assert_eq!(item["amount"], "12.34");
    assert_eq!(item["memo"], "ukex 交易");
    let (_, balances) = s.get("/api/v1/wallet/balances", Some(web)).await;
    let cny = balances
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["currency"] == "CNY")
        .unwrap();
    assert_eq!(cny["available"], "12.34");

    // The buyer's history has the deposit and the payment.
    let (_, login) = s
        .post_json(
            "/api/v1/auth/login",
            json!({"identifier": "buyer@example.com", "password": PASSWORD}),
        )
        .await;
    let (_, history) = s
        .get(
            "/api/v1/wallet/history?currency=CNY",
            login["token"].as_str(),
        )
        .await;
    let kinds: Vec<_> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["kind"].clone(), i["amount"].clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            (json!("transfer"), json!("12.34")),
            (json!("deposit"), json!("50.00"))
        ]
    );
}

#[tokio::test]
async fn a_request_id_makes_retries_safe() {
    let s = ukex().await;
    let (token, uid) = account(&s, "ann@example.com", 1).await;
    let t = Some(token.as_str());
    let add = json!({"coinId": "1", "quantityNum": "5", "requestId": "order-1"});
    ok(
        &call(&s, "/api/Balance/AddBalance", t, add.clone()).await,
        json!("充值成功"),
    );
    ok(
        &call(&s, "/api/Balance/AddBalance", t, add).await,
        json!("充值成功"),
    );
    assert_eq!(cny(&s, &uid).await.0, "5.00", "a retry moves nothing");
    failed(
        &call(
            &s,
            "/api/Balance/AddBalance",
            t,
            json!({"coinId": "1", "quantityNum": "6", "requestId": "order-1"}),
        )
        .await,
        "充值失败",
        "IDEMPOTENCY_CONFLICT",
    );
    failed(
        &call(
            &s,
            "/api/Balance/AddBalance",
            t,
            json!({"coinId": "1", "quantityNum": "6", "requestId": "bad id!"}),
        )
        .await,
        "充值失败",
        "INVALID_REQUEST_ID",
    );
    // The header works as well.
    for _ in 0..2 {
        let req = Request::builder()
            .method("POST")
            .uri("/api/Balance/AddBalance")
            .header(header::CONTENT_TYPE, "application/json")
            .header("token", token.as_str())
            .header("X-Request-Id", "order-2")
            .body(Body::from(r#"{"coinId":"1","quantityNum":"1"}"#))
            .unwrap();
        ok(&answer(&s, req).await, json!("充值成功"));
    }
    assert_eq!(cny(&s, &uid).await.0, "6.00");
    // Without an id, each call is a movement of its own.
    deposit(&s, &token, "1").await;
    deposit(&s, &token, "1").await;
    assert_eq!(cny(&s, &uid).await.0, "8.00");
}

#[tokio::test]
async fn pin_checks_count_and_lock_payments() {
    let s = ukex().await;
    let (token, uid) = account(&s, "ann@example.com", 1).await;
    let t = Some(token.as_str());
    let set = call(
        &s,
        "/api/Password/Pay",
        t,
        json!({"uid": uid, "paypassword": PIN, "oper_type": 2, "password": PASSWORD}),
    )
    .await;
    ok(&set, json!("修改成功"));
    // Changing it needs the old PIN (or a ticket).
    failed(
        &call(
            &s,
            "/api/Password/Pay",
            t,
            json!({"uid": uid, "paypassword": "952863", "oper_type": 2, "password": PASSWORD}),
        )
        .await,
        "修改失败",
        "old_paypassword",
    );
    let verify = |pin: &'static str| {
        call(
            &s,
            "/api/Password/Pay",
            t,
            json!({"uid": uid, "paypassword": pin, "oper_type": 1}),
        )
    };
    failed(
        &verify("000001").await,
        "验证失败",
        "还可尝试 4 次 (PIN_INCORRECT)",
    );
    for _ in 0..3 {
        verify("000001").await;
    }
    failed(&verify("000001").await, "验证失败", "PIN_LOCKED");
    // Locked: the right PIN is refused too, and so are web payments.
    failed(&verify(PIN).await, "验证失败", "PIN_LOCKED");
    assert!(s.uc.pin_status(uid.parse().unwrap()).await.unwrap().locked);
}

#[tokio::test]
async fn turning_sign_in_off_ends_the_sessions_and_is_audited() {
    let s = ukex().await;
    let (token, uid) = account(&s, "ann@example.com", 1).await;
    let off = call(
        &s,
        "/api/User/Auth",
        Some(&token),
        json!({"column": ["is_allow_transfer", "is_allow_withdraw"], "value": ["0", false], "oper_type": 2}),
    )
    .await;
    ok(&off, json!("操作成功"));
    let flags = call(
        &s,
        "/api/User/Auth",
        Some(&token),
        json!({"column": ["is_allow_transfer", "allow_withdraw", "is_allow_login"], "oper_type": 3}),
    )
    .await;
    ok(
        &flags,
        json!({"is_allow_transfer": 0, "allow_withdraw": 0, "is_allow_login": 1}),
    );
    failed(
        &call(
            &s,
            "/api/Balance/ReduceBalance",
            Some(&token),
            json!({"coinId": "1", "quantityNum": "1"}),
        )
        .await,
        "操作失败",
        "WITHDRAW_NOT_ALLOWED",
    );
    let off = call(
        &s,
        "/api/User/Auth",
        Some(&token),
        json!({"column": ["is_allow_login"], "value": [0], "oper_type": 2}),
    )
    .await;
    ok(&off, json!("操作成功"));
    failed(
        &call(&s, "/api/User/Auth", Some(&token), json!({"oper_type": 3})).await,
        "操作失败",
        "UNAUTHENTICATED",
    );
    failed(
        &call(
            &s,
            "/api/UserCenter/Login",
            None,
            json!({"usercount": "ann@example.com", "password": PASSWORD}),
        )
        .await,
        "登录失败",
        "LOGIN_NOT_ALLOWED",
    );
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'permissions_changed' AND actor_app = 'ukex' AND target_id = $1",
    )
    .bind(uid.parse::<i64>().unwrap())
    .fetch_one(&s.db.sql)
    .await
    .unwrap();
    assert_eq!(n, 2);
}

#[tokio::test]
async fn a_mobile_set_through_ukex_stays_pending_until_proven() {
    let s = ukex().await;
    let (token, _) = account(&s, "ann@example.com", 1).await;
    // Bob's number, typed into Ann's ukex profile.
    account(&s, "13628379881", 2).await;
    let set = call(
        &s,
        "/api/User/Info",
        Some(&token),
        json!({"column": ["mobile"], "value": ["13628379881"], "oper_type": 1}),
    )
    .await;
    ok(&set, json!("操作成功"));
    // Bob still signs in with it; Ann cannot.
    let bob = call(
        &s,
        "/api/UserCenter/Login",
        None,
        json!({"usercount": "13628379881", "password": PASSWORD}),
    )
    .await;
    assert_eq!(bob["status"], 1);
    let (_, login) = s
        .post_json(
            "/api/v1/auth/login",
            json!({"identifier": "ann@example.com", "password": PASSWORD}),
        )
        .await;
    let (_, me) = s.get("/api/v1/me", login["token"].as_str()).await;
    assert!(me["phone"].is_null(), "{me}");
    assert_eq!(me["pending_phone"], "13628379881");
}

#[tokio::test]
async fn clients_outside_the_service_network_are_refused() {
    let compat = CompatSettings {
        allow_from: vec!["10.0.0.0/8".parse().unwrap()],
        ..CompatSettings::all()
    };
    let s = server_with_compat(settings(), &compat).await;
    let req = Request::builder()
        .method("POST")
        .uri("/api/UserCenter/Login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"usercount": "ann@example.com", "password": PASSWORD, "source_type": 1})
                .to_string(),
        ))
        .unwrap();
    let (status, _, _) = s.send(req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (users,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(&s.db.sql)
        .await
        .unwrap();
    assert_eq!(users, 0);
}

#[tokio::test]
async fn coin_ids_are_aliases_with_the_setting_as_override() {
    let mut compat = CompatSettings::all();
    // `1` is CNY's alias in the database; the setting overrides it.
    compat.ukex.coins = crate::compat::ukex::coins::parse("1=USDT").unwrap();
    let s = server_with_compat(settings(), &compat).await;
    let (token, uid) = account(&s, "ann@example.com", 1).await;
    let add = |coin: Value, amount: &'static str| {
        let s = &s;
        let token = token.clone();
        async move {
            call(
                s,
                "/api/Balance/AddBalance",
                Some(&token),
                json!({"coinId": coin, "quantityNum": amount}),
            )
            .await
        }
    };
    failed(&add(json!("99"), "1").await, "充值失败", "未知的 coinId 99");
    ok(&add(json!(1), "0.000001").await, json!("充值成功"));
    // An alias an operator adds works at once; codes work too.
    s.uc.edit_currency(
        domain::wallet::CurrencyAdmin::CommandLine,
        "POINTS",
        &shared::currency::CurrencyEdit {
            aliases: Some(vec!["integral".into(), "99".into()]),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    ok(&add(json!("99"), "12").await, json!("充值成功"));
    ok(&add(json!("BTC"), "0.5").await, json!("充值成功"));
    ok(&add(json!(2), "1").await, json!("充值成功"));
    let balances = s.uc.balances(uid.parse().unwrap()).await.unwrap();
    let of = |code: &str| {
        balances
            .iter()
            .find(|b| b.currency == code)
            .unwrap()
            .available
            .clone()
    };
    assert_eq!(of("USDT"), "1.000001");
    assert_eq!(of("CNY"), "0.00");
    assert_eq!(of("POINTS"), "12");
    assert_eq!(of("BTC"), "0.50000000");
}
