//! Personal data rights over JSON: the separate consent to processing
//! identity documents, and staff revealing a full ID number.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::data_export::ExportedFor;
use domain::UserCenter;
use edge::{ApiError, ApiJson, ApiPath, Authed, Staff};
use shared::privacy::{
    Consent, ConsentPurpose, ConsentWithdrawn, GiveConsentRequest, RevealIdRequest, RevealedId,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<UserCenter> {
    OpenApiRouter::new()
        .routes(routes!(consent, give_consent, withdraw_consent))
        .routes(routes!(reveal_id_number))
        .routes(routes!(export))
}

/// The archive as a download: never cached, named after the account.
pub(crate) fn zip_download(user_id: i64, zip: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"user-center-data-{user_id}.zip\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        zip,
    )
        .into_response()
}

/// Downloads the signed-in user's data: a zip with `data.json` (account,
/// profile with the full ID number, submissions, consents, sessions,
/// devices, the events about the user, the whole wallet history) and the
/// document photos. Audited as `data_exported`. The format is in README,
/// "Personal data".
#[utoipa::path(get, path = "/me/export", tag = "profile", security(("bearer" = [])),
    responses((status = 200, description = "The archive", content_type = "application/zip",
        body = inline(super::media::BinaryFile))))]
async fn export(State(uc): State<UserCenter>, Authed(auth): Authed) -> Result<Response, ApiError> {
    let zip = uc
        .export_personal_data(auth.user_id, ExportedFor::Owner(&auth))
        .await?;
    Ok(zip_download(auth.user_id, zip))
}

/// Where the consent to processing identity documents stands (the text's
/// current version, and the version and time the user agreed, if they did).
#[utoipa::path(get, path = "/me/consents/identity_documents", tag = "profile",
    security(("bearer" = [])),
    responses((status = 200, description = "The consent", body = Consent)))]
async fn consent(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
) -> Result<Json<Consent>, ApiError> {
    Ok(Json(
        uc.consent(auth.user_id, ConsentPurpose::IdentityDocuments)
            .await?,
    ))
}

/// Agrees to the processing of identity documents: needed before a
/// real-name submission or an ID-card photo (`409 CONSENT_REQUIRED`).
///
/// `version` must be the current text's (`400 INVALID_INPUT` otherwise).
/// Agreeing again while in force changes nothing.
#[utoipa::path(post, path = "/me/consents/identity_documents", tag = "profile",
    security(("bearer" = [])), request_body = GiveConsentRequest,
    responses((status = 200, description = "The consent, in force", body = Consent)))]
async fn give_consent(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
    ApiJson(req): ApiJson<GiveConsentRequest>,
) -> Result<Json<Consent>, ApiError> {
    let consent = uc
        .give_consent(
            auth.user_id,
            ConsentPurpose::IdentityDocuments,
            req.version,
            &auth,
        )
        .await?;
    Ok(Json(consent))
}

/// Withdraws the consent. Real-name submissions that are not verified
/// (pending or rejected) and every ID-card photo not part of a verified
/// one are deleted; a verified identity stays with the account.
#[utoipa::path(delete, path = "/me/consents/identity_documents", tag = "profile",
    security(("bearer" = [])),
    responses((status = 200, description = "What was deleted", body = ConsentWithdrawn)))]
async fn withdraw_consent(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
) -> Result<Json<ConsentWithdrawn>, ApiError> {
    let done = uc
        .withdraw_consent(auth.user_id, ConsentPurpose::IdentityDocuments, &auth)
        .await?;
    Ok(Json(done))
}

/// Staff: the full ID number of an account (its verified one, else the one
/// in its latest real-name submission). Everywhere else it is masked.
///
/// Audited as `id_number_revealed` with the reason. Only a super admin may
/// reveal a staff member's. `404 NOT_FOUND` when there is no number.
#[utoipa::path(post, path = "/admin/users/{id}/id-number/reveal", tag = "admin",
    security(("bearer" = [])), params(("id" = i64, Path, description = "The user's id")),
    request_body = RevealIdRequest,
    responses((status = 200, description = "The full number", body = RevealedId)))]
async fn reveal_id_number(
    State(uc): State<UserCenter>,
    Staff(auth): Staff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<RevealIdRequest>,
) -> Result<Json<RevealedId>, ApiError> {
    let id_number = uc.reveal_id_number(&auth, id, &req.reason).await?;
    Ok(Json(RevealedId { id_number }))
}
