//! Pre-opened accounts: staff or a service open an account for a contact
//! (an email or a phone number), and its owner activates it.
//!
//! A pre-opened account (`users.status = 'pre_opened'`,
//! [`AccountState::PreOpened`]) exists and receives money (deposits, and
//! transfers to its email or phone), but neither signs in nor pays: it has
//! no password and no payment PIN, and every check that wants an active
//! account refuses it. Opening sends the contact an `activation` code and a
//! link to `/activate`, valid [`CodeSettings::activation_ttl`]
//! (`crate::CodeSettings`); the owner may ask for another there.
//!
//! Activation sets the payment PIN and the sign-in password in one
//! transaction and makes the account active. The owner proves the contact
//! with the code ([`UserCenter::activate_account`]: counted like every code,
//! and the answer says nothing about accounts to anyone without the code);
//! a trusted caller may instead vouch for the owner, as it vouched when it
//! opened the account ([`UserCenter::activate_for_service`]). Of several
//! activations at once exactly one wins; the others are told
//! `ACCOUNT_ALREADY_ACTIVE`, which only someone holding the right code (or
//! a trusted caller) ever hears.

use crate::accounts::{mark_pre_opened, NewAccount};
use crate::audit::{AuditEvent, Whence};
use crate::caller::Operator;
use crate::codes::{code_incorrect, new_code, CodeCheck, IssuedCode};
use crate::delivery::{templates, Lang};
use crate::password_digests::{DigestScheme, PasswordVerifiers};
use crate::passwords::StoredHash;
use crate::service_pins::PinAsSent;
use crate::store::users::Role;
use crate::{store, ClientInfo, DomainError, UserCenter};
use shared::activation::{check_new_pin, ActivateRequest, ActivationSent, OpenedAccount};
use shared::admin::AuditAction;
use shared::dto::{CodePurpose, UserProfile};
use shared::identity::normalize_display_name;
use shared::profile::AccountState;
use shared::validate::{self, Contact};
use shared::{AppError, ErrorCode, Field};

/// Who opens an account.
#[derive(Clone, Debug)]
pub enum Opener<'a> {
    /// A staff member; the role is checked against the database.
    Staff(Operator),
    /// A signed service app (its id), for the audit log.
    Service(&'a str),
}

/// An account to open, as typed; empty strings mean "not given". An email
/// or a phone is required; the activation message goes to the email, else
/// the phone.
#[derive(Clone, Debug, Default)]
pub struct Opening<'a> {
    pub email: &'a str,
    pub phone: &'a str,
    pub username: &'a str,
    pub display_name: &'a str,
    /// The language of the activation message.
    pub lang: Lang,
}

/// A sign-in password a trusted caller passes on.
#[derive(Clone, Copy, Debug)]
pub enum GivenPassword<'a> {
    /// In plaintext: the password policy applies.
    Plain(&'a str),
    /// As the caller's clients send it (jigsaw's `MD5(MD5())`); no policy
    /// can be checked on it.
    Digest(DigestScheme, &'a str),
}

/// A trusted caller activating a pre-opened account for its owner.
#[derive(Clone, Debug)]
pub struct VouchedActivation<'a> {
    pub user_id: i64,
    pub pin: PinAsSent<'a>,
    /// Required when the account has no password yet (accounts opened by
    /// staff or a service never have one); else optional, and it replaces
    /// the one the account has.
    pub password: Option<GivenPassword<'a>>,
    /// The owner's `activation` code, when the caller has it: checked and
    /// counted like on `/activate`, and the contact becomes verified.
    pub code: Option<&'a str>,
    /// The contact the code went to; the account's email, else its phone,
    /// when `None`. It must be on the account (`CONTACT_NOT_BOUND`).
    pub contact: Option<&'a str>,
    /// Who activates (a service app's id, `jigsaw`), for the audit log.
    pub via: &'a str,
}

