//! Client request ids that make retries safe.
//!
//! The result of a request is stored under (actor scope, request id) together
//! with a hash of its normalised content, in the same transaction as the money
//! movement (see [`super::batch`], which also replays and refuses). A retry
//! with the same content gets the stored receipt back and moves nothing; the
//! same id with other content is refused
//! (`IDEMPOTENCY_CONFLICT`), as Stripe and Formance do. Refused requests are not
//! stored, so a request that failed (say, for lack of funds) may be retried
//! under the same id once the cause is fixed.

use crate::DomainError;
use sha2::{Digest, Sha256};

/// SHA-256 (hex) of the normalised request. The content is encoded as a JSON
/// array, so no two different requests share an encoding.
pub(crate) fn request_hash(content: &impl serde::Serialize) -> Result<String, DomainError> {
    let json = serde_json::to_vec(content).map_err(super::internal)?;
    let digest = Sha256::digest(&json);
    Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
}
