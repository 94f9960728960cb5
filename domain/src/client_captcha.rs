//! Image captchas whose key the client chooses.
//!
//! The product hands out a random key with each captcha. Some clients of
//! the seed systems (yonyou's `images/getValiImage?ts=`) name the key
//! themselves, usually the current time in milliseconds, and send the same
//! key back with the answer. Such a captcha is stored and solved exactly
//! like one with a random key (one guess, keyed hash of the answer, same
//! lifetime, same per-IP charge); only the key differs.
//!
//! A chosen key can be guessed, so a third party may ask for a captcha with
//! someone else's key: that replaces the image (the victim's next guess
//! fails and they load a new one) but never reveals the answer.

use crate::{DomainError, UserCenter};
use shared::{AppError, ErrorCode};

/// Longest key a client may choose.
pub const CLIENT_KEY_MAX_CHARS: usize = 64;

/// A client-chosen key: 1–64 of letters, digits, `.`, `_` and `-` (a
/// timestamp fits), so it is also a safe file name for the dev outbox.
pub fn check_client_key(raw: &str) -> Result<&str, AppError> {
    let key = raw.trim();
    let ok = (1..=CLIENT_KEY_MAX_CHARS).contains(&key.len())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(key)
    } else {
        Err(AppError::with_message(
            ErrorCode::InvalidInput,
            "The captcha key must be 1-64 letters, digits, '.', '_' or '-'.",
        ))
    }
}

impl UserCenter {
    /// Draws a captcha under the client's `key` (replacing a live one with
    /// the same key) and returns the PNG. Solve it with
    /// [`solve_captcha`](UserCenter::solve_captcha) and the same key, or pass
    /// the key as a `CodeRequest`'s `captcha_key`.
    pub async fn captcha_for_client_key(
        &self,
        key: &str,
        ip: Option<&str>,
    ) -> Result<Vec<u8>, DomainError> {
        let key = check_client_key(key)?;
        let (png, _) = self.draw_captcha(key, ip).await?;
        Ok(png)
    }
}

#[cfg(test)]
mod tests {
    use super::check_client_key;
    use crate::tests::{code_of, fixture};
    use shared::ErrorCode;

    fn answer(f: &crate::tests::Fixture, key: &str) -> String {
        std::fs::read_to_string(f._dir.path().join(format!("outbox/captcha/{key}.txt"))).unwrap()
    }

    #[tokio::test]
    async fn a_chosen_key_draws_a_png_solved_once_with_that_key() {
        let f = fixture().await;
        let png =
            f.uc.captcha_for_client_key("1495615240000", Some("10.0.0.1"))
                .await
                .unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let right = answer(&f, "1495615240000");
        f.uc.solve_captcha(Some("1495615240000"), Some(&right.to_lowercase()))
            .await
            .unwrap();
        // Used up.
        assert_eq!(
            code_of(
                f.uc.solve_captcha(Some("1495615240000"), Some(&right))
                    .await
            ),
            ErrorCode::CaptchaIncorrect
        );
    }

    #[tokio::test]
    async fn asking_again_with_the_same_key_replaces_the_image() {
        let f = fixture().await;
        f.uc.captcha_for_client_key("k1", None).await.unwrap();
        f.uc.captcha_for_client_key("k1", None).await.unwrap();
        let second = answer(&f, "k1");
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM captchas")
            .fetch_one(&f.db.sql)
            .await
            .unwrap();
        assert_eq!(count, 1);
        f.uc.solve_captcha(Some("k1"), Some(&second)).await.unwrap();
    }

    #[test]
    fn keys_are_short_and_plain() {
        assert_eq!(
            check_client_key(" 1495615240000 ").unwrap(),
            "1495615240000"
        );
        for bad in ["", "../etc/passwd", "a b", &"x".repeat(65), "键"] {
            assert!(check_client_key(bad).is_err(), "{bad:?}");
        }
    }
}
