//! Server functions of the wallet page: thin adapters to the domain.

use leptos::prelude::*;
use shared::wallet::{Balance, BalancePoint, HistoryPage, PinStatus, Receipt, TransferPreview};
use shared::AppError;

/// The signed-in user's balances and payment PIN state.
#[server(prefix = "/api/fn", endpoint = "wallet")]
pub async fn wallet_overview() -> Result<(Vec<Balance>, PinStatus), AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    let balances = uc.balances(auth.user_id).await.map_err(reject)?;
    let pin = uc.pin_status(auth.user_id).await.map_err(reject)?;
    Ok((balances, pin))
}

/// Sets the payment PIN the first time (activation), proven by the sign-in
/// `password` or the `sid` of a `pay_password` code (`PROOF_REQUIRED`
/// without either).
#[server(prefix = "/api/fn", endpoint = "set_pin")]
pub async fn set_pin(
    pin: String,
    confirm_pin: String,
    #[server(default)] password: String,
    #[server(default)] sid: String,
) -> Result<(), AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    // The PIN itself first: a weak one costs no password attempt.
    shared::wallet::check_pin(&pin)?;
    if pin != confirm_pin {
        return Err(AppError::new(shared::ErrorCode::PinMismatch));
    }
    let proof =
        domain::wallet::PinProof::from_request(Some(&password), Some(&sid)).map_err(reject)?;
    uc.set_payment_pin(&auth, &pin, proof).await.map_err(reject)
}

/// Changes the payment PIN with the current one.
#[server(prefix = "/api/fn", endpoint = "change_pin")]
pub async fn change_pin(old_pin: String, new_pin: String) -> Result<(), AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    uc.change_payment_pin(&auth, &old_pin, &new_pin)
        .await
        .map_err(reject)
}

/// Forgotten PIN: the `pay_password` code sent to one of the user's own
/// contacts, and a new PIN (which also lifts a payment lock).
#[server(prefix = "/api/fn", endpoint = "reset_pin")]
pub async fn reset_pin(
    contact: String,
    code: String,
    new_pin: String,
    confirm_pin: String,
) -> Result<(), AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    // The PIN itself first: a typo costs no code.
    shared::wallet::check_pin(&new_pin)?;
    if new_pin != confirm_pin {
        return Err(AppError::new(shared::ErrorCode::PinMismatch));
    }
    uc.reset_payment_pin_with_code(&auth, &contact, &code, &new_pin)
        .await
        .map_err(reject)
}

/// Checks a transfer and says who would receive it, before the PIN.
#[server(prefix = "/api/fn", endpoint = "preview_transfer")]
pub async fn preview_transfer(
    to: String,
    currency: String,
    amount: String,
) -> Result<TransferPreview, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    uc.preview_transfer(auth.user_id, &to, &currency, &amount)
        .await
        .map_err(reject)
}

/// Sends money to another user, confirmed with the payment PIN.
#[server(prefix = "/api/fn", endpoint = "transfer")]
pub async fn send_money(
    to: String,
    currency: String,
    amount: String,
    #[server(default)] memo: String,
    request_id: String,
    pin: String,
) -> Result<Receipt, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    uc.transfer(
        domain::wallet::Transfer {
            from_user: auth.user_id,
            to: domain::wallet::Recipient::Identifier(&to),
            currency: &currency,
            amount: &amount,
            memo: &memo,
            request_id: &request_id,
        },
        domain::wallet::Authorisation::Pin(&pin),
    )
    .await
    .map_err(reject)
}

/// One page of history in one currency, newest first.
#[server(prefix = "/api/fn", endpoint = "wallet_history")]
pub async fn wallet_history(
    currency: String,
    cursor: Option<i64>,
) -> Result<HistoryPage, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    uc.history(
        auth.user_id,
        &shared::wallet::HistoryRequest {
            currency,
            cursor,
            limit: Some(10),
            ..Default::default()
        },
    )
    .await
    .map_err(reject)
}

/// End-of-day balances of the last 30 days.
#[server(prefix = "/api/fn", endpoint = "wallet_chart")]
pub async fn wallet_chart(currency: String) -> Result<Vec<BalancePoint>, AppError> {
    use crate::server::*;
    let uc = user_center()?;
    let auth = require_auth(&uc).await?;
    uc.balance_chart(auth.user_id, &currency, 30)
        .await
        .map_err(reject)
}
