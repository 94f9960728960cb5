//! The staff console's contract: user search, permission flags, the audit
//! log, batch creation and staff messages.

use crate::dto::{DeviceInfo, SessionInfo, UserProfile};
use crate::error::{AppError, ErrorCode, Field, RowError};
use crate::profile::{AccountState, Role, VerificationOverview};
use crate::validate;
use crate::wallet::{Balance, HistoryItem};
use serde::{Deserialize, Serialize};

/// Users per page in the console's search.
pub const USERS_PER_PAGE: u32 = 20;
/// Audit rows per page.
pub const AUDIT_PER_PAGE: u32 = 50;
/// The most users one batch may create (the seed system's limit).
pub const BATCH_MAX_ROWS: usize = 50;
/// The most ids a search by id list takes.
pub const MAX_IDS: usize = 100;
pub const MESSAGE_MAX_CHARS: usize = 500;
pub const SUBJECT_MAX_CHARS: usize = 100;

/// How the user list is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserSort {
    #[default]
    Newest,
    Oldest,
    /// By display name, then username, then email (case-insensitive).
    Name,
}

impl UserSort {
    pub const ALL: [UserSort; 3] = [UserSort::Newest, UserSort::Oldest, UserSort::Name];

    pub fn as_str(self) -> &'static str {
        match self {
            UserSort::Newest => "newest",
            UserSort::Oldest => "oldest",
            UserSort::Name => "name",
        }
    }

    pub fn parse(s: &str) -> Option<UserSort> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A search of the user list. `q` is free text matched against email,
/// phone, username, display and real name; a list of ids (`12, 40 41`)
/// finds exactly those users. Text that is exactly a user's email, phone
/// or username, however written (`+86 138-0013-8000`, `ANN@example.com`),
/// finds that user first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSearch {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub sort: UserSort,
    /// 1-based.
    #[serde(default = "first_page")]
    pub page: u32,
}

fn first_page() -> u32 {
    1
}

/// What a search query means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserQuery {
    All,
    Ids(Vec<i64>),
    /// Lower-cased, trimmed text.
    Text(String),
}

/// Reads the search box: empty is everyone; digits separated by commas or
/// spaces with at least one separator, or `#12`, are ids; anything else is
/// text. A single 11-digit number is a phone number, not an id.
pub fn parse_user_query(raw: &str) -> Result<UserQuery, AppError> {
    let q = raw.trim();
    if q.is_empty() {
        return Ok(UserQuery::All);
    }
    if q.chars().count() > 128 {
        return Err(AppError::with_message(
            ErrorCode::InvalidInput,
            "The search text may have at most 128 characters.",
        ));
    }
    let id_like = |s: &str| !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = q
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    let single_id = q.strip_prefix('#').filter(|s| id_like(s));
    if let Some(id) = single_id {
        return Ok(UserQuery::Ids(vec![id.parse().unwrap_or(0)]));
    }
    if parts.len() > 1 && parts.iter().all(|p| id_like(p)) {
        if parts.len() > MAX_IDS {
            return Err(AppError::with_message(
                ErrorCode::InvalidInput,
                "Search for at most 100 ids at a time.",
            ));
        }
        let mut ids: Vec<i64> = parts.iter().filter_map(|p| p.parse().ok()).collect();
        ids.sort_unstable();
        ids.dedup();
        return Ok(UserQuery::Ids(ids));
    }
    if id_like(q) && q.len() < 11 {
        return Ok(UserQuery::Ids(vec![q.parse().unwrap_or(0)]));
    }
    Ok(UserQuery::Text(q.to_lowercase()))
}

/// One row of the user list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: i64,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub real_name: Option<String>,
    pub account_state: AccountState,
    pub role: Role,
    /// RFC 3339.
    pub created_at: String,
    /// The search text is exactly this user's email, phone or username
    /// (after the sign-in normalisation); such a match is listed first.
    #[serde(default)]
    pub exact: bool,
}

impl UserSummary {
    /// The best name to show for the user.
    pub fn label(&self) -> String {
        self.display_name
            .clone()
            .or_else(|| self.real_name.clone())
            .or_else(|| self.username.clone())
            .or_else(|| self.email.clone())
            .or_else(|| self.phone.clone())
            .unwrap_or_else(|| format!("#{}", self.id))
    }
}

/// A page of users.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub users: Vec<UserSummary>,
    /// How many users match in all.
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// What an account may do beyond its status; all on by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Permissions {
    pub allow_login: bool,
    pub allow_transfer: bool,
    pub allow_withdraw: bool,
}

