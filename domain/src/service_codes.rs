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
use crate::caller::ClientInfo;
use crate::codes::{taken, CodeRequest};
use crate::contacts::{add_pending_contact, release_pending};
use crate::delivery::Lang;
use crate::notifications::Event;
use crate::opaque::token_digest;
use crate::password_digests::DigestScheme;
use crate::store;
use crate::store::users::UserStatus;
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
        let mut conn = self.pool.acquire().await?;
        let store::users::Contacts { email, phone, .. } =
            store::users::contacts(&mut conn, user_id)
                .await?
                .ok_or(DomainError::from(ErrorCode::NotFound))?;
        drop(conn);
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
        let mut conn = self.pool.acquire().await?;
        Ok(store::codes::ticket_is_live(
            &mut conn,
            &token_digest(sid.trim()),
            USER_PURPOSE.as_str(),
            user_id,
            self.now(),
        )
        .await?)
    }

    /// Uses up a user's ticket of `user_id` inside `tx`; the contact it
    /// proved must still be on the account (`TICKET_INVALID` otherwise).
    pub(crate) async fn consume_user_ticket(
        &self,
        tx: &mut crate::store::Conn,
        user_id: i64,
        sid: &str,
    ) -> Result<(), DomainError> {
        let proven = self
            .consume_ticket(tx, sid, USER_PURPOSE, Some(user_id))
            .await?;
        let store::users::Contacts { email, phone, .. } = store::users::contacts(tx, user_id)
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

    /// Replaces the user's password by one known only as a digest (see
    /// `password_digests`), proven by a user's ticket of this user and, for
    /// a change (not a reset), the current password as a digest too
    /// (counted by the re-entry limiter). The ticket is checked first,
    /// without being used, so a request without one costs no password
    /// guess; it is used only once the current password is right. Every
    /// session of the user ends; a reset also lifts sign-in locks, as the
    /// product's own reset does.
    pub async fn set_password_digest_with_ticket(
        &self,
        user_id: i64,
        sid: &str,
        current: Option<(DigestScheme, &str)>,
        new: (DigestScheme, &str),
        client: &ClientInfo,
    ) -> Result<(), DomainError> {
        let digest = new.0.normalise(new.1).ok_or_else(|| {
            AppError::with_message(
                ErrorCode::InvalidInput,
                "The new password's digest must be hex of its scheme's length.",
            )
        })?;
        if !self.user_ticket_is_live(user_id, sid).await? {
            return Err(ErrorCode::TicketInvalid.into());
        }
        if let Some((scheme, current)) = current {
            self.check_password_digest(user_id, scheme, current).await?;
        }
        let mut tx = crate::store::begin_write(&self.pool).await?;
        self.consume_user_ticket(&mut tx, user_id, sid).await?;
        tx.commit().await?;
        self.set_password_digest(user_id, new.0, &digest, client)
            .await?;
        if current.is_none() {
            self.unlock_user(user_id).await?;
        }
        tracing::info!(
            user_id,
            reset = current.is_none(),
            "password set by a service"
        );
        Ok(())
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
        let mut tx = crate::store::begin_write(&self.pool).await?;
        let store::users::Contacts {
            email,
            phone,
            status,
        } = store::users::contacts(&mut tx, user_id)
            .await?
            .ok_or(DomainError::from(ErrorCode::NotFound))?;
        if status == UserStatus::Closed {
            return Err(ErrorCode::AccountClosed.into());
        }
        let current = match &contact {
            Contact::Email(_) => email.map(Contact::Email),
            Contact::Phone(_) => phone.map(Contact::Phone),
        };
        // Which proof the ticket is: the address's own, or the user's.
        let proves_contact = match sid {
            None => false,
            Some(sid) => match self
                .consume_ticket(&mut tx, sid, CONTACT_PURPOSE, None)
                .await
            {
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
        let updated = store::contacts::set_verified(&mut tx, user_id, &contact, self.now()).await;
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
        store::contacts::drop_pending_of_kind(&mut tx, user_id, &contact).await?;
        release_pending(&mut tx, &contact).await?;
        tx.commit().await?;
        let kind = if contact.is_email() { "email" } else { "phone" };
        tracing::info!(user_id, kind, "contact set for a service");
        self.audit(
            AuditEvent::by_user(AuditAction::ContactChanged, user_id, client)
                .details(serde_json::json!({ "kind": kind, "by": "service" })),
        )
        .await;
        if current.as_ref() != Some(&contact) {
            self.notify(
                user_id,
                Event::ContactChanged {
                    email: contact.is_email(),
                    old: current,
                },
            )
            .await;
        }
        Ok(ContactOutcome::Live)
    }
}

#[cfg(test)]
mod tests {
    use super::ContactOutcome;
    use crate::password_digests::DigestScheme;
    use crate::service_accounts::{ServiceAccount, ServiceAccountOutcome};
    use crate::tests::{client, code_of, fixture_with, test_settings, Fixture};
    use crate::Lang;
    use shared::admin::MessageChannel;
    use shared::ErrorCode;

    async fn fixture() -> Fixture {
        let mut settings = test_settings();
        settings.password_digests = vec![DigestScheme::Md5];
        settings.codes.resend_after = std::time::Duration::ZERO;
        fixture_with(settings).await
    }

    async fn user(f: &Fixture, phone: &str) -> i64 {
        let new = ServiceAccount {
            phone,
            password: Some("first password"),
            ..Default::default()
        };
        match f.uc.create_service_account(&new).await.unwrap() {
            ServiceAccountOutcome::Created(u) => u.id,
            other => panic!("{other:?}"),
        }
    }

    /// The code in the SMS to `phone` after the `before`th.
    async fn sms_code(f: &Fixture, phone: &str, before: usize) -> String {
        for _ in 0..200 {
            let dir = f._dir.path().join("outbox/sms");
            let mut files: Vec<_> = std::fs::read_dir(&dir)
                .map(|d| d.flatten().map(|e| e.path()).collect())
                .unwrap_or_default();
            files.sort();
            let texts: Vec<String> = files
                .iter()
                .filter_map(|p| std::fs::read_to_string(p).ok())
                .filter(|t| t.contains(phone))
                .collect();
            if let Some(text) = texts.get(before) {
                let line = text.lines().find(|l| l.contains("\"text\"")).unwrap();
                return line
                    .split(|c: char| !c.is_ascii_digit())
                    .find(|run| run.len() == 6)
                    .unwrap()
                    .to_string();
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("no SMS to {phone}");
    }

    async fn user_sid(f: &Fixture, id: i64, phone: &str, before: usize) -> String {
        f.uc.send_user_code(id, MessageChannel::Sms, Lang::En, None)
            .await
            .unwrap();
        let code = sms_code(f, phone, before).await;
        f.uc.verify_user_code(id, MessageChannel::Sms, &code)
            .await
            .unwrap()
            .sid
    }

    #[tokio::test]
    async fn a_password_digest_needs_the_users_own_ticket_and_the_current_password() {
        let f = fixture().await;
        let a = user(&f, "13900000001").await;
        let b = user(&f, "13900000002").await;
        let md5 = |p: &str| DigestScheme::Md5.of(p);
        let sid_a = user_sid(&f, a, "13900000001", 0).await;
        let sid_b = user_sid(&f, b, "13900000002", 0).await;
        let set = |sid: String, current: Option<String>| {
            let uc = f.uc.clone();
            async move {
                let current = current.as_deref().map(|c| (DigestScheme::Md5, c));
                let new = md5("second password");
                uc.set_password_digest_with_ticket(
                    a,
                    &sid,
                    current,
                    (DigestScheme::Md5, &new),
                    &client(),
                )
                .await
            }
        };
        assert_eq!(
            code_of(set(sid_b.clone(), Some(md5("first password"))).await),
            ErrorCode::TicketInvalid
        );
        assert_eq!(
            code_of(set(sid_a.clone(), Some(md5("wrong password"))).await),
            ErrorCode::PasswordIncorrect
        );
        set(sid_a.clone(), Some(md5("first password")))
            .await
            .unwrap();
        assert_eq!(
            code_of(set(sid_a, Some(md5("second password"))).await),
            ErrorCode::TicketInvalid
        );
        f.uc.login("13900000001", "second password", None, &client())
            .await
            .unwrap();
        // B's ticket was not spent on A: a reset of B works with it.
        let new = md5("reset password");
        f.uc.set_password_digest_with_ticket(b, &sid_b, None, (DigestScheme::Md5, &new), &client())
            .await
            .unwrap();
        // A code of B's phone cannot be verified as A's.
        f.uc.send_user_code(b, MessageChannel::Sms, Lang::En, None)
            .await
            .unwrap();
        let code = sms_code(&f, "13900000002", 1).await;
        assert_eq!(
            code_of(f.uc.verify_user_code(a, MessageChannel::Sms, &code).await),
            ErrorCode::CodeIncorrect
        );
        assert_eq!(
            code_of(
                f.uc.send_user_code(a, MessageChannel::Email, Lang::En, None)
                    .await
            ),
            ErrorCode::NoSuchContact
        );
    }

    #[tokio::test]
    async fn a_contact_is_live_only_with_its_own_ticket() {
        let f = fixture().await;
        let id = user(&f, "13700000001").await;
        // No proof: pending, off the account.
        let set = |contact: &'static str, sid: Option<String>| {
            let uc = f.uc.clone();
            async move {
                uc.set_user_contact(id, contact, sid.as_deref(), &client())
                    .await
            }
        };
        assert_eq!(
            set("13700000002", None).await.unwrap(),
            ContactOutcome::Pending
        );
        let me = f.uc.profile(id).await.unwrap();
        assert_eq!(me.phone.as_deref(), Some("13700000001"));
        assert_eq!(me.pending_phone.as_deref(), Some("13700000002"));
        // The contact's own ticket: live and verified.
        let key = "t1";
        f.uc.captcha_for_client_key(key, None).await.unwrap();
        let answer =
            std::fs::read_to_string(f._dir.path().join(format!("outbox/captcha/{key}.txt")))
                .unwrap();
        f.uc.send_contact_code("13700000002", (Some(key), Some(&answer)), Lang::En, None)
            .await
            .unwrap();
        let code = sms_code(&f, "13700000002", 0).await;
        let sid =
            f.uc.verify_contact_code("13700000002", &code)
                .await
                .unwrap()
                .sid;
        // Not for another address (and not used up by trying).
        assert_eq!(
            code_of(set("13700000003", Some(sid.clone())).await),
            ErrorCode::TicketInvalid
        );
        assert_eq!(
            set("13700000002", Some(sid.clone())).await.unwrap(),
            ContactOutcome::Live
        );
        let me = f.uc.profile(id).await.unwrap();
        assert_eq!(me.phone.as_deref(), Some("13700000002"));
        assert!(me.phone_verified);
        assert_eq!(me.pending_phone, None);
        assert_eq!(
            code_of(set("13700000002", Some(sid)).await),
            ErrorCode::TicketInvalid
        );
        // The user's own ticket proves the user, not the new address.
        let sid = user_sid(&f, id, "13700000002", 1).await;
        assert_eq!(
            set("a@example.com", Some(sid)).await.unwrap(),
            ContactOutcome::Pending
        );
        assert_eq!(f.uc.profile(id).await.unwrap().email, None);
    }
}
