//! Real-name and qualification verification: a user submits, staff review.
//!
//! `unverified → pending → verified | rejected(reason)`; a rejected
//! submission may be followed by a new one. Each submission is its own row,
//! so the history of who reviewed what stays; the latest row of a kind is
//! its state. The partial unique index on pending rows makes two concurrent
//! submissions create one.

use crate::audit::AuditEvent;
use crate::caller::Operator;
use crate::notifications::Event;
use crate::staff_limits::StaffAction;
use crate::store;
use crate::store::users::UserStatus;
use crate::{clock, db, DomainError, UserCenter};
use shared::admin::AuditAction;
use shared::dto::UserProfile;
use shared::identity::{self, mask_id_number, CivilDate};
use shared::media::DocumentKind;
use shared::privacy::ConsentPurpose;
use shared::profile::{Verification, VerificationKind, VerificationOverview, VerificationState};
use shared::{AppError, ErrorCode, Field};

/// Longest qualification description kept.
pub const DOCUMENT_MAX_CHARS: usize = 500;

pub(crate) use crate::store::verifications::VerificationRow;

impl VerificationRow {
    pub(crate) fn state(&self) -> VerificationState {
        // The CHECK constraint admits only these three.
        VerificationState::parse(&self.state).unwrap_or(VerificationState::Pending)
    }

    /// The row as the API shows it, to its owner and to staff alike: the ID
    /// number masked (staff reveal it with [`UserCenter::reveal_id_number`]).
    fn into_dto(self) -> Verification {
        let kind = VerificationKind::parse(&self.kind).unwrap_or(VerificationKind::RealName);
        let state = self.state();
        Verification {
            kind,
            state,
            real_name: self.real_name,
            id_number_masked: self.id_number.as_deref().map(mask_id_number),
            id_number: None,
            document: self.document,
            reason: self.reason,
            submitted_at: Some(clock::rfc3339(self.submitted_at)),
            reviewed_at: self.reviewed_at.map(clock::rfc3339),
            documents: Vec::new(),
        }
    }
}

/// What a new submission carries.
enum Submission {
    RealName { name: String, id_number: String },
    Qualification { document: String },
}

/// Photos that go with a real-name submission (ids from
/// [`UserCenter::upload_document`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct IdCardPhotos {
    pub front: Option<i64>,
    pub back: Option<i64>,
}

impl UserCenter {
    /// A row as the API shows it, with its attached documents.
    async fn with_documents(&self, row: VerificationRow) -> Result<Verification, DomainError> {
        let id = row.id;
        let mut dto = row.into_dto();
        dto.documents = self.verification_documents(id).await?;
        Ok(dto)
    }

    /// The latest submission of a kind, if any.
    pub(crate) async fn latest_verification(
        &self,
        conn: &mut store::Conn,
        user_id: i64,
        kind: VerificationKind,
    ) -> Result<Option<VerificationRow>, DomainError> {
        let vault = self.vault().await?;
        Ok(store::verifications::latest(conn, vault, user_id, kind.as_str()).await?)
    }

    /// The user's own view of one kind of verification.
    pub async fn verification(
        &self,
        user_id: i64,
        kind: VerificationKind,
    ) -> Result<Verification, DomainError> {
        match self
            .latest_verification(&mut *self.pool.acquire().await?, user_id, kind)
            .await?
        {
            Some(row) => self.with_documents(row).await,
            None => Ok(Verification::unverified(kind)),
        }
    }

    /// Both kinds, for the user's verification page and for staff (who
    /// see the same masked ID number).
    pub async fn verifications(&self, user_id: i64) -> Result<VerificationOverview, DomainError> {
        Ok(VerificationOverview {
            real_name: self
                .verification(user_id, VerificationKind::RealName)
                .await?,
            qualification: self
                .verification(user_id, VerificationKind::Qualification)
                .await?,
        })
    }

    /// Submits the real name and mainland resident ID number for review.
    ///
    /// The number must pass GB 11643 (check character, a real past birth
    /// date) and agree with the gender on the profile, if one is stated.
    /// `VERIFICATION_PENDING` while one awaits review, `ALREADY_VERIFIED`
    /// once approved; after a rejection a new submission is welcome.
    pub async fn submit_real_name(
        &self,
        user_id: i64,
        real_name: &str,
        id_number: &str,
    ) -> Result<Verification, DomainError> {
        self.submit_real_name_with_photos(user_id, real_name, id_number, IdCardPhotos::default())
            .await
    }

