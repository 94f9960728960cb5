//! Cross-origin request forgery protection: a state-changing request that a
//! browser could have sent from someone else's page is refused.
//!
//! `SameSite=Lax` cookies still travel with a form posted from another
//! origin of the same site (another port, a sibling subdomain), so the
//! server checks where each unsafe request comes from:
//!
//! - Safe methods (GET, HEAD, OPTIONS) change nothing and pass.
//! - The signed service API (`/api/v1/service/…`) passes: it authenticates
//!   by signature only and never looks at cookies.
//! - A request with `Authorization: Bearer` and no session cookie passes: a
//!   browser never adds that header on its own, so it has no ambient
//!   credential to abuse.
//! - Anything else must name the site's own origin in `Origin` or, when a
//!   browser leaves `Origin` out, in `Referer`. This covers the cookie-
//!   authenticated calls and, with no cookie at all, sign-in, sign-up, code
//!   sign-in, password reset and code sending (login CSRF: signing the
//!   victim's browser into the attacker's account).
//! - With neither header: refused when a session cookie is present (a
//!   browser could have sent it), accepted without one (a server or app
//!   calling the API, which browsers never are for a cross-origin POST:
//!   they always send `Origin` there).

use http::header::{AUTHORIZATION, ORIGIN, REFERER};
use http::{HeaderMap, Method};

/// Why a request was refused; the text goes into the error's message.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal(pub String);

/// Checks one request. `site_origin` is the site's own origin
/// (`scheme://host[:port]`), or `None` when the server cannot tell;
/// `has_cookie` says whether it carries a session cookie
/// ([`SessionCookies::present_in`](crate::cookies::SessionCookies::present_in)).
pub fn check(
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    site_origin: Option<&str>,
    has_cookie: bool,
) -> Result<(), Refusal> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    if path.starts_with("/api/v1/service/") {
        return Ok(());
    }
    if !has_cookie && has_bearer(headers) {
        return Ok(());
    }
    let (claimed, header) = match header(headers, ORIGIN.as_str()) {
        Some(origin) => (origin_of(origin), "Origin"),
        None => match header(headers, REFERER.as_str()) {
            Some(referer) => (origin_of(referer), "Referer"),
            None if has_cookie => {
                return Err(Refusal(
                    "The request carries this site's session cookie but neither an Origin \
                     nor a Referer header, so the server cannot tell that it came from this \
                     site's own pages. API clients should send Authorization: Bearer instead \
                     of cookies."
                        .into(),
                ))
            }
            None => return Ok(()),
        },
    };
    match (claimed, site_origin) {
        (Some(claimed), Some(site)) if claimed == site => Ok(()),
        (claimed, site) => Err(Refusal(format!(
            "The request came from {} (its {header} header), not from this site ({}).",
            claimed.as_deref().unwrap_or("an opaque origin"),
            site.unwrap_or("unknown: the request has no Host"),
        ))),
    }
}

