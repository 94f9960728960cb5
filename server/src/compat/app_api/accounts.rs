//! `register`, `login`, `retrieve_password` and `exit_login`.

use super::envelope::{Code, Reply};
use super::Request;
use domain::accounts::Registration;
use domain::password_policy::PasswordPolicy;
use domain::recovery::ResetProof;
use domain::DomainError;
use serde_json::json;
use shared::error::PasswordProblem;
use shared::profile::VerificationState;
use shared::ErrorCode;

/// The answer to a password the policy refuses, in the seed's words.
fn weak_password_info(e: &DomainError) -> &'static str {
    let reason = match e {
        DomainError::Rejected(e) => e.reason,
        _ => None,
    };
    match reason {
        Some(PasswordProblem::MatchesAccount) => "密码不能与账号相同",
        Some(PasswordProblem::TooCommon) => "密码过于简单,请换一个",
        _ => "密码长度不可小于6位,大于16位",
    }
}

/// `POST Api/User/register`: `phone`, `code`, `password`, `RegistrationID`.
///
/// The code is the product's six-digit `register` code sent to the phone
/// (`POST /api/v1/codes/send`), so it proves the phone; the password
/// follows this facade's 6–16 rule. The answer's token is the new session's.
pub(super) async fn register(req: &Request<'_>) -> Reply {
    let p = req.params;
    let (Some(phone), Some(code), Some(password)) =
        (p.get("phone"), p.get("code"), p.get("password"))
    else {
        return Reply::fail(
            Code::InputMismatch,
            "输入的信息不符合:手机号、验证码和密码不能为空",
        );
    };
    let form = Registration {
        phone,
        code,
        password,
        ..Default::default()
    };
    match req
        .uc()
        .register_with_policy(form, PasswordPolicy::AppApi, &req.client())
        .await
    {
        Ok(res) => Reply::ok(json!({ "token": res.refresh_token }), "注册成功"),
        Err(e) => match e.code() {
            ErrorCode::PhoneTaken | ErrorCode::EmailTaken | ErrorCode::UsernameTaken => {
                Reply::fail(Code::AccountExists, "该账号已存在")
            }
            ErrorCode::CodeIncorrect | ErrorCode::InvalidCode => {
                Reply::fail(Code::SmsCodeWrong, "验证码有误")
            }
            ErrorCode::InvalidPhone | ErrorCode::ContactRequired => {
                Reply::fail(Code::InputMismatch, "输入的信息不符合:手机号格式不正确")
            }
            ErrorCode::WeakPassword => Reply::fail(Code::InputMismatch, weak_password_info(&e)),
            ErrorCode::Required | ErrorCode::InvalidInput => {
                Reply::fail(Code::InputMismatch, "输入的信息不符合")
            }
            _ => {
                log_unexpected("register", &e);
                Reply::fail(Code::RegisterFailed, "注册失败")
            }
        },
    }
}

/// `POST Api/User/login`: `phone`, `password`.
///
/// `phone` takes any identifier the product signs in with (phone, email,
/// username), so accounts made on the web can use the app. The same
/// counted limiter as every sign-in applies; when it asks for a captcha,
/// `captcha_key` and `captcha_answer` (from `GET /api/v1/captcha`) may be
/// sent as well. `authenticationState` is 1 when the real name is verified.
pub(super) async fn login(req: &Request<'_>) -> Reply {
    let p = req.params;
    let (Some(identifier), Some(password)) = (p.get("phone"), p.get("password")) else {
        return Reply::fail(Code::InputMismatch, "账号密码格式不正确");
    };
    let captcha = p.get("captcha_key").zip(p.get("captcha_answer"));
    match req
        .uc()
        .login(identifier, password, captcha, &req.client())
        .await
    {
        Ok(res) => {
            let verified = res.user.verification == VerificationState::Verified;
            Reply::ok(
                json!({
                    "authenticationState": u8::from(verified),
                    "token": res.refresh_token,
                }),
                "登录成功",
            )
        }
        Err(e) => {
            let info = match e.code() {
                ErrorCode::Required | ErrorCode::InvalidIdentifier => {
                    return Reply::fail(Code::InputMismatch, "账号密码格式不正确")
                }
                ErrorCode::InvalidCredentials => "账号密码错误",
                ErrorCode::AccountLocked => "账号密码错误次数过多,账号已暂时锁定,请稍后再试",
                ErrorCode::CaptchaRequired | ErrorCode::CaptchaIncorrect => {
                    "账号密码错误次数过多,请填写图形验证码(captcha_key、captcha_answer)"
                }
                ErrorCode::AccountDisabled => "该账号已被冻结或注销,无法登录",
                ErrorCode::LoginNotAllowed => "该账号已被禁止登录,请联系客服",
                ErrorCode::DeviceCodeRequired => "该设备未绑定账号,请使用短信验证码登录",
                ErrorCode::RateLimited => "请求过于频繁,请稍后再试",
                _ => {
                    log_unexpected("login", &e);
                    "登录失败,请稍后再试"
                }
            };
            Reply::fail(Code::WrongCredentials, info)
        }
    }
}

