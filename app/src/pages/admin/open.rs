//! `/admin/open`: staff open a pre-opened account for someone's email or
//! phone; and, on a pre-opened user's page, send its activation code again.

use super::AdminNav;
use crate::activation_api::{AdminOpenAccount, AdminResendActivation};
use crate::components::field::TextField;
use crate::components::form_alert::FormAlert;
use crate::components::form_errors::{source, FormErrors};
use crate::components::submit_button::SubmitButton;
use crate::errors::error_text_with_details;
use crate::i18n::*;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::A;
use shared::Field;

#[component]
pub fn AdminOpenPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<AdminOpenAccount>::new();
    let email = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let lang = RwSignal::new(match i18n.get_locale_untracked() {
        Locale::zh_CN => "zh-CN".to_string(),
        _ => "en".to_string(),
    });
    let errors = FormErrors::latest(vec![source(action)]);
    let field_error = move |f: Field| errors.field(f, |_| None);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if action.pending().get_untracked() {
            return;
        }
        action.dispatch(AdminOpenAccount {
            email: email.get_untracked(),
            phone: phone.get_untracked(),
            username: username.get_untracked(),
            display_name: display_name.get_untracked(),
            lang: lang.get_untracked(),
        });
    };
    view! {
        <section class="card wide-card admin-card" aria-labelledby="open-title">
            <h1 id="open-title">{t!(i18n, admin_open_title)}</h1>
            <AdminNav/>
            <p class="lead">{t!(i18n, admin_open_lead)}</p>
            <form method="post" action=AdminOpenAccount::url() on:submit=on_submit novalidate class="stack-form">
                <FormAlert message=errors.form(&[Field::Contact])/>
                <TextField
                    id="open-email"
                    name="email"
                    input_type="email"
                    label=Signal::derive(move || t_string!(i18n, field_email))
                    value=email
                    error=field_error(Field::Email)
                />
                <TextField
                    id="open-phone"
                    name="phone"
                    input_type="tel"
                    inputmode="tel"
                    label=Signal::derive(move || t_string!(i18n, field_phone))
                    hint=Signal::derive(move || t_string!(i18n, hint_contact))
                    value=phone
                    error=field_error(Field::Phone)
                />
                <TextField
                    id="open-username"
                    name="username"
                    label=Signal::derive(move || t_string!(i18n, field_username))
                    optional_text=Signal::derive(move || t_string!(i18n, optional))
                    value=username
                    error=field_error(Field::Username)
                />
                <TextField
                    id="open-display-name"
                    name="display_name"
                    label=Signal::derive(move || t_string!(i18n, field_display_name))
                    optional_text=Signal::derive(move || t_string!(i18n, optional))
                    value=display_name
                    error=field_error(Field::DisplayName)
                />
                <div class="field">
                    <label for="open-lang">{t!(i18n, admin_open_lang)}</label>
                    <select
                        id="open-lang"
                        name="lang"
                        prop:value=move || lang.get()
                        on:change=move |ev| lang.set(event_target_value(&ev))
                    >
                        <option value="en">"English"</option>
                        <option value="zh-CN">"简体中文"</option>
                    </select>
                </div>
                <SubmitButton
                    pending=action.pending()
                    label=Signal::derive(move || t_string!(i18n, admin_open_submit))
                    pending_label=Signal::derive(move || t_string!(i18n, admin_open_pending))
                    class="btn btn-primary"
                />
            </form>
            {move || action.value().get().and_then(Result::ok).map(|opened| {
                let note = if opened.activation.delivered {
                    t_string!(i18n, admin_open_done, to = opened.activation.sent_to.clone()).to_string()
                } else {
                    t_string!(i18n, admin_open_not_delivered).to_string()
                };
                view! {
                    <p class="form-success" role="status">{note}</p>
                    <p>
                        <A href=format!("/admin/users/{}", opened.user.id)>
                            {t!(i18n, admin_open_view)} " (#" {opened.user.id} ")"
                        </A>
                    </p>
                }
            })}
        </section>
    }
    .into_any()
}

/// "Send activation code" on a pre-opened user's page.
#[component]
pub fn ResendActivation(user_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<AdminResendActivation>::new();
    let error = Signal::derive(move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| error_text_with_details(i18n, &e))
    });
    view! {
        <ActionForm action=action attr:class="inline-form">
            <input type="hidden" name="user_id" value=user_id/>
            <button type="submit" class="btn btn-ghost" disabled=move || action.pending().get()>
                {t!(i18n, admin_resend_activation)}
            </button>
        </ActionForm>
        <FormAlert message=error/>
        <p class="form-success" role="status">
            {move || action.value().get().and_then(Result::ok).map(|sent| {
                t_string!(i18n, admin_activation_sent, to = sent.sent_to.clone()).to_string()
            })}
        </p>
    }
}
