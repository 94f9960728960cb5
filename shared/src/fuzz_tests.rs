//! Decoder fuzzing of the typed contract: the money parser, identifier and
//! contact normalisation, ID numbers, display texts, the staff search box
//! and batch CSV, fed random, structured and mutated input.
//!
//! Every test is named `fuzz_…` and runs [`fuzz_cases`](crate::fuzz_cases)
//! cases: 256 by default (inside `cargo test`), `UC_FUZZ_CASES` for the
//! reliability suite's full form. Properties: no panic; every refusal is one of
//! the codes the function documents, with a 4xx status, never `INTERNAL`; what
//! is accepted is in its canonical form, so normalising it again changes
//! nothing and formatting then parsing gives the same value.

use crate::admin::{parse_batch_csv, parse_user_query, validate_batch, BatchRow, UserQuery};
use crate::identity::{
    self, gb11643_check_char, mask_id_number, normalize_id_number, parse_mainland_id, CivilDate,
    Gender, IdType,
};
use crate::money::{
    format_amount, parse_amount, parse_non_negative_amount, AmountError, MAX_AMOUNT, MAX_SCALE,
};
use crate::validate::{
    normalize_email, normalize_phone, normalize_username, parse_contact, parse_identifier,
    username_key, Contact, Identifier,
};
use crate::{AppError, ErrorCode};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(crate::fuzz_cases())
}

/// A refusal with one of `allowed` codes and a client-error status.
fn refused_with(e: &AppError, allowed: &[ErrorCode]) -> Result<(), TestCaseError> {
    prop_assert!(
        allowed.contains(&e.code),
        "unexpected code {:?} (allowed {:?})",
        e.code,
        allowed
    );
    prop_assert!((400..500).contains(&e.code.http_status()), "{:?}", e.code);
    Ok(())
}

/// A normaliser's canonical form normalises to itself; its refusals are
/// `REQUIRED` or its own `invalid` code.
fn idempotent(
    raw: &str,
    normalize: fn(&str) -> Result<String, AppError>,
    invalid: ErrorCode,
) -> Result<(), TestCaseError> {
    match normalize(raw) {
        Ok(value) => prop_assert_eq!(normalize(&value), Ok(value.clone())),
        Err(e) => refused_with(&e, &[ErrorCode::Required, invalid])?,
    }
    Ok(())
}

/// Text as users and clients send it: anything, printable text, and
/// near-misses built from the characters the parsers care about.
fn text(near: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "\\PC{0,40}",
        near,
        // A near-miss with odd bytes around it.
        (
            near,
            "[ \t\u{a0}\u{3000}+\\-@.,]{0,2}",
            "[ \t\u{a0}\u{3000}+\\-@.,]{0,2}"
        )
            .prop_map(|(t, a, b)| format!("{a}{t}{b}")),
    ]
}

/// `text` with one character inserted, deleted or replaced.
fn mutated(base: String, at: usize, op: u8, c: char) -> String {
    let mut chars: Vec<char> = base.chars().collect();
    let at = if chars.is_empty() {
        0
    } else {
        at % (chars.len() + 1)
    };
    match op % 3 {
        0 => chars.insert(at, c),
        1 if at < chars.len() => {
            chars.remove(at);
        }
        _ if at < chars.len() => chars[at] = c,
        _ => chars.push(c),
    }
    chars.into_iter().collect()
}

const AMOUNT_CODES: &[ErrorCode] = &[
    ErrorCode::Required,
    ErrorCode::InvalidAmount,
    ErrorCode::AmountExponent,
    ErrorCode::AmountGrouping,
    ErrorCode::AmountTooPrecise,
    ErrorCode::AmountNegative,
    ErrorCode::AmountNotPositive,
    ErrorCode::AmountTooLarge,
];

