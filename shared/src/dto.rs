//! Data transfer objects: what the server sends to the browser and API clients.

use crate::identity::{Gender, IdType};
use crate::profile::{AccountState, Role, VerificationState};
use serde::{Deserialize, Serialize};

/// What a signed-in user may see about their own account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserProfile {
    pub id: i64,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub username: Option<String>,
    /// An email given at sign-up that no code has proven yet: not usable
    /// until the owner proves it (binds it with a code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_email: Option<String>,
    /// A phone number given at sign-up that no code has proven yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_phone: Option<String>,
    /// Whether the email was proven by a code.
    #[serde(default)]
    pub email_verified: bool,
    /// Whether the phone number was proven by a code.
    #[serde(default)]
    pub phone_verified: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// The nickname shown to others, if set.
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub real_name: Option<String>,
    #[serde(default)]
    pub gender: Gender,
    /// ISO 3166-1 alpha-2 country of the ID document.
    #[serde(default = "default_id_country")]
    pub id_country: String,
    #[serde(default)]
    pub id_type: IdType,
    /// The ID number masked (`1101**********002X`); absent when none is set.
    #[serde(default)]
    pub id_number_masked: Option<String>,
    /// The ID number in full: only in answers to staff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    /// The real-name verification's state.
    #[serde(default)]
    pub verification: VerificationState,
    /// Why the last real-name submission was rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_reason: Option<String>,
    /// `active`, `frozen`, `closed` or `pre_opened`, whatever the
    /// verification. The one place the account's state is carried; the seed
    /// facades derive their own status numbers from it.
    #[serde(default)]
    pub account_state: AccountState,
    /// The uploaded avatar, 256 × 256 PNG (`/media/avatars/{hash}-256.png`);
    /// `None` means the default avatar (initials on a colour derived from
    /// the id, see [`crate::media::default_avatar_svg`]). A new upload
    /// changes the URL, so it may be cached forever.
    #[serde(default)]
    pub avatar_url: Option<String>,
    /// The same avatar at 64 × 64, for small places such as the header.
    #[serde(default)]
    pub avatar_small_url: Option<String>,
    /// `user`, `staff` or `super_admin`. Informational (the console link);
    /// the server checks the role itself on every staff request.
    #[serde(default)]
    pub role: Role,
}

impl UserProfile {
    /// Whether the staff console is open to this user.
    pub fn is_staff(&self) -> bool {
        self.role.is_staff()
    }
}

fn default_id_country() -> String {
    crate::identity::DEFAULT_ID_COUNTRY.to_string()
}

impl UserProfile {
    /// A short name for the header and avatars: the display name, else the
    /// username, else the part of
    /// the email before `@`, else the phone number with its middle masked
    /// (`138****8000`), so a glance over the shoulder reveals little.
    pub fn short_name(&self) -> String {
        if let Some(d) = &self.display_name {
            return d.clone();
        }
        if let Some(u) = &self.username {
            return u.clone();
        }
        if let Some((local, _)) = self.email.as_deref().and_then(|e| e.split_once('@')) {
            return local.to_string();
        }
        match self.phone.as_deref() {
            Some(p) if p.len() == 11 => format!("{}****{}", &p[..3], &p[7..]),
            Some(p) => p.to_string(),
            None => String::new(),
        }
    }
}

/// The answer to a successful sign-in or sign-up. The token is also set as an
/// HttpOnly cookie for browsers; API clients send it as `Authorization: Bearer`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthResponse {
    /// The access token (JWT).
    pub token: String,
    pub token_type: String,
    /// When the access token expires, Unix seconds.
    pub expires_at: i64,
    /// Opaque; exchange it at `/api/v1/auth/refresh` for new tokens. Each use
    /// replaces it; a replaced one used again ends the session.
    pub refresh_token: String,
    /// When the session ends unless refreshed, Unix seconds.
    pub refresh_expires_at: i64,
    pub user: UserProfile,
}

/// `POST /api/v1/auth/refresh`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// One of the user's active sign-in sessions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    pub id: String,
    /// A short description of the client, e.g. "Chrome on Linux".
    pub label: String,
    pub ip: Option<String>,
    pub device_id: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub last_seen_at: String,
    /// Whether this is the session making the request.
    pub current: bool,
}

