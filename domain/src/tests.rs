//! Integration tests of the domain against a real temporary SQLite file.

use crate::accounts::Registration;
use crate::tokens::Claims;
use crate::{db, ClientInfo, DomainError, HashCost, Messenger, Settings, UserCenter};
use shared::ErrorCode;
use std::time::Duration;

pub(crate) struct Fixture {
    pub(crate) uc: UserCenter,
    // Dropped in this order: the database, then the directory.
    pub(crate) db: db::TestDatabase,
    pub(crate) _dir: tempfile::TempDir,
}

pub(crate) async fn fixture_with(settings: Settings) -> Fixture {
    fixture_with_messenger(settings, |outbox| {
        Messenger::outbox(outbox, "User Center <no-reply@localhost>").expect("outbox")
    })
    .await
}

/// A fixture whose messages go through `messenger`, made for the
/// temporary directory's `outbox` (where the captcha answers go too).
pub(crate) async fn fixture_with_messenger(
    settings: Settings,
    messenger: impl FnOnce(&std::path::Path) -> Messenger,
) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let test_db = db::TestDatabase::new(dir.path())
        .await
        .expect("test database");
    let pool = db::connect(&test_db.url).await.expect("connect");
    let mut settings = settings;
    settings
        .media_dir
        .get_or_insert_with(|| dir.path().join("media"));
    let outbox = dir.path().join("outbox");
    let messenger = messenger(&outbox).with_captcha_outbox(outbox.join("captcha"));
    let uc = UserCenter::new(
        pool,
        b"test secret of thirty-two bytes!",
        settings,
        messenger,
    )
    .expect("domain");
    uc.open_vault().await.expect("data keys");
    Fixture {
        uc,
        db: test_db,
        _dir: dir,
    }
}

/// Weak hashing, and neither sign-up codes nor sign-in captchas, so tests of
/// other features need not solve them; the code tests turn them back on.
/// The uploads' free-space floor is off: the test machine's disk is not
/// the product's, and the floor's own tests set it explicitly.
pub(crate) fn test_settings() -> Settings {
    let mut settings = Settings {
        hash_cost: HashCost::TestMinimum,
        ..Settings::default()
    };
    settings.codes.require_contact_code = false;
    settings.lockout.captcha_after = u32::MAX;
    settings.uploads = upload_settings();
    settings
}

/// The product's upload limits without the free-space floor.
pub(crate) fn upload_settings() -> crate::UploadSettings {
    crate::UploadSettings {
        min_free_bytes: 0,
        ..crate::UploadSettings::default()
    }
}

pub(crate) async fn fixture() -> Fixture {
    fixture_with(test_settings()).await
}

/// A fixture whose clock only moves when the test says so.
pub(crate) async fn clocked_fixture() -> (Fixture, crate::clock::ManualClock) {
    let f = fixture().await;
    let clock = crate::clock::ManualClock::starting_now();
    let uc = f.uc.clone().with_clock(clock.clone());
    (
        Fixture {
            uc,
            db: f.db,
            _dir: f._dir,
        },
        clock,
    )
}

pub(crate) fn client() -> ClientInfo {
    ClientInfo {
        ip: Some("127.0.0.1".into()),
        user_agent: Some("tests".into()),
        device_id: None,
    }
}

fn reg<'a>(email: &'a str, phone: &'a str, username: &'a str) -> Registration<'a> {
    Registration {
        email,
        phone,
        username,
        password: "correct horse battery",
        code: "",
        identity: None,
    }
}

/// Registers `name@example.com` with username `name` (no code is asked in
/// tests); returns the session and its token.
pub(crate) async fn signup_named(
    uc: &UserCenter,
    name: &str,
    password: &str,
) -> (crate::AuthContext, String) {
    let email = format!("{name}@example.com");
    let res = uc
        .register(
            Registration {
                email: &email,
                phone: "",
                username: name,
                password,
                code: "",
                identity: None,
            },
            &client(),
        )
        .await
        .unwrap();
    (uc.authenticate(&res.token).await.unwrap(), res.token)
}

