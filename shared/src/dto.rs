//! Data transfer objects: what the server sends to the browser and API clients.

use serde::{Deserialize, Serialize};

/// What a signed-in user may see about their own account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserProfile {
    pub id: i64,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub username: Option<String>,
    /// `normal`, `frozen`, `closed`, …
    pub status: String,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl UserProfile {
    /// A short name for the header and avatars: the username, else the part of
    /// the email before `@`, else the phone number with its middle masked
    /// (`138****8000`), so a glance over the shoulder reveals little.
    pub fn short_name(&self) -> String {
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
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// One of the user's active sign-in sessions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    pub password: String,
}

/// A JSON sign-in request of the REST API.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Email, phone number or username.
    pub identifier: String,
    pub password: String,
}

/// `POST /api/v1/auth/check`: the token may also come as `Authorization: Bearer`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenCheckRequest {
    #[serde(default)]
    pub token: Option<String>,
}

/// The answer of a successful token check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenCheckResponse {
    pub user_id: i64,
    pub session_id: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// A device bound to the account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[serde(deny_unknown_fields)]
pub struct BindDeviceRequest {
    pub device_id: String,
    pub name: String,
    pub os: String,
}

/// Whether a device is bound, and the user's group (1 super admin, 2 others).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceCheck {
    pub bound: bool,
    pub group: u8,
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
            status: "normal".into(),
            created_at: String::new(),
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
}
