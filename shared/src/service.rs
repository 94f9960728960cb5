//! The signed service API's own requests and answers (`/api/v1/service/…`),
//! and the input rules for them that do not belong to one account.

use crate::admin::{MessageChannel, StaffMessage};
use crate::dto::UserProfile;
use crate::error::{AppError, ErrorCode};
use serde::{Deserialize, Serialize};

/// Most users one `GET /service/users?ids=` may ask for, and the largest
/// page of a search: enough for a screen of orders, small enough that one
/// call cannot turn into a dump of the user table.
pub const MAX_IDS: usize = 100;
pub const SEARCH_MAX_PER_PAGE: u32 = 100;
pub const SEARCH_DEFAULT_PER_PAGE: u32 = 20;
/// Longest search text (characters).
pub const SEARCH_MAX_QUERY_CHARS: usize = 64;
/// `POST /api/v1/service/auth/login`: a password sign-in on behalf of a
/// user, by a first-party app (e.g. a mobile backend). The session is
/// recorded with the end user's client details when the app passes them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ServiceLoginRequest {
    /// Email, phone number or username.
    pub identifier: String,
    pub password: String,
    /// Needed after repeated failures (the error says `captcha_required`);
    /// the image comes from the public `GET /api/v1/captcha`.
    #[serde(default)]
    pub captcha_key: Option<String>,
    #[serde(default)]
    pub captcha_answer: Option<String>,
    /// The end user's IP address, shown in their session list; the app's own
    /// address when absent. Stored clipped, like any client's.
    #[serde(default)]
    pub ip: Option<String>,
    /// The end user's User-Agent (it names the session); the app's own when absent.
    #[serde(default)]
    pub user_agent: Option<String>,
    /// The end user's device id, as `X-Device-Id` would carry it.
    #[serde(default)]
    pub device_id: Option<String>,
}

/// The query string of `GET /api/v1/service/users`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct UsersByIdsQuery {
    /// User ids separated by commas, at most 100 (`TOO_MANY_IDS` beyond).
    pub ids: Option<String>,
}

impl UsersByIdsQuery {
    /// The ids, in the order given; `TOO_MANY_IDS` for more than
    /// [`MAX_IDS`], `INVALID_INPUT` when absent or not integers.
    pub fn to_ids(&self) -> Result<Vec<i64>, AppError> {
        let raw = self
            .ids
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| AppError::with_message(ErrorCode::InvalidInput, "give ids=1,2,3"))?;
        // Counted before parsing, so a huge list is refused without work.
        if raw.split(',').count() > MAX_IDS {
            return Err(AppError::new(ErrorCode::TooManyIds));
        }
        raw.split(',')
            .map(|s| s.trim().parse())
            .collect::<Result<_, _>>()
            .map_err(|_| {
                AppError::with_message(
                    ErrorCode::InvalidInput,
                    "ids must be integers separated by commas",
                )
            })
    }
}

/// The query string of `GET /api/v1/service/users/search`, as text: an
/// empty value means "not given", as in the wallet history.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct UserSearchQuery {
    /// Required: 1–64 characters, matched anywhere in the email, phone, username or
    /// display name (case-insensitive for ASCII; `%` and `_` match themselves).
    pub q: Option<String>,
    /// 1-based; 1 when absent.
    pub page: Option<String>,
    /// 1–100; 20 when absent.
    pub per_page: Option<String>,
}

/// A checked search request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserSearch {
    pub q: String,
    pub page: u32,
    pub per_page: u32,
}

impl UserSearchQuery {
    /// The search it describes; anything out of range is `INVALID_INPUT`
    /// naming the parameter.
    pub fn to_search(&self) -> Result<UserSearch, AppError> {
        let bad = |m: &str| AppError::with_message(ErrorCode::InvalidInput, m);
        let q = given(&self.q).ok_or_else(|| bad("q is required"))?;
        if q.chars().count() > SEARCH_MAX_QUERY_CHARS || q.chars().any(char::is_control) {
            return Err(bad("q must have 1–64 characters and no control characters"));
        }
        let page = match given(&self.page) {
            None => 1,
            Some(p) => p
                .parse::<u32>()
                .ok()
                .filter(|p| *p >= 1)
                .ok_or_else(|| bad("page must be a whole number from 1"))?,
        };
        let per_page = match given(&self.per_page) {
            None => SEARCH_DEFAULT_PER_PAGE,
            Some(p) => p
                .parse::<u32>()
                .ok()
                .filter(|p| (1..=SEARCH_MAX_PER_PAGE).contains(p))
                .ok_or_else(|| bad("per_page must be 1–100"))?,
        };
        Ok(UserSearch {
            q: q.to_string(),
            page,
            per_page,
        })
    }
}

