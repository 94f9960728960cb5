//! Decoder fuzzing of yonyou's request reading: [`Params`] from any query,
//! body and content type is one bag of fields or one of the two documented
//! reasons (`msg`), and every way a handler reads a field (text, flag,
//! list, nested object or list of objects, `userId`, `sysId`) gives a value
//! or nothing, never a panic; user ids read back as written.

use super::call::{parse_user_id, sys_id, user_id};
use super::params::{Params, Unreadable};
use crate::compat::fuzz::{body, config, content_type, name, query};
use proptest::prelude::*;

const REASONS: [&str; 2] = ["请求体不是 UTF-8 文本", "请求体不是合法的 JSON 对象"];

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_yonyou_any_request_is_fields_or_a_documented_reason(
        content_type in content_type(), query in query(), body in body(),
        names in prop::collection::vec(name(), 1..4),
    ) {
        let params = match Params::parse(content_type.as_deref(), query.as_deref(), &body) {
            Ok(params) => params,
            Err(Unreadable(reason)) => {
                prop_assert!(REASONS.contains(&reason), "{reason}");
                return Ok(());
            }
        };
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        if let Some(text) = params.text(&names) {
            prop_assert!(!text.is_empty());
        }
        let _ = params.flag(&names);
        prop_assert!(params.list(&names).iter().all(|item| !item.is_empty()));
        if let Some(inner) = params.object(&names) {
            let _ = (inner.text(&names), user_id(&inner));
        }
        for inner in params.objects(&["users", "jsonStr"]).into_iter().flatten() {
            let _ = (inner.text(&names), inner.flag(&names), user_id(&inner));
        }
        if let Some(id) = user_id(&params) {
            prop_assert!(id > 0);
        }
        let _ = sys_id(&params);
    }

    #[test]
    fn fuzz_yonyou_user_ids_read_back_as_written(id in 1..=i64::MAX, text in "\\PC{0,24}|[ 0-9+\\-]{0,22}") {
        prop_assert_eq!(parse_user_id(&id.to_string()), Some(id));
        prop_assert_eq!(parse_user_id(&format!(" {id} ")), Some(id));
        if let Some(parsed) = parse_user_id(&text) {
            prop_assert!(parsed > 0);
            prop_assert_eq!(parse_user_id(&parsed.to_string()), Some(parsed));
        }
    }
}
