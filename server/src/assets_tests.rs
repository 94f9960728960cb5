//! Stored files and compression through the whole router: precompressed
//! siblings chosen by `Accept-Encoding`, cache headers of hashed and plain
//! files, pages not cached that way, and pages and JSON compressed on the
//! fly. The site is a small fixture in a temporary directory, built the
//! way `cargo leptos build --release --precompress` lays one out.

use crate::assets::{IMMUTABLE, REVALIDATE};
use crate::tests::{server_with_site, Server, SITE_HOST};
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use std::io::{Read, Write};
use std::path::Path;

/// A content hash as cargo-leptos writes it into a file name.
const HASH: &str = "Xq3RZ0v-Ab_cdEfGh1jKlM";

fn wasm_path() -> String {
    format!("/pkg/user-center.{HASH}.wasm")
}

/// Something shaped like a WASM module, large and repetitive enough that
/// compression pays.
fn fake_wasm() -> Vec<u8> {
    let mut bytes = b"\0asm\x01\0\0\0".to_vec();
    for i in 0..20_000u32 {
        bytes.extend_from_slice(&(i % 251).to_le_bytes());
    }
    bytes
}

fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams::default();
    brotli::BrotliCompress(&mut &data[..], &mut out, &params).unwrap();
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

fn unbrotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(data, 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn ungzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// Writes `name` and, with `precompressed`, its `.br` and `.gz` siblings.
fn put(dir: &Path, name: &str, data: &[u8], precompressed: bool) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, data).unwrap();
    if precompressed {
        std::fs::write(format!("{}.br", path.display()), brotli(data)).unwrap();
        std::fs::write(format!("{}.gz", path.display()), gzip(data)).unwrap();
    }
}

/// A server over a fixture site: the hashed WASM (precompressed), an
/// unhashed stylesheet and a favicon; returns the server, the site's
/// directory (kept alive with it) and the WASM's bytes.
async fn site() -> (Server, tempfile::TempDir, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let wasm = fake_wasm();
    put(dir.path(), &wasm_path()[1..], &wasm, true);
    put(
        dir.path(),
        "pkg/user-center.css",
        b"main { margin: 0 auto; }\n",
        false,
    );
    put(
        dir.path(),
        "favicon.ico",
        &[0u8, 0, 1, 0, 1, 0, 16, 16],
        false,
    );
    let s = server_with_site(dir.path()).await;
    (s, dir, wasm)
}

async fn get(s: &Server, path: &str, headers: &[(header::HeaderName, &str)]) -> Answer {
    let mut b = Request::builder().uri(path).header(header::HOST, SITE_HOST);
    for (name, value) in headers {
        b = b.header(name, *value);
    }
    let (status, headers, body) = s.send_exact(b.body(Body::empty()).unwrap()).await;
    Answer {
        status,
        headers,
        body,
    }
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    fn varies_by_encoding(&self) -> bool {
        self.headers.get_all(header::VARY).iter().any(|v| {
            v.to_str()
                .unwrap()
                .to_ascii_lowercase()
                .contains("accept-encoding")
        })
    }
}

#[tokio::test]
async fn the_wasm_is_sent_as_its_stored_brotli_or_gzip_copy_as_asked() {
    let (s, _dir, wasm) = site().await;

    let br = get(
        &s,
        &wasm_path(),
        &[(header::ACCEPT_ENCODING, "gzip, deflate, br")],
    )
    .await;
    assert_eq!(br.status, StatusCode::OK);
    assert_eq!(br.header(header::CONTENT_ENCODING), Some("br"));
    assert_eq!(br.header(header::CONTENT_TYPE), Some("application/wasm"));
    assert!(br.varies_by_encoding());
    assert!(br.body.len() < wasm.len() / 2, "{} bytes", br.body.len());
    assert_eq!(unbrotli(&br.body), wasm, "decompressed, the WASM as built");

    let gz = get(&s, &wasm_path(), &[(header::ACCEPT_ENCODING, "gzip")]).await;
    assert_eq!(gz.header(header::CONTENT_ENCODING), Some("gzip"));
    assert_eq!(ungzip(&gz.body), wasm);

    // A client that asks for neither gets the file as it is.
    let plain = get(&s, &wasm_path(), &[]).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.header(header::CONTENT_ENCODING), None);
    assert_eq!(plain.body, wasm);
    assert!(plain.varies_by_encoding());
    let refused = get(
        &s,
        &wasm_path(),
        &[(header::ACCEPT_ENCODING, "br;q=0, gzip;q=0")],
    )
    .await;
    assert_eq!(refused.header(header::CONTENT_ENCODING), None);
    assert_eq!(refused.body, wasm);
}

