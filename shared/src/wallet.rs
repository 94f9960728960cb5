//! The wallet's contract: DTOs, and the input rules the browser and the server
//! share (request ids, notes, payment PINs, currency codes, masking).
//!
//! Amounts travel as decimal strings formatted with the currency's scale
//! (`"12.50"`), with the integer minor units beside them (`1250`) for clients
//! that compute; see [`crate::money`].

use crate::error::{AppError, ErrorCode};
use serde::{Deserialize, Serialize};

pub const REQUEST_ID_MAX_CHARS: usize = 64;
pub const MEMO_MAX_CHARS: usize = 200;
pub const PIN_DIGITS: usize = 6;
/// Currencies are limited to 8 decimals: with [`crate::money::MAX_AMOUNT`] at
/// 10¹⁵ minor units, a larger scale would cap one payment below 10 million units.
pub const CURRENCY_MAX_SCALE: u32 = 8;

/// What a journal entry did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TransferKind {
    /// Money entering from outside (top-up), credited to a user.
    Deposit,
    /// Money leaving to outside, debited from a user's available balance.
    Withdraw,
    /// Money between two users.
    Transfer,
    /// A hold: part of the balance becomes frozen; no money moves.
    Freeze,
    /// A hold released: frozen money becomes available again.
    Unfreeze,
    /// Frozen money leaves to outside (the hold is captured).
    Settle,
}

impl TransferKind {
    pub const ALL: [TransferKind; 6] = [
        TransferKind::Deposit,
        TransferKind::Withdraw,
        TransferKind::Transfer,
        TransferKind::Freeze,
        TransferKind::Unfreeze,
        TransferKind::Settle,
    ];

    /// The name stored in the journal and sent over the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            TransferKind::Deposit => "deposit",
            TransferKind::Withdraw => "withdraw",
            TransferKind::Transfer => "transfer",
            TransferKind::Freeze => "freeze",
            TransferKind::Unfreeze => "unfreeze",
            TransferKind::Settle => "settle",
        }
    }

    pub fn parse(s: &str) -> Option<TransferKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A currency the wallet holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Currency {
    /// E.g. `CNY`, `USDT`, `POINTS`.
    pub code: String,
    /// The English name (and the name in every language without its own).
    pub name: String,
    /// The Chinese name, when one is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    /// Decimal places: 2 for CNY, 8 for BTC, 0 for points.
    pub scale: u32,
    /// A disabled currency takes no new money in (see the README).
    pub enabled: bool,
    /// Other names that address it wherever a currency code is taken
    /// (e.g. a seed system's coin id `1`, or `integral`), sorted.
    #[serde(default)]
    pub aliases: Vec<String>,
}

impl Currency {
    /// The name to show in `lang` (a language tag such as `zh-CN`).
    pub fn name_in(&self, lang: &str) -> &str {
        localized_name(&self.name, self.name_zh.as_deref(), lang)
    }
}

/// `name_zh` for a Chinese `lang` (`zh`, `zh-CN`, `zh-Hans…`) when there is
/// one, else `name`.
pub fn localized_name<'a>(name: &'a str, name_zh: Option<&'a str>, lang: &str) -> &'a str {
    let lang = lang.trim().to_ascii_lowercase();
    let chinese = lang == "zh" || lang.starts_with("zh-cn") || lang.starts_with("zh-hans");
    match name_zh {
        Some(zh) if chinese && !zh.is_empty() => zh,
        _ => name,
    }
}

/// One currency's balance of a user. `posted` is what the user owns;
/// `frozen` is the part held for pending operations; `available = posted - frozen`
/// is what they can spend.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Balance {
    pub currency: String,
    pub name: String,
    /// The currency's Chinese name, when one is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    /// False for a disabled currency the user still holds money in: it can
    /// be withdrawn, and pending holds released or settled, but nothing new
    /// comes in.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    pub scale: u32,
    pub available: String,
    pub frozen: String,
    pub posted: String,
    pub available_minor: i64,
    pub frozen_minor: i64,
    pub posted_minor: i64,
}

