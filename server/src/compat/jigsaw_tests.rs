//! Conformance of the jigsaw facade (seed 000): every trade code with the
//! documented return fields, each failure as `result: FAIL` with its code,
//! the lockout counters, round trips with the REST API, and hostile input.

use super::{CompatSettings, Seed};
use crate::tests::{server_with_compat, settings, Server};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use domain::password_digests::DigestScheme;
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse 1";
/// A PIN that is neither repeated digits nor a run, found early by the
/// inversion (it counts up from 000000).
const PIN: &str = "024680";
const ID_NUMBER: &str = "11010519491231002X";

fn md5md5(text: &str) -> String {
    DigestScheme::DoubleMd5.of(text)
}

async fn jigsaw_server() -> Server {
    let mut domain = settings();
    domain.password_digests = vec![DigestScheme::DoubleMd5];
    let compat = CompatSettings {
        seeds: vec![Seed::Jigsaw],
        ..CompatSettings::default()
    };
    server_with_compat(domain, &compat).await
}

/// Calls a trade with a JSON body; the status and the answer.
async fn trade(s: &Server, code: &str, body: Value) -> (StatusCode, Value) {
    let (status, answer) = s.post_json(&format!("/jigsaw/{code}"), body).await;
    assert_shape(&answer);
    (status, answer)
}

/// A trade that must succeed; its answer.
async fn ok(s: &Server, code: &str, body: Value) -> Value {
    let (status, answer) = trade(s, code, body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["result"], "SUCCESS", "{code}: {answer}");
    answer
}

/// A trade that must fail with `fail_code`; its answer.
async fn fail(s: &Server, code: &str, body: Value, fail_code: &str) -> Value {
    let (status, answer) = trade(s, code, body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["result"], "FAIL", "{code} {body}: {answer}");
    assert_eq!(answer["failCode"], fail_code, "{code} {body}: {answer}");
    answer
}

/// Every answer has `result`; a FAIL has `failReason`; `userNo` is a string
/// of digits and `userStatus` a number wherever they appear.
fn assert_shape(answer: &Value) {
    let result = answer["result"].as_str().unwrap_or_default();
    assert!(result == "SUCCESS" || result == "FAIL", "{answer}");
    if result == "FAIL" {
        assert!(
            answer["failReason"].as_str().is_some_and(|r| !r.is_empty()),
            "{answer}"
        );
    }
    if let Some(no) = answer.get("userNo") {
        let no = no.as_str().unwrap_or_default();
        assert!(
            !no.is_empty() && no.bytes().all(|b| b.is_ascii_digit()),
            "{answer}"
        );
    }
    if let Some(status) = answer.get("userStatus") {
        assert!(status.is_u64(), "{answer}");
    }
}

/// The status number an account has now, through the facade.
async fn status(s: &Server, user_no: &str) -> u64 {
    let info = ok(s, "getUserInfoByUserId", json!({ "userNo": user_no })).await;
    info["userInfo"]["userStatus"].as_u64().unwrap()
}

