//! Personal data at rest and the rights around it: sealed fields and
//! photos, blind indexes, key rotation, a wrong key, consent.

use crate::store::users::Role;
use crate::tests::{code_of, consent, fixture, test_settings, Fixture};
use crate::vault::DataKey;
use crate::verification::IdCardPhotos;
use crate::{db, AuthContext, ClientInfo, Messenger, UserCenter};
use shared::admin::UserSearch;
use shared::identity::IdType;
use shared::media::DocumentKind;
use shared::privacy::ConsentPurpose;
use shared::profile::{UpdateProfileRequest, VerificationKind, VerificationState};
use shared::ErrorCode;
use std::path::Path;

const PASSWORD: &str = "correct horse battery";
const MALE_ID: &str = "440524188001010014";
const NAME: &str = "欧阳娜娜";

async fn signup(f: &Fixture, name: &str) -> AuthContext {
    crate::tests::signup_named(&f.uc, name, PASSWORD).await.0
}

async fn staff(uc: &UserCenter) -> i64 {
    uc.create_admin("ops@example.com", "", "ops", PASSWORD, Role::Staff)
        .await
        .unwrap()
        .id
}

fn photo(seed: u8) -> Vec<u8> {
    crate::media_tests::encode(
        image::DynamicImage::ImageRgb8(crate::media_tests::gradient(400, 250, seed)),
        image::ImageFormat::Png,
    )
}

/// Every byte of every file under `dir`.
fn all_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A verified user with ID-card photos, and a passport on another profile.
async fn populated(f: &Fixture) -> (AuthContext, Vec<u8>) {
    let me = signup(f, "nana").await;
    consent(&f.uc, me.user_id).await;
    let front =
        f.uc.upload_document(me.user_id, DocumentKind::IdFront, photo(1))
            .await
            .unwrap();
    let back =
        f.uc.upload_document(me.user_id, DocumentKind::IdBack, photo(2))
            .await
            .unwrap();
    let photos = IdCardPhotos {
        front: Some(front.id),
        back: Some(back.id),
    };
    f.uc.submit_real_name_with_photos(me.user_id, NAME, MALE_ID, photos)
        .await
        .unwrap();
    let ops = staff(&f.uc).await;
    f.uc.approve_verification(ops, me.user_id, VerificationKind::RealName)
        .await
        .unwrap();
    let other = signup(f, "pass").await;
    let change = UpdateProfileRequest {
        real_name: Some("Passport Holder".into()),
        id_type: Some(IdType::Passport),
        id_number: Some("E7654321".into()),
        ..UpdateProfileRequest::default()
    };
    f.uc.update_profile(other.user_id, &change).await.unwrap();
    let jpeg = f.uc.own_document(me.user_id, front.id).await.unwrap().bytes;
    (me, jpeg)
}

#[tokio::test]
async fn no_id_number_real_name_or_photo_is_readable_in_the_data_directory() {
    let f = fixture().await;
    let (me, jpeg) = populated(&f).await;
    // What the owner reads back is the photo, decrypted.
    assert_eq!(&jpeg[..3], &[0xFF, 0xD8, 0xFF], "a JPEG comes back");
    let profile = f.uc.profile(me.user_id).await.unwrap();
    assert_eq!(profile.real_name.as_deref(), Some(NAME));
    assert_eq!(
        profile.id_number_masked.as_deref(),
        Some("4405**********0014")
    );
    f.uc.pool.close().await;

    let needles: [(&str, &[u8]); 5] = [
        ("ID number", MALE_ID.as_bytes()),
        ("real name", NAME.as_bytes()),
        ("passport number", b"E7654321"),
        ("passport name", b"Passport Holder"),
        ("the photo's first bytes", &jpeg[..16]),
    ];
    let files = all_files(f._dir.path());
    if f.db.is_postgres() {
        // The database is not in the data directory: every row of every
        // table, as PostgreSQL spells it out, holds none of it either.
        let tables: Vec<(String,)> = sqlx::query_as(
            "SELECT CAST(tablename AS TEXT) FROM pg_tables WHERE schemaname = 'public'",
        )
        .fetch_all(&f.db.sql)
        .await
        .unwrap();
        assert!(tables.iter().any(|(t,)| t == "users"), "{tables:?}");
        for (table,) in &tables {
            let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT CAST(t AS TEXT) FROM \"{table}\" t"
            )))
            .fetch_all(&f.db.sql)
            .await
            .unwrap();
            for (row,) in &rows {
                for (what, needle) in needles {
                    assert!(!contains(row.as_bytes(), needle), "{what} found in {table}");
                }
            }
        }
    } else {
        assert!(files.iter().any(|(p, _)| p.ends_with("test.db")));
    }
    let private: Vec<_> = files
        .iter()
        .filter(|(p, _)| p.contains("private"))
        .collect();
    assert_eq!(private.len(), 2, "two sealed photos: {private:?}");
    for (path, bytes) in &files {
        if path.contains("outbox") {
            continue;
        }
        for (what, needle) in needles {
            assert!(!contains(bytes, needle), "{what} found in {path}");
        }
    }
    for (path, bytes) in private {
        assert!(
            !bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
            "{path} is a plain JPEG"
        );
        assert!(!path.ends_with(".jpg"), "{path}");
    }
}

