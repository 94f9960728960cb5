//! The wallet over JSON: currencies, balances, history, the balance chart,
//! the payment PIN and transfers for signed-in users; deposits, withdrawals,
//! holds and the ledger audit for staff.
//!
//! Staff endpoints act as `Actor::User(staff id)`: the domain refuses anyone
//! without the `staff` or `super_admin` role (`FORBIDDEN`), so the role is
//! checked on every request against the database, never taken from a token.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::wallet::{Authorisation, Movement, PinProof, Recipient, Transfer};
use domain::AuthContext;
use domain::UserCenter;
use edge::{ApiError, ApiJson, ApiPath, ApiQuery, Authed, Staff};
use shared::wallet::{
    AuditSummary, Balance, BalancePoint, ChangePinRequest, ChartQuery, Currency, HistoryPage,
    HistoryQuery, MovementRequest, PinStatus, Receipt, ResetPinRequest, SetPinRequest,
    TransferKind, TransferRequest,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<UserCenter> {
    OpenApiRouter::new()
        .routes(routes!(currencies))
        .routes(routes!(balances))
        .routes(routes!(history))
        .routes(routes!(chart))
        .routes(routes!(pin_status, set_pin))
        .routes(routes!(change_pin))
        .routes(routes!(reset_pin))
        .routes(routes!(unlock_payments))
        .routes(routes!(transfer))
        .routes(routes!(deposit))
        .routes(routes!(withdraw))
        .routes(routes!(freeze))
        .routes(routes!(unfreeze))
        .routes(routes!(settle))
        .routes(routes!(audit))
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

/// The enabled currencies.
///
/// Public, so sign-up pages can show them.
#[utoipa::path(get, path = "/currencies", tag = "wallet",
    responses((status = 200, description = "Enabled currencies", body = Vec<Currency>)))]
async fn currencies(State(uc): State<UserCenter>) -> Result<Json<Vec<Currency>>, ApiError> {
    Ok(Json(uc.list_currencies(false).await?))
}

/// The user's balance in each enabled currency.
///
/// `available = posted - frozen`; amounts as decimal strings and as integer
/// minor units.
#[utoipa::path(get, path = "/wallet/balances", tag = "wallet", security(("bearer" = [])),
    responses((status = 200, description = "One balance per enabled currency", body = Vec<Balance>)))]
async fn balances(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
) -> Result<Json<Vec<Balance>>, ApiError> {
    Ok(Json(uc.balances(auth.user_id).await?))
}

/// The user's history in one currency, newest first, a page at a time.
///
/// Pass `next_cursor` as `cursor` for the next page. Empty parameter values
/// mean "not given".
#[utoipa::path(get, path = "/wallet/history", tag = "wallet", security(("bearer" = [])), params(HistoryQuery),
    responses((status = 200, description = "A page of history", body = HistoryPage)))]
async fn history(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
    ApiQuery(query): ApiQuery<HistoryQuery>,
) -> Result<Json<HistoryPage>, ApiError> {
    let request = query.to_request().map_err(ApiError)?;
    Ok(Json(uc.history(auth.user_id, &request).await?))
}

/// End-of-day posted balance for the last `days` days, today last.
#[utoipa::path(get, path = "/wallet/chart", tag = "wallet", security(("bearer" = [])), params(ChartQuery),
    responses((status = 200, description = "One point per day", body = Vec<BalancePoint>)))]
async fn chart(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
    ApiQuery(query): ApiQuery<ChartQuery>,
) -> Result<Json<Vec<BalancePoint>>, ApiError> {
    let (currency, days) = query.to_request().map_err(ApiError)?;
    Ok(Json(uc.balance_chart(auth.user_id, &currency, days).await?))
}

/// Whether a payment PIN is set and whether payments are locked.
#[utoipa::path(get, path = "/wallet/pin", tag = "wallet", security(("bearer" = [])),
    responses((status = 200, description = "The PIN status", body = PinStatus)))]
async fn pin_status(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
) -> Result<Json<PinStatus>, ApiError> {
    Ok(Json(uc.pin_status(auth.user_id).await?))
}

