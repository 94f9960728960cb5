//! Decoder fuzzing of jigsaw's request reading ([`Fields`]): any body under
//! any content type is fields or the documented `400` reason, and every
//! field read is a value or a `FAIL` answer with `REQUIRED` or
//! `INVALID_INPUT`; fields sent as JSON or as a form read back as sent.

use super::envelope::Answer;
use super::request::Fields;
use crate::compat::fuzz::{body, config, content_type, name};
use proptest::prelude::*;

/// A `FAIL` answer with one of the codes field reading documents.
fn field_refusal(answer: &Answer) -> Result<(), TestCaseError> {
    let text = format!("{answer:?}");
    prop_assert!(text.contains(r#""result": String("FAIL")"#), "{text}");
    prop_assert!(
        text.contains(r#""failCode": String("REQUIRED")"#)
            || text.contains(r#""failCode": String("INVALID_INPUT")"#),
        "{text}"
    );
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_jigsaw_any_body_is_fields_or_a_reason(
        content_type in content_type(), body in body(), names in prop::collection::vec(name(), 1..4),
    ) {
        let fields = match Fields::parse(content_type.as_deref().unwrap_or(""), &body) {
            Ok(fields) => fields,
            Err(reason) => {
                prop_assert!(reason.starts_with("The "), "{reason}");
                return Ok(());
            }
        };
        for key in names.iter().map(String::as_str).chain(["userNo"]) {
            match fields.text(key) {
                Ok(Some(value)) => prop_assert!(!value.is_empty() && value.trim() == value),
                Ok(None) => {}
                Err(answer) => field_refusal(&answer)?,
            }
            if let Err(answer) = fields.required(key) {
                field_refusal(&answer)?;
            }
        }
        match fields.user_no() {
            Ok(Some(n)) => prop_assert!(n > 0),
            Ok(None) => {}
            Err(answer) => field_refusal(&answer)?,
        }
    }

    #[test]
    fn fuzz_jigsaw_fields_read_back_as_sent(
        sent in prop::collection::btree_map("[a-zA-Z]{1,8}", "\\PC{0,16}", 0..6), as_form in any::<bool>(),
    ) {
        let (content_type, body) = if as_form {
            let pairs: Vec<_> = sent.iter().collect();
            ("application/x-www-form-urlencoded", serde_urlencoded::to_string(pairs).unwrap().into_bytes())
        } else {
            ("application/json", serde_json::to_vec(&sent).unwrap())
        };
        let fields = Fields::parse(content_type, &body).unwrap();
        for (key, value) in &sent {
            let expected = Some(value.trim().to_string()).filter(|v| !v.is_empty());
            prop_assert_eq!(fields.text(key).unwrap(), expected);
        }
    }
}
