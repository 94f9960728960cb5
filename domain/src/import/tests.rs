//! The import against a real SQLite file: a generated file with every hash
//! scheme, sign-in with each, re-runs, bad rows, statuses and the ledger.

use super::legacy_hash::LegacyScheme;
use super::{sample, ImportOptions, ImportReport, Progress};
use crate::password_digests::DigestScheme;
use crate::tests::{client, code_of, fixture, fixture_with, signup_named, test_settings, Fixture};
use crate::{UserCenter, UserStatus};
use shared::profile::AccountState;
use shared::wallet::HistoryRequest;
use shared::ErrorCode;
use std::io::Cursor;

async fn import_with(uc: &UserCenter, file: &str, options: &ImportOptions) -> ImportReport {
    uc.import_users(|| Ok(Cursor::new(file.as_bytes())), options, |_| {})
        .await
        .expect("import")
}

async fn import(uc: &UserCenter, file: &str) -> ImportReport {
    import_with(uc, file, &ImportOptions::default()).await
}

fn sample_file(rows: std::ops::RangeInclusive<u64>) -> String {
    rows.map(|i| sample::row(i) + "\n").collect()
}

async fn count(f: &Fixture, sql: &'static str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&f.db.sql).await.unwrap();
    n
}

async fn user_id(f: &Fixture, email: &str) -> i64 {
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&f.db.sql)
        .await
        .unwrap();
    id
}

async fn password_hash(f: &Fixture, id: i64) -> String {
    let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(&f.db.sql)
        .await
        .unwrap();
    hash
}

/// The balances a user sees, as `(currency, amount)` for the non-zero ones.
async fn holdings(uc: &UserCenter, id: i64) -> Vec<(String, String)> {
    uc.balances(id)
        .await
        .unwrap()
        .into_iter()
        .filter(|b| b.posted_minor != 0)
        .map(|b| (b.currency, b.posted))
        .collect()
}

#[tokio::test]
async fn every_scheme_signs_in_once_then_only_argon2id_is_left() {
    let f = fixture().await;
    // Rows 1–14: every scheme twice.
    let file = sample_file(1..=14);
    let report = import(&f.uc, &file).await;
    assert_eq!(
        (report.rows, report.new, report.imported, report.bad.len()),
        (14, 14, 14, 0),
        "{report:?}"
    );
    assert_eq!(f.uc.legacy_passwords_left().await.unwrap(), 14);
    let schemes: Vec<String> = sqlx::query_as::<_, (String,)>(
        "SELECT DISTINCT scheme FROM legacy_passwords ORDER BY scheme",
    )
    .fetch_all(&f.db.sql)
    .await
    .unwrap()
    .into_iter()
    .map(|(s,)| s)
    .collect();
    assert_eq!(schemes.len(), LegacyScheme::ALL.len(), "{schemes:?}");

    for i in 1..=14 {
        let email = format!("user{i}@example.com");
        let id = user_id(&f, &email).await;
        assert_eq!(password_hash(&f, id).await, "", "nothing hashed at import");
        // A wrong password fails and leaves the legacy hash in place.
        assert_eq!(
            code_of(
                f.uc.login(&email, "wrong password 1", None, &client())
                    .await
            ),
            ErrorCode::InvalidCredentials,
            "{:?}",
            sample::scheme_of(i)
        );
        assert!(f.uc.legacy_password(id).await.unwrap().is_some());
        let signed_in =
            f.uc.login(&email, &sample::password_of(i), None, &client())
                .await
                .unwrap_or_else(|e| panic!("{:?}: {e}", sample::scheme_of(i)));
        assert_eq!(signed_in.user.id, id);
        assert!(
            f.uc.legacy_password(id).await.unwrap().is_none(),
            "{:?}: the legacy row is deleted at upgrade",
            sample::scheme_of(i)
        );
        assert!(password_hash(&f, id).await.starts_with("$argon2id$"));
        // From now on the argon2id hash answers, by the username too.
        f.uc.login(
            &format!("user_{i}"),
            &sample::password_of(i),
            None,
            &client(),
        )
        .await
        .unwrap();
    }
    assert_eq!(f.uc.legacy_passwords_left().await.unwrap(), 0);
}

