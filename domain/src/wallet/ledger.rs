//! Money movements: deposit, withdraw, transfer, freeze, unfreeze, settle.
//!
//! Each is validated outside the write lock (amount, note, request id,
//! recipient, PIN), then posted in one `BEGIN IMMEDIATE` transaction: replay
//! check, status and balance checks, the journal row, the balance updates and
//! the idempotency record commit together or not at all.

use super::currencies::CurrencyRow;
use super::{Actor, Authorisation};
use crate::staff_limits::StaffAction;
use crate::store::ledger::SystemAccount;
use crate::{DomainError, UserCenter};
use shared::money::{self, MAX_AMOUNT};
use shared::wallet::{self, Balance, Receipt, TransferKind};
use shared::{AppError, ErrorCode};

/// A deposit, withdrawal, hold, release or settlement for one user.
#[derive(Clone, Copy, Debug)]
pub struct Movement<'a> {
    pub user_id: i64,
    /// Currency code, e.g. `CNY`.
    pub currency: &'a str,
    /// Decimal text in the currency's scale, e.g. `"12.50"`.
    pub amount: &'a str,
    /// The reason shown in the history; may be empty.
    pub memo: &'a str,
    /// The client's idempotency key: see [`idempotency`](super::idempotency).
    pub request_id: &'a str,
}

/// Who receives a transfer.
#[derive(Clone, Copy, Debug)]
pub enum Recipient<'a> {
    UserId(i64),
    /// An email, phone number or username, as typed.
    Identifier(&'a str),
}

/// A payment from one user to another.
#[derive(Clone, Copy, Debug)]
pub struct Transfer<'a> {
    pub from_user: i64,
    pub to: Recipient<'a>,
    pub currency: &'a str,
    pub amount: &'a str,
    pub memo: &'a str,
    pub request_id: &'a str,
}

/// A validated operation, ready to post.
#[derive(Debug)]
pub(super) struct Order {
    pub(super) kind: TransferKind,
    pub(super) currency: CurrencyRow,
    pub(super) amount: i64,
    /// The user the receipt is about: the payer of a transfer.
    pub(super) user: i64,
    /// The payee of a transfer.
    pub(super) recipient: Option<i64>,
    pub(super) memo: Option<String>,
    pub(super) request_id: String,
    pub(super) actor: Actor,
    /// The system account deposits come from and payouts go to.
    pub(super) outside: Outside,
}

/// Which per-currency system account stands for the world outside the
/// wallet in an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Outside {
    /// `external`: top-ups and payouts.
    External,
    /// `migration`: opening balances brought in by an import (created on
    /// first use), kept apart so its balance is minus all that moved in.
    Migration,
}

impl Outside {
    pub(super) fn system(self) -> SystemAccount {
        match self {
            Outside::External => SystemAccount::External,
            Outside::Migration => SystemAccount::Migration,
        }
    }
}

/// One account's balances as read inside the transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct AccountState {
    pub(super) id: i64,
    pub(super) posted: i64,
    pub(super) frozen: i64,
    /// System accounts may go negative and hold no frozen funds.
    pub(super) system: bool,
}

/// The balance DTO of one currency.
pub(crate) fn balance_dto(currency: &CurrencyRow, posted: i64, frozen: i64) -> Balance {
    let scale = currency.scale();
    Balance {
        currency: currency.code.clone(),
        name: currency.name.clone(),
        name_zh: currency.name_zh.clone(),
        enabled: currency.enabled,
        scale,
        available: money::format_amount(posted - frozen, scale),
        frozen: money::format_amount(frozen, scale),
        posted: money::format_amount(posted, scale),
        available_minor: posted - frozen,
        frozen_minor: frozen,
        posted_minor: posted,
    }
}

impl UserCenter {
    /// Money from outside into a user's account (a top-up); for services and staff.
    pub async fn deposit(&self, m: Movement<'_>, actor: &Actor) -> Result<Receipt, DomainError> {
        self.movement(TransferKind::Deposit, m, actor).await
    }

    /// Money from a user's available balance to outside (a payout); for
    /// services and staff.
    pub async fn withdraw(&self, m: Movement<'_>, actor: &Actor) -> Result<Receipt, DomainError> {
        self.movement(TransferKind::Withdraw, m, actor).await
    }

    /// Holds part of the available balance (e.g. a pending withdrawal); the
    /// money stays the user's but cannot be spent until released or settled.
    pub async fn freeze(&self, m: Movement<'_>, actor: &Actor) -> Result<Receipt, DomainError> {
        self.movement(TransferKind::Freeze, m, actor).await
    }

