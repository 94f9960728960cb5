//! Text search over accounts: the `LIKE` pattern every search binds.

/// `%text%` for `LIKE … ESCAPE '\'`, with the wildcards and the escape
/// character in `text` matching only themselves: a search for `a_b` must not
/// find `axb`, nor `%` every row.
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn wildcards_in_the_search_text_match_only_themselves() {
        assert_eq!(contains_pattern("ab"), "%ab%");
        assert_eq!(contains_pattern("a_b%c\\"), "%a\\_b\\%c\\\\%");
    }
}
