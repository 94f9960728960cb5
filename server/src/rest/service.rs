//! The signed JSON API for other services (`/api/v1/service/…`): see
//! `domain::service_apps` for the signature. Each endpoint needs a scope;
//! wallet calls use `X-Transaction-Id` as the movement's idempotency key.

use crate::api_error::ApiError;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::service_apps::{Scope, SignedRequest, VerifiedApp};
use domain::wallet::{Actor, Authorisation, Movement, Recipient, Transfer};
use domain::UserCenter;
use serde::de::DeserializeOwned;
use shared::dto::{RegisterRequest, TokenCheckRequest, TokenCheckResponse, UserProfile};
use shared::wallet::{Receipt, ServiceMovementRequest, ServiceTransferRequest};
use shared::{AppError, ErrorCode};

pub fn routes() -> Router<UserCenter> {
    Router::new()
        .route("/service/auth/check", post(check))
        .route("/service/users", get(users_by_ids).post(create_user))
        .route("/service/users/{id}", get(user_by_id))
        .route("/service/wallet/deposit", post(deposit))
        .route("/service/wallet/withdraw", post(withdraw))
        .route("/service/wallet/freeze", post(freeze))
        .route("/service/wallet/unfreeze", post(unfreeze))
        .route("/service/wallet/settle", post(settle))
        .route("/service/wallet/transfer", post(transfer))
}

/// The parts of a request that are signed.
struct Signed {
    method: Method,
    uri: OriginalUri,
    headers: HeaderMap,
    body: Bytes,
}

impl Signed {
    /// Verifies the signature and the scope; `idempotent` for wallet calls.
    async fn verify(
        &self,
        uc: &UserCenter,
        scope: Scope,
        idempotent: bool,
    ) -> Result<VerifiedApp, ApiError> {
        let header = |name: &str| self.headers.get(name).and_then(|v| v.to_str().ok());
        let path = self
            .uri
            .0
            .path_and_query()
            .map_or(self.uri.0.path(), |p| p.as_str());
        let app = uc
            .verify_service_request(
                SignedRequest {
                    app_id: header("x-app-id"),
                    req_time: header("x-req-time"),
                    transaction_id: header("x-transaction-id"),
                    sign: header("x-sign"),
                    method: self.method.as_str(),
                    path,
                    body: &self.body,
                },
                idempotent,
            )
            .await?;
        app.require(scope)?;
        Ok(app)
    }

    fn transaction_id(&self) -> &str {
        self.headers
            .get("x-transaction-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            ApiError(AppError::with_message(
                ErrorCode::InvalidInput,
                e.to_string(),
            ))
        })
    }
}

macro_rules! signed {
    ($method:ident, $uri:ident, $headers:ident, $body:ident) => {
        Signed {
            method: $method,
            uri: $uri,
            headers: $headers,
            body: $body,
        }
    };
}

