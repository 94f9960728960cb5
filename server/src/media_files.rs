//! The public avatar files, `/media/avatars/{hash}-{size}.png`.
//!
//! These are static files named by their content, not operations of the
//! JSON API: they live outside `/api/v1`, are linked from `avatar_url` in
//! the API's answers, and are not part of the OpenAPI document. That is why
//! this route is declared here and not in `rest/`, where every route must
//! be a documented `utoipa_axum::routes!` operation (`openapi_tests`).
//! Uploading and removing avatars are API operations: `rest::media`.

use axum::body::Body;
use axum::extract::{FromRef, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use domain::UserCenter;
use edge::ApiError;
use shared::media::parse_avatar_file_name;
use shared::ErrorCode;

/// The avatar file route, for any state that holds the [`UserCenter`].
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    UserCenter: FromRef<S>,
{
    Router::new().route("/media/avatars/{file}", get(avatar))
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
