//! Configuration of verification codes and of how messages are delivered:
//! SMTP for email, a webhook for SMS, and file outboxes when neither is set.

use crate::config::Secret;
use clap::Args;
use domain::delivery::{
    EmailSender, FileEmail, FileSms, Messenger, SmsSender, SmtpEmail, SmtpSettings, SmtpTls,
    WebhookSms,
};
use domain::notifications::{NotifySettings, ReceivedMin};
use domain::CodeSettings;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

#[derive(Args, Debug, Clone)]
pub struct CodeArgs {
    /// Sign-up must prove the email (or phone) with a code.
    #[arg(
        long,
        env = "UC_REQUIRE_CONTACT_CODE",
        default_value_t = true,
        action = clap::ArgAction::Set,
        global = true
    )]
    pub require_contact_code: bool,

    /// How long a verification code is valid, in seconds.
    #[arg(long, env = "UC_CODE_TTL_SECS", default_value_t = 600, global = true)]
    pub code_ttl_secs: u64,

    /// At most one code per contact within this many seconds.
    #[arg(long, env = "UC_CODE_RESEND_SECS", default_value_t = 60, global = true)]
    pub code_resend_secs: u64,

    /// Codes per email or phone number per 24 hours.
    #[arg(
        long,
        env = "UC_CODE_DAILY_PER_CONTACT",
        default_value_t = 10,
        global = true
    )]
    pub code_daily_per_contact: u32,

    /// Codes requested from one IP address per 24 hours.
    #[arg(
        long,
        env = "UC_CODE_DAILY_PER_IP",
        default_value_t = 50,
        global = true
    )]
    pub code_daily_per_ip: u32,

    /// How long the activation code sent with a newly opened (pre-opened)
    /// account is valid, in hours.
    #[arg(
        long,
        env = "UC_ACTIVATION_CODE_TTL_HOURS",
        default_value_t = 72,
        global = true
    )]
    pub activation_code_ttl_hours: u64,

    /// Consecutive failed sign-ins after which a captcha is also needed.
    #[arg(
        long,
        env = "UC_CAPTCHA_AFTER_FAILURES",
        default_value_t = 3,
        global = true
    )]
    pub captcha_after_failures: u32,
}

impl CodeArgs {
    pub fn settings(&self) -> CodeSettings {
        CodeSettings {
            code_ttl: Duration::from_secs(self.code_ttl_secs.max(60)),
            resend_after: Duration::from_secs(self.code_resend_secs),
            daily_per_contact: self.code_daily_per_contact.max(1),
            daily_per_ip: self.code_daily_per_ip.max(1),
            require_contact_code: self.require_contact_code,
            activation_ttl: Duration::from_secs(
                self.activation_code_ttl_hours.clamp(1, 24 * 90) * 3600,
            ),
            ..CodeSettings::default()
        }
    }
}

/// Notices to users (`domain::notifications`): which receipts tell their
/// receiver, and how a notice that could not be sent is retried.
#[derive(Args, Debug, Clone)]
pub struct NotifyArgs {
    /// Deposits and transfers of at least this much tell their receiver: an
    /// amount in each currency's own units (`100` is 100.00 CNY and 100
    /// points), with optional per-currency overrides, e.g.
    /// `100,BTC=0.01,POINTS=off`. Empty or `off`: never.
    #[arg(
        long,
        env = "UC_NOTIFY_RECEIVED_MIN",
        default_value = "100",
        global = true
    )]
    pub notify_received_min: ReceivedMin,

    /// Attempts to send a notice, the first included, before it is given up
    /// (and kept in the outbox with its last error).
    #[arg(
        long,
        env = "UC_NOTIFY_MAX_ATTEMPTS",
        default_value_t = 8,
        global = true
    )]
    pub notify_max_attempts: u32,

    /// Seconds before a failed notice is tried again; each further retry
    /// waits twice as long, up to an hour.
    #[arg(
        long,
        env = "UC_NOTIFY_RETRY_SECS",
        default_value_t = 30,
        global = true
    )]
    pub notify_retry_secs: u64,
}

impl NotifyArgs {
    pub fn settings(&self) -> NotifySettings {
        NotifySettings {
            received_min: self.notify_received_min.clone(),
            max_attempts: self.notify_max_attempts.max(1),
            retry_base: Duration::from_secs(self.notify_retry_secs.max(1)),
            ..NotifySettings::default()
        }
    }
}

#[derive(Args, Debug, Clone)]
pub struct DeliveryArgs {
    /// SMTP server for email. When unset, emails are written as `.eml` files
    /// to <data dir>/outbox/email.
    #[arg(long, env = "UC_SMTP_HOST", global = true)]
    pub smtp_host: Option<String>,

