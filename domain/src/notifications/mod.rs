//! Notices to users: the one place that decides which events tell whom, in
//! which language and by which channel.
//!
//! | event | told to | switch |
//! |---|---|---|
//! | review approved / rejected (with the reason) | the account | `review_decided` |
//! | account frozen | the account | security |
//! | account unfrozen | the account | `account_unfrozen` |
//! | account closed | the account | security |
//! | contact replaced / added | the old contact / the other contact | security |
//! | money received (≥ `received_min`) | the receiver | `money_received` |
//! | PIN set / changed | the account | security |
//! | sign-in from a new device | the account | security |
//! | password reset | the contact that did not prove the reset | security |
//!
//! "The account" is its email, else its phone. Security notices cannot be
//! switched off ([`NoticeKind::topic`]): whoever took over a session must not
//! be able to silence what they do.
//!
//! The language is the user's stored choice, else the language of the request
//! that caused the event ([`request_lang`]), else English.
//!
//! Every notice is rendered when its event happens and written to the
//! [`outbox`] table, then sent at once in the background; a failed send is
//! retried with backoff by [`UserCenter::deliver_due_notifications`], which
//! the server runs periodically. Nothing here fails the action that caused
//! the notice: the action is committed by then, so problems are logged.

mod outbox;
mod preferences;
pub mod request_lang;
mod texts;
mod thresholds;

#[cfg(test)]
mod tests;

pub use outbox::DeliveryRound;
pub use thresholds::ReceivedMin;

use crate::delivery::Lang;
use crate::{store, DomainError, UserCenter};
use shared::notifications::NoticeKind;
use shared::profile::VerificationKind;
use shared::validate::Contact;
use std::time::Duration;

/// Knobs of the notices.
#[derive(Clone, Debug)]
pub struct NotifySettings {
    /// Deposits and transfers of at least this much (per currency) tell
    /// their receiver.
    pub received_min: ReceivedMin,
    /// Attempts per notice, the first included, before it is given up.
    pub max_attempts: u32,
    /// The wait before the first retry; each further retry waits twice as
    /// long as the one before, up to `retry_max`.
    pub retry_base: Duration,
    pub retry_max: Duration,
}

impl Default for NotifySettings {
    fn default() -> Self {
        NotifySettings {
            received_min: ReceivedMin::default(),
            max_attempts: 8,
            retry_base: Duration::from_secs(30),
            retry_max: Duration::from_secs(3600),
        }
    }
}

/// What happened, with the particulars its notice states.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    /// `rejection` is the reason when the submission was rejected.
    ReviewDecided {
        kind: VerificationKind,
        rejection: Option<String>,
    },
    AccountFrozen,
    AccountUnfrozen,
    AccountClosed,
    /// The account's email (`email == true`) or phone changed; `old` is the
    /// replaced contact, `None` when one was added.
    ContactChanged {
        email: bool,
        old: Option<Contact>,
    },
    MoneyReceived {
        amount: String,
        currency: String,
    },
    PinSet,
    PinChanged,
    /// `device`: the browser and OS, when known; `at`: Unix seconds.
    NewDeviceSignIn {
        device: Option<String>,
        ip: Option<String>,
        at: i64,
    },
    /// Proven by `proven`; the other contact is told.
    PasswordReset {
        proven: Contact,
    },
}

impl Event {
    pub(crate) fn kind(&self) -> NoticeKind {
        match self {
            Event::ReviewDecided { .. } => NoticeKind::ReviewDecided,
            Event::AccountFrozen => NoticeKind::AccountFrozen,
            Event::AccountUnfrozen => NoticeKind::AccountUnfrozen,
            Event::AccountClosed => NoticeKind::AccountClosed,
            Event::ContactChanged { .. } => NoticeKind::ContactChanged,
            Event::MoneyReceived { .. } => NoticeKind::MoneyReceived,
            Event::PinSet => NoticeKind::PinSet,
            Event::PinChanged => NoticeKind::PinChanged,
            Event::NewDeviceSignIn { .. } => NoticeKind::NewDeviceSignIn,
            Event::PasswordReset { .. } => NoticeKind::PasswordReset,
        }
    }