impl Balance {
    /// The currency's name to show in `lang` (a language tag such as `zh-CN`).
    pub fn name_in(&self, lang: &str) -> &str {
        localized_name(&self.name, self.name_zh.as_deref(), lang)
    }
}

fn enabled_by_default() -> bool {
    true
}

/// The answer to a money operation. Repeating a request with the same request
/// id returns the same receipt with `replayed: true` and moves nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Receipt {
    /// The journal entry's id.
    pub transfer_id: i64,
    pub kind: TransferKind,
    pub currency: String,
    pub amount: String,
    pub amount_minor: i64,
    /// The balance of the user the operation was for (the payer of a
    /// transfer) right after it.
    pub balance: Balance,
    pub request_id: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    #[serde(default)]
    pub replayed: bool,
}

/// Which way money went, seen from the available balance of the history's
/// owner: a freeze is `out`, an unfreeze `in`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    In,
    Out,
}

/// A signed service's money movement; `X-Transaction-Id` is its request id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ServiceMovementRequest {
    pub user_id: i64,
    pub currency: String,
    pub amount: String,
    #[serde(default)]
    pub memo: Option<String>,
}

/// A signed service's transfer between two users (buyer to seller); no PIN:
/// the service vouches for the payer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ServiceTransferRequest {
    pub from_user_id: i64,
    pub to_user_id: i64,
    pub currency: String,
    pub amount: String,
    #[serde(default)]
    pub memo: Option<String>,
}

/// What the payer confirms before a transfer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransferPreview {
    /// The recipient as the payer may see them, masked.
    pub recipient: String,
    pub currency: String,
    /// Formatted in the currency's scale, e.g. `12.50`.
    pub amount: String,
    pub amount_minor: i64,
    /// The request id to confirm with.
    pub request_id: String,
}

/// The other side of a history entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Counterparty {
    /// Deposits, withdrawals, holds and settlements: the platform.
    System,
    /// Another user, shown masked (`z***@example.com`, `138****0000`, `a***`).
    User { display: String },
}

/// One line of a user's history in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryItem {
    pub id: i64,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub kind: TransferKind,
    pub direction: Direction,
    pub counterparty: Counterparty,
    pub amount: String,
    pub amount_minor: i64,
    /// Posted balance right after this entry.
    pub balance_after: String,
    pub balance_after_minor: i64,
    /// Available balance right after this entry.
    pub available_after: String,
    pub available_after_minor: i64,
    pub memo: Option<String>,
}

/// A page of history, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryPage {
    pub items: Vec<HistoryItem>,
    /// Pass as `cursor` to get the next (older) page; `None` on the last page.
    pub next_cursor: Option<i64>,
}

/// `GET /api/v1/wallet/history`: one currency, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HistoryRequest {
    pub currency: String,
    /// Only these kinds; empty means all.
    #[serde(default)]
    pub kinds: Vec<TransferKind>,
    /// Unix seconds, inclusive.
    #[serde(default)]
    pub from: Option<i64>,
    /// Unix seconds, exclusive.
    #[serde(default)]
    pub until: Option<i64>,
    /// The `next_cursor` of the previous page.
    #[serde(default)]
    pub cursor: Option<i64>,
    /// Page size, 1–100; 20 when absent.
    #[serde(default)]
    pub limit: Option<u32>,
}

/// End-of-day posted balance, for the balance chart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BalancePoint {
    /// `YYYY-MM-DD`, UTC.
    pub date: String,
    pub balance: String,
    pub balance_minor: i64,
}

/// `POST /api/v1/wallet/transfers`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    /// The recipient's email, phone number or username.
    pub to: String,
    pub currency: String,
    /// Decimal string, e.g. `"12.50"`.
    pub amount: String,
    #[serde(default)]
    pub memo: Option<String>,
    /// Client-chosen; retrying with the same id never pays twice.
    pub request_id: String,
    pub pin: String,
}

/// `POST /api/v1/wallet/pin`: first activation, proven by the sign-in
/// `password` or by the `sid` of a `pay_password` code (one of the two).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetPinRequest {
    pub pin: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// `POST /api/v1/wallet/pin/change`: change with the old PIN.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePinRequest {
    pub old_pin: String,
    pub new_pin: String,
}