    /// [`Self::submit_real_name`] with optional photos of the ID card's two
    /// sides, which must be the user's own unattached `id_front` / `id_back`
    /// uploads (`INVALID_DOCUMENT` otherwise).
    pub async fn submit_real_name_with_photos(
        &self,
        user_id: i64,
        real_name: &str,
        id_number: &str,
        photos: IdCardPhotos,
    ) -> Result<Verification, DomainError> {
        let name = identity::normalize_real_name(real_name)?;
        let id = identity::parse_mainland_id(id_number, CivilDate::china_from_unix(self.now()))?;
        let profile = self.profile(user_id).await?;
        identity::check_gender_matches(&id, profile.gender)?;
        self.submit(
            user_id,
            VerificationKind::RealName,
            Submission::RealName {
                name,
                id_number: id.number,
            },
            &[
                (photos.front, DocumentKind::IdFront),
                (photos.back, DocumentKind::IdBack),
            ],
        )
        .await
    }

    /// Submits a qualification document (its description or licence
    /// number) for its own review, independent of the real-name one.
    pub async fn submit_qualification(
        &self,
        user_id: i64,
        document: &str,
    ) -> Result<Verification, DomainError> {
        self.submit_qualification_with_photo(user_id, document, None)
            .await
    }

    /// [`Self::submit_qualification`] with an optional photo of the
    /// document (an unattached `qualification` upload of the user's).
    pub async fn submit_qualification_with_photo(
        &self,
        user_id: i64,
        document: &str,
        photo: Option<i64>,
    ) -> Result<Verification, DomainError> {
        let document = document.trim();
        if document.is_empty() {
            return Err(
                AppError::with_message(ErrorCode::Required, "Describe the document.").into(),
            );
        }
        if document.chars().count() > DOCUMENT_MAX_CHARS || document.chars().any(char::is_control) {
            return Err(AppError::with_message(
                ErrorCode::InvalidInput,
                "The document description may have at most 500 characters.",
            )
            .into());
        }
        self.submit(
            user_id,
            VerificationKind::Qualification,
            Submission::Qualification {
                document: document.to_string(),
            },
            &[(photo, DocumentKind::Qualification)],
        )
        .await
    }

    async fn submit(
        &self,
        user_id: i64,
        kind: VerificationKind,
        submission: Submission,
        photos: &[(Option<i64>, DocumentKind)],
    ) -> Result<Verification, DomainError> {
        let mut tx = crate::store::begin_write(&self.pool).await?;
        match store::users::status(&mut tx, user_id).await? {
            None => return Err(ErrorCode::NotFound.into()),
            Some(UserStatus::Closed) => return Err(ErrorCode::AccountClosed.into()),
            Some(_) => {}
        }
        if kind == VerificationKind::RealName {
            self.require_consent(&mut tx, user_id, ConsentPurpose::IdentityDocuments)
                .await?;
        }
        if let Some(latest) = self.latest_verification(&mut tx, user_id, kind).await? {
            match latest.state() {
                VerificationState::Pending => return Err(ErrorCode::VerificationPending.into()),
                VerificationState::Verified => return Err(ErrorCode::AlreadyVerified.into()),
                VerificationState::Rejected | VerificationState::Unverified => {}
            }
        }
        let (name, number, document) = match submission {
            Submission::RealName { name, id_number } => (Some(name), Some(id_number), None),
            Submission::Qualification { document } => (None, None, Some(document)),
        };
        let submission = store::verifications::NewSubmission {
            user_id,
            kind: kind.as_str(),
            real_name: name.as_deref(),
            id_number: number.as_deref(),
            document: document.as_deref(),
            now: self.now(),
        };
        let row = store::verifications::insert_pending(&mut tx, self.vault().await?, &submission)
            .await
            .map_err(|e| {
                if db::is_unique_violation(&e, "verifications.user_id") {
                    ErrorCode::VerificationPending.into()
                } else {
                    DomainError::from(e)
                }
            })?;
        for (document_id, document_kind) in photos {
            if let Some(document_id) = document_id {
                self.attach_document(&mut tx, user_id, row.id, *document_id, *document_kind)
                    .await?;
            }
        }
        tx.commit().await?;
        tracing::info!(user_id, kind = kind.as_str(), "verification submitted");
        self.with_documents(row).await
    }

    /// Staff approve the pending submission. An approved real name becomes
    /// the profile's name and ID (country CN, mainland ID), which the user
    /// can no longer edit.
    pub async fn approve_verification(
        &self,
        op: impl Into<Operator>,
        user_id: i64,
        kind: VerificationKind,
    ) -> Result<Verification, DomainError> {
        self.review(op.into(), user_id, kind, None).await
    }

    /// Staff reject the pending submission with a reason the user sees.
    pub async fn reject_verification(
        &self,
        op: impl Into<Operator>,
        user_id: i64,
        kind: VerificationKind,
        reason: &str,
    ) -> Result<Verification, DomainError> {
        let reason = identity::normalize_reason(reason)?;
        self.review(op.into(), user_id, kind, Some(reason)).await
    }