async fn check(
    State(uc): State<UserCenter>,
    method: Method,
    uri: OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<TokenCheckResponse>, ApiError> {
    let req = signed!(method, uri, headers, body);
    req.verify(&uc, Scope::AuthCheck, false).await?;
    let token = req
        .json::<TokenCheckRequest>()?
        .token
        .ok_or(ErrorCode::Unauthenticated)?;
    let checked = uc.check_token(&token).await?;
    Ok(Json(TokenCheckResponse {
        user_id: checked.auth.user_id,
        session_id: checked.auth.session_id,
        expires_at: checked.expires_at,
    }))
}

async fn user_by_id(
    State(uc): State<UserCenter>,
    Path(id): Path<String>,
    method: Method,
    uri: OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<UserProfile>, ApiError> {
    signed!(method, uri, headers, body)
        .verify(&uc, Scope::UsersRead, false)
        .await?;
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::from(ErrorCode::NotFound))?;
    Ok(Json(uc.profile(id).await?))
}

/// `?ids=1,2,3`: at most 100; unknown ids are left out.
async fn users_by_ids(
    State(uc): State<UserCenter>,
    method: Method,
    uri: OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Vec<UserProfile>>, ApiError> {
    let req = signed!(method, uri, headers, body);
    req.verify(&uc, Scope::UsersRead, false).await?;
    let bad = |m: &str| ApiError(AppError::with_message(ErrorCode::InvalidInput, m));
    let ids = req
        .uri
        .0
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("ids=")))
        .ok_or_else(|| bad("give ids=1,2,3"))?;
    let ids: Vec<i64> = ids
        .split(',')
        .map(|s| s.trim().parse())
        .collect::<Result<_, _>>()
        .map_err(|_| bad("ids must be integers separated by commas"))?;
    if ids.len() > 100 {
        return Err(bad("at most 100 ids"));
    }
    let mut users = Vec::with_capacity(ids.len());
    for id in ids {
        match uc.profile(id).await {
            Ok(u) => users.push(u),
            Err(e) if e.code() == ErrorCode::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Json(users))
}

/// Creates an account for a service (no code: the service vouches for the contact).
async fn create_user(
    State(uc): State<UserCenter>,
    method: Method,
    uri: OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<UserProfile>), ApiError> {
    let req = signed!(method, uri, headers, body);
    req.verify(&uc, Scope::UsersWrite, false).await?;
    let r: RegisterRequest = req.json()?;
    let user = uc
        .create_admin(
            r.email.as_deref().unwrap_or(""),
            r.phone.as_deref().unwrap_or(""),
            r.username.as_deref().unwrap_or(""),
            &r.password,
            domain::admin::Role::User,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[derive(Clone, Copy)]
enum Operation {
    Deposit,
    Withdraw,
    Freeze,
    Unfreeze,
    Settle,
}

async fn movement(
    uc: UserCenter,
    req: Signed,
    op: Operation,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    let app = req.verify(&uc, Scope::WalletWrite, true).await?;
    let body: ServiceMovementRequest = req.json()?;
    let actor = Actor::Service(app.app_id);
    let m = Movement {
        user_id: body.user_id,
        currency: &body.currency,
        amount: &body.amount,
        memo: body.memo.as_deref().unwrap_or(""),
        request_id: req.transaction_id(),
    };
    let receipt = match op {
        Operation::Deposit => uc.deposit(m, &actor).await?,
        Operation::Withdraw => uc.withdraw(m, &actor).await?,
        Operation::Freeze => uc.freeze(m, &actor).await?,
        Operation::Unfreeze => uc.unfreeze(m, &actor).await?,
        Operation::Settle => uc.settle(m, &actor).await?,
    };
    Ok(receipt_response(receipt))
}

fn receipt_response(receipt: Receipt) -> (StatusCode, Json<Receipt>) {
    let status = if receipt.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    (status, Json(receipt))
}

macro_rules! movement_handler {
    ($name:ident, $op:expr) => {
        async fn $name(
            State(uc): State<UserCenter>,
            method: Method,
            uri: OriginalUri,
            headers: HeaderMap,
            body: Bytes,
        ) -> Result<(StatusCode, Json<Receipt>), ApiError> {
            movement(uc, signed!(method, uri, headers, body), $op).await
        }
    };
}

movement_handler!(deposit, Operation::Deposit);
movement_handler!(withdraw, Operation::Withdraw);
movement_handler!(freeze, Operation::Freeze);
movement_handler!(unfreeze, Operation::Unfreeze);
movement_handler!(settle, Operation::Settle);

/// Buyer to seller, vouched for by the service (no PIN).
async fn transfer(
    State(uc): State<UserCenter>,
    method: Method,
    uri: OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    let req = signed!(method, uri, headers, body);
    let app = req.verify(&uc, Scope::WalletWrite, true).await?;
    let body: ServiceTransferRequest = req.json()?;
    let actor = Actor::Service(app.app_id);
    let receipt = uc
        .transfer(
            Transfer {
                from_user: body.from_user_id,
                to: Recipient::UserId(body.to_user_id),
                currency: &body.currency,
                amount: &body.amount,
                memo: body.memo.as_deref().unwrap_or(""),
                request_id: req.transaction_id(),
            },
            Authorisation::Service(&actor),
        )
        .await?;
    Ok(receipt_response(receipt))
}
