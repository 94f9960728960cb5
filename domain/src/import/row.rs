//! One line of an import file: its fields, and the checks that need no
//! database (identifier formats, profile, status, time, hash, amounts).
//!
//! The format is documented in the README ("Importing users"); the field
//! rules are the product's own: identifiers as at sign-up, profile fields
//! as on `/profile`, amounts by the wallet's parser.

use super::legacy_hash::LegacyHash;
use crate::accounts::{NewAccount, Verified};
use crate::store::users::UserStatus;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use shared::identity::{self, CivilDate, Gender, IdType};
use shared::money;
use shared::wallet::{self, Currency};
use shared::{AppError, ErrorCode};
use std::collections::{BTreeMap, HashMap};

/// A row as written, before any check.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow {
    import_id: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    email_verified: bool,
    #[serde(default)]
    phone_verified: bool,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    real_name: Option<String>,
    #[serde(default)]
    real_name_verified: bool,
    #[serde(default)]
    gender: Option<Value>,
    #[serde(default)]
    id_country: Option<String>,
    #[serde(default)]
    id_type: Option<String>,
    #[serde(default)]
    id_number: Option<String>,
    #[serde(default)]
    status: Option<Value>,
    #[serde(default)]
    created_at: Option<Value>,
    #[serde(default)]
    password: Option<RawPassword>,
    #[serde(default)]
    balances: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPassword {
    scheme: String,
    hash: String,
    #[serde(default)]
    salt: Option<String>,
}

/// What is wrong with a row: a stable code, the field it is about (as
/// named in the file, e.g. `balances.CNY`) and a sentence for the operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub code: ErrorCode,
    pub field: Option<String>,
    pub message: String,
}

impl Problem {
    pub(crate) fn new(code: ErrorCode, field: Option<&str>, message: impl Into<String>) -> Self {
        Problem {
            code,
            field: field.map(str::to_string),
            message: message.into(),
        }
    }

    /// An error of the product's validation, on a field of the file.
    pub(crate) fn of(e: AppError, field: &str) -> Self {
        Problem::new(e.code, Some(field), e.message)
    }
}

/// The account state an imported account keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Normal,
    Frozen,
    Closed,
}

impl Status {
    pub(crate) fn stored(self) -> UserStatus {
        match self {
            Status::Normal => UserStatus::Normal,
            Status::Frozen => UserStatus::Frozen,
            Status::Closed => UserStatus::Closed,
        }
    }
}

/// The real-name review an imported account starts with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Review {
    None,
    /// The old system was still reviewing it (seed status 4): it joins the
    /// staff's queue.
    Pending,
    /// The old system had verified the real name and ID.
    Verified,
}

/// A row that passed every check that needs no database.
pub(crate) struct ImportRow {
    pub(crate) import_id: String,
    /// SHA-256 of the row's canonical JSON: the same id with other content
    /// is a conflict, not a re-run.
    pub(crate) row_hash: String,
    pub(crate) account: NewAccount,
    pub(crate) verified: Verified,
    pub(crate) display_name: Option<String>,
    pub(crate) real_name: Option<String>,
    pub(crate) gender: Gender,
    pub(crate) id_country: String,
    pub(crate) id_type: IdType,
    pub(crate) id_number: Option<String>,
    pub(crate) review: Review,
    pub(crate) status: Status,
    pub(crate) created_at: Option<i64>,
    pub(crate) password: Option<LegacyHash>,
    /// Non-zero opening balances, in minor units, by currency code.
    pub(crate) balances: Vec<(Currency, i64)>,
}

impl ImportRow {
    /// Keys that two rows of one file may not share: the import id, and
    /// the email, phone and username as uniqueness sees them.
    pub(crate) fn unique_keys(&self) -> Vec<(&'static str, String)> {
        let valid = &self.account.valid;
        let mut keys = vec![("import_id", self.import_id.clone())];
        keys.extend(valid.email.clone().map(|e| ("email", e)));
        keys.extend(valid.phone.clone().map(|p| ("phone", p)));
        keys.extend(self.account.username_key.clone().map(|u| ("username", u)));
        keys
    }
}