#[tokio::test]
async fn a_second_import_of_the_same_file_changes_nothing() {
    let f = fixture().await;
    let file = sample_file(1..=20);
    let first = import(&f.uc, &file).await;
    assert_eq!((first.imported, first.bad.len()), (20, 0));
    let tables = [
        "SELECT COUNT(*) FROM users",
        "SELECT COUNT(*) FROM wallet_transfers",
        "SELECT COUNT(*) FROM wallet_requests",
        "SELECT COUNT(*) FROM wallet_accounts",
        "SELECT COUNT(*) FROM legacy_passwords",
        "SELECT CAST(SUM(posted) AS BIGINT) FROM wallet_accounts WHERE user_id IS NOT NULL",
    ];
    let mut before = Vec::new();
    for sql in tables {
        before.push(count(&f, sql).await);
    }
    // Reformatted (keys reordered, spaces): still the same rows.
    let reformatted: String = file
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            serde_json::to_string_pretty(&v).unwrap().replace('\n', " ") + "\n"
        })
        .collect();
    for again in [&file, &reformatted] {
        let second = import(&f.uc, again).await;
        assert_eq!(
            (
                second.new,
                second.already_imported,
                second.imported,
                second.deposits
            ),
            (0, 20, 0, 0),
            "{second:?}"
        );
        assert!(second.bad.is_empty(), "{:?}", second.bad);
        let mut after = Vec::new();
        for sql in tables {
            after.push(count(&f, sql).await);
        }
        assert_eq!(before, after);
    }
    // One more row appended: only it is new.
    let grown = sample_file(1..=21);
    let third = import(&f.uc, &grown).await;
    assert_eq!(
        (third.already_imported, third.imported),
        (20, 1),
        "{third:?}"
    );

    // The same id with other content is a bad row, not a re-run.
    let changed = sample::row(3).replace("User 3", "User Three");
    let report = import(&f.uc, &changed).await;
    assert_eq!(report.bad.len(), 1);
    assert_eq!(report.bad[0].problem.code, ErrorCode::IdempotencyConflict);
    assert_eq!(report.bad[0].import_id.as_deref(), Some("legacy-3"));
    crate::wallet::tests::assert_audit_clean(&f.uc).await;
}

