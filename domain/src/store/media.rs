//! Pictures: avatars (`users.avatar_hash`, files named by content hash) and
//! private documents (`documents`, files under the private media directory).

use super::{Conn, EngineConn, StoreResult};

#[derive(Clone, Debug)]
pub(crate) struct DocumentRow {
    pub id: i64,
    pub user_id: i64,
    pub verification_id: Option<i64>,
    pub kind: String,
    pub sha256: String,
    pub path: String,
    pub created_at: i64,
}

/// A document as it is stored after its file was written.
pub(crate) struct NewDocument<'a> {
    pub user_id: i64,
    pub kind: &'a str,
    pub sha256: &'a str,
    pub path: &'a str,
    pub now: i64,
    /// The data key the file is sealed under.
    pub key_id: i64,
}

/// The user's avatar hash (`Some(None)`: the default avatar); `None`: no
/// such user.
pub(crate) async fn avatar_of(
    conn: &mut Conn,
    user_id: i64,
) -> StoreResult<Option<Option<String>>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let row = sqlx::query!("SELECT avatar_hash FROM users WHERE id = ?1", user_id)
                .fetch_optional(conn)
                .await?;
            Ok(row.map(|r| r.avatar_hash))
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let row = sqlx::query!("SELECT avatar_hash FROM users WHERE id = $1", user_id)
                .fetch_optional(conn)
                .await?;
            Ok(row.map(|r| r.avatar_hash))
        },
    }
}

pub(crate) async fn set_avatar(
    conn: &mut Conn,
    user_id: i64,
    hash: Option<&str>,
    now: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "UPDATE users SET avatar_hash = ?1, updated_at = ?2 WHERE id = ?3",
                hash,
                now,
                user_id,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "UPDATE users SET avatar_hash = $1, updated_at = $2 WHERE id = $3",
                hash,
                now,
                user_id,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// How many accounts use the picture as their avatar.
pub(crate) async fn avatar_users(conn: &mut Conn, hash: &str) -> StoreResult<i64> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                r#"SELECT COUNT(*) AS "n!: i64" FROM users WHERE avatar_hash = ?1"#,
                hash
            )
            .fetch_one(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                r#"SELECT COUNT(*) AS "n!: i64" FROM users WHERE avatar_hash = $1"#,
                hash
            )
            .fetch_one(conn)
            .await
        },
    }
}

pub(crate) async fn insert_document(
    conn: &mut Conn,
    d: &NewDocument<'_>,
) -> StoreResult<DocumentRow> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                DocumentRow,
                r#"INSERT INTO documents (user_id, kind, sha256, path, created_at, key_id)
                   VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                   RETURNING id AS "id!", user_id, verification_id, kind, sha256, path, created_at"#,
                d.user_id,
                d.kind,
                d.sha256,
                d.path,
                d.now,
                d.key_id,
            )
            .fetch_one(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                DocumentRow,
                r#"INSERT INTO documents (user_id, kind, sha256, path, created_at, key_id)
                   VALUES ($1, $2, $3, $4, $5, $6)
                   RETURNING id AS "id!", user_id, verification_id, kind, sha256, path, created_at"#,
                d.user_id,
                d.kind,
                d.sha256,
                d.path,
                d.now,
                d.key_id,
            )
            .fetch_one(conn)
            .await
        },
    }
}

pub(crate) async fn document(conn: &mut Conn, id: i64) -> StoreResult<Option<DocumentRow>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                DocumentRow,
                r#"SELECT id AS "id!", user_id, verification_id, kind, sha256, path, created_at
                   FROM documents WHERE id = ?1"#,
                id
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                DocumentRow,
                r#"SELECT id AS "id!", user_id, verification_id, kind, sha256, path, created_at
                   FROM documents WHERE id = $1"#,
                id
            )
            .fetch_optional(conn)
            .await
        },
    }
}

/// The user's documents, newest first.
pub(crate) async fn documents_of_user(
    conn: &mut Conn,
    user_id: i64,
) -> StoreResult<Vec<DocumentRow>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                DocumentRow,
                r#"SELECT id AS "id!", user_id, verification_id, kind, sha256, path, created_at
                   FROM documents WHERE user_id = ?1 ORDER BY id DESC"#,
                user_id
            )
            .fetch_all(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                DocumentRow,
                r#"SELECT id AS "id!", user_id, verification_id, kind, sha256, path, created_at
                   FROM documents WHERE user_id = $1 ORDER BY id DESC"#,
                user_id
            )
            .fetch_all(conn)
            .await
        },
    }
}

/// The documents attached to a submission, in upload order.
pub(crate) async fn documents_of_verification(
    conn: &mut Conn,
    verification_id: i64,
) -> StoreResult<Vec<DocumentRow>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                DocumentRow,
                r#"SELECT id AS "id!", user_id, verification_id, kind, sha256, path, created_at
                   FROM documents WHERE verification_id = ?1 ORDER BY id"#,
                verification_id
            )
            .fetch_all(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                DocumentRow,
                r#"SELECT id AS "id!", user_id, verification_id, kind, sha256, path, created_at
                   FROM documents WHERE verification_id = $1 ORDER BY id"#,
                verification_id
            )
            .fetch_all(conn)
            .await
        },
    }
}

/// Attaches the user's unattached document of `kind` to a submission;
/// whether there was such a document.
pub(crate) async fn attach(
    conn: &mut Conn,
    document_id: i64,
    user_id: i64,
    kind: &str,
    verification_id: i64,
) -> StoreResult<bool> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let done = sqlx::query!(
                "UPDATE documents SET verification_id = ?1
                 WHERE id = ?2 AND user_id = ?3 AND kind = ?4 AND verification_id IS NULL",
                verification_id,
                document_id,
                user_id,
                kind,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected() == 1)
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let done = sqlx::query!(
                "UPDATE documents SET verification_id = $1
                 WHERE id = $2 AND user_id = $3 AND kind = $4 AND verification_id IS NULL",
                verification_id,
                document_id,
                user_id,
                kind,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected() == 1)
        },
    }
}

/// The user's documents not attached to any submission.
pub(crate) async fn unattached_count(conn: &mut Conn, user_id: i64) -> StoreResult<i64> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                r#"SELECT COUNT(*) AS "n!: i64" FROM documents
                   WHERE user_id = ?1 AND verification_id IS NULL"#,
                user_id
            )
            .fetch_one(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                r#"SELECT COUNT(*) AS "n!: i64" FROM documents
                   WHERE user_id = $1 AND verification_id IS NULL"#,
                user_id
            )
            .fetch_one(conn)
            .await
        },
    }
}

/// Deletes unattached documents uploaded at or before `cutoff`; their paths.
pub(crate) async fn expire_unattached(conn: &mut Conn, cutoff: i64) -> StoreResult<Vec<String>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                "DELETE FROM documents WHERE verification_id IS NULL AND created_at <= ?1 RETURNING path",
                cutoff
            )
            .fetch_all(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                "DELETE FROM documents WHERE verification_id IS NULL AND created_at <= $1 RETURNING path",
                cutoff
            )
            .fetch_all(conn)
            .await
        },
    }
}

/// How many documents use the file (the same photo uploaded twice shares it).
pub(crate) async fn path_users(conn: &mut Conn, path: &str) -> StoreResult<i64> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                r#"SELECT COUNT(*) AS "n!: i64" FROM documents WHERE path = ?1"#,
                path
            )
            .fetch_one(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                r#"SELECT COUNT(*) AS "n!: i64" FROM documents WHERE path = $1"#,
                path
            )
            .fetch_one(conn)
            .await
        },
    }
}
