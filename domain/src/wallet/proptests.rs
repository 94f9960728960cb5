//! Random operation sequences against an in-memory model of the ledger.
//!
//! Valid and invalid operations alike (overdrafts, zero and negative amounts,
//! self-transfers, unknown and frozen users, disabled currencies, retried and
//! conflicting request ids): after every step each balance must equal the
//! model's, the error code must be the one the model predicts, and the
//! auditor must pass (which also checks that no available balance went
//! negative and that every currency sums to zero).
//!
//! The same sequences run a second way, through the ledger writer's batches:
//! every order between two currency switches is queued before the writer
//! runs, so they post in one transaction, each against the state the earlier
//! ones left. Receipts, refusals and balances must be exactly those of the
//! orders applied one at a time (the model).

use super::tests::{assert_audit_clean, balance_of, fixture, service, set_status, user};
use super::{Authorisation, Movement, Recipient, Transfer};
use proptest::prelude::*;
use shared::money::format_amount;
use shared::wallet::{Receipt, TransferKind};
use shared::ErrorCode;
use std::collections::HashMap;

/// Users 0–2 are normal, 3 is frozen, 4 does not exist.
const FROZEN_USER: usize = 3;
const UNKNOWN_USER: usize = 4;
const CURRENCIES: [(&str, u32); 2] = [("CNY", 2), ("USDT", 6)];

/// How much an operation asks for.
#[derive(Clone, Copy, Debug)]
enum Amount {
    /// Minor units, possibly zero or negative.
    Exact(i64),
    /// A percentage of what the operation draws on when it runs (available
    /// balance, or frozen for unfreeze and settle), at least 1 minor unit;
    /// above 100 is an overdraft attempt.
    Share(i64),
}

#[derive(Clone, Debug)]
enum Op {
    Move {
        kind: TransferKind,
        user: usize,
        to: usize,
        currency: usize,
        amount: Amount,
    },
    /// Sends an earlier successful request again, unchanged.
    Retry(usize),
    /// Reuses an earlier successful request's id with another amount.
    Conflict(usize),
    SetEnabled {
        currency: usize,
        enabled: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    // Deposits are frequent and amounts are often a share of the balance, so
    // that most operations can succeed; the odd users, amounts and overdrafts
    // still come up in most cases.
    let kind = prop_oneof![
        4 => Just(TransferKind::Deposit),
        3 => Just(TransferKind::Transfer),
        2 => Just(TransferKind::Withdraw),
        3 => Just(TransferKind::Freeze),
        2 => Just(TransferKind::Unfreeze),
        2 => Just(TransferKind::Settle),
    ];
    let who = || {
        prop_oneof![
            6 => Just(0usize),
            3 => Just(1usize),
            2 => Just(2usize),
            1 => Just(FROZEN_USER),
            1 => Just(UNKNOWN_USER),
        ]
    };
    let amount = prop_oneof![
        6 => (1i64..=120).prop_map(Amount::Share),
        1 => Just(Amount::Share(100)),
        3 => (1i64..=2_000).prop_map(Amount::Exact),
        1 => Just(Amount::Exact(0)),
        1 => (-50i64..0).prop_map(Amount::Exact),
    ];
    prop_oneof![
        14 => (kind, who(), who(), prop_oneof![4 => Just(0usize), 1 => Just(1usize)], amount).prop_map(
            |(kind, user, to, currency, amount)| Op::Move { kind, user, to, currency, amount }
        ),
        2 => any::<prop::sample::Index>().prop_map(|i| Op::Retry(i.index(usize::MAX))),
        1 => any::<prop::sample::Index>().prop_map(|i| Op::Conflict(i.index(usize::MAX))),
        1 => (0..CURRENCIES.len(), prop::bool::weighted(0.7))
            .prop_map(|(currency, enabled)| Op::SetEnabled { currency, enabled }),
    ]
}

/// The model: (posted, frozen) per (user, currency), and which currencies are on.
#[derive(Default)]
struct Model {
    balances: HashMap<(usize, usize), (i64, i64)>,
    disabled: [bool; CURRENCIES.len()],
}

impl Model {
    /// Minor units for `amount` when `kind` runs now.
    fn resolve(&self, kind: TransferKind, user: usize, cur: usize, amount: Amount) -> i64 {
        let share = match amount {
            Amount::Exact(minor) => return minor,
            Amount::Share(percent) => percent,
        };
        let (posted, frozen) = self.balances.get(&(user, cur)).copied().unwrap_or_default();
        let base = match kind {
            TransferKind::Unfreeze | TransferKind::Settle => frozen,
            TransferKind::Deposit => 1_000,
            _ => posted - frozen,
        };
        (base * share / 100).max(1)
    }

