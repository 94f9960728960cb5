//! `/profile`: the signed-in user's account. Signed-out visitors are sent to
//! `/login?next=/profile` (an HTTP redirect on first load).

use crate::api::current_user;
use crate::components::avatar_editor::{avatar_src, AvatarEditor, AvatarNotice};
use crate::components::consent::IdentityConsent;
use crate::components::profile_forms::{
    gender_label, id_type_label, verification_label, ProfileEditor, QualificationSection,
};
use crate::errors::error_text;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::{Redirect, A};
use shared::dto::UserProfile;
use shared::profile::{AccountState, VerificationState};

#[component]
pub fn ProfilePage() -> impl IntoView {
    let i18n = use_i18n();
    // Bumped after an edit or a submission: the card reloads.
    let changed = RwSignal::new(0u32);
    let saved = RwSignal::new(false);
    let avatar_notice = RwSignal::new(None::<AvatarNotice>);
    let user = Resource::new_blocking(move || changed.get(), |_| current_user());
    view! {
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(u)) => view! { <ProfileCard user=u changed=changed saved=saved avatar_notice=avatar_notice/> }.into_any(),
                    Ok(None) => view! { <Redirect path="/login?next=/profile"/> }.into_any(),
                    Err(e) => view! { <p class="form-alert" role="alert">{error_text(i18n, &e)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ProfileCard(
    user: UserProfile,
    changed: RwSignal<u32>,
    saved: RwSignal<bool>,
    avatar_notice: RwSignal<Option<AvatarNotice>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let not_set = move || t_string!(i18n, profile_not_set);
    let opt = move |v: Option<String>| match v {
        Some(v) => view! { <dd>{v}</dd> }.into_any(),
        None => view! { <dd class="muted">{not_set}</dd> }.into_any(),
    };
    let contact = move |v: Option<String>, verified: bool| {
        match v {
        Some(v) => view! {
            <dd>
                <span>{v}</span>
                " "
                {if verified {
                    view! { <span class="badge badge-ok">{t!(i18n, verified)}</span> }.into_any()
                } else {
                    view! { <span class="badge badge-warn">{t!(i18n, unverified)}</span> }.into_any()
                }}
            </dd>
        }
        .into_any(),
        None => view! { <dd class="muted">{not_set}</dd> }.into_any(),
    }
    };
    let verification = user.verification;
    let rejected_reason = user
        .verification_reason
        .clone()
        .filter(|_| verification == VerificationState::Rejected);
    let can_submit = matches!(
        verification,
        VerificationState::Unverified | VerificationState::Rejected
    );
    let editable = user.clone();
    let head_avatar = avatar_src(&user, false);
    let for_avatar = user.clone();
    let active = user.account_state == AccountState::Active;
    let created = user
        .created_at
        .replace('T', " ")
        .trim_end_matches('Z')
        .to_string()
        + " UTC";
    view! {
        <div class="page profile-page">
            <div class="page-head profile-head">
                <img class="avatar-img avatar-img-large" src=head_avatar alt="" width="56" height="56"/>
                <h1 id="profile-title">{t!(i18n, profile_title)}</h1>
            </div>
            <div class="panels">
                <section class="card panel">
                    <h2 id="account-title">{t!(i18n, profile_account_title)}</h2>
                    <dl class="details">
                        <dt>{t!(i18n, profile_user_id)}</dt>
                        <dd data-testid="user-id">{user.id}</dd>
                        <dt>{t!(i18n, profile_email)}</dt>
                        {contact(user.email.clone(), user.email_verified)}
                        <dt>{t!(i18n, profile_phone)}</dt>
                        {contact(user.phone.clone(), user.phone_verified)}
                        <dt>{t!(i18n, profile_username)}</dt>
                        {opt(user.username.clone())}
                        <dt>{t!(i18n, profile_display_name)}</dt>
                        {opt(user.display_name.clone())}
                        <dt>{t!(i18n, profile_real_name)}</dt>
                        {opt(user.real_name.clone())}
                        <dt>{t!(i18n, profile_gender)}</dt>
                        <dd>{let gender = user.gender; move || gender_label(i18n, gender)}</dd>
                        <dt>{t!(i18n, profile_id_document)}</dt>
                        {let (masked, id_type) = (user.id_number_masked.clone(), user.id_type);
                         move || opt(masked.clone().map(|n| format!("{} {}", id_type_label(i18n, id_type), n)))}
                        <dt>{t!(i18n, profile_verification)}</dt>
                        <dd>
                            <span class=match verification {
                                VerificationState::Verified => "badge badge-ok",
                                VerificationState::Pending => "badge badge-warn",
                                VerificationState::Rejected => "badge",
                                VerificationState::Unverified => "badge badge-neutral",
                            }>
                                {move || verification_label(i18n, verification)}
                            </span>
                            {rejected_reason.map(|r| view! { <p class="hint">{t_string!(i18n, verify_rejected_reason, reason = r).to_string()}</p> })}
                        </dd>
                        <dt>{t!(i18n, profile_status)}</dt>
                        <dd>
                            <span class="badge" class:badge-ok=active>
                                {move || if active { t_string!(i18n, status_normal) } else { t_string!(i18n, status_other) }}
                            </span>
                        </dd>
                        <dt>{t!(i18n, profile_created)}</dt>
                        <dd><time datetime=user.created_at.clone()>{created}</time></dd>
                    </dl>
                    <p class="card-footer-link">
                        <A href="/security">{t!(i18n, profile_manage_security)} " →"</A>
                    </p>
                    <p class="card-footer-link">
                        <A href="/wallet">{t!(i18n, profile_open_wallet)} " →"</A>
                    </p>
                </section>
                <AvatarEditor user=for_avatar changed=changed notice=avatar_notice/>
                <section class="card panel">
                    <h2 id="edit-title">{t!(i18n, profile_edit_title)}</h2>
                    <ProfileEditor user=editable changed=changed saved=saved/>
                </section>
                <div class="card panel panel-wide verify-panel">
                    <div class="verify-part">
                        <h2 id="verify-title">{t!(i18n, verify_title)}</h2>
                        <IdentityConsent changed=changed can_submit=can_submit/>
                    </div>
                    <div class="verify-part">
                        <h2 id="qualification-title">{t!(i18n, qualification_title)}</h2>
                        <QualificationSection changed=changed/>
                    </div>
                </div>
                <section class="card panel panel-wide" aria-labelledby="your-data-title">
                    <h2 id="your-data-title">{t!(i18n, data_title)}</h2>
                    <p class="muted">{t!(i18n, data_lead)}</p>
                    <p>
                        <a class="btn btn-secondary" href="/api/v1/me/export" download="" rel="external">
                            {t!(i18n, data_download)}
                        </a>
                    </p>
                </section>
            </div>
        </div>
    }
}
