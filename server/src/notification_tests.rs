//! Notices over HTTP: a failing mail server does not fail the action, and
//! the server's background task retries the notice until it arrives; the
//! notice choices over REST; the staff payment unlock.

use crate::tests::{server, server_with_messenger, settings};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use domain::delivery::{DeliveryError, EmailSender, FileEmail, FileSms, Message};
use domain::notifications::NotifySettings;
use domain::Messenger;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

const PASSWORD: &str = "correct horse battery";

/// Refuses the first `failures` emails, then writes them to the file outbox.
struct FlakyEmail {
    failures: AtomicU32,
    tries: AtomicU32,
    inner: FileEmail,
}

#[async_trait::async_trait]
impl EmailSender for FlakyEmail {
    async fn send(&self, to: &str, message: &Message) -> Result<(), DeliveryError> {
        self.tries.fetch_add(1, Ordering::SeqCst);
        if self
            .failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |f| f.checked_sub(1))
            .is_ok()
        {
            return Err(DeliveryError::Email("421 try again later".into()));
        }
        self.inner.send(to, message).await
    }
}

#[tokio::test]
async fn a_notice_the_mail_server_refused_is_retried_by_the_background_task() {
    let mut settings = settings();
    settings.notifications = NotifySettings {
        retry_base: Duration::from_secs(1),
        retry_max: Duration::from_secs(1),
        ..NotifySettings::default()
    };
    let mut flaky = None;
    let s = server_with_messenger(settings, |outbox| {
        let email = Arc::new(FlakyEmail {
            failures: AtomicU32::new(2),
            tries: AtomicU32::new(0),
            inner: FileEmail::new(outbox.join("email"), "User Center <no-reply@localhost>")
                .unwrap(),
        });
        flaky = Some(email.clone());
        Messenger::new(
            email,
            Arc::new(FileSms::new(outbox.join("sms")).unwrap()),
            Duration::from_secs(5),
        )
    })
    .await;
    let flaky = flaky.unwrap();
    tokio::spawn(crate::deliver_notices(
        s.uc.clone(),
        Duration::from_millis(100),
    ));
    let (status, reg) = s.register("pat@example.com").await;
    assert_eq!(status, StatusCode::CREATED, "{reg}");
    let token = reg["token"].as_str().unwrap();

    // The mail server refuses: the PIN is set all the same. The page was
    // in Chinese, and so is the notice.
    let req = Request::post("/api/v1/wallet/pin")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9")
        .body(Body::from(
            json!({"pin": "135790", "password": PASSWORD}).to_string(),
        ))
        .unwrap();
    let (status, _, body) = s.send(req).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&body)
    );

    let mut delivered = Vec::new();
    for _ in 0..150 {
        delivered = s.messages("pat@example.com");
        if !delivered.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(delivered.len(), 1, "delivered once, on the third try");
    assert_eq!(flaky.tries.load(Ordering::SeqCst), 3);
    // The row is marked sent just after the mail server took the message.
    let mut row: (String, i64, i64, Option<String>) = Default::default();
    for _ in 0..100 {
        row = sqlx::query_as(
            "SELECT kind, attempts, CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END, last_error
             FROM notification_outbox",
        )
        .fetch_one(&s.db.sql)
        .await
        .unwrap();
        if row.2 == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (kind, attempts, sent, last_error) = row;
    assert_eq!(
        (kind.as_str(), attempts, sent == 1, last_error.as_deref()),
        ("pin_set", 3, true, Some("email: 421 try again later"))
    );
    let (body,): (String,) = sqlx::query_as("SELECT body FROM notification_outbox")
        .fetch_one(&s.db.sql)
        .await
        .unwrap();
    assert!(body.starts_with("【用户中心】"), "{body}");
}

#[tokio::test]
async fn notice_choices_over_rest() {
    let s = server().await;
    let (_, token) = s.signup("quinn@example.com").await;
    let (status, _) = s.get("/api/v1/me/notifications", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, prefs) = s.get("/api/v1/me/notifications", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        prefs,
        json!({"review_decided": true, "account_unfrozen": true, "money_received": true, "lang": null})
    );

    let off = json!({"review_decided": false, "account_unfrozen": true, "money_received": false, "lang": "zh-CN"});
    let (status, saved) = s
        .call("PUT", "/api/v1/me/notifications", off.clone(), Some(&token))
        .await;
    assert_eq!((status, &saved), (StatusCode::OK, &off));
    let (_, prefs) = s.get("/api/v1/me/notifications", Some(&token)).await;
    assert_eq!(prefs, off);

    for bad in [
        json!({"review_decided": true, "account_unfrozen": true, "money_received": true, "lang": "fr"}),
        // Security notices have no switch.
        json!({"review_decided": true, "account_unfrozen": true, "money_received": true, "pin_changed": false}),
    ] {
        let (status, body) = s
            .call("PUT", "/api/v1/me/notifications", bad, Some(&token))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["code"], "INVALID_INPUT");
    }
    let (_, prefs) = s.get("/api/v1/me/notifications", Some(&token)).await;
    assert_eq!(prefs, off);
}

#[tokio::test]
async fn staff_lift_a_payment_lock_over_rest() {
    let s = server().await;
    let staff = s.staff().await;
    let (id, token) = s.signup("rae@example.com").await;
    let (status, _) = s
        .post_as(
            &token,
            "/api/v1/wallet/pin",
            json!({"pin": "135790", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    s.deposit(&staff, id, "10.00", "top-up-1").await;
    let pay = |n: u32, pin: &'static str| {
        json!({"to": "staff@example.com", "currency": "CNY", "amount": "1.00",
               "request_id": format!("pay-{n}"), "pin": pin})
    };
    for n in 0..5 {
        s.post_as(&token, "/api/v1/wallet/transfers", pay(n, "000000"))
            .await;
    }
    let (status, body) = s
        .post_as(&token, "/api/v1/wallet/transfers", pay(5, "135790"))
        .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::TOO_MANY_REQUESTS, json!("PIN_LOCKED"))
    );

    let path = format!("/api/v1/admin/users/{id}/payments/unlock");
    let (status, body) = s.post_as(&token, &path, Value::Null).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::FORBIDDEN, json!("FORBIDDEN"))
    );
    let (status, _) = s.post_as(&staff, &path, Value::Null).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, receipt) = s
        .post_as(&token, "/api/v1/wallet/transfers", pay(6, "135790"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    let (unlocks,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'payments_unlocked' AND target_id = $1",
    )
    .bind(id)
    .fetch_one(&s.db.sql)
    .await
    .unwrap();
    assert_eq!(unlocks, 1);
}
