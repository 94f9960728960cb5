//! Avatars and verification documents over HTTP.
//!
//! Uploads are raw request bodies (`Content-Type: image/…` or
//! `application/octet-stream`), up to [`UPLOAD_BODY_LIMIT`]: these routes
//! form their own router (see [`super::Api::media`]), which `main` mounts
//! under `/api/v1` outside the 1 MiB cap of the rest of the site. The
//! caller is authenticated (a header check), and the data disk's free space
//! and the document quota are checked, before a byte of the body is read;
//! cookie-authenticated uploads from another origin are refused by the
//! edge's guard like every other state change.
//!
//! Documents are only ever answered to their owner or to staff, and never
//! cached. The avatars themselves are public files under
//! `/media/avatars/{hash}-{size}.png`, outside the API: see `media_files`.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::media::PrivateDocument;
use domain::upload_limits::Upload;
use domain::{AuthContext, UserCenter};
use edge::{ApiError, ApiPath, ApiQuery, Authed, Staff};
use shared::dto::UserProfile;
use shared::media::{DocumentInfo, DocumentKind, DocumentUploadQuery, MAX_IMAGE_BYTES};
use shared::{AppError, ErrorCode};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The body limit of the upload routes: the largest image plus room for a
/// client that miscounts; anything bigger is `413 PAYLOAD_TOO_LARGE`
/// before it is read, anything between is `413 IMAGE_TOO_LARGE`.
pub const UPLOAD_BODY_LIMIT: usize = MAX_IMAGE_BYTES + 64 * 1024;

/// Answers a refused upload with `Connection: close`. A refusal made
/// before the body was read (no session, `429`, `507`, `413`) leaves the
/// rest of the body on the connection, so the server closes it after
/// answering; without the header a client reuses it for its next request,
/// which then fails as "disconnected without a response" (seen by the
/// disk-full fault of `scripts/reliability`). Reads are left alone.
pub async fn close_after_refusal(request: Request, next: axum::middleware::Next) -> Response {
    let upload = !matches!(*request.method(), Method::GET | Method::HEAD);
    let mut response = next.run(request).await;
    if upload && (response.status().is_client_error() || response.status().is_server_error()) {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// The media operations under `/api/v1`, with paths relative to it like
/// every other module's. Kept apart from [`super::api`]'s main router only
/// because of their body limit.
pub fn routes() -> OpenApiRouter<UserCenter> {
    OpenApiRouter::new()
        .routes(routes!(set_avatar, remove_avatar))
        .routes(routes!(documents, upload_document))
        .routes(routes!(own_document))
        .routes(routes!(admin_document))
}

/// A file's bytes (an image, the data export's zip), for the document: a binary
/// string.
pub(crate) struct BinaryFile;

impl utoipa::PartialSchema for BinaryFile {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl utoipa::ToSchema for BinaryFile {}

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

impl ImageBody {
    /// Reads the body only once the disk has room and the user's document
    /// quota allows it (`507 STORAGE_FULL`, `409 DOCUMENT_QUOTA`): a refused
    /// upload's megabytes are never received.
    async fn after_room_check(
        uc: &UserCenter,
        auth: &AuthContext,
        what: Upload,
        body: Request,
    ) -> Result<Self, ApiError> {
        uc.check_upload_room(auth.user_id, what).await?;
        ImageBody::from_request(body, &()).await
    }
}

/// Sets the signed-in user's avatar from an uploaded image.
///
/// The body is the image file itself (JPEG, PNG, WebP or GIF, up to 5 MiB,
/// at most 4096 pixels a side); what it is is read from its bytes, not from
/// `Content-Type`. It is cropped to a square and stored as 256 and 64 pixel
/// PNGs, whose public URLs (`/media/avatars/…`) the answer carries.
#[utoipa::path(put, path = "/me/avatar", tag = "media", security(("bearer" = [])),
    request_body(description = "The image file as the raw body",
        content((inline(BinaryFile) = "image/jpeg"), (inline(BinaryFile) = "image/png"),
            (inline(BinaryFile) = "image/webp"), (inline(BinaryFile) = "image/gif"),
            (inline(BinaryFile) = "application/octet-stream"))),
    responses((status = 200, description = "The account with its new avatar URLs", body = UserProfile),
        (status = 400, description = "`IMAGE_EMPTY`, `IMAGE_CORRUPT` or `IMAGE_DIMENSIONS_TOO_LARGE`", body = AppError),
        (status = 413, description = "`IMAGE_TOO_LARGE` (over 5 MiB) or `PAYLOAD_TOO_LARGE` (body over the upload limit)", body = AppError),
        (status = 415, description = "`IMAGE_UNSUPPORTED`: not a JPEG, PNG, WebP or GIF image", body = AppError),
        (status = 429, description = "`RATE_LIMITED`: more uploads this hour than `UC_UPLOADS_PER_HOUR`; see `retry_after_secs`", body = AppError),
        (status = 507, description = "`STORAGE_FULL`: the server's data disk is under its free-space floor", body = AppError)))]
async fn set_avatar(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
    body: Request,
) -> Result<Json<UserProfile>, ApiError> {
    let ImageBody(bytes) = ImageBody::after_room_check(&uc, &auth, Upload::Avatar, body).await?;
    Ok(Json(uc.set_avatar(auth.user_id, bytes).await?))
}

/// Removes the signed-in user's avatar; the default one is shown again.
#[utoipa::path(delete, path = "/me/avatar", tag = "media", security(("bearer" = [])),
    responses((status = 200, description = "The account without an avatar", body = UserProfile)))]