impl Default for Permissions {
    fn default() -> Self {
        Permissions {
            allow_login: true,
            allow_transfer: true,
            allow_withdraw: true,
        }
    }
}

/// Everything staff see about one user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDetail {
    /// With the ID number in full.
    pub profile: UserProfile,
    pub role: Role,
    pub permissions: Permissions,
    /// Unix seconds, while a sign-in lock on one of the user's identifiers lasts.
    pub locked_until: Option<i64>,
    /// Unix seconds, while payments are locked after too many wrong PINs.
    #[serde(default)]
    pub payments_locked_until: Option<i64>,
    pub closed_reason: Option<String>,
    pub sessions: Vec<SessionInfo>,
    pub devices: Vec<DeviceInfo>,
    pub balances: Vec<Balance>,
    /// The newest ledger rows across currencies, with their currency code.
    pub recent: Vec<(String, HistoryItem)>,
    pub verifications: VerificationOverview,
    /// A fresh idempotency key for the console's next balance adjustment:
    /// submitting that form twice cannot move money twice.
    pub adjust_request_id: String,
}

/// Staff set a user's role (`super_admin` only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetRoleRequest {
    pub role: String,
}

/// Kinds of audit rows. The wire names are stable: filters and exports use them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    // The user's own security events.
    LoginSucceeded,
    LoginFailed,
    LoginLocked,
    Logout,
    PasswordChanged,
    PasswordReset,
    ContactChanged,
    PinSet,
    PinChanged,
    SessionRevoked,
    OtherSessionsRevoked,
    AccountClosedByUser,
    /// Too many wrong current passwords given to confirm a change: the
    /// session that tried was ended and re-entry is locked for a while.
    PasswordReentryLocked,
    // Staff actions.
    AccountFrozen,
    AccountUnfrozen,
    AccountClosed,
    LoginUnlocked,
    PermissionsChanged,
    RoleChanged,
    SessionsRevokedByStaff,
    BalanceAdjusted,
    VerificationApproved,
    VerificationRejected,
    MessageSent,
    UsersBatchCreated,
    /// A staff action the limits on staff refused (a privileged target, or
    /// acting on or authorising oneself); `details` says which and why.
    StaffActionRefused,
    /// Staff opened a private document (an ID card photo).
    DocumentViewed,
    /// Staff or a service opened a (pre-opened) account for a contact.
    AccountOpened,
    /// The owner (or a service for them) activated a pre-opened account.
    AccountActivated,
    /// A currency was added or changed (name, scale, aliases, enabled);
    /// `details` says which, and `via` whether from the console or the CLI.
    CurrencyChanged,
    /// Staff lifted a payment lock (too many wrong PINs).
    PaymentsUnlocked,
    /// Staff revealed a full ID number; `details` has the reason.
    IdNumberRevealed,
    /// The user agreed to the processing of identity documents (`details`:
    /// the consent text's version).
    ConsentGiven,
    /// The user withdrew that consent; unverified submissions were deleted.
    ConsentWithdrawn,
    /// The user's data was exported (by the user, or by a service for them).
    DataExported,
    /// Erasure was requested with the account's closing.
    ErasureRequested,
    /// The grace period ended and the account's personal data was erased.
    AccountErased,
}