    /// Releases held money back to the available balance.
    pub async fn unfreeze(&self, m: Movement<'_>, actor: &Actor) -> Result<Receipt, DomainError> {
        self.movement(TransferKind::Unfreeze, m, actor).await
    }

    /// Pays held money out to outside: frozen and posted both shrink.
    pub async fn settle(&self, m: Movement<'_>, actor: &Actor) -> Result<Receipt, DomainError> {
        self.movement(TransferKind::Settle, m, actor).await
    }

    /// A movement by a member of staff (the REST staff endpoints, the
    /// console's balance adjustment), audited with the operator's IP and
    /// user agent. Deposits and withdrawals, holds and their release.
    pub async fn staff_movement(
        &self,
        op: impl Into<crate::caller::Operator>,
        kind: TransferKind,
        m: Movement<'_>,
    ) -> Result<Receipt, DomainError> {
        let op = op.into();
        self.movement_from(kind, m, &Actor::User(op.id), Some(&op))
            .await
    }

    /// Pays another user. With [`Authorisation::Pin`] the payer must have set a
    /// payment PIN and type it: it is checked (and counted, see
    /// [`pin`](super::pin)) before the write lock is taken. A service path
    /// ([`Authorisation::Service`]) skips the PIN.
    ///
    /// Refused: paying oneself, an unknown recipient, a payer or recipient
    /// whose account is not `normal`, a disabled currency, more than the
    /// available balance.
    pub async fn transfer(
        &self,
        t: Transfer<'_>,
        auth: Authorisation<'_>,
    ) -> Result<Receipt, DomainError> {
        let order = self.transfer_order(t, auth).await?;
        self.post(order).await
    }

    /// The checks of [`Self::transfer`] that need no write lock (the PIN
    /// among them), giving the order to post.
    pub(super) async fn transfer_order(
        &self,
        t: Transfer<'_>,
        auth: Authorisation<'_>,
    ) -> Result<Order, DomainError> {
        let actor = match auth {
            Authorisation::Pin(_) => Actor::User(t.from_user),
            Authorisation::Service(actor) => {
                self.check_trusted(actor, t.from_user, None).await?;
                actor.clone()
            }
        };
        let mut order = self
            .order(
                TransferKind::Transfer,
                t.from_user,
                t.currency,
                t.amount,
                t.memo,
                t.request_id,
                actor,
            )
            .await?;
        let to = self.resolve_recipient(t.to).await?;
        if to == t.from_user {
            return Err(ErrorCode::CannotTransferToSelf.into());
        }
        order.recipient = Some(to);
        if let Authorisation::Service(staff @ Actor::User(_)) = auth {
            // Staff moving money touch the recipient's balance as well.
            self.check_trusted(staff, to, None).await?;
        }
        if let Authorisation::Pin(pin) = auth {
            self.verify_payment_pin(t.from_user, pin).await?;
        }
        Ok(order)
    }

    async fn movement(
        &self,
        kind: TransferKind,
        m: Movement<'_>,
        actor: &Actor,
    ) -> Result<Receipt, DomainError> {
        self.movement_from(kind, m, actor, None).await
    }

    /// A movement; when staff make it (not a service), the audit log gets a
    /// row with the operator's IP and user agent.
    pub(crate) async fn movement_from(
        &self,
        kind: TransferKind,
        m: Movement<'_>,
        actor: &Actor,
        operator: Option<&crate::caller::Operator>,
    ) -> Result<Receipt, DomainError> {
        let (order, staff) = self.movement_order(kind, m, actor, operator).await?;
        self.post_audited(order, staff.as_ref()).await
    }

    /// The checks of a movement that need no write lock, giving the order
    /// to post and the member of staff to audit it under (none for a
    /// service).
    pub(super) async fn movement_order(
        &self,
        kind: TransferKind,
        m: Movement<'_>,
        actor: &Actor,
        operator: Option<&crate::caller::Operator>,
    ) -> Result<(Order, Option<crate::caller::Operator>), DomainError> {
        self.check_trusted(actor, m.user_id, operator).await?;
        let order = self
            .order(
                kind,
                m.user_id,
                m.currency,
                m.amount,
                m.memo,
                m.request_id,
                actor.clone(),
            )
            .await?;
        let staff = match actor {
            Actor::User(staff) => Some(
                operator
                    .cloned()
                    .unwrap_or_else(|| crate::caller::Operator::from(*staff)),
            ),
            Actor::Service(_) => None,
        };
        Ok((order, staff))
    }

