//! An image captcha with a "New image" button and its answer field.

use crate::components::field::TextField;
use crate::i18n::*;
use crate::verification_api::new_captcha;
use leptos::prelude::*;

/// The captcha's state, owned by the form that sends it. Each image allows
/// one guess, so forms call [`CaptchaState::renew`] after every attempt.
#[derive(Clone, Copy)]
pub struct CaptchaState {
    pub key: RwSignal<String>,
    pub answer: RwSignal<String>,
    generation: RwSignal<u32>,
}

impl CaptchaState {
    pub fn new() -> Self {
        CaptchaState {
            key: RwSignal::new(String::new()),
            answer: RwSignal::new(String::new()),
            generation: RwSignal::new(0),
        }
    }

    /// Loads a new image and clears the answer.
    pub fn renew(&self) {
        self.answer.set(String::new());
        self.generation.update(|g| *g += 1);
    }
}

impl Default for CaptchaState {
    fn default() -> Self {
        Self::new()
    }
}

#[component]
pub fn CaptchaField(
    id: &'static str,
    state: CaptchaState,
    #[prop(into)] error: Signal<Option<&'static str>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let challenge = Resource::new(move || state.generation.get(), |_| new_captcha());
    Effect::new(move |_| {
        if let Some(Ok(c)) = challenge.get() {
            state.key.set(c.key);
        }
    });
    view! {
        <div class="captcha">
            <div class="captcha-row">
                // Suspense, not Transition: while a new image loads, the used
                // one (and its key) must not stay on screen.
                <Suspense fallback=move || view! { <span class="captcha-placeholder">{t!(i18n, captcha_loading)}</span> }>
                    {move || Suspend::new(async move {
                        challenge.await.ok().map(|c| view! {
                            <img
                                class="captcha-image"
                                src=c.image
                                alt=move || t_string!(i18n, captcha_alt)
                                width="200"
                                height="70"
                            />
                            <input type="hidden" name="captcha_key" value=c.key/>
                        })
                    })}
                </Suspense>
                <button
                    type="button"
                    class="btn btn-secondary btn-small"
                    on:click=move |_| state.renew()
                >
                    {t!(i18n, captcha_new)}
                </button>
            </div>
            <TextField
                id=id
                name="captcha_answer"
                label=Signal::derive(move || t_string!(i18n, field_captcha))
                value=state.answer
                error=error
            />
        </div>
    }
    .into_any()
}
