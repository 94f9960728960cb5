//! Posting a batch of orders set-based, inside the caller's write
//! transaction.
//!
//! Why: every statement costs a round trip to SQLite's thread, and those
//! round trips, not the fsync, bounded the ledger writer once it committed
//! many orders at once. So a batch reads everything it needs in three
//! statements (the stored requests, the users' states and accounts, the
//! system accounts), applies its orders one after another in memory, and
//! writes the outcome in four (new accounts aside: balances, journal rows,
//! requests, and one audit row per staff movement), however many orders
//! it holds.
//!
//! The orders are applied in arrival order, each against the balances the
//! earlier ones left, with the same checks in the same order as one order
//! alone: replay or conflict, currency, payer, account state, permission
//! flags, recipient, funds. A refused order changes nothing (nothing is
//! written before the batch's decisions are all made), so its neighbours are
//! unaffected. An error of the database fails the whole batch; the caller's
//! transaction then writes nothing.

use super::currencies::allowed_while_disabled;
use super::idempotency::request_hash;
use super::ledger::{apply, balance_dto, AccountState, Order, Outside};
use crate::audit::AuditEvent;
use crate::caller::Operator;
use crate::store::ledger::{NewTransfer, OrderState, SystemAccount};
use crate::{clock, store, DomainError};
use shared::admin::AuditAction;
use shared::money;
use shared::profile::AccountState as UserState;
use shared::wallet::{Receipt, TransferKind};
use shared::{AppError, ErrorCode};
use std::collections::HashMap;

/// One order of a batch, and the member of staff to audit it under.
pub(super) struct Entry<'a> {
    pub order: &'a Order,
    pub staff: Option<&'a Operator>,
    /// The idempotency scope, e.g. `service:payments`.
    pub scope: String,
}

/// An order the batch accepted, waiting for its journal row's id.
struct Accepted {
    index: usize,
    row: usize,
    hash: String,
}