#[tokio::test]
async fn hashed_files_are_immutable_and_pages_are_revalidated() {
    let (s, _dir, _) = site().await;

    let wasm = get(&s, &wasm_path(), &[(header::ACCEPT_ENCODING, "br")]).await;
    assert_eq!(wasm.header(header::CACHE_CONTROL), Some(IMMUTABLE));
    assert_eq!(IMMUTABLE, "public, max-age=31536000, immutable");

    // Revalidating a hashed file still works, and keeps its policy.
    let since = wasm
        .header(header::LAST_MODIFIED)
        .expect("Last-Modified")
        .to_string();
    let again = get(
        &s,
        &wasm_path(),
        &[(header::IF_MODIFIED_SINCE, since.as_str())],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert_eq!(again.header(header::CACHE_CONTROL), Some(IMMUTABLE));

    // Files without a hash in their names may change under them.
    for path in ["/pkg/user-center.css", "/favicon.ico"] {
        let plain = get(&s, path, &[(header::ACCEPT_ENCODING, "br")]).await;
        assert_eq!(plain.status, StatusCode::OK, "{path}");
        assert_eq!(
            plain.header(header::CACHE_CONTROL),
            Some(REVALIDATE),
            "{path}"
        );
        // Stored without compressed copies: sent as stored, not compressed
        // on the fly.
        assert_eq!(plain.header(header::CONTENT_ENCODING), None, "{path}");
    }

    // Pages are not cached that way: asked for again before each use.
    let page = get(&s, "/login", &[(header::ACCEPT, "text/html")]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header(header::CACHE_CONTROL), Some("no-cache"));
    assert_eq!(page.header(header::LAST_MODIFIED), None);

    // A missing file under /pkg is the app's 404 page, not cached either.
    let missing = get(&s, "/pkg/user-center.AAAAAAAAAAAAAAAAAAAAAA.wasm", &[]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing
        .header(header::CONTENT_TYPE)
        .is_some_and(|t| t.starts_with("text/html")));
    assert_ne!(missing.header(header::CACHE_CONTROL), Some(IMMUTABLE));
}

#[tokio::test]
async fn pages_and_json_are_compressed_on_the_fly() {
    let (s, _dir, _) = site().await;

    let plain = get(&s, "/login", &[(header::ACCEPT, "text/html")]).await;
    assert_eq!(plain.header(header::CONTENT_ENCODING), None);
    let html = String::from_utf8(plain.body.clone()).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html:.100}");

    let br = get(
        &s,
        "/login",
        &[
            (header::ACCEPT, "text/html"),
            (header::ACCEPT_ENCODING, "gzip, br"),
        ],
    )
    .await;
    assert_eq!(br.status, StatusCode::OK);
    assert_eq!(br.header(header::CONTENT_ENCODING), Some("br"));
    assert!(br.varies_by_encoding());
    assert!(br.header(header::CONTENT_SECURITY_POLICY).is_some());
    let page = String::from_utf8(unbrotli(&br.body)).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("</html>"));
    assert!(
        br.body.len() * 2 < page.len(),
        "{} of {}",
        br.body.len(),
        page.len()
    );

    let json = get(
        &s,
        "/api/v1/openapi.json",
        &[(header::ACCEPT_ENCODING, "gzip")],
    )
    .await;
    assert_eq!(json.status, StatusCode::OK);
    assert_eq!(json.header(header::CONTENT_ENCODING), Some("gzip"));
    let doc: serde_json::Value = serde_json::from_slice(&ungzip(&json.body)).unwrap();
    assert!(doc["paths"].is_object());
}
