//! Pre-opened accounts over HTTP: the REST activation, the service API's
//! opening, activation, lookup and PIN check with their scopes, the
//! console's server functions, and sign-up with the optional profile.

use crate::edge_tests::form;
use crate::service_tests::{App, Tamper};
use crate::tests::{server, Server, SITE_ORIGIN};
use axum::http::StatusCode;
use domain::activation::{Opener, Opening};
use domain::admin::Role;
use domain::service_apps::Scope;
use serde_json::{json, Value};
use shared::profile::AccountState;
use std::sync::atomic::{AtomicU64, Ordering};

const PASSWORD: &str = "correct horse battery";
const NEW_PASSWORD: &str = "my own password 42";
const PIN: &str = "024681";

static NEXT_TX: AtomicU64 = AtomicU64::new(1);

/// A transaction id no other call of this process uses.
fn tx() -> String {
    format!("act-{}", NEXT_TX.fetch_add(1, Ordering::Relaxed))
}

impl Server {
    async fn signed_call(
        &self,
        app: &App,
        method: &str,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        self.signed(app, method, path, body, &tx(), Tamper::default())
            .await
    }

    async fn staff_id(&self) -> i64 {
        self.uc
            .create_admin("staff@example.com", "", "", PASSWORD, Role::Staff)
            .await
            .unwrap()
            .id
    }

    async fn sign_in(&self, identifier: &str, password: &str) -> (StatusCode, Value) {
        self.post_json(
            "/api/v1/auth/login",
            json!({"identifier": identifier, "password": password}),
        )
        .await
    }
}

fn activation(contact: &str, code: &str) -> Value {
    json!({"contact": contact, "code": code, "password": NEW_PASSWORD, "pin": PIN})
}

#[tokio::test]
async fn an_account_staff_opened_is_activated_over_rest_then_signs_in() {
    let s = server().await;
    let staff = s.staff_id().await;
    let opened =
        s.uc.open_account(
            Opener::Staff(staff.into()),
            &Opening {
                email: "ann@example.com",
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(opened.user.account_state, AccountState::PreOpened);
    let code = s.last_code_to("ann@example.com").await;

    // Not yet: nothing signs in.
    let (status, body) = s.sign_in("ann@example.com", NEW_PASSWORD).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("INVALID_CREDENTIALS"))
    );
    // Form errors name their field and spend nothing.
    let mut weak = activation("ann@example.com", &code);
    weak["pin"] = json!("123456");
    let (status, body) = s.post_json("/api/v1/auth/activate", weak).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        (body["code"].as_str(), body["field"].as_str()),
        (Some("WEAK_PIN"), Some("pin"))
    );
    let (status, body) = s
        .post_json(
            "/api/v1/auth/activate",
            activation("ann@example.com", "000000"),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("CODE_INCORRECT"))
    );

    let (status, body) = s
        .post_json(
            "/api/v1/auth/activate",
            activation("ann@example.com", &code),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = s
        .post_json(
            "/api/v1/auth/activate",
            activation("ann@example.com", &code),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("ACCOUNT_ALREADY_ACTIVE"))
    );
    let (status, auth) = s.sign_in("ann@example.com", NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{auth}");
    assert_eq!(auth["user"]["account_state"], "active");
    assert_eq!(auth["user"]["email_verified"], true);
    let token = auth["token"].as_str().unwrap();
    let (_, pin) = s.get("/api/v1/wallet/pin", Some(token)).await;
    assert_eq!(pin["set"], true);
}

