//! Which notices a user switched off, and the language they chose for them.

use crate::{DomainError, UserCenter};
use shared::notifications::{check_notice_lang, NotificationPreferences};

#[derive(sqlx::FromRow)]
struct Row {
    lang: Option<String>,
    review_decided: bool,
    account_unfrozen: bool,
    money_received: bool,
}

impl UserCenter {
    /// The user's choices; every notice on and no language until they save some.
    pub async fn notification_preferences(
        &self,
        user_id: i64,
    ) -> Result<NotificationPreferences, DomainError> {
        let row: Option<Row> = sqlx::query_as(
            "SELECT lang, review_decided, account_unfrozen, money_received
             FROM notification_preferences WHERE user_id = ?",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map_or_else(NotificationPreferences::default, |r| {
            NotificationPreferences {
                review_decided: r.review_decided,
                account_unfrozen: r.account_unfrozen,
                money_received: r.money_received,
                lang: r.lang,
            }
        }))
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
        sqlx::query(
            "INSERT INTO notification_preferences
               (user_id, lang, review_decided, account_unfrozen, money_received, updated_at)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (user_id) DO UPDATE SET lang = excluded.lang,
               review_decided = excluded.review_decided,
               account_unfrozen = excluded.account_unfrozen,
               money_received = excluded.money_received, updated_at = excluded.updated_at",
        )
        .bind(user_id)
        .bind(lang)
        .bind(prefs.review_decided)
        .bind(prefs.account_unfrozen)
        .bind(prefs.money_received)
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        tracing::info!(user_id, "notification preferences saved");
        self.notification_preferences(user_id).await
    }
}
