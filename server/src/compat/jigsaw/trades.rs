//! The trade codes: each reads its fields, calls the domain and maps the
//! outcome into jigsaw's answer. A FAIL is returned as `Err`, so `?` ends a
//! trade at its first refusal.

use super::envelope::Answer;
use super::request::Fields;
use super::user_info::{parse_gender, parse_id_type, status_of, user_info};
use super::SCHEME;
use domain::accounts::Registration;
use domain::activation::{GivenPassword, VouchedActivation};
use domain::codes::CodeRequest;
use domain::service_closing::ServiceClosing;
use domain::service_pins::PinAsSent;
use domain::{ClientInfo, DomainError, Lang, UserCenter};
use shared::dto::{CodePurpose, UserProfile};
use shared::identity::{self, CivilDate, Gender};
use shared::profile::{AccountState, UpdateProfileRequest};
use shared::validate;
use shared::{AppError, ErrorCode};

type Outcome = Result<Answer, Answer>;

/// A validation error of `shared` as a FAIL answer.
fn rejected(e: AppError) -> Answer {
    Answer::from(DomainError::from(e))
}

/// A FAIL answer about the user `user_id`: it names the user (用户号 is
/// returned whenever the call named an existing user).
fn about(user_id: i64) -> impl Fn(DomainError) -> Answer {
    move |e| Answer::from(e).with("userNo", user_id.to_string())
}

/// One call of a trade.
pub(super) struct Trade<'a> {
    pub(super) uc: &'a UserCenter,
    pub(super) lang: Lang,
    pub(super) client: &'a ClientInfo,
    pub(super) fields: &'a Fields,
}

