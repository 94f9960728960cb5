//! Encryption of personal data at rest (PIPL art. 51): real names, ID
//! numbers and document photos are sealed with XChaCha20-Poly1305 under a
//! data-encryption key (DEK). The DEKs are stored in `data_keys`, each
//! wrapped by the key-encryption key (KEK), which never enters the
//! database: a copy of the database or a backup without the KEK reads as
//! noise.
//!
//! Every sealed record carries the id of the DEK that sealed it, so a
//! rotation ([`crate::vault::rotation`]) can add a key and re-seal row by
//! row, resumably. Equality lookups (one ID number per verified account,
//! staff finding an account by real name) go through a keyed-HMAC blind
//! index under a separate key that is never rotated.

pub mod rotation;

use crate::opaque::KeyedHash;
use crate::store::{self, Conn};
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::XChaCha20Poly1305;
use std::collections::BTreeMap;
use std::sync::RwLock;
use zeroize::Zeroizing;

/// Length of every key: KEK, DEK and index key.
pub const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 24;
/// The start of a sealed document file: a tag, then the key id (8 bytes,
/// big-endian), the nonce and the ciphertext.
const FILE_MAGIC: &[u8; 8] = b"UCSEAL1\0";

/// The key-encryption key. Its `Debug` is redacted.
#[derive(Clone)]
pub struct DataKey(Zeroizing<[u8; KEY_BYTES]>);

impl DataKey {
    /// A KEK from its raw bytes; `None` unless exactly [`KEY_BYTES`] long.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let array: [u8; KEY_BYTES] = bytes.try_into().ok()?;
        Some(DataKey(Zeroizing::new(array)))
    }

    /// The KEK from `UC_DATA_KEY` (base64 of 32 bytes).
    pub fn from_base64(text: &str) -> Result<Self, crate::DomainError> {
        base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .ok()
            .and_then(|b| Self::from_bytes(&b))
            .ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "UC_DATA_KEY must be the base64 of exactly 32 bytes (e.g. `openssl rand -base64 32`)",
                )
                .into()
            })
    }

    /// The KEK kept in a file beside the token secret: read, or created
    /// with a random key (mode 0600) on first start.
    pub fn load_or_create(path: &std::path::Path) -> Result<Self, crate::DomainError> {
        let bytes = Zeroizing::new(crate::secret::load_or_create_named(path, "data key")?);
        Self::from_bytes(&bytes).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "the data key in {} must be the base64 of exactly 32 bytes",
                    path.display()
                ),
            )
            .into()
        })
    }

    /// A KEK derived from the token secret, for embedders and tests that
    /// configure none. The server always configures one of its own.
    pub(crate) fn derived_from(secret: &[u8]) -> Self {
        DataKey(Zeroizing::new(
            *KeyedHash::derive(secret, "user-center/data-key/v1").key_bytes(),
        ))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&*self.0).into())
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(…)")
    }
}

/// What can go wrong opening sealed data.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The KEK does not open the stored DEKs: the wrong UC_DATA_KEY or key
    /// file. The server must not start (it would seal new data under keys
    /// nobody can open again, and serve nothing it could read).
    #[error(
        "the data key (UC_DATA_KEY or <data dir>/data-key) does not open the data-encryption \
         keys stored in the database; start with the key this database was created with \
         (restore it from your backup). Personal data cannot be read without it"
    )]
    WrongKey,
    /// A record names a DEK this database does not have.
    #[error("data key {0} is not in the database")]
    UnknownKey(i64),
    /// A sealed value failed authentication or is malformed.
    #[error("a sealed value could not be opened: it was altered or is damaged")]
    Corrupt,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl From<VaultError> for sqlx::Error {
    fn from(e: VaultError) -> Self {
        match e {
            VaultError::Database(e) => e,
            other => sqlx::Error::Decode(Box::new(other)),
        }
    }
}

/// What a sealed value is, bound into its authentication tag so a value
/// cannot be moved to another field (an ID number shown as a name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    RealName,
    IdNumber,
    Document,
}

impl Field {
    fn label(self) -> &'static [u8] {
        match self {
            Field::RealName => b"real_name",
            Field::IdNumber => b"id_number",
            Field::Document => b"document",
        }
    }
}

/// The unwrapped keys. Loaded once per process ([`crate::UserCenter`]
/// holds it), refreshed when a record names a key added since (a rotation
/// started by the operator CLI while the server runs).
pub(crate) struct Vault {
    kek: DataKey,
    keys: RwLock<BTreeMap<i64, XChaCha20Poly1305>>,
    index: KeyedHash,
}

