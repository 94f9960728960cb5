//! Closing one's own account: permanent, confirmed with the password.

use crate::components::form_errors::{source, FormErrors};
use crate::components::submit_button::SubmitButton;
use crate::components::{field::TextField, form_alert::FormAlert};
use crate::i18n::*;
use crate::profile_api::CloseAccount;
use leptos::prelude::*;
use shared::Field;

#[component]
pub fn CloseAccountForm() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<CloseAccount>::new();
    let password = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let errors = FormErrors::latest(vec![source(action)]);
    let field_error = move |f: Field| errors.field(f, |_| None);
    view! {
        <p class="muted">{t!(i18n, close_lead)}</p>
        <ActionForm action=action attr:class="stack-form" attr:novalidate=true>
            <FormAlert message=errors.form(&[])/>
            <TextField
                id="close-password"
                name="password"
                input_type="password"
                autocomplete="current-password"
                label=Signal::derive(move || t_string!(i18n, field_confirm_password))
                value=password
                error=field_error(Field::Password)
            />
            <TextField
                id="close-reason"
                name="reason"
                label=Signal::derive(move || t_string!(i18n, field_close_reason))
                optional_text=Signal::derive(move || t_string!(i18n, optional))
                value=reason
                error=field_error(Field::Reason)
            />
            <label class="check">
                <input type="checkbox" name="erase" value="on"/>
                " " {t!(i18n, close_erase)}
            </label>
            <p class="hint">{t!(i18n, close_erase_hint)}</p>
            <SubmitButton
                pending=action.pending()
                label=Signal::derive(move || t_string!(i18n, close_submit))
                pending_label=Signal::derive(move || t_string!(i18n, close_pending))
                class="btn btn-danger"
            />
        </ActionForm>
    }
    .into_any()
}
