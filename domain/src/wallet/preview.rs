//! What the payer confirms before a transfer: who will receive it (masked,
//! so typing someone's phone number reveals no more than they would show)
//! and the exact amount. Nothing is written.

use super::Recipient;
use crate::{DomainError, UserCenter};
use shared::money;
use shared::wallet::TransferPreview;
use shared::ErrorCode;

impl UserCenter {
    /// Checks a transfer as far as possible without the PIN or the write
    /// lock: the recipient exists, is not the payer and can receive; the
    /// amount fits the currency and the payer's available balance.
    pub async fn preview_transfer(
        &self,
        from_user: i64,
        to: &str,
        currency: &str,
        amount: &str,
    ) -> Result<TransferPreview, DomainError> {
        let currency = self.currency(currency).await?;
        if !currency.enabled {
            return Err(ErrorCode::CurrencyDisabled.into());
        }
        let minor =
            money::parse_amount(amount, currency.scale()).map_err(shared::AppError::from)?;
        let recipient = self.resolve_recipient(Recipient::Identifier(to)).await?;
        if recipient == from_user {
            return Err(ErrorCode::CannotTransferToSelf.into());
        }
        let to = self.user_row(recipient).await?;
        if !to.status.state().receives_money() {
            return Err(ErrorCode::RecipientUnavailable.into());
        }
        let available = self
            .balances(from_user)
            .await?
            .into_iter()
            .find(|b| b.currency == currency.code)
            .map_or(0, |b| b.available_minor);
        if minor > available {
            return Err(ErrorCode::InsufficientFunds.into());
        }
        let display = super::history::mask_user(to.email, to.phone, to.username);
        Ok(TransferPreview {
            recipient: display,
            currency: currency.code.clone(),
            amount: money::format_amount(minor, currency.scale()),
            amount_minor: minor,
            // A fresh idempotency key: confirming twice sends once.
            request_id: uuid::Uuid::new_v4().simple().to_string(),
        })
    }
}
