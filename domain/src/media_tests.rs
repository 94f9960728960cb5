//! Tests of the avatar and document pipeline on real images, generated here
//! with the `image` crate (and a few hand-made hostile files).

use crate::media::{process_avatar, process_document};
use crate::store::users::Role;
use crate::tests::{code_of, fixture, Fixture};
use crate::verification::IdCardPhotos;
use crate::AuthContext;
use image::codecs::gif::GifEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::webp::WebPEncoder;
use image::{Delay, DynamicImage, Frame, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use shared::media::{DocumentKind, MAX_IMAGE_BYTES};
use shared::profile::{VerificationKind, VerificationState};
use shared::ErrorCode;
use std::io::Cursor;

const PASSWORD: &str = "correct horse battery";
const MALE_ID: &str = "440524188001010014";

async fn signup(f: &Fixture, name: &str) -> AuthContext {
    crate::tests::signup_named(&f.uc, name, PASSWORD).await.0
}

/// A colourful gradient, so a crop or a resize shows in the pixels.
pub(crate) fn gradient(width: u32, height: u32, seed: u8) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        Rgb([
            (x * 255 / width.max(1)) as u8 ^ seed,
            (y * 255 / height.max(1)) as u8,
            seed,
        ])
    })
}

pub(crate) fn encode(image: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn png(width: u32, height: u32, seed: u8) -> Vec<u8> {
    encode(
        DynamicImage::ImageRgb8(gradient(width, height, seed)),
        ImageFormat::Png,
    )
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&gradient(width, height, 3))
        .unwrap();
    out
}

fn webp(width: u32, height: u32) -> Vec<u8> {
    let image = RgbaImage::from_fn(width, height, |x, _| Rgba([x as u8, 80, 160, 255]));
    let mut out = Vec::new();
    WebPEncoder::new_lossless(&mut out)
        .encode(
            image.as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgba8,
        )
        .unwrap();
    out
}

/// Two frames: solid red, then solid blue.
fn animated_gif() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut out);
        let frames = [Rgba([255, 0, 0, 255]), Rgba([0, 0, 255, 255])].map(|colour| {
            Frame::from_parts(
                RgbaImage::from_pixel(40, 30, colour),
                0,
                0,
                Delay::from_numer_denom_ms(100, 1),
            )
        });
        encoder.encode_frames(frames).unwrap();
    }
    out
}