fn has_bearer(headers: &HeaderMap) -> bool {
    header(headers, AUTHORIZATION.as_str()).is_some_and(|v| {
        v.get(..7)
            .is_some_and(|p| p.eq_ignore_ascii_case("bearer "))
    })
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The serialised origin of an `Origin` value or a `Referer` URL; `None`
/// for `null` and anything unparsable (an opaque origin matches nothing).
fn origin_of(value: &str) -> Option<String> {
    let url = url::Url::parse(value).ok()?;
    let origin = url.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

/// The site's origin when `UC_PUBLIC_URL` is not set: the request's own
/// `Host` (or HTTP/2 `:authority`), with the scheme the deployment (or a
/// trusted proxy) says.
pub fn site_origin_from_host(request: &http::request::Parts, https: bool) -> Option<String> {
    let host = header(&request.headers, http::header::HOST.as_str())
        .or_else(|| request.uri.authority().map(|a| a.as_str()))?;
    let scheme = if https { "https" } else { "http" };
    origin_of(&format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cookies::SessionCookies;
    use http::HeaderValue;

    const SITE: &str = "http://127.0.0.1:3000";
    const PLAIN: SessionCookies = SessionCookies { secure: false };

    fn req(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    /// The guard's call: the cookie is looked for once, then judged.
    fn judge(m: &Method, path: &str, h: &HeaderMap, site: Option<&str>) -> Result<(), Refusal> {
        check(m, path, h, site, PLAIN.present_in(h))
    }

    fn post(pairs: &[(&'static str, &'static str)]) -> Result<(), Refusal> {
        judge(&Method::POST, "/api/fn/login", &req(pairs), Some(SITE))
    }

    const COOKIE: (&str, &str) = ("cookie", "uc_token=abc");

    #[test]
    fn same_origin_passes() {
        assert_eq!(post(&[COOKIE, ("origin", "http://127.0.0.1:3000")]), Ok(()));
        assert_eq!(post(&[("origin", "http://127.0.0.1:3000")]), Ok(()));
    }

    #[test]
    fn another_port_is_refused() {
        assert!(post(&[COOKIE, ("origin", "http://127.0.0.1:4000")]).is_err());
        // Login CSRF: no cookie yet, but a foreign page posts the form.
        let refusal = post(&[("origin", "http://127.0.0.1:4000")]).unwrap_err();
        assert!(refusal.0.contains("http://127.0.0.1:4000"), "{}", refusal.0);
    }

    #[test]
    fn another_scheme_or_host_is_refused() {
        assert!(post(&[COOKIE, ("origin", "https://127.0.0.1:3000")]).is_err());
        assert!(post(&[COOKIE, ("origin", "http://evil.example")]).is_err());
        assert!(post(&[COOKIE, ("origin", "null")]).is_err());
    }

    #[test]
    fn without_origin_the_referer_decides() {
        assert_eq!(
            post(&[COOKIE, ("referer", "http://127.0.0.1:3000/wallet?x=1")]),
            Ok(())
        );
        assert!(post(&[COOKIE, ("referer", "http://127.0.0.1:4000/attack")]).is_err());
        assert!(post(&[("referer", "http://127.0.0.1:4000/attack")]).is_err());
    }

    #[test]
    fn both_missing_is_refused_only_with_a_cookie() {
        let refusal = post(&[COOKIE]).unwrap_err();
        assert!(refusal.0.contains("Bearer"), "{}", refusal.0);
        // curl or a mobile app signing in: no ambient credential involved.
        assert_eq!(post(&[]), Ok(()));
    }

    #[test]
    fn bearer_without_cookie_is_exempt() {
        assert_eq!(
            post(&[
                ("authorization", "Bearer x.y.z"),
                ("origin", "https://partner.example")
            ]),
            Ok(())
        );
        // With the cookie as well, the cookie could be what authenticates.
        assert!(post(&[
            COOKIE,
            ("authorization", "Bearer x.y.z"),
            ("origin", "https://partner.example")
        ])
        .is_err());
    }

    #[test]
    fn safe_methods_and_signed_calls_pass() {
        let foreign = req(&[COOKIE, ("origin", "http://evil.example")]);
        for m in [Method::GET, Method::HEAD, Method::OPTIONS] {
            assert_eq!(judge(&m, "/wallet", &foreign, Some(SITE)), Ok(()));
        }
        assert_eq!(
            judge(
                &Method::POST,
                "/api/v1/service/wallet/transfer",
                &foreign,
                Some(SITE)
            ),
            Ok(())
        );
        for m in [Method::PUT, Method::DELETE, Method::PATCH] {
            assert!(judge(&m, "/api/v1/me/avatar", &foreign, Some(SITE)).is_err());
        }
    }

    #[test]
    fn an_unknown_site_origin_refuses_browsers() {
        let h = req(&[("origin", "http://127.0.0.1:3000")]);
        assert!(judge(&Method::POST, "/api/fn/login", &h, None).is_err());
    }

    #[test]
    fn the_site_origin_comes_from_host_and_scheme() {
        let parts = |uri: &str, host: Option<&str>| {
            let mut b = http::Request::builder().uri(uri);
            if let Some(host) = host {
                b = b.header("host", host);
            }
            b.body(()).unwrap().into_parts().0
        };
        assert_eq!(
            site_origin_from_host(&parts("/", Some("ID.example.com:443")), true).as_deref(),
            Some("https://id.example.com")
        );
        assert_eq!(
            site_origin_from_host(&parts("/", Some("127.0.0.1:3000")), false).as_deref(),
            Some("http://127.0.0.1:3000")
        );
        assert_eq!(
            site_origin_from_host(&parts("http://127.0.0.1:3000/x", None), false).as_deref(),
            Some("http://127.0.0.1:3000")
        );
        assert_eq!(site_origin_from_host(&parts("/", None), false), None);
    }
}
