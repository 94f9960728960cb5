//! Decoder fuzzing of what the domain reads from outside: uploaded images
//! (random bytes, and tiny valid PNG, JPEG, GIF and WebP files with mutated
//! headers), java110's signed headers and compact times, and the password
//! digests seed clients send.
//!
//! Every test is named `fuzz_…` and runs [`fuzz_cases`](shared::fuzz_cases)
//! cases: 256 by default (inside `cargo test`), `UC_FUZZ_CASES` for the
//! reliability suite's full form. Properties: no panic; every refusal is a
//! stable code of the function's documented set with a 4xx status, never
//! `INTERNAL`; what is accepted is within the documented bounds and reads back
//! the same.

use crate::legacy_signatures::{
    format_compact_time, java110_sign, parse_compact_time, Java110Request,
};
use crate::media::decode_upload;
use crate::media_tests::{crc32, encode, gradient};
use crate::password_digests::DigestScheme;
use crate::service_apps::Scope;
use crate::tests::{fixture, Fixture};
use crate::DomainError;
use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use shared::media::MAX_IMAGE_SIDE;
use shared::{AppError, ErrorCode};
use std::sync::LazyLock;

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(shared::fuzz_cases())
}

/// A refusal with one of `allowed` codes and a client-error status; any
/// other error (I/O, database: `INTERNAL` to the client) fails.
fn refused_with(e: &DomainError, allowed: &[ErrorCode]) -> Result<(), TestCaseError> {
    let DomainError::Rejected(AppError { code, .. }) = e else {
        return Err(TestCaseError::fail(format!("not a refusal: {e}")));
    };
    prop_assert!(
        allowed.contains(code),
        "unexpected code {code:?} (allowed {allowed:?})"
    );
    prop_assert!((400..500).contains(&code.http_status()), "{code:?}");
    Ok(())
}

const IMAGE_CODES: &[ErrorCode] = &[
    ErrorCode::ImageEmpty,
    ErrorCode::ImageTooLarge,
    ErrorCode::ImageCorrupt,
    ErrorCode::ImageUnsupported,
    ErrorCode::ImageDimensionsTooLarge,
];

/// What the upload pipeline makes of `bytes`: an upright image within the
/// size limit, or one of the image codes.
fn check_upload(bytes: &[u8]) -> Result<(), TestCaseError> {
    match decode_upload(bytes) {
        Ok(image) => {
            let (w, h) = (image.width(), image.height());
            prop_assert!((1..=MAX_IMAGE_SIDE).contains(&w) && (1..=MAX_IMAGE_SIDE).contains(&h));
        }
        Err(e) => refused_with(&e, IMAGE_CODES)?,
    }
    Ok(())
}

/// Tiny valid files of every accepted format (with and without alpha).
static SAMPLES: LazyLock<Vec<(ImageFormat, Vec<u8>)>> = LazyLock::new(|| {
    let rgb = DynamicImage::ImageRgb8(gradient(5, 3, 7));
    let rgba = DynamicImage::ImageRgba8(RgbaImage::from_fn(4, 6, |x, y| {
        Rgba([x as u8 * 60, y as u8 * 40, 90, (x * y * 20) as u8])
    }));
    [
        (ImageFormat::Png, &rgb),
        (ImageFormat::Png, &rgba),
        (ImageFormat::Jpeg, &rgb),
        (ImageFormat::Gif, &rgba),
        (ImageFormat::WebP, &rgba),
    ]
    .into_iter()
    .map(|(format, image)| (format, encode(image.clone(), format)))
    .collect()
});

/// The magic numbers the sniffer looks for.
const MAGICS: [&[u8]; 7] = [
    b"",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    b"RIFF\x00\x00\x00\x00WEBPVP8L",
];

/// PNG chunks carry a CRC: after a mutation each one is made right again,
/// so the decoder looks past the checksum at the mutated fields.
fn fix_png_crcs(bytes: &mut [u8]) {
    let mut at = 8;
    while at + 12 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        let Some(end) = (at + 8).checked_add(len).filter(|e| e + 4 <= bytes.len()) else {
            return;
        };
        let crc = crc32(&bytes[at + 4..end]);
        bytes[end..end + 4].copy_from_slice(&crc.to_be_bytes());
        at = end + 4;
    }
}