/// Checks one line; `now` bounds the created time and `currencies` (every
/// currency, enabled or not, by code) the balances.
pub(crate) fn parse(
    line: &str,
    now: i64,
    currencies: &HashMap<String, Currency>,
) -> Result<ImportRow, Problem> {
    let value: Value = serde_json::from_str(line)
        .map_err(|e| Problem::new(ErrorCode::InvalidInput, None, format!("not JSON: {e}")))?;
    if !value.is_object() {
        return Err(Problem::new(
            ErrorCode::InvalidInput,
            None,
            "each line must be one JSON object",
        ));
    }
    let row_hash = hash_canonical(&value);
    let raw: RawRow = serde_json::from_value(value)
        .map_err(|e| Problem::new(ErrorCode::InvalidInput, None, e.to_string()))?;

    let import_id = wallet::check_request_id(raw.import_id.trim())
        .map_err(|_| {
            Problem::new(
                ErrorCode::InvalidRequestId,
                Some("import_id"),
                "import_id: 1–64 letters, digits, '.', '_', ':' or '-'",
            )
        })?
        .to_string();
    let text = |v: &Option<String>| v.as_deref().unwrap_or("").to_string();
    let account = NewAccount::validate_identifiers(
        &text(&raw.email),
        &text(&raw.phone),
        &text(&raw.username),
    )
    .map_err(|e| {
        let e = e.to_app_error();
        let field = e.field.map_or("email", |f| f.as_str());
        Problem::of(e, field)
    })?;
    let verified = Verified {
        email: raw.email_verified && account.valid.email.is_some(),
        phone: raw.phone_verified && account.valid.phone.is_some(),
    };

    let optional = |raw: &Option<String>,
                    field: &str,
                    check: fn(&str) -> Result<String, AppError>|
     -> Result<Option<String>, Problem> {
        match raw.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => check(v).map(Some).map_err(|e| Problem::of(e, field)),
        }
    };
    let display_name = optional(
        &raw.display_name,
        "display_name",
        identity::normalize_display_name,
    )?;
    let real_name = optional(&raw.real_name, "real_name", identity::normalize_real_name)?;
    let gender = parse_gender(raw.gender.as_ref())?;
    let id_country = match raw.id_country.as_deref().map(str::trim) {
        None | Some("") => identity::DEFAULT_ID_COUNTRY.to_string(),
        Some(c) => identity::normalize_country(c).map_err(|e| Problem::of(e, "id_country"))?,
    };
    let id_type = match raw.id_type.as_deref().map(str::trim) {
        None | Some("") => IdType::default(),
        Some(t) => IdType::parse(t).ok_or_else(|| {
            Problem::new(
                ErrorCode::InvalidInput,
                Some("id_type"),
                "id_type: mainland_id, passport or other",
            )
        })?,
    };
    let today = CivilDate::china_from_unix(now);
    let id_number = match raw.id_number.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(n) => Some(
            identity::normalize_id_number(id_type, n, gender, today)
                .map_err(|e| Problem::of(e, "id_number"))?,
        ),
    };

    let (status, in_review) = parse_status(raw.status.as_ref())?;
    let review = if raw.real_name_verified {
        for (missing, field) in [
            (real_name.is_none(), "real_name"),
            (id_number.is_none(), "id_number"),
        ] {
            if missing {
                return Err(Problem::new(
                    ErrorCode::Required,
                    Some(field),
                    format!("real_name_verified needs the {field}"),
                ));
            }
        }
        Review::Verified
    } else if in_review && real_name.is_some() && id_number.is_some() {
        Review::Pending
    } else {
        Review::None
    };
    let created_at = match &raw.created_at {
        None | Some(Value::Null) => None,
        Some(v) => Some(parse_time(v, now)?),
    };
    let password = match &raw.password {
        None => None,
        Some(p) => Some(
            LegacyHash::new(&p.scheme, &p.hash, p.salt.as_deref())
                .map_err(|e| Problem::of(e, "password"))?,
        ),
    };
    let balances = parse_balances(&raw.balances, currencies)?;
    if status == Status::Closed && !balances.is_empty() {
        return Err(Problem::new(
            ErrorCode::BalanceNotZero,
            Some("balances"),
            "a closed account cannot hold money",
        ));
    }
    Ok(ImportRow {
        import_id,
        row_hash,
        account,
        verified,
        display_name,
        real_name,
        gender,
        id_country,
        id_type,
        id_number,
        review,
        status,
        created_at,
        password,
        balances,
    })
}

