//! Editing the profile and submitting the real name for verification.

use crate::components::form_errors::{source, FormErrors};
use crate::components::submit_button::SubmitButton;
use crate::components::upload::{chosen_file, upload_document};
use crate::components::{field::TextField, form_alert::FormAlert};
use crate::errors::error_text;
use crate::i18n::*;
use crate::profile_api::{country_options, SubmitQualification, SubmitRealName, UpdateProfile};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use shared::dto::UserProfile;
use shared::identity::{Gender, IdType};
use shared::media::ACCEPTED_IMAGE_TYPES;
use shared::profile::VerificationState;
use shared::{AppError, Field};

pub fn gender_label(i18n: leptos_i18n::I18nContext<Locale>, g: Gender) -> &'static str {
    match g {
        Gender::Unspecified => t_string!(i18n, gender_unspecified),
        Gender::Male => t_string!(i18n, gender_male),
        Gender::Female => t_string!(i18n, gender_female),
    }
}

/// A review's state in the page's language (call it inside a closure, so a
/// language switch re-renders it).
pub fn verification_label(
    i18n: leptos_i18n::I18nContext<Locale>,
    state: VerificationState,
) -> &'static str {
    match state {
        VerificationState::Unverified => t_string!(i18n, verification_unverified),
        VerificationState::Pending => t_string!(i18n, verification_pending),
        VerificationState::Verified => t_string!(i18n, verification_verified),
        VerificationState::Rejected => t_string!(i18n, verification_rejected),
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
    let id_country = RwSignal::new(user.id_country.clone());
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
            id_country: id_country.get_untracked(),
        });
    };
    let field_error = move |f: Field| errors.field(f, |_| None);
    let id_locked = matches!(
        user.verification,
        VerificationState::Pending | VerificationState::Verified
    );
    view! {
        <form method="post" action=UpdateProfile::url() on:submit=on_submit novalidate class="stack-form">
            <FormAlert message=errors.form(&[Field::Gender, Field::IdType])/>
            <TextField
                id="profile-display-name"
                name="display_name"
                autocomplete="nickname"
                label=Signal::derive(move || t_string!(i18n, field_display_name))
                optional_text=Signal::derive(move || t_string!(i18n, optional))
                value=display_name
                error=field_error(Field::DisplayName)
            />
            <IdentityFields
                of=IdentityForm::Profile
                gender=gender
                id_country=id_country
                id_type=id_type
                id_number=id_number
                document=!id_locked
                errors=errors
            />
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

/// Which form the identity fields are on: their element ids differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentityForm {
    Profile,
    Signup,
}

impl IdentityForm {
    /// The element ids of gender, country, type and number.
    fn ids(self) -> [&'static str; 4] {
        match self {
            IdentityForm::Profile => [
                "profile-gender",
                "profile-id-country",
                "profile-id-type",
                "profile-id-number",
            ],
            IdentityForm::Signup => [
                "signup-gender",
                "signup-id-country",
                "signup-id-type",
                "signup-id-number",
            ],
        }
    }
}

