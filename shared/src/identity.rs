//! Identity documents and profile fields: the rules for real names, genders,
//! ID document types and numbers, shared by the browser (instant feedback)
//! and the server (the rules that count).
//!
//! A mainland resident ID follows GB 11643-1999: 6 address digits, the birth
//! date as `YYYYMMDD`, a 3-digit sequence whose parity encodes the gender (odd
//! male, even female) and an ISO 7064 MOD 11-2 check character (`0`–`9` or
//! `X`). Numbers are stored upper-case and shown masked (see
//! [`mask_id_number`]) to everyone but suitably privileged staff.

use crate::error::{AppError, ErrorCode, Field};
use serde::{Deserialize, Serialize};
use std::fmt;

pub const DISPLAY_NAME_MAX_CHARS: usize = 32;
pub const REAL_NAME_MAX_CHARS: usize = 64;
pub const PASSPORT_MIN_CHARS: usize = 5;
pub const PASSPORT_MAX_CHARS: usize = 20;
pub const OTHER_ID_MAX_CHARS: usize = 32;
pub const REASON_MAX_CHARS: usize = 200;
/// The country assumed when none is given: the mainland resident ID is the
/// common case.
pub const DEFAULT_ID_COUNTRY: &str = "CN";

/// GB 11643-1999 weights of the first 17 characters.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for `S mod 11` = 0..10.
const CHECK_CHARS: [u8; 11] = *b"10X98765432";

/// A gender as the user states it. `Unspecified` matches any ID number.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    #[default]
    Unspecified,
    Male,
    Female,
}

impl Gender {
    pub const ALL: &'static [Gender] = &[Gender::Unspecified, Gender::Male, Gender::Female];

    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Unspecified => "unspecified",
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }

    pub fn parse(s: &str) -> Option<Gender> {
        Self::ALL.iter().copied().find(|g| g.as_str() == s)
    }
}

impl fmt::Display for Gender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of identity document a number belongs to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IdType {
    /// Resident identity card of the mainland (GB 11643-1999).
    #[default]
    MainlandId,
    Passport,
    Other,
}

impl IdType {
    pub const ALL: &'static [IdType] = &[IdType::MainlandId, IdType::Passport, IdType::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            IdType::MainlandId => "mainland_id",
            IdType::Passport => "passport",
            IdType::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<IdType> {
        Self::ALL.iter().copied().find(|t| t.as_str() == s)
    }
}

impl fmt::Display for IdType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A calendar date (proleptic Gregorian). Kept dependency-free so the
/// browser build needs no date crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CivilDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl CivilDate {
    /// The date, if it exists (e.g. no 29 February in 2023).
    pub fn new(year: i32, month: u32, day: u32) -> Option<CivilDate> {
        let valid = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        valid.then_some(CivilDate { year, month, day })
    }

    /// The date in China Standard Time (UTC+8, no daylight saving) at a Unix
    /// time: ID numbers are Chinese, so "born in the future" is judged there.
    pub fn china_from_unix(unix: i64) -> CivilDate {
        Self::from_days(unix.saturating_add(8 * 3600).div_euclid(86_400))
    }

    /// Days since 1970-01-01 to a date (Howard Hinnant's `civil_from_days`).
    fn from_days(days: i64) -> CivilDate {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        CivilDate { year, month, day }
    }
}

impl fmt::Display for CivilDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// A checked mainland resident ID number and what it encodes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MainlandId {
    /// 18 characters, a final `x` upper-cased.
    pub number: String,
    pub birth_date: CivilDate,
    /// Male or female, from the sequence's parity; never `Unspecified`.
    pub gender: Gender,
}

/// The GB 11643-1999 check character of the first 17 digits.
pub fn gb11643_check_char(first17: &[u8; 17]) -> Option<u8> {
    let mut sum = 0u32;
    for (&b, w) in first17.iter().zip(WEIGHTS) {
        if !b.is_ascii_digit() {
            return None;
        }
        sum += u32::from(b - b'0') * w;
    }
    Some(CHECK_CHARS[(sum % 11) as usize])
}