/// `%XX` for everything but the unreserved characters, so a contact is one
/// query value (an email may hold `+` or `&`).
fn query_value(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl UserCenter {
    /// Opens a pre-opened account for a contact and sends it the activation
    /// code and link. Staff need the staff role (`FORBIDDEN`); the
    /// identifiers are checked as at sign-up, and one already in use is its
    /// `*_TAKEN` (staff and services may know which accounts exist). The
    /// message is handed to the provider before this returns; when that
    /// fails the account stays opened and `activation.delivered` is false.
    pub async fn open_account(
        &self,
        by: Opener<'_>,
        opening: &Opening<'_>,
    ) -> Result<OpenedAccount, DomainError> {
        if let Opener::Staff(op) = &by {
            self.require_staff(op.id).await?;
        }
        let account =
            NewAccount::validate_identifiers(opening.email, opening.phone, opening.username)?;
        let display_name = match opening.display_name.trim() {
            "" => None,
            raw => Some(normalize_display_name(raw)?),
        };
        if let Err(taken) = self
            .ensure_free(&mut *self.pool.acquire().await?, &account)
            .await
        {
            // As at sign-up: a contact of an account closed long enough ago
            // is released when it is in the way.
            if taken.code() == ErrorCode::Internal
                || self.release_closed_contacts(self.now()).await? == 0
            {
                return Err(taken);
            }
        }
        let no_password = PasswordVerifiers {
            main: None,
            digests: Vec::new(),
        };
        let code = new_code();
        let ttl = self.settings.codes.activation_ttl.as_secs() as i64;
        let (mut tx, row) = self
            .insert_vouched(&account, &no_password, Role::User)
            .await?;
        let now = self.now();
        mark_pre_opened(&mut tx, row.id, now).await?;
        if let Some(name) = &display_name {
            store::users::set_display_name(&mut tx, row.id, name).await?;
        }
        self.issue_code(
            &mut tx,
            IssuedCode {
                contact: &account.contact,
                purpose: CodePurpose::Activation,
                code: &code,
                user: None,
                ttl,
            },
        )
        .await?;
        let row = self.user_row_in(&mut tx, row.id).await?;
        tx.commit().await?;
        let user_id = row.id;
        let activation = self
            .deliver_activation(&account.contact, &code, ttl, opening.lang)
            .await;
        let event = match &by {
            Opener::Staff(op) => {
                AuditEvent::by_staff(AuditAction::AccountOpened, op, Some(user_id))
            }
            Opener::Service(app) => {
                let mut event =
                    AuditEvent::by_user(AuditAction::AccountOpened, user_id, Whence::default());
                event.actor = None;
                event.actor_app = Some(app.to_string());
                event
            }
        };
        self.audit(event.details(serde_json::json!({
            "contact": account.contact.masked(),
            "delivered": activation.delivered,
        })))
        .await;
        tracing::info!(user_id, "account pre-opened");
        Ok(OpenedAccount {
            user: UserProfile::from(row),
            activation,
        })
    }

    /// Staff send a pre-opened account a new activation code (the first
    /// may have expired or gone astray): `ACCOUNT_ALREADY_ACTIVE` once it is
    /// activated, `ACCOUNT_CLOSED` when closed. The earlier code stops
    /// working.
    pub async fn resend_activation(
        &self,
        op: impl Into<Operator>,
        user_id: i64,
        lang: Lang,
    ) -> Result<ActivationSent, DomainError> {
        let op = op.into();
        self.require_staff(op.id).await?;
        let names = self.names_of_user(user_id).await?;
        let row = self.user_row(user_id).await?;
        match row.status.state() {
            AccountState::PreOpened => {}
            AccountState::Closed => return Err(ErrorCode::AccountClosed.into()),
            AccountState::Active | AccountState::Frozen => {
                return Err(ErrorCode::AccountAlreadyActive.into())
            }
        }
        let contact = match (names.email, names.phone) {
            (Some(email), _) => Contact::Email(email),
            (None, Some(phone)) => Contact::Phone(phone),
            (None, None) => return Err(ErrorCode::NoSuchContact.into()),
        };
        let code = new_code();
        let ttl = self.settings.codes.activation_ttl.as_secs() as i64;
        let mut tx = crate::store::begin_write(&self.pool).await?;
        self.issue_code(
            &mut tx,
            IssuedCode {
                contact: &contact,
                purpose: CodePurpose::Activation,
                code: &code,
                user: None,
                ttl,
            },
        )
        .await?;
        tx.commit().await?;
        let sent = self.deliver_activation(&contact, &code, ttl, lang).await;
        if !sent.delivered {
            return Err(ErrorCode::DeliveryFailed.into());
        }
        self.audit(
            AuditEvent::by_staff(AuditAction::MessageSent, &op, Some(user_id))
                .details(serde_json::json!({ "activation": true, "to": sent.sent_to })),
        )
        .await;
        Ok(sent)
    }

    /// Sends the activation message now, reporting whether it went.
    async fn deliver_activation(
        &self,
        contact: &Contact,
        code: &str,
        ttl: i64,
        lang: Lang,
    ) -> ActivationSent {
        let base = self.settings.public_url.as_deref().unwrap_or("");
        let link = format!(
            "{}/activate?contact={}",
            base.trim_end_matches('/'),
            query_value(contact.value())
        );
        let message = templates::activation_invitation(code, &link, ttl / 3600, lang);
        let delivered = match self.messenger.deliver(contact, &message).await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(to = %contact.masked(), error = %e, "activation message not delivered");
                false
            }
        };
        ActivationSent {
            sent_to: contact.masked(),
            expires_in_secs: ttl,
            delivered,
        }
    }

    /// The owner activates a pre-opened account with the code sent to its
    /// contact, a new password and a payment PIN. Nobody is signed in: the
    /// owner signs in next, as after a password reset.
    ///
    /// Every problem with the form is answered before the code is looked
    /// at; a wrong code is counted (five kill it); a contact without a
    /// pre-opened account fails exactly like a wrong code. The password's
    /// rules about the account (not its email, phone or username) are
    /// checked once the code is proven, and a refusal then keeps the code.
    pub async fn activate_account(
        &self,
        form: &ActivateRequest,
        client: &ClientInfo,
    ) -> Result<(), DomainError> {
        form.check()?;
        let contact = validate::parse_contact(&form.contact)?;
        let code = validate::check_code(&form.code)?;
        // Hashed before the write lock, as a reset does: the lock is held
        // for microseconds, the hashes for tens of milliseconds.
        let verifiers = self.password_verifiers(&form.password).await?;
        let pin_hash = self.hasher.hash(&form.pin).await?;

        let mut tx = crate::store::begin_write(&self.pool).await?;
        let check = self
            .take_single_use_code(&mut tx, &contact, CodePurpose::Activation, &code)
            .await?;
        let account = self.names_of_contact(&mut tx, &contact).await?;
        match check {
            CodeCheck::Right => {}
            CodeCheck::Wrong => {
                tx.commit().await?;
                return Err(code_incorrect());
            }
            CodeCheck::AlreadyUsed => {
                tx.commit().await?;
                let still_pre_opened = match &account {
                    Some(a) => self.is_pre_opened(a.id).await?,
                    None => true,
                };
                return Err(if still_pre_opened {
                    code_incorrect()
                } else {
                    ErrorCode::AccountAlreadyActive.into()
                });
            }
        }
        let Some(account) = account else {
            // A code for a contact whose account has gone (released).
            tx.commit().await?;
            return Err(code_incorrect());
        };
        // Proven: the password may now be held to this account's names.
        // Dropping the transaction keeps the code for another try.
        validate::check_password(&form.password, account.names())?;
        self.finish_activation(
            &mut tx,
            account.id,
            Some(&verifiers),
            &pin_hash,
            Some(&contact),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(user_id = account.id, "account activated with a code");
        self.audit(
            AuditEvent::by_user(AuditAction::AccountActivated, account.id, client)
                .details(serde_json::json!({ "via": "code", "contact": contact.masked() })),
        )
        .await;
        Ok(())
    }

    /// A trusted caller (a service app, a seed facade) activates a
    /// pre-opened account for its owner: `NOT_FOUND`, `ACCOUNT_CLOSED`,
    /// `ACCOUNT_DISABLED` (frozen), `ACCOUNT_ALREADY_ACTIVE` (also for the
    /// losers of a race), `REQUIRED` (password) when the account has none
    /// and none is given. Returns the activated account.
    pub async fn activate_for_service(
        &self,
        req: VouchedActivation<'_>,
    ) -> Result<UserProfile, DomainError> {
        let user_id = req.user_id;
        let names = self.names_of_user(user_id).await?;
        self.ensure_pre_opened(user_id).await?;
        let code = match req.code {
            Some(code) => {
                let contact = match req.contact {
                    Some(raw) => validate::parse_contact(raw)?,
                    None => match (&names.email, &names.phone) {
                        (Some(e), _) => Contact::Email(e.clone()),
                        (None, Some(p)) => Contact::Phone(p.clone()),
                        (None, None) => return Err(ErrorCode::NoSuchContact.into()),
                    },
                };
                let bound = match &contact {
                    Contact::Email(e) => names.email.as_deref() == Some(e),
                    Contact::Phone(p) => names.phone.as_deref() == Some(p),
                };
                if !bound {
                    return Err(AppError::field(ErrorCode::ContactNotBound, Field::Contact).into());
                }
                Some((contact, validate::check_code(code)?))
            }
            None => None,
        };
        let pin = self
            .pin_as_digits(req.pin)
            .await
            .map_err(|e| with_pin_field(e.to_app_error()))?;
        check_new_pin(&pin)?;
        let verifiers = match req.password {
            Some(GivenPassword::Plain(password)) => {
                if password.is_empty() {
                    return Err(AppError::field(ErrorCode::Required, Field::Password).into());
                }
                validate::check_password(password, names.names())?;
                if pin == password {
                    return Err(AppError::field(ErrorCode::PinSameAsPassword, Field::Pin).into());
                }
                Some(self.password_verifiers(password).await?)
            }
            Some(GivenPassword::Digest(scheme, digest)) => {
                let digest = scheme.normalise(digest).ok_or_else(|| {
                    AppError::with_message(
                        ErrorCode::InvalidInput,
                        "The password must be sent as the client's digest (hexadecimal).",
                    )
                    .with_field(Field::Password)
                })?;
                if scheme.of(&pin) == digest {
                    return Err(AppError::field(ErrorCode::PinSameAsPassword, Field::Pin).into());
                }
                Some(self.verifiers_of_digest(scheme, &digest).await?)
            }
            None if !self.has_password(user_id).await? => {
                return Err(AppError::field(ErrorCode::Required, Field::Password).into());
            }
            None => None,
        };
        let pin_hash = match verifiers {
            Some(_) => self.hasher.hash(&pin).await?,
            // Checked against the password the account already has.
            None => self.new_pin_hash(user_id, &pin).await?,
        };

        let mut tx = crate::store::begin_write(&self.pool).await?;
        if let Some((contact, code)) = &code {
            match self
                .take_single_use_code(&mut tx, contact, CodePurpose::Activation, code)
                .await?
            {
                CodeCheck::Right => {}
                CodeCheck::Wrong => {
                    tx.commit().await?;
                    return Err(code_incorrect());
                }
                CodeCheck::AlreadyUsed => {
                    tx.commit().await?;
                    self.ensure_pre_opened(user_id).await?;
                    return Err(code_incorrect());
                }
            }
        }
        let proven = code.as_ref().map(|(contact, _)| contact);
        self.finish_activation(&mut tx, user_id, verifiers.as_ref(), &pin_hash, proven)
            .await?;
        tx.commit().await?;
        tracing::info!(
            user_id,
            via = req.via,
            "account activated by a trusted caller"
        );
        let mut event =
            AuditEvent::by_user(AuditAction::AccountActivated, user_id, Whence::default());
        event.actor = None;
        event.actor_app = Some(req.via.to_string());
        self.audit(event.details(serde_json::json!({
            "via": req.via,
            "code_verified": code.is_some(),
        })))
        .await;
        self.profile(user_id).await
    }

    /// `Ok` for a pre-opened account; otherwise the error that says what
    /// it is instead.
    async fn ensure_pre_opened(&self, user_id: i64) -> Result<(), DomainError> {
        let row = self.user_row(user_id).await?;
        match row.status.state() {
            AccountState::PreOpened => Ok(()),
            AccountState::Active => Err(ErrorCode::AccountAlreadyActive.into()),
            AccountState::Frozen => Err(ErrorCode::AccountDisabled.into()),
            AccountState::Closed => Err(ErrorCode::AccountClosed.into()),
        }
    }

    async fn is_pre_opened(&self, user_id: i64) -> Result<bool, DomainError> {
        Ok(self.user_row(user_id).await?.status.state() == AccountState::PreOpened)
    }

    /// Whether the account has any password: an ordinary verifier or a
    /// digest one.
    async fn has_password(&self, user_id: i64) -> Result<bool, DomainError> {
        let mut conn = self.pool.acquire().await?;
        Ok(store::passwords::has_any(&mut conn, user_id).await?)
    }

    /// The writes of an activation, inside the caller's transaction: the
    /// state (only from pre-opened, so of two activations one finds nothing
    /// to do: `ACCOUNT_ALREADY_ACTIVE`), the password when one is given,
    /// the contact the code proved, and the first PIN.
    async fn finish_activation(
        &self,
        tx: &mut crate::store::Conn,
        user_id: i64,
        password: Option<&PasswordVerifiers>,
        pin_hash: &StoredHash,
        proven: Option<&Contact>,
    ) -> Result<(), DomainError> {
        let now = self.now();
        if !store::users::activate(tx, user_id, now).await? {
            return Err(ErrorCode::AccountAlreadyActive.into());
        }
        if let Some(verifiers) = password {
            self.replace_password(&mut *tx, user_id, verifiers).await?;
        }
        if let Some(contact) = proven {
            store::users::mark_contact_verified(tx, user_id, contact).await?;
        }
        self.insert_first_pin(&mut *tx, user_id, pin_hash).await
    }
}

/// A PIN error of a trusted caller's request belongs to the PIN field.
fn with_pin_field(e: AppError) -> DomainError {
    match e.code {
        ErrorCode::InvalidPin | ErrorCode::WeakPin => e.with_field(Field::Pin).into(),
        _ => e.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::query_value;

    #[test]
    fn contacts_are_one_query_value() {
        assert_eq!(query_value("a+b&c@ex.com"), "a%2Bb%26c%40ex.com");
        assert_eq!(query_value("13800138000"), "13800138000");
    }
}
