//! The auditor: recomputes every balance from the journal.
//!
//! It replays the journal in id order, checks each row's stored "balance
//! after" snapshots and the invariants at every step (amount positive, both
//! sides in the row's currency, user accounts never below zero available,
//! frozen never negative), then compares the replayed balances with the stored
//! ones and checks that each currency's posted balances sum to zero. It reads
//! one consistent snapshot, so it may run while payments go on.

use crate::store::ledger_reads::JournalRow as Row;
use crate::{store, DomainError, UserCenter};
use std::collections::{BTreeMap, HashMap};

/// What the auditor found; clean when `problems` is empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditReport {
    pub accounts: usize,
    pub transfers: usize,
    pub problems: Vec<AuditProblem>,
}

impl AuditReport {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// One discrepancy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditProblem {
    /// The stored posted balance is not what the journal adds up to.
    PostedMismatch {
        account: i64,
        stored: i64,
        journal: i64,
    },
    FrozenMismatch {
        account: i64,
        stored: i64,
        journal: i64,
    },
    /// A row's "balance after" columns disagree with the replay.
    SnapshotMismatch { transfer: i64, account: i64 },
    /// A row that is malformed: unknown account or kind, sides in another
    /// currency, a hold whose sides differ, a non-positive amount.
    BadTransfer { transfer: i64, why: &'static str },
    /// A user account went below zero available (or frozen below zero) at
    /// some point of the journal.
    Overdrawn { transfer: i64, account: i64 },
    /// A currency's posted balances do not sum to zero.
    Unbalanced { currency: String, sum: i128 },
}

#[derive(Clone, Debug)]
struct Account {
    currency: String,
    system: bool,
    stored_posted: i64,
    stored_frozen: i64,
    posted: i128,
    frozen: i128,
}

const PAGE: i64 = 5000;

impl UserCenter {
    /// Recomputes every account from the journal; see the module docs.
    pub async fn audit_ledger(&self) -> Result<AuditReport, DomainError> {
        // One read transaction that sees a single snapshot.
        let mut tx = self.pool.begin_read().await?;
        let rows = store::ledger_reads::all_accounts(&mut tx).await?;
        let mut accounts: HashMap<i64, Account> = rows
            .into_iter()
            .map(|r| {
                let account = Account {
                    currency: r.currency,
                    system: r.system,
                    stored_posted: r.posted,
                    stored_frozen: r.frozen,
                    posted: 0,
                    frozen: 0,
                };
                (r.id, account)
            })
            .collect();
        let mut report = AuditReport {
            accounts: accounts.len(),
            ..AuditReport::default()
        };
        let mut last_id = 0;
        loop {
            let page = store::ledger_reads::journal_page(&mut tx, last_id, PAGE).await?;
            let Some(last) = page.last() else { break };
            last_id = last.id;
            report.transfers += page.len();
            for row in &page {
                replay(&mut accounts, row, &mut report.problems);
            }
        }
        tx.rollback().await?;

        let mut sums: BTreeMap<&str, i128> = BTreeMap::new();
        let mut ids: Vec<_> = accounts.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            let a = &accounts[&id];
            if a.posted != i128::from(a.stored_posted) {
                report.problems.push(AuditProblem::PostedMismatch {
                    account: id,
                    stored: a.stored_posted,
                    journal: a.posted as i64,
                });
            }
            if a.frozen != i128::from(a.stored_frozen) {
                report.problems.push(AuditProblem::FrozenMismatch {
                    account: id,
                    stored: a.stored_frozen,
                    journal: a.frozen as i64,
                });
            }
            *sums.entry(a.currency.as_str()).or_default() += i128::from(a.stored_posted);
        }
        for (currency, sum) in sums {
            if sum != 0 {
                report.problems.push(AuditProblem::Unbalanced {
                    currency: currency.to_string(),
                    sum,
                });
            }
        }
        if !report.is_clean() {
            tracing::error!(problems = ?report.problems, "ledger audit found problems");
        }
        Ok(report)
    }
}

/// Applies one journal row to the replayed balances, noting what is wrong.
fn replay(accounts: &mut HashMap<i64, Account>, row: &Row, problems: &mut Vec<AuditProblem>) {
    let bad = |why| AuditProblem::BadTransfer {
        transfer: row.id,
        why,
    };
    let (Some(debit), Some(credit)) = (
        accounts.get(&row.debit_account),
        accounts.get(&row.credit_account),
    ) else {
        problems.push(bad("unknown account"));
        return;
    };
    if debit.currency != row.currency || credit.currency != row.currency {
        problems.push(bad("account in another currency"));
    }
    if row.amount <= 0 {
        problems.push(bad("amount not positive"));
    }
    let hold = matches!(row.kind.as_str(), "freeze" | "unfreeze");
    if hold != (row.debit_account == row.credit_account) {
        problems.push(bad("hold sides"));
    }
    let amount = i128::from(row.amount);
    let (debit_posted, debit_frozen, credit_posted) = match row.kind.as_str() {
        "freeze" => (0, amount, 0),
        "unfreeze" => (0, -amount, 0),
        "settle" => (-amount, -amount, amount),
        "deposit" | "withdraw" | "transfer" => (-amount, 0, amount),
        _ => {
            problems.push(bad("unknown kind"));
            return;
        }
    };
    if let Some(d) = accounts.get_mut(&row.debit_account) {
        d.posted += debit_posted;
        d.frozen += debit_frozen;
    }
    if let Some(c) = accounts.get_mut(&row.credit_account) {
        c.posted += credit_posted;
    }
    for (id, posted_after, frozen_after) in [
        (
            row.debit_account,
            row.debit_posted_after,
            row.debit_frozen_after,
        ),
        (
            row.credit_account,
            row.credit_posted_after,
            row.credit_frozen_after,
        ),
    ] {
        let Some(a) = accounts.get(&id) else { continue };
        if a.posted != i128::from(posted_after) || a.frozen != i128::from(frozen_after) {
            problems.push(AuditProblem::SnapshotMismatch {
                transfer: row.id,
                account: id,
            });
        }
        let overdrawn = a.frozen < 0 || (!a.system && a.posted - a.frozen < 0);
        if overdrawn {
            problems.push(AuditProblem::Overdrawn {
                transfer: row.id,
                account: id,
            });
        }
        if row.debit_account == row.credit_account {
            break;
        }
    }
}
