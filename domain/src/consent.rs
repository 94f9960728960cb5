//! Separate consent to processing identity documents (PIPL art. 29):
//! given before the first real-name submission or ID-card photo, recorded
//! with the text's version and the time, and withdrawable, which deletes
//! what is not verified.

use crate::audit::{AuditEvent, Whence};
use crate::store::consents::ConsentRow;
use crate::{clock, store, DomainError, UserCenter};
use shared::admin::AuditAction;
use shared::privacy::{Consent, ConsentPurpose, ConsentWithdrawn};
use shared::{AppError, ErrorCode};

impl UserCenter {
    /// Where the user's consent for `purpose` stands.
    pub async fn consent(
        &self,
        user_id: i64,
        purpose: ConsentPurpose,
    ) -> Result<Consent, DomainError> {
        let mut conn = self.pool.acquire().await?;
        let row = store::consents::latest(&mut conn, user_id, purpose.as_str()).await?;
        Ok(consent_of(purpose, row.as_ref()))
    }

    /// Records the user's agreement to `version` of the purpose's text,
    /// which must be the current one (`INVALID_INPUT` otherwise: the user
    /// saw another text). Agreeing again while in force changes nothing.
    pub async fn give_consent<'a>(
        &self,
        user_id: i64,
        purpose: ConsentPurpose,
        version: u32,
        from: impl Into<Whence<'a>>,
    ) -> Result<Consent, DomainError> {
        if version != purpose.current_version() {
            return Err(AppError::with_message(
                ErrorCode::InvalidInput,
                format!(
                    "The consent text is at version {}; show it and send that version.",
                    purpose.current_version()
                ),
            )
            .into());
        }
        let mut tx = store::begin_write(&self.pool).await?;
        self.give_consent_in(&mut tx, user_id, purpose, from)
            .await?;
        tx.commit().await?;
        self.consent(user_id, purpose).await
    }

    /// [`Self::give_consent`] (of the current text) inside the caller's
    /// transaction, so a submission and the consent it came with commit
    /// together.
    pub(crate) async fn give_consent_in<'a>(
        &self,
        conn: &mut store::Conn,
        user_id: i64,
        purpose: ConsentPurpose,
        from: impl Into<Whence<'a>>,
    ) -> Result<(), DomainError> {
        let current = store::consents::latest(conn, user_id, purpose.as_str()).await?;
        if in_force(purpose, current.as_ref()) {
            return Ok(());
        }
        let version = purpose.current_version();
        store::consents::insert(conn, user_id, purpose.as_str(), version.into(), self.now())
            .await?;
        let event = AuditEvent::by_user(AuditAction::ConsentGiven, user_id, from)
            .details(serde_json::json!({ "purpose": purpose.as_str(), "version": version }));
        self.audit_in(conn, &event).await
    }

    /// `CONSENT_REQUIRED` unless the consent is in force.
    pub(crate) async fn require_consent(
        &self,
        conn: &mut store::Conn,
        user_id: i64,
        purpose: ConsentPurpose,
    ) -> Result<(), DomainError> {
        let current = store::consents::latest(conn, user_id, purpose.as_str()).await?;
        if in_force(purpose, current.as_ref()) {
            Ok(())
        } else {
            Err(ErrorCode::ConsentRequired.into())
        }
    }

    /// Withdraws the consent. For identity documents, the real-name
    /// submissions not verified (pending or rejected) and every ID-card
    /// photo not part of a verified one are deleted, rows and files; a
    /// verified identity stays (it is the account's, kept while the
    /// account is).
    pub async fn withdraw_consent<'a>(
        &self,
        user_id: i64,
        purpose: ConsentPurpose,
        from: impl Into<Whence<'a>>,
    ) -> Result<ConsentWithdrawn, DomainError> {
        let guard = self.media.lock.lock().await;
        let mut tx = store::begin_write(&self.pool).await?;
        let was = store::consents::withdraw(&mut tx, user_id, purpose.as_str(), self.now()).await?;
        let (submissions, paths) = match purpose {
            ConsentPurpose::IdentityDocuments => {
                store::consents::remove_unverified_identity(&mut tx, user_id).await?
            }
        };
        if was {
            let event = AuditEvent::by_user(AuditAction::ConsentWithdrawn, user_id, from).details(
                serde_json::json!({
                    "purpose": purpose.as_str(),
                    "submissions_deleted": submissions,
                    "documents_deleted": paths.len(),
                }),
            );
            self.audit_in(&mut tx, &event).await?;
        }
        let orphans = crate::media::unused_document_paths(&mut tx, &paths).await?;
        tx.commit().await?;
        self.media.remove_private_files(orphans).await?;
        drop(guard);
        Ok(ConsentWithdrawn {
            consent: Some(self.consent(user_id, purpose).await?),
            submissions_deleted: submissions,
            documents_deleted: paths.len() as u64,
        })
    }
}

fn in_force(purpose: ConsentPurpose, row: Option<&ConsentRow>) -> bool {
    row.is_some_and(|r| {
        r.withdrawn_at.is_none() && r.version == i64::from(purpose.current_version())
    })
}

pub(crate) fn consent_of(purpose: ConsentPurpose, row: Option<&ConsentRow>) -> Consent {
    Consent {
        purpose,
        in_force: in_force(purpose, row),
        current_version: purpose.current_version(),
        version: row.and_then(|r| u32::try_from(r.version).ok()),
        given_at: row.map(|r| clock::rfc3339(r.given_at)),
        withdrawn_at: row.and_then(|r| r.withdrawn_at.map(clock::rfc3339)),
    }
}
