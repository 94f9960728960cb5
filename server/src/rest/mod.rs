//! The JSON REST API for API clients (`/api/v1`). Browsers use the server
//! functions; both call the same domain.
//!
//! Every route is registered through `utoipa_axum::routes!`, which reads the
//! handler's `#[utoipa::path]`: the router and the OpenAPI document
//! (`GET /api/v1/openapi.json`, see [`openapi`]) come from the same list and
//! cannot drift apart.

mod activation;
pub mod media;
mod notifications;
pub(crate) mod openapi;
mod privacy;
mod profile;
mod security;
mod service;
mod wallet;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Json, Router};
use domain::accounts::Registration;
use domain::UserCenter;
use edge::{ApiError, ApiJson, ApiPath, Authed, Caller};
use serde::Serialize;
use shared::dto::{
    AuthResponse, BindDeviceRequest, DeviceCheck, DeviceInfo, LoginRequest, RefreshRequest,
    RegisterRequest, SessionInfo, TokenCheckRequest, TokenCheckResponse, UserProfile,
};
use shared::ErrorCode;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The REST API: its routers, each with paths relative to `/api/v1`, and
/// the OpenAPI document of both.
pub struct Api {
    /// Every operation except the media ones, with the `NOT_FOUND` fallback.
    /// `main` nests it under `/api/v1`, inside the site's 1 MiB body cap.
    pub router: Router<UserCenter>,
    /// The avatar and document operations ([`media`]). Their uploads need a
    /// larger body than the cap allows, so `main` nests this router under
    /// `/api/v1` beside (not inside) the cap, with a body limit of
    /// [`media::UPLOAD_BODY_LIMIT`] for these routes alone. Its routes take
    /// precedence over `router`'s fallback.
    pub media: Router<UserCenter>,
    /// The operations of both routers (paths relative to `/api/v1`;
    /// [`openapi::document`] prefixes them).
    pub doc: utoipa::openapi::OpenApi,
}

/// The routers under `/api/v1` and their OpenAPI document.
pub fn api() -> Api {
    let (router, mut doc) = OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(check))
        .routes(routes!(refresh))
        .routes(routes!(bind_device, devices))
        .routes(routes!(remove_device))
        .routes(routes!(check_device))
        .routes(routes!(sessions))
        .routes(routes!(revoke_others))
        .routes(routes!(revoke_one))
        .routes(routes!(me))
        .merge(activation::routes())
        .merge(notifications::routes())
        .merge(privacy::routes())
        .merge(profile::routes())
        .merge(security::routes())
        .merge(service::routes())
        .merge(wallet::routes())
        .merge(openapi::routes())
        .split_for_parts();
    let router = router.fallback(|| async { ApiError::from(ErrorCode::NotFound) });
    let (media, media_doc) = media::routes().split_for_parts();
    doc.merge(media_doc);
    let media = media.layer(DefaultBodyLimit::max(media::UPLOAD_BODY_LIMIT));
    Api { router, media, doc }
}

/// Signs up with an email and/or phone, an optional username and a password.
///
/// `code` is the `register` code sent to the email (else the phone) through
/// `POST /codes/send`, unless the server turned that off. Answers with a
/// session, like a sign-in. The real name, gender and ID document are
/// optional and checked exactly as `PATCH /me/profile` checks them; a
/// refusal creates nothing.
#[utoipa::path(post, path = "/auth/register", tag = "auth",
    request_body = RegisterRequest,
    responses((status = 201, description = "The account and a new session", body = AuthResponse)))]
