//! Input rules shared by the browser and the server.
//!
//! Each `normalize_*` function returns the canonical form that is stored and
//! compared, so that `A@B.com` and `a@b.com`, or `+86 138 0013 8000` and
//! `13800138000`, are the same account.

use crate::error::{AppError, ErrorCode, Field, PasswordProblem};
use email_address::EmailAddress;

pub const EMAIL_MAX_CHARS: usize = 128;
pub const USERNAME_MIN_CHARS: usize = 3;
pub const USERNAME_MAX_CHARS: usize = 32;
pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// The most common passwords of at least 8 characters (from Django's list,
/// which is derived from leaked password corpora), one per line, lower-case.
/// Server only: the browser's forms skip this check (the server makes it),
/// so the list is not shipped to every visitor.
#[cfg(feature = "server")]
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// Trims and lower-cases an email address and checks its form.
pub fn normalize_email(raw: &str) -> Result<String, AppError> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err(AppError::field(ErrorCode::Required, Field::Email));
    }
    let invalid = || AppError::field(ErrorCode::InvalidEmail, Field::Email);
    if email.chars().count() > EMAIL_MAX_CHARS {
        return Err(invalid());
    }
    // Quoted local parts, comments and display names are legal in RFC 5322 but
    // are not addresses anyone types into a sign-up form.
    if email.chars().any(|c| {
        c.is_whitespace()
            || c.is_control()
            || matches!(
                c,
                '"' | '(' | ')' | '<' | '>' | ',' | ';' | '[' | ']' | '\\'
            )
    }) {
        return Err(invalid());
    }
    if !EmailAddress::is_valid(&email) {
        return Err(invalid());
    }
    let (_, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
    let domain_ok = domain.contains('.')
        && domain
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
    if !domain_ok {
        return Err(invalid());
    }
    Ok(email)
}

/// Normalises a mainland China mobile number: spaces and dashes removed, an
/// optional `+86` prefix dropped, then exactly 11 digits starting with 1.
pub fn normalize_phone(raw: &str) -> Result<String, AppError> {
    let compact: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '\u{a0}'))
        .collect();
    if compact.is_empty() {
        return Err(AppError::field(ErrorCode::Required, Field::Phone));
    }
    let digits = compact.strip_prefix("+86").unwrap_or(&compact);
    let valid =
        digits.len() == 11 && digits.starts_with('1') && digits.bytes().all(|b| b.is_ascii_digit());
    if valid {
        Ok(digits.to_string())
    } else {
        Err(AppError::field(ErrorCode::InvalidPhone, Field::Phone))
    }
}

/// Checks a username (kept as typed, trimmed). Uniqueness is case-insensitive:
/// see [`username_key`].
pub fn normalize_username(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(AppError::field(ErrorCode::Required, Field::Username));
    }
    let len = name.chars().count();
    let charset_ok = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    // All digits would be indistinguishable from a phone number at login.
    let all_digits = name.chars().all(|c| c.is_ascii_digit());
    if (USERNAME_MIN_CHARS..=USERNAME_MAX_CHARS).contains(&len) && charset_ok && !all_digits {
        Ok(name.to_string())
    } else {
        Err(AppError::field(ErrorCode::InvalidUsername, Field::Username))
    }
}

/// The case-folded form of a valid username, used for uniqueness and login.
pub fn username_key(username: &str) -> String {
    username.to_ascii_lowercase()
}

/// Whether the password is in the bundled list of common passwords.
#[cfg(feature = "server")]
pub fn is_common_password(password: &str) -> bool {
    let lower = password.to_lowercase();
    COMMON_PASSWORDS.lines().any(|line| line == lower)
}

/// The account's own identifiers, which a password must not repeat.
#[derive(Clone, Copy, Debug, Default)]
pub struct AccountNames<'a> {
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub username: Option<&'a str>,
}

