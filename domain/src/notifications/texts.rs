//! The text of each notice, in English and Simplified Chinese.
//!
//! Each says what happened and, for security notices, what to do if it was
//! not the reader. Nothing a stranger typed goes into them (a transfer's
//! memo, a raw user agent), so a notice cannot be made to carry someone
//! else's message. Subjects carry no long numbers: scripts read codes from
//! subjects, and a notice must never look like one.

use super::Event;
use crate::clock;
use crate::delivery::{templates, Lang, Message};
use shared::profile::VerificationKind;

const PRODUCT: &str = "User Center";
const PRODUCT_ZH: &str = "用户中心";

fn en(subject: &str, text: String) -> Message {
    Message {
        subject: format!("{PRODUCT}: {subject}"),
        text,
    }
}

fn zh(subject: &str, text: String) -> Message {
    Message {
        subject: format!("{PRODUCT_ZH}：{subject}"),
        text: format!("【{PRODUCT_ZH}】{text}"),
    }
}

/// `2024-05-01 08:30 UTC`.
fn when(unix: i64) -> String {
    let t = clock::rfc3339(unix);
    format!("{} UTC", t.replace('T', " ").get(..16).unwrap_or(&t))
}

/// The notice of `event` in `lang`.
pub(super) fn message(event: &Event, lang: Lang) -> Message {
    match lang {
        Lang::En => english(event),
        Lang::ZhCn => chinese(event),
    }
}

fn english(event: &Event) -> Message {
    let review = |kind: &VerificationKind| match kind {
        VerificationKind::RealName => "real-name verification",
        VerificationKind::Qualification => "qualification",
    };
    match event {
        Event::ReviewDecided {
            kind,
            rejection: None,
        } => en(
            &format!("your {} was approved", review(kind)),
            format!(
                "The {} of your {PRODUCT} account was approved.",
                review(kind)
            ),
        ),
        Event::ReviewDecided {
            kind,
            rejection: Some(reason),
        } => en(
            &format!("your {} was not approved", review(kind)),
            format!(
                "The {} of your {PRODUCT} account was not approved. Reason: {reason}\n\
                 You can correct it and submit it again on your profile page.",
                review(kind)
            ),
        ),
        Event::AccountFrozen => en(
            "your account was frozen",
            format!(
                "Your {PRODUCT} account was frozen by support: it cannot sign in or move \
                 money until it is unfrozen. If you think this is a mistake, contact support."
            ),
        ),
        Event::AccountUnfrozen => en(
            "your account was unfrozen",
            format!(
                "Your {PRODUCT} account was unfrozen: you can sign in and use your wallet again."
            ),
        ),
        Event::AccountClosed => en(
            "your account was closed",
            format!(
                "Your {PRODUCT} account was closed and all its sessions were signed out. \
                 If you did not expect this, contact support."
            ),
        ),
        Event::ContactChanged {
            email,
            old: Some(_),
        } => {
            let what = if *email {
                "email address"
            } else {
                "phone number"
            };
            en(
                &format!("your {what} was changed"),
                format!(
                    "The {what} of your {PRODUCT} account was changed, so this {what} no \
                     longer belongs to it. If you did not do this, contact support at once."
                ),
            )
        }
        Event::ContactChanged { email, old: None } => {
            let what = if *email {
                "an email address"
            } else {
                "a phone number"
            };
            en(
                &format!("{what} was added to your account"),
                format!(
                    "{what} was added to your {PRODUCT} account. If you did not do this, \
                     change your password and contact support at once.",
                    what = capitalise(what)
                ),
            )
        }
        Event::MoneyReceived { amount, currency } => en(
            "money received",
            format!("You received {amount} {currency} in your {PRODUCT} wallet."),
        ),
        Event::PinSet => en(
            "a payment PIN was set",
            format!(
                "A payment PIN was set on your {PRODUCT} account, so it can now make \
                 payments. If you did not do this, contact support at once."
            ),
        ),
        Event::PinChanged => en(
            "your payment PIN was changed",
            format!(
                "The payment PIN of your {PRODUCT} account was changed. If you did not do \
                 this, contact support at once."
            ),
        ),
        Event::NewDeviceSignIn { device, ip, at } => en(
            "new sign-in",
            format!(
                "Your {PRODUCT} account was signed in to at {} from {}{}, which it had \
                 not been used from before. If this was you, nothing needs doing. If not, \
                 change your password and sign out the other sessions on the Security page.",
                when(*at),
                device.as_deref().unwrap_or("an unknown browser"),
                ip.as_deref()
                    .map(|ip| format!(" (IP {ip})"))
                    .unwrap_or_default()
            ),
        ),
        Event::PasswordReset { .. } => templates::password_reset_notice(Lang::En),
    }
}

fn chinese(event: &Event) -> Message {
    let review = |kind: &VerificationKind| match kind {
        VerificationKind::RealName => "实名认证",
        VerificationKind::Qualification => "资质认证",
    };
    match event {
        Event::ReviewDecided {
            kind,
            rejection: None,
        } => zh(
            &format!("{}已通过", review(kind)),
            format!("您账号的{}已通过审核。", review(kind)),
        ),
        Event::ReviewDecided {
            kind,
            rejection: Some(reason),
        } => zh(
            &format!("{}未通过", review(kind)),
            format!(
                "您账号的{}未通过审核，原因：{reason}\n您可以在个人资料页修改后重新提交。",
                review(kind)
            ),
        ),
        Event::AccountFrozen => zh(
            "账号已冻结",
            "您的账号已被客服冻结，解冻前无法登录或转账。如有疑问，请联系客服。".into(),
        ),
        Event::AccountUnfrozen => zh(
            "账号已解冻",
            "您的账号已解冻，可以正常登录和使用钱包。".into(),
        ),
        Event::AccountClosed => zh(
            "账号已注销",
            "您的账号已注销，所有登录会话均已退出。如非预期，请联系客服。".into(),
        ),
        Event::ContactChanged {
            email,
            old: Some(_),
        } => {
            let what = if *email { "邮箱" } else { "手机号" };
            zh(
                &format!("{what}已更换"),
                format!(
                    "您账号的{what}已更换，此{what}不再绑定该账号。如非本人操作，请立即联系客服。"
                ),
            )
        }
        Event::ContactChanged { email, old: None } => {
            let what = if *email { "邮箱" } else { "手机号" };
            zh(
                &format!("账号新绑定了{what}"),
                format!("您的账号新绑定了{what}。如非本人操作，请立即修改密码并联系客服。"),
            )
        }
        Event::MoneyReceived { amount, currency } => zh(
            "收到转入资金",
            format!("您的钱包收到 {amount} {currency}。"),
        ),
        Event::PinSet => zh(
            "已设置支付密码",
            "您的账号已设置支付密码，可以付款了。如非本人操作，请立即联系客服。".into(),
        ),
        Event::PinChanged => zh(
            "支付密码已修改",
            "您账号的支付密码已修改。如非本人操作，请立即联系客服。".into(),
        ),
        Event::NewDeviceSignIn { device, ip, at } => zh(
            "新设备登录",
            format!(
                "您的账号于 {} 在此前未用过的设备（{}{}）上登录。如是本人操作，无需处理；\
                 否则请立即修改密码，并在“安全”页面退出其他会话。",
                when(*at),
                device.as_deref().unwrap_or("未知浏览器"),
                ip.as_deref()
                    .map(|ip| format!("，IP {ip}"))
                    .unwrap_or_default()
            ),
        ),
        Event::PasswordReset { .. } => templates::password_reset_notice(Lang::ZhCn),
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
