//! Managing currencies: what a super admin enters to add or change one (in
//! the console or at the command line), and the rules for codes, names and
//! aliases that the forms and the domain share.

use crate::error::{AppError, ErrorCode};
use crate::wallet::{check_currency_code, Currency, CURRENCY_MAX_SCALE};
use serde::{Deserialize, Serialize};

pub const NAME_MAX_CHARS: usize = 64;
pub const ALIAS_MAX_CHARS: usize = 32;
/// More would be a configuration mistake rather than a need.
pub const MAX_ALIASES: usize = 16;

/// A currency to add.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCurrency {
    pub code: String,
    pub name: String,
    /// Blank or absent: no Chinese name (the English one is shown).
    #[serde(default)]
    pub name_zh: Option<String>,
    pub scale: u32,
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// Changes to a currency; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyEdit {
    pub name: Option<String>,
    /// `Some("")` removes the Chinese name.
    pub name_zh: Option<String>,
    /// Refused with `CURRENCY_SCALE_LOCKED` once the currency has journal rows.
    pub scale: Option<u32>,
    /// The whole new list; `Some(vec![])` removes every alias.
    pub aliases: Option<Vec<String>>,
}

/// A currency as the console lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyDetail {
    pub currency: Currency,
    /// Money has moved in it, so its scale is fixed.
    pub scale_locked: bool,
}

/// A checked [`NewCurrency`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidCurrency {
    pub code: String,
    pub name: String,
    pub name_zh: Option<String>,
    pub scale: u32,
    pub aliases: Vec<String>,
}

impl NewCurrency {
    /// Every field checked and normalised; `INVALID_CURRENCY` or
    /// `INVALID_CURRENCY_ALIAS` naming the first problem.
    pub fn validate(&self) -> Result<ValidCurrency, AppError> {
        Ok(ValidCurrency {
            code: check_currency_code(&self.code)?,
            name: check_currency_name(&self.name)?,
            name_zh: check_name_zh(self.name_zh.as_deref().unwrap_or(""))?,
            scale: check_scale(self.scale)?,
            aliases: check_aliases(&self.aliases)?,
        })
    }
}

/// A checked [`CurrencyEdit`]; `name_zh: Some(None)` removes the Chinese name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidEdit {
    pub name: Option<String>,
    pub name_zh: Option<Option<String>>,
    pub scale: Option<u32>,
    pub aliases: Option<Vec<String>>,
}

impl CurrencyEdit {
    pub fn validate(&self) -> Result<ValidEdit, AppError> {
        Ok(ValidEdit {
            name: self.name.as_deref().map(check_currency_name).transpose()?,
            name_zh: self.name_zh.as_deref().map(check_name_zh).transpose()?,
            scale: self.scale.map(check_scale).transpose()?,
            aliases: self.aliases.as_deref().map(check_aliases).transpose()?,
        })
    }
}

/// A currency's name: trimmed, 1–64 characters, no control characters.
pub fn check_currency_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    let ok =
        (1..=NAME_MAX_CHARS).contains(&name.chars().count()) && !name.chars().any(char::is_control);
    if ok {
        Ok(name.to_string())
    } else {
        Err(AppError::with_message(
            ErrorCode::InvalidCurrency,
            "The name must have 1–64 characters and no control characters.",
        ))
    }
}

/// The optional Chinese name: blank is none, else as [`check_currency_name`].
pub fn check_name_zh(raw: &str) -> Result<Option<String>, AppError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    check_currency_name(raw).map(Some)
}

/// 0–8 decimal places (see [`CURRENCY_MAX_SCALE`]).
pub fn check_scale(scale: u32) -> Result<u32, AppError> {
    if scale <= CURRENCY_MAX_SCALE {
        Ok(scale)
    } else {
        Err(AppError::with_message(
            ErrorCode::InvalidCurrency,
            format!("The scale (decimal places) must be 0–{CURRENCY_MAX_SCALE}."),
        ))
    }
}

/// The scale as typed into a form.
pub fn parse_scale(raw: &str) -> Result<u32, AppError> {
    raw.trim()
        .parse::<u32>()
        .map_err(|_| {
            AppError::with_message(
                ErrorCode::InvalidCurrency,
                format!(
                    "The scale (decimal places) must be a whole number 0–{CURRENCY_MAX_SCALE}."
                ),
            )
        })
        .and_then(check_scale)
}