/// Posts the batch; one answer per entry, in order. `Err` when the database
/// failed: nothing of the batch may then be committed.
pub(super) async fn post_batch(
    conn: &mut store::Conn,
    entries: &[Entry<'_>],
    now: i64,
) -> Result<Vec<Result<Receipt, DomainError>>, DomainError> {
    let mut book = Book::read(conn, entries).await?;
    let mut answers: Vec<Option<Result<Receipt, DomainError>>> = Vec::with_capacity(entries.len());
    let mut accepted: Vec<Accepted> = Vec::new();
    let mut rows: Vec<PendingRow> = Vec::new();
    // Requests accepted earlier in this batch, by (scope, request id): the
    // index of their `accepted` entry.
    let mut in_batch: HashMap<(String, String), usize> = HashMap::new();
    for (index, entry) in entries.iter().enumerate() {
        let order = entry.order;
        let hash = request_hash(&(
            order.kind.as_str(),
            &order.currency.code,
            order.user,
            order.recipient,
            order.amount,
            &order.memo,
        ))?;
        let key = (entry.scope.clone(), order.request_id.clone());
        if let Some(&earlier) = in_batch.get(&key) {
            // Answered once the earlier one has its receipt (below).
            let answer = if accepted[earlier].hash == hash {
                None
            } else {
                Some(Err(ErrorCode::IdempotencyConflict.into()))
            };
            if answer.is_none() {
                accepted.push(Accepted {
                    index,
                    row: accepted[earlier].row,
                    hash,
                });
            }
            answers.push(answer);
            continue;
        }
        if let Some((stored_hash, result)) = book.stored.get(&key) {
            answers.push(Some(replay(stored_hash, result, &hash)));
            continue;
        }
        if book.scale_changed(order) {
            // The amount was read in the scale the currency had when the
            // request came in; with another scale now (possible until its
            // first journal row) those minor units would mean another amount.
            let e = AppError::with_message(
                ErrorCode::InvalidAmount,
                "The currency's decimal places changed while the request was on its way; send it again.",
            );
            answers.push(Some(Err(e.into())));
            continue;
        }
        match book.decide(order) {
            Ok(mut row) => {
                row.entry = index;
                row.hash = hash.clone();
                in_batch.insert(key, accepted.len());
                accepted.push(Accepted {
                    index,
                    row: rows.len(),
                    hash,
                });
                rows.push(row);
                answers.push(None);
            }
            Err(code) => answers.push(Some(Err(code.into()))),
        }
    }

    // Write: the accounts opened by accepted orders, the balances, the
    // journal rows, the requests and the staff's audit rows.
    let ids = book.open_accounts(conn, &rows, now).await?;
    let real = |id: i64| ids.get(&id).copied().unwrap_or(id);
    let balances: Vec<(i64, i64, i64)> = book
        .touched()
        .map(|a| (real(a.id), a.posted, a.frozen))
        .collect();
    store::ledger::set_balances_many(conn, &balances, now).await?;
    let journal: Vec<NewTransfer<'_>> = rows
        .iter()
        .map(|r| {
            let order = entries[r.entry].order;
            let (actor_user, actor_service) = match &order.actor {
                super::Actor::User(id) => (Some(*id), None),
                super::Actor::Service(name) => (None, Some(name.as_str())),
            };
            NewTransfer {
                kind: order.kind.as_str(),
                currency: &order.currency.code,
                debit: real(r.debit),
                credit: real(r.credit),
                amount: order.amount,
                debit_after: r.debit_after,
                credit_after: r.credit_after,
                memo: order.memo.as_deref(),
                actor_user,
                actor_service,
                request_id: &order.request_id,
                now,
            }
        })
        .collect();
    let transfer_ids = store::ledger::insert_transfers(conn, &journal).await?;
    if transfer_ids.len() != rows.len() {
        return Err(super::internal("journal rows and ids differ in number"));
    }
    let mut receipts: Vec<Option<Receipt>> = vec![None; rows.len()];
    let mut results: Vec<String> = Vec::with_capacity(rows.len());
    for (k, (row, &transfer_id)) in rows.iter().zip(&transfer_ids).enumerate() {
        let order = entries[row.entry].order;
        let mine = row.mine;
        let receipt = Receipt {
            transfer_id,
            kind: order.kind,
            currency: order.currency.code.clone(),
            amount: money::format_amount(order.amount, order.currency.scale()),
            amount_minor: order.amount,
            balance: balance_dto(&order.currency, mine.posted, mine.frozen),
            request_id: order.request_id.clone(),
            created_at: clock::rfc3339(now),
            replayed: false,
        };
        results.push(serde_json::to_string(&receipt).map_err(super::internal)?);
        receipts[k] = Some(receipt);
    }
    let requests: Vec<store::ledger::NewRequest<'_>> = rows
        .iter()
        .zip(&transfer_ids)
        .zip(&results)
        .map(|((row, &transfer_id), result)| {
            let entry = &entries[row.entry];
            (
                entry.scope.as_str(),
                entry.order.request_id.as_str(),
                row.hash.as_str(),
                transfer_id,
                result.as_str(),
            )
        })
        .collect();
    store::ledger::record_requests(conn, &requests, now).await?;
    for (row, receipt) in rows.iter().zip(&receipts) {
        let entry = &entries[row.entry];
        let (Some(op), Some(receipt)) = (entry.staff, receipt) else {
            continue;
        };
        let order = entry.order;
        let event = AuditEvent::by_staff(AuditAction::BalanceAdjusted, op, Some(order.user))
            .details(serde_json::json!({
                "kind": order.kind.as_str(),
                "currency": receipt.currency,
                "amount": receipt.amount,
                "memo": order.memo.as_deref().unwrap_or(""),
                "request_id": receipt.request_id,
                "transfer_id": receipt.transfer_id,
            }));
        store::audit::insert(conn, now, &event).await?;
        metrics::counter!("uc_audit_events_total", "action" => event.action.as_str()).increment(1);
    }

    // Answers: the accepted orders' receipts (a repeat inside the batch
    // gets the first one's, marked replayed).
    for a in &accepted {
        let first = rows[a.row].entry == a.index;
        let mut receipt = receipts[a.row]
            .clone()
            .ok_or_else(|| super::internal("an accepted order has no receipt"))?;
        receipt.replayed = !first;
        answers[a.index] = Some(Ok(receipt));
    }
    answers
        .into_iter()
        .map(|a| a.ok_or_else(|| super::internal("an order of the batch was not answered")))
        .collect()
}

/// The earlier receipt of a request, or the conflict of another with its id.
fn replay(stored_hash: &str, result: &str, hash: &str) -> Result<Receipt, DomainError> {
    if stored_hash != hash {
        return Err(ErrorCode::IdempotencyConflict.into());
    }
    let mut receipt: Receipt = serde_json::from_str(result).map_err(super::internal)?;
    receipt.replayed = true;
    Ok(receipt)
}

/// A journal row decided in memory: account ids may still be placeholders
/// (negative) for accounts the batch opens.
struct PendingRow {
    /// The batch entry it posts, and that entry's request hash.
    entry: usize,
    hash: String,
    debit: i64,
    credit: i64,
    debit_after: (i64, i64),
    credit_after: (i64, i64),
    mine: AccountState,
}

/// What the batch read, and the balances as its orders leave them.
struct Book {
    stored: HashMap<(String, String), (String, String)>,
    /// By (currency, user id); absent: no such currency.
    states: HashMap<(String, i64), OrderState>,
    /// Account ids by (currency, user id) or (currency, system).
    users: HashMap<(String, i64), i64>,
    systems: HashMap<(String, SystemAccount), i64>,
    /// Every account the batch may touch, by id (placeholders negative).
    accounts: HashMap<i64, AccountState>,
    /// Placeholder ids of accounts to open: (currency, owner).
    to_open: HashMap<i64, (String, Owner)>,
    /// Ids whose balances the batch changed, in first-touch order.
    touched: Vec<i64>,
}

#[derive(Clone, Copy)]
enum Owner {
    User(i64),
    System(SystemAccount),
}

impl Book {
    /// Three statements: the stored requests, the users' states and
    /// accounts, the system accounts of the batch's currencies.
    async fn read(conn: &mut store::Conn, entries: &[Entry<'_>]) -> Result<Self, DomainError> {
        let keys: Vec<(&str, &str)> = entries
            .iter()
            .map(|e| (e.scope.as_str(), e.order.request_id.as_str()))
            .collect();
        let stored = store::ledger::find_requests(conn, &keys)
            .await?
            .into_iter()
            .map(|r| ((r.scope, r.request_id), (r.request_hash, r.result)))
            .collect();
        let mut pairs: Vec<(&str, i64)> = Vec::new();
        let mut currencies: Vec<&str> = Vec::new();
        for e in entries {
            let code = e.order.currency.code.as_str();
            pairs.push((code, e.order.user));
            if let Some(to) = e.order.recipient {
                pairs.push((code, to));
            }
            if !currencies.contains(&code) {
                currencies.push(code);
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut book = Book {
            stored,
            states: HashMap::new(),
            users: HashMap::new(),
            systems: HashMap::new(),
            accounts: HashMap::new(),
            to_open: HashMap::new(),
            touched: Vec::new(),
        };
        for (currency, user, state) in store::ledger::order_states(conn, &pairs).await? {
            if let Some(b) = state.user.as_ref().and_then(|u| u.account) {
                book.users.insert((currency.clone(), user), b.id);
                book.accounts.insert(b.id, account(b, false));
            }
            book.states.insert((currency, user), state);
        }
        for (currency, system, b) in store::ledger::system_accounts(conn, &currencies).await? {
            book.systems.insert((currency, system), b.id);
            book.accounts.insert(b.id, account(b, true));
        }
        Ok(book)
    }

    /// Whether the order's currency has another scale now than when the
    /// order's amount was read.
    fn scale_changed(&self, order: &Order) -> bool {
        self.states
            .get(&(order.currency.code.clone(), order.user))
            .is_some_and(|s| s.currency_scale != order.currency.scale)
    }

    /// The journal row of one order against the current balances, which it
    /// then changes; or why it is refused. The checks come in the order a
    /// single order makes them.
    fn decide(&mut self, order: &Order) -> Result<PendingRow, ErrorCode> {
        let kind = order.kind;
        let code = order.currency.code.as_str();
        let payer = self
            .states
            .get(&(code.to_string(), order.user))
            .ok_or(ErrorCode::UnknownCurrency)?;
        // A disabled currency is wound down: money may leave, none comes in.
        if !payer.currency_enabled && !allowed_while_disabled(kind) {
            return Err(ErrorCode::CurrencyDisabled);
        }
        let payer = payer.user.as_ref().ok_or(ErrorCode::NotFound)?;
        // Holds and settlements also work on frozen accounts (compliance holds).
        let moves_money = matches!(
            kind,
            TransferKind::Deposit | TransferKind::Withdraw | TransferKind::Transfer
        );
        // Money may arrive at a pre-opened account (a deposit); only an
        // active one may send it.
        let state = payer.status.state();
        let allowed = match kind {
            TransferKind::Deposit => state.receives_money(),
            _ => state == UserState::Active,
        };
        if moves_money && !allowed {
            return Err(ErrorCode::WalletRestricted);
        }
        if kind == TransferKind::Transfer && !payer.allow_transfer {
            return Err(ErrorCode::TransferNotAllowed);
        }
        if kind == TransferKind::Withdraw && !payer.allow_withdraw {
            return Err(ErrorCode::WithdrawNotAllowed);
        }
        let user = self.user_account(code, order.user);
        let (debit, credit) = match kind {
            TransferKind::Deposit => (self.system_account(code, order.outside)?, user),
            TransferKind::Withdraw | TransferKind::Settle => {
                (user, self.system_account(code, order.outside)?)
            }
            TransferKind::Freeze | TransferKind::Unfreeze => (user, user),
            TransferKind::Transfer => {
                let to = order.recipient.ok_or(ErrorCode::RecipientNotFound)?;
                let payee = self
                    .states
                    .get(&(code.to_string(), to))
                    .and_then(|s| s.user.as_ref())
                    .ok_or(ErrorCode::RecipientNotFound)?;
                if !payee.status.state().receives_money() {
                    return Err(ErrorCode::RecipientUnavailable);
                }
                (user, self.user_account(code, to))
            }
        };
        let (debit_after, credit_after) = apply(kind, order.amount, debit, credit)?;
        self.set(debit_after);
        self.set(credit_after);
        let mine = if kind == TransferKind::Deposit {
            credit_after
        } else {
            debit_after
        };
        Ok(PendingRow {
            entry: usize::MAX,
            hash: String::new(),
            debit: debit.id,
            credit: credit.id,
            debit_after: (debit_after.posted, debit_after.frozen),
            credit_after: (credit_after.posted, credit_after.frozen),
            mine,
        })
    }

    /// The user's account in the currency, or a placeholder for one to open.
    fn user_account(&mut self, currency: &str, user: i64) -> AccountState {
        let key = (currency.to_string(), user);
        let id = match self.users.get(&key) {
            Some(&id) => id,
            None => {
                let id = self.placeholder(currency, Owner::User(user), false);
                self.users.insert(key, id);
                id
            }
        };
        self.accounts[&id]
    }

    /// The currency's account for the world outside; `external` always
    /// exists, `migration` is opened on first use (imports).
    fn system_account(
        &mut self,
        currency: &str,
        outside: Outside,
    ) -> Result<AccountState, ErrorCode> {
        let system = outside.system();
        let key = (currency.to_string(), system);
        let id = match self.systems.get(&key) {
            Some(&id) => id,
            None if outside == Outside::Migration => {
                let id = self.placeholder(currency, Owner::System(system), true);
                self.systems.insert(key, id);
                id
            }
            None => {
                tracing::error!(currency, ?system, "no system account");
                return Err(ErrorCode::Internal);
            }
        };
        Ok(self.accounts[&id])
    }

    fn placeholder(&mut self, currency: &str, owner: Owner, system: bool) -> i64 {
        let id = -(self.to_open.len() as i64) - 1;
        self.to_open.insert(id, (currency.to_string(), owner));
        self.accounts.insert(
            id,
            AccountState {
                id,
                posted: 0,
                frozen: 0,
                system,
            },
        );
        id
    }

    fn set(&mut self, after: AccountState) {
        if !self.touched.contains(&after.id) {
            self.touched.push(after.id);
        }
        self.accounts.insert(after.id, after);
    }

    fn touched(&self) -> impl Iterator<Item = AccountState> + '_ {
        self.touched.iter().map(|id| self.accounts[id])
    }

    /// Opens the accounts the accepted rows use; real ids by placeholder.
    async fn open_accounts(
        &self,
        conn: &mut store::Conn,
        rows: &[PendingRow],
        now: i64,
    ) -> Result<HashMap<i64, i64>, DomainError> {
        let mut ids = HashMap::new();
        for row in rows {
            for id in [row.debit, row.credit] {
                let Some((currency, owner)) = self.to_open.get(&id) else {
                    continue;
                };
                if ids.contains_key(&id) {
                    continue;
                }
                let real = match *owner {
                    Owner::User(user) => {
                        store::ledger::open_user_account(conn, user, currency, now).await?
                    }
                    Owner::System(system) => {
                        store::ledger::open_system_account(conn, system, currency, now)
                            .await?
                            .id
                    }
                };
                ids.insert(id, real);
            }
        }
        Ok(ids)
    }
}

fn account(b: store::ledger::Balances, system: bool) -> AccountState {
    AccountState {
        id: b.id,
        posted: b.posted,
        frozen: b.frozen,
        system,
    }
}
