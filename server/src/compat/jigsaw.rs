//! The facade for seed `jigsaw`: see `README.md`, "Compatible APIs".

use super::CompatSettings;
use axum::Router;
use domain::UserCenter;

/// This facade's own settings (`UC_COMPAT_*` variables, read by clap).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct Options {}

/// The facade's routes at the seed's own paths.
pub fn routes(uc: UserCenter, settings: &CompatSettings) -> Router {
    let _ = (uc, settings);
    Router::new()
}
