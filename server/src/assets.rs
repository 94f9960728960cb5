//! The site's stored files (`LEPTOS_SITE_ROOT`): the hydrate script, WASM
//! and stylesheet under `/pkg`, and the public assets (the favicon).
//!
//! - A file built with compressed siblings (`x.br`, `x.gz`: `cargo leptos
//!   build --release --precompress`) is sent as the best of them the
//!   request's `Accept-Encoding` allows, with `Content-Encoding: br` or
//!   `gzip`; a file without them is sent as stored.
//! - A file under `/pkg` whose name carries its content's hash
//!   (`user-center.<hash>.wasm`: `hash-files = true`) never changes under
//!   that name: `Cache-Control: public, max-age=31536000, immutable`.
//! - Any other file is revalidated on each use (`Cache-Control: no-cache`,
//!   with `Last-Modified`).
//! - Every one says `Vary: Accept-Encoding`, for caches on the way.
//!
//! Responses (pages, JSON) are compressed on the fly by the router's
//! compression layer; a stored file is marked [`StoredFile`] so that layer
//! leaves it as it was stored.

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use http::{header, HeaderValue, Method, StatusCode};
use tower::ServiceExt;
use tower_http::services::ServeDir;

/// The cache policy of a file whose name carries its content's hash.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// The cache policy of any other stored file.
pub const REVALIDATE: &str = "no-cache";

/// Marks a response as a stored file, sent exactly as stored (or as its
/// stored compressed sibling).
#[derive(Clone, Copy, Debug)]
pub struct StoredFile;

/// Answers a `GET` or `HEAD` for a file under `site_root`; any other
/// request, or one for a file that is not there, is handed back.
pub async fn serve(site_root: &str, pkg_dir: &str, req: Request) -> Result<Response, Request> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Err(req);
    }
    let mut probe = Request::new(Body::empty());
    *probe.method_mut() = req.method().clone();
    *probe.uri_mut() = req.uri().clone();
    *probe.headers_mut() = req.headers().clone();
    let Ok(res) = ServeDir::new(site_root)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false)
        .oneshot(probe)
        .await;
    if res.status() == StatusCode::NOT_FOUND {
        return Err(req);
    }
    let mut res = res.map(Body::new);
    let cache = if is_hashed(req.uri().path(), pkg_dir) {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    let headers = res.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    res.extensions_mut().insert(StoredFile);
    Ok(res)
}

/// Whether `path` names a file in the pkg directory whose name carries its
/// content's hash: cargo-leptos renames `name.ext` to `name.<hash>.ext`
/// (and leaves alone a file already named `<hash>.ext`), the hash being an
/// MD5 in 22 URL-safe base64 characters.
pub fn is_hashed(path: &str, pkg_dir: &str) -> bool {
    let pkg_dir = pkg_dir.trim_matches('/');
    let Some(rest) = path
        .strip_prefix('/')
        .and_then(|p| p.strip_prefix(pkg_dir))
        .and_then(|p| p.strip_prefix('/'))
    else {
        return false;
    };
    let name = rest.rsplit('/').next().unwrap_or(rest);
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 2
        && parts[..parts.len() - 1].iter().any(|part| {
            part.len() == 22
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn hashed_names_are_told_from_plain_ones() {
        let hash = "AbCdEfGhIjKlMnOpQr-_09";
        assert!(is_hashed(&format!("/pkg/user-center.{hash}.wasm"), "pkg"));
        assert!(is_hashed(&format!("/pkg/user-center.{hash}.js"), "/pkg"));
        assert!(is_hashed(&format!("/pkg/__wasm_split.{hash}.js"), "pkg"));
        assert!(!is_hashed("/pkg/user-center.wasm", "pkg"));
        assert!(!is_hashed("/pkg/user-center_bg.wasm", "pkg"));
        assert!(!is_hashed(&format!("/user-center.{hash}.wasm"), "pkg"));
        assert!(!is_hashed(&format!("/pkgx/user-center.{hash}.wasm"), "pkg"));
        assert!(is_hashed(&format!("/pkg/{hash}.wasm"), "pkg"));
        assert!(!is_hashed(&format!("/pkg/{hash}"), "pkg"));
        assert!(!is_hashed("/pkg/user-center.short.wasm", "pkg"));
        assert!(!is_hashed("/favicon.ico", "pkg"));
    }
}
