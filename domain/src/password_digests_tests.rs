//! Passwords that arrive as digests: one password, signed in with through
//! the web (plaintext) and through a seed client (digest).

use crate::accounts::Registration;
use crate::password_digests::DigestScheme;
use crate::tests::{client, fixture_with, test_settings, Fixture};
use shared::ErrorCode;

const PASSWORD: &str = "correct horse 1";

async fn fixture_for(schemes: &[DigestScheme]) -> Fixture {
    let mut settings = test_settings();
    settings.password_digests = schemes.to_vec();
    fixture_with(settings).await
}

fn form(email: &str) -> Registration<'_> {
    Registration {
        email,
        password: PASSWORD,
        ..Registration::default()
    }
}

async fn password_hash(f: &Fixture, email: &str) -> String {
    let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&f.db.sql)
        .await
        .unwrap();
    hash
}

#[test]
fn digests_are_what_the_seed_clients_send() {
    assert_eq!(
        DigestScheme::Md5.of("123456"),
        "e10adc3949ba59abbe56e057f20f883e"
    );
    assert_eq!(
        DigestScheme::DoubleMd5.of("123456"),
        "14e1b600b1fd579f47433b88e8d85291"
    );
    assert_eq!(
        DigestScheme::Sha1.of("123456"),
        "7c4a8d09ca3762af61e59520943dc26494f8941b"
    );
    assert_eq!(
        DigestScheme::Java110.of("123456"),
        "5b7ac7ba433dc0842fb8d3bc15e4b2aa"
    );
    assert_eq!(
        DigestScheme::Md5.normalise(" E10ADC3949BA59ABBE56E057F20F883E "),
        Some("e10adc3949ba59abbe56e057f20f883e".into())
    );
    assert_eq!(
        DigestScheme::Md5.normalise("not hex at all, 32 characters.."),
        None
    );
    assert_eq!(
        DigestScheme::Sha1.normalise(&DigestScheme::Md5.of("x")),
        None
    );
}

#[tokio::test]
async fn a_web_password_signs_in_through_a_digest_client() {
    let f = fixture_for(&[DigestScheme::DoubleMd5]).await;
    f.uc.register(form("a@b.com"), &client()).await.unwrap();
    let digest = DigestScheme::DoubleMd5.of(PASSWORD);
    f.uc.login_with_digest("a@b.com", DigestScheme::DoubleMd5, &digest, None, &client())
        .await
        .unwrap();
    // Upper-case hex is the same digest.
    f.uc.login_with_digest(
        "a@b.com",
        DigestScheme::DoubleMd5,
        &digest.to_uppercase(),
        None,
        &client(),
    )
    .await
    .unwrap();
    // Another scheme was not configured: no verifier, refused like a wrong password.
    let err =
        f.uc.login_with_digest(
            "a@b.com",
            DigestScheme::Md5,
            &DigestScheme::Md5.of(PASSWORD),
            None,
            &client(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidCredentials);
    // Nothing stored is a bare digest.
    let rows: Vec<(String,)> = sqlx::query_as("SELECT verifier FROM password_digests")
        .fetch_all(&f.db.sql)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].0.starts_with("$argon2id$"), "{}", rows[0].0);
}

#[tokio::test]
async fn wrong_digests_count_toward_the_lockout() {
    let f = fixture_for(&[DigestScheme::Md5]).await;
    f.uc.register(form("a@b.com"), &client()).await.unwrap();
    let wrong = DigestScheme::Md5.of("not the password");
    let mut last = None;
    for _ in 0..f.uc.settings.lockout.max_consecutive {
        last = Some(
            f.uc.login_with_digest("a@b.com", DigestScheme::Md5, &wrong, None, &client())
                .await
                .unwrap_err()
                .code(),
        );
    }
    assert_eq!(last, Some(ErrorCode::AccountLocked));
    // The right digest is refused while the lock lasts, and so is the web password.
    let right = DigestScheme::Md5.of(PASSWORD);
    let err =
        f.uc.login_with_digest("a@b.com", DigestScheme::Md5, &right, None, &client())
            .await
            .unwrap_err();
    assert_eq!(err.code(), ErrorCode::AccountLocked);
    let err =
        f.uc.login("a@b.com", PASSWORD, None, &client())
            .await
            .unwrap_err();
    assert_eq!(err.code(), ErrorCode::AccountLocked);
}

