//! Changing the password while signed in: the current one confirms it, and
//! the user's other sessions end.

use crate::components::form_errors::{source, FormErrors};
use crate::components::submit_button::SubmitButton;
use crate::components::{field::TextField, form_alert::FormAlert};
use crate::i18n::*;
use crate::verification_api::ChangePassword;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use shared::{AppError, ErrorCode, Field};

#[component]
pub fn ChangePasswordForm(
    /// Bumped after a change, so the session list can reload.
    changed: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<ChangePassword>::new();
    let current = RwSignal::new(String::new());
    let new_password = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            current.set(String::new());
            new_password.set(String::new());
            submitted.set(false);
            changed.update(|n| *n += 1);
        }
    });
    let client_error = move |field: Field| -> Option<AppError> {
        if !submitted.get() {
            return None;
        }
        let empty = match field {
            Field::CurrentPassword => current.with(String::is_empty),
            Field::NewPassword => new_password.with(String::is_empty),
            _ => false,
        };
        empty.then(|| AppError::field(ErrorCode::Required, field))
    };
    let errors = FormErrors::latest(vec![source(action)]);
    let field_error = move |field: Field| errors.field(field, client_error);
    let form_error = errors.form(&[]);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if action.pending().get_untracked()
            || client_error(Field::CurrentPassword).is_some()
            || client_error(Field::NewPassword).is_some()
        {
            return;
        }
        action.dispatch(ChangePassword {
            current_password: current.get_untracked(),
            new_password: new_password.get_untracked(),
        });
    };
    view! {
        <form method="post" action=ChangePassword::url() on:submit=on_submit novalidate class="stack-form">
            <FormAlert message=form_error/>
            <TextField
                id="change-current-password"
                name="current_password"
                input_type="password"
                autocomplete="current-password"
                label=Signal::derive(move || t_string!(i18n, field_current_password))
                value=current
                error=field_error(Field::CurrentPassword)
            />
            <TextField
                id="change-new-password"
                name="new_password"
                input_type="password"
                autocomplete="new-password"
                label=Signal::derive(move || t_string!(i18n, field_new_password))
                hint=Signal::derive(move || t_string!(i18n, hint_password))
                value=new_password
                error=field_error(Field::NewPassword)
            />
            <p class="form-success" role="status">
                {move || matches!(action.value().get(), Some(Ok(()))).then(|| t!(i18n, change_password_done))}
            </p>
            <SubmitButton
                pending=action.pending()
                label=Signal::derive(move || t_string!(i18n, change_password_submit))
                pending_label=Signal::derive(move || t_string!(i18n, change_password_pending))
                class="btn btn-primary"
            />
        </form>
    }
    .into_any()
}