/// `male`, `female`, `unspecified`, or GB/T 2261.1's numbers (1 male,
/// 2 female, 0 or 9 not stated), which the seeds use.
fn parse_gender(value: Option<&Value>) -> Result<Gender, Problem> {
    let bad = || {
        Problem::new(
            ErrorCode::InvalidInput,
            Some("gender"),
            "gender: male, female or unspecified (or 1, 2, 0)",
        )
    };
    match value {
        None | Some(Value::Null) => Ok(Gender::Unspecified),
        Some(Value::String(s)) => match s.trim() {
            "" | "0" | "9" => Ok(Gender::Unspecified),
            "1" => Ok(Gender::Male),
            "2" => Ok(Gender::Female),
            other => Gender::parse(&other.to_ascii_lowercase()).ok_or_else(bad),
        },
        Some(Value::Number(n)) => match n.as_u64() {
            Some(0 | 9) => Ok(Gender::Unspecified),
            Some(1) => Ok(Gender::Male),
            Some(2) => Ok(Gender::Female),
            _ => Err(bad()),
        },
        Some(_) => Err(bad()),
    }
}

/// The account state and whether the old system was reviewing the real
/// name. Names: `normal` (also `active`), `frozen`, `closed` (also
/// `deleted`), and the product's legacy review names. Numbers (or digit
/// strings): the seeds' combined status, 0 normal, 1 frozen, 2 not
/// reviewed, 3 review rejected, 4 under review, 5 deleted. The review
/// numbers all make a `normal` account: the product keeps reviews apart
/// from the account state, and never locks anyone out for one.
fn parse_status(value: Option<&Value>) -> Result<(Status, bool), Problem> {
    let bad = |shown: String| {
        Problem::new(
            ErrorCode::InvalidStatus,
            Some("status"),
            format!("unknown status {shown}: normal, frozen, closed, or a seed status number 0–5"),
        )
    };
    let code = match value {
        None | Some(Value::Null) => return Ok((Status::Normal, false)),
        Some(Value::Number(n)) => n.as_u64().ok_or_else(|| bad(n.to_string()))?,
        Some(Value::String(s)) => {
            let s = s.trim().to_ascii_lowercase();
            match s.as_str() {
                "normal" | "active" => 0,
                "frozen" => 1,
                "unreviewed" => 2,
                "verify_failed" => 3,
                "in_review" => 4,
                "closed" | "deleted" => 5,
                digits => digits.parse().map_err(|_| bad(format!("{s:?}")))?,
            }
        }
        Some(other) => return Err(bad(other.to_string())),
    };
    match code {
        0 | 2 | 3 => Ok((Status::Normal, false)),
        1 => Ok((Status::Frozen, false)),
        4 => Ok((Status::Normal, true)),
        5 => Ok((Status::Closed, false)),
        other => Err(bad(other.to_string())),
    }
}

