//! The statements of re-sealing ([`crate::vault::rotation`]): rows whose
//! personal fields are not sealed under the active data key, found in id
//! order after a cursor (one pass over each table, however long), and
//! rewritten only if they still hold what was read.

use super::sealed::SealedIdentity;
use super::{Conn, EngineConn, StoreResult};

/// A row's sealed (or legacy plaintext) identity columns.
pub(crate) struct StaleIdentity {
    pub id: i64,
    pub key_id: Option<i64>,
    pub real_name: Option<String>,
    pub id_number: Option<String>,
    pub id_type: String,
}

pub(crate) async fn stale_users(
    conn: &mut Conn,
    active: i64,
    after: i64,
    limit: i64,
) -> StoreResult<Vec<StaleIdentity>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                StaleIdentity,
                r#"SELECT id AS "id!", pii_key_id AS key_id, real_name, id_number, id_type
                   FROM users
                   WHERE id > ?1
                     AND (real_name IS NOT NULL OR id_number IS NOT NULL)
                     AND (pii_key_id IS NULL OR pii_key_id <> ?2)
                   ORDER BY id LIMIT ?3"#,
                after,
                active,
                limit,
            )
            .fetch_all(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                StaleIdentity,
                r#"SELECT id AS "id!", pii_key_id AS key_id, real_name, id_number, id_type
                   FROM users
                   WHERE id > $1
                     AND (real_name IS NOT NULL OR id_number IS NOT NULL)
                     AND (pii_key_id IS NULL OR pii_key_id <> $2)
                   ORDER BY id LIMIT $3"#,
                after,
                active,
                limit,
            )
            .fetch_all(conn)
            .await
        },
    }
}

pub(crate) async fn stale_verifications(
    conn: &mut Conn,
    active: i64,
    after: i64,
    limit: i64,
) -> StoreResult<Vec<StaleIdentity>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                StaleIdentity,
                r#"SELECT id AS "id!", pii_key_id AS key_id, real_name, id_number,
                          'mainland_id' AS "id_type!: String"
                   FROM verifications
                   WHERE id > ?1
                     AND (real_name IS NOT NULL OR id_number IS NOT NULL)
                     AND (pii_key_id IS NULL OR pii_key_id <> ?2)
                   ORDER BY id LIMIT ?3"#,
                after,
                active,
                limit,
            )
            .fetch_all(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                StaleIdentity,
                r#"SELECT id AS "id!", pii_key_id AS key_id, real_name, id_number,
                          'mainland_id' AS "id_type!: String"
                   FROM verifications
                   WHERE id > $1
                     AND (real_name IS NOT NULL OR id_number IS NOT NULL)
                     AND (pii_key_id IS NULL OR pii_key_id <> $2)
                   ORDER BY id LIMIT $3"#,
                after,
                active,
                limit,
            )
            .fetch_all(conn)
            .await
        },
    }
}

/// Writes the re-sealed identity if the row is still under `old`.
pub(crate) async fn set_user(
    conn: &mut Conn,
    id: i64,
    old: Option<i64>,
    s: &SealedIdentity,
) -> StoreResult<bool> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let done = sqlx::query!(
                "UPDATE users SET real_name = ?1, id_number = ?2, pii_key_id = ?3,
                        real_name_index = ?4, id_number_index = ?5
                 WHERE id = ?6 AND pii_key_id IS NOT DISTINCT FROM ?7",
                s.real_name,
                s.id_number,
                s.key_id,
                s.real_name_index,
                s.id_number_index,
                id,
                old,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected() == 1)
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let done = sqlx::query!(
                "UPDATE users SET real_name = $1, id_number = $2, pii_key_id = $3,
                        real_name_index = $4, id_number_index = $5
                 WHERE id = $6 AND pii_key_id IS NOT DISTINCT FROM $7",
                s.real_name,
                s.id_number,
                s.key_id,
                s.real_name_index,
                s.id_number_index,
                id,
                old,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected() == 1)
        },
    }
}

