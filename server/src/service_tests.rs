//! HTTP-level tests of the signed service API: signatures, clock skew,
//! replays, scopes, and wallet calls keyed by the transaction id.

use crate::tests::{server, Server};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use domain::service_apps::{sign, string_to_sign, Scope};
use serde_json::{json, Value};

pub(crate) struct App {
    pub(crate) id: String,
    pub(crate) secret: String,
}

/// How a test bends a request.
#[derive(Default)]
pub(crate) struct Tamper {
    time_offset: i64,
    wrong_secret: bool,
    drop_sign: bool,
    /// Sent instead of the signed body.
    body_sent: Option<String>,
    /// Sent instead of the signed path (and query).
    path_sent: Option<String>,
}

impl Server {
    pub(crate) async fn app(&self, scopes: &[Scope]) -> App {
        let app = self.uc.create_service_app("shop", scopes).await.unwrap();
        App {
            id: app.app_id,
            secret: app.secret.expose().to_string(),
        }
    }

    pub(crate) async fn signed(
        &self,
        app: &App,
        method: &str,
        path: &str,
        body: Value,
        transaction_id: &str,
        tamper: Tamper,
    ) -> (StatusCode, Value) {
        let body = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        let time = (domain::clock::now() + tamper.time_offset).to_string();
        let secret = if tamper.wrong_secret {
            "not the secret"
        } else {
            &app.secret
        };
        let signature = sign(
            secret,
            &string_to_sign(method, path, &time, transaction_id, body.as_bytes()),
        );
        let mut req = Request::builder()
            .method(method)
            .uri(tamper.path_sent.as_deref().unwrap_or(path))
            .header("content-type", "application/json")
            .header("x-app-id", &app.id)
            .header("x-req-time", &time)
            .header("x-transaction-id", transaction_id);
        if !tamper.drop_sign {
            req = req.header("x-sign", signature);
        }
        let body = tamper.body_sent.unwrap_or(body);
        let (status, _, bytes) = self.send(req.body(Body::from(body)).unwrap()).await;
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
}

#[tokio::test]
async fn signed_wallet_calls_move_money_once_per_transaction_id() {
    let s = server().await;
    let (_, buyer) = s.register("buyer@example.com").await;
    let (_, seller) = s.register("seller@example.com").await;
    let buyer = buyer["user"]["id"].as_i64().unwrap();
    let seller = seller["user"]["id"].as_i64().unwrap();
    let app = s.app(&[Scope::WalletWrite, Scope::UsersRead]).await;

    let deposit = json!({"user_id": buyer, "currency": "CNY", "amount": "50"});
    let (status, receipt) = s
        .signed(
            &app,
            "POST",
            "/api/v1/service/wallet/deposit",
            deposit.clone(),
            "tx-1",
            Tamper::default(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    // The same transaction id again: the original receipt, no second deposit.
    let (status, again) = s
        .signed(
            &app,
            "POST",
            "/api/v1/service/wallet/deposit",
            deposit,
            "tx-1",
            Tamper::default(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["replayed"], true);
    assert_eq!(again["transfer_id"], receipt["transfer_id"]);
    let (status, conflict) = s
        .signed(
            &app,
            "POST",
            "/api/v1/service/wallet/deposit",
            json!({"user_id": buyer, "currency": "CNY", "amount": "60"}),
            "tx-1",
            Tamper::default(),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(conflict["code"], "IDEMPOTENCY_CONFLICT");

    // Buyer pays seller through the service, no PIN.
    let (status, paid) = s
        .signed(
            &app,
            "POST",
            "/api/v1/service/wallet/transfer",
            json!({"from_user_id": buyer, "to_user_id": seller, "currency": "CNY", "amount": "20.5"}),
            "order-77",
            Tamper::default(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{paid}");
    assert_eq!(paid["balance"]["available"], "29.50");

    // Reading users needs users:read, which this app has.
    let path = format!("/api/v1/service/users?ids={buyer},{seller},999");
    let (status, users) = s
        .signed(&app, "GET", &path, Value::Null, "read-1", Tamper::default())
        .await;
    assert_eq!(status, StatusCode::OK, "{users}");
    assert_eq!(users.as_array().unwrap().len(), 2);
    // A replayed read is refused.
    let (status, replay) = s
        .signed(&app, "GET", &path, Value::Null, "read-1", Tamper::default())
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(replay["code"], "TRANSACTION_REPLAYED");

    let report = s.uc.audit_ledger().await.unwrap();
    assert!(report.is_clean(), "{report:?}");
}

#[tokio::test]
async fn unsigned_stale_forged_and_unscoped_requests_are_refused() {
    let s = server().await;
    let (_, user) = s.register("someone@example.com").await;
    let id = user["user"]["id"].as_i64().unwrap();
    let reader = s.app(&[Scope::UsersRead]).await;
    let path = format!("/api/v1/service/users/{id}");
    let cases = [
        (
            Tamper {
                drop_sign: true,
                ..Default::default()
            },
            StatusCode::UNAUTHORIZED,
            "SIGNATURE_MISSING",
        ),
        (
            Tamper {
                time_offset: -301,
                ..Default::default()
            },
            StatusCode::UNAUTHORIZED,
            "REQUEST_EXPIRED",
        ),
        (
            Tamper {
                time_offset: 301,
                ..Default::default()
            },
            StatusCode::UNAUTHORIZED,
            "REQUEST_EXPIRED",
        ),
        (
            Tamper {
                wrong_secret: true,
                ..Default::default()
            },
            StatusCode::UNAUTHORIZED,
            "SIGNATURE_INVALID",
        ),
    ];
    for (i, (tamper, status, code)) in cases.into_iter().enumerate() {
        let (got, body) = s
            .signed(
                &reader,
                "GET",
                &path,
                Value::Null,
                &format!("t-{i}"),
                tamper,
            )
            .await;
        assert_eq!(
            (got, body["code"].as_str()),
            (status, Some(code)),
            "case {i}"
        );
    }
    let (status, body) = s
        .signed(
            &reader,
            "GET",
            &path,
            Value::Null,
            "ok-1",
            Tamper::default(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["email"], "someone@example.com");

    // An app id nobody registered.
    let unknown = App {
        id: "app_nope".into(),
        secret: "x".into(),
    };
    let (status, body) = s
        .signed(
            &unknown,
            "GET",
            &path,
            Value::Null,
            "u-1",
            Tamper::default(),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("APP_UNKNOWN"))
    );

    // The reader may not move money.
    let (status, body) = s
        .signed(
            &reader,
            "POST",
            "/api/v1/service/wallet/deposit",
            json!({"user_id": id, "currency": "CNY", "amount": "1"}),
            "d-1",
            Tamper::default(),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("SCOPE_MISSING"))
    );
}

/// A realistic request for a documented service operation: `(path with
/// query, body)`. `n` keeps created accounts apart; `pre_opened` is an
/// account waiting for activation (`user` has the PIN `135790`).
fn request_for(
    method: &str,
    path: &str,
    user: i64,
    other: i64,
    pre_opened: i64,
    token: &str,
    n: usize,
) -> (String, Value) {
    let movement = json!({"user_id": user, "currency": "CNY", "amount": "1"});
    match (method, path) {
        ("POST", "/api/v1/service/users") => (
            path.into(),
            json!({"email": format!("new-{n}@example.com"), "password": "correct horse battery"}),
        ),
        (_, "/api/v1/service/auth/check") => (path.into(), json!({"token": token})),
        (_, "/api/v1/service/auth/login") => (
            path.into(),
            json!({"identifier": "buyer@example.com", "password": "correct horse battery"}),
        ),
        (_, "/api/v1/service/users") => (format!("{path}?ids={user},{other}"), Value::Null),
        (_, "/api/v1/service/users/search") => (format!("{path}?q=example"), Value::Null),
        (_, "/api/v1/service/users/{id}") => (path.replace("{id}", &user.to_string()), Value::Null),
        (_, "/api/v1/service/users/lookup") => {
            (format!("{path}?identifier=buyer@example.com"), Value::Null)
        }
        (_, "/api/v1/service/users/pre-open") => (
            path.into(),
            json!({"email": format!("opened-{n}@example.com")}),
        ),
        (_, "/api/v1/service/users/{id}/activate") => (
            path.replace("{id}", &pre_opened.to_string()),
            json!({"pin": "135790", "password": "correct horse battery"}),
        ),
        (_, "/api/v1/service/wallet/verify-pin") => {
            (path.into(), json!({"user_id": user, "pin": "135790"}))
        }
        (_, "/api/v1/service/users/{id}/balances" | "/api/v1/service/users/{id}/export")
        | ("GET", "/api/v1/service/users/{id}/permissions") => {
            (path.replace("{id}", &user.to_string()), Value::Null)
        }
        (_, "/api/v1/service/users/{id}/history") => (
            format!("{}?currency=CNY", path.replace("{id}", &user.to_string())),
            Value::Null,
        ),
        ("PUT", "/api/v1/service/users/{id}/permissions") => (
            path.replace("{id}", &user.to_string()),
            json!({"allow_login": true, "allow_transfer": true, "allow_withdraw": true}),
        ),
        (_, "/api/v1/service/messages") => (
            path.into(),
            json!({"user_id": user, "channel": "email", "text": "Your order shipped."}),
        ),
        (_, "/api/v1/service/wallet/transfer") => (
            path.into(),
            json!({"from_user_id": user, "to_user_id": other, "currency": "CNY", "amount": "1"}),
        ),
        (_, p) if p.starts_with("/api/v1/service/wallet/") => (path.into(), movement),
        (m, p) => panic!("no request for {m} {p}: add one here"),
    }
}

/// Every operation of the document under `/service/`, called by an app that
/// has every scope but the one the operation needs (`403 SCOPE_MISSING`),
/// then by an app with only that scope (anything but 401/403). The list
/// comes from the OpenAPI document, so a new endpoint is covered at once.
#[tokio::test]
async fn every_service_endpoint_requires_its_scope() {
    let s = server().await;
    let (_, buyer) = s.register("buyer@example.com").await;
    let (_, seller) = s.register("seller@example.com").await;
    let token = buyer["token"].as_str().unwrap().to_string();
    let buyer = buyer["user"]["id"].as_i64().unwrap();
    let seller = seller["user"]["id"].as_i64().unwrap();
    // Money to move, so that holds, settlements and transfers can succeed.
    let funder = s.app(&[Scope::WalletWrite]).await;
    let (status, _) = s
        .signed(
            &funder,
            "POST",
            "/api/v1/service/wallet/deposit",
            json!({"user_id": buyer, "currency": "CNY", "amount": "100"}),
            "fund-1",
            Tamper::default(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // And a hold, so that unfreezing and settling can succeed in any order.
    let (status, _) = s
        .signed(
            &funder,
            "POST",
            "/api/v1/service/wallet/freeze",
            json!({"user_id": buyer, "currency": "CNY", "amount": "10"}),
            "hold-1",
            Tamper::default(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // A PIN to check, and an account to activate.
    let (status, _) = s
        .json(
            "POST",
            "/api/v1/wallet/pin",
            axum::body::Body::from(
                json!({"pin": "135790", "password": "correct horse battery"}).to_string(),
            ),
            "application/json",
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let pre_opened =
        s.uc.open_account(
            domain::activation::Opener::Service("setup"),
            &domain::activation::Opening {
                email: "pre-opened@example.com",
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .user
        .id;

    let doc = crate::openapi_tests::fetch_document(&s).await;
    let mut checked = 0;
    let ops = crate::openapi_tests::operations(&doc)
        .into_iter()
        .filter(|(_, path, _)| path.starts_with("/api/v1/service/"));
    for (n, (method, path, op)) in ops.into_iter().enumerate() {
        let scopes: Vec<Scope> = op["x-required-scope"]
            .as_array()
            .unwrap_or_else(|| panic!("{method} {path} names no scope"))
            .iter()
            .map(|v| Scope::parse(v.as_str().unwrap()).expect("a known scope"))
            .collect();
        assert_eq!(scopes.len(), 1, "{method} {path}");
        let scope = scopes[0];
        let (target, body) = request_for(&method, &path, buyer, seller, pre_opened, &token, n);
        let others: Vec<Scope> = Scope::ALL.into_iter().filter(|s| *s != scope).collect();
        let lacking = s.app(&others).await;
        let (status, answer) = s
            .signed(
                &lacking,
                &method,
                &target,
                body.clone(),
                &format!("lacking-{n}"),
                Tamper::default(),
            )
            .await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("SCOPE_MISSING")),
            "{method} {path} without {}",
            scope.as_str()
        );
        let right = s.app(&[scope]).await;
        let (status, answer) = s
            .signed(
                &right,
                &method,
                &target,
                body,
                &format!("right-{n}"),
                Tamper::default(),
            )
            .await;
        assert!(
            status.is_success(),
            "{method} {path} with {}: {status} {answer}",
            scope.as_str()
        );
        checked += 1;
    }
    assert_eq!(checked, 22, "service operations in the document");
}

#[tokio::test]
async fn tampered_requests_are_refused() {
    let s = server().await;
    let (_, a) = s.register("a@example.com").await;
    let (_, b) = s.register("b@example.com").await;
    let a = a["user"]["id"].as_i64().unwrap();
    let b = b["user"]["id"].as_i64().unwrap();
    let app = s.app(&[Scope::UsersRead, Scope::WalletWrite]).await;
    let deposit = json!({"user_id": a, "currency": "CNY", "amount": "1"});
    let bigger = json!({"user_id": a, "currency": "CNY", "amount": "1000"}).to_string();
    let cases = [
        (
            "body changed after signing",
            "POST",
            "/api/v1/service/wallet/deposit".to_string(),
            deposit.clone(),
            Tamper {
                body_sent: Some(bigger),
                ..Default::default()
            },
        ),
        (
            "query changed after signing",
            "GET",
            format!("/api/v1/service/users?ids={a}"),
            Value::Null,
            Tamper {
                path_sent: Some(format!("/api/v1/service/users?ids={b}")),
                ..Default::default()
            },
        ),
        (
            "path changed after signing",
            "GET",
            format!("/api/v1/service/users/{a}"),
            Value::Null,
            Tamper {
                path_sent: Some(format!("/api/v1/service/users/{b}")),
                ..Default::default()
            },
        ),
    ];
    for (i, (what, method, path, body, tamper)) in cases.into_iter().enumerate() {
        let (status, answer) = s
            .signed(&app, method, &path, body, &format!("t-{i}"), tamper)
            .await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("SIGNATURE_INVALID")),
            "{what}"
        );
    }
    // Nothing moved.
    let (status, balances) = s
        .signed(
            &app,
            "POST",
            "/api/v1/service/wallet/deposit",
            deposit,
            "after",
            Tamper::default(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(balances["balance"]["available"], "1.00");
}

#[tokio::test]
async fn a_service_signs_users_in_with_their_password() {
    let s = server().await;
    let (_, user) = s.register("member@example.com").await;
    let id = user["user"]["id"].as_i64().unwrap();
    let app = s.app(&[Scope::UsersWrite]).await;
    let (status, login) = s
        .signed(
            &app,
            "POST",
            "/api/v1/service/auth/login",
            json!({
                "identifier": "MEMBER@example.com",
                "password": "correct horse battery",
                "ip": "203.0.113.9",
                "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
                "device_id": "phone-1"
            }),
            "login-1",
            Tamper::default(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{login}");
    assert_eq!(login["user"]["id"], id);
    let token = login["token"].as_str().unwrap();
    // The session is the user's, recorded with their device.
    let (status, sessions) = s.get("/api/v1/sessions", Some(token)).await;
    assert_eq!(status, StatusCode::OK);
    let mine = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["current"] == true)
        .unwrap();
    assert_eq!(mine["ip"], "203.0.113.9");
    assert_eq!(mine["device_id"], "phone-1");

    let (status, failed) = s
        .signed(
            &app,
            "POST",
            "/api/v1/service/auth/login",
            json!({"identifier": "member@example.com", "password": "wrong password!"}),
            "login-2",
            Tamper::default(),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(failed["code"], "INVALID_CREDENTIALS");
    assert_eq!(failed["consecutive_failures"], 1);

    // Checking tokens does not allow minting them.
    let checker = s.app(&[Scope::AuthCheck]).await;
    let (status, refused) = s
        .signed(
            &checker,
            "POST",
            "/api/v1/service/auth/login",
            json!({"identifier": "member@example.com", "password": "correct horse battery"}),
            "login-3",
            Tamper::default(),
        )
        .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("SCOPE_MISSING"))
    );
}

#[tokio::test]
async fn service_search_pages_by_id_and_matches_wildcards_literally() {
    let s = server().await;
    let mut ids = Vec::new();
    for (email, username) in [
        ("alice@example.com", "a_b"),
        ("bob@example.com", "axb"),
        ("carol@example.org", "carol"),
    ] {
        let (status, reg) = s
            .post_json(
                "/api/v1/auth/register",
                json!({"email": email, "username": username, "password": "correct horse battery"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{reg}");
        ids.push(reg["user"]["id"].as_i64().unwrap());
        if email.starts_with("alice") {
            let token = reg["token"].as_str().unwrap();
            let (status, _) = s
                .json(
                    "PATCH",
                    "/api/v1/me/profile",
                    Body::from(
                        json!({"id_type": "passport", "id_number": "E12345678", "display_name": "Ally 100%"})
                            .to_string(),
                    ),
                    "application/json",
                    Some(token),
                )
                .await;
            assert_eq!(status, StatusCode::OK);
        }
    }
    let app = s.app(&[Scope::UsersRead]).await;
    let (s, app) = (&s, &app);
    let mut tx = 0;
    let mut search = move |query: String| {
        tx += 1;
        let id = format!("search-{tx}");
        async move {
            s.signed(
                app,
                "GET",
                &format!("/api/v1/service/users/search?{query}"),
                Value::Null,
                &id,
                Tamper::default(),
            )
            .await
        }
    };
    // Two of three match; one per page, ordered by id.
    let (status, page) = search("q=EXAMPLE.com&page=2&per_page=1".into()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 2);
    assert_eq!(page["page"], 2);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["id"], ids[1]);
    // `_` is not a wildcard: `a_b` does not find `axb`.
    let (_, page) = search("q=a_b".into()).await;
    assert_eq!(page["total"], 1, "{page}");
    assert_eq!(page["items"][0]["username"], "a_b");
    // Nor is `%`; it matches the display name that has one.
    let (_, page) = search("q=%25".into()).await;
    assert_eq!(page["total"], 1, "{page}");
    let alice = &page["items"][0];
    assert_eq!(alice["id"], ids[0]);
    // ID numbers are masked for services.
    assert!(alice.get("id_number").is_none(), "{alice}");
    assert!(alice["id_number_masked"].as_str().unwrap().contains('*'));
    // Past the end: an empty page with the total.
    let (_, page) = search("q=example&page=9".into()).await;
    assert_eq!(page["items"], json!([]));
    assert_eq!(page["total"], 3);
    for bad in ["q=", "q=a&per_page=101", "q=a&page=0", "q=a&unknown=1"] {
        let (status, answer) = search(bad.into()).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("INVALID_INPUT")),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn more_than_a_hundred_ids_are_refused_with_their_own_code() {
    let s = server().await;
    let app = s.app(&[Scope::UsersRead]).await;
    let ids = (1..=101)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let (status, answer) = s
        .signed(
            &app,
            "GET",
            &format!("/api/v1/service/users?ids={ids}"),
            Value::Null,
            "ids-1",
            Tamper::default(),
        )
        .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("TOO_MANY_IDS"))
    );
    let (status, answer) = s
        .signed(
            &app,
            "GET",
            "/api/v1/service/users?ids=1%2C2",
            Value::Null,
            "ids-2",
            Tamper::default(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "percent-encoded commas: {answer}");
}

#[tokio::test]
async fn service_messages_go_to_the_bound_contact_only() {
    let s = server().await;
    let (_, user) = s.register("reader@example.com").await;
    let id = user["user"]["id"].as_i64().unwrap();
    let app = s.app(&[Scope::UsersWrite]).await;
    let (s, app) = (&s, &app);
    let send = move |body: Value, tx: &'static str| async move {
        s.signed(
            app,
            "POST",
            "/api/v1/service/messages",
            body,
            tx,
            Tamper::default(),
        )
        .await
    };
    let (status, sent) = send(
        json!({"user_id": id, "channel": "email", "subject": "Order 77", "text": "Your order shipped.\nThanks!"}),
        "m-1",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(sent["channel"], "email");
    assert_eq!(sent["sent_to"], "r***@example.com");
    let mail = s.messages("reader@example.com").pop().expect("an email");
    assert!(mail.contains("Subject: Order 77"), "{mail}");
    assert!(mail.contains("Your order shipped."), "{mail}");

    let cases = [
        (
            json!({"user_id": id, "channel": "sms", "text": "hi"}),
            StatusCode::CONFLICT,
            "NO_SUCH_CONTACT",
        ),
        (
            json!({"user_id": id, "channel": "email", "text": "x".repeat(501)}),
            StatusCode::BAD_REQUEST,
            "INVALID_MESSAGE",
        ),
        (
            json!({"user_id": id, "channel": "email", "text": " "}),
            StatusCode::BAD_REQUEST,
            "REQUIRED",
        ),
        (
            json!({"user_id": id + 100, "channel": "email", "text": "hi"}),
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        ),
        (
            json!({"user_id": id, "channel": "fax", "text": "hi"}),
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
        ),
    ];
    let tx = ["m-2", "m-3", "m-4", "m-5", "m-6"];
    for ((body, status, code), tx) in cases.into_iter().zip(tx) {
        let (got, answer) = send(body.clone(), tx).await;
        assert_eq!(
            (got, answer["code"].as_str()),
            (status, Some(code)),
            "{body}"
        );
    }
    assert_eq!(s.messages("reader@example.com").len(), 1);
}