    async fn review(
        &self,
        op: Operator,
        user_id: i64,
        kind: VerificationKind,
        rejection: Option<String>,
    ) -> Result<Verification, DomainError> {
        let staff_id = op.id;
        self.check_staff_action(&op, StaffAction::Review, user_id, None)
            .await?;
        let mut tx = crate::store::begin_write(&self.pool).await?;
        let pending = match self.latest_verification(&mut tx, user_id, kind).await? {
            Some(row) if row.state() == VerificationState::Pending => row,
            _ => return Err(ErrorCode::NotPendingReview.into()),
        };
        let now = self.now();
        let state = if rejection.is_some() {
            VerificationState::Rejected
        } else {
            VerificationState::Verified
        };
        let vault = self.vault().await?;
        if rejection.is_none() && kind == VerificationKind::RealName {
            if let Some(number) = pending.id_number.as_deref() {
                let holder =
                    store::verifications::verified_holder_of(&mut tx, vault, number, user_id)
                        .await?;
                if let Some(other) = holder {
                    return Err(AppError::with_message(
                        ErrorCode::IdNumberInUse,
                        format!("This ID number already verifies account {other}."),
                    )
                    .into());
                }
            }
        }
        let row = store::verifications::decide(
            &mut tx,
            vault,
            pending.id,
            state,
            rejection.as_deref(),
            staff_id,
            now,
        )
        .await?
        .ok_or(DomainError::from(ErrorCode::NotPendingReview))?;
        if state == VerificationState::Verified && kind == VerificationKind::RealName {
            store::verifications::set_verified_identity(
                &mut tx,
                vault,
                user_id,
                row.real_name.as_deref(),
                row.id_number.as_deref(),
                now,
            )
            .await?;
        }
        let action = if rejection.is_some() {
            AuditAction::VerificationRejected
        } else {
            AuditAction::VerificationApproved
        };
        let event = AuditEvent::by_staff(action, &op, Some(user_id)).details(serde_json::json!({
            "kind": kind.as_str(),
            "reason": rejection,
        }));
        self.audit_in(&mut tx, &event).await?;
        tx.commit().await?;
        tracing::info!(
            user_id,
            staff_id,
            kind = kind.as_str(),
            state = state.as_str(),
            "verification reviewed"
        );
        self.notify(user_id, Event::ReviewDecided { kind, rejection })
            .await;
        self.with_documents(row).await
    }

    /// Submissions awaiting review, oldest first, with full ID numbers: for
    /// staff only.
    pub async fn pending_verifications(
        &self,
        staff_id: i64,
        kind: VerificationKind,
        limit: u32,
    ) -> Result<Vec<(i64, Verification)>, DomainError> {
        self.require_staff(staff_id).await?;
        let mut conn = self.pool.acquire().await?;
        let rows = store::verifications::pending_queue(
            &mut conn,
            kind.as_str(),
            i64::from(limit.min(500)),
        )
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, user_id) in rows {
            let row = store::verifications::by_id(&mut conn, self.vault().await?, id)
                .await?
                .ok_or(DomainError::from(ErrorCode::NotFound))?;
            out.push((user_id, self.with_documents(row).await?));
        }
        Ok(out)
    }

    /// Any user's profile for staff, the ID number masked: the full one
    /// takes [`Self::reveal_id_number`].
    pub async fn admin_profile(
        &self,
        staff_id: i64,
        user_id: i64,
    ) -> Result<UserProfile, DomainError> {
        self.require_staff(staff_id).await?;
        let row = self.user_row(user_id).await?;
        self.profile_of(row).await
    }

    /// The full ID number of an account, for staff who give a reason
    /// (PIPL art. 51: least privilege). The account's verified number, else
    /// the one in its latest real-name submission. Every reveal is audited
    /// (`id_number_revealed`, with the reason); `NOT_FOUND` when there is
    /// no number.
    pub async fn reveal_id_number(
        &self,
        op: impl Into<Operator>,
        user_id: i64,
        reason: &str,
    ) -> Result<String, DomainError> {
        let op = op.into();
        let reason = identity::normalize_reason(reason)?;
        self.check_staff_action(&op, StaffAction::RevealIdNumber, user_id, None)
            .await?;
        let row = self.user_row(user_id).await?;
        let number = match row.id_number {
            Some(number) => Some(number),
            None => {
                let mut conn = self.pool.acquire().await?;
                self.latest_verification(&mut conn, user_id, VerificationKind::RealName)
                    .await?
                    .and_then(|v| v.id_number)
            }
        };
        let number = number.ok_or(DomainError::from(ErrorCode::NotFound))?;
        let event = AuditEvent::by_staff(AuditAction::IdNumberRevealed, &op, Some(user_id))
            .details(serde_json::json!({ "reason": reason }));
        // Written before the number is handed out: no unaudited reveal.
        let mut conn = self.pool.acquire().await?;
        self.audit_in(&mut conn, &event).await?;
        Ok(number)
    }
}

/// A field-level error for locked real-name fields.
pub(crate) fn locked(code: ErrorCode, field: Field) -> DomainError {
    AppError::field(code, field).into()
}