#[tokio::test]
async fn bad_rows_are_reported_by_line_and_stop_the_write() {
    let f = fixture().await;
    signup_named(&f.uc, "taken", "correct horse battery").await;
    let good = |id: &str, email: &str| {
        format!(r#"{{"import_id":"{id}","email":"{email}","balances":{{"CNY":"1.00"}}}}"#)
    };
    let file = [
        good("a", "a@example.com"),
        good("b", "not an email"),
        good("c", "A@example.com"),
        good("d", "taken@example.com"),
        String::new(),
        r#"{"import_id":"e","email":"e@example.com","password":{"scheme":"md5","hash":"xyz"}}"#
            .to_string(),
        good("a", "f@example.com"),
        r#"{"import_id":"g","email":"g@example.com","balances":{"CNY":"0.001"}}"#.to_string(),
        "{not json".to_string(),
        good("h", "h@example.com"),
    ]
    .join("\n");
    let report = import(&f.uc, &file).await;
    let bad: Vec<(u64, ErrorCode, Option<&str>)> = report
        .bad
        .iter()
        .map(|b| (b.line, b.problem.code, b.problem.field.as_deref()))
        .collect();
    assert_eq!(
        bad,
        [
            (2, ErrorCode::InvalidEmail, Some("email")),
            (3, ErrorCode::EmailTaken, Some("email")),
            (4, ErrorCode::EmailTaken, Some("email")),
            (6, ErrorCode::InvalidLegacyHash, Some("password")),
            (7, ErrorCode::IdempotencyConflict, Some("import_id")),
            (8, ErrorCode::AmountTooPrecise, Some("balances.CNY")),
            (9, ErrorCode::InvalidInput, None),
        ]
    );
    assert!(
        report.bad[1].problem.message.contains("line 1"),
        "{:?}",
        report.bad[1]
    );
    assert_eq!((report.rows, report.new, report.imported), (9, 2, 0));
    assert_eq!(
        count(&f, "SELECT COUNT(*) FROM users").await,
        1,
        "nothing written"
    );
    assert_eq!(count(&f, "SELECT COUNT(*) FROM wallet_transfers").await, 0);

    // Told to skip them, the good rows go in and the bad ones are still listed.
    let options = ImportOptions {
        skip_invalid: true,
        ..ImportOptions::default()
    };
    let report = import_with(&f.uc, &file, &options).await;
    assert_eq!((report.imported, report.bad.len()), (2, 7));
    let a = user_id(&f, "a@example.com").await;
    assert_eq!(holdings(&f.uc, a).await, [("CNY".into(), "1.00".into())]);
}

#[tokio::test]
async fn a_dry_run_checks_everything_and_writes_nothing() {
    let f = fixture().await;
    let file = sample_file(1..=10) + "{\"import_id\":\"x\"}\n";
    let options = ImportOptions {
        dry_run: true,
        ..ImportOptions::default()
    };
    let mut seen = Vec::new();
    let report =
        f.uc.import_users(
            || Ok(Cursor::new(file.as_bytes())),
            &options,
            |p| seen.push(p),
        )
        .await
        .unwrap();
    assert!(report.dry_run);
    assert_eq!((report.rows, report.new, report.imported), (11, 10, 0));
    assert_eq!(report.bad.len(), 1);
    assert_eq!(report.bad[0].line, 11);
    assert_eq!(report.bad[0].problem.code, ErrorCode::ContactRequired);
    assert_eq!(seen.last(), Some(&Progress::Checked(11)));
    for sql in [
        "SELECT COUNT(*) FROM users",
        "SELECT COUNT(*) FROM wallet_transfers",
        "SELECT COUNT(*) FROM legacy_passwords",
        "SELECT COUNT(*) FROM imported_users",
    ] {
        assert_eq!(count(&f, sql).await, 0, "{sql}");
    }
}

#[tokio::test]
async fn opening_balances_are_migration_deposits_that_reconcile() {
    let f = fixture().await;
    // 1–100 with a batch of 7 rows per transaction: several commits.
    let file = sample_file(1..=100);
    let options = ImportOptions {
        batch_size: 7,
        ..ImportOptions::default()
    };
    let report = import_with(&f.uc, &file, &options).await;
    assert_eq!((report.imported, report.bad.len()), (100, 0));
    crate::wallet::tests::assert_audit_clean(&f.uc).await;

    // Row 35: CNY 35.35, USD 35.50 (a multiple of 5), BTC 0.00000035 (of 7).
    let id = user_id(&f, "user35@example.com").await;
    assert_eq!(
        holdings(&f.uc, id).await,
        [
            ("BTC".into(), "0.00000035".into()),
            ("CNY".into(), "35.35".into()),
            ("USD".into(), "35.50".into()),
        ]
    );
    let history =
        f.uc.history(
            id,
            &HistoryRequest {
                currency: "CNY".into(),
                kinds: Vec::new(),
                from: None,
                until: None,
                cursor: None,
                limit: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(history.items.len(), 1);
    assert_eq!(
        history.items[0].memo.as_deref(),
        Some("Opening balance (imported)")
    );

    // The migration account holds minus everything that moved in; the
    // external one (top-ups) is untouched; the journal names the import.
    for currency in ["CNY", "USD", "BTC"] {
        let (migration,): (i64,) = sqlx::query_as(
            "SELECT posted FROM wallet_accounts WHERE system = 'migration' AND currency = $1",
        )
        .bind(currency)
        .fetch_one(&f.db.sql)
        .await
        .unwrap();
        let (users,): (i64,) = sqlx::query_as(
            "SELECT CAST(SUM(posted) AS BIGINT) FROM wallet_accounts WHERE user_id IS NOT NULL AND currency = $1",
        )
        .bind(currency)
        .fetch_one(&f.db.sql)
        .await
        .unwrap();
        assert_eq!(migration, -users, "{currency}");
        assert!(users > 0);
        let (external,): (i64,) = sqlx::query_as(
            "SELECT posted FROM wallet_accounts WHERE system = 'external' AND currency = $1",
        )
        .bind(currency)
        .fetch_one(&f.db.sql)
        .await
        .unwrap();
        assert_eq!(external, 0);
    }
    let (request_id, actor): (String, String) = sqlx::query_as(
        "SELECT request_id, actor_service FROM wallet_transfers t
         JOIN wallet_accounts a ON a.id = t.credit_account WHERE a.user_id = $1 AND t.currency = 'CNY'",
    )
    .bind(id)
    .fetch_one(&f.db.sql)
    .await
    .unwrap();
    assert_eq!(
        (request_id.as_str(), actor.as_str()),
        ("legacy-35", "import")
    );
    assert_eq!(
        count(&f, "SELECT COUNT(*) FROM wallet_transfers").await as u64,
        report.deposits
    );
}

#[tokio::test]
async fn imported_accounts_keep_their_status_profile_and_review() {
    let f = fixture().await;
    let file = [
        // Frozen, with money: it holds it but cannot sign in.
        r#"{"import_id":"fz","email":"fz@example.com","status":1,"balances":{"CNY":"5"},
            "password":{"scheme":"md5","hash":"5f4dcc3b5aa765d61d8327deb882cf99"}}"#,
        // Closed (seed number 5).
        r#"{"import_id":"cl","phone":"13900000001","status":"5"}"#,
        // Under review at the old system, with a real name and ID: queued.
        r#"{"import_id":"rv","email":"rv@example.com","status":4,"real_name":"张三",
            "id_number":"11010519491231002X","gender":"female","created_at":"2019-05-06T07:08:09Z"}"#,
        // Verified, with a display name, both contacts proven.
        r#"{"import_id":"ok","email":"ok@example.com","phone":"13900000002","email_verified":true,
            "phone_verified":true,"display_name":"Okay","real_name":"Li Si","id_type":"passport",
            "id_number":"e1234567","real_name_verified":true,"status":"normal"}"#,
    ]
    .join("\n")
    .replace("\n            ", " ");
    let report = import(&f.uc, &file).await;
    assert_eq!((report.imported, report.bad.len()), (4, 0), "{report:?}");

    let fz = user_id(&f, "fz@example.com").await;
    let profile = f.uc.profile(fz).await.unwrap();
    assert_eq!(profile.account_state, AccountState::Frozen);
    assert_eq!(f.uc.stored_status(fz).await.unwrap(), UserStatus::Frozen);
    assert!(
        !profile.email_verified,
        "contacts are vouched for, not verified"
    );
    assert_eq!(holdings(&f.uc, fz).await, [("CNY".into(), "5.00".into())]);
    assert_eq!(
        code_of(
            f.uc.login("fz@example.com", "password", None, &client())
                .await
        ),
        ErrorCode::AccountDisabled
    );

    let (closed, closed_at): (String, Option<i64>) =
        sqlx::query_as("SELECT status, closed_at FROM users WHERE phone = '13900000001'")
            .fetch_one(&f.db.sql)
            .await
            .unwrap();
    assert_eq!(closed, "closed");
    assert!(
        closed_at.is_some(),
        "the contact grace period runs from the import"
    );

    let rv = user_id(&f, "rv@example.com").await;
    let profile = f.uc.profile(rv).await.unwrap();
    assert_eq!(profile.account_state, AccountState::Active);
    assert_eq!(
        profile.verification,
        shared::profile::VerificationState::Pending
    );
    assert_eq!(profile.created_at, "2019-05-06T07:08:09Z");
    assert_eq!(profile.gender, shared::identity::Gender::Female);

    let ok = user_id(&f, "ok@example.com").await;
    let profile = f.uc.profile(ok).await.unwrap();
    assert!(profile.email_verified && profile.phone_verified);
    assert_eq!(profile.display_name.as_deref(), Some("Okay"));
    assert_eq!(
        profile.verification,
        shared::profile::VerificationState::Verified
    );
    assert_eq!(profile.id_number_masked.as_deref(), Some("E1****67"));
    crate::wallet::tests::assert_audit_clean(&f.uc).await;
}

