//! The separate consent to processing identity documents (PIPL art. 29),
//! asked before the real-name form, with its state and its withdrawal.

use crate::components::form_alert::FormAlert;
use crate::components::form_errors::{source, FormErrors};
use crate::components::profile_forms::RealNameForm;
use crate::components::submit_button::SubmitButton;
use crate::i18n::*;
use crate::privacy_api::{my_consent, GiveConsent, WithdrawConsent};
use leptos::prelude::*;
use shared::privacy::{Consent, IDENTITY_DOCUMENTS_CONSENT_VERSION};

/// When the consent is in force: its state, the withdrawal, and (while a
/// submission is possible) the real-name form. Else the text and "I agree".
#[component]
pub fn IdentityConsent(changed: RwSignal<u32>, can_submit: bool) -> impl IntoView {
    let give = ServerAction::<GiveConsent>::new();
    let withdraw = ServerAction::<WithdrawConsent>::new();
    let consent = Resource::new(
        move || {
            (
                changed.get(),
                give.version().get(),
                withdraw.version().get(),
            )
        },
        |_| my_consent(),
    );
    Effect::new(move |_| {
        if let Some(Ok(_)) = withdraw.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match consent.await {
                    Ok(c) if c.in_force => view! {
                        <ConsentState consent=c withdraw=withdraw/>
                        {can_submit.then(|| view! { <RealNameForm changed=changed/> })}
                    }
                    .into_any(),
                    Ok(c) => view! { <ConsentText consent=c give=give/> }.into_any(),
                    Err(_) => ().into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ConsentText(consent: Consent, give: ServerAction<GiveConsent>) -> impl IntoView {
    let i18n = use_i18n();
    let errors = FormErrors::latest(vec![source(give)]);
    let withdrawn = consent.withdrawn_at.clone();
    view! {
        <section class="consent" aria-labelledby="consent-title">
            <h3 id="consent-title">{t!(i18n, consent_title)}</h3>
            <p>{t!(i18n, consent_text_what)}</p>
            <p>{t!(i18n, consent_text_why)}</p>
            <p>{t!(i18n, consent_text_rights)}</p>
            {withdrawn.map(|at| view! {
                <p class="hint" data-testid="consent-state">
                    {t_string!(i18n, consent_withdrawn_on, at = short_time(&at)).to_string()}
                </p>
            })}
            <ActionForm action=give attr:class="inline-form">
                <FormAlert message=errors.form(&[])/>
                <input type="hidden" name="version" value=IDENTITY_DOCUMENTS_CONSENT_VERSION.to_string()/>
                <SubmitButton
                    pending=give.pending()
                    label=Signal::derive(move || t_string!(i18n, consent_agree))
                    pending_label=Signal::derive(move || t_string!(i18n, profile_saving))
                    class="btn btn-primary"
                />
            </ActionForm>
        </section>
    }
}

#[component]
fn ConsentState(consent: Consent, withdraw: ServerAction<WithdrawConsent>) -> impl IntoView {
    let i18n = use_i18n();
    let errors = FormErrors::latest(vec![source(withdraw)]);
    let given = consent.given_at.clone().unwrap_or_default();
    let version = consent.version.unwrap_or(consent.current_version);
    view! {
        <div class="consent-state">
            <p data-testid="consent-state">
                <span class="badge badge-ok">{t!(i18n, consent_given_badge)}</span>
                " "
                {t_string!(i18n, consent_given_on, version = version, at = short_time(&given)).to_string()}
            </p>
            <ActionForm action=withdraw attr:class="inline-form">
                <FormAlert message=errors.form(&[])/>
                <p class="hint">{t!(i18n, consent_withdraw_hint)}</p>
                <SubmitButton
                    pending=withdraw.pending()
                    label=Signal::derive(move || t_string!(i18n, consent_withdraw))
                    pending_label=Signal::derive(move || t_string!(i18n, profile_saving))
                    class="btn btn-secondary"
                />
            </ActionForm>
        </div>
    }
}

/// `2026-11-30 14:05 UTC` from RFC 3339.
fn short_time(rfc3339: &str) -> String {
    let t = rfc3339.replace('T', " ");
    let t = t.trim_end_matches('Z');
    format!("{} UTC", t.get(..16).unwrap_or(t))
}
