//! Email: SMTP through lettre, or `.eml` files in an outbox directory.

use super::{outbox_file_name, DeliveryError, Message};
use crate::secret_string::SecretString;
use crate::DomainError;
use lettre::message::{header::ContentType, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::path::PathBuf;
use std::time::Duration;

#[async_trait::async_trait]
pub trait EmailSender: Send + Sync {
    async fn send(&self, to: &str, message: &Message) -> Result<(), DeliveryError>;
}

fn build(from: &Mailbox, to: &str, message: &Message) -> Result<lettre::Message, DeliveryError> {
    let to: Mailbox = to
        .parse()
        .map_err(|e| DeliveryError::Email(format!("recipient: {e}")))?;
    lettre::Message::builder()
        .from(from.clone())
        .to(to)
        .subject(message.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(message.text.clone())
        .map_err(|e| DeliveryError::Email(e.to_string()))
}

fn parse_from(from: &str) -> Result<Mailbox, DomainError> {
    from.parse().map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("sender address {from:?}: {e}"),
        )
        .into()
    })
}

/// How the SMTP connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text: only for a relay on the same host or in tests.
    None,
    /// Plain connection upgraded with STARTTLS (required), usually port 587.
    StartTls,
    /// TLS from the first byte, usually port 465.
    Tls,
}

impl std::str::FromStr for SmtpTls {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "none" | "off" | "plain" => Ok(SmtpTls::None),
            "starttls" => Ok(SmtpTls::StartTls),
            "tls" | "smtps" | "wrapper" => Ok(SmtpTls::Tls),
            other => Err(format!(
                "unknown SMTP TLS mode {other:?} (none, starttls, tls)"
            )),
        }
    }
}

#[derive(Clone, Debug)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    pub from: String,
    pub timeout: Duration,
}

/// Sends through an SMTP server with a pooled connection.
pub struct SmtpEmail {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpEmail {
    pub fn new(settings: &SmtpSettings) -> Result<Self, DomainError> {
        let invalid = |e: lettre::transport::smtp::Error| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("SMTP: {e}"))
        };
        let mut builder = match settings.tls {
            SmtpTls::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            }
            SmtpTls::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host)
                    .map_err(invalid)?
            }
            SmtpTls::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host).map_err(invalid)?
            }
        }
        .port(settings.port)
        .timeout(Some(settings.timeout));
        if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose().to_string(),
            ));
        }
        Ok(SmtpEmail {
            transport: builder.build(),
            from: parse_from(&settings.from)?,
        })
    }
}

#[async_trait::async_trait]
impl EmailSender for SmtpEmail {
    async fn send(&self, to: &str, message: &Message) -> Result<(), DeliveryError> {
        let email = build(&self.from, to, message)?;
        self.transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|e| DeliveryError::Email(e.to_string()))
    }
}

/// Writes each message as an RFC 5322 `.eml` file: the default when no SMTP
/// host is configured, and what tests read codes from.
pub struct FileEmail {
    dir: PathBuf,
    from: Mailbox,
}

impl FileEmail {
    pub fn new(dir: PathBuf, from: &str) -> Result<Self, DomainError> {
        std::fs::create_dir_all(&dir)?;
        Ok(FileEmail {
            dir,
            from: parse_from(from)?,
        })
    }
}

#[async_trait::async_trait]
impl EmailSender for FileEmail {
    async fn send(&self, to: &str, message: &Message) -> Result<(), DeliveryError> {
        let email = build(&self.from, to, message)?;
        let path = self.dir.join(outbox_file_name("eml"));
        // Written under a temporary name and renamed, so readers never see half a file.
        let partial = path.with_extension("part");
        tokio::fs::write(&partial, email.formatted()).await?;
        tokio::fs::rename(&partial, &path).await?;
        Ok(())
    }
}