pub(crate) fn code_of<T: std::fmt::Debug>(r: Result<T, DomainError>) -> ErrorCode {
    r.expect_err("expected an error").code()
}

#[tokio::test]
async fn register_then_login_with_each_identifier() {
    let f = fixture().await;
    let created =
        f.uc.register(
            reg("Alice@Example.com", "+86 138 0013 8000", "Alice_W"),
            &client(),
        )
        .await
        .unwrap();
    assert_eq!(created.user.email.as_deref(), Some("alice@example.com"));
    assert_eq!(created.user.phone.as_deref(), Some("13800138000"));
    assert_eq!(created.user.username.as_deref(), Some("Alice_W"));
    for id in [
        "alice@example.com",
        "ALICE@example.COM",
        "13800138000",
        "+8613800138000",
        "alice_w",
    ] {
        let res =
            f.uc.login(id, "correct horse battery", None, &client())
                .await
                .unwrap();
        assert_eq!(res.user.id, created.user.id, "{id}");
        let auth = f.uc.authenticate(&res.token).await.unwrap();
        assert_eq!(auth.user_id, created.user.id);
    }
}

#[tokio::test]
async fn duplicates_are_detected_after_normalisation() {
    let f = fixture().await;
    f.uc.register(reg("a@b.com", "13800138000", "bob_1"), &client())
        .await
        .unwrap();
    assert_eq!(
        code_of(f.uc.register(reg("A@B.COM", "", "",), &client()).await),
        ErrorCode::EmailTaken
    );
    assert_eq!(
        code_of(
            f.uc.register(reg("", "+86 13800138000", ""), &client())
                .await
        ),
        ErrorCode::PhoneTaken
    );
    assert_eq!(
        code_of(f.uc.register(reg("c@d.com", "", "BOB_1"), &client()).await),
        ErrorCode::UsernameTaken
    );
    let count: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(&f.db.sql)
        .await
        .unwrap();
    assert_eq!(count.0, 1);
}

#[tokio::test]
async fn invalid_registration_writes_nothing() {
    let f = fixture().await;
    let weak = Registration {
        password: "password",
        ..reg("a@b.com", "", "")
    };
    assert_eq!(
        code_of(f.uc.register(weak, &client()).await),
        ErrorCode::WeakPassword
    );
    assert_eq!(
        code_of(f.uc.register(reg("", "", "only_name"), &client()).await),
        ErrorCode::ContactRequired
    );
    let count: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(&f.db.sql)
        .await
        .unwrap();
    assert_eq!(count.0, 0);
}

#[tokio::test]
async fn unknown_account_and_wrong_password_look_the_same() {
    let f = fixture().await;
    f.uc.register(reg("a@b.com", "", ""), &client())
        .await
        .unwrap();
    let wrong =
        f.uc.login("a@b.com", "not the password", None, &client())
            .await
            .unwrap_err();
    let unknown =
        f.uc.login("nobody@b.com", "not the password", None, &client())
            .await
            .unwrap_err();
    assert_eq!(wrong.to_app_error(), unknown.to_app_error());
    assert_eq!(wrong.code(), ErrorCode::InvalidCredentials);
}

#[tokio::test]
async fn unknown_account_costs_a_real_hash() {
    // An unknown account must cost the same argon2id work as a wrong password:
    // one verification per attempt, against a dummy hash made with the very
    // parameters real accounts use. Counted, not timed, so a busy machine
    // cannot make it fail or pass by chance.
    let f = fixture_with(Settings {
        hash_cost: HashCost::Owasp,
        ..test_settings()
    })
    .await;
    f.uc.register(reg("a@b.com", "", ""), &client())
        .await
        .unwrap();
    let checks = |id: &'static str| {
        let uc = f.uc.clone();
        async move {
            let before = uc.hasher.verifications();
            for _ in 0..2 {
                let _ = uc.login(id, "not the password", None, &client()).await;
            }
            uc.hasher.verifications() - before
        }
    };
    assert_eq!(checks("a@b.com").await, 2);
    assert_eq!(checks("nobody@b.com").await, 2);
    let stored = f.uc.hasher.hash("any password").await.unwrap();
    let params = |phc: &str| phc.rsplitn(3, '$').nth(2).map(str::to_owned);
    assert_eq!(
        params(f.uc.hasher.dummy_phc()),
        params(&stored.0),
        "the dummy hash must use the production parameters"
    );
    assert!(f
        .uc
        .hasher
        .dummy_phc()
        .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
}