#[tokio::test]
async fn unsalted_digests_sign_in_through_the_facades_at_once() {
    let mut settings = test_settings();
    settings.password_digests = vec![
        DigestScheme::DoubleMd5,
        DigestScheme::Md5,
        DigestScheme::Sha1,
    ];
    let f = fixture_with(settings).await;
    import(&f.uc, &sample_file(1..=7)).await;
    let digest_login = |i: u64, scheme: DigestScheme, digest: String| {
        let uc = f.uc.clone();
        async move {
            uc.login_with_digest(
                &format!("user{i}@example.com"),
                scheme,
                &digest,
                None,
                &client(),
            )
            .await
        }
    };
    // Row 1: md5(md5), what jigsaw sends.
    assert_eq!(sample::scheme_of(1), LegacyScheme::DoubleMd5);
    let pw1 = sample::password_of(1);
    let one = user_id(&f, "user1@example.com").await;
    let wrong = DigestScheme::DoubleMd5.of("not it");
    assert_eq!(
        code_of(digest_login(1, DigestScheme::DoubleMd5, wrong).await),
        ErrorCode::InvalidCredentials
    );
    // The right digest under another scheme is no match either.
    let as_md5 = DigestScheme::DoubleMd5.of(&pw1);
    assert_eq!(
        code_of(digest_login(1, DigestScheme::Md5, as_md5).await),
        ErrorCode::InvalidCredentials
    );
    assert!(f.uc.legacy_password(one).await.unwrap().is_some());
    let upper = DigestScheme::DoubleMd5.of(&pw1).to_uppercase();
    digest_login(1, DigestScheme::DoubleMd5, upper)
        .await
        .unwrap();
    assert!(f.uc.legacy_password(one).await.unwrap().is_none());
    // Kept as the facade's own verifier: the digest works again, and the
    // first plaintext sign-in adds the rest.
    digest_login(1, DigestScheme::DoubleMd5, DigestScheme::DoubleMd5.of(&pw1))
        .await
        .unwrap();
    assert_eq!(password_hash(&f, one).await, "");
    f.uc.login("user1@example.com", &pw1, None, &client())
        .await
        .unwrap();
    assert!(password_hash(&f, one).await.starts_with("$argon2id$"));
    digest_login(1, DigestScheme::Md5, DigestScheme::Md5.of(&pw1))
        .await
        .unwrap();

    // Row 7: md5 (yonyou's CAS); row 4: sha1 (yonyou's shaPassword).
    for (i, scheme) in [(7, DigestScheme::Md5), (4, DigestScheme::Sha1)] {
        let pw = sample::password_of(i);
        digest_login(i, scheme, scheme.of(&pw)).await.unwrap();
        let id = user_id(&f, &format!("user{i}@example.com")).await;
        assert!(f.uc.legacy_password(id).await.unwrap().is_none());
        f.uc.login(&format!("user{i}@example.com"), &pw, None, &client())
            .await
            .unwrap();
    }
    // Row 2: a salted hash is no client's digest; the web still works.
    assert_eq!(sample::scheme_of(2), LegacyScheme::Md5SaltFirst);
    let pw2 = sample::password_of(2);
    assert_eq!(
        code_of(digest_login(2, DigestScheme::Md5, DigestScheme::Md5.of(&pw2)).await),
        ErrorCode::InvalidCredentials
    );
    f.uc.login("user2@example.com", &pw2, None, &client())
        .await
        .unwrap();
}

