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
use crate::{store, DomainError, UserCenter};
use shared::admin::AuditAction;
use shared::currency::{CurrencyDetail, CurrencyEdit, NewCurrency};
use shared::wallet::{Currency, TransferKind};
use shared::{AppError, ErrorCode};
use std::collections::BTreeMap;

pub(crate) use crate::store::currencies::CurrencyRow;

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

impl UserCenter {
    /// Every currency, or only the enabled ones, by code, with their aliases.
    pub async fn list_currencies(
        &self,
        include_disabled: bool,
    ) -> Result<Vec<Currency>, DomainError> {
        let mut conn = self.pool.acquire().await?;
        let rows = store::currencies::list(&mut conn, include_disabled).await?;
        drop(conn);
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
                scale_locked: store::ledger::has_journal_rows(&mut conn, &currency.code).await?,
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
        let mut tx = crate::store::begin_write(&self.pool).await?;
        let inserted = store::currencies::insert(
            &mut tx,
            &valid.code,
            &valid.name,
            valid.name_zh.as_deref(),
            i64::from(valid.scale),
            now,
        )
        .await?;
        if !inserted {
            return Err(ErrorCode::CurrencyExists.into());
        }
        if let Some(other) = store::currencies::alias_owner(&mut tx, &valid.code).await? {
            return Err(alias_taken(&valid.code, &other));
        }
        store::ledger::open_system_accounts(&mut tx, &valid.code, now).await?;
        replace_aliases(&mut tx, &valid.code, &valid.aliases, now).await?;
        let event = currency_event(
            &by,
            serde_json::json!({
                "code": valid.code,
                "change": "added",
                "name": valid.name,
                "name_zh": valid.name_zh,
                "scale": valid.scale,
                "aliases": valid.aliases,
            }),
        );
        self.audit_in(&mut tx, &event).await?;
        tx.commit().await?;
        self.currencies_changed();
        tracing::info!(currency = %valid.code, scale = valid.scale, via = by.via(), "currency added");
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
        let mut tx = crate::store::begin_write(&self.pool).await?;
        let row = store::currencies::by_code(&mut tx, code.trim())
            .await?
            .ok_or(DomainError::from(ErrorCode::UnknownCurrency))?;
        let aliases_before = store::currencies::aliases_of(&mut tx, &row.code).await?;
        let mut changes = serde_json::Map::new();
        let name = edit.name.filter(|n| *n != row.name);
        if let Some(name) = &name {
            changes.insert("name".into(), name.clone().into());
        }
        let name_zh = edit.name_zh.filter(|n| *n != row.name_zh);
        if let Some(name_zh) = &name_zh {
            changes.insert("name_zh".into(), name_zh.clone().into());
        }
        let scale = edit.scale.filter(|s| *s != row.scale());
        if let Some(scale) = scale {
            if store::ledger::has_journal_rows(&mut tx, &row.code).await? {
                return Err(ErrorCode::CurrencyScaleLocked.into());
            }
            changes.insert("scale".into(), scale.into());
        }
        store::currencies::update(
            &mut tx,
            &row.code,
            name.as_deref(),
            name_zh.as_ref().map(Option::as_deref),
            scale.map(i64::from),
        )
        .await?;
        if let Some(aliases) = edit.aliases.filter(|a| *a != aliases_before) {
            replace_aliases(&mut tx, &row.code, &aliases, now).await?;
            changes.insert("aliases".into(), aliases.into());
        }
        let changed = !changes.is_empty();
        if changed {
            changes.insert("code".into(), row.code.clone().into());
            changes.insert("change".into(), "edited".into());
            self.audit_in(&mut tx, &currency_event(&by, changes.into()))
                .await?;
        }
        tx.commit().await?;
        self.currencies_changed();
        if changed {
            tracing::info!(currency = %row.code, via = by.via(), "currency edited");
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
        let mut tx = crate::store::begin_write(&self.pool).await?;
        let before = store::currencies::by_code(&mut tx, code.trim())
            .await?
            .ok_or(DomainError::from(ErrorCode::UnknownCurrency))?;
        let code = before.code;
        let changed = before.enabled != enabled;
        if changed {
            store::currencies::set_enabled(&mut tx, &code, enabled).await?;
            let change = if enabled { "enabled" } else { "disabled" };
            let event = currency_event(&by, serde_json::json!({ "code": code, "change": change }));
            self.audit_in(&mut tx, &event).await?;
        }
        tx.commit().await?;
        self.currencies_changed();
        if changed {
            tracing::info!(currency = %code, enabled, via = by.via(), "currency switched");
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
    async fn currency_dto(&self, code: &str) -> Result<Currency, DomainError> {
        let mut conn = self.pool.acquire().await?;
        let row = store::currencies::by_code(&mut conn, code)
            .await?
            .ok_or(DomainError::from(ErrorCode::UnknownCurrency))?;
        let aliases = store::currencies::aliases_of(&mut conn, code).await?;
        Ok(row.into_currency(aliases))
    }

    /// Aliases by currency code, each list sorted.
    async fn all_aliases(&self) -> Result<BTreeMap<String, Vec<String>>, DomainError> {
        let mut conn = self.pool.acquire().await?;
        let rows = store::currencies::all_aliases(&mut conn).await?;
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
}

/// The audit row of a currency change, by whoever made it.
fn currency_event(by: &CurrencyAdmin, mut details: serde_json::Value) -> AuditEvent {
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
    event.details(details)
}

/// Makes `aliases` the currency's whole list, inside the caller's write
/// transaction. An alias that is a currency's code, or another currency's
/// alias, is `CURRENCY_ALIAS_TAKEN` naming it.
async fn replace_aliases(
    conn: &mut crate::store::Conn,
    code: &str,
    aliases: &[String],
    now: i64,
) -> Result<(), DomainError> {
    store::currencies::clear_aliases(conn, code).await?;
    for alias in aliases {
        if let Some(owner) = store::currencies::owner_of_name(conn, alias).await? {
            return Err(alias_taken(alias, &owner));
        }
        store::currencies::add_alias(conn, alias, code, now).await?;
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
