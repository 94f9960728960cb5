//! Which event tells whom, what switching notices off does, the language,
//! and delivery through the outbox (a failing mail server, retries with
//! backoff, giving up).

use super::{request_lang, NotifySettings, ReceivedMin};
use crate::accounts::Registration;
use crate::clock::ManualClock;
use crate::codes_tests::{code_sent_to, send};
use crate::contacts::ContactChange;
use crate::delivery::{DeliveryError, EmailSender, FileEmail, FileSms, Message};
use crate::recovery::ResetProof;
use crate::store::users::Role;
use crate::tests::{client, fixture, fixture_with_messenger, test_settings, Fixture};
use crate::wallet::tests::{session_of, set_pin};
use crate::wallet::{Actor, Authorisation, Movement, Recipient, Transfer};
use crate::{ClientInfo, Lang, Messenger, UserCenter};
use shared::dto::CodePurpose;
use shared::notifications::NotificationPreferences;
use shared::profile::VerificationKind;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

const PASSWORD: &str = "correct horse battery";
const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                      Chrome/120.0.0.0 Safari/537.36";

/// An outbox row as the tests look at it.
#[derive(Debug, PartialEq, Eq, sqlx::FromRow)]
struct Row {
    kind: String,
    destination: String,
}

/// The notices queued for `user_id`, oldest first.
async fn notices(f: &Fixture, user_id: i64) -> Vec<(String, String)> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT kind, destination FROM notification_outbox WHERE user_id = $1 ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(&f.db.sql)
    .await
    .unwrap();
    rows.into_iter().map(|r| (r.kind, r.destination)).collect()
}