#[tokio::test]
async fn staff_find_accounts_by_exact_real_name_and_id_number_through_the_blind_index() {
    let f = fixture().await;
    let (me, _) = populated(&f).await;
    let ops =
        f.uc.user_id_by_login_identifier("ops")
            .await
            .unwrap()
            .unwrap();
    for q in [NAME, MALE_ID, "passport holder"] {
        let search = UserSearch {
            q: q.into(),
            ..UserSearch::default()
        };
        let found = f.uc.search_users(ops, &search).await.unwrap();
        assert_eq!(found.total, 1, "{q}");
        if q != "passport holder" {
            assert_eq!(found.users[0].id, me.user_id, "{q}");
        }
    }
    // A part of a sealed value finds nothing.
    let part = UserSearch {
        q: "欧阳".into(),
        ..UserSearch::default()
    };
    assert_eq!(f.uc.search_users(ops, &part).await.unwrap().total, 0);
}

#[tokio::test]
async fn a_wrong_data_key_refuses_to_start_and_reads_nothing() {
    let f = fixture().await;
    populated(&f).await;
    let url = f.db.url.clone();
    let settings = crate::Settings {
        data_key: DataKey::from_bytes(&[7u8; 32]),
        ..test_settings()
    };
    let uc = UserCenter::new(
        db::connect(&url).await.unwrap(),
        b"test secret of thirty-two bytes!",
        settings,
        Messenger::outbox(&f._dir.path().join("outbox2"), "x <x@localhost>").unwrap(),
    )
    .unwrap();
    let err = uc.open_vault().await.unwrap_err().to_string();
    assert!(err.contains("data key"), "{err}");
    assert!(err.contains("restore it from your backup"), "{err}");
    // Nor does anything read through it answer with garbage.
    let nana =
        f.uc.user_id_by_login_identifier("nana")
            .await
            .unwrap()
            .unwrap();
    assert!(uc.profile(nana).await.is_err());
}

