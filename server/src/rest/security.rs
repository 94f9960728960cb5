//! Codes, captchas, code sign-in, password recovery and change, and binding
//! contacts, over JSON.

use super::{authenticated, client, maybe_authenticated};
use crate::api_error::{ApiError, ApiJson};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::contacts::ContactChange;
use domain::recovery::{ChangeProof, ResetProof};
use domain::{CodeRequest, UserCenter};
use shared::dto::{
    AuthResponse, CaptchaChallenge, ChangeContactRequest, ChangePasswordRequest, CodeLoginRequest,
    CodePurpose, CodeSent, ResetPasswordRequest, SecurityTicket, SendCodeRequest, UserProfile,
    VerifyCodeRequest,
};
use shared::{AppError, ErrorCode, Field};
use std::net::SocketAddr;

pub fn routes() -> Router<UserCenter> {
    Router::new()
        .route("/captcha", get(captcha))
        .route("/codes/send", post(send_code))
        .route("/codes/verify", post(verify_code))
        .route("/auth/login/code", post(login_with_code))
        .route("/auth/password/reset", post(reset_password))
        .route("/me/password", post(change_password))
        .route("/me/contact", post(change_contact))
}

fn purpose(raw: &str) -> Result<CodePurpose, ApiError> {
    CodePurpose::parse(raw).ok_or_else(|| {
        ApiError(AppError::with_message(
            ErrorCode::InvalidInput,
            "purpose must be one of register, login, reset_password, change_contact, bind_contact, pay_password",
        ))
    })
}

async fn captcha(State(uc): State<UserCenter>) -> Result<impl IntoResponse, ApiError> {
    let challenge: CaptchaChallenge = uc.new_captcha().await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(challenge)))
}

async fn send_code(
    State(uc): State<UserCenter>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<SendCodeRequest>,
) -> Result<Json<CodeSent>, ApiError> {
    let purpose = purpose(&req.purpose)?;
    let requester = maybe_authenticated(&uc, &headers).await;
    let sent = uc
        .send_code(
            CodeRequest {
                contact: &req.contact,
                purpose: Some(purpose),
                captcha_key: req.captcha_key.as_deref(),
                captcha_answer: req.captcha_answer.as_deref(),
                lang: app::server::lang_from_headers(&headers),
            },
            requester.map(|a| a.user_id),
            Some(&addr.ip().to_string()),
        )
        .await?;
    Ok(Json(sent))
}

async fn verify_code(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<VerifyCodeRequest>,
) -> Result<Json<SecurityTicket>, ApiError> {
    let purpose = purpose(&req.purpose)?;
    let requester = maybe_authenticated(&uc, &headers).await;
    Ok(Json(
        uc.verify_code(
            &req.contact,
            Some(purpose),
            &req.code,
            requester.map(|a| a.user_id),
        )
        .await?,
    ))
}

async fn login_with_code(
    State(uc): State<UserCenter>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<CodeLoginRequest>,
) -> Result<Json<AuthResponse>, ApiError> {
    Ok(Json(
        uc.login_with_code(&req.contact, &req.code, &client(addr, &headers))
            .await?,
    ))
}

async fn reset_password(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ResetPasswordRequest>,
) -> Result<StatusCode, ApiError> {
    let proof = match (&req.sid, &req.contact, &req.code) {
        (Some(sid), _, _) => ResetProof::Ticket(sid),
        (None, Some(contact), Some(code)) => ResetProof::Code { contact, code },
        _ => {
            return Err(ApiError(AppError::field(ErrorCode::Required, Field::Code)));
        }
    };
    uc.reset_password(
        proof,
        &req.new_password,
        app::server::lang_from_headers(&headers),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn change_password(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ChangePasswordRequest>,
) -> Result<StatusCode, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    let proof = match (&req.current_password, &req.sid) {
        (Some(current), _) => ChangeProof::CurrentPassword(current),
        (None, Some(sid)) => ChangeProof::Ticket(sid),
        (None, None) => {
            return Err(ApiError(AppError::field(
                ErrorCode::ProofRequired,
                Field::CurrentPassword,
            )))
        }
    };
    uc.change_password(&auth, proof, &req.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn change_contact(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ChangeContactRequest>,
) -> Result<Json<UserProfile>, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    Ok(Json(
        uc.change_contact(
            &auth,
            ContactChange {
                contact: &req.contact,
                code: &req.code,
                password: req.password.as_deref(),
                sid: req.sid.as_deref(),
            },
        )
        .await?,
    ))
}