    /// Who hears of it.
    fn audience(&self) -> Audience {
        match self {
            Event::ContactChanged { old: Some(old), .. } => Audience::Contact(old.clone()),
            // Added: the contact the account already had, of the other kind.
            Event::ContactChanged { email, old: None } => Audience::OtherThan { email: *email },
            Event::PasswordReset { proven } => Audience::OtherThan {
                email: proven.is_email(),
            },
            _ => Audience::Account,
        }
    }
}

/// Where a notice goes.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Audience {
    /// The account's email, else its phone.
    Account,
    /// This contact, whether or not it is still the account's.
    Contact(Contact),
    /// The account's phone when `email`, else its email; nobody when it has none.
    OtherThan { email: bool },
}

/// The account's live contacts. Those of a closed account whose contacts
/// were released end in `.invalid` and are never written to.
struct Contacts {
    email: Option<String>,
    phone: Option<String>,
}

impl Contacts {
    fn email(&self) -> Option<Contact> {
        self.email
            .as_deref()
            .filter(|e| !e.ends_with(".invalid"))
            .map(|e| Contact::Email(e.to_string()))
    }

    fn phone(&self) -> Option<Contact> {
        self.phone.clone().map(Contact::Phone)
    }

    fn destination(&self, audience: Audience) -> Option<Contact> {
        match audience {
            Audience::Account => self.email().or_else(|| self.phone()),
            Audience::Contact(c) => Some(c),
            Audience::OtherThan { email: true } => self.phone(),
            Audience::OtherThan { email: false } => self.email(),
        }
    }
}

impl UserCenter {
    /// Tells `user_id` of `event`, in the language of the request being
    /// served when the user stored none. Never fails: see the module docs.
    pub(crate) async fn notify(&self, user_id: i64, event: Event) {
        self.notify_in(user_id, event, None).await
    }

    /// [`Self::notify`], with the request's language given explicitly (for
    /// callers that were handed it).
    pub(crate) async fn notify_in(&self, user_id: i64, event: Event, lang: Option<Lang>) {
        let kind = event.kind();
        if let Err(e) = self.try_notify(user_id, event, lang).await {
            tracing::error!(error = %e, user_id, kind = kind.as_str(), "notice not queued");
        }
    }

    /// Tells `user_id` that `amount` (minor units) of `currency` (with
    /// `scale` decimals) arrived, when it is at least the configured amount.
    pub(crate) async fn notify_received(
        &self,
        user_id: i64,
        currency: &str,
        scale: u32,
        amount: i64,
    ) {
        let min = self
            .settings
            .notifications
            .received_min
            .minor(currency, scale);
        if min.is_some_and(|min| amount >= min) {
            let event = Event::MoneyReceived {
                amount: shared::money::format_amount(amount, scale),
                currency: currency.to_string(),
            };
            self.notify(user_id, event).await;
        }
    }

    /// Queues the notice (and starts its first send); `Ok(None)` when the
    /// user switched it off or there is nobody to send it to.
    pub(crate) async fn try_notify(
        &self,
        user_id: i64,
        event: Event,
        lang: Option<Lang>,
    ) -> Result<Option<i64>, DomainError> {
        let kind = event.kind();
        let mut conn = self.pool.acquire().await?;
        let contacts = store::users::contacts(&mut conn, user_id)
            .await?
            .map(|c| Contacts {
                email: c.email,
                phone: c.phone,
            });
        drop(conn);
        let Some(contacts) = contacts else {
            return Ok(None);
        };
        let prefs = self.notification_preferences(user_id).await?;
        if let Some(topic) = kind.topic() {
            if !prefs.is_on(topic) {
                tracing::debug!(user_id, kind = kind.as_str(), "notice switched off");
                return Ok(None);
            }
        }
        let Some(to) = contacts.destination(event.audience()) else {
            tracing::debug!(user_id, kind = kind.as_str(), "nobody to tell");
            return Ok(None);
        };
        let lang = prefs
            .lang
            .as_deref()
            .map(Lang::from_tag)
            .or(lang)
            .or_else(request_lang::current)
            .unwrap_or_default();
        let message = texts::message(&event, lang);
        let id = self.enqueue(Some(user_id), kind, &to, &message).await?;
        self.send_soon(id);
        Ok(Some(id))
    }
}