    /// What the ledger should answer, applying the change if it succeeds.
    fn apply(
        &mut self,
        kind: TransferKind,
        user: usize,
        to: usize,
        cur: usize,
        amount: i64,
    ) -> Result<(), ErrorCode> {
        if amount < 0 {
            return Err(ErrorCode::AmountNegative);
        }
        if amount == 0 {
            return Err(ErrorCode::AmountNotPositive);
        }
        if kind == TransferKind::Transfer && to == user {
            return Err(ErrorCode::CannotTransferToSelf);
        }
        // A disabled currency lets money out and holds end, nothing else.
        let winds_down = matches!(
            kind,
            TransferKind::Withdraw | TransferKind::Unfreeze | TransferKind::Settle
        );
        if self.disabled[cur] && !winds_down {
            return Err(ErrorCode::CurrencyDisabled);
        }
        if user == UNKNOWN_USER {
            return Err(ErrorCode::NotFound);
        }
        let moves_money = matches!(
            kind,
            TransferKind::Deposit | TransferKind::Withdraw | TransferKind::Transfer
        );
        if moves_money && user == FROZEN_USER {
            return Err(ErrorCode::WalletRestricted);
        }
        // A recipient named by id is looked up when the order is posted,
        // after the payer's checks.
        if kind == TransferKind::Transfer && to == UNKNOWN_USER {
            return Err(ErrorCode::RecipientNotFound);
        }
        if kind == TransferKind::Transfer && to == FROZEN_USER {
            return Err(ErrorCode::RecipientUnavailable);
        }
        let (posted, frozen) = self.balances.get(&(user, cur)).copied().unwrap_or_default();
        let available = posted - frozen;
        let after = match kind {
            TransferKind::Deposit => (posted + amount, frozen),
            TransferKind::Withdraw | TransferKind::Transfer if available < amount => {
                return Err(ErrorCode::InsufficientFunds)
            }
            TransferKind::Withdraw | TransferKind::Transfer => (posted - amount, frozen),
            TransferKind::Freeze if available < amount => return Err(ErrorCode::InsufficientFunds),
            TransferKind::Freeze => (posted, frozen + amount),
            TransferKind::Unfreeze | TransferKind::Settle if frozen < amount => {
                return Err(ErrorCode::InsufficientFrozen)
            }
            TransferKind::Unfreeze => (posted, frozen - amount),
            TransferKind::Settle => (posted - amount, frozen - amount),
        };
        self.balances.insert((user, cur), after);
        if kind == TransferKind::Transfer {
            self.balances.entry((to, cur)).or_default().0 += amount;
        }
        Ok(())
    }
}

/// A request as sent, kept for retries.
#[derive(Clone, Debug)]
struct Sent {
    kind: TransferKind,
    user: i64,
    to: i64,
    currency: &'static str,
    amount: String,
    id: String,
    receipt: Receipt,
}

async fn send(
    uc: &crate::UserCenter,
    kind: TransferKind,
    user: i64,
    to: i64,
    currency: &str,
    amount: &str,
    id: &str,
) -> Result<Receipt, crate::DomainError> {
    let svc = service();
    let m = Movement {
        user_id: user,
        currency,
        amount,
        memo: "",
        request_id: id,
    };
    match kind {
        TransferKind::Deposit => uc.deposit(m, &svc).await,
        TransferKind::Withdraw => uc.withdraw(m, &svc).await,
        TransferKind::Freeze => uc.freeze(m, &svc).await,
        TransferKind::Unfreeze => uc.unfreeze(m, &svc).await,
        TransferKind::Settle => uc.settle(m, &svc).await,
        TransferKind::Transfer => {
            let t = Transfer {
                from_user: user,
                to: Recipient::UserId(to),
                currency,
                amount,
                memo: "",
                request_id: id,
            };
            uc.transfer(t, Authorisation::Service(&svc)).await
        }
    }
}

async fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let f = fixture().await;
    let uc = &f.uc;
    let ids = users(uc, &f.db.sql).await;
    let mut model = Model::default();
    let mut sent: Vec<Sent> = Vec::new();
    for (step, op) in opening().chain(ops).enumerate() {
        match op {
            Op::Move {
                kind,
                user,
                to,
                currency,
                amount,
            } => {
                let (code, scale) = CURRENCIES[currency];
                let amount = model.resolve(kind, user, currency, amount);
                let text = format_amount(amount, scale);
                let id = format!("op-{step}");
                let expected = model.apply(kind, user, to, currency, amount);
                let got = send(uc, kind, ids[user], ids[to], code, &text, &id).await;
                match (&got, expected) {
                    (Ok(receipt), Ok(())) => {
                        prop_assert!(!receipt.replayed);
                        sent.push(Sent {
                            kind,
                            user: ids[user],
                            to: ids[to],
                            currency: code,
                            amount: text,
                            id,
                            receipt: receipt.clone(),
                        });
                    }
                    (Err(e), Err(code)) => prop_assert_eq!(e.code(), code, "step {}", step),
                    _ => prop_assert!(
                        false,
                        "step {step} {kind:?}: got {got:?}, model {expected:?}"
                    ),
                }
            }
            Op::Retry(i) if !sent.is_empty() => {
                let s = &sent[i % sent.len()];
                let r = send(uc, s.kind, s.user, s.to, s.currency, &s.amount, &s.id).await;
                let r = r.map_err(|e| TestCaseError::fail(format!("retry: {e}")))?;
                prop_assert!(r.replayed);
                prop_assert_eq!(
                    &Receipt {
                        replayed: false,
                        ..r
                    },
                    &s.receipt
                );
            }
            Op::Conflict(i) if !sent.is_empty() => {
                let s = &sent[i % sent.len()];
                let scale = s.receipt.balance.scale;
                let other = format_amount(s.receipt.amount_minor + 1, scale);
                let r = send(uc, s.kind, s.user, s.to, s.currency, &other, &s.id).await;
                prop_assert_eq!(
                    r.map_err(|e| e.code()).err(),
                    Some(ErrorCode::IdempotencyConflict)
                );
            }
            Op::Retry(_) | Op::Conflict(_) => {}
            Op::SetEnabled { currency, enabled } => {
                uc.set_currency_enabled(CURRENCIES[currency].0, enabled)
                    .await
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                model.disabled[currency] = !enabled;
            }
        }
        check_balances(uc, &f.db.sql, &ids, &model).await?;
    }
    Ok(())
}

