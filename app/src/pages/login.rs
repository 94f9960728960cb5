//! `/login`: sign in with a password (email, phone number or username), or
//! with a one-time code sent to a bound email or phone.

use crate::api::Login;
use crate::components::captcha::{CaptchaField, CaptchaState};
use crate::components::form_errors::{source, FormErrors};
use crate::components::send_code::SendCodeButton;
use crate::components::session_keeper::use_auth_epoch;
use crate::components::submit_button::SubmitButton;
use crate::components::{field::TextField, form_alert::FormAlert};
use crate::i18n::*;
use crate::verification_api::{LoginWithCode, SendCode};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::validate::{parse_contact, parse_identifier};
use shared::{AppError, ErrorCode, Field};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Password,
    Code,
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let next = Signal::derive(move || query.with(|q| q.get("next")).unwrap_or_default());
    let method = RwSignal::new(Method::Password);

    // A session restored by the silent refresh (its access token had lapsed)
    // continues to where the visitor was going.
    let epoch = use_auth_epoch();
    let navigate = use_navigate();
    let start_epoch = epoch.0.get_untracked();
    Effect::new(move |_| {
        if epoch.0.get() != start_epoch {
            let target = shared::validate::safe_next_path(Some(&next.get()));
            navigate(&target, Default::default());
        }
    });

    let tab = move |m: Method, id: &'static str, panel: &'static str| {
        view! {
            <button
                type="button"
                role="tab"
                id=id
                class="tab"
                aria-controls=panel
                aria-selected=move || if method.get() == m { "true" } else { "false" }
                tabindex=move || if method.get() == m { "0" } else { "-1" }
                on:click=move |_| method.set(m)
            >
                {move || match m {
                    Method::Password => t_string!(i18n, login_tab_password),
                    Method::Code => t_string!(i18n, login_tab_code),
                }}
            </button>
        }
    };

    view! {
        <section class="card auth-card" aria-labelledby="login-title">
            <h1 id="login-title">{t!(i18n, login_title)}</h1>
            <div class="tabs" role="tablist" aria-label=move || t_string!(i18n, login_methods)>
                {tab(Method::Password, "tab-password", "panel-password")}
                {tab(Method::Code, "tab-code", "panel-code")}
            </div>
            // The panels are not labelled by their tabs: "Password" must name
            // the password field alone.
            <div
                id="panel-password"
                role="tabpanel"
                hidden=move || method.get() != Method::Password
            >
                <PasswordForm next=next/>
            </div>
            <div
                id="panel-code"
                role="tabpanel"
                hidden=move || method.get() != Method::Code
            >
                // Rendered only when chosen: it loads a captcha.
                <Show when=move || method.get() == Method::Code>
                    <CodeForm next=next/>
                </Show>
            </div>
            <p class="switch-auth">
                <A href="/forgot">{t!(i18n, forgot_link)}</A>
                " · "
                <A href="/activate">{t!(i18n, nav_activate)}</A>
            </p>
            <p class="switch-auth">
                {t!(i18n, login_no_account)} " " <A href="/signup">{t!(i18n, login_create_account)}</A>
            </p>
        </section>
    }
    .into_any()
}

