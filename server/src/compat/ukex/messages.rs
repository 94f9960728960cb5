//! The product's error codes in the seed's language: the reason that
//! follows the failure word in `data`, with the code itself for support and
//! logs, e.g. `可用余额不足 (INSUFFICIENT_FUNDS)`.

use shared::error::PasswordProblem;
use shared::{AppError, ErrorCode};

/// The reason for one error, with the tries left or the wait when the
/// error carries them.
pub(crate) fn explain(e: &AppError) -> String {
    let mut text = match (e.code, e.reason) {
        (ErrorCode::WeakPassword, Some(reason)) => weak_password(reason).to_string(),
        (code, _) => chinese(code).map_or_else(|| e.message.clone(), str::to_string),
    };
    if let Some(login) = &e.login {
        if login.locked_until.is_none()
            && matches!(
                e.code,
                ErrorCode::InvalidCredentials | ErrorCode::PinIncorrect
            )
        {
            let left = login.remaining_consecutive.min(login.remaining_cumulative);
            text.push_str(&format!("，还可尝试 {left} 次"));
        }
    }
    if let Some(secs) = e.retry_after_secs {
        text.push_str(&format!("，请 {secs} 秒后再试"));
    }
    format!("{text} ({})", e.code.as_str())
}

fn weak_password(reason: PasswordProblem) -> &'static str {
    match reason {
        PasswordProblem::TooShort => "密码太短，至少 8 位",
        PasswordProblem::TooLong => "密码太长",
        PasswordProblem::TooCommon => "密码太常见，请换一个",
        PasswordProblem::MatchesAccount => "密码不能与账号（邮箱、手机号、用户名）相同",
    }
}

