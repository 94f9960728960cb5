//! Codes, captchas, code sign-in, password recovery and change, and binding
//! contacts, over JSON.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use domain::contacts::ContactChange;
use domain::recovery::{ChangeProof, ResetProof};
use domain::{CodeRequest, UserCenter};
use edge::{ApiError, ApiJson, Authed, Caller, MaybeAuthed};
use shared::dto::{
    AuthResponse, CaptchaChallenge, ChangeContactRequest, ChangePasswordRequest, CodeLoginRequest,
    CodePurpose, CodeSent, ResetPasswordRequest, SecurityTicket, SendCodeRequest, UserProfile,
    VerifyCodeRequest,
};
use shared::{AppError, ErrorCode, Field};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<UserCenter> {
    OpenApiRouter::new()
        .routes(routes!(captcha))
        .routes(routes!(send_code))
        .routes(routes!(verify_code))
        .routes(routes!(login_with_code))
        .routes(routes!(reset_password))
        .routes(routes!(change_password))
        .routes(routes!(change_contact))
}

fn purpose(raw: &str) -> Result<CodePurpose, ApiError> {
    CodePurpose::parse(raw).ok_or_else(|| {
        ApiError(AppError::with_message(
            ErrorCode::InvalidInput,
            "purpose must be one of register, login, reset_password, change_contact, bind_contact, pay_password, activation",
        ))
    })
}

/// A new image captcha: one guess, valid 5 minutes.
///
/// Needed before a code goes to a contact that is not the signed-in user's
/// own, and on sign-in after repeated failures.
#[utoipa::path(get, path = "/captcha", tag = "codes",
    responses((status = 200, description = "The key and a PNG data URL", body = CaptchaChallenge)))]
async fn captcha(
    State(uc): State<UserCenter>,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    let challenge: CaptchaChallenge = uc.new_captcha(caller.client.ip.as_deref()).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(challenge)))
}

/// Sends a six-digit code for one purpose to an email or phone.
///
/// `purpose` is `register`, `login`, `reset_password`, `change_contact`,
/// `bind_contact`, `pay_password` or `activation`. One code per contact per
/// minute (`429 CODE_SEND_TOO_SOON`), daily caps per contact and IP
/// (`429 CODE_DAILY_LIMIT`). For `login`, `reset_password` and `activation`
/// the answer is the same whether or not an account has the contact (an
/// `activation` code goes only to a pre-opened account). The Bearer token is
/// optional: with it, the user's own contacts need no captcha.
#[utoipa::path(post, path = "/codes/send", tag = "codes", security((), ("bearer" = [])),
    request_body = SendCodeRequest,
    responses((status = 200, description = "Sent (or pretended to be, see above)", body = CodeSent)))]
async fn send_code(
    State(uc): State<UserCenter>,
    caller: Caller,
    MaybeAuthed(requester): MaybeAuthed,
    ApiJson(req): ApiJson<SendCodeRequest>,
) -> Result<Json<CodeSent>, ApiError> {
    let purpose = purpose(&req.purpose)?;
    let sent = uc
        .send_code(
            CodeRequest {
                contact: &req.contact,
                purpose: Some(purpose),
                captcha_key: req.captcha_key.as_deref(),
                captcha_answer: req.captcha_answer.as_deref(),
                lang: caller.lang,
            },
            requester.map(|a| a.user_id),
            caller.client.ip.as_deref(),
        )
        .await?;
    Ok(Json(sent))
}

/// Trades a code for a one-time security ticket (`sid`).
///
/// The ticket unlocks the operation of the code's purpose (password reset,
/// contact change, PIN reset). A wrong, expired or used code is always
/// `CODE_INCORRECT`.
#[utoipa::path(post, path = "/codes/verify", tag = "codes", security((), ("bearer" = [])),
    request_body = VerifyCodeRequest,
    responses((status = 200, description = "The ticket", body = SecurityTicket)))]
async fn verify_code(
    State(uc): State<UserCenter>,
    MaybeAuthed(requester): MaybeAuthed,
    ApiJson(req): ApiJson<VerifyCodeRequest>,
) -> Result<Json<SecurityTicket>, ApiError> {
    let purpose = purpose(&req.purpose)?;
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

/// Signs in with a `login` code sent to a bound email or phone.
#[utoipa::path(post, path = "/auth/login/code", tag = "auth",
    request_body = CodeLoginRequest,
    responses((status = 200, description = "A new session", body = AuthResponse)))]
async fn login_with_code(
    State(uc): State<UserCenter>,
    caller: Caller,
    ApiJson(req): ApiJson<CodeLoginRequest>,
) -> Result<Json<AuthResponse>, ApiError> {
    Ok(Json(
        uc.login_with_code(&req.contact, &req.code, &caller.client)
            .await?,
    ))
}

/// Sets a new password with a `reset_password` ticket, or the contact and code.
///
/// Every session ends and the other channel is told; nobody is signed in.
#[utoipa::path(post, path = "/auth/password/reset", tag = "auth",
    request_body = ResetPasswordRequest,
    responses((status = 204, description = "The password is replaced")))]
async fn reset_password(
    State(uc): State<UserCenter>,
    caller: Caller,
    ApiJson(req): ApiJson<ResetPasswordRequest>,
) -> Result<StatusCode, ApiError> {
    let proof = match (&req.sid, &req.contact, &req.code) {
        (Some(sid), _, _) => ResetProof::Ticket(sid),
        (None, Some(contact), Some(code)) => ResetProof::Code { contact, code },
        _ => {
            return Err(ApiError(AppError::field(ErrorCode::Required, Field::Code)));
        }
    };
    uc.reset_password(proof, &req.new_password, caller.lang, &caller.client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes the password with the current one or a `reset_password` ticket.
///
/// The other sessions end.
#[utoipa::path(post, path = "/me/password", tag = "me", security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses((status = 204, description = "Changed")))]
async fn change_password(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
    ApiJson(req): ApiJson<ChangePasswordRequest>,
) -> Result<StatusCode, ApiError> {
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

/// Adds or replaces the email or phone.
///
/// A `bind_contact` code proves the new contact; replacing one also needs
/// the password or a `change_contact` ticket from the old contact.
#[utoipa::path(post, path = "/me/contact", tag = "me", security(("bearer" = [])),
    request_body = ChangeContactRequest,
    responses((status = 200, description = "The account", body = UserProfile)))]
async fn change_contact(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
    ApiJson(req): ApiJson<ChangeContactRequest>,
) -> Result<Json<UserProfile>, ApiError> {
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
