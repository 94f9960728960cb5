//! `/security`: the password, the email and phone with their verified state,
//! the notice choices, and the active sessions (revoke one, or all but this
//! one).

use crate::api::{current_user, list_sessions, RevokeOtherSessions, RevokeSession};
use crate::components::change_password::ChangePasswordForm;
use crate::components::contact_editor::{ContactEditor, ContactKind};
use crate::components::device_list::DeviceList;
use crate::components::notification_prefs::NotificationPreferencesForm;
use crate::errors::error_text;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use shared::dto::SessionInfo;
use shared::ErrorCode;

#[component]
pub fn SecurityPage() -> impl IntoView {
    let i18n = use_i18n();
    let revoke = ServerAction::<RevokeSession>::new();
    let revoke_others = ServerAction::<RevokeOtherSessions>::new();
    let password_changed = RwSignal::new(0u32);
    let contact_changed = RwSignal::new(0u32);
    let sessions = Resource::new_blocking(
        move || {
            (
                revoke.version().get(),
                revoke_others.version().get(),
                password_changed.get(),
            )
        },
        |_| list_sessions(),
    );
    let profile = Resource::new_blocking(move || contact_changed.get(), |_| current_user());
    view! {
        <div class="page">
            <div class="page-head">
                <h1 id="security-title">{t!(i18n, security_title)}</h1>
                <p class="lead">{t!(i18n, security_lead)}</p>
            </div>
            <div class="panels">
                <section class="card panel">
                    <h2 id="password-title">{t!(i18n, security_password_title)}</h2>
                    <ChangePasswordForm changed=password_changed/>
                </section>
                <section class="card panel">
                    <h2 id="contacts-title">{t!(i18n, security_contacts_title)}</h2>
                    <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                        {move || Suspend::new(async move {
                            match profile.await {
                                Ok(Some(user)) => view! {
                                    <div class="contact-list">
                                        <ContactEditor
                                            kind=ContactKind::Email
                                            current=user.email.clone()
                                            verified=user.email_verified
                                            pending=user.pending_email.clone()
                                            changed=contact_changed
                                        />
                                        <ContactEditor
                                            kind=ContactKind::Phone
                                            current=user.phone.clone()
                                            verified=user.phone_verified
                                            pending=user.pending_phone.clone()
                                            changed=contact_changed
                                        />
                                    </div>
                                }.into_any(),
                                _ => ().into_any(),
                            }
                        })}
                    </Transition>
                </section>
                <section class="card panel">
                    <h2 id="notifications-title">{t!(i18n, notif_title)}</h2>
                    <p class="muted">{t!(i18n, notif_lead)}</p>
                    <NotificationPreferencesForm/>
                </section>
                <section class="card panel">
                    <h2 id="sessions-title">{t!(i18n, security_sessions_title)}</h2>
                    <p class="muted">{t!(i18n, security_sessions_lead)}</p>
                    <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                        {move || Suspend::new(async move {
                            match sessions.await {
                                Ok(list) => {
                                    let others = list.iter().filter(|s| !s.current).count();
                                    view! {
                                        <ul class="session-list" aria-label=move || t_string!(i18n, security_sessions_list)>
                                            {list
                                                .into_iter()
                                                .map(|s| view! { <SessionRow session=s revoke=revoke/> }.into_any())
                                                .collect_view()}
                                        </ul>
                                        {if others > 0 {
                                            view! {
                                                <ActionForm action=revoke_others attr:class="session-actions">
                                                    <button
                                                        type="submit"
                                                        class="btn btn-danger"
                                                        disabled=move || revoke_others.pending().get()
                                                    >
                                                        {t!(i18n, security_revoke_others)}
                                                    </button>
                                                </ActionForm>
                                            }
                                                .into_any()
                                        } else {
                                            view! { <p class="muted">{t!(i18n, security_only_this)}</p> }.into_any()
                                        }}
                                    }
                                        .into_any()
                                }
                                Err(e) if e.code == ErrorCode::Unauthenticated => {
                                    view! { <Redirect path="/login?next=/security"/> }.into_any()
                                }
                                Err(e) => view! { <p class="form-alert" role="alert">{error_text(i18n, &e)}</p> }.into_any(),
                            }
                        })}
                    </Transition>
                </section>
                <section class="card panel">
                    <h2 id="devices-title">{t!(i18n, devices_title)}</h2>
                    <DeviceList/>
                </section>
                <section class="card panel">
                    <h2 id="close-title">{t!(i18n, close_title)}</h2>
                    <crate::components::close_account::CloseAccountForm/>
                </section>
            </div>
        </div>
    }
    .into_any()
}

#[component]
fn SessionRow(session: SessionInfo, revoke: ServerAction<RevokeSession>) -> impl IntoView {
    let i18n = use_i18n();
    let when = |t: &str| t.replace('T', " ").trim_end_matches('Z').to_string() + " UTC";
    let created = when(&session.created_at);
    let seen = when(&session.last_seen_at);
    let current = session.current;
    let id = session.id.clone();
    view! {
        <li class="session" class:session-current=current>
            <div class="session-main">
                <p class="session-label">
                    {session.label.clone()}
                    {current.then(|| view! { <span class="badge badge-ok">{t!(i18n, security_this_device)}</span> })}
                </p>
                <dl class="session-meta">
                    <div><dt>{t!(i18n, security_signed_in)}</dt><dd>{created}</dd></div>
                    <div><dt>{t!(i18n, security_last_seen)}</dt><dd>{seen}</dd></div>
                    {session.ip.clone().map(|ip| view! { <div><dt>{t!(i18n, security_ip)}</dt><dd>{ip}</dd></div> })}
                </dl>
            </div>
            {(!current).then(|| view! {
                <ActionForm action=revoke>
                    <input type="hidden" name="id" value=id.clone()/>
                    <button
                        type="submit"
                        class="btn btn-secondary btn-small"
                        aria-label=format!("{} {}", t_string!(i18n, security_revoke), session.label)
                    >
                        {t!(i18n, security_revoke)}
                    </button>
                </ActionForm>
            })}
        </li>
    }
    .into_any()
}