#[tokio::test]
async fn a_rotation_interrupted_midway_finishes_on_restart() {
    let f = fixture().await;
    let (me, jpeg) = populated(&f).await;
    // More rows than one batch, so one round leaves some behind.
    for i in 0..120 {
        let who = signup(&f, &format!("holder{i}")).await;
        let change = UpdateProfileRequest {
            real_name: Some(format!("Holder {i}")),
            id_type: Some(IdType::Passport),
            id_number: Some(format!("E{i:07}")),
            ..UpdateProfileRequest::default()
        };
        f.uc.update_profile(who.user_id, &change).await.unwrap();
    }
    let before = f.uc.key_status().await.unwrap();
    assert_eq!(before.pending.users, 0);
    let key = f.uc.rotate_data_key().await.unwrap();
    assert!(key > before.active);
    // "Killed" after one round.
    f.uc.reseal_all(Some(1)).await.unwrap();
    let midway = f.uc.key_status().await.unwrap();
    assert_eq!(midway.active, key);
    assert!(midway.pending.users > 0, "{midway:?}");

    // A new process on the same data: the old key still opens what it
    // sealed, and the start-up pass finishes the job. Its media directory
    // is the first one's (beside a SQLite file that is the default; a
    // PostgreSQL deployment names it).
    let url = f.db.url.clone();
    let settings = crate::Settings {
        media_dir: Some(f._dir.path().join("media")),
        ..test_settings()
    };
    let uc = UserCenter::new(
        db::connect(&url).await.unwrap(),
        b"test secret of thirty-two bytes!",
        settings,
        Messenger::outbox(&f._dir.path().join("outbox2"), "x <x@localhost>").unwrap(),
    )
    .unwrap();
    uc.open_vault().await.unwrap();
    let profile = uc.profile(me.user_id).await.unwrap();
    assert_eq!(profile.real_name.as_deref(), Some(NAME));
    uc.reseal_all(None).await.unwrap();
    let after = uc.key_status().await.unwrap();
    assert_eq!(after.active, key);
    assert_eq!(after.pending, Default::default(), "{after:?}");
    let holder = uc
        .user_id_by_login_identifier("holder119")
        .await
        .unwrap()
        .unwrap();
    let p = uc.profile(holder).await.unwrap();
    assert_eq!(p.real_name.as_deref(), Some("Holder 119"));
    // The photos moved to files sealed under the new key.
    let docs = uc.documents(me.user_id).await.unwrap();
    let front = uc
        .own_document(me.user_id, docs[docs.len() - 1].id)
        .await
        .unwrap();
    assert_eq!(front.bytes, jpeg);
    let private = all_files(&f._dir.path().join("media/private"));
    assert_eq!(private.len(), 2, "old files removed: {private:?}");
    assert!(private
        .iter()
        .all(|(p, _)| p.ends_with(&format!(".k{key}.sealed"))));
}

#[tokio::test]
async fn rows_and_photos_stored_before_encryption_are_sealed_in_place() {
    let f = fixture().await;
    let me = signup(&f, "legacy").await;
    // As a database from before this version holds them.
    sqlx::query(
        "UPDATE users SET real_name = 'Old Name', id_type = 'passport', id_number = 'E1111111', \
         pii_key_id = NULL WHERE id = $1",
    )
    .bind(me.user_id)
    .execute(&f.db.sql)
    .await
    .unwrap();
    let plain = photo(9);
    let relative = "documents/ab/abcdef.jpg";
    let file = f._dir.path().join("media/private").join(relative);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, &plain).unwrap();
    sqlx::query(
        "INSERT INTO documents (user_id, kind, sha256, path, created_at) \
         VALUES ($1, 'id_front', 'abcdef', $2, 0)",
    )
    .bind(me.user_id)
    .bind(relative)
    .execute(&f.db.sql)
    .await
    .unwrap();
    // Readable before sealing, and after.
    let p = f.uc.profile(me.user_id).await.unwrap();
    assert_eq!(p.real_name.as_deref(), Some("Old Name"));
    let done = f.uc.reseal_all(None).await.unwrap();
    assert_eq!((done.users, done.documents), (1, 1));
    let p = f.uc.profile(me.user_id).await.unwrap();
    assert_eq!(p.real_name.as_deref(), Some("Old Name"));
    assert_eq!(p.id_number_masked.as_deref(), Some("E1****11"));
    let (stored,): (String,) = sqlx::query_as("SELECT real_name FROM users WHERE id = $1")
        .bind(me.user_id)
        .fetch_one(&f.db.sql)
        .await
        .unwrap();
    assert_ne!(stored, "Old Name");
    assert!(!file.exists(), "the plain file is gone");
    let docs = f.uc.documents(me.user_id).await.unwrap();
    let doc = f.uc.own_document(me.user_id, docs[0].id).await.unwrap();
    assert_eq!(doc.bytes, plain);
    assert_eq!(f.uc.reseal_all(None).await.unwrap(), Default::default());
}

