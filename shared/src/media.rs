//! Avatars and verification documents: the limits both sides check, the
//! avatar URLs, and the default avatar.
//!
//! The default avatar is drawn from the user's id and name alone, here, so
//! the server-rendered page, the hydrated page and any API client that
//! follows the same rule show the same picture without storing a file.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Largest upload accepted, in bytes (5 MiB). The browser checks it before
/// sending; the server refuses more with `IMAGE_TOO_LARGE`.
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;
/// Largest width and height an upload's header may claim. Checked before
/// any pixel is decoded, so a tiny file cannot expand into gigabytes.
pub const MAX_IMAGE_SIDE: u32 = 4096;
/// The square avatar sizes stored for each upload, largest first.
pub const AVATAR_SIZES: [u32; 2] = [256, 64];
/// Documents are scaled down to at most this many pixels on the longest
/// side: enough to read an ID card, small enough to store.
pub const DOCUMENT_MAX_SIDE: u32 = 1600;
/// The content types the avatar and document uploads accept.
pub const ACCEPTED_IMAGE_TYPES: &str = "image/jpeg,image/png,image/webp,image/gif";

/// The public URL of an uploaded avatar at one of [`AVATAR_SIZES`].
pub fn avatar_url(hash: &str, size: u32) -> String {
    format!("/media/avatars/{hash}-{size}.png")
}

/// Whether `s` looks like an avatar hash: 64 lower-case hex digits. Keeps
/// anything else (`..`, slashes) out of file paths.
pub fn is_avatar_hash(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Splits an avatar file name `{hash}-{size}.png` into its hash and size;
/// `None` for anything that is not exactly that with a known size.
pub fn parse_avatar_file_name(name: &str) -> Option<(&str, u32)> {
    let stem = name.strip_suffix(".png")?;
    let (hash, size) = stem.split_once('-')?;
    let size: u32 = size.parse().ok()?;
    (is_avatar_hash(hash)
        && AVATAR_SIZES.contains(&size)
        && size.to_string().len() == stem.len() - 65)
        .then_some((hash, size))
}

/// What a verification document shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// The side of a resident ID card with the photo.
    IdFront,
    IdBack,
    /// A licence or certificate for the qualification review.
    Qualification,
}

impl DocumentKind {
    pub const ALL: &'static [DocumentKind] = &[
        DocumentKind::IdFront,
        DocumentKind::IdBack,
        DocumentKind::Qualification,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::IdFront => "id_front",
            DocumentKind::IdBack => "id_back",
            DocumentKind::Qualification => "qualification",
        }
    }

    pub fn parse(s: &str) -> Option<DocumentKind> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An uploaded document as its owner (or staff) sees it; the image itself
/// is fetched separately through an authorised route.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentInfo {
    pub id: i64,
    pub kind: DocumentKind,
    /// The submission it is attached to, once one references it.
    #[serde(default)]
    pub verification_id: Option<i64>,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// `POST /api/v1/me/documents?kind=…`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DocumentUploadQuery {
    pub kind: DocumentKind,
}

/// Background colours of default avatars; each keeps white text above the
/// WCAG AA contrast ratio (4.5:1).
const AVATAR_COLOURS: [&str; 12] = [
    "#1d4ed8", "#047857", "#b91c1c", "#6d28d9", "#c2410c", "#0e7490", "#be185d", "#4338ca",
    "#15803d", "#a16207", "#334155", "#9333ea",
];

/// The default avatar's background: a fixed function of the user id, so it
/// never changes when the name does.
pub fn avatar_colour(user_id: i64) -> &'static str {
    // SplitMix64's finaliser spreads consecutive ids over the palette.
    let mut z = (user_id as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    AVATAR_COLOURS[(z % AVATAR_COLOURS.len() as u64) as usize]
}

