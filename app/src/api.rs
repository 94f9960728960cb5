//! Server functions: thin adapters from HTTP to the domain.
//!
//! Each one reads the caller from the cookie or `Authorization` header, calls
//! the domain, and maps its error to the shared [`AppError`]. They work from
//! JavaScript and, through plain form posts, without it.

use leptos::prelude::*;
use shared::dto::UserProfile;
use shared::AppError;

/// Creates an account, signs it in and goes to `next` (default `/profile`).
#[server(prefix = "/api/fn", endpoint = "register")]
pub async fn register(
    email: String,
    phone: String,
    username: String,
    password: String,
    next: Option<String>,
) -> Result<UserProfile, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let form = domain::accounts::Registration {
        email: &email,
        phone: &phone,
        username: &username,
        password: &password,
    };
    let res = uc.register(form, &client_info()).await.map_err(reject)?;
    set_auth_cookie(&res.token, res.expires_at)?;
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(res.user)
}

/// Signs in with an email, phone number or username.
#[server(prefix = "/api/fn", endpoint = "login")]
pub async fn login(
    identifier: String,
    password: String,
    next: Option<String>,
) -> Result<UserProfile, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let res = uc
        .login(&identifier, &password, &client_info())
        .await
        .map_err(reject)?;
    set_auth_cookie(&res.token, res.expires_at)?;
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(res.user)
}

/// Ends the current session (the token stops working at once) and clears the
/// cookie. Signing out when not signed in is not an error.
#[server(prefix = "/api/fn", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::*;
    let uc = user_center()?;
    if let Some(token) = request_token() {
        if let Ok(auth) = uc.authenticate(&token).await {
            uc.logout(&auth).await.map_err(reject)?;
        }
    }
    clear_auth_cookie()?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// The signed-in user, or `None` when signed out.
#[server(prefix = "/api/fn", endpoint = "me")]
pub async fn current_user() -> Result<Option<UserProfile>, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let Some(token) = request_token() else {
        return Ok(None);
    };
    match uc.authenticate(&token).await {
        Ok(auth) => uc.profile(auth.user_id).await.map(Some).map_err(reject),
        Err(e) if e.code() == shared::ErrorCode::Unauthenticated => Ok(None),
        Err(e) => Err(reject(e)),
    }
}