/// Whether a payment PIN is set and whether payments are locked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PinStatus {
    pub set: bool,
    pub locked: bool,
    /// Unix seconds; set while locked.
    pub locked_until: Option<i64>,
    pub retry_after_secs: Option<i64>,
    /// Wrong PINs left before payments lock.
    pub remaining_attempts: u32,
}

/// `POST /api/v1/wallet/pin/reset`: a forgotten PIN, replaced with the `sid`
/// of a `pay_password` code verified while signed in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResetPinRequest {
    pub sid: String,
    pub new_pin: String,
}

/// `POST /api/v1/admin/wallet/{deposit,withdraw,freeze,unfreeze,settle}`:
/// staff moving money for one user.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MovementRequest {
    pub user_id: i64,
    pub currency: String,
    /// Decimal string, e.g. `"12.50"`.
    pub amount: String,
    /// The reason shown in the user's history.
    #[serde(default)]
    pub memo: Option<String>,
    /// Staff-chosen; retrying with the same id never moves money twice.
    pub request_id: String,
}

/// The query string of `GET /api/v1/wallet/history`, as text: an empty value
/// means "not given" (`cursor=` on the first page), so forms and scripts can
/// always send every parameter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// Required: the currency code, e.g. `CNY`.
    pub currency: Option<String>,
    /// One kind, or several separated by commas (`deposit,transfer`).
    pub kind: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–100; 20 when absent.
    pub limit: Option<String>,
    /// Unix seconds, inclusive.
    pub from: Option<String>,
    /// Unix seconds, exclusive.
    pub until: Option<String>,
}

