//! Sending codes and notices to people: email through SMTP or a file outbox,
//! SMS through a webhook provider or a file outbox.
//!
//! Every send is bounded by a timeout, so a slow provider turns into a clear
//! `DELIVERY_FAILED` instead of a hung request.

pub mod email;
pub mod sms;
pub mod templates;

use crate::DomainError;
use shared::validate::Contact;
use shared::ErrorCode;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use email::{EmailSender, FileEmail, SmtpEmail, SmtpSettings, SmtpTls};
pub use sms::{FileSms, SmsSender, WebhookSms};
pub use templates::Lang;

/// Why a message could not be handed to the provider. Logged in full; users
/// only see `DELIVERY_FAILED`.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("email: {0}")]
    Email(String),
    #[error("sms: {0}")]
    Sms(String),
    #[error("outbox: {0}")]
    Outbox(#[from] std::io::Error),
    #[error("timed out after {0:?}")]
    Timeout(Duration),
}

/// A text message for one contact.
#[derive(Clone, Debug)]
pub struct Message {
    pub subject: String,
    pub text: String,
}

/// The senders the domain uses, cheap to clone.
#[derive(Clone)]
pub struct Messenger {
    email: Arc<dyn EmailSender>,
    sms: Arc<dyn SmsSender>,
    timeout: Duration,
    /// Dev/test only: where captcha answers are written (see `captcha`).
    captcha_outbox: Option<PathBuf>,
}

impl Messenger {
    pub fn new(email: Arc<dyn EmailSender>, sms: Arc<dyn SmsSender>, timeout: Duration) -> Self {
        Messenger {
            email,
            sms,
            timeout,
            captcha_outbox: None,
        }
    }

    /// File outboxes for both channels under `dir` (`email/*.eml`, `sms/*.json`):
    /// the default when no provider is configured.
    pub fn outbox(dir: &Path, from: &str) -> Result<Self, DomainError> {
        Ok(Messenger::new(
            Arc::new(FileEmail::new(dir.join("email"), from)?),
            Arc::new(FileSms::new(dir.join("sms"))?),
            Duration::from_secs(10),
        ))
    }

    /// Also writes each captcha's answer to `dir` (dev and tests only; the
    /// server refuses this together with secure cookies).
    pub fn with_captcha_outbox(mut self, dir: PathBuf) -> Self {
        self.captcha_outbox = Some(dir);
        self
    }

    /// The longest a send may take.
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    pub(crate) fn captcha_outbox(&self) -> Option<&Path> {
        self.captcha_outbox.as_deref()
    }

    /// Sends `message` to `to` within the timeout.
    pub async fn send(&self, to: &Contact, message: &Message) -> Result<(), DeliveryError> {
        let sending = async {
            match to {
                Contact::Email(address) => self.email.send(address, message).await,
                Contact::Phone(number) => self.sms.send(number, &message.text).await,
            }
        };
        tokio::time::timeout(self.timeout, sending)
            .await
            .map_err(|_| DeliveryError::Timeout(self.timeout))?
    }

    /// Like [`Messenger::send`], for callers that report failures to users.
    pub(crate) async fn deliver(&self, to: &Contact, message: &Message) -> Result<(), DomainError> {
        self.send(to, message).await.map_err(|e| {
            tracing::warn!(error = %e, to = %to.masked(), "delivery failed");
            DomainError::Rejected(ErrorCode::DeliveryFailed.into())
        })
    }

    /// Sends in the background: for flows whose answer must not depend on
    /// whether (or how fast) anything was sent.
    pub(crate) fn deliver_later(&self, to: Contact, message: Message) {
        let messenger = self.clone();
        tokio::spawn(async move {
            if let Err(e) = messenger.send(&to, &message).await {
                tracing::warn!(error = %e, to = %to.masked(), "background delivery failed");
            }
        });
    }
}

/// A name for an outbox file that sorts by time and never collides.
pub(crate) fn outbox_file_name(extension: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{nanos:020}-{}.{extension}", uuid::Uuid::new_v4().simple())
}
