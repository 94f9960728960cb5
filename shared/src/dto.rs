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
    /// The name to greet the user with: username, else email, else phone.
    pub fn display_name(&self) -> &str {
        self.username
            .as_deref()
            .or(self.email.as_deref())
            .or(self.phone.as_deref())
            .unwrap_or("")
    }
}

/// The answer to a successful sign-in or sign-up. The token is also set as an
/// HttpOnly cookie for browsers; API clients send it as `Authorization: Bearer`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthResponse {
    pub token: String,
    pub token_type: String,
    /// Unix seconds.
    pub expires_at: i64,
    pub user: UserProfile,
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
