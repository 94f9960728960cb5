//! Moving a whole deployment to the other storage engine (`server import
//! --from sqlite://…` onto PostgreSQL, or `server export --to …`): every
//! table copied with its ids, then checked.

use crate::store::{self, Pool};
use crate::DomainError;

/// One table after a move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovedTable {
    pub table: &'static str,
    /// Rows in the source.
    pub source: i64,
    /// Rows in the target afterwards.
    pub target: i64,
}

/// What [`copy_database`] did.
#[derive(Debug, Clone)]
pub struct MoveReport {
    pub tables: Vec<MovedTable>,
}

impl MoveReport {
    /// Rows in the target that the source does not have.
    pub fn mismatches(&self) -> Vec<&MovedTable> {
        self.tables
            .iter()
            .filter(|t| t.source != t.target)
            .collect()
    }
}

/// Copies everything from `from` into `to` (both opened, so migrated), in
/// one transaction on `to`, then counts both ends. Running it again copies
/// the same rows over themselves. The caller checks the ledger on the
/// target with the auditor ([`crate::UserCenter::audit_ledger`]).
pub async fn copy_database(from: &Pool, to: &Pool) -> Result<MoveReport, DomainError> {
    store::copy::copy_all(from, to).await?;
    let source = store::copy::row_counts(from).await?;
    let target = store::copy::row_counts(to).await?;
    Ok(MoveReport {
        tables: source
            .into_iter()
            .zip(target)
            .map(|((table, source), (_, target))| MovedTable {
                table,
                source,
                target,
            })
            .collect(),
    })
}
