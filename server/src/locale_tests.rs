//! The UI's message catalogues (app/locales) are flat JSON objects, one key
//! a line. A key written twice silently loses one of its texts (a "Verify"
//! button once read "Verify your email or phone"), so duplicates fail here,
//! as do keys missing from one language.

use std::collections::BTreeSet;

const CATALOGUES: [(&str, &str); 2] = [
    ("en", include_str!("../../app/locales/en.json")),
    ("zh-CN", include_str!("../../app/locales/zh-CN.json")),
];

/// The keys of a catalogue in file order, duplicates kept.
fn keys(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|line| line.trim_start().strip_prefix('"')?.split_once("\":"))
        .map(|(key, _)| key)
        .collect()
}

#[test]
fn no_catalogue_repeats_a_key_and_both_have_the_same_keys() {
    let mut sets = Vec::new();
    for (lang, text) in CATALOGUES {
        let all = keys(text);
        let parsed: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(text).expect("valid JSON");
        assert_eq!(all.len(), parsed.len(), "{lang}: a key is written twice");
        sets.push(all.into_iter().collect::<BTreeSet<_>>());
    }
    let (en, zh) = (&sets[0], &sets[1]);
    assert_eq!(
        en.symmetric_difference(zh).collect::<Vec<_>>(),
        Vec::<&&str>::new(),
        "keys in one language only"
    );
}
