//! Other services that call the signed JSON API.
//!
//! Each request carries `X-App-Id`, `X-Req-Time` (Unix seconds),
//! `X-Transaction-Id` and `X-Sign`: hex HMAC-SHA256 under the app's secret
//! of `METHOD \n PATH \n REQ_TIME \n TRANSACTION_ID \n hex(SHA-256(body))`.
//! Requests more than five minutes off are refused, and so is a
//! transaction id the app has used before (for wallet calls it is also the
//! idempotency key of the movement).

use crate::{store, DomainError, UserCenter};
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::ChaCha20Poly1305;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use shared::{AppError, ErrorCode};
use subtle::ConstantTimeEq;

/// How far a request's time may be from ours.
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// What an app may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    UsersRead,
    UsersWrite,
    /// Set users' permission flags (sign-in, transfers, withdrawals).
    UsersAdmin,
    /// Read users' balances and history.
    WalletRead,
    WalletWrite,
    AuthCheck,
}

impl Scope {
    pub const ALL: [Scope; 6] = [
        Scope::UsersRead,
        Scope::UsersWrite,
        Scope::UsersAdmin,
        Scope::WalletRead,
        Scope::WalletWrite,
        Scope::AuthCheck,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::UsersRead => "users:read",
            Scope::UsersWrite => "users:write",
            Scope::UsersAdmin => "users:admin",
            Scope::WalletRead => "wallet:read",
            Scope::WalletWrite => "wallet:write",
            Scope::AuthCheck => "auth:check",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Self::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }

    /// Every scope's name, for messages: `users:read, users:write, …`.
    pub fn names() -> String {
        Self::ALL.map(Scope::as_str).join(", ")
    }
}

/// A newly registered app: the secret is shown this once.
#[derive(Debug)]
pub struct NewServiceApp {
    pub app_id: String,
    pub secret: crate::secret_string::SecretString,
    pub scopes: Vec<Scope>,
}

/// A request whose signature checked out.
#[derive(Clone, Debug)]
pub struct VerifiedApp {
    pub app_id: String,
    pub scopes: Vec<Scope>,
}

impl VerifiedApp {
    pub fn require(&self, scope: Scope) -> Result<(), DomainError> {
        if self.scopes.contains(&scope) {
            Ok(())
        } else {
            Err(AppError::with_message(
                ErrorCode::ScopeMissing,
                format!("this app lacks the {} scope", scope.as_str()),
            )
            .into())
        }
    }
}

/// The signed parts of a request, as received.
#[derive(Clone, Debug)]
pub struct SignedRequest<'a> {
    pub app_id: Option<&'a str>,
    pub req_time: Option<&'a str>,
    pub transaction_id: Option<&'a str>,
    pub sign: Option<&'a str>,
    pub method: &'a str,
    pub path: &'a str,
    pub body: &'a [u8],
}

/// The string an app signs; exposed so clients and tests build it the same way.
pub fn string_to_sign(
    method: &str,
    path: &str,
    req_time: &str,
    transaction_id: &str,
    body: &[u8],
) -> String {
    format!(
        "{}\n{}\n{}\n{}\n{}",
        method.to_ascii_uppercase(),
        path,
        req_time,
        transaction_id,
        hex::encode(Sha256::digest(body))
    )
}

