//! Facades that speak the APIs of the five systems the product was specified
//! from, so that clients written against them (mobile apps, the ukex and
//! ukexpay servers, yonyou integrations) work unchanged.
//!
//! Each facade is one adapter over the domain, like the REST API: it maps the
//! seed's paths, headers, field names and envelopes onto domain operations and
//! the answers back into the seed's shapes. Business rules stay in `domain`.
//!
//! A facade answers only when `UC_COMPAT` names it, at the seed's own paths
//! under an optional `UC_COMPAT_PREFIX`. Facades whose seed describes
//! server-to-server calls without a credential of their own ([`Seed::trusts_network`])
//! answer only clients in `UC_COMPAT_ALLOW_FROM` ([`service_network`]).

pub mod app_api;
#[cfg(test)]
mod app_api_tests;
#[cfg(test)]
mod fuzz;
pub mod java110;
#[cfg(test)]
mod java110_tests;
pub mod jigsaw;
#[cfg(test)]
mod jigsaw_tests;
mod service_network;
pub mod settings;
pub mod ukex;
#[cfg(test)]
mod ukex_tests;
pub mod yonyou;
#[cfg(test)]
mod yonyou_tests;

use axum::Router;
use domain::UserCenter;
pub use settings::{CompatSettings, Seed};
use std::sync::Arc;

/// The routes of every enabled facade, under the configured prefix; an empty
/// router when none is enabled.
pub fn routes(uc: &UserCenter, settings: &CompatSettings) -> Router {
    let allow = Arc::new(settings.allow_from.clone());
    let mut all = Router::new();
    for seed in &settings.seeds {
        let facade = match seed {
            Seed::Jigsaw => jigsaw::routes(uc.clone(), settings),
            Seed::Java110 => java110::routes(uc.clone(), settings),
            Seed::AppApi => app_api::routes(uc.clone(), settings),
            Seed::Ukex => ukex::routes(uc.clone(), settings),
            Seed::Yonyou => yonyou::routes(uc.clone(), settings),
        };
        let facade = if seed.trusts_network() {
            service_network::only_from(facade, allow.clone())
        } else {
            facade
        };
        all = all.merge(facade);
    }
    if settings.prefix.is_empty() {
        all
    } else {
        Router::new().nest(&settings.prefix, all)
    }
}
