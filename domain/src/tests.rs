//! Integration tests of the domain against a real temporary SQLite file.

use crate::accounts::Registration;
use crate::tokens::Claims;
use crate::{db, ClientInfo, DomainError, HashCost, Settings, UserCenter};
use shared::ErrorCode;
use std::time::Duration;

struct Fixture {
    uc: UserCenter,
    _dir: tempfile::TempDir,
}

async fn fixture_with(settings: Settings) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let pool = db::connect(&url).await.expect("connect");
    let uc = UserCenter::new(pool, b"test secret of thirty-two bytes!", settings).expect("domain");
    Fixture { uc, _dir: dir }
}

async fn fixture() -> Fixture {
    fixture_with(Settings {
        hash_cost: HashCost::TestMinimum,
        ..Settings::default()
    })
    .await
}

fn client() -> ClientInfo {
    ClientInfo {
        ip: Some("127.0.0.1".into()),
        user_agent: Some("tests".into()),
    }
}

fn reg<'a>(email: &'a str, phone: &'a str, username: &'a str) -> Registration<'a> {
    Registration {
        email,
        phone,
        username,
        password: "correct horse battery",
    }
}

fn code_of<T: std::fmt::Debug>(r: Result<T, DomainError>) -> ErrorCode {
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
            f.uc.login(id, "correct horse battery", &client())
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
        .fetch_one(&f.uc.pool)
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
        .fetch_one(&f.uc.pool)
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
        f.uc.login("a@b.com", "not the password", &client())
            .await
            .unwrap_err();
    let unknown =
        f.uc.login("nobody@b.com", "not the password", &client())
            .await
            .unwrap_err();
    assert_eq!(wrong.to_app_error(), unknown.to_app_error());
    assert_eq!(wrong.code(), ErrorCode::InvalidCredentials);
}

#[tokio::test]
async fn unknown_account_costs_a_real_hash() {
    // Timing equality at the production cost: an unknown account must verify
    // the dummy hash rather than return at once.
    let f = fixture_with(Settings::default()).await;
    f.uc.register(reg("a@b.com", "", ""), &client())
        .await
        .unwrap();
    let measure = |id: &'static str| {
        let uc = f.uc.clone();
        async move {
            let start = std::time::Instant::now();
            for _ in 0..3 {
                let _ = uc.login(id, "not the password", &client()).await;
            }
            start.elapsed()
        }
    };
    let wrong = measure("a@b.com").await;
    let unknown = measure("nobody@b.com").await;
    let ratio = unknown.as_secs_f64() / wrong.as_secs_f64();
    assert!(
        (0.5..2.0).contains(&ratio),
        "unknown {unknown:?} vs wrong {wrong:?}"
    );
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
        f.uc.login("a@b.com", "correct horse battery", &client())
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
        hash_cost: HashCost::TestMinimum,
        token_ttl: Duration::from_secs(1),
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
    sqlx::query("UPDATE users SET status = 'frozen' WHERE id = ?")
        .bind(res.user.id)
        .execute(&f.uc.pool)
        .await
        .unwrap();
    assert_eq!(
        code_of(f.uc.authenticate(&res.token).await),
        ErrorCode::Unauthenticated
    );
    assert_eq!(
        code_of(
            f.uc.login("a@b.com", "correct horse battery", &client())
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
            Err(e) => assert_eq!(e.code(), ErrorCode::EmailTaken),
        }
    }
    assert_eq!(ok, 1);
    let count: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(&f.uc.pool)
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
