//! Exact decimal amounts as integers of minor units.
//!
//! Money never touches a float: "0.1" at scale 2 is exactly 10 minor units.
//! The same parser runs in the browser (WASM) and on the server, so a form and
//! the ledger agree on every amount.
//!
//! Accepted: ASCII digits with at most one `.`, surrounding whitespace, leading
//! zeros, a missing integer part (`.5`) or fraction (`5.`), and zeros beyond the
//! scale (`1.500` at scale 2: the value is still exact). Everything else is
//! refused with the most specific error that fits, so the UI can say *what* to
//! fix: a sign, an exponent (`1e3`), digit grouping (`1,000`), too many
//! decimals, zero, or a value above [`MAX_AMOUNT`].

use crate::error::{AppError, ErrorCode};

/// The largest scale (decimal places) supported.
pub const MAX_SCALE: u32 = 18;

/// The largest amount, in minor units, that one operation may carry:
/// 10¹⁵ (ten trillion yuan at scale 2).
///
/// Why this bound: it is below 2⁵³, so the integer stays exact as a JSON
/// number in JavaScript; and thousands of such amounts still add up inside an
/// `i64` (≈ 9.2 × 10¹⁸), which is what the ledger stores and sums.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000_000;

/// Why a text is not a valid amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("the amount is empty")]
    Empty,
    #[error("the amount is not a number")]
    NotANumber,
    #[error("exponent notation is not accepted")]
    Exponent,
    #[error("digit grouping separators are not accepted")]
    Grouping,
    #[error("more decimal places than the currency has ({scale})")]
    TooPrecise { scale: u32 },
    #[error("the amount is negative")]
    Negative,
    #[error("the amount is zero")]
    Zero,
    #[error("the amount is above the maximum")]
    TooLarge,
    /// A programming error: the currency's scale is out of range.
    #[error("unsupported scale {0}")]
    UnsupportedScale(u32),
}

impl AmountError {
    /// The stable error code the user sees.
    pub fn code(self) -> ErrorCode {
        match self {
            AmountError::Empty => ErrorCode::Required,
            AmountError::NotANumber => ErrorCode::InvalidAmount,
            AmountError::Exponent => ErrorCode::AmountExponent,
            AmountError::Grouping => ErrorCode::AmountGrouping,
            AmountError::TooPrecise { .. } => ErrorCode::AmountTooPrecise,
            AmountError::Negative => ErrorCode::AmountNegative,
            AmountError::Zero => ErrorCode::AmountNotPositive,
            AmountError::TooLarge => ErrorCode::AmountTooLarge,
            AmountError::UnsupportedScale(_) => ErrorCode::InvalidInput,
        }
    }
}

impl From<AmountError> for AppError {
    fn from(e: AmountError) -> Self {
        AppError::new(e.code())
    }
}

/// Parses a positive amount into minor units of a currency with `scale`
/// decimal places; zero is refused ([`AmountError::Zero`]).
pub fn parse_amount(text: &str, scale: u32) -> Result<i64, AmountError> {
    match parse_non_negative_amount(text, scale)? {
        0 => Err(AmountError::Zero),
        minor => Ok(minor),
    }
}

/// Like [`parse_amount`] but accepts zero (e.g. a "minimum balance" field).
pub fn parse_non_negative_amount(text: &str, scale: u32) -> Result<i64, AmountError> {
    if scale > MAX_SCALE {
        return Err(AmountError::UnsupportedScale(scale));
    }
    let text = text.trim();
    if text.is_empty() {
        return Err(AmountError::Empty);
    }
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let well_formed = digits_only(int_part)
        && digits_only(frac_part)
        && !(int_part.is_empty() && frac_part.is_empty());
    if !well_formed {
        return Err(classify_malformed(body));
    }
    if negative {
        return Err(AmountError::Negative);
    }
    // Zeros beyond the scale do not change the value; any other digit there would.
    let frac_len = frac_part.len();
    let significant_frac = frac_part.trim_end_matches('0');
    if significant_frac.len() > scale as usize {
        return Err(AmountError::TooPrecise { scale });
    }
    let mut minor: i64 = 0;
    let padded = frac_part
        .bytes()
        .take(scale as usize)
        .chain(std::iter::repeat_n(
            b'0',
            (scale as usize).saturating_sub(frac_len),
        ));
    for b in int_part.bytes().chain(padded) {
        minor = minor
            .checked_mul(10)
            .and_then(|m| m.checked_add(i64::from(b - b'0')))
            .filter(|&m| m <= MAX_AMOUNT)
            .ok_or(AmountError::TooLarge)?;
    }
    Ok(minor)
}

