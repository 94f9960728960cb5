//! Real names and ID numbers as the tables hold them: sealed by the
//! [`Vault`], with the data key's id beside them and blind indexes for the
//! equality lookups. Every statement that reads or writes those columns
//! goes through here, so the domain above sees only plaintext.

use super::{Conn, EngineConn, StoreResult};
use crate::vault::{Field, Vault, VaultError};

/// A real name and ID number ready to be written.
pub(crate) struct SealedIdentity {
    /// The data key that sealed them; `None` when both are empty.
    pub key_id: Option<i64>,
    pub real_name: Option<String>,
    pub id_number: Option<String>,
    pub real_name_index: Option<String>,
    pub id_number_index: Option<String>,
}

impl SealedIdentity {
    pub(crate) fn seal(
        vault: &Vault,
        real_name: Option<&str>,
        id_type: &str,
        id_number: Option<&str>,
    ) -> Self {
        // One key for both values: a rotation between the two must not
        // leave the row naming a key that did not seal one of them.
        let sealer = vault.sealer();
        let sealed_name = real_name.map(|v| sealer.seal(Field::RealName, v));
        let sealed_number = id_number.map(|v| sealer.seal(Field::IdNumber, v));
        let any = sealed_name.is_some() || sealed_number.is_some();
        SealedIdentity {
            key_id: any.then(|| sealer.key_id()),
            real_name: sealed_name,
            id_number: sealed_number,
            real_name_index: real_name.map(|v| real_name_index(vault, v)),
            id_number_index: id_number.map(|v| id_number_index(vault, id_type, v)),
        }
    }
}

/// The blind index of an ID number of a type (two types may share a
/// number's text).
pub(crate) fn id_number_index(vault: &Vault, id_type: &str, number: &str) -> String {
    vault.index(Field::IdNumber, &format!("{id_type}:{number}"))
}

/// The blind index of a real name, case-folded and trimmed.
pub(crate) fn real_name_index(vault: &Vault, name: &str) -> String {
    vault.index(Field::RealName, &name.trim().to_lowercase())
}

/// Opens the sealed real name and ID number of a row in place. A row
/// without a key id holds plaintext written before encryption (sealed at
/// start-up by [`crate::vault::rotation`]) and is left as it is.
pub(crate) async fn open_identity(
    conn: &mut Conn,
    vault: &Vault,
    key_id: Option<i64>,
    real_name: &mut Option<String>,
    id_number: &mut Option<String>,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let Some(key_id) = key_id else {
                return Ok(());
            };
            for (value, field) in [(real_name, Field::RealName), (id_number, Field::IdNumber)] {
                if let Some(sealed) = value.as_deref() {
                    *value = Some(open(conn, vault, key_id, field, sealed).await?);
                }
            }
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let Some(key_id) = key_id else {
                return Ok(());
            };
            for (value, field) in [(real_name, Field::RealName), (id_number, Field::IdNumber)] {
                if let Some(sealed) = value.as_deref() {
                    *value = Some(open(conn, vault, key_id, field, sealed).await?);
                }
            }
            Ok(())
        },
    }
}

/// Opens one value, first reading keys added by another process if the
/// value names one this process has not seen.
pub(crate) async fn open(
    conn: &mut Conn,
    vault: &Vault,
    key_id: i64,
    field: Field,
    sealed: &str,
) -> StoreResult<String> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            match vault.open(key_id, field, sealed) {
                Err(VaultError::UnknownKey(_)) => {
                    vault.refresh(conn).await?;
                    Ok(vault.open(key_id, field, sealed)?)
                }
                other => Ok(other?),
            }
        },
        EngineConn::Postgres(conn) => on_postgres! {
            match vault.open(key_id, field, sealed) {
                Err(VaultError::UnknownKey(_)) => {
                    vault.refresh(conn).await?;
                    Ok(vault.open(key_id, field, sealed)?)
                }
                other => Ok(other?),
            }
        },
    }
}