    /// Validates what needs no lock: request id, note, currency, amount.
    #[allow(clippy::too_many_arguments)]
    async fn order(
        &self,
        kind: TransferKind,
        user: i64,
        currency: &str,
        amount: &str,
        memo: &str,
        request_id: &str,
        actor: Actor,
    ) -> Result<Order, DomainError> {
        let request_id = wallet::check_request_id(request_id)?.to_string();
        let memo = wallet::check_memo(memo)?;
        let currency = self.currency(currency).await?;
        let amount = money::parse_amount(amount, currency.scale()).map_err(AppError::from)?;
        Ok(Order {
            kind,
            currency,
            amount,
            user,
            recipient: None,
            memo,
            request_id,
            actor,
            outside: Outside::External,
        })
    }

    /// A service must have a well-formed name; a user acting for someone else
    /// must be staff, within the staff limits (not on their own balance, and
    /// only a super admin on a staff account's).
    async fn check_trusted(
        &self,
        actor: &Actor,
        user: i64,
        operator: Option<&crate::caller::Operator>,
    ) -> Result<(), DomainError> {
        match actor {
            Actor::Service(name) => {
                wallet::check_request_id(name).map_err(|_| {
                    AppError::with_message(ErrorCode::InvalidInput, "bad service name")
                })?;
                Ok(())
            }
            Actor::User(id) => {
                let op = operator
                    .cloned()
                    .unwrap_or_else(|| crate::caller::Operator::from(*id));
                self.check_staff_action(&op, StaffAction::AdjustBalance, user, None)
                    .await
            }
        }
    }

    pub(super) async fn resolve_recipient(&self, to: Recipient<'_>) -> Result<i64, DomainError> {
        let found: Option<(i64,)> = match to {
            // Checked where the order is posted (the ledger writer reads the
            // recipient anyway): no query of its own here.
            Recipient::UserId(id) => Some((id,)),
            Recipient::Identifier(raw) => {
                self.user_id_by_login_identifier(raw).await?.map(|id| (id,))
            }
        };
        found
            .map(|(id,)| id)
            .ok_or_else(|| ErrorCode::RecipientNotFound.into())
    }

    /// Posts a validated order, or replays it.
    async fn post(&self, order: Order) -> Result<Receipt, DomainError> {
        self.post_audited(order, None).await
    }

    /// [`Self::post`] through the ledger writer (see [`super::writer`]),
    /// which answers after the COMMIT that contains the order. A movement
    /// staff made is audited (`balance_adjusted`, with the operator's IP and
    /// user agent) in the same transaction, so money never moves without its
    /// record. A replay writes no second row.
    async fn post_audited(
        &self,
        order: Order,
        staff: Option<&crate::caller::Operator>,
    ) -> Result<Receipt, DomainError> {
        let receiver = match order.kind {
            TransferKind::Deposit => Some(order.user),
            TransferKind::Transfer => order.recipient,
            _ => None,
        };
        let (currency, scale, amount) = (
            order.currency.code.clone(),
            order.currency.scale(),
            order.amount,
        );
        let receipt = self
            .ledger_writer()
            .await
            .post(order, staff.cloned())
            .await?;
        if receipt.replayed {
            return Ok(receipt);
        }
        if let Some(receiver) = receiver {
            self.notify_received(receiver, &currency, scale, amount)
                .await;
        }
        Ok(receipt)
    }
}

/// The actor name on the journal rows of opening balances.
const IMPORT_ACTOR: &str = "import";

/// An imported user's opening balance in one currency: a deposit from the
/// currency's `migration` account, posted inside the import's write
/// transaction. The import id is the request id, scoped `import:<code>`
/// (one deposit per currency and user), so posting it again replays the
/// first receipt instead of paying twice.
pub(crate) async fn open_balance_in(
    conn: &mut crate::store::Conn,
    user_id: i64,
    currency: &shared::wallet::Currency,
    amount: i64,
    memo: &str,
    import_id: &str,
    now: i64,
) -> Result<Receipt, DomainError> {
    let order = Order {
        kind: TransferKind::Deposit,
        currency: CurrencyRow {
            code: currency.code.clone(),
            name: currency.name.clone(),
            name_zh: currency.name_zh.clone(),
            scale: i64::from(currency.scale),
            enabled: currency.enabled,
        },
        amount,
        user: user_id,
        recipient: None,
        memo: wallet::check_memo(memo)?,
        request_id: wallet::check_request_id(import_id)?.to_string(),
        actor: Actor::Service(IMPORT_ACTOR.to_string()),
        outside: Outside::Migration,
    };
    let scope = format!("{IMPORT_ACTOR}:{}", currency.code);
    let entry = super::batch::Entry {
        order: &order,
        staff: None,
        scope,
    };
    super::batch::post_batch(conn, &[entry], now)
        .await?
        .pop()
        .unwrap_or_else(|| Err(super::internal("the batch gave no answer")))
}

