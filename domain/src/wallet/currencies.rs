//! The currencies the wallet holds, and how super admins manage them.
//!
//! - A currency is added with a code, a name (and optionally a Chinese
//!   one), a scale and aliases; it is renamed, re-aliased and enabled or
//!   disabled later. The code never changes (the journal refers to it).
//! - The scale may change only while no journal row uses the currency:
//!   stored minor units would otherwise change meaning (a trigger enforces
//!   it too).
//! - Disabling winds a currency down: no money comes in (deposits,
//!   transfers) and no new holds are made, but users can still take their
//!   money out (withdrawals) and pending holds can be released or settled,
//!   so nobody's money is trapped. Balances that are not zero stay visible.
//! - Aliases are other names of a currency (a seed system's coin id `1`,
//!   the app API's `integral`), accepted wherever a currency code is; one
//!   namespace shared with the codes, so every name means one currency.
//!
//! Changes come from a signed-in super admin (console) or the operator at
//! the command line, and each is audited as `currency_changed`.

use crate::audit::AuditEvent;
use crate::caller::Operator;
use crate::store::users::Role;
use crate::{DomainError, UserCenter};
use shared::admin::AuditAction;
use shared::currency::{CurrencyDetail, CurrencyEdit, NewCurrency};
use shared::wallet::{Currency, TransferKind};
use shared::{AppError, ErrorCode};
use sqlx::SqliteConnection;
use std::collections::BTreeMap;

#[derive(Clone, Debug, sqlx::FromRow)]
pub(crate) struct CurrencyRow {
    pub code: String,
    pub name: String,
    pub name_zh: Option<String>,
    pub scale: i64,
    pub enabled: bool,
}

impl CurrencyRow {
    pub fn scale(&self) -> u32 {
        self.scale as u32
    }

    fn into_currency(self, aliases: Vec<String>) -> Currency {
        Currency {
            scale: self.scale(),
            code: self.code,
            name: self.name,
            name_zh: self.name_zh,
            enabled: self.enabled,
            aliases,
        }
    }
}

/// Whether a movement of `kind` may happen in a disabled currency: money
/// out and the end of pending holds, never money in or new holds.
pub(crate) fn allowed_while_disabled(kind: TransferKind) -> bool {
    matches!(
        kind,
        TransferKind::Withdraw | TransferKind::Unfreeze | TransferKind::Settle
    )
}

/// Who changes currencies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CurrencyAdmin {
    /// A signed-in account: must have the `super_admin` role (read from the
    /// database on each call), else `FORBIDDEN`.
    SuperAdmin(Operator),
    /// The operator at the server's command line (`server admin currency`),
    /// trusted by having the data directory.
    CommandLine,
}

impl From<&crate::AuthContext> for CurrencyAdmin {
    fn from(auth: &crate::AuthContext) -> Self {
        CurrencyAdmin::SuperAdmin(auth.into())
    }
}

impl From<i64> for CurrencyAdmin {
    fn from(id: i64) -> Self {
        CurrencyAdmin::SuperAdmin(id.into())
    }
}

impl CurrencyAdmin {
    fn via(&self) -> &'static str {
        match self {
            CurrencyAdmin::SuperAdmin(_) => "console",
            CurrencyAdmin::CommandLine => "cli",
        }
    }
}

const CURRENCY_BY_CODE: &str =
    "SELECT code, name, name_zh, scale, enabled FROM currencies WHERE code = ?";