impl AuditAction {
    pub const ALL: [AuditAction; 37] = [
        AuditAction::LoginSucceeded,
        AuditAction::LoginFailed,
        AuditAction::LoginLocked,
        AuditAction::Logout,
        AuditAction::PasswordChanged,
        AuditAction::PasswordReset,
        AuditAction::ContactChanged,
        AuditAction::PinSet,
        AuditAction::PinChanged,
        AuditAction::SessionRevoked,
        AuditAction::OtherSessionsRevoked,
        AuditAction::AccountClosedByUser,
        AuditAction::PasswordReentryLocked,
        AuditAction::AccountFrozen,
        AuditAction::AccountUnfrozen,
        AuditAction::AccountClosed,
        AuditAction::LoginUnlocked,
        AuditAction::PermissionsChanged,
        AuditAction::RoleChanged,
        AuditAction::SessionsRevokedByStaff,
        AuditAction::BalanceAdjusted,
        AuditAction::VerificationApproved,
        AuditAction::VerificationRejected,
        AuditAction::MessageSent,
        AuditAction::UsersBatchCreated,
        AuditAction::StaffActionRefused,
        AuditAction::DocumentViewed,
        AuditAction::AccountOpened,
        AuditAction::AccountActivated,
        AuditAction::CurrencyChanged,
        AuditAction::PaymentsUnlocked,
        AuditAction::IdNumberRevealed,
        AuditAction::ConsentGiven,
        AuditAction::ConsentWithdrawn,
        AuditAction::DataExported,
        AuditAction::ErasureRequested,
        AuditAction::AccountErased,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::LoginSucceeded => "login_succeeded",
            AuditAction::LoginFailed => "login_failed",
            AuditAction::LoginLocked => "login_locked",
            AuditAction::Logout => "logout",
            AuditAction::PasswordChanged => "password_changed",
            AuditAction::PasswordReset => "password_reset",
            AuditAction::ContactChanged => "contact_changed",
            AuditAction::PinSet => "pin_set",
            AuditAction::PinChanged => "pin_changed",
            AuditAction::SessionRevoked => "session_revoked",
            AuditAction::OtherSessionsRevoked => "other_sessions_revoked",
            AuditAction::AccountClosedByUser => "account_closed_by_user",
            AuditAction::PasswordReentryLocked => "password_reentry_locked",
            AuditAction::AccountFrozen => "account_frozen",
            AuditAction::AccountUnfrozen => "account_unfrozen",
            AuditAction::AccountClosed => "account_closed",
            AuditAction::LoginUnlocked => "login_unlocked",
            AuditAction::PermissionsChanged => "permissions_changed",
            AuditAction::RoleChanged => "role_changed",
            AuditAction::SessionsRevokedByStaff => "sessions_revoked_by_staff",
            AuditAction::BalanceAdjusted => "balance_adjusted",
            AuditAction::VerificationApproved => "verification_approved",
            AuditAction::VerificationRejected => "verification_rejected",
            AuditAction::MessageSent => "message_sent",
            AuditAction::UsersBatchCreated => "users_batch_created",
            AuditAction::StaffActionRefused => "staff_action_refused",
            AuditAction::DocumentViewed => "document_viewed",
            AuditAction::AccountOpened => "account_opened",
            AuditAction::AccountActivated => "account_activated",
            AuditAction::CurrencyChanged => "currency_changed",
            AuditAction::PaymentsUnlocked => "payments_unlocked",
            AuditAction::IdNumberRevealed => "id_number_revealed",
            AuditAction::ConsentGiven => "consent_given",
            AuditAction::ConsentWithdrawn => "consent_withdrawn",
            AuditAction::DataExported => "data_exported",
            AuditAction::ErasureRequested => "erasure_requested",
            AuditAction::AccountErased => "account_erased",
        }
    }

    pub fn parse(s: &str) -> Option<AuditAction> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Whether staff did it (as opposed to the user or the system).
    pub fn is_staff_action(self) -> bool {
        matches!(
            self,
            AuditAction::AccountFrozen
                | AuditAction::AccountUnfrozen
                | AuditAction::AccountClosed
                | AuditAction::LoginUnlocked
                | AuditAction::PaymentsUnlocked
                | AuditAction::PermissionsChanged
                | AuditAction::RoleChanged
                | AuditAction::SessionsRevokedByStaff
                | AuditAction::BalanceAdjusted
                | AuditAction::VerificationApproved
                | AuditAction::VerificationRejected
                | AuditAction::MessageSent
                | AuditAction::UsersBatchCreated
                | AuditAction::AccountOpened
                | AuditAction::CurrencyChanged
                | AuditAction::IdNumberRevealed
        )
    }
}

/// One audit row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    /// RFC 3339.
    pub at: String,
    pub action: AuditAction,
    pub actor_id: Option<i64>,
    /// The actor's email, username or phone, for reading the log.
    pub actor_label: Option<String>,
    /// A service app acting through the signed API.
    pub actor_app: Option<String>,
    pub target_id: Option<i64>,
    pub target_label: Option<String>,
    pub ip: Option<String>,
    /// The caller's `User-Agent`, as sent.
    pub user_agent: Option<String>,
    /// A JSON object with the particulars (reason, amount, identifier, …).
    pub details: String,
}

/// Filters of the audit log; all optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    #[serde(default)]
    pub action: Option<AuditAction>,
    #[serde(default)]
    pub actor_id: Option<i64>,
    #[serde(default)]
    pub target_id: Option<i64>,
    /// Only rows with an id below this (the next page of a newest-first list).
    #[serde(default)]
    pub before: Option<i64>,
}

/// A page of the audit log, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for the next (older) page; `None` on the last page.
    pub next_before: Option<i64>,
}

/// One user to create in a batch; blank cells are `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchRow {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    /// The display name.
    #[serde(default)]
    pub name: Option<String>,
}

/// A batch-create request: rows, or CSV text (`email,phone,username,name`,
/// a header line optional).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchCreateRequest {
    #[serde(default)]
    pub rows: Vec<BatchRow>,
    #[serde(default)]
    pub csv: Option<String>,
}

