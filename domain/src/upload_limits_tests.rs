//! Tests of the upload limits: the hourly allowance, the unattached-document
//! quota, the free-space floor and the sweep of expired documents.

use crate::clock::ManualClock;
use crate::tests::{code_of, fixture_with, signup_named, test_settings, upload_settings, Fixture};
use crate::upload_limits::UploadSettings;
use crate::verification::IdCardPhotos;
use crate::AuthContext;
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use shared::media::DocumentKind;
use shared::ErrorCode;
use std::io::Cursor;
use std::path::Path;

const MALE_ID: &str = "440524188001010014";

fn png(seed: u8) -> Vec<u8> {
    let image = RgbImage::from_fn(64, 40, |x, y| Rgb([x as u8 ^ seed, y as u8, seed]));
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(image)
        .write_to(&mut out, ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

async fn clocked(uploads: UploadSettings) -> (Fixture, ManualClock) {
    let mut settings = test_settings();
    settings.uploads = uploads;
    let f = fixture_with(settings).await;
    let clock = ManualClock::starting_now();
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

async fn user(f: &Fixture, name: &str) -> AuthContext {
    signup_named(&f.uc, name, "correct horse battery").await.0
}

/// Attaches two documents to a real-name submission.
async fn submit(f: &Fixture, who: &AuthContext, front: i64, back: i64) {
    let photos = IdCardPhotos {
        front: Some(front),
        back: Some(back),
    };
    crate::tests::consent(&f.uc, who.user_id).await;
    f.uc.submit_real_name_with_photos(who.user_id, "张三", MALE_ID, photos)
        .await
        .unwrap();
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return vec![];
    };
    entries
        .flatten()
        .flat_map(|e| {
            let p = e.path();
            if p.is_dir() {
                files(&p)
            } else {
                vec![p]
            }
        })
        .collect()
}

#[test]
fn the_floor_is_the_smaller_of_the_bytes_and_the_percentage() {
    let s = UploadSettings::default();
    const GIB: u64 = 1 << 30;
    assert_eq!(s.floor(100 * GIB), GIB, "big disk: 1 GiB, not 5 GiB");
    assert_eq!(s.floor(4 * GIB), 4 * GIB / 20, "small disk: 5 %");
    let off = UploadSettings {
        min_free_percent: 0,
        ..UploadSettings::default()
    };
    assert_eq!(off.floor(100 * GIB), 0);
}

#[tokio::test]
async fn uploads_are_limited_per_user_and_hour() {
    let (f, clock) = clocked(UploadSettings {
        per_hour: 3,
        ..upload_settings()
    })
    .await;
    let me = user(&f, "ursula").await;
    let other = user(&f, "victor").await;
    f.uc.set_avatar(me.user_id, png(1)).await.unwrap();
    crate::tests::consent(&f.uc, me.user_id).await;
    f.uc.upload_document(me.user_id, DocumentKind::IdFront, png(2))
        .await
        .unwrap();
    // A refused image counts too: decoding it was the cost.
    assert_eq!(
        code_of(
            f.uc.upload_document(me.user_id, DocumentKind::IdBack, b"junk".to_vec())
                .await
        ),
        ErrorCode::ImageUnsupported
    );
    let refused = f.uc.set_avatar(me.user_id, png(3)).await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::RateLimited);
    let app = refused.to_app_error();
    assert!(app.retry_after_secs.is_some_and(|s| s > 0 && s <= 3600));
    // Someone else's allowance is their own.
    f.uc.set_avatar(other.user_id, png(4)).await.unwrap();
    clock.advance(3601);
    f.uc.set_avatar(me.user_id, png(5)).await.unwrap();
}

#[tokio::test]
async fn unattached_documents_are_capped_and_submitted_ones_do_not_count() {
    let (f, _clock) = clocked(UploadSettings {
        max_unattached_documents: 2,
        ..upload_settings()
    })
    .await;
    let me = user(&f, "wanda").await;
    crate::tests::consent(&f.uc, me.user_id).await;
    let front =
        f.uc.upload_document(me.user_id, DocumentKind::IdFront, png(1))
            .await
            .unwrap();
    let back =
        f.uc.upload_document(me.user_id, DocumentKind::IdBack, png(2))
            .await
            .unwrap();
    assert_eq!(
        code_of(
            f.uc.upload_document(me.user_id, DocumentKind::Qualification, png(3))
                .await
        ),
        ErrorCode::DocumentQuota
    );
    assert_eq!(f.uc.documents(me.user_id).await.unwrap().len(), 2);
    submit(&f, &me, front.id, back.id).await;
    f.uc.upload_document(me.user_id, DocumentKind::Qualification, png(3))
        .await
        .unwrap();
}

#[tokio::test]
async fn under_the_free_space_floor_nothing_is_written_or_counted() {
    let (f, _clock) = clocked(UploadSettings {
        // A floor above any real disk's free space: the whole disk.
        min_free_bytes: u64::MAX,
        min_free_percent: 100,
        per_hour: 1,
        ..UploadSettings::default()
    })
    .await;
    let me = user(&f, "xena").await;
    for _ in 0..2 {
        assert_eq!(
            code_of(f.uc.set_avatar(me.user_id, png(1)).await),
            ErrorCode::StorageFull
        );
        crate::tests::consent(&f.uc, me.user_id).await;
        assert_eq!(
            code_of(
                f.uc.upload_document(me.user_id, DocumentKind::IdFront, png(2))
                    .await
            ),
            ErrorCode::StorageFull
        );
    }
    assert!(files(&f._dir.path().join("media")).is_empty());
    assert!(f.uc.documents(me.user_id).await.unwrap().is_empty());
    let throttle =
        f.uc.throttle_state(
            crate::throttle::Kind::Upload,
            &format!("user:{}", me.user_id),
        )
        .await
        .unwrap();
    assert_eq!(throttle.cumulative, 0, "refused before being counted");
}

#[tokio::test]
async fn the_sweep_removes_expired_unattached_documents_and_unshared_files() {
    let (f, clock) = clocked(upload_settings()).await;
    let early = user(&f, "yara").await;
    let late = user(&f, "zack").await;
    let private = f._dir.path().join("media/private");

    // The same image from two people shares one file.
    crate::tests::consent(&f.uc, early.user_id).await;
    let shared_early =
        f.uc.upload_document(early.user_id, DocumentKind::IdFront, png(1))
            .await
            .unwrap();
    let front =
        f.uc.upload_document(early.user_id, DocumentKind::IdFront, png(2))
            .await
            .unwrap();
    let back =
        f.uc.upload_document(early.user_id, DocumentKind::IdBack, png(3))
            .await
            .unwrap();
    submit(&f, &early, front.id, back.id).await;
    clock.advance(12 * 3600);
    crate::tests::consent(&f.uc, late.user_id).await;
    f.uc.upload_document(late.user_id, DocumentKind::IdFront, png(1))
        .await
        .unwrap();
    assert_eq!(files(&private).len(), 3);

    // Nothing is a day old yet.
    assert_eq!(f.uc.sweep_unattached_documents().await.unwrap(), 0);

    clock.advance(12 * 3600);
    assert_eq!(f.uc.sweep_unattached_documents().await.unwrap(), 1);
    let left: Vec<i64> =
        f.uc.documents(early.user_id)
            .await
            .unwrap()
            .iter()
            .map(|d| d.id)
            .collect();
    assert!(!left.contains(&shared_early.id), "expired row removed");
    assert_eq!(left.len(), 2, "submitted documents stay");
    assert_eq!(files(&private).len(), 3, "the shared file is still used");

    clock.advance(12 * 3600);
    assert_eq!(f.uc.sweep_unattached_documents().await.unwrap(), 1);
    assert!(f.uc.documents(late.user_id).await.unwrap().is_empty());
    assert_eq!(
        files(&private).len(),
        2,
        "the last user of the file is gone"
    );
    for doc in [front, back] {
        f.uc.own_document(early.user_id, doc.id).await.unwrap();
    }
}