/// Checks one amount text at one scale, both parsers.
fn check_amount(text: &str, scale: u32) -> Result<(), TestCaseError> {
    match parse_amount(text, scale) {
        Ok(minor) => {
            prop_assert!((1..=MAX_AMOUNT).contains(&minor));
            prop_assert_eq!(parse_amount(&format_amount(minor, scale), scale), Ok(minor));
            prop_assert_eq!(parse_non_negative_amount(text, scale), Ok(minor));
        }
        Err(e) => {
            refused_with(&AppError::from(e), AMOUNT_CODES)?;
            match parse_non_negative_amount(text, scale) {
                Ok(minor) => prop_assert!(e == AmountError::Zero && minor == 0),
                Err(e2) => prop_assert_eq!(e, e2),
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_money_format_then_parse_round_trips(minor in 1..=MAX_AMOUNT, scale in 0..=MAX_SCALE) {
        let text = format_amount(minor, scale);
        prop_assert_eq!(parse_amount(&text, scale), Ok(minor));
    }

    #[test]
    fn fuzz_money_negative_values_format_with_a_minus_and_are_refused(
        minor in 1..=MAX_AMOUNT, scale in 0..=MAX_SCALE
    ) {
        let text = format_amount(-minor, scale);
        prop_assert!(text.starts_with('-'));
        prop_assert_eq!(parse_amount(&text, scale), Err(AmountError::Negative));
    }

    #[test]
    fn fuzz_money_any_text_is_a_value_or_a_stable_code(
        text in text("[0-9., _'eE+\\-]{0,24}"), scale in 0..=MAX_SCALE
    ) {
        check_amount(&text, scale)?;
    }

    #[test]
    fn fuzz_money_mutated_amounts_are_a_value_or_a_stable_code(
        minor in 0..=MAX_AMOUNT * 10, scale in 0..=MAX_SCALE,
        at in any::<usize>(), op in any::<u8>(), c in prop_oneof![Just('.'), Just('0'), Just('9'), Just('-'), Just(','), Just('e'), any::<char>()],
    ) {
        check_amount(&mutated(format_amount(minor, scale), at, op, c), scale)?;
    }

    #[test]
    fn fuzz_money_padded_and_zero_led_amounts_parse_to_the_same_value(
        minor in 1..=MAX_AMOUNT, scale in 0..=MAX_SCALE,
        zeros in 0usize..30, trailing in 0usize..30, pad in "[ \t\n]{0,3}",
    ) {
        let canonical = format_amount(minor, scale);
        let fraction = if scale == 0 { format!(".{}", "0".repeat(trailing)) } else { "0".repeat(trailing) };
        let text = format!("{pad}{}{canonical}{fraction}{pad}", "0".repeat(zeros));
        prop_assert_eq!(parse_amount(&text, scale), Ok(minor));
    }

    #[test]
    fn fuzz_identifier_parses_to_a_canonical_identifier_or_a_stable_code(
        raw in text("[a-zA-Z0-9_@.+\\- ]{0,24}|\\+?86?1[0-9 \\-]{10,14}|[a-zA-Z0-9._%+\\-]{1,12}@[a-zA-Z0-9\\-]{1,10}\\.[a-zA-Z]{2,4}"),
    ) {
        match parse_identifier(&raw) {
            Ok(id) => {
                let again = match &id {
                    Identifier::Email(v) | Identifier::Phone(v) | Identifier::Username(v) => parse_identifier(v),
                };
                prop_assert_eq!(again, Ok(id.clone()));
                prop_assert!(id.key().contains(':'));
            }
            Err(e) => refused_with(&e, &[ErrorCode::Required, ErrorCode::InvalidIdentifier])?,
        }
        match parse_contact(&raw) {
            Ok(contact) => {
                prop_assert_eq!(parse_contact(contact.value()), Ok(contact.clone()));
                let masked = contact.masked();
                prop_assert!(masked.contains('*'));
                // A contact is also a sign-in identifier, with the same key.
                let as_identifier = parse_identifier(contact.value());
                prop_assert_eq!(as_identifier.map(|i| i.key()), Ok(contact.key()));
                prop_assert!(matches!(contact, Contact::Email(_) | Contact::Phone(_)));
            }
            Err(e) => refused_with(&e, &[ErrorCode::Required, ErrorCode::InvalidContact])?,
        }
    }

    #[test]
    fn fuzz_normalize_email_phone_and_username_are_idempotent(
        raw in text("[a-zA-Z0-9_@.+\\- ]{0,24}|\\+?86?1[0-9 \\-]{10,14}|[a-zA-Z0-9._%+\\-]{1,12}@[a-zA-Z0-9\\-]{1,10}\\.[a-zA-Z]{2,4}"),
    ) {
        idempotent(&raw, normalize_email, ErrorCode::InvalidEmail)?;
        idempotent(&raw, normalize_phone, ErrorCode::InvalidPhone)?;
        idempotent(&raw, normalize_username, ErrorCode::InvalidUsername)?;
        if let Ok(name) = normalize_username(&raw) {
            let key = username_key(&name);
            prop_assert_eq!(username_key(&key), key.clone());
            prop_assert_eq!(normalize_username(&key), Ok(key));
        }
    }

    #[test]
    fn fuzz_id_numbers_are_checked_or_refused_with_a_stable_code(
        raw in text("[0-9xX ]{0,20}"),
        first17 in "[1-6][0-9]{5}(1[89]|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}",
        at in 0usize..18, digit in 0u8..10, kind in 0u8..3, gender in 0u8..3,
    ) {
        let today = CivilDate::new(2026, 11, 30).unwrap();
        // A number with the right check character, and one digit changed.
        let bytes: [u8; 17] = first17.as_bytes().try_into().unwrap();
        let valid = format!("{first17}{}", gb11643_check_char(&bytes).unwrap() as char);
        let mut changed = valid.clone().into_bytes();
        let was = changed[at];
        changed[at] = if at == 17 && digit == 0 { b'X' } else { b'0' + digit };
        let changed = String::from_utf8(changed).unwrap();
        if changed.as_bytes()[at] != was {
            // GB 11643's check character catches every single substitution.
            prop_assert!(parse_mainland_id(&changed, today).is_err(), "{changed} was accepted");
        }
        let mainland_codes = [ErrorCode::Required, ErrorCode::InvalidIdNumber, ErrorCode::IdBirthDateInvalid];
        for text in [raw.as_str(), valid.as_str(), changed.as_str()] {
            match parse_mainland_id(text, today) {
                Ok(id) => {
                    prop_assert_eq!(id.number.len(), 18);
                    prop_assert!(id.birth_date <= today && id.birth_date.year >= 1800);
                    prop_assert_eq!(parse_mainland_id(&id.number, today), Ok(id.clone()));
                    prop_assert_eq!(mask_id_number(&id.number).chars().filter(|c| *c == '*').count(), 10);
                }
                Err(e) => refused_with(&e, &mainland_codes)?,
            }
            let id_type = [IdType::MainlandId, IdType::Passport, IdType::Other][kind as usize];
            let stated = [Gender::Unspecified, Gender::Male, Gender::Female][gender as usize];
            match normalize_id_number(id_type, text, stated, today) {
                Ok(number) => prop_assert_eq!(
                    normalize_id_number(id_type, &number, stated, today),
                    Ok(number.clone())
                ),
                Err(e) => refused_with(&e, &[
                    ErrorCode::Required, ErrorCode::InvalidIdNumber, ErrorCode::IdBirthDateInvalid,
                    ErrorCode::IdGenderMismatch, ErrorCode::InvalidPassport,
                ])?,
            }
            let _ = mask_id_number(text);
        }
    }

    #[test]
    fn fuzz_names_and_countries_are_idempotent_or_refused_with_a_stable_code(raw in text("[a-zA-Z\u{4e00}-\u{4e10}· ]{0,70}")) {
        idempotent(&raw, identity::normalize_display_name, ErrorCode::InvalidDisplayName)?;
        idempotent(&raw, identity::normalize_real_name, ErrorCode::InvalidRealName)?;
        idempotent(&raw, identity::normalize_reason, ErrorCode::InvalidReason)?;
        #[cfg(feature = "server")]
        match identity::normalize_country(&raw) {
            Ok(code) => prop_assert_eq!(identity::normalize_country(&code), Ok(code.clone())),
            Err(e) => refused_with(&e, &[ErrorCode::InvalidCountry])?,
        }
    }

    #[test]
    fn fuzz_user_search_text_is_a_query_or_a_stable_code(raw in text("[#0-9, ]{0,40}|[a-z@.0-9]{0,20}")) {
        match parse_user_query(&raw) {
            Ok(UserQuery::All) => prop_assert!(raw.trim().is_empty()),
            Ok(UserQuery::Ids(ids)) => prop_assert!(!ids.is_empty() && ids.len() <= 100),
            Ok(UserQuery::Text(t)) => prop_assert_eq!(t.clone(), t.to_lowercase()),
            Err(e) => refused_with(&e, &[ErrorCode::InvalidInput])?,
        }
    }

    #[test]
    fn fuzz_batch_csv_is_rows_or_a_stable_code(
        raw in text("([a-z0-9@.,\" ]{0,12}(\r?\n)?){0,6}"),
    ) {
        check_batch_csv(&raw)?;
    }

    #[test]
    fn fuzz_batch_csv_written_rows_read_back_the_same(
        rows in prop::collection::vec([cell(), cell(), cell(), cell()], 0..8),
        order in Just([0usize, 1, 2, 3]).prop_shuffle(),
        header in any::<bool>(),
    ) {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let names = ["email", "phone", "username", "name"];
        if header {
            writer.write_record(order.map(|i| names[i])).unwrap();
        }
        for row in &rows {
            writer.write_record(order.map(|i| row[i].as_str())).unwrap();
        }
        let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        let expected: Vec<BatchRow> = rows
            .iter()
            .filter(|row| row.iter().any(|c| !c.is_empty()))
            .map(|row| {
                // Without a header the columns are in the written order.
                let slot = |s: usize| if header { &row[s] } else { &row[order[s]] };
                let cell = |s: usize| Some(slot(s).clone()).filter(|c| !c.is_empty());
                BatchRow { email: cell(0), phone: cell(1), username: cell(2), name: cell(3) }
            })
            .collect();
        prop_assert_eq!(parse_batch_csv(&text), Ok(expected));
        check_batch_csv(&text)?;
    }
}

/// A CSV cell without surrounding spaces (the reader trims them), never a
/// column name (that would make the first row a header).
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z0-9]{1,8}@[a-z]{1,6}\\.com",
        "1[3-9][0-9]{9}",
        "[A-Za-z0-9_\\-]{1,12}",
        "\\PC{0,6}[,\"\n]\\PC{0,6}",
    ]
    .prop_map(|c| c.trim().to_string())
    .prop_filter("a column name", |c| {
        !["email", "phone", "username", "name"]
            .iter()
            .any(|n| c.eq_ignore_ascii_case(n))
    })
}

fn check_batch_csv(text: &str) -> Result<(), TestCaseError> {
    let rows = match parse_batch_csv(text) {
        Ok(rows) => rows,
        Err(e) => return refused_with(&e, &[ErrorCode::InvalidInput]),
    };
    match validate_batch(&rows) {
        Ok(valid) => {
            prop_assert_eq!(valid.len(), rows.len());
            for row in &valid {
                prop_assert!(row.email.is_some() || row.phone.is_some());
            }
        }
        Err(e) => {
            refused_with(
                &e,
                &[
                    ErrorCode::Required,
                    ErrorCode::BatchTooLarge,
                    ErrorCode::BatchInvalid,
                ],
            )?;
            for row in &e.rows {
                prop_assert!(row.line >= 1 && row.line as usize <= rows.len());
                prop_assert!((400..500).contains(&row.code.http_status()));
            }
        }
    }
    Ok(())
}