#[tokio::test]
async fn logout_revokes_the_token() {
    let f = fixture().await;
    let res =
        f.uc.register(reg("a@b.com", "", ""), &client())
            .await
            .unwrap();
    let auth = f.uc.authenticate(&res.token).await.unwrap();
    f.uc.logout(&auth).await.unwrap();
    assert_eq!(
        code_of(f.uc.authenticate(&res.token).await),
        ErrorCode::Unauthenticated
    );
    // Another session of the same user is unaffected.
    let other =
        f.uc.login("a@b.com", "correct horse battery", None, &client())
            .await
            .unwrap();
    assert!(f.uc.authenticate(&other.token).await.is_ok());
}

#[tokio::test]
async fn expired_and_tampered_tokens_are_rejected() {
    let f = fixture().await;
    let res =
        f.uc.register(reg("a@b.com", "", ""), &client())
            .await
            .unwrap();
    let auth = f.uc.authenticate(&res.token).await.unwrap();

    let now = crate::clock::now();
    let expired =
        f.uc.tokens
            .issue(&Claims {
                sub: auth.user_id.to_string(),
                sid: auth.session_id.clone(),
                iat: now - 100,
                exp: now - 1,
            })
            .unwrap();
    assert_eq!(
        code_of(f.uc.authenticate(&expired).await),
        ErrorCode::Unauthenticated
    );

    // Same claims, signed with another secret.
    let forged = crate::tokens::TokenKeys::new(b"another secret entirely, 32 byte")
        .issue(&Claims {
            sub: auth.user_id.to_string(),
            sid: auth.session_id.clone(),
            iat: now,
            exp: now + 3600,
        })
        .unwrap();
    assert_eq!(
        code_of(f.uc.authenticate(&forged).await),
        ErrorCode::Unauthenticated
    );

    // A flipped character in the payload breaks the signature.
    let mut parts: Vec<String> = res.token.split('.').map(str::to_string).collect();
    let mut payload = parts[1].clone().into_bytes();
    payload[5] = if payload[5] == b'A' { b'B' } else { b'A' };
    parts[1] = String::from_utf8(payload).unwrap();
    assert_eq!(
        code_of(f.uc.authenticate(&parts.join(".")).await),
        ErrorCode::Unauthenticated
    );
    assert_eq!(
        code_of(f.uc.authenticate("garbage").await),
        ErrorCode::Unauthenticated
    );
    assert_eq!(
        code_of(f.uc.authenticate("").await),
        ErrorCode::Unauthenticated
    );
}

#[tokio::test]
async fn short_ttl_token_expires() {
    let f = fixture_with(Settings {
        access_ttl: Duration::from_secs(1),
        ..test_settings()
    })
    .await;
    let res =
        f.uc.register(reg("a@b.com", "", ""), &client())
            .await
            .unwrap();
    assert!(f.uc.authenticate(&res.token).await.is_ok());
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        code_of(f.uc.authenticate(&res.token).await),
        ErrorCode::Unauthenticated
    );
}

