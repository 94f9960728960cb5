//! Decoder fuzzing of app_api's request reading: [`Params`] from any path,
//! body, content type and query (never a failure: what cannot be read
//! counts as missing), and the addresses the app sends back (avatar and
//! document paths), which must name this server's own paths or nothing.

use super::addresses::{avatar_hash, document_id, local_path};
use super::params::Params;
use crate::compat::fuzz::{body, config, content_type, name, query};
use proptest::prelude::*;

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_app_api_any_request_gives_non_blank_fields(
        rest in prop::option::of(prop_oneof!["\\PC{0,40}", "([a-zA-Z]{1,6}/[^/]{0,8}/){0,3}"]),
        body in body(), content_type in content_type(), query in query(),
        names in prop::collection::vec(name(), 1..4),
    ) {
        let params = Params::parse(rest.as_deref(), &body, content_type.as_deref(), query.as_deref());
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        for name in &names {
            if let Some(value) = params.get(name) {
                prop_assert!(!value.trim().is_empty());
            }
        }
        prop_assert_eq!(params.any_of(&names), names.iter().find_map(|n| params.get(n)));
    }

    #[test]
    fn fuzz_app_api_fields_read_back_from_the_path_and_a_json_body(
        path in prop::collection::btree_map("[a-z]{1,8}", "[a-zA-Z0-9_.\\-]{1,12}", 0..4),
        json in prop::collection::btree_map("[A-Z]{1,8}", "\\PC{0,12}", 0..4),
    ) {
        let rest: String = path.iter().map(|(k, v)| format!("{k}/{v}/")).collect();
        let body = serde_json::to_vec(&json).unwrap();
        let params = Params::parse(Some(&rest), &body, Some("application/json"), None);
        for (key, value) in &path {
            prop_assert_eq!(params.get(key), Some(value.as_str()));
        }
        for (key, value) in &json {
            // A lower-case path name of the same letters comes first.
            if !path.contains_key(&key.to_ascii_lowercase()) {
                let expected = Some(value.as_str()).filter(|v| !v.trim().is_empty());
                prop_assert_eq!(params.get(key), expected);
            }
        }
    }

    #[test]
    fn fuzz_app_api_addresses_name_local_paths_or_nothing(
        address in prop_oneof![
            "\\PC{0,40}",
            any::<String>(),
            "(https?://[a-z.@:]{0,12})?/(media/avatars/[0-9a-f]{0,64}-[0-9]{1,3}\\.png|api/v1/me/documents/[0-9]{0,20}/?)[?#]?\\PC{0,8}",
        ],
        host in prop::option::of("[a-z.:]{0,12}"),
        media_base in prop_oneof![Just(String::new()), "https?://[a-z.]{1,10}"],
    ) {
        if let Some(path) = local_path(&address, host.as_deref(), &media_base) {
            prop_assert!(path.starts_with('/') && !path.starts_with("//") && !path.contains(".."));
            prop_assert!(!path.contains(['?', '#', '\\']) && !path.chars().any(char::is_control));
            if let Some(hash) = avatar_hash(path) {
                prop_assert!(shared::media::is_avatar_hash(hash));
            }
            if let Some(id) = document_id(path) {
                prop_assert!(id > 0);
            }
        }
    }
}