/// A JSON sign-up request of the REST API.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    pub password: String,
    /// The code sent to the email (or, without one, the phone) for purpose
    /// `register`; required unless the server turned that off.
    #[serde(default)]
    pub code: Option<String>,
    /// Optional, as on the profile: the real name (1–64 characters).
    #[serde(default)]
    pub real_name: Option<String>,
    #[serde(default)]
    pub gender: Option<Gender>,
    /// The ID document's country, ISO 3166-1 alpha-2 (default `CN`).
    #[serde(default)]
    pub id_country: Option<String>,
    /// Default `mainland_id`.
    #[serde(default)]
    pub id_type: Option<IdType>,
    /// Checked as on the profile (a mainland ID number against the gender).
    #[serde(default)]
    pub id_number: Option<String>,
}

impl RegisterRequest {
    /// The optional profile fields as a profile change, `None` when none
    /// is given (blank text counts as not given).
    pub fn identity(&self) -> Option<crate::profile::UpdateProfileRequest> {
        let text = |v: &Option<String>| v.clone().filter(|t| !t.trim().is_empty());
        let change = crate::profile::UpdateProfileRequest {
            display_name: None,
            real_name: text(&self.real_name),
            gender: self.gender,
            id_country: text(&self.id_country),
            id_type: self.id_type,
            id_number: text(&self.id_number),
        };
        (change != crate::profile::UpdateProfileRequest::default()).then_some(change)
    }
}

/// A JSON sign-in request of the REST API.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Email, phone number or username.
    pub identifier: String,
    pub password: String,
    /// Needed after repeated failures (the error says `captcha_required`).
    #[serde(default)]
    pub captcha_key: Option<String>,
    #[serde(default)]
    pub captcha_answer: Option<String>,
}

/// `POST /api/v1/auth/check`: the token may also come as `Authorization: Bearer`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TokenCheckRequest {
    #[serde(default)]
    pub token: Option<String>,
}

/// The answer of a successful token check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenCheckResponse {
    pub user_id: i64,
    pub session_id: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// A device bound to the account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceInfo {
    pub device_id: String,
    pub name: String,
    pub os: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

/// `POST /api/v1/devices`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BindDeviceRequest {
    pub device_id: String,
    pub name: String,
    pub os: String,
}

/// Whether a device is bound, and the user's group (1 super admin, 2 others).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceCheck {
    pub bound: bool,
    pub group: u8,
}

/// What a verification code is for. A code for one purpose never works for another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CodePurpose {
    Register,
    Login,
    ResetPassword,
    ChangeContact,
    BindContact,
    PayPassword,
    /// Activating a pre-opened account: proves the contact it was opened for.
    Activation,
}

impl CodePurpose {
    pub const ALL: &'static [CodePurpose] = &[
        CodePurpose::Register,
        CodePurpose::Login,
        CodePurpose::ResetPassword,
        CodePurpose::ChangeContact,
        CodePurpose::BindContact,
        CodePurpose::PayPassword,
        CodePurpose::Activation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CodePurpose::Register => "register",
            CodePurpose::Login => "login",
            CodePurpose::ResetPassword => "reset_password",
            CodePurpose::ChangeContact => "change_contact",
            CodePurpose::BindContact => "bind_contact",
            CodePurpose::PayPassword => "pay_password",
            CodePurpose::Activation => "activation",
        }
    }

    pub fn parse(s: &str) -> Option<CodePurpose> {
        Self::ALL.iter().copied().find(|p| p.as_str() == s)
    }
}

/// `POST /api/v1/auth/login/code`: sign in with a `login` code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CodeLoginRequest {
    pub contact: String,
    pub code: String,
}

/// An image captcha to solve. The key goes back with the answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaptchaChallenge {
    pub key: String,
    /// `data:image/png;base64,…`
    pub image: String,
    pub expires_in_secs: i64,
}