async fn register(
    State(uc): State<UserCenter>,
    caller: Caller,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> Result<(StatusCode, Json<AuthResponse>), ApiError> {
    let identity = req.identity();
    let form = Registration {
        email: req.email.as_deref().unwrap_or(""),
        phone: req.phone.as_deref().unwrap_or(""),
        username: req.username.as_deref().unwrap_or(""),
        password: &req.password,
        code: req.code.as_deref().unwrap_or(""),
        identity: identity.as_ref(),
    };
    let res = uc.register(form, &caller.client).await?;
    Ok((StatusCode::CREATED, Json(res)))
}

/// Signs in with an email, phone or username and the password.
///
/// Failed attempts are counted per identifier (`INVALID_CREDENTIALS` with
/// the counters, then `429 ACCOUNT_LOCKED`); after a few, a solved captcha
/// from `GET /captcha` is needed too. Send `X-Device-Id` to tag the session.
#[utoipa::path(post, path = "/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses((status = 200, description = "A new session", body = AuthResponse)))]
async fn login(
    State(uc): State<UserCenter>,
    caller: Caller,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<AuthResponse>, ApiError> {
    Ok(Json(
        uc.login(
            &req.identifier,
            &req.password,
            req.captcha_key
                .as_deref()
                .zip(req.captcha_answer.as_deref()),
            &caller.client,
        )
        .await?,
    ))
}

/// Signs out: the session of the token ends at once.
///
/// A client whose access token has lapsed sends its refresh token instead
/// (`{"refresh_token"}`, no Bearer needed), so signing out never leaves the
/// session alive until it expires. An unknown or spent refresh token is not
/// an error: signing out twice is harmless.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", security(("bearer" = []), ()),
    request_body(content = RefreshRequest, description = "Optional: the refresh token, when the access token has lapsed"),
    responses((status = 204, description = "The session is revoked"),
        (status = 401, description = "`UNAUTHENTICATED`: neither a valid access token nor a refresh token", body = shared::AppError)))]
async fn logout(
    State(uc): State<UserCenter>,
    caller: Caller,
    // A Bearer caller's body is not looked at, whatever it holds.
    body: Result<Option<ApiJson<RefreshRequest>>, ApiError>,
) -> Result<impl IntoResponse, ApiError> {
    match (caller.authenticate(&uc).await, body) {
        (Ok(auth), _) => uc.logout(&auth).await?,
        (Err(_), Ok(Some(ApiJson(req)))) => {
            uc.logout_by_refresh_token(&req.refresh_token, &caller.client)
                .await?
        }
        (Err(_), Err(bad_body)) => return Err(bad_body),
        (Err(e), Ok(None)) => return Err(e.into()),
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user's account.
#[utoipa::path(get, path = "/me", tag = "me", security(("bearer" = [])),
    responses((status = 200, description = "The account; ID numbers masked", body = UserProfile)))]
async fn me(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
) -> Result<Json<UserProfile>, ApiError> {
    Ok(Json(uc.profile(auth.user_id).await?))
}

/// Checks an access token: is it valid, and whose is it?
///
/// The token comes in the body (`{"token"}`) or as `Authorization: Bearer`.
/// An invalid one is `401` with `TOKEN_EXPIRED`, `TOKEN_REVOKED`,
/// `TOKEN_MALFORMED` or `TOKEN_INVALID_SIGNATURE`.
#[utoipa::path(post, path = "/auth/check", tag = "auth", security((), ("bearer" = [])),
    request_body(content = Option<TokenCheckRequest>, description = "Optional: without it, the Bearer token is checked"),
    responses((status = 200, description = "The token is valid", body = TokenCheckResponse),
        (status = 401, description = "`UNAUTHENTICATED` (no token), `TOKEN_EXPIRED`, `TOKEN_REVOKED`, `TOKEN_MALFORMED` or `TOKEN_INVALID_SIGNATURE`", body = shared::AppError)))]
async fn check(
    State(uc): State<UserCenter>,
    caller: Caller,
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
        .or_else(|| caller.token().map(str::to_string))
        .ok_or(ErrorCode::Unauthenticated)?;
    let checked = uc.check_token(&token).await?;
    Ok(Json(TokenCheckResponse {
        user_id: checked.auth.user_id,
        session_id: checked.auth.session_id,
        expires_at: checked.expires_at,
    }))
}