/// Gender and the ID document (issuing country, type, number): the
/// profile's fields, on the profile page and at sign-up. The server checks
/// them with the same rules in both places. Errors about the gender or the
/// type (which have no text of their own) belong in the form's alert.
#[component]
pub fn IdentityFields(
    of: IdentityForm,
    gender: RwSignal<String>,
    id_country: RwSignal<String>,
    id_type: RwSignal<String>,
    id_number: RwSignal<String>,
    /// Whether the ID document may be edited (not while a real-name review
    /// is pending or approved).
    #[prop(default = true)]
    document: bool,
    errors: FormErrors,
) -> impl IntoView {
    let i18n = use_i18n();
    let [gender_id, country_id, type_id, number_id] = of.ids();
    let country_error_id = format!("{country_id}-error");
    let field_error = move |f: Field| errors.field(f, |_| None);
    view! {
        <div class="field">
            <label for=gender_id>{t!(i18n, field_gender)}</label>
            <select
                id=gender_id
                name="gender"
                prop:value=move || gender.get()
                on:change=move |ev| gender.set(event_target_value(&ev))
            >
                {Gender::ALL
                    .iter()
                    .map(|g| {
                        let g = *g;
                        view! { <option value=g.as_str()>{move || gender_label(i18n, g)}</option> }
                    })
                    .collect_view()}
            </select>
        </div>
        {document.then(|| view! {
            <div class="field" class:field-invalid=move || field_error(Field::IdCountry).get().is_some()>
                <label for=country_id>{t!(i18n, field_id_country)}</label>
                <CountrySelect id=country_id value=id_country described_by=country_error_id.clone()/>
                <p class="field-error" id=country_error_id.clone()>{move || field_error(Field::IdCountry).get()}</p>
            </div>
            <div class="field">
                <label for=type_id>{t!(i18n, field_id_type)}</label>
                <select
                    id=type_id
                    name="id_type"
                    prop:value=move || id_type.get()
                    on:change=move |ev| id_type.set(event_target_value(&ev))
                >
                    {IdType::ALL
                        .iter()
                        .map(|t| {
                            let t = *t;
                            view! { <option value=t.as_str()>{move || id_type_label(i18n, t)}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <TextField
                id=number_id
                name="id_number"
                autocomplete="off"
                label=Signal::derive(move || t_string!(i18n, field_id_number))
                optional_text=Signal::derive(move || t_string!(i18n, optional))
                value=id_number
                error=field_error(Field::IdNumber)
            />
        })}
    }
}

/// The ID document's issuing country. The options (CLDR names in the page's
/// language, sorted as that language sorts) come from the server: rendered
/// with the page, fetched again after a language switch. Until they arrive
/// the select holds just the current code, so the form still submits it.
#[component]
fn CountrySelect(id: &'static str, value: RwSignal<String>, described_by: String) -> impl IntoView {
    let i18n = use_i18n();
    let options = Resource::new(
        move || crate::pages::wallet::ui_lang(i18n),
        |lang| country_options(lang.to_string()),
    );
    let described_for_fallback = described_by.clone();
    let select = move |list: Vec<(String, String)>, described_by: String| {
        let list = if list.is_empty() {
            let code = value.get_untracked();
            vec![(code.clone(), code)]
        } else {
            list
        };
        view! {
            <select
                id=id
                name="id_country"
                aria-describedby=described_by
                prop:value=move || value.get()
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                {list
                    .into_iter()
                    .map(|(code, name)| {
                        let selected = value.get_untracked() == code;
                        view! { <option value=code selected=selected>{name}</option> }
                    })
                    .collect_view()}
            </select>
        }
        .into_any()
    };
    view! {
        <Transition fallback=move || select(Vec::new(), described_for_fallback.clone())>
            {move || {
                let described_by = described_by.clone();
                Suspend::new(async move { select(options.await.unwrap_or_default(), described_by) })
            }}
        </Transition>
    }
    .into_any()
}

/// Uploads the photo chosen in `input` (if any) as a document of `kind`.
async fn upload_chosen(
    input: NodeRef<leptos::html::Input>,
    kind: &'static str,
) -> Result<Option<i64>, AppError> {
    match chosen_file(input) {
        Some(file) => upload_document(kind, file).await.map(Some),
        None => Ok(None),
    }
}

/// An optional photo input of a submission form.
#[component]
fn PhotoField(
    id: &'static str,
    #[prop(into)] label: Signal<&'static str>,
    input: NodeRef<leptos::html::Input>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for=id>
                {move || label.get()}
                <span class="optional">" (" {move || t_string!(i18n, optional)} ")"</span>
            </label>
            <input type="file" id=id accept=ACCEPTED_IMAGE_TYPES node_ref=input/>
        </div>
    }
}

/// The upload error, else the form's own: both show at the top.
fn upload_or_form_error(
    upload: RwSignal<Option<AppError>>,
    form: Signal<Option<String>>,
) -> Signal<Option<String>> {
    let i18n = use_i18n();
    Signal::derive(move || {
        upload
            .get()
            .map(|e| error_text(i18n, &e).to_string())
            .or_else(|| form.get())
    })
}

/// Real name and resident ID number, with optional photos of the ID card,
/// sent for review. Photos are uploaded first (the submission references
/// them); without JavaScript the form still submits the name and number.
#[component]
pub fn RealNameForm(changed: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SubmitRealName>::new();
    let real_name = RwSignal::new(String::new());
    let id_number = RwSignal::new(String::new());
    let front = NodeRef::<leptos::html::Input>::new();
    let back = NodeRef::<leptos::html::Input>::new();
    let uploading = RwSignal::new(false);
    let upload_error = RwSignal::new(None::<AppError>);
    let errors = FormErrors::latest(vec![source(action)]);
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if action.pending().get_untracked() || uploading.get_untracked() {
            return;
        }
        upload_error.set(None);
        uploading.set(true);
        leptos::task::spawn_local(async move {
            let photos = async {
                Ok::<_, AppError>((
                    upload_chosen(front, "id_front").await?,
                    upload_chosen(back, "id_back").await?,
                ))
            }
            .await;
            uploading.set(false);
            match photos {
                Ok((front, back)) => {
                    action.dispatch(SubmitRealName {
                        real_name: real_name.get_untracked(),
                        id_number: id_number.get_untracked(),
                        id_front_document: front,
                        id_back_document: back,
                    });
                }
                Err(e) => upload_error.set(Some(e)),
            }
        });
    };
    let field_error = move |f: Field| errors.field(f, |_| None);
    let busy = Signal::derive(move || uploading.get() || action.pending().get());
    view! {
        <form method="post" action=SubmitRealName::url() on:submit=on_submit novalidate class="stack-form">
            <p class="muted">{t!(i18n, verify_lead)}</p>
            <FormAlert message=upload_or_form_error(upload_error, errors.form(&[Field::Gender]))/>
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
            <PhotoField id="verify-id-front" label=Signal::derive(move || t_string!(i18n, field_id_front_photo)) input=front/>
            <PhotoField id="verify-id-back" label=Signal::derive(move || t_string!(i18n, field_id_back_photo)) input=back/>
            <SubmitButton
                pending=busy
                label=Signal::derive(move || t_string!(i18n, verify_submit))
                pending_label=Signal::derive(move || t_string!(i18n, verify_submitting))
                class="btn btn-primary"
            />
        </form>
    }
    .into_any()
}

/// The qualification document: what it is and an optional photo, sent for
/// its own review.
#[component]
pub fn QualificationForm(changed: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SubmitQualification>::new();
    let document = RwSignal::new(String::new());
    let photo = NodeRef::<leptos::html::Input>::new();
    let uploading = RwSignal::new(false);
    let upload_error = RwSignal::new(None::<AppError>);
    let errors = FormErrors::latest(vec![source(action)]);
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if action.pending().get_untracked() || uploading.get_untracked() {
            return;
        }
        upload_error.set(None);
        uploading.set(true);
        leptos::task::spawn_local(async move {
            let uploaded = upload_chosen(photo, "qualification").await;
            uploading.set(false);
            match uploaded {
                Ok(document_id) => {
                    action.dispatch(SubmitQualification {
                        document: document.get_untracked(),
                        document_id,
                    });
                }
                Err(e) => upload_error.set(Some(e)),
            }
        });
    };
    let busy = Signal::derive(move || uploading.get() || action.pending().get());
    view! {
        <form method="post" action=SubmitQualification::url() on:submit=on_submit novalidate class="stack-form">
            <p class="muted">{t!(i18n, qualification_lead)}</p>
            <FormAlert message=upload_or_form_error(upload_error, errors.form(&[]))/>
            <TextField
                id="qualification-document"
                name="document"
                autocomplete="off"
                label=Signal::derive(move || t_string!(i18n, field_qualification_document))
                value=document
                error=Signal::derive(|| None)
            />
            <PhotoField id="qualification-photo" label=Signal::derive(move || t_string!(i18n, field_qualification_photo)) input=photo/>
            <SubmitButton
                pending=busy
                label=Signal::derive(move || t_string!(i18n, qualification_submit))
                pending_label=Signal::derive(move || t_string!(i18n, verify_submitting))
                class="btn btn-primary"
            />
        </form>
    }
    .into_any()
}

/// The qualification review's state, and the form while one may submit.
#[component]
pub fn QualificationSection(changed: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let state = Resource::new(
        move || changed.get(),
        |_| crate::profile_api::my_qualification(),
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(v) = state.await else {
                    return ().into_any();
                };
                let state_now = v.state;
                let badge = match v.state {
                    VerificationState::Verified => "badge badge-ok",
                    VerificationState::Pending => "badge badge-warn",
                    VerificationState::Rejected => "badge",
                    VerificationState::Unverified => "badge badge-neutral",
                };
                let can_submit = matches!(v.state, VerificationState::Unverified | VerificationState::Rejected);
                let reason = v.reason.clone().filter(|_| v.state == VerificationState::Rejected);
                view! {
                    <p data-testid="qualification-state">
                        {t!(i18n, qualification_state)} " " <span class=badge>{move || verification_label(i18n, state_now)}</span>
                    </p>
                    {reason.map(|r| view! { <p class="hint">{t_string!(i18n, verify_rejected_reason, reason = r).to_string()}</p> })}
                    {can_submit.then(|| view! { <QualificationForm changed=changed/> })}
                }
                .into_any()
            })}
        </Transition>
    }
}