impl Vault {
    /// Loads the DEKs, creating the first data key and the index key on a
    /// new database. [`VaultError::WrongKey`] when the KEK does not open
    /// them.
    pub(crate) async fn load(pool: &store::Pool, kek: DataKey) -> Result<Vault, VaultError> {
        let mut tx = store::begin_write(pool).await?;
        let mut rows = store::data_keys::all(&mut tx).await?;
        for purpose in [
            store::data_keys::Purpose::Data,
            store::data_keys::Purpose::Index,
        ] {
            if !rows.iter().any(|r| r.purpose == purpose) {
                let row = new_key(&kek, purpose);
                let id =
                    store::data_keys::insert(&mut tx, purpose, &row, crate::clock::now()).await?;
                rows.push(store::data_keys::KeyRow {
                    id,
                    purpose,
                    wrapped: row,
                });
            }
        }
        tx.commit().await?;
        let mut keys = BTreeMap::new();
        let mut index = None;
        for row in rows {
            let bytes = unwrap_key(&kek, &row)?;
            match row.purpose {
                store::data_keys::Purpose::Data => {
                    keys.insert(row.id, XChaCha20Poly1305::new((&*bytes).into()));
                }
                store::data_keys::Purpose::Index => index = Some(KeyedHash::from_key(*bytes)),
            }
        }
        Ok(Vault {
            kek,
            keys: RwLock::new(keys),
            index: index.ok_or(VaultError::UnknownKey(0))?,
        })
    }

    /// Reads keys added since loading (by a rotation in another process).
    pub(crate) async fn refresh(&self, conn: &mut Conn) -> Result<(), VaultError> {
        let rows = store::data_keys::all(conn).await?;
        for row in rows {
            if row.purpose != store::data_keys::Purpose::Data || self.has_key(row.id) {
                continue;
            }
            let bytes = unwrap_key(&self.kek, &row)?;
            self.write_keys()
                .insert(row.id, XChaCha20Poly1305::new((&*bytes).into()));
        }
        Ok(())
    }

    /// Adds a new data key, which seals every write from now on. Returns
    /// its id.
    pub(crate) async fn add_key(&self, conn: &mut Conn) -> Result<i64, VaultError> {
        let wrapped = new_key(&self.kek, store::data_keys::Purpose::Data);
        let bytes = unwrap_key(
            &self.kek,
            &store::data_keys::KeyRow {
                id: 0,
                purpose: store::data_keys::Purpose::Data,
                wrapped: wrapped.clone(),
            },
        )?;
        let id = store::data_keys::insert(
            conn,
            store::data_keys::Purpose::Data,
            &wrapped,
            crate::clock::now(),
        )
        .await?;
        self.write_keys()
            .insert(id, XChaCha20Poly1305::new((&*bytes).into()));
        Ok(id)
    }

    fn has_key(&self, id: i64) -> bool {
        self.read_keys().contains_key(&id)
    }

    fn read_keys(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<i64, XChaCha20Poly1305>> {
        // A panic while holding the lock leaves the map intact.
        self.keys.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write_keys(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<i64, XChaCha20Poly1305>> {
        self.keys.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The id of the key that seals new writes: the newest.
    pub(crate) fn active_key(&self) -> i64 {
        self.read_keys().keys().next_back().copied().unwrap_or(0)
    }

    /// Seals values under the key active now, the same for all of them.
    pub(crate) fn sealer(&self) -> Sealer<'_> {
        Sealer {
            keys: self.read_keys(),
        }
    }

    fn seal_bytes(&self, field: Field, plain: &[u8]) -> (i64, Vec<u8>) {
        let sealer = self.sealer();
        (sealer.key_id(), sealer.seal_bytes(field, plain))
    }

    fn open_bytes(&self, key_id: i64, field: Field, sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
        if sealed.len() < NONCE_BYTES {
            return Err(VaultError::Corrupt);
        }
        let keys = self.read_keys();
        let cipher = keys.get(&key_id).ok_or(VaultError::UnknownKey(key_id))?;
        let (nonce, body) = sealed.split_at(NONCE_BYTES);
        cipher
            .decrypt(
                nonce.into(),
                Payload {
                    msg: body,
                    aad: field.label(),
                },
            )
            .map_err(|_| VaultError::Corrupt)
    }

    /// Opens a text field sealed by [`Sealer::seal`].
    pub(crate) fn open(
        &self,
        key_id: i64,
        field: Field,
        sealed: &str,
    ) -> Result<String, VaultError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .map_err(|_| VaultError::Corrupt)?;
        String::from_utf8(self.open_bytes(key_id, field, &bytes)?).map_err(|_| VaultError::Corrupt)
    }

    /// A document photo as it is written to disk.
    pub(crate) fn seal_file(&self, plain: &[u8]) -> (i64, Vec<u8>) {
        let (id, body) = self.seal_bytes(Field::Document, plain);
        let mut out = Vec::with_capacity(FILE_MAGIC.len() + 8 + body.len());
        out.extend_from_slice(FILE_MAGIC);
        out.extend_from_slice(&id.to_be_bytes());
        out.extend_from_slice(&body);
        (id, out)
    }

    /// The photo inside a file written by [`Self::seal_file`].
    pub(crate) fn open_file(&self, file: &[u8]) -> Result<Vec<u8>, VaultError> {
        let (id, body) = sealed_file_parts(file).ok_or(VaultError::Corrupt)?;
        self.open_bytes(id, Field::Document, body)
    }

    /// The blind index of a value: a keyed HMAC, equal for equal inputs,
    /// useless without the index key.
    pub(crate) fn index(&self, field: Field, value: &str) -> String {
        let label = std::str::from_utf8(field.label()).unwrap_or_default();
        self.index.hash(&[label, value])
    }
}

/// The active key, held for a few values so they are all sealed under it.
pub(crate) struct Sealer<'a> {
    keys: std::sync::RwLockReadGuard<'a, BTreeMap<i64, XChaCha20Poly1305>>,
}

impl Sealer<'_> {
    fn active(&self) -> (i64, &XChaCha20Poly1305) {
        let (id, cipher) = self
            .keys
            .iter()
            .next_back()
            .expect("Vault::load creates a data key");
        (*id, cipher)
    }

