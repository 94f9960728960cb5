//! Currencies and their aliases: `currencies`, `currency_aliases`.

use super::{Conn, EngineConn, StoreResult};

#[derive(Clone, Debug, sqlx::FromRow)]
pub(crate) struct CurrencyRow {
    pub code: String,
    pub name: String,
    pub name_zh: Option<String>,
    pub scale: i64,
    pub enabled: bool,
}

/// Every currency (or only the enabled ones), by code.
pub(crate) async fn list(conn: &mut Conn, include_disabled: bool) -> StoreResult<Vec<CurrencyRow>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                CurrencyRow,
                r#"SELECT code AS "code!", name, name_zh, scale, enabled AS "enabled: bool"
                   FROM currencies WHERE enabled = 1 OR ?1 ORDER BY code"#,
                include_disabled
            )
            .fetch_all(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                CurrencyRow,
                r#"SELECT code AS "code!", name, name_zh, scale, enabled AS "enabled: bool"
                   FROM currencies WHERE enabled OR $1 ORDER BY code COLLATE "C""#,
                include_disabled
            )
            .fetch_all(conn)
            .await
        },
    }
}

pub(crate) async fn by_code(conn: &mut Conn, code: &str) -> StoreResult<Option<CurrencyRow>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                CurrencyRow,
                r#"SELECT code AS "code!", name, name_zh, scale, enabled AS "enabled: bool"
                   FROM currencies WHERE code = ?1"#,
                code
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                CurrencyRow,
                r#"SELECT code AS "code!", name, name_zh, scale, enabled AS "enabled: bool"
                   FROM currencies WHERE code = $1"#,
                code
            )
            .fetch_optional(conn)
            .await
        },
    }
}

pub(crate) async fn by_alias(conn: &mut Conn, alias: &str) -> StoreResult<Option<CurrencyRow>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                CurrencyRow,
                r#"SELECT c.code AS "code!", c.name, c.name_zh, c.scale, c.enabled AS "enabled: bool"
                   FROM currency_aliases a JOIN currencies c ON c.code = a.currency
                   WHERE a.alias = ?1"#,
                alias
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                CurrencyRow,
                r#"SELECT c.code AS "code!", c.name, c.name_zh, c.scale, c.enabled AS "enabled: bool"
                   FROM currency_aliases a JOIN currencies c ON c.code = a.currency
                   WHERE a.alias = $1"#,
                alias
            )
            .fetch_optional(conn)
            .await
        },
    }
}

/// Adds an enabled currency; `false` when the code is taken.
pub(crate) async fn insert(
    conn: &mut Conn,
    code: &str,
    name: &str,
    name_zh: Option<&str>,
    scale: i64,
    now: i64,
) -> StoreResult<bool> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let done = sqlx::query!(
                "INSERT INTO currencies (code, name, name_zh, scale, enabled, created_at)
                 VALUES (?1, ?2, ?3, ?4, 1, ?5) ON CONFLICT (code) DO NOTHING",
                code,
                name,
                name_zh,
                scale,
                now,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected() == 1)
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let done = sqlx::query!(
                "INSERT INTO currencies (code, name, name_zh, scale, enabled, created_at)
                 VALUES ($1, $2, $3, $4, TRUE, $5) ON CONFLICT (code) DO NOTHING",
                code,
                name,
                name_zh,
                scale,
                now,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected() == 1)
        },
    }
}

