//! Decoder fuzzing of java110's request reading: the fields of any JSON
//! body (text, required text, password digest, `sex`) are values or a
//! `400` with a reason, and the configured time zone (`UC_COMPAT_JAVA110_TZ`)
//! is an offset within ±14:00 that reads back as it is written, or a
//! message saying what is expected.

use super::{digest, gender, required, text, Failure, UtcOffset};
use crate::compat::fuzz::{config, name, object};
use axum::http::StatusCode;
use proptest::prelude::*;

fn bad_request(failure: &Failure) -> Result<(), TestCaseError> {
    prop_assert_eq!(failure.status, StatusCode::BAD_REQUEST);
    prop_assert!(!failure.reason.is_empty());
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_java110_body_fields_are_values_or_a_400(body in object(), names in prop::collection::vec(name(), 1..4)) {
        for name in names.iter().map(String::as_str).chain(["password", "sex"]) {
            match text(&body, name) {
                Ok(Some(value)) => prop_assert!(!value.is_empty() && value.trim() == value),
                Ok(None) => {}
                Err(f) => bad_request(&f)?,
            }
            if let Err(f) = required(&body, name) { bad_request(&f)?; }
            match digest(&body, name) {
                Ok(d) => prop_assert!(d.len() == 32 && d.bytes().all(|b| b.is_ascii_hexdigit())),
                Err(f) => bad_request(&f)?,
            }
        }
        if let Err(f) = gender(&body) { bad_request(&f)?; }
    }

    #[test]
    fn fuzz_java110_time_zones_read_back_as_written(
        raw in prop_oneof![
            "\\PC{0,12}",
            any::<String>(),
            "(UTC|GMT|utc)?[+\\-][0-9]{1,2}(:?[0-9]{2})?",
            "[+\\-][0-9\u{e9}\u{4e00}:]{1,5}",
        ],
        minutes in -14 * 60..=14 * 60i32,
    ) {
        if let Ok(offset) = raw.parse::<UtcOffset>() {
            prop_assert!(offset.0.abs() <= 14 * 3600 && offset.0 % 60 == 0);
            prop_assert_eq!(offset.to_string().parse::<UtcOffset>(), Ok(offset));
        }
        let offset = UtcOffset(minutes * 60);
        prop_assert_eq!(offset.to_string().parse::<UtcOffset>(), Ok(offset));
    }
}
