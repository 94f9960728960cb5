//! `user/modifypassword` and `cas/v1/validate`: passwords that arrive as
//! digests.
//!
//! yonyou's SDK never sends a password, only its MD5 and SHA-1 (hex). The
//! product keeps an argon2id verifier over the MD5 for every account once
//! this facade is on (`domain::password_digests`; the server turns the MD5
//! scheme on with `UC_COMPAT=yonyou`), so the MD5 values are the ones
//! used. The SHA-1 values are accepted and ignored: one scheme is enough to
//! check a password, and the web UI's plaintext sign-in needs only one to
//! upgrade from.

use super::call::{user_id, Call};
use super::replies::{message, Status};
use super::user_vo::user_vo;
use super::Yonyou;
use axum::extract::State;
use axum::response::Response;
use domain::password_digests::DigestScheme;
use serde_json::json;
use shared::ErrorCode;

/// `POST user/modifypassword`: `{userId, md5Password, md5NewPassword, reset,
/// sid, shaPassword, shaNewPassword}`. The `sid` (from `validatecode` with
/// this `userId`) is required and used once; a change (`reset` false or
/// absent) also needs the current password's MD5, counted like any
/// re-entered password. The new password is known only as its MD5: the web
/// UI's first plaintext sign-in adds its ordinary verifier. Every session
/// of the user ends.
pub(super) async fn modify_password(State(y): State<Yonyou>, call: Call) -> Response {
    const S: Status = Status::Int;
    let p = match call.params {
        Ok(p) => p,
        Err(e) => return S.unreadable(e),
    };
    let Some(id) = user_id(&p) else {
        return S.fail(message(&ErrorCode::NotFound.into()));
    };
    let reset = p.flag(&["reset"]).unwrap_or(false);
    let Some(sid) = p.text(&["sid"]) else {
        return S.fail("缺少参数 sid（先调用 validatecode 获取）");
    };
    let Some(new) = p.text(&["md5NewPassword"]) else {
        return S.fail("缺少参数 md5NewPassword（新密码的 MD5）");
    };
    if DigestScheme::Md5.normalise(&new).is_none() {
        return S.fail("md5NewPassword 应为 32 位十六进制 MD5 值");
    }
    let current = if reset {
        None
    } else {
        match p.text(&["md5Password"]) {
            Some(old) => Some(old),
            None => return S.fail("缺少参数 md5Password（原密码的 MD5；重置密码请传 reset=true）"),
        }
    };
    match y
        .uc
        .set_password_digest_with_ticket(
            id,
            &sid,
            current.as_deref().map(|old| (DigestScheme::Md5, old)),
            (DigestScheme::Md5, &new),
            &call.client,
        )
        .await
    {
        Ok(()) => S.ok(json!({ "msg": if reset { "密码重置成功" } else { "密码修改成功" } })),
        Err(e) => S.error(&e),
    }
}

/// `POST /cas/v1/validate`: `{userName, md5Password, shaPassword, norsa,
/// sysId}`. With `norsa` the digests are plain hex and `md5Password` is
/// checked, with the sign-in lockout and captcha rules of the web sign-in
/// (the optional `key` and `code` carry a captcha from `getValiImage` when
/// the account needs one). Success: `{"status":"1","msg":"认证成功",
/// "user":{UserVO}}`; a wrong name or password: `{"status":"0","msg":
/// "用户名或密码错误"}`. RSA-encrypted digests (no `norsa`) are refused:
/// the product has no CAS key pair to decrypt them with.
///
/// The check opens no lasting session: the one a sign-in creates is ended
/// at once (the audit log shows the sign-in and its sign-out).
pub(super) async fn validate(State(y): State<Yonyou>, call: Call) -> Response {
    const S: Status = Status::Text;
    let p = match call.params {
        Ok(p) => p,
        Err(e) => return S.unreadable(e),
    };
    if p.value(&["norsa"]).is_none() {
        return S.fail("RSA not supported; send norsa");
    }
    let Some(name) = p.text(&["userName"]) else {
        return S.fail(message(&ErrorCode::InvalidCredentials.into()));
    };
    let Some(md5) = p.text(&["md5Password"]) else {
        return S.fail("缺少参数 md5Password（shaPassword 不用于校验）");
    };
    let captcha = p.text(&["key"]).zip(p.text(&["code"]));
    let signed_in =
        y.uc.login_with_digest(
            &name,
            DigestScheme::Md5,
            &md5,
            captcha.as_ref().map(|(k, c)| (k.as_str(), c.as_str())),
            &call.client,
        )
        .await;
    let auth = match signed_in {
        Ok(auth) => auth,
        // A malformed name is just a wrong one here.
        Err(e) if matches!(e.code(), ErrorCode::InvalidIdentifier | ErrorCode::Required) => {
            return S.fail(message(&ErrorCode::InvalidCredentials.into()))
        }
        Err(e) => return S.error(&e),
    };
    if let Err(e) =
        y.uc.logout_by_refresh_token(&auth.refresh_token, &call.client)
            .await
    {
        tracing::warn!(error = %e, "could not end the session of a cas validation");
    }
    S.ok(json!({
        "msg": "认证成功",
        "user": user_vo(&auth.user, y.contacts(&p)),
    }))
}
