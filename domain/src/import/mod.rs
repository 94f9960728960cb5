//! Moving users in from another system: `server import users FILE`.
//!
//! The file is JSON Lines, one user a line (the fields are in [`row`] and
//! the README). The import reads it twice:
//!
//! 1. **Check.** Every row is checked: its own fields, duplicates within
//!    the file, identifiers already taken here, and its `import_id`
//!    against earlier imports. The same id with the same content was
//!    imported before and is skipped (so a re-run changes nothing); with
//!    other content it is a bad row. Bad rows are reported with their line.
//! 2. **Write** (unless a dry run, and only if no row is bad unless told to
//!    skip bad ones): each new row becomes a `user` account, as accounts
//!    someone vouches for are made ([`UserCenter::insert_vouched_in`]), with
//!    its profile, status, created time, legacy password hash and opening
//!    balances. Rows are written in transactions of a few thousand, each row
//!    inside a savepoint, so a row that became bad meanwhile (someone
//!    registered its email) is reported and left out alone.
//!
//! No password is hashed here: the old hash is stored as it is and
//! replaced at the user's first sign-in ([`legacy_sign_in`]). An argon2id
//! hash with the product's own parameters is already what sign-in checks,
//! so it becomes the account's password directly.
//!
//! Opening balances go through the ledger: a deposit per currency from the
//! `migration` system account, with the import id as the request id, in the
//! same transaction as the account.

pub mod legacy_hash;
mod legacy_sign_in;
pub mod row;
pub mod sample;

#[cfg(test)]
mod tests;

use crate::password_digests::PasswordVerifiers;
use crate::passwords::StoredHash;
use crate::store::users::Role;
use crate::{store, DomainError, UserCenter};
use legacy_hash::LegacyScheme;
use row::{ImportRow, Problem, Review, Status};
use shared::profile::VerificationState;
use shared::wallet::Currency;
use shared::ErrorCode;
use std::collections::HashMap;
use std::io::BufRead;

pub use row::Problem as RowProblem;

/// Rows written per transaction unless told otherwise.
pub const DEFAULT_BATCH_SIZE: usize = 2000;

/// The note on opening-balance deposits, shown in the user's history.
const OPENING_MEMO: &str = "Opening balance (imported)";

/// The recorded reason of accounts imported as closed.
const CLOSED_REASON: &str = "Closed before the import";

/// Longest line read, in bytes.
const MAX_LINE_BYTES: usize = 64 * 1024;

/// How an import runs.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// Check and report only; write nothing.
    pub dry_run: bool,
    /// Write the good rows even when some are bad (they are reported
    /// either way). Without it, one bad row means nothing is written.
    pub skip_invalid: bool,
    /// Rows per write transaction.
    pub batch_size: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            dry_run: false,
            skip_invalid: false,
            batch_size: DEFAULT_BATCH_SIZE,
        }
    }
}

/// One bad row: its 1-based line number, its import id when it could be
/// read, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadRow {
    pub line: u64,
    pub import_id: Option<String>,
    pub problem: Problem,
}

/// What an import found and did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Rows read (blank lines are not rows).
    pub rows: u64,
    /// Good rows not imported before.
    pub new: u64,
    /// Rows imported before with the same content: skipped.
    pub already_imported: u64,
    /// Accounts this run created.
    pub imported: u64,
    /// Opening-balance deposits this run posted.
    pub deposits: u64,
    /// Every bad row, by line.
    pub bad: Vec<BadRow>,
    pub dry_run: bool,
}

/// Where an import has got to, for a progress display.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Rows checked so far.
    Checked(u64),
    /// Accounts written (committed) so far.
    Written(u64),
}

/// What the check found for one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Blank,
    New,
    Already,
    Bad,
}

