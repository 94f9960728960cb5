//! HTTP-level tests of the wallet API: staff deposits, PINs, transfers,
//! idempotency, input errors and the audit, through the router.

use crate::tests::{server, Server};
use axum::body::Body;
use axum::http::StatusCode;
use domain::admin::Role;
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery";

impl Server {
    pub(crate) async fn call(
        &self,
        method: &str,
        path: &str,
        body: Value,
        token: Option<&str>,
    ) -> (StatusCode, Value) {
        let body = if body.is_null() {
            Body::empty()
        } else {
            Body::from(body.to_string())
        };
        self.json(method, path, body, "application/json", token)
            .await
    }

    pub(crate) async fn post_as(
        &self,
        token: &str,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        self.call("POST", path, body, Some(token)).await
    }

    /// Registers `email`; returns the user id and a token.
    pub(crate) async fn signup(&self, email: &str) -> (i64, String) {
        let (status, reg) = self.register(email).await;
        assert_eq!(status, StatusCode::CREATED, "{reg}");
        (
            reg["user"]["id"].as_i64().unwrap(),
            reg["token"].as_str().unwrap().to_string(),
        )
    }

    /// A staff member made by the operator function, signed in over the API.
    pub(crate) async fn staff(&self) -> String {
        self.uc
            .create_admin("staff@example.com", "", "", PASSWORD, Role::Staff)
            .await
            .unwrap();
        let (status, login) = self
            .post_json(
                "/api/v1/auth/login",
                json!({"identifier": "staff@example.com", "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{login}");
        login["token"].as_str().unwrap().to_string()
    }

    pub(crate) async fn deposit(
        &self,
        staff: &str,
        user_id: i64,
        amount: &str,
        request_id: &str,
    ) -> Value {
        let (status, receipt) = self
            .post_as(
                staff,
                "/api/v1/admin/wallet/deposit",
                json!({"user_id": user_id, "currency": "CNY", "amount": amount,
                       "memo": "top-up", "request_id": request_id}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{receipt}");
        receipt
    }

    /// The available CNY balance, as text.
    async fn cny(&self, token: &str) -> String {
        let (status, balances) = self.get("/api/v1/wallet/balances", Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{balances}");
        balances
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["currency"] == "CNY")
            .map(|b| b["available"].as_str().unwrap().to_string())
            .unwrap()
    }

    async fn assert_audit_clean(&self, staff: &str) {
        let (status, audit) = self.get("/api/v1/admin/wallet/audit", Some(staff)).await;
        assert_eq!(status, StatusCode::OK, "{audit}");
        assert_eq!(audit["clean"], true, "{audit}");
    }
}

fn transfer(to: &str, amount: &str, request_id: &str, pin: &str) -> Value {
    json!({"to": to, "currency": "CNY", "amount": amount, "memo": "lunch",
           "request_id": request_id, "pin": pin})
}

#[tokio::test]
async fn rest_wallet_deposit_pin_transfer_histories_and_audit() {
    let s = server().await;
    let staff = s.staff().await;
    let (alice, alice_token) = s.signup("alice@example.com").await;
    let (_, bob_token) = s.signup("bob@example.com").await;

    let (status, currencies) = s.get("/api/v1/currencies", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(currencies
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["code"] == "CNY" && c["scale"] == 2));

    let receipt = s.deposit(&staff, alice, "100", "top-up-1").await;
    assert_eq!(receipt["kind"], "deposit");
    assert_eq!(receipt["balance"]["available"], "100.00");

    // No PIN yet: payments wait for one.
    let (status, pin) = s.get("/api/v1/wallet/pin", Some(&alice_token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(pin["set"], false);
    let (status, body) = s
        .post_as(
            &alice_token,
            "/api/v1/wallet/transfers",
            transfer("bob@example.com", "1", "t-0", "135790"),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "PIN_NOT_SET");
    // The session alone does not set the first PIN.
    let (status, body) = s
        .post_as(&alice_token, "/api/v1/wallet/pin", json!({"pin": "135790"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "PROOF_REQUIRED");
    let (status, body) = s
        .post_as(
            &alice_token,
            "/api/v1/wallet/pin",
            json!({"pin": "135790", "password": "not the password"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "PASSWORD_INCORRECT");
    let (status, body) = s
        .post_as(
            &alice_token,
            "/api/v1/wallet/pin",
            json!({"pin": "123456", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "WEAK_PIN");
    let (status, pin) = s
        .post_as(
            &alice_token,
            "/api/v1/wallet/pin",
            json!({"pin": "135790", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{pin}");
    assert_eq!(pin["set"], true);
    assert_eq!(pin["remaining_attempts"], 5);
    let (status, body) = s
        .post_as(
            &alice_token,
            "/api/v1/wallet/pin",
            json!({"pin": "246810", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "PIN_ALREADY_SET");

    let (status, paid) = s
        .post_as(
            &alice_token,
            "/api/v1/wallet/transfers",
            transfer("BOB@example.com", "12.5", "t-1", "135790"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{paid}");
    assert_eq!(paid["amount"], "12.50");
    assert_eq!(paid["replayed"], false);
    assert_eq!(paid["balance"]["available"], "87.50");
    assert_eq!(s.cny(&alice_token).await, "87.50");
    assert_eq!(s.cny(&bob_token).await, "12.50");

    // Alice's history: the transfer out, then the deposit.
    let (status, page) = s
        .get(
            "/api/v1/wallet/history?currency=CNY&cursor=&limit=",
            Some(&alice_token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["kind"], "transfer");
    assert_eq!(items[0]["direction"], "out");
    assert_eq!(items[0]["amount"], "12.50");
    assert_eq!(items[0]["balance_after"], "87.50");
    assert_eq!(items[0]["counterparty"]["display"], "b***@example.com");
    assert_eq!(items[1]["kind"], "deposit");
    assert_eq!(items[1]["counterparty"]["type"], "system");
    assert_eq!(page["next_cursor"], Value::Null);
    // Paging and the kind filter.
    let (_, first) = s
        .get(
            "/api/v1/wallet/history?currency=CNY&limit=1",
            Some(&alice_token),
        )
        .await;
    let cursor = first["next_cursor"].as_i64().unwrap();
    let (_, second) = s
        .get(
            &format!("/api/v1/wallet/history?currency=CNY&limit=1&cursor={cursor}"),
            Some(&alice_token),
        )
        .await;
    assert_eq!(second["items"][0]["kind"], "deposit");
    let (_, deposits) = s
        .get(
            "/api/v1/wallet/history?currency=CNY&kind=deposit",
            Some(&alice_token),
        )
        .await;
    assert_eq!(deposits["items"].as_array().unwrap().len(), 1);
    // Bob's: the transfer in, with Alice masked.
    let (_, page) = s
        .get(
            "/api/v1/wallet/history?currency=CNY&kind=transfer",
            Some(&bob_token),
        )
        .await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["direction"], "in");
    assert_eq!(items[0]["memo"], "lunch");
    assert_eq!(items[0]["counterparty"]["display"], "a***@example.com");

    // The chart ends at today's balance.
    let (status, chart) = s
        .get(
            "/api/v1/wallet/chart?currency=CNY&days=7",
            Some(&alice_token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{chart}");
    let points = chart.as_array().unwrap();
    assert_eq!(points.len(), 7);
    assert_eq!(points[6]["balance"], "87.50");
    let (_, chart) = s
        .get("/api/v1/wallet/chart?currency=CNY", Some(&alice_token))
        .await;
    assert_eq!(chart.as_array().unwrap().len(), 30);

    s.assert_audit_clean(&staff).await;
}

#[tokio::test]
async fn rest_wallet_replays_refuses_conflicts_and_counts_wrong_pins() {
    let s = server().await;
    let staff = s.staff().await;
    let (alice, alice_token) = s.signup("alice@example.com").await;
    let (_, bob_token) = s.signup("bob@example.com").await;
    s.deposit(&staff, alice, "50.00", "top-up-1").await;
    let (status, _) = s
        .post_as(
            &alice_token,
            "/api/v1/wallet/pin",
            json!({"pin": "135790", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, first) = s
        .post_as(
            &alice_token,
            "/api/v1/wallet/transfers",
            transfer("bob@example.com", "10", "order-7", "135790"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    // The same request again: the same receipt, marked replayed, money moved once.
    let (status, again) = s
        .post_as(
            &alice_token,
            "/api/v1/wallet/transfers",
            transfer("bob@example.com", "10", "order-7", "135790"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["replayed"], true);
    assert_eq!(again["transfer_id"], first["transfer_id"]);
    assert_eq!(again["balance"], first["balance"]);
    assert_eq!(s.cny(&alice_token).await, "40.00");
    assert_eq!(s.cny(&bob_token).await, "10.00");
    // The same id for another amount is a conflict.
    let (status, body) = s
        .post_as(
            &alice_token,
            "/api/v1/wallet/transfers",
            transfer("bob@example.com", "11", "order-7", "135790"),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "IDEMPOTENCY_CONFLICT");
    // A staff deposit replays the same way.
    let (status, replayed) = s
        .post_as(
            &staff,
            "/api/v1/admin/wallet/deposit",
            json!({"user_id": alice, "currency": "CNY", "amount": "50.00",
                   "memo": "top-up", "request_id": "top-up-1"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{replayed}");
    assert_eq!(replayed["replayed"], true);
    assert_eq!(s.cny(&alice_token).await, "40.00");

    // Bad amounts: specific codes, and no PIN attempt is spent on them.
    for (amount, code) in [
        ("1e3", "AMOUNT_EXPONENT"),
        ("0.001", "AMOUNT_TOO_PRECISE"),
        ("-1", "AMOUNT_NEGATIVE"),
        ("0", "AMOUNT_NOT_POSITIVE"),
        ("1,000", "AMOUNT_GROUPING"),
        ("ten", "INVALID_AMOUNT"),
    ] {
        let (status, body) = s
            .post_as(
                &alice_token,
                "/api/v1/wallet/transfers",
                transfer("bob@example.com", amount, &format!("bad-{code}"), "000000"),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{amount}: {body}");
        assert_eq!(body["code"], code, "{amount}");
    }
    // Other refusals, each with its code.
    for (body, status, code) in [
        (
            transfer("nobody@example.com", "1", "x-1", "135790"),
            StatusCode::NOT_FOUND,
            "RECIPIENT_NOT_FOUND",
        ),
        (
            transfer("alice@example.com", "1", "x-2", "135790"),
            StatusCode::BAD_REQUEST,
            "CANNOT_TRANSFER_TO_SELF",
        ),
        (
            transfer("bob@example.com", "1000", "x-3", "135790"),
            StatusCode::CONFLICT,
            "INSUFFICIENT_FUNDS",
        ),
        (
            transfer("bob@example.com", "1", "bad id", "135790"),
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST_ID",
        ),
        (
            json!({"to": "bob@example.com", "currency": "XYZ", "amount": "1",
                   "request_id": "x-4", "pin": "135790"}),
            StatusCode::NOT_FOUND,
            "UNKNOWN_CURRENCY",
        ),
        (
            json!({"to": "bob@example.com", "currency": "CNY", "amount": "1",
                   "request_id": "x-5", "pin": "135790", "extra": 1}),
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
        ),
    ] {
        let (got, answer) = s
            .post_as(&alice_token, "/api/v1/wallet/transfers", body)
            .await;
        assert_eq!((got, answer["code"].as_str()), (status, Some(code)));
    }

    // A wrong PIN: 403 with the tries left; nothing moves.
    let (status, body) = s
        .post_as(
            &alice_token,
            "/api/v1/wallet/transfers",
            transfer("bob@example.com", "1", "wrong-1", "246810"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], "PIN_INCORRECT");
    assert_eq!(body["remaining_consecutive"], 4);
    let (_, pin) = s.get("/api/v1/wallet/pin", Some(&alice_token)).await;
    assert_eq!(pin["remaining_attempts"], 4);
    assert_eq!(s.cny(&alice_token).await, "40.00");
    // Signed out: 401.
    let (status, body) = s
        .call(
            "POST",
            "/api/v1/wallet/transfers",
            transfer("bob@example.com", "1", "anon-1", "135790"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "UNAUTHENTICATED");

    s.assert_audit_clean(&staff).await;
}

#[tokio::test]
async fn rest_wallet_staff_endpoints_need_the_staff_role() {
    let s = server().await;
    let staff = s.staff().await;
    let (alice, alice_token) = s.signup("alice@example.com").await;

    // A normal user may not move money for anyone, nor read the audit.
    for op in ["deposit", "withdraw", "freeze", "unfreeze", "settle"] {
        let (status, body) = s
            .post_as(
                &alice_token,
                &format!("/api/v1/admin/wallet/{op}"),
                json!({"user_id": alice, "currency": "CNY", "amount": "5",
                       "request_id": format!("self-{op}")}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{op}: {body}");
        assert_eq!(body["code"], "FORBIDDEN");
    }
    let (status, body) = s
        .get("/api/v1/admin/wallet/audit", Some(&alice_token))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "FORBIDDEN");
    let (status, _) = s.get("/api/v1/admin/wallet/audit", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(s.cny(&alice_token).await, "0.00");

    // Staff: deposit, hold, release, settle, withdraw.
    s.deposit(&staff, alice, "100", "d-1").await;
    let staff_op = |op: &'static str, amount: &'static str, id: &'static str| {
        let staff = staff.clone();
        let s = &s;
        async move {
            s.post_as(
                &staff,
                &format!("/api/v1/admin/wallet/{op}"),
                json!({"user_id": alice, "currency": "CNY", "amount": amount,
                       "request_id": id}),
            )
            .await
        }
    };
    let (status, r) = staff_op("freeze", "30", "f-1").await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    assert_eq!(r["balance"]["available"], "70.00");
    assert_eq!(r["balance"]["frozen"], "30.00");
    let (status, r) = staff_op("unfreeze", "10", "u-1").await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    assert_eq!(r["balance"]["frozen"], "20.00");
    let (status, r) = staff_op("settle", "20", "s-1").await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    assert_eq!(r["balance"]["posted"], "80.00");
    assert_eq!(r["balance"]["frozen"], "0.00");
    let (status, r) = staff_op("settle", "1", "s-2").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(r["code"], "INSUFFICIENT_FROZEN");
    let (status, r) = staff_op("withdraw", "80.01", "w-1").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(r["code"], "INSUFFICIENT_FUNDS");
    let (status, r) = staff_op("withdraw", "80", "w-2").await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    assert_eq!(r["balance"]["posted"], "0.00");
    // Unknown users and fields are clear 4xx answers.
    let (status, r) = s
        .post_as(
            &staff,
            "/api/v1/admin/wallet/deposit",
            json!({"user_id": 9999, "currency": "CNY", "amount": "1", "request_id": "n-1"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{r}");
    let (status, r) = s
        .post_as(
            &staff,
            "/api/v1/admin/wallet/deposit",
            json!({"user_id": alice, "currency": "CNY", "amount": "1",
                   "request_id": "n-2", "pin": "135790"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(r["code"], "INVALID_INPUT");

    // Demoted staff lose the endpoints at once, with the same token.
    s.uc.set_role("staff@example.com", Role::User)
        .await
        .unwrap();
    let (status, _) = staff_op("deposit", "1", "d-2").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    s.uc.set_role("staff@example.com", Role::SuperAdmin)
        .await
        .unwrap();
    s.assert_audit_clean(&staff).await;
}

#[tokio::test]
async fn rest_wallet_bad_query_values_are_400_never_500() {
    let s = server().await;
    let (_, token) = s.signup("alice@example.com").await;
    for path in [
        "/api/v1/wallet/history",
        "/api/v1/wallet/history?currency=",
        "/api/v1/wallet/history?currency=CNY&limit=abc",
        "/api/v1/wallet/history?currency=CNY&limit=0",
        "/api/v1/wallet/history?currency=CNY&limit=101",
        "/api/v1/wallet/history?currency=CNY&limit=-1",
        "/api/v1/wallet/history?currency=CNY&cursor=x",
        "/api/v1/wallet/history?currency=CNY&from=yesterday",
        "/api/v1/wallet/history?currency=CNY&until=99999999999999999999",
        "/api/v1/wallet/history?currency=CNY&kind=gift",
        "/api/v1/wallet/history?currency=CNY&page=2",
        "/api/v1/wallet/history?currency=CNY&currency=USD",
        "/api/v1/wallet/chart",
        "/api/v1/wallet/chart?currency=CNY&days=0",
        "/api/v1/wallet/chart?currency=CNY&days=367",
        "/api/v1/wallet/chart?currency=CNY&days=1e2",
    ] {
        let (status, body) = s.get(path, Some(&token)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_eq!(body["code"], "INVALID_INPUT", "{path}");
    }
    let (status, body) = s
        .get("/api/v1/wallet/history?currency=XYZ", Some(&token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "UNKNOWN_CURRENCY");
    // A user without an account in the currency has an empty history.
    let (status, page) = s
        .get(
            "/api/v1/wallet/history?currency=BTC&kind=deposit,transfer&from=0&until=99999999999",
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"], json!([]));
    let (status, chart) = s
        .get("/api/v1/wallet/chart?currency=BTC&days=366", Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(chart.as_array().unwrap().len(), 366);
    for path in [
        "/api/v1/wallet/balances",
        "/api/v1/wallet/history?currency=CNY",
        "/api/v1/wallet/chart?currency=CNY",
        "/api/v1/wallet/pin",
    ] {
        let (status, _) = s.get(path, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
    }
}

#[tokio::test]
async fn rest_wallet_pin_change_and_reset_with_a_code() {
    let s = server().await;
    let (_, token) = s.signup("alice@example.com").await;
    let (status, _) = s
        .post_as(
            &token,
            "/api/v1/wallet/pin",
            json!({"pin": "135790", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = s
        .post_as(
            &token,
            "/api/v1/wallet/pin/change",
            json!({"old_pin": "000001", "new_pin": "246810"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], "PIN_INCORRECT");
    let (status, body) = s
        .post_as(
            &token,
            "/api/v1/wallet/pin/change",
            json!({"old_pin": "135790", "new_pin": "246810"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    // Forgotten: a pay_password code to the bound email, verified while signed in.
    let (status, body) = s
        .post_as(
            &token,
            "/api/v1/codes/send",
            json!({"contact": "alice@example.com", "purpose": "pay_password"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let code = s.last_code_to("alice@example.com").await;
    let (status, ticket) = s
        .post_as(
            &token,
            "/api/v1/codes/verify",
            json!({"contact": "alice@example.com", "purpose": "pay_password", "code": code}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ticket}");
    let sid = ticket["sid"].as_str().unwrap();
    // A weak PIN is refused without spending the ticket.
    let (status, body) = s
        .post_as(
            &token,
            "/api/v1/wallet/pin/reset",
            json!({"sid": sid, "new_pin": "111111"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "WEAK_PIN");
    // Another user cannot use it.
    let (_, bob) = s.signup("bob@example.com").await;
    let (status, body) = s
        .post_as(
            &bob,
            "/api/v1/wallet/pin/reset",
            json!({"sid": sid, "new_pin": "975310"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "TICKET_INVALID");
    let (status, body) = s
        .post_as(
            &token,
            "/api/v1/wallet/pin/reset",
            json!({"sid": sid, "new_pin": "975310"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = s
        .post_as(
            &token,
            "/api/v1/wallet/pin/reset",
            json!({"sid": sid, "new_pin": "864200"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "TICKET_INVALID");
    // The reset PIN is the one that works now.
    let (status, body) = s
        .post_as(
            &token,
            "/api/v1/wallet/pin/change",
            json!({"old_pin": "975310", "new_pin": "864200"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
}

#[tokio::test]
async fn admin_cli_creates_a_super_admin_and_sets_roles() {
    use crate::admin_cli;
    use crate::config::AdminCommand;
    let s = server().await;
    let create = |email: &str, role: Role| AdminCommand::Create {
        email: email.to_string(),
        phone: Some("13800000000".into()),
        username: None,
        password_stdin: true,
        role,
    };
    let line = admin_cli::run(
        &s.uc,
        create("Root@Example.com", Role::SuperAdmin),
        "a long admin passphrase\n".as_bytes(),
    )
    .await
    .unwrap();
    assert!(
        line.starts_with("created super_admin account ") && line.ends_with("(root@example.com)"),
        "{line}"
    );
    // The trailing newline was not part of the password.
    let (status, login) = s
        .post_json(
            "/api/v1/auth/login",
            json!({"identifier": "13800000000", "password": "a long admin passphrase"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{login}");
    let token = login["token"].as_str().unwrap();
    s.assert_audit_clean(token).await;

    // The password policy and uniqueness apply; errors carry their code.
    let err = admin_cli::run(
        &s.uc,
        create("other@example.com", Role::SuperAdmin),
        "short\n".as_bytes(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().starts_with("WEAK_PASSWORD"), "{err}");
    let err = admin_cli::run(
        &s.uc,
        create("root@example.com", Role::SuperAdmin),
        "another long passphrase\n".as_bytes(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().starts_with("EMAIL_TAKEN"), "{err}");
    let err = admin_cli::run(&s.uc, create("x@example.com", Role::Staff), "".as_bytes())
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "the password on stdin is empty");

    // set-role: a signed-up user becomes staff.
    let (_, user_token) = s.signup("carol@example.com").await;
    let (status, _) = s.get("/api/v1/admin/wallet/audit", Some(&user_token)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let line = admin_cli::run(
        &s.uc,
        AdminCommand::SetRole {
            email: "carol@example.com".into(),
            role: Role::Staff,
        },
        std::io::empty(),
    )
    .await
    .unwrap();
    assert!(line.ends_with("now has the role staff"), "{line}");
    s.assert_audit_clean(&user_token).await;
    let err = admin_cli::run(
        &s.uc,
        AdminCommand::SetRole {
            email: "nobody@example.com".into(),
            role: Role::Staff,
        },
        std::io::empty(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().starts_with("NOT_FOUND"), "{err}");
}
