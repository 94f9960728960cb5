//! Password hashing with argon2id, off the async runtime.
//!
//! Hashing is deliberately slow and memory-hungry, so it runs on tokio's
//! blocking pool and at most one hash per CPU core runs at a time: a login storm
//! then queues instead of starving the async workers or exhausting memory.

use crate::DomainError;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::SaltString;
use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher as _, PasswordVerifier as _, Version,
};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// How expensive a new hash is. Verification always uses the parameters stored
/// in the hash itself, so raising the cost later keeps old passwords working.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashCost {
    /// OWASP's argon2id recommendation: 19 MiB, 2 passes, 1 lane.
    Owasp,
    /// Deliberately weak, for unit tests only: it never exists in a real build.
    #[cfg(test)]
    TestMinimum,
}

impl HashCost {
    fn params(self) -> Result<Params, DomainError> {
        let (m_kib, t, p) = match self {
            HashCost::Owasp => (19 * 1024, 2, 1),
            #[cfg(test)]
            HashCost::TestMinimum => (Params::MIN_M_COST, Params::MIN_T_COST, 1),
        };
        Params::new(m_kib, t, p, None).map_err(|e| DomainError::Hash(e.to_string()))
    }
}

/// A password hash as stored in the database (PHC string). Deliberately not
/// `Serialize`, so it cannot end up in a response by accident.
#[derive(Clone)]
pub struct StoredHash(pub(crate) String);

impl std::fmt::Debug for StoredHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoredHash(..)")
    }
}

#[derive(Clone)]
pub struct Hasher {
    argon: Argon2<'static>,
    permits: Arc<Semaphore>,
    /// Verified against when an account does not exist, so that an unknown
    /// account takes as long to refuse as a wrong password.
    dummy: Arc<str>,
    /// How many verifications ran; lets tests prove refused attempts never
    /// reached the hash.
    verifications: Arc<std::sync::atomic::AtomicU64>,
}

impl Hasher {
    pub fn new(cost: HashCost) -> Result<Self, DomainError> {
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, cost.params()?);
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let salt = SaltString::generate(&mut OsRng);
        let started = std::time::Instant::now();
        let dummy = argon
            .hash_password(b"not a real password: timing equaliser", &salt)
            .map_err(|e| DomainError::Hash(e.to_string()))?
            .to_string();
        // Operators see what one sign-in costs on this machine.
        tracing::info!(
            cost = ?cost,
            millis = started.elapsed().as_millis() as u64,
            parallel = cores,
            "argon2id hash timed"
        );
        Ok(Hasher {
            argon,
            permits: Arc::new(Semaphore::new(cores)),
            dummy: dummy.into(),
            verifications: Arc::default(),
        })
    }

    pub async fn hash(&self, password: &str) -> Result<StoredHash, DomainError> {
        let argon = self.argon.clone();
        let password = password.to_owned();
        self.run_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon
                .hash_password(password.as_bytes(), &salt)
                .map(|h| StoredHash(h.to_string()))
                .map_err(|e| DomainError::Hash(e.to_string()))
        })
        .await
    }

    /// Checks `password` against `stored`, or against a dummy hash when there is
    /// no account, taking the same time either way.
    pub async fn verify(
        &self,
        password: &str,
        stored: Option<&StoredHash>,
    ) -> Result<bool, DomainError> {
        self.verifications
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let exists = stored.is_some();
        let hash = stored.map_or_else(|| self.dummy.to_string(), |h| h.0.clone());
        let argon = self.argon.clone();
        let password = password.to_owned();
        let matched = self
            .run_blocking(move || {
                let parsed =
                    PasswordHash::new(&hash).map_err(|e| DomainError::Hash(e.to_string()))?;
                Ok(argon.verify_password(password.as_bytes(), &parsed).is_ok())
            })
            .await?;
        Ok(exists && matched)
    }

    /// Number of password verifications since start.
    pub fn verifications(&self) -> u64 {
        self.verifications
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    async fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, DomainError> + Send + 'static,
    ) -> Result<T, DomainError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| DomainError::Hash(e.to_string()))?;
        tokio::task::spawn_blocking(work).await?
    }
}
