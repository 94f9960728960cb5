//! Editing one's own profile: display name, gender, real name and ID
//! document.
//!
//! Once a real-name submission is pending or approved, the real name and the
//! ID document are what staff looked at, so they can no longer be edited
//! here (`VERIFICATION_PENDING` / `ALREADY_VERIFIED`); gender stays
//! editable but must still agree with a mainland ID number.

use crate::verification::locked;
use crate::{store, DomainError, UserCenter};
use shared::dto::UserProfile;
use shared::identity::{self, CivilDate, Gender, IdType};
use shared::profile::AccountState;
use shared::profile::{UpdateProfileRequest, VerificationKind, VerificationState};
use shared::{AppError, ErrorCode, Field};

/// The profile's own fields, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ProfileFields {
    pub(crate) display_name: Option<String>,
    pub(crate) real_name: Option<String>,
    pub(crate) gender: Gender,
    pub(crate) id_country: String,
    pub(crate) id_type: IdType,
    pub(crate) id_number: Option<String>,
}

impl ProfileFields {
    /// A new account's: nothing stated, the ID document's defaults (`CN`,
    /// mainland resident ID), as the columns default.
    pub(crate) fn new_account() -> Self {
        ProfileFields {
            display_name: None,
            real_name: None,
            gender: Gender::Unspecified,
            id_country: "CN".to_string(),
            id_type: IdType::MainlandId,
            id_number: None,
        }
    }

    /// `change` applied: the fields that are present replace these (an
    /// empty `display_name`, `real_name` or `id_number` clears it), and the
    /// result is checked as a whole, so changing only the type or the
    /// gender re-checks the number. The one set of rules for the profile
    /// page and for sign-up.
    pub(crate) fn merged(
        &self,
        change: &UpdateProfileRequest,
        today: CivilDate,
    ) -> Result<ProfileFields, AppError> {
        let optional = |raw: &str, check: fn(&str) -> Result<String, AppError>| {
            if raw.trim().is_empty() {
                Ok(None)
            } else {
                check(raw).map(Some)
            }
        };
        let display_name = match &change.display_name {
            Some(raw) => optional(raw, identity::normalize_display_name)?,
            None => self.display_name.clone(),
        };
        let real_name = match &change.real_name {
            Some(raw) => optional(raw, identity::normalize_real_name)?,
            None => self.real_name.clone(),
        };
        let gender = change.gender.unwrap_or(self.gender);
        let id_country = match &change.id_country {
            Some(raw) => identity::normalize_country(raw)?,
            None => self.id_country.clone(),
        };
        let id_type = change.id_type.unwrap_or(self.id_type);
        let raw_number = match &change.id_number {
            Some(raw) => Some(raw.clone()),
            None => self.id_number.clone(),
        };
        let id_number = match raw_number.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(identity::normalize_id_number(id_type, raw, gender, today)?),
        };
        Ok(ProfileFields {
            display_name,
            real_name,
            gender,
            id_country,
            id_type,
            id_number,
        })
    }

    /// Writes the fields to the account, inside the caller's connection or
    /// transaction.
    pub(crate) async fn store(
        &self,
        conn: &mut crate::store::Conn,
        vault: &crate::vault::Vault,
        user_id: i64,
        now: i64,
    ) -> Result<(), DomainError> {
        let columns = store::users::ProfileColumns {
            display_name: self.display_name.as_deref(),
            real_name: self.real_name.as_deref(),
            gender: self.gender.as_str(),
            id_country: &self.id_country,
            id_type: self.id_type.as_str(),
            id_number: self.id_number.as_deref(),
        };
        Ok(store::users::set_profile(conn, vault, user_id, &columns, now).await?)
    }
}

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
        if current.account_state == AccountState::Closed {
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

        let stored = ProfileFields {
            display_name: current.display_name.clone(),
            real_name: current.real_name.clone(),
            gender: current.gender,
            id_country: current.id_country.clone(),
            id_type: current.id_type,
            id_number: row.id_number.clone(),
        };
        let today = CivilDate::china_from_unix(self.now());
        let merged = stored.merged(change, today)?;
        {
            let mut conn = self.pool.acquire().await?;
            merged
                .store(&mut conn, self.vault().await?, user_id, self.now())
                .await?;
        }
        tracing::info!(user_id, "profile updated");
        self.profile(user_id).await
    }

    /// Checks the profile of a new account (the optional fields of a
    /// sign-up) by the profile's rules, before the account is created.
    pub fn check_new_profile(&self, change: &UpdateProfileRequest) -> Result<(), DomainError> {
        ProfileFields::new_account().merged(change, CivilDate::china_from_unix(self.now()))?;
        Ok(())
    }

    /// Whether the user's real name is verified (for features that require
    /// it, e.g. larger payments).
    pub async fn is_real_name_verified(&self, user_id: i64) -> Result<bool, DomainError> {
        Ok(self
            .latest_verification(
                &mut *self.pool.acquire().await?,
                user_id,
                VerificationKind::RealName,
            )
            .await?
            .is_some_and(|v| v.state() == VerificationState::Verified))
    }
}