/// Hex HMAC-SHA256 of `text` under `secret`.
pub fn sign(secret: &str, text: &str) -> String {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(text.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn refused(code: ErrorCode) -> DomainError {
    AppError::new(code).into()
}

impl UserCenter {
    fn secret_cipher(&self) -> ChaCha20Poly1305 {
        ChaCha20Poly1305::new(self.apps_key.key_bytes().into())
    }

    /// Registers an app with `scopes`; its secret is returned this once and
    /// stored encrypted.
    pub async fn create_service_app(
        &self,
        name: &str,
        scopes: &[Scope],
    ) -> Result<NewServiceApp, DomainError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(AppError::with_message(
                ErrorCode::InvalidInput,
                "the app name must have 1-64 characters",
            )
            .into());
        }
        let app_id = format!("app_{}", uuid::Uuid::new_v4().simple());
        let secret = crate::opaque::random_token();
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let encrypted = self
            .secret_cipher()
            .encrypt(&nonce, secret.as_bytes())
            .map_err(|_| std::io::Error::other("cannot encrypt the app secret"))?;
        let b64 = base64::engine::general_purpose::STANDARD;
        let scope_list = scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(",");
        let nonce = b64.encode(nonce);
        let encrypted = b64.encode(encrypted);
        let app = store::service_apps::NewApp {
            app_id: &app_id,
            name,
            secret_nonce: &nonce,
            secret_encrypted: &encrypted,
            scopes: &scope_list,
            now: self.now(),
        };
        let mut conn = self.pool.acquire().await?;
        store::service_apps::insert(&mut conn, &app).await?;
        Ok(NewServiceApp {
            app_id,
            secret: crate::secret_string::SecretString::new(secret),
            scopes: scopes.to_vec(),
        })
    }

    /// Checks a signed request: the app exists, the time is near ours, the
    /// signature matches, and (unless `idempotent`) the transaction id is new.
    /// Wallet calls pass `idempotent = true`: their transaction id is the
    /// movement's request id, and a repeat returns the original receipt.
    pub async fn verify_service_request(
        &self,
        req: SignedRequest<'_>,
        idempotent: bool,
    ) -> Result<VerifiedApp, DomainError> {
        let (Some(app_id), Some(req_time), Some(transaction_id), Some(sign_hex)) =
            (req.app_id, req.req_time, req.transaction_id, req.sign)
        else {
            return Err(refused(ErrorCode::SignatureMissing));
        };
        let time: i64 = req_time
            .trim()
            .parse()
            .map_err(|_| refused(ErrorCode::RequestExpired))?;
        let now = self.now();
        if (now - time).abs() > MAX_CLOCK_SKEW_SECS {
            return Err(refused(ErrorCode::RequestExpired));
        }
        shared::wallet::check_request_id(transaction_id)?;
        let (secret, scopes) = self.cached_app(app_id).await?;
        let expected = sign(
            &secret,
            &string_to_sign(
                req.method,
                req.path,
                req_time.trim(),
                transaction_id,
                req.body,
            ),
        );
        if !same_hex(&expected, sign_hex) {
            return Err(refused(ErrorCode::SignatureInvalid));
        }
        if !idempotent {
            self.record_transaction(app_id, transaction_id).await?;
        }
        Ok(VerifiedApp {
            app_id: app_id.to_string(),
            scopes,
        })
    }

    /// The signing secret and scopes of an enabled app; `APP_UNKNOWN`
    /// otherwise. The secret never leaves the domain: callers compute the
    /// expected signature here and compare.
    pub(crate) async fn app_secret(
        &self,
        app_id: &str,
    ) -> Result<(String, Vec<Scope>), DomainError> {
        let mut conn = self.pool.acquire().await?;
        let row = store::service_apps::find(&mut conn, app_id).await?;
        drop(conn);
        let Some(store::service_apps::StoredApp {
            secret_nonce: nonce,
            secret_encrypted: encrypted,
            scopes,
            disabled_at: None,
        }) = row
        else {
            return Err(refused(ErrorCode::AppUnknown));
        };
        let b64 = base64::engine::general_purpose::STANDARD;
        let decode = |s: &str| {
            b64.decode(s)
                .map_err(|_| std::io::Error::other("stored app secret is not base64"))
        };
        let nonce = decode(&nonce)?;
        let secret = self
            .secret_cipher()
            .decrypt(nonce.as_slice().into(), decode(&encrypted)?.as_slice())
            .map_err(|_| {
                std::io::Error::other("cannot decrypt the app secret (server secret changed?)")
            })?;
        let secret = String::from_utf8(secret)
            .map_err(|_| std::io::Error::other("app secret is not UTF-8"))?;
        Ok((secret, scopes.split(',').filter_map(Scope::parse).collect()))
    }

    /// Records that `app_id` used `transaction_id`; `TRANSACTION_REPLAYED`
    /// if it did before. Written through the ledger writer's batches (no
    /// commit of its own); ids older than twice the skew window are
    /// forgotten there: a request carrying one is refused as expired
    /// anyway, as long as the request's time is part of what is signed.
    pub(crate) async fn record_transaction(
        &self,
        app_id: &str,
        transaction_id: &str,
    ) -> Result<(), DomainError> {
        let fresh = self
            .ledger_writer()
            .await
            .record_transaction(app_id, transaction_id)
            .await?;
        if !fresh {
            return Err(refused(ErrorCode::TransactionReplayed));
        }
        Ok(())
    }
}

/// Whether a received hex signature equals the expected (lowercase) one,
/// ignoring case and surrounding spaces, in constant time.
pub(crate) fn same_hex(expected: &str, received: &str) -> bool {
    bool::from(
        expected
            .as_bytes()
            .ct_eq(received.trim().to_ascii_lowercase().as_bytes()),
    )
}