/// How long a new password must and may be, in characters.
///
/// The product's own rule is [`PasswordLengths::PRODUCT`]; an entry point
/// that speaks another system's API may hold its clients to that system's
/// rule instead (see `domain::password_policy`). Only setting a password
/// checks lengths: sign-in accepts any stored password up to
/// [`PASSWORD_MAX_CHARS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordLengths {
    pub min: usize,
    pub max: usize,
}

impl PasswordLengths {
    /// 8–128: the product's rule everywhere but the seed facades.
    pub const PRODUCT: PasswordLengths = PasswordLengths {
        min: PASSWORD_MIN_CHARS,
        max: PASSWORD_MAX_CHARS,
    };
}

/// NIST 800-63B style policy: length 8–128 (in characters, any characters
/// allowed), not a common password, not the account's own email, phone or
/// username. Without the `server` feature (in the browser) the common
/// password check is skipped: the server makes it.
pub fn check_password(password: &str, names: AccountNames<'_>) -> Result<(), AppError> {
    check_password_within(password, names, PasswordLengths::PRODUCT)
}

/// [`check_password`] with other length limits; the other rules (not
/// common, not the account's own names) stay.
pub fn check_password_within(
    password: &str,
    names: AccountNames<'_>,
    lengths: PasswordLengths,
) -> Result<(), AppError> {
    let len = password.chars().count();
    if len == 0 {
        return Err(AppError::field(ErrorCode::Required, Field::Password));
    }
    if len < lengths.min {
        return Err(AppError::weak_password(PasswordProblem::TooShort));
    }
    if len > lengths.max {
        return Err(AppError::weak_password(PasswordProblem::TooLong));
    }
    let lower = password.to_lowercase();
    let same_as =
        |name: Option<&str>| name.is_some_and(|n| !n.is_empty() && n.to_lowercase() == lower);
    if same_as(names.email) || same_as(names.phone) || same_as(names.username) {
        return Err(AppError::weak_password(PasswordProblem::MatchesAccount));
    }
    #[cfg(feature = "server")]
    if is_common_password(password) {
        return Err(AppError::weak_password(PasswordProblem::TooCommon));
    }
    Ok(())
}

/// What a user signs in with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identifier {
    Email(String),
    Phone(String),
    /// The case-folded username key.
    Username(String),
}

impl Identifier {
    /// The canonical string, used as the key of per-identifier counters.
    pub fn key(&self) -> String {
        match self {
            Identifier::Email(e) => format!("email:{e}"),
            Identifier::Phone(p) => format!("phone:{p}"),
            Identifier::Username(u) => format!("username:{u}"),
        }
    }
}

/// Decides whether a login identifier is an email (has `@`), a phone number
/// (digits, optionally `+86`) or a username (anything else that is valid).
pub fn parse_identifier(raw: &str) -> Result<Identifier, AppError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(AppError::field(ErrorCode::Required, Field::Identifier));
    }
    let invalid = || AppError::field(ErrorCode::InvalidIdentifier, Field::Identifier);
    if trimmed.contains('@') {
        return normalize_email(trimmed)
            .map(Identifier::Email)
            .map_err(|_| invalid());
    }
    let looks_numeric = trimmed
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-'));
    if looks_numeric {
        return normalize_phone(trimmed)
            .map(Identifier::Phone)
            .map_err(|_| invalid());
    }
    normalize_username(trimmed)
        .map(|u| Identifier::Username(username_key(&u)))
        .map_err(|_| invalid())
}

/// An email address or phone number that codes can be sent to, normalised.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Contact {
    Email(String),
    Phone(String),
}

impl Contact {
    /// The canonical string (`email:a@b.co`), shared with sign-in identifiers
    /// so the same address has one set of counters.
    pub fn key(&self) -> String {
        match self {
            Contact::Email(e) => format!("email:{e}"),
            Contact::Phone(p) => format!("phone:{p}"),
        }
    }

    pub fn value(&self) -> &str {
        match self {
            Contact::Email(v) | Contact::Phone(v) => v,
        }
    }