impl UserCenter {
    /// Imports the users of a JSON Lines file; see the module docs. `open`
    /// opens the file (it is read twice); `progress` hears how far it got.
    /// Bad rows are in the report, not an error: the error is for what
    /// stopped the import (an unreadable file, a database failure), and
    /// the batches committed before it stay.
    pub async fn import_users<R: BufRead>(
        &self,
        mut open: impl FnMut() -> std::io::Result<R>,
        options: &ImportOptions,
        mut progress: impl FnMut(Progress),
    ) -> Result<ImportReport, DomainError> {
        let currencies: HashMap<String, Currency> = self
            .list_currencies(true)
            .await?
            .into_iter()
            .map(|c| (c.code.clone(), c))
            .collect();
        let now = self.now();
        let mut report = ImportReport {
            dry_run: options.dry_run,
            ..ImportReport::default()
        };

        // 1. Check every row. The file is read line by line (it may hold
        // millions); what is kept per row is its verdict and, for the
        // duplicate check, a fingerprint of each unique key.
        let mut verdicts: Vec<Verdict> = Vec::new();
        let mut seen: HashMap<u128, u64> = HashMap::new();
        let mut lines = Lines::new(open()?);
        while let Some((line_no, line)) = lines.next_line()? {
            let verdict = match line {
                Err(problem) => {
                    report.bad.push(BadRow {
                        line: line_no,
                        import_id: None,
                        problem,
                    });
                    Verdict::Bad
                }
                Ok(text) if text.trim().is_empty() => Verdict::Blank,
                Ok(text) => {
                    let (verdict, bad) = self
                        .check_line(&text, line_no, now, &currencies, &mut seen)
                        .await?;
                    report.bad.extend(bad);
                    verdict
                }
            };
            match verdict {
                Verdict::Blank => {}
                Verdict::New => report.new += 1,
                Verdict::Already => report.already_imported += 1,
                Verdict::Bad => {}
            }
            if verdict != Verdict::Blank {
                report.rows += 1;
                if report.rows.is_multiple_of(1000) {
                    progress(Progress::Checked(report.rows));
                }
            }
            verdicts.push(verdict);
        }
        progress(Progress::Checked(report.rows));
        drop(seen);

        let refused = !report.bad.is_empty() && !options.skip_invalid;
        if options.dry_run || refused || report.new == 0 {
            return Ok(report);
        }

        // 2. Write the new rows.
        let batch_size = options.batch_size.max(1);
        let mut lines = Lines::new(open()?);
        let mut tx = None;
        let mut in_batch = 0;
        while let Some((line_no, line)) = lines.next_line()? {
            let index = (line_no - 1) as usize;
            if verdicts.get(index) != Some(&Verdict::New) {
                continue;
            }
            let parsed = line.and_then(|text| row::parse(&text, now, &currencies));
            let row = match parsed {
                Ok(row) => row,
                Err(problem) => {
                    report.new -= 1;
                    report.bad.push(BadRow {
                        line: line_no,
                        import_id: None,
                        problem: Problem::new(
                            problem.code,
                            problem.field.as_deref(),
                            format!("the file changed during the import: {}", problem.message),
                        ),
                    });
                    continue;
                }
            };
            let batch = match &mut tx {
                Some(tx) => tx,
                None => tx.insert(crate::store::begin_write(&self.pool).await?),
            };
            let mut savepoint = batch.savepoint().await?;
            match self.write_row(&mut *savepoint, &row, now).await {
                Ok(RowWrite::Created { deposits }) => {
                    savepoint.commit().await?;
                    report.imported += 1;
                    report.deposits += deposits;
                }
                Ok(RowWrite::AlreadyThere) => {
                    savepoint.rollback().await?;
                    report.new -= 1;
                    report.already_imported += 1;
                }
                Ok(RowWrite::Refused(problem)) => {
                    savepoint.rollback().await?;
                    report.new -= 1;
                    report.bad.push(BadRow {
                        line: line_no,
                        import_id: Some(row.import_id.clone()),
                        problem,
                    });
                }
                // Someone took an identifier since the check, say.
                Err(DomainError::Rejected(e)) => {
                    savepoint.rollback().await?;
                    report.new -= 1;
                    report.bad.push(BadRow {
                        line: line_no,
                        import_id: Some(row.import_id.clone()),
                        problem: Problem::new(e.code, e.field.map(|f| f.as_str()), e.message),
                    });
                }
                Err(e) => return Err(e),
            }
            in_batch += 1;
            if in_batch >= batch_size {
                if let Some(tx) = tx.take() {
                    tx.commit().await?;
                }
                in_batch = 0;
                progress(Progress::Written(report.imported));
            }
        }
        if let Some(tx) = tx.take() {
            tx.commit().await?;
        }
        progress(Progress::Written(report.imported));
        report.bad.sort_by_key(|b| b.line);
        tracing::info!(
            imported = report.imported,
            already = report.already_imported,
            bad = report.bad.len(),
            "users imported"
        );
        Ok(report)
    }

