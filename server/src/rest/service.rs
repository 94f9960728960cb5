//! The signed JSON API for other services (`/api/v1/service/…`): see
//! `domain::service_apps` for the signature. Each endpoint needs a scope;
//! wallet calls use `X-Transaction-Id` as the movement's idempotency key.
//!
//! Handlers take the raw body: the signature covers its exact bytes, so it
//! is verified before anything (JSON, query string) is parsed.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::service_apps::Scope;
use domain::wallet::{Actor, Authorisation, Movement, Recipient, Transfer};
use domain::{ClientInfo, UserCenter};
use edge::{ApiError, ApiPath, SignedCall};
use shared::admin::Permissions;
use shared::dto::{
    AuthResponse, RegisterRequest, TokenCheckRequest, TokenCheckResponse, UserProfile,
};
use shared::service::{
    MessageSent, SendMessageRequest, ServiceLoginRequest, UserSearchPage, UserSearchQuery,
    UsersByIdsQuery,
};
use shared::wallet::{
    Balance, HistoryPage, HistoryQuery, Receipt, ServiceMovementRequest, ServiceTransferRequest,
};
use shared::{AppError, ErrorCode};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<UserCenter> {
    OpenApiRouter::new()
        .routes(routes!(check))
        .routes(routes!(login))
        .routes(routes!(users_by_ids, create_user))
        .routes(routes!(search_users))
        .routes(routes!(user_by_id))
        .routes(routes!(user_balances))
        .routes(routes!(user_export))
        .routes(routes!(user_history))
        .routes(routes!(user_permissions, set_user_permissions))
        .routes(routes!(send_message))
        .routes(routes!(deposit))
        .routes(routes!(withdraw))
        .routes(routes!(freeze))
        .routes(routes!(unfreeze))
        .routes(routes!(settle))
        .routes(routes!(transfer))
}

/// Checks a user's access token for the service: valid, and whose?
///
/// Like `POST /auth/check`, signed; the token comes in the body.
#[utoipa::path(post, path = "/service/auth/check", tag = "service",
    security(("service_sign" = ["auth:check"])),
    request_body = TokenCheckRequest,
    responses((status = 200, description = "The token is valid", body = TokenCheckResponse)))]
async fn check(
    State(uc): State<UserCenter>,
    req: SignedCall,
) -> Result<Json<TokenCheckResponse>, ApiError> {
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

/// One user by id.
#[utoipa::path(get, path = "/service/users/{id}", tag = "service",
    security(("service_sign" = ["users:read"])),
    params(("id" = i64, Path, description = "The user's id")),
    responses((status = 200, description = "The user; ID number masked", body = UserProfile),
        (status = 404, description = "`NOT_FOUND`", body = AppError)))]
async fn user_by_id(
    State(uc): State<UserCenter>,
    ApiPath(id): ApiPath<String>,
    req: SignedCall,
) -> Result<Json<UserProfile>, ApiError> {
    req.verify(&uc, Scope::UsersRead, false).await?;
    Ok(Json(uc.profile(user_id(&id)?).await?))
}

/// A user id from the path; anything else names no user.
fn user_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse().map_err(|_| ApiError::from(ErrorCode::NotFound))
}

/// A user's balances, as their wallet shows them.
///
/// One per enabled currency (zero where the user has none), and one per
/// disabled currency the user still holds money in (`enabled: false`).
/// `404 NOT_FOUND` for an id with no account.
#[utoipa::path(get, path = "/service/users/{id}/balances", tag = "service",
    security(("service_sign" = ["wallet:read"])),
    params(("id" = i64, Path, description = "The user's id")),
    responses((status = 200, description = "The user's balances, by currency code", body = Vec<Balance>),
        (status = 404, description = "`NOT_FOUND`", body = AppError)))]
async fn user_balances(
    State(uc): State<UserCenter>,
    ApiPath(id): ApiPath<String>,
    req: SignedCall,
) -> Result<Json<Vec<Balance>>, ApiError> {
    req.verify(&uc, Scope::WalletRead, false).await?;
    Ok(Json(uc.balances_for_service(user_id(&id)?).await?))
}

/// A user's data, for an operator answering the user's access request: the
/// same zip as `GET /me/export`. Needs `users:admin` (it holds the full ID
/// number and the ID-card photos). Audited as `data_exported` by the app.
#[utoipa::path(get, path = "/service/users/{id}/export", tag = "service",
    security(("service_sign" = ["users:admin"])),
    params(("id" = i64, Path, description = "The user's id")),
    responses((status = 200, description = "The archive", content_type = "application/zip",
        body = inline(super::media::BinaryFile)),
        (status = 404, description = "`NOT_FOUND`", body = AppError)))]
