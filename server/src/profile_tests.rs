//! HTTP-level tests of the profile, verification and account-state API.

use crate::tests::server;
use axum::http::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn rest_profile_patch_masks_and_validates() {
    let s = server().await;
    let (_, token) = s.signup("pat@example.com").await;
    let (status, body) = s
        .call(
            "PATCH",
            "/api/v1/me/profile",
            json!({"display_name": "小帕", "gender": "female", "id_number": "11010519491231002x"}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["display_name"], "小帕");
    assert_eq!(body["id_number_masked"], "1101**********002X");
    assert!(body.get("id_number").is_none(), "{body}");
    assert_eq!(body["verification"], "unverified");

    let (status, body) = s
        .call(
            "PATCH",
            "/api/v1/me/profile",
            json!({"gender": "male"}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "ID_GENDER_MISMATCH");
    assert_eq!(body["field"], "gender");

    let (status, body) = s
        .call(
            "PATCH",
            "/api/v1/me/profile",
            json!({"nickname": "x"}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "INVALID_INPUT");

    // `/me` still answers, now with the new fields.
    let (status, me) = s.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["email"], "pat@example.com");
    assert_eq!(me["display_name"], "小帕");
    let (status, _) = s.get("/api/v1/me/profile", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn rest_real_name_review_by_staff_only() {
    let s = server().await;
    let staff = s.staff().await;
    let (id, token) = s.signup("rita@example.com").await;
    let (_, other) = s.signup("oscar@example.com").await;

    let (status, body) = s
        .post_as(
            &token,
            "/api/v1/me/verification",
            json!({"real_name": "张三", "id_number": "440524188001010015"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "INVALID_ID_NUMBER");

    // Without the separate consent, nothing is taken; with it, given in the
    // same request, the submission goes through.
    let (status, body) = s
        .post_as(
            &token,
            "/api/v1/me/verification",
            json!({"real_name": "张三", "id_number": "440524188001010014"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "CONSENT_REQUIRED");
    let (status, body) = s
        .post_as(
            &token,
            "/api/v1/me/verification",
            json!({"real_name": "张三", "id_number": "440524188001010014", "consent_version": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["state"], "pending");
    assert_eq!(body["id_number_masked"], "4405**********0014");

    let reject = format!("/api/v1/admin/users/{id}/verification/reject");
    let (status, body) = s
        .post_as(&other, &reject, json!({"reason": "blurry"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = s
        .post_as(&staff, &reject, json!({"reason": "blurry"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "rejected");

    let (status, body) = s.get("/api/v1/me/verification", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["real_name"]["reason"], "blurry");
    assert_eq!(body["qualification"]["state"], "unverified");

    s.post_as(
        &token,
        "/api/v1/me/verification",
        json!({"real_name": "张三", "id_number": "440524188001010014"}),
    )
    .await;
    let approve = format!("/api/v1/admin/users/{id}/verification/approve");
    let (status, body) = s.post_as(&staff, &approve, json!(null)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "verified");
    let (status, body) = s.post_as(&staff, &approve, json!(null)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "NOT_PENDING_REVIEW");

    // The login answer carries the state.
    let (status, login) = s
        .post_json(
            "/api/v1/auth/login",
            json!({"identifier": "rita@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{login}");
    assert_eq!(login["user"]["verification"], "verified");
    assert_eq!(login["user"]["real_name"], "张三");
    // Staff see it masked too, and whole only by revealing it with a
    // reason; the owner cannot reveal.
    let (_, seen) = s
        .get(&format!("/api/v1/admin/users/{id}"), Some(&staff))
        .await;
    assert_eq!(seen["id_number"], Value::Null);
    assert_eq!(seen["id_number_masked"], "4405**********0014");
    let reveal = format!("/api/v1/admin/users/{id}/id-number/reveal");
    let (status, body) = s
        .post_as(&token, &reveal, json!({"reason": "curious"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = s.post_as(&staff, &reveal, json!({"reason": ""})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = s
        .post_as(&staff, &reveal, json!({"reason": "ticket 12"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id_number"], "440524188001010014");
}

#[tokio::test]
async fn rest_freeze_and_close() {
    let s = server().await;
    let staff = s.staff().await;
    let (id, token) = s.signup("fred@example.com").await;

    let (status, body) = s
        .post_as(
            &staff,
            &format!("/api/v1/admin/users/{id}/freeze"),
            json!(null),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _) = s.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = s
        .post_json(
            "/api/v1/auth/login",
            json!({"identifier": "fred@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], "ACCOUNT_DISABLED");
    s.post_as(
        &staff,
        &format!("/api/v1/admin/users/{id}/unfreeze"),
        json!(null),
    )
    .await;
    let (status, _) = s.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);

    // Money in the account blocks closing.
    s.deposit(&staff, id, "1.00", "close-dep").await;
    let (status, body) = s
        .post_as(&token, "/api/v1/me/close", json!({"password": PASSWORD}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "BALANCE_NOT_ZERO");
    let (status, body) = s
        .post_as(
            &staff,
            "/api/v1/admin/wallet/withdraw",
            json!({"user_id": id, "currency": "CNY", "amount": "1.00",
                   "memo": "payout", "request_id": "close-wd"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = s
        .post_as(
            &token,
            "/api/v1/me/close",
            json!({"password": "nope nope nope"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], "PASSWORD_INCORRECT");
    let (status, body) = s
        .post_as(
            &token,
            "/api/v1/me/close",
            json!({"password": PASSWORD, "reason": "moving abroad"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _) = s.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Staff closing another account needs a reason.
    let (other, _) = s.signup("gina@example.com").await;
    let close = format!("/api/v1/admin/users/{other}/close");
    let (status, body) = s.post_as(&staff, &close, json!({"reason": ""})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = s
        .post_as(&staff, &close, json!({"reason": "duplicate account"}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (_, seen) = s
        .get(&format!("/api/v1/admin/users/{other}"), Some(&staff))
        .await;
    assert_eq!(seen["account_state"], "closed");
}

#[tokio::test]
async fn ids_in_paths_that_are_not_numbers_get_the_json_error() {
    let s = server().await;
    let staff = s.staff().await;
    for path in [
        "/api/v1/admin/users/9223372036854775808",
        "/api/v1/admin/users/abc",
        "/api/v1/admin/documents/-x",
        "/api/v1/me/documents/1.5",
    ] {
        let (status, body) = s.get(path, Some(&staff)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_eq!(body["code"], "INVALID_INPUT", "{path}: {body}");
    }
}
