//! Adding or replacing the email or the phone number: a code sent to the new
//! one proves it; replacing an existing one also asks for the password.

use crate::components::captcha::{CaptchaField, CaptchaState};
use crate::components::form_errors::{source, FormErrors};
use crate::components::send_code::SendCodeButton;
use crate::components::submit_button::SubmitButton;
use crate::components::{field::TextField, form_alert::FormAlert};
use crate::i18n::*;
use crate::verification_api::{ChangeContact, SendCode};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::validate::{check_code, parse_contact};
use shared::{AppError, ErrorCode, Field};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ContactKind {
    Email,
    Phone,
}

/// One contact's row on the security page: its value, whether it is
/// verified, and a button that opens the form to add or change it. A
/// contact given at sign-up that no code proved is shown as pending, with a
/// "verify" action that opens the same form with it filled in.
#[component]
pub fn ContactEditor(
    kind: ContactKind,
    current: Option<String>,
    verified: bool,
    /// The pending contact of this kind, when there is one.
    pending: Option<String>,
    /// Bumped after a change, so the page reloads the profile.
    changed: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let has_current = current.is_some();
    let title = match kind {
        ContactKind::Email => Signal::derive(move || t_string!(i18n, contact_email)),
        ContactKind::Phone => Signal::derive(move || t_string!(i18n, contact_phone)),
    };
    let has_pending = current.is_none() && pending.is_some();
    let action_label = Signal::derive(move || match (kind, has_current) {
        (ContactKind::Email, _) if has_pending => t_string!(i18n, verify_pending_email),
        (ContactKind::Phone, _) if has_pending => t_string!(i18n, verify_pending_phone),
        (ContactKind::Email, false) => t_string!(i18n, add_email),
        (ContactKind::Email, true) => t_string!(i18n, change_email),
        (ContactKind::Phone, false) => t_string!(i18n, add_phone),
        (ContactKind::Phone, true) => t_string!(i18n, change_phone),
    });
    let value_text = current.clone();
    let pending_text = pending.clone().filter(|_| has_pending);
    view! {
        <div class="contact-row">
            <div class="contact-main">
                <p class="contact-title">{move || title.get()}</p>
                <p class="contact-value">
                    {match value_text {
                        Some(v) => view! {
                            <span>{v}</span>
                            {if verified {
                                view! { <span class="badge badge-ok">{t!(i18n, verified)}</span> }.into_any()
                            } else {
                                view! { <span class="badge badge-warn">{t!(i18n, unverified)}</span> }.into_any()
                            }}
                        }.into_any(),
                        None => match pending_text {
                            Some(p) => view! {
                                <span>{p}</span>
                                <span class="badge badge-warn">{t!(i18n, contact_pending)}</span>
                            }.into_any(),
                            None => view! { <span class="muted">{t!(i18n, contact_none)}</span> }.into_any(),
                        },
                    }}
                </p>
            </div>
            <Show when=move || !open.get()>
                <button
                    type="button"
                    class="btn btn-secondary btn-small"
                    on:click=move |_| open.set(true)
                >
                    {move || action_label.get()}
                </button>
            </Show>
        </div>
        <Show when=move || open.get()>
            <ContactForm
                kind=kind
                initial=pending.clone().filter(|_| has_pending).unwrap_or_default()
                needs_password=has_current
                action_label=action_label
                changed=changed
                cancel=Callback::new(move |_| open.set(false))
            />
        </Show>
    }
    .into_any()
}

#[component]
fn ContactForm(
    kind: ContactKind,
    /// The contact to prove, filled in (a pending one); empty for a new one.
    initial: String,
    needs_password: bool,
    action_label: Signal<&'static str>,
    changed: RwSignal<u32>,
    cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<ChangeContact>::new();
    let send_action = ServerAction::<SendCode>::new();
    let contact = RwSignal::new(initial);
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let captcha = CaptchaState::new();
    let submitted = RwSignal::new(false);
    let errors = FormErrors::latest(vec![source(send_action), source(action)]);
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    let client_error = move |field: Field| -> Option<AppError> {
        if !submitted.get() {
            return None;
        }
        match field {
            Field::Contact => parse_contact(&contact.get()).err(),
            Field::Code => check_code(&code.get()).err(),
            Field::CurrentPassword if needs_password && password.with(String::is_empty) => {
                Some(AppError::field(ErrorCode::Required, Field::CurrentPassword))
            }
            _ => None,
        }
    };
    let field_error = move |field: Field| errors.field(field, client_error);
    let form_error = errors.form(&[]);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if action.pending().get_untracked()
            || [Field::Contact, Field::Code, Field::CurrentPassword]
                .into_iter()
                .any(|f| client_error(f).is_some())
        {
            return;
        }
        action.dispatch(ChangeContact {
            contact: contact.get_untracked(),
            code: code.get_untracked(),
            password: password.get_untracked(),
        });
    };
    let (label, input_type, autocomplete, inputmode) = match kind {
        ContactKind::Email => (
            Signal::derive(move || t_string!(i18n, field_new_email)),
            "email",
            "email",
            None,
        ),
        ContactKind::Phone => (
            Signal::derive(move || t_string!(i18n, field_new_phone)),
            "tel",
            "tel",
            Some("tel"),
        ),
    };
    let (id_new, id_captcha, id_code, id_password) = match kind {
        ContactKind::Email => ("email-new", "email-captcha", "email-code", "email-password"),
        ContactKind::Phone => ("phone-new", "phone-captcha", "phone-code", "phone-password"),
    };
    view! {
        <form on:submit=on_submit novalidate class="stack-form contact-form">
            <FormAlert message=form_error/>
            <TextField
                id=id_new
                name="contact"
                input_type=input_type
                autocomplete=autocomplete
                inputmode=inputmode.unwrap_or("text")
                label=label
                value=contact
                error=field_error(Field::Contact)
            />
            <CaptchaField id=id_captcha state=captcha error=field_error(Field::Captcha)/>
            <SendCodeButton action=send_action contact=contact purpose="bind_contact" captcha=captcha/>
            <TextField
                id=id_code
                name="code"
                autocomplete="one-time-code"
                inputmode="numeric"
                label=Signal::derive(move || t_string!(i18n, field_code))
                value=code
                error=field_error(Field::Code)
            />
            {needs_password.then(|| view! {
                <TextField
                    id=id_password
                    name="password"
                    input_type="password"
                    autocomplete="current-password"
                    label=Signal::derive(move || t_string!(i18n, field_current_password))
                    hint=Signal::derive(move || t_string!(i18n, hint_confirm_password))
                    value=password
                    error=field_error(Field::CurrentPassword)
                />
            })}
            <div class="form-actions">
                <SubmitButton
                    pending=action.pending()
                    label=action_label
                    pending_label=Signal::derive(move || t_string!(i18n, contact_saving))
                    class="btn btn-primary"
                />
                <button type="button" class="btn btn-secondary" on:click=move |_| cancel.run(())>
                    {t!(i18n, cancel)}
                </button>
            </div>
        </form>
    }
    .into_any()
}