    pub(crate) fn key_id(&self) -> i64 {
        self.active().0
    }

    fn seal_bytes(&self, field: Field, plain: &[u8]) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .active()
            .1
            .encrypt(
                &nonce,
                Payload {
                    msg: plain,
                    aad: field.label(),
                },
            )
            .expect("XChaCha20-Poly1305 seals any length used here");
        let mut out = Vec::with_capacity(NONCE_BYTES + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// A text field sealed under the held key, as base64.
    pub(crate) fn seal(&self, field: Field, plain: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.seal_bytes(field, plain.as_bytes()))
    }
}

/// The key id and sealed body of a sealed file; `None` for anything else
/// (a plain JPEG written before encryption).
pub(crate) fn sealed_file_parts(file: &[u8]) -> Option<(i64, &[u8])> {
    let rest = file.strip_prefix(FILE_MAGIC.as_slice())?;
    if rest.len() < 8 {
        return None;
    }
    let (id, body) = rest.split_at(8);
    Some((i64::from_be_bytes(id.try_into().ok()?), body))
}

fn new_key(kek: &DataKey, purpose: store::data_keys::Purpose) -> String {
    let key = Zeroizing::new(XChaCha20Poly1305::generate_key(&mut OsRng));
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let sealed = kek
        .cipher()
        .encrypt(
            &nonce,
            Payload {
                msg: &key[..],
                aad: purpose.as_str().as_bytes(),
            },
        )
        .expect("XChaCha20-Poly1305 seals a 32-byte key");
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    base64::engine::general_purpose::STANDARD.encode(out)
}

fn unwrap_key(
    kek: &DataKey,
    row: &store::data_keys::KeyRow,
) -> Result<Zeroizing<[u8; KEY_BYTES]>, VaultError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&row.wrapped)
        .map_err(|_| VaultError::WrongKey)?;
    if bytes.len() < NONCE_BYTES {
        return Err(VaultError::WrongKey);
    }
    let (nonce, body) = bytes.split_at(NONCE_BYTES);
    let plain = Zeroizing::new(
        kek.cipher()
            .decrypt(
                nonce.into(),
                Payload {
                    msg: body,
                    aad: row.purpose.as_str().as_bytes(),
                },
            )
            .map_err(|_| VaultError::WrongKey)?,
    );
    let array: [u8; KEY_BYTES] = plain
        .as_slice()
        .try_into()
        .map_err(|_| VaultError::WrongKey)?;
    Ok(Zeroizing::new(array))
}

impl crate::UserCenter {
    /// The photo in a sealed document file, reading keys added by another
    /// process (a rotation from the CLI) if the file names one this process
    /// has not seen.
    pub(crate) async fn open_document_file(&self, file: &[u8]) -> Result<Vec<u8>, VaultError> {
        let vault = self.vault().await?;
        match vault.open_file(file) {
            Err(VaultError::UnknownKey(_)) => {
                let mut conn = self.pool.acquire().await?;
                vault.refresh(&mut conn).await?;
                vault.open_file(file)
            }
            other => other,
        }
    }

    /// The data keys, loaded on first use.
    pub(crate) async fn vault(&self) -> Result<&Vault, VaultError> {
        self.vault
            .get_or_try_init(|| Vault::load(&self.pool, self.data_key.clone()))
            .await
    }

    /// Loads the data keys, creating them on a new database. The server
    /// calls it before it listens: a wrong key stops it here, with
    /// [`VaultError::WrongKey`], before anything is read or sealed.
    pub async fn open_vault(&self) -> Result<(), crate::DomainError> {
        self.vault().await?;
        Ok(())
    }
}
