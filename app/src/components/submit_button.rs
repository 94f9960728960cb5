//! A submit button that cannot send its form twice.

use leptos::prelude::*;

/// Disabled and relabelled (e.g. "Signing in…") while its action runs;
/// `aria-busy` tells screen readers the same.
#[component]
pub fn SubmitButton(
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] label: Signal<&'static str>,
    #[prop(into)] pending_label: Signal<&'static str>,
    #[prop(default = "btn btn-primary btn-block")] class: &'static str,
) -> impl IntoView {
    view! {
        <button
            type="submit"
            class=class
            disabled=move || pending.get()
            aria-busy=move || if pending.get() { "true" } else { "false" }
        >
            {move || if pending.get() { pending_label.get() } else { label.get() }}
        </button>
    }
}
