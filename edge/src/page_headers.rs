//! Response headers that make pages hard to abuse: a Content-Security-Policy
//! with a per-response nonce, no framing, no MIME sniffing, no referrer to
//! other sites, HSTS over HTTPS, no caching of personal answers, and pages
//! revalidated before each use.

use crate::settings::EdgeSettings;
use base64::Engine as _;
use http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY,
    STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use http::{HeaderMap, HeaderValue};
use rand::RngCore as _;

/// The nonce of one response: inline `<script>` and `<style>` elements
/// carrying it run; any other inline script (an injected one) does not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CspNonce(pub String);

impl CspNonce {
    /// 128 random bits, URL-safe base64.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        CspNonce(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }
}

/// The policy for an HTML page. What the app needs, and nothing more:
/// - scripts: its own module files (`/pkg/…`, loaded by the hydration
///   script) and inline scripts with this response's nonce (the hydration
///   bootstrap, streamed resources); `'wasm-unsafe-eval'` compiles the WASM;
/// - styles: the site's stylesheet, and inline `<style>` with the nonce
///   (the API docs page); no `style` attributes are used;
/// - images: the site's own (avatars), `data:` (captcha, default avatar)
///   and `blob:` (the local preview of an avatar before upload);
/// - connections: the site itself (server functions, uploads), plus the
///   live-reload websocket under `cargo leptos watch`;
/// - no plugins, no framing by anyone, no `<base>`, forms post only here.
pub fn content_security_policy(nonce: &CspNonce, settings: &EdgeSettings) -> String {
    let n = &nonce.0;
    let reload = settings
        .live_reload_port
        .map(|port| format!(" ws://*:{port} wss://*:{port}"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{n}' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{n}'; img-src 'self' data: blob:; font-src 'self'; \
         connect-src 'self'{reload}; object-src 'none'; frame-ancestors 'none'; \
         base-uri 'none'; form-action 'self'"
    )
}

/// What the guard knew about the request when the answer came back.
pub struct Answering<'a> {
    /// The response's nonce, drawn only if the answer is a page.
    pub nonce: &'a dyn Fn() -> &'a CspNonce,
    /// The request carried a session cookie or an `Authorization` header:
    /// the answer may be personal.
    pub personal: bool,
    /// `/api/…`: JSON answers, most of them about the caller.
    pub api: bool,
}

/// Adds the headers to a response, leaving alone any a handler chose
/// (an avatar's long-lived `Cache-Control`, a page's own policy).
pub fn apply(headers: &mut HeaderMap, ctx: &Answering<'_>, settings: &EdgeSettings) {
    let html = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let mut set_default = |name, value: HeaderValue| {
        headers.entry(name).or_insert(value);
    };
    set_default(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if settings.secure_cookies {
        set_default(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if html {
        if let Ok(csp) = HeaderValue::from_str(&content_security_policy((ctx.nonce)(), settings)) {
            set_default(CONTENT_SECURITY_POLICY, csp);
        }
        set_default(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        set_default(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    }
    if (html && ctx.personal) || ctx.api {
        set_default(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else if html {
        // A signed-out page may be kept (back and forward), but is asked
        // for again before each use: it names the current build's hashed
        // script and WASM, and carries a fresh nonce.
        set_default(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(content_type: &'static str, personal: bool, api: bool) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        let nonce = CspNonce("n0nce".into());
        apply(
            &mut h,
            &Answering {
                nonce: &|| &nonce,
                personal,
                api,
            },
            &EdgeSettings::default(),
        );
        h
    }

    #[test]
    fn pages_get_the_policy_with_their_nonce() {
        let h = answered("text/html; charset=utf-8", false, false);
        let csp = h[CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("script-src 'self' 'nonce-n0nce' 'wasm-unsafe-eval'"));
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("base-uri 'none'"));
        assert!(!csp.contains("unsafe-inline") && !csp.contains("ws://"));
        assert_eq!(h[X_FRAME_OPTIONS], "DENY");
        assert_eq!(h[X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(h[REFERRER_POLICY], "same-origin");
        assert_eq!(h[CACHE_CONTROL], "no-cache");
        assert!(h.get(STRICT_TRANSPORT_SECURITY).is_none());
    }

    #[test]
    fn personal_pages_and_api_answers_are_not_stored() {
        let h = answered("text/html", true, false);
        assert_eq!(h[CACHE_CONTROL], "no-store");
        let h = answered("application/json", false, true);
        assert_eq!(h[CACHE_CONTROL], "no-store");
        assert!(h.get(CONTENT_SECURITY_POLICY).is_none());
    }

    #[test]
    fn a_handlers_own_cache_policy_stands() {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, HeaderValue::from_static("image/png"));
        h.insert(
            CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
        let nonce = CspNonce::generate();
        apply(
            &mut h,
            &Answering {
                nonce: &|| &nonce,
                personal: true,
                api: true,
            },
            &EdgeSettings::default(),
        );
        assert_eq!(h[CACHE_CONTROL], "public, max-age=31536000, immutable");
    }

    #[test]
    fn https_adds_hsts_and_watch_allows_the_reload_socket() {
        let settings = EdgeSettings {
            secure_cookies: true,
            live_reload_port: Some(3001),
            ..EdgeSettings::default()
        };
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
        let nonce = CspNonce::generate();
        assert_eq!(nonce.0.len(), 22);
        apply(
            &mut h,
            &Answering {
                nonce: &|| &nonce,
                personal: false,
                api: false,
            },
            &settings,
        );
        assert_eq!(h[STRICT_TRANSPORT_SECURITY], "max-age=31536000");
        assert!(h[CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("connect-src 'self' ws://*:3001 wss://*:3001"));
    }
}
