//! Profile, real-name verification and account state over JSON.
//!
//! Users edit their profile, submit verifications and close their own
//! account; staff review submissions, freeze, unfreeze and close accounts.
//! Staff rights are checked by the domain against the database on every
//! request (`FORBIDDEN` otherwise).

use super::authenticated;
use crate::api_error::{ApiError, ApiJson};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::UserCenter;
use shared::dto::UserProfile;
use shared::profile::{
    AdminCloseRequest, CloseOwnAccountRequest, RejectRequest, SubmitQualificationRequest,
    SubmitRealNameRequest, UpdateProfileRequest, Verification, VerificationKind,
    VerificationOverview,
};

pub fn routes() -> Router<UserCenter> {
    Router::new()
        .route("/me/profile", get(profile).patch(update_profile))
        .route(
            "/me/verification",
            get(verifications).post(submit_real_name),
        )
        .route("/me/qualification", post(submit_qualification))
        .route("/me/close", post(close_own))
        .route("/admin/users/{id}", get(admin_profile))
        .route(
            "/admin/users/{id}/verification/approve",
            post(approve_real_name),
        )
        .route(
            "/admin/users/{id}/verification/reject",
            post(reject_real_name),
        )
        .route(
            "/admin/users/{id}/qualification/approve",
            post(approve_qualification),
        )
        .route(
            "/admin/users/{id}/qualification/reject",
            post(reject_qualification),
        )
        .route("/admin/users/{id}/freeze", post(freeze))
        .route("/admin/users/{id}/unfreeze", post(unfreeze))
        .route("/admin/users/{id}/close", post(close))
}

async fn profile(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
) -> Result<Json<UserProfile>, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    Ok(Json(uc.profile(auth.user_id).await?))
}

async fn update_profile(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateProfileRequest>,
) -> Result<Json<UserProfile>, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    Ok(Json(uc.update_profile(auth.user_id, &req).await?))
}

async fn verifications(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
) -> Result<Json<VerificationOverview>, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    Ok(Json(uc.verifications(auth.user_id).await?))
}

async fn submit_real_name(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<SubmitRealNameRequest>,
) -> Result<(StatusCode, Json<Verification>), ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    let photos = domain::verification::IdCardPhotos {
        front: req.id_front_document,
        back: req.id_back_document,
    };
    let v = uc
        .submit_real_name_with_photos(auth.user_id, &req.real_name, &req.id_number, photos)
        .await?;
    Ok((StatusCode::CREATED, Json(v)))
}

async fn submit_qualification(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<SubmitQualificationRequest>,
) -> Result<(StatusCode, Json<Verification>), ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    let v = uc
        .submit_qualification_with_photo(auth.user_id, &req.document, req.document_id)
        .await?;
    Ok((StatusCode::CREATED, Json(v)))
}

async fn close_own(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<CloseOwnAccountRequest>,
) -> Result<StatusCode, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    uc.close_own_account(&auth, &req.password, req.reason.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn admin_profile(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<UserProfile>, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    Ok(Json(uc.admin_profile(auth.user_id, id).await?))
}

async fn approve(
    uc: &UserCenter,
    headers: &HeaderMap,
    id: i64,
    kind: VerificationKind,
) -> Result<Json<Verification>, ApiError> {
    let auth = authenticated(uc, headers).await?;
    Ok(Json(uc.approve_verification(auth.user_id, id, kind).await?))
}

async fn reject(
    uc: &UserCenter,
    headers: &HeaderMap,
    id: i64,
    kind: VerificationKind,
    reason: &str,
) -> Result<Json<Verification>, ApiError> {
    let auth = authenticated(uc, headers).await?;
    Ok(Json(
        uc.reject_verification(auth.user_id, id, kind, reason)
            .await?,
    ))
}

async fn approve_real_name(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<Verification>, ApiError> {
    approve(&uc, &headers, id, VerificationKind::RealName).await
}

async fn reject_real_name(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<RejectRequest>,
) -> Result<Json<Verification>, ApiError> {
    reject(&uc, &headers, id, VerificationKind::RealName, &req.reason).await
}

async fn approve_qualification(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<Verification>, ApiError> {
    approve(&uc, &headers, id, VerificationKind::Qualification).await
}

async fn reject_qualification(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<RejectRequest>,
) -> Result<Json<Verification>, ApiError> {
    reject(
        &uc,
        &headers,
        id,
        VerificationKind::Qualification,
        &req.reason,
    )
    .await
}

async fn set_frozen(
    uc: &UserCenter,
    headers: &HeaderMap,
    id: i64,
    frozen: bool,
) -> Result<StatusCode, ApiError> {
    let auth = authenticated(uc, headers).await?;
    uc.set_frozen(auth.user_id, id, frozen).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn freeze(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    set_frozen(&uc, &headers, id, true).await
}

async fn unfreeze(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    set_frozen(&uc, &headers, id, false).await
}

async fn close(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<AdminCloseRequest>,
) -> Result<StatusCode, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    uc.close_account(auth.user_id, id, &req.reason, req.authorised_by)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
