//! Pre-opened accounts over JSON: the owner's activation
//! (`POST /auth/activate`), and for signed services opening and activating
//! accounts, looking a user up by login identifier and checking a payment
//! PIN. See `domain::activation`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::activation::{GivenPassword, Opener, Opening, VouchedActivation};
use domain::service_apps::Scope;
use domain::service_pins::PinAsSent;
use domain::{Lang, UserCenter};
use edge::{ApiError, ApiJson, ApiPath, Caller, SignedCall};
use shared::activation::{
    ActivateRequest, OpenAccountRequest, OpenedAccount, PinVerified, ServiceActivateRequest,
    UserLookupQuery, VerifyPinRequest,
};
use shared::dto::UserProfile;
use shared::{AppError, ErrorCode, Field};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<UserCenter> {
    OpenApiRouter::new()
        .routes(routes!(activate))
        .routes(routes!(open_account))
        .routes(routes!(activate_for_service))
        .routes(routes!(lookup))
        .routes(routes!(verify_pin))
}

/// Activates a pre-opened account: its password and payment PIN, proven by
/// the `activation` code sent to the contact it was opened for.
///
/// Nobody is signed in: sign in next with the new password. The form is
/// checked first (`WEAK_PASSWORD`, `INVALID_PIN`, `WEAK_PIN`,
/// `PIN_SAME_AS_PASSWORD`, with the field); a wrong or expired code, or a
/// contact without a pre-opened account, is `CODE_INCORRECT` (wrong codes
/// are counted; five kill the code, and `POST /codes/send` with purpose
/// `activation` sends a new one). The right code used a moment ago by
/// another request is `409 ACCOUNT_ALREADY_ACTIVE`.
#[utoipa::path(post, path = "/auth/activate", tag = "auth",
    request_body = ActivateRequest,
    responses((status = 204, description = "Activated: the account is active, with this password and PIN"),
        (status = 409, description = "`ACCOUNT_ALREADY_ACTIVE`", body = AppError)))]
async fn activate(
    State(uc): State<UserCenter>,
    caller: Caller,
    ApiJson(req): ApiJson<ActivateRequest>,
) -> Result<StatusCode, ApiError> {
    uc.activate_account(&req, &caller.client).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Opens a pre-opened account for a contact and sends it the activation code.
///
/// The account receives money at once (deposits, transfers to its email or
/// phone) but cannot sign in or pay until its owner activates it on
/// `/activate` (or the service does, below). The sign-up identifier rules
/// apply; a contact or username in use is `409 EMAIL_TAKEN`, `PHONE_TAKEN` or
/// `USERNAME_TAKEN`. The code goes to the email, else the phone, with a link
/// to `/activate`; `activation.delivered` is false when the provider failed
/// (the account is opened all the same).
#[utoipa::path(post, path = "/service/users/pre-open", tag = "service",
    security(("service_sign" = ["users:write"])),
    request_body = OpenAccountRequest,
    responses((status = 201, description = "The pre-opened account and where its code went", body = OpenedAccount)))]
async fn open_account(
    State(uc): State<UserCenter>,
    req: SignedCall,
) -> Result<(StatusCode, Json<OpenedAccount>), ApiError> {
    let app = req.verify(&uc, Scope::UsersWrite, false).await?;
    let r: OpenAccountRequest = req.json()?;
    let opening = Opening {
        email: r.email.as_deref().unwrap_or(""),
        phone: r.phone.as_deref().unwrap_or(""),
        username: r.username.as_deref().unwrap_or(""),
        display_name: r.display_name.as_deref().unwrap_or(""),
        lang: Lang::from_tag(r.lang.as_deref().unwrap_or("en")),
    };
    let opened = uc
        .open_account(Opener::Service(&app.app_id), &opening)
        .await?;
    Ok((StatusCode::CREATED, Json(opened)))
}

