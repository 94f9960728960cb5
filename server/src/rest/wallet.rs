//! The wallet over JSON: currencies, balances, history, the balance chart,
//! the payment PIN and transfers for signed-in users; deposits, withdrawals,
//! holds and the ledger audit for staff.
//!
//! Staff endpoints act as `Actor::User(staff id)`: the domain refuses anyone
//! without the `staff` or `super_admin` role (`FORBIDDEN`), so the role is
//! checked on every request against the database, never taken from a token.

use super::authenticated;
use crate::api_error::{ApiError, ApiJson, ApiQuery};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::wallet::{Actor, Authorisation, Movement, Recipient, Transfer};
use domain::UserCenter;
use shared::wallet::{
    AuditSummary, Balance, BalancePoint, ChangePinRequest, ChartQuery, Currency, HistoryPage,
    HistoryQuery, MovementRequest, PinStatus, Receipt, ResetPinRequest, SetPinRequest,
    TransferRequest,
};

pub fn routes() -> Router<UserCenter> {
    Router::new()
        .route("/currencies", get(currencies))
        .route("/wallet/balances", get(balances))
        .route("/wallet/history", get(history))
        .route("/wallet/chart", get(chart))
        .route("/wallet/pin", get(pin_status).post(set_pin))
        .route("/wallet/pin/change", post(change_pin))
        .route("/wallet/pin/reset", post(reset_pin))
        .route("/wallet/transfers", post(transfer))
        .route("/admin/wallet/deposit", post(deposit))
        .route("/admin/wallet/withdraw", post(withdraw))
        .route("/admin/wallet/freeze", post(freeze))
        .route("/admin/wallet/unfreeze", post(unfreeze))
        .route("/admin/wallet/settle", post(settle))
        .route("/admin/wallet/audit", get(audit))
}

/// A new receipt is `201 Created`; a replayed one (same request id, same
/// content) is `200 OK`, so a client can tell a retry from a first success.
fn receipt_response(receipt: Receipt) -> (StatusCode, Json<Receipt>) {
    let status = if receipt.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    (status, Json(receipt))
}

/// The enabled currencies; public, so sign-up pages can show them.
async fn currencies(State(uc): State<UserCenter>) -> Result<Json<Vec<Currency>>, ApiError> {
    Ok(Json(uc.list_currencies(false).await?))
}

async fn balances(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
) -> Result<Json<Vec<Balance>>, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    Ok(Json(uc.balances(auth.user_id).await?))
}

async fn history(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<HistoryQuery>,
) -> Result<Json<HistoryPage>, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    let request = query.to_request().map_err(ApiError)?;
    Ok(Json(uc.history(auth.user_id, &request).await?))
}

async fn chart(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<ChartQuery>,
) -> Result<Json<Vec<BalancePoint>>, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    let (currency, days) = query.to_request().map_err(ApiError)?;
    Ok(Json(uc.balance_chart(auth.user_id, &currency, days).await?))
}

async fn pin_status(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
) -> Result<Json<PinStatus>, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    Ok(Json(uc.pin_status(auth.user_id).await?))
}

/// First activation: `201` with the new status.
async fn set_pin(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<SetPinRequest>,
) -> Result<(StatusCode, Json<PinStatus>), ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    uc.set_payment_pin(auth.user_id, &req.pin).await?;
    Ok((
        StatusCode::CREATED,
        Json(uc.pin_status(auth.user_id).await?),
    ))
}

async fn change_pin(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ChangePinRequest>,
) -> Result<StatusCode, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    uc.change_payment_pin(auth.user_id, &req.old_pin, &req.new_pin)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Forgotten PIN: the `sid` comes from `POST /codes/verify` with purpose
/// `pay_password`, made while signed in as this user.
async fn reset_pin(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ResetPinRequest>,
) -> Result<StatusCode, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    uc.reset_payment_pin(auth.user_id, &req.sid, &req.new_pin)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn transfer(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<TransferRequest>,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    let receipt = uc
        .transfer(
            Transfer {
                from_user: auth.user_id,
                to: Recipient::Identifier(&req.to),
                currency: &req.currency,
                amount: &req.amount,
                memo: req.memo.as_deref().unwrap_or(""),
                request_id: &req.request_id,
            },
            Authorisation::Pin(&req.pin),
        )
        .await?;
    Ok(receipt_response(receipt))
}

/// What a staff endpoint does.
#[derive(Clone, Copy)]
enum Operation {
    Deposit,
    Withdraw,
    Freeze,
    Unfreeze,
    Settle,
}

/// One staff money movement for a user, with the signed-in staff member as
/// the actor.
async fn movement(
    uc: UserCenter,
    headers: HeaderMap,
    req: MovementRequest,
    op: Operation,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    let actor = Actor::User(auth.user_id);
    let m = Movement {
        user_id: req.user_id,
        currency: &req.currency,
        amount: &req.amount,
        memo: req.memo.as_deref().unwrap_or(""),
        request_id: &req.request_id,
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

async fn deposit(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<MovementRequest>,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    movement(uc, headers, req, Operation::Deposit).await
}

async fn withdraw(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<MovementRequest>,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    movement(uc, headers, req, Operation::Withdraw).await
}

async fn freeze(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<MovementRequest>,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    movement(uc, headers, req, Operation::Freeze).await
}

async fn unfreeze(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<MovementRequest>,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    movement(uc, headers, req, Operation::Unfreeze).await
}

async fn settle(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<MovementRequest>,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    movement(uc, headers, req, Operation::Settle).await
}

/// Recomputes every balance from the journal (a full scan: staff only).
async fn audit(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
) -> Result<Json<AuditSummary>, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    uc.require_staff(auth.user_id).await?;
    let report = uc.audit_ledger().await?;
    Ok(Json(AuditSummary {
        clean: report.is_clean(),
        accounts: report.accounts,
        transfers: report.transfers,
        problems: report.problems.iter().map(|p| format!("{p:?}")).collect(),
    }))
}