/// The users 0–4 of the model (4 does not exist), 3 frozen.
async fn users(uc: &crate::UserCenter, sql: &sqlx::AnyPool) -> Vec<i64> {
    let mut ids = Vec::new();
    for name in ["ann", "ben", "cat", "dan"] {
        ids.push(user(uc, name).await);
    }
    set_status(sql, ids[FROZEN_USER], "frozen").await;
    ids.push(999_999);
    ids
}

/// Everyone normal starts with some money, so most operations can succeed.
fn opening() -> impl Iterator<Item = Op> {
    (0..FROZEN_USER).flat_map(|user| {
        (0..CURRENCIES.len()).map(move |currency| Op::Move {
            kind: TransferKind::Deposit,
            user,
            to: user,
            currency,
            amount: Amount::Exact(10_000),
        })
    })
}

/// Every balance is the model's, and the auditor is clean.
async fn check_balances(
    uc: &crate::UserCenter,
    sql: &sqlx::AnyPool,
    ids: &[i64],
    model: &Model,
) -> Result<(), TestCaseError> {
    for (u, &id) in ids.iter().enumerate() {
        for (c, (code, _)) in CURRENCIES.iter().enumerate() {
            let expected = model.balances.get(&(u, c)).copied().unwrap_or_default();
            prop_assert_eq!(
                balance_of(sql, id, code).await,
                expected,
                "user {} {}",
                u,
                code
            );
        }
    }
    assert_audit_clean(uc).await;
    Ok(())
}

/// Validates a request as [`send`] would, without posting it.
async fn prepare(
    uc: &crate::UserCenter,
    kind: TransferKind,
    user: i64,
    to: i64,
    currency: &str,
    amount: &str,
    id: &str,
) -> Result<super::ledger::Order, crate::DomainError> {
    let svc = service();
    if kind == TransferKind::Transfer {
        let t = Transfer {
            from_user: user,
            to: Recipient::UserId(to),
            currency,
            amount,
            memo: "",
            request_id: id,
        };
        return uc.transfer_order(t, Authorisation::Service(&svc)).await;
    }
    let m = Movement {
        user_id: user,
        currency,
        amount,
        memo: "",
        request_id: id,
    };
    Ok(uc.movement_order(kind, m, &svc, None).await?.0)
}

/// What a batched request should answer.
enum Expect {
    /// A new posting (kept for later retries under this index of `sent`).
    Posted(Box<Sent>),
    /// The receipt of `sent[i]`, replayed.
    Replay(usize),
    Refused(ErrorCode),
}