/// Activates a pre-opened account for its owner, who gave the service the
/// PIN (and the password).
///
/// `password` is required unless the account already has one
/// (`400 REQUIRED`). With `code` (the owner's `activation` code) it is
/// checked and counted as on `/activate` and the contact becomes verified;
/// without, the service vouches. `409 ACCOUNT_ALREADY_ACTIVE` for an account
/// that is not pre-opened (also for the losers of simultaneous activations),
/// `403 ACCOUNT_DISABLED` when frozen, `409 ACCOUNT_CLOSED`.
#[utoipa::path(post, path = "/service/users/{id}/activate", tag = "service",
    security(("service_sign" = ["users:write"])),
    params(("id" = i64, Path, description = "The user's id")),
    request_body = ServiceActivateRequest,
    responses((status = 200, description = "The activated account", body = UserProfile),
        (status = 404, description = "`NOT_FOUND`", body = AppError)))]
async fn activate_for_service(
    State(uc): State<UserCenter>,
    ApiPath(id): ApiPath<String>,
    req: SignedCall,
) -> Result<Json<UserProfile>, ApiError> {
    let app = req.verify(&uc, Scope::UsersWrite, false).await?;
    let user_id: i64 = id
        .parse()
        .map_err(|_| ApiError::from(ErrorCode::NotFound))?;
    let r: ServiceActivateRequest = req.json()?;
    let user = uc
        .activate_for_service(VouchedActivation {
            user_id,
            pin: PinAsSent::Plain(&r.pin),
            password: r.password.as_deref().map(GivenPassword::Plain),
            code: r.code.as_deref(),
            contact: None,
            via: &app.app_id,
        })
        .await?;
    Ok(Json(user))
}

/// One user by exact login identifier: email, phone number or username.
///
/// Normalised as at sign-in (`ANN@example.com`, `+86 138-0013-8000` find
/// their accounts); no partial matches (see `/service/users/search` for
/// those). `404 NOT_FOUND` when no account has it, `400 INVALID_IDENTIFIER`
/// for text that is none of the three. Closed and pre-opened accounts are
/// found too (their `account_state` says so). ID numbers are masked.
#[utoipa::path(get, path = "/service/users/lookup", tag = "service",
    security(("service_sign" = ["users:read"])), params(UserLookupQuery),
    responses((status = 200, description = "The user", body = UserProfile),
        (status = 404, description = "`NOT_FOUND`", body = AppError)))]
async fn lookup(
    State(uc): State<UserCenter>,
    req: SignedCall,
) -> Result<Json<UserProfile>, ApiError> {
    req.verify(&uc, Scope::UsersRead, false).await?;
    let identifier = req
        .query::<UserLookupQuery>()?
        .identifier
        .filter(|i| !i.trim().is_empty())
        .ok_or_else(|| ApiError(AppError::field(ErrorCode::Required, Field::Identifier)))?;
    let user_id = uc
        .user_id_by_login_identifier(&identifier)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    Ok(Json(uc.profile(user_id).await?))
}

/// Checks a user's payment PIN, for a service about to act on the user's
/// word (the user typed the PIN into the service's own page).
///
/// Counted by the same limiter as the wallet's payments: `403 PIN_INCORRECT`
/// with `remaining_consecutive`, the fifth wrong in a row locks payments for
/// an hour (`429 PIN_LOCKED` with `locked_until`, `retry_after_secs`),
/// everywhere. `409 PIN_NOT_SET` (also for a pre-opened account),
/// `400 INVALID_PIN` for anything but six digits (not counted),
/// `404 NOT_FOUND`.
#[utoipa::path(post, path = "/service/wallet/verify-pin", tag = "service",
    security(("service_sign" = ["wallet:write"])),
    request_body = VerifyPinRequest,
    responses((status = 200, description = "The PIN is right", body = PinVerified)))]
async fn verify_pin(
    State(uc): State<UserCenter>,
    req: SignedCall,
) -> Result<Json<PinVerified>, ApiError> {
    req.verify(&uc, Scope::WalletWrite, false).await?;
    let r: VerifyPinRequest = req.json()?;
    uc.verify_pin_for_service(r.user_id, &r.pin).await?;
    Ok(Json(PinVerified {
        user_id: r.user_id,
        verified: true,
    }))
}