/// The created users, in row order. Each received a random initial password
/// by email (or SMS when it has no email).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchCreated {
    pub users: Vec<UserSummary>,
}

/// A batch row after validation: normalised, at least an email or a phone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidBatchRow {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub username: Option<String>,
    pub name: Option<String>,
}

/// Reads CSV text into rows. Columns are `email, phone, username, name` in
/// that order, or named by a header line with those words in any order.
/// Blank lines are skipped.
pub fn parse_batch_csv(text: &str) -> Result<Vec<BatchRow>, AppError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut order = [0usize, 1, 2, 3];
    for (i, record) in reader.records().enumerate() {
        let record = record
            .map_err(|e| AppError::with_message(ErrorCode::InvalidInput, format!("CSV: {e}")))?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        if i == 0 && record.iter().any(|c| c.eq_ignore_ascii_case("email")) {
            let names = ["email", "phone", "username", "name"];
            for (slot, name) in names.iter().enumerate() {
                order[slot] = record
                    .iter()
                    .position(|c| c.eq_ignore_ascii_case(name))
                    .unwrap_or(usize::MAX);
            }
            continue;
        }
        let cell = |slot: usize| {
            record
                .get(order[slot])
                .map(str::to_string)
                .filter(|c| !c.is_empty())
        };
        rows.push(BatchRow {
            email: cell(0),
            phone: cell(1),
            username: cell(2),
            name: cell(3),
        });
    }
    Ok(rows)
}

/// Validates a whole batch: its size, each row's formats, and duplicates
/// inside the batch. Every bad row is reported (`BATCH_INVALID` with
/// `rows`); taken contacts are checked by the server.
pub fn validate_batch(rows: &[BatchRow]) -> Result<Vec<ValidBatchRow>, AppError> {
    if rows.is_empty() {
        return Err(AppError::new(ErrorCode::Required));
    }
    if rows.len() > BATCH_MAX_ROWS {
        return Err(AppError::new(ErrorCode::BatchTooLarge));
    }
    let mut valid = Vec::with_capacity(rows.len());
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, row) in rows.iter().enumerate() {
        let line = i as u32 + 1;
        match validate_row(row) {
            Ok(v) => {
                let keys = [
                    v.email.as_ref().map(|e| format!("e:{e}")),
                    v.phone.as_ref().map(|p| format!("p:{p}")),
                    v.username
                        .as_ref()
                        .map(|u| format!("u:{}", validate::username_key(u))),
                ];
                let dup = keys.iter().flatten().find(|k| !seen.insert((*k).clone()));
                if let Some(k) = dup {
                    let (code, field) = match &k[..1] {
                        "e" => (ErrorCode::EmailTaken, Field::Email),
                        "p" => (ErrorCode::PhoneTaken, Field::Phone),
                        _ => (ErrorCode::UsernameTaken, Field::Username),
                    };
                    problems.push(RowError {
                        line,
                        code,
                        field: Some(field),
                    });
                }
                valid.push(v);
            }
            Err(e) => problems.push(RowError {
                line,
                code: e.code,
                field: e.field,
            }),
        }
    }
    if problems.is_empty() {
        Ok(valid)
    } else {
        Err(batch_invalid(problems))
    }
}

/// `BATCH_INVALID` listing `rows`.
pub fn batch_invalid(rows: Vec<RowError>) -> AppError {
    AppError {
        rows,
        ..AppError::new(ErrorCode::BatchInvalid)
    }
}

fn validate_row(row: &BatchRow) -> Result<ValidBatchRow, AppError> {
    fn text(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    let email = text(&row.email)
        .map(|e| validate::normalize_email(e).map_err(|e| e.with_field(Field::Email)))
        .transpose()?;
    let phone = text(&row.phone)
        .map(|p| validate::normalize_phone(p).map_err(|e| e.with_field(Field::Phone)))
        .transpose()?;
    if email.is_none() && phone.is_none() {
        return Err(AppError::new(ErrorCode::ContactRequired));
    }
    let username = text(&row.username)
        .map(|u| validate::normalize_username(u).map_err(|e| e.with_field(Field::Username)))
        .transpose()?;
    let name = text(&row.name)
        .map(|n| {
            crate::identity::normalize_display_name(n).map_err(|e| e.with_field(Field::DisplayName))
        })
        .transpose()?;
    Ok(ValidBatchRow {
        email,
        phone,
        username,
        name,
    })
}

/// Which contact a staff message goes to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MessageChannel {
    #[default]
    Email,
    Sms,
}

/// Staff write to a user.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffMessage {
    pub channel: MessageChannel,
    /// Email only; a default subject is used when empty.
    #[serde(default)]
    pub subject: String,
    pub text: String,
}

