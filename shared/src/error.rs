//! One error type for every layer the user can see.
//!
//! The `code` is a stable machine string (`EMAIL_TAKEN`, …) that API clients match
//! on and the UI translates; `message` is a plain English fallback. Internal
//! details (SQL, hashes, stack traces) never reach this type: the server logs them
//! and sends `INTERNAL` instead.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Stable error codes. The serialized form is the SCREAMING_SNAKE_CASE name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// A required field was empty.
    Required,
    /// Neither an email nor a phone number was given at sign-up.
    ContactRequired,
    InvalidEmail,
    InvalidPhone,
    InvalidUsername,
    /// The login identifier is neither an email, a phone number nor a username.
    InvalidIdentifier,
    /// A device id, name or OS is empty, too long or has odd characters.
    InvalidDevice,
    WeakPassword,
    EmailTaken,
    PhoneTaken,
    UsernameTaken,
    /// Unknown account or wrong password: deliberately the same code.
    InvalidCredentials,
    /// The account exists but may not sign in (frozen, closed, …).
    AccountDisabled,
    /// Too many failed sign-ins for this identifier; see `locked_until`.
    AccountLocked,
    Unauthenticated,
    /// Token checks for services: the token's time is up.
    TokenExpired,
    /// The token's session was ended (logout, revoked, rotated away).
    TokenRevoked,
    /// Not a JWT we could read (bad encoding, unexpected algorithm such as `none`).
    TokenMalformed,
    /// Readable, but not signed by us.
    TokenInvalidSignature,
    Forbidden,
    NotFound,
    /// The request was malformed (bad JSON, unknown fields, wrong types).
    InvalidInput,
    PayloadTooLarge,
    UnsupportedMediaType,
    /// Something failed on the server; details are in the server log only.
    Internal,
}

impl ErrorCode {
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::Required,
        ErrorCode::ContactRequired,
        ErrorCode::InvalidEmail,
        ErrorCode::InvalidPhone,
        ErrorCode::InvalidUsername,
        ErrorCode::InvalidIdentifier,
        ErrorCode::InvalidDevice,
        ErrorCode::WeakPassword,
        ErrorCode::EmailTaken,
        ErrorCode::PhoneTaken,
        ErrorCode::UsernameTaken,
        ErrorCode::InvalidCredentials,
        ErrorCode::AccountDisabled,
        ErrorCode::AccountLocked,
        ErrorCode::Unauthenticated,
        ErrorCode::TokenExpired,
        ErrorCode::TokenRevoked,
        ErrorCode::TokenMalformed,
        ErrorCode::TokenInvalidSignature,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::InvalidInput,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::Internal,
    ];

    /// The stable wire name, e.g. `EMAIL_TAKEN`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Required => "REQUIRED",
            ErrorCode::ContactRequired => "CONTACT_REQUIRED",
            ErrorCode::InvalidEmail => "INVALID_EMAIL",
            ErrorCode::InvalidPhone => "INVALID_PHONE",
            ErrorCode::InvalidUsername => "INVALID_USERNAME",
            ErrorCode::InvalidIdentifier => "INVALID_IDENTIFIER",
            ErrorCode::InvalidDevice => "INVALID_DEVICE",
            ErrorCode::WeakPassword => "WEAK_PASSWORD",
            ErrorCode::EmailTaken => "EMAIL_TAKEN",
            ErrorCode::PhoneTaken => "PHONE_TAKEN",
            ErrorCode::UsernameTaken => "USERNAME_TAKEN",
            ErrorCode::InvalidCredentials => "INVALID_CREDENTIALS",
            ErrorCode::AccountDisabled => "ACCOUNT_DISABLED",
            ErrorCode::AccountLocked => "ACCOUNT_LOCKED",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::TokenExpired => "TOKEN_EXPIRED",
            ErrorCode::TokenRevoked => "TOKEN_REVOKED",
            ErrorCode::TokenMalformed => "TOKEN_MALFORMED",
            ErrorCode::TokenInvalidSignature => "TOKEN_INVALID_SIGNATURE",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::InvalidInput => "INVALID_INPUT",
            ErrorCode::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorCode::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            ErrorCode::Internal => "INTERNAL",
        }
    }

    pub fn parse(s: &str) -> Option<ErrorCode> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s)
    }

    /// The HTTP status an API response with this code carries.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::Required
            | ErrorCode::ContactRequired
            | ErrorCode::InvalidEmail
            | ErrorCode::InvalidPhone
            | ErrorCode::InvalidUsername
            | ErrorCode::InvalidIdentifier
            | ErrorCode::InvalidDevice
            | ErrorCode::WeakPassword
            | ErrorCode::InvalidInput => 400,
            ErrorCode::InvalidCredentials
            | ErrorCode::Unauthenticated
            | ErrorCode::TokenExpired
            | ErrorCode::TokenRevoked
            | ErrorCode::TokenMalformed
            | ErrorCode::TokenInvalidSignature => 401,
            ErrorCode::AccountDisabled | ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::EmailTaken | ErrorCode::PhoneTaken | ErrorCode::UsernameTaken => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::AccountLocked => 429,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::Internal => 500,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The form field an error belongs to, so the UI can show it next to that field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Email,
    Phone,
    Username,
    Identifier,
    Password,
    DeviceId,
    DeviceName,
    DeviceOs,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Username => "username",
            Field::Identifier => "identifier",
            Field::Password => "password",
            Field::DeviceId => "device_id",
            Field::DeviceName => "name",
            Field::DeviceOs => "os",
        }
    }
}

/// Why a password was refused; refines `WEAK_PASSWORD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    TooCommon,
    MatchesAccount,
}

