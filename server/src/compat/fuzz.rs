//! What the facades' decoder fuzzing shares: the case count and generators
//! of what clients send (bodies of every shape, content types, query
//! strings, field names from the seed documents and random ones).
//!
//! Each facade's `fuzz_tests` feeds these to its own request parsing; every
//! test is named `fuzz_…` and runs [`fuzz_cases`](shared::fuzz_cases) cases:
//! 256 by default (inside `cargo test`), `UC_FUZZ_CASES` for the reliability
//! suite's full form.

use proptest::prelude::*;
use serde_json::{Map, Value};

pub(crate) fn config() -> ProptestConfig {
    ProptestConfig::with_cases(shared::fuzz_cases())
}

/// Field names the facades read, with odd cases and brackets, and random ones.
const NAMES: &[&str] = &[
    "userNo",
    "userId",
    "userid",
    "UserId",
    "uid",
    "token",
    "TOKEN",
    "phone",
    "mobile",
    "email",
    "password",
    "sysId",
    "sysid",
    "systId",
    "users",
    "jsonStr",
    "name",
    "sex",
    "tel",
    "amount",
    "coin",
    "requestId",
    "request_id",
    "transaction_id",
    "list",
    "a[]",
    "a[0]",
    "",
];

pub(crate) fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(NAMES).prop_map(str::to_string),
        1 => "[a-zA-Z_\\[\\]0-9]{1,10}",
        1 => any::<String>(),
    ]
}

/// Text as clients send it: printable, anything, or near a number.
pub(crate) fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,16}",
        any::<String>(),
        "[ +\\-]?[0-9]{0,20}[ .]?[0-9]{0,3}",
        Just(String::new()),
    ]
}

/// Any JSON value, a few levels deep.
pub(crate) fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(name(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A JSON object of named fields.
pub(crate) fn object() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map(name(), json(), 0..6).prop_map(|m| m.into_iter().collect())
}

/// A form (`a=1&b=2`, names repeated or bracketed at times).
pub(crate) fn form() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec((name(), text()), 0..6)
            .prop_map(|pairs| serde_urlencoded::to_string(pairs).unwrap()),
        "[a-zA-Z0-9=&%\\[\\]+.]{0,40}",
    ]
}

/// A request body: a JSON object, any JSON, a form, text or bytes.
pub(crate) fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => object().prop_map(|m| serde_json::to_vec(&Value::Object(m)).unwrap()),
        1 => json().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        2 => form().prop_map(String::into_bytes),
        1 => "\\PC{0,64}".prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..128),
        // Truncated JSON.
        1 => (object(), any::<prop::sample::Index>()).prop_map(|(m, cut)| {
            let mut bytes = serde_json::to_vec(&Value::Object(m)).unwrap();
            bytes.truncate(cut.index(bytes.len()));
            bytes
        }),
    ]
}

/// A `Content-Type`, or none.
pub(crate) fn content_type() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        Just("application/json".to_string()),
        Just("application/json; charset=utf-8".to_string()),
        Just("APPLICATION/X-WWW-FORM-URLENCODED".to_string()),
        Just("application/x-www-form-urlencoded; charset=UTF-8".to_string()),
        Just("text/plain".to_string()),
        Just("multipart/form-data; boundary=x".to_string()),
        "\\PC{0,24}",
    ])
}

/// A raw query string.
pub(crate) fn query() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![form(), "\\PC{0,32}"])
}
