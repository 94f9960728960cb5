//! `UserCenter/Login` (create an account, or sign in: one path for both),
//! `Password/Login` (change the login password) and `Password/Pay` (verify
//! or change the payment PIN).

use super::call::{own_user, Call, Fields};
use super::envelope::{Problem, Reply};
use super::Ukex;
use axum::extract::State;
use domain::account_sources::AccountSource;
use domain::recovery::ChangeProof;
use domain::wallet::PinProof;
use serde_json::{json, Value};
use shared::dto::UserProfile;
use shared::validate::{self, Identifier};
use shared::ErrorCode;

/// `UserCenter/Login`. The document describes two operations at this one
/// path: "新增用户账号" (with `source_type`) and "登录" (without). A call
/// that carries a `source_type` creates an account; any other signs in.
pub(crate) async fn login_or_create(State(s): State<Ukex>, call: Call) -> Reply {
    let creating = call.fields().is_ok_and(|f| f.has("source_type"));
    if creating {
        Reply::of(create(&s, &call).await, "添加失败")
    } else {
        Reply::of(sign_in(&s, &call).await, "登录失败")
    }
}

/// "新增用户账号": `usercount` is an email or a mobile number (an account
/// needs a contact), recorded with its `source_type`.
async fn create(s: &Ukex, call: &Call) -> Result<Value, Problem> {
    let f = call.fields()?;
    let usercount = f.required("usercount")?;
    let password = f.required("password")?;
    let source = AccountSource::from_code(f.required_int("source_type")?)
        .ok_or_else(|| Problem::invalid("source_type", "1（ukex）或 2（ukexpay）"))?;
    s.uc.create_account_from(&usercount, &password, source)
        .await?;
    Ok("添加成功".into())
}

/// "登录": the session's refresh token is the seed's long-lived `token`,
/// `deadLine` the session's end (Unix seconds), `uid` the user id as text.
/// The sign-in lockout and captcha rules apply; `captcha_key` and
/// `captcha_answer` (from `GET /api/v1/captcha`) are accepted for when a
/// captcha is required.
async fn sign_in(s: &Ukex, call: &Call) -> Result<Value, Problem> {
    let f = call.fields()?;
    let usercount = f.required("usercount")?;
    let password = f.required("password")?;
    let key = f.text("captcha_key")?;
    let answer = f.text("captcha_answer")?;
    let captcha = key.as_deref().zip(answer.as_deref());
    let auth =
        s.uc.login(&usercount, &password, captcha, &call.client)
            .await?;
    Ok(json!({
        "token": auth.refresh_token,
        "deadLine": auth.refresh_expires_at,
        "uid": auth.user.id.to_string(),
    }))
}

/// `Password/Login`: the token's own account (`usercount` must name it)
/// gets the new `password`. The product confirms a password change with
/// the current password, which the document does not send: it is taken
/// from `oldpassword` (or `old_password`), or a `reset_password` ticket
/// from `sid`; without either the change is refused.
pub(crate) async fn change_password(State(s): State<Ukex>, call: Call) -> Reply {
    Reply::of(new_password(&s, &call).await, "密码修改失败")
}

async fn new_password(s: &Ukex, call: &Call) -> Result<Value, Problem> {
    let auth = call.user(&s.uc).await?;
    let f = call.fields()?;
    let usercount = f.required("usercount")?;
    let password = f.required("password")?;
    let profile = s.uc.profile(auth.user_id).await?;
    if !names_account(&profile, &usercount)? {
        return Err(Problem::not_yours("usercount"));
    }
    let old = f.first_text(&["oldpassword", "old_password", "oldPassword"])?;
    let sid = f.text("sid")?;
    let proof = match (&old, &sid) {
        (Some(old), _) => ChangeProof::CurrentPassword(old),
        (None, Some(sid)) => ChangeProof::Ticket(sid),
        (None, None) => {
            return Err(Problem::new(
                "修改登录密码须验证原密码：请带上 oldpassword（原密码）或 sid (PROOF_REQUIRED)",
            ))
        }
    };
    s.uc.change_password(&auth, proof, &password).await?;
    Ok("密码修改成功".into())
}

