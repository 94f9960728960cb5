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
    let mut lines = ProgressLines::default();
    let report = uc
        .import_users(
            || std::fs::File::open(&file).map(BufReader::new),
            &options,
            |p| {
                if let Some(line) = lines.line(p) {
                    // A broken stderr must not stop the import.
                    let _ = writeln!(progress_out, "{line}");
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

/// A line each time a phase's count passes a multiple of
/// [`PROGRESS_EVERY`]; the summary gives the final counts.
struct ProgressLines {
    last: Progress,
}

impl Default for ProgressLines {
    fn default() -> Self {
        ProgressLines {
            last: Progress::Checked(0),
        }
    }
}

impl ProgressLines {
    fn line(&mut self, p: Progress) -> Option<String> {
        let (what, done, before) = match (p, self.last) {
            (Progress::Checked(n), Progress::Checked(b)) => ("checked", n, b),
            (Progress::Written(n), Progress::Written(b)) => ("written", n, b),
            (Progress::Checked(n), _) => ("checked", n, 0),
            (Progress::Written(n), _) => ("written", n, 0),
        };
        self.last = p;
        (done / PROGRESS_EVERY > before / PROGRESS_EVERY)
            .then(|| format!("{what} {} rows", done / PROGRESS_EVERY * PROGRESS_EVERY))
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_a_line_per_ten_thousand_rows_of_each_phase() {
        let mut lines = ProgressLines::default();
        let events = [
            Progress::Checked(1000),
            Progress::Checked(10_000),
            Progress::Checked(11_000),
            Progress::Checked(25_000),
            Progress::Checked(25_000),
            Progress::Written(2000),
            Progress::Written(10_000),
            Progress::Written(24_000),
        ];
        let shown: Vec<String> = events.into_iter().filter_map(|p| lines.line(p)).collect();
        assert_eq!(
            shown,
            [
                "checked 10000 rows",
                "checked 20000 rows",
                "written 10000 rows",
                "written 20000 rows"
            ]
        );
    }
}
