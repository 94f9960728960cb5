//! `data_keys`: the wrapped data-encryption keys and the blind-index key
//! (see [`crate::vault`]).

use super::{Conn, EngineConn, StoreResult};

/// What a stored key is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub(crate) enum Purpose {
    Data,
    Index,
}

impl Purpose {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Purpose::Data => "data",
            Purpose::Index => "index",
        }
    }
}

pub(crate) struct KeyRow {
    pub id: i64,
    pub purpose: Purpose,
    /// base64 of nonce and sealed key, under the key-encryption key.
    pub wrapped: String,
}

/// Every key, oldest first.
pub(crate) async fn all(conn: &mut Conn) -> StoreResult<Vec<KeyRow>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                KeyRow,
                r#"SELECT id AS "id!", purpose AS "purpose: Purpose", wrapped FROM data_keys ORDER BY id"#
            )
            .fetch_all(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                KeyRow,
                r#"SELECT id AS "id!", purpose AS "purpose: Purpose", wrapped FROM data_keys ORDER BY id ASC"#
            )
            .fetch_all(conn)
            .await
        },
    }
}

pub(crate) async fn insert(
    conn: &mut Conn,
    purpose: Purpose,
    wrapped: &str,
    now: i64,
) -> StoreResult<i64> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                r#"INSERT INTO data_keys (purpose, wrapped, created_at) VALUES (?1, ?2, ?3)
                   RETURNING id AS "id!""#,
                purpose,
                wrapped,
                now,
            )
            .fetch_one(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                r#"INSERT INTO data_keys (purpose, wrapped, created_at) VALUES ($1, $2, $3)
                   RETURNING id AS "id!""#,
                purpose as _,
                wrapped,
                now,
            )
            .fetch_one(conn)
            .await
        },
    }
}