/// `POST /api/v1/codes/send`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SendCodeRequest {
    /// Email address or phone number.
    pub contact: String,
    pub purpose: String,
    #[serde(default)]
    pub captcha_key: Option<String>,
    #[serde(default)]
    pub captcha_answer: Option<String>,
}

/// The answer to a send request. For sign-in and password recovery it is the
/// same whether or not an account has the contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeSent {
    /// The contact as the user may see it, masked.
    pub sent_to: String,
    /// How long the code stays valid.
    pub expires_in_secs: i64,
    /// When the next code for this contact may be requested.
    pub retry_after_secs: i64,
}

/// `POST /api/v1/codes/verify`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VerifyCodeRequest {
    pub contact: String,
    pub purpose: String,
    pub code: String,
}

/// A one-time security ticket: proof that a code was entered, consumed by the
/// operation it unlocks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecurityTicket {
    pub sid: String,
    pub expires_in_secs: i64,
}

/// `POST /api/v1/auth/password/reset`: a `sid` from a `reset_password` code,
/// or the contact and the code themselves.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    #[serde(default)]
    pub sid: Option<String>,
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    pub new_password: String,
}

/// `POST /api/v1/me/password`: the current password, or a `sid` from a
/// `reset_password` code sent to a bound contact.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    #[serde(default)]
    pub current_password: Option<String>,
    #[serde(default)]
    pub sid: Option<String>,
    pub new_password: String,
}

/// `POST /api/v1/me/contact`: bind or replace the email or phone. The code
/// (purpose `bind_contact`) proves the new contact; replacing one also needs
/// the password or a `sid` from a `change_contact` code sent to the old one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeContactRequest {
    pub contact: String,
    pub code: String,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub sid: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(email: Option<&str>, phone: Option<&str>, username: Option<&str>) -> UserProfile {
        UserProfile {
            id: 1,
            email: email.map(str::to_string),
            phone: phone.map(str::to_string),
            username: username.map(str::to_string),
            pending_email: None,
            pending_phone: None,
            email_verified: false,
            phone_verified: false,
            created_at: String::new(),
            display_name: None,
            real_name: None,
            gender: Gender::Unspecified,
            id_country: "CN".into(),
            id_type: IdType::MainlandId,
            id_number_masked: None,
            id_number: None,
            verification: VerificationState::Unverified,
            verification_reason: None,
            account_state: AccountState::Active,
            role: Role::User,
            avatar_url: None,
            avatar_small_url: None,
        }
    }

    #[test]
    fn short_name_prefers_username_then_email_then_masked_phone() {
        assert_eq!(
            user(Some("a@b.co"), Some("13800138000"), Some("bob")).short_name(),
            "bob"
        );
        assert_eq!(
            user(Some("alice@b.co"), Some("13800138000"), None).short_name(),
            "alice"
        );
        assert_eq!(
            user(None, Some("13800138000"), None).short_name(),
            "138****8000"
        );
    }

    #[test]
    fn profiles_without_the_new_fields_still_parse() {
        let old = r#"{"id":7,"email":"a@b.co","phone":null,"username":null,
            "status":"normal","created_at":"2024-01-01T00:00:00Z"}"#;
        let parsed: UserProfile = serde_json::from_str(old).unwrap();
        assert_eq!(parsed.id_country, "CN");
        assert_eq!(parsed.verification, VerificationState::Unverified);
        assert_eq!(parsed.account_state, AccountState::Active);
        assert_eq!(parsed.role, Role::User);
        // The full ID number is never sent unless set (staff answers only).
        let json = serde_json::to_value(user(None, Some("13800138000"), None)).unwrap();
        assert!(json.get("id_number").is_none());
        assert_eq!(json["verification"], "unverified");
        // One account state on the wire; the seeds' status numbers are
        // the facades' business.
        assert_eq!(json["account_state"], "active");
        assert!(json.get("status").is_none() && json.get("status_code").is_none());
        assert_eq!(json["role"], "user");
    }

    #[test]
    fn display_name_comes_first_in_short_names() {
        let mut u = user(Some("a@b.co"), None, Some("bob"));
        u.display_name = Some("小明".into());
        assert_eq!(u.short_name(), "小明");
    }
}
