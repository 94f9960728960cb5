//! `/login`: sign in with an email, phone number or username.

use crate::api::Login;
use crate::components::session_keeper::use_auth_epoch;
use crate::components::submit_button::SubmitButton;
use crate::components::{field::TextField, form_alert::FormAlert};
use crate::errors::{error_text, error_text_with_details};
use crate::i18n::*;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::validate::parse_identifier;
use shared::{AppError, ErrorCode, Field};

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next")).unwrap_or_default();
    let identifier = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);

    // A session restored by the silent refresh (its access token had lapsed)
    // continues to where the visitor was going.
    let epoch = use_auth_epoch();
    let navigate = use_navigate();
    let start_epoch = epoch.0.get_untracked();
    Effect::new(move |_| {
        if epoch.0.get() != start_epoch {
            let target = shared::validate::safe_next_path(Some(&next()));
            navigate(&target, Default::default());
        }
    });

    let client_error = move |field: Field| -> Option<AppError> {
        if !submitted.get() {
            return None;
        }
        match field {
            Field::Identifier => parse_identifier(&identifier.get()).err(),
            _ if password.with(String::is_empty) => {
                Some(AppError::field(ErrorCode::Required, Field::Password))
            }
            _ => None,
        }
    };
    let server_error = move || action.value().get().and_then(|r| r.err());
    let field_error = move |field: Field| {
        Signal::derive(move || {
            client_error(field)
                .or_else(|| server_error().filter(|e| e.field == Some(field)))
                .map(|e| error_text(i18n, &e))
        })
    };
    let form_error = Signal::derive(move || {
        server_error()
            .filter(|e| e.field.is_none())
            .map(|e| error_text_with_details(i18n, &e))
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if action.pending().get_untracked()
            || client_error(Field::Identifier).is_some()
            || client_error(Field::Password).is_some()
        {
            return;
        }
        let next = next();
        action.dispatch(Login {
            identifier: identifier.get_untracked(),
            password: password.get_untracked(),
            next: (!next.is_empty()).then_some(next),
        });
    };

    view! {
        <section class="card auth-card" aria-labelledby="login-title">
            <h1 id="login-title">{t!(i18n, login_title)}</h1>
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
                <SubmitButton
                    pending=action.pending()
                    label=Signal::derive(move || t_string!(i18n, login_submit))
                    pending_label=Signal::derive(move || t_string!(i18n, login_pending))
                />
            </form>
            <p class="switch-auth">
                {t!(i18n, login_no_account)} " " <A href="/signup">{t!(i18n, login_create_account)}</A>
            </p>
        </section>
    }
}