#[tokio::test]
async fn nobody_activates_an_account_they_do_not_hold_the_code_of() {
    let s = server().await;
    let staff = s.staff_id().await;
    s.uc.open_account(
        Opener::Staff(staff.into()),
        &Opening {
            phone: "13800138000",
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let victim_code = s.last_code_to("13800138000").await;
    // Mallory, signed in with her own account, asks for an activation code
    // for the victim's phone: it goes to the phone, not to her.
    let (status, reg) = s.register("mallory@example.com").await;
    assert_eq!(status, StatusCode::CREATED);
    let token = reg["token"].as_str().unwrap();
    let (key, answer) = s.solved_captcha().await;
    let (status, _) = s
        .json(
            "POST",
            "/api/v1/codes/send",
            json!({"contact": "13800138000", "purpose": "activation",
                   "captcha_key": key, "captcha_answer": answer})
            .to_string()
            .into(),
            "application/json",
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(s.messages("mallory@example.com").is_empty());
    // Her request replaced the code with a new one she never saw either:
    // a guess and the replaced code are both just wrong.
    let fresh = s.last_code_to("13800138000").await;
    for guess in ["111111", victim_code.as_str()] {
        if guess == fresh {
            continue;
        }
        let (status, body) = s
            .post_json("/api/v1/auth/activate", activation("13800138000", guess))
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("CODE_INCORRECT"))
        );
    }
    // A service API path is no way in for a user's token either.
    let (status, body) = s
        .json(
            "POST",
            "/api/v1/service/users/1/activate",
            json!({"pin": PIN, "password": NEW_PASSWORD})
                .to_string()
                .into(),
            "application/json",
            Some(token),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("SIGNATURE_MISSING"))
    );
    // Nor is the console's server function for anyone but staff.
    let cookie = format!("uc_token={token}");
    let (status, _, body) = s
        .send_exact(form(
            "/api/fn/admin_open_account",
            "email=new%40example.com",
            &[("cookie", &cookie), ("origin", SITE_ORIGIN)],
        ))
        .await;
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("FORBIDDEN")),
        "{body}"
    );
    assert!(s.messages("new@example.com").is_empty());
}