#[tokio::test]
async fn an_argon2id_hash_with_our_parameters_is_kept_as_it_is() {
    let f = fixture().await;
    let ours = f.uc.hasher.hash("kept as it is 1").await.unwrap().0;
    let line = serde_json::json!({
        "import_id": "kept", "email": "kept@example.com",
        "password": {"scheme": "argon2", "hash": ours},
    })
    .to_string();
    import(&f.uc, &line).await;
    let id = user_id(&f, "kept@example.com").await;
    assert_eq!(password_hash(&f, id).await, ours);
    assert!(f.uc.legacy_password(id).await.unwrap().is_none());
    f.uc.login("kept@example.com", "kept as it is 1", None, &client())
        .await
        .unwrap();
}

#[tokio::test]
async fn parallel_right_sign_ins_all_succeed_and_a_new_password_drops_the_legacy_hash() {
    let f = fixture().await;
    import(&f.uc, &sample_file(1..=7)).await;
    // Row 5: bcrypt, the slowest legacy check.
    assert_eq!(sample::scheme_of(5), LegacyScheme::Bcrypt);
    let pw = sample::password_of(5);
    let attempts: Vec<_> = (0..4)
        .map(|_| {
            let (uc, pw) = (f.uc.clone(), pw.clone());
            tokio::spawn(async move { uc.login("user5@example.com", &pw, None, &client()).await })
        })
        .collect();
    for attempt in attempts {
        attempt.await.unwrap().unwrap();
    }
    assert_eq!(f.uc.legacy_passwords_left().await.unwrap(), 6);

    // A password set another way (here a facade's digest) replaces the legacy hash.
    let three = user_id(&f, "user3@example.com").await;
    f.uc.set_password_digest(
        three,
        DigestScheme::Md5,
        &DigestScheme::Md5.of("brand new 1"),
        &client(),
    )
    .await
    .unwrap();
    assert!(f.uc.legacy_password(three).await.unwrap().is_none());
    assert_eq!(
        code_of(
            f.uc.login(
                "user3@example.com",
                &sample::password_of(3),
                None,
                &client()
            )
            .await
        ),
        ErrorCode::InvalidCredentials
    );
}

/// A wallet account: id, currency, user, system kind, posted.
type AccountRow = (i64, String, Option<i64>, Option<String>, i64);