async fn user_export(
    State(uc): State<UserCenter>,
    ApiPath(id): ApiPath<String>,
    req: SignedCall,
) -> Result<axum::response::Response, ApiError> {
    let app = req.verify(&uc, Scope::UsersAdmin, false).await?;
    let id = user_id(&id)?;
    let zip = uc
        .export_personal_data(id, domain::data_export::ExportedFor::Service(&app.app_id))
        .await?;
    Ok(super::privacy::zip_download(id, zip))
}

/// A user's history in one currency, newest first, a page at a time.
///
/// The same parameters and paging as `GET /wallet/history`: pass
/// `next_cursor` as `cursor` for the next page. `currency` is a code or an
/// alias. `404 NOT_FOUND` for an id with no account.
#[utoipa::path(get, path = "/service/users/{id}/history", tag = "service",
    security(("service_sign" = ["wallet:read"])),
    params(("id" = i64, Path, description = "The user's id"), HistoryQuery),
    responses((status = 200, description = "A page of history", body = HistoryPage),
        (status = 404, description = "`NOT_FOUND`, or `UNKNOWN_CURRENCY`", body = AppError)))]
async fn user_history(
    State(uc): State<UserCenter>,
    ApiPath(id): ApiPath<String>,
    req: SignedCall,
) -> Result<Json<HistoryPage>, ApiError> {
    req.verify(&uc, Scope::WalletRead, false).await?;
    let request = req
        .query::<HistoryQuery>()?
        .to_request()
        .map_err(ApiError)?;
    Ok(Json(uc.history_for_service(user_id(&id)?, &request).await?))
}

/// A user's permission flags: may sign in, transfer, withdraw.
#[utoipa::path(get, path = "/service/users/{id}/permissions", tag = "service",
    security(("service_sign" = ["users:read"])),
    params(("id" = i64, Path, description = "The user's id")),
    responses((status = 200, description = "The flags", body = Permissions),
        (status = 404, description = "`NOT_FOUND`", body = AppError)))]
async fn user_permissions(
    State(uc): State<UserCenter>,
    ApiPath(id): ApiPath<String>,
    req: SignedCall,
) -> Result<Json<Permissions>, ApiError> {
    req.verify(&uc, Scope::UsersRead, false).await?;
    Ok(Json(uc.permissions_for_service(user_id(&id)?).await?))
}

/// Sets a user's permission flags, as staff can in the console.
///
/// All three flags are required. Enforced at sign-in and inside the ledger
/// transaction (`LOGIN_NOT_ALLOWED`, `TRANSFER_NOT_ALLOWED`,
/// `WITHDRAW_NOT_ALLOWED`); turning sign-in off also ends the user's
/// sessions. Audited as `permissions_changed` with the app as the actor.
#[utoipa::path(put, path = "/service/users/{id}/permissions", tag = "service",
    security(("service_sign" = ["users:admin"])),
    params(("id" = i64, Path, description = "The user's id")),
    request_body = Permissions,
    responses((status = 200, description = "The flags now", body = Permissions),
        (status = 404, description = "`NOT_FOUND`", body = AppError)))]
async fn set_user_permissions(
    State(uc): State<UserCenter>,
    ApiPath(id): ApiPath<String>,
    req: SignedCall,
) -> Result<Json<Permissions>, ApiError> {
    let app = req.verify(&uc, Scope::UsersAdmin, false).await?;
    let id = user_id(&id)?;
    let flags: Permissions = req.json()?;
    Ok(Json(
        uc.set_permissions_for_service(&app.app_id, id, flags, (&req.client).into())
            .await?,
    ))
}

/// Users by id: `?ids=1,2,3`, at most 100; unknown ids are left out.
///
/// More than 100 ids is `400 TOO_MANY_IDS`. ID numbers are masked.
#[utoipa::path(get, path = "/service/users", tag = "service",
    security(("service_sign" = ["users:read"])), params(UsersByIdsQuery),
    responses((status = 200, description = "The users found, in the order asked", body = Vec<UserProfile>)))]
