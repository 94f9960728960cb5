//! `/signup`: create an account with an email and/or phone number.

use crate::api::Register;
use crate::components::captcha::{CaptchaField, CaptchaState};
use crate::components::form_errors::{source, FormErrors};
use crate::components::profile_forms::{IdentityFields, IdentityForm};
use crate::components::send_code::SendCodeButton;
use crate::components::submit_button::SubmitButton;
use crate::components::{field::TextField, form_alert::FormAlert};
use crate::i18n::*;
use crate::verification_api::SendCode;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::A;
use shared::identity::{Gender, IdType};
use shared::validate::validate_registration;
use shared::{AppError, Field};

#[component]
pub fn SignupPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<Register>::new();
    let email = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let real_name = RwSignal::new(String::new());
    let gender = RwSignal::new(Gender::Unspecified.as_str().to_string());
    let id_country = RwSignal::new("CN".to_string());
    let id_type = RwSignal::new(IdType::MainlandId.as_str().to_string());
    let id_number = RwSignal::new(String::new());
    let captcha = CaptchaState::new();
    let send_action = ServerAction::<SendCode>::new();
    // The code goes to the email, or to the phone when no email is given.
    let code_contact = Signal::derive(move || {
        let e = email.get();
        if e.trim().is_empty() {
            phone.get()
        } else {
            e
        }
    });
    // A field shows its client-side errors once it has been left or the form
    // submitted, then updates as the user types.
    let touched = RwSignal::new(Vec::<Field>::new());
    let errors = FormErrors::latest(vec![source(send_action), source(action)]);
    let submitted = RwSignal::new(false);
    let touch = move |f: Field| {
        Callback::new(move |_| {
            touched.update(|t| {
                if !t.contains(&f) {
                    t.push(f)
                }
            })
        })
    };

    let client_errors = Memo::new(move |_| {
        validate_registration(&email.get(), &phone.get(), &username.get(), &password.get())
            .err()
            .unwrap_or_default()
    });
    let client_error = move |field: Field| -> Option<AppError> {
        let shown = submitted.get() || touched.with(|t| t.contains(&field));
        shown
            .then(|| {
                client_errors.with(|errs| errs.iter().find(|e| e.field == Some(field)).cloned())
            })
            .flatten()
    };
    let field_error = move |field: Field| errors.field(field, client_error);
    // The code box has no contact field of its own; gender and ID type
    // errors have no text of their own either.
    let form_error = errors.form(&[Field::Contact, Field::Gender, Field::IdType]);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if action.pending().get_untracked() || !client_errors.with_untracked(Vec::is_empty) {
            return;
        }
        action.dispatch(Register {
            email: email.get_untracked(),
            phone: phone.get_untracked(),
            username: username.get_untracked(),
            password: password.get_untracked(),
            code: code.get_untracked(),
            next: None,
            real_name: real_name.get_untracked(),
            gender: gender.get_untracked(),
            id_country: id_country.get_untracked(),
            id_type: id_type.get_untracked(),
            id_number: id_number.get_untracked(),
        });
    };

    view! {
        <section class="card auth-card" aria-labelledby="signup-title">
            <h1 id="signup-title">{t!(i18n, signup_title)}</h1>
            <p class="lead">{t!(i18n, hint_contact)}</p>
            <form method="post" action=Register::url() on:submit=on_submit novalidate>
                <FormAlert message=form_error/>
                <TextField
                    id="signup-email"
                    name="email"
                    input_type="email"
                    autocomplete="email"
                    label=Signal::derive(move || t_string!(i18n, field_email))
                    value=email
                    error=field_error(Field::Email)
                    on_blur=touch(Field::Email)
                />
                <TextField
                    id="signup-phone"
                    name="phone"
                    input_type="tel"
                    autocomplete="tel"
                    inputmode="tel"
                    label=Signal::derive(move || t_string!(i18n, field_phone))
                    hint=Signal::derive(move || t_string!(i18n, hint_phone))
                    value=phone
                    error=field_error(Field::Phone)
                    on_blur=touch(Field::Phone)
                />
                <TextField
                    id="signup-username"
                    name="username"
                    autocomplete="username"
                    label=Signal::derive(move || t_string!(i18n, field_username))
                    optional_text=Signal::derive(move || t_string!(i18n, optional))
                    hint=Signal::derive(move || t_string!(i18n, hint_username))
                    value=username
                    error=field_error(Field::Username)
                    on_blur=touch(Field::Username)
                />
                <TextField
                    id="signup-password"
                    name="password"
                    input_type="password"
                    autocomplete="new-password"
                    label=Signal::derive(move || t_string!(i18n, field_password))
                    hint=Signal::derive(move || t_string!(i18n, hint_password))
                    value=password
                    error=field_error(Field::Password)
                    on_blur=touch(Field::Password)
                />
                <details class="code-box">
                    <summary>{t!(i18n, signup_identity)} <span class="optional">" (" {t!(i18n, optional)} ")"</span></summary>
                    <p class="hint">{t!(i18n, signup_identity_hint)}</p>
                    <TextField
                        id="signup-real-name"
                        name="real_name"
                        autocomplete="name"
                        label=Signal::derive(move || t_string!(i18n, field_real_name))
                        optional_text=Signal::derive(move || t_string!(i18n, optional))
                        value=real_name
                        error=field_error(Field::RealName)
                    />
                    <IdentityFields
                        of=IdentityForm::Signup
                        gender=gender
                        id_country=id_country
                        id_type=id_type
                        id_number=id_number
                        errors=errors
                    />
                </details>
                <fieldset class="code-box">
                                <legend>{t!(i18n, verify_contact)}</legend>
                                <CaptchaField
                                    id="signup-captcha"
                                    state=captcha
                                    error=field_error(Field::Captcha)
                                />
                                <SendCodeButton
                                    action=send_action
                                    contact=code_contact
                                    purpose="register"
                                    captcha=captcha
                                />
                                <TextField
                                    id="signup-code"
                                    name="code"
                                    autocomplete="one-time-code"
                                    inputmode="numeric"
                                    label=Signal::derive(move || t_string!(i18n, field_code))
                                    hint=Signal::derive(move || t_string!(i18n, hint_code_contact))
                                    value=code
                                    error=field_error(Field::Code)
                                />
                </fieldset>
                <SubmitButton
                    pending=action.pending()
                    label=Signal::derive(move || t_string!(i18n, signup_submit))
                    pending_label=Signal::derive(move || t_string!(i18n, signup_pending))
                />
            </form>
            <p class="switch-auth">
                {t!(i18n, signup_have_account)} " " <A href="/login">{t!(i18n, nav_sign_in)}</A>
            </p>
        </section>
    }
    .into_any()
}
