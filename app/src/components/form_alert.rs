//! The form-level error box, announced to screen readers when it appears.

use leptos::prelude::*;

#[component]
pub fn FormAlert(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <div class="form-alert-region" aria-live="assertive">
            {move || message.get().map(|m| view! { <p class="form-alert" role="alert">{m}</p> })}
        </div>
    }
}