/// Changes what is given; `None` keeps the column, and `name_zh:
/// Some(None)` removes the Chinese name.
pub(crate) async fn update(
    conn: &mut Conn,
    code: &str,
    name: Option<&str>,
    name_zh: Option<Option<&str>>,
    scale: Option<i64>,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let set_name_zh = name_zh.is_some();
            let name_zh = name_zh.flatten();
            sqlx::query!(
                "UPDATE currencies SET name = COALESCE(?2, name),
                        name_zh = CASE WHEN ?3 THEN ?4 ELSE name_zh END,
                        scale = COALESCE(?5, scale)
                 WHERE code = ?1",
                code,
                name,
                set_name_zh,
                name_zh,
                scale,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let set_name_zh = name_zh.is_some();
            let name_zh = name_zh.flatten();
            sqlx::query!(
                "UPDATE currencies SET name = COALESCE($2, name),
                        name_zh = CASE WHEN $3 THEN $4 ELSE name_zh END,
                        scale = COALESCE($5, scale)
                 WHERE code = $1",
                code,
                name,
                set_name_zh,
                name_zh,
                scale,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

pub(crate) async fn set_enabled(conn: &mut Conn, code: &str, enabled: bool) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "UPDATE currencies SET enabled = ?1 WHERE code = ?2",
                enabled,
                code
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "UPDATE currencies SET enabled = $1 WHERE code = $2",
                enabled,
                code
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// (currency, alias) of every alias, by currency and alias.
pub(crate) async fn all_aliases(conn: &mut Conn) -> StoreResult<Vec<(String, String)>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let rows = sqlx::query!(
                r#"SELECT currency, alias AS "alias!" FROM currency_aliases ORDER BY currency, alias"#
            )
            .fetch_all(conn)
            .await?;
            Ok(rows.into_iter().map(|r| (r.currency, r.alias)).collect())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let rows = sqlx::query!(
                r#"SELECT currency, alias AS "alias!" FROM currency_aliases
                   ORDER BY currency COLLATE "C", alias COLLATE "C""#
            )
            .fetch_all(conn)
            .await?;
            Ok(rows.into_iter().map(|r| (r.currency, r.alias)).collect())
        },
    }
}

pub(crate) async fn aliases_of(conn: &mut Conn, code: &str) -> StoreResult<Vec<String>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                r#"SELECT alias AS "alias!" FROM currency_aliases WHERE currency = ?1 ORDER BY alias"#,
                code
            )
            .fetch_all(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                r#"SELECT alias AS "alias!" FROM currency_aliases WHERE currency = $1 ORDER BY alias COLLATE "C""#,
                code
            )
            .fetch_all(conn)
            .await
        },
    }
}

/// The currency whose code or alias `name` is.
pub(crate) async fn owner_of_name(conn: &mut Conn, name: &str) -> StoreResult<Option<String>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                r#"SELECT code AS "code!" FROM currencies WHERE code = ?1
                   UNION ALL SELECT currency FROM currency_aliases WHERE alias = ?1"#,
                name
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                r#"SELECT code AS "code!" FROM currencies WHERE code = $1
                   UNION ALL SELECT currency FROM currency_aliases WHERE alias = $1"#,
                name
            )
            .fetch_optional(conn)
            .await
        },
    }
}

/// The currency that has `alias` as an alias.
pub(crate) async fn alias_owner(conn: &mut Conn, alias: &str) -> StoreResult<Option<String>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                "SELECT currency FROM currency_aliases WHERE alias = ?1",
                alias
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                "SELECT currency FROM currency_aliases WHERE alias = $1",
                alias
            )
            .fetch_optional(conn)
            .await
        },
    }
}

pub(crate) async fn clear_aliases(conn: &mut Conn, code: &str) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!("DELETE FROM currency_aliases WHERE currency = ?1", code)
                .execute(conn)
                .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!("DELETE FROM currency_aliases WHERE currency = $1", code)
                .execute(conn)
                .await?;
            Ok(())
        },
    }
}

pub(crate) async fn add_alias(
    conn: &mut Conn,
    alias: &str,
    code: &str,
    now: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "INSERT INTO currency_aliases (alias, currency, created_at) VALUES (?1, ?2, ?3)",
                alias,
                code,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "INSERT INTO currency_aliases (alias, currency, created_at) VALUES ($1, $2, $3)",
                alias,
                code,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}
