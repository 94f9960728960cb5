//! Server functions of the notice choices on `/security`: thin adapters to
//! the domain.

use leptos::prelude::*;
use shared::notifications::NotificationPreferences;
use shared::AppError;

/// The signed-in user's notice choices.
#[server(prefix = "/api/fn", endpoint = "notification_preferences")]
pub async fn load_notification_preferences() -> Result<NotificationPreferences, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    uc.notification_preferences(auth.user_id)
        .await
        .map_err(reject)
}

/// Saves the choices; a checkbox that is not ticked is absent, and an empty
/// `lang` means "the language of the page I use".
#[server(prefix = "/api/fn", endpoint = "save_notification_preferences")]
pub async fn save_notification_preferences(
    #[server(default)] review_decided: Option<String>,
    #[server(default)] account_unfrozen: Option<String>,
    #[server(default)] money_received: Option<String>,
    #[server(default)] lang: String,
) -> Result<NotificationPreferences, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    let on = |v: Option<String>| v.is_some_and(|v| v != "false" && v != "off");
    let prefs = NotificationPreferences {
        review_decided: on(review_decided),
        account_unfrozen: on(account_unfrozen),
        money_received: on(money_received),
        lang: Some(lang).filter(|l| !l.trim().is_empty()),
    };
    uc.set_notification_preferences(auth.user_id, &prefs)
        .await
        .map_err(reject)
}
