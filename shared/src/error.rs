//! One error type for every layer the user can see.
//!
//! The `code` is a stable machine string (`EMAIL_TAKEN`, …) that API clients match
//! on and the UI translates; `message` is a plain English fallback. Internal
//! details (SQL, hashes, stack traces) never reach this type: the server logs them
//! and sends `INTERNAL` instead.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Declares [`ErrorCode`] from one table, so each code's wire name, HTTP
/// status and English text sit on one line and cannot drift apart.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $name:ident: $wire:literal, $status:literal, $text:literal;)+) => {
        /// Stable error codes. The serialized form is the SCREAMING_SNAKE_CASE name.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum ErrorCode {
            $($(#[$doc])* $name,)+
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$name,)+];

            /// The stable wire name, e.g. `EMAIL_TAKEN`.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$name => $wire,)+ }
            }

            /// The HTTP status an API response with this code carries.
            pub fn http_status(self) -> u16 {
                match self { $(ErrorCode::$name => $status,)+ }
            }

            /// Plain English text for logs and API clients.
            pub fn english(self) -> &'static str {
                match self { $(ErrorCode::$name => $text,)+ }
            }
        }
    };
}

error_codes! {
    /// A required field was empty.
    Required: "REQUIRED", 400, "This field is required.";
    /// Neither an email nor a phone number was given at sign-up.
    ContactRequired: "CONTACT_REQUIRED", 400, "Enter an email address or a phone number.";
    InvalidEmail: "INVALID_EMAIL", 400, "Enter a valid email address (at most 128 characters).";
    InvalidPhone: "INVALID_PHONE", 400, "Enter a valid mainland China mobile number: 11 digits starting with 1.";
    InvalidUsername: "INVALID_USERNAME", 400, "Username must be 3–32 letters, digits, _ or -, and not only digits.";
    /// The login identifier is neither an email, a phone number nor a username.
    InvalidIdentifier: "INVALID_IDENTIFIER", 400, "Enter your email, phone number or username.";
    /// A device id, name or OS is empty, too long or has odd characters.
    InvalidDevice: "INVALID_DEVICE", 400, "Device id: 1–128 letters, digits, '.', '_', ':' or '-'; name and OS: 1–64 characters.";
    WeakPassword: "WEAK_PASSWORD", 400, "Password is too weak.";
    EmailTaken: "EMAIL_TAKEN", 409, "This email is already registered.";
    PhoneTaken: "PHONE_TAKEN", 409, "This phone number is already registered.";
    UsernameTaken: "USERNAME_TAKEN", 409, "This username is already taken.";
    /// Unknown account or wrong password: deliberately the same code.
    InvalidCredentials: "INVALID_CREDENTIALS", 401, "Incorrect account or password.";
    /// The account exists but may not sign in (frozen, closed, …).
    AccountDisabled: "ACCOUNT_DISABLED", 403, "This account cannot sign in.";
    /// The account was opened for its owner (pre-opened) and is not
    /// activated yet; told only to someone who proved the password or a code.
    AccountNotActivated: "ACCOUNT_NOT_ACTIVATED", 403, "This account has not been activated yet. Activate it with the code sent to your email or phone.";
    /// Activation of an account that is already active (another request
    /// activated it first, or it never was pre-opened).
    AccountAlreadyActive: "ACCOUNT_ALREADY_ACTIVE", 409, "This account is already activated. Sign in instead.";
    /// Too many failed sign-ins for this identifier; see `locked_until`.
    AccountLocked: "ACCOUNT_LOCKED", 429, "Too many failed sign-in attempts. This account is temporarily locked.";
    /// Too many wrong current passwords given to confirm a change; see `retry_after_secs`.
    ReentryLocked: "REENTRY_LOCKED", 429, "Too many incorrect passwords. Confirming changes with your password is locked for a while.";
    /// Too many requests of this kind from here (captcha images, or attempts
    /// still waiting for earlier ones); see `retry_after_secs`.
    RateLimited: "RATE_LIMITED", 429, "Too many requests. Please wait a moment and try again.";
    Unauthenticated: "UNAUTHENTICATED", 401, "Please sign in.";
    /// Token checks for services: the token's time is up.
    TokenExpired: "TOKEN_EXPIRED", 401, "The token has expired.";
    /// The token's session was ended (logout, revoked, rotated away).
    TokenRevoked: "TOKEN_REVOKED", 401, "The token's session has ended.";
    /// The refresh token was rotated a moment ago by another request (a
    /// second tab): not a theft. Keep the cookies and retry with the new ones.
    RefreshSuperseded: "REFRESH_SUPERSEDED", 409, "This session was just refreshed by another tab or request. Retry with the newest tokens.";
    /// Not a JWT we could read (bad encoding, unexpected algorithm such as `none`).
    TokenMalformed: "TOKEN_MALFORMED", 401, "The token is malformed.";
    /// Readable, but not signed by us.
    TokenInvalidSignature: "TOKEN_INVALID_SIGNATURE", 401, "The token's signature is not valid.";
    /// Sign-in by password from a device not bound to the account, while the
    /// server requires a code for that.
    DeviceCodeRequired: "DEVICE_CODE_REQUIRED", 403, "This device is not bound to your account. Sign in with a code sent to your email or phone.";
    // Signed service API
    /// `X-App-Id`, `X-Req-Time`, `X-Transaction-Id` or `X-Sign` is missing.
    SignatureMissing: "SIGNATURE_MISSING", 401, "Signed requests need X-App-Id, X-Req-Time, X-Transaction-Id and X-Sign.";
    AppUnknown: "APP_UNKNOWN", 401, "Unknown or disabled app.";
    /// `X-Req-Time` is not a Unix time within five minutes of the server's.
    RequestExpired: "REQUEST_EXPIRED", 401, "X-Req-Time must be Unix seconds within five minutes of the server's clock.";
    SignatureInvalid: "SIGNATURE_INVALID", 401, "The signature does not match the request.";
    /// The app used this transaction id before.
    TransactionReplayed: "TRANSACTION_REPLAYED", 409, "This transaction id was already used.";
    ScopeMissing: "SCOPE_MISSING", 403, "This app is not allowed to do this.";
    /// `GET /service/users?ids=` with more than 100 ids.
    TooManyIds: "TOO_MANY_IDS", 400, "Ask for at most 100 ids at a time.";
    // Codes, captcha and security tickets
    /// Not an email address or a mainland China mobile number.
    InvalidContact: "INVALID_CONTACT", 400, "Enter a valid email address or mainland China mobile number.";
    /// The code is not 6 digits.
    InvalidCode: "INVALID_CODE", 400, "Enter the 6-digit code we sent you.";
    /// Wrong, expired, used, or dead after too many attempts: deliberately one code.
    CodeIncorrect: "CODE_INCORRECT", 400, "The code is incorrect or has expired. Request a new one if needed.";
    /// The per-contact cooldown has not passed; see `retry_after_secs`.
    CodeSendTooSoon: "CODE_SEND_TOO_SOON", 429, "Please wait before requesting another code.";
    /// The daily cap for this contact or network was reached.
    CodeDailyLimit: "CODE_DAILY_LIMIT", 429, "Too many codes were requested today. Try again tomorrow.";
    CaptchaRequired: "CAPTCHA_REQUIRED", 400, "Enter the characters shown in the image.";
    /// Wrong, expired or already used: the client should load a new image.
    CaptchaIncorrect: "CAPTCHA_INCORRECT", 400, "The characters did not match. Try the new image.";
    /// The security ticket (`sid`) is unknown, expired, used, or for another purpose.
    TicketInvalid: "TICKET_INVALID", 403, "This verification has expired or was already used. Verify again.";
    /// The email or SMS provider failed or timed out.
    DeliveryFailed: "DELIVERY_FAILED", 503, "We could not send the message. Try again in a minute.";
    /// The contact is not on the signed-in account.
    ContactNotBound: "CONTACT_NOT_BOUND", 400, "This email or phone number is not on your account.";
    /// The current password given to confirm a change is wrong.
    PasswordIncorrect: "PASSWORD_INCORRECT", 403, "The current password is incorrect.";
    /// Changing a bound contact needs the password or a ticket from the old contact.
    ProofRequired: "PROOF_REQUIRED", 400, "Confirm with your current password or a code sent to your current contact.";
    /// The new contact is the one already on the account.
    ContactUnchanged: "CONTACT_UNCHANGED", 400, "This is already your current contact.";
    Forbidden: "FORBIDDEN", 403, "You are not allowed to do this.";
    /// A state-changing request that carries the site's cookies (or signs in)
    /// came from another origin, or from nowhere the server can tell.
    CsrfRejected: "CSRF_REJECTED", 403, "This request did not come from this site's own pages, so it was refused. Reload the page and try again.";
    NotFound: "NOT_FOUND", 404, "Not found.";
    /// The request was malformed (bad JSON, unknown fields, wrong types).
    InvalidInput: "INVALID_INPUT", 400, "The request is malformed.";
    PayloadTooLarge: "PAYLOAD_TOO_LARGE", 413, "The request is too large.";
    UnsupportedMediaType: "UNSUPPORTED_MEDIA_TYPE", 415, "Unsupported content type.";
    // Wallet
    /// An amount that is not digits with at most one decimal point.
    InvalidAmount: "INVALID_AMOUNT", 400, "Enter an amount using digits and at most one decimal point, e.g. 12.50.";
    AmountExponent: "AMOUNT_EXPONENT", 400, "Write the amount out in full, without exponent notation such as 1e3.";
    AmountGrouping: "AMOUNT_GROUPING", 400, "Enter the amount without thousands separators, e.g. 1234.50.";
    /// More decimal places than the currency's scale.
    AmountTooPrecise: "AMOUNT_TOO_PRECISE", 400, "The amount has more decimal places than this currency allows.";
    AmountNegative: "AMOUNT_NEGATIVE", 400, "The amount cannot be negative.";
    AmountNotPositive: "AMOUNT_NOT_POSITIVE", 400, "The amount must be greater than zero.";
    AmountTooLarge: "AMOUNT_TOO_LARGE", 400, "The amount is too large.";
    /// A client idempotency key that is empty, too long or has odd characters.
    InvalidRequestId: "INVALID_REQUEST_ID", 400, "Request id: 1–64 letters, digits, '.', '_', ':' or '-'.";
    InvalidMemo: "INVALID_MEMO", 400, "The note may have at most 200 characters and no control characters.";
    /// A currency definition (code, name or scale) that staff entered is invalid.
    InvalidCurrency: "INVALID_CURRENCY", 400, "Currency code: 2–10 capital letters or digits; name: 1–64 characters; scale: 0–8.";
    UnknownCurrency: "UNKNOWN_CURRENCY", 404, "This currency is not supported.";
    CurrencyDisabled: "CURRENCY_DISABLED", 409, "This currency is currently disabled.";
    CurrencyExists: "CURRENCY_EXISTS", 409, "This currency already exists.";
    /// A currency alias that is malformed, or more than 16 of them.
    InvalidCurrencyAlias: "INVALID_CURRENCY_ALIAS", 400, "Aliases: at most 16, each 1–32 letters, digits, _ or -.";
    /// The alias (or new code) is already a code or an alias of a currency.
    CurrencyAliasTaken: "CURRENCY_ALIAS_TAKEN", 409, "This code or alias already names a currency.";
    /// Changing the scale of a currency that has journal rows.
    CurrencyScaleLocked: "CURRENCY_SCALE_LOCKED", 409, "The scale cannot change once money has moved in this currency.";
    InsufficientFunds: "INSUFFICIENT_FUNDS", 409, "Insufficient available balance.";
    /// Unfreezing or settling more than is frozen.
    InsufficientFrozen: "INSUFFICIENT_FROZEN", 409, "The amount is more than the frozen balance.";
    /// The operation would take a balance above the ledger's maximum.
    BalanceLimit: "BALANCE_LIMIT", 409, "This would take the balance above the maximum allowed.";
    CannotTransferToSelf: "CANNOT_TRANSFER_TO_SELF", 400, "You cannot transfer money to yourself.";
    RecipientNotFound: "RECIPIENT_NOT_FOUND", 404, "No account was found for this recipient.";
    /// The recipient exists but is frozen, closed or not yet reviewed.
    RecipientUnavailable: "RECIPIENT_UNAVAILABLE", 409, "This recipient cannot receive payments right now.";
    /// The account is frozen, closed or not reviewed, so its money may not move.
    WalletRestricted: "WALLET_RESTRICTED", 403, "This account cannot make or receive payments right now.";
    /// The request id was used before with different content.
    IdempotencyConflict: "IDEMPOTENCY_CONFLICT", 409, "This request id was already used for a different request.";
    InvalidPin: "INVALID_PIN", 400, "The payment PIN must be exactly 6 digits.";
    /// All digits the same, or a straight run such as 123456 or 987654.
    WeakPin: "WEAK_PIN", 400, "This PIN is too easy to guess. Avoid repeated digits and runs like 123456.";
    PinSameAsPassword: "PIN_SAME_AS_PASSWORD", 400, "The payment PIN must differ from your sign-in password.";
    PinAlreadySet: "PIN_ALREADY_SET", 409, "A payment PIN is already set.";
    PinNotSet: "PIN_NOT_SET", 409, "Set a payment PIN first.";
    /// Wrong PIN; `remaining_consecutive` says how many tries are left.
    PinIncorrect: "PIN_INCORRECT", 403, "Incorrect payment PIN.";
    /// Too many wrong PINs; see `locked_until` and `retry_after_secs`.
    PinLocked: "PIN_LOCKED", 429, "Too many incorrect PINs. Payments are locked for a while.";
    // Profile
    InvalidDisplayName: "INVALID_DISPLAY_NAME", 400, "The display name may have at most 32 characters and no control characters.";
    InvalidRealName: "INVALID_REAL_NAME", 400, "The real name may have at most 64 characters and no control characters.";
    /// Not a two-letter ISO 3166 country code.
    InvalidCountry: "INVALID_COUNTRY", 400, "Choose the country that issued the document (two-letter code such as CN).";
    /// Wrong length, characters or GB 11643 check character.
    InvalidIdNumber: "INVALID_ID_NUMBER", 400, "Enter a valid ID number: 18 characters, the last one a digit or X.";
    /// The birth date inside a resident ID does not exist or is in the future.
    IdBirthDateInvalid: "ID_BIRTH_DATE_INVALID", 400, "The birth date in this ID number is not a real past date.";
    /// The resident ID encodes the other gender than the one stated.
    IdGenderMismatch: "ID_GENDER_MISMATCH", 400, "The gender does not match the one encoded in the ID number.";
    InvalidPassport: "INVALID_PASSPORT", 400, "Enter a passport number of 5–20 letters or digits.";
    /// A review or closing reason that is empty, too long or has control characters.
    InvalidReason: "INVALID_REASON", 400, "Give a reason of at most 200 characters.";
    /// A real-name submission is already awaiting review.
    VerificationPending: "VERIFICATION_PENDING", 409, "Your submission is being reviewed. Please wait for the result.";
    AlreadyVerified: "ALREADY_VERIFIED", 409, "This has already been verified.";
    /// Staff tried to approve a real name whose ID number already verifies
    /// another account (found through its blind index).
    IdNumberInUse: "ID_NUMBER_IN_USE", 409, "This ID number already verifies another account.";
    /// A real-name submission without the separate consent to processing
    /// identity documents (PIPL art. 29) in force.
    ConsentRequired: "CONSENT_REQUIRED", 409, "Agree to the processing of your identity document before submitting it.";
    /// Staff tried to approve or reject something that is not awaiting review.
    NotPendingReview: "NOT_PENDING_REVIEW", 409, "There is no submission awaiting review.";
    /// An account with money in it (posted or frozen) cannot be closed.
    BalanceNotZero: "BALANCE_NOT_ZERO", 409, "Withdraw or transfer all balances before closing the account.";
    AccountClosed: "ACCOUNT_CLOSED", 409, "This account is closed.";
    /// The two PIN entries differ.
    PinMismatch: "PIN_MISMATCH", 400, "The two PINs do not match.";
    // Staff console
    /// Staff turned off sign-in for this account (a permission flag, not a freeze).
    LoginNotAllowed: "LOGIN_NOT_ALLOWED", 403, "Sign-in has been disabled for this account. Contact support.";
    TransferNotAllowed: "TRANSFER_NOT_ALLOWED", 403, "Transfers have been disabled for this account.";
    WithdrawNotAllowed: "WITHDRAW_NOT_ALLOWED", 403, "Withdrawals have been disabled for this account.";
    /// A batch of new users had bad rows; `rows` lists them and nothing was created.
    BatchInvalid: "BATCH_INVALID", 400, "Some rows are invalid, so no user was created. Fix the rows listed and try again.";
    BatchTooLarge: "BATCH_TOO_LARGE", 400, "A batch may have at most 50 users.";
    /// The user has no email (or phone) to send a message to.
    NoSuchContact: "NO_SUCH_CONTACT", 409, "The user has no contact of this kind to send to.";
    /// A staff message that is empty or too long.
    InvalidMessage: "INVALID_MESSAGE", 400, "Write a message of at most 500 characters (subject at most 100).";
    // Avatars and documents
    /// The uploaded file has no bytes.
    ImageEmpty: "IMAGE_EMPTY", 400, "The file is empty. Choose an image.";
    /// More bytes than an upload may have (5 MB).
    ImageTooLarge: "IMAGE_TOO_LARGE", 413, "The image may be at most 5 MB.";
    /// The header claims more pixels than allowed (4096 × 4096): refused
    /// before decoding, so a small file cannot expand into gigabytes.
    ImageDimensionsTooLarge: "IMAGE_DIMENSIONS_TOO_LARGE", 400, "The image may be at most 4096 × 4096 pixels.";
    /// Not a JPEG, PNG, WebP or GIF (a text file, a BMP, a PDF, …).
    ImageUnsupported: "IMAGE_UNSUPPORTED", 415, "Upload a JPEG, PNG, WebP or GIF image.";
    /// Recognised as an image but truncated or damaged.
    ImageCorrupt: "IMAGE_CORRUPT", 400, "The image could not be read. It may be damaged or incomplete.";
    /// A document id in a submission that is not the user's, is of another
    /// kind, or already belongs to another submission.
    InvalidDocument: "INVALID_DOCUMENT", 400, "This document cannot be attached. Upload it again.";
    /// The user already has the most unattached documents allowed (20):
    /// submit or wait for the old ones to expire (24 hours) first.
    DocumentQuota: "DOCUMENT_QUOTA", 409, "You have too many photos waiting to be submitted. Submit them, or try again tomorrow.";
    /// Free space on the server's data disk is under the configured floor;
    /// uploads are refused before they could fill it.
    StorageFull: "STORAGE_FULL", 507, "The server is out of storage space. Please try again later.";
    // Importing users (`server import users`)
    /// A legacy password hash of an unknown scheme, or not of its scheme's
    /// form (hex length, bcrypt or argon2 string, salt), or too costly.
    InvalidLegacyHash: "INVALID_LEGACY_HASH", 400, "The password hash does not match its scheme's format.";
    /// An account status that is neither a state name nor a seed's status number.
    InvalidStatus: "INVALID_STATUS", 400, "Unknown account status: use normal, frozen or closed, or a seed status number 0–5.";
    /// Something failed on the server; details are in the server log only.
    Internal: "INTERNAL", 500, "Something went wrong on our side. Please try again.";
}