/// Unix seconds, RFC 3339 (`2021-03-04T05:06:07+08:00`), or the seeds'
/// `YYYY-MM-DD HH:MM:SS` read as China Standard Time (UTC+8). Not in the
/// future.
fn parse_time(value: &Value, now: i64) -> Result<i64, Problem> {
    let bad = |why: &str| {
        Problem::new(
            ErrorCode::InvalidInput,
            Some("created_at"),
            format!(
                "created_at {why}: Unix seconds, RFC 3339, or \"YYYY-MM-DD HH:MM:SS\" (China time)"
            ),
        )
    };
    let unix = match value {
        Value::Number(n) => n.as_i64().ok_or_else(|| bad("is not whole seconds"))?,
        Value::String(s) => parse_time_text(s.trim()).ok_or_else(|| bad("cannot be read"))?,
        _ => return Err(bad("has the wrong type")),
    };
    if unix < 0 || unix > now {
        return Err(bad("is before 1970 or in the future"));
    }
    Ok(unix)
}

fn parse_time_text(text: &str) -> Option<i64> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t.unix_timestamp());
    }
    // YYYY-MM-DD HH:MM:SS, every field its fixed width.
    let b = text.as_bytes();
    let shape_ok = b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b' ',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    let num = |from: usize, to: usize| text[from..to].parse::<u32>().ok();
    let month = time::Month::try_from(num(5, 7)? as u8).ok()?;
    let date = time::Date::from_calendar_date(num(0, 4)? as i32, month, num(8, 10)? as u8).ok()?;
    let clock =
        time::Time::from_hms(num(11, 13)? as u8, num(14, 16)? as u8, num(17, 19)? as u8).ok()?;
    let china = time::UtcOffset::from_hms(8, 0, 0).ok()?;
    Some(
        time::PrimitiveDateTime::new(date, clock)
            .assume_offset(china)
            .unix_timestamp(),
    )
}

/// Decimal strings by currency code, parsed exactly in the currency's
/// scale; zero balances are left out (no account is opened for them).
fn parse_balances(
    raw: &BTreeMap<String, Value>,
    currencies: &HashMap<String, Currency>,
) -> Result<Vec<(Currency, i64)>, Problem> {
    let mut balances = Vec::new();
    for (code, amount) in raw {
        let field = format!("balances.{code}");
        let currency = currencies.get(code.trim()).ok_or_else(|| {
            Problem::new(
                ErrorCode::UnknownCurrency,
                Some(&field),
                format!("no currency {code:?}"),
            )
        })?;
        if !currency.enabled {
            return Err(Problem::new(
                ErrorCode::CurrencyDisabled,
                Some(&field),
                format!("{code} is disabled"),
            ));
        }
        let Value::String(text) = amount else {
            return Err(Problem::new(
                ErrorCode::InvalidAmount,
                Some(&field),
                "amounts are decimal strings, e.g. \"12.50\", never JSON numbers",
            ));
        };
        let minor = money::parse_non_negative_amount(text, currency.scale).map_err(|e| {
            let e = AppError::from(e);
            Problem::new(e.code, Some(&field), format!("{text:?}: {}", e.message))
        })?;
        if minor > 0 {
            balances.push((currency.clone(), minor));
        }
    }
    Ok(balances)
}

