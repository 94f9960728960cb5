//! Server functions for captchas, codes, code sign-in, password recovery and
//! change, and contact binding: thin adapters to the domain.

use leptos::prelude::*;
use shared::dto::{CaptchaChallenge, CodeSent, UserProfile};
use shared::AppError;

/// A fresh image captcha.
#[server(prefix = "/api/fn", endpoint = "captcha")]
pub async fn new_captcha() -> Result<CaptchaChallenge, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.insert_header(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store"),
        );
    }
    uc.new_captcha(caller().await?.client.ip.as_deref())
        .await
        .map_err(reject)
}

/// Sends a code for `purpose` (`register`, `login`, `reset_password`,
/// `bind_contact`, …) to an email or phone.
#[server(prefix = "/api/fn", endpoint = "send_code")]
pub async fn send_code(
    contact: String,
    purpose: String,
    #[server(default)] captcha_key: String,
    #[server(default)] captcha_answer: String,
) -> Result<CodeSent, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let caller = caller().await?;
    let requester = caller.authenticate(&uc).await.ok().map(|a| a.user_id);
    uc.send_code(
        domain::CodeRequest {
            contact: &contact,
            purpose: shared::dto::CodePurpose::parse(&purpose),
            captcha_key: Some(&captcha_key),
            captcha_answer: Some(&captcha_answer),
            lang: caller.lang,
        },
        requester,
        caller.client.ip.as_deref(),
    )
    .await
    .map_err(reject)
}

/// Signs in with a code sent to a bound email or phone.
#[server(prefix = "/api/fn", endpoint = "login_code")]
pub async fn login_with_code(
    contact: String,
    code: String,
    next: Option<String>,
) -> Result<UserProfile, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let caller = caller().await?;
    let res = uc
        .login_with_code(&contact, &code, &caller.client)
        .await
        .map_err(reject)?;
    set_auth_cookies(&caller, &res)?;
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(res.user)
}

/// Sets a new password with a `reset_password` code. Nobody is signed in:
/// every session ends and the user signs in again.
#[server(prefix = "/api/fn", endpoint = "reset_password")]
pub async fn reset_password(
    contact: String,
    code: String,
    new_password: String,
) -> Result<(), AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let caller = caller().await?;
    uc.reset_password(
        domain::recovery::ResetProof::Code {
            contact: &contact,
            code: &code,
        },
        &new_password,
        caller.lang,
        &caller.client,
    )
    .await
    .map_err(reject)?;
    // Whatever session this browser had has ended too.
    clear_auth_cookies(&caller)?;
    Ok(())
}

/// Changes the signed-in user's password; other sessions end.
#[server(prefix = "/api/fn", endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    uc.change_password(
        &auth,
        domain::recovery::ChangeProof::CurrentPassword(&current_password),
        &new_password,
    )
    .await
    .map_err(reject)
}

/// Binds or replaces the signed-in user's email or phone.
#[server(prefix = "/api/fn", endpoint = "change_contact")]
pub async fn change_contact(
    contact: String,
    code: String,
    #[server(default)] password: String,
) -> Result<UserProfile, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    uc.change_contact(
        &auth,
        domain::contacts::ContactChange {
            contact: &contact,
            code: &code,
            password: Some(&password),
            sid: None,
        },
    )
    .await
    .map_err(reject)
}
