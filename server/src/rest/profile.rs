//! Profile, real-name verification and account state over JSON.
//!
//! Users edit their profile, submit verifications and close their own
//! account; staff review submissions, freeze, unfreeze and close accounts.
//! Staff rights are checked by the domain against the database on every
//! request (`FORBIDDEN` otherwise).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::AuthContext;
use domain::UserCenter;
use edge::{ApiError, ApiJson, ApiPath, Authed, Staff};
use shared::dto::UserProfile;
use shared::profile::{
    AdminCloseRequest, CloseOwnAccountRequest, RejectRequest, SubmitQualificationRequest,
    SubmitRealNameRequest, UpdateProfileRequest, Verification, VerificationKind,
    VerificationOverview,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<UserCenter> {
    OpenApiRouter::new()
        .routes(routes!(profile, update_profile))
        .routes(routes!(verifications, submit_real_name))
        .routes(routes!(submit_qualification))
        .routes(routes!(close_own))
        .routes(routes!(admin_profile))
        .routes(routes!(approve_real_name))
        .routes(routes!(reject_real_name))
        .routes(routes!(approve_qualification))
        .routes(routes!(reject_qualification))
        .routes(routes!(freeze))
        .routes(routes!(unfreeze))
        .routes(routes!(close))
}

/// The signed-in user's profile (the same as `GET /me`).
#[utoipa::path(get, path = "/me/profile", tag = "profile", security(("bearer" = [])),
    responses((status = 200, description = "The account; ID numbers masked", body = UserProfile)))]
async fn profile(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
) -> Result<Json<UserProfile>, ApiError> {
    Ok(Json(uc.profile(auth.user_id).await?))
}

/// Edits the display name, gender, real name and ID document.
///
/// Absent fields stay; an empty string clears. The real name and ID are
/// locked while a real-name submission is pending (`409
/// VERIFICATION_PENDING`) or verified (`409 ALREADY_VERIFIED`).
#[utoipa::path(patch, path = "/me/profile", tag = "profile", security(("bearer" = [])),
    request_body = UpdateProfileRequest,
    responses((status = 200, description = "The updated account", body = UserProfile)))]
async fn update_profile(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
    ApiJson(req): ApiJson<UpdateProfileRequest>,
) -> Result<Json<UserProfile>, ApiError> {
    Ok(Json(uc.update_profile(auth.user_id, &req).await?))
}

/// Where the real-name and qualification reviews stand.
#[utoipa::path(get, path = "/me/verification", tag = "profile", security(("bearer" = [])),
    responses((status = 200, description = "Both kinds", body = VerificationOverview)))]
async fn verifications(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
) -> Result<Json<VerificationOverview>, ApiError> {
    Ok(Json(uc.verifications(auth.user_id).await?))
}

/// Submits the real name and mainland resident ID for review.
///
/// Needs the consent to processing identity documents: in force already,
/// or given with this request (`consent_version`); `409 CONSENT_REQUIRED`
/// otherwise. Allowed again after a rejection.
#[utoipa::path(post, path = "/me/verification", tag = "profile", security(("bearer" = [])),
    request_body = SubmitRealNameRequest,
    responses((status = 201, description = "The submission, `pending`", body = Verification)))]
async fn submit_real_name(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
    ApiJson(req): ApiJson<SubmitRealNameRequest>,
) -> Result<(StatusCode, Json<Verification>), ApiError> {
    let photos = domain::verification::IdCardPhotos {
        front: req.id_front_document,
        back: req.id_back_document,
    };
    if let Some(version) = req.consent_version {
        let purpose = shared::privacy::ConsentPurpose::IdentityDocuments;
        uc.give_consent(auth.user_id, purpose, version, &auth)
            .await?;
    }
    let v = uc
        .submit_real_name_with_photos(auth.user_id, &req.real_name, &req.id_number, photos)
        .await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Submits a qualification document for review.
#[utoipa::path(post, path = "/me/qualification", tag = "profile", security(("bearer" = [])),
    request_body = SubmitQualificationRequest,
    responses((status = 201, description = "The submission, `pending`", body = Verification)))]
async fn submit_qualification(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
    ApiJson(req): ApiJson<SubmitQualificationRequest>,
) -> Result<(StatusCode, Json<Verification>), ApiError> {
    let v = uc
        .submit_qualification_with_photo(auth.user_id, &req.document, req.document_id)
        .await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Closes the signed-in user's own account, confirmed with the password.
///
/// Every session ends; `409 BALANCE_NOT_ZERO` while any balance or hold is
/// not zero.
#[utoipa::path(post, path = "/me/close", tag = "profile", security(("bearer" = [])),
    request_body = CloseOwnAccountRequest,
    responses((status = 204, description = "Closed")))]
async fn close_own(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
    ApiJson(req): ApiJson<CloseOwnAccountRequest>,
) -> Result<StatusCode, ApiError> {
    uc.close_own_account(&auth, &req.password, req.reason.as_deref(), req.erase)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Staff: a user's account, the ID number masked (the full number takes
/// `POST /admin/users/{id}/id-number/reveal`).
#[utoipa::path(get, path = "/admin/users/{id}", tag = "admin", security(("bearer" = [])), params(("id" = i64, Path, description = "The user's id")),
    responses((status = 200, description = "The account, ID number masked", body = UserProfile)))]
