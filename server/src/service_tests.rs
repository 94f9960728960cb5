//! HTTP-level tests of the signed service API: signatures, clock skew,
//! replays, scopes, and wallet calls keyed by the transaction id.

use crate::tests::{server, Server};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use domain::service_apps::{sign, string_to_sign, Scope};
use serde_json::{json, Value};

struct App {
    id: String,
    secret: String,
}

/// How a test bends a request.
#[derive(Default)]
struct Tamper {
    time_offset: i64,
    wrong_secret: bool,
    drop_sign: bool,
}

impl Server {
    async fn app(&self, scopes: &[Scope]) -> App {
        let app = self.uc.create_service_app("shop", scopes).await.unwrap();
        App {
            id: app.app_id,
            secret: app.secret.expose().to_string(),
        }
    }

    async fn signed(
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
            .uri(path)
            .header("content-type", "application/json")
            .header("x-app-id", &app.id)
            .header("x-req-time", &time)
            .header("x-transaction-id", transaction_id);
        if !tamper.drop_sign {
            req = req.header("x-sign", signature);
        }
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
