//! Verification codes: six digits sent to an email or phone, valid for a few
//! minutes, single use, dead after a few wrong tries (counted by the attempt
//! limiter, kind `code`), stored as a keyed hash.
//! A correct code can be exchanged for a one-time security ticket (`sid`)
//! that the operation it unlocks consumes.
//!
//! Sending is limited per contact (a cooldown and a daily cap) and per IP
//! (a daily cap). The limits live in the database, inside the same
//! `BEGIN IMMEDIATE` as the new code, so they hold across restarts and
//! concurrent requests.

use crate::delivery::{templates, Lang};
use crate::opaque::{random_token, token_digest};
use crate::store::users::{Holder, UserStatus};
use crate::throttle::Kind;
use crate::{store, DomainError, UserCenter};
use rand::Rng;
use shared::dto::{CodePurpose, CodeSent, SecurityTicket};
use shared::validate::{self, Contact};
use shared::{AppError, ErrorCode, Field};
use std::time::Duration;

/// Limits and lifetimes of codes, tickets and captchas.
#[derive(Clone, Debug)]
pub struct CodeSettings {
    pub code_ttl: Duration,
    /// At most one code per contact within this interval.
    pub resend_after: Duration,
    pub daily_per_contact: u32,
    pub daily_per_ip: u32,
    /// Wrong entries after which a code is dead.
    pub max_attempts: u32,
    pub ticket_ttl: Duration,
    pub captcha_ttl: Duration,
    /// Sign-up must prove the email (or phone) with a code.
    pub require_contact_code: bool,
    /// How long the code sent with a newly opened (pre-opened) account is
    /// valid: its owner may read the message days later. Codes asked for
    /// again on the activation page live `code_ttl`, like any other.
    pub activation_ttl: Duration,
}

impl Default for CodeSettings {
    fn default() -> Self {
        CodeSettings {
            code_ttl: Duration::from_secs(10 * 60),
            resend_after: Duration::from_secs(60),
            daily_per_contact: 10,
            daily_per_ip: 50,
            max_attempts: 5,
            ticket_ttl: Duration::from_secs(10 * 60),
            captcha_ttl: Duration::from_secs(5 * 60),
            require_contact_code: true,
            activation_ttl: Duration::from_secs(72 * 3600),
        }
    }
}

const DAY: i64 = 24 * 3600;

/// A request for a code, as typed.
#[derive(Clone, Debug, Default)]
pub struct CodeRequest<'a> {
    pub contact: &'a str,
    pub purpose: Option<CodePurpose>,
    pub captcha_key: Option<&'a str>,
    pub captcha_answer: Option<&'a str>,
    pub lang: Lang,
}

/// A code about to be stored: see [`UserCenter::issue_code`].
pub(crate) struct IssuedCode<'a> {
    pub(crate) contact: &'a Contact,
    pub(crate) purpose: CodePurpose,
    pub(crate) code: &'a str,
    /// The signed-in user it is for, when only they may use it.
    pub(crate) user: Option<i64>,
    /// Seconds it is valid.
    pub(crate) ttl: i64,
}

/// How a code reaches its contact.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Delivery {
    /// Wait for the provider and report failures.
    Now,
    /// Send in the background: the answer must not reveal whether anything was sent.
    Background,
    /// Nobody to send to, but answer exactly as if there were.
    Silent,
    /// A sign-up code for a contact that already has an account: the owner
    /// gets a notice instead of a code, in the background like a code.
    Notice,
}

/// What checking a single-use code found (see
/// [`UserCenter::take_single_use_code`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CodeCheck {
    /// The live code: now used up.
    Right,
    /// Wrong, expired or dead; counted.
    Wrong,
    /// The code that was already used, within its lifetime: the caller
    /// lost a race with the request that used it.
    AlreadyUsed,
}

/// A fresh six-digit code.
pub(crate) fn new_code() -> String {
    format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32))
}

pub(crate) fn code_incorrect() -> DomainError {
    AppError::field(ErrorCode::CodeIncorrect, Field::Code).into()
}

fn ticket_invalid() -> DomainError {
    ErrorCode::TicketInvalid.into()
}

/// The limiter's key for the live code of one contact and purpose.
fn code_throttle_key(purpose: CodePurpose, contact_key: &str) -> String {
    format!("{}/{contact_key}", purpose.as_str())
}

/// `email:a@b.co` back into a contact.
pub(crate) fn contact_from_key(key: &str) -> Option<Contact> {
    match key.split_once(':')? {
        ("email", v) => Some(Contact::Email(v.to_string())),
        ("phone", v) => Some(Contact::Phone(v.to_string())),
        _ => None,
    }
}