#[tokio::test]
async fn identity_documents_need_consent_and_withdrawing_it_deletes_what_is_unverified() {
    let f = fixture().await;
    let me = signup(&f, "consenting").await;
    let purpose = ConsentPurpose::IdentityDocuments;
    assert_eq!(
        code_of(f.uc.submit_real_name(me.user_id, NAME, MALE_ID).await),
        ErrorCode::ConsentRequired
    );
    assert_eq!(
        code_of(
            f.uc.upload_document(me.user_id, DocumentKind::IdFront, photo(1))
                .await
        ),
        ErrorCode::ConsentRequired
    );
    let before = f.uc.consent(me.user_id, purpose).await.unwrap();
    assert!(!before.in_force);
    assert_eq!(before.given_at, None);
    // Another text than the current one is not agreed to.
    assert_eq!(
        code_of(
            f.uc.give_consent(me.user_id, purpose, 99, &ClientInfo::default())
                .await
        ),
        ErrorCode::InvalidInput
    );
    let given =
        f.uc.give_consent(
            me.user_id,
            purpose,
            purpose.current_version(),
            &ClientInfo::default(),
        )
        .await
        .unwrap();
    assert!(given.in_force);
    assert_eq!(given.version, Some(purpose.current_version()));
    assert!(given.given_at.is_some());
    let front =
        f.uc.upload_document(me.user_id, DocumentKind::IdFront, photo(1))
            .await
            .unwrap();
    let loose =
        f.uc.upload_document(me.user_id, DocumentKind::IdBack, photo(2))
            .await
            .unwrap();
    let photos = IdCardPhotos {
        front: Some(front.id),
        back: None,
    };
    f.uc.submit_real_name_with_photos(me.user_id, NAME, MALE_ID, photos)
        .await
        .unwrap();
    let private = f._dir.path().join("media/private");
    assert_eq!(all_files(&private).len(), 2);

    let withdrawn =
        f.uc.withdraw_consent(me.user_id, purpose, &ClientInfo::default())
            .await
            .unwrap();
    assert_eq!(withdrawn.submissions_deleted, 1);
    assert_eq!(withdrawn.documents_deleted, 2);
    let consent = withdrawn.consent.unwrap();
    assert!(!consent.in_force);
    assert!(consent.withdrawn_at.is_some());
    assert!(all_files(&private).is_empty(), "the photos are deleted");
    let v =
        f.uc.verification(me.user_id, VerificationKind::RealName)
            .await
            .unwrap();
    assert_eq!(v.state, VerificationState::Unverified);
    let gone = f.uc.own_document(me.user_id, loose.id).await.map(drop);
    assert_eq!(code_of(gone), ErrorCode::NotFound);
    assert_eq!(
        code_of(f.uc.submit_real_name(me.user_id, NAME, MALE_ID).await),
        ErrorCode::ConsentRequired
    );
    let (given, withdrawn): (i64, i64) = sqlx::query_as(
        "SELECT SUM(CASE WHEN action = 'consent_given' THEN 1 ELSE 0 END), \
                SUM(CASE WHEN action = 'consent_withdrawn' THEN 1 ELSE 0 END) \
         FROM audit_log WHERE actor_id = $1",
    )
    .bind(me.user_id)
    .fetch_one(&f.db.sql)
    .await
    .unwrap();
    assert_eq!((given, withdrawn), (1, 1));
}

/// The files of a zip archive, by name.
fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        out.insert(file.name().to_string(), content);
    }
    out
}

