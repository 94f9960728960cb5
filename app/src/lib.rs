//! The user center's web UI: pages, components and server functions.

#![recursion_limit = "512"]

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub mod activation_api;
pub mod admin_api;
pub mod api;
pub mod components;
pub mod currency_admin_api;
pub mod errors;
mod lazy_pages;
pub mod notifications_api;
pub mod pages;
pub mod privacy_api;
pub mod profile_api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod verification_api;
pub mod wallet_api;

use crate::i18n::*;
use components::header::SiteHeader;
use components::session_keeper::{provide_auth_epoch, SessionKeeper};
use lazy_pages::*;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Link, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, Lazy, SsrMode};
use pages::{login::LoginPage, not_found::NotFound};

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
                <SessionKeeper/>
                <SiteHeader/>
                <main id="main" class="main" tabindex="-1">
                    <Routes fallback=NotFound>
                        // Only the sign-in page is in the main module: every
                        // other page is a chunk of its own (see lazy_pages).
                        <Route path=path!("/login") view=LoginPage/>
                        <Route path=path!("/") view={Lazy::<Home>::new()}/>
                        <Route path=path!("/signup") view={Lazy::<Signup>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/forgot") view={Lazy::<Forgot>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/activate") view={Lazy::<Activate>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/profile") view={Lazy::<Profile>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/security") view={Lazy::<Security>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/wallet") view={Lazy::<Wallet>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/admin") view={Lazy::<AdminUsers>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/admin/users/:id") view={Lazy::<AdminUser>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/admin/reviews") view={Lazy::<AdminReviews>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/admin/audit") view={Lazy::<AdminAudit>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/admin/batch") view={Lazy::<AdminBatch>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/admin/open") view={Lazy::<AdminOpen>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/admin/currencies") view={Lazy::<AdminCurrencies>::new()} ssr=SsrMode::Async/>
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