pub(crate) fn taken(contact: &Contact) -> DomainError {
    if contact.is_email() {
        AppError::field(ErrorCode::EmailTaken, Field::Contact).into()
    } else {
        AppError::field(ErrorCode::PhoneTaken, Field::Contact).into()
    }
}

impl UserCenter {
    /// The account that has `contact`, with its status.
    pub(crate) async fn owner_of(&self, contact: &Contact) -> Result<Option<Holder>, DomainError> {
        let mut conn = self.pool.acquire().await?;
        Ok(store::users::holder(&mut conn, contact.into()).await?)
    }

    /// Sends a code for `purpose` to a contact.
    ///
    /// A captcha is needed unless the contact is bound to the signed-in
    /// `requester`. For sign-up, sign-in and password recovery the answer
    /// (and its timing) is the same whether or not an account has the
    /// contact; a sign-up request for a taken contact sends its owner a
    /// notice instead of a code.
    pub async fn send_code(
        &self,
        request: CodeRequest<'_>,
        requester: Option<i64>,
        ip: Option<&str>,
    ) -> Result<CodeSent, DomainError> {
        let purpose = request
            .purpose
            .ok_or_else(|| AppError::with_message(ErrorCode::InvalidInput, "unknown purpose"))?;
        let contact = validate::parse_contact(request.contact)?;
        let owner = self.owner_of(&contact).await?;
        let owner_id = owner.as_ref().map(|o| o.id);
        let bound_to_requester = requester.is_some() && owner_id == requester;
        let signed_in = || requester.ok_or(DomainError::from(ErrorCode::Unauthenticated));

        let (delivery, code_user) = match purpose {
            // The same answer, after the captcha and the send limits,
            // whether or not the contact is taken: anything else tells
            // strangers who has an account.
            CodePurpose::Register => match owner {
                Some(_) => (Delivery::Notice, None),
                None => (Delivery::Background, None),
            },
            CodePurpose::Login | CodePurpose::ResetPassword => match &owner {
                Some(o) if o.status != UserStatus::Closed => (Delivery::Background, None),
                _ => (Delivery::Silent, None),
            },
            // Only a pre-opened account gets an activation code; for any
            // other contact the answer is the same and nothing is sent.
            CodePurpose::Activation => match &owner {
                Some(o) if o.status == UserStatus::PreOpened => (Delivery::Background, None),
                _ => (Delivery::Silent, None),
            },
            CodePurpose::ChangeContact | CodePurpose::PayPassword => {
                let user = signed_in()?;
                if !bound_to_requester {
                    return Err(AppError::field(ErrorCode::ContactNotBound, Field::Contact).into());
                }
                (Delivery::Now, Some(user))
            }
            CodePurpose::BindContact => {
                let user = signed_in()?;
                if bound_to_requester {
                    return Err(AppError::field(ErrorCode::ContactUnchanged, Field::Contact).into());
                }
                if owner.is_some() {
                    return Err(taken(&contact));
                }
                (Delivery::Now, Some(user))
            }
        };
        if !bound_to_requester {
            self.solve_captcha(request.captcha_key, request.captcha_answer)
                .await?;
        }

        let code = new_code();
        let key = contact.key();
        let settings = &self.settings.codes;
        let now = self.now();
        let resend = settings.resend_after.as_secs() as i64;
        let ttl = settings.code_ttl.as_secs() as i64;

        let mut tx = crate::store::begin_write(&self.pool).await?;
        store::codes::prune_sends(&mut tx, now - DAY).await?;
        let store::codes::ContactSends {
            last,
            count: sent_today,
            first: first_today,
        } = store::codes::sends_to(&mut tx, &key).await?;
        if let Some(last) = last.filter(|&l| l + resend > now) {
            return Err(AppError::new(ErrorCode::CodeSendTooSoon)
                .retry_after(last + resend - now)
                .into());
        }
        if sent_today >= i64::from(settings.daily_per_contact) {
            let wait = first_today.map_or(DAY, |f| f + DAY - now);
            return Err(AppError::new(ErrorCode::CodeDailyLimit)
                .retry_after(wait)
                .into());
        }
        if let Some(ip) = ip {
            let (from_ip, first) = store::codes::sends_from(&mut tx, ip).await?;
            if from_ip >= i64::from(settings.daily_per_ip) {
                let wait = first.map_or(DAY, |f| f + DAY - now);
                return Err(AppError::new(ErrorCode::CodeDailyLimit)
                    .retry_after(wait)
                    .into());
            }
        }
        let send_id = store::codes::record_send(&mut tx, &key, ip, now).await?;
        let mut code_id = None;
        if matches!(delivery, Delivery::Now | Delivery::Background) {
            let issued = IssuedCode {
                contact: &contact,
                purpose,
                code: &code,
                user: code_user,
                ttl,
            };
            code_id = Some(self.issue_code(&mut tx, issued).await?);
        }
        tx.commit().await?;

        let message = match delivery {
            Delivery::Notice => templates::signup_attempt_notice(request.lang),
            _ => templates::code_message(&code, purpose, ttl / 60, request.lang),
        };
        match delivery {
            Delivery::Now => {
                if let Err(e) = self.messenger.deliver(&contact, &message).await {
                    metrics::counter!("uc_codes_total", "purpose" => purpose.as_str(), "result" => "failed")
                        .increment(1);
                    // Nothing reached the user: do not hold the cooldown against them.
                    self.forget_send(send_id, code_id).await?;
                    return Err(e);
                }
            }
            Delivery::Background | Delivery::Notice => {
                self.messenger.deliver_later(contact.clone(), message)
            }
            Delivery::Silent => {}
        }
        metrics::counter!("uc_codes_total", "purpose" => purpose.as_str(), "result" => "requested")
            .increment(1);
        tracing::info!(purpose = purpose.as_str(), to = %contact.masked(), "code requested");
        Ok(CodeSent {
            sent_to: contact.masked(),
            expires_in_secs: ttl,
            retry_after_secs: resend,
        })
    }

