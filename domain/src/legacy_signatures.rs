//! Request signatures of the seed systems' own protocols, checked under a
//! service app's secret, so a seed client signs with the app id and secret
//! that `server admin create-app` printed and the secret never leaves the
//! domain.
//!
//! java110's API gateway (`ApiServiceSMOImpl.judgeAuthority` with
//! `AuthenticationFactory.apiDataFlowMd5` in java110/MicroCommunity, the same
//! from the 2018 "api 封装完成" version to today) signs a POST as
//!
//! ```text
//! sign = lowercase hex MD5( transaction_id + req_time + app_id + body + secret )
//! ```
//!
//! over the UTF-8 bytes, where `body` is the raw request body as sent and
//! `req_time` is `YYYYMMDDhhmmss` in the gateway's local time. Unlike the
//! product's own signed API, a transaction id is not time-stamped by the
//! protocol, but `req_time` is signed: a request is refused more than five
//! minutes off, and its transaction id is remembered for longer than that
//! ([`UserCenter::record_transaction`]), so a captured request can never be
//! replayed, not even with a fresh `req_time` (that breaks the signature).
//! MD5 is what java110's clients compute; it serves here as a keyed check
//! of a request that also travels over TLS, never to store anything.

use crate::service_apps::{same_hex, VerifiedApp, MAX_CLOCK_SKEW_SECS};
use crate::{DomainError, UserCenter};
use md5::{Digest, Md5};
use shared::{AppError, ErrorCode};

/// The signed parts of a java110 request, as received.
#[derive(Clone, Debug)]
pub struct Java110Request<'a> {
    /// Header `app_id`: a service app's id.
    pub app_id: Option<&'a str>,
    /// Header `transaction_id`: unique per app.
    pub transaction_id: Option<&'a str>,
    /// Header `req_time`: `YYYYMMDDhhmmss` at `utc_offset_secs`.
    pub req_time: Option<&'a str>,
    /// Header `sign`.
    pub sign: Option<&'a str>,
    /// The raw body.
    pub body: &'a [u8],
    /// The time zone `req_time` is written in, as seconds east of UTC.
    pub utc_offset_secs: i32,
}

/// java110's signature of a request under `secret` (see the module docs).
pub fn java110_sign(
    transaction_id: &str,
    req_time: &str,
    app_id: &str,
    body: &[u8],
    secret: &str,
) -> String {
    let mut md5 = Md5::new();
    md5.update(transaction_id.as_bytes());
    md5.update(req_time.as_bytes());
    md5.update(app_id.as_bytes());
    md5.update(body);
    md5.update(secret.as_bytes());
    hex::encode(md5.finalize())
}

/// Unix seconds of `YYYYMMDDhhmmss` (exactly 14 digits) read at
/// `utc_offset_secs`; `None` for anything else or an impossible date.
pub fn parse_compact_time(text: &str, utc_offset_secs: i32) -> Option<i64> {
    if text.len() != 14 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |range: std::ops::Range<usize>| text.get(range)?.parse::<u32>().ok();
    let year = i32::try_from(num(0..4)?).ok()?;
    let month = time::Month::try_from(u8::try_from(num(4..6)?).ok()?).ok()?;
    let day = u8::try_from(num(6..8)?).ok()?;
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    let clock = time::Time::from_hms(
        u8::try_from(num(8..10)?).ok()?,
        u8::try_from(num(10..12)?).ok()?,
        u8::try_from(num(12..14)?).ok()?,
    )
    .ok()?;
    let offset = time::UtcOffset::from_whole_seconds(utc_offset_secs).ok()?;
    Some(
        time::PrimitiveDateTime::new(date, clock)
            .assume_offset(offset)
            .unix_timestamp(),
    )
}