async fn remove_avatar(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
) -> Result<Json<UserProfile>, ApiError> {
    Ok(Json(uc.remove_avatar(auth.user_id).await?))
}

/// Uploads a verification document (an ID card side or a qualification).
///
/// The body is the image file itself, as for `PUT /me/avatar`. It is stored
/// privately as a JPEG; pass its `id` to the verification submission. A
/// document no submission references within 24 hours is deleted.
#[utoipa::path(post, path = "/me/documents", tag = "media", security(("bearer" = [])),
    params(("kind" = inline(DocumentKind), Query, description = "What the image shows")),
    request_body(description = "The image file as the raw body",
        content((inline(BinaryFile) = "image/jpeg"), (inline(BinaryFile) = "image/png"),
            (inline(BinaryFile) = "image/webp"), (inline(BinaryFile) = "image/gif"),
            (inline(BinaryFile) = "application/octet-stream"))),
    responses((status = 201, description = "The stored document", body = DocumentInfo),
        (status = 400, description = "`INVALID_INPUT` (no or unknown `kind`), `IMAGE_EMPTY`, `IMAGE_CORRUPT` or `IMAGE_DIMENSIONS_TOO_LARGE`", body = AppError),
        (status = 409, description = "`DOCUMENT_QUOTA`: already 20 documents not attached to a submission", body = AppError),
        (status = 413, description = "`IMAGE_TOO_LARGE` (over 5 MiB) or `PAYLOAD_TOO_LARGE` (body over the upload limit)", body = AppError),
        (status = 415, description = "`IMAGE_UNSUPPORTED`: not a JPEG, PNG, WebP or GIF image", body = AppError),
        (status = 429, description = "`RATE_LIMITED`: more uploads this hour than `UC_UPLOADS_PER_HOUR`; see `retry_after_secs`", body = AppError),
        (status = 507, description = "`STORAGE_FULL`: the server's data disk is under its free-space floor", body = AppError)))]
async fn upload_document(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
    ApiQuery(query): ApiQuery<DocumentUploadQuery>,
    body: Request,
) -> Result<(StatusCode, Json<DocumentInfo>), ApiError> {
    let ImageBody(bytes) = ImageBody::after_room_check(&uc, &auth, Upload::Document, body).await?;
    let info = uc.upload_document(auth.user_id, query.kind, bytes).await?;
    Ok((StatusCode::CREATED, Json(info)))
}

/// The signed-in user's uploaded documents, without the images.
#[utoipa::path(get, path = "/me/documents", tag = "media", security(("bearer" = [])),
    responses((status = 200, description = "The documents, newest first", body = Vec<DocumentInfo>)))]
async fn documents(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
) -> Result<Json<Vec<DocumentInfo>>, ApiError> {
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

/// One of the signed-in user's documents, as a JPEG image.
///
/// Answered with `Cache-Control: private, no-store`.
#[utoipa::path(get, path = "/me/documents/{id}", tag = "media", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The document id from `GET /me/documents`")),
    responses((status = 200, description = "The image", content_type = "image/jpeg", body = inline(BinaryFile)),
        (status = 404, description = "`NOT_FOUND`: no such document of this user", body = AppError)))]
async fn own_document(
    State(uc): State<UserCenter>,
    Authed(auth): Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    Ok(private_image(uc.own_document(auth.user_id, id).await?))
}

/// Any user's document, as a JPEG image, for reviewing a verification (staff only).
///
/// Answered with `Cache-Control: private, no-store`.
#[utoipa::path(get, path = "/admin/documents/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The document id, as listed with the user's verifications")),
    responses((status = 200, description = "The image", content_type = "image/jpeg", body = inline(BinaryFile)),
        (status = 403, description = "`FORBIDDEN`: not staff", body = AppError),
        (status = 404, description = "`NOT_FOUND`: no such document", body = AppError)))]
async fn admin_document(
    State(uc): State<UserCenter>,
    Staff(auth): Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    Ok(private_image(uc.read_private_document(&auth, id).await?))
}