    /// Stores `issued` as the live code of its contact and purpose, inside
    /// the caller's write transaction: it replaces any earlier one and
    /// starts with every try. Returns the code's row id.
    pub(crate) async fn issue_code(
        &self,
        tx: &mut crate::store::Conn,
        issued: IssuedCode<'_>,
    ) -> Result<i64, DomainError> {
        let key = issued.contact.key();
        let purpose = issued.purpose;
        let now = self.now();
        self.clear_throttle(&mut *tx, Kind::Code, &code_throttle_key(purpose, &key))
            .await?;
        let code_hash = self.code_hash(purpose, &key, issued.code);
        let code = store::codes::NewCode {
            contact: &key,
            purpose: purpose.as_str(),
            code_hash: &code_hash,
            user_id: issued.user,
            now,
            expires_at: now + issued.ttl,
        };
        Ok(store::codes::replace_code(tx, &code).await?)
    }

    async fn forget_send(&self, send_id: i64, code_id: Option<i64>) -> Result<(), DomainError> {
        let mut tx = crate::store::begin_write(&self.pool).await?;
        store::codes::forget_send(&mut tx, send_id, code_id).await?;
        tx.commit().await?;
        Ok(())
    }

    fn code_hash(&self, purpose: CodePurpose, contact_key: &str, code: &str) -> String {
        self.keyed
            .hash(&["code", purpose.as_str(), contact_key, code])
    }

    /// Uses the live code for (contact, purpose) inside `tx`. Returns whether
    /// it matched; a wrong guess is counted and kills the code at the limit,
    /// so the caller must commit `tx` either way.
    pub(crate) async fn take_code(
        &self,
        tx: &mut crate::store::Conn,
        contact: &Contact,
        purpose: CodePurpose,
        code: &str,
        user: Option<i64>,
    ) -> Result<bool, DomainError> {
        let key = contact.key();
        let now = self.now();
        let row = store::codes::live_code(tx, &key, purpose.as_str(), now).await?;
        let Some(store::codes::LiveCode {
            id,
            code_hash: hash,
            user_id: code_user,
        }) = row
        else {
            return Ok(false);
        };
        let right_user = code_user.is_none() || code_user == user;
        let right = right_user
            && self
                .keyed
                .matches(&["code", purpose.as_str(), &key, code], &hash);
        // Checked under the same write lock as its counter, so the code
        // needs no reservation: it is judged and counted in one step.
        let judged = self
            .settle_in(
                &mut *tx,
                Kind::Code,
                &code_throttle_key(purpose, &key),
                right,
            )
            .await?;
        if right || judged.set_lock {
            // Used, or dead of too many wrong tries.
            store::codes::consume_code(tx, id, now).await?;
        }
        Ok(right)
    }

