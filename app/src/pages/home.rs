//! `/`: a short welcome with the way in.

use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="hero">
            <h1>{t!(i18n, home_title)}</h1>
            <p class="lead">{t!(i18n, home_lead)}</p>
            <div class="hero-actions">
                <A href="/signup" attr:class="btn btn-primary">{t!(i18n, home_create)}</A>
                <A href="/login" attr:class="btn btn-secondary">{t!(i18n, nav_sign_in)}</A>
            </div>
        </section>
    }
}