impl Trade<'_> {
    /// The account a call names by `userNo` (用户号) or `loginId` (用户标识:
    /// email, phone or username); one of them is required, and when both
    /// are given they must name the same account.
    async fn user(&self) -> Result<i64, Answer> {
        let no = self.fields.user_no()?;
        let login_id = self.fields.text("loginId")?;
        let by_login = match &login_id {
            Some(id) => Some(
                self.uc
                    .user_id_by_login_identifier(id)
                    .await?
                    .ok_or_else(no_such_user)?,
            ),
            None => None,
        };
        match (no, by_login) {
            (Some(no), Some(other)) if no != other => {
                Err(Answer::invalid("userNo and loginId name different users."))
            }
            (Some(no), _) => match self.uc.profile(no).await {
                Ok(_) => Ok(no),
                Err(e) if e.code() == ErrorCode::NotFound => Err(no_such_user()),
                Err(e) => Err(e.into()),
            },
            (None, Some(id)) => Ok(id),
            (None, None) => Err(Answer::refused(
                "REQUIRED",
                "userNo or loginId is required.",
            )),
        }
    }

    /// The login password: `MD5(MD5(password))` as 32 hex digits.
    fn login_password(&self) -> Result<String, Answer> {
        let raw = self.fields.required("loginPassword")?;
        SCHEME.normalise(&raw).ok_or_else(|| {
            Answer::invalid("loginPassword must be MD5(MD5(password)): 32 hexadecimal digits.")
        })
    }

    /// The contact a code of `trade` went to, for the account `user`: the
    /// one `codeId` names, else the account's phone, else its email. It
    /// must be on the account (`CONTACT_NOT_BOUND`): a code someone received
    /// on their own phone proves nothing about another account.
    fn code_contact(&self, trade: &str, user: &UserProfile) -> Result<String, Answer> {
        let contact = match self.fields.text("codeId")? {
            Some(code_id) => code_id_contact(&code_id, trade)?,
            None => match (&user.phone, &user.email) {
                (Some(phone), _) => phone.clone(),
                (None, Some(email)) => email.clone(),
                (None, None) => return Err(ErrorCode::NoSuchContact.into_answer()),
            },
        };
        let bound = [&user.phone, &user.email]
            .into_iter()
            .flatten()
            .any(|c| same_contact(c, &contact));
        if bound {
            Ok(contact)
        } else {
            Err(ErrorCode::ContactNotBound.into_answer())
        }
    }

    /// 简易开户 (jru-1001): a new account from a mobile number and/or an
    /// email and the login password's digest; optionally the payment
    /// password (the account is then active at once; without it the account
    /// is pre-opened until `userActivation`), a sign-up code, and the real
    /// name and ID document.
    pub(super) async fn register(&self) -> Outcome {
        let f = self.fields;
        let mobile = f.text("mobile")?.unwrap_or_default();
        let email = f.text("email")?.unwrap_or_default();
        let login_password = self.login_password()?;
        // Everything is checked before the account is created, so a refused
        // call leaves nothing behind.
        let pin = match f.text("payPassword")? {
            Some(raw) => {
                let sent = PinAsSent::parse(&raw, SCHEME);
                let as_digest = match sent {
                    PinAsSent::Plain(pin) => Some(SCHEME.of(pin)),
                    PinAsSent::Digest(scheme, digest) => scheme.normalise(digest),
                };
                if as_digest.as_deref() == Some(login_password.as_str()) {
                    return Err(ErrorCode::PinSameAsPassword.into_answer());
                }
                let pin = self.uc.pin_as_digits(sent).await?;
                shared::wallet::check_pin(&pin).map_err(rejected)?;
                Some(pin)
            }
            None => None,
        };
        let identity = self.identity_change()?;
        let code = f.text("code")?;
        let form = Registration {
            email: &email,
            phone: &mobile,
            code: code.as_deref().unwrap_or(""),
            ..Default::default()
        };
        if code.is_some() {
            // The code proves the email, else the phone (the product's
            // sign-up rule); a codeId must name that contact.
            if let Some(code_id) = f.text("codeId")? {
                let proven = if email.is_empty() { &mobile } else { &email };
                let named = code_id_contact(&code_id, "register")?;
                if !same_contact(&named, proven) {
                    return Err(Answer::invalid(
                        "codeId names another contact than the one the code must prove \
                         (the email, else the mobile number).",
                    ));
                }
            }
        }
        let user_id = match (&code, &pin) {
            // No payment password: the seed's pre-opened account (预开户),
            // which `userActivation` activates.
            (_, None) => {
                self.uc
                    .pre_open_with_digest(form, SCHEME, &login_password)
                    .await?
                    .id
            }
            (Some(_), Some(_)) => {
                let auth = self
                    .uc
                    .register_with_digest(form, SCHEME, &login_password, self.client)
                    .await?;
                // jigsaw's register signs nobody in: end the session sign-up opened.
                self.uc
                    .logout_by_refresh_token(&auth.refresh_token, self.client)
                    .await?;
                auth.user.id
            }
            (None, Some(_)) => {
                self.uc
                    .create_user_with_digest(form, SCHEME, &login_password)
                    .await?
                    .id
            }
        };
        if let Some(change) = identity {
            self.uc
                .update_profile(user_id, &change)
                .await
                .map_err(about(user_id))?;
        }
        if let Some(pin) = pin {
            self.uc
                .activate_payment_pin(user_id, PinAsSent::Plain(&pin), None)
                .await
                .map_err(about(user_id))?;
        }
        self.answer_with_status(user_id).await
    }

    /// The real name and ID document of a register call, checked as the
    /// profile will check them; `None` when none is given.
    fn identity_change(&self) -> Result<Option<UpdateProfileRequest>, Answer> {
        let f = self.fields;
        let real_name = f.text("realName")?;
        let id_country = f.text("idCountry")?;
        let id_type = match f.text("idType")? {
            Some(raw) => Some(parse_id_type(&raw).ok_or_else(bad_id_type)?),
            None => None,
        };
        let id_number = f.text("idNumber")?;
        if let Some(name) = &real_name {
            identity::normalize_real_name(name).map_err(rejected)?;
        }
        if let Some(country) = &id_country {
            identity::normalize_country(country).map_err(rejected)?;
        }
        if let Some(number) = &id_number {
            let today = CivilDate::china_from_unix(domain::clock::now());
            identity::normalize_id_number(
                id_type.unwrap_or_default(),
                number,
                Gender::Unspecified,
                today,
            )
            .map_err(rejected)?;
        }
        if real_name.is_none() && id_country.is_none() && id_type.is_none() && id_number.is_none() {
            return Ok(None);
        }
        Ok(Some(UpdateProfileRequest {
            real_name,
            id_country,
            id_type,
            id_number,
            ..Default::default()
        }))
    }

    /// 用户激活 (jru-1002): activates a pre-opened account (status 1) with
    /// its payment password, making it normal; the login password given at
    /// `register` stays (an account staff or a service opened has none, so
    /// `loginPassword` is then required). With `code` (from `sendSmsCode`
    /// for `userActivation`) the code must be right too.
    ///
    /// An active account without a payment password gets its first one
    /// (payments activated), as before pre-opened accounts existed.
    pub(super) async fn user_activation(&self) -> Outcome {
        let user_id = self.user().await?;
        let pay = self.fields.required("payPassword")?;
        let user = self.uc.profile(user_id).await.map_err(about(user_id))?;
        let code = self.fields.text("code")?;
        if user.account_state == AccountState::PreOpened {
            let contact = match &code {
                Some(_) => Some(
                    self.code_contact("userActivation", &user)
                        .map_err(|a| a.with("userNo", user_id.to_string()))?,
                ),
                None => None,
            };
            let login_password = match self.fields.text("loginPassword")? {
                Some(_) => Some(self.login_password()?),
                None => None,
            };
            self.uc
                .activate_for_service(VouchedActivation {
                    user_id,
                    pin: PinAsSent::parse(&pay, SCHEME),
                    password: login_password
                        .as_deref()
                        .map(|d| GivenPassword::Digest(SCHEME, d)),
                    code: code.as_deref(),
                    contact: contact.as_deref(),
                    via: "jigsaw",
                })
                .await
                .map_err(about(user_id))?;
            return self.answer_with_status(user_id).await;
        }
        let ticket = match code {
            Some(code) => {
                let contact = self
                    .code_contact("userActivation", &user)
                    .map_err(|a| a.with("userNo", user_id.to_string()))?;
                let ticket = self
                    .uc
                    .verify_code(
                        &contact,
                        Some(CodePurpose::PayPassword),
                        &code,
                        Some(user_id),
                    )
                    .await
                    .map_err(about(user_id))?;
                Some(ticket.sid)
            }
            None => None,
        };
        self.uc
            .activate_payment_pin(user_id, PinAsSent::parse(&pay, SCHEME), ticket.as_deref())
            .await
            .map_err(about(user_id))?;
        self.answer_with_status(user_id).await
    }

    /// 用户基础信息查询 (jru-2001): the user information object, by
    /// `userNo` or `loginId`.
    pub(super) async fn get_user_info(&self) -> Outcome {
        let user_id = self.user().await?;
        let user = self.uc.profile(user_id).await.map_err(about(user_id))?;
        let pin_set = self.uc.pin_status(user_id).await?.set;
        Ok(Answer::success()
            .with("userNo", user_id.to_string())
            .with("userInfo", user_info(&user, pin_set)))
    }

    /// 用户基础信息更新 (jru-2002): real name, gender and ID document.
    /// Absent fields stay as they are.
    pub(super) async fn update_user_info(&self) -> Outcome {
        let user_id = self.user().await?;
        let f = self.fields;
        let gender = match f.text("gender")? {
            Some(raw) => Some(parse_gender(&raw).ok_or_else(|| {
                Answer::invalid("gender must be 1 (male), 2 (female) or 0 (not stated).")
            })?),
            None => None,
        };
        let id_type = match f.text("idType")? {
            Some(raw) => Some(parse_id_type(&raw).ok_or_else(bad_id_type)?),
            None => None,
        };
        let change = UpdateProfileRequest {
            real_name: f.text("realName")?,
            gender,
            id_country: f.text("idCountry")?,
            id_type,
            id_number: f.text("idNumber")?,
            ..Default::default()
        };
        self.uc
            .update_profile(user_id, &change)
            .await
            .map_err(about(user_id))?;
        self.answer_with_status(user_id).await
    }

    /// 登陆密码鉴权 (jru-3001): checks the login password as a sign-in does,
    /// with its lockout; a failure answers the counters. With `code` (from
    /// `sendSmsCode` for `authLoginPwd`) the code must be right as well.
    pub(super) async fn auth_login_pwd(&self) -> Outcome {
        let f = self.fields;
        let login_id = f.required("loginId")?;
        let password = self.login_password()?;
        let captcha_key = f.text("captchaKey")?;
        let captcha_answer = f.text("captchaAnswer")?;
        let captcha = captcha_key.as_deref().zip(captcha_answer.as_deref());
        let auth = self
            .uc
            .login_with_digest(&login_id, SCHEME, &password, captcha, self.client)
            .await?;
        // An authentication, not a sign-in: no session stays open.
        self.uc
            .logout_by_refresh_token(&auth.refresh_token, self.client)
            .await?;
        let user = auth.user;
        if let Some(code) = f.text("code")? {
            let contact = self
                .code_contact("authLoginPwd", &user)
                .map_err(|a| a.with("userNo", user.id.to_string()))?;
            self.uc
                .verify_code(&contact, Some(CodePurpose::Login), &code, None)
                .await
                .map_err(about(user.id))?;
        }
        let pin_set = self.uc.pin_status(user.id).await?.set;
        Ok(Answer::success()
            .with("userNo", user.id.to_string())
            .with("userInfo", user_info(&user, pin_set)))
    }

    /// 支付密码鉴权 (3.2, designed here): checks the payment password
    /// (six digits, or their `MD5(MD5())`) against the PIN limiter; a
    /// failure answers its counters.
    pub(super) async fn auth_pay_pwd(&self) -> Outcome {
        let user_id = self.user().await?;
        let pay = self.fields.required("payPassword")?;
        self.uc
            .check_pin_as_sent(user_id, PinAsSent::parse(&pay, SCHEME))
            .await
            .map_err(about(user_id))?;
        self.answer_with_status(user_id).await
    }

    /// 发送短信验证码 (3.3, designed here): sends a code for a trade
    /// (`purpose`: `register`, `userActivation` or `authLoginPwd`) and
    /// answers its `codeId`.
    pub(super) async fn send_sms_code(&self) -> Outcome {
        let f = self.fields;
        let trade = f.required("purpose")?;
        let (contact, purpose, requester) = match trade.as_str() {
            // A new contact: the product's sign-up code, with its captcha.
            "register" => {
                let contact = match (f.text("email")?, f.text("mobile")?) {
                    (Some(email), _) => email,
                    (None, Some(mobile)) => mobile,
                    (None, None) => {
                        return Err(Answer::refused("REQUIRED", "mobile or email is required."))
                    }
                };
                (contact, CodePurpose::Register, None)
            }
            // The account's own phone (or email): no captcha.
            "userActivation" | "authLoginPwd" => {
                let user_id = self.user().await?;
                let user = self.uc.profile(user_id).await.map_err(about(user_id))?;
                let contact = match f.text("mobile")?.or(f.text("email")?) {
                    Some(given) => {
                        let on_account = [&user.phone, &user.email]
                            .into_iter()
                            .flatten()
                            .any(|c| same_contact(c, &given));
                        if !on_account {
                            return Err(ErrorCode::ContactNotBound
                                .into_answer()
                                .with("userNo", user_id.to_string()));
                        }
                        given
                    }
                    None => match user.phone.or(user.email) {
                        Some(c) => c,
                        None => return Err(ErrorCode::NoSuchContact.into_answer()),
                    },
                };
                // A pre-opened account's activation code; an active
                // account's first payment password is a `pay_password` code.
                let purpose = match (trade.as_str(), user.account_state) {
                    ("userActivation", AccountState::PreOpened) => CodePurpose::Activation,
                    ("userActivation", _) => CodePurpose::PayPassword,
                    _ => CodePurpose::Login,
                };
                (contact, purpose, Some(user_id))
            }
            _ => {
                return Err(Answer::invalid(
                    "purpose must be register, userActivation or authLoginPwd.",
                ))
            }
        };
        let contact = validate::parse_contact(&contact)
            .map_err(rejected)?
            .value()
            .to_string();
        let captcha_key = f.text("captchaKey")?;
        let captcha_answer = f.text("captchaAnswer")?;
        let request = CodeRequest {
            contact: &contact,
            purpose: Some(purpose),
            captcha_key: captcha_key.as_deref(),
            captcha_answer: captcha_answer.as_deref(),
            lang: self.lang,
        };
        // No per-address cap: every call comes from the service network's
        // few addresses; the per-contact limits apply.
        let sent = self.uc.send_code(request, requester, None).await?;
        Ok(Answer::success()
            .with("codeId", format!("{trade}:{contact}"))
            .with("sentTo", sent.sent_to)
            .with("expiresIn", sent.expires_in_secs)
            .with("retryAfter", sent.retry_after_secs))
    }

    /// 用户销户 (4.1): closes the account; the reason, the operator and the
    /// authorising operator go into the audit log.
    pub(super) async fn close_user(&self) -> Outcome {
        let user_id = self.user().await?;
        let f = self.fields;
        let reason = f.text("reason")?;
        let operator = f.text("operator")?;
        let authorizer = f.text("authorizer")?;
        let closing = ServiceClosing {
            reason: reason.as_deref(),
            operator: operator.as_deref(),
            authoriser: authorizer.as_deref(),
        };
        self.uc
            .close_account_for_service(user_id, closing, "jigsaw", self.client)
            .await
            .map_err(about(user_id))?;
        self.answer_with_status(user_id).await
    }

    /// SUCCESS with 用户号 and 用户状态.
    async fn answer_with_status(&self, user_id: i64) -> Outcome {
        let status = status_of(self.uc, user_id).await.map_err(about(user_id))?;
        Ok(Answer::success()
            .with("userNo", user_id.to_string())
            .with("userStatus", status))
    }
}

fn no_such_user() -> Answer {
    Answer::refused("NOT_FOUND", "No such user.")
}

fn bad_id_type() -> Answer {
    Answer::invalid("idType must be mainland_id (or ID, IDCARD, 身份证), passport (护照) or other.")
}

/// The contact a `codeId` (`{trade}:{contact}`, as `sendSmsCode` answers
/// it) names, if it was issued for `trade`.
fn code_id_contact(code_id: &str, trade: &str) -> Result<String, Answer> {
    match code_id.split_once(':') {
        Some((issued_for, contact)) if issued_for == trade => Ok(contact.to_string()),
        _ => Err(Answer::invalid(format!(
            "codeId was not issued by sendSmsCode for {trade}."
        ))),
    }
}

/// Whether two contacts are the same once normalised.
fn same_contact(a: &str, b: &str) -> bool {
    match (validate::parse_contact(a), validate::parse_contact(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// A bare error code as a FAIL answer.
trait IntoAnswer {
    fn into_answer(self) -> Answer;
}

impl IntoAnswer for ErrorCode {
    fn into_answer(self) -> Answer {
        Answer::from(DomainError::from(self))
    }
}