/// The balances of both sides after `amount` of `kind`, or why it may not happen.
pub(super) fn apply(
    kind: TransferKind,
    amount: i64,
    debit: AccountState,
    credit: AccountState,
) -> Result<(AccountState, AccountState), ErrorCode> {
    let available = |a: AccountState| a.posted - a.frozen;
    let add = |a: AccountState, delta: i64| -> Result<AccountState, ErrorCode> {
        let posted = a.posted.checked_add(delta).ok_or(ErrorCode::BalanceLimit)?;
        if !a.system && posted > MAX_AMOUNT {
            return Err(ErrorCode::BalanceLimit);
        }
        Ok(AccountState { posted, ..a })
    };
    match kind {
        TransferKind::Freeze => {
            if available(debit) < amount {
                return Err(ErrorCode::InsufficientFunds);
            }
            let after = AccountState {
                frozen: debit.frozen + amount,
                ..debit
            };
            Ok((after, after))
        }
        TransferKind::Unfreeze => {
            if debit.frozen < amount {
                return Err(ErrorCode::InsufficientFrozen);
            }
            let after = AccountState {
                frozen: debit.frozen - amount,
                ..debit
            };
            Ok((after, after))
        }
        TransferKind::Settle => {
            if debit.frozen < amount {
                return Err(ErrorCode::InsufficientFrozen);
            }
            let debit_after = AccountState {
                posted: debit.posted - amount,
                frozen: debit.frozen - amount,
                ..debit
            };
            Ok((debit_after, add(credit, amount)?))
        }
        TransferKind::Deposit | TransferKind::Withdraw | TransferKind::Transfer => {
            if !debit.system && available(debit) < amount {
                return Err(ErrorCode::InsufficientFunds);
            }
            Ok((add(debit, -amount)?, add(credit, amount)?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(posted: i64, frozen: i64) -> AccountState {
        AccountState {
            id: 1,
            posted,
            frozen,
            system: false,
        }
    }

    fn system(posted: i64) -> AccountState {
        AccountState {
            id: 2,
            posted,
            frozen: 0,
            system: true,
        }
    }

    #[test]
    fn available_not_posted_limits_spending() {
        assert_eq!(
            apply(TransferKind::Withdraw, 60, user(100, 50), system(0)),
            Err(ErrorCode::InsufficientFunds)
        );
        let (d, c) = apply(TransferKind::Withdraw, 50, user(100, 50), system(0)).unwrap();
        assert_eq!((d.posted, d.frozen, c.posted), (50, 50, 50));
        assert_eq!(
            apply(TransferKind::Freeze, 51, user(100, 50), user(100, 50)),
            Err(ErrorCode::InsufficientFunds)
        );
    }

    #[test]
    fn holds_change_only_frozen() {
        let (a, b) = apply(TransferKind::Freeze, 30, user(100, 0), user(100, 0)).unwrap();
        assert_eq!((a, b), (user(100, 30), user(100, 30)));
        let (a, _) = apply(TransferKind::Unfreeze, 30, user(100, 30), user(100, 30)).unwrap();
        assert_eq!(a, user(100, 0));
        assert_eq!(
            apply(TransferKind::Unfreeze, 31, user(100, 30), user(100, 30)),
            Err(ErrorCode::InsufficientFrozen)
        );
        let (a, ext) = apply(TransferKind::Settle, 30, user(100, 30), system(-5)).unwrap();
        assert_eq!((a.posted, a.frozen, ext.posted), (70, 0, 25));
    }

    #[test]
    fn system_accounts_go_negative_user_balances_are_capped() {
        let (ext, u) = apply(TransferKind::Deposit, 10, system(0), user(0, 0)).unwrap();
        assert_eq!((ext.posted, u.posted), (-10, 10));
        assert_eq!(
            apply(TransferKind::Deposit, 1, system(0), user(MAX_AMOUNT, 0)),
            Err(ErrorCode::BalanceLimit)
        );
        assert_eq!(
            apply(TransferKind::Deposit, 1, system(i64::MIN), user(0, 0)),
            Err(ErrorCode::BalanceLimit)
        );
    }
}