/// The most helpful error for a text that is not `digits[.digits]`.
fn classify_malformed(body: &str) -> AmountError {
    // Digits and dots plus at least one of `extra`, and nothing else.
    let numeric_with = |extra: &[u8]| {
        body.bytes().any(|b| b.is_ascii_digit())
            && body.bytes().any(|b| extra.contains(&b))
            && body
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || extra.contains(&b))
    };
    if body.bytes().any(|b| b == b'e' || b == b'E') && numeric_with(b"eE+-") {
        return AmountError::Exponent;
    }
    if numeric_with(b",_' ") {
        return AmountError::Grouping;
    }
    AmountError::NotANumber
}

/// Formats minor units with exactly `scale` decimals: 1000 at scale 2 is
/// `"10.00"`, -5 is `"-0.05"`, and scale 0 has no decimal point.
pub fn format_amount(minor: i64, scale: u32) -> String {
    let digits = minor.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded = if digits.len() <= scale {
        format!("{}{digits}", "0".repeat(scale + 1 - digits.len()))
    } else {
        digits
    };
    let sign = if minor < 0 { "-" } else { "" };
    if scale == 0 {
        return format!("{sign}{padded}");
    }
    let (int_part, frac_part) = padded.split_at(padded.len() - scale);
    format!("{sign}{int_part}.{frac_part}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pow10(n: u32) -> i64 {
        10i64.pow(n)
    }

    #[test]
    fn examples_at_scale_two() {
        assert_eq!(parse_amount("0.1", 2), Ok(10));
        assert_eq!(parse_amount("10", 2), Ok(1000));
        assert_eq!(parse_amount("10.5", 2), Ok(1050));
        assert_eq!(parse_amount("10.05", 2), Ok(1005));
        assert_eq!(parse_amount("0.01", 2), Ok(1));
        assert_eq!(parse_amount("  12.34\t\n", 2), Ok(1234));
        assert_eq!(parse_amount(".5", 2), Ok(50));
        assert_eq!(parse_amount("5.", 2), Ok(500));
        assert_eq!(parse_amount("007.10", 2), Ok(710));
        assert_eq!(parse_amount("1.500", 2), Ok(150));
        assert_eq!(parse_amount("1.0000000000000000000000", 2), Ok(100));
    }

    #[test]
    fn every_scale_parses_one_unit_and_the_smallest_unit() {
        for scale in 0..=MAX_SCALE {
            let one = pow10(scale);
            // One whole unit is above the maximum only for scales 16–18.
            let expected = if one <= MAX_AMOUNT {
                Ok(one)
            } else {
                Err(AmountError::TooLarge)
            };
            assert_eq!(parse_amount("1", scale), expected, "scale {scale}");
            if scale > 0 {
                let smallest = format!("0.{}1", "0".repeat(scale as usize - 1));
                assert_eq!(parse_amount(&smallest, scale), Ok(1), "scale {scale}");
                let too_fine = format!("0.{}1", "0".repeat(scale as usize));
                assert_eq!(
                    parse_amount(&too_fine, scale),
                    Err(AmountError::TooPrecise { scale }),
                    "scale {scale}"
                );
            } else {
                assert_eq!(
                    parse_amount("0.1", 0),
                    Err(AmountError::TooPrecise { scale: 0 })
                );
                assert_eq!(parse_amount("3.0", 0), Ok(3));
            }
            assert_eq!(format_amount(one, scale), format!("1{}", dot_zeros(scale)));
            assert_eq!(format_amount(0, scale), format!("0{}", dot_zeros(scale)));
        }
    }

    fn dot_zeros(scale: u32) -> String {
        if scale == 0 {
            String::new()
        } else {
            format!(".{}", "0".repeat(scale as usize))
        }
    }

    #[test]
    fn maximum_is_inclusive_at_every_scale() {
        for scale in 0..=MAX_SCALE {
            let max_text = format_amount(MAX_AMOUNT, scale);
            assert_eq!(parse_amount(&max_text, scale), Ok(MAX_AMOUNT), "{max_text}");
            let above = format_amount(MAX_AMOUNT + 1, scale);
            assert_eq!(
                parse_amount(&above, scale),
                Err(AmountError::TooLarge),
                "{above}"
            );
        }
        // Far beyond i64: still a clean error, no overflow.
        assert_eq!(
            parse_amount(&"9".repeat(400), 2),
            Err(AmountError::TooLarge)
        );
        assert_eq!(
            parse_amount("99999999999999999999.99", 2),
            Err(AmountError::TooLarge)
        );
        // Leading zeros do not count toward the size.
        assert_eq!(parse_amount(&format!("{}1", "0".repeat(300)), 2), Ok(100));
    }

    #[test]
    fn zero_is_refused_unless_allowed() {
        for zero in ["0", "0.00", "000", ".0", "0.", "0.000"] {
            assert_eq!(parse_amount(zero, 2), Err(AmountError::Zero), "{zero}");
            assert_eq!(parse_non_negative_amount(zero, 2), Ok(0), "{zero}");
        }
    }

    #[test]
    fn specific_errors() {
        let cases: &[(&str, AmountError)] = &[
            ("", AmountError::Empty),
            ("   ", AmountError::Empty),
            ("abc", AmountError::NotANumber),
            (".", AmountError::NotANumber),
            ("-", AmountError::NotANumber),
            ("1.2.3", AmountError::NotANumber),
            ("1..2", AmountError::NotANumber),
            ("+5", AmountError::NotANumber),
            ("5-", AmountError::NotANumber),
            ("¥5", AmountError::NotANumber),
            ("5 元", AmountError::NotANumber),
            ("５", AmountError::NotANumber),
            ("0x10", AmountError::NotANumber),
            ("NaN", AmountError::NotANumber),
            ("inf", AmountError::NotANumber),
            ("e", AmountError::NotANumber),
            ("1e3", AmountError::Exponent),
            ("1E3", AmountError::Exponent),
            ("1.5e-2", AmountError::Exponent),
            ("2e+5", AmountError::Exponent),
            ("-1e3", AmountError::Exponent),
            ("1,000", AmountError::Grouping),
            ("1,000.50", AmountError::Grouping),
            ("1_000", AmountError::Grouping),
            ("1 000", AmountError::Grouping),
            ("1'000", AmountError::Grouping),
            ("1,5", AmountError::Grouping),
            ("-1", AmountError::Negative),
            ("-0", AmountError::Negative),
            ("-0.01", AmountError::Negative),
            (" -5 ", AmountError::Negative),
            ("--5", AmountError::NotANumber),
            ("1.234", AmountError::TooPrecise { scale: 2 }),
            ("0.001", AmountError::TooPrecise { scale: 2 }),
            ("1.2340", AmountError::TooPrecise { scale: 2 }),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_amount(text, 2), Err(*expected), "{text:?}");
        }
        assert_eq!(
            parse_amount("1", MAX_SCALE + 1),
            Err(AmountError::UnsupportedScale(MAX_SCALE + 1))
        );
    }

    #[test]
    fn errors_map_to_distinct_codes_with_status_400() {
        let all = [
            AmountError::Empty,
            AmountError::NotANumber,
            AmountError::Exponent,
            AmountError::Grouping,
            AmountError::TooPrecise { scale: 2 },
            AmountError::Negative,
            AmountError::Zero,
            AmountError::TooLarge,
        ];
        let codes: std::collections::HashSet<_> = all.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), all.len());
        for e in all {
            assert_eq!(e.code().http_status(), 400, "{e:?}");
            assert_eq!(AppError::from(e).code, e.code());
        }
    }

    #[test]
    fn formatting() {
        assert_eq!(format_amount(1000, 2), "10.00");
        assert_eq!(format_amount(1005, 2), "10.05");
        assert_eq!(format_amount(5, 2), "0.05");
        assert_eq!(format_amount(-5, 2), "-0.05");
        assert_eq!(format_amount(-1234, 2), "-12.34");
        assert_eq!(format_amount(42, 0), "42");
        assert_eq!(format_amount(-42, 0), "-42");
        assert_eq!(format_amount(1, 8), "0.00000001");
        assert_eq!(format_amount(123_456_789, 6), "123.456789");
        assert_eq!(format_amount(i64::MAX, 2), "92233720368547758.07");
        assert_eq!(format_amount(i64::MIN, 2), "-92233720368547758.08");
        assert_eq!(format_amount(i64::MIN, 18), "-9.223372036854775808");
        assert_eq!(format_amount(1, 18), "0.000000000000000001");
    }

    #[test]
    fn format_then_parse_round_trips_at_every_scale() {
        for scale in 0..=MAX_SCALE {
            for minor in [1, 7, 10, 99, 100, 101, 123_456, MAX_AMOUNT - 1, MAX_AMOUNT] {
                assert_eq!(
                    parse_amount(&format_amount(minor, scale), scale),
                    Ok(minor),
                    "{minor} at {scale}"
                );
            }
        }
    }
}