/// Checks a mainland resident ID: 18 characters (spaces around it ignored),
/// 17 digits and a valid check character, a birth date that exists, is not
/// after `today` and not before 1800.
pub fn parse_mainland_id(raw: &str, today: CivilDate) -> Result<MainlandId, AppError> {
    let number = raw.trim().to_ascii_uppercase();
    if number.is_empty() {
        return Err(AppError::field(ErrorCode::Required, Field::IdNumber));
    }
    let invalid = || AppError::field(ErrorCode::InvalidIdNumber, Field::IdNumber);
    let bytes = number.as_bytes();
    if bytes.len() != 18 {
        return Err(invalid());
    }
    let mut first17 = [0u8; 17];
    first17.copy_from_slice(&bytes[..17]);
    let expected = gb11643_check_char(&first17).ok_or_else(invalid)?;
    if bytes[17] != expected {
        return Err(invalid());
    }
    // All 17 are digits now, so the slices parse.
    let digits = |from: usize, to: usize| -> u32 {
        bytes[from..to]
            .iter()
            .fold(0, |acc, b| acc * 10 + u32::from(b - b'0'))
    };
    let bad_date = || AppError::field(ErrorCode::IdBirthDateInvalid, Field::IdNumber);
    let year = digits(6, 10) as i32;
    let birth_date = CivilDate::new(year, digits(10, 12), digits(12, 14)).ok_or_else(bad_date)?;
    if year < 1800 || birth_date > today {
        return Err(bad_date());
    }
    let gender = if digits(14, 17) % 2 == 1 {
        Gender::Male
    } else {
        Gender::Female
    };
    Ok(MainlandId {
        number,
        birth_date,
        gender,
    })
}

/// `ID_GENDER_MISMATCH` when the user stated a gender other than the one the
/// ID number encodes; an unspecified gender matches anything.
pub fn check_gender_matches(id: &MainlandId, stated: Gender) -> Result<(), AppError> {
    if stated == Gender::Unspecified || stated == id.gender {
        Ok(())
    } else {
        Err(AppError::field(ErrorCode::IdGenderMismatch, Field::Gender))
    }
}

/// A passport number: 5–20 ASCII letters or digits, stored upper-case.
pub fn normalize_passport(raw: &str) -> Result<String, AppError> {
    let number = raw.trim().to_ascii_uppercase();
    if number.is_empty() {
        return Err(AppError::field(ErrorCode::Required, Field::IdNumber));
    }
    let len = number.len();
    if (PASSPORT_MIN_CHARS..=PASSPORT_MAX_CHARS).contains(&len)
        && number.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        Ok(number)
    } else {
        Err(AppError::field(ErrorCode::InvalidPassport, Field::IdNumber))
    }
}

/// Any other document: 1–32 ASCII letters, digits or `-`, stored upper-case.
/// Loose on purpose, since formats vary by country, but strict enough to
/// mask and compare.
pub fn normalize_other_id(raw: &str) -> Result<String, AppError> {
    let number = raw.trim().to_ascii_uppercase();
    if number.is_empty() {
        return Err(AppError::field(ErrorCode::Required, Field::IdNumber));
    }
    if number.len() <= OTHER_ID_MAX_CHARS
        && number
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        Ok(number)
    } else {
        Err(AppError::field(ErrorCode::InvalidIdNumber, Field::IdNumber))
    }
}

/// Checks a number against its document type; a mainland ID must also agree
/// with the stated gender.
pub fn normalize_id_number(
    id_type: IdType,
    raw: &str,
    stated: Gender,
    today: CivilDate,
) -> Result<String, AppError> {
    match id_type {
        IdType::MainlandId => {
            let id = parse_mainland_id(raw, today)?;
            check_gender_matches(&id, stated)?;
            Ok(id.number)
        }
        IdType::Passport => normalize_passport(raw),
        IdType::Other => normalize_other_id(raw),
    }
}

/// An assigned ISO 3166-1 alpha-2 country code, stored upper-case. The
/// list comes from the `celes` crate, so `ZZ` or `XX` are refused. Server
/// only (feature `server`), like the names in [`crate::countries`].
#[cfg(feature = "server")]
pub fn normalize_country(raw: &str) -> Result<String, AppError> {
    let code = raw.trim().to_ascii_uppercase();
    let assigned = code.len() == 2
        && code.bytes().all(|b| b.is_ascii_uppercase())
        && celes::Country::from_alpha2(&code).is_ok();
    if assigned {
        Ok(code)
    } else {
        Err(AppError::field(ErrorCode::InvalidCountry, Field::IdCountry))
    }
}

/// Free text that people type as a name: trimmed, 1..=`max` characters, no
/// control characters (they would break logs and layouts).
fn normalize_text(
    raw: &str,
    max: usize,
    invalid: ErrorCode,
    field: Field,
) -> Result<String, AppError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(AppError::field(ErrorCode::Required, field));
    }
    if text.chars().count() > max || text.chars().any(char::is_control) {
        return Err(AppError::field(invalid, field));
    }
    Ok(text.to_string())
}

