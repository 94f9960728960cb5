//! What a user reads: balances, history pages and the 30-day balance chart.
//!
//! Each journal row stores both sides' balances after it, so none of this
//! replays the journal: history is one indexed query, and the chart reads the
//! last row of each day.

use super::currencies::CurrencyRow;
use super::ledger::balance_dto;
use crate::store::ledger_reads::{HistoryFilter, HistoryRow};
use crate::{clock, store, DomainError, UserCenter};
use shared::money;
use shared::wallet::{
    self, Balance, BalancePoint, Counterparty, Direction, HistoryItem, HistoryPage, HistoryRequest,
    TransferKind,
};
use shared::{AppError, ErrorCode};

impl UserCenter {
    /// The user's balance in every enabled currency (zero where they have no
    /// account yet), and in each disabled one they still hold money in
    /// (marked `enabled: false`), by currency code.
    pub async fn balances(&self, user_id: i64) -> Result<Vec<Balance>, DomainError> {
        let mut conn = self.pool.acquire().await?;
        let rows = store::ledger_reads::balances(&mut conn, user_id).await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                balance_dto(
                    &row.currency,
                    row.posted.unwrap_or(0),
                    row.frozen.unwrap_or(0),
                )
            })
            .collect())
    }

    /// One page of the user's history in one currency, newest first. Paging by
    /// the last id seen (not an offset) stays stable while new rows arrive.
    pub async fn history(
        &self,
        user_id: i64,
        query: &HistoryRequest,
    ) -> Result<HistoryPage, DomainError> {
        let currency = self.currency(&query.currency).await?;
        let settings = &self.settings.wallet;
        let limit = query.limit.unwrap_or(settings.history_default_page);
        if limit == 0 || limit > settings.history_max_page {
            return Err(AppError::with_message(
                ErrorCode::InvalidInput,
                format!("limit must be 1–{}", settings.history_max_page),
            )
            .into());
        }
        let empty = HistoryPage {
            items: Vec::new(),
            next_cursor: None,
        };
        let Some(account) = self.account_id(user_id, &currency.code).await? else {
            return Ok(empty);
        };
        let kinds: Vec<&str> = if query.kinds.is_empty() {
            TransferKind::ALL.iter().map(|k| k.as_str()).collect()
        } else {
            query.kinds.iter().map(|k| k.as_str()).collect()
        };
        let filter = HistoryFilter {
            account,
            before: query.cursor,
            from: query.from,
            until: query.until,
            kinds: &kinds,
            limit: i64::from(limit) + 1,
        };
        let mut conn = self.pool.acquire().await?;
        let mut rows = store::ledger_reads::history(&mut conn, &filter).await?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| r.id)
        } else {
            None
        };
        let items = rows
            .into_iter()
            .map(|row| history_item(row, account, &currency))
            .collect::<Result<_, _>>()?;
        Ok(HistoryPage { items, next_cursor })
    }

    /// End-of-day posted balance for each of the last `days` days (UTC), oldest
    /// first, today last (today's "end" is now).
    pub async fn balance_series(
        &self,
        user_id: i64,
        currency: &str,
        days: u32,
    ) -> Result<Vec<(time::Date, i64)>, DomainError> {
        let currency = self.currency(currency).await?;
        let days = days.clamp(1, 366);
        let now = self.now();
        let today = time::OffsetDateTime::from_unix_timestamp(now)
            .map_err(super::internal)?
            .date();
        let first = today - time::Duration::days(i64::from(days) - 1);
        let start = first.midnight().assume_utc().unix_timestamp();
        let Some(account) = self.account_id(user_id, &currency.code).await? else {
            return Ok((0..days)
                .map(|d| (first + time::Duration::days(i64::from(d)), 0))
                .collect());
        };
        let mut conn = self.pool.acquire().await?;
        let opening = store::ledger_reads::posted_before(&mut conn, account, start).await?;
        let rows = store::ledger_reads::posted_since(&mut conn, account, start).await?;
        drop(conn);
        let mut balance = opening.unwrap_or(0);
        let mut rows = rows.into_iter().peekable();
        let mut points = Vec::with_capacity(days as usize);
        for d in 0..days {
            let date = first + time::Duration::days(i64::from(d));
            let end = date.midnight().assume_utc().unix_timestamp() + 86_400;
            while let Some(&(_, after)) = rows.peek().filter(|(at, _)| *at < end) {
                balance = after;
                rows.next();
            }
            points.push((date, balance));
        }
        Ok(points)
    }

    /// [`balance_series`](Self::balance_series) as DTOs for the chart.
    pub async fn balance_chart(
        &self,
        user_id: i64,
        currency: &str,
        days: u32,
    ) -> Result<Vec<BalancePoint>, DomainError> {
        let scale = self.currency(currency).await?.scale();
        Ok(self
            .balance_series(user_id, currency, days)
            .await?
            .into_iter()
            .map(|(date, minor)| BalancePoint {
                date: date.to_string(),
                balance: money::format_amount(minor, scale),
                balance_minor: minor,
            })
            .collect())
    }

    async fn account_id(&self, user_id: i64, currency: &str) -> Result<Option<i64>, DomainError> {
        let mut conn = self.pool.acquire().await?;
        Ok(store::ledger_reads::account_id(&mut conn, user_id, currency).await?)
    }
}

fn history_item(
    row: HistoryRow,
    account: i64,
    currency: &CurrencyRow,
) -> Result<HistoryItem, DomainError> {
    let kind = TransferKind::parse(&row.kind)
        .ok_or_else(|| super::internal(format_args!("unknown kind {}", row.kind)))?;
    let outgoing = row.debit_account == account;
    let direction = match kind {
        TransferKind::Unfreeze => Direction::In,
        TransferKind::Freeze => Direction::Out,
        _ if outgoing => Direction::Out,
        _ => Direction::In,
    };
    let (posted, frozen) = if outgoing {
        (row.debit_posted_after, row.debit_frozen_after)
    } else {
        (row.credit_posted_after, row.credit_frozen_after)
    };
    let counterparty = if kind == TransferKind::Transfer {
        Counterparty::User {
            display: mask_user(row.other_email, row.other_phone, row.other_username),
        }
    } else {
        Counterparty::System
    };
    let scale = currency.scale();
    Ok(HistoryItem {
        id: row.id,
        created_at: clock::rfc3339(row.created_at),
        kind,
        direction,
        counterparty,
        amount: money::format_amount(row.amount, scale),
        amount_minor: row.amount,
        balance_after: money::format_amount(posted, scale),
        balance_after_minor: posted,
        available_after: money::format_amount(posted - frozen, scale),
        available_after_minor: posted - frozen,
        memo: row.memo,
    })
}

/// The least revealing handle of a user, masked: username, else email, else phone.
pub(super) fn mask_user(
    email: Option<String>,
    phone: Option<String>,
    username: Option<String>,
) -> String {
    if let Some(u) = username {
        return wallet::mask_username(&u);
    }
    if let Some(e) = email {
        return wallet::mask_email(&e);
    }
    phone.map_or_else(|| "***".to_string(), |p| wallet::mask_phone(&p))
}
