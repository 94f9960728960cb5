//! The personal data endpoints over HTTP: consent, and "download my data".

use crate::tests::server;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;
use std::io::Read;

const CONSENT: &str = "/api/v1/me/consents/identity_documents";

#[tokio::test]
async fn consent_is_given_to_the_current_text_and_withdrawn() {
    let s = server().await;
    let (_, token) = s.signup("consent@example.com").await;
    let (status, body) = s.get(CONSENT, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["in_force"], false);
    assert_eq!(body["current_version"], 1);
    let (status, body) = s.post_as(&token, CONSENT, json!({"version": 0})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "INVALID_INPUT");
    let (status, body) = s.post_as(&token, CONSENT, json!({"version": 1})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["in_force"], true);
    assert!(body["given_at"].is_string());
    let (status, body) = s.delete(CONSENT, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["consent"]["in_force"], false);
    assert_eq!(body["submissions_deleted"], 0);
    let (status, _) = s.get(CONSENT, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn download_my_data_is_a_zip_of_the_callers_own_data() {
    let s = server().await;
    let (_, token) = s.signup("mine@example.com").await;
    let (_, _other) = s.signup("theirs@example.com").await;
    let req = Request::builder()
        .uri("/api/v1/me/export")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (status, headers, bytes) = s.send(req).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/zip");
    let disposition = headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(disposition.starts_with("attachment; filename=\"user-center-data-"));
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut data = String::new();
    zip.by_name("data.json")
        .unwrap()
        .read_to_string(&mut data)
        .unwrap();
    assert!(data.contains("mine@example.com"));
    assert!(!data.contains("theirs@example.com"));
    let (status, _) = s.get("/api/v1/me/export", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