/// The nickname shown to others: 1–32 characters.
pub fn normalize_display_name(raw: &str) -> Result<String, AppError> {
    normalize_text(
        raw,
        DISPLAY_NAME_MAX_CHARS,
        ErrorCode::InvalidDisplayName,
        Field::DisplayName,
    )
}

/// A legal name as on the ID document: 1–64 characters (Chinese names with
/// a middle dot, Latin names with spaces all fit).
pub fn normalize_real_name(raw: &str) -> Result<String, AppError> {
    normalize_text(
        raw,
        REAL_NAME_MAX_CHARS,
        ErrorCode::InvalidRealName,
        Field::RealName,
    )
}

/// Why staff rejected a submission or closed an account: 1–200 characters.
pub fn normalize_reason(raw: &str) -> Result<String, AppError> {
    normalize_text(
        raw,
        REASON_MAX_CHARS,
        ErrorCode::InvalidReason,
        Field::Reason,
    )
}

/// Masks an ID number for display: a few characters at each end stay (four
/// for an 18-character ID: `1101**********002X`), the rest become `*`, so
/// the owner recognises it and an onlooker learns little. Short numbers
/// keep fewer characters; at most a third of them is ever shown.
pub fn mask_id_number(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let len = chars.len();
    let keep = (len.saturating_sub(1) / 3).min(4);
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if i < keep || i >= len - keep { c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> CivilDate {
        CivilDate::new(2024, 6, 1).unwrap()
    }

    /// A valid ID with the given first 17 characters.
    fn with_check(first17: &str) -> String {
        let mut bytes = [0u8; 17];
        bytes.copy_from_slice(first17.as_bytes());
        let check = gb11643_check_char(&bytes).unwrap();
        format!("{first17}{}", check as char)
    }

    fn code(r: Result<impl fmt::Debug, AppError>) -> ErrorCode {
        r.expect_err("expected an error").code
    }

    #[test]
    fn known_valid_numbers_pass() {
        let a = parse_mainland_id("11010519491231002X", today()).unwrap();
        assert_eq!(a.birth_date, CivilDate::new(1949, 12, 31).unwrap());
        assert_eq!(a.gender, Gender::Female);
        let b = parse_mainland_id(" 440524188001010014 ", today()).unwrap();
        assert_eq!(b.number, "440524188001010014");
        assert_eq!(b.birth_date, CivilDate::new(1880, 1, 1).unwrap());
        assert_eq!(b.gender, Gender::Male);
        // A lower-case x is the same number.
        assert_eq!(
            parse_mainland_id("11010519491231002x", today())
                .unwrap()
                .number,
            "11010519491231002X"
        );
    }

    #[test]
    fn corrupted_numbers_fail_the_checksum() {
        for bad in [
            "110105194912310021", // wrong check character
            "11010519491231003X", // a changed digit
            "440524188001010015",
            "11010519491231002",   // 17 characters
            "11010519491231002XX", // 19 characters
            "1101051949123100AX",  // a letter among the digits
            "11010519491231002Y",
        ] {
            assert_eq!(
                code(parse_mainland_id(bad, today())),
                ErrorCode::InvalidIdNumber,
                "{bad}"
            );
        }
        assert_eq!(code(parse_mainland_id("  ", today())), ErrorCode::Required);
        // Every single-digit change is caught.
        let good = b"440524188001010014";
        for i in 0..17 {
            for d in b'0'..=b'9' {
                if d == good[i] {
                    continue;
                }
                let mut changed = *good;
                changed[i] = d;
                let s = std::str::from_utf8(&changed).unwrap();
                assert!(parse_mainland_id(s, today()).is_err(), "{s}");
            }
        }
    }

    #[test]
    fn birth_dates_must_exist_and_not_be_in_the_future() {
        // 29 February exists in 2000 and 2024, not in 1900 or 2023.
        assert!(parse_mainland_id(&with_check("11010520000229001"), today()).is_ok());
        assert!(parse_mainland_id(&with_check("11010520240229001"), today()).is_ok());
        for first17 in [
            "11010519000229001", // 1900 is not a leap year
            "11010520230229001",
            "11010519991301001", // month 13
            "11010519990431001", // 31 April
            "11010519990100001", // day 0
            "11010520240602001", // tomorrow
            "11010530000101001", // far future
            "11010517991231001", // before 1800
        ] {
            assert_eq!(
                code(parse_mainland_id(&with_check(first17), today())),
                ErrorCode::IdBirthDateInvalid,
                "{first17}"
            );
        }
        // Born today is fine.
        assert!(parse_mainland_id(&with_check("11010520240601001"), today()).is_ok());
    }

    #[test]
    fn stated_gender_must_match_the_sequence_parity() {
        let male = parse_mainland_id("440524188001010014", today()).unwrap();
        let female = parse_mainland_id("11010519491231002X", today()).unwrap();
        assert!(check_gender_matches(&male, Gender::Male).is_ok());
        assert!(check_gender_matches(&male, Gender::Unspecified).is_ok());
        assert!(check_gender_matches(&female, Gender::Female).is_ok());
        assert_eq!(
            code(check_gender_matches(&male, Gender::Female)),
            ErrorCode::IdGenderMismatch
        );
        assert_eq!(
            code(normalize_id_number(
                IdType::MainlandId,
                "11010519491231002X",
                Gender::Male,
                today()
            )),
            ErrorCode::IdGenderMismatch
        );
    }

    #[test]
    fn passports_are_5_to_20_letters_or_digits() {
        assert_eq!(normalize_passport(" e1234567 ").unwrap(), "E1234567");
        assert!(normalize_passport("12345").is_ok());
        assert!(normalize_passport(&"A".repeat(20)).is_ok());
        for bad in [
            "1234",
            &"A".repeat(21),
            "E123-4567",
            "E123 4567",
            "É1234567",
        ] {
            assert_eq!(
                code(normalize_passport(bad)),
                ErrorCode::InvalidPassport,
                "{bad}"
            );
        }
        assert_eq!(code(normalize_passport("")), ErrorCode::Required);
    }

    #[test]
    fn masking_keeps_at_most_four_characters_at_each_end() {
        assert_eq!(mask_id_number("11010519491231002X"), "1101**********002X");
        assert_eq!(mask_id_number("E12345678"), "E1*****78");
        assert_eq!(mask_id_number("12345"), "1***5");
        assert_eq!(mask_id_number("1234"), "1**4");
        assert_eq!(mask_id_number("123"), "***");
        assert_eq!(mask_id_number(""), "");
    }

    #[cfg(feature = "server")]
    #[test]
    fn countries_are_assigned_iso_codes() {
        assert_eq!(normalize_country(" cn ").unwrap(), "CN");
        assert_eq!(normalize_country("us").unwrap(), "US");
        for bad in ["", "C", "CHN", "C1", "中国", "ZZ", "XX"] {
            assert_eq!(
                code(normalize_country(bad)),
                ErrorCode::InvalidCountry,
                "{bad}"
            );
        }
    }

    #[test]
    fn names_and_reasons() {
        assert_eq!(normalize_display_name("  小明 ").unwrap(), "小明");
        assert_eq!(code(normalize_display_name(" ")), ErrorCode::Required);
        assert_eq!(
            code(normalize_display_name(&"a".repeat(33))),
            ErrorCode::InvalidDisplayName
        );
        assert_eq!(
            code(normalize_display_name("a\u{7}b")),
            ErrorCode::InvalidDisplayName
        );
        assert_eq!(
            normalize_real_name("阿依古丽·买买提").unwrap(),
            "阿依古丽·买买提"
        );
        assert_eq!(
            code(normalize_real_name(&"名".repeat(65))),
            ErrorCode::InvalidRealName
        );
        assert_eq!(
            code(normalize_reason(&"x".repeat(201))),
            ErrorCode::InvalidReason
        );
    }

    #[test]
    fn china_dates_from_unix_times() {
        assert_eq!(
            CivilDate::china_from_unix(0),
            CivilDate::new(1970, 1, 1).unwrap()
        );
        // 2024-02-28T16:00:00Z is already 29 February in Beijing.
        assert_eq!(
            CivilDate::china_from_unix(1_709_136_000),
            CivilDate::new(2024, 2, 29).unwrap()
        );
        assert_eq!(
            CivilDate::china_from_unix(1_709_135_999),
            CivilDate::new(2024, 2, 28).unwrap()
        );
        assert_eq!(
            CivilDate::china_from_unix(-1),
            CivilDate::new(1970, 1, 1).unwrap()
        );
        assert_eq!(
            CivilDate::china_from_unix(-8 * 3600 - 1),
            CivilDate::new(1969, 12, 31).unwrap()
        );
    }

    #[test]
    fn enums_round_trip() {
        for g in Gender::ALL {
            assert_eq!(Gender::parse(g.as_str()), Some(*g));
        }
        for t in IdType::ALL {
            assert_eq!(IdType::parse(t.as_str()), Some(*t));
        }
        assert_eq!(IdType::default(), IdType::MainlandId);
    }
}