impl UserCenter {
    /// Every currency, or only the enabled ones, by code, with their aliases.
    pub async fn list_currencies(
        &self,
        include_disabled: bool,
    ) -> Result<Vec<Currency>, DomainError> {
        let rows: Vec<CurrencyRow> = sqlx::query_as(
            "SELECT code, name, name_zh, scale, enabled FROM currencies
             WHERE enabled = 1 OR ? ORDER BY code",
        )
        .bind(include_disabled)
        .fetch_all(&self.pool)
        .await?;
        let mut aliases = self.all_aliases().await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let mine = aliases.remove(&row.code).unwrap_or_default();
                row.into_currency(mine)
            })
            .collect())
    }

    /// Every currency with whether its scale is fixed; for super admins.
    pub async fn currency_details(
        &self,
        by: impl Into<CurrencyAdmin>,
    ) -> Result<Vec<CurrencyDetail>, DomainError> {
        self.require_currency_admin(&by.into()).await?;
        let currencies = self.list_currencies(true).await?;
        let mut conn = self.pool.acquire().await?;
        let mut details = Vec::with_capacity(currencies.len());
        for currency in currencies {
            details.push(CurrencyDetail {
                scale_locked: has_journal_rows(&mut conn, &currency.code).await?,
                currency,
            });
        }
        Ok(details)
    }

    /// Adds an enabled currency, for the command line; see
    /// [`create_currency`](Self::create_currency).
    pub async fn add_currency(
        &self,
        code: &str,
        name: &str,
        scale: u32,
    ) -> Result<Currency, DomainError> {
        let new = NewCurrency {
            code: code.to_string(),
            name: name.to_string(),
            scale,
            ..Default::default()
        };
        self.create_currency(CurrencyAdmin::CommandLine, &new).await
    }

    /// Adds an enabled currency with its system accounts and aliases.
    /// `CURRENCY_EXISTS` for a code in use, `CURRENCY_ALIAS_TAKEN` when the
    /// code is another currency's alias or an alias is taken.
    pub async fn create_currency(
        &self,
        by: impl Into<CurrencyAdmin>,
        new: &NewCurrency,
    ) -> Result<Currency, DomainError> {
        let by = by.into();
        self.require_currency_admin(&by).await?;
        let valid = new.validate()?;
        let now = self.now();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let inserted = sqlx::query(
            "INSERT INTO currencies (code, name, name_zh, scale, enabled, created_at)
             VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (code) DO NOTHING",
        )
        .bind(&valid.code)
        .bind(&valid.name)
        .bind(&valid.name_zh)
        .bind(i64::from(valid.scale))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(ErrorCode::CurrencyExists.into());
        }
        let clash: Option<(String,)> =
            sqlx::query_as("SELECT currency FROM currency_aliases WHERE alias = ?")
                .bind(&valid.code)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some((other,)) = clash {
            return Err(alias_taken(&valid.code, &other));
        }
        for system in ["external", "fees"] {
            sqlx::query(
                "INSERT INTO wallet_accounts (currency, system, created_at, updated_at)
                 VALUES (?, ?, ?, ?)",
            )
            .bind(&valid.code)
            .bind(system)
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        replace_aliases(&mut tx, &valid.code, &valid.aliases, now).await?;
        tx.commit().await?;
        tracing::info!(currency = %valid.code, scale = valid.scale, via = by.via(), "currency added");
        self.audit_currency(
            &by,
            serde_json::json!({
                "code": valid.code,
                "change": "added",
                "name": valid.name,
                "name_zh": valid.name_zh,
                "scale": valid.scale,
                "aliases": valid.aliases,
            }),
        )
        .await;
        self.currency_dto(&valid.code).await
    }

    /// Renames a currency, changes its scale (only before its first journal
    /// row: `CURRENCY_SCALE_LOCKED` after) or replaces its aliases, in one
    /// transaction. Only the fields that differ are changed and audited.
    pub async fn edit_currency(
        &self,
        by: impl Into<CurrencyAdmin>,
        code: &str,
        edit: &CurrencyEdit,
    ) -> Result<Currency, DomainError> {
        let by = by.into();
        self.require_currency_admin(&by).await?;
        let edit = edit.validate()?;
        let now = self.now();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let row: CurrencyRow = sqlx::query_as(CURRENCY_BY_CODE)
            .bind(code.trim())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(DomainError::from(ErrorCode::UnknownCurrency))?;
        let aliases_before = aliases_of(&mut tx, &row.code).await?;
        let mut changes = serde_json::Map::new();
        if let Some(name) = edit.name.filter(|n| *n != row.name) {
            changes.insert("name".into(), name.clone().into());
            sqlx::query("UPDATE currencies SET name = ? WHERE code = ?")
                .bind(name)
                .bind(&row.code)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(name_zh) = edit.name_zh.filter(|n| *n != row.name_zh) {
            changes.insert("name_zh".into(), name_zh.clone().into());
            sqlx::query("UPDATE currencies SET name_zh = ? WHERE code = ?")
                .bind(name_zh)
                .bind(&row.code)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(scale) = edit.scale.filter(|s| *s != row.scale()) {
            if has_journal_rows(&mut tx, &row.code).await? {
                return Err(ErrorCode::CurrencyScaleLocked.into());
            }
            changes.insert("scale".into(), scale.into());
            sqlx::query("UPDATE currencies SET scale = ? WHERE code = ?")
                .bind(i64::from(scale))
                .bind(&row.code)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(aliases) = edit.aliases.filter(|a| *a != aliases_before) {
            replace_aliases(&mut tx, &row.code, &aliases, now).await?;
            changes.insert("aliases".into(), aliases.into());
        }
        tx.commit().await?;
        if !changes.is_empty() {
            tracing::info!(currency = %row.code, via = by.via(), "currency edited");
            changes.insert("code".into(), row.code.clone().into());
            changes.insert("change".into(), "edited".into());
            self.audit_currency(&by, changes.into()).await;
        }
        self.currency_dto(&row.code).await
    }

    /// Enables or disables a currency (see the module docs for what a
    /// disabled currency still allows).
    pub async fn switch_currency(
        &self,
        by: impl Into<CurrencyAdmin>,
        code: &str,
        enabled: bool,
    ) -> Result<Currency, DomainError> {
        let by = by.into();
        self.require_currency_admin(&by).await?;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let before: Option<(String, bool)> =
            sqlx::query_as("SELECT code, enabled FROM currencies WHERE code = ?")
                .bind(code.trim())
                .fetch_optional(&mut *tx)
                .await?;
        let (code, was) = before.ok_or(DomainError::from(ErrorCode::UnknownCurrency))?;
        sqlx::query("UPDATE currencies SET enabled = ? WHERE code = ?")
            .bind(enabled)
            .bind(&code)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        if was != enabled {
            tracing::info!(currency = %code, enabled, via = by.via(), "currency switched");
            let change = if enabled { "enabled" } else { "disabled" };
            self.audit_currency(&by, serde_json::json!({ "code": code, "change": change }))
                .await;
        }
        self.currency_dto(&code).await
    }

    /// Enables or disables a currency, for the command line.
    pub async fn set_currency_enabled(&self, code: &str, enabled: bool) -> Result<(), DomainError> {
        self.switch_currency(CurrencyAdmin::CommandLine, code, enabled)
            .await
            .map(drop)
    }

    /// The code of the currency that `name` (a code or an alias) stands
    /// for; `UNKNOWN_CURRENCY` if none. A code wins over an alias.
    pub async fn resolve_currency(&self, name: &str) -> Result<String, DomainError> {
        Ok(self.currency(name).await?.code)
    }

    /// A currency by code or alias, enabled or not; `UNKNOWN_CURRENCY` if
    /// there is none.
    pub(crate) async fn currency(&self, name: &str) -> Result<CurrencyRow, DomainError> {
        let name = name.trim();
        let by_code: Option<CurrencyRow> = sqlx::query_as(CURRENCY_BY_CODE)
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        if let Some(row) = by_code {
            return Ok(row);
        }
        sqlx::query_as(
            "SELECT c.code, c.name, c.name_zh, c.scale, c.enabled
             FROM currency_aliases a JOIN currencies c ON c.code = a.currency
             WHERE a.alias = ?",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| ErrorCode::UnknownCurrency.into())
    }

    async fn currency_dto(&self, code: &str) -> Result<Currency, DomainError> {
        let row: CurrencyRow = sqlx::query_as(CURRENCY_BY_CODE)
            .bind(code)
            .fetch_one(&self.pool)
            .await?;
        let mut conn = self.pool.acquire().await?;
        let aliases = aliases_of(&mut conn, code).await?;
        Ok(row.into_currency(aliases))
    }

    /// Aliases by currency code, each list sorted.
    async fn all_aliases(&self) -> Result<BTreeMap<String, Vec<String>>, DomainError> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT currency, alias FROM currency_aliases ORDER BY currency, alias")
                .fetch_all(&self.pool)
                .await?;
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (currency, alias) in rows {
            map.entry(currency).or_default().push(alias);
        }
        Ok(map)
    }

    async fn require_currency_admin(&self, by: &CurrencyAdmin) -> Result<(), DomainError> {
        match by {
            CurrencyAdmin::CommandLine => Ok(()),
            CurrencyAdmin::SuperAdmin(op) => match self.role(op.id).await {
                Ok(Role::SuperAdmin) => Ok(()),
                Ok(_) => Err(AppError::with_message(
                    ErrorCode::Forbidden,
                    "Only a super admin may manage currencies.",
                )
                .into()),
                Err(e) if e.code() == ErrorCode::NotFound => Err(ErrorCode::Forbidden.into()),
                Err(e) => Err(e),
            },
        }
    }

    async fn audit_currency(&self, by: &CurrencyAdmin, mut details: serde_json::Value) {
        details["via"] = by.via().into();
        let event = match by {
            CurrencyAdmin::SuperAdmin(op) => {
                AuditEvent::by_staff(AuditAction::CurrencyChanged, op, None)
            }
            // Nobody signed in: the operator at the console of the server.
            CurrencyAdmin::CommandLine => AuditEvent {
                action: AuditAction::CurrencyChanged,
                actor: None,
                actor_app: None,
                target: None,
                ip: None,
                user_agent: None,
                details: serde_json::Value::Null,
            },
        };
        self.audit(event.details(details)).await;
    }
}

/// Whether any journal row is in `code` (then its scale is fixed).
async fn has_journal_rows(conn: &mut SqliteConnection, code: &str) -> Result<bool, DomainError> {
    let used: Option<(i64,)> =
        sqlx::query_as("SELECT 1 FROM wallet_transfers WHERE currency = ? LIMIT 1")
            .bind(code)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(used.is_some())
}

async fn aliases_of(conn: &mut SqliteConnection, code: &str) -> Result<Vec<String>, DomainError> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT alias FROM currency_aliases WHERE currency = ? ORDER BY alias")
            .bind(code)
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows.into_iter().map(|(a,)| a).collect())
}

/// Makes `aliases` the currency's whole list, inside the caller's write
/// transaction. An alias that is a currency's code, or another currency's
/// alias, is `CURRENCY_ALIAS_TAKEN` naming it.
async fn replace_aliases(
    conn: &mut SqliteConnection,
    code: &str,
    aliases: &[String],
    now: i64,
) -> Result<(), DomainError> {
    sqlx::query("DELETE FROM currency_aliases WHERE currency = ?")
        .bind(code)
        .execute(&mut *conn)
        .await?;
    for alias in aliases {
        let owner: Option<(String,)> = sqlx::query_as(
            "SELECT code FROM currencies WHERE code = ?
             UNION ALL SELECT currency FROM currency_aliases WHERE alias = ?",
        )
        .bind(alias)
        .bind(alias)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((owner,)) = owner {
            return Err(alias_taken(alias, &owner));
        }
        sqlx::query("INSERT INTO currency_aliases (alias, currency, created_at) VALUES (?, ?, ?)")
            .bind(alias)
            .bind(code)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

fn alias_taken(alias: &str, owner: &str) -> DomainError {
    AppError::with_message(
        ErrorCode::CurrencyAliasTaken,
        format!("{alias:?} already names the currency {owner}."),
    )
    .into()
}
