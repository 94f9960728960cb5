//! Which notices a user switched off, and the language they chose for them.

use crate::{store, DomainError, UserCenter};
use shared::notifications::{check_notice_lang, NotificationPreferences};

impl UserCenter {
    /// The user's choices; every notice on and no language until they save some.
    pub async fn notification_preferences(
        &self,
        user_id: i64,
    ) -> Result<NotificationPreferences, DomainError> {
        let mut conn = self.pool.acquire().await?;
        Ok(store::notifications::preferences(&mut conn, user_id)
            .await?
            .unwrap_or_default())
    }

    /// Saves the user's choices (`INVALID_INPUT` for a language other than
    /// `en` or `zh-CN`) and returns them as stored. Security notices have no
    /// switch, so nothing here can silence them.
    pub async fn set_notification_preferences(
        &self,
        user_id: i64,
        prefs: &NotificationPreferences,
    ) -> Result<NotificationPreferences, DomainError> {
        let lang = check_notice_lang(prefs.lang.as_deref())?;
        let checked = NotificationPreferences {
            lang: lang.map(str::to_string),
            ..prefs.clone()
        };
        let mut conn = self.pool.acquire().await?;
        store::notifications::set_preferences(&mut conn, user_id, &checked, self.now()).await?;
        drop(conn);
        tracing::info!(user_id, "notification preferences saved");
        self.notification_preferences(user_id).await
    }
}
