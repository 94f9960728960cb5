//! Server functions of the personal data rights: the separate consent to
//! processing identity documents. Thin adapters to the domain.

use leptos::prelude::*;
use shared::privacy::Consent;
use shared::AppError;

/// Where the signed-in user's identity-documents consent stands.
#[server(prefix = "/api/fn", endpoint = "my_consent")]
pub async fn my_consent() -> Result<Consent, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    uc.consent(
        auth.user_id,
        shared::privacy::ConsentPurpose::IdentityDocuments,
    )
    .await
    .map_err(reject)
}

/// Agrees to `version` of the identity-documents consent text.
#[server(prefix = "/api/fn", endpoint = "give_consent")]
pub async fn give_consent(version: u32) -> Result<Consent, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    let purpose = shared::privacy::ConsentPurpose::IdentityDocuments;
    uc.give_consent(auth.user_id, purpose, version, &auth)
        .await
        .map_err(reject)
}

/// Withdraws it; unverified submissions and their photos are deleted.
#[server(prefix = "/api/fn", endpoint = "withdraw_consent")]
pub async fn withdraw_consent() -> Result<shared::privacy::ConsentWithdrawn, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    let purpose = shared::privacy::ConsentPurpose::IdentityDocuments;
    uc.withdraw_consent(auth.user_id, purpose, &auth)
        .await
        .map_err(reject)
}