async fn users_by_ids(
    State(uc): State<UserCenter>,
    req: SignedCall,
) -> Result<Json<Vec<UserProfile>>, ApiError> {
    req.verify(&uc, Scope::UsersRead, false).await?;
    let ids = req.query::<UsersByIdsQuery>()?.to_ids().map_err(ApiError)?;
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

/// Searches users by email, phone, username or display name, a page at a time.
///
/// `q` matches anywhere in those fields (ASCII case-insensitive; `%` and
/// `_` match themselves). Ordered by id; `per_page` at most 100. ID numbers
/// are masked.
#[utoipa::path(get, path = "/service/users/search", tag = "service",
    security(("service_sign" = ["users:read"])), params(UserSearchQuery),
    responses((status = 200, description = "One page of matches and their total", body = UserSearchPage)))]
async fn search_users(
    State(uc): State<UserCenter>,
    req: SignedCall,
) -> Result<Json<UserSearchPage>, ApiError> {
    req.verify(&uc, Scope::UsersRead, false).await?;
    let search = req
        .query::<UserSearchQuery>()?
        .to_search()
        .map_err(ApiError)?;
    Ok(Json(uc.search_users_for_service(&search).await?))
}

/// Creates an account (no code: the service vouches for the contact).
///
/// The sign-up rules apply (contact formats, password policy, uniqueness,
/// the optional real name, gender and ID document as on the profile); the
/// contacts are stored as not verified.
#[utoipa::path(post, path = "/service/users", tag = "service",
    security(("service_sign" = ["users:write"])),
    request_body = RegisterRequest,
    responses((status = 201, description = "The new user", body = UserProfile)))]
async fn create_user(
    State(uc): State<UserCenter>,
    req: SignedCall,
) -> Result<(StatusCode, Json<UserProfile>), ApiError> {
    req.verify(&uc, Scope::UsersWrite, false).await?;
    let r: RegisterRequest = req.json()?;
    // The optional profile is checked before anything is created.
    let identity = r.identity();
    if let Some(change) = &identity {
        uc.check_new_profile(change)?;
    }
    let mut user = uc
        .create_admin(
            r.email.as_deref().unwrap_or(""),
            r.phone.as_deref().unwrap_or(""),
            r.username.as_deref().unwrap_or(""),
            &r.password,
            domain::admin::Role::User,
        )
        .await?;
    if let Some(change) = &identity {
        user = uc.update_profile(user.id, change).await?;
    }
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
    req: SignedCall,
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
    ($(#[$attr:meta])* $name:ident, $op:expr) => {
        $(#[$attr])*
        async fn $name(
            State(uc): State<UserCenter>,
            req: SignedCall,
        ) -> Result<(StatusCode, Json<Receipt>), ApiError> {
            movement(uc, req, $op).await
        }
    };
}

movement_handler!(
    /// Deposit for a user: money from outside to the user.
    ///
    /// `X-Transaction-Id` is the idempotency key: a repeat returns the first
    /// receipt (`200`, `replayed: true`), other content under the same id is
    /// `409 IDEMPOTENCY_CONFLICT`.
    #[utoipa::path(post, path = "/service/wallet/deposit", tag = "service",
        security(("service_sign" = ["wallet:write"])),
        request_body = ServiceMovementRequest,
        responses((status = 201, description = "The receipt", body = Receipt),
            (status = 200, description = "The first receipt of this transaction id", body = Receipt)))]
    deposit,
    Operation::Deposit
);
movement_handler!(
    /// Withdraw for a user: from the user's available balance to outside.
    ///
    /// `X-Transaction-Id` is the idempotency key: a repeat returns the first
    /// receipt (`200`, `replayed: true`), other content under the same id is
    /// `409 IDEMPOTENCY_CONFLICT`.
    #[utoipa::path(post, path = "/service/wallet/withdraw", tag = "service",
        security(("service_sign" = ["wallet:write"])),
        request_body = ServiceMovementRequest,
        responses((status = 201, description = "The receipt", body = Receipt),
            (status = 200, description = "The first receipt of this transaction id", body = Receipt)))]
    withdraw,
    Operation::Withdraw
);
movement_handler!(
    /// Freeze for a user: holds part of the available balance.
    ///
    /// `X-Transaction-Id` is the idempotency key: a repeat returns the first
    /// receipt (`200`, `replayed: true`), other content under the same id is
    /// `409 IDEMPOTENCY_CONFLICT`.
    #[utoipa::path(post, path = "/service/wallet/freeze", tag = "service",
        security(("service_sign" = ["wallet:write"])),
        request_body = ServiceMovementRequest,
        responses((status = 201, description = "The receipt", body = Receipt),
            (status = 200, description = "The first receipt of this transaction id", body = Receipt)))]
    freeze,
    Operation::Freeze
);
movement_handler!(
    /// Unfreeze for a user: releases held money.
    ///
    /// `X-Transaction-Id` is the idempotency key: a repeat returns the first
    /// receipt (`200`, `replayed: true`), other content under the same id is
    /// `409 IDEMPOTENCY_CONFLICT`.
    #[utoipa::path(post, path = "/service/wallet/unfreeze", tag = "service",
        security(("service_sign" = ["wallet:write"])),
        request_body = ServiceMovementRequest,
        responses((status = 201, description = "The receipt", body = Receipt),
            (status = 200, description = "The first receipt of this transaction id", body = Receipt)))]
    unfreeze,
    Operation::Unfreeze
);
movement_handler!(
    /// Settle for a user: pays held money out.
    ///
    /// `X-Transaction-Id` is the idempotency key: a repeat returns the first
    /// receipt (`200`, `replayed: true`), other content under the same id is
    /// `409 IDEMPOTENCY_CONFLICT`.
    #[utoipa::path(post, path = "/service/wallet/settle", tag = "service",
        security(("service_sign" = ["wallet:write"])),
        request_body = ServiceMovementRequest,
        responses((status = 201, description = "The receipt", body = Receipt),
            (status = 200, description = "The first receipt of this transaction id", body = Receipt)))]
    settle,
    Operation::Settle
);

