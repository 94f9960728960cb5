//! `/forgot`: reset a forgotten password with a code sent to the account's
//! email or phone. The page says the same whether or not an account exists.

use crate::components::captcha::{CaptchaField, CaptchaState};
use crate::components::form_errors::{source, FormErrors};
use crate::components::send_code::SendCodeButton;
use crate::components::submit_button::SubmitButton;
use crate::components::{field::TextField, form_alert::FormAlert};
use crate::i18n::*;
use crate::verification_api::{ResetPassword, SendCode};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::A;
use shared::validate::{check_code, parse_contact};
use shared::{AppError, ErrorCode, Field};

#[component]
pub fn ForgotPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<ResetPassword>::new();
    let send_action = ServerAction::<SendCode>::new();
    let contact = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let new_password = RwSignal::new(String::new());
    let captcha = CaptchaState::new();
    let submitted = RwSignal::new(false);
    let errors = FormErrors::latest(vec![source(send_action), source(action)]);
    let client_error = move |field: Field| -> Option<AppError> {
        if !submitted.get() {
            return None;
        }
        match field {
            Field::Contact => parse_contact(&contact.get()).err(),
            Field::Code => check_code(&code.get()).err(),
            Field::NewPassword if new_password.with(String::is_empty) => {
                Some(AppError::field(ErrorCode::Required, Field::NewPassword))
            }
            _ => None,
        }
    };
    let field_error = move |field: Field| errors.field(field, client_error);
    let form_error = errors.form(&[]);
    let done = move || matches!(action.value().get(), Some(Ok(())));

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if action.pending().get_untracked()
            || [Field::Contact, Field::Code, Field::NewPassword]
                .into_iter()
                .any(|f| client_error(f).is_some())
        {
            return;
        }
        action.dispatch(ResetPassword {
            contact: contact.get_untracked(),
            code: code.get_untracked(),
            new_password: new_password.get_untracked(),
        });
    };

    view! {
        <section class="card auth-card" aria-labelledby="forgot-title">
            <h1 id="forgot-title">{t!(i18n, forgot_title)}</h1>
            <Show
                when=done
                fallback=move || view! {
                    <p class="lead">{t!(i18n, forgot_lead)}</p>
                    <form method="post" action=ResetPassword::url() on:submit=on_submit novalidate>
                        <FormAlert message=form_error/>
                        <TextField
                            id="forgot-contact"
                            name="contact"
                            autocomplete="username"
                            label=Signal::derive(move || t_string!(i18n, field_contact))
                            value=contact
                            error=field_error(Field::Contact)
                        />
                        <CaptchaField id="forgot-captcha" state=captcha error=field_error(Field::Captcha)/>
                        <SendCodeButton
                            action=send_action
                            contact=contact
                            purpose="reset_password"
                            captcha=captcha
                        />
                        <TextField
                            id="forgot-code"
                            name="code"
                            autocomplete="one-time-code"
                            inputmode="numeric"
                            label=Signal::derive(move || t_string!(i18n, field_code))
                            value=code
                            error=field_error(Field::Code)
                        />
                        <TextField
                            id="forgot-new-password"
                            name="new_password"
                            input_type="password"
                            autocomplete="new-password"
                            label=Signal::derive(move || t_string!(i18n, field_new_password))
                            hint=Signal::derive(move || t_string!(i18n, hint_password))
                            value=new_password
                            error=field_error(Field::NewPassword)
                        />
                        <SubmitButton
                            pending=action.pending()
                            label=Signal::derive(move || t_string!(i18n, reset_submit))
                            pending_label=Signal::derive(move || t_string!(i18n, reset_pending))
                        />
                    </form>
                }
            >
                <p class="form-success" role="status">{t!(i18n, reset_done)}</p>
                <A href="/login" attr:class="btn btn-primary btn-block">{t!(i18n, nav_sign_in)}</A>
            </Show>
            <p class="switch-auth">
                <A href="/login">{t!(i18n, nav_sign_in)}</A>
            </p>
        </section>
    }
    .into_any()
}
