//! The "Send code" button: asks the server to send a verification code, then
//! says where it went and counts down until another may be requested.

use crate::components::captcha::CaptchaState;
use crate::i18n::*;
use crate::verification_api::SendCode;
use leptos::prelude::*;
use shared::ErrorCode;

/// Sends a code for `purpose` to `contact`. Errors are left in `action` for
/// the form to show next to its fields.
#[component]
pub fn SendCodeButton(
    action: ServerAction<SendCode>,
    #[prop(into)] contact: Signal<String>,
    purpose: &'static str,
    /// Present when a captcha must be solved first; renewed after each try.
    #[prop(optional)]
    captcha: Option<CaptchaState>,
) -> impl IntoView {
    let i18n = use_i18n();
    let remaining = RwSignal::new(0i64);
    let ticker = StoredValue::new(None::<leptos::leptos_dom::helpers::IntervalHandle>);
    let stop = move || {
        if let Some(handle) = ticker.get_value() {
            handle.clear();
            ticker.set_value(None);
        }
    };

    // Start the countdown after a send (or a "too soon" answer).
    Effect::new(move |_| {
        let Some(result) = action.value().get() else {
            return;
        };
        if let Some(c) = captcha {
            c.renew();
        }
        let secs = match &result {
            Ok(sent) => sent.retry_after_secs,
            Err(e) if e.code == ErrorCode::CodeSendTooSoon => e.retry_after_secs.unwrap_or(0),
            Err(_) => 0,
        };
        stop();
        remaining.set(secs);
        if secs > 0 {
            let handle = set_interval_with_handle(
                move || {
                    remaining.update(|r| *r = (*r - 1).max(0));
                    if remaining.get_untracked() == 0 {
                        stop();
                    }
                },
                std::time::Duration::from_secs(1),
            );
            ticker.set_value(handle.ok());
        }
    });
    on_cleanup(stop);

    let send = move |_| {
        if action.pending().get_untracked() || remaining.get_untracked() > 0 {
            return;
        }
        let (captcha_key, captcha_answer) = captcha
            .map(|c| (c.key.get_untracked(), c.answer.get_untracked()))
            .unwrap_or_default();
        action.dispatch(SendCode {
            contact: contact.get_untracked(),
            purpose: purpose.to_string(),
            captcha_key,
            captcha_answer,
        });
    };
    let sent = move || action.value().get().and_then(Result::ok);

    view! {
        <div class="send-code">
            <button
                type="button"
                class="btn btn-secondary"
                on:click=send
                disabled=move || action.pending().get() || remaining.get().is_positive()
                aria-busy=move || if action.pending().get() { "true" } else { "false" }
            >
                {move || {
                    let secs = remaining.get();
                    if action.pending().get() {
                        t_string!(i18n, sending_code).to_string()
                    } else if secs > 0 {
                        t_string!(i18n, resend_in, secs = secs).to_string()
                    } else {
                        t_string!(i18n, send_code).to_string()
                    }
                }}
            </button>
            <p class="send-code-status" role="status">
                {move || sent().map(|s| {
                    t_string!(i18n, code_sent_to, to = s.sent_to.clone(), minutes = s.expires_in_secs / 60)
                        .to_string()
                })}
            </p>
        </div>
    }
    .into_any()
}
