//! `server import --from URL` and `server export --to URL`: a whole
//! deployment moved to the other storage engine (SQLite → PostgreSQL when a
//! deployment outgrows one machine), checked before the command reports
//! success.

use domain::database_move::{copy_database, MoveReport};
use domain::{Messenger, Pool, Settings, UserCenter};
use std::fmt::Write;

/// Copies `from` into `to`, then checks the result as the product will
/// read it: the data keys open with this data directory's key, every table
/// holds the source's rows, and the auditor finds the ledger clean.
pub async fn run(
    from: &Pool,
    to: &Pool,
    secret: &[u8],
    settings: Settings,
    messenger: Messenger,
) -> Result<String, Box<dyn std::error::Error>> {
    let report = copy_database(from, to).await?;
    let uc = UserCenter::new(to.clone(), secret, settings, messenger)?;
    uc.open_vault().await?;
    let audit = uc.audit_ledger().await?;
    let text = describe(&report, from, to, audit.accounts, audit.transfers);
    let mismatches = report.mismatches();
    if !mismatches.is_empty() {
        let tables: Vec<&str> = mismatches.iter().map(|t| t.table).collect();
        return Err(format!(
            "{text}the target holds other rows than the source in: {} \
             (copy into an empty, newly migrated database)",
            tables.join(", ")
        )
        .into());
    }
    if !audit.is_clean() {
        return Err(format!(
            "{text}the ledger check failed on the target: {:?}",
            audit.problems
        )
        .into());
    }
    Ok(format!("{text}ledger checked: clean"))
}

fn describe(
    report: &MoveReport,
    from: &Pool,
    to: &Pool,
    accounts: usize,
    transfers: usize,
) -> String {
    let mut text = format!("copied {} → {}\n", from.engine_name(), to.engine_name());
    for t in &report.tables {
        let _ = writeln!(text, "  {:<26} {:>9} rows", t.table, t.target);
    }
    let _ = writeln!(
        text,
        "wallet: {accounts} accounts, {transfers} journal rows"
    );
    text
}
