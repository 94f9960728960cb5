//! The JSON REST API for API clients (`/api/v1`). Browsers use the server
//! functions; both call the same domain.

pub mod media;
mod profile;
mod security;
mod service;
mod wallet;

use crate::api_error::{ApiError, ApiJson};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::accounts::Registration;
use domain::{ClientInfo, UserCenter};
use shared::dto::{
    AuthResponse, BindDeviceRequest, DeviceCheck, DeviceInfo, LoginRequest, RefreshRequest,
    RegisterRequest, SessionInfo, TokenCheckRequest, TokenCheckResponse, UserProfile,
};
use shared::ErrorCode;
use std::net::SocketAddr;

pub fn routes() -> Router<UserCenter> {
    Router::new()
        .route("/auth/register", post(register))
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/check", post(check))
        .route("/auth/refresh", post(refresh))
        .route("/devices", post(bind_device).get(devices))
        .route("/devices/{device_id}", axum::routing::delete(remove_device))
        .route("/devices/{device_id}/check", get(check_device))
        .route("/sessions", get(sessions))
        .route("/sessions/revoke-others", post(revoke_others))
        .route("/sessions/{id}", axum::routing::delete(revoke_one))
        .route("/me", get(me))
        .merge(profile::routes())
        .merge(security::routes())
        .merge(service::routes())
        .merge(wallet::routes())
        .fallback(|| async { ApiError::from(ErrorCode::NotFound) })
}

fn client(addr: SocketAddr, headers: &HeaderMap) -> ClientInfo {
    app::server::client_from_headers(Some(addr.ip().to_string()), headers)
}

async fn register(
    State(uc): State<UserCenter>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> Result<(StatusCode, Json<AuthResponse>), ApiError> {
    let form = Registration {
        email: req.email.as_deref().unwrap_or(""),
        phone: req.phone.as_deref().unwrap_or(""),
        username: req.username.as_deref().unwrap_or(""),
        password: &req.password,
        code: req.code.as_deref().unwrap_or(""),
    };
    let res = uc.register(form, &client(addr, &headers)).await?;
    Ok((StatusCode::CREATED, Json(res)))
}

async fn login(
    State(uc): State<UserCenter>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<AuthResponse>, ApiError> {
    Ok(Json(
        uc.login(
            &req.identifier,
            &req.password,
            req.captcha_key
                .as_deref()
                .zip(req.captcha_answer.as_deref()),
            &client(addr, &headers),
        )
        .await?,
    ))
}

/// The signed-in user, if the request carries a valid token.
async fn maybe_authenticated(uc: &UserCenter, headers: &HeaderMap) -> Option<domain::AuthContext> {
    let token = app::server::token_from_headers(headers)?;
    uc.authenticate(&token).await.ok()
}

async fn authenticated(
    uc: &UserCenter,
    headers: &HeaderMap,
) -> Result<domain::AuthContext, ApiError> {
    let token = app::server::token_from_headers(headers).ok_or(ErrorCode::Unauthenticated)?;
    Ok(uc.authenticate(&token).await?)
}

async fn logout(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    uc.logout(&auth).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
) -> Result<Json<UserProfile>, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    Ok(Json(uc.profile(auth.user_id).await?))
}

/// For other services: is this token valid, and whose is it? The token comes
/// in the body or as `Authorization: Bearer`.
async fn check(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<TokenCheckResponse>, ApiError> {
    let from_body = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<TokenCheckRequest>(&body)
            .map_err(|e| {
                ApiError(shared::AppError::with_message(
                    ErrorCode::InvalidInput,
                    e.to_string(),
                ))
            })?
            .token
    };
    let token = from_body
        .or_else(|| app::server::token_from_headers(&headers))
        .ok_or(ErrorCode::Unauthenticated)?;
    let checked = uc.check_token(&token).await?;
    Ok(Json(TokenCheckResponse {
        user_id: checked.auth.user_id,
        session_id: checked.auth.session_id,
        expires_at: checked.expires_at,
    }))
}

/// Exchanges a refresh token for new tokens; the old refresh token is spent.
async fn refresh(
    State(uc): State<UserCenter>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> Result<Json<AuthResponse>, ApiError> {
    Ok(Json(
        uc.refresh(&req.refresh_token, &client(addr, &headers))
            .await?,
    ))
}

async fn sessions(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
) -> Result<Json<Vec<SessionInfo>>, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    Ok(Json(uc.list_sessions(&auth).await?))
}

async fn revoke_one(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<StatusCode, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    if uc.revoke_session(auth.user_id, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ErrorCode::NotFound.into())
    }
}

async fn revoke_others(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    let revoked = uc
        .revoke_other_sessions(auth.user_id, Some(&auth.session_id))
        .await?;
    Ok(Json(serde_json::json!({ "revoked": revoked })))
}

async fn bind_device(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<BindDeviceRequest>,
) -> Result<Json<DeviceInfo>, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    Ok(Json(
        uc.bind_device(auth.user_id, &req.device_id, &req.name, &req.os)
            .await?,
    ))
}

async fn devices(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
) -> Result<Json<Vec<DeviceInfo>>, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    Ok(Json(uc.list_devices(auth.user_id).await?))
}

async fn remove_device(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    axum::extract::Path(device_id): axum::extract::Path<String>,
) -> Result<StatusCode, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    uc.remove_device(auth.user_id, &device_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn check_device(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    axum::extract::Path(device_id): axum::extract::Path<String>,
) -> Result<Json<DeviceCheck>, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    Ok(Json(uc.check_device(auth.user_id, &device_id).await?))
}
