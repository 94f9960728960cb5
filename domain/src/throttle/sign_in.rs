//! The sign-in side of the limiter: which key an attempt counts against, when
//! a captcha is needed, and the staff unlock.

use super::{account_key, Kind};
use crate::{store, DomainError, UserCenter};
use shared::ErrorCode;

/// The key a sign-in attempt counts against: the account when the identifier
/// resolves to one, so its email, phone and username share one counter;
/// otherwise the normalised identifier, so unknown accounts are counted (and
/// answered) the same way.
pub(crate) fn sign_in_key(account: Option<i64>, identifier_key: &str) -> String {
    account.map_or_else(|| identifier_key.to_string(), account_key)
}

impl UserCenter {
    /// Whether the next sign-in must carry a solved captcha: after a few
    /// consecutive failures for the key, or when the client's IP has failed
    /// too often within the hour.
    pub(crate) async fn sign_in_needs_captcha(
        &self,
        key: &str,
        ip: Option<&str>,
    ) -> Result<bool, DomainError> {
        if self.captcha_after_failures(Kind::SignIn, key).await? {
            return Ok(true);
        }
        let Some(ip) = ip else { return Ok(false) };
        let from_ip = self.throttle_state(Kind::SignInIp, ip).await?;
        Ok(from_ip.cumulative >= i64::from(self.settings.throttle.ip_captcha_after))
    }

    /// Counts a failed sign-in against the client's IP.
    pub(crate) async fn count_ip_failure(&self, ip: Option<&str>) -> Result<(), DomainError> {
        if let Some(ip) = ip {
            self.charge(Kind::SignInIp, ip).await?;
        }
        Ok(())
    }

    /// Lifts a lock and clears the failure history of one sign-in key: a
    /// normalised identifier (`email:a@b.co`) or `user:<id>`; for staff.
    pub async fn unlock_identifier(&self, identifier: &str) -> Result<(), DomainError> {
        let mut tx = crate::store::begin_write(&self.pool).await?;
        self.clear_throttle(&mut tx, Kind::SignIn, identifier)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Lifts the sign-in lock of a user: the account's counter and any left
    /// on its identifiers from before they were counted together.
    pub async fn unlock_user(&self, user_id: i64) -> Result<(), DomainError> {
        let keys = self.sign_in_keys(user_id).await?;
        let mut tx = crate::store::begin_write(&self.pool).await?;
        for key in keys {
            self.clear_throttle(&mut tx, Kind::SignIn, &key).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// When the sign-in lock of a user ends, if one is on.
    pub(crate) async fn sign_in_locked_until(
        &self,
        user_id: i64,
    ) -> Result<Option<i64>, DomainError> {
        let now = self.now();
        let mut until = None;
        for key in self.sign_in_keys(user_id).await? {
            let state = self.throttle_state(Kind::SignIn, &key).await?;
            until = until.max(state.locked_until.filter(|&u| u > now));
        }
        Ok(until)
    }

    /// The account key and the user's identifier keys.
    async fn sign_in_keys(&self, user_id: i64) -> Result<Vec<String>, DomainError> {
        let mut conn = self.pool.acquire().await?;
        let (email, phone, username) = store::users::sign_in_identifiers(&mut conn, user_id)
            .await?
            .ok_or(DomainError::from(ErrorCode::NotFound))?;
        Ok([
            Some(account_key(user_id)),
            email.map(|e| format!("email:{e}")),
            phone.map(|p| format!("phone:{p}")),
            username.map(|u| format!("username:{u}")),
        ]
        .into_iter()
        .flatten()
        .collect())
    }
}