#[tokio::test]
async fn parallel_correct_digest_sign_ins_all_succeed() {
    let f = fixture_for(&[DigestScheme::Java110]).await;
    f.uc.register(form("a@b.com"), &client()).await.unwrap();
    let digest = DigestScheme::Java110.of(PASSWORD);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let uc = f.uc.clone();
            let digest = digest.clone();
            tokio::spawn(async move {
                uc.login_with_digest("a@b.com", DigestScheme::Java110, &digest, None, &client())
                    .await
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
}

#[tokio::test]
async fn an_account_opened_with_a_digest_signs_in_on_the_web_and_is_upgraded() {
    let f = fixture_for(&[DigestScheme::DoubleMd5]).await;
    let digest = DigestScheme::DoubleMd5.of(PASSWORD);
    let opened =
        f.uc.register_with_digest(form("a@b.com"), DigestScheme::DoubleMd5, &digest, &client())
            .await
            .unwrap();
    assert_eq!(opened.user.email.as_deref(), Some("a@b.com"));
    assert_eq!(password_hash(&f, "a@b.com").await, "");
    // A wrong plaintext password fails like any other.
    let err =
        f.uc.login("a@b.com", "wrong password 1", None, &client())
            .await
            .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidCredentials);
    // The right one signs in through the digest, and adds the ordinary verifier.
    f.uc.login("a@b.com", PASSWORD, None, &client())
        .await
        .unwrap();
    assert!(password_hash(&f, "a@b.com").await.starts_with("$argon2id$"));
    f.uc.login("a@b.com", PASSWORD, None, &client())
        .await
        .unwrap();
    f.uc.login_with_digest("a@b.com", DigestScheme::DoubleMd5, &digest, None, &client())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_digest_registration_checks_identifiers_like_any_other() {
    let f = fixture_for(&[DigestScheme::DoubleMd5]).await;
    let digest = DigestScheme::DoubleMd5.of(PASSWORD);
    let err =
        f.uc.register_with_digest(
            form("not an email"),
            DigestScheme::DoubleMd5,
            &digest,
            &client(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidEmail);
    let err =
        f.uc.register_with_digest(
            form("a@b.com"),
            DigestScheme::DoubleMd5,
            "ERCBHDUYFJDNDHDJDNDJDHDUDHDJDDKDK",
            &client(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    f.uc.register(form("a@b.com"), &client()).await.unwrap();
    let err =
        f.uc.register_with_digest(form("a@b.com"), DigestScheme::DoubleMd5, &digest, &client())
            .await
            .unwrap_err();
    assert_eq!(err.code(), ErrorCode::EmailTaken);
}

#[tokio::test]
async fn a_facade_enabled_later_works_after_one_plaintext_sign_in() {
    let f = fixture_for(&[]).await;
    f.uc.register(form("a@b.com"), &client()).await.unwrap();
    let mut later = f.uc.clone();
    later.settings_mut().password_digests = vec![DigestScheme::Sha1];
    let digest = DigestScheme::Sha1.of(PASSWORD);
    let err = later
        .login_with_digest("a@b.com", DigestScheme::Sha1, &digest, None, &client())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidCredentials);
    later
        .login("a@b.com", PASSWORD, None, &client())
        .await
        .unwrap();
    later
        .login_with_digest("a@b.com", DigestScheme::Sha1, &digest, None, &client())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_password_set_as_a_digest_replaces_the_old_one() {
    let f = fixture_for(&[DigestScheme::Md5, DigestScheme::Sha1]).await;
    let res = f.uc.register(form("a@b.com"), &client()).await.unwrap();
    let user_id = res.user.id;
    let token = res.token.clone();
    // The current password, as a digest, is checked and counted.
    f.uc.check_password_digest(user_id, DigestScheme::Md5, &DigestScheme::Md5.of(PASSWORD))
        .await
        .unwrap();
    let err =
        f.uc.check_password_digest(user_id, DigestScheme::Md5, &DigestScheme::Md5.of("nope"))
            .await
            .unwrap_err();
    assert_eq!(err.code(), ErrorCode::PasswordIncorrect);

    let new = "a brand new one 2";
    f.uc.set_password_digest(
        user_id,
        DigestScheme::Md5,
        &DigestScheme::Md5.of(new),
        &client(),
    )
    .await
    .unwrap();
    // Sessions end, the old password and the old SHA-1 verifier are gone.
    assert!(f.uc.authenticate(&token).await.is_err());
    let err =
        f.uc.login("a@b.com", PASSWORD, None, &client())
            .await
            .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidCredentials);
    let err =
        f.uc.login_with_digest(
            "a@b.com",
            DigestScheme::Sha1,
            &DigestScheme::Sha1.of(PASSWORD),
            None,
            &client(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidCredentials);
    // The new one works both ways; the web sign-in restores the SHA-1 verifier.
    f.uc.login("a@b.com", new, None, &client()).await.unwrap();
    f.uc.login_with_digest(
        "a@b.com",
        DigestScheme::Sha1,
        &DigestScheme::Sha1.of(new),
        None,
        &client(),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn re_entry_of_a_digest_only_password_works_for_a_web_change() {
    // An account opened by a digest client changes its password on the web.
    let f = fixture_for(&[DigestScheme::DoubleMd5]).await;
    let res =
        f.uc.register_with_digest(
            form("a@b.com"),
            DigestScheme::DoubleMd5,
            &DigestScheme::DoubleMd5.of(PASSWORD),
            &client(),
        )
        .await
        .unwrap();
    let auth = f.uc.authenticate(&res.token).await.unwrap();
    f.uc.change_password(
        &auth,
        crate::recovery::ChangeProof::CurrentPassword(PASSWORD),
        "the next password 3",
    )
    .await
    .unwrap();
    f.uc.login_with_digest(
        "a@b.com",
        DigestScheme::DoubleMd5,
        &DigestScheme::DoubleMd5.of("the next password 3"),
        None,
        &client(),
    )
    .await
    .unwrap();
}