/// Up to two letters for the default avatar: the first letters of the first
/// two words of a Latin name (`Ada Lovelace` → `AL`, `ada.lovelace` → `AL`),
/// else the first character (`小明` → `小`), upper-cased; `?` when empty.
pub fn initials(name: &str) -> String {
    let words: Vec<&str> = name
        .split(|c: char| c.is_whitespace() || matches!(c, '.' | '_' | '-' | '@' | '+'))
        .filter(|w| !w.is_empty())
        .collect();
    let first_char = |w: &str| w.chars().next();
    match (words.first().copied(), words.get(1).copied()) {
        (Some(a), Some(b))
            if first_char(a).is_some_and(|c| c.is_ascii_alphabetic())
                && first_char(b).is_some_and(|c| c.is_ascii_alphabetic()) =>
        {
            [a, b]
                .iter()
                .filter_map(|w| first_char(w))
                .flat_map(char::to_uppercase)
                .collect()
        }
        (Some(a), _) => first_char(a)
            .map(|c| c.to_uppercase().collect())
            .unwrap_or_default(),
        _ => "?".to_string(),
    }
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The default avatar: the name's initials in white on [`avatar_colour`].
pub fn default_avatar_svg(user_id: i64, name: &str) -> String {
    let letters = initials(name);
    let font_size = if letters.chars().count() > 1 { 26 } else { 30 };
    format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">"#,
            r#"<rect width="64" height="64" fill="{}"/>"#,
            r##"<text x="32" y="32" dy="0.35em" text-anchor="middle" fill="#ffffff" "##,
            r#"font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="{}" font-weight="600">{}</text>"#,
            "</svg>"
        ),
        avatar_colour(user_id),
        font_size,
        xml_escape(&letters)
    )
}

/// [`default_avatar_svg`] as a `data:` URL for an `<img src>`, so the
/// default and an uploaded avatar are the same element.
pub fn default_avatar_data_url(user_id: i64, name: &str) -> String {
    let svg = default_avatar_svg(user_id, name);
    let mut out = String::from("data:image/svg+xml,");
    for b in svg.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*()/:=,;' ".contains(&b) {
            if b == b' ' {
                out.push_str("%20");
            } else {
                out.push(b as char);
            }
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_follow_the_name() {
        assert_eq!(initials("Ada Lovelace"), "AL");
        assert_eq!(initials("ada.lovelace"), "AL");
        assert_eq!(initials("bob"), "B");
        assert_eq!(initials("小明"), "小");
        assert_eq!(initials("138****8000"), "1");
        assert_eq!(initials(""), "?");
        assert_eq!(initials("  "), "?");
    }

    #[test]
    fn colours_are_stable_and_spread() {
        assert_eq!(avatar_colour(7), avatar_colour(7));
        let distinct: std::collections::HashSet<_> = (1..=24).map(avatar_colour).collect();
        assert!(distinct.len() >= 6, "{distinct:?}");
    }

    #[test]
    fn default_avatar_escapes_and_encodes() {
        let svg = default_avatar_svg(1, "<b");
        assert!(svg.contains("&lt;"), "{svg}");
        assert!(!svg.contains("<b"), "{svg}");
        let url = default_avatar_data_url(1, "Ada Lovelace");
        assert!(url.starts_with("data:image/svg+xml,%3Csvg"), "{url}");
        assert!(!url.contains('#') && !url.contains('<') && !url.contains('"'));
        assert!(url.contains(">AL<") || url.contains("%3EAL%3C"), "{url}");
    }

    #[test]
    fn avatar_file_names_are_strict() {
        let hash = "ab".repeat(32);
        assert_eq!(
            parse_avatar_file_name(&format!("{hash}-256.png")),
            Some((hash.as_str(), 256))
        );
        assert_eq!(
            parse_avatar_file_name(&format!("{hash}-64.png")),
            Some((hash.as_str(), 64))
        );
        assert_eq!(parse_avatar_file_name(&format!("{hash}-128.png")), None);
        assert_eq!(parse_avatar_file_name(&format!("{hash}-064.png")), None);
        assert_eq!(parse_avatar_file_name(&format!("{hash}-256.jpg")), None);
        assert_eq!(parse_avatar_file_name("../etc-256.png"), None);
        assert_eq!(
            parse_avatar_file_name(&format!("{}-256.png", "AB".repeat(32))),
            None
        );
        assert_eq!(
            avatar_url(&hash, 64),
            format!("/media/avatars/{hash}-64.png")
        );
    }

    #[test]
    fn document_kinds_round_trip() {
        for k in DocumentKind::ALL {
            assert_eq!(DocumentKind::parse(k.as_str()), Some(*k));
        }
    }
}
