//! The language of the request being served, for the notices it causes.
//!
//! A notice follows the user's stored language, else the language of the
//! request that caused it. That request may be deep below the handler (a
//! sign-in, a PIN change, a transfer), and threading a language through
//! every such call would change dozens of signatures for one fallback; so
//! the web edge wraps each request in [`scope`] and the notices read
//! [`current`]. Outside a request (the command line, background tasks)
//! there is none, and notices fall back to English.

use crate::delivery::Lang;
use std::future::Future;

tokio::task_local! {
    static REQUEST_LANG: Lang;
}

/// Runs `fut` (a request's handling) with `lang` as the request's language.
pub async fn scope<F: Future>(lang: Lang, fut: F) -> F::Output {
    REQUEST_LANG.scope(lang, fut).await
}

/// The language of the request being served, if any.
pub fn current() -> Option<Lang> {
    REQUEST_LANG.try_with(|lang| *lang).ok()
}