    pub fn is_email(&self) -> bool {
        matches!(self, Contact::Email(_))
    }

    /// `z***@example.com` or `138****0000`: enough for the owner to recognise.
    pub fn masked(&self) -> String {
        match self {
            Contact::Email(e) => mask_email(e),
            Contact::Phone(p) => mask_phone(p),
        }
    }
}

/// `alice@example.com` → `a***@example.com`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_string(),
    }
}

/// `13800138000` → `138****8000`.
pub fn mask_phone(phone: &str) -> String {
    if phone.len() == 11 && phone.is_ascii() {
        format!("{}****{}", &phone[..3], &phone[7..])
    } else {
        "****".to_string()
    }
}

/// Parses where a code should go: an email address or a mainland mobile number.
pub fn parse_contact(raw: &str) -> Result<Contact, AppError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(AppError::field(ErrorCode::Required, Field::Contact));
    }
    let invalid = || AppError::field(ErrorCode::InvalidContact, Field::Contact);
    if trimmed.contains('@') {
        normalize_email(trimmed)
            .map(Contact::Email)
            .map_err(|_| invalid())
    } else {
        normalize_phone(trimmed)
            .map(Contact::Phone)
            .map_err(|_| invalid())
    }
}

/// Number of digits in a verification code.
pub const CODE_LENGTH: usize = 6;

/// A verification code as typed: surrounding spaces are ignored, and it must
/// be exactly six ASCII digits (full-width digits from a phone keyboard are
/// not digits here, so they get a clear error instead of a silent mismatch).
pub fn check_code(raw: &str) -> Result<String, AppError> {
    let code: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if code.is_empty() {
        return Err(AppError::field(ErrorCode::Required, Field::Code));
    }
    if code.len() != CODE_LENGTH || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::field(ErrorCode::InvalidCode, Field::Code));
    }
    Ok(code)
}

/// A captcha answer as typed: trimmed and upper-cased (answers are
/// case-insensitive); at most 16 characters so junk is refused cheaply.
pub fn check_captcha_answer(raw: &str) -> Result<String, AppError> {
    let answer = raw.trim().to_uppercase();
    if answer.is_empty() {
        return Err(AppError::field(ErrorCode::CaptchaRequired, Field::Captcha).needing_captcha());
    }
    if answer.chars().count() > 16 {
        return Err(AppError::field(ErrorCode::CaptchaIncorrect, Field::Captcha).needing_captcha());
    }
    Ok(answer)
}

/// Where to continue after signing in: only a same-site path, never `//host`,
/// `/\\host` or a scheme, so `?next=` cannot send anyone to another site.
/// Defaults to `/profile`.
pub fn safe_next_path(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(|c| c.is_control()) =>
        {
            n.to_string()
        }
        _ => "/profile".to_string(),
    }
}

/// A client-chosen device id: 1–128 of letters, digits, `.`, `_`, `:`, `-`.
pub fn check_device_id(raw: &str) -> Result<String, AppError> {
    let id = raw.trim();
    let ok = (1..=128).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-'));
    if ok {
        Ok(id.to_string())
    } else {
        Err(AppError::field(ErrorCode::InvalidDevice, Field::DeviceId))
    }
}

/// A device's display name or OS: 1–64 printable characters.
pub fn check_device_field(raw: &str, field: Field) -> Result<String, AppError> {
    let value = raw.trim();
    let ok = (1..=64).contains(&value.chars().count()) && !value.chars().any(char::is_control);
    if ok {
        Ok(value.to_string())
    } else {
        Err(AppError::field(ErrorCode::InvalidDevice, field))
    }
}

/// A sign-up request after every rule has passed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidRegistration {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub username: Option<String>,
    pub password: String,
}