#[tokio::test]
async fn staff_open_and_resend_through_the_console_functions() {
    let s = server().await;
    let staff = s.staff_id().await;
    let (status, auth) = s.sign_in("staff@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    let cookie = format!("uc_token={}", auth["token"].as_str().unwrap());
    let (status, _, body) = s
        .send_exact(form(
            "/api/fn/admin_open_account",
            "email=Bob%40example.com&display_name=Bob&lang=zh-CN",
            &[("cookie", &cookie), ("origin", SITE_ORIGIN)],
        ))
        .await;
    let opened: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, StatusCode::OK, "{opened}");
    assert_eq!(opened["user"]["account_state"], "pre_opened");
    assert_eq!(opened["activation"]["sent_to"], "b***@example.com");
    assert_eq!(s.messages("bob@example.com").len(), 1);
    let id = opened["user"]["id"].as_i64().unwrap();
    let (status, _, body) = s
        .send_exact(form(
            "/api/fn/admin_resend_activation",
            &format!("user_id={id}"),
            &[("cookie", &cookie), ("origin", SITE_ORIGIN)],
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(s.messages("bob@example.com").len(), 2);
    // The staff search finds it by its exact email.
    let page =
        s.uc.search_users(
            staff,
            &shared::admin::UserSearch {
                q: "BOB@example.com".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(page.users[0].exact && page.users[0].account_state == AccountState::PreOpened);
}

#[tokio::test]
async fn services_open_look_up_activate_and_check_pins_within_their_scopes() {
    let s = server().await;
    let reader = s.app(&[Scope::UsersRead]).await;
    let writer = s.app(&[Scope::UsersWrite]).await;
    let wallet = s.app(&[Scope::WalletWrite]).await;
    let open = json!({"phone": "+86 139 0013 9000", "display_name": "Carol"});

    let (status, body) = s
        .signed_call(
            &reader,
            "POST",
            "/api/v1/service/users/pre-open",
            open.clone(),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("SCOPE_MISSING"))
    );
    let (status, opened) = s
        .signed_call(
            &writer,
            "POST",
            "/api/v1/service/users/pre-open",
            open.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{opened}");
    assert_eq!(opened["user"]["account_state"], "pre_opened");
    assert_eq!(opened["activation"]["delivered"], true);
    let carol = opened["user"]["id"].as_i64().unwrap();
    assert!(!s.messages("13900139000").is_empty());
    let (status, body) = s
        .signed_call(&writer, "POST", "/api/v1/service/users/pre-open", open)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("PHONE_TAKEN"))
    );

    // Lookup by exact identifier, however written.
    let lookup = |q: &str| format!("/api/v1/service/users/lookup?identifier={q}");
    let (status, found) = s
        .signed_call(
            &reader,
            "GET",
            &lookup("%2B86%20139-0013-9000"),
            Value::Null,
        )
        .await;
    assert_eq!(
        (status, found["id"].as_i64()),
        (StatusCode::OK, Some(carol))
    );
    let (status, body) = s
        .signed_call(&reader, "GET", &lookup("13900139001"), Value::Null)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("NOT_FOUND")),
        "no near misses"
    );
    let (status, body) = s
        .signed_call(&reader, "GET", &lookup("!!"), Value::Null)
        .await;
    assert_eq!(body["code"], "INVALID_IDENTIFIER", "{status}");
    let (status, body) = s
        .signed_call(&reader, "GET", "/api/v1/service/users/lookup", Value::Null)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("REQUIRED"))
    );
    let (status, body) = s
        .signed_call(&wallet, "GET", &lookup("13900139000"), Value::Null)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("SCOPE_MISSING"))
    );

    // Activation by the service: the password is required (none is known).
    let path = format!("/api/v1/service/users/{carol}/activate");
    let (status, body) = s
        .signed_call(&writer, "POST", &path, json!({"pin": PIN}))
        .await;
    assert_eq!(
        (status, body["code"].as_str(), body["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("REQUIRED"), Some("password"))
    );
    let (status, body) = s
        .signed_call(
            &reader,
            "POST",
            &path,
            json!({"pin": PIN, "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(body["code"], "SCOPE_MISSING", "{status}");
    let (status, user) = s
        .signed_call(
            &writer,
            "POST",
            &path,
            json!({"pin": PIN, "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(user["account_state"], "active");
    let (status, body) = s
        .signed_call(
            &writer,
            "POST",
            &path,
            json!({"pin": PIN, "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("ACCOUNT_ALREADY_ACTIVE"))
    );
    let (status, _) = s.sign_in("13900139000", NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::OK);

    // The PIN check: its own scope, and the wallet's limiter.
    let verify = |pin: &str| json!({"user_id": carol, "pin": pin});
    let (status, body) = s
        .signed_call(
            &writer,
            "POST",
            "/api/v1/service/wallet/verify-pin",
            verify(PIN),
        )
        .await;
    assert_eq!(body["code"], "SCOPE_MISSING", "{status}");
    let (status, body) = s
        .signed_call(
            &wallet,
            "POST",
            "/api/v1/service/wallet/verify-pin",
            verify(PIN),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"user_id": carol, "verified": true}));
    let (status, body) = s
        .signed_call(
            &wallet,
            "POST",
            "/api/v1/service/wallet/verify-pin",
            verify("12345"),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("INVALID_PIN")),
        "not counted"
    );
    for left in (1..5).rev() {
        let (status, body) = s
            .signed_call(
                &wallet,
                "POST",
                "/api/v1/service/wallet/verify-pin",
                verify("024680"),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["code"], "PIN_INCORRECT");
        assert_eq!(body["remaining_consecutive"], left);
    }
    let (status, body) = s
        .signed_call(
            &wallet,
            "POST",
            "/api/v1/service/wallet/verify-pin",
            verify("024680"),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("PIN_LOCKED"))
    );
    // The same lock holds for the user's own wallet, right PIN or not.
    let (_, auth) = s.sign_in("13900139000", NEW_PASSWORD).await;
    let (_, pin) = s.get("/api/v1/wallet/pin", auth["token"].as_str()).await;
    assert_eq!(pin["locked"], true);
    let (status, body) = s
        .signed_call(
            &wallet,
            "POST",
            "/api/v1/service/wallet/verify-pin",
            verify(PIN),
        )
        .await;
    assert_eq!(body["code"], "PIN_LOCKED", "{status}");
    let (status, body) = s
        .signed_call(
            &wallet,
            "POST",
            "/api/v1/service/wallet/verify-pin",
            json!({"user_id": carol + 100, "pin": PIN}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("NOT_FOUND"))
    );
}

#[tokio::test]
async fn sign_up_over_rest_takes_the_optional_profile() {
    let s = server().await;
    let form = |gender: &str| {
        json!({"email": "fang@example.com", "password": PASSWORD, "real_name": "王芳",
               "gender": gender, "id_type": "mainland_id", "id_number": "11010519491231002X"})
    };
    let (status, body) = s.post_json("/api/v1/auth/register", form("male")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("ID_GENDER_MISMATCH")),
        "{body}"
    );
    let (status, body) = s.post_json("/api/v1/auth/register", form("female")).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "nothing was left behind: {body}"
    );
    let user = &body["user"];
    assert_eq!(user["real_name"], "王芳");
    assert_eq!(user["gender"], "female");
    assert_eq!(user["id_number_masked"], "1101**********002X");
    // Unknown fields are still refused.
    let (status, body) = s
        .post_json(
            "/api/v1/auth/register",
            json!({"email": "x@example.com", "password": PASSWORD, "nickname": "x"}),
        )
        .await;
    assert_eq!(body["code"], "INVALID_INPUT", "{status}");
}
