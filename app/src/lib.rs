//! The user center's web UI: pages, components and server functions.

#![recursion_limit = "512"]

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub mod activation_api;
pub mod admin_api;
pub mod api;
pub mod components;
pub mod currency_admin_api;
pub mod errors;
pub mod notifications_api;
pub mod pages;
pub mod profile_api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod verification_api;
pub mod wallet_api;

use crate::i18n::*;
use components::header::SiteHeader;
use components::session_keeper::{provide_auth_epoch, SessionKeeper};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Link, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};
use pages::security::SecurityPage;
use pages::{
    home::HomePage, login::LoginPage, not_found::NotFound, profile::ProfilePage, signup::SignupPage,
};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                // `/pkg/user-center.<hash>.css` when the build hashes file
                // names (the hash is read from `hash.txt` beside the binary).
                <HashedStylesheet options=options.clone() id="leptos"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_auth_epoch();
    view! {
        <I18nContextProvider>
            <Link rel="icon" href="/favicon.ico"/>
            <AppTitle/>
            <Router>
                <HydrationMarker/>
                <SessionKeeper/>
                <SiteHeader/>
                <main id="main" class="main" tabindex="-1">
                    <Routes fallback=NotFound>
                        <Route path=path!("/") view=HomePage/>
                        <Route path=path!("/signup") view=SignupPage ssr=SsrMode::Async/>
                        <Route path=path!("/login") view=LoginPage/>
                        <Route path=path!("/forgot") view=pages::forgot::ForgotPage ssr=SsrMode::Async/>
                        <Route path=path!("/activate") view=pages::activate::ActivatePage ssr=SsrMode::Async/>
                        <Route path=path!("/profile") view=ProfilePage ssr=SsrMode::Async/>
                        <Route path=path!("/security") view=SecurityPage ssr=SsrMode::Async/>
                        <Route path=path!("/wallet") view=pages::wallet::WalletPage ssr=SsrMode::Async/>
                        <Route path=path!("/admin") view=pages::admin::users::AdminUsersPage ssr=SsrMode::Async/>
                        <Route path=path!("/admin/users/:id") view=pages::admin::user::AdminUserPage ssr=SsrMode::Async/>
                        <Route path=path!("/admin/reviews") view=pages::admin::reviews::AdminReviewsPage ssr=SsrMode::Async/>
                        <Route path=path!("/admin/audit") view=pages::admin::audit::AdminAuditPage ssr=SsrMode::Async/>
                        <Route path=path!("/admin/batch") view=pages::admin::batch::AdminBatchPage ssr=SsrMode::Async/>
                        <Route path=path!("/admin/open") view=pages::admin::open::AdminOpenPage ssr=SsrMode::Async/>
                        <Route path=path!("/admin/currencies") view=pages::admin::currencies::AdminCurrenciesPage ssr=SsrMode::Async/>
                    </Routes>
                </main>
            </Router>
        </I18nContextProvider>
    }
}

/// The document title, in the language of the page as rendered. It is a
/// plain string on purpose: leptos_meta reads the title after the page's
/// reactive owner is gone, and a closure over the i18n signal would then
/// panic under concurrent server rendering.
#[component]
fn AppTitle() -> impl IntoView {
    let i18n = use_i18n();
    let title = t_string!(i18n, brand).to_string();
    view! { <Title text=title/> }
}

/// Marks `<body data-hydrated="true">` once the WASM has taken over, so tests
/// (and curious users) can tell a hydrated page from server-rendered HTML.
#[component]
fn HydrationMarker() -> impl IntoView {
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}