/// One alias: trimmed, 1–32 ASCII letters, digits, `_` or `-`. Compared
/// exactly (`integral` and `Integral` are two aliases).
pub fn check_alias(raw: &str) -> Result<String, AppError> {
    let alias = raw.trim();
    let ok = (1..=ALIAS_MAX_CHARS).contains(&alias.len())
        && alias
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'));
    if ok {
        Ok(alias.to_string())
    } else {
        Err(AppError::with_message(
            ErrorCode::InvalidCurrencyAlias,
            format!("{alias:?} is not an alias: use 1–32 letters, digits, _ or -."),
        ))
    }
}

/// A list of aliases: each checked, repeats dropped, sorted, at most 16.
pub fn check_aliases(raw: &[String]) -> Result<Vec<String>, AppError> {
    let mut aliases = raw
        .iter()
        .map(|a| check_alias(a))
        .collect::<Result<Vec<_>, _>>()?;
    aliases.sort();
    aliases.dedup();
    if aliases.len() > MAX_ALIASES {
        return Err(AppError::with_message(
            ErrorCode::InvalidCurrencyAlias,
            format!("A currency may have at most {MAX_ALIASES} aliases."),
        ));
    }
    Ok(aliases)
}

/// Aliases as typed into a form or on the command line: separated by
/// commas or white space; blank is none.
pub fn parse_aliases(text: &str) -> Result<Vec<String>, AppError> {
    let items: Vec<String> = text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    check_aliases(&items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code<T: std::fmt::Debug>(r: Result<T, AppError>) -> ErrorCode {
        r.expect_err("expected an error").code
    }

    #[test]
    fn new_currencies_are_checked_and_normalised() {
        let ok = NewCurrency {
            code: " EUR ".into(),
            name: " Euro ".into(),
            name_zh: Some("  ".into()),
            scale: 2,
            aliases: vec!["eur".into(), " 7 ".into(), "eur".into()],
        }
        .validate()
        .unwrap();
        assert_eq!(ok.code, "EUR");
        assert_eq!(ok.name, "Euro");
        assert_eq!(ok.name_zh, None);
        assert_eq!(ok.aliases, ["7", "eur"]);
        let with = |f: fn(&mut NewCurrency)| {
            let mut n = NewCurrency {
                code: "EUR".into(),
                name: "Euro".into(),
                name_zh: Some("欧元".into()),
                scale: 2,
                aliases: vec![],
            };
            f(&mut n);
            code(n.validate())
        };
        assert_eq!(with(|n| n.code = "eur".into()), ErrorCode::InvalidCurrency);
        assert_eq!(with(|n| n.name = " ".into()), ErrorCode::InvalidCurrency);
        assert_eq!(
            with(|n| n.name = "x".repeat(65)),
            ErrorCode::InvalidCurrency
        );
        assert_eq!(
            with(|n| n.name_zh = Some("欧\u{7}元".into())),
            ErrorCode::InvalidCurrency
        );
        assert_eq!(with(|n| n.scale = 9), ErrorCode::InvalidCurrency);
        assert_eq!(
            with(|n| n.aliases = vec!["a b".into()]),
            ErrorCode::InvalidCurrencyAlias
        );
    }

    #[test]
    fn aliases() {
        assert_eq!(parse_aliases("").unwrap(), Vec::<String>::new());
        assert_eq!(
            parse_aliases(" 1, integral  x-y_2 ").unwrap(),
            ["1", "integral", "x-y_2"]
        );
        for bad in ["币", "a.b", &"x".repeat(33), "a:b"] {
            assert_eq!(
                code(check_alias(bad)),
                ErrorCode::InvalidCurrencyAlias,
                "{bad}"
            );
        }
        let many = (0..17).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
        assert_eq!(code(parse_aliases(&many)), ErrorCode::InvalidCurrencyAlias);
    }

    #[test]
    fn edits_leave_absent_fields_alone() {
        let e = CurrencyEdit {
            name_zh: Some(String::new()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(e.name, None);
        assert_eq!(e.name_zh, Some(None));
        assert_eq!(e.aliases, None);
        assert_eq!(parse_scale(" 3 ").unwrap(), 3);
        assert_eq!(code(parse_scale("-1")), ErrorCode::InvalidCurrency);
        assert_eq!(code(parse_scale("9")), ErrorCode::InvalidCurrency);
    }

    #[test]
    fn names_follow_the_language() {
        let mut c = Currency {
            code: "POINTS".into(),
            name: "Points".into(),
            name_zh: Some("积分".into()),
            scale: 0,
            enabled: true,
            aliases: vec![],
        };
        assert_eq!(c.name_in("zh-CN"), "积分");
        assert_eq!(c.name_in("zh"), "积分");
        assert_eq!(c.name_in("en"), "Points");
        c.name_zh = None;
        assert_eq!(c.name_in("zh-CN"), "Points");
    }
}