fn given(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// One page of a service's user search, ordered by id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserSearchPage {
    /// ID numbers masked, as in `GET /service/users`.
    pub items: Vec<UserProfile>,
    pub page: u32,
    pub per_page: u32,
    /// All matches, on every page.
    pub total: i64,
}

/// `POST /api/v1/service/messages`: the staff console's message rules
/// ([`StaffMessage`]) apply, so a user gets the same kind of message
/// whoever sends it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SendMessageRequest {
    pub user_id: i64,
    pub channel: MessageChannel,
    /// Email only (an SMS has none): at most 100 characters, one line;
    /// "User Center" when absent.
    #[serde(default)]
    pub subject: Option<String>,
    /// 1–500 characters; line breaks allowed.
    pub text: String,
}

/// A checked message: the subject trimmed (`None` when absent or blank),
/// the text trimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedMessage {
    pub subject: Option<String>,
    pub text: String,
}

impl SendMessageRequest {
    /// `REQUIRED` for an empty text; `INVALID_MESSAGE` for a text over 500
    /// characters, a subject over 100 or on several lines, or control
    /// characters other than line breaks and tabs.
    pub fn check(&self) -> Result<CheckedMessage, AppError> {
        let (subject, text) = StaffMessage {
            channel: self.channel,
            subject: self.subject.clone().unwrap_or_default(),
            text: self.text.clone(),
        }
        .validate()?;
        Ok(CheckedMessage {
            subject: Some(subject).filter(|s| !s.is_empty()),
            text,
        })
    }
}

/// The answer to a sent message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageSent {
    pub user_id: i64,
    pub channel: MessageChannel,
    /// The contact it went to, masked (`a***@example.com`, `138****8000`).
    pub sent_to: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(q: &str, page: &str, per_page: &str) -> UserSearchQuery {
        UserSearchQuery {
            q: Some(q.into()),
            page: Some(page.into()),
            per_page: Some(per_page.into()),
        }
    }

    #[test]
    fn search_queries_are_bounded() {
        let ok = q(" ali ", "", "").to_search().unwrap();
        assert_eq!((ok.q.as_str(), ok.page, ok.per_page), ("ali", 1, 20));
        assert_eq!(q("a", "3", "100").to_search().unwrap().per_page, 100);
        for bad in [
            q("", "1", "10"),
            q("a", "0", "10"),
            q("a", "1", "0"),
            q("a", "1", "101"),
            q("a", "x", "10"),
            q(&"a".repeat(65), "1", "10"),
        ] {
            assert_eq!(
                bad.to_search().unwrap_err().code,
                ErrorCode::InvalidInput,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn more_than_a_hundred_ids_is_its_own_error() {
        let ids = |s: String| UsersByIdsQuery { ids: Some(s) }.to_ids();
        let hundred = (1..=100).map(|i| i.to_string()).collect::<Vec<_>>();
        assert_eq!(ids(hundred.join(",")).unwrap().len(), 100);
        let err = ids(format!("{},101", hundred.join(","))).unwrap_err();
        assert_eq!(err.code, ErrorCode::TooManyIds);
        assert_eq!(ids("1,x".into()).unwrap_err().code, ErrorCode::InvalidInput);
        assert_eq!(
            UsersByIdsQuery { ids: None }.to_ids().unwrap_err().code,
            ErrorCode::InvalidInput
        );
    }

    #[test]
    fn messages_follow_the_staff_message_rules() {
        let msg = |channel, subject: Option<&str>, text: &str| SendMessageRequest {
            user_id: 1,
            channel,
            subject: subject.map(str::to_string),
            text: text.into(),
        };
        let ok = msg(MessageChannel::Email, Some(" Hi "), "line 1\nline 2")
            .check()
            .unwrap();
        assert_eq!(ok.subject.as_deref(), Some("Hi"));
        assert_eq!(ok.text, "line 1\nline 2");
        let no_subject = msg(MessageChannel::Sms, Some("  "), &"x".repeat(500));
        assert_eq!(no_subject.check().unwrap().subject, None);
        assert_eq!(
            msg(MessageChannel::Email, None, "  ")
                .check()
                .unwrap_err()
                .code,
            ErrorCode::Required
        );
        for bad in [
            msg(MessageChannel::Sms, None, &"x".repeat(501)),
            msg(MessageChannel::Email, Some(&"s".repeat(101)), "text"),
            msg(MessageChannel::Email, Some("a\nb"), "text"),
            msg(MessageChannel::Email, None, "bell \u{7}"),
        ] {
            assert_eq!(
                bad.check().unwrap_err().code,
                ErrorCode::InvalidMessage,
                "{bad:?}"
            );
        }
        let parsed: Result<SendMessageRequest, _> =
            serde_json::from_str(r#"{"user_id":1,"channel":"fax","text":"x"}"#);
        assert!(parsed.is_err());
    }
}