/// Pays from one user to another (buyer to seller), vouched for by the service.
///
/// No PIN. `X-Transaction-Id` is the idempotency key, as for movements.
#[utoipa::path(post, path = "/service/wallet/transfer", tag = "service",
    security(("service_sign" = ["wallet:write"])),
    request_body = ServiceTransferRequest,
    responses((status = 201, description = "The receipt; `balance` is the payer's", body = Receipt),
        (status = 200, description = "The first receipt of this transaction id", body = Receipt)))]
async fn transfer(
    State(uc): State<UserCenter>,
    req: SignedCall,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
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

/// Signs a user in with their password, for a first-party app.
///
/// Scope `users:write`: it opens a session and hands the app the user's
/// tokens, which is more than checking a token (`auth:check`) may do. The
/// lockout and captcha rules of `POST /auth/login` apply per identifier.
/// Pass the end user's `ip`, `user_agent` and `device_id` so their session
/// list shows their device rather than the app's server.
#[utoipa::path(post, path = "/service/auth/login", tag = "service",
    security(("service_sign" = ["users:write"])),
    request_body = ServiceLoginRequest,
    responses((status = 200, description = "A new session of the user", body = AuthResponse)))]
async fn login(
    State(uc): State<UserCenter>,
    req: SignedCall,
) -> Result<Json<AuthResponse>, ApiError> {
    req.verify(&uc, Scope::UsersWrite, false).await?;
    let r: ServiceLoginRequest = req.json()?;
    // The end user's facts as the app reports them, else the app's own.
    let client = ClientInfo {
        ip: r.ip.or_else(|| req.client.ip.clone()),
        user_agent: r.user_agent.or_else(|| req.client.user_agent.clone()),
        device_id: r.device_id,
    };
    let captcha = r.captcha_key.as_deref().zip(r.captcha_answer.as_deref());
    Ok(Json(
        uc.login(&r.identifier, &r.password, captcha, &client)
            .await?,
    ))
}

/// Sends a message to a user's bound email or phone.
///
/// The staff console's message rules apply: `400 REQUIRED` for an empty
/// text, `400 INVALID_MESSAGE` for more than 500 characters or a subject over
/// 100 (the subject is for email; an SMS ignores it). `409 NO_SUCH_CONTACT`
/// when the user has no email (or phone), `409 ACCOUNT_CLOSED` for a closed
/// account, `503 DELIVERY_FAILED` when the provider fails. Like every non-wallet call, a transaction id is used once,
/// so a retry after a failure needs a new one.
#[utoipa::path(post, path = "/service/messages", tag = "service",
    security(("service_sign" = ["users:write"])),
    request_body = SendMessageRequest,
    responses((status = 200, description = "Handed to the mail server or SMS gateway", body = MessageSent)))]
async fn send_message(
    State(uc): State<UserCenter>,
    req: SignedCall,
) -> Result<Json<MessageSent>, ApiError> {
    let app = req.verify(&uc, Scope::UsersWrite, false).await?;
    let r: SendMessageRequest = req.json()?;
    let message = r.check().map_err(ApiError)?;
    Ok(Json(
        uc.send_service_message(&app.app_id, r.user_id, r.channel, message)
            .await?,
    ))
}
