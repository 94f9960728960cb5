//! The currencies the wallet holds, and staff functions to add and switch them.
//!
//! A currency's scale never changes once created: stored minor units would
//! change meaning. Disabling stops new deposits, withdrawals, transfers and
//! holds, but pending holds can still be released or settled.

use crate::{DomainError, UserCenter};
use shared::wallet::{self, Currency};
use shared::ErrorCode;

#[derive(Clone, Debug, sqlx::FromRow)]
pub(crate) struct CurrencyRow {
    pub code: String,
    pub name: String,
    pub scale: i64,
    pub enabled: bool,
}

impl CurrencyRow {
    pub fn scale(&self) -> u32 {
        self.scale as u32
    }
}

impl From<CurrencyRow> for Currency {
    fn from(row: CurrencyRow) -> Self {
        Currency {
            scale: row.scale(),
            code: row.code,
            name: row.name,
            enabled: row.enabled,
        }
    }
}

impl UserCenter {
    /// Every currency, or only the enabled ones, by code.
    pub async fn list_currencies(
        &self,
        include_disabled: bool,
    ) -> Result<Vec<Currency>, DomainError> {
        let rows: Vec<CurrencyRow> = sqlx::query_as(
            "SELECT code, name, scale, enabled FROM currencies
             WHERE enabled = 1 OR ? ORDER BY code",
        )
        .bind(include_disabled)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Currency::from).collect())
    }

    /// Adds an enabled currency with its system accounts; for staff.
    pub async fn add_currency(
        &self,
        code: &str,
        name: &str,
        scale: u32,
    ) -> Result<Currency, DomainError> {
        let code = wallet::check_currency_code(code)?;
        let name = name.trim();
        let name_ok =
            (1..=64).contains(&name.chars().count()) && !name.chars().any(char::is_control);
        if !name_ok || scale > wallet::CURRENCY_MAX_SCALE {
            return Err(ErrorCode::InvalidCurrency.into());
        }
        let now = self.now();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let inserted = sqlx::query(
            "INSERT INTO currencies (code, name, scale, enabled, created_at) VALUES (?, ?, ?, 1, ?)
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(&code)
        .bind(name)
        .bind(i64::from(scale))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(ErrorCode::CurrencyExists.into());
        }
        for system in ["external", "fees"] {
            sqlx::query(
                "INSERT INTO wallet_accounts (currency, system, created_at, updated_at)
                 VALUES (?, ?, ?, ?)",
            )
            .bind(&code)
            .bind(system)
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        tracing::info!(currency = %code, scale, "currency added");
        Ok(Currency {
            code,
            name: name.to_string(),
            scale,
            enabled: true,
        })
    }

    /// Enables or disables a currency; for staff.
    pub async fn set_currency_enabled(&self, code: &str, enabled: bool) -> Result<(), DomainError> {
        let updated = sqlx::query("UPDATE currencies SET enabled = ? WHERE code = ?")
            .bind(enabled)
            .bind(code)
            .execute(&self.pool)
            .await?;
        if updated.rows_affected() == 0 {
            return Err(ErrorCode::UnknownCurrency.into());
        }
        tracing::info!(currency = %code, enabled, "currency switched");
        Ok(())
    }

    /// A currency by code, enabled or not; `UNKNOWN_CURRENCY` if there is none.
    pub(crate) async fn currency(&self, code: &str) -> Result<CurrencyRow, DomainError> {
        sqlx::query_as("SELECT code, name, scale, enabled FROM currencies WHERE code = ?")
            .bind(code.trim())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| ErrorCode::UnknownCurrency.into())
    }
}
