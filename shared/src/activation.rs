//! Pre-opened accounts: opening one for a contact (staff, a service) and
//! its owner activating it; and the service's lookups and PIN check that go
//! with them.

use crate::dto::UserProfile;
use crate::error::{AppError, ErrorCode, Field};
use crate::validate;
use crate::wallet;
use serde::{Deserialize, Serialize};

/// `POST /api/v1/auth/activate` (and the `/activate` page): the owner of a
/// pre-opened account sets its password and payment PIN, proven by the
/// `activation` code sent to the contact the account was opened for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActivateRequest {
    /// The email address or phone number the account was opened for.
    pub contact: String,
    /// The six-digit `activation` code sent to it.
    pub code: String,
    /// The new sign-in password (the sign-up policy applies).
    pub password: String,
    /// The new six-digit payment PIN.
    pub pin: String,
}

impl ActivateRequest {
    /// The checks that need no account, in the order of the form's fields,
    /// so a typo is answered before the code is spent or counted. The
    /// password is held to the rules that hold for everyone; the ones about
    /// the account (not its email, phone or username) come once the code
    /// is proven.
    pub fn check(&self) -> Result<(), AppError> {
        validate::parse_contact(&self.contact)?;
        validate::check_code(&self.code)?;
        if self.password.is_empty() {
            return Err(AppError::field(ErrorCode::Required, Field::Password));
        }
        validate::check_password(&self.password, validate::AccountNames::default())?;
        check_new_pin(&self.pin)?;
        if self.pin == self.password {
            return Err(AppError::field(ErrorCode::PinSameAsPassword, Field::Pin));
        }
        Ok(())
    }
}

/// A new payment PIN: six digits, not a repeated digit or a run; the error
/// belongs to the PIN field.
pub fn check_new_pin(pin: &str) -> Result<(), AppError> {
    if pin.is_empty() {
        return Err(AppError::field(ErrorCode::Required, Field::Pin));
    }
    wallet::check_pin(pin).map_err(|e| e.with_field(Field::Pin))
}

/// Staff (the console) or a service (`POST /api/v1/service/users/pre-open`)
/// opening an account for a contact. At least an email or a phone; the
/// activation message goes to the email, else the phone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OpenAccountRequest {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    /// The name shown to others (at most 32 characters).
    #[serde(default)]
    pub display_name: Option<String>,
    /// Language of the activation message: `en` (default) or `zh-CN`.
    #[serde(default)]
    pub lang: Option<String>,
}

/// Where the activation code went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivationSent {
    /// The contact, masked (`a***@example.com`, `138****8000`).
    pub sent_to: String,
    /// How long the code is valid.
    pub expires_in_secs: i64,
    /// Whether the mail server or SMS gateway took the message. When not,
    /// the account is opened all the same; send the code again (the
    /// console's "Send activation code", or the owner on `/activate`).
    pub delivered: bool,
}

/// The answer to opening an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenedAccount {
    /// The new account; its `account_state` is `pre_opened`.
    pub user: UserProfile,
    pub activation: ActivationSent,
}

/// `POST /api/v1/service/users/{id}/activate`: a service activates a
/// pre-opened account for its owner, who gave it the PIN (and, unless the
/// account already has one, the password).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ServiceActivateRequest {
    /// The new six-digit payment PIN.
    pub pin: String,
    /// The new sign-in password; required when the account has none (an
    /// account opened with `pre-open` never has one).
    #[serde(default)]
    pub password: Option<String>,
    /// The `activation` code the owner received, when the service has it:
    /// then it is checked (and counted) like on `/activate`, and the
    /// contact becomes verified. Without it the service vouches.
    #[serde(default)]
    pub code: Option<String>,
}

/// `GET /api/v1/service/users/lookup`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct UserLookupQuery {
    /// An email, phone number or username, matched exactly after the
    /// sign-in normalisation (case, `+86`, spaces and dashes).
    pub identifier: Option<String>,
}

/// `POST /api/v1/service/wallet/verify-pin`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VerifyPinRequest {
    pub user_id: i64,
    /// The six digits the user typed.
    pub pin: String,
}

/// The answer to a right PIN (a wrong one is `403 PIN_INCORRECT`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PinVerified {
    pub user_id: i64,
    /// Always `true`: every other outcome is an error.
    pub verified: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ActivateRequest {
        ActivateRequest {
            contact: "ann@example.com".into(),
            code: "123456".into(),
            password: "correct horse 1".into(),
            pin: "024680".into(),
        }
    }

    #[test]
    fn activation_forms_are_checked_field_by_field() {
        assert!(form().check().is_ok());
        let err = |f: ActivateRequest| {
            let e = f.check().unwrap_err();
            (e.code, e.field)
        };
        assert_eq!(
            err(ActivateRequest {
                contact: "nobody".into(),
                ..form()
            })
            .0,
            ErrorCode::InvalidContact
        );
        assert_eq!(
            err(ActivateRequest {
                code: "12".into(),
                ..form()
            })
            .0,
            ErrorCode::InvalidCode
        );
        assert_eq!(
            err(ActivateRequest {
                password: String::new(),
                ..form()
            }),
            (ErrorCode::Required, Some(Field::Password))
        );
        assert_eq!(
            err(ActivateRequest {
                pin: "123456".into(),
                ..form()
            }),
            (ErrorCode::WeakPin, Some(Field::Pin))
        );
        assert_eq!(
            err(ActivateRequest {
                pin: String::new(),
                ..form()
            }),
            (ErrorCode::Required, Some(Field::Pin))
        );
    }
}
