//! Server functions of the console's currency page: thin adapters. The
//! domain checks that the caller is a super admin (read from the database
//! on every call, `FORBIDDEN` otherwise) and audits each change.

use leptos::prelude::*;
use shared::currency::CurrencyDetail;
use shared::wallet::Currency;
use shared::AppError;

/// Every currency, with whether its scale is fixed.
#[server(prefix = "/api/fn", endpoint = "admin_currencies")]
pub async fn admin_currencies() -> Result<Vec<CurrencyDetail>, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    uc.currency_details(&auth).await.map_err(reject)
}

/// Adds a currency; `aliases` is a comma-separated list.
#[server(prefix = "/api/fn", endpoint = "admin_add_currency")]
pub async fn admin_add_currency(
    #[server(default)] code: String,
    #[server(default)] name: String,
    #[server(default)] name_zh: String,
    #[server(default)] scale: String,
    #[server(default)] aliases: String,
) -> Result<Currency, AppError> {
    use crate::server::*;
    use shared::currency::{parse_aliases, parse_scale, NewCurrency};
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    let new = NewCurrency {
        code,
        name,
        name_zh: Some(name_zh),
        scale: parse_scale(&scale)?,
        aliases: parse_aliases(&aliases)?,
    };
    uc.create_currency(&auth, &new).await.map_err(reject)
}

/// Saves the edit form: names, aliases, and the scale when the form sends
/// one (its input is disabled, so absent, once the scale is fixed).
#[server(prefix = "/api/fn", endpoint = "admin_edit_currency")]
pub async fn admin_edit_currency(
    code: String,
    #[server(default)] name: String,
    #[server(default)] name_zh: String,
    #[server(default)] scale: String,
    #[server(default)] aliases: String,
) -> Result<Currency, AppError> {
    use crate::server::*;
    use shared::currency::{parse_aliases, parse_scale, CurrencyEdit};
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    let scale = if scale.trim().is_empty() {
        None
    } else {
        Some(parse_scale(&scale)?)
    };
    let edit = CurrencyEdit {
        name: Some(name),
        name_zh: Some(name_zh),
        scale,
        aliases: Some(parse_aliases(&aliases)?),
    };
    uc.edit_currency(&auth, &code, &edit).await.map_err(reject)
}

/// Enables (`enabled = true`) or disables a currency.
#[server(prefix = "/api/fn", endpoint = "admin_switch_currency")]
pub async fn admin_switch_currency(code: String, enabled: String) -> Result<Currency, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    uc.switch_currency(&auth, &code, enabled == "true")
        .await
        .map_err(reject)
}
