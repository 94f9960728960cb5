//! The notice choices on `/security`: the notices one may switch off, the
//! security notices that are always sent (shown, ticked and disabled), and
//! the language notices are written in. A plain form: it works without
//! JavaScript.

use crate::components::form_alert::FormAlert;
use crate::errors::error_text;
use crate::i18n::*;
use crate::notifications_api::{load_notification_preferences, SaveNotificationPreferences};
use leptos::prelude::*;
use shared::notifications::NotificationPreferences;

#[component]
pub fn NotificationPreferencesForm() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SaveNotificationPreferences>::new();
    let prefs = Resource::new_blocking(
        move || action.version().get(),
        |_| load_notification_preferences(),
    );
    view! {
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match prefs.await {
                    Ok(p) => view! { <PreferencesForm prefs=p action=action/> }.into_any(),
                    Err(e) => view! { <p class="form-alert" role="alert">{error_text(i18n, &e)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn PreferencesForm(
    prefs: NotificationPreferences,
    action: ServerAction<SaveNotificationPreferences>,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = Signal::derive(move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| error_text(i18n, &e).to_string())
    });
    let saved = move || matches!(action.value().get(), Some(Ok(_)));
    let lang = prefs.lang.clone().unwrap_or_default();
    let always_on = [
        t_string!(i18n, notif_contact_changed),
        t_string!(i18n, notif_pin),
        t_string!(i18n, notif_new_device),
        t_string!(i18n, notif_frozen_closed),
        t_string!(i18n, notif_password_reset),
    ];
    view! {
        <ActionForm action=action attr:class="stack-form">
            <fieldset class="code-box">
                <legend>{t!(i18n, notif_optional_legend)}</legend>
                <label class="check">
                    <input type="checkbox" name="review_decided" value="on" checked=prefs.review_decided/>
                    " " {t!(i18n, notif_review)}
                </label>
                <label class="check">
                    <input type="checkbox" name="account_unfrozen" value="on" checked=prefs.account_unfrozen/>
                    " " {t!(i18n, notif_unfrozen)}
                </label>
                <label class="check">
                    <input type="checkbox" name="money_received" value="on" checked=prefs.money_received/>
                    " " {t!(i18n, notif_money)}
                </label>
            </fieldset>
            <fieldset class="code-box" aria-describedby="notif-security-note">
                <legend>{t!(i18n, notif_security_legend)}</legend>
                <p class="muted" id="notif-security-note">{t!(i18n, notif_security_note)}</p>
                {always_on
                    .into_iter()
                    .map(|label| view! {
                        <label class="check">
                            <input type="checkbox" checked=true disabled=true/>
                            " " {label}
                        </label>
                    })
                    .collect_view()}
            </fieldset>
            <div class="field">
                <label for="notif-lang">{t!(i18n, notif_lang)}</label>
                <select id="notif-lang" name="lang">
                    <option value="" selected=lang.is_empty()>{t!(i18n, notif_lang_page)}</option>
                    <option value="en" selected=lang == "en">"English"</option>
                    <option value="zh-CN" selected=lang == "zh-CN">"简体中文"</option>
                </select>
            </div>
            <FormAlert message=error/>
            <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                {t!(i18n, notif_save)}
            </button>
            <p class="form-success" role="status">{move || saved().then_some(t!(i18n, notif_saved))}</p>
        </ActionForm>
    }
    .into_any()
}
