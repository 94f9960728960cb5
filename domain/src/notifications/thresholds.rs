//! How much money must arrive before its receiver is told
//! (`UC_NOTIFY_RECEIVED_MIN`).
//!
//! Currencies have different scales and worths (a hundred yuan, a hundredth
//! of a bitcoin), so the threshold is written in each currency's own units
//! as a decimal, with a default for all and optional overrides:
//! `100,BTC=0.01,POINTS=off`. An empty value, or `off`, tells nobody.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// A non-negative decimal as written, e.g. `100` or `0.01`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Decimal {
    whole: String,
    fraction: String,
}

impl Decimal {
    fn parse(text: &str) -> Result<Decimal, String> {
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) || whole.len() > 18 {
            return Err(format!("{text:?} is not an amount like 100 or 0.01"));
        }
        Ok(Decimal {
            whole: whole.to_string(),
            fraction: fraction.to_string(),
        })
    }

    /// In minor units of a currency with `scale` decimals, rounded up (a
    /// threshold finer than the currency's smallest unit is its next unit).
    fn minor(&self, scale: u32) -> i64 {
        let scale = scale as usize;
        let mut digits = self.whole.clone();
        let kept: String = self.fraction.chars().take(scale).collect();
        digits.push_str(&kept);
        digits.extend(std::iter::repeat_n('0', scale - kept.len()));
        let value: i128 = digits.parse().unwrap_or(i128::MAX);
        let rest_nonzero = self.fraction.chars().skip(scale).any(|c| c != '0');
        let value = if rest_nonzero { value + 1 } else { value };
        i64::try_from(value).unwrap_or(i64::MAX)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.fraction.is_empty() {
            f.write_str(&self.whole)
        } else {
            write!(f, "{}.{}", self.whole, self.fraction)
        }
    }
}

/// The parsed `UC_NOTIFY_RECEIVED_MIN`. `None` entries are `off`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedMin {
    all: Option<Decimal>,
    currencies: BTreeMap<String, Option<Decimal>>,
}

impl Default for ReceivedMin {
    /// 100 units of any currency.
    fn default() -> Self {
        ReceivedMin {
            all: Some(Decimal {
                whole: "100".into(),
                fraction: String::new(),
            }),
            currencies: BTreeMap::new(),
        }
    }
}

impl ReceivedMin {
    /// Nobody is told of any amount.
    pub fn off() -> Self {
        ReceivedMin {
            all: None,
            currencies: BTreeMap::new(),
        }
    }

    /// The threshold in minor units of `currency` (its code, with `scale`
    /// decimals); `None`: receipts in it tell nobody.
    pub fn minor(&self, currency: &str, scale: u32) -> Option<i64> {
        self.currencies
            .get(&currency.to_ascii_uppercase())
            .unwrap_or(&self.all)
            .as_ref()
            .map(|d| d.minor(scale))
    }
}

impl FromStr for ReceivedMin {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut parsed = ReceivedMin::off();
        let amount = |text: &str| -> Result<Option<Decimal>, String> {
            if text.eq_ignore_ascii_case("off") {
                Ok(None)
            } else {
                Decimal::parse(text).map(Some)
            }
        };
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            match item.split_once('=') {
                Some((code, value)) => {
                    let code = code.trim().to_ascii_uppercase();
                    if code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
                        return Err(format!(
                            "{item:?}: the currency code must be letters or digits"
                        ));
                    }
                    parsed.currencies.insert(code, amount(value.trim())?);
                }
                None => parsed.all = amount(item)?,
            }
        }
        Ok(parsed)
    }
}

impl fmt::Display for ReceivedMin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |d: &Option<Decimal>| d.as_ref().map_or("off".to_string(), |d| d.to_string());
        let mut items = vec![show(&self.all)];
        items.extend(
            self.currencies
                .iter()
                .map(|(code, d)| format!("{code}={}", show(d))),
        );
        f.write_str(&items.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_in_each_currencys_own_units() {
        let min: ReceivedMin = "100, btc=0.01, POINTS=off".parse().unwrap();
        assert_eq!(min.minor("CNY", 2), Some(10_000));
        assert_eq!(min.minor("BTC", 8), Some(1_000_000));
        assert_eq!(min.minor("POINTS", 0), None);
        assert_eq!(min.to_string(), "100,BTC=0.01,POINTS=off");
        // Finer than the currency's unit: its next unit.
        let fine: ReceivedMin = "0.001".parse().unwrap();
        assert_eq!(fine.minor("CNY", 2), Some(1));
        assert_eq!(fine.minor("BTC", 8), Some(100_000));
        assert_eq!(ReceivedMin::default().minor("USD", 2), Some(10_000));
        assert_eq!("".parse::<ReceivedMin>().unwrap().minor("CNY", 2), None);
        assert_eq!("off".parse::<ReceivedMin>().unwrap(), ReceivedMin::off());
        for bad in ["-1", "1e3", "1.2.3", "CNY=", "=5", "abc", "C-Y=1"] {
            assert!(bad.parse::<ReceivedMin>().is_err(), "{bad}");
        }
    }
}
