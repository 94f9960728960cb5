//! The signed-in user's notice choices over JSON (the `/security` page has
//! the same form).

use axum::extract::State;
use axum::Json;
use domain::UserCenter;
use edge::{ApiError, ApiJson, Authed};
use shared::notifications::NotificationPreferences;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<UserCenter> {
    OpenApiRouter::new().routes(routes!(preferences, set_preferences))
}

/// Which notices the user switched off, and their language.
///
/// Security notices (contact changed, PIN set or changed, sign-in from a new
/// device, account frozen or closed, password reset) are always sent and
/// have no switch.
#[utoipa::path(get, path = "/me/notifications", tag = "me", security(("bearer" = [])),
    responses((status = 200, description = "The choices; all on and no language until saved", body = NotificationPreferences)))]
async fn preferences(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
) -> Result<Json<NotificationPreferences>, ApiError> {
    Ok(Json(uc.notification_preferences(auth.user_id).await?))
}

/// Saves the notice choices: every switch, and `lang` (`en`, `zh-CN`, or
/// `null` for the language of the request that causes each notice;
/// `400 INVALID_INPUT` otherwise).
#[utoipa::path(put, path = "/me/notifications", tag = "me", security(("bearer" = [])),
    request_body = NotificationPreferences,
    responses((status = 200, description = "The choices as stored", body = NotificationPreferences)))]
async fn set_preferences(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
    ApiJson(req): ApiJson<NotificationPreferences>,
) -> Result<Json<NotificationPreferences>, ApiError> {
    Ok(Json(
        uc.set_notification_preferences(auth.user_id, &req).await?,
    ))
}
