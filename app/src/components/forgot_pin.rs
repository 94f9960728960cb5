//! "Forgot your PIN?" on `/wallet`: a `pay_password` code to one of the
//! user's own contacts, then a new PIN. It also lifts a payment lock. Folded
//! in a `<details>`, so it opens without JavaScript too.

use crate::api::current_user;
use crate::components::form_errors::{source, FormErrors};
use crate::components::send_code::SendCodeButton;
use crate::components::submit_button::SubmitButton;
use crate::components::{field::TextField, form_alert::FormAlert};
use crate::i18n::*;
use crate::verification_api::SendCode;
use crate::wallet_api::ResetPin;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use shared::Field;

#[component]
pub fn ForgotPinForm(
    /// Bumped after a reset: the page reloads the PIN state.
    changed: RwSignal<u32>,
    /// "Payment PIN saved.", owned by the page, which renders this anew.
    saved: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let user = Resource::new_blocking(|| (), |_| current_user());
    view! {
        <details class="forgot-pin">
            <summary>{t!(i18n, pin_forgot)}</summary>
            <p class="muted">{t!(i18n, pin_forgot_lead)}</p>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    let contacts: Vec<String> = match user.await {
                        Ok(Some(u)) => u.email.into_iter().chain(u.phone).collect(),
                        _ => Vec::new(),
                    };
                    view! { <ResetForm contacts=contacts changed=changed saved=saved/> }
                })}
            </Transition>
        </details>
    }
    .into_any()
}

#[component]
fn ResetForm(
    contacts: Vec<String>,
    changed: RwSignal<u32>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let send = ServerAction::<SendCode>::new();
    let action = ServerAction::<ResetPin>::new();
    let contact = RwSignal::new(contacts.first().cloned().unwrap_or_default());
    let code = RwSignal::new(String::new());
    let new_pin = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let errors = FormErrors::latest(vec![source(send), source(action)]);
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            saved.set(true);
            changed.update(|n| *n += 1);
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if action.pending().get_untracked() {
            return;
        }
        action.dispatch(ResetPin {
            contact: contact.get_untracked(),
            code: code.get_untracked(),
            new_pin: new_pin.get_untracked(),
            confirm_pin: confirm.get_untracked(),
        });
    };
    let no_error = Signal::derive(|| None);
    view! {
        <form method="post" action=ResetPin::url() on:submit=on_submit novalidate class="stack-form">
            <FormAlert message=errors.form(&[Field::Contact])/>
            <div class="field">
                <label for="forgot-pin-contact">{t!(i18n, pin_forgot_send_to)}</label>
                <select
                    id="forgot-pin-contact"
                    name="contact"
                    on:change=move |ev| contact.set(event_target_value(&ev))
                >
                    {contacts
                        .into_iter()
                        .map(|c| view! { <option value=c.clone()>{c.clone()}</option> })
                        .collect_view()}
                </select>
            </div>
            <SendCodeButton action=send contact=contact purpose="pay_password"/>
            <TextField
                id="forgot-pin-code"
                name="code"
                inputmode="numeric"
                autocomplete="one-time-code"
                label=Signal::derive(move || t_string!(i18n, field_code))
                value=code
                error=errors.field(Field::Code, |_| None)
            />
            <TextField
                id="forgot-pin-new"
                name="new_pin"
                input_type="password"
                inputmode="numeric"
                autocomplete="new-password"
                label=Signal::derive(move || t_string!(i18n, pin_forgot_new))
                hint=Signal::derive(move || t_string!(i18n, hint_pin))
                value=new_pin
                error=no_error
            />
            <TextField
                id="forgot-pin-confirm"
                name="confirm_pin"
                input_type="password"
                inputmode="numeric"
                autocomplete="new-password"
                label=Signal::derive(move || t_string!(i18n, pin_forgot_confirm))
                value=confirm
                error=no_error
            />
            <SubmitButton
                pending=action.pending()
                label=Signal::derive(move || t_string!(i18n, pin_forgot_submit))
                pending_label=Signal::derive(move || t_string!(i18n, wallet_saving))
                class="btn btn-primary"
            />
        </form>
    }
    .into_any()
}