/// Sets the payment PIN the first time.
///
/// Six digits, not `123456`-like, not the password; `409 PIN_ALREADY_SET`
/// once set. Proven by the sign-in `password` (wrong ones count like every
/// password re-entry) or the `sid` of a `pay_password` code;
/// `400 PROOF_REQUIRED` with neither.
#[utoipa::path(post, path = "/wallet/pin", tag = "wallet", security(("bearer" = [])),
    request_body = SetPinRequest,
    responses((status = 201, description = "The new PIN status", body = PinStatus)))]
async fn set_pin(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
    ApiJson(req): ApiJson<SetPinRequest>,
) -> Result<(StatusCode, Json<PinStatus>), ApiError> {
    // The PIN itself first: a weak one costs no password attempt.
    shared::wallet::check_pin(&req.pin).map_err(ApiError)?;
    let proof = PinProof::from_request(req.password.as_deref(), req.sid.as_deref())?;
    uc.set_payment_pin(&auth, &req.pin, proof).await?;
    Ok((
        StatusCode::CREATED,
        Json(uc.pin_status(auth.user_id).await?),
    ))
}

/// Changes the payment PIN; the old PIN counts like a payment's.
#[utoipa::path(post, path = "/wallet/pin/change", tag = "wallet", security(("bearer" = [])),
    request_body = ChangePinRequest,
    responses((status = 204, description = "Changed")))]
async fn change_pin(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
    ApiJson(req): ApiJson<ChangePinRequest>,
) -> Result<StatusCode, ApiError> {
    uc.change_payment_pin(&auth, &req.old_pin, &req.new_pin)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replaces a forgotten payment PIN with a `pay_password` ticket.
///
/// The `sid` comes from `POST /codes/verify` with purpose `pay_password`,
/// made while signed in as this user; it is spent only when the new PIN is
/// accepted, and lifts a payment lock.
#[utoipa::path(post, path = "/wallet/pin/reset", tag = "wallet", security(("bearer" = [])),
    request_body = ResetPinRequest,
    responses((status = 204, description = "Replaced")))]
async fn reset_pin(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
    ApiJson(req): ApiJson<ResetPinRequest>,
) -> Result<StatusCode, ApiError> {
    uc.reset_payment_pin(&auth, &req.sid, &req.new_pin).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Staff: lifts a payment lock (too many wrong PINs) and forgets the wrong
/// PINs counted so far.
///
/// Audited (`payments_unlocked`). Staff may not lift their own lock, and only
/// a super admin lifts one on a staff account (`403 FORBIDDEN`).
#[utoipa::path(post, path = "/admin/users/{id}/payments/unlock", tag = "admin", security(("bearer" = [])), params(("id" = i64, Path, description = "The user's id")),
    responses((status = 204, description = "Payments unlocked")))]
async fn unlock_payments(
    State(uc): State<UserCenter>,
    Staff(auth): Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    uc.unlock_payments(&auth, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sends money to another user, confirmed with the payment PIN.
///
/// `to` is an email, phone or username. The request id makes retries safe:
/// the same id for the same transfer returns the first receipt (`200`,
/// `replayed: true`); for a different one, `409 IDEMPOTENCY_CONFLICT`.
#[utoipa::path(post, path = "/wallet/transfers", tag = "wallet", security(("bearer" = [])),
    request_body = TransferRequest,
    responses((status = 201, description = "The receipt", body = Receipt),
        (status = 200, description = "The first receipt of this request id, `replayed: true`", body = Receipt)))]
async fn transfer(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
    ApiJson(req): ApiJson<TransferRequest>,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
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

/// One staff money movement for a user, with the signed-in staff member as
/// the actor.
async fn movement(
    uc: UserCenter,
    auth: AuthContext,
    req: MovementRequest,
    kind: TransferKind,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    let m = Movement {
        user_id: req.user_id,
        currency: &req.currency,
        amount: &req.amount,
        memo: req.memo.as_deref().unwrap_or(""),
        request_id: &req.request_id,
    };
    let receipt = uc.staff_movement(&auth, kind, m).await?;
    Ok(receipt_response(receipt))
}

/// Staff: deposit for a user: money from outside to the user.
///
/// The request id makes retries safe (`200` with the first receipt).
#[utoipa::path(post, path = "/admin/wallet/deposit", tag = "admin", security(("bearer" = [])),
    request_body = MovementRequest,
    responses((status = 201, description = "The receipt", body = Receipt),
        (status = 200, description = "The first receipt of this request id, `replayed: true`", body = Receipt)))]