/// Checks every field of a sign-up form and returns all problems at once, so
/// the form can mark each field.
pub fn validate_registration(
    email: &str,
    phone: &str,
    username: &str,
    password: &str,
) -> Result<ValidRegistration, Vec<AppError>> {
    validate_registration_within(email, phone, username, password, PasswordLengths::PRODUCT)
}

/// [`validate_registration`] with other password length limits.
pub fn validate_registration_within(
    email: &str,
    phone: &str,
    username: &str,
    password: &str,
    lengths: PasswordLengths,
) -> Result<ValidRegistration, Vec<AppError>> {
    let mut errors = Vec::new();
    let mut optional = |raw: &str, f: fn(&str) -> Result<String, AppError>| {
        if raw.trim().is_empty() {
            None
        } else {
            f(raw).map_err(|e| errors.push(e)).ok()
        }
    };
    let email_v = optional(email, normalize_email);
    let phone_v = optional(phone, normalize_phone);
    let username_v = optional(username, normalize_username);
    if email.trim().is_empty() && phone.trim().is_empty() {
        errors.push(AppError::field(ErrorCode::ContactRequired, Field::Email));
    }
    let names = AccountNames {
        email: email_v.as_deref(),
        phone: phone_v.as_deref(),
        username: username_v.as_deref(),
    };
    if let Err(e) = check_password_within(password, names, lengths) {
        errors.push(e);
    }
    if errors.is_empty() {
        Ok(ValidRegistration {
            email: email_v,
            phone: phone_v,
            username: username_v,
            password: password.to_string(),
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code<T: std::fmt::Debug>(r: Result<T, AppError>) -> ErrorCode {
        r.expect_err("expected an error").code
    }

    #[test]
    fn email_is_trimmed_and_lowercased() {
        assert_eq!(
            normalize_email("  Alice@Example.COM ").unwrap(),
            "alice@example.com"
        );
    }

    #[test]
    fn email_rejects_bad_forms() {
        for bad in [
            "alice",
            "alice@",
            "@example.com",
            "alice@example",
            "alice@@example.com",
            "al ice@example.com",
            "\"al\"@example.com",
            "Alice <alice@example.com>",
            "alice@-example.com",
            "alice@example..com",
        ] {
            assert_eq!(code(normalize_email(bad)), ErrorCode::InvalidEmail, "{bad}");
        }
        assert_eq!(code(normalize_email("   ")), ErrorCode::Required);
    }

    #[test]
    fn email_length_limit_is_128_characters() {
        let ok = format!("{}@example.com", "a".repeat(128 - 12));
        assert_eq!(ok.len(), 128);
        // RFC 5321 caps the local part at 64, so build a long domain instead.
        let ok = format!(
            "a@{}.com",
            "b".repeat(60) + "." + &"c".repeat(128 - 2 - 61 - 4)
        );
        assert_eq!(ok.chars().count(), 128);
        assert!(normalize_email(&ok).is_ok(), "{ok}");
        let too_long = format!(
            "a@{}.com",
            "b".repeat(60) + "." + &"c".repeat(128 - 2 - 61 - 3)
        );
        assert_eq!(too_long.chars().count(), 129);
        assert_eq!(code(normalize_email(&too_long)), ErrorCode::InvalidEmail);
    }

    #[test]
    fn phone_accepts_plus86_and_separators() {
        assert_eq!(normalize_phone("13800138000").unwrap(), "13800138000");
        assert_eq!(normalize_phone("+8613800138000").unwrap(), "13800138000");
        assert_eq!(normalize_phone("+86 138 0013 8000").unwrap(), "13800138000");
        assert_eq!(normalize_phone("138-0013-8000").unwrap(), "13800138000");
    }

    #[test]
    fn phone_rejects_wrong_lengths_prefixes_and_letters() {
        for bad in [
            "1380013800",
            "138001380001",
            "23800138000",
            "1380013800a",
            "+1 13800138000",
            "+86",
            "８１３８００１３８０００",
        ] {
            assert_eq!(code(normalize_phone(bad)), ErrorCode::InvalidPhone, "{bad}");
        }
        assert_eq!(code(normalize_phone("")), ErrorCode::Required);
    }

    #[test]
    fn username_rules() {
        assert_eq!(normalize_username(" Alice_01 ").unwrap(), "Alice_01");
        assert!(normalize_username("abc").is_ok());
        assert!(normalize_username(&"a".repeat(32)).is_ok());
        for bad in [
            "ab",
            &"a".repeat(33),
            "12345",
            "al ice",
            "ali.ce",
            "名字名字",
            "a@b",
        ] {
            assert_eq!(
                code(normalize_username(bad)),
                ErrorCode::InvalidUsername,
                "{bad}"
            );
        }
        assert_eq!(username_key("Alice_01"), "alice_01");
    }

    #[test]
    fn password_length_boundaries() {
        let names = AccountNames::default();
        let seven = "xK9#qv2";
        assert_eq!(seven.chars().count(), 7);
        let e = check_password(seven, names).unwrap_err();
        assert_eq!(
            (e.code, e.reason),
            (ErrorCode::WeakPassword, Some(PasswordProblem::TooShort))
        );
        assert!(check_password("xK9#qv2!", names).is_ok());
        let max = "xK9#".repeat(32);
        assert_eq!(max.chars().count(), 128);
        assert!(check_password(&max, names).is_ok());
        let e = check_password(&format!("{max}z"), names).unwrap_err();
        assert_eq!(e.reason, Some(PasswordProblem::TooLong));
        // Characters, not bytes: eight CJK characters are long enough.
        assert!(check_password("密码很长很长很长", names).is_ok());
        assert_eq!(code(check_password("", names)), ErrorCode::Required);
    }

    #[test]
    fn other_length_limits_keep_the_other_rules() {
        let names = AccountNames {
            phone: Some("13800138000"),
            ..Default::default()
        };
        let six = PasswordLengths { min: 6, max: 16 };
        assert!(check_password_within("xK9#qv", names, six).is_ok());
        assert!(check_password_within("xK9#qv", names, PasswordLengths::PRODUCT).is_err());
        let e = check_password_within("xK9#q", names, six).unwrap_err();
        assert_eq!(e.reason, Some(PasswordProblem::TooShort));
        let e = check_password_within(&format!("{}z", "xK9#".repeat(4)), names, six).unwrap_err();
        assert_eq!(e.reason, Some(PasswordProblem::TooLong));
        let e = check_password_within("13800138000", names, six).unwrap_err();
        assert_eq!(e.reason, Some(PasswordProblem::MatchesAccount));
        #[cfg(feature = "server")]
        {
            let e = check_password_within("12345678", names, six).unwrap_err();
            assert_eq!(e.reason, Some(PasswordProblem::TooCommon));
        }
        assert!(validate_registration_within("", "13800138000", "", "xK9#qv", six).is_ok());
        assert!(validate_registration("", "13800138000", "", "xK9#qv").is_err());
    }

    #[test]
    fn password_may_not_repeat_account_names_or_be_common() {
        let names = AccountNames {
            email: Some("alice@example.com"),
            phone: Some("13800138000"),
            username: Some("alice_wonder"),
        };
        for same in [
            "alice@example.com",
            "ALICE@example.com",
            "13800138000",
            "Alice_Wonder",
        ] {
            let e = check_password(same, names).unwrap_err();
            assert_eq!(e.reason, Some(PasswordProblem::MatchesAccount), "{same}");
        }
        for common in ["password", "Password", "12345678", "qwertyuiop", "iloveyou"] {
            let checked = check_password(common, names);
            if cfg!(feature = "server") {
                assert_eq!(
                    checked.unwrap_err().reason,
                    Some(PasswordProblem::TooCommon),
                    "{common}"
                );
            } else {
                // The browser leaves this rule to the server.
                assert!(checked.is_ok(), "{common}");
            }
        }
        assert!(check_password("correct horse battery staple", names).is_ok());
    }

    #[cfg(feature = "server")]
    #[test]
    fn common_list_has_thousands_of_entries() {
        let n = COMMON_PASSWORDS.lines().count();
        assert!((2000..10000).contains(&n), "{n}");
    }

    #[test]
    fn identifiers_are_classified() {
        assert_eq!(
            parse_identifier(" Bob@X.io ").unwrap(),
            Identifier::Email("bob@x.io".into())
        );
        assert_eq!(
            parse_identifier("+86 13800138000").unwrap(),
            Identifier::Phone("13800138000".into())
        );
        assert_eq!(
            parse_identifier("Bob_1").unwrap(),
            Identifier::Username("bob_1".into())
        );
        assert_eq!(
            code(parse_identifier("12345")),
            ErrorCode::InvalidIdentifier
        );
        assert_eq!(code(parse_identifier("bob@")), ErrorCode::InvalidIdentifier);
        assert_eq!(code(parse_identifier("  ")), ErrorCode::Required);
    }

    #[test]
    fn device_fields() {
        assert_eq!(check_device_id(" ios-7F3A:01 ").unwrap(), "ios-7F3A:01");
        for bad in ["", "has space", "ü", &"a".repeat(129)] {
            assert_eq!(
                code(check_device_id(bad)),
                ErrorCode::InvalidDevice,
                "{bad}"
            );
        }
        assert!(check_device_field("Alice's iPhone", Field::DeviceName).is_ok());
        assert_eq!(
            code(check_device_field("", Field::DeviceOs)),
            ErrorCode::InvalidDevice
        );
        assert_eq!(
            code(check_device_field(&"x".repeat(65), Field::DeviceOs)),
            ErrorCode::InvalidDevice
        );
        assert_eq!(
            code(check_device_field("a\u{7}b", Field::DeviceOs)),
            ErrorCode::InvalidDevice
        );
    }

    #[test]
    fn registration_needs_a_contact_and_reports_every_field() {
        let errs = validate_registration("", "", "bob_1", "correct horse").unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].code, ErrorCode::ContactRequired);

        let errs = validate_registration("nope", "123", "x", "short").unwrap_err();
        let codes: Vec<_> = errs.iter().map(|e| e.code).collect();
        assert_eq!(
            codes,
            [
                ErrorCode::InvalidEmail,
                ErrorCode::InvalidPhone,
                ErrorCode::InvalidUsername,
                ErrorCode::WeakPassword
            ]
        );

        let ok =
            validate_registration(" A@B.co ", "+86 139 0000 0000", "", "correct horse").unwrap();
        assert_eq!(ok.email.as_deref(), Some("a@b.co"));
        assert_eq!(ok.phone.as_deref(), Some("13900000000"));
        assert_eq!(ok.username, None);
    }

    #[test]
    fn error_codes_round_trip_through_json() {
        for &c in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(c.as_str()), Some(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), c);
        }
        let e = AppError::weak_password(PasswordProblem::TooShort);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "WEAK_PASSWORD");
        assert_eq!(json["reason"], "TOO_SHORT");
        assert_eq!(json["field"], "password");
        assert!(json.get("consecutive_failures").is_none());
        assert_eq!(serde_json::from_value::<AppError>(json).unwrap(), e);
    }

    #[test]
    fn login_counters_are_flattened_into_the_error() {
        use crate::error::LoginFailures;
        let e = AppError::login_failure(
            ErrorCode::InvalidCredentials,
            LoginFailures {
                consecutive_failures: 2,
                remaining_consecutive: 3,
                cumulative_failures: 2,
                remaining_cumulative: 18,
                locked_until: None,
            },
        );
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "INVALID_CREDENTIALS");
        assert_eq!(json["remaining_consecutive"], 3);
        assert!(json.get("locked_until").is_none());
        assert_eq!(serde_json::from_value::<AppError>(json).unwrap(), e);
    }
}
