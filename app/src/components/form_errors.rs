//! The error plumbing every form shares: which of its requests answered last
//! (a form may send a code, then submit), and which message goes next to
//! which field or at the top of the form.

use crate::errors::{error_text, error_text_with_details};
use crate::i18n::*;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use shared::{AppError, Field};

/// A request's answer counter and its latest error.
pub type ErrorSource = (RwSignal<usize>, Signal<Option<AppError>>);

/// The parts of a server action a form's messages depend on.
pub fn source<S>(action: ServerAction<S>) -> ErrorSource
where
    S: ServerFn<Error = AppError> + Send + Sync + Clone + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    (
        action.version(),
        Signal::derive(move || action.value().get().and_then(Result::err)),
    )
}

/// The server error a form shows: that of whichever request answered last.
#[derive(Clone, Copy)]
pub struct FormErrors {
    server: Signal<Option<AppError>>,
}

impl FormErrors {
    /// `sources` in any order but the main submit last: before any answer,
    /// it is the one whose (absent) error counts.
    pub fn latest(sources: Vec<ErrorSource>) -> Self {
        let last = RwSignal::new(sources.len().saturating_sub(1));
        for (i, (version, _)) in sources.iter().enumerate() {
            let version = *version;
            Effect::new(move |_| {
                version.track();
                last.set(i);
            });
        }
        let errors: Vec<_> = sources.into_iter().map(|(_, e)| e).collect();
        let server = Signal::derive(move || errors.get(last.get()).and_then(|e| e.get()));
        FormErrors { server }
    }

    pub fn server(self) -> Signal<Option<AppError>> {
        self.server
    }

    /// The message next to `field`: the browser's own check first, then the
    /// server's answer about that field.
    pub fn field(
        self,
        field: Field,
        client: impl Fn(Field) -> Option<AppError> + Send + Sync + 'static,
    ) -> Signal<Option<&'static str>> {
        let i18n = use_i18n();
        let server = self.server;
        Signal::derive(move || {
            client(field)
                .or_else(|| server.get().filter(|e| e.field == Some(field)))
                .map(|e| error_text(i18n, &e))
        })
    }

    /// The message at the top of the form: server errors that belong to no
    /// field shown on it (`also` lists fields that have no input here), with
    /// attempts left or lock time where the error carries them.
    pub fn form(self, also: &'static [Field]) -> Signal<Option<String>> {
        let i18n = use_i18n();
        let server = self.server;
        Signal::derive(move || {
            server
                .get()
                .filter(|e| e.field.is_none_or(|f| also.contains(&f)))
                .map(|e| error_text_with_details(i18n, &e))
        })
    }
}
