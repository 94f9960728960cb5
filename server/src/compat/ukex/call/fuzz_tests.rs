//! Decoder fuzzing of ukex's request reading: any body under any content
//! type is fields or a reason for the seed's envelope (`请求体…`,
//! `不支持的 Content-Type…`), and every field read gives a value or a
//! [`Problem`] naming the field; fields sent as JSON or as a form read back.

use super::{read_fields, Fields};
use crate::compat::fuzz::{body, config, content_type, name};
use crate::compat::ukex::envelope::Problem;
use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue};
use proptest::prelude::*;

fn read(content_type: Option<&str>, body: Vec<u8>) -> Result<Fields, String> {
    let mut headers = HeaderMap::new();
    if let Some(value) = content_type.and_then(|c| HeaderValue::from_str(c).ok()) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(read_fields(&headers, Body::from(body)))
}

/// A problem that names the field it is about.
fn field_problem(problem: &Problem, field: &str) -> Result<(), TestCaseError> {
    let text = &problem.0;
    prop_assert!(
        text.starts_with("缺少必填字段") || text.starts_with("字段 "),
        "{text}"
    );
    prop_assert!(text.contains(field), "{text} does not name {field}");
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_ukex_any_body_is_fields_or_a_reason(
        content_type in content_type(), body in body(), names in prop::collection::vec(name(), 1..4),
    ) {
        let fields = match read(content_type.as_deref(), body) {
            Ok(fields) => fields,
            Err(reason) => {
                prop_assert!(reason.starts_with("请求体") || reason.starts_with("不支持的 Content-Type"), "{reason}");
                return Ok(());
            }
        };
        for name in &names {
            let _ = fields.has(name);
            if let Err(p) = fields.text(name) { field_problem(&p, name)?; }
            if let Err(p) = fields.required(name) { field_problem(&p, name)?; }
            if let Err(p) = fields.int(name) { field_problem(&p, name)?; }
            if let Err(p) = fields.required_int(name) { field_problem(&p, name)?; }
            if let Err(p) = fields.list(name) { field_problem(&p, name)?; }
        }
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        if let Err(p) = fields.first_text(&names) {
            prop_assert!(names.iter().any(|n| field_problem(&p, n).is_ok()), "{}", p.0);
        }
    }

    #[test]
    fn fuzz_ukex_fields_read_back_as_sent(
        sent in prop::collection::btree_map("[a-z]{1,8}", "\\PC{0,16}", 0..6),
        number in any::<i64>(), as_form in any::<bool>(),
    ) {
        let (content_type, body) = if as_form {
            let pairs: Vec<_> = sent.iter().collect();
            ("application/x-www-form-urlencoded", serde_urlencoded::to_string(pairs).unwrap().into_bytes())
        } else {
            let mut object = serde_json::Map::new();
            for (k, v) in &sent {
                object.insert(k.clone(), v.clone().into());
            }
            object.insert("Amount0".into(), number.into());
            ("application/json", serde_json::to_vec(&object).unwrap())
        };
        let fields = read(Some(content_type), body).unwrap();
        for (key, value) in &sent {
            let expected = Some(value.clone()).filter(|v| !v.trim().is_empty());
            prop_assert_eq!(fields.text(key).unwrap(), expected);
        }
        if !as_form {
            prop_assert_eq!(fields.int("amount0").unwrap(), Some(number));
            prop_assert_eq!(fields.text("Amount0").unwrap(), Some(number.to_string()));
        }
    }
}
