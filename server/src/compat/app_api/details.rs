//! `get_user_details` and `uploadPortrait`.

use super::accounts::log_unexpected;
use super::addresses::{avatar_hash, local_path};
use super::envelope::{Code, Reply};
use super::status::seed_status;
use super::Request;
use serde_json::json;
use shared::wallet::Balance;
use shared::ErrorCode;

/// The available balance (formatted as the wallet formats it, e.g.
/// `12.50`) of the currency the setting names, or, when the setting is
/// empty, of the currency with the alias `field`; `unset` when neither
/// names a currency or the user's wallet does not show it (a disabled
/// currency the user holds nothing in).
async fn balance_of(
    req: &Request<'_>,
    balances: &[Balance],
    setting: &str,
    field: &str,
    unset: &str,
) -> String {
    let name = if setting.is_empty() { field } else { setting };
    let Some(code) = resolve(req, name).await else {
        return unset.to_string();
    };
    balances
        .iter()
        .find(|b| b.currency == code)
        .map_or_else(|| unset.to_string(), |b| b.available.clone())
}

/// The currency code `name` stands for: as given, else upper-cased (so
/// `cny` in a setting still means CNY).
async fn resolve(req: &Request<'_>, name: &str) -> Option<String> {
    let uc = req.uc();
    for candidate in [name.to_string(), name.to_ascii_uppercase()] {
        match uc.resolve_currency(&candidate).await {
            Ok(code) => return Some(code),
            Err(e) if e.code() == ErrorCode::UnknownCurrency => {}
            Err(e) => {
                log_unexpected("get_user_details", &e);
                return None;
            }
        }
    }
    None
}

/// `GET Api/User/get_user_details?token=`: every documented field, each a
/// string as in the example.
///
/// - `_id`: the user id; `account`: the phone (else the email, else the
///   username);
/// - `integral` / `currency` / `virtual_currency`: the available balances
///   of the currencies `UC_COMPAT_APP_API_INTEGRAL` / `_CURRENCY` /
///   `_VIRTUAL_CURRENCY` name, else of those with the field's name as an
///   alias (`integral` is seeded for POINTS); "0" / "" / "" when none, as
///   the example;
/// - `status`: see [`super::status`];
/// - `uuid`: the device id this session was opened with (`RegistrationID`
///   or `uuid` at sign-up/sign-in, else `X-Device-Id`), "" without one;
/// - `portrait`: the avatar's address (256 px), "" without one.
pub(super) async fn get_user_details(req: &Request<'_>) -> Reply {
    let auth = match req.session().await {
        Ok(auth) => auth,
        Err(no) => return no.or_unknown_user(),
    };
    let uc = req.uc();
    let read = async {
        let profile = uc.profile(auth.user_id).await?;
        let stored = uc.stored_status(auth.user_id).await?;
        let reviews = uc.verifications(auth.user_id).await?;
        let balances = uc.balances(auth.user_id).await?;
        let sessions = uc.list_sessions(&auth).await?;
        Ok::<_, domain::DomainError>((profile, stored, reviews, balances, sessions))
    };
    let (profile, stored, reviews, balances, sessions) = match read.await {
        Ok(all) => all,
        Err(e) => {
            if e.code() != ErrorCode::NotFound {
                log_unexpected("get_user_details", &e);
            }
            return Reply::fail(Code::UserNotFound, "用户不存在");
        }
    };
    let options = &req.facade.options;
    let status = seed_status(stored, reviews.real_name.state, reviews.qualification.state);
    let account = profile
        .phone
        .clone()
        .or_else(|| profile.email.clone())
        .or_else(|| profile.username.clone())
        .unwrap_or_default();
    let uuid = sessions
        .iter()
        .find(|s| s.current)
        .and_then(|s| s.device_id.clone())
        .unwrap_or_default();
    let portrait = profile
        .avatar_url
        .as_deref()
        .map(|url| format!("{}{url}", options.media_base))
        .unwrap_or_default();
    Reply::ok(
        json!({
            "_id": profile.id.to_string(),
            "account": account,
            "integral": balance_of(req, &balances, &options.integral, "integral", "0").await,
            "status": status.to_string(),
            "uuid": uuid,
            "portrait": portrait,
            "currency": balance_of(req, &balances, &options.currency, "currency", "").await,
            "virtual_currency": balance_of(
                req,
                &balances,
                &options.virtual_currency,
                "virtual_currency",
                "",
            )
            .await,
        }),
        "",
    )
}

/// `POST Api/User/uploadPortrait/`: `portrait` = the address of an image
/// already uploaded here as an avatar (see [`super::addresses`]); nothing
/// is fetched. 997 without one, 998 for any other address.
pub(super) async fn upload_portrait(req: &Request<'_>) -> Reply {
    let auth = match req.session().await {
        Ok(auth) => auth,
        Err(no) => return no.not_logged_in(),
    };
    let Some(address) = req.params.get("portrait") else {
        return Reply::fail(Code::MissingParameter, "缺少必须参数");
    };
    let not_ours = || {
        Reply::fail(
            Code::AddFailed,
            "添加失败:头像地址必须是本站已上传的头像图片地址(/media/avatars/…)",
        )
    };
    let Some(hash) =
        local_path(address, req.host, &req.facade.options.media_base).and_then(avatar_hash)
    else {
        return not_ours();
    };
    match req.uc().use_stored_avatar(auth.user_id, hash).await {
        Ok(_) => Reply::ok(json!(""), "添加成功"),
        Err(e) if e.code() == ErrorCode::NotFound => not_ours(),
        Err(e) => {
            log_unexpected("uploadPortrait", &e);
            Reply::fail(Code::AddFailed, "添加失败")
        }
    }
}