/// A byte to write: anything, or the values that make sizes extreme.
fn patch_byte() -> impl Strategy<Value = u8> {
    prop_oneof![any::<u8>(), Just(0), Just(0xff), Just(0x7f), Just(0x10)]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_image_random_bytes_after_every_magic_number(
        magic in 0..MAGICS.len(), tail in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        let mut bytes = MAGICS[magic].to_vec();
        bytes.extend(tail);
        check_upload(&bytes)?;
    }

    #[test]
    fn fuzz_image_mutated_headers_of_valid_files(
        sample in 0..5usize,
        patches in prop::collection::vec((0usize..48, patch_byte()), 1..5),
        far in prop::option::of((any::<prop::sample::Index>(), any::<u8>())),
        cut in prop::option::of(any::<prop::sample::Index>()),
        fix_crcs in any::<bool>(),
    ) {
        let (format, valid) = &SAMPLES[sample];
        let mut bytes = valid.clone();
        for (at, value) in patches {
            if at < bytes.len() {
                bytes[at] = value;
            }
        }
        if let Some((at, value)) = far {
            let at = at.index(bytes.len());
            bytes[at] = value;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        if *format == ImageFormat::Png && fix_crcs {
            fix_png_crcs(&mut bytes);
        }
        check_upload(&bytes)?;
    }

    #[test]
    fn fuzz_compact_times_read_back_as_written(
        text in prop_oneof!["[0-9]{14}", "[0-9]{4}(0[1-9]|1[0-2])[0-3][0-9][0-2][0-9][0-5][0-9][0-5][0-9]", any::<String>()],
        unix in -62_135_596_800i64..253_402_000_000,
        offset in -14 * 3600..=14 * 3600i32,
    ) {
        if let Some(time) = parse_compact_time(&text, offset) {
            prop_assert_eq!(format_compact_time(time, offset), text);
        }
        let written = format_compact_time(unix, offset);
        if let Some(year) = written.get(..4).and_then(|y| y.parse::<i32>().ok()).filter(|_| written.len() == 14) {
            prop_assert!((1..=9999).contains(&year));
            prop_assert_eq!(parse_compact_time(&written, offset), Some(unix));
        }
    }

    #[test]
    fn fuzz_password_digests_normalise_idempotently(
        digest in prop_oneof!["[0-9a-fA-F]{32}|[0-9a-fA-F]{40}", "[ 0-9a-fA-FgG]{30,42}", any::<String>()],
    ) {
        for scheme in DigestScheme::ALL {
            if let Some(normal) = scheme.normalise(&digest) {
                prop_assert!(normal.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
                prop_assert_eq!(scheme.normalise(&normal), Some(normal.clone()));
            }
        }
    }
}

const SIGNATURE_CODES: &[ErrorCode] = &[
    ErrorCode::SignatureMissing,
    ErrorCode::InvalidInput,
    ErrorCode::RequestExpired,
    ErrorCode::InvalidRequestId,
    ErrorCode::AppUnknown,
    ErrorCode::SignatureInvalid,
    ErrorCode::TransactionReplayed,
];

/// One java110 call's headers: each missing, right, or wrong in some way.
#[derive(Clone, Debug)]
struct Headers {
    app_id: Option<String>,
    transaction_id: Option<String>,
    req_time: Option<String>,
    /// `None` missing, `Some(None)` the right sign, else this text.
    sign: Option<Option<String>>,
    body: Vec<u8>,
}

fn headers(app_id: String, now: String) -> impl Strategy<Value = Headers> {
    let text = || prop_oneof![Just(String::new()), "\\PC{0,20}", any::<String>()];
    let app = prop_oneof![3 => Just(app_id), 1 => "app_[0-9a-f]{32}", 1 => text()];
    let tx =
        prop_oneof![3 => "[0-9A-Za-z._:\\-]{1,64}", 1 => "[0-9A-Za-z._:\\-]{65,70}", 1 => text()];
    let time = prop_oneof![3 => Just(now), 1 => "[0-9]{14}", 1 => text()];
    let sign = prop_oneof![
        3 => Just(None),
        1 => "[0-9a-fA-F]{32}".prop_map(Some),
        1 => text().prop_map(Some),
    ];
    (
        prop::option::weighted(0.9, app),
        prop::option::weighted(0.9, tx),
        prop::option::weighted(0.9, time),
        prop::option::weighted(0.9, sign),
        prop::collection::vec(any::<u8>(), 0..64),
    )
        .prop_map(|(app_id, transaction_id, req_time, sign, body)| Headers {
            app_id,
            transaction_id,
            req_time,
            sign,
            body,
        })
}

#[test]
fn fuzz_java110_signed_headers_pass_or_are_refused_with_a_stable_code() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    const CHINA: i32 = 8 * 3600;
    let (f, app_id, secret): (Fixture, String, String) = runtime.block_on(async {
        let f = fixture().await;
        let app =
            f.uc.create_service_app("java110", &[Scope::UsersWrite])
                .await
                .unwrap();
        let secret = app.secret.expose().to_string();
        (f, app.app_id, secret)
    });
    let now = format_compact_time(crate::clock::now(), CHINA);
    let mut runner = TestRunner::new(config());
    runner
        .run(&headers(app_id.clone(), now), |h| {
            let sign = h.sign.as_ref().map(|s| {
                s.clone().unwrap_or_else(|| {
                    java110_sign(
                        h.transaction_id.as_deref().unwrap_or_default(),
                        h.req_time.as_deref().unwrap_or_default(),
                        h.app_id.as_deref().unwrap_or_default(),
                        &h.body,
                        &secret,
                    )
                })
            });
            let verified = runtime.block_on(f.uc.verify_java110_request(Java110Request {
                app_id: h.app_id.as_deref(),
                transaction_id: h.transaction_id.as_deref(),
                req_time: h.req_time.as_deref(),
                sign: sign.as_deref(),
                body: &h.body,
                utc_offset_secs: CHINA,
            }));
            match verified {
                Ok(app) => {
                    prop_assert_eq!(&app.app_id, &app_id);
                    prop_assert!(matches!(h.sign, Some(None)));
                }
                Err(e) => refused_with(&e, SIGNATURE_CODES)?,
            }
            Ok(())
        })
        .unwrap();
}
