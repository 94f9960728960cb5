//! jigsaw's view of an account: the user status number (用户状态), the
//! user information object (用户信息对象), and the gender and ID type
//! values its callers use.

use domain::{DomainError, UserCenter};
use serde_json::{json, Value};
use shared::dto::UserProfile;
use shared::identity::{Gender, IdType};
use shared::profile::{AccountState, VerificationState};

/// 用户状态, computed from the typed account state and the real-name
/// review. The first that applies wins:
///
/// | number | meaning |
/// |---|---|
/// | 3 | closed (销户) |
/// | 2 | frozen (冻结) |
/// | 1 | pre-opened (预开户): opened for its owner, who has not activated it; `userActivation` does |
/// | 4 | real-name review pending |
/// | 5 | real-name review rejected |
/// | 0 | normal (正常) |
///
/// Whether a payment PIN is set is `payPasswordSet` of the user
/// information, not a status: an active account without one is normal.
pub(super) fn user_status(user: &UserProfile) -> u8 {
    match (user.account_state, user.verification) {
        (AccountState::Closed, _) => 3,
        (AccountState::Frozen, _) => 2,
        (AccountState::PreOpened, _) => 1,
        (AccountState::Active, VerificationState::Pending) => 4,
        (AccountState::Active, VerificationState::Rejected) => 5,
        (AccountState::Active, _) => 0,
    }
}

/// The account's status number, read now.
pub(super) async fn status_of(uc: &UserCenter, user_id: i64) -> Result<u8, DomainError> {
    Ok(user_status(&uc.profile(user_id).await?))
}

/// 用户性别 as GB/T 2261.1 numbers: `1` male, `2` female, `0` not stated.
pub(super) fn gender_code(gender: Gender) -> &'static str {
    match gender {
        Gender::Male => "1",
        Gender::Female => "2",
        Gender::Unspecified => "0",
    }
}

/// A gender as callers write it: GB/T 2261.1 numbers (`1`, `2`, `0`, `9`),
/// `M`/`F`, `male`/`female`/`unspecified`, `男`/`女`.
pub(super) fn parse_gender(raw: &str) -> Option<Gender> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "1" | "m" | "male" | "男" => Some(Gender::Male),
        "2" | "f" | "female" | "女" => Some(Gender::Female),
        "0" | "9" | "unspecified" | "unknown" => Some(Gender::Unspecified),
        _ => None,
    }
}

/// An ID type as callers write it: the product's names (`mainland_id`,
/// `passport`, `other`), or `ID`/`IDCARD`/`身份证`, `PASSPORT`/`护照`.
pub(super) fn parse_id_type(raw: &str) -> Option<IdType> {
    let lower = raw.trim().to_ascii_lowercase();
    match lower.as_str() {
        "id" | "idcard" | "id_card" | "身份证" => Some(IdType::MainlandId),
        "护照" => Some(IdType::Passport),
        "其他" => Some(IdType::Other),
        other => IdType::parse(other),
    }
}

/// 用户信息对象: what a trusted server sees of an account (the ID number
/// masked, as the signed service API shows it).
pub(super) fn user_info(user: &UserProfile, pin_set: bool) -> Value {
    json!({
        "userNo": user.id.to_string(),
        "mobile": user.phone,
        "email": user.email,
        "loginName": user.username,
        "displayName": user.display_name,
        "realName": user.real_name,
        "gender": gender_code(user.gender),
        "idCountry": user.id_country,
        "idType": user.id_type.as_str(),
        "idNumber": user.id_number_masked,
        "userStatus": user_status(user),
        "payPasswordSet": pin_set,
        "mobileVerified": user.phone_verified,
        "emailVerified": user.email_verified,
        "realNameVerification": user.verification.as_str(),
        "createdAt": user.created_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genders_and_id_types_parse_in_the_usual_spellings() {
        for (raw, gender) in [
            ("1", Gender::Male),
            ("M", Gender::Male),
            ("女", Gender::Female),
            (" female ", Gender::Female),
            ("9", Gender::Unspecified),
        ] {
            assert_eq!(parse_gender(raw), Some(gender), "{raw}");
            assert_eq!(parse_gender(gender_code(gender)), Some(gender));
        }
        assert_eq!(parse_gender("x"), None);
        assert_eq!(parse_id_type("IDCARD"), Some(IdType::MainlandId));
        assert_eq!(parse_id_type("passport"), Some(IdType::Passport));
        assert_eq!(parse_id_type("其他"), Some(IdType::Other));
        assert_eq!(parse_id_type("licence"), None);
    }
}