async fn deposit(
    State(uc): State<UserCenter>,
    Staff(auth): Staff,
    ApiJson(req): ApiJson<MovementRequest>,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    movement(uc, auth, req, TransferKind::Deposit).await
}

/// Staff: withdraw for a user: from the user's available balance to outside.
///
/// The request id makes retries safe (`200` with the first receipt).
#[utoipa::path(post, path = "/admin/wallet/withdraw", tag = "admin", security(("bearer" = [])),
    request_body = MovementRequest,
    responses((status = 201, description = "The receipt", body = Receipt),
        (status = 200, description = "The first receipt of this request id, `replayed: true`", body = Receipt)))]
async fn withdraw(
    State(uc): State<UserCenter>,
    Staff(auth): Staff,
    ApiJson(req): ApiJson<MovementRequest>,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    movement(uc, auth, req, TransferKind::Withdraw).await
}

/// Staff: freeze for a user: holds part of the available balance.
///
/// The request id makes retries safe (`200` with the first receipt).
#[utoipa::path(post, path = "/admin/wallet/freeze", tag = "admin", security(("bearer" = [])),
    request_body = MovementRequest,
    responses((status = 201, description = "The receipt", body = Receipt),
        (status = 200, description = "The first receipt of this request id, `replayed: true`", body = Receipt)))]
async fn freeze(
    State(uc): State<UserCenter>,
    Staff(auth): Staff,
    ApiJson(req): ApiJson<MovementRequest>,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    movement(uc, auth, req, TransferKind::Freeze).await
}

/// Staff: unfreeze for a user: releases held money.
///
/// The request id makes retries safe (`200` with the first receipt).
#[utoipa::path(post, path = "/admin/wallet/unfreeze", tag = "admin", security(("bearer" = [])),
    request_body = MovementRequest,
    responses((status = 201, description = "The receipt", body = Receipt),
        (status = 200, description = "The first receipt of this request id, `replayed: true`", body = Receipt)))]
async fn unfreeze(
    State(uc): State<UserCenter>,
    Staff(auth): Staff,
    ApiJson(req): ApiJson<MovementRequest>,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    movement(uc, auth, req, TransferKind::Unfreeze).await
}

/// Staff: settle for a user: pays held money out.
///
/// The request id makes retries safe (`200` with the first receipt).
#[utoipa::path(post, path = "/admin/wallet/settle", tag = "admin", security(("bearer" = [])),
    request_body = MovementRequest,
    responses((status = 201, description = "The receipt", body = Receipt),
        (status = 200, description = "The first receipt of this request id, `replayed: true`", body = Receipt)))]
async fn settle(
    State(uc): State<UserCenter>,
    Staff(auth): Staff,
    ApiJson(req): ApiJson<MovementRequest>,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    movement(uc, auth, req, TransferKind::Settle).await
}

/// Staff: recomputes every balance from the journal.
///
/// A full scan of the ledger, hence staff only.
#[utoipa::path(get, path = "/admin/wallet/audit", tag = "admin", security(("bearer" = [])),
    responses((status = 200, description = "The auditor's verdict", body = AuditSummary)))]
async fn audit(
    State(uc): State<UserCenter>,
    Staff(auth): Staff,
) -> Result<Json<AuditSummary>, ApiError> {
    uc.require_staff(auth.user_id).await?;
    let report = uc.audit_ledger().await?;
    Ok(Json(AuditSummary {
        clean: report.is_clean(),
        accounts: report.accounts,
        transfers: report.transfers,
        problems: report.problems.iter().map(|p| format!("{p:?}")).collect(),
    }))
}
