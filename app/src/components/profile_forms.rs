//! Editing the profile and submitting the real name for verification.

use crate::components::form_errors::{source, FormErrors};
use crate::components::submit_button::SubmitButton;
use crate::components::{field::TextField, form_alert::FormAlert};
use crate::i18n::*;
use crate::profile_api::{SubmitRealName, UpdateProfile};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use shared::dto::UserProfile;
use shared::identity::{Gender, IdType};
use shared::profile::VerificationState;
use shared::Field;

pub fn gender_label(i18n: leptos_i18n::I18nContext<Locale>, g: Gender) -> &'static str {
    match g {
        Gender::Unspecified => t_string!(i18n, gender_unspecified),
        Gender::Male => t_string!(i18n, gender_male),
        Gender::Female => t_string!(i18n, gender_female),
    }
}

pub fn id_type_label(i18n: leptos_i18n::I18nContext<Locale>, t: IdType) -> &'static str {
    match t {
        IdType::MainlandId => t_string!(i18n, id_type_mainland_id),
        IdType::Passport => t_string!(i18n, id_type_passport),
        IdType::Other => t_string!(i18n, id_type_other),
    }
}

/// Display name, gender and ID document.
#[component]
pub fn ProfileEditor(
    user: UserProfile,
    changed: RwSignal<u32>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<UpdateProfile>::new();
    let display_name = RwSignal::new(user.display_name.clone().unwrap_or_default());
    let gender = RwSignal::new(user.gender.as_str().to_string());
    let id_type = RwSignal::new(user.id_type.as_str().to_string());
    let id_number = RwSignal::new(String::new());
    let errors = FormErrors::latest(vec![source(action)]);
    Effect::new(move |_| match action.value().get() {
        Some(Ok(_)) => {
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
        action.dispatch(UpdateProfile {
            display_name: display_name.get_untracked(),
            gender: gender.get_untracked(),
            id_type: id_type.get_untracked(),
            id_number: id_number.get_untracked(),
        });
    };
    let field_error = move |f: Field| errors.field(f, |_| None);
    let id_locked = matches!(
        user.verification,
        VerificationState::Pending | VerificationState::Verified
    );
    view! {
        <form method="post" action=UpdateProfile::url() on:submit=on_submit novalidate class="stack-form">
            <FormAlert message=errors.form(&[Field::Gender, Field::IdType, Field::IdCountry])/>
            <TextField
                id="profile-display-name"
                name="display_name"
                autocomplete="nickname"
                label=Signal::derive(move || t_string!(i18n, field_display_name))
                optional_text=Signal::derive(move || t_string!(i18n, optional))
                value=display_name
                error=field_error(Field::DisplayName)
            />
            <div class="field">
                <label for="profile-gender">{t!(i18n, field_gender)}</label>
                <select
                    id="profile-gender"
                    name="gender"
                    prop:value=move || gender.get()
                    on:change=move |ev| gender.set(event_target_value(&ev))
                >
                    {Gender::ALL
                        .iter()
                        .map(|g| view! { <option value=g.as_str()>{gender_label(i18n, *g)}</option> })
                        .collect_view()}
                </select>
            </div>
            {(!id_locked).then(|| view! {
                <div class="field">
                    <label for="profile-id-type">{t!(i18n, field_id_type)}</label>
                    <select
                        id="profile-id-type"
                        name="id_type"
                        prop:value=move || id_type.get()
                        on:change=move |ev| id_type.set(event_target_value(&ev))
                    >
                        {IdType::ALL
                            .iter()
                            .map(|t| view! { <option value=t.as_str()>{id_type_label(i18n, *t)}</option> })
                            .collect_view()}
                    </select>
                </div>
                <TextField
                    id="profile-id-number"
                    name="id_number"
                    autocomplete="off"
                    label=Signal::derive(move || t_string!(i18n, field_id_number))
                    optional_text=Signal::derive(move || t_string!(i18n, optional))
                    value=id_number
                    error=field_error(Field::IdNumber)
                />
            })}
            <p class="form-success" role="status">{move || saved.get().then_some(t!(i18n, profile_saved))}</p>
            <SubmitButton
                pending=action.pending()
                label=Signal::derive(move || t_string!(i18n, profile_save))
                pending_label=Signal::derive(move || t_string!(i18n, profile_saving))
                class="btn btn-primary"
            />
        </form>
    }
    .into_any()
}

/// Real name and resident ID number, sent for review.
#[component]
pub fn RealNameForm(changed: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SubmitRealName>::new();
    let real_name = RwSignal::new(String::new());
    let id_number = RwSignal::new(String::new());
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
        action.dispatch(SubmitRealName {
            real_name: real_name.get_untracked(),
            id_number: id_number.get_untracked(),
        });
    };
    let field_error = move |f: Field| errors.field(f, |_| None);
    view! {
        <form method="post" action=SubmitRealName::url() on:submit=on_submit novalidate class="stack-form">
            <p class="muted">{t!(i18n, verify_lead)}</p>
            <FormAlert message=errors.form(&[Field::Gender])/>
            <TextField
                id="verify-real-name"
                name="real_name"
                autocomplete="name"
                label=Signal::derive(move || t_string!(i18n, field_real_name))
                value=real_name
                error=field_error(Field::RealName)
            />
            <TextField
                id="verify-id-number"
                name="id_number"
                autocomplete="off"
                label=Signal::derive(move || t_string!(i18n, field_resident_id))
                value=id_number
                error=field_error(Field::IdNumber)
            />
            <SubmitButton
                pending=action.pending()
                label=Signal::derive(move || t_string!(i18n, verify_submit))
                pending_label=Signal::derive(move || t_string!(i18n, verify_submitting))
                class="btn btn-primary"
            />
        </form>
    }
    .into_any()
}
