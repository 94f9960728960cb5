//! The site header: brand, sign-in state, log out, language switch and,
//! when signed in, the navigation between the account pages.

use crate::api::{current_user, Logout};
use crate::components::avatar_editor::avatar_src;
use crate::components::session_keeper::use_auth_epoch;
use crate::components::submit_button::SubmitButton;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

#[component]
pub fn SiteHeader() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let logout = ServerAction::<Logout>::new();
    let epoch = use_auth_epoch();
    // Refetched on every navigation and after logging out, so the header
    // follows sign-in and sign-out redirects.
    let user = Resource::new(
        move || {
            (
                location.pathname.get(),
                logout.version().get(),
                epoch.0.get(),
            )
        },
        |_| current_user(),
    );
    view! {
        <a class="skip-link" href="#main">{t!(i18n, skip_to_content)}</a>
        <header class="site-header">
            <div class="header-inner">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"U"</span>
                    <span>{t!(i18n, brand)}</span>
                </A>
                <div class="header-nav">
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            match user.await {
                                Ok(Some(u)) => {
                                    let name = u.short_name();
                                    let avatar = avatar_src(&u, true);
                                    view! {
                                        <A href="/profile" attr:class="nav-link nav-user">
                                            <img
                                                class="avatar-img"
                                                src=avatar
                                                alt=move || t_string!(i18n, avatar_alt)
                                                width="32"
                                                height="32"
                                            />
                                            <span class="nav-user-name">{name.clone()}</span>
                                        </A>
                                        <ActionForm action=logout attr:class="inline-form">
                                            <SubmitButton
                                                pending=logout.pending()
                                                label=Signal::derive(move || t_string!(i18n, nav_log_out))
                                                pending_label=Signal::derive(move || t_string!(i18n, nav_logging_out))
                                                class="btn btn-ghost"
                                            />
                                        </ActionForm>
                                    }
                                        .into_any()
                                }
                                _ => view! {
                                    <A href="/login" attr:class="nav-link">{t!(i18n, nav_sign_in)}</A>
                                    <A href="/signup" attr:class="btn btn-primary btn-small">{t!(i18n, nav_sign_up)}</A>
                                }
                                    .into_any(),
                            }
                        })}
                    </Transition>
                    <LanguageSwitch/>
                </div>
            </div>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match user.await {
                        Ok(Some(u)) => view! { <AccountNav staff=u.is_staff()/> }.into_any(),
                        _ => ().into_any(),
                    }
                })}
            </Transition>
        </header>
    }
}

/// Links between the signed-in user's pages (and the console, for staff):
/// a labelled navigation landmark under the header bar. The link of the page
/// shown carries `aria-current="page"` (the router's `<A>` sets it; the
/// console's link stays current on its sub-pages).
#[component]
fn AccountNav(staff: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="account-nav" aria-label=move || t_string!(i18n, nav_account_label)>
            <div class="account-nav-inner">
                <A href="/profile" attr:class="account-link">{t!(i18n, nav_profile)}</A>
                <A href="/security" attr:class="account-link">{t!(i18n, nav_security)}</A>
                <A href="/wallet" attr:class="account-link">{t!(i18n, nav_wallet)}</A>
                {staff.then(|| view! { <A href="/admin" attr:class="account-link">{t!(i18n, nav_admin)}</A> })}
            </div>
        </nav>
    }
    .into_any()
}

/// A labelled `<select>`: changing it switches the language at once and
/// remembers the choice in a cookie (leptos_i18n).
#[component]
fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let on_change = move |ev| {
        let value = event_target_value(&ev);
        if let Some(locale) = Locale::get_all().iter().find(|l| l.as_str() == value) {
            i18n.set_locale(*locale);
        }
    };
    view! {
        <div class="lang-switch">
            <label for="language" class="visually-hidden">{t!(i18n, language)}</label>
            <select id="language" on:change=on_change>
                <option value="en" selected=move || i18n.get_locale() == Locale::en>"English"</option>
                <option value="zh-CN" selected=move || i18n.get_locale() == Locale::zh_CN>"简体中文"</option>
            </select>
        </div>
    }
}
