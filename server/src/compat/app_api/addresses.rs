//! Image addresses the app sends (`portrait`, `picture`), resolved to what
//! this server stores. Nothing is ever fetched: an address only *names* an
//! image already uploaded here, so no address can make the server request
//! another host (server-side request forgery), and anything else is
//! refused.
//!
//! Accepted forms:
//! - a path: `/media/avatars/{hash}-{size}.png` (an avatar, as `avatar_url`
//!   gives it) or `/api/v1/me/documents/{id}` (a document, the owner's own
//!   read address of `POST /api/v1/me/documents`);
//! - the same path behind `http(s)://` + this server's host (the request's
//!   `Host`), or behind `UC_COMPAT_APP_API_MEDIA_BASE`.
//!
//! A query or fragment is ignored. Other hosts, other schemes,
//! protocol-relative `//host/…`, user-info, backslashes, `..` and control
//! characters are refused.

/// The path an address names on this server, if it names one.
pub(super) fn local_path<'a>(
    address: &'a str,
    request_host: Option<&str>,
    media_base: &str,
) -> Option<&'a str> {
    let address = address.trim();
    if address.chars().any(|c| c.is_control() || c == '\\') {
        return None;
    }
    let address = address.split(['?', '#']).next().unwrap_or_default();
    let path = if let Some(rest) = (!media_base.is_empty())
        .then(|| address.strip_prefix(media_base))
        .flatten()
    {
        rest
    } else if address.starts_with('/') {
        address
    } else {
        let rest = address
            .strip_prefix("http://")
            .or_else(|| address.strip_prefix("https://"))?;
        let (authority, path) = rest.split_at(rest.find('/')?);
        let host = request_host?;
        if authority.contains('@') || !authority.eq_ignore_ascii_case(host) {
            return None;
        }
        path
    };
    let safe = path.starts_with('/') && !path.starts_with("//") && !path.contains("..");
    safe.then_some(path)
}

/// The hash of an avatar path `/media/avatars/{hash}-{size}.png`.
pub(super) fn avatar_hash(path: &str) -> Option<&str> {
    let file = path.strip_prefix("/media/avatars/")?;
    shared::media::parse_avatar_file_name(file).map(|(hash, _)| hash)
}

/// The id of a document path `/api/v1/me/documents/{id}`.
pub(super) fn document_id(path: &str) -> Option<i64> {
    let id = path.strip_prefix("/api/v1/me/documents/")?;
    let id = id.strip_suffix('/').unwrap_or(id);
    if id.is_empty() || id.len() > 18 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    id.parse().ok().filter(|&n: &i64| n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_servers_paths_are_names() {
        let hash = "ab".repeat(32);
        let avatar = format!("/media/avatars/{hash}-256.png");
        let host = Some("uc.test");
        let base = "https://cdn.example.com/uc";
        let ok = [
            avatar.clone(),
            format!("{avatar}?v=2"),
            format!("http://uc.test{avatar}"),
            format!("https://UC.test{avatar}#x"),
            format!("{base}{avatar}"),
        ];
        for address in &ok {
            let path = local_path(address, host, base).unwrap_or_else(|| panic!("{address}"));
            assert_eq!(avatar_hash(path), Some(hash.as_str()), "{address}");
        }
        let refused = [
            format!("https://evil.example{avatar}"),
            format!("https://uc.test@evil.example{avatar}"),
            format!("https://evil.example@uc.test{avatar}"),
            format!("//uc.test{avatar}"),
            format!("ftp://uc.test{avatar}"),
            format!("file://{avatar}"),
            format!("/media/avatars/../{hash}-256.png"),
            format!("\\media\\avatars\\{hash}-256.png"),
            format!("/media/avatars/\n{hash}-256.png"),
            format!("{avatar}\u{0}"),
            "https://uc.test".into(),
            "http://169.254.169.254/latest/meta-data/".into(),
            "uc.test/media/avatars/x.png".into(),
            String::new(),
        ];
        for address in &refused {
            let named = local_path(address, host, base).and_then(avatar_hash);
            assert_eq!(named, None, "{address}");
        }
        // Without a Host, only paths and the media base.
        assert!(local_path(&format!("http://uc.test{avatar}"), None, "").is_none());
        assert!(local_path(&avatar, None, "").is_some());
    }

    #[test]
    fn avatar_and_document_paths() {
        let hash = "0f".repeat(32);
        assert_eq!(
            avatar_hash(&format!("/media/avatars/{hash}-64.png")),
            Some(hash.as_str())
        );
        for bad in [
            format!("/media/avatars/{hash}-128.png"),
            format!("/media/avatars/{hash}.png"),
            format!("/media/{hash}-64.png"),
            "/api/v1/me/documents/3".into(),
        ] {
            assert_eq!(avatar_hash(&bad), None, "{bad}");
        }
        assert_eq!(document_id("/api/v1/me/documents/42"), Some(42));
        assert_eq!(document_id("/api/v1/me/documents/42/"), Some(42));
        for bad in [
            "/api/v1/me/documents/",
            "/api/v1/me/documents/0",
            "/api/v1/me/documents/-1",
            "/api/v1/me/documents/4x",
            "/api/v1/me/documents/99999999999999999999",
            "/api/v1/admin/documents/4",
            "/media/avatars/4",
        ] {
            assert_eq!(document_id(bad), None, "{bad}");
        }
    }
}
