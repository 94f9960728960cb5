//! Editing one's own profile: display name, gender, real name and ID
//! document.
//!
//! Once a real-name submission is pending or approved, the real name and the
//! ID document are what staff looked at, so they can no longer be edited
//! here (`VERIFICATION_PENDING` / `ALREADY_VERIFIED`); gender stays
//! editable but must still agree with a mainland ID number.

use crate::verification::locked;
use crate::{DomainError, UserCenter};
use shared::dto::UserProfile;
use shared::identity::{self, CivilDate, Gender, IdType};
use shared::profile::{UpdateProfileRequest, VerificationKind, VerificationState};
use shared::{ErrorCode, Field};

impl UserCenter {
    /// Applies the fields that are present; an empty `display_name`,
    /// `real_name` or `id_number` clears it. The merged profile is checked as
    /// a whole, so changing only the type or the gender re-checks the
    /// stored number. Returns the updated profile.
    pub async fn update_profile(
        &self,
        user_id: i64,
        change: &UpdateProfileRequest,
    ) -> Result<UserProfile, DomainError> {
        let current = self.profile(user_id).await?;
        if current.status == "closed" {
            return Err(ErrorCode::AccountClosed.into());
        }
        let row = self.user_row(user_id).await?;
        let touches_identity = [
            (change.real_name.is_some(), Field::RealName),
            (change.id_country.is_some(), Field::IdCountry),
            (change.id_type.is_some(), Field::IdType),
            (change.id_number.is_some(), Field::IdNumber),
        ];
        let lock = match current.verification {
            VerificationState::Pending => Some(ErrorCode::VerificationPending),
            VerificationState::Verified => Some(ErrorCode::AlreadyVerified),
            _ => None,
        };
        if let (Some(code), Some((_, field))) = (lock, touches_identity.iter().find(|t| t.0)) {
            return Err(locked(code, *field));
        }

        let optional = |raw: &str, check: fn(&str) -> Result<String, shared::AppError>| {
            if raw.trim().is_empty() {
                Ok(None)
            } else {
                check(raw).map(Some)
            }
        };
        let display_name = match &change.display_name {
            Some(raw) => optional(raw, identity::normalize_display_name)?,
            None => current.display_name.clone(),
        };
        let real_name = match &change.real_name {
            Some(raw) => optional(raw, identity::normalize_real_name)?,
            None => current.real_name.clone(),
        };
        let gender: Gender = change.gender.unwrap_or(current.gender);
        let id_country = match &change.id_country {
            Some(raw) => identity::normalize_country(raw)?,
            None => current.id_country.clone(),
        };
        let id_type: IdType = change.id_type.unwrap_or(current.id_type);
        let raw_number = match &change.id_number {
            Some(raw) => Some(raw.clone()),
            None => row.id_number.clone(),
        };
        let today = CivilDate::china_from_unix(self.now());
        let id_number = match raw_number.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(identity::normalize_id_number(id_type, raw, gender, today)?),
        };

        sqlx::query(
            "UPDATE users SET display_name = ?, real_name = ?, gender = ?, id_country = ?,
                    id_type = ?, id_number = ?, updated_at = ?
             WHERE id = ?",
        )
        .bind(&display_name)
        .bind(&real_name)
        .bind(gender.as_str())
        .bind(&id_country)
        .bind(id_type.as_str())
        .bind(&id_number)
        .bind(self.now())
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        tracing::info!(user_id, "profile updated");
        self.profile(user_id).await
    }

    /// Whether the user's real name is verified (for features that require
    /// it, e.g. larger payments).
    pub async fn is_real_name_verified(&self, user_id: i64) -> Result<bool, DomainError> {
        Ok(self
            .latest_verification(&self.pool, user_id, VerificationKind::RealName)
            .await?
            .is_some_and(|v| v.state() == VerificationState::Verified))
    }
}
