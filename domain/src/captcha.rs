//! Image captchas: a PNG and a key; the answer is single use, case-insensitive,
//! valid for a few minutes and stored only as a keyed hash.

use crate::opaque::{random_token, token_digest};
use crate::throttle::Kind;
use crate::{store, DomainError, UserCenter};
use base64::Engine;
use shared::dto::CaptchaChallenge;
use shared::validate::check_captcha_answer;
use shared::{AppError, ErrorCode, Field};

/// Characters that cannot be mistaken for one another (no 0/O, 1/I/L).
const CHARS: &[char] = &[
    '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K', 'M',
    'N', 'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z',
];
const LENGTH: u32 = 5;

/// Draws one captcha: (answer, PNG bytes). CPU work, run off the async runtime.
fn draw() -> Option<(String, Vec<u8>)> {
    use captcha::filters::{Noise, Wave};
    let mut c = captcha::Captcha::new();
    c.set_chars(CHARS)
        .add_chars(LENGTH)
        .apply_filter(Noise::new(0.15))
        .apply_filter(Wave::new(2.0, 8.0).horizontal())
        .view(200, 70);
    c.as_tuple()
}

impl UserCenter {
    /// A fresh captcha to show the user. Drawing one costs CPU and each is a
    /// guess at nothing, so one IP gets a limited number an hour
    /// (`RATE_LIMITED` past it).
    pub async fn new_captcha(&self, ip: Option<&str>) -> Result<CaptchaChallenge, DomainError> {
        let key = random_token();
        let (png, ttl) = self.draw_captcha(&key, ip).await?;
        Ok(CaptchaChallenge {
            key,
            image: format!(
                "data:image/png;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(png)
            ),
            expires_in_secs: ttl,
        })
    }

    /// Draws a captcha under `key` (charged to `ip`) and stores its answer,
    /// replacing any live captcha with the same key; returns the PNG and
    /// its lifetime in seconds.
    pub(crate) async fn draw_captcha(
        &self,
        key: &str,
        ip: Option<&str>,
    ) -> Result<(Vec<u8>, i64), DomainError> {
        if let Some(ip) = ip {
            self.charge(Kind::Captcha, ip).await?;
        }
        let (answer, png) = tokio::task::spawn_blocking(draw)
            .await?
            .ok_or_else(|| std::io::Error::other("captcha could not be drawn"))?;
        let now = self.now();
        let ttl = self.settings.codes.captcha_ttl.as_secs() as i64;
        // Expired captchas are only clutter; sweep them as new ones are made.
        let answer_hash = self.keyed.hash(&["captcha", &answer.to_uppercase()]);
        let mut conn = self.pool.acquire().await?;
        store::codes::put_captcha(&mut conn, &token_digest(key), &answer_hash, now, now + ttl)
            .await?;
        drop(conn);
        if let Some(dir) = self.messenger.captcha_outbox() {
            tokio::fs::create_dir_all(dir).await?;
            tokio::fs::write(dir.join(format!("{key}.txt")), &answer).await?;
        }
        Ok((png, ttl))
    }

    /// Checks and uses up a captcha. Any attempt, right or wrong, consumes it,
    /// so each image allows exactly one guess.
    pub async fn solve_captcha(
        &self,
        key: Option<&str>,
        answer: Option<&str>,
    ) -> Result<(), DomainError> {
        let (Some(key), Some(answer)) = (key.filter(|k| !k.is_empty()), answer) else {
            return Err(AppError::field(ErrorCode::CaptchaRequired, Field::Captcha)
                .needing_captcha()
                .into());
        };
        let answer = check_captcha_answer(answer)?;
        let mut conn = self.pool.acquire().await?;
        let stored = store::codes::take_captcha(&mut conn, &token_digest(key), self.now()).await?;
        match stored {
            Some(hash) if self.keyed.matches(&["captcha", &answer], &hash) => Ok(()),
            _ => Err(AppError::field(ErrorCode::CaptchaIncorrect, Field::Captcha)
                .needing_captcha()
                .into()),
        }
    }
}
