//! The wallet: balances in several currencies, a double-entry journal, a
//! payment PIN, history and an auditor.
//!
//! Design, in short (TigerBeetle and Formance were the models):
//! - Amounts are `i64` minor units; text is parsed by [`shared::money`].
//! - Every operation checks the idempotency key, inserts one immutable
//!   journal row and updates the balances it touches, with the balances
//!   after the row stored in it, in a write transaction that the ledger
//!   writer commits for many orders at once (group commit, see [`writer`];
//!   set-based reads and writes, see [`batch`]).
//! - Deposits and withdrawals go through a per-currency `external` system
//!   account, so the posted balances of a currency always sum to zero.
//! - A hold (freeze) moves nothing: it is a journal row whose two sides are the
//!   same account and which only raises `frozen`; unfreeze lowers it; settle
//!   pays the frozen part out to `external`.
//! - The database enforces the invariants too (CHECKs on amounts and on
//!   available balances), so a bug in this code fails a transaction instead of
//!   corrupting the ledger; [`UserCenter::audit_ledger`] recomputes everything
//!   from the journal.
//!
//! PostgreSQL: the statements are portable; balances are changed by a
//! compare-and-set `UPDATE … WHERE posted = ? AND frozen = ?`, which stays
//! correct without SQLite's single writer (a lost race fails the transaction).

mod audit;
mod batch;
mod currencies;
mod history;
mod idempotency;
mod ledger;
mod pin;
mod preview;
mod writer;

#[cfg(test)]
mod currency_tests;
#[cfg(test)]
mod proptests;
#[cfg(test)]
pub(crate) mod tests;

pub use audit::{AuditProblem, AuditReport};
pub use currencies::CurrencyAdmin;
pub(crate) use ledger::open_balance_in;
pub use ledger::{Movement, Recipient, Transfer};
pub use pin::PinProof;
pub(crate) use writer::LedgerWriter;

use std::time::Duration;

/// Wallet knobs.
#[derive(Clone, Debug)]
pub struct WalletSettings {
    /// Consecutive wrong payment PINs that lock payments.
    pub pin_max_failures: u32,
    /// How long payments stay locked after too many wrong PINs.
    pub pin_lock: Duration,
    /// History page size when the request gives none.
    pub history_default_page: u32,
    /// Largest history page a request may ask for.
    pub history_max_page: u32,
}

impl Default for WalletSettings {
    fn default() -> Self {
        WalletSettings {
            pin_max_failures: 5,
            pin_lock: Duration::from_secs(3600),
            history_default_page: 20,
            history_max_page: 100,
        }
    }
}

/// Who asks for a money movement; recorded on the journal row and scoping
/// request ids (the same id from two actors is two requests).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in person: the payer of their own transfer, or staff (for
    /// deposits, withdrawals, holds and service transfers the user must have
    /// the `staff` or `super_admin` role).
    User(i64),
    /// A trusted backend service, by name (1–64 of `[A-Za-z0-9._:-]`), e.g.
    /// `payments` or `topup-gateway`.
    Service(String),
}

impl Actor {
    /// The idempotency scope, e.g. `user:42` or `service:payments`.
    pub(crate) fn scope(&self) -> String {
        match self {
            Actor::User(id) => format!("user:{id}"),
            Actor::Service(name) => format!("service:{name}"),
        }
    }
}

/// How a transfer between users is authorised.
#[derive(Clone, Copy, Debug)]
pub enum Authorisation<'a> {
    /// The payer typed their payment PIN; the payer is the actor.
    Pin(&'a str),
    /// A trusted caller (a service, or staff) moves money without a PIN.
    Service(&'a Actor),
}

/// An internal failure that has no variant of its own (a receipt that does not
/// (de)serialise): logged and shown as `INTERNAL` like any other.
pub(crate) fn internal(e: impl std::fmt::Display) -> crate::DomainError {
    crate::DomainError::Io(std::io::Error::other(format!("wallet: {e}")))
}