/// Chinese text of the codes this facade's operations can meet; `None`
/// for the others, which keep the product's English message.
fn chinese(code: ErrorCode) -> Option<&'static str> {
    use ErrorCode::*;
    Some(match code {
        Required => "缺少必填字段",
        ContactRequired => "账号须为邮箱或中国大陆手机号",
        InvalidEmail => "邮箱格式不正确",
        InvalidPhone => "手机号格式不正确（中国大陆 11 位手机号）",
        InvalidUsername => "用户名须为 3–32 位字母、数字、_ 或 -，且不能全是数字",
        InvalidIdentifier => "账号格式不正确（邮箱、手机号或用户名）",
        InvalidDevice => {
            "设备信息不正确：device_id 为 1–128 位字母、数字或 . _ : -，设备名称和系统为 1–64 个字符"
        }
        WeakPassword => "密码强度不足",
        EmailTaken => "该邮箱已被注册",
        PhoneTaken => "该手机号已被注册",
        UsernameTaken => "该用户名已被使用",
        InvalidCredentials => "账号或密码错误",
        AccountDisabled => "该账号已冻结或注销，不能登录",
        AccountLocked => "登录失败次数过多，账号暂时锁定",
        ReentryLocked => "原密码错误次数过多，暂时锁定",
        RateLimited => "请求过于频繁，请稍后再试",
        Unauthenticated | TokenExpired | TokenRevoked | TokenMalformed
        | TokenInvalidSignature => "token 无效或已过期，请重新登录",
        DeviceCodeRequired => "该设备未绑定，请用验证码登录后再试",
        CaptchaRequired => "需要图形验证码：请带上 captcha_key 和 captcha_answer",
        CaptchaIncorrect => "图形验证码错误或已过期",
        TicketInvalid => "验证凭证 sid 无效、已过期或已使用",
        PasswordIncorrect => "原密码错误",
        ProofRequired => "需要原密码或验证凭证 sid",
        ContactUnchanged => "与当前的联系方式相同",
        InvalidContact => "不是有效的邮箱或中国大陆手机号",
        Forbidden => "无权操作",
        NotFound => "未找到",
        InvalidInput => "请求格式不正确",
        PayloadTooLarge => "请求体过大",
        UnsupportedMediaType => "不支持的 Content-Type，请用 JSON 或表单",
        InvalidAmount => "数量格式不正确：只能是数字和一个小数点，如 12.50",
        AmountExponent => "数量不能用科学计数法（如 1e3），请写出完整数字",
        AmountGrouping => "数量不能带千位分隔符",
        AmountTooPrecise => "数量的小数位数超过该币种的精度",
        AmountNegative => "数量不能为负数",
        AmountNotPositive => "数量必须大于 0",
        AmountTooLarge => "数量过大",
        InvalidRequestId => "requestId 须为 1–64 位字母、数字或 . _ : -",
        InvalidMemo => "备注最多 200 个字符，且不能含控制字符",
        UnknownCurrency => "钱包中没有该币种",
        CurrencyDisabled => "该币种已停用",
        InsufficientFunds => "可用余额不足",
        InsufficientFrozen => "冻结余额不足",
        BalanceLimit => "超过余额上限",
        CannotTransferToSelf => "买方和卖方不能是同一用户",
        RecipientNotFound => "卖方用户不存在",
        RecipientUnavailable => "卖方账户当前不能收款",
        WalletRestricted => "账户当前不能收付款（已冻结、注销或未审核）",
        IdempotencyConflict => "该 requestId 已用于另一笔不同的请求",
        InvalidPin => "交易密码须为 6 位数字",
        WeakPin => "交易密码太简单：避免重复数字和 123456 这样的顺序",
        PinSameAsPassword => "交易密码不能与登录密码相同",
        PinAlreadySet => "已设置过交易密码",
        PinNotSet => "尚未设置交易密码",
        PinIncorrect => "交易密码错误",
        PinLocked => "交易密码错误次数过多，支付已锁定",
        InvalidDisplayName => "昵称最多 32 个字符，且不能含控制字符",
        InvalidRealName => "姓名最多 64 个字符，且不能含控制字符",
        InvalidCountry => "证件签发国须为两位国家代码，如 CN",
        InvalidIdNumber => "证件号码不正确：18 位，最后一位为数字或 X",
        IdBirthDateInvalid => "身份证号中的出生日期无效",
        IdGenderMismatch => "性别与身份证号不符",
        InvalidPassport => "护照号码须为 5–20 位字母或数字",
        VerificationPending => "实名认证审核中，不能修改实名信息",
        AlreadyVerified => "已通过实名认证，不能修改实名信息",
        AccountClosed => "该账号已注销",
        LoginNotAllowed => "该账号已被禁止登录",
        TransferNotAllowed => "该账号已被禁止转账",
        WithdrawNotAllowed => "该账号已被禁止提现",
        Internal => "服务器内部错误，请稍后再试",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::LoginFailures;

    #[test]
    fn reasons_carry_the_code_and_what_is_left() {
        assert_eq!(
            explain(&AppError::new(ErrorCode::InsufficientFunds)),
            "可用余额不足 (INSUFFICIENT_FUNDS)"
        );
        let wrong_pin = AppError::login_failure(
            ErrorCode::PinIncorrect,
            LoginFailures {
                consecutive_failures: 1,
                remaining_consecutive: 4,
                cumulative_failures: 1,
                remaining_cumulative: 4,
                locked_until: None,
            },
        );
        assert_eq!(
            explain(&wrong_pin),
            "交易密码错误，还可尝试 4 次 (PIN_INCORRECT)"
        );
        let locked = AppError::new(ErrorCode::PinLocked).retry_after(60);
        assert_eq!(
            explain(&locked),
            "交易密码错误次数过多，支付已锁定，请 60 秒后再试 (PIN_LOCKED)"
        );
        assert_eq!(
            explain(&AppError::weak_password(PasswordProblem::TooShort)),
            "密码太短，至少 8 位 (WEAK_PASSWORD)"
        );
        // A code without a translation keeps the product's message.
        let other = AppError::new(ErrorCode::BatchTooLarge);
        assert_eq!(
            explain(&other),
            format!("{} (BATCH_TOO_LARGE)", other.message)
        );
    }
}
