//! The pages that load their code only when visited.
//!
//! In a split release build (`cargo leptos build --release --split`) each
//! page below is its own WASM chunk, fetched on the first visit to its
//! route (and named in a `<link rel="preload">` when the server renders
//! that route), so a visitor to `/login` does not download the wallet, the
//! profile editor or the staff console. Every WASM build needs `--split`
//! (`cargo leptos watch --split` in development): the lazy functions are
//! imports that only the split step resolves; without it the script imports
//! a placeholder module and no page hydrates. On the server they are plain
//! async functions.

use crate::pages;
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// One lazily loaded page: a route type whose view renders `$page`. The
/// split name comes from the route type's name, so each must be unique.
macro_rules! lazy_page {
    ($(#[$doc:meta])* $route:ident => $page:path) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    };
}

lazy_page!(
    /// `/`
    Home => pages::home::HomePage
);
lazy_page!(
    /// `/signup`
    Signup => pages::signup::SignupPage
);
lazy_page!(
    /// `/forgot`
    Forgot => pages::forgot::ForgotPage
);
lazy_page!(
    /// `/activate`
    Activate => pages::activate::ActivatePage
);
lazy_page!(
    /// `/profile`, with the avatar editor and the real-name forms.
    Profile => pages::profile::ProfilePage
);
lazy_page!(
    /// `/security`
    Security => pages::security::SecurityPage
);
lazy_page!(
    /// `/wallet`, with the chart, the history and the transfer form.
    Wallet => pages::wallet::WalletPage
);
lazy_page!(
    /// `/admin`
    AdminUsers => pages::admin::users::AdminUsersPage
);
lazy_page!(
    /// `/admin/users/:id`
    AdminUser => pages::admin::user::AdminUserPage
);
lazy_page!(
    /// `/admin/reviews`
    AdminReviews => pages::admin::reviews::AdminReviewsPage
);
lazy_page!(
    /// `/admin/audit`
    AdminAudit => pages::admin::audit::AdminAuditPage
);
lazy_page!(
    /// `/admin/batch`
    AdminBatch => pages::admin::batch::AdminBatchPage
);
lazy_page!(
    /// `/admin/open`
    AdminOpen => pages::admin::open::AdminOpenPage
);
lazy_page!(
    /// `/admin/currencies`
    AdminCurrencies => pages::admin::currencies::AdminCurrenciesPage
);