    /// SMTP port. Defaults to 587 for starttls, 465 for tls, 25 for none.
    #[arg(long, env = "UC_SMTP_PORT", global = true)]
    pub smtp_port: Option<u16>,

    /// SMTP transport security: starttls, tls or none.
    #[arg(long, env = "UC_SMTP_TLS", default_value = "starttls", global = true)]
    pub smtp_tls: SmtpTls,

    #[arg(long, env = "UC_SMTP_USERNAME", global = true)]
    pub smtp_username: Option<String>,

    #[arg(long, env = "UC_SMTP_PASSWORD", hide_env_values = true, global = true)]
    pub smtp_password: Option<Secret>,

    /// Sender of emails, e.g. `User Center <no-reply@example.com>`.
    #[arg(
        long,
        env = "UC_MAIL_FROM",
        default_value = "User Center <no-reply@localhost>",
        global = true
    )]
    pub mail_from: String,

    /// SMS gateway: each message is POSTed as JSON `{to, text}`. When unset,
    /// messages are written as JSON files to <data dir>/outbox/sms.
    #[arg(long, env = "UC_SMS_WEBHOOK_URL", global = true)]
    pub sms_webhook_url: Option<String>,

    /// Sent in the `X-Webhook-Secret` header to the SMS gateway.
    #[arg(
        long,
        env = "UC_SMS_WEBHOOK_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub sms_webhook_secret: Option<Secret>,

    /// Longest wait for a mail server or SMS gateway, in seconds.
    #[arg(
        long,
        env = "UC_DELIVERY_TIMEOUT_SECS",
        default_value_t = 10,
        global = true
    )]
    pub delivery_timeout_secs: u64,

    /// Development and tests only: also write each captcha's answer to
    /// <data dir>/outbox/captcha. Refused together with secure cookies.
    #[arg(
        long,
        env = "UC_CAPTCHA_TO_OUTBOX",
        default_value_t = false,
        action = clap::ArgAction::Set,
        global = true
    )]
    pub captcha_to_outbox: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DeliveryConfigError {
    #[error(
        "UC_CAPTCHA_TO_OUTBOX is for development only and cannot be used with UC_SECURE_COOKIES"
    )]
    CaptchaOutboxInProduction,
    #[error("UC_SMS_WEBHOOK_URL needs UC_SMS_WEBHOOK_SECRET")]
    WebhookSecretMissing,
    #[error("{0}")]
    Domain(#[from] domain::DomainError),
}

impl DeliveryArgs {
    /// The senders: configured providers, else file outboxes under `data_dir`.
    pub fn messenger(
        &self,
        data_dir: &Path,
        secure_cookies: bool,
    ) -> Result<Messenger, DeliveryConfigError> {
        let outbox = data_dir.join("outbox");
        let timeout = Duration::from_secs(self.delivery_timeout_secs.max(1));
        let email: Arc<dyn EmailSender> = match &self.smtp_host {
            Some(host) => {
                let port = self.smtp_port.unwrap_or(match self.smtp_tls {
                    SmtpTls::StartTls => 587,
                    SmtpTls::Tls => 465,
                    SmtpTls::None => 25,
                });
                tracing::info!(host, port, tls = ?self.smtp_tls, "email via SMTP");
                Arc::new(SmtpEmail::new(&SmtpSettings {
                    host: host.clone(),
                    port,
                    tls: self.smtp_tls,
                    username: self.smtp_username.clone(),
                    password: self.smtp_password.clone(),
                    from: self.mail_from.clone(),
                    timeout,
                })?)
            }
            None => {
                let dir = outbox.join("email");
                tracing::info!(dir = %dir.display(), "email to the file outbox");
                Arc::new(FileEmail::new(dir, &self.mail_from)?)
            }
        };
        let sms: Arc<dyn SmsSender> = match &self.sms_webhook_url {
            Some(url) => {
                let secret = self
                    .sms_webhook_secret
                    .clone()
                    .ok_or(DeliveryConfigError::WebhookSecretMissing)?;
                tracing::info!(url, "SMS via webhook");
                Arc::new(WebhookSms::new(url.clone(), secret, timeout)?)
            }
            None => {
                let dir = outbox.join("sms");
                tracing::info!(dir = %dir.display(), "SMS to the file outbox");
                Arc::new(FileSms::new(dir)?)
            }
        };
        let messenger = Messenger::new(email, sms, timeout);
        if !self.captcha_to_outbox {
            return Ok(messenger);
        }
        if secure_cookies {
            return Err(DeliveryConfigError::CaptchaOutboxInProduction);
        }
        let dir: PathBuf = outbox.join("captcha");
        tracing::warn!(dir = %dir.display(), "captcha answers are written to the outbox (development only)");
        Ok(messenger.with_captcha_outbox(dir))
    }
}
