//! Avatars and verification documents over HTTP.
//!
//! Uploads are raw request bodies (`Content-Type: image/…` or
//! `application/octet-stream`), up to [`UPLOAD_BODY_LIMIT`]: these routes
//! are mounted outside the 1 MiB cap of the rest of the site (see
//! `router` in `main.rs`). Neither content type may be sent cross-site
//! without a CORS preflight, which this server never grants, so the
//! cookie-authenticated uploads need no CSRF token.
//!
//! Avatars are public and immutable under their content hash
//! (`/media/avatars/{hash}-{size}.png`); documents are only ever answered
//! to their owner or to staff, and never cached.

use super::authenticated;
use crate::api_error::{ApiError, ApiQuery};
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use domain::media::PrivateDocument;
use domain::UserCenter;
use shared::dto::UserProfile;
use shared::media::{parse_avatar_file_name, DocumentInfo, DocumentUploadQuery, MAX_IMAGE_BYTES};
use shared::{AppError, ErrorCode};

/// The body limit of the upload routes: the largest image plus room for a
/// client that miscounts; anything bigger is `413 PAYLOAD_TOO_LARGE`
/// before it is read, anything between is `413 IMAGE_TOO_LARGE`.
pub const UPLOAD_BODY_LIMIT: usize = MAX_IMAGE_BYTES + 64 * 1024;

/// Every media route, with full paths: they are merged beside (not nested
/// in) `/api/v1`, whose catch-all they take precedence over.
pub fn routes() -> Router<UserCenter> {
    Router::new()
        .route("/api/v1/me/avatar", put(set_avatar).delete(remove_avatar))
        .route("/api/v1/me/documents", get(documents).post(upload_document))
        .route("/api/v1/me/documents/{id}", get(own_document))
        .route("/api/v1/admin/documents/{id}", get(admin_document))
        .route("/media/avatars/{file}", get(avatar))
}

/// An upload's raw bytes. The content type only has to claim an image (or
/// be absent, or generic); what the bytes are is decided by sniffing them.
pub struct ImageBody(pub Vec<u8>);

impl<S: Send + Sync> FromRequest<S> for ImageBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let acceptable = match req.headers().get(header::CONTENT_TYPE) {
            None => true,
            Some(value) => value.to_str().is_ok_and(|v| {
                let v = v.trim().to_ascii_lowercase();
                v.starts_with("image/") || v.starts_with("application/octet-stream")
            }),
        };
        if !acceptable {
            return Err(ApiError(AppError::with_message(
                ErrorCode::ImageUnsupported,
                "Send the image as the raw body with Content-Type image/jpeg, image/png, image/webp or image/gif.",
            )));
        }
        match Bytes::from_request(req, state).await {
            Ok(bytes) => Ok(ImageBody(bytes.to_vec())),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ErrorCode::PayloadTooLarge.into())
            }
            Err(rejection) => Err(ApiError(AppError::with_message(
                ErrorCode::InvalidInput,
                rejection.body_text(),
            ))),
        }
    }
}

async fn set_avatar(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    ImageBody(bytes): ImageBody,
) -> Result<Json<UserProfile>, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    Ok(Json(uc.set_avatar(auth.user_id, bytes).await?))
}

async fn remove_avatar(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
) -> Result<Json<UserProfile>, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    Ok(Json(uc.remove_avatar(auth.user_id).await?))
}

async fn upload_document(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<DocumentUploadQuery>,
    ImageBody(bytes): ImageBody,
) -> Result<(StatusCode, Json<DocumentInfo>), ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    let info = uc.upload_document(auth.user_id, query.kind, bytes).await?;
    Ok((StatusCode::CREATED, Json(info)))
}

async fn documents(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
) -> Result<Json<Vec<DocumentInfo>>, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    Ok(Json(uc.documents(auth.user_id).await?))
}

/// A private image: never stored by caches, never sniffed as anything else.
fn private_image(doc: PrivateDocument) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("inline"),
            ),
        ],
        doc.bytes,
    )
        .into_response()
}

async fn own_document(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    Ok(private_image(uc.own_document(auth.user_id, id).await?))
}

async fn admin_document(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let auth = authenticated(&uc, &headers).await?;
    Ok(private_image(
        uc.read_private_document(auth.user_id, id).await?,
    ))
}

/// Whether `If-None-Match` lists `etag` (weak comparison, as RFC 9110
/// asks for this header) or is `*`.
fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim())
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// A public avatar. Its URL names its content, so it is cached for a year
/// and never revalidated; a client that asks anyway gets `304`.
async fn avatar(
    State(uc): State<UserCenter>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let (hash, size) = parse_avatar_file_name(&file).ok_or(ErrorCode::NotFound)?;
    let etag = format!("\"{hash}-{size}\"");
    let etag_value = HeaderValue::from_str(&etag).map_err(|_| ErrorCode::NotFound)?;
    let cache = HeaderValue::from_static("public, max-age=31536000, immutable");
    if matches_etag(&headers, &etag) {
        // The file must still exist: a removed avatar is not "unchanged".
        uc.avatar_file(hash, size).await?;
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag_value), (header::CACHE_CONTROL, cache)],
            Body::empty(),
        )
            .into_response());
    }
    let bytes = uc.avatar_file(hash, size).await?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/png")),
            (header::ETAG, etag_value),
            (header::CACHE_CONTROL, cache),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        bytes,
    )
        .into_response())
}
