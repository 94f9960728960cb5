//! Server functions: thin adapters from HTTP to the domain.
//!
//! Each one reads the caller from the cookie or `Authorization` header, calls
//! the domain, and maps its error to the shared [`AppError`]. They work from
//! JavaScript and, through plain form posts, without it.

use leptos::prelude::*;
use shared::dto::{SessionInfo, UserProfile};
use shared::AppError;

/// Creates an account, signs it in and goes to `next` (default `/profile`).
/// The real name, gender and ID document are optional, checked as on the
/// profile.
// One argument per form field: the page posts the form as it is, with or
// without JavaScript, so the optional profile fields cannot be grouped.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/api/fn", endpoint = "register")]
pub async fn register(
    email: String,
    phone: String,
    username: String,
    password: String,
    #[server(default)] code: String,
    next: Option<String>,
    #[server(default)] real_name: String,
    #[server(default)] gender: String,
    #[server(default)] id_country: String,
    #[server(default)] id_type: String,
    #[server(default)] id_number: String,
) -> Result<UserProfile, AppError> {
    use crate::server::*;
    use shared::identity::{Gender, IdType};
    let uc = user_center()?;
    let caller = caller().await?;
    // The optional profile counts as given once something of the person is
    // stated (the country and type selects always hold a value).
    let gender = Gender::parse(&gender).unwrap_or_default();
    let stated = !real_name.trim().is_empty()
        || !id_number.trim().is_empty()
        || gender != Gender::Unspecified;
    let identity = stated
        .then(|| shared::dto::RegisterRequest {
            real_name: Some(real_name),
            gender: Some(gender),
            id_country: Some(id_country),
            id_type: IdType::parse(&id_type),
            id_number: Some(id_number),
            ..Default::default()
        })
        .and_then(|r| r.identity());
    let form = domain::accounts::Registration {
        email: &email,
        phone: &phone,
        username: &username,
        password: &password,
        code: &code,
        identity: identity.as_ref(),
    };
    let res = uc.register(form, &caller.client).await.map_err(reject)?;
    set_auth_cookies(&caller, &res)?;
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(res.user)
}

/// Signs in with an email, phone number or username.
#[server(prefix = "/api/fn", endpoint = "login")]
pub async fn login(
    identifier: String,
    password: String,
    #[server(default)] captcha_key: String,
    #[server(default)] captcha_answer: String,
    next: Option<String>,
) -> Result<UserProfile, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let caller = caller().await?;
    let res = uc
        .login(
            &identifier,
            &password,
            Some((captcha_key.as_str(), captcha_answer.as_str())),
            &caller.client,
        )
        .await
        .map_err(reject)?;
    set_auth_cookies(&caller, &res)?;
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(res.user)
}

/// Ends the current session (its tokens stop working at once) and clears the
/// cookies. Signing out when not signed in is not an error.
///
/// Under `/api/auth`, where the browser also sends the refresh cookie (over
/// plain HTTP it is scoped to that path): with a lapsed access token the
/// session is still found, by its refresh token, and revoked rather than
/// left alive until it expires.
#[server(prefix = "/api/auth", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let caller = caller().await?;
    if let Ok(auth) = caller.authenticate(&uc).await {
        uc.logout(&auth).await.map_err(reject)?;
    } else if let Some(refresh) = caller.refresh_token() {
        uc.logout_by_refresh_token(refresh, &caller.client)
            .await
            .map_err(reject)?;
    }
    clear_auth_cookies(&caller)?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// The signed-in user, or `None` when signed out.
#[server(prefix = "/api/fn", endpoint = "me")]
pub async fn current_user() -> Result<Option<UserProfile>, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    match caller().await?.authenticate(&uc).await {
        Ok(auth) => uc.profile(auth.user_id).await.map(Some).map_err(reject),
        Err(e) if e.code() == shared::ErrorCode::Unauthenticated => Ok(None),
        Err(e) => Err(reject(e)),
    }
}

/// Renews the session from the refresh cookie: new access and refresh tokens,
/// as cookies. Returns seconds until the new access token expires, or `None`
/// when there is no live session to renew (the cookies are then cleared).
///
/// `REFRESH_SUPERSEDED` means another tab of this browser refreshed with the
/// same cookie a moment ago: its answer carries the new cookies, so these are
/// left alone (clearing them would sign that tab out too) and the page
/// carries on with them.
#[server(prefix = "/api/auth", endpoint = "refresh")]
pub async fn refresh_session() -> Result<Option<i64>, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let caller = caller().await?;
    let Some(token) = caller.refresh_token() else {
        return Ok(None);
    };
    match uc.refresh(token, &caller.client).await {
        Ok(res) => {
            set_auth_cookies(&caller, &res)?;
            Ok(Some(res.expires_at - domain::clock::now()))
        }
        Err(e) if e.code() == shared::ErrorCode::TokenRevoked => {
            clear_auth_cookies(&caller)?;
            Ok(None)
        }
        Err(e) => Err(reject(e)),
    }
}

/// Seconds until the current access token expires, or `None` when there is
/// no valid one. Lets the page schedule its silent refresh.
#[server(prefix = "/api/fn", endpoint = "session_status")]
pub async fn session_status() -> Result<Option<i64>, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let caller = caller().await?;
    let Some(token) = caller.token() else {
        return Ok(None);
    };
    Ok(uc
        .check_token(token)
        .await
        .ok()
        .map(|c| c.expires_at - domain::clock::now()))
}

/// The signed-in user's live sessions.
#[server(prefix = "/api/fn", endpoint = "sessions")]
pub async fn list_sessions() -> Result<Vec<SessionInfo>, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    uc.list_sessions(&auth).await.map_err(reject)
}

/// Ends one of the signed-in user's sessions (not necessarily this one).
#[server(prefix = "/api/fn", endpoint = "revoke_session")]
pub async fn revoke_session(id: String) -> Result<(), AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let caller = caller().await?;
    let auth = caller.authenticate(&uc).await.map_err(reject)?;
    uc.revoke_own_session(&auth, &id).await.map_err(reject)?;
    if id == auth.session_id {
        clear_auth_cookies(&caller)?;
        leptos_axum::redirect("/login");
    }
    Ok(())
}

/// Ends every session of the signed-in user but this one.
#[server(prefix = "/api/fn", endpoint = "revoke_other_sessions")]
pub async fn revoke_other_sessions() -> Result<u64, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    uc.sign_out_elsewhere(&auth).await.map_err(reject)
}

/// The devices bound to the signed-in user's account.
#[server(prefix = "/api/fn", endpoint = "devices")]
pub async fn list_devices() -> Result<Vec<shared::dto::DeviceInfo>, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    uc.list_devices(auth.user_id).await.map_err(reject)
}

/// Unbinds one of the signed-in user's devices.
#[server(prefix = "/api/fn", endpoint = "remove_device")]
pub async fn remove_device(device_id: String) -> Result<(), AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    uc.remove_device(auth.user_id, &device_id)
        .await
        .map_err(reject)
}
