//! HTTP-level tests of avatars and private documents: uploads as raw
//! bodies, the public avatar URLs with their caching headers, and who may
//! read a document.

use crate::tests::{server, Server};
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use serde_json::{json, Value};
use std::io::Cursor;

pub(crate) fn png(width: u32, height: u32, seed: u8) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8 ^ seed, (y % 256) as u8, seed])
    });
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

impl Server {
    /// Sends a raw body; returns the status, headers and body bytes.
    async fn raw(
        &self,
        method: &str,
        path: &str,
        body: Vec<u8>,
        content_type: Option<&str>,
        token: Option<&str>,
        extra: &[(&str, &str)],
    ) -> (StatusCode, HeaderMap, Vec<u8>) {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        for (name, value) in extra {
            req = req.header(*name, *value);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    /// Uploads an avatar; returns the status and the JSON answer.
    async fn put_avatar(&self, token: &str, body: Vec<u8>, ct: &str) -> (StatusCode, Value) {
        let (status, _, bytes) = self
            .raw("PUT", "/api/v1/me/avatar", body, Some(ct), Some(token), &[])
            .await;
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
}

#[tokio::test]
async fn avatar_upload_serve_cache_and_remove() {
    let s = server().await;
    let (_, token) = s.signup("ava@example.com").await;

    let (status, body) = s.put_avatar(&token, png(320, 200, 1), "image/png").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let url = body["avatar_url"].as_str().unwrap().to_string();
    let small = body["avatar_small_url"].as_str().unwrap().to_string();
    assert!(
        url.starts_with("/media/avatars/") && url.ends_with("-256.png"),
        "{url}"
    );
    let (_, me) = s.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me["avatar_url"], url.as_str());

    // Public, immutable, with a strong ETag; no session needed.
    let (status, headers, bytes) = s.raw("GET", &url, vec![], None, None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(bytes.starts_with(b"\x89PNG"));
    assert_eq!(headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(
        headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    let etag = headers[header::ETAG].to_str().unwrap().to_string();
    assert!(etag.starts_with('"') && !etag.starts_with("W/"), "{etag}");
    let (status, headers, bytes) = s
        .raw("GET", &url, vec![], None, None, &[("if-none-match", &etag)])
        .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(bytes.is_empty());
    assert_eq!(headers[header::ETAG], etag.as_str());
    let (status, _, _) = s
        .raw(
            "GET",
            &url,
            vec![],
            None,
            None,
            &[("if-none-match", "\"other\"")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, bytes) = s.raw("GET", &small, vec![], None, None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let decoded = image::load_from_memory(&bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (64, 64));

    // A new picture: a new URL.
    let (status, body) = s
        .put_avatar(&token, png(100, 100, 2), "application/octet-stream")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_ne!(body["avatar_url"], url.as_str());
    let (status, _, _) = s.raw("GET", &url, vec![], None, None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, body) = s
        .call("DELETE", "/api/v1/me/avatar", json!(null), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["avatar_url"].is_null());

    for bad in [
        "/media/avatars/nothing.png",
        "/media/avatars/..%2F..%2Fuser-center.db",
    ] {
        let (status, _, _) = s.raw("GET", bad, vec![], None, None, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
    }
}

#[tokio::test]
async fn bad_uploads_are_4xx_with_their_codes_and_keep_the_avatar() {
    let s = server().await;
    let (_, token) = s.signup("bad@example.com").await;
    let (status, body) = s.put_avatar(&token, png(64, 64, 3), "image/png").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let url = body["avatar_url"].clone();

    let full = png(64, 64, 4);
    let cases: Vec<(Vec<u8>, &str, StatusCode, &str)> = vec![
        (vec![], "image/png", StatusCode::BAD_REQUEST, "IMAGE_EMPTY"),
        (
            b"just some text, renamed to .png".to_vec(),
            "image/png",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "IMAGE_UNSUPPORTED",
        ),
        (
            b"plain text".to_vec(),
            "text/plain",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "IMAGE_UNSUPPORTED",
        ),
        (
            full[..full.len() / 2].to_vec(),
            "image/png",
            StatusCode::BAD_REQUEST,
            "IMAGE_CORRUPT",
        ),
        (
            png(4100, 1, 0),
            "image/png",
            StatusCode::BAD_REQUEST,
            "IMAGE_DIMENSIONS_TOO_LARGE",
        ),
        (
            vec![0; shared::media::MAX_IMAGE_BYTES + 10],
            "image/png",
            StatusCode::PAYLOAD_TOO_LARGE,
            "IMAGE_TOO_LARGE",
        ),
        (
            vec![0; crate::rest::media::UPLOAD_BODY_LIMIT + 1],
            "image/png",
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
        ),
    ];
    for (bytes, ct, expected_status, code) in cases {
        let (status, body) = s.put_avatar(&token, bytes, ct).await;
        assert_eq!(status, expected_status, "{code}: {body}");
        assert_eq!(body["code"], code);
        let (_, me) = s.get("/api/v1/me", Some(&token)).await;
        assert_eq!(me["avatar_url"], url, "{code}");
    }

    // Signed out: 401, whatever the body.
    let (status, _, _) = s
        .raw(
            "PUT",
            "/api/v1/me/avatar",
            png(8, 8, 0),
            Some("image/png"),
            None,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Even a body over the limit is not read for a caller nobody knows:
    // the answer is about the missing sign-in, not the size.
    for path in ["/api/v1/me/avatar", "/api/v1/me/documents"] {
        let method = if path.ends_with("avatar") {
            "PUT"
        } else {
            "POST"
        };
        let (status, _, _) = s
            .raw(
                method,
                path,
                vec![0u8; 6 << 20],
                Some("image/png"),
                None,
                &[],
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
    }
    // Document uploads share the larger limit: 2 MiB reach the handler.
    s.consent(&token).await;
    let (status, _, bytes) = s
        .raw(
            "POST",
            "/api/v1/me/documents?kind=id_back",
            vec![0; 2 * 1024 * 1024],
            Some("image/png"),
            Some(&token),
            &[],
        )
        .await;
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        (status, body["code"].as_str()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("IMAGE_UNSUPPORTED")
        )
    );
    // The rest of the site keeps its 1 MiB cap.
    let (status, _) = s
        .json(
            "POST",
            "/api/v1/me/qualification",
            Body::from(vec![b' '; 2 * 1024 * 1024]),
            "application/json",
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn documents_are_private_to_owner_and_staff() {
    let s = server().await;
    let staff = s.staff().await;
    let (owner_id, owner) = s.signup("doc@example.com").await;
    let (_, other) = s.signup("snoop@example.com").await;
    s.consent(&owner).await;

    let (status, _, bytes) = s
        .raw(
            "POST",
            "/api/v1/me/documents?kind=id_front",
            png(800, 500, 5),
            Some("image/png"),
            Some(&owner),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let front: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(front["kind"], "id_front");
    let id = front["id"].as_i64().unwrap();

    let (status, _, bytes) = s
        .raw(
            "POST",
            "/api/v1/me/documents?kind=selfie",
            png(8, 8, 5),
            Some("image/png"),
            Some(&owner),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["code"], "INVALID_INPUT");

    let own = format!("/api/v1/me/documents/{id}");
    let admin = format!("/api/v1/admin/documents/{id}");
    let (status, headers, bytes) = s.raw("GET", &own, vec![], None, Some(&owner), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(headers[header::CACHE_CONTROL], "private, no-store");
    assert!(bytes.starts_with(&[0xff, 0xd8]));
    let (status, _, _) = s.raw("GET", &own, vec![], None, Some(&other), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = s.raw("GET", &own, vec![], None, None, &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = s.raw("GET", &admin, vec![], None, Some(&other), &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = s.raw("GET", &admin, vec![], None, Some(&owner), &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = s.raw("GET", &admin, vec![], None, None, &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, staff_bytes) = s.raw("GET", &admin, vec![], None, Some(&staff), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(staff_bytes, bytes);
    // Never under a public URL.
    let (status, _, _) = s
        .raw("GET", "/media/private/documents", vec![], None, None, &[])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The submission references it; another user's id is refused.
    s.consent(&other).await;
    let (status, body) = s
        .post_as(
            &other,
            "/api/v1/me/verification",
            json!({"real_name": "李四", "id_number": "440524188001010014", "id_front_document": id}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "INVALID_DOCUMENT");
    let (status, body) = s
        .post_as(
            &owner,
            "/api/v1/me/verification",
            json!({"real_name": "张三", "id_number": "440524188001010014", "id_front_document": id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["documents"][0]["id"], id);
    let (_, listed) = s.get("/api/v1/me/documents", Some(&owner)).await;
    assert_eq!(
        listed[0]["verification_id"],
        body["documents"][0]["verification_id"]
    );
    let (_, seen) = s
        .get(&format!("/api/v1/admin/users/{owner_id}"), Some(&staff))
        .await;
    assert_eq!(seen["id"], owner_id);
}

impl Server {
    /// Uploads a document of kind `id_front`; returns the status and answer.
    async fn post_document(&self, token: &str, body: Vec<u8>) -> (StatusCode, Value) {
        self.consent(token).await;
        let (status, _, bytes) = self
            .raw(
                "POST",
                "/api/v1/me/documents?kind=id_front",
                body,
                Some("image/png"),
                Some(token),
                &[],
            )
            .await;
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
}

#[tokio::test]
async fn unattached_documents_have_a_quota() {
    let mut settings = crate::tests::settings();
    settings.uploads.max_unattached_documents = 2;
    let s = crate::tests::server_with(settings).await;
    let (_, token) = s.signup("quota@example.com").await;
    for seed in 0..2 {
        let (status, body) = s.post_document(&token, png(60, 40, seed)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, body) = s.post_document(&token, png(60, 40, 9)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "DOCUMENT_QUOTA");
    let oversized = vec![0u8; crate::rest::media::UPLOAD_BODY_LIMIT + 1];
    let (status, body) = s.post_document(&token, oversized).await;
    assert_eq!(
        body["code"], "DOCUMENT_QUOTA",
        "refused before the body is read"
    );
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, listed) = s.get("/api/v1/me/documents", Some(&token)).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn uploads_per_hour_are_limited_with_a_retry_time() {
    let mut settings = crate::tests::settings();
    settings.uploads.per_hour = 2;
    let s = crate::tests::server_with(settings).await;
    let (_, token) = s.signup("hourly@example.com").await;
    let (status, body) = s.put_avatar(&token, png(60, 40, 1), "image/png").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = s.post_document(&token, png(60, 40, 2)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for attempt in [
        s.put_avatar(&token, png(60, 40, 3), "image/png").await,
        s.post_document(&token, png(60, 40, 4)).await,
    ] {
        let (status, body) = attempt;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert_eq!(body["code"], "RATE_LIMITED");
        assert!(body["retry_after_secs"].as_i64().is_some_and(|s| s > 0));
    }
}

#[tokio::test]
async fn uploads_stop_under_the_free_space_floor() {
    let mut settings = crate::tests::settings();
    // A floor above the disk's real free space: all of it.
    settings.uploads.min_free_bytes = u64::MAX;
    settings.uploads.min_free_percent = 100;
    let s = crate::tests::server_with(settings).await;
    let (_, token) = s.signup("full@example.com").await;
    for (status, body) in [
        s.post_document(&token, png(60, 40, 1)).await,
        s.put_avatar(&token, png(60, 40, 2), "image/png").await,
    ] {
        assert_eq!(status.as_u16(), 507, "{body}");
        assert_eq!(body["code"], "STORAGE_FULL");
    }
    assert!(!s._dir.path().join("media").exists(), "nothing written");
    // The unread body stays on the connection: the answer says it closes.
    let (status, headers, _) = s
        .raw(
            "PUT",
            "/api/v1/me/avatar",
            png(60, 40, 3),
            Some("image/png"),
            Some(&token),
            &[],
        )
        .await;
    assert_eq!(status.as_u16(), 507);
    assert_eq!(headers[header::CONNECTION], "close");
    // Refused before the body is read: even one over the upload limit.
    let oversized = vec![0u8; crate::rest::media::UPLOAD_BODY_LIMIT + 1];
    let (status, body) = s.post_document(&token, oversized).await;
    assert_eq!(status.as_u16(), 507, "{body}");
}

/// What a crash between an upload's file write and its database row leaves
/// (files nothing references, a half-written temporary file) is removed at
/// start; the files accounts and documents use stay.
#[tokio::test]
async fn start_removes_the_files_of_interrupted_uploads_only() {
    let s = server().await;
    let (_, token) = s.signup("sweep@example.com").await;
    let (status, body) = s.put_avatar(&token, png(64, 64, 7), "image/png").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, doc) = s.post_document(&token, png(80, 50, 3)).await;
    assert_eq!(status, StatusCode::CREATED, "{doc}");
    let media = s._dir.path().join("media");
    let kept: Vec<_> = walk(&media);
    assert_eq!(kept.len(), 3, "{kept:?}");

    let orphan_avatar = media
        .join("avatars/ab")
        .join(format!("{}-256.png", "ab".repeat(32)));
    let half_written = media
        .join("avatars/ab")
        .join(format!("{}-64.tmp-1f2e", "ab".repeat(32)));
    let orphan_document = media
        .join("private/documents/cd")
        .join(format!("{}.jpg", "cd".repeat(32)));
    for path in [&orphan_avatar, &half_written, &orphan_document] {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, b"left by a crash").unwrap();
    }
    let unknown = media.join("avatars/ab/README");
    std::fs::write(&unknown, b"not ours").unwrap();

    if s.db.is_postgres() {
        // Servers on one PostgreSQL database may share the media directory:
        // a young file may be another server's upload in progress, so it
        // stays until it is older than the grace (ten minutes).
        assert_eq!(s.uc.remove_orphan_media().await.unwrap(), 0);
        assert_eq!(walk(&media).len(), kept.len() + 4);
        let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        for path in walk(&media) {
            let file = std::fs::File::options().write(true).open(&path).unwrap();
            file.set_modified(long_ago).unwrap();
        }
    }
    let removed = s.uc.remove_orphan_media().await.unwrap();
    assert_eq!(removed, 3);
    let mut left = walk(&media);
    left.retain(|p| p != &unknown);
    assert_eq!(left, kept);
    // Nothing left to do the second time.
    assert_eq!(s.uc.remove_orphan_media().await.unwrap(), 0);
    let url = body["avatar_url"].as_str().unwrap();
    assert_eq!(
        s.raw("GET", url, vec![], None, None, &[]).await.0,
        StatusCode::OK
    );
}

/// Every file below `dir`, sorted.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}
