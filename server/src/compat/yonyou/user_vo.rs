//! yonyou's `UserVO`: the product's profile under the document's names.
//!
//! | UserVO | from |
//! |---|---|
//! | `userId` | the account id as a decimal string (yonyou's are UUIDs: clients must treat ids as opaque text) |
//! | `userCode` | the username, else the phone, else the email (what the user signs in with) |
//! | `userName` | the display name, else `userCode` ([`domain::service_accounts::shown_name`]) |
//! | `userMobile`, `userEmail` | the live phone and email, masked (`138****4465`, `a***@example.com`) unless the request carries the configured `secretKey`; `""` when none |
//! | `registerDate` | sign-up time, `YYYY-MM-DD HH:MM:SS` in China Standard Time (UTC+8) |
//! | `status` | account state: `0` active, `1` frozen, `2` closed |
//! | `userActivate` | `true` while the account is active |
//! | `validateMobile`, `validateEmail` | whether a code proved the phone / email |
//! | `verified` | whether the real-name verification is approved |
//! | `sex` | `0` unspecified, `1` male, `2` female |
//! | `userAvator`, `userAvatorNew` | the avatar's URL (256 px and 64 px), `""` for the default one |
//! | `need_merge`, `needMerge` | `0` / `false`: the product never merges accounts |
//! | `secretKey` | always `""`: no per-user secret is ever handed out |
//! | `sysId`, `registerSource` | `""`: the registering application is logged, not stored |
//! | `loginType` | `"YHTSYSID"`, as in every example of the document |
//! | `account`, `lang`, `timeZone`, `outDate` | `""`; `mailValidatect` `0` |

use domain::service_accounts::shown_name;
use serde_json::{json, Value};
use shared::dto::UserProfile;
use shared::identity::Gender;
use shared::profile::{AccountState, VerificationState};
use shared::validate::{mask_email, mask_phone};

/// Whether the phone and email are shown in full (a valid `secretKey`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Contacts {
    Masked,
    Plain,
}

/// The account's `userCode`: what it signs in with.
pub(super) fn user_code(user: &UserProfile) -> &str {
    user.username
        .as_deref()
        .or(user.phone.as_deref())
        .or(user.email.as_deref())
        .unwrap_or_default()
}

/// The `status` number of an account state. A pre-opened account is not
/// disabled (0) but not activated either (`userActivate` false).
pub(super) fn status_number(state: AccountState) -> u8 {
    match state {
        AccountState::Active | AccountState::PreOpened => 0,
        AccountState::Frozen => 1,
        AccountState::Closed => 2,
    }
}

/// The UserVO of `user`.
pub(super) fn user_vo(user: &UserProfile, contacts: Contacts) -> Value {
    let show = |value: Option<&str>, mask: fn(&str) -> String| match (value, contacts) {
        (None, _) => String::new(),
        (Some(v), Contacts::Plain) => v.to_string(),
        (Some(v), Contacts::Masked) => mask(v),
    };
    let sex = match user.gender {
        Gender::Unspecified => 0,
        Gender::Male => 1,
        Gender::Female => 2,
    };
    json!({
        "userId": user.id.to_string(),
        "userCode": user_code(user),
        "userName": shown_name(user),
        "userMobile": show(user.phone.as_deref(), mask_phone),
        "userEmail": show(user.email.as_deref(), mask_email),
        "registerDate": china_time(&user.created_at),
        "sysId": "",
        "registerSource": "",
        "status": status_number(user.account_state),
        "userActivate": user.account_state == AccountState::Active,
        "validateMobile": user.phone_verified,
        "validateEmail": user.email_verified,
        "verified": user.verification == VerificationState::Verified,
        "sex": sex,
        "userAvator": user.avatar_url.clone().unwrap_or_default(),
        "userAvatorNew": user.avatar_small_url.clone().unwrap_or_default(),
        "need_merge": 0,
        "needMerge": false,
        "secretKey": "",
        "loginType": "YHTSYSID",
        "account": "",
        "lang": "",
        "timeZone": "",
        "outDate": "",
        "mailValidatect": 0,
    })
}

/// `2016-03-09T08:06:23Z` (RFC 3339, UTC) → `2016-03-09 16:06:23` (UTC+8);
/// `""` for anything else.
pub(super) fn china_time(rfc3339: &str) -> String {
    let b = rfc3339.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> { rfc3339.get(range)?.parse().ok() };
    let shape_ok = b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && rfc3339.ends_with('Z');
    let parts = (
        num(0..4),
        num(5..7),
        num(8..10),
        num(11..13),
        num(14..16),
        num(17..19),
    );
    let (true, (Some(y), Some(m), Some(d), Some(hh), Some(mm), Some(ss))) = (shape_ok, parts)
    else {
        return String::new();
    };
    let secs = days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss + 8 * 3600;
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        t / 3600,
        t % 3600 / 60,
        t % 60
    )
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_dates_are_china_time() {
        assert_eq!(china_time("2016-03-09T08:06:23Z"), "2016-03-09 16:06:23");
        // Across midnight, a month end and a leap day.
        assert_eq!(china_time("2024-02-28T20:00:00Z"), "2024-02-29 04:00:00");
        assert_eq!(china_time("2023-12-31T16:30:00Z"), "2024-01-01 00:30:00");
        assert_eq!(china_time("1970-01-01T00:00:00Z"), "1970-01-01 08:00:00");
        assert_eq!(china_time("not a date"), "");
        assert_eq!(china_time(""), "");
    }

    #[test]
    fn day_numbers_round_trip() {
        for days in [-1, 0, 59, 365, 11_016, 19_782, 50_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