/// A registered, activated account; its userNo.
async fn activated(s: &Server, mobile: &str) -> String {
    let answer = ok(
        s,
        "register",
        json!({"mobile": mobile, "loginPassword": md5md5(PASSWORD), "payPassword": md5md5(PIN)}),
    )
    .await;
    answer["userNo"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn every_trade_code_answers_its_documented_fields() {
    let s = jigsaw_server().await;

    // 1.1 register (jru-1001), with every documented field.
    let reg = ok(
        &s,
        "register",
        json!({
            "mobile": "13800138000",
            "email": "Ann@Example.com",
            "loginPassword": md5md5(PASSWORD),
            "payPassword": md5md5(PIN),
            "realName": "张三",
            "idCountry": "CN",
            "idType": "mainland_id",
            "idNumber": ID_NUMBER,
        }),
    )
    .await;
    let user_no = reg["userNo"].as_str().unwrap().to_string();
    assert_eq!(reg["userStatus"], 0, "activated at once: {reg}");

    // 2.1 getUserInfoByUserId (jru-2001), by user number and by login id.
    let info = ok(&s, "getUserInfoByUserId", json!({ "userNo": user_no })).await;
    assert_eq!(info["userNo"], user_no);
    let user = &info["userInfo"];
    assert_eq!(user["userNo"], user_no);
    assert_eq!(user["mobile"], "13800138000");
    assert_eq!(user["email"], "ann@example.com");
    assert_eq!(user["realName"], "张三");
    assert_eq!(user["idCountry"], "CN");
    assert_eq!(user["idType"], "mainland_id");
    assert_eq!(user["idNumber"], "1101**********002X", "masked: {user}");
    assert_eq!(user["gender"], "0");
    assert_eq!(user["payPasswordSet"], true);
    assert_eq!(user["userStatus"], 0);
    for login_id in ["ann@example.com", "13800138000", "+86 138 0013 8000"] {
        let by_login = ok(&s, "getUserInfoByUserId", json!({ "loginId": login_id })).await;
        assert_eq!(by_login["userInfo"], info["userInfo"], "{login_id}");
    }
    // A number is as good as a string.
    let by_number = ok(
        &s,
        "getUserInfoByUserId",
        json!({ "userNo": user_no.parse::<i64>().unwrap() }),
    )
    .await;
    assert_eq!(by_number["userInfo"], info["userInfo"]);

    // 2.2 updateUserInfo (jru-2002), with every documented field.
    let updated = ok(
        &s,
        "updateUserInfo",
        json!({"userNo": user_no, "realName": "李四", "gender": "2", "idCountry": "CN",
               "idType": "IDCARD", "idNumber": ID_NUMBER}),
    )
    .await;
    assert_eq!(updated["userNo"], user_no);
    assert_eq!(updated["userStatus"], 0);
    let info = ok(&s, "getUserInfoByUserId", json!({ "userNo": user_no })).await;
    assert_eq!(info["userInfo"]["realName"], "李四");
    assert_eq!(info["userInfo"]["gender"], "2");

    // 3.1 authLoginPwd (jru-3001).
    let auth = ok(
        &s,
        "authLoginPwd",
        json!({"loginId": "13800138000", "loginPassword": md5md5(PASSWORD)}),
    )
    .await;
    assert_eq!(auth["userNo"], user_no);
    assert_eq!(auth["userInfo"]["userNo"], user_no);
    let (sessions,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL")
            .fetch_one(&s.db.sql)
            .await
            .unwrap();
    assert_eq!(sessions, 0, "an authentication leaves no session open");

    // 3.3 sendSmsCode, then 3.1 with the code.
    let sent = ok(
        &s,
        "sendSmsCode",
        json!({"purpose": "authLoginPwd", "userNo": user_no}),
    )
    .await;
    assert_eq!(sent["codeId"], "authLoginPwd:13800138000");
    assert!(sent["sentTo"].as_str().unwrap().contains('*'), "{sent}");
    assert!(sent["expiresIn"].as_i64().unwrap() > 0);
    let code = s.last_code_to("13800138000").await;
    ok(
        &s,
        "authLoginPwd",
        json!({"loginId": "ann@example.com", "loginPassword": md5md5(PASSWORD),
               "codeId": sent["codeId"], "code": code}),
    )
    .await;

    // 3.2 authPayPwd: the digest, and the six digits.
    let paid = ok(
        &s,
        "authPayPwd",
        json!({"userNo": user_no, "payPassword": md5md5(PIN)}),
    )
    .await;
    assert_eq!(paid["userNo"], user_no);
    ok(
        &s,
        "authPayPwd",
        json!({"loginId": "13800138000", "payPassword": PIN}),
    )
    .await;

    // 1.2 userActivation (jru-1002): a pre-opened account (no payment password).
    let bare = ok(
        &s,
        "register",
        json!({"mobile": "13900139000", "loginPassword": md5md5(PASSWORD)}),
    )
    .await;
    let bare_no = bare["userNo"].as_str().unwrap().to_string();
    assert_eq!(bare["userStatus"], 1, "pre-opened: {bare}");
    let sent = ok(
        &s,
        "sendSmsCode",
        json!({"purpose": "userActivation", "loginId": "13900139000"}),
    )
    .await;
    let code = s.last_code_to("13900139000").await;
    let active = ok(
        &s,
        "userActivation",
        json!({"userNo": bare_no, "payPassword": md5md5(PIN), "codeId": sent["codeId"], "code": code}),
    )
    .await;
    assert_eq!(active["userNo"], bare_no);
    assert_eq!(active["userStatus"], 0);

    // 4.1 closeUser (the document numbers it jru-1002 too).
    let closed = ok(
        &s,
        "closeUser",
        json!({"userNo": bare_no, "reason": "客户申请", "operator": "teller 0012",
               "authorizer": "supervisor 7"}),
    )
    .await;
    assert_eq!(closed["userNo"], bare_no);
    assert_eq!(closed["userStatus"], 3);
    let (app, details): (Option<String>, String) = sqlx::query_as(
        "SELECT actor_app, details FROM audit_log WHERE action = 'account_closed' AND target_id = $1",
    )
    .bind(bare_no.parse::<i64>().unwrap())
    .fetch_one(&s.db.sql)
    .await
    .unwrap();
    assert_eq!(app.as_deref(), Some("jigsaw"));
    let details: Value = serde_json::from_str(&details).unwrap();
    assert_eq!(
        details,
        json!({"reason": "客户申请", "operator": "teller 0012", "authorised_by": "supervisor 7"})
    );
}

#[tokio::test]
async fn status_numbers_follow_the_account_and_its_review() {
    let s = jigsaw_server().await;
    let no = activated(&s, "13800138000").await;
    assert_eq!(status(&s, &no).await, 0);
    let id: i64 = no.parse().unwrap();
    let purpose = shared::privacy::ConsentPurpose::IdentityDocuments;
    let client = domain::ClientInfo::default();
    s.uc.give_consent(id, purpose, purpose.current_version(), &client)
        .await
        .unwrap();
    s.uc.submit_real_name(id, "张三", ID_NUMBER).await.unwrap();
    assert_eq!(status(&s, &no).await, 4, "review pending");
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
    s.uc.reject_verification(
        staff.id,
        id,
        shared::profile::VerificationKind::RealName,
        "blurred",
    )
    .await
    .unwrap();
    assert_eq!(status(&s, &no).await, 5, "review rejected");
    s.uc.set_frozen(staff.id, id, true).await.unwrap();
    assert_eq!(status(&s, &no).await, 2, "frozen");
    s.uc.set_frozen(staff.id, id, false).await.unwrap();
    ok(&s, "closeUser", json!({ "userNo": no })).await;
    assert_eq!(status(&s, &no).await, 3, "closed");
}

#[tokio::test]
async fn each_refusal_is_a_fail_with_its_code() {
    let s = jigsaw_server().await;
    let no = activated(&s, "13800138000").await;
    let bare = ok(
        &s,
        "register",
        json!({"email": "bare@example.com", "loginPassword": md5md5(PASSWORD)}),
    )
    .await;
    let bare_no = bare["userNo"].as_str().unwrap().to_string();
    let login = md5md5(PASSWORD);
    let cases: Vec<(&str, Value, &str)> = vec![
        ("register", json!({"mobile": "13700137000"}), "REQUIRED"),
        (
            "register",
            json!({"mobile": "13700137000", "loginPassword": PASSWORD}),
            "INVALID_INPUT",
        ),
        (
            "register",
            json!({"loginPassword": login}),
            "CONTACT_REQUIRED",
        ),
        (
            "register",
            json!({"mobile": "1370013700", "loginPassword": login}),
            "INVALID_PHONE",
        ),
        (
            "register",
            json!({"email": "not an email", "loginPassword": login}),
            "INVALID_EMAIL",
        ),
        (
            "register",
            json!({"mobile": "138 0013 8000", "loginPassword": login}),
            "PHONE_TAKEN",
        ),
        (
            "register",
            json!({"mobile": "13700137000", "loginPassword": login, "payPassword": md5md5(PASSWORD)}),
            "PIN_SAME_AS_PASSWORD",
        ),
        (
            "register",
            json!({"mobile": "13700137000", "loginPassword": login, "payPassword": md5md5("123456")}),
            "WEAK_PIN",
        ),
        (
            "register",
            json!({"mobile": "13700137000", "loginPassword": login, "payPassword": "12345"}),
            "INVALID_PIN",
        ),
        (
            "register",
            json!({"mobile": "13700137000", "loginPassword": login, "idNumber": "110105194912310021"}),
            "INVALID_ID_NUMBER",
        ),
        (
            "register",
            json!({"mobile": "13700137000", "loginPassword": login, "idCountry": "ZZ"}),
            "INVALID_COUNTRY",
        ),
        (
            "register",
            json!({"mobile": "13700137000", "loginPassword": login, "idType": "licence"}),
            "INVALID_INPUT",
        ),
        (
            "register",
            json!({"mobile": "13700137000", "loginPassword": login, "code": "123456"}),
            "CODE_INCORRECT",
        ),
        (
            "register",
            json!({"mobile": "13700137000", "loginPassword": login, "code": "123456", "codeId": "register:13600136000"}),
            "INVALID_INPUT",
        ),
        (
            "register",
            json!({"mobile": ["13700137000"], "loginPassword": login}),
            "INVALID_INPUT",
        ),
        (
            "userActivation",
            json!({"userNo": no, "payPassword": md5md5("135790")}),
            "PIN_ALREADY_SET",
        ),
        ("userActivation", json!({"userNo": bare_no}), "REQUIRED"),
        (
            "userActivation",
            json!({"userNo": bare_no, "payPassword": md5md5("111111")}),
            "WEAK_PIN",
        ),
        (
            "userActivation",
            json!({"userNo": bare_no, "payPassword": PIN, "code": "123456"}),
            "CODE_INCORRECT",
        ),
        (
            "userActivation",
            json!({"userNo": bare_no, "payPassword": PIN, "code": "123456", "codeId": "userActivation:13800138000"}),
            "CONTACT_NOT_BOUND",
        ),
        (
            "userActivation",
            json!({"loginId": "bare@example.com", "payPassword": PIN, "code": "123456", "codeId": "userActivation:bare@example.com"}),
            "CODE_INCORRECT",
        ),
        ("getUserInfoByUserId", json!({}), "REQUIRED"),
        (
            "getUserInfoByUserId",
            json!({"userNo": "99999"}),
            "NOT_FOUND",
        ),
        (
            "getUserInfoByUserId",
            json!({"loginId": "nobody@example.com"}),
            "NOT_FOUND",
        ),
        (
            "getUserInfoByUserId",
            json!({"userNo": "abc"}),
            "INVALID_INPUT",
        ),
        (
            "getUserInfoByUserId",
            json!({"loginId": "!!"}),
            "INVALID_IDENTIFIER",
        ),
        (
            "getUserInfoByUserId",
            json!({"userNo": no, "loginId": "bare@example.com"}),
            "INVALID_INPUT",
        ),
        (
            "updateUserInfo",
            json!({"userNo": no, "gender": "x"}),
            "INVALID_INPUT",
        ),
        (
            "updateUserInfo",
            json!({"userNo": no, "idCountry": "ZZ"}),
            "INVALID_COUNTRY",
        ),
        (
            "updateUserInfo",
            json!({"userNo": no, "realName": "x".repeat(65)}),
            "INVALID_REAL_NAME",
        ),
        (
            "updateUserInfo",
            json!({"userNo": no, "gender": "1", "idNumber": ID_NUMBER}),
            "ID_GENDER_MISMATCH",
        ),
        ("authLoginPwd", json!({"loginPassword": login}), "REQUIRED"),
        (
            "authLoginPwd",
            json!({"loginId": "13800138000"}),
            "REQUIRED",
        ),
        (
            "authLoginPwd",
            json!({"loginId": "13800138000", "loginPassword": "zz"}),
            "INVALID_INPUT",
        ),
        (
            "authLoginPwd",
            json!({"loginId": "13800138000", "loginPassword": login, "code": "123456"}),
            "CODE_INCORRECT",
        ),
        (
            "authLoginPwd",
            json!({"loginId": "13800138000", "loginPassword": login, "code": "123456", "codeId": "authLoginPwd:bare@example.com"}),
            "CONTACT_NOT_BOUND",
        ),
        (
            "authLoginPwd",
            json!({"loginId": "13800138000", "loginPassword": login, "code": "123456", "codeId": "register:13800138000"}),
            "INVALID_INPUT",
        ),
        (
            "authPayPwd",
            json!({"userNo": bare_no, "payPassword": PIN}),
            "PIN_NOT_SET",
        ),
        ("authPayPwd", json!({"userNo": no}), "REQUIRED"),
        (
            "authPayPwd",
            json!({"userNo": no, "payPassword": "12345"}),
            "INVALID_PIN",
        ),
        ("sendSmsCode", json!({"userNo": no}), "REQUIRED"),
        (
            "sendSmsCode",
            json!({"purpose": "withdraw", "userNo": no}),
            "INVALID_INPUT",
        ),
        ("sendSmsCode", json!({"purpose": "register"}), "REQUIRED"),
        (
            "sendSmsCode",
            json!({"purpose": "register", "mobile": "13700137000"}),
            "CAPTCHA_REQUIRED",
        ),
        (
            "sendSmsCode",
            json!({"purpose": "authLoginPwd"}),
            "REQUIRED",
        ),
        (
            "sendSmsCode",
            json!({"purpose": "authLoginPwd", "userNo": no, "mobile": "13700137000"}),
            "CONTACT_NOT_BOUND",
        ),
        (
            "sendSmsCode",
            json!({"purpose": "userActivation", "userNo": bare_no, "mobile": "13800138000"}),
            "CONTACT_NOT_BOUND",
        ),
        ("closeUser", json!({}), "REQUIRED"),
        (
            "closeUser",
            json!({"userNo": no, "reason": "x".repeat(201)}),
            "INVALID_REASON",
        ),
        (
            "closeUser",
            json!({"userNo": no, "operator": "x".repeat(65)}),
            "INVALID_INPUT",
        ),
    ];
    for (code, body, fail_code) in cases {
        fail(&s, code, body, fail_code).await;
    }
    // A FAIL about a named user names it.
    let answer = fail(
        &s,
        "authPayPwd",
        json!({"userNo": bare_no, "payPassword": PIN}),
        "PIN_NOT_SET",
    )
    .await;
    assert_eq!(answer["userNo"], bare_no);
    // Nothing above created an account.
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(&s.db.sql)
        .await
        .unwrap();
    assert_eq!(n, 2);
}

#[tokio::test]
async fn login_failures_answer_the_lockout_counters() {
    let s = jigsaw_server().await;
    activated(&s, "13800138000").await;
    let attempt = |id: &str, pw: &str| json!({"loginId": id, "loginPassword": md5md5(pw)});
    let wrong = fail(
        &s,
        "authLoginPwd",
        attempt("13800138000", "wrong password"),
        "INVALID_CREDENTIALS",
    )
    .await;
    assert_eq!(wrong["consecutiveErrors"], 1);
    assert_eq!(wrong["remainingConsecutive"], 4);
    assert_eq!(wrong["cumulativeErrors"], 1);
    assert_eq!(wrong["remainingCumulative"], 19);
    assert!(
        wrong.get("userNo").is_none(),
        "no account is named: {wrong}"
    );
    // An unknown account is answered alike.
    let unknown = fail(
        &s,
        "authLoginPwd",
        attempt("13900139000", "wrong password"),
        "INVALID_CREDENTIALS",
    )
    .await;
    assert_eq!(unknown, wrong);
    for n in 2..=4 {
        let again = fail(
            &s,
            "authLoginPwd",
            attempt("13800138000", "wrong password"),
            "INVALID_CREDENTIALS",
        )
        .await;
        assert_eq!(again["consecutiveErrors"], n);
        assert_eq!(again["remainingConsecutive"], 5 - n);
    }
    let locked = fail(
        &s,
        "authLoginPwd",
        attempt("13800138000", "wrong password"),
        "ACCOUNT_LOCKED",
    )
    .await;
    assert_eq!(locked["remainingConsecutive"], 0);
    assert!(locked["lockedUntil"].as_i64().unwrap() > domain::clock::now());
    assert!(locked["retryAfter"].as_i64().unwrap() > 0);
    // Locked: the right password too.
    fail(
        &s,
        "authLoginPwd",
        attempt("13800138000", PASSWORD),
        "ACCOUNT_LOCKED",
    )
    .await;
}

#[tokio::test]
async fn pay_password_failures_count_against_the_pin_limiter() {
    let s = jigsaw_server().await;
    let no = activated(&s, "13800138000").await;
    let attempt = |pin: String| json!({"userNo": no, "payPassword": pin});
    let wrong = fail(&s, "authPayPwd", attempt(md5md5("024681")), "PIN_INCORRECT").await;
    assert_eq!(wrong["userNo"], no);
    assert_eq!(wrong["consecutiveErrors"], 1);
    assert_eq!(wrong["remainingConsecutive"], 4);
    // Plain digits count in the same limiter.
    let wrong = fail(&s, "authPayPwd", attempt("024682".into()), "PIN_INCORRECT").await;
    assert_eq!(wrong["remainingConsecutive"], 3);
    // The right one resets the run.
    ok(&s, "authPayPwd", attempt(md5md5(PIN))).await;
    for left in (1..=4).rev() {
        let wrong = fail(&s, "authPayPwd", attempt(md5md5("024683")), "PIN_INCORRECT").await;
        assert_eq!(wrong["remainingConsecutive"], left);
    }
    let locked = fail(&s, "authPayPwd", attempt(md5md5("024683")), "PIN_LOCKED").await;
    assert!(locked["retryAfter"].as_i64().unwrap() > 0);
    fail(&s, "authPayPwd", attempt(md5md5(PIN)), "PIN_LOCKED").await;
    // The web wallet sees the same lock.
    let status = s.uc.pin_status(no.parse().unwrap()).await.unwrap();
    assert!(status.locked);
}

#[tokio::test]
async fn registered_through_jigsaw_signs_in_on_the_web_with_the_same_secrets() {
    let s = jigsaw_server().await;
    let reg = ok(
        &s,
        "register",
        json!({"email": "ann@example.com", "loginPassword": md5md5(PASSWORD), "payPassword": PIN}),
    )
    .await;
    let (status, web) = s
        .post_json(
            "/api/v1/auth/login",
            json!({"identifier": "ann@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{web}");
    assert_eq!(
        web["user"]["id"].to_string(),
        reg["userNo"].as_str().unwrap()
    );
    // The payment PIN is the product's own six digits.
    let token = web["token"].as_str().unwrap();
    let (status, pin) = s.get("/api/v1/wallet/pin", Some(token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(pin["set"], true);
    let (status, body) = s
        .post_as(
            token,
            "/api/v1/wallet/pin/change",
            json!({"old_pin": PIN, "new_pin": "135790"}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    ok(
        &s,
        "authPayPwd",
        json!({"loginId": "ann@example.com", "payPassword": md5md5("135790")}),
    )
    .await;
}

#[tokio::test]
async fn registered_on_the_web_authenticates_through_jigsaw() {
    let s = jigsaw_server().await;
    let (status, web) = s
        .post_json(
            "/api/v1/auth/register",
            json!({"phone": "13800138000", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{web}");
    let auth = ok(
        &s,
        "authLoginPwd",
        json!({"loginId": "13800138000", "loginPassword": md5md5(PASSWORD)}),
    )
    .await;
    assert_eq!(auth["userNo"], web["user"]["id"].to_string());
    // No PIN yet, but a normal account (it was never pre-opened);
    // userActivation still sets its first PIN, which the web then has.
    assert_eq!(auth["userInfo"]["userStatus"], 0);
    assert_eq!(auth["userInfo"]["payPasswordSet"], false);
    ok(
        &s,
        "userActivation",
        json!({"loginId": "13800138000", "payPassword": md5md5(PIN)}),
    )
    .await;
    let token = web["token"].as_str().unwrap();
    let (status, pin) = s.get("/api/v1/wallet/pin", Some(token)).await;
    assert_eq!((status, pin["set"].clone()), (StatusCode::OK, json!(true)));
}

#[tokio::test]
async fn closing_needs_empty_balances() {
    let s = jigsaw_server().await;
    let no = activated(&s, "13800138000").await;
    let staff = s.staff().await;
    s.deposit(&staff, no.parse().unwrap(), "10", "top-up-1")
        .await;
    let refused = fail(&s, "closeUser", json!({ "userNo": no }), "BALANCE_NOT_ZERO").await;
    assert_eq!(refused["userNo"], no);
    assert_eq!(status(&s, &no).await, 0);
}

#[tokio::test]
async fn calls_are_read_as_forms_too_and_transport_errors_keep_their_status() {
    let s = jigsaw_server().await;
    let form = format!(
        "mobile=13800138000&loginPassword={}&payPassword={}",
        md5md5(PASSWORD),
        PIN
    );
    let (status, answer) = s
        .json(
            "POST",
            "/jigsaw/register",
            Body::from(form),
            "application/x-www-form-urlencoded",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["result"], "SUCCESS", "{answer}");
    assert_eq!(answer["userStatus"], 0);

    let (status, answer) = s.post_json("/jigsaw/deleteEverything", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["failCode"], "UNKNOWN_TRADE_CODE");
    assert!(answer["failReason"].as_str().unwrap().contains("closeUser"));
    // The interface number is not a trade code.
    let (status, _) = s.post_json("/jigsaw/jru-1001", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for body in ["{oops", "[1]", "\"register\""] {
        let (status, answer) = s
            .json(
                "POST",
                "/jigsaw/register",
                Body::from(body),
                "application/json",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer["result"], "FAIL");
        assert_eq!(answer["failCode"], "INVALID_INPUT");
    }
    let (status, _, _) = s
        .send(
            Request::builder()
                .uri("/jigsaw/register")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn only_the_service_network_is_answered() {
    let mut domain = settings();
    domain.password_digests = vec![DigestScheme::DoubleMd5];
    // Every facade on, the service network elsewhere than the caller.
    let compat = CompatSettings {
        allow_from: vec!["10.0.0.0/8".parse().unwrap()],
        ..CompatSettings::all()
    };
    let s = server_with_compat(domain, &compat).await;
    let (status, _, body) = s
        .send(
            Request::builder()
                .method("POST")
                .uri("/jigsaw/register")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    json!({"mobile": "13800138000", "loginPassword": md5md5(PASSWORD)}).to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(String::from_utf8_lossy(&body).contains("UC_COMPAT_ALLOW_FROM"));
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(&s.db.sql)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn one_account_never_acts_for_another() {
    let s = jigsaw_server().await;
    let alice = activated(&s, "13800138000").await;
    let bob = activated(&s, "13900139000").await;
    // Bob's own login code does not pass as Alice's second factor.
    ok(
        &s,
        "sendSmsCode",
        json!({"purpose": "authLoginPwd", "userNo": bob}),
    )
    .await;
    let bobs_code = s.last_code_to("13900139000").await;
    fail(
        &s,
        "authLoginPwd",
        json!({"loginId": "13800138000", "loginPassword": md5md5(PASSWORD),
               "codeId": "authLoginPwd:13900139000", "code": bobs_code}),
        "CONTACT_NOT_BOUND",
    )
    .await;
    // userNo and loginId naming two accounts are refused, not resolved either way.
    fail(
        &s,
        "authPayPwd",
        json!({"userNo": alice, "loginId": "13900139000", "payPassword": PIN}),
        "INVALID_INPUT",
    )
    .await;
    fail(
        &s,
        "closeUser",
        json!({"userNo": bob, "loginId": "13800138000"}),
        "INVALID_INPUT",
    )
    .await;
    assert_eq!(status(&s, &alice).await, 0);
    assert_eq!(status(&s, &bob).await, 0);
    // An activation code of one account does not activate another.
    let carol = ok(
        &s,
        "register",
        json!({"mobile": "13700137000", "loginPassword": md5md5(PASSWORD)}),
    )
    .await["userNo"]
        .as_str()
        .unwrap()
        .to_string();
    fail(
        &s,
        "userActivation",
        json!({"userNo": carol, "payPassword": PIN, "codeId": "userActivation:13900139000", "code": "123456"}),
        "CONTACT_NOT_BOUND",
    )
    .await;
}

#[tokio::test]
async fn register_without_a_payment_password_pre_opens_until_user_activation() {
    let s = jigsaw_server().await;
    let reg = ok(
        &s,
        "register",
        json!({"mobile": "13800138000", "loginPassword": md5md5(PASSWORD)}),
    )
    .await;
    let no = reg["userNo"].as_str().unwrap().to_string();
    let id: i64 = no.parse().unwrap();
    assert_eq!(reg["userStatus"], 1);
    assert_eq!(
        s.uc.profile(id).await.unwrap().account_state,
        shared::profile::AccountState::PreOpened
    );
    // The password is right, but the account cannot be used yet.
    fail(
        &s,
        "authLoginPwd",
        json!({"loginId": "13800138000", "loginPassword": md5md5(PASSWORD)}),
        "ACCOUNT_NOT_ACTIVATED",
    )
    .await;
    let (status, web) = s
        .post_json(
            "/api/v1/auth/login",
            json!({"identifier": "13800138000", "password": PASSWORD}),
        )
        .await;
    assert_eq!(web["code"], "ACCOUNT_NOT_ACTIVATED", "{status}");
    // Money reaches it meanwhile.
    s.uc.deposit(
        domain::wallet::Movement {
            user_id: id,
            currency: "CNY",
            amount: "8.00",
            memo: "",
            request_id: "jigsaw-pre-open-1",
        },
        &domain::wallet::Actor::Service("tests".into()),
    )
    .await
    .unwrap();
    // The code for userActivation is an activation code; a wrong one fails.
    let sent = ok(
        &s,
        "sendSmsCode",
        json!({"purpose": "userActivation", "userNo": no}),
    )
    .await;
    let code = s.last_code_to("13800138000").await;
    let wrong = if code == "135791" { "135792" } else { "135791" };
    fail(
        &s,
        "userActivation",
        json!({"userNo": no, "payPassword": md5md5(PIN), "codeId": sent["codeId"], "code": wrong}),
        "CODE_INCORRECT",
    )
    .await;
    let active = ok(
        &s,
        "userActivation",
        json!({"userNo": no, "payPassword": md5md5(PIN), "codeId": sent["codeId"], "code": code}),
    )
    .await;
    assert_eq!(active["userStatus"], 0);
    let auth = ok(
        &s,
        "authLoginPwd",
        json!({"loginId": "13800138000", "loginPassword": md5md5(PASSWORD)}),
    )
    .await;
    assert_eq!(auth["userInfo"]["payPasswordSet"], true);
    assert!(s.uc.profile(id).await.unwrap().phone_verified);

    // An account staff opened has no password: userActivation needs one.
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
    let opened =
        s.uc.open_account(
            domain::activation::Opener::Staff(staff.id.into()),
            &domain::activation::Opening {
                phone: "13900139000",
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let other = opened.user.id.to_string();
    fail(
        &s,
        "userActivation",
        json!({"userNo": other, "payPassword": md5md5(PIN)}),
        "REQUIRED",
    )
    .await;
    ok(
        &s,
        "userActivation",
        json!({"userNo": other, "payPassword": md5md5(PIN), "loginPassword": md5md5(PASSWORD)}),
    )
    .await;
    ok(
        &s,
        "authLoginPwd",
        json!({"loginId": "13900139000", "loginPassword": md5md5(PASSWORD)}),
    )
    .await;
}
