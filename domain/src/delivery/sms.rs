//! SMS: a webhook provider (POST `{to, text}` with a shared-secret header), or
//! JSON files in an outbox directory.

use super::{outbox_file_name, DeliveryError};
use crate::secret_string::SecretString;
use crate::DomainError;
use std::path::PathBuf;
use std::time::Duration;

#[async_trait::async_trait]
pub trait SmsSender: Send + Sync {
    /// Sends `text` to the 11-digit mainland number `to`.
    async fn send(&self, to: &str, text: &str) -> Result<(), DeliveryError>;
}

#[derive(serde::Serialize)]
struct SmsBody<'a> {
    to: &'a str,
    text: &'a str,
}

/// Hands messages to an HTTP gateway; any 2xx answer counts as accepted.
pub struct WebhookSms {
    client: reqwest::Client,
    url: String,
    secret: SecretString,
}

/// The header carrying the shared secret, so the gateway can tell us from strangers.
pub const WEBHOOK_SECRET_HEADER: &str = "X-Webhook-Secret";

impl WebhookSms {
    pub fn new(url: String, secret: SecretString, timeout: Duration) -> Result<Self, DomainError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| std::io::Error::other(format!("SMS webhook client: {e}")))?;
        Ok(WebhookSms {
            client,
            url,
            secret,
        })
    }
}

#[async_trait::async_trait]
impl SmsSender for WebhookSms {
    async fn send(&self, to: &str, text: &str) -> Result<(), DeliveryError> {
        let response = self
            .client
            .post(&self.url)
            .header(WEBHOOK_SECRET_HEADER, self.secret.expose())
            .json(&SmsBody { to, text })
            .send()
            .await
            .map_err(|e| DeliveryError::Sms(e.to_string()))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(DeliveryError::Sms(format!(
                "gateway answered {}",
                response.status()
            )))
        }
    }
}

/// Writes each message as `{"to", "text"}` JSON: the default when no gateway
/// is configured, and what tests read codes from.
pub struct FileSms {
    dir: PathBuf,
}

impl FileSms {
    pub fn new(dir: PathBuf) -> Result<Self, DomainError> {
        std::fs::create_dir_all(&dir)?;
        Ok(FileSms { dir })
    }
}

#[async_trait::async_trait]
impl SmsSender for FileSms {
    async fn send(&self, to: &str, text: &str) -> Result<(), DeliveryError> {
        let body = serde_json::to_vec_pretty(&SmsBody { to, text })
            .map_err(|e| DeliveryError::Sms(e.to_string()))?;
        let path = self.dir.join(outbox_file_name("json"));
        let partial = path.with_extension("part");
        tokio::fs::write(&partial, body).await?;
        tokio::fs::rename(&partial, &path).await?;
        Ok(())
    }
}