/// Whether `usercount` (email, mobile or username) is one of the
/// account's own identifiers.
fn names_account(profile: &UserProfile, usercount: &str) -> Result<bool, Problem> {
    Ok(match validate::parse_identifier(usercount)? {
        Identifier::Email(e) => profile.email.as_deref() == Some(e.as_str()),
        Identifier::Phone(p) => profile.phone.as_deref() == Some(p.as_str()),
        Identifier::Username(key) => profile
            .username
            .as_deref()
            .is_some_and(|u| validate::username_key(u) == key),
    })
}

/// `Password/Pay`: `oper_type` 1 verifies the 6-digit payment PIN (counted
/// like a payment's: 5 wrong in a row lock payments for an hour by
/// default), 2 sets a new one. See [`set_pin`] for what a change needs.
pub(crate) async fn pay_password(State(s): State<Ukex>, call: Call) -> Reply {
    let oper = call
        .fields()
        .ok()
        .and_then(|f| f.int("oper_type").ok().flatten());
    let word = match oper {
        Some(1) => "验证失败",
        Some(2) => "修改失败",
        _ => "操作失败",
    };
    Reply::of(pin(&s, &call).await, word)
}

async fn pin(s: &Ukex, call: &Call) -> Result<Value, Problem> {
    let auth = call.user(&s.uc).await?;
    let f = call.fields()?;
    own_user(f, "uid", &auth)?;
    let pin = f.required("paypassword")?;
    match f.required_int("oper_type")? {
        1 => {
            s.uc.check_payment_pin(auth.user_id, &pin).await?;
            Ok("验证成功".into())
        }
        2 => {
            set_pin(s, &auth, f, &pin).await?;
            Ok("修改成功".into())
        }
        _ => Err(Problem::invalid(
            "oper_type",
            "1（验证交易密码）或 2（修改交易密码）",
        )),
    }
}

/// The document sends only the new PIN; the product asks more, so a
/// session alone cannot take over payments:
/// - changing a PIN needs the old one (`old_paypassword`, counted like a
///   payment's) or a verified `pay_password` ticket (`sid`);
/// - the first PIN needs the login password (`password`, counted by the
///   re-entry limiter) or such a ticket.
async fn set_pin(
    s: &Ukex,
    auth: &domain::AuthContext,
    f: &Fields,
    new_pin: &str,
) -> Result<(), Problem> {
    // The PIN itself first: a weak one costs no proof.
    shared::wallet::check_pin(new_pin)?;
    let sid = f.text("sid")?;
    if s.uc.pin_status(auth.user_id).await?.set {
        let old = f.first_text(&[
            "old_paypassword",
            "oldpaypassword",
            "oldPaypassword",
            "old_pay_password",
        ])?;
        match (old, sid) {
            (Some(old), _) => s.uc.change_payment_pin(auth, &old, new_pin).await?,
            (None, Some(sid)) => s.uc.reset_payment_pin(auth, &sid, new_pin).await?,
            (None, None) => {
                return Err(Problem::new(
                    "修改交易密码须验证原交易密码：请带上 old_paypassword 或 sid (PROOF_REQUIRED)",
                ))
            }
        }
    } else {
        let password = f.text("password")?;
        let proof = PinProof::from_request(password.as_deref(), sid.as_deref()).map_err(|e| {
            if e.code() == ErrorCode::ProofRequired {
                Problem::new(
                    "首次设置交易密码须验证登录密码：请带上 password（登录密码）或 sid (PROOF_REQUIRED)",
                )
            } else {
                e.into()
            }
        })?;
        s.uc.set_payment_pin(auth, new_pin, proof).await?;
    }
    Ok(())
}
