//! Binding a missing email or phone to the account, or replacing one.
//!
//! A `bind_contact` code sent to the new contact proves it is the user's.
//! Replacing an existing contact also needs the password, or a ticket from a
//! `change_contact` code sent to the old one, so a stolen session alone
//! cannot move the account's recovery channel.

use crate::audit::AuditEvent;
use crate::caller::AuthContext;
use crate::notifications::Event;
use crate::store;
use crate::{codes, db, DomainError, UserCenter};
use shared::admin::AuditAction;
use shared::dto::{CodePurpose, UserProfile};
use shared::validate::{self, Contact};
use shared::{AppError, ErrorCode, Field};

/// What confirms replacing a contact the account already has.
#[derive(Clone, Debug, Default)]
pub struct ContactChange<'a> {
    /// The new email or phone number.
    pub contact: &'a str,
    /// The `bind_contact` code sent to it.
    pub code: &'a str,
    pub password: Option<&'a str>,
    /// A `change_contact` ticket for the old contact.
    pub sid: Option<&'a str>,
}

impl UserCenter {
    /// Binds or replaces the email or phone of the signed-in user; the new
    /// contact is marked verified.
    pub async fn change_contact(
        &self,
        auth: &AuthContext,
        change: ContactChange<'_>,
    ) -> Result<UserProfile, DomainError> {
        let contact = validate::parse_contact(change.contact)?;
        let code = validate::check_code(change.code)?;
        let mut conn = self.pool.acquire().await?;
        let store::users::Contacts { email, phone, .. } =
            store::users::contacts(&mut conn, auth.user_id)
                .await?
                .ok_or(DomainError::from(ErrorCode::NotFound))?;
        drop(conn);
        let current = match &contact {
            Contact::Email(_) => email.map(Contact::Email),
            Contact::Phone(_) => phone.map(Contact::Phone),
        };
        if current.as_ref() == Some(&contact) {
            return Err(AppError::field(ErrorCode::ContactUnchanged, Field::Contact).into());
        }
        if self.owner_of(&contact).await?.is_some() {
            return Err(codes::taken(&contact));
        }
        // Replacing needs a proof besides the session; binding a first one does not.
        let mut ticket = None;
        if let Some(current) = &current {
            match (change.password.filter(|p| !p.is_empty()), change.sid) {
                (Some(password), _) => {
                    self.reenter_password(auth, password, Field::CurrentPassword)
                        .await?;
                }
                (None, Some(sid)) if !sid.is_empty() => ticket = Some((sid, current.clone())),
                _ => {
                    return Err(
                        AppError::field(ErrorCode::ProofRequired, Field::CurrentPassword).into(),
                    )
                }
            }
        }

        let mut tx = crate::store::begin_write(&self.pool).await?;
        if let Some((sid, old)) = ticket {
            let proven = self
                .consume_ticket(&mut tx, sid, CodePurpose::ChangeContact, Some(auth.user_id))
                .await?;
            if proven != old {
                return Err(ErrorCode::TicketInvalid.into());
            }
        }
        if !self
            .take_code(
                &mut tx,
                &contact,
                CodePurpose::BindContact,
                &code,
                Some(auth.user_id),
            )
            .await?
        {
            tx.commit().await?;
            return Err(codes::code_incorrect());
        }
        let updated =
            store::contacts::set_verified(&mut tx, auth.user_id, &contact, self.now()).await;
        match updated {
            Ok(_) => {}
            Err(e)
                if db::is_unique_violation(&e, "users.email")
                    || db::is_unique_violation(&e, "users.phone") =>
            {
                return Err(codes::taken(&contact));
            }
            Err(e) => return Err(e.into()),
        }
        // Proven now: a pending contact of this kind is settled either way.
        store::contacts::drop_pending_of_kind(&mut tx, auth.user_id, &contact).await?;
        release_pending(&mut tx, &contact).await?;
        tx.commit().await?;
        tracing::info!(
            user_id = auth.user_id,
            kind = if contact.is_email() { "email" } else { "phone" },
            "contact changed"
        );
        self.audit(
            AuditEvent::by_user(AuditAction::ContactChanged, auth.user_id, auth).details(
                serde_json::json!({
                    "kind": if contact.is_email() { "email" } else { "phone" },
                }),
            ),
        )
        .await;
        self.notify(
            auth.user_id,
            Event::ContactChanged {
                email: contact.is_email(),
                old: current,
            },
        )
        .await;
        self.profile(auth.user_id).await
    }
}

impl UserCenter {
    /// The contacts given at sign-up that no code has proven yet.
    pub(crate) async fn pending_contacts(&self, user_id: i64) -> Result<Vec<Contact>, DomainError> {
        let mut conn = self.pool.acquire().await?;
        Ok(store::contacts::pending(&mut conn, user_id).await?)
    }
}

/// Keeps a contact nobody proved aside, off the account: it claims nothing
/// (another person may register it) and nothing can be done with it until
/// the user proves it by binding it with a code.
pub(crate) async fn add_pending_contact(
    tx: &mut crate::store::Conn,
    user_id: i64,
    contact: &Contact,
    now: i64,
) -> Result<(), DomainError> {
    Ok(store::contacts::add_pending(tx, user_id, contact, now).await?)
}

/// A contact someone just proved is theirs: whoever else had it pending
/// (typed by mistake, or someone else's number) loses it.
pub(crate) async fn release_pending(
    tx: &mut crate::store::Conn,
    contact: &Contact,
) -> Result<(), DomainError> {
    Ok(store::contacts::release_pending(tx, contact).await?)
}