impl StaffMessage {
    /// Trimmed subject and text within their limits.
    pub fn validate(&self) -> Result<(String, String), AppError> {
        let subject = self.subject.trim();
        let text = self.text.trim();
        let bad = |s: &str, max: usize| {
            s.chars().count() > max
                || s.chars()
                    .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        };
        if text.is_empty() {
            return Err(AppError::new(ErrorCode::Required));
        }
        if bad(text, MESSAGE_MAX_CHARS) || bad(subject, SUBJECT_MAX_CHARS) || subject.contains('\n')
        {
            return Err(AppError::new(ErrorCode::InvalidMessage));
        }
        Ok((subject.to_string(), text.to_string()))
    }
}

/// A staff balance adjustment from the console.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustBalanceRequest {
    /// `deposit` or `withdraw`.
    pub direction: AdjustDirection,
    pub currency: String,
    pub amount: String,
    /// Why; shown in the user's history and the audit log.
    pub reason: String,
    /// The idempotency key: a retry with the same id does not move money twice.
    pub request_id: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustDirection {
    #[default]
    Deposit,
    Withdraw,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_tell_ids_from_text_and_phones() {
        assert_eq!(parse_user_query("  ").unwrap(), UserQuery::All);
        assert_eq!(parse_user_query("42").unwrap(), UserQuery::Ids(vec![42]));
        assert_eq!(parse_user_query("#7").unwrap(), UserQuery::Ids(vec![7]));
        assert_eq!(
            parse_user_query("3, 1 2,3").unwrap(),
            UserQuery::Ids(vec![1, 2, 3])
        );
        assert_eq!(
            parse_user_query("13800138000").unwrap(),
            UserQuery::Text("13800138000".into())
        );
        assert_eq!(
            parse_user_query("Alice@Example.com").unwrap(),
            UserQuery::Text("alice@example.com".into())
        );
        let many = (1..=101)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(
            parse_user_query(&many).unwrap_err().code,
            ErrorCode::InvalidInput
        );
    }

    #[test]
    fn csv_with_and_without_header() {
        let rows =
            parse_batch_csv("a@example.com,13800138000,alice,Alice\n\n,13900139000,,\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].username.as_deref(), Some("alice"));
        assert_eq!(rows[1].email, None);
        let rows = parse_batch_csv("name,email\nBob,b@example.com\n").unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].email.as_deref(), Some("b@example.com"));
        assert_eq!(rows[0].name.as_deref(), Some("Bob"));
        assert_eq!(rows[0].phone, None);
    }

    fn email_rows(n: usize) -> Vec<BatchRow> {
        (0..n)
            .map(|i| BatchRow {
                email: Some(format!("user{i}@example.com")),
                ..BatchRow::default()
            })
            .collect()
    }

    #[test]
    fn batch_limits() {
        assert_eq!(validate_batch(&email_rows(50)).unwrap().len(), 50);
        assert_eq!(
            validate_batch(&email_rows(51)).unwrap_err().code,
            ErrorCode::BatchTooLarge
        );
        assert_eq!(validate_batch(&[]).unwrap_err().code, ErrorCode::Required);
    }

    #[test]
    fn one_bad_row_refuses_all_and_every_bad_row_is_listed() {
        let mut rows = email_rows(5);
        rows[1].email = Some("not an email".into());
        rows[3] = BatchRow::default();
        rows[4].email = rows[0].email.clone();
        let err = validate_batch(&rows).unwrap_err();
        assert_eq!(err.code, ErrorCode::BatchInvalid);
        let lines: Vec<(u32, ErrorCode)> = err.rows.iter().map(|r| (r.line, r.code)).collect();
        assert_eq!(
            lines,
            vec![
                (2, ErrorCode::InvalidEmail),
                (4, ErrorCode::ContactRequired),
                (5, ErrorCode::EmailTaken)
            ]
        );
    }

    #[test]
    fn messages_are_bounded() {
        let msg = |subject: &str, text: &str| StaffMessage {
            channel: MessageChannel::Email,
            subject: subject.into(),
            text: text.into(),
        };
        assert!(msg("Hi", "Your document was received.").validate().is_ok());
        assert_eq!(
            msg("", "  ").validate().unwrap_err().code,
            ErrorCode::Required
        );
        assert_eq!(
            msg("", &"x".repeat(501)).validate().unwrap_err().code,
            ErrorCode::InvalidMessage
        );
        assert_eq!(
            msg("a\nb", "text").validate().unwrap_err().code,
            ErrorCode::InvalidMessage
        );
    }
}
