//! The session cookies: their names, attributes and how they are read.
//!
//! Over HTTPS both carry the `__Host-` prefix, which browsers accept only
//! with `Secure`, `Path=/` and no `Domain`: a sibling site on another
//! subdomain cannot plant its own session cookie on ours (cookie tossing,
//! a way to sign a victim into the attacker's account). The prefix needs
//! `Path=/`, so over HTTPS the refresh cookie is sent to the whole site;
//! over plain HTTP (development) it keeps the narrower [`REFRESH_PATH`].

use cookie::{Cookie, SameSite};
use http::header::COOKIE;
use http::HeaderMap;

/// Where the refresh cookie is sent over plain HTTP: the refresh and logout
/// server functions live here.
pub const REFRESH_PATH: &str = "/api/auth";

/// The cookie that remembers the language a visitor picked (leptos_i18n's).
pub const LANG_COOKIE: &str = "i18n_pref_locale";

/// The names and attributes of the two session cookies for one deployment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionCookies {
    pub secure: bool,
}

impl SessionCookies {
    /// The cookie with the access token (a JWT).
    pub fn access_name(self) -> &'static str {
        if self.secure {
            "__Host-uc_token"
        } else {
            "uc_token"
        }
    }

    /// The cookie with the opaque refresh token.
    pub fn refresh_name(self) -> &'static str {
        if self.secure {
            "__Host-uc_refresh"
        } else {
            "uc_refresh"
        }
    }

    fn refresh_path(self) -> &'static str {
        if self.secure {
            "/"
        } else {
            REFRESH_PATH
        }
    }

    /// The access token cookie, living `max_age_secs` (0 clears it).
    pub fn access(self, token: &str, max_age_secs: i64) -> Cookie<'static> {
        self.build(self.access_name(), "/", token, max_age_secs)
    }

    /// The refresh token cookie, living `max_age_secs` (0 clears it).
    pub fn refresh(self, token: &str, max_age_secs: i64) -> Cookie<'static> {
        self.build(
            self.refresh_name(),
            self.refresh_path(),
            token,
            max_age_secs,
        )
    }

    fn build(
        self,
        name: &'static str,
        path: &'static str,
        value: &str,
        max_age_secs: i64,
    ) -> Cookie<'static> {
        Cookie::build((name, value.to_string()))
            .path(path)
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .max_age(cookie::time::Duration::seconds(max_age_secs.max(0)))
            .build()
    }

    /// Whether the request carries a session cookie: an ambient credential
    /// the browser attaches to any request, wherever it was started.
    pub fn present_in(self, headers: &HeaderMap) -> bool {
        cookie_value(headers, self.access_name()).is_some()
            || cookie_value(headers, self.refresh_name()).is_some()
    }
}

/// A non-empty cookie's value.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn plain_http_cookies_are_http_only_and_same_site() {
        let c = SessionCookies { secure: false };
        let access = c.access("tok", 60).to_string();
        assert!(
            access.starts_with("uc_token=tok")
                && access.contains("HttpOnly")
                && access.contains("SameSite=Lax")
                && access.contains("Path=/")
                && !access.contains("Secure"),
            "{access}"
        );
        assert!(c.refresh("r", 60).to_string().contains("Path=/api/auth"));
    }

    #[test]
    fn https_cookies_carry_the_host_prefix() {
        let c = SessionCookies { secure: true };
        for cookie in [c.access("tok", 60), c.refresh("r", 60)] {
            let text = cookie.to_string();
            assert!(text.starts_with("__Host-"), "{text}");
            assert!(
                text.contains("Secure") && text.contains("Path=/;"),
                "{text}"
            );
            assert!(!text.contains("Domain"), "{text}");
        }
    }

    #[test]
    fn only_this_deployments_names_count() {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_static("a=b; uc_token=x; c=d"));
        assert!(SessionCookies { secure: false }.present_in(&h));
        // Over HTTPS an unprefixed cookie may have been planted by a sibling.
        assert!(!SessionCookies { secure: true }.present_in(&h));
        h.insert(COOKIE, HeaderValue::from_static("uc_token="));
        assert!(!SessionCookies { secure: false }.present_in(&h));
    }
}