#[component]
fn PasswordForm(next: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<Login>::new();
    let identifier = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let captcha = CaptchaState::new();
    // After repeated failures the server asks for a captcha; show it from then on.
    let captcha_shown = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Err(e)) = action.value().get() {
            // Every attempt uses up the image it carried.
            if captcha_shown.get_untracked() {
                captcha.renew();
            }
            if e.captcha_required
                || matches!(
                    e.code,
                    ErrorCode::CaptchaRequired | ErrorCode::CaptchaIncorrect
                )
            {
                captcha_shown.set(true);
            }
        }
    });

    let client_error = move |field: Field| -> Option<AppError> {
        if !submitted.get() {
            return None;
        }
        match field {
            Field::Identifier => parse_identifier(&identifier.get()).err(),
            Field::Password if password.with(String::is_empty) => {
                Some(AppError::field(ErrorCode::Required, Field::Password))
            }
            _ => None,
        }
    };
    let errors = FormErrors::latest(vec![source(action)]);
    let field_error = move |field: Field| errors.field(field, client_error);
    let form_error = errors.form(&[]);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if action.pending().get_untracked()
            || client_error(Field::Identifier).is_some()
            || client_error(Field::Password).is_some()
        {
            return;
        }
        let next = next.get_untracked();
        action.dispatch(Login {
            identifier: identifier.get_untracked(),
            password: password.get_untracked(),
            captcha_key: captcha.key.get_untracked(),
            captcha_answer: captcha.answer.get_untracked(),
            next: (!next.is_empty()).then_some(next),
        });
    };

    view! {
        <form method="post" action=Login::url() on:submit=on_submit novalidate>
            <FormAlert message=form_error/>
            <input type="hidden" name="next" value=next/>
            <TextField
                id="login-identifier"
                name="identifier"
                autocomplete="username"
                label=Signal::derive(move || t_string!(i18n, field_identifier))
                value=identifier
                error=field_error(Field::Identifier)
            />
            <TextField
                id="login-password"
                name="password"
                input_type="password"
                autocomplete="current-password"
                label=Signal::derive(move || t_string!(i18n, field_password))
                value=password
                error=field_error(Field::Password)
            />
            <Show when=move || captcha_shown.get()>
                <CaptchaField id="login-captcha" state=captcha error=field_error(Field::Captcha)/>
            </Show>
            <SubmitButton
                pending=action.pending()
                label=Signal::derive(move || t_string!(i18n, login_submit))
                pending_label=Signal::derive(move || t_string!(i18n, login_pending))
            />
        </form>
    }
    .into_any()
}

#[component]
fn CodeForm(next: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<LoginWithCode>::new();
    let send_action = ServerAction::<SendCode>::new();
    let contact = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let captcha = CaptchaState::new();
    let submitted = RwSignal::new(false);
    let errors = FormErrors::latest(vec![source(send_action), source(action)]);
    let client_error = move |field: Field| -> Option<AppError> {
        if !submitted.get() {
            return None;
        }
        match field {
            Field::Contact => parse_contact(&contact.get()).err(),
            Field::Code => shared::validate::check_code(&code.get()).err(),
            _ => None,
        }
    };
    let field_error = move |field: Field| errors.field(field, client_error);
    let form_error = errors.form(&[]);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if action.pending().get_untracked()
            || client_error(Field::Contact).is_some()
            || client_error(Field::Code).is_some()
        {
            return;
        }
        let next = next.get_untracked();
        action.dispatch(LoginWithCode {
            contact: contact.get_untracked(),
            code: code.get_untracked(),
            next: (!next.is_empty()).then_some(next),
        });
    };

    view! {
        <form method="post" action=LoginWithCode::url() on:submit=on_submit novalidate>
            <FormAlert message=form_error/>
            <input type="hidden" name="next" value=next/>
            <TextField
                id="code-login-contact"
                name="contact"
                autocomplete="username"
                label=Signal::derive(move || t_string!(i18n, field_contact))
                value=contact
                error=field_error(Field::Contact)
            />
            <CaptchaField id="code-login-captcha" state=captcha error=field_error(Field::Captcha)/>
            <SendCodeButton action=send_action contact=contact purpose="login" captcha=captcha/>
            <TextField
                id="code-login-code"
                name="code"
                autocomplete="one-time-code"
                inputmode="numeric"
                label=Signal::derive(move || t_string!(i18n, field_code))
                value=code
                error=field_error(Field::Code)
            />
            <SubmitButton
                pending=action.pending()
                label=Signal::derive(move || t_string!(i18n, login_submit))
                pending_label=Signal::derive(move || t_string!(i18n, login_pending))
            />
        </form>
    }
    .into_any()
}
