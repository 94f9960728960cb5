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
    /// A full data disk comes out as `507 STORAGE_FULL` (see
    /// [`DomainError::to_app_error`]), every other internal failure as `500`.
    fn from(e: DomainError) -> Self {
        ApiError(e.to_app_error())
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