pub(crate) async fn set_verification(
    conn: &mut Conn,
    id: i64,
    old: Option<i64>,
    s: &SealedIdentity,
) -> StoreResult<bool> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let done = sqlx::query!(
                "UPDATE verifications SET real_name = ?1, id_number = ?2, pii_key_id = ?3,
                        id_number_index = ?4
                 WHERE id = ?5 AND pii_key_id IS NOT DISTINCT FROM ?6",
                s.real_name,
                s.id_number,
                s.key_id,
                s.id_number_index,
                id,
                old,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected() == 1)
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let done = sqlx::query!(
                "UPDATE verifications SET real_name = $1, id_number = $2, pii_key_id = $3,
                        id_number_index = $4
                 WHERE id = $5 AND pii_key_id IS NOT DISTINCT FROM $6",
                s.real_name,
                s.id_number,
                s.key_id,
                s.id_number_index,
                id,
                old,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected() == 1)
        },
    }
}

/// A document photo whose file is not sealed under the active key.
pub(crate) struct StaleDocument {
    pub id: i64,
    pub key_id: Option<i64>,
    pub sha256: String,
    pub path: String,
}

pub(crate) async fn stale_documents(
    conn: &mut Conn,
    active: i64,
    after: i64,
    limit: i64,
) -> StoreResult<Vec<StaleDocument>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                StaleDocument,
                r#"SELECT id AS "id!", key_id, sha256, path FROM documents
                   WHERE id > ?1 AND (key_id IS NULL OR key_id <> ?2)
                   ORDER BY id LIMIT ?3"#,
                after,
                active,
                limit,
            )
            .fetch_all(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                StaleDocument,
                r#"SELECT id AS "id!", key_id, sha256, path FROM documents
                   WHERE id > $1 AND (key_id IS NULL OR key_id <> $2)
                   ORDER BY id LIMIT $3"#,
                after,
                active,
                limit,
            )
            .fetch_all(conn)
            .await
        },
    }
}

/// Points a document at its re-sealed file, if it still names the old one.
pub(crate) async fn set_document(
    conn: &mut Conn,
    id: i64,
    old_key: Option<i64>,
    old_path: &str,
    path: &str,
    key_id: i64,
) -> StoreResult<bool> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let done = sqlx::query!(
                "UPDATE documents SET path = ?1, key_id = ?2
                 WHERE id = ?3 AND path = ?4 AND key_id IS NOT DISTINCT FROM ?5",
                path,
                key_id,
                id,
                old_path,
                old_key,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected() == 1)
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let done = sqlx::query!(
                "UPDATE documents SET path = $1, key_id = $2
                 WHERE id = $3 AND path = $4 AND key_id IS NOT DISTINCT FROM $5",
                path,
                key_id,
                id,
                old_path,
                old_key,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected() == 1)
        },
    }
}

/// (users, verifications, documents) not yet under the active key.
pub(crate) async fn pending_counts(conn: &mut Conn, active: i64) -> StoreResult<(u64, u64, u64)> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let r = sqlx::query!(
                r#"SELECT
                     (SELECT COUNT(*) FROM users
                      WHERE (real_name IS NOT NULL OR id_number IS NOT NULL)
                        AND (pii_key_id IS NULL OR pii_key_id <> ?1)) AS "users!: i64",
                     (SELECT COUNT(*) FROM verifications
                      WHERE (real_name IS NOT NULL OR id_number IS NOT NULL)
                        AND (pii_key_id IS NULL OR pii_key_id <> ?1)) AS "verifications!: i64",
                     (SELECT COUNT(*) FROM documents WHERE key_id IS NULL OR key_id <> ?1)
                         AS "documents!: i64""#,
                active,
            )
            .fetch_one(conn)
            .await?;
            Ok((r.users as u64, r.verifications as u64, r.documents as u64))
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let r = sqlx::query!(
                r#"SELECT
                     (SELECT COUNT(*) FROM users
                      WHERE (real_name IS NOT NULL OR id_number IS NOT NULL)
                        AND (pii_key_id IS NULL OR pii_key_id <> $1)) AS "users!: i64",
                     (SELECT COUNT(*) FROM verifications
                      WHERE (real_name IS NOT NULL OR id_number IS NOT NULL)
                        AND (pii_key_id IS NULL OR pii_key_id <> $1)) AS "verifications!: i64",
                     (SELECT COUNT(*) FROM documents WHERE key_id IS NULL OR key_id <> $1)
                         AS "documents!: i64""#,
                active,
            )
            .fetch_one(conn)
            .await?;
            Ok((r.users as u64, r.verifications as u64, r.documents as u64))
        },
    }
}