/// The text of the newest notice of `user_id`.
async fn last_text(f: &Fixture, user_id: i64) -> (String, String) {
    sqlx::query_as(
        "SELECT subject, body FROM notification_outbox WHERE user_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(user_id)
    .fetch_one(&f.db.sql)
    .await
    .unwrap()
}

fn n(kind: &str, to: &str) -> (String, String) {
    (kind.to_string(), to.to_string())
}

/// `email` (with `phone`, if not empty) and username `name`, signed up
/// from the client the wallet tests' sessions use, so those are not new.
async fn account(uc: &UserCenter, name: &str, phone: &str) -> i64 {
    let email = format!("{name}@example.com");
    uc.register(
        Registration {
            email: &email,
            phone,
            username: name,
            password: PASSWORD,
            code: "",
            identity: None,
        },
        &ClientInfo::default(),
    )
    .await
    .unwrap()
    .user
    .id
}

async fn staff(uc: &UserCenter) -> i64 {
    uc.create_admin("boss@corp.example", "", "boss", PASSWORD, Role::Staff)
        .await
        .unwrap()
        .id
}

fn browser(ua: &str, device: Option<&str>) -> ClientInfo {
    ClientInfo {
        ip: Some("203.0.113.7".into()),
        user_agent: Some(ua.into()),
        device_id: device.map(str::to_string),
    }
}

async fn deposit(uc: &UserCenter, user_id: i64, currency: &str, amount: &str) {
    let id = format!("dep-{}", uuid::Uuid::new_v4().simple());
    uc.deposit(
        Movement {
            user_id,
            currency,
            amount,
            memo: "call 400-000-0000 now",
            request_id: &id,
        },
        &Actor::Service("tests".into()),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn each_event_tells_the_account_or_the_old_contact() {
    let f = fixture().await;
    let uc = &f.uc;
    let boss = staff(uc).await;
    let alice = account(uc, "alice", "").await;
    let mail = "alice@example.com";

    // Reviews: the reason of a rejection is in the notice.
    crate::tests::consent(uc, alice).await;
    uc.submit_real_name(alice, "张三", "440524188001010014")
        .await
        .unwrap();
    uc.reject_verification(
        boss,
        alice,
        VerificationKind::RealName,
        "The photo is blurred",
    )
    .await
    .unwrap();
    assert!(last_text(&f, alice)
        .await
        .1
        .contains("Reason: The photo is blurred"));
    uc.submit_real_name(alice, "张三", "440524188001010014")
        .await
        .unwrap();
    uc.approve_verification(boss, alice, VerificationKind::RealName)
        .await
        .unwrap();
    assert!(last_text(&f, alice)
        .await
        .0
        .contains("real-name verification was approved"));

    uc.set_frozen(boss, alice, true).await.unwrap();
    uc.set_frozen(boss, alice, false).await.unwrap();
    // Unchanged: nothing happened, nobody is told.
    uc.set_frozen(boss, alice, false).await.unwrap();

    // Money: from the configured amount up (100 CNY by default), in any
    // currency by its own units; the memo a stranger wrote is not repeated.
    deposit(uc, alice, "CNY", "99.99").await;
    deposit(uc, alice, "CNY", "100.00").await;
    assert_eq!(
        last_text(&f, alice).await.1,
        "You received 100.00 CNY in your User Center wallet."
    );
    let bob = account(uc, "bob", "").await;
    deposit(uc, bob, "CNY", "500").await;
    set_pin(uc, bob, "135790").await.unwrap();
    uc.transfer(
        Transfer {
            from_user: bob,
            to: Recipient::UserId(alice),
            currency: "CNY",
            amount: "150",
            memo: "",
            request_id: "pay-1",
        },
        Authorisation::Pin("135790"),
    )
    .await
    .unwrap();
    // A replayed request moved nothing and tells nobody again.
    uc.transfer(
        Transfer {
            from_user: bob,
            to: Recipient::UserId(alice),
            currency: "CNY",
            amount: "150",
            memo: "",
            request_id: "pay-1",
        },
        Authorisation::Pin("135790"),
    )
    .await
    .unwrap();

    // PIN set and changed.
    set_pin(uc, alice, "246810").await.unwrap();
    uc.change_payment_pin(alice, "246810", "975310")
        .await
        .unwrap();

    // Sign-ins: the first from a browser the account never used is news;
    // the same browser again, or an app's device id seen before, is not.
    uc.login("alice", PASSWORD, None, &browser(CHROME, None))
        .await
        .unwrap();
    uc.login("alice", PASSWORD, None, &browser(CHROME, None))
        .await
        .unwrap();
    uc.login(
        "alice",
        PASSWORD,
        None,
        &browser("Custom agent 1.0", Some("phone-app-1")),
    )
    .await
    .unwrap();
    uc.login(
        "alice",
        PASSWORD,
        None,
        &browser("Custom agent 2.0", Some("phone-app-1")),
    )
    .await
    .unwrap();
    let (subject, body) = last_text(&f, alice).await;
    assert_eq!(subject, "User Center: new sign-in");
    assert!(
        body.contains("an unknown browser (IP 203.0.113.7)"),
        "{body}"
    );
    assert!(
        !body.contains("Custom agent"),
        "what a stranger typed stays out"
    );

    // A phone added: the email hears of it. The email replaced: the old
    // address hears of it, not the new one.
    let auth = session_of(uc, alice, PASSWORD).await;
    send(&f, "13800000001", CodePurpose::BindContact, Some(alice))
        .await
        .unwrap();
    let code = code_sent_to(&f, "13800000001").await;
    uc.change_contact(
        &auth,
        ContactChange {
            contact: "13800000001",
            code: &code,
            ..ContactChange::default()
        },
    )
    .await
    .unwrap();
    send(
        &f,
        "alice@new.example",
        CodePurpose::BindContact,
        Some(alice),
    )
    .await
    .unwrap();
    let code = code_sent_to(&f, "alice@new.example").await;
    uc.change_contact(
        &auth,
        ContactChange {
            contact: "alice@new.example",
            code: &code,
            password: Some(PASSWORD),
            sid: None,
        },
    )
    .await
    .unwrap();
    assert!(last_text(&f, alice)
        .await
        .0
        .contains("email address was changed"));

    assert_eq!(
        notices(&f, alice).await,
        vec![
            n("review_decided", mail),
            n("review_decided", mail),
            n("account_frozen", mail),
            n("account_unfrozen", mail),
            n("money_received", mail),
            n("money_received", mail),
            n("pin_set", mail),
            n("pin_changed", mail),
            n("new_device_sign_in", mail),
            n("new_device_sign_in", mail),
            n("contact_changed", mail),
            n("contact_changed", mail),
        ]
    );
    // The payer heard of their own PIN and deposit only.
    assert_eq!(
        notices(&f, bob).await,
        vec![
            n("money_received", "bob@example.com"),
            n("pin_set", "bob@example.com")
        ]
    );
}

#[tokio::test]
async fn a_reset_tells_the_other_contact_and_closing_tells_the_account() {
    let f = fixture().await;
    let uc = &f.uc;
    let carol = account(uc, "carol", "13800000002").await;
    send(&f, "13800000002", CodePurpose::ResetPassword, None)
        .await
        .unwrap();
    let code = code_sent_to(&f, "13800000002").await;
    uc.reset_password(
        ResetProof::Code {
            contact: "13800000002",
            code: &code,
        },
        "a new long passphrase",
        Lang::ZhCn,
        &client(),
    )
    .await
    .unwrap();
    let auth = session_of(uc, carol, "a new long passphrase").await;
    uc.close_own_account(&auth, "a new long passphrase", None, false)
        .await
        .unwrap();
    assert_eq!(
        notices(&f, carol).await,
        vec![
            n("password_reset", "carol@example.com"),
            n("account_closed", "carol@example.com"),
        ]
    );
    // The reset notice is in the language of the reset's request.
    let (subject,): (String,) =
        sqlx::query_as("SELECT subject FROM notification_outbox WHERE kind = 'password_reset'")
            .fetch_one(&f.db.sql)
            .await
            .unwrap();
    assert_eq!(subject, "用户中心：密码已重置");
    // And it reaches the mailbox, through the outbox.
    wait_sent(&f, 2).await;
    let mail = std::fs::read_dir(f._dir.path().join("outbox/email"))
        .unwrap()
        .count();
    assert_eq!(mail, 2);
}

#[tokio::test]
async fn switching_off_silences_only_the_notices_that_have_a_switch() {
    let f = fixture().await;
    let uc = &f.uc;
    let boss = staff(uc).await;
    let dan = account(uc, "dan", "").await;
    assert_eq!(
        uc.notification_preferences(dan).await.unwrap(),
        NotificationPreferences::default()
    );
    let off = NotificationPreferences {
        review_decided: false,
        account_unfrozen: false,
        money_received: false,
        lang: None,
    };
    assert_eq!(
        uc.set_notification_preferences(dan, &off).await.unwrap(),
        off
    );

    crate::tests::consent(uc, dan).await;
    uc.submit_real_name(dan, "张三", "440524188001010014")
        .await
        .unwrap();
    uc.approve_verification(boss, dan, VerificationKind::RealName)
        .await
        .unwrap();
    uc.set_frozen(boss, dan, true).await.unwrap();
    uc.set_frozen(boss, dan, false).await.unwrap();
    deposit(uc, dan, "CNY", "1000").await;
    set_pin(uc, dan, "135790").await.unwrap();
    uc.login("dan", PASSWORD, None, &browser(CHROME, None))
        .await
        .unwrap();
    assert_eq!(
        notices(&f, dan).await,
        vec![
            n("account_frozen", "dan@example.com"),
            n("pin_set", "dan@example.com"),
            n("new_device_sign_in", "dan@example.com"),
        ]
    );

    // One back on: only that one comes back.
    let money_only = NotificationPreferences {
        money_received: true,
        ..off
    };
    uc.set_notification_preferences(dan, &money_only)
        .await
        .unwrap();
    deposit(uc, dan, "CNY", "1000").await;
    uc.set_frozen(boss, dan, true).await.unwrap();
    uc.set_frozen(boss, dan, false).await.unwrap();
    let kinds: Vec<String> = notices(&f, dan).await.into_iter().map(|r| r.0).collect();
    assert_eq!(kinds[3..], ["money_received", "account_frozen"]);
}

#[tokio::test]
async fn the_language_is_the_stored_one_else_the_requests_else_english() {
    let f = fixture().await;
    let uc = &f.uc;
    let boss = staff(uc).await;
    let erin = account(uc, "erin", "").await;

    uc.set_frozen(boss, erin, true).await.unwrap();
    assert_eq!(
        last_text(&f, erin).await.0,
        "User Center: your account was frozen"
    );
    request_lang::scope(Lang::ZhCn, uc.set_frozen(boss, erin, false))
        .await
        .unwrap();
    assert_eq!(last_text(&f, erin).await.0, "用户中心：账号已解冻");

    // A stored choice wins over the request's.
    let english = NotificationPreferences {
        lang: Some("EN".into()),
        ..NotificationPreferences::default()
    };
    assert_eq!(
        uc.set_notification_preferences(erin, &english)
            .await
            .unwrap()
            .lang
            .as_deref(),
        Some("en")
    );
    request_lang::scope(Lang::ZhCn, uc.set_frozen(boss, erin, true))
        .await
        .unwrap();
    assert_eq!(
        last_text(&f, erin).await.0,
        "User Center: your account was frozen"
    );
    let chinese = NotificationPreferences {
        lang: Some("zh-CN".into()),
        ..NotificationPreferences::default()
    };
    uc.set_notification_preferences(erin, &chinese)
        .await
        .unwrap();
    uc.set_frozen(boss, erin, false).await.unwrap();
    let (subject, body) = last_text(&f, erin).await;
    assert_eq!(subject, "用户中心：账号已解冻");
    assert!(body.starts_with("【用户中心】"));

    let bad = NotificationPreferences {
        lang: Some("fr".into()),
        ..NotificationPreferences::default()
    };
    assert_eq!(
        crate::tests::code_of(uc.set_notification_preferences(erin, &bad).await),
        shared::ErrorCode::InvalidInput
    );
}

/// Refuses the first `failures` emails as a broken mail server would, then
/// writes them to the file outbox.
struct FlakyEmail {
    failures: AtomicU32,
    tries: AtomicU32,
    inner: FileEmail,
}

#[async_trait::async_trait]
impl EmailSender for FlakyEmail {
    async fn send(&self, to: &str, message: &Message) -> Result<(), DeliveryError> {
        self.tries.fetch_add(1, Ordering::SeqCst);
        let left = self.failures.load(Ordering::SeqCst);
        if left > 0 {
            self.failures.store(left - 1, Ordering::SeqCst);
            return Err(DeliveryError::Email("451 mail server busy".into()));
        }
        self.inner.send(to, message).await
    }
}

/// A fixture on a manual clock whose mail server fails `failures` times.
async fn flaky_fixture(
    failures: u32,
    notify: NotifySettings,
) -> (Fixture, ManualClock, Arc<FlakyEmail>) {
    let settings = crate::Settings {
        notifications: notify,
        ..test_settings()
    };
    let mut email = None;
    let f = fixture_with_messenger(settings, |outbox| {
        let flaky = Arc::new(FlakyEmail {
            failures: AtomicU32::new(failures),
            tries: AtomicU32::new(0),
            inner: FileEmail::new(outbox.join("email"), "User Center <no-reply@localhost>")
                .unwrap(),
        });
        email = Some(flaky.clone());
        Messenger::new(
            flaky,
            Arc::new(FileSms::new(outbox.join("sms")).unwrap()),
            Duration::from_secs(5),
        )
    })
    .await;
    let clock = ManualClock::starting_now();
    let uc = f.uc.clone().with_clock(clock.clone());
    (
        Fixture {
            uc,
            db: f.db,
            _dir: f._dir,
        },
        clock,
        email.unwrap(),
    )
}

#[derive(Debug, PartialEq, Eq)]
struct State {
    attempts: i64,
    sent: bool,
    gave_up: bool,
    last_error: Option<String>,
}

async fn state(f: &Fixture) -> State {
    let (attempts, sent, gave_up, last_error): (i64, i64, i64, Option<String>) = sqlx::query_as(
        "SELECT attempts, CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END,
                CASE WHEN gave_up_at IS NOT NULL THEN 1 ELSE 0 END, last_error
         FROM notification_outbox ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&f.db.sql)
    .await
    .unwrap();
    State {
        attempts,
        sent: sent == 1,
        gave_up: gave_up == 1,
        last_error,
    }
}

/// Waits for the immediate attempts to settle: `n` rows tried, none held.
async fn wait_tried(f: &Fixture, n: i64) {
    for _ in 0..250 {
        let (tried,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM notification_outbox WHERE attempts > 0 AND claimed_until IS NULL",
        )
        .fetch_one(&f.db.sql)
        .await
        .unwrap();
        if tried >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the first attempts did not settle");
}

async fn wait_sent(f: &Fixture, n: i64) {
    for _ in 0..250 {
        let (sent,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM notification_outbox WHERE sent_at IS NOT NULL")
                .fetch_one(&f.db.sql)
                .await
                .unwrap();
        if sent >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("fewer than {n} notices sent");
}

#[tokio::test]
async fn a_failed_notice_is_retried_from_the_outbox_with_backoff() {
    let (f, clock, email) = flaky_fixture(2, NotifySettings::default()).await;
    let uc = &f.uc;
    let boss = staff(uc).await;
    let fay = account(uc, "fay", "").await;
    // The mail server is down: the action succeeds all the same.
    uc.set_frozen(boss, fay, true).await.unwrap();
    wait_tried(&f, 1).await;
    let failed = State {
        attempts: 1,
        sent: false,
        gave_up: false,
        last_error: Some("email: 451 mail server busy".into()),
    };
    assert_eq!(state(&f).await, failed);

    // Not before the first wait (30 s) is over …
    clock.advance(29);
    assert_eq!(
        uc.deliver_due_notifications().await.unwrap(),
        Default::default()
    );
    clock.advance(1);
    let round = uc.deliver_due_notifications().await.unwrap();
    assert_eq!((round.sent, round.failed), (0, 1));
    // … then twice as long.
    clock.advance(59);
    assert_eq!(uc.deliver_due_notifications().await.unwrap().failed, 0);
    clock.advance(1);
    assert_eq!(uc.deliver_due_notifications().await.unwrap().sent, 1);
    assert_eq!(
        state(&f).await,
        State {
            attempts: 3,
            sent: true,
            gave_up: false,
            last_error: Some("email: 451 mail server busy".into()),
        }
    );
    assert_eq!(email.tries.load(Ordering::SeqCst), 3);
    // Delivered once, and never again.
    clock.advance(3600);
    assert_eq!(
        uc.deliver_due_notifications().await.unwrap(),
        Default::default()
    );
    let mail = std::fs::read_dir(f._dir.path().join("outbox/email"))
        .unwrap()
        .count();
    assert_eq!(mail, 1);
}

#[tokio::test]
async fn a_notice_is_given_up_after_the_last_attempt_with_its_error() {
    let notify = NotifySettings {
        max_attempts: 3,
        retry_base: Duration::from_secs(10),
        retry_max: Duration::from_secs(15),
        received_min: ReceivedMin::off(),
    };
    let (f, clock, email) = flaky_fixture(u32::MAX, notify).await;
    let uc = &f.uc;
    let gus = account(uc, "gus", "").await;
    // Receipts tell nobody with the threshold off.
    deposit(uc, gus, "CNY", "1000000").await;
    assert!(notices(&f, gus).await.is_empty());

    set_pin(uc, gus, "135790").await.unwrap();
    wait_tried(&f, 1).await;
    clock.advance(10);
    assert_eq!(uc.deliver_due_notifications().await.unwrap().failed, 1);
    // The wait doubles, but not past `retry_max`.
    clock.advance(15);
    let round = uc.deliver_due_notifications().await.unwrap();
    assert_eq!((round.failed, round.gave_up), (0, 1));
    assert_eq!(
        state(&f).await,
        State {
            attempts: 3,
            sent: false,
            gave_up: true,
            last_error: Some("email: 451 mail server busy".into()),
        }
    );
    clock.advance(3600);
    assert_eq!(
        uc.deliver_due_notifications().await.unwrap(),
        Default::default()
    );
    assert_eq!(email.tries.load(Ordering::SeqCst), 3);
}
