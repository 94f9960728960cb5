//! A labelled text input with its hint and error, wired for screen readers.

use leptos::prelude::*;

/// One form field: a visible `<label>` tied to the input, an optional hint and
/// an error message referenced by `aria-describedby`, with `aria-invalid` set
/// while the error shows.
#[component]
pub fn TextField(
    /// Element id; also used to derive the hint and error ids.
    id: &'static str,
    /// Form field name, which must match the server function argument.
    name: &'static str,
    #[prop(into)] label: Signal<&'static str>,
    value: RwSignal<String>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional, into)] hint: Option<Signal<&'static str>>,
    #[prop(optional, into)] optional_text: Option<Signal<&'static str>>,
    #[prop(into)] error: Signal<Option<&'static str>>,
    /// Called when the input loses focus (to start showing its errors).
    #[prop(optional)]
    on_blur: Option<Callback<()>>,
    #[prop(optional)] inputmode: Option<&'static str>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = {
        let hint_id = hint_id.clone();
        let error_id = error_id.clone();
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <label for=id>
                {move || label.get()}
                {optional_text.map(|t| view! { <span class="optional">" (" {move || t.get()} ")"</span> })}
            </label>
            <input
                id=id
                name=name
                type=input_type
                autocomplete=autocomplete
                inputmode=inputmode
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                on:blur=move |_| {
                    if let Some(cb) = on_blur {
                        cb.run(());
                    }
                }
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described_by
            />
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{move || h.get()}</p> })}
            <p class="field-error" id=error_id aria-live="polite">{move || error.get()}</p>
        </div>
    }
}