/// [`run`], with the orders of each round queued together (one batch).
async fn run_batched(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let f = fixture().await;
    let uc = &f.uc;
    let ids = users(uc, &f.db.sql).await;
    let mut model = Model::default();
    let mut sent: Vec<Sent> = Vec::new();
    let mut rounds: Vec<Vec<Op>> = vec![opening().collect()];
    for op in ops {
        // A currency switch opens a new round, so it takes effect before
        // that round's orders and after the previous round's.
        if matches!(op, Op::SetEnabled { .. }) {
            rounds.push(Vec::new());
        }
        rounds.last_mut().expect("a round").push(op);
    }
    let writer = uc.ledger_writer().await.clone();
    let mut step = 0;
    for round in rounds {
        // Validate every order of the round first (reads only), in order,
        // with what the model expects of it.
        let mut queued = Vec::new();
        for op in round {
            step += 1;
            let (kind, user, to, code, amount, id, expect) = match op {
                Op::Move {
                    kind,
                    user,
                    to,
                    currency,
                    amount,
                } => {
                    let (code, scale) = CURRENCIES[currency];
                    let minor = model.resolve(kind, user, currency, amount);
                    let text = format_amount(minor, scale);
                    let id = format!("op-{step}");
                    let expect = match model.apply(kind, user, to, currency, minor) {
                        Ok(()) => Expect::Posted(Box::new(Sent {
                            kind,
                            user: ids[user],
                            to: ids[to],
                            currency: code,
                            amount: text.clone(),
                            id: id.clone(),
                            receipt: placeholder(),
                        })),
                        Err(code) => Expect::Refused(code),
                    };
                    (kind, ids[user], ids[to], code, text, id, expect)
                }
                Op::Retry(i) if !sent.is_empty() => {
                    let i = i % sent.len();
                    let s = &sent[i];
                    let (kind, user, to, code, amount, id) = (
                        s.kind,
                        s.user,
                        s.to,
                        s.currency,
                        s.amount.clone(),
                        s.id.clone(),
                    );
                    (kind, user, to, code, amount, id, Expect::Replay(i))
                }
                Op::Conflict(i) if !sent.is_empty() => {
                    let s = &sent[i % sent.len()];
                    let scale = CURRENCIES
                        .iter()
                        .find(|(c, _)| *c == s.currency)
                        .map_or(2, |(_, scale)| *scale);
                    let minor = shared::money::parse_amount(&s.amount, scale).unwrap_or(0);
                    let other = format_amount(minor + 1, scale);
                    let expect = Expect::Refused(ErrorCode::IdempotencyConflict);
                    (
                        s.kind,
                        s.user,
                        s.to,
                        s.currency,
                        other,
                        s.id.clone(),
                        expect,
                    )
                }
                Op::Retry(_) | Op::Conflict(_) => continue,
                Op::SetEnabled { currency, enabled } => {
                    uc.set_currency_enabled(CURRENCIES[currency].0, enabled)
                        .await
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                    model.disabled[currency] = !enabled;
                    continue;
                }
            };
            let prepared = prepare(uc, kind, user, to, code, &amount, &id).await;
            if let Expect::Posted(s) = &expect {
                // Later retries in the same round refer to it.
                sent.push(Sent::clone(s));
            }
            queued.push((prepared, expect, sent.len().wrapping_sub(1)));
        }
        // Queue every valid order before the writer runs: one batch.
        let answers: Vec<_> = queued
            .into_iter()
            .map(|(prepared, expect, index)| {
                let answer = prepared.map(|order| writer.queue_now(order));
                (answer, expect, index)
            })
            .collect();
        for (answer, expect, index) in answers {
            let got = match answer {
                Ok(receiver) => receiver
                    .await
                    .map_err(|_| TestCaseError::fail("no answer"))?,
                Err(refused) => Err(refused),
            };
            match (got, expect) {
                (Ok(receipt), Expect::Posted(_)) => {
                    prop_assert!(!receipt.replayed);
                    sent[index].receipt = receipt;
                }
                (Ok(receipt), Expect::Replay(i)) => {
                    prop_assert!(receipt.replayed);
                    prop_assert_eq!(
                        &Receipt {
                            replayed: false,
                            ..receipt
                        },
                        &sent[i].receipt
                    );
                }
                (Err(e), Expect::Refused(code)) => prop_assert_eq!(e.code(), code),
                (got, _) => prop_assert!(false, "got {got:?}, the model expected otherwise"),
            }
        }
        check_balances(uc, &f.db.sql, &ids, &model).await?;
    }
    Ok(())
}

/// A receipt slot filled once the batch answers.
fn placeholder() -> Receipt {
    Receipt {
        transfer_id: 0,
        kind: TransferKind::Deposit,
        currency: String::new(),
        amount: String::new(),
        amount_minor: 0,
        balance: shared::wallet::Balance {
            currency: String::new(),
            name: String::new(),
            name_zh: None,
            enabled: true,
            scale: 0,
            available: String::new(),
            frozen: String::new(),
            posted: String::new(),
            available_minor: 0,
            frozen_minor: 0,
            posted_minor: 0,
        },
        request_id: String::new(),
        created_at: String::new(),
        replayed: false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn ledger_matches_the_model(ops in prop::collection::vec(op(), 5..60)) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        rt.block_on(run(ops))?;
    }

    #[test]
    fn batched_ledger_matches_the_model(ops in prop::collection::vec(op(), 5..60)) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        rt.block_on(run_batched(ops))?;
    }
}
