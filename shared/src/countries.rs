//! The country picker's options: every assigned ISO 3166-1 country, named
//! and sorted as CLDR does in the page's language ("Côte d’Ivoire",
//! "科特迪瓦"), from ICU4X's compiled CLDR data.
//!
//! Server only (feature `server`): the browser gets the options rendered
//! (and, after a language switch, fetched) from the server, so neither the
//! country table nor the names are in its WASM.

use icu_collator::options::CollatorOptions;
use icu_collator::Collator;
use icu_experimental::displaynames::multi::RegionDisplayNames;
use icu_experimental::displaynames::DisplayNamesOptions;
use icu_locale_core::subtags::Region;
use icu_locale_core::Locale;
use std::sync::OnceLock;

/// A country as the picker offers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountryName {
    /// The ISO 3166-1 alpha-2 code, upper-case (what is stored).
    pub code: &'static str,
    /// The country's name in the requested language.
    pub name: String,
}

/// The languages the names come in: Chinese for `zh`, `zh-CN`, `zh-Hans…`,
/// English otherwise.
fn is_chinese(lang: &str) -> bool {
    lang == "zh" || lang.starts_with("zh-") || lang.starts_with("zh_")
}

/// Every assigned country with its CLDR name in `lang` (the page's
/// language tag), sorted by that name the way the language sorts (pinyin
/// for Chinese). Computed once per language.
pub fn country_names(lang: &str) -> &'static [CountryName] {
    static EN: OnceLock<Vec<CountryName>> = OnceLock::new();
    static ZH: OnceLock<Vec<CountryName>> = OnceLock::new();
    if is_chinese(lang) {
        ZH.get_or_init(|| build("zh"))
    } else {
        EN.get_or_init(|| build("en"))
    }
}

/// The name of one country in `lang`, if `code` is an assigned one.
pub fn country_name(code: &str, lang: &str) -> Option<&'static str> {
    country_names(lang)
        .iter()
        .find(|c| c.code.eq_ignore_ascii_case(code))
        .map(|c| c.name.as_str())
}

fn build(tag: &str) -> Vec<CountryName> {
    let locale: Locale = tag.parse().expect("a valid locale tag");
    let names = RegionDisplayNames::try_new(locale.clone().into(), DisplayNamesOptions::default())
        .expect("compiled CLDR region names");
    let collator = Collator::try_new(locale.into(), CollatorOptions::default())
        .expect("compiled CLDR collation");
    let mut all: Vec<CountryName> = celes::Country::get_countries()
        .iter()
        .map(|c| {
            let cldr = c
                .alpha2
                .parse::<Region>()
                .ok()
                .and_then(|r| names.of(r))
                .map(str::to_string);
            CountryName {
                code: c.alpha2,
                // CLDR names every assigned code; the crate's own (English)
                // name is only a fallback.
                name: cldr.unwrap_or_else(|| c.long_name.to_string()),
            }
        })
        .collect();
    all.sort_by(|a, b| collator.compare(&a.name, &b.name));
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_cldr_in_both_languages() {
        assert_eq!(country_name("CI", "en"), Some("Côte d’Ivoire"));
        assert_eq!(country_name("AX", "en"), Some("Åland Islands"));
        assert_eq!(country_name("VE", "en"), Some("Venezuela"));
        assert_eq!(country_name("cn", "en"), Some("China"));
        assert_eq!(country_name("CN", "zh-CN"), Some("中国"));
        assert_eq!(country_name("CI", "zh-CN"), Some("科特迪瓦"));
        assert_eq!(country_name("ZZ", "en"), None);
    }

    #[test]
    fn every_assigned_country_is_listed_once_and_sorted_by_language() {
        for lang in ["en", "zh-CN"] {
            let all = country_names(lang);
            assert_eq!(all.len(), celes::Country::get_countries().len(), "{lang}");
            let mut codes: Vec<_> = all.iter().map(|c| c.code).collect();
            codes.sort_unstable();
            codes.dedup();
            assert_eq!(codes.len(), all.len(), "{lang}");
            assert!(all.iter().all(|c| !c.name.is_empty()));
        }
        // Collation, not code points: Åland sorts with the A's in English,
        // and Chinese sorts by pinyin (阿富汗 Afghanistan before 中国).
        let en: Vec<_> = country_names("en").iter().map(|c| c.code).collect();
        let pos = |list: &[&str], code| list.iter().position(|c| *c == code).unwrap();
        assert!(pos(&en, "AX") < pos(&en, "BE"));
        let zh: Vec<_> = country_names("zh").iter().map(|c| c.code).collect();
        assert!(pos(&zh, "AF") < pos(&zh, "CN"));
        assert!(pos(&zh, "DE") < pos(&zh, "CN"));
    }
}