#[tokio::test]
async fn the_migration_keeps_an_existing_ledger() {
    // SQLite-only: replays the SQLite migrations' history on an older file;
    // the PostgreSQL schema starts from one baseline with no such rebuild.
    if std::env::var(crate::db::TEST_POSTGRES_VAR).is_ok() {
        return;
    }
    // A database at the schema before this migration, with money in it.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    let options: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
    let pool = sqlx::SqlitePool::connect_with(options.create_if_missing(true).foreign_keys(true))
        .await
        .unwrap();
    let all = sqlx::migrate!("./migrations");
    let before = sqlx::migrate::Migrator {
        migrations: std::borrow::Cow::Owned(
            all.migrations
                .iter()
                .filter(|m| m.version < 21)
                .cloned()
                .collect(),
        ),
        ..sqlx::migrate::Migrator::DEFAULT
    };
    before.run(&pool).await.unwrap();
    sqlx::query(
        "INSERT INTO users (email, password_hash, created_at, updated_at) VALUES ('a@b.co', '', 0, 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO wallet_accounts (currency, user_id, posted, created_at, updated_at)
         VALUES ('CNY', 1, 500, 0, 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE wallet_accounts SET posted = -500 WHERE system = 'external' AND currency = 'CNY'",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO wallet_transfers (kind, currency, debit_account, credit_account, amount,
           debit_posted_after, debit_frozen_after, credit_posted_after, credit_frozen_after,
           actor_service, request_id, created_at)
         SELECT 'deposit', 'CNY', e.id, u.id, 500, -500, 0, 500, 0, 'test', 'r1', 0
         FROM wallet_accounts e, wallet_accounts u
         WHERE e.system = 'external' AND e.currency = 'CNY' AND u.user_id = 1",
    )
    .execute(&pool)
    .await
    .unwrap();
    let accounts_before: Vec<AccountRow> = sqlx::query_as(
        "SELECT id, currency, user_id, system, posted FROM wallet_accounts ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;

    // Opened as the server does: every migration, this one included.
    let pool = crate::db::connect(&url).await.unwrap();
    let pool = pool.as_sqlite().clone();
    let accounts_after: Vec<AccountRow> = sqlx::query_as(
        "SELECT id, currency, user_id, system, posted FROM wallet_accounts ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(accounts_before, accounts_after);
    let (fk_problems,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM pragma_foreign_key_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(fk_problems, 0);
    // New accounts continue the old ids; the migration kind is allowed.
    let (next,): (i64,) = sqlx::query_as(
        "INSERT INTO wallet_accounts (currency, system, created_at, updated_at)
         VALUES ('CNY', 'migration', 0, 0) RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(next, accounts_before.last().unwrap().0 + 1);
    let uc = UserCenter::new(
        crate::Pool::Sqlite(pool),
        b"test secret of thirty-two bytes!",
        test_settings(),
        crate::Messenger::outbox(&dir.path().join("outbox"), "x <x@localhost>").unwrap(),
    )
    .unwrap();
    uc.open_vault().await.unwrap();
    crate::wallet::tests::assert_audit_clean(&uc).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_that_turns_bad_after_the_check_is_left_out_alone() {
    let f = fixture().await;
    let file = [
        r#"{"import_id":"a","email":"a@example.com","balances":{"CNY":"2"}}"#,
        r#"{"import_id":"b","email":"bee@example.com","balances":{"CNY":"3"}}"#,
        r#"{"import_id":"c","email":"c@example.com","balances":{"CNY":"4"}}"#,
    ]
    .join("\n");
    let uc = f.uc.clone();
    // Someone signs up with line 2's email between the check and the write.
    let report =
        f.uc.import_users(
            || Ok(Cursor::new(file.as_bytes())),
            &ImportOptions::default(),
            |p| {
                if p == Progress::Checked(3) {
                    tokio::task::block_in_place(|| {
                        tokio::runtime::Handle::current().block_on(async {
                            signup_named(&uc, "bee", "correct horse battery").await;
                        })
                    });
                }
            },
        )
        .await
        .unwrap();
    assert_eq!((report.new, report.imported, report.deposits), (2, 2, 2));
    assert_eq!(report.bad.len(), 1);
    assert_eq!(
        (report.bad[0].line, report.bad[0].problem.code),
        (2, ErrorCode::EmailTaken)
    );
    let b = user_id(&f, "bee@example.com").await;
    assert!(
        holdings(&f.uc, b).await.is_empty(),
        "nothing of line 2 was written"
    );
    let c = user_id(&f, "c@example.com").await;
    assert_eq!(holdings(&f.uc, c).await, [("CNY".into(), "4.00".into())]);
    crate::wallet::tests::assert_audit_clean(&f.uc).await;
}
