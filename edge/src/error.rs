//! How errors become HTTP responses: the shared `AppError` as JSON with the
//! status its code implies. Internal details stay in the log.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, OptionalFromRequest, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::DomainError;
use shared::{AppError, ErrorCode};

#[derive(Debug)]
pub struct ApiError(pub AppError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self.0)).into_response()
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        if is_storage_full(&e) {
            tracing::error!(error = %e, "write refused: the data disk is full");
            return ApiError(AppError::new(ErrorCode::StorageFull));
        }
        ApiError(e.to_app_error())
    }
}

/// SQLite's primary result code for "database or disk is full".
const SQLITE_FULL: i32 = 13;

/// Whether a failure is the data disk being full: SQLite's `SQLITE_FULL`
/// (a write, sign-in or payment that needed room the disk no longer has)
/// or `ENOSPC` from a file write. Clients get `507 STORAGE_FULL`, which
/// tells them to try again later, instead of `500 INTERNAL`; nothing was
/// written either way.
fn is_storage_full(e: &DomainError) -> bool {
    match e {
        DomainError::Database(sqlx::Error::Database(db)) => db
            .code()
            .and_then(|code| code.parse::<i32>().ok())
            .is_some_and(|code| code & 0xff == SQLITE_FULL),
        DomainError::Database(sqlx::Error::Io(io)) | DomainError::Io(io) => {
            io.kind() == std::io::ErrorKind::StorageFull
        }
        _ => false,
    }
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        ApiError(AppError::new(code))
    }
}

/// `Json<T>` whose rejections are shared error codes: malformed or unknown
/// fields are `INVALID_INPUT` (400), a wrong content type is
/// `UNSUPPORTED_MEDIA_TYPE` (415), an oversized body `PAYLOAD_TOO_LARGE` (413).
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(ApiError(rejection_to_error(&rejection))),
        }
    }
}

/// An optional body (`Option<ApiJson<T>>`): absent when the request says
/// no JSON (no `Content-Type: application/json`), refused like `ApiJson`
/// when it says JSON and is not.
impl<S, T> OptionalFromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    Json<T>: OptionalFromRequest<S, Rejection = JsonRejection>,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, Self::Rejection> {
        match <Json<T> as OptionalFromRequest<S>>::from_request(req, state).await {
            Ok(value) => Ok(value.map(|Json(value)| ApiJson(value))),
            Err(rejection) => Err(ApiError(rejection_to_error(&rejection))),
        }
    }
}

/// `Query<T>` whose rejections (an unknown or repeated parameter, a value of
/// the wrong type) are `INVALID_INPUT` (400) like a bad JSON body.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    Query<T>: FromRequestParts<S, Rejection = QueryRejection>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(ApiError(AppError::with_message(
                ErrorCode::InvalidInput,
                rejection.body_text(),
            ))),
        }
    }
}

/// `Path<T>` whose rejections (an id that is not a number, or out of range)
/// are `INVALID_INPUT` (400) in the JSON error body like every other answer,
/// not axum's plain-text message.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    Path<T>: FromRequestParts<S, Rejection = PathRejection>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(ApiError(AppError::with_message(
                ErrorCode::InvalidInput,
                rejection.body_text(),
            ))),
        }
    }
}

fn rejection_to_error(rejection: &JsonRejection) -> AppError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => AppError::with_message(
            ErrorCode::UnsupportedMediaType,
            "Expected a request with Content-Type: application/json.",
        ),
        JsonRejection::JsonDataError(e) => {
            AppError::with_message(ErrorCode::InvalidInput, e.body_text())
        }
        JsonRejection::JsonSyntaxError(e) => {
            AppError::with_message(ErrorCode::InvalidInput, e.body_text())
        }
        JsonRejection::BytesRejection(_) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::new(ErrorCode::PayloadTooLarge)
        }
        _ => AppError::new(ErrorCode::InvalidInput),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Connection;

    fn code_of(e: DomainError) -> ErrorCode {
        ApiError::from(e).0.code
    }

    /// A real `SQLITE_FULL`: an in-memory database capped at a few pages.
    async fn sqlite_full() -> sqlx::Error {
        let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .unwrap();
        sqlx::query("PRAGMA max_page_count = 4")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("CREATE TABLE t (b BLOB)")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("INSERT INTO t VALUES (zeroblob(100000))")
            .execute(&mut conn)
            .await
            .unwrap_err()
    }

    #[tokio::test]
    async fn a_full_disk_is_storage_full_not_internal() {
        assert_eq!(code_of(sqlite_full().await.into()), ErrorCode::StorageFull);
        let enospc = std::io::Error::from_raw_os_error(28);
        assert_eq!(code_of(enospc.into()), ErrorCode::StorageFull);
        // Other failures stay internal.
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert_eq!(code_of(denied.into()), ErrorCode::Internal);
        assert_eq!(
            code_of(sqlx::Error::RowNotFound.into()),
            ErrorCode::Internal
        );
    }
}
