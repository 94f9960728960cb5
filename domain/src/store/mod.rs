//! The storage layer: every SQL statement of the product, one module per
//! aggregate.
//!
//! Functions here take a connection or an open transaction
//! ([`Conn`]), never the pool, so one domain operation composes several of
//! them inside a single transaction (a password reset replaces the
//! password, ends the sessions and writes its audit row, or none of it).
//! Statements are checked at compile time (`query!`, `query_as!`) against
//! the data in `domain/.sqlx`, which `scripts/sqlx-prepare` refreshes from
//! the migrations. The domain modules above hold the rules and never SQL.
//!
//! Errors are `sqlx::Error`: this layer has nothing to add to them, and the
//! domain maps them into [`crate::DomainError`].

pub(crate) mod audit;
pub(crate) mod codes;
pub(crate) mod ledger;
pub(crate) mod search;
pub(crate) mod sessions;
pub(crate) mod throttle;
pub(crate) mod users;

/// A connection or an open transaction (`&mut *tx`).
pub(crate) type Conn = sqlx::SqliteConnection;

/// What a storage function returns.
pub(crate) type StoreResult<T> = Result<T, sqlx::Error>;
