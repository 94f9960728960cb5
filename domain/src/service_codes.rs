//! Codes, tickets and the changes they unlock, asked for by a trusted server
//! on behalf of its signed-in user (yonyou's `sendcode`, `sendcode2`,
//! `validatecode`, `modifypassword`, `modifyContact`, `bindMail`,
//! `bindMobile`).
//!
//! Such a server has no session token of the user; it names the user by id
//! and the deployment trusts it (the facades using this answer only the
//! service network). What it cannot vouch for is that a *contact* is the
//! user's: that takes a code. So:
//!
//! - **A user's code** goes to the email or phone already on the account,
//!   with purpose `reset_password` (the seed's "send a code to prove the
//!   user before changing or resetting the password"). Its ticket is bound
//!   to that user and unlocks a password change.
//! - **A contact's code** goes to any free address after a captcha, with
//!   purpose `register`, exactly like the product's own sign-up code (a taken
//!   address gets a notice, not a code, and the answer is the same). Its
//!   ticket proves the address and can bind it to an account.
//! - **Setting a contact** with a contact's ticket for that very address
//!   makes it live and verified. With only a user's ticket, or no proof at
//!   all (the seed's `bindMail`/`bindMobile` have none), the address is
//!   stored as *pending*: off the account, claiming nothing, until its owner
//!   proves it (see `contacts`).

use crate::audit::AuditEvent;
use crate::codes::{taken, CodeRequest};
use crate::contacts::{add_pending_contact, release_pending};
use crate::delivery::Lang;
use crate::opaque::token_digest;
use crate::sessions::ClientInfo;
use crate::{db, DomainError, UserCenter};
use shared::admin::{AuditAction, MessageChannel};
use shared::dto::{CodePurpose, CodeSent, SecurityTicket};
use shared::validate::{self, Contact};
use shared::{AppError, ErrorCode};

/// The purpose of codes sent to a user's own contact.
const USER_PURPOSE: CodePurpose = CodePurpose::ResetPassword;
/// The purpose of codes that prove a new contact.
const CONTACT_PURPOSE: CodePurpose = CodePurpose::Register;

/// What setting a contact did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContactOutcome {
    /// On the account (and verified, when a code proved it).
    Live,
    /// Stored as pending until the owner proves it with a code.
    Pending,
}

impl UserCenter {
    /// The user's live email or phone.
    async fn user_contact(
        &self,
        user_id: i64,
        channel: MessageChannel,
    ) -> Result<Contact, DomainError> {
        let (email, phone): (Option<String>, Option<String>) =
            sqlx::query_as("SELECT email, phone FROM users WHERE id = ?")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(DomainError::from(ErrorCode::NotFound))?;
        match channel {
            MessageChannel::Email => email.map(Contact::Email),
            MessageChannel::Sms => phone.map(Contact::Phone),
        }
        .ok_or_else(|| {
            AppError::with_message(
                ErrorCode::NoSuchContact,
                match channel {
                    MessageChannel::Email => "This user has no email address.",
                    MessageChannel::Sms => "This user has no phone number.",
                },
            )
            .into()
        })
    }

    /// Sends a user's code to their email or phone (no captcha: the code
    /// goes only to the account's own contact). `NO_SUCH_CONTACT` when the
    /// account has none on that channel; the send limits apply.
    pub async fn send_user_code(
        &self,
        user_id: i64,
        channel: MessageChannel,
        lang: Lang,
        ip: Option<&str>,
    ) -> Result<CodeSent, DomainError> {
        let contact = self.user_contact(user_id, channel).await?;
        let request = CodeRequest {
            contact: contact.value(),
            purpose: Some(USER_PURPOSE),
            captcha_key: None,
            captcha_answer: None,
            lang,
        };
        self.send_code(request, Some(user_id), ip).await
    }

    /// Exchanges a user's code for a ticket bound to the user.
    pub async fn verify_user_code(
        &self,
        user_id: i64,
        channel: MessageChannel,
        code: &str,
    ) -> Result<SecurityTicket, DomainError> {
        let contact = self.user_contact(user_id, channel).await?;
        self.verify_code(contact.value(), Some(USER_PURPOSE), code, Some(user_id))
            .await
    }

    /// Sends a contact's code after the captcha; answers alike for free and
    /// taken addresses (a taken one gets a notice instead).
    pub async fn send_contact_code(
        &self,
        contact: &str,
        captcha: (Option<&str>, Option<&str>),
        lang: Lang,
        ip: Option<&str>,
    ) -> Result<CodeSent, DomainError> {
        let request = CodeRequest {
            contact,
            purpose: Some(CONTACT_PURPOSE),
            captcha_key: captcha.0,
            captcha_answer: captcha.1,
            lang,
        };
        self.send_code(request, None, ip).await
    }

    /// Exchanges a contact's code for a ticket proving the address.
    pub async fn verify_contact_code(
        &self,
        contact: &str,
        code: &str,
    ) -> Result<SecurityTicket, DomainError> {
        self.verify_code(contact, Some(CONTACT_PURPOSE), code, None)
            .await
    }