#[tokio::test]
async fn the_export_has_everything_of_the_user_and_nothing_of_anyone_else() {
    let f = fixture().await;
    let (me, jpeg) = populated(&f).await;
    // Money in, so the history has rows; a staff action on the user.
    let ops =
        f.uc.user_id_by_login_identifier("ops")
            .await
            .unwrap()
            .unwrap();
    let deposit = shared::admin::AdjustBalanceRequest {
        direction: shared::admin::AdjustDirection::Deposit,
        currency: "CNY".into(),
        amount: "12.50".into(),
        reason: "welcome".into(),
        request_id: "export-1".into(),
    };
    f.uc.adjust_balance(ops, me.user_id, &deposit)
        .await
        .unwrap();
    // From the staff member's own address and browser, which are theirs.
    let from_desk = crate::caller::Operator {
        id: ops,
        ip: Some("10.9.8.7".into()),
        user_agent: Some("StaffDesk/1.0".into()),
    };
    f.uc.reveal_id_number(from_desk, me.user_id, "support ticket")
        .await
        .unwrap();
    let zip =
        f.uc.export_personal_data(me.user_id, crate::data_export::ExportedFor::Owner(&me))
            .await
            .unwrap();
    let files = unzip(&zip);
    let data: serde_json::Value = serde_json::from_slice(&files["data.json"]).unwrap();
    assert_eq!(data["format"], "user-center-export/1");
    assert_eq!(data["account"]["email"], "nana@example.com");
    assert_eq!(data["account"]["real_name"], NAME);
    assert_eq!(data["id_number"], MALE_ID);
    assert_eq!(data["submissions"][0]["id_number"], MALE_ID);
    assert_eq!(data["submissions"][0]["state"], "verified");
    assert_eq!(data["consents"][0]["purpose"], "identity_documents");
    assert_eq!(data["consents"][0]["in_force"], true);
    assert!(!data["sessions"].as_array().unwrap().is_empty());
    assert_eq!(data["wallet"]["history"]["CNY"][0]["amount"], "12.50");
    let events = data["events"].as_array().unwrap();
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "consent_given",
        "verification_approved",
        "id_number_revealed",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    let reveal = events
        .iter()
        .find(|e| e["action"] == "id_number_revealed")
        .unwrap();
    assert_eq!(reveal["by"], "staff");
    let documents = data["documents"].as_array().unwrap();
    assert_eq!(documents.len(), 2);
    let front = documents[0]["file"].as_str().unwrap();
    assert_eq!(files[front], jpeg, "the photo, decrypted");
    assert_eq!(files.len(), 3);

    // Nobody else's data: not the other user's, not the staff member's.
    let text = String::from_utf8_lossy(&files["data.json"]).to_string();
    for foreign in [
        "pass@example.com",
        "Passport Holder",
        "E7654321",
        "ops@example.com",
        "10.9.8.7",
        "StaffDesk",
    ] {
        assert!(!text.contains(foreign), "{foreign} is in the export");
    }
    let (exports,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'data_exported' AND actor_id = $1",
    )
    .bind(me.user_id)
    .fetch_one(&f.db.sql)
    .await
    .unwrap();
    assert_eq!(exports, 1);
}