/// Exchanges a refresh token for new tokens; the old refresh token is spent.
///
/// A replaced refresh token used again within 30 s lost a race with another
/// request of the same client (`409 REFRESH_SUPERSEDED`; the session lives
/// on). Used again later, it was copied: the whole session is revoked.
#[utoipa::path(post, path = "/auth/refresh", tag = "auth",
    request_body = RefreshRequest,
    responses((status = 200, description = "New tokens; the session is extended", body = AuthResponse),
        (status = 401, description = "`TOKEN_REVOKED`: unknown, expired or revoked, or a spent token used again after the 30 s grace (the session is then revoked)", body = shared::AppError),
        (status = 409, description = "`REFRESH_SUPERSEDED`: this token was spent by another request within the last 30 s; keep the tokens that request got", body = shared::AppError)))]
async fn refresh(
    State(uc): State<UserCenter>,
    caller: Caller,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> Result<Json<AuthResponse>, ApiError> {
    Ok(Json(uc.refresh(&req.refresh_token, &caller.client).await?))
}

/// The user's active sessions, the current one marked.
#[utoipa::path(get, path = "/sessions", tag = "sessions", security(("bearer" = [])),
    responses((status = 200, description = "Active sessions", body = Vec<SessionInfo>)))]
async fn sessions(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
) -> Result<Json<Vec<SessionInfo>>, ApiError> {
    Ok(Json(uc.list_sessions(&auth).await?))
}

/// Ends one of the user's sessions.
#[utoipa::path(delete, path = "/sessions/{id}", tag = "sessions", security(("bearer" = [])),
    params(("id" = String, Path, description = "The session id from `GET /sessions`")),
    responses((status = 204, description = "Revoked"),
        (status = 404, description = "`NOT_FOUND`: no such session of this user", body = shared::AppError)))]
async fn revoke_one(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    if uc.revoke_own_session(&auth, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ErrorCode::NotFound.into())
    }
}

/// Ends every session of the user except the current one.
#[utoipa::path(post, path = "/sessions/revoke-others", tag = "sessions", security(("bearer" = [])),
    responses((status = 200, description = "How many sessions ended", body = RevokedCount)))]
async fn revoke_others(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
) -> Result<Json<RevokedCount>, ApiError> {
    let revoked = uc.sign_out_elsewhere(&auth).await?;
    Ok(Json(RevokedCount { revoked }))
}

/// The answer of `POST /sessions/revoke-others`.
#[derive(Serialize, ToSchema)]
pub(crate) struct RevokedCount {
    /// Sessions that ended.
    revoked: u64,
}

/// Binds a device to the account; binding it again renames it.
#[utoipa::path(post, path = "/devices", tag = "devices", security(("bearer" = [])),
    request_body = BindDeviceRequest,
    responses((status = 200, description = "The device", body = DeviceInfo)))]
async fn bind_device(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
    ApiJson(req): ApiJson<BindDeviceRequest>,
) -> Result<Json<DeviceInfo>, ApiError> {
    Ok(Json(
        uc.bind_device(auth.user_id, &req.device_id, &req.name, &req.os)
            .await?,
    ))
}

/// The devices bound to the account.
#[utoipa::path(get, path = "/devices", tag = "devices", security(("bearer" = [])),
    responses((status = 200, description = "Bound devices", body = Vec<DeviceInfo>)))]
async fn devices(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
) -> Result<Json<Vec<DeviceInfo>>, ApiError> {
    Ok(Json(uc.list_devices(auth.user_id).await?))
}

/// Unbinds a device.
#[utoipa::path(delete, path = "/devices/{device_id}", tag = "devices", security(("bearer" = [])),
    params(("device_id" = String, Path, description = "The client's own device id")),
    responses((status = 204, description = "Removed"),
        (status = 404, description = "`NOT_FOUND`: not bound to this account", body = shared::AppError)))]
async fn remove_device(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
    ApiPath(device_id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    uc.remove_device(auth.user_id, &device_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Whether a device is bound to the account, and the user's group.
#[utoipa::path(get, path = "/devices/{device_id}/check", tag = "devices", security(("bearer" = [])),
    params(("device_id" = String, Path, description = "The client's own device id")),
    responses((status = 200, description = "`bound`, and `group` (1 super admin, 2 others)", body = DeviceCheck)))]
async fn check_device(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
    ApiPath(device_id): ApiPath<String>,
) -> Result<Json<DeviceCheck>, ApiError> {
    Ok(Json(uc.check_device(auth.user_id, &device_id).await?))
}
