//! Client request ids that make retries safe.
//!
//! The result of a request is stored under (actor scope, request id) together
//! with a hash of its normalised content, in the same transaction as the money
//! movement. A retry with the same content gets the stored receipt back and
//! moves nothing; the same id with other content is refused
//! (`IDEMPOTENCY_CONFLICT`), as Stripe and Formance do. Refused requests are not
//! stored, so a request that failed (say, for lack of funds) may be retried
//! under the same id once the cause is fixed.

use crate::{store, DomainError};
use sha2::{Digest, Sha256};
use shared::wallet::Receipt;
use shared::ErrorCode;
use sqlx::SqliteConnection;

/// SHA-256 (hex) of the normalised request. The content is encoded as a JSON
/// array, so no two different requests share an encoding.
pub(crate) fn request_hash(content: &impl serde::Serialize) -> Result<String, DomainError> {
    let json = serde_json::to_vec(content).map_err(super::internal)?;
    let digest = Sha256::digest(&json);
    Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// The stored receipt of an earlier request with this id, if any; an error
/// if that request had different content.
pub(crate) async fn replay(
    conn: &mut SqliteConnection,
    scope: &str,
    request_id: &str,
    hash: &str,
) -> Result<Option<Receipt>, DomainError> {
    let stored = store::ledger::find_request(conn, scope, request_id).await?;
    let Some((stored_hash, result)) = stored else {
        return Ok(None);
    };
    if stored_hash != hash {
        return Err(ErrorCode::IdempotencyConflict.into());
    }
    let mut receipt: Receipt = serde_json::from_str(&result).map_err(super::internal)?;
    receipt.replayed = true;
    Ok(Some(receipt))
}

/// Records a finished request; the primary key makes a second record fail.
pub(crate) async fn record(
    conn: &mut SqliteConnection,
    scope: &str,
    hash: &str,
    receipt: &Receipt,
    now: i64,
) -> Result<(), DomainError> {
    let result = serde_json::to_string(receipt).map_err(super::internal)?;
    Ok(store::ledger::record_request(
        conn,
        scope,
        &receipt.request_id,
        hash,
        receipt.transfer_id,
        &result,
        now,
    )
    .await?)
}
