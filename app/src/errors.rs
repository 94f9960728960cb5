//! Translating shared error codes into the user's language.

use crate::i18n::*;
use shared::error::PasswordProblem;
use shared::{AppError, ErrorCode};

/// The message for an error in the current locale. A `match` rather than a
/// lookup by name, so a new code without a translation fails to compile.
pub fn error_text(i18n: leptos_i18n::I18nContext<Locale>, err: &AppError) -> &'static str {
    match (err.code, err.reason) {
        (ErrorCode::WeakPassword, Some(PasswordProblem::TooShort)) => {
            t_string!(i18n, err_password_too_short)
        }
        (ErrorCode::WeakPassword, Some(PasswordProblem::TooLong)) => {
            t_string!(i18n, err_password_too_long)
        }
        (ErrorCode::WeakPassword, Some(PasswordProblem::TooCommon)) => {
            t_string!(i18n, err_password_too_common)
        }
        (ErrorCode::WeakPassword, Some(PasswordProblem::MatchesAccount)) => {
            t_string!(i18n, err_password_matches_account)
        }
        (ErrorCode::WeakPassword, None) => t_string!(i18n, err_weak_password),
        (ErrorCode::Required, _) => t_string!(i18n, err_required),
        (ErrorCode::ContactRequired, _) => t_string!(i18n, err_contact_required),
        (ErrorCode::InvalidEmail, _) => t_string!(i18n, err_invalid_email),
        (ErrorCode::InvalidPhone, _) => t_string!(i18n, err_invalid_phone),
        (ErrorCode::InvalidUsername, _) => t_string!(i18n, err_invalid_username),
        (ErrorCode::InvalidIdentifier, _) => t_string!(i18n, err_invalid_identifier),
        (ErrorCode::InvalidDevice, _) => t_string!(i18n, err_invalid_input),
        (ErrorCode::EmailTaken, _) => t_string!(i18n, err_email_taken),
        (ErrorCode::PhoneTaken, _) => t_string!(i18n, err_phone_taken),
        (ErrorCode::UsernameTaken, _) => t_string!(i18n, err_username_taken),
        (ErrorCode::InvalidCredentials, _) => t_string!(i18n, err_invalid_credentials),
        (ErrorCode::AccountDisabled, _) => t_string!(i18n, err_account_disabled),
        (ErrorCode::AccountNotActivated, _) => t_string!(i18n, err_account_not_activated),
        (ErrorCode::AccountAlreadyActive, _) => t_string!(i18n, err_account_already_active),
        (ErrorCode::LoginNotAllowed, _) => t_string!(i18n, err_login_not_allowed),
        (ErrorCode::TransferNotAllowed, _) => t_string!(i18n, err_transfer_not_allowed),
        (ErrorCode::WithdrawNotAllowed, _) => t_string!(i18n, err_withdraw_not_allowed),
        (ErrorCode::BatchInvalid, _) => t_string!(i18n, err_batch_invalid),
        (ErrorCode::BatchTooLarge, _) => t_string!(i18n, err_batch_too_large),
        (ErrorCode::NoSuchContact, _) => t_string!(i18n, err_no_such_contact),
        (ErrorCode::InvalidMessage, _) => t_string!(i18n, err_invalid_message),
        (ErrorCode::AccountLocked, _) => t_string!(i18n, err_account_locked),
        (ErrorCode::ReentryLocked, _) => t_string!(i18n, err_reentry_locked),
        (ErrorCode::RateLimited, _) => t_string!(i18n, err_rate_limited),
        (ErrorCode::RefreshSuperseded, _) => t_string!(i18n, err_refresh_superseded),
        (
            ErrorCode::Unauthenticated
            | ErrorCode::TokenExpired
            | ErrorCode::TokenRevoked
            | ErrorCode::TokenMalformed
            | ErrorCode::TokenInvalidSignature,
            _,
        ) => t_string!(i18n, err_unauthenticated),
        (
            ErrorCode::SignatureMissing
            | ErrorCode::AppUnknown
            | ErrorCode::RequestExpired
            | ErrorCode::SignatureInvalid
            | ErrorCode::TransactionReplayed
            | ErrorCode::ScopeMissing
            | ErrorCode::TooManyIds,
            _,
        ) => t_string!(i18n, err_invalid_input),
        (ErrorCode::DeviceCodeRequired, _) => t_string!(i18n, err_device_code_required),
        (ErrorCode::InvalidContact, _) => t_string!(i18n, err_invalid_contact),
        (ErrorCode::InvalidCode, _) => t_string!(i18n, err_invalid_code),
        (ErrorCode::CodeIncorrect, _) => t_string!(i18n, err_code_incorrect),
        (ErrorCode::CodeSendTooSoon, _) => t_string!(i18n, err_code_send_too_soon),
        (ErrorCode::CodeDailyLimit, _) => t_string!(i18n, err_code_daily_limit),
        (ErrorCode::CaptchaRequired, _) => t_string!(i18n, err_captcha_required),
        (ErrorCode::CaptchaIncorrect, _) => t_string!(i18n, err_captcha_incorrect),
        (ErrorCode::TicketInvalid, _) => t_string!(i18n, err_ticket_invalid),
        (ErrorCode::DeliveryFailed, _) => t_string!(i18n, err_delivery_failed),
        (ErrorCode::ContactNotBound, _) => t_string!(i18n, err_contact_not_bound),
        (ErrorCode::PasswordIncorrect, _) => t_string!(i18n, err_password_incorrect),
        (ErrorCode::ProofRequired, _) => t_string!(i18n, err_proof_required),
        (ErrorCode::ContactUnchanged, _) => t_string!(i18n, err_contact_unchanged),
        (ErrorCode::InvalidAmount, _) => t_string!(i18n, err_invalid_amount),
        (ErrorCode::AmountExponent, _) => t_string!(i18n, err_amount_exponent),
        (ErrorCode::AmountGrouping, _) => t_string!(i18n, err_amount_grouping),
        (ErrorCode::AmountTooPrecise, _) => t_string!(i18n, err_amount_too_precise),
        (ErrorCode::AmountNegative, _) => t_string!(i18n, err_amount_negative),
        (ErrorCode::AmountNotPositive, _) => t_string!(i18n, err_amount_not_positive),
        (ErrorCode::AmountTooLarge, _) => t_string!(i18n, err_amount_too_large),
        (ErrorCode::InvalidRequestId, _) => t_string!(i18n, err_invalid_request_id),
        (ErrorCode::InvalidMemo, _) => t_string!(i18n, err_invalid_memo),
        (ErrorCode::InvalidCurrency, _) => t_string!(i18n, err_invalid_currency),
        (ErrorCode::UnknownCurrency, _) => t_string!(i18n, err_unknown_currency),
        (ErrorCode::CurrencyDisabled, _) => t_string!(i18n, err_currency_disabled),
        (ErrorCode::CurrencyExists, _) => t_string!(i18n, err_currency_exists),
        (ErrorCode::InvalidCurrencyAlias, _) => t_string!(i18n, err_invalid_currency_alias),
        (ErrorCode::CurrencyAliasTaken, _) => t_string!(i18n, err_currency_alias_taken),
        (ErrorCode::CurrencyScaleLocked, _) => t_string!(i18n, err_currency_scale_locked),
        (ErrorCode::InsufficientFunds, _) => t_string!(i18n, err_insufficient_funds),
        (ErrorCode::InsufficientFrozen, _) => t_string!(i18n, err_insufficient_frozen),
        (ErrorCode::BalanceLimit, _) => t_string!(i18n, err_balance_limit),
        (ErrorCode::CannotTransferToSelf, _) => t_string!(i18n, err_cannot_transfer_to_self),
        (ErrorCode::RecipientNotFound, _) => t_string!(i18n, err_recipient_not_found),
        (ErrorCode::RecipientUnavailable, _) => t_string!(i18n, err_recipient_unavailable),
        (ErrorCode::WalletRestricted, _) => t_string!(i18n, err_wallet_restricted),
        (ErrorCode::IdempotencyConflict, _) => t_string!(i18n, err_idempotency_conflict),
        (ErrorCode::InvalidPin, _) => t_string!(i18n, err_invalid_pin),
        (ErrorCode::WeakPin, _) => t_string!(i18n, err_weak_pin),
        (ErrorCode::PinSameAsPassword, _) => t_string!(i18n, err_pin_same_as_password),
        (ErrorCode::PinAlreadySet, _) => t_string!(i18n, err_pin_already_set),
        (ErrorCode::PinNotSet, _) => t_string!(i18n, err_pin_not_set),
        (ErrorCode::PinIncorrect, _) => t_string!(i18n, err_pin_incorrect),
        (ErrorCode::PinLocked, _) => t_string!(i18n, err_pin_locked),
        (ErrorCode::PinMismatch, _) => t_string!(i18n, err_pin_mismatch),
        (ErrorCode::InvalidDisplayName, _) => t_string!(i18n, err_invalid_display_name),
        (ErrorCode::InvalidRealName, _) => t_string!(i18n, err_invalid_real_name),
        (ErrorCode::InvalidCountry, _) => t_string!(i18n, err_invalid_country),
        (ErrorCode::InvalidIdNumber, _) => t_string!(i18n, err_invalid_id_number),
        (ErrorCode::IdBirthDateInvalid, _) => t_string!(i18n, err_id_birth_date_invalid),
        (ErrorCode::IdGenderMismatch, _) => t_string!(i18n, err_id_gender_mismatch),
        (ErrorCode::InvalidPassport, _) => t_string!(i18n, err_invalid_passport),
        (ErrorCode::InvalidReason, _) => t_string!(i18n, err_invalid_reason),
        (ErrorCode::VerificationPending, _) => t_string!(i18n, err_verification_pending),
        (ErrorCode::AlreadyVerified, _) => t_string!(i18n, err_already_verified),
        (ErrorCode::NotPendingReview, _) => t_string!(i18n, err_not_pending_review),
        (ErrorCode::IdNumberInUse, _) => t_string!(i18n, err_id_number_in_use),
        (ErrorCode::ConsentRequired, _) => t_string!(i18n, err_consent_required),
        (ErrorCode::BalanceNotZero, _) => t_string!(i18n, err_balance_not_zero),
        (ErrorCode::AccountClosed, _) => t_string!(i18n, err_account_closed),
        (ErrorCode::ImageEmpty, _) => t_string!(i18n, err_image_empty),
        (ErrorCode::ImageTooLarge, _) => t_string!(i18n, err_image_too_large),
        (ErrorCode::ImageDimensionsTooLarge, _) => {
            t_string!(i18n, err_image_dimensions_too_large)
        }
        (ErrorCode::ImageUnsupported, _) => t_string!(i18n, err_image_unsupported),
        (ErrorCode::ImageCorrupt, _) => t_string!(i18n, err_image_corrupt),
        (ErrorCode::InvalidDocument, _) => t_string!(i18n, err_invalid_document),
        (ErrorCode::DocumentQuota, _) => t_string!(i18n, err_document_quota),
        (ErrorCode::StorageFull, _) => t_string!(i18n, err_storage_full),
        (ErrorCode::Forbidden, _) => t_string!(i18n, err_forbidden),
        (ErrorCode::CsrfRejected, _) => t_string!(i18n, err_csrf_rejected),
        (ErrorCode::NotFound, _) => t_string!(i18n, err_not_found),
        (ErrorCode::InvalidInput, _) => t_string!(i18n, err_invalid_input),
        // Only the import command (`server import users`) reports these.
        (ErrorCode::InvalidLegacyHash | ErrorCode::InvalidStatus, _) => {
            t_string!(i18n, err_invalid_input)
        }
        (ErrorCode::PayloadTooLarge, _) => t_string!(i18n, err_payload_too_large),
        (ErrorCode::UnsupportedMediaType, _) => t_string!(i18n, err_unsupported_media_type),
        (ErrorCode::Internal, _) => t_string!(i18n, err_internal),
    }
}

/// The message plus what the sign-in counters add: attempts left before a
/// lock, or how long a lock lasts.
pub fn error_text_with_details(i18n: leptos_i18n::I18nContext<Locale>, err: &AppError) -> String {
    let base = error_text(i18n, err);
    let Some(counters) = &err.login else {
        return base.to_string();
    };
    match (err.code, err.retry_after_secs) {
        (ErrorCode::PinIncorrect, _) => format!(
            "{base} {}",
            t_string!(i18n, pin_tries_left, count = counters.remaining_consecutive)
        ),
        (
            ErrorCode::AccountLocked | ErrorCode::PinLocked | ErrorCode::ReentryLocked,
            Some(secs),
        ) => {
            let minutes = ((secs + 59) / 60).max(1);
            format!(
                "{base} {}",
                t_string!(i18n, login_locked_for, minutes = minutes)
            )
        }
        (ErrorCode::InvalidCredentials | ErrorCode::CodeIncorrect, _) => {
            let count = counters
                .remaining_consecutive
                .min(counters.remaining_cumulative);
            format!(
                "{base} {}",
                t_string!(i18n, login_attempts_left, count = count)
            )
        }
        _ => base.to_string(),
    }
}