impl HistoryQuery {
    /// The request it describes; a value that does not parse is
    /// `INVALID_INPUT` naming the parameter.
    pub fn to_request(&self) -> Result<HistoryRequest, AppError> {
        let currency = given(&self.currency)
            .ok_or_else(|| AppError::with_message(ErrorCode::InvalidInput, "currency is required"))?
            .to_string();
        let kinds = match given(&self.kind) {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(|k| {
                    TransferKind::parse(k.trim()).ok_or_else(|| {
                        AppError::with_message(
                            ErrorCode::InvalidInput,
                            "kind must be deposit, withdraw, transfer, freeze, unfreeze or settle",
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        Ok(HistoryRequest {
            currency,
            kinds,
            from: number(&self.from, "from")?,
            until: number(&self.until, "until")?,
            cursor: number(&self.cursor, "cursor")?,
            limit: number(&self.limit, "limit")?,
        })
    }
}

/// The query string of `GET /api/v1/wallet/chart`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ChartQuery {
    /// Required: the currency code, e.g. `CNY`.
    pub currency: Option<String>,
    /// 1–366; 30 when absent.
    pub days: Option<String>,
}

pub const CHART_DEFAULT_DAYS: u32 = 30;
pub const CHART_MAX_DAYS: u32 = 366;

impl ChartQuery {
    /// The currency and the number of days; out of range is `INVALID_INPUT`.
    pub fn to_request(&self) -> Result<(String, u32), AppError> {
        let currency = given(&self.currency)
            .ok_or_else(|| AppError::with_message(ErrorCode::InvalidInput, "currency is required"))?
            .to_string();
        let days = number::<u32>(&self.days, "days")?.unwrap_or(CHART_DEFAULT_DAYS);
        if !(1..=CHART_MAX_DAYS).contains(&days) {
            return Err(AppError::with_message(
                ErrorCode::InvalidInput,
                format!("days must be 1–{CHART_MAX_DAYS}"),
            ));
        }
        Ok((currency, days))
    }
}

/// A query parameter's value, unless it is absent or blank.
fn given(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn number<T: std::str::FromStr>(raw: &Option<String>, name: &str) -> Result<Option<T>, AppError> {
    given(raw)
        .map(|v| {
            v.parse().map_err(|_| {
                AppError::with_message(
                    ErrorCode::InvalidInput,
                    format!("{name} must be a whole number"),
                )
            })
        })
        .transpose()
}

/// `GET /api/v1/admin/wallet/audit`: the auditor's verdict on the whole ledger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditSummary {
    /// True when the journal and every stored balance agree.
    pub clean: bool,
    pub accounts: usize,
    pub transfers: usize,
    /// One line per discrepancy, for the operator.
    pub problems: Vec<String>,
}

/// A client idempotency key: 1–64 of letters, digits, `.`, `_`, `:`, `-`.
/// Not trimmed: a key is compared byte for byte.
pub fn check_request_id(raw: &str) -> Result<&str, AppError> {
    let ok = (1..=REQUEST_ID_MAX_CHARS).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
    if ok {
        Ok(raw)
    } else {
        Err(ErrorCode::InvalidRequestId.into())
    }
}

/// A note or reason: trimmed, empty means none, at most 200 characters and no
/// control characters (they would garble statements).
pub fn check_memo(raw: &str) -> Result<Option<String>, AppError> {
    let memo = raw.trim();
    if memo.is_empty() {
        return Ok(None);
    }
    if memo.chars().count() > MEMO_MAX_CHARS || memo.chars().any(char::is_control) {
        return Err(ErrorCode::InvalidMemo.into());
    }
    Ok(Some(memo.to_string()))
}

/// A payment PIN: exactly six ASCII digits (not trimmed: a secret is taken as
/// typed), and not trivially guessable (see [`is_weak_pin`]).
pub fn check_pin(raw: &str) -> Result<(), AppError> {
    if raw.len() != PIN_DIGITS || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ErrorCode::InvalidPin.into());
    }
    if is_weak_pin(raw) {
        return Err(ErrorCode::WeakPin.into());
    }
    Ok(())
}

/// Whether a six-digit PIN is one of the 20 that top every leaked-PIN list:
/// one digit repeated (`000000`…`999999`) or a straight run up or down
/// (`012345`…`456789`, `987654`…`543210`). Only these are refused: a longer
/// list would cost usability for little gain when 5 wrong tries lock payments.
pub fn is_weak_pin(pin: &str) -> bool {
    let d = pin.as_bytes();
    if d.len() < 2 {
        return false;
    }
    let steps: Vec<i16> = d
        .windows(2)
        .map(|w| i16::from(w[1]) - i16::from(w[0]))
        .collect();
    steps.iter().all(|&s| s == steps[0]) && matches!(steps[0], -1..=1)
}

/// A currency code: 2–10 ASCII capital letters or digits (ISO 4217 and the
/// usual crypto tickers).
pub fn check_currency_code(raw: &str) -> Result<String, AppError> {
    let code = raw.trim();
    let ok = (2..=10).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if ok {
        Ok(code.to_string())
    } else {
        Err(ErrorCode::InvalidCurrency.into())
    }
}

/// `zhang@example.com` → `z***@example.com`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", first_char(local)),
        None => mask_username(email),
    }
}

/// `13800000000` → `138****0000`.
pub fn mask_phone(phone: &str) -> String {
    if phone.len() == 11 && phone.is_ascii() {
        format!("{}****{}", &phone[..3], &phone[7..])
    } else {
        "****".to_string()
    }
}

/// `alice` → `a***`.
pub fn mask_username(name: &str) -> String {
    format!("{}***", first_char(name))
}

fn first_char(s: &str) -> String {
    s.chars().next().map(String::from).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code<T: std::fmt::Debug>(r: Result<T, AppError>) -> ErrorCode {
        r.expect_err("expected an error").code
    }

    #[test]
    fn request_ids() {
        for ok in ["a", "order-42", "2024.01.01:abc_DEF", &"x".repeat(64)] {
            assert_eq!(check_request_id(ok), Ok(ok), "{ok}");
        }
        for bad in ["", " a", "a b", "a/b", "ü", &"x".repeat(65)] {
            assert_eq!(code(check_request_id(bad)), ErrorCode::InvalidRequestId);
        }
    }

    #[test]
    fn memos() {
        assert_eq!(check_memo("  "), Ok(None));
        assert_eq!(check_memo(" lunch "), Ok(Some("lunch".into())));
        assert_eq!(check_memo(&"饭".repeat(200)), Ok(Some("饭".repeat(200))));
        assert_eq!(code(check_memo(&"饭".repeat(201))), ErrorCode::InvalidMemo);
        assert_eq!(code(check_memo("a\nb")), ErrorCode::InvalidMemo);
    }

    #[test]
    fn pins() {
        for ok in ["135790", "024680", "123457", "112233", "000001", "908172"] {
            assert_eq!(check_pin(ok), Ok(()), "{ok}");
        }
        for bad in ["", "12345", "1234567", "12345a", " 135790", "１３５７９０"] {
            assert_eq!(code(check_pin(bad)), ErrorCode::InvalidPin, "{bad}");
        }
        let weak: Vec<String> = (0..=9)
            .map(|d| d.to_string().repeat(6))
            .chain((0..=4).map(|s| (s..s + 6).map(|d| d.to_string()).collect()))
            .chain((0..=4).map(|s| (s..s + 6).rev().map(|d| d.to_string()).collect()))
            .collect();
        assert_eq!(weak.len(), 20);
        for w in &weak {
            assert_eq!(code(check_pin(w)), ErrorCode::WeakPin, "{w}");
        }
        // Exactly those: count all weak PINs among the million.
        let n = (0..1_000_000)
            .filter(|i| is_weak_pin(&format!("{i:06}")))
            .count();
        assert_eq!(n, 20);
    }

    #[test]
    fn currency_codes() {
        for ok in ["CNY", "USDT", "BTC", "A1"] {
            assert!(check_currency_code(ok).is_ok(), "{ok}");
        }
        for bad in ["", "C", "cny", "TOOLONGCODE1", "US D"] {
            assert_eq!(code(check_currency_code(bad)), ErrorCode::InvalidCurrency);
        }
    }

    #[test]
    fn masking() {
        assert_eq!(mask_email("zhang@example.com"), "z***@example.com");
        assert_eq!(mask_phone("13800000000"), "138****0000");
        assert_eq!(mask_username("alice"), "a***");
        assert_eq!(mask_username("张三"), "张***");
        assert_eq!(mask_phone("123"), "****");
    }

    #[test]
    fn history_and_chart_queries() {
        let q = |pairs: &[(&str, &str)]| -> HistoryQuery {
            let mut q = HistoryQuery::default();
            for (k, v) in pairs {
                let v = Some(v.to_string());
                match *k {
                    "currency" => q.currency = v,
                    "kind" => q.kind = v,
                    "cursor" => q.cursor = v,
                    "limit" => q.limit = v,
                    "from" => q.from = v,
                    _ => q.until = v,
                }
            }
            q
        };
        let r = q(&[
            ("currency", "CNY"),
            ("kind", "transfer, deposit"),
            ("cursor", ""),
            ("limit", "5"),
        ])
        .to_request()
        .unwrap();
        assert_eq!(r.kinds, vec![TransferKind::Transfer, TransferKind::Deposit]);
        assert_eq!((r.cursor, r.limit), (None, Some(5)));
        for bad in [
            q(&[]),
            q(&[("currency", "CNY"), ("kind", "gift")]),
            q(&[("currency", "CNY"), ("limit", "-1")]),
            q(&[("currency", "CNY"), ("cursor", "x")]),
            q(&[("currency", "CNY"), ("until", "1e9")]),
        ] {
            assert_eq!(code(bad.to_request()), ErrorCode::InvalidInput, "{bad:?}");
        }
        let chart = |days: Option<&str>| ChartQuery {
            currency: Some("CNY".into()),
            days: days.map(String::from),
        };
        assert_eq!(chart(None).to_request(), Ok(("CNY".into(), 30)));
        assert_eq!(chart(Some("366")).to_request(), Ok(("CNY".into(), 366)));
        for bad in ["0", "367", "-3", "ten"] {
            assert_eq!(code(chart(Some(bad)).to_request()), ErrorCode::InvalidInput);
        }
    }

    #[test]
    fn kinds_round_trip() {
        for k in TransferKind::ALL {
            assert_eq!(TransferKind::parse(k.as_str()), Some(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
        let c = serde_json::to_value(Counterparty::User {
            display: "a***".into(),
        })
        .unwrap();
        assert_eq!(c["type"], "user");
    }
}
