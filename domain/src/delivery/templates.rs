//! The text of codes and notices, in English and Simplified Chinese. Each code
//! message says what the code is for and how long it is valid, so a code that
//! arrives unexpectedly tells its reader what someone tried to do.

use super::Message;
use shared::dto::CodePurpose;

/// The language of a message: the one the requester's page was shown in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    ZhCn,
}

impl Lang {
    /// `zh-CN`, `zh`, `zh-Hans…` → Chinese; anything else → English.
    pub fn from_tag(tag: &str) -> Lang {
        let tag = tag.trim().to_ascii_lowercase();
        if tag == "zh" || tag.starts_with("zh-cn") || tag.starts_with("zh-hans") {
            Lang::ZhCn
        } else {
            Lang::En
        }
    }
}

const PRODUCT: &str = "User Center";
const PRODUCT_ZH: &str = "用户中心";

fn purpose_text(purpose: CodePurpose, lang: Lang) -> &'static str {
    match (lang, purpose) {
        (Lang::En, CodePurpose::Register) => "create your account",
        (Lang::En, CodePurpose::Login) => "sign in",
        (Lang::En, CodePurpose::ResetPassword) => "reset your password",
        (Lang::En, CodePurpose::ChangeContact) => "change the contact details of your account",
        (Lang::En, CodePurpose::BindContact) => "add this contact to your account",
        (Lang::En, CodePurpose::PayPassword) => "set your payment PIN",
        (Lang::En, CodePurpose::Activation) => "activate your account",
        (Lang::ZhCn, CodePurpose::Register) => "注册账号",
        (Lang::ZhCn, CodePurpose::Login) => "登录",
        (Lang::ZhCn, CodePurpose::ResetPassword) => "重置密码",
        (Lang::ZhCn, CodePurpose::ChangeContact) => "更换账号的联系方式",
        (Lang::ZhCn, CodePurpose::BindContact) => "将此联系方式绑定到账号",
        (Lang::ZhCn, CodePurpose::PayPassword) => "设置支付密码",
        (Lang::ZhCn, CodePurpose::Activation) => "激活账号",
    }
}

/// The message carrying a verification code.
pub fn code_message(code: &str, purpose: CodePurpose, minutes: i64, lang: Lang) -> Message {
    let what = purpose_text(purpose, lang);
    match lang {
        Lang::En => Message {
            subject: format!("{PRODUCT}: your code is {code}"),
            text: format!(
                "Your {PRODUCT} code to {what} is {code}. It is valid for {minutes} minutes \
                 and can be used once. If you did not ask for it, ignore this message; \
                 never share the code with anyone."
            ),
        },
        Lang::ZhCn => Message {
            subject: format!("{PRODUCT_ZH}验证码：{code}"),
            text: format!(
                "【{PRODUCT_ZH}】您正在{what}，验证码：{code}，{minutes} 分钟内有效，仅可使用一次。\
                 如非本人操作，请忽略本消息，切勿将验证码告诉他人。"
            ),
        },
    }
}

/// Sent on the other channel after a password reset.
pub fn password_reset_notice(lang: Lang) -> Message {
    match lang {
        Lang::En => Message {
            subject: format!("{PRODUCT}: your password was reset"),
            text: format!(
                "The password of your {PRODUCT} account was just reset and all sessions were \
                 signed out. If this was not you, reset it again at once and contact support."
            ),
        },
        Lang::ZhCn => Message {
            subject: format!("{PRODUCT_ZH}：密码已重置"),
            text: format!(
                "【{PRODUCT_ZH}】您的账号密码刚刚被重置，所有登录会话均已退出。\
                 如非本人操作，请立即再次重置密码并联系客服。"
            ),
        },
    }
}

/// Sent instead of a sign-up code to a contact that already has an account,
/// so the sign-up form answers alike for free and taken contacts and the
/// owner learns of the attempt.
pub fn signup_attempt_notice(lang: Lang) -> Message {
    match lang {
        Lang::En => Message {
            subject: format!("{PRODUCT}: someone tried to create an account"),
            text: format!(
                "Someone tried to create a {PRODUCT} account with this address, which already \
                 has one. If it was you, sign in or reset your password. Otherwise you can \
                 ignore this message."
            ),
        },
        Lang::ZhCn => Message {
            subject: format!("{PRODUCT_ZH}：有人尝试用此地址注册"),
            text: format!(
                "【{PRODUCT_ZH}】有人尝试用此地址注册新账号，但该地址已有账号。\
                 如果是您本人，请直接登录或重置密码；否则请忽略本消息。"
            ),
        },
    }
}

/// A staff-created account's random initial password.
pub fn initial_password_message(login: &str, password: &str, lang: Lang) -> Message {
    match lang {
        Lang::En => Message {
            subject: format!("Your {PRODUCT} account"),
            text: format!(
                "An account was created for you.\n\nSign in as: {login}\nInitial password: \
                 {password}\n\nPlease change the password on the Security page after you sign in."
            ),
        },
        Lang::ZhCn => Message {
            subject: format!("您的{PRODUCT_ZH}账号"),
            text: format!(
                "【{PRODUCT_ZH}】已为您创建账号。\n\n登录账号：{login}\n初始密码：{password}\n\n\
                 登录后请立即在“安全”页面修改密码。"
            ),
        },
    }
}

/// Sent when staff or a service open an account for a contact: the code
/// comes first (SMS readers and the tests' outbox look for the first six
/// digits), then the page to activate on and what activation asks for.
pub fn activation_invitation(code: &str, link: &str, hours: i64, lang: Lang) -> Message {
    match lang {
        Lang::En => Message {
            subject: format!("{PRODUCT}: activate your account, code {code}"),
            text: format!(
                "Your activation code is {code}. An account was opened for you with this \
                 contact. To start using it, open {link} and enter the code, a new password \
                 and a 6-digit payment PIN. The code is valid for {hours} hours and can be used \
                 once; on that page you can ask for a new one. Money sent to this contact \
                 already reaches the account. If you did not expect this, ignore this message."
            ),
        },
        Lang::ZhCn => Message {
            subject: format!("{PRODUCT_ZH}：激活您的账号，激活码 {code}"),
            text: format!(
                "【{PRODUCT_ZH}】您的激活码：{code}。已有人用此联系方式为您开立账号。\
                 请打开 {link}，输入激活码、新密码和 6 位支付密码即可开始使用。\
                 激活码 {hours} 小时内有效，仅可使用一次；该页面也可重新获取。\
                 转入此联系方式的款项已可到账。如非预期，请忽略本消息。"
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_message_names_its_purpose_code_and_validity() {
        for &purpose in CodePurpose::ALL {
            for lang in [Lang::En, Lang::ZhCn] {
                let m = code_message("123456", purpose, 10, lang);
                assert!(m.text.contains("123456"));
                assert!(m.text.contains("10"));
                assert!(m.text.contains(purpose_text(purpose, lang)));
            }
        }
        assert_eq!(Lang::from_tag("zh-CN"), Lang::ZhCn);
        assert_eq!(Lang::from_tag("en-US"), Lang::En);
        for lang in [Lang::En, Lang::ZhCn] {
            let m = activation_invitation("024681", "https://id.example/activate", 72, lang);
            assert!(m.subject.contains("024681") && m.text.contains("/activate"));
            assert!(m.text.contains("72"));
        }
    }
}
