//! The facade for seed `003`: the ukex user center, which the ukex exchange
//! and ukexpay wallet servers call over HTTP (see `README.md`, "Compatible
//! APIs").
//!
//! Every operation is `POST /api/{group}/{operation}` (also `/Api/…`, the
//! capitalisation of the document's anchors) with a JSON or form body, the
//! `token` header where the document says "是否携带token：是", and the answer
//! `{"status": 1|0, "data": …}` (HTTP 200 either way; `status` is the
//! outcome). On failure `data` is the document's failure word followed by
//! the reason and the product's error code, e.g. `"充值失败：可用余额不足
//! (INSUFFICIENT_FUNDS)"`.
//!
//! The callers are servers on the service network (`UC_COMPAT_ALLOW_FROM`,
//! applied by [`super::routes`]); the user they act for is the owner of the
//! `token`, which is the session's long-lived refresh token handed out by
//! `UserCenter/Login`. A token only ever acts on its own user.

mod accounts;
mod balances;
mod call;
pub(crate) mod coins;
mod devices;
mod envelope;
mod messages;
mod profile;

use super::CompatSettings;
use axum::routing::{any, MethodRouter};
use axum::Router;
use domain::UserCenter;
use std::sync::Arc;

pub use coins::CoinTable;

/// This facade's own settings (`UC_COMPAT_UKEX_*` variables, read by clap).
/// `Default` is the same as clap's defaults (no coin overrides).
#[derive(clap::Args, Clone, Debug, Default)]
// Each facade's settings are their own argument group (clap names
// groups after the struct, and every facade's is called `Options`).
#[group(id = "compat-ukex")]
pub struct Options {
    /// Overrides of the seed's `coinId`s, comma-separated `id=CODE` pairs,
    /// looked up before the wallet's currency codes and aliases (which
    /// already map 1=CNY,2=USDT,3=BTC,4=USD unless an operator changed them).
    #[arg(long = "compat-ukex-coins", env = "UC_COMPAT_UKEX_COINS",
        default_value = "", global = true, value_parser = coins::parse)]
    pub coins: CoinTable,
}

/// What every handler gets: the domain and this facade's settings.
#[derive(Clone)]
pub(crate) struct Ukex {
    pub(crate) uc: UserCenter,
    pub(crate) coins: Arc<CoinTable>,
}

/// The name wallet movements and flag changes are recorded under
/// (`Actor::Service`), and the prefix of request ids made up for calls
/// that bring none.
pub(crate) const SERVICE: &str = "ukex";

/// The facade's routes at the seed's own paths.
pub fn routes(uc: UserCenter, settings: &CompatSettings) -> Router {
    let state = Ukex {
        uc,
        coins: Arc::new(settings.ukex.coins.clone()),
    };
    let operations: [(&str, MethodRouter<Ukex>); 13] = [
        ("UserCenter/Login", any(accounts::login_or_create)),
        ("Password/Login", any(accounts::change_password)),
        ("Password/Pay", any(accounts::pay_password)),
        ("Device/AddBindDevice", any(devices::bind)),
        ("Device/RemoveBindDevice", any(devices::remove)),
        ("Device/CheckBindDevice", any(devices::check)),
        ("User/Auth", any(profile::permissions)),
        ("User/Info", any(profile::info)),
        ("User/RealInfo", any(profile::real_info)),
        ("Balance/AddBalance", any(balances::add)),
        ("Balance/ReduceBalance", any(balances::reduce)),
        ("Balance/TransferBalance", any(balances::transfer)),
        ("Balance/AllocationBalance", any(balances::allocate)),
    ];
    let mut router = Router::new();
    for (path, handler) in operations {
        for root in ["api", "Api"] {
            router = router.route(&format!("/{root}/{path}"), handler.clone());
        }
    }
    router.with_state(state)
}
