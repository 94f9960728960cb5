//! Notices to users: which events there are, which of them a user may switch
//! off, and the choices as the API and the security page exchange them.

use crate::{AppError, ErrorCode};
use serde::{Deserialize, Serialize};

/// Something that happened to an account and that its owner is told of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// Staff approved or rejected a real-name or qualification submission.
    ReviewDecided,
    AccountFrozen,
    AccountUnfrozen,
    AccountClosed,
    /// An email or phone was added or replaced; the old (or the other)
    /// contact is told.
    ContactChanged,
    /// A deposit or transfer of at least the configured amount arrived.
    MoneyReceived,
    PinSet,
    PinChanged,
    /// A sign-in from a device or browser the account had not used before.
    NewDeviceSignIn,
    /// The password was reset; the contact that did not prove it is told.
    PasswordReset,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 10] = [
        NoticeKind::ReviewDecided,
        NoticeKind::AccountFrozen,
        NoticeKind::AccountUnfrozen,
        NoticeKind::AccountClosed,
        NoticeKind::ContactChanged,
        NoticeKind::MoneyReceived,
        NoticeKind::PinSet,
        NoticeKind::PinChanged,
        NoticeKind::NewDeviceSignIn,
        NoticeKind::PasswordReset,
    ];

    /// The stable name (outbox rows, logs).
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::ReviewDecided => "review_decided",
            NoticeKind::AccountFrozen => "account_frozen",
            NoticeKind::AccountUnfrozen => "account_unfrozen",
            NoticeKind::AccountClosed => "account_closed",
            NoticeKind::ContactChanged => "contact_changed",
            NoticeKind::MoneyReceived => "money_received",
            NoticeKind::PinSet => "pin_set",
            NoticeKind::PinChanged => "pin_changed",
            NoticeKind::NewDeviceSignIn => "new_device_sign_in",
            NoticeKind::PasswordReset => "password_reset",
        }
    }

    /// The switch that silences this notice; `None` for security notices,
    /// which are always sent: someone who took over the session must not be
    /// able to hide what they do from the owner.
    pub fn topic(self) -> Option<Topic> {
        match self {
            NoticeKind::ReviewDecided => Some(Topic::ReviewDecided),
            NoticeKind::AccountUnfrozen => Some(Topic::AccountUnfrozen),
            NoticeKind::MoneyReceived => Some(Topic::MoneyReceived),
            NoticeKind::AccountFrozen
            | NoticeKind::AccountClosed
            | NoticeKind::ContactChanged
            | NoticeKind::PinSet
            | NoticeKind::PinChanged
            | NoticeKind::NewDeviceSignIn
            | NoticeKind::PasswordReset => None,
        }
    }

    pub fn is_security(self) -> bool {
        self.topic().is_none()
    }
}

/// A notice a user may switch off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    ReviewDecided,
    AccountUnfrozen,
    MoneyReceived,
}

impl Topic {
    pub const ALL: [Topic; 3] = [
        Topic::ReviewDecided,
        Topic::AccountUnfrozen,
        Topic::MoneyReceived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::ReviewDecided => "review_decided",
            Topic::AccountUnfrozen => "account_unfrozen",
            Topic::MoneyReceived => "money_received",
        }
    }
}

/// The languages notices are written in.
pub const NOTICE_LANGS: [&str; 2] = ["en", "zh-CN"];

/// A user's notice choices. Security notices are not here: they cannot be
/// switched off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NotificationPreferences {
    /// Review decisions (approved, or rejected with the reason).
    pub review_decided: bool,
    /// The account was unfrozen.
    pub account_unfrozen: bool,
    /// Money arrived (deposits and transfers of at least the server's
    /// `UC_NOTIFY_RECEIVED_MIN`).
    pub money_received: bool,
    /// `en` or `zh-CN`; `null`: the language of the request that caused
    /// each notice (the page's language when the user acted themselves).
    #[serde(default)]
    pub lang: Option<String>,
}

impl Default for NotificationPreferences {
    fn default() -> Self {
        NotificationPreferences {
            review_decided: true,
            account_unfrozen: true,
            money_received: true,
            lang: None,
        }
    }
}

impl NotificationPreferences {
    pub fn is_on(&self, topic: Topic) -> bool {
        match topic {
            Topic::ReviewDecided => self.review_decided,
            Topic::AccountUnfrozen => self.account_unfrozen,
            Topic::MoneyReceived => self.money_received,
        }
    }

    pub fn set(&mut self, topic: Topic, on: bool) {
        match topic {
            Topic::ReviewDecided => self.review_decided = on,
            Topic::AccountUnfrozen => self.account_unfrozen = on,
            Topic::MoneyReceived => self.money_received = on,
        }
    }
}

/// The notice language as given: empty → `None`; `en` or `zh-CN` (any
/// case) → that tag; anything else is `INVALID_INPUT`.
pub fn check_notice_lang(lang: Option<&str>) -> Result<Option<&'static str>, AppError> {
    let Some(lang) = lang.map(str::trim).filter(|l| !l.is_empty()) else {
        return Ok(None);
    };
    NOTICE_LANGS
        .into_iter()
        .find(|l| l.eq_ignore_ascii_case(lang))
        .map(Some)
        .ok_or_else(|| {
            AppError::with_message(ErrorCode::InvalidInput, "The language must be en or zh-CN.")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_notices_have_no_switch() {
        let switchable: Vec<_> = NoticeKind::ALL
            .into_iter()
            .filter_map(NoticeKind::topic)
            .collect();
        assert_eq!(switchable, Topic::ALL);
        for kind in [
            NoticeKind::ContactChanged,
            NoticeKind::PinSet,
            NoticeKind::PinChanged,
            NoticeKind::NewDeviceSignIn,
            NoticeKind::AccountFrozen,
            NoticeKind::AccountClosed,
            NoticeKind::PasswordReset,
        ] {
            assert!(kind.is_security(), "{kind:?}");
        }
    }

    #[test]
    fn notice_language_is_one_of_two() {
        assert_eq!(check_notice_lang(None), Ok(None));
        assert_eq!(check_notice_lang(Some(" ")), Ok(None));
        assert_eq!(check_notice_lang(Some("zh-cn")), Ok(Some("zh-CN")));
        assert_eq!(check_notice_lang(Some("en")), Ok(Some("en")));
        let e = check_notice_lang(Some("fr")).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
    }
}