    /// [`take_code`](Self::take_code) for an operation that can succeed only
    /// once (activation): besides right and wrong, it recognises the code
    /// that was already used, so of two requests with the right code the
    /// loser hears that it lost rather than that its code was wrong.
    ///
    /// Only someone who holds the code learns that it was used: a guess at
    /// a used code is counted like any wrong code (a live one's tries and a
    /// used one's share the counter), and once the tries are gone, or the
    /// code's lifetime is over, even the right one is just wrong.
    pub(crate) async fn take_single_use_code(
        &self,
        tx: &mut crate::store::Conn,
        contact: &Contact,
        purpose: CodePurpose,
        code: &str,
    ) -> Result<CodeCheck, DomainError> {
        let key = contact.key();
        let now = self.now();
        let live = store::codes::live_code(&mut *tx, &key, purpose.as_str(), now).await?;
        if live.is_some() {
            let right = self
                .take_code(&mut *tx, contact, purpose, code, None)
                .await?;
            return Ok(if right {
                CodeCheck::Right
            } else {
                CodeCheck::Wrong
            });
        }
        let throttle_key = code_throttle_key(purpose, &key);
        // A lock (the tries used up) counts from the last right code or the
        // last new one, which both reset it.
        let state = self
            .throttle_state_in(&mut *tx, Kind::Code, &throttle_key)
            .await?;
        let tries_left = state.lock_count == 0
            && state.consecutive < i64::from(self.settings.codes.max_attempts);
        // Only the newest code counts (an older one was replaced, not used).
        let latest = store::codes::latest_code(&mut *tx, &key, purpose.as_str()).await?;
        let used = tries_left
            && latest.is_some_and(|(hash, expires_at)| {
                expires_at > now
                    && self
                        .keyed
                        .matches(&["code", purpose.as_str(), &key, code], &hash)
            });
        if used {
            return Ok(CodeCheck::AlreadyUsed);
        }
        if tries_left {
            self.settle_in(&mut *tx, Kind::Code, &throttle_key, false)
                .await?;
        }
        Ok(CodeCheck::Wrong)
    }

    /// Checks a code in its own transaction; for operations that need nothing
    /// else atomically with it.
    pub(crate) async fn use_code(
        &self,
        contact: &Contact,
        purpose: CodePurpose,
        code: &str,
        user: Option<i64>,
    ) -> Result<(), DomainError> {
        let mut tx = crate::store::begin_write(&self.pool).await?;
        let ok = self
            .take_code(&mut tx, contact, purpose, code, user)
            .await?;
        tx.commit().await?;
        if ok {
            Ok(())
        } else {
            Err(code_incorrect())
        }
    }

    /// Exchanges a correct code for a one-time security ticket bound to the
    /// contact, the purpose and (when signed in) the user.
    pub async fn verify_code(
        &self,
        contact: &str,
        purpose: Option<CodePurpose>,
        code: &str,
        requester: Option<i64>,
    ) -> Result<SecurityTicket, DomainError> {
        let purpose = purpose
            .ok_or_else(|| AppError::with_message(ErrorCode::InvalidInput, "unknown purpose"))?;
        let contact = validate::parse_contact(contact)?;
        let code = validate::check_code(code)?;
        let now = self.now();
        let ttl = self.settings.codes.ticket_ttl.as_secs() as i64;
        let mut tx = crate::store::begin_write(&self.pool).await?;
        if !self
            .take_code(&mut tx, &contact, purpose, &code, requester)
            .await?
        {
            tx.commit().await?;
            return Err(code_incorrect());
        }
        let sid = random_token();
        let id_hash = token_digest(&sid);
        let contact_key = contact.key();
        let ticket = store::codes::NewTicket {
            id_hash: &id_hash,
            contact: &contact_key,
            purpose: purpose.as_str(),
            user_id: requester,
            now,
            expires_at: now + ttl,
        };
        store::codes::insert_ticket(&mut tx, &ticket).await?;
        tx.commit().await?;
        Ok(SecurityTicket {
            sid,
            expires_in_secs: ttl,
        })
    }

    /// Uses up a ticket for `purpose` inside the caller's transaction and
    /// returns the contact it proves. A ticket issued to a signed-in user only
    /// works for that user.
    pub(crate) async fn consume_ticket(
        &self,
        tx: &mut crate::store::Conn,
        sid: &str,
        purpose: CodePurpose,
        user: Option<i64>,
    ) -> Result<Contact, DomainError> {
        let now = self.now();
        let row =
            store::codes::take_ticket(tx, &token_digest(sid.trim()), purpose.as_str(), now).await?;
        match row {
            Some((contact, ticket_user)) if ticket_user.is_none() || ticket_user == user => {
                contact_from_key(&contact).ok_or_else(ticket_invalid)
            }
            _ => Err(ticket_invalid()),
        }
    }
}