pub(crate) fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// A valid PNG header claiming `width × height` pixels (8-bit greyscale),
/// followed by a few bytes of deflate data: a decompression bomb's shape.
fn bomb_png(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    // zlib header and an empty stored block; the decoder never gets here.
    out.extend(chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    out.extend(chunk(b"IEND", &[]));
    out
}

/// A JPEG with an EXIF (APP1) segment carrying a GPS-like secret.
fn jpeg_with_exif() -> Vec<u8> {
    let plain = jpeg(120, 80);
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(b"MM\0\x2a\0\0\0\x08");
    payload.extend_from_slice(b"GPS 31.2304N 121.4737E secret-serial-0042");
    let mut segment = vec![0xff, 0xe1];
    segment.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    segment.extend_from_slice(&payload);
    let mut out = plain[..2].to_vec();
    out.extend(segment);
    out.extend_from_slice(&plain[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn decode_png(bytes: &[u8]) -> DynamicImage {
    image::load_from_memory_with_format(bytes, ImageFormat::Png).unwrap()
}

#[test]
fn every_accepted_format_becomes_square_pngs() {
    for (name, bytes) in [
        ("png", png(300, 200, 1)),
        ("jpeg", jpeg(200, 320)),
        ("webp", webp(100, 60)),
        ("gif", animated_gif()),
    ] {
        let out = process_avatar(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(out.hash.len(), 64, "{name}");
        let sizes: Vec<u32> = out.files.iter().map(|f| f.0).collect();
        assert_eq!(sizes, vec![256, 64], "{name}");
        for (size, file) in &out.files {
            assert!(file.starts_with(b"\x89PNG"), "{name}");
            let decoded = decode_png(file);
            assert_eq!(
                (decoded.width(), decoded.height()),
                (*size, *size),
                "{name}"
            );
        }
    }
}

#[test]
fn an_animated_gif_uses_its_first_frame() {
    let out = process_avatar(&animated_gif()).unwrap();
    let decoded = decode_png(&out.files[0].1).to_rgba8();
    let centre = decoded.get_pixel(128, 128);
    assert!(centre[0] > 200 && centre[2] < 50, "{centre:?}");
}

#[test]
fn the_crop_is_the_centred_square() {
    // Left and right thirds black, the middle white: the crop keeps only white.
    let wide = RgbImage::from_fn(300, 100, |x, _| {
        if (100..200).contains(&x) {
            Rgb([255, 255, 255])
        } else {
            Rgb([0, 0, 0])
        }
    });
    let out = process_avatar(&encode(DynamicImage::ImageRgb8(wide), ImageFormat::Png)).unwrap();
    let decoded = decode_png(&out.files[0].1).to_rgb8();
    for x in [8, 128, 247] {
        assert!(decoded.get_pixel(x, 128)[0] > 240, "x={x}");
    }
}

#[test]
fn exif_is_stripped() {
    let input = jpeg_with_exif();
    assert!(contains(&input, b"Exif") && contains(&input, b"secret-serial"));
    let avatar = process_avatar(&input).unwrap();
    for (_, file) in &avatar.files {
        assert!(!contains(file, b"Exif"));
        assert!(!contains(file, b"secret-serial"));
    }
    let document = process_document(&input).unwrap();
    assert!(document.jpeg.starts_with(&[0xff, 0xd8]));
    assert!(!contains(&document.jpeg, b"Exif"));
    assert!(!contains(&document.jpeg, b"secret-serial"));
}

#[test]
fn bad_files_get_their_own_codes() {
    let code = |bytes: &[u8]| code_of(process_avatar(bytes).map(|_| ()));
    assert_eq!(code(b""), ErrorCode::ImageEmpty);
    assert_eq!(
        code(b"This is a text file that someone renamed to avatar.png\n"),
        ErrorCode::ImageUnsupported
    );
    // A BMP is an image, but not one we accept.
    let bmp = b"BM\x3a\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0\x01\0\0\0\x01\0\0\0\x01\0\x18\0";
    assert_eq!(code(bmp), ErrorCode::ImageUnsupported);
    let full = png(64, 64, 9);
    assert_eq!(code(&full[..full.len() / 2]), ErrorCode::ImageCorrupt);
    assert_eq!(code(&full[..40]), ErrorCode::ImageCorrupt);
    assert_eq!(
        code(&bomb_png(100_000, 100_000)),
        ErrorCode::ImageDimensionsTooLarge
    );
    assert_eq!(code(&bomb_png(4097, 1)), ErrorCode::ImageDimensionsTooLarge);
    assert_eq!(code(&png(4097, 2, 0)), ErrorCode::ImageDimensionsTooLarge);
    let mut huge = png(8, 8, 0);
    huge.resize(MAX_IMAGE_BYTES + 1, 0);
    assert_eq!(code(&huge), ErrorCode::ImageTooLarge);
    // The same limits apply to documents.
    assert_eq!(
        code_of(process_document(&bomb_png(100_000, 100_000)).map(|_| ())),
        ErrorCode::ImageDimensionsTooLarge
    );
    assert_eq!(
        code_of(process_document(b"%PDF-1.7\n").map(|_| ())),
        ErrorCode::ImageUnsupported
    );
}

#[test]
fn a_real_5000_pixel_png_is_refused_before_decoding() {
    // 25 million zero pixels compress to about 130 KB.
    let zeros = DynamicImage::ImageLuma8(image::GrayImage::new(5000, 5000));
    let bytes = encode(zeros, ImageFormat::Png);
    assert!(bytes.len() < 200_000, "{}", bytes.len());
    assert_eq!(
        code_of(process_avatar(&bytes).map(|_| ())),
        ErrorCode::ImageDimensionsTooLarge
    );
}

#[test]
fn documents_keep_their_shape_and_shrink_to_1600() {
    let out = process_document(&png(2000, 1000, 4)).unwrap();
    assert_eq!((out.width, out.height), (1600, 800));
    let small = process_document(&webp(300, 200)).unwrap();
    assert_eq!((small.width, small.height), (300, 200));
    let decoded = image::load_from_memory_with_format(&small.jpeg, ImageFormat::Jpeg).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (300, 200));
}

#[tokio::test]
async fn avatars_are_content_addressed_and_replaced() {
    let f = fixture().await;
    let alice = signup(&f, "alice").await;
    let bob = signup(&f, "bob").await;
    assert_eq!(f.uc.profile(alice.user_id).await.unwrap().avatar_url, None);

    let first =
        f.uc.set_avatar(alice.user_id, png(300, 300, 1))
            .await
            .unwrap();
    let url = first.avatar_url.clone().unwrap();
    let small = first.avatar_small_url.clone().unwrap();
    assert!(
        url.starts_with("/media/avatars/") && url.ends_with("-256.png"),
        "{url}"
    );
    assert!(small.ends_with("-64.png"), "{small}");
    let hash = url["/media/avatars/".len()..url.len() - "-256.png".len()].to_string();
    let stored = f._dir.path().join("media/avatars").join(&hash[..2]);
    assert!(stored.join(format!("{hash}-256.png")).exists());
    assert!(stored.join(format!("{hash}-64.png")).exists());
    let served = f.uc.avatar_file(&hash, 256).await.unwrap();
    assert_eq!(
        crate::media::process_avatar(&served).unwrap().files[0].0,
        256
    );

    // The same picture is the same file, whoever uploads it.
    let same =
        f.uc.set_avatar(bob.user_id, png(300, 300, 1))
            .await
            .unwrap();
    assert_eq!(same.avatar_url.as_deref(), Some(url.as_str()));

    // A different picture: a different URL; the old file stays while Bob uses it.
    let second =
        f.uc.set_avatar(alice.user_id, jpeg(200, 200))
            .await
            .unwrap();
    let url2 = second.avatar_url.clone().unwrap();
    assert_ne!(url2, url);
    assert!(f.uc.avatar_file(&hash, 64).await.is_ok());

    // Once nobody uses it, it is gone.
    let removed = f.uc.remove_avatar(bob.user_id).await.unwrap();
    assert_eq!(removed.avatar_url, None);
    assert_eq!(removed.avatar_small_url, None);
    assert_eq!(
        code_of(f.uc.avatar_file(&hash, 256).await),
        ErrorCode::NotFound
    );
    assert!(!stored.join(format!("{hash}-256.png")).exists());
    // Removing twice is fine.
    f.uc.remove_avatar(bob.user_id).await.unwrap();

    // Unknown sizes and malformed hashes are not found.
    assert_eq!(
        code_of(f.uc.avatar_file(&hash, 128).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code_of(f.uc.avatar_file("../../etc", 64).await),
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn a_bad_upload_keeps_the_previous_avatar() {
    let f = fixture().await;
    let me = signup(&f, "carol").await;
    let good = f.uc.set_avatar(me.user_id, webp(64, 64)).await.unwrap();
    let url = good.avatar_url.clone().unwrap();
    let full = png(50, 50, 2);
    for (bytes, expected) in [
        (Vec::new(), ErrorCode::ImageEmpty),
        (b"hello".to_vec(), ErrorCode::ImageUnsupported),
        (full[..full.len() - 20].to_vec(), ErrorCode::ImageCorrupt),
        (
            bomb_png(100_000, 100_000),
            ErrorCode::ImageDimensionsTooLarge,
        ),
        (vec![0u8; MAX_IMAGE_BYTES + 1], ErrorCode::ImageTooLarge),
    ] {
        let err = f.uc.set_avatar(me.user_id, bytes).await.unwrap_err();
        assert_eq!(err.code(), expected);
        assert!(err.code().http_status() < 500);
        let now = f.uc.profile(me.user_id).await.unwrap();
        assert_eq!(now.avatar_url.as_deref(), Some(url.as_str()), "{expected}");
    }
    let hash = &url["/media/avatars/".len()..url.len() - "-256.png".len()];
    assert!(f.uc.avatar_file(hash, 256).await.is_ok());
}

#[tokio::test]
async fn private_documents_are_for_the_owner_and_staff() {
    let f = fixture().await;
    let owner = signup(&f, "dora").await;
    let other = signup(&f, "eve").await;
    let staff =
        f.uc.create_admin("ops@example.com", "", "ops", PASSWORD, Role::Staff)
            .await
            .unwrap()
            .id;

    crate::tests::consent(&f.uc, owner.user_id).await;
    let front =
        f.uc.upload_document(owner.user_id, DocumentKind::IdFront, jpeg_with_exif())
            .await
            .unwrap();
    assert_eq!(front.kind, DocumentKind::IdFront);
    assert_eq!(front.verification_id, None);
    // Stored under the private directory, never beside the public avatars.
    let private = f._dir.path().join("media/private/documents");
    assert!(private.exists());
    assert!(!f._dir.path().join("media/avatars").exists());

    let mine = f.uc.own_document(owner.user_id, front.id).await.unwrap();
    assert!(mine.bytes.starts_with(&[0xff, 0xd8]));
    assert!(!contains(&mine.bytes, b"Exif"));
    assert_eq!(
        code_of(f.uc.own_document(other.user_id, front.id).await.map(|_| ())),
        ErrorCode::NotFound
    );
    assert_eq!(
        code_of(
            f.uc.read_private_document(other.user_id, front.id)
                .await
                .map(|_| ())
        ),
        ErrorCode::Forbidden
    );
    let read = f.uc.read_private_document(staff, front.id).await.unwrap();
    assert_eq!(read.user_id, owner.user_id);
    assert_eq!(read.bytes, mine.bytes);
    // The read is on the audit log, with who read whose document.
    let logged: Vec<(Option<i64>, Option<i64>, String)> = sqlx::query_as(
        "SELECT actor_id, target_id, details FROM audit_log WHERE action = 'document_viewed'",
    )
    .fetch_all(&f.db.sql)
    .await
    .unwrap();
    assert_eq!(logged.len(), 1, "one row per read");
    assert_eq!(
        (logged[0].0, logged[0].1),
        (Some(staff), Some(owner.user_id))
    );
    assert!(logged[0].2.contains(&front.id.to_string()));
    assert_eq!(
        code_of(f.uc.read_private_document(staff, 9999).await.map(|_| ())),
        ErrorCode::NotFound
    );
    assert_eq!(
        code_of(
            f.uc.upload_document(owner.user_id, DocumentKind::IdBack, b"text".to_vec())
                .await
        ),
        ErrorCode::ImageUnsupported
    );
    assert_eq!(f.uc.documents(owner.user_id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn submissions_reference_the_users_own_documents() {
    let f = fixture().await;
    let owner = signup(&f, "fay").await;
    let other = signup(&f, "gus").await;
    crate::tests::consent(&f.uc, owner.user_id).await;
    let front =
        f.uc.upload_document(owner.user_id, DocumentKind::IdFront, png(400, 250, 5))
            .await
            .unwrap();
    let back =
        f.uc.upload_document(owner.user_id, DocumentKind::IdBack, png(400, 250, 6))
            .await
            .unwrap();
    crate::tests::consent(&f.uc, other.user_id).await;
    let theirs =
        f.uc.upload_document(other.user_id, DocumentKind::IdBack, png(400, 250, 7))
            .await
            .unwrap();

    // Someone else's photo, or a photo of the wrong side, is refused and
    // nothing is submitted.
    for photos in [
        IdCardPhotos {
            front: Some(front.id),
            back: Some(theirs.id),
        },
        IdCardPhotos {
            front: Some(back.id),
            back: None,
        },
        IdCardPhotos {
            front: Some(9999),
            back: None,
        },
    ] {
        let res =
            f.uc.submit_real_name_with_photos(owner.user_id, "张三", MALE_ID, photos)
                .await;
        assert_eq!(code_of(res), ErrorCode::InvalidDocument, "{photos:?}");
        let state =
            f.uc.verification(owner.user_id, VerificationKind::RealName)
                .await
                .unwrap();
        assert_eq!(state.state, VerificationState::Unverified);
    }

    let submitted =
        f.uc.submit_real_name_with_photos(
            owner.user_id,
            "张三",
            MALE_ID,
            IdCardPhotos {
                front: Some(front.id),
                back: Some(back.id),
            },
        )
        .await
        .unwrap();
    assert_eq!(submitted.state, VerificationState::Pending);
    let kinds: Vec<DocumentKind> = submitted.documents.iter().map(|d| d.kind).collect();
    assert_eq!(kinds, vec![DocumentKind::IdFront, DocumentKind::IdBack]);
    assert!(submitted
        .documents
        .iter()
        .all(|d| d.verification_id.is_some()));

    // A qualification photo must be of that kind.
    let qualification =
        f.uc.upload_document(owner.user_id, DocumentKind::Qualification, webp(80, 120))
            .await
            .unwrap();
    assert_eq!(
        code_of(
            f.uc.submit_qualification_with_photo(owner.user_id, "Licence 42", Some(front.id))
                .await
        ),
        ErrorCode::InvalidDocument
    );
    let q =
        f.uc.submit_qualification_with_photo(owner.user_id, "Licence 42", Some(qualification.id))
            .await
            .unwrap();
    assert_eq!(q.documents.len(), 1);
    let overview = f.uc.verifications(owner.user_id).await.unwrap();
    assert_eq!(overview.real_name.documents.len(), 2);
    assert_eq!(overview.qualification.documents[0].id, qualification.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_uploads_of_one_picture_share_its_file() {
    let f = fixture().await;
    let mut users = Vec::new();
    for name in ["hana", "ivan", "jade", "kim", "lars", "mona"] {
        users.push(signup(&f, name).await.user_id);
    }
    let picture = png(500, 400, 8);
    let uploads = users.iter().map(|&id| {
        let uc = f.uc.clone();
        let bytes = picture.clone();
        tokio::spawn(async move { uc.set_avatar(id, bytes).await })
    });
    let mut urls = std::collections::HashSet::new();
    for upload in uploads {
        urls.insert(upload.await.unwrap().unwrap().avatar_url.unwrap());
    }
    assert_eq!(urls.len(), 1);
    let url = urls.into_iter().next().unwrap();
    let hash = &url["/media/avatars/".len()..url.len() - "-256.png".len()];
    // Everyone but the last removes theirs: the file stays for the last one.
    for &id in &users[..users.len() - 1] {
        f.uc.remove_avatar(id).await.unwrap();
    }
    assert!(f.uc.avatar_file(hash, 256).await.is_ok());
    f.uc.remove_avatar(users[users.len() - 1]).await.unwrap();
    assert_eq!(
        code_of(f.uc.avatar_file(hash, 256).await),
        ErrorCode::NotFound
    );
}
