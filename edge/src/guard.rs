//! The middleware every request passes first: it settles who the client is
//! (behind trusted proxies), refuses cross-origin state changes, and puts
//! the security headers on the answer.

use crate::client_addr::{self, ClientAddr};
use crate::cookies::SessionCookies;
use crate::error::ApiError;
use crate::origin_check;
use crate::page_headers::{self, Answering, CspNonce};
use crate::settings::EdgeSettings;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::AUTHORIZATION;
use shared::{AppError, ErrorCode};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, OnceLock};

/// What the guard established about a request, for the handlers behind it
/// (through [`Caller`](crate::Caller)) and for pages (the CSP nonce).
#[derive(Clone, Debug)]
pub struct RequestFacts {
    pub client: ClientAddr,
    pub cookies: SessionCookies,
    /// Drawn on first use: only HTML answers need one, and most requests
    /// (API calls, files) are not pages. Clones share it, so the page that
    /// renders and the policy the guard sets agree.
    nonce: Arc<OnceLock<CspNonce>>,
}

impl RequestFacts {
    /// This response's CSP nonce.
    pub fn nonce(&self) -> &CspNonce {
        self.nonce.get_or_init(CspNonce::generate)
    }
}

/// The guard, for `axum::middleware::from_fn_with_state(settings, guard)`.
pub async fn guard(
    State(settings): State<Arc<EdgeSettings>>,
    req: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = req.into_parts();
    // The extractor, not the bare extension: it also honours axum's
    // `MockConnectInfo`, which tests drive the router with.
    let peer = ConnectInfo::<SocketAddr>::from_request_parts(&mut parts, &())
        .await
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    let client = client_addr::resolve(peer, &parts.headers, &settings);
    let cookies = SessionCookies {
        secure: settings.secure_cookies,
    };
    let site = settings.public_origin.clone().or_else(|| {
        let https = settings.secure_cookies || client.https == Some(true);
        origin_check::site_origin_from_host(&parts, https)
    });
    let has_session_cookie = cookies.present_in(&parts.headers);
    if let Err(refusal) = origin_check::check(
        &parts.method,
        parts.uri.path(),
        &parts.headers,
        site.as_deref(),
        has_session_cookie,
    ) {
        tracing::info!(
            method = %parts.method,
            path = parts.uri.path(),
            ip = %client.ip,
            "cross-origin request refused: {}",
            refusal.0
        );
        return ApiError(AppError::with_message(ErrorCode::CsrfRejected, refusal.0))
            .into_response();
    }
    let personal = has_session_cookie || parts.headers.contains_key(AUTHORIZATION);
    let api = parts.uri.path().starts_with("/api/");
    let facts = RequestFacts {
        client,
        cookies,
        nonce: Arc::default(),
    };
    parts.extensions.insert(facts.clone());
    // Notices the request causes (a PIN change, a new sign-in) are written
    // in its language when the user stored none.
    let lang = crate::caller::lang_of(&parts.headers);
    let mut res = domain::notifications::request_lang::scope(
        lang,
        next.run(Request::from_parts(parts, body)),
    )
    .await;
    page_headers::apply(
        res.headers_mut(),
        &Answering {
            nonce: &|| facts.nonce(),
            personal,
            api,
        },
        &settings,
    );
    res
}