    /// The check of one non-blank line: its verdict and its problems.
    async fn check_line(
        &self,
        text: &str,
        line_no: u64,
        now: i64,
        currencies: &HashMap<String, Currency>,
        seen: &mut HashMap<u128, u64>,
    ) -> Result<(Verdict, Vec<BadRow>), DomainError> {
        let row = match row::parse(text, now, currencies) {
            Ok(row) => row,
            Err(problem) => {
                let bad = BadRow {
                    line: line_no,
                    import_id: import_id_of(text),
                    problem,
                };
                return Ok((Verdict::Bad, vec![bad]));
            }
        };
        let bad = |problem| BadRow {
            line: line_no,
            import_id: Some(row.import_id.clone()),
            problem,
        };
        let mut duplicate = None;
        for (field, key) in row.unique_keys() {
            let earlier = *seen.entry(fingerprint(field, &key)).or_insert(line_no);
            if earlier != line_no && duplicate.is_none() {
                let code = match field {
                    "email" => ErrorCode::EmailTaken,
                    "phone" => ErrorCode::PhoneTaken,
                    "username" => ErrorCode::UsernameTaken,
                    _ => ErrorCode::IdempotencyConflict,
                };
                duplicate = Some(Problem::new(
                    code,
                    Some(field),
                    format!("the same {field} is on line {earlier}"),
                ));
            }
        }
        if let Some(problem) = duplicate {
            return Ok((Verdict::Bad, vec![bad(problem)]));
        }
        let earlier =
            store::import::row_hash(&mut *self.pool.acquire().await?, &row.import_id).await?;
        match earlier {
            Some(hash) if hash == row.row_hash => return Ok((Verdict::Already, Vec::new())),
            Some(_) => return Ok((Verdict::Bad, vec![bad(conflict())])),
            None => {}
        }
        if let Err(e) = self
            .ensure_free(&mut *self.pool.acquire().await?, &row.account)
            .await
        {
            let e = e.to_app_error();
            let problem = Problem::new(e.code, e.field.map(|f| f.as_str()), e.message);
            return Ok((Verdict::Bad, vec![bad(problem)]));
        }
        Ok((Verdict::New, Vec::new()))
    }