async fn admin_profile(
    State(uc): State<UserCenter>,
    Staff(auth): Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<UserProfile>, ApiError> {
    Ok(Json(uc.admin_profile(auth.user_id, id).await?))
}

async fn approve(
    uc: &UserCenter,
    auth: AuthContext,
    id: i64,
    kind: VerificationKind,
) -> Result<Json<Verification>, ApiError> {
    Ok(Json(uc.approve_verification(&auth, id, kind).await?))
}

async fn reject(
    uc: &UserCenter,
    auth: AuthContext,
    id: i64,
    kind: VerificationKind,
    reason: &str,
) -> Result<Json<Verification>, ApiError> {
    Ok(Json(uc.reject_verification(&auth, id, kind, reason).await?))
}

/// Staff: approves the pending real-name submission.
///
/// `409 NOT_PENDING_REVIEW` if nothing awaits review.
#[utoipa::path(post, path = "/admin/users/{id}/verification/approve", tag = "admin", security(("bearer" = [])), params(("id" = i64, Path, description = "The user's id")),
    responses((status = 200, description = "The reviewed submission", body = Verification)))]
async fn approve_real_name(
    State(uc): State<UserCenter>,
    Staff(auth): Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Verification>, ApiError> {
    approve(&uc, auth, id, VerificationKind::RealName).await
}

/// Staff: rejects the pending real-name submission, with a reason the user sees.
#[utoipa::path(post, path = "/admin/users/{id}/verification/reject", tag = "admin", security(("bearer" = [])), params(("id" = i64, Path, description = "The user's id")),
    request_body = RejectRequest,
    responses((status = 200, description = "The reviewed submission", body = Verification)))]
async fn reject_real_name(
    State(uc): State<UserCenter>,
    Staff(auth): Staff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<RejectRequest>,
) -> Result<Json<Verification>, ApiError> {
    reject(&uc, auth, id, VerificationKind::RealName, &req.reason).await
}

/// Staff: approves the pending qualification submission.
///
/// `409 NOT_PENDING_REVIEW` if nothing awaits review.
#[utoipa::path(post, path = "/admin/users/{id}/qualification/approve", tag = "admin", security(("bearer" = [])), params(("id" = i64, Path, description = "The user's id")),
    responses((status = 200, description = "The reviewed submission", body = Verification)))]
async fn approve_qualification(
    State(uc): State<UserCenter>,
    Staff(auth): Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Verification>, ApiError> {
    approve(&uc, auth, id, VerificationKind::Qualification).await
}

/// Staff: rejects the pending qualification submission, with a reason the user sees.
#[utoipa::path(post, path = "/admin/users/{id}/qualification/reject", tag = "admin", security(("bearer" = [])), params(("id" = i64, Path, description = "The user's id")),
    request_body = RejectRequest,
    responses((status = 200, description = "The reviewed submission", body = Verification)))]
async fn reject_qualification(
    State(uc): State<UserCenter>,
    Staff(auth): Staff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<RejectRequest>,
) -> Result<Json<Verification>, ApiError> {
    reject(&uc, auth, id, VerificationKind::Qualification, &req.reason).await
}

async fn set_frozen(
    uc: &UserCenter,
    auth: AuthContext,
    id: i64,
    frozen: bool,
) -> Result<StatusCode, ApiError> {
    uc.set_frozen(&auth, id, frozen).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Staff: freezes an account.
///
/// A frozen account keeps its data but cannot sign in, use its tokens or
/// move money; `409 ACCOUNT_CLOSED` for a closed one.
#[utoipa::path(post, path = "/admin/users/{id}/freeze", tag = "admin", security(("bearer" = [])), params(("id" = i64, Path, description = "The user's id")),
    responses((status = 204, description = "Frozen")))]
async fn freeze(
    State(uc): State<UserCenter>,
    Staff(auth): Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    set_frozen(&uc, auth, id, true).await
}

/// Staff: lifts a freeze.
#[utoipa::path(post, path = "/admin/users/{id}/unfreeze", tag = "admin", security(("bearer" = [])), params(("id" = i64, Path, description = "The user's id")),
    responses((status = 204, description = "Active again")))]
async fn unfreeze(
    State(uc): State<UserCenter>,
    Staff(auth): Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    set_frozen(&uc, auth, id, false).await
}

/// Staff: closes an account; balances must be zero.
///
/// `authorised_by` is the id of the staff member who authorised it.
#[utoipa::path(post, path = "/admin/users/{id}/close", tag = "admin", security(("bearer" = [])), params(("id" = i64, Path, description = "The user's id")),
    request_body = AdminCloseRequest,
    responses((status = 204, description = "Closed")))]
async fn close(
    State(uc): State<UserCenter>,
    Staff(auth): Staff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AdminCloseRequest>,
) -> Result<StatusCode, ApiError> {
    uc.close_account(&auth, id, &req.reason, req.authorised_by)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
