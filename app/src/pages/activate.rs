//! `/activate`: the owner of a pre-opened account activates it with the code
//! sent to its email or phone, choosing a password and a payment PIN. The
//! link in the message fills in the contact (`?contact=`). The page says
//! the same whether or not the contact has a pre-opened account.

use crate::activation_api::ActivateAccount;
use crate::components::captcha::{CaptchaField, CaptchaState};
use crate::components::form_errors::{source, FormErrors};
use crate::components::send_code::SendCodeButton;
use crate::components::submit_button::SubmitButton;
use crate::components::{field::TextField, form_alert::FormAlert};
use crate::i18n::*;
use crate::verification_api::SendCode;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use shared::activation::ActivateRequest;
use shared::{AppError, Field};

#[component]
pub fn ActivatePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let action = ServerAction::<ActivateAccount>::new();
    let send_action = ServerAction::<SendCode>::new();
    let contact = RwSignal::new(
        query
            .with_untracked(|q| q.get("contact"))
            .unwrap_or_default(),
    );
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let pin = RwSignal::new(String::new());
    let captcha = CaptchaState::new();
    let submitted = RwSignal::new(false);
    let errors = FormErrors::latest(vec![source(send_action), source(action)]);
    // The same checks as the server's, field by field, once submitted.
    let client_error = move |field: Field| -> Option<AppError> {
        if !submitted.get() {
            return None;
        }
        let form = ActivateRequest {
            contact: contact.get(),
            code: code.get(),
            password: password.get(),
            pin: pin.get(),
        };
        form.check().err().filter(|e| e.field == Some(field))
    };
    let field_error = move |field: Field| errors.field(field, client_error);
    let form_error = errors.form(&[]);
    let done = move || matches!(action.value().get(), Some(Ok(())));

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        let form = ActivateRequest {
            contact: contact.get_untracked(),
            code: code.get_untracked(),
            password: password.get_untracked(),
            pin: pin.get_untracked(),
        };
        if action.pending().get_untracked() || form.check().is_err() {
            return;
        }
        action.dispatch(ActivateAccount {
            contact: form.contact,
            code: form.code,
            password: form.password,
            pin: form.pin,
        });
    };

    view! {
        <section class="card auth-card" aria-labelledby="activate-title">
            <h1 id="activate-title">{t!(i18n, activate_title)}</h1>
            <Show
                when=done
                fallback=move || view! {
                    <p class="lead">{t!(i18n, activate_lead)}</p>
                    <form method="post" action=ActivateAccount::url() on:submit=on_submit novalidate>
                        <FormAlert message=form_error/>
                        <TextField
                            id="activate-contact"
                            name="contact"
                            autocomplete="username"
                            label=Signal::derive(move || t_string!(i18n, field_contact))
                            value=contact
                            error=field_error(Field::Contact)
                        />
                        <TextField
                            id="activate-code"
                            name="code"
                            autocomplete="one-time-code"
                            inputmode="numeric"
                            label=Signal::derive(move || t_string!(i18n, field_code))
                            value=code
                            error=field_error(Field::Code)
                        />
                        <details class="code-box">
                            <summary>{t!(i18n, activate_resend)}</summary>
                            <CaptchaField id="activate-captcha" state=captcha error=field_error(Field::Captcha)/>
                            <SendCodeButton
                                action=send_action
                                contact=contact
                                purpose="activation"
                                captcha=captcha
                            />
                        </details>
                        <TextField
                            id="activate-password"
                            name="password"
                            input_type="password"
                            autocomplete="new-password"
                            label=Signal::derive(move || t_string!(i18n, field_new_password))
                            hint=Signal::derive(move || t_string!(i18n, hint_password))
                            value=password
                            error=field_error(Field::Password)
                        />
                        <TextField
                            id="activate-pin"
                            name="pin"
                            input_type="password"
                            autocomplete="off"
                            inputmode="numeric"
                            label=Signal::derive(move || t_string!(i18n, field_pin))
                            hint=Signal::derive(move || t_string!(i18n, hint_pin))
                            value=pin
                            error=field_error(Field::Pin)
                        />
                        <SubmitButton
                            pending=action.pending()
                            label=Signal::derive(move || t_string!(i18n, activate_submit))
                            pending_label=Signal::derive(move || t_string!(i18n, activate_pending))
                        />
                    </form>
                }
            >
                <p class="form-success" role="status">{t!(i18n, activate_done)}</p>
                <A href="/login" attr:class="btn btn-primary btn-block">{t!(i18n, nav_sign_in)}</A>
            </Show>
            <p class="switch-auth">
                <A href="/login">{t!(i18n, nav_sign_in)}</A>
            </p>
        </section>
    }
    .into_any()
}