/// `POST Api/User/retrieve_password`: `account`, `phone_code`,
/// `new_password`. Also the password change ("修改密码相同").
///
/// The code is the product's `reset_password` code sent to the account's
/// phone (or email). Every session ends, this app's token included: the
/// app signs in again. A wrong code and an account that does not exist
/// answer alike (1013).
pub(super) async fn retrieve_password(req: &Request<'_>) -> Reply {
    let p = req.params;
    let (Some(account), Some(code), Some(new_password)) =
        (p.get("account"), p.get("phone_code"), p.get("new_password"))
    else {
        return Reply::fail(
            Code::InputMismatch,
            "输入的信息不符合:账号、验证码和新密码不能为空",
        );
    };
    let proof = ResetProof::Code {
        contact: account,
        code,
    };
    match req
        .uc()
        .reset_password_with_policy(
            proof,
            new_password,
            PasswordPolicy::AppApi,
            req.caller.lang,
            &req.client(),
        )
        .await
    {
        Ok(()) => Reply::ok(json!(""), "密码设置成功"),
        Err(e) => match e.code() {
            ErrorCode::CodeIncorrect | ErrorCode::InvalidCode => {
                Reply::fail(Code::WrongCodeOrIdentity, "验证码有误")
            }
            ErrorCode::InvalidContact => {
                Reply::fail(Code::InputMismatch, "输入的信息不符合:账号格式不正确")
            }
            ErrorCode::WeakPassword => Reply::fail(Code::InputMismatch, weak_password_info(&e)),
            ErrorCode::Required | ErrorCode::InvalidInput => {
                Reply::fail(Code::InputMismatch, "输入的信息不符合")
            }
            _ => {
                log_unexpected("retrieve_password", &e);
                Reply::fail(Code::InputMismatch, "密码设置失败,请稍后再试")
            }
        },
    }
}

/// `GET Api/User/exit_login?token=`: ends the token's session ("退出后,将
/// 会刷新token": the token is dead from now on). A token of no live session
/// is 1015 with `state 1`, exactly as the document shows: signing out twice
/// is harmless.
pub(super) async fn exit_login(req: &Request<'_>) -> Reply {
    let auth = match req.session().await {
        Ok(auth) => auth,
        Err(no @ super::NoSession::Missing) => return no.not_logged_in(),
        Err(no) => return no.or_unknown_user().with_state(1),
    };
    match req.uc().logout(&auth).await {
        Ok(()) => Reply::ok(json!(""), "退出成功"),
        Err(e) => {
            log_unexpected("exit_login", &e);
            Reply::fail(Code::UserNotFound, "退出失败,请稍后再试")
        }
    }
}

/// Failures no seed code names are logged (internal ones by the domain
/// error itself) and answered with the operation's general failure.
pub(super) fn log_unexpected(operation: &str, e: &DomainError) {
    let app = e.to_app_error();
    tracing::info!(
        operation,
        code = app.code.as_str(),
        "app API: request refused"
    );
}
