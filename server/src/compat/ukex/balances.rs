//! `Balance/AddBalance`, `ReduceBalance`, the transfer and
//! `AllocationBalance`: the wallet's service operations, made as the
//! service `ukex` (`Actor::Service`), on the token's own user.
//!
//! - `coinId` is looked up in `UC_COMPAT_UKEX_COINS` (overrides), then as a
//!   wallet currency code or alias; anything else is refused.
//! - Amounts are decimal strings parsed exactly by the wallet (no floats,
//!   no exponents, no more decimals than the currency has); a JSON integer
//!   is taken as its digits, any other number is refused.
//! - Idempotency: the document has no request id. A call may bring one
//!   (`X-Request-Id` / `X-Transaction-Id` header, or a `requestId`,
//!   `request_id`, `transaction_id` or `transactionId` field): a retry with
//!   the same id and content moves nothing and answers success again, the
//!   same id with other content is refused. Without one, every call is a
//!   movement of its own.
//! - An optional `memo` (or `remark`) is the note in the user's history;
//!   by default the operation's name (`ukex 充值`, …).

use super::call::{own_user, Call, Fields};
use super::envelope::{Problem, Reply};
use super::{Ukex, SERVICE};
use axum::extract::State;
use domain::service_actions::one_off_request_id;
use domain::wallet::{Actor, Authorisation, Movement, Recipient, Transfer};
use serde_json::Value;

/// What one wallet call needs besides the amount.
struct Common {
    currency: String,
    memo: String,
    request_id: String,
}

impl Common {
    async fn read(
        s: &Ukex,
        call: &Call,
        f: &Fields,
        default_memo: &str,
    ) -> Result<Common, Problem> {
        let coin = f.required("coinId")?;
        let currency = match s.coins.currency(&coin) {
            Some(code) => code.to_string(),
            None => match s.uc.resolve_currency(&coin).await {
                Ok(code) => code,
                Err(e) if e.code() == shared::ErrorCode::UnknownCurrency => {
                    return Err(Problem::new(format!(
                        "未知的 coinId {}：既不是币种代码或别名，也不在 UC_COMPAT_UKEX_COINS 中 (UNKNOWN_CURRENCY)",
                        coin.trim()
                    )))
                }
                Err(e) => return Err(e.into()),
            },
        };
        Ok(Common {
            currency,
            memo: f
                .first_text(&["memo", "remark"])?
                .unwrap_or_else(|| default_memo.to_string()),
            request_id: call
                .request_id()?
                .unwrap_or_else(|| one_off_request_id(SERVICE)),
        })
    }
}

fn service() -> Actor {
    Actor::Service(SERVICE.to_string())
}

/// `Balance/AddBalance`: a deposit of `quantityNum` to the token's user.
pub(crate) async fn add(State(s): State<Ukex>, call: Call) -> Reply {
    Reply::of(deposit(&s, &call).await, "充值失败")
}

async fn deposit(s: &Ukex, call: &Call) -> Result<Value, Problem> {
    let auth = call.user(&s.uc).await?;
    let f = call.fields()?;
    let c = Common::read(s, call, f, "ukex 充值").await?;
    let amount = f.required("quantityNum")?;
    s.uc.deposit(
        Movement {
            user_id: auth.user_id,
            currency: &c.currency,
            amount: &amount,
            memo: &c.memo,
            request_id: &c.request_id,
        },
        &service(),
    )
    .await?;
    Ok("充值成功".into())
}

/// `Balance/ReduceBalance`: a withdrawal of `quantityNum` from the token's
/// user. The document files the transfer under this same anchor, so a
/// call with `buyerUserId` or `sellerUserId` is the transfer.
pub(crate) async fn reduce(State(s): State<Ukex>, call: Call) -> Reply {
    let is_transfer = call
        .fields()
        .is_ok_and(|f| f.has("buyerUserId") || f.has("sellerUserId"));
    let result = if is_transfer {
        pay(&s, &call).await
    } else {
        withdraw(&s, &call).await
    };
    Reply::of(result, "操作失败")
}

async fn withdraw(s: &Ukex, call: &Call) -> Result<Value, Problem> {
    let auth = call.user(&s.uc).await?;
    let f = call.fields()?;
    let c = Common::read(s, call, f, "ukex 扣减").await?;
    let amount = f.required("quantityNum")?;
    s.uc.withdraw(
        Movement {
            user_id: auth.user_id,
            currency: &c.currency,
            amount: &amount,
            memo: &c.memo,
            request_id: &c.request_id,
        },
        &service(),
    )
    .await?;
    Ok("操作成功".into())
}

/// `Balance/TransferBalance` ("资产转移"): `transNum` from the buyer to the
/// seller, without a PIN (the calling server vouches for the trade). The
/// token must be the buyer's, the user whose money leaves; a seller's or
/// anyone else's token is refused.
pub(crate) async fn transfer(State(s): State<Ukex>, call: Call) -> Reply {
    Reply::of(pay(&s, &call).await, "操作失败")
}

async fn pay(s: &Ukex, call: &Call) -> Result<Value, Problem> {
    let auth = call.user(&s.uc).await?;
    let f = call.fields()?;
    own_user(f, "buyerUserId", &auth)?;
    let seller = f.required("sellerUserId")?;
    let seller: i64 = seller
        .trim()
        .parse()
        .map_err(|_| Problem::invalid("sellerUserId", "须为用户 id（数字）"))?;
    let c = Common::read(s, call, f, "ukex 交易").await?;
    let amount = f.required("transNum")?;
    let actor = service();
    s.uc.transfer(
        Transfer {
            from_user: auth.user_id,
            to: Recipient::UserId(seller),
            currency: &c.currency,
            amount: &amount,
            memo: &c.memo,
            request_id: &c.request_id,
        },
        Authorisation::Service(&actor),
    )
    .await?;
    Ok("操作成功".into())
}

/// `Balance/AllocationBalance`: `oper_type` 1 freezes `AssetsNum` of the
/// available balance (a hold), 2 releases it. `UserId` must be the
/// token's user.
pub(crate) async fn allocate(State(s): State<Ukex>, call: Call) -> Reply {
    Reply::of(hold(&s, &call).await, "操作失败")
}

async fn hold(s: &Ukex, call: &Call) -> Result<Value, Problem> {
    let auth = call.user(&s.uc).await?;
    let f = call.fields()?;
    own_user(f, "UserId", &auth)?;
    let freeze = match f.required_int("oper_type")? {
        1 => true,
        2 => false,
        _ => {
            return Err(Problem::invalid(
                "oper_type",
                "1（冻结资产）或 2（解冻资产）",
            ))
        }
    };
    let memo = if freeze { "ukex 冻结" } else { "ukex 解冻" };
    let c = Common::read(s, call, f, memo).await?;
    let amount = f.required("AssetsNum")?;
    let m = Movement {
        user_id: auth.user_id,
        currency: &c.currency,
        amount: &amount,
        memo: &c.memo,
        request_id: &c.request_id,
    };
    if freeze {
        s.uc.freeze(m, &service()).await?;
    } else {
        s.uc.unfreeze(m, &service()).await?;
    }
    Ok("操作成功".into())
}