    /// Whether `sid` is a live, unused user's ticket of `user_id`, without
    /// using it: a request with a dead ticket is refused before anything
    /// else (a password check) is spent on it.
    pub(crate) async fn user_ticket_is_live(
        &self,
        user_id: i64,
        sid: &str,
    ) -> Result<bool, DomainError> {
        let found: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM security_tickets
             WHERE id_hash = ? AND purpose = ? AND user_id = ?
               AND consumed_at IS NULL AND expires_at > ?",
        )
        .bind(token_digest(sid.trim()))
        .bind(USER_PURPOSE.as_str())
        .bind(user_id)
        .bind(self.now())
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    /// Uses up a user's ticket of `user_id` inside `tx`; the contact it
    /// proved must still be on the account (`TICKET_INVALID` otherwise).
    pub(crate) async fn consume_user_ticket(
        &self,
        tx: &mut sqlx::SqliteConnection,
        user_id: i64,
        sid: &str,
    ) -> Result<(), DomainError> {
        let proven = self
            .consume_ticket(tx, sid, USER_PURPOSE, Some(user_id))
            .await?;
        let (email, phone): (Option<String>, Option<String>) =
            sqlx::query_as("SELECT email, phone FROM users WHERE id = ?")
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(DomainError::from(ErrorCode::TicketInvalid))?;
        let bound = match &proven {
            Contact::Email(e) => email.as_deref() == Some(e),
            Contact::Phone(p) => phone.as_deref() == Some(p),
        };
        if bound {
            Ok(())
        } else {
            Err(ErrorCode::TicketInvalid.into())
        }
    }

    /// Sets the user's email or phone (by the address's form), proven by
    /// `sid`; see the module docs for when it is live and when pending.
    /// A ticket that proves another address, a user's ticket of another
    /// user, or a used one is `TICKET_INVALID`; an address live on another
    /// account is `*_TAKEN` (only a contact's ticket can get that far, and
    /// a taken address never gets such a ticket).
    pub async fn set_user_contact(
        &self,
        user_id: i64,
        contact: &str,
        sid: Option<&str>,
        client: &ClientInfo,
    ) -> Result<ContactOutcome, DomainError> {
        let contact = validate::parse_contact(contact)?;
        let sid = sid.map(str::trim).filter(|s| !s.is_empty());
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let (email, phone, status): (Option<String>, Option<String>, String) =
            sqlx::query_as("SELECT email, phone, status FROM users WHERE id = ?")
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(DomainError::from(ErrorCode::NotFound))?;
        if status == "closed" {
            return Err(ErrorCode::AccountClosed.into());
        }
        let current = match &contact {
            Contact::Email(_) => email.map(Contact::Email),
            Contact::Phone(_) => phone.map(Contact::Phone),
        };
        // Which proof the ticket is: the address's own, or the user's.
        let proves_contact = match sid {
            None => false,
            Some(sid) => match self.consume_ticket(&mut tx, sid, CONTACT_PURPOSE, None).await {
                Ok(proven) if proven == contact => true,
                Ok(_) => return Err(ErrorCode::TicketInvalid.into()),
                Err(e) if e.code() == ErrorCode::TicketInvalid => {
                    self.consume_user_ticket(&mut tx, user_id, sid).await?;
                    false
                }
                Err(e) => return Err(e),
            },
        };
        if !proves_contact {
            if current.as_ref() != Some(&contact) {
                add_pending_contact(&mut tx, user_id, &contact, self.now()).await?;
                tx.commit().await?;
                tracing::info!(user_id, "contact stored as pending for a service");
                return Ok(ContactOutcome::Pending);
            }
            tx.commit().await?;
            return Ok(ContactOutcome::Live);
        }
        let sql = match contact {
            Contact::Email(_) => {
                "UPDATE users SET email = ?, email_verified = 1, updated_at = ? WHERE id = ?"
            }
            Contact::Phone(_) => {
                "UPDATE users SET phone = ?, phone_verified = 1, updated_at = ? WHERE id = ?"
            }
        };
        let updated = sqlx::query(sql)
            .bind(contact.value())
            .bind(self.now())
            .bind(user_id)
            .execute(&mut *tx)
            .await;
        match updated {
            Ok(_) => {}
            Err(e)
                if db::is_unique_violation(&e, "users.email")
                    || db::is_unique_violation(&e, "users.phone") =>
            {
                return Err(taken(&contact));
            }
            Err(e) => return Err(e.into()),
        }
        sqlx::query("DELETE FROM pending_contacts WHERE user_id = ? AND kind = ?")
            .bind(user_id)
            .bind(if contact.is_email() { "email" } else { "phone" })
            .execute(&mut *tx)
            .await?;
        release_pending(&mut tx, &contact).await?;
        tx.commit().await?;
        let kind = if contact.is_email() { "email" } else { "phone" };
        tracing::info!(user_id, kind, "contact set for a service");
        self.audit(
            AuditEvent::by_user(AuditAction::ContactChanged, user_id, client)
                .details(serde_json::json!({ "kind": kind, "by": "service" })),
        )
        .await;
        Ok(ContactOutcome::Live)
    }
}
