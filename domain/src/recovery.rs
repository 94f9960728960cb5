//! Forgotten and changed passwords.
//!
//! A reset is proven by a `reset_password` code (or the ticket it was
//! exchanged for), ends every session and signs nobody in: the user signs in
//! again with the new password, and hears about the reset on the other
//! channel. A change while signed in keeps the current session only.

use crate::audit::AuditEvent;
use crate::caller::{AuthContext, ClientInfo};
use crate::delivery::Lang;
use crate::notifications::Event;
use crate::{codes, store, DomainError, UserCenter};
use shared::admin::AuditAction;
use shared::dto::CodePurpose;
use shared::validate::{self, AccountNames, Contact, PasswordLengths};
use shared::{AppError, ErrorCode, Field};

/// What proves the right to reset a password.
#[derive(Clone, Debug)]
pub enum ResetProof<'a> {
    /// The contact and the code sent to it.
    Code { contact: &'a str, code: &'a str },
    /// A ticket (`sid`) from `verify_code` with purpose `reset_password`.
    Ticket(&'a str),
}

/// What confirms a password change while signed in.
#[derive(Clone, Debug)]
pub enum ChangeProof<'a> {
    CurrentPassword(&'a str),
    /// A `reset_password` ticket for a contact of this account.
    Ticket(&'a str),
}

pub(crate) use crate::store::users::Names;

impl Names {
    pub(crate) fn names(&self) -> AccountNames<'_> {
        AccountNames {
            email: self.email.as_deref(),
            phone: self.phone.as_deref(),
            username: self.username.as_deref(),
        }
    }
}

/// No account's names: the password rules that hold for everyone.
const NO_NAMES: AccountNames<'static> = AccountNames {
    email: None,
    phone: None,
    username: None,
};

/// A policy error about "the password" belongs to the new-password field here.
fn on_new_password(mut e: AppError) -> AppError {
    if e.field == Some(Field::Password) {
        e.field = Some(Field::NewPassword);
    }
    e
}

impl UserCenter {
    /// The account that has `contact`, read through `executor` (inside a
    /// write transaction, its own connection: asking the pool for another
    /// while holding the write lock can starve it under load).
    pub(crate) async fn names_of_contact(
        &self,
        conn: &mut store::Conn,
        contact: &Contact,
    ) -> Result<Option<Names>, DomainError> {
        Ok(store::users::names(conn, contact.into()).await?)
    }

    pub(crate) async fn names_of_user(&self, user_id: i64) -> Result<Names, DomainError> {
        let mut conn = self.pool.acquire().await?;
        store::users::names_by_id(&mut conn, user_id)
            .await?
            .ok_or_else(|| ErrorCode::NotFound.into())
    }

    /// Sets a new password after a forgotten one. Every session ends, sign-in
    /// locks on the account's identifiers are lifted, and the other channel
    /// (if any) is told. Errors do not reveal whether the contact has an account.
    pub async fn reset_password(
        &self,
        proof: ResetProof<'_>,
        new_password: &str,
        lang: Lang,
        client: &ClientInfo,
    ) -> Result<(), DomainError> {
        self.reset_password_within(proof, new_password, PasswordLengths::PRODUCT, lang, client)
            .await
    }

    /// [`Self::reset_password`] with other password length limits (see
    /// [`crate::password_policy`]).
    pub(crate) async fn reset_password_within(
        &self,
        proof: ResetProof<'_>,
        new_password: &str,
        lengths: PasswordLengths,
        lang: Lang,
        client: &ClientInfo,
    ) -> Result<(), DomainError> {
        // Parse everything first, so a typo does not use up the code.
        let code_proof = match proof {
            ResetProof::Code { contact, code } => Some((
                validate::parse_contact(contact)?,
                validate::check_code(code)?,
            )),
            ResetProof::Ticket(_) => None,
        };
        // Only the rules that hold for every account come before the proof;
        // the ones about this account (not its email, phone or username)
        // come after, or a wrong code would tell whether the contact has an
        // account and which identifiers belong together.
        validate::check_password_within(new_password, NO_NAMES, lengths)
            .map_err(on_new_password)?;
        let verifiers = self.password_verifiers(new_password).await?;

        let mut tx = crate::store::begin_write(&self.pool).await?;
        let contact = match (proof, code_proof) {
            (_, Some((contact, code))) => {
                if !self
                    .take_code(&mut tx, &contact, CodePurpose::ResetPassword, &code, None)
                    .await?
                {
                    tx.commit().await?;
                    return Err(codes::code_incorrect());
                }
                contact
            }
            (ResetProof::Ticket(sid), None) => {
                self.consume_ticket(&mut tx, sid, CodePurpose::ResetPassword, None)
                    .await?
            }
            (ResetProof::Code { .. }, None) => return Err(ErrorCode::InvalidInput.into()),
        };
        let account = self.names_of_contact(&mut tx, &contact).await?;
        let Some(account) = account else {
            // A ticket or code for a contact without an account: nothing to reset.
            return Err(codes::code_incorrect());
        };
        // Proven: now the password may be checked against the account.
        // Dropping the transaction keeps the code or ticket for a retry.
        validate::check_password_within(new_password, account.names(), lengths)
            .map_err(on_new_password)?;
        let now = self.now();
        self.replace_password(&mut tx, account.id, &verifiers)
            .await?;
        crate::store::sessions::revoke_all(&mut tx, account.id, None, now).await?;
        tx.commit().await?;
        self.sessions_changed_for(account.id);
        self.unlock_user(account.id).await?;
        tracing::info!(user_id = account.id, "password reset");
        self.audit(AuditEvent::by_user(
            AuditAction::PasswordReset,
            account.id,
            client,
        ))
        .await;

        self.notify_in(
            account.id,
            Event::PasswordReset { proven: contact },
            Some(lang),
        )
        .await;
        Ok(())
    }

    /// Changes the password of the signed-in user, confirmed by the current
    /// password or a ticket. Other sessions end; this one stays.
    pub async fn change_password(
        &self,
        auth: &AuthContext,
        proof: ChangeProof<'_>,
        new_password: &str,
    ) -> Result<(), DomainError> {
        let account = self.names_of_user(auth.user_id).await?;
        validate::check_password(new_password, account.names()).map_err(on_new_password)?;
        let mut tx_ticket = None;
        match proof {
            ChangeProof::CurrentPassword(current) => {
                self.reenter_password(auth, current, Field::CurrentPassword)
                    .await?;
            }
            ChangeProof::Ticket(sid) => tx_ticket = Some(sid),
        }
        let verifiers = self.password_verifiers(new_password).await?;
        let mut tx = crate::store::begin_write(&self.pool).await?;
        if let Some(sid) = tx_ticket {
            let contact = self
                .consume_ticket(&mut tx, sid, CodePurpose::ResetPassword, Some(auth.user_id))
                .await?;
            let bound = match &contact {
                Contact::Email(e) => account.email.as_deref() == Some(e),
                Contact::Phone(p) => account.phone.as_deref() == Some(p),
            };
            if !bound {
                return Err(ErrorCode::TicketInvalid.into());
            }
        }
        let now = self.now();
        self.replace_password(&mut tx, auth.user_id, &verifiers)
            .await?;
        crate::store::sessions::revoke_all(&mut tx, auth.user_id, Some(&auth.session_id), now)
            .await?;
        tx.commit().await?;
        self.sessions_changed_for(auth.user_id);
        tracing::info!(user_id = auth.user_id, "password changed");
        self.audit(AuditEvent::by_user(
            AuditAction::PasswordChanged,
            auth.user_id,
            auth,
        ))
        .await;
        Ok(())
    }
}