#[tokio::test]
async fn frozen_account_cannot_sign_in_or_use_tokens() {
    let f = fixture().await;
    let res =
        f.uc.register(reg("a@b.com", "", ""), &client())
            .await
            .unwrap();
    sqlx::query("UPDATE users SET status = 'frozen' WHERE id = $1")
        .bind(res.user.id)
        .execute(&f.db.sql)
        .await
        .unwrap();
    assert_eq!(
        code_of(f.uc.authenticate(&res.token).await),
        ErrorCode::Unauthenticated
    );
    assert_eq!(
        code_of(
            f.uc.login("a@b.com", "correct horse battery", None, &client())
                .await
        ),
        ErrorCode::AccountDisabled
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_duplicate_registrations_create_one_account() {
    let f = fixture().await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let uc = f.uc.clone();
        tasks.push(tokio::spawn(async move {
            let email = if i % 2 == 0 {
                "Same@Example.com"
            } else {
                "same@example.COM"
            };
            uc.register(reg(email, "", ""), &ClientInfo::default())
                .await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(e) => assert_eq!(e.code(), ErrorCode::EmailTaken, "{e:?}"),
        }
    }
    assert_eq!(ok, 1);
    let count: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(&f.db.sql)
        .await
        .unwrap();
    assert_eq!(count.0, 1);
}

#[tokio::test]
async fn production_hash_is_argon2id_owasp() {
    let hasher = crate::passwords::Hasher::new(HashCost::Owasp).unwrap();
    let hash = hasher.hash("correct horse battery").await.unwrap();
    assert!(
        hash.0.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{}",
        hash.0
    );
    assert!(hasher
        .verify("correct horse battery", Some(&hash))
        .await
        .unwrap());
    assert!(!hasher.verify("wrong", Some(&hash)).await.unwrap());
    assert!(!hasher.verify("correct horse battery", None).await.unwrap());
}

#[test]
fn secret_file_is_created_private_and_reused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/jwt.key");
    let first = crate::secret::load_or_create(&path).unwrap();
    assert_eq!(first.len(), 32);
    let second = crate::secret::load_or_create(&path).unwrap();
    assert_eq!(first, second);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn a_short_stored_secret_refuses_to_start_with_a_clear_message() {
    use base64::Engine;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jwt-secret");
    for stored in [
        String::new(),
        base64::engine::general_purpose::STANDARD.encode([7u8; 31]),
    ] {
        std::fs::write(&path, &stored).unwrap();
        let err = crate::secret::load_or_create(&path)
            .unwrap_err()
            .to_string();
        assert!(err.contains("at least 32"), "{err}");
        assert!(err.contains("jwt-secret"), "{err}");
    }
    assert!(crate::secret::check(&[1u8; 31]).is_err());
    crate::secret::check(&[1u8; 32]).unwrap();
}

mod lockout {
    use super::*;
    use crate::clock::Clock;
    use shared::AppError;

    async fn attempt(uc: &UserCenter, id: &str, pw: &str) -> Result<(), AppError> {
        uc.login(id, pw, None, &client())
            .await
            .map(|_| ())
            .map_err(|e| e.to_app_error())
    }

    const RIGHT: &str = "correct horse battery";
    const WRONG: &str = "wrong horse battery";

    #[tokio::test]
    async fn five_failures_lock_for_15_minutes_even_for_the_right_password() {
        let (f, clock) = clocked_fixture().await;
        f.uc.register(reg("a@b.com", "", ""), &client())
            .await
            .unwrap();
        for n in 1..=4u32 {
            let e = attempt(&f.uc, "a@b.com", WRONG).await.unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidCredentials);
            let c = e.login.unwrap();
            assert_eq!(
                (c.consecutive_failures, c.remaining_consecutive),
                (n, 5 - n)
            );
            assert_eq!((c.cumulative_failures, c.remaining_cumulative), (n, 20 - n));
        }
        let e = attempt(&f.uc, "a@b.com", WRONG).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::AccountLocked);
        assert_eq!(e.retry_after_secs, Some(15 * 60));
        let c = e.login.unwrap();
        assert_eq!(c.remaining_consecutive, 0);

        let e = attempt(&f.uc, "a@b.com", RIGHT).await.unwrap_err();
        assert_eq!(
            e.code,
            ErrorCode::AccountLocked,
            "a right password does not get in while locked"
        );
        // Other spellings of the same identifier share the lock.
        assert_eq!(
            attempt(&f.uc, "A@B.COM", RIGHT).await.unwrap_err().code,
            ErrorCode::AccountLocked
        );

        clock.advance(15 * 60 - 1);
        assert_eq!(
            attempt(&f.uc, "a@b.com", RIGHT).await.unwrap_err().code,
            ErrorCode::AccountLocked
        );
        clock.advance(1);
        attempt(&f.uc, "a@b.com", RIGHT).await.unwrap();
        // A success resets the consecutive count.
        let c = attempt(&f.uc, "a@b.com", WRONG)
            .await
            .unwrap_err()
            .login
            .unwrap();
        assert_eq!(c.consecutive_failures, 1);
    }

    #[tokio::test]
    async fn each_further_lock_doubles_up_to_a_day() {
        let (f, clock) = clocked_fixture().await;
        let mut expected = 15 * 60;
        for _ in 0..8 {
            for _ in 0..4 {
                attempt(&f.uc, "nobody@b.com", WRONG).await.unwrap_err();
            }
            let e = attempt(&f.uc, "nobody@b.com", WRONG).await.unwrap_err();
            assert_eq!(e.retry_after_secs, Some(expected));
            clock.advance(expected);
            // Keep the cumulative window out of the way.
            sqlx::query("DELETE FROM throttle_failures WHERE key = 'email:nobody@b.com'")
                .execute(&f.db.sql)
                .await
                .unwrap();
            expected = (expected * 2).min(24 * 3600);
        }
        assert_eq!(expected, 24 * 3600);
    }

    #[tokio::test]
    async fn twenty_failures_in_a_day_lock_until_the_window_clears() {
        let (f, clock) = clocked_fixture().await;
        f.uc.register(reg("a@b.com", "", ""), &client())
            .await
            .unwrap();
        let start = clock.now();
        for round in 0..5 {
            for _ in 0..4 {
                attempt(&f.uc, "a@b.com", WRONG).await.unwrap_err();
                clock.advance(60);
            }
            if round < 4 {
                attempt(&f.uc, "a@b.com", RIGHT).await.unwrap();
            }
        }
        // That was the 20th failure: locked until the first is 24 h old.
        let e = attempt(&f.uc, "a@b.com", RIGHT).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::AccountLocked);
        let c = e.login.unwrap();
        assert_eq!(c.locked_until, Some(start + 24 * 3600));
        assert_eq!(c.remaining_cumulative, 0);
        clock.advance(start + 24 * 3600 - clock.now());
        attempt(&f.uc, "a@b.com", RIGHT).await.unwrap();
    }

    #[tokio::test]
    async fn unknown_identifiers_are_counted_and_locked_the_same_way() {
        let (f, _clock) = clocked_fixture().await;
        f.uc.register(reg("real@b.com", "", ""), &client())
            .await
            .unwrap();
        for _ in 0..5 {
            let real = attempt(&f.uc, "real@b.com", WRONG).await.unwrap_err();
            let ghost = attempt(&f.uc, "ghost@b.com", WRONG).await.unwrap_err();
            assert_eq!(real.code, ghost.code);
            assert_eq!(real.login, ghost.login);
        }
    }

    #[tokio::test]
    async fn staff_unlock_lifts_the_lock() {
        let (f, _clock) = clocked_fixture().await;
        let user =
            f.uc.register(reg("a@b.com", "13800138000", ""), &client())
                .await
                .unwrap()
                .user;
        for _ in 0..5 {
            attempt(&f.uc, "13800138000", WRONG).await.unwrap_err();
        }
        assert_eq!(
            attempt(&f.uc, "13800138000", RIGHT).await.unwrap_err().code,
            ErrorCode::AccountLocked
        );
        f.uc.unlock_user(user.id).await.unwrap();
        attempt(&f.uc, "13800138000", RIGHT).await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn parallel_guesses_cannot_race_past_the_threshold() {
        let (f, _clock) = clocked_fixture().await;
        f.uc.register(reg("a@b.com", "", ""), &client())
            .await
            .unwrap();
        let before = f.uc.hasher.verifications();
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let uc = f.uc.clone();
                tokio::spawn(async move { attempt(&uc, "a@b.com", WRONG).await.unwrap_err() })
            })
            .collect();
        let mut invalid = 0;
        let mut locked = 0;
        for t in tasks {
            match t.await.unwrap().code {
                ErrorCode::InvalidCredentials => invalid += 1,
                ErrorCode::AccountLocked => locked += 1,
                other => panic!("unexpected {other}"),
            }
        }
        assert_eq!((invalid, locked), (4, 46));
        assert_eq!(
            f.uc.hasher.verifications() - before,
            5,
            "only five guesses reached the hash"
        );
        let (events,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM throttle_failures WHERE kind = 'sign_in'")
                .fetch_one(&f.db.sql)
                .await
                .unwrap();
        assert_eq!(events, 5);
    }
    #[tokio::test]
    async fn an_accounts_email_phone_and_username_share_one_counter() {
        let (f, _clock) = clocked_fixture().await;
        f.uc.register(reg("a@b.com", "13800138000", "alice"), &client())
            .await
            .unwrap();
        let mut seen = Vec::new();
        for id in ["a@b.com", "13800138000", "alice", "A@B.com"] {
            let e = attempt(&f.uc, id, WRONG).await.unwrap_err();
            seen.push(e.login.unwrap().consecutive_failures);
        }
        assert_eq!(seen, [1, 2, 3, 4]);
        assert_eq!(
            attempt(&f.uc, "13800138000", WRONG).await.unwrap_err().code,
            ErrorCode::AccountLocked
        );
        for id in ["a@b.com", "alice"] {
            assert_eq!(
                attempt(&f.uc, id, RIGHT).await.unwrap_err().code,
                ErrorCode::AccountLocked,
                "{id} shares the lock"
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn twelve_parallel_right_sign_ins_all_get_a_session() {
        // The real captcha rule: after 3 failures. In-flight attempts are
        // not failures, so none of these is asked for one.
        let mut settings = test_settings();
        settings.lockout.captcha_after = 3;
        let f = fixture_with(settings).await;
        f.uc.register(reg("a@b.com", "", ""), &client())
            .await
            .unwrap();
        let tasks: Vec<_> = (0..12)
            .map(|_| {
                let uc = f.uc.clone();
                tokio::spawn(async move { uc.login("a@b.com", RIGHT, None, &client()).await })
            })
            .collect();
        let mut sessions = 0;
        for t in tasks {
            t.await.unwrap().expect("a right password gets in");
            sessions += 1;
        }
        assert_eq!(sessions, 12);
        let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions")
            .fetch_one(&f.db.sql)
            .await
            .unwrap();
        assert_eq!(rows, 13, "the sign-up's session and twelve more");
    }
}

mod refresh {
    use super::*;
    use crate::clock::Clock;

    #[tokio::test]
    async fn access_expires_after_15_minutes_and_refresh_renews_it() {
        let (f, clock) = clocked_fixture().await;
        let res =
            f.uc.register(reg("a@b.com", "", ""), &client())
                .await
                .unwrap();
        assert_eq!(res.expires_at - clock.now(), 15 * 60);
        assert_eq!(res.refresh_expires_at - clock.now(), 30 * 24 * 3600);
        clock.advance(15 * 60);
        assert_eq!(
            code_of(f.uc.check_token(&res.token).await),
            ErrorCode::TokenExpired
        );
        let renewed = f.uc.refresh(&res.refresh_token, &client()).await.unwrap();
        assert_ne!(renewed.refresh_token, res.refresh_token);
        let auth = f.uc.authenticate(&renewed.token).await.unwrap();
        assert_eq!(auth.user_id, res.user.id);
        // Same session, so the old access token's session is the new one's.
        assert_eq!(f.uc.list_sessions(&auth).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn reuse_after_the_grace_interval_revokes_the_session() {
        let (f, clock) = clocked_fixture().await;
        let res =
            f.uc.register(reg("a@b.com", "", ""), &client())
                .await
                .unwrap();
        let second = f.uc.refresh(&res.refresh_token, &client()).await.unwrap();
        clock.advance(31);
        // The first token comes back: someone copied it.
        assert_eq!(
            code_of(f.uc.refresh(&res.refresh_token, &client()).await),
            ErrorCode::TokenRevoked
        );
        assert_eq!(
            code_of(f.uc.refresh(&second.refresh_token, &client()).await),
            ErrorCode::TokenRevoked
        );
        assert_eq!(
            code_of(f.uc.check_token(&second.token).await),
            ErrorCode::TokenRevoked
        );
    }

    #[tokio::test]
    async fn reuse_within_the_grace_interval_is_refused_but_harmless() {
        let (f, clock) = clocked_fixture().await;
        let res =
            f.uc.register(reg("a@b.com", "", ""), &client())
                .await
                .unwrap();
        let second = f.uc.refresh(&res.refresh_token, &client()).await.unwrap();
        clock.advance(5);
        // A lost race, not a theft: a code of its own, and the session lives.
        assert_eq!(
            code_of(f.uc.refresh(&res.refresh_token, &client()).await),
            ErrorCode::RefreshSuperseded
        );
        f.uc.check_token(&second.token).await.unwrap();
        // The other tab's new token still works.
        f.uc.refresh(&second.refresh_token, &client())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn sessions_slide_on_refresh_up_to_the_absolute_cap() {
        let (f, clock) = clocked_fixture().await;
        let day = 24 * 3600;
        let start = clock.now();
        let mut res =
            f.uc.register(reg("a@b.com", "", ""), &client())
                .await
                .unwrap();
        assert_eq!(res.refresh_expires_at, start + 30 * day);
        // Refreshed every 29 days, the session outlives its first 30.
        for _ in 0..3 {
            clock.advance(29 * day);
            res = f.uc.refresh(&res.refresh_token, &client()).await.unwrap();
        }
        // 87 days in: the next end is the cap, 90 days after sign-in.
        assert_eq!(res.refresh_expires_at, start + 90 * day);
        f.uc.check_token(&res.token).await.unwrap();
        clock.advance(3 * day);
        assert_eq!(
            code_of(f.uc.refresh(&res.refresh_token, &client()).await),
            ErrorCode::TokenRevoked
        );

        // Idle for the refresh lifetime, a session ends without a refresh.
        let idle =
            f.uc.login("a@b.com", "correct horse battery", None, &client())
                .await
                .unwrap();
        clock.advance(30 * day);
        assert_eq!(
            code_of(f.uc.refresh(&idle.refresh_token, &client()).await),
            ErrorCode::TokenRevoked
        );
    }

    #[tokio::test]
    async fn logout_by_refresh_token_ends_the_session() {
        let (f, clock) = clocked_fixture().await;
        let res =
            f.uc.register(reg("a@b.com", "", ""), &client())
                .await
                .unwrap();
        // The access token has lapsed; only the refresh token is left.
        clock.advance(16 * 60);
        f.uc.logout_by_refresh_token(&res.refresh_token, &client())
            .await
            .unwrap();
        assert_eq!(
            code_of(f.uc.refresh(&res.refresh_token, &client()).await),
            ErrorCode::TokenRevoked
        );
        // Twice, or with a made-up token, is harmless.
        f.uc.logout_by_refresh_token(&res.refresh_token, &client())
            .await
            .unwrap();
        f.uc.logout_by_refresh_token("made-up", &client())
            .await
            .unwrap();
        let (logouts,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'logout'")
                .fetch_one(&f.db.sql)
                .await
                .unwrap();
        assert_eq!(logouts, 1);
    }

    #[tokio::test]
    async fn unknown_and_expired_refresh_tokens_are_refused() {
        let (f, clock) = clocked_fixture().await;
        let res =
            f.uc.register(reg("a@b.com", "", ""), &client())
                .await
                .unwrap();
        assert_eq!(
            code_of(f.uc.refresh("made-up", &client()).await),
            ErrorCode::TokenRevoked
        );
        clock.advance(30 * 24 * 3600);
        assert_eq!(
            code_of(f.uc.refresh(&res.refresh_token, &client()).await),
            ErrorCode::TokenRevoked
        );
    }

    #[tokio::test]
    async fn sessions_are_listed_and_revoked_one_or_all_others() {
        let (f, _clock) = clocked_fixture().await;
        let chrome = ClientInfo {
            ip: Some("10.0.0.1".into()),
            user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36".into()),
            device_id: Some("laptop-1".into()),
        };
        let a =
            f.uc.register(reg("a@b.com", "", ""), &chrome)
                .await
                .unwrap();
        let b =
            f.uc.login("a@b.com", "correct horse battery", None, &client())
                .await
                .unwrap();
        let c =
            f.uc.login("a@b.com", "correct horse battery", None, &client())
                .await
                .unwrap();
        let auth_a = f.uc.authenticate(&a.token).await.unwrap();
        let list = f.uc.list_sessions(&auth_a).await.unwrap();
        assert_eq!(list.len(), 3);
        let mine = list.iter().find(|s| s.current).unwrap();
        assert_eq!(mine.id, auth_a.session_id);
        assert_eq!(mine.label, "Chrome on Linux");
        assert_eq!(mine.device_id.as_deref(), Some("laptop-1"));
        assert_eq!(list.iter().filter(|s| s.current).count(), 1);

        let auth_b = f.uc.authenticate(&b.token).await.unwrap();
        assert!(f
            .uc
            .revoke_session(auth_a.user_id, &auth_b.session_id)
            .await
            .unwrap());
        assert_eq!(
            code_of(f.uc.authenticate(&b.token).await),
            ErrorCode::Unauthenticated
        );
        assert_eq!(
            code_of(f.uc.refresh(&b.refresh_token, &client()).await),
            ErrorCode::TokenRevoked
        );

        assert_eq!(
            f.uc.revoke_other_sessions(auth_a.user_id, Some(&auth_a.session_id))
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            code_of(f.uc.authenticate(&c.token).await),
            ErrorCode::Unauthenticated
        );
        assert!(f.uc.authenticate(&a.token).await.is_ok());
        assert_eq!(f.uc.list_sessions(&auth_a).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn one_user_cannot_revoke_another_users_session() {
        let (f, _clock) = clocked_fixture().await;
        let a =
            f.uc.register(reg("a@b.com", "", ""), &client())
                .await
                .unwrap();
        let b =
            f.uc.register(reg("b@b.com", "", ""), &client())
                .await
                .unwrap();
        let auth_b = f.uc.authenticate(&b.token).await.unwrap();
        assert!(!f
            .uc
            .revoke_session(a.user.id, &auth_b.session_id)
            .await
            .unwrap());
        assert!(f.uc.authenticate(&b.token).await.is_ok());
    }

    #[test]
    fn client_labels_are_short() {
        use crate::sessions::client_label;
        assert_eq!(client_label(None), "Unknown client");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(client_label(Some(safari)), "Safari on iPhone");
        assert_eq!(client_label(Some("curl/8.0")), "HTTP Library");
    }
}

#[tokio::test]
async fn pooled_hashes_interoperate_with_the_standard_argon2_api() {
    use argon2::password_hash::{rand_core::OsRng, SaltString};
    use argon2::{PasswordHasher as _, PasswordVerifier as _};
    let hasher = crate::passwords::Hasher::new(HashCost::Owasp).unwrap();
    // Ours verifies with the crate's own verifier …
    let ours = hasher.hash("correct horse battery").await.unwrap();
    let parsed = argon2::PasswordHash::new(&ours.0).unwrap();
    assert!(argon2::Argon2::default()
        .verify_password(b"correct horse battery", &parsed)
        .is_ok());
    // … and a standard hash (other parameters) verifies with ours.
    let params = argon2::Params::new(8 * 1024, 3, 1, None).unwrap();
    let standard = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password(b"another password", &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string();
    let stored = crate::passwords::StoredHash(standard);
    assert!(hasher
        .verify("another password", Some(&stored))
        .await
        .unwrap());
    assert!(!hasher
        .verify("another passworD", Some(&stored))
        .await
        .unwrap());
}

/// The user agrees to the processing of identity documents (needed before
/// a real-name submission or an ID-card photo).
pub(crate) async fn consent(uc: &UserCenter, user_id: i64) {
    let purpose = shared::privacy::ConsentPurpose::IdentityDocuments;
    uc.give_consent(
        user_id,
        purpose,
        purpose.current_version(),
        &ClientInfo::default(),
    )
    .await
    .unwrap();
}