/// `unix` as `YYYYMMDDhhmmss` at `utc_offset_secs` (UTC if the offset is
/// out of range).
pub fn format_compact_time(unix: i64, utc_offset_secs: i32) -> String {
    let offset =
        time::UtcOffset::from_whole_seconds(utc_offset_secs).unwrap_or(time::UtcOffset::UTC);
    let t = time::OffsetDateTime::from_unix_timestamp(unix)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(offset);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A header's value, trimmed; `None` when missing or blank.
fn present(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

fn refused(code: ErrorCode, message: &str) -> DomainError {
    AppError::with_message(code, message).into()
}

impl UserCenter {
    /// Checks a java110-signed request: all four headers present
    /// (`SIGNATURE_MISSING`), `req_time` well-formed (`INVALID_INPUT`) and
    /// within five minutes of ours (`REQUEST_EXPIRED`), the transaction id
    /// well-formed (`INVALID_REQUEST_ID`), the app known and enabled
    /// (`APP_UNKNOWN`), the signature right (`SIGNATURE_INVALID`), and the
    /// transaction id new for this app (`TRANSACTION_REPLAYED`), in that
    /// order. The id is recorded only once the signature has checked out,
    /// so nobody can burn another app's ids.
    pub async fn verify_java110_request(
        &self,
        req: Java110Request<'_>,
    ) -> Result<VerifiedApp, DomainError> {
        let (Some(app_id), Some(transaction_id), Some(req_time), Some(sign_hex)) = (
            present(req.app_id),
            present(req.transaction_id),
            present(req.req_time),
            present(req.sign),
        ) else {
            return Err(refused(
                ErrorCode::SignatureMissing,
                "Requests need the headers app_id, transaction_id, req_time and sign.",
            ));
        };
        let time = parse_compact_time(req_time, req.utc_offset_secs).ok_or_else(|| {
            refused(
                ErrorCode::InvalidInput,
                "req_time must be YYYYMMDDhhmmss (14 digits).",
            )
        })?;
        if (self.now() - time).abs() > MAX_CLOCK_SKEW_SECS {
            return Err(refused(
                ErrorCode::RequestExpired,
                "req_time must be within five minutes of the server's clock \
                 (in the configured time zone).",
            ));
        }
        shared::wallet::check_request_id(transaction_id).map_err(|_| {
            refused(
                ErrorCode::InvalidRequestId,
                "transaction_id must be 1-64 letters, digits, '.', '_', ':' or '-' \
                 (e.g. 1000000000 + YYYYMMDDhhmmss + a 6-digit sequence).",
            )
        })?;
        let (secret, scopes) = self.cached_app(app_id).await?;
        let expected = java110_sign(transaction_id, req_time, app_id, req.body, &secret);
        if !same_hex(&expected, sign_hex) {
            return Err(refused(
                ErrorCode::SignatureInvalid,
                "The sign does not match: md5(transaction_id + req_time + app_id + body + secret).",
            ));
        }
        self.record_transaction(app_id, transaction_id).await?;
        Ok(VerifiedApp {
            app_id: app_id.to_string(),
            scopes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service_apps::Scope;
    use crate::tests::{fixture_with, test_settings};

    const CHINA: i32 = 8 * 3600;

    async fn verify(
        uc: &UserCenter,
        app_id: &str,
        tx: &str,
        time: &str,
        sign: &str,
        body: &[u8],
    ) -> Result<VerifiedApp, ErrorCode> {
        uc.verify_java110_request(Java110Request {
            app_id: Some(app_id),
            transaction_id: Some(tx),
            req_time: Some(time),
            sign: Some(sign),
            body,
            utc_offset_secs: CHINA,
        })
        .await
        .map_err(|e| e.code())
    }

    #[test]
    fn compact_times_read_and_write_in_the_given_zone() {
        // 2018-11-25 23:06:34 in China is 15:06:34 UTC.
        let unix = parse_compact_time("20181125230634", CHINA).unwrap();
        assert_eq!(unix, 1_543_158_394);
        assert_eq!(format_compact_time(unix, CHINA), "20181125230634");
        assert_eq!(format_compact_time(unix, 0), "20181125150634");
        assert_eq!(parse_compact_time("20181125150634", 0), Some(unix));
        for bad in [
            "",
            "2018112523063",
            "201811252306345",
            "20181325230634",
            "20180230230634",
            "20181125250634",
            "2018112523063x",
            "+0181125230634",
            "1543158394",
        ] {
            assert_eq!(parse_compact_time(bad, CHINA), None, "{bad}");
        }
    }

    #[test]
    fn the_sign_is_md5_of_the_concatenation() {
        // md5("1" + "2" + "3" + "{}" + "s") = md5("123{}s").
        let direct = hex::encode(Md5::digest(b"123{}s"));
        assert_eq!(java110_sign("1", "2", "3", b"{}", "s"), direct);
        assert_eq!(direct.len(), 32);
        assert!(direct.bytes().all(|b| !b.is_ascii_uppercase()));
    }

    #[tokio::test]
    async fn signed_requests_are_checked_and_never_replayed() {
        let f = fixture_with(test_settings()).await;
        let app =
            f.uc.create_service_app("java110", &[Scope::UsersWrite])
                .await
                .unwrap();
        let secret = app.secret.expose().to_string();
        let now = format_compact_time(crate::clock::now(), CHINA);
        let body: &[u8] = br#"{"token":"x"}"#;
        let tx = "100000000020181125230634000001";
        let good = java110_sign(tx, &now, &app.app_id, body, &secret);
        let id = app.app_id.as_str();
        let check = |tx: &'static str, time: String, sign: String, body: &'static [u8]| {
            let uc = f.uc.clone();
            async move { verify(&uc, id, tx, &time, &sign, body).await }
        };
        // Another body, time or id under the same sign fails.
        assert_eq!(
            check(tx, now.clone(), good.clone(), b"{}")
                .await
                .unwrap_err(),
            ErrorCode::SignatureInvalid
        );
        let shifted = format_compact_time(crate::clock::now() + 60, CHINA);
        assert_eq!(
            check(tx, shifted, good.clone(), body).await.unwrap_err(),
            ErrorCode::SignatureInvalid
        );
        let ok = check(tx, now.clone(), good.to_uppercase(), body)
            .await
            .unwrap();
        assert_eq!(ok.scopes, vec![Scope::UsersWrite]);
        assert_eq!(
            check(tx, now.clone(), good.clone(), body)
                .await
                .unwrap_err(),
            ErrorCode::TransactionReplayed
        );
        // A stale time, with a signature that matches it.
        let stale = format_compact_time(crate::clock::now() - 301, CHINA);
        let tx2 = "100000000020181125230634000002";
        let sign = java110_sign(tx2, &stale, &app.app_id, body, &secret);
        assert_eq!(
            check(tx2, stale, sign, body).await.unwrap_err(),
            ErrorCode::RequestExpired
        );
        // The same wall-clock time read in another zone is eight hours off.
        let utc = format_compact_time(crate::clock::now(), 0);
        let sign = java110_sign(tx2, &utc, &app.app_id, body, &secret);
        assert_eq!(
            check(tx2, utc, sign, body).await.unwrap_err(),
            ErrorCode::RequestExpired
        );
        // The refused attempts did not use up the id.
        let sign = java110_sign(tx2, &now, &app.app_id, body, &secret);
        assert!(check(tx2, now.clone(), sign, body).await.is_ok());
        assert_eq!(
            check(tx, "2018".into(), good.clone(), body)
                .await
                .unwrap_err(),
            ErrorCode::InvalidInput
        );
        assert_eq!(
            check("bad id", now.clone(), good.clone(), body)
                .await
                .unwrap_err(),
            ErrorCode::InvalidRequestId
        );
        let missing =
            f.uc.verify_java110_request(Java110Request {
                app_id: Some(&app.app_id),
                transaction_id: Some(tx),
                req_time: Some(&now),
                sign: None,
                body,
                utc_offset_secs: CHINA,
            })
            .await
            .unwrap_err();
        assert_eq!(missing.code(), ErrorCode::SignatureMissing);
        let unknown =
            f.uc.verify_java110_request(Java110Request {
                app_id: Some("app_nobody"),
                transaction_id: Some("100000000020181125230634000003"),
                req_time: Some(&now),
                sign: Some(&good),
                body,
                utc_offset_secs: CHINA,
            })
            .await
            .unwrap_err();
        assert_eq!(unknown.code(), ErrorCode::AppUnknown);
    }
}
