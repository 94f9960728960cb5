//! Password hashing with argon2id, off the async runtime.
//!
//! Hashing is deliberately slow and memory-hungry, so it runs on tokio's
//! blocking pool and at most one hash per CPU core runs at a time: a login storm
//! then queues instead of starving the async workers or exhausting memory.
//! Each running hash reuses one of a few preallocated 19 MiB block buffers, so
//! memory stays flat and no hash pays for faulting in fresh pages.

use crate::DomainError;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};
use std::sync::{Arc, Mutex};
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
    params: Params,
    permits: Arc<Semaphore>,
    /// Verified against when an account does not exist, so that an unknown
    /// account takes as long to refuse as a wrong password.
    dummy: Arc<str>,
    /// Argon2 working memory, one buffer per running hash (at most one per core).
    buffers: Arc<Mutex<Vec<Vec<Block>>>>,
    /// How many verifications ran; lets tests prove refused attempts never
    /// reached the hash.
    verifications: Arc<std::sync::atomic::AtomicU64>,
}

impl Hasher {
    pub fn new(cost: HashCost) -> Result<Self, DomainError> {
        let params = cost.params()?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let buffers = Arc::new(Mutex::new(Vec::new()));
        let started = std::time::Instant::now();
        let dummy = hash_phc(&params, b"not a real password: timing equaliser", &buffers)?;
        let elapsed = started.elapsed();
        // An idle server holds no hashing memory; the first sign-ins allocate it.
        if let Ok(mut pool) = buffers.lock() {
            pool.clear();
        }
        // Operators see what one sign-in costs on this machine.
        tracing::info!(
            cost = ?cost,
            millis = elapsed.as_millis() as u64,
            parallel = cores,
            "argon2id hash timed"
        );
        Ok(Hasher {
            params,
            permits: Arc::new(Semaphore::new(cores)),
            dummy: dummy.into(),
            buffers,
            verifications: Arc::default(),
        })
    }

    pub async fn hash(&self, password: &str) -> Result<StoredHash, DomainError> {
        let params = self.params.clone();
        let buffers = self.buffers.clone();
        let password = password.to_owned();
        self.run_blocking(move || hash_phc(&params, password.as_bytes(), &buffers).map(StoredHash))
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
        let buffers = self.buffers.clone();
        let password = password.to_owned();
        let matched = self
            .run_blocking(move || verify_phc(&hash, password.as_bytes(), &buffers))
            .await?;
        Ok(exists && matched)
    }

    /// The dummy hash in PHC form, so tests can check it carries the same
    /// parameters as real hashes.
    #[cfg(test)]
    pub(crate) fn dummy_phc(&self) -> &str {
        &self.dummy
    }

    /// Number of password verifications since start.
    pub fn verifications(&self) -> u64 {
        self.verifications
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Whether `phc` is an argon2id hash made with exactly the parameters
    /// new hashes get, so an import may store it as it is (see `import`).
    pub(crate) fn is_current(&self, phc: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(phc) else {
            return false;
        };
        let Ok(params) = Params::try_from(&parsed) else {
            return false;
        };
        let out_len = self
            .params
            .output_len()
            .unwrap_or(Params::DEFAULT_OUTPUT_LEN);
        parsed.algorithm == argon2::ARGON2ID_IDENT
            && parsed.version == Some(Version::V0x13.into())
            && parsed.salt.is_some()
            && parsed.hash.map(|h| h.len()) == Some(out_len)
            && (params.m_cost(), params.t_cost(), params.p_cost())
                == (
                    self.params.m_cost(),
                    self.params.t_cost(),
                    self.params.p_cost(),
                )
    }

    /// Runs slow work (a hash) on the blocking pool, at most one per core
    /// at a time: the same bound for every password check.
    pub(crate) async fn run_blocking<T: Send + 'static>(
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

fn hash_err(e: impl std::fmt::Display) -> DomainError {
    DomainError::Hash(e.to_string())
}

/// Runs argon2 into an `out_len`-byte output with a pooled block buffer.
fn run_argon2(
    argon: &Argon2<'_>,
    blocks_needed: usize,
    password: &[u8],
    salt: Salt<'_>,
    out_len: usize,
    buffers: &Mutex<Vec<Vec<Block>>>,
) -> Result<Output, DomainError> {
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_buf).map_err(hash_err)?;
    let mut blocks = buffers
        .lock()
        .map_err(hash_err)?
        .pop()
        .filter(|b| b.len() >= blocks_needed)
        .unwrap_or_else(|| vec![Block::default(); blocks_needed]);
    let output = Output::init_with(out_len, |out| {
        argon
            .hash_password_into_with_memory(password, salt_bytes, out, &mut blocks[..blocks_needed])
            .map_err(|_| argon2::password_hash::Error::Crypto)
    })
    .map_err(hash_err);
    if let Ok(mut pool) = buffers.lock() {
        pool.push(blocks);
    }
    output
}

/// A new PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) for `password`.
fn hash_phc(
    params: &Params,
    password: &[u8],
    buffers: &Mutex<Vec<Vec<Block>>>,
) -> Result<String, DomainError> {
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let salt = SaltString::generate(&mut OsRng);
    let out_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let output = run_argon2(
        &argon,
        params.block_count(),
        password,
        salt.as_salt(),
        out_len,
        buffers,
    )?;
    let phc = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(hash_err)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// Checks `password` against a stored PHC string, with the parameters stored
/// in it; the comparison is constant-time.
fn verify_phc(
    stored: &str,
    password: &[u8],
    buffers: &Mutex<Vec<Vec<Block>>>,
) -> Result<bool, DomainError> {
    let parsed = PasswordHash::new(stored).map_err(hash_err)?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(hash_err)?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(hash_err)?
        .unwrap_or_default();
    let params = Params::try_from(&parsed).map_err(hash_err)?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Err(hash_err("stored hash lacks salt or output"));
    };
    let argon = Argon2::new(algorithm, version, params.clone());
    let output = run_argon2(
        &argon,
        params.block_count(),
        password,
        salt,
        expected.len(),
        buffers,
    )?;
    Ok(output == expected)
}