/// Failure counters of a sign-in identifier, returned with
/// `INVALID_CREDENTIALS` and `ACCOUNT_LOCKED` so the user knows where they stand.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginFailures {
    pub consecutive_failures: u32,
    pub remaining_consecutive: u32,
    pub cumulative_failures: u32,
    pub remaining_cumulative: u32,
    /// Unix seconds; set while the identifier is locked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<i64>,
    /// Seconds until the lock ends, so clients need not trust their own clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<i64>,
}

/// The error every server function and API endpoint returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code}: {message}")]
pub struct AppError {
    pub code: ErrorCode,
    /// English text for logs and API clients; the UI translates `code` instead.
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<Field>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<PasswordProblem>,
    /// Sign-in failure counters, flattened into the error object.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub login: Option<LoginFailures>,
}

impl AppError {
    pub fn new(code: ErrorCode) -> Self {
        AppError {
            code,
            message: default_message(code, None).to_string(),
            field: None,
            reason: None,
            login: None,
        }
    }

    pub fn with_message(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError {
            message: message.into(),
            ..AppError::new(code)
        }
    }

    pub fn field(code: ErrorCode, field: Field) -> Self {
        AppError {
            field: Some(field),
            ..AppError::new(code)
        }
    }

    pub fn weak_password(reason: PasswordProblem) -> Self {
        AppError {
            code: ErrorCode::WeakPassword,
            message: default_message(ErrorCode::WeakPassword, Some(reason)).to_string(),
            field: Some(Field::Password),
            reason: Some(reason),
            login: None,
        }
    }

    pub fn login_failure(code: ErrorCode, counters: LoginFailures) -> Self {
        AppError {
            login: Some(counters),
            ..AppError::new(code)
        }
    }

    pub fn internal() -> Self {
        AppError::new(ErrorCode::Internal)
    }
}

impl From<ErrorCode> for AppError {
    fn from(code: ErrorCode) -> Self {
        AppError::new(code)
    }
}

/// English fallback text for a code.
pub fn default_message(code: ErrorCode, reason: Option<PasswordProblem>) -> &'static str {
    match (code, reason) {
        (ErrorCode::WeakPassword, Some(PasswordProblem::TooShort)) => {
            "Password must be at least 8 characters."
        }
        (ErrorCode::WeakPassword, Some(PasswordProblem::TooLong)) => {
            "Password must be at most 128 characters."
        }
        (ErrorCode::WeakPassword, Some(PasswordProblem::TooCommon)) => {
            "This password is too common. Choose a less predictable one."
        }
        (ErrorCode::WeakPassword, Some(PasswordProblem::MatchesAccount)) => {
            "Password must not be the same as your email, phone or username."
        }
        (ErrorCode::WeakPassword, None) => "Password is too weak.",
        (ErrorCode::Required, _) => "This field is required.",
        (ErrorCode::ContactRequired, _) => "Enter an email address or a phone number.",
        (ErrorCode::InvalidEmail, _) => "Enter a valid email address (at most 128 characters).",
        (ErrorCode::InvalidPhone, _) => {
            "Enter a valid mainland China mobile number: 11 digits starting with 1."
        }
        (ErrorCode::InvalidUsername, _) => {
            "Username must be 3–32 letters, digits, _ or -, and not only digits."
        }
        (ErrorCode::InvalidIdentifier, _) => "Enter your email, phone number or username.",
        (ErrorCode::InvalidDevice, _) => {
            "Device id: 1–128 letters, digits, '.', '_', ':' or '-'; name and OS: 1–64 characters."
        }
        (ErrorCode::EmailTaken, _) => "This email is already registered.",
        (ErrorCode::PhoneTaken, _) => "This phone number is already registered.",
        (ErrorCode::UsernameTaken, _) => "This username is already taken.",
        (ErrorCode::InvalidCredentials, _) => "Incorrect account or password.",
        (ErrorCode::AccountDisabled, _) => "This account cannot sign in.",
        (ErrorCode::AccountLocked, _) => {
            "Too many failed sign-in attempts. This account is temporarily locked."
        }
        (ErrorCode::Unauthenticated, _) => "Please sign in.",
        (ErrorCode::TokenExpired, _) => "The token has expired.",
        (ErrorCode::TokenRevoked, _) => "The token's session has ended.",
        (ErrorCode::TokenMalformed, _) => "The token is malformed.",
        (ErrorCode::TokenInvalidSignature, _) => "The token's signature is not valid.",
        (ErrorCode::Forbidden, _) => "You are not allowed to do this.",
        (ErrorCode::NotFound, _) => "Not found.",
        (ErrorCode::InvalidInput, _) => "The request is malformed.",
        (ErrorCode::PayloadTooLarge, _) => "The request is too large.",
        (ErrorCode::UnsupportedMediaType, _) => "Unsupported content type.",
        (ErrorCode::Internal, _) => "Something went wrong on our side. Please try again.",
    }
}

#[cfg(feature = "server-fn")]
mod server_fn_error {
    use super::{AppError, ErrorCode};
    use server_fn::codec::JsonEncoding;
    use server_fn::error::{FromServerFnError, ServerFnErrorErr};

    impl FromServerFnError for AppError {
        type Encoder = JsonEncoding;

        fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
            match value {
                ServerFnErrorErr::Args(msg) | ServerFnErrorErr::Deserialization(msg) => {
                    AppError::with_message(ErrorCode::InvalidInput, msg)
                }
                ServerFnErrorErr::MissingArg(msg) => {
                    AppError::with_message(ErrorCode::InvalidInput, format!("missing field {msg}"))
                }
                // Transport failures, registration problems and the like: the
                // browser only needs to know that it should try again.
                _ => AppError::internal(),
            }
        }
    }
}