/// SHA-256 (hex) of the value written with sorted keys and no spaces, so
/// the same row hashes alike however it is formatted.
fn hash_canonical(value: &Value) -> String {
    fn write(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (i, key) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(key.clone()).to_string());
                    out.push(':');
                    write(&map[key], out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            scalar => out.push_str(&scalar.to_string()),
        }
    }
    let mut canonical = String::new();
    write(value, &mut canonical);
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_750_000_000;

    fn currencies() -> HashMap<String, Currency> {
        [("CNY", 2, true), ("BTC", 8, true), ("OLD", 2, false)]
            .into_iter()
            .map(|(code, scale, enabled)| {
                let c = Currency {
                    code: code.into(),
                    name: code.into(),
                    name_zh: None,
                    scale,
                    enabled,
                    aliases: Vec::new(),
                };
                (code.to_string(), c)
            })
            .collect()
    }

    fn check(line: &str) -> Result<ImportRow, Problem> {
        parse(line, NOW, &currencies())
    }

    fn problem(line: &str) -> (ErrorCode, Option<String>) {
        let p = check(line)
            .err()
            .unwrap_or_else(|| panic!("a problem: {line}"));
        (p.code, p.field)
    }

    #[test]
    fn a_full_row_is_read_with_the_products_rules() {
        let row = check(
            r#"{"import_id":"old:1","email":" Ann@Example.COM","phone":"+86 138 0013 8000",
                "username":"Ann_1","email_verified":true,"display_name":"Ann","real_name":"张三",
                "gender":2,"id_type":"mainland_id","id_number":"11010519491231002x",
                "real_name_verified":true,"status":"1","created_at":"2020-01-02 03:04:05",
                "password":{"scheme":"MD5","hash":"5F4DCC3B5AA765D61D8327DEB882CF99"},
                "balances":{"CNY":"12.50","BTC":"0"}}"#,
        )
        .unwrap();
        assert_eq!(row.import_id, "old:1");
        assert_eq!(row.account.valid.email.as_deref(), Some("ann@example.com"));
        assert_eq!(row.account.valid.phone.as_deref(), Some("13800138000"));
        assert_eq!(row.account.username_key.as_deref(), Some("ann_1"));
        assert!(row.verified.email && !row.verified.phone);
        assert_eq!(row.gender, Gender::Female);
        assert_eq!(row.id_number.as_deref(), Some("11010519491231002X"));
        assert_eq!((row.status, row.review), (Status::Frozen, Review::Verified));
        // 2020-01-02 03:04:05 in China is 2020-01-01 19:04:05 UTC.
        assert_eq!(row.created_at, Some(1_577_905_445));
        assert_eq!(row.password.unwrap().scheme().name(), "md5");
        let balances: Vec<_> = row
            .balances
            .iter()
            .map(|(c, m)| (c.code.as_str(), *m))
            .collect();
        assert_eq!(balances, [("CNY", 1250)], "zero balances open nothing");
    }

    #[test]
    fn the_seed_status_numbers_map_to_states_and_reviews() {
        let with = |status: &str| {
            let row = check(&format!(
                r#"{{"import_id":"a","phone":"13800138000","real_name":"A","id_type":"passport",
                     "id_number":"E1234567","status":{status}}}"#
            ))
            .unwrap();
            (row.status, row.review)
        };
        assert_eq!(with("0"), (Status::Normal, Review::None));
        assert_eq!(with("1"), (Status::Frozen, Review::None));
        assert_eq!(with("\"2\""), (Status::Normal, Review::None));
        assert_eq!(with("3"), (Status::Normal, Review::None));
        assert_eq!(with("4"), (Status::Normal, Review::Pending));
        assert_eq!(with("5"), (Status::Closed, Review::None));
        assert_eq!(with("\"Frozen\""), (Status::Frozen, Review::None));
        assert_eq!(with("\"deleted\""), (Status::Closed, Review::None));
        assert_eq!(with("null"), (Status::Normal, Review::None));
        for bad in ["6", "-1", "\"gone\"", "true", "1.5"] {
            let line = format!(r#"{{"import_id":"a","phone":"13800138000","status":{bad}}}"#);
            assert_eq!(problem(&line).0, ErrorCode::InvalidStatus, "{bad}");
        }
    }

    #[test]
    fn bad_rows_say_what_and_where() {
        let cases = [
            ("not json", ErrorCode::InvalidInput, None),
            ("[1]", ErrorCode::InvalidInput, None),
            (r#"{"email":"a@b.co"}"#, ErrorCode::InvalidInput, None),
            (
                r#"{"import_id":"a","email":"a@b.co","nick":"x"}"#,
                ErrorCode::InvalidInput,
                None,
            ),
            (
                r#"{"import_id":"a b","email":"a@b.co"}"#,
                ErrorCode::InvalidRequestId,
                Some("import_id"),
            ),
            (
                r#"{"import_id":"a","username":"ann_1"}"#,
                ErrorCode::ContactRequired,
                Some("email"),
            ),
            (
                r#"{"import_id":"a","email":"not-mail"}"#,
                ErrorCode::InvalidEmail,
                Some("email"),
            ),
            (
                r#"{"import_id":"a","phone":"12345"}"#,
                ErrorCode::InvalidPhone,
                Some("phone"),
            ),
            (
                r#"{"import_id":"a","email":"a@b.co","id_number":"110105194912310021"}"#,
                ErrorCode::InvalidIdNumber,
                Some("id_number"),
            ),
            (
                r#"{"import_id":"a","email":"a@b.co","gender":"male","id_number":"11010519491231002X"}"#,
                ErrorCode::IdGenderMismatch,
                Some("id_number"),
            ),
            (
                r#"{"import_id":"a","email":"a@b.co","id_country":"XX"}"#,
                ErrorCode::InvalidCountry,
                Some("id_country"),
            ),
            (
                r#"{"import_id":"a","email":"a@b.co","real_name_verified":true}"#,
                ErrorCode::Required,
                Some("real_name"),
            ),
            (
                r#"{"import_id":"a","email":"a@b.co","created_at":"yesterday"}"#,
                ErrorCode::InvalidInput,
                Some("created_at"),
            ),
            (
                r#"{"import_id":"a","email":"a@b.co","created_at":99999999999}"#,
                ErrorCode::InvalidInput,
                Some("created_at"),
            ),
            (
                r#"{"import_id":"a","email":"a@b.co","password":{"scheme":"md5","hash":"abc"}}"#,
                ErrorCode::InvalidLegacyHash,
                Some("password"),
            ),
            (
                r#"{"import_id":"a","email":"a@b.co","balances":{"XYZ":"1"}}"#,
                ErrorCode::UnknownCurrency,
                Some("balances.XYZ"),
            ),
            (
                r#"{"import_id":"a","email":"a@b.co","balances":{"OLD":"1"}}"#,
                ErrorCode::CurrencyDisabled,
                Some("balances.OLD"),
            ),
            (
                r#"{"import_id":"a","email":"a@b.co","balances":{"CNY":1.5}}"#,
                ErrorCode::InvalidAmount,
                Some("balances.CNY"),
            ),
            (
                r#"{"import_id":"a","email":"a@b.co","balances":{"CNY":"1.505"}}"#,
                ErrorCode::AmountTooPrecise,
                Some("balances.CNY"),
            ),
            (
                r#"{"import_id":"a","email":"a@b.co","balances":{"CNY":"-1"}}"#,
                ErrorCode::AmountNegative,
                Some("balances.CNY"),
            ),
            (
                r#"{"import_id":"a","email":"a@b.co","balances":{"CNY":"1e3"}}"#,
                ErrorCode::AmountExponent,
                Some("balances.CNY"),
            ),
            (
                r#"{"import_id":"a","email":"a@b.co","status":5,"balances":{"CNY":"1"}}"#,
                ErrorCode::BalanceNotZero,
                Some("balances"),
            ),
        ];
        for (line, code, field) in cases {
            assert_eq!(problem(line), (code, field.map(str::to_string)), "{line}");
        }
    }

    #[test]
    fn the_row_hash_ignores_formatting_only() {
        let a = check(r#"{"import_id":"a","email":"a@b.co","balances":{"CNY":"1","BTC":"2"}}"#)
            .unwrap();
        let b = check("{ \"balances\": {\"BTC\":\"2\", \"CNY\":\"1\"},\n \"email\":\"a@b.co\", \"import_id\":\"a\" }").unwrap();
        let c = check(r#"{"import_id":"a","email":"a@b.co","balances":{"CNY":"1","BTC":"3"}}"#)
            .unwrap();
        assert_eq!(a.row_hash, b.row_hash);
        assert_ne!(a.row_hash, c.row_hash);
    }
}