    /// Creates one imported account inside the caller's savepoint.
    async fn write_row(
        &self,
        conn: &mut crate::store::Conn,
        row: &ImportRow,
        now: i64,
    ) -> Result<RowWrite, DomainError> {
        let earlier = store::import::row_hash(&mut *conn, &row.import_id).await?;
        match earlier {
            // Another import of the same file got there first.
            Some(hash) if hash == row.row_hash => return Ok(RowWrite::AlreadyThere),
            Some(_) => return Ok(RowWrite::Refused(conflict())),
            None => {}
        }
        // An argon2id hash made as this product makes them needs no upgrade.
        let current = row
            .password
            .as_ref()
            .filter(|p| p.scheme() == LegacyScheme::Argon2 && self.hasher.is_current(p.hash()));
        let verifiers = PasswordVerifiers {
            main: current.map(|p| StoredHash(p.hash().to_string())),
            digests: Vec::new(),
        };
        let user = self
            .insert_vouched_in(
                &mut *conn,
                &row.account,
                &verifiers,
                row.verified,
                Role::User,
            )
            .await?;
        if let (Some(legacy), None) = (&row.password, current) {
            store::import::insert_legacy(
                &mut *conn,
                user.id,
                legacy.scheme().name(),
                legacy.salt(),
                legacy.hash(),
            )
            .await?;
        }
        // While the account is still `normal`: the ledger pays only those.
        for (currency, amount) in &row.balances {
            crate::wallet::open_balance_in(
                &mut *conn,
                user.id,
                currency,
                *amount,
                OPENING_MEMO,
                &row.import_id,
                now,
            )
            .await?;
        }
        let closed = row.status == Status::Closed;
        let vault = self.vault().await?;
        let profile = store::import::ImportedProfile {
            profile: store::users::ProfileColumns {
                display_name: row.display_name.as_deref(),
                real_name: row.real_name.as_deref(),
                gender: row.gender.as_str(),
                id_country: &row.id_country,
                id_type: row.id_type.as_str(),
                id_number: row.id_number.as_deref(),
            },
            status: row.status.stored(),
            created_at: row.created_at.unwrap_or(now),
            closed_reason: closed.then_some(CLOSED_REASON),
        };
        store::import::set_profile(&mut *conn, vault, user.id, &profile, now).await?;
        if row.review != Review::None {
            let verified = row.review == Review::Verified;
            let state = if verified {
                VerificationState::Verified
            } else {
                VerificationState::Pending
            };
            let review = store::import::ImportedReview {
                user_id: user.id,
                state: state.as_str(),
                real_name: row.real_name.as_deref(),
                id_number: row.id_number.as_deref(),
                reviewed_at: verified.then_some(now),
            };
            store::import::insert_review(&mut *conn, vault, &review, now).await?;
        }
        store::import::record(&mut *conn, &row.import_id, user.id, &row.row_hash, now).await?;
        Ok(RowWrite::Created {
            deposits: row.balances.len() as u64,
        })
    }

    /// How many imported users still have their old system's hash: zero
    /// once every one of them has signed in (or reset the password).
    pub async fn legacy_passwords_left(&self) -> Result<u64, DomainError> {
        let left = store::import::legacy_left(&mut *self.pool.acquire().await?).await?;
        Ok(left as u64)
    }
}

/// What writing one row did.
enum RowWrite {
    Created {
        deposits: u64,
    },
    /// Its import id was imported meanwhile, with the same content.
    AlreadyThere,
    /// Its import id was imported meanwhile, with other content.
    Refused(Problem),
}

fn conflict() -> Problem {
    Problem::new(
        ErrorCode::IdempotencyConflict,
        Some("import_id"),
        "this import_id was imported before with other content",
    )
}

/// The import id of a row that failed its checks, if it has a readable one.
fn import_id_of(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value.get("import_id")?.as_str().map(str::to_string)
}

/// 128 bits of SHA-256 over a unique key and its kind: the duplicate check
/// keeps these rather than the keys (a fifth of the memory for a big file).
fn fingerprint(field: &str, key: &str) -> u128 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(field.as_bytes())
        .chain_update([0])
        .chain_update(key.as_bytes())
        .finalize();
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest[..16]);
    u128::from_le_bytes(first)
}

/// Numbered lines of a reader, each as text or as why it cannot be read
/// (not UTF-8, too long).
struct Lines<R> {
    reader: R,
    line_no: u64,
    buf: Vec<u8>,
}

impl<R: BufRead> Lines<R> {
    fn new(reader: R) -> Self {
        Lines {
            reader,
            line_no: 0,
            buf: Vec::new(),
        }
    }

    /// The next line (1-based number), without its line ending. Reading a
    /// local file blocks for microseconds per line: fine for a command that
    /// runs alone.
    #[allow(clippy::type_complexity)]
    fn next_line(&mut self) -> std::io::Result<Option<(u64, Result<String, Problem>)>> {
        self.buf.clear();
        if self.reader.read_until(b'\n', &mut self.buf)? == 0 {
            return Ok(None);
        }
        self.line_no += 1;
        while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
            self.buf.pop();
        }
        let text = if self.buf.len() > MAX_LINE_BYTES {
            Err(Problem::new(
                ErrorCode::InvalidInput,
                None,
                format!("the line is longer than {MAX_LINE_BYTES} bytes"),
            ))
        } else {
            String::from_utf8(std::mem::take(&mut self.buf))
                .map_err(|_| Problem::new(ErrorCode::InvalidInput, None, "the line is not UTF-8"))
        };
        Ok(Some((self.line_no, text)))
    }
}
