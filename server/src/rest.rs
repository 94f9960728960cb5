//! The JSON REST API for API clients (`/api/v1`). Browsers use the server
//! functions; both call the same domain.

use crate::api_error::{ApiError, ApiJson};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::accounts::Registration;
use domain::{ClientInfo, UserCenter};
use shared::dto::{AuthResponse, LoginRequest, RegisterRequest, UserProfile};
use shared::ErrorCode;
use std::net::SocketAddr;

pub fn routes() -> Router<UserCenter> {
    Router::new()
        .route("/auth/register", post(register))
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
        .fallback(|| async { ApiError::from(ErrorCode::NotFound) })
}

fn client(addr: SocketAddr, headers: &HeaderMap) -> ClientInfo {
    ClientInfo {
        ip: Some(addr.ip().to_string()),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    }
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
        uc.login(&req.identifier, &req.password, &client(addr, &headers))
            .await?,
    ))
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
