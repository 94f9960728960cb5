//! `server import users FILE`: moving users in from another system, run at
//! the console against the data directory (SQLite's WAL lets it run while
//! the server is up; sign-ups during the import simply win their contacts).
//!
//! The report goes to standard output: one line per bad row (line number,
//! import id, code, field, what is wrong), then a summary. Progress goes to
//! standard error. The exit status is 1 when any row is bad, whether or not
//! the good ones were written (`--skip-invalid`), so scripts notice.

use crate::config::ImportCommand;
use domain::import::{ImportOptions, ImportReport, Progress};
use domain::{DomainError, UserCenter};
use std::io::{BufReader, Write};

#[derive(Debug, thiserror::Error)]
pub enum ImportCliError {
    #[error("cannot read {file}: {source}")]
    File {
        file: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Domain(#[from] DomainError),
}

/// What the command prints, and the failure it ends with, if any.
#[derive(Debug)]
pub struct Outcome {
    pub report: String,
    pub failure: Option<String>,
}

/// Runs one import command; progress lines go to `progress_out`.
pub async fn run(
    uc: &UserCenter,
    command: ImportCommand,
    mut progress_out: impl Write,
) -> Result<Outcome, ImportCliError> {
    let ImportCommand::Users {
        file,
        dry_run,
        skip_invalid,
        batch_size,
    } = command;
    let options = ImportOptions {
        dry_run,
        skip_invalid,
        batch_size,
    };
    let shown = file.display().to_string();
    // Opened once up front, so a missing file is its own error.
    std::fs::File::open(&file).map_err(|source| ImportCliError::File {
        file: shown.clone(),
        source,
    })?;
    // The phase (writing or not) and count of the last line shown.
    let mut last_shown: Option<(bool, u64)> = None;
    let report = uc
        .import_users(
            || std::fs::File::open(&file).map(BufReader::new),
            &options,
            |p| {
                let (writing, what, done) = match p {
                    Progress::Checked(n) => (false, "checked", n),
                    Progress::Written(n) => (true, "written", n),
                };
                let due = match last_shown {
                    Some((phase, at)) if phase == writing => done >= at + PROGRESS_EVERY,
                    _ => done > 0,
                };
                if due {
                    // A broken stderr must not stop the import.
                    let _ = writeln!(progress_out, "{what} {done} rows");
                    last_shown = Some((writing, done));
                }
            },
        )
        .await
        .map_err(|e| match e {
            DomainError::Io(source) => ImportCliError::File {
                file: shown.clone(),
                source,
            },
            other => other.into(),
        })?;
    Ok(outcome(&report, &options))
}

/// A progress line every this many rows.
const PROGRESS_EVERY: u64 = 10_000;

/// The printed report and the failure, from what the import did.
pub fn outcome(report: &ImportReport, options: &ImportOptions) -> Outcome {
    let mut text = String::new();
    for bad in &report.bad {
        let id = bad
            .import_id
            .as_deref()
            .map(|id| format!(" ({id})"))
            .unwrap_or_default();
        let field = bad
            .problem
            .field
            .as_deref()
            .map(|f| format!(" [{f}]"))
            .unwrap_or_default();
        text.push_str(&format!(
            "line {}{id}: {}{field}: {}\n",
            bad.line, bad.problem.code, bad.problem.message
        ));
    }
    text.push_str(&format!(
        "{} rows: {} new, {} already imported, {} bad\n",
        report.rows,
        report.new,
        report.already_imported,
        report.bad.len()
    ));
    let bad = report.bad.len();
    let failure = if report.dry_run {
        text.push_str("dry run: nothing was written\n");
        (bad > 0).then(|| format!("{bad} bad rows"))
    } else if bad > 0 && !options.skip_invalid {
        Some(format!(
            "{bad} bad rows, so nothing was imported (fix them, or pass --skip-invalid)"
        ))
    } else {
        text.push_str(&format!(
            "imported {} users with {} opening balances\n",
            report.imported, report.deposits
        ));
        (bad > 0).then(|| format!("{bad} bad rows were left out"))
    };
    Outcome {
        report: text,
        failure,
    }
}
