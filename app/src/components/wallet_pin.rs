//! Setting the payment PIN (activation), changing it, or replacing a
//! forgotten one.

use crate::components::forgot_pin::ForgotPinForm;
use crate::components::form_errors::{source, FormErrors};
use crate::components::submit_button::SubmitButton;
use crate::components::{field::TextField, form_alert::FormAlert};
use crate::i18n::*;
use crate::wallet_api::{ChangePin, SetPin};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use shared::wallet::PinStatus;
use shared::Field;

#[component]
pub fn PinSection(
    status: PinStatus,
    changed: RwSignal<u32>,
    /// "Payment PIN saved.", owned by the page, which renders this anew.
    saved: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locked_minutes = status
        .retry_after_secs
        .filter(|_| status.locked)
        .map(|s| ((s + 59) / 60).max(1));
    view! {
        {locked_minutes.map(|m| view! {
            <p class="form-alert" role="alert">{t_string!(i18n, wallet_pin_locked, minutes = m).to_string()}</p>
        })}
        {if status.set {
            view! {
                <p class="muted">{t!(i18n, wallet_pin_lead_set)}</p>
                <ChangePinForm changed=changed saved=saved/>
                <ForgotPinForm changed=changed saved=saved/>
            }
            .into_any()
        } else {
            view! {
                <p class="muted">{t!(i18n, wallet_pin_lead_unset)}</p>
                <SetPinForm changed=changed/>
            }
            .into_any()
        }}
    }
    .into_any()
}

#[component]
fn SetPinForm(changed: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SetPin>::new();
    let pin = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = FormErrors::latest(vec![source(action)]);
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if action.pending().get_untracked() {
            return;
        }
        action.dispatch(SetPin {
            pin: pin.get_untracked(),
            confirm_pin: confirm.get_untracked(),
            password: password.get_untracked(),
            sid: String::new(),
        });
    };
    let no_error = Signal::derive(|| None);
    view! {
        <form method="post" action=SetPin::url() on:submit=on_submit novalidate class="stack-form">
            <FormAlert message=errors.form(&[])/>
            <TextField
                id="pin-new"
                name="pin"
                input_type="password"
                inputmode="numeric"
                autocomplete="new-password"
                label=Signal::derive(move || t_string!(i18n, field_pin))
                hint=Signal::derive(move || t_string!(i18n, hint_pin))
                value=pin
                error=no_error
            />
            <TextField
                id="pin-confirm"
                name="confirm_pin"
                input_type="password"
                inputmode="numeric"
                autocomplete="new-password"
                label=Signal::derive(move || t_string!(i18n, field_confirm_pin))
                value=confirm
                error=no_error
            />
            // The first PIN is a second factor: the session alone may not set it.
            <TextField
                id="pin-password"
                name="password"
                input_type="password"
                autocomplete="current-password"
                label=Signal::derive(move || t_string!(i18n, field_current_password))
                value=password
                error=errors.field(Field::Password, |_| None)
            />
            <SubmitButton
                pending=action.pending()
                label=Signal::derive(move || t_string!(i18n, wallet_set_pin))
                pending_label=Signal::derive(move || t_string!(i18n, wallet_saving))
                class="btn btn-primary"
            />
        </form>
    }
    .into_any()
}

#[component]
fn ChangePinForm(changed: RwSignal<u32>, saved: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<ChangePin>::new();
    let old_pin = RwSignal::new(String::new());
    let new_pin = RwSignal::new(String::new());
    let errors = FormErrors::latest(vec![source(action)]);
    Effect::new(move |_| match action.value().get() {
        Some(Ok(())) => {
            old_pin.set(String::new());
            new_pin.set(String::new());
            saved.set(true);
            changed.update(|n| *n += 1);
        }
        Some(Err(_)) => saved.set(false),
        None => {}
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if action.pending().get_untracked() {
            return;
        }
        action.dispatch(ChangePin {
            old_pin: old_pin.get_untracked(),
            new_pin: new_pin.get_untracked(),
        });
    };
    let no_error = Signal::derive(|| None);
    view! {
        <form method="post" action=ChangePin::url() on:submit=on_submit novalidate class="stack-form">
            <FormAlert message=errors.form(&[])/>
            <TextField
                id="pin-old"
                name="old_pin"
                input_type="password"
                inputmode="numeric"
                autocomplete="off"
                label=Signal::derive(move || t_string!(i18n, field_current_pin))
                value=old_pin
                error=no_error
            />
            <TextField
                id="pin-replacement"
                name="new_pin"
                input_type="password"
                inputmode="numeric"
                autocomplete="new-password"
                label=Signal::derive(move || t_string!(i18n, field_new_pin))
                hint=Signal::derive(move || t_string!(i18n, hint_pin))
                value=new_pin
                error=no_error
            />
            <p class="form-success" role="status">
                {move || saved.get().then_some(t!(i18n, wallet_pin_saved))}
            </p>
            <SubmitButton
                pending=action.pending()
                label=Signal::derive(move || t_string!(i18n, wallet_change_pin))
                pending_label=Signal::derive(move || t_string!(i18n, wallet_saving))
                class="btn btn-primary"
            />
        </form>
    }
    .into_any()
}