impl ErrorCode {
    pub fn parse(s: &str) -> Option<ErrorCode> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The form field an error belongs to, so the UI can show it next to that field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    Contact,
    Code,
    Captcha,
    CurrentPassword,
    NewPassword,
    DisplayName,
    RealName,
    Gender,
    IdCountry,
    IdType,
    IdNumber,
    Reason,
    /// The payment PIN (activation sets it beside the password).
    Pin,
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
            Field::Contact => "contact",
            Field::Code => "code",
            Field::Captcha => "captcha_answer",
            Field::CurrentPassword => "current_password",
            Field::NewPassword => "new_password",
            Field::DisplayName => "display_name",
            Field::RealName => "real_name",
            Field::Gender => "gender",
            Field::IdCountry => "id_country",
            Field::IdType => "id_type",
            Field::IdNumber => "id_number",
            Field::Reason => "reason",
            Field::Pin => "pin",
        }
    }
}

/// Why a password was refused; refines `WEAK_PASSWORD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginFailures {
    pub consecutive_failures: u32,
    pub remaining_consecutive: u32,
    pub cumulative_failures: u32,
    pub remaining_cumulative: u32,
    /// Unix seconds; set while the identifier is locked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<i64>,
}

/// The error every server function and API endpoint returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// Seconds until the request may succeed (a lock ends, the next code may be
    /// sent), so clients need not trust their own clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<i64>,
    /// The next attempt must carry a solved image captcha.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub captcha_required: bool,
    /// Per-row problems of a batch (`BATCH_INVALID`), in row order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<RowError>,
}

/// What is wrong with one row of a batch: its 1-based line and the first
/// problem found in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowError {
    pub line: u32,
    pub code: ErrorCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<Field>,
}

impl AppError {
    pub fn new(code: ErrorCode) -> Self {
        AppError {
            code,
            message: default_message(code, None).to_string(),
            field: None,
            reason: None,
            login: None,
            retry_after_secs: None,
            captcha_required: false,
            rows: Vec::new(),
        }
    }

    /// Adds how long the client should wait before trying again.
    pub fn retry_after(mut self, secs: i64) -> Self {
        self.retry_after_secs = Some(secs.max(0));
        self
    }

    /// Names the field this error belongs to, unless it names one already.
    pub fn with_field(mut self, field: Field) -> Self {
        self.field.get_or_insert(field);
        self
    }

    /// Marks that the next attempt needs a captcha.
    pub fn needing_captcha(mut self) -> Self {
        self.captcha_required = true;
        self
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
            ..AppError::new(ErrorCode::WeakPassword)
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
        (_, _) => code.english(),
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
