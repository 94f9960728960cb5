//! The guarded web edge: everything between an HTTP request and the domain
//! that the REST API and the UI's server functions share.
//!
//! - [`guard`]: the middleware on every route. It finds the real client
//!   behind trusted proxies, refuses cross-origin state changes
//!   ([`origin_check`], `403 CSRF_REJECTED`) and sets the security headers
//!   ([`page_headers`]: CSP with a per-response nonce, no framing, …).
//! - [`Caller`]: the one extractor for who is calling (token and whether it
//!   came as Bearer or cookie, IP, user agent, device id, language), with
//!   [`Authed`] / [`MaybeAuthed`] for a checked token, [`Staff`] for staff
//!   checked before the body is read, and [`SignedCall`]
//!   for the signed service API.
//! - [`SessionCookies`]: the session cookies' names and attributes.
//! - [`ApiError`], [`ApiJson`], [`ApiPath`], [`ApiQuery`]: errors as JSON with the status
//!   their code implies.
//!
//! Leptos-free, so the server's REST layer does not depend on the UI crate
//! for any of it.

pub mod caller;
pub mod client_addr;
pub mod cookies;
pub mod error;
pub mod guard;
pub mod origin_check;
pub mod page_headers;
pub mod service_call;
pub mod settings;

pub use caller::{Authed, Caller, MaybeAuthed, Staff, TokenSource};
pub use cookies::SessionCookies;
pub use error::{ApiError, ApiJson, ApiPath, ApiQuery};
pub use guard::{guard, RequestFacts};
pub use page_headers::CspNonce;
pub use service_call::SignedCall;
pub use settings::EdgeSettings;
