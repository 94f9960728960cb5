//! Server functions of pre-opened accounts: the owner's activation on
//! `/activate`, and staff opening an account and sending its code again.
//! Thin adapters: the domain checks the code (counted), the staff role and
//! writes the audit rows.

use leptos::prelude::*;
use shared::activation::{ActivationSent, OpenedAccount};
use shared::AppError;

/// Activates a pre-opened account with the code sent to its contact, a new
/// password and a payment PIN. Nobody is signed in: the user signs in next.
#[server(prefix = "/api/fn", endpoint = "activate_account")]
pub async fn activate_account(
    contact: String,
    code: String,
    password: String,
    pin: String,
) -> Result<(), AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let caller = caller().await?;
    let form = shared::activation::ActivateRequest {
        contact,
        code,
        password,
        pin,
    };
    uc.activate_account(&form, &caller.client)
        .await
        .map_err(reject)
}

/// Staff open a pre-opened account for an email and/or phone; the code goes
/// out in `lang` (`en` or `zh-CN`; blank: the page's language).
#[server(prefix = "/api/fn", endpoint = "admin_open_account")]
pub async fn admin_open_account(
    #[server(default)] email: String,
    #[server(default)] phone: String,
    #[server(default)] username: String,
    #[server(default)] display_name: String,
    #[server(default)] lang: String,
) -> Result<OpenedAccount, AppError> {
    use crate::server::*;
    use domain::activation::{Opener, Opening};
    let uc = user_center()?;
    let caller = caller().await?;
    let auth = caller.authenticate(&uc).await.map_err(reject)?;
    let lang = if lang.trim().is_empty() {
        caller.lang
    } else {
        domain::Lang::from_tag(&lang)
    };
    let opening = Opening {
        email: &email,
        phone: &phone,
        username: &username,
        display_name: &display_name,
        lang,
    };
    uc.open_account(Opener::Staff((&auth).into()), &opening)
        .await
        .map_err(reject)
}

/// Staff send a pre-opened account a new activation code, in the page's
/// language.
#[server(prefix = "/api/fn", endpoint = "admin_resend_activation")]
pub async fn admin_resend_activation(user_id: i64) -> Result<ActivationSent, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let caller = caller().await?;
    let auth = caller.authenticate(&uc).await.map_err(reject)?;
    uc.resend_activation(&auth, user_id, caller.lang)
        .await
        .map_err(reject)
}