#[tokio::test]
async fn erasure_after_the_grace_period_leaves_balanced_books_and_no_person() {
    let (f, clock) = crate::tests::clocked_fixture().await;
    let (me, _) = populated(&f).await;
    let ops =
        f.uc.user_id_by_login_identifier("ops")
            .await
            .unwrap()
            .unwrap();
    let other =
        f.uc.user_id_by_login_identifier("pass")
            .await
            .unwrap()
            .unwrap();
    // Money through the account, back to zero, so it may close.
    for (direction, id) in [
        (shared::admin::AdjustDirection::Deposit, "erase-in"),
        (shared::admin::AdjustDirection::Withdraw, "erase-out"),
    ] {
        let req = shared::admin::AdjustBalanceRequest {
            direction,
            currency: "CNY".into(),
            amount: "30".into(),
            reason: "test".into(),
            request_id: id.into(),
        };
        f.uc.adjust_balance(ops, me.user_id, &req).await.unwrap();
    }
    f.uc.set_avatar(me.user_id, photo(4)).await.unwrap();
    // A failed sign-in records what was typed.
    let wrong =
        f.uc.login(
            "nana@example.com",
            "not the password",
            None,
            &ClientInfo::default(),
        )
        .await;
    assert!(wrong.is_err());
    // What the staff member does to another account is theirs to keep.
    let before_ops = audit_rows_by(&f, ops).await;
    f.uc.close_own_account(&me, PASSWORD, Some("leaving"), true)
        .await
        .unwrap();
    // Within the grace period nothing is erased yet.
    assert_eq!(f.uc.erase_due_accounts().await.unwrap(), 0);
    assert_eq!(
        f.uc.profile(me.user_id).await.unwrap().real_name.as_deref(),
        Some(NAME)
    );
    clock.advance(f.uc.settings.closed_contact_grace.as_secs() as i64 + 1);
    assert_eq!(f.uc.erase_due_accounts().await.unwrap(), 1);
    assert_eq!(f.uc.erase_due_accounts().await.unwrap(), 0, "once");

    let p = f.uc.profile(me.user_id).await.unwrap();
    assert_eq!(p.real_name, None);
    assert_eq!(p.id_number_masked, None);
    assert_eq!(p.username, None);
    assert_eq!(p.phone, None);
    assert_eq!(p.avatar_url, None);
    assert_eq!(
        p.email.as_deref(),
        Some(&*format!("erased-{}@erased.invalid", me.user_id))
    );
    let (submissions,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM verifications WHERE user_id = $1")
            .bind(me.user_id)
            .fetch_one(&f.db.sql)
            .await
            .unwrap();
    assert_eq!(submissions, 0);
    let (with_ip,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE actor_id = $1 AND (ip IS NOT NULL OR user_agent IS NOT NULL)",
    )
    .bind(me.user_id)
    .fetch_one(&f.db.sql)
    .await
    .unwrap();
    assert_eq!(with_ip, 0);
    let (naming,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE LOWER(details) LIKE '%nana@example.com%'",
    )
    .fetch_one(&f.db.sql)
    .await
    .unwrap();
    assert_eq!(naming, 0, "no audit row names the erased account's email");
    assert_eq!(audit_rows_by(&f, ops).await, before_ops);
    // The staff's records about the account stay, as do the journal rows.
    let (staff_rows,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE actor_id = $1 AND target_id = $2 AND details LIKE '%test%'",
    )
    .bind(ops)
    .bind(me.user_id)
    .fetch_one(&f.db.sql)
    .await
    .unwrap();
    assert_eq!(staff_rows, 2);
    crate::wallet::tests::assert_audit_clean(&f.uc).await;
    let (sum,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(posted), 0) AS BIGINT) FROM wallet_accounts WHERE currency = 'CNY'",
    )
    .fetch_one(&f.db.sql)
    .await
    .unwrap();
    assert_eq!(sum, 0, "CNY still sums to zero");
    // The photos and the avatar are gone from disk; the other user's
    // data is untouched; the erased account cannot sign in.
    assert!(all_files(&f._dir.path().join("media/private")).is_empty());
    assert!(all_files(&f._dir.path().join("media/avatars")).is_empty());
    let p = f.uc.profile(other).await.unwrap();
    assert_eq!(p.real_name.as_deref(), Some("Passport Holder"));
    assert!(f
        .uc
        .login("nana", PASSWORD, None, &ClientInfo::default())
        .await
        .is_err());
    let (erased,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'account_erased' AND target_id = $1",
    )
    .bind(me.user_id)
    .fetch_one(&f.db.sql)
    .await
    .unwrap();
    assert_eq!(erased, 1);

    // A staff member who erases their own account keeps the record of what
    // they did to others.
    let ops_auth = crate::tests::signup_named(&f.uc, "ops2", PASSWORD).await.0;
    f.uc.set_role("ops2", Role::Staff).await.unwrap();
    f.uc.reveal_id_number(ops_auth.user_id, other, "check passport")
        .await
        .unwrap();
    f.uc.close_own_account(&ops_auth, PASSWORD, None, true)
        .await
        .unwrap();
    clock.advance(f.uc.settings.closed_contact_grace.as_secs() as i64 + 1);
    assert_eq!(f.uc.erase_due_accounts().await.unwrap(), 1);
    let (reason,): (String,) = sqlx::query_as(
        "SELECT details FROM audit_log WHERE action = 'id_number_revealed' AND actor_id = $1",
    )
    .bind(ops_auth.user_id)
    .fetch_one(&f.db.sql)
    .await
    .unwrap();
    assert!(reason.contains("check passport"), "{reason}");
}

/// (id, details) of every audit row `actor` wrote about someone else.
async fn audit_rows_by(f: &Fixture, actor: i64) -> Vec<(i64, String)> {
    sqlx::query_as(
        "SELECT id, details FROM audit_log WHERE actor_id = $1 AND target_id <> $2 ORDER BY id",
    )
    .bind(actor)
    .bind(actor)
    .fetch_all(&f.db.sql)
    .await
    .unwrap()
}
