//! Real-name and qualification submissions: `verifications`, and the
//! verified identity they copy onto `users`.

use super::sealed::{self, SealedIdentity};
use super::{Conn, EngineConn, StoreResult};
use crate::vault::Vault;
use shared::identity::{IdType, DEFAULT_ID_COUNTRY};
use shared::profile::VerificationState;

pub(crate) struct VerificationRow {
    pub id: i64,
    pub kind: String,
    pub state: String,
    pub real_name: Option<String>,
    pub id_number: Option<String>,
    pub document: Option<String>,
    pub reason: Option<String>,
    pub submitted_at: i64,
    pub reviewed_at: Option<i64>,
    /// The data key sealing `real_name` and `id_number`.
    pub pii_key_id: Option<i64>,
}

impl VerificationRow {
    async fn open(mut self, conn: &mut Conn, vault: &Vault) -> StoreResult<Self> {
        match conn.engine() {
            EngineConn::Sqlite(conn) => on_sqlite! {
                sealed::open_identity(
                    conn,
                    vault,
                    self.pii_key_id,
                    &mut self.real_name,
                    &mut self.id_number,
                )
                .await?;
                Ok(self)
            },
            EngineConn::Postgres(conn) => on_postgres! {
                sealed::open_identity(
                    conn,
                    vault,
                    self.pii_key_id,
                    &mut self.real_name,
                    &mut self.id_number,
                )
                .await?;
                Ok(self)
            },
        }
    }
}

async fn open_optional(
    conn: &mut Conn,
    vault: &Vault,
    row: Option<VerificationRow>,
) -> StoreResult<Option<VerificationRow>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            match row {
                Some(row) => Ok(Some(row.open(conn, vault).await?)),
                None => Ok(None),
            }
        },
        EngineConn::Postgres(conn) => on_postgres! {
            match row {
                Some(row) => Ok(Some(row.open(conn, vault).await?)),
                None => Ok(None),
            }
        },
    }
}

/// A submission as it is stored, pending review.
pub(crate) struct NewSubmission<'a> {
    pub user_id: i64,
    pub kind: &'a str,
    pub real_name: Option<&'a str>,
    pub id_number: Option<&'a str>,
    pub document: Option<&'a str>,
    pub now: i64,
}

/// The user's latest submission of a kind.
pub(crate) async fn latest(
    conn: &mut Conn,
    vault: &Vault,
    user_id: i64,
    kind: &str,
) -> StoreResult<Option<VerificationRow>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let row = sqlx::query_as!(
                VerificationRow,
                r#"SELECT id AS "id!", kind, state, real_name, id_number, document, reason, submitted_at,
                          reviewed_at, pii_key_id
                   FROM verifications WHERE user_id = ?1 AND kind = ?2 ORDER BY id DESC LIMIT 1"#,
                user_id,
                kind,
            )
            .fetch_optional(&mut *conn)
            .await?;
            open_optional(conn, vault, row).await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let row = sqlx::query_as!(
                VerificationRow,
                r#"SELECT id AS "id!", kind, state, real_name, id_number, document, reason, submitted_at,
                          reviewed_at, pii_key_id
                   FROM verifications WHERE user_id = $1 AND kind = $2 ORDER BY id DESC LIMIT 1"#,
                user_id,
                kind,
            )
            .fetch_optional(&mut *conn)
            .await?;
            open_optional(conn, vault, row).await
        },
    }
}

pub(crate) async fn by_id(
    conn: &mut Conn,
    vault: &Vault,
    id: i64,
) -> StoreResult<Option<VerificationRow>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let row = sqlx::query_as!(
                VerificationRow,
                r#"SELECT id AS "id!", kind, state, real_name, id_number, document, reason, submitted_at,
                          reviewed_at, pii_key_id
                   FROM verifications WHERE id = ?1"#,
                id
            )
            .fetch_optional(&mut *conn)
            .await?;
            open_optional(conn, vault, row).await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let row = sqlx::query_as!(
                VerificationRow,
                r#"SELECT id AS "id!", kind, state, real_name, id_number, document, reason, submitted_at,
                          reviewed_at, pii_key_id
                   FROM verifications WHERE id = $1"#,
                id
            )
            .fetch_optional(&mut *conn)
            .await?;
            open_optional(conn, vault, row).await
        },
    }
}

/// Stores a pending submission. A UNIQUE violation on `user_id` means one
/// of the kind is already pending.
pub(crate) async fn insert_pending(
    conn: &mut Conn,
    vault: &Vault,
    s: &NewSubmission<'_>,
) -> StoreResult<VerificationRow> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let pending = VerificationState::Pending.as_str();
            let sealed = SealedIdentity::seal(vault, s.real_name, IdType::MainlandId.as_str(), s.id_number);
            let row = sqlx::query_as!(
                VerificationRow,
                r#"INSERT INTO verifications (user_id, kind, state, real_name, id_number, document,
                                              submitted_at, pii_key_id, id_number_index)
                   VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                   RETURNING id AS "id!", kind, state, real_name, id_number, document, reason, submitted_at,
                             reviewed_at, pii_key_id"#,
                s.user_id,
                s.kind,
                pending,
                sealed.real_name,
                sealed.id_number,
                s.document,
                s.now,
                sealed.key_id,
                sealed.id_number_index,
            )
            .fetch_one(&mut *conn)
            .await?;
            row.open(conn, vault).await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let pending = VerificationState::Pending.as_str();
            let sealed = SealedIdentity::seal(vault, s.real_name, IdType::MainlandId.as_str(), s.id_number);
            let row = sqlx::query_as!(
                VerificationRow,
                r#"INSERT INTO verifications (user_id, kind, state, real_name, id_number, document,
                                              submitted_at, pii_key_id, id_number_index)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                   RETURNING id AS "id!", kind, state, real_name, id_number, document, reason, submitted_at,
                             reviewed_at, pii_key_id"#,
                s.user_id,
                s.kind,
                pending,
                sealed.real_name,
                sealed.id_number,
                s.document,
                s.now,
                sealed.key_id,
                sealed.id_number_index,
            )
            .fetch_one(&mut *conn)
            .await?;
            row.open(conn, vault).await
        },
    }
}

/// Decides a pending submission; `None` when it is no longer pending.
pub(crate) async fn decide(
    conn: &mut Conn,
    vault: &Vault,
    id: i64,
    state: VerificationState,
    reason: Option<&str>,
    staff_id: i64,
    now: i64,
) -> StoreResult<Option<VerificationRow>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let state = state.as_str();
            let pending = VerificationState::Pending.as_str();
            let row = sqlx::query_as!(
                VerificationRow,
                r#"UPDATE verifications SET state = ?1, reason = ?2, reviewed_at = ?3, reviewed_by = ?4
                   WHERE id = ?5 AND state = ?6
                   RETURNING id AS "id!", kind, state, real_name, id_number, document, reason, submitted_at,
                             reviewed_at, pii_key_id"#,
                state,
                reason,
                now,
                staff_id,
                id,
                pending,
            )
            .fetch_optional(&mut *conn)
            .await?;
            open_optional(conn, vault, row).await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let state = state.as_str();
            let pending = VerificationState::Pending.as_str();
            let row = sqlx::query_as!(
                VerificationRow,
                r#"UPDATE verifications SET state = $1, reason = $2, reviewed_at = $3, reviewed_by = $4
                   WHERE id = $5 AND state = $6
                   RETURNING id AS "id!", kind, state, real_name, id_number, document, reason, submitted_at,
                             reviewed_at, pii_key_id"#,
                state,
                reason,
                now,
                staff_id,
                id,
                pending,
            )
            .fetch_optional(&mut *conn)
            .await?;
            open_optional(conn, vault, row).await
        },
    }
}

/// (submission id, user id) of the pending submissions of a kind, oldest first.
pub(crate) async fn pending_queue(
    conn: &mut Conn,
    kind: &str,
    limit: i64,
) -> StoreResult<Vec<(i64, i64)>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let pending = VerificationState::Pending.as_str();
            let rows = sqlx::query!(
                r#"SELECT id AS "id!: i64", user_id FROM verifications WHERE kind = ?1 AND state = ?2
                   ORDER BY submitted_at, id LIMIT ?3"#,
                kind,
                pending,
                limit,
            )
            .fetch_all(conn)
            .await?;
            Ok(rows.into_iter().map(|r| (r.id, r.user_id)).collect())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let pending = VerificationState::Pending.as_str();
            let rows = sqlx::query!(
                r#"SELECT id AS "id!: i64", user_id FROM verifications WHERE kind = $1 AND state = $2
                   ORDER BY submitted_at, id LIMIT $3"#,
                kind,
                pending,
                limit,
            )
            .fetch_all(conn)
            .await?;
            Ok(rows.into_iter().map(|r| (r.id, r.user_id)).collect())
        },
    }
}

/// Copies a verified mainland real name and ID number onto the account.
pub(crate) async fn set_verified_identity(
    conn: &mut Conn,
    vault: &Vault,
    user_id: i64,
    real_name: Option<&str>,
    id_number: Option<&str>,
    now: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let id_type = IdType::MainlandId.as_str();
            let sealed = SealedIdentity::seal(vault, real_name, id_type, id_number);
            sqlx::query!(
                "UPDATE users SET real_name = ?1, id_country = ?2, id_type = ?3, id_number = ?4,
                        updated_at = ?5, pii_key_id = ?6, real_name_index = ?7, id_number_index = ?8
                 WHERE id = ?9",
                sealed.real_name,
                DEFAULT_ID_COUNTRY,
                id_type,
                sealed.id_number,
                now,
                sealed.key_id,
                sealed.real_name_index,
                sealed.id_number_index,
                user_id,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let id_type = IdType::MainlandId.as_str();
            let sealed = SealedIdentity::seal(vault, real_name, id_type, id_number);
            sqlx::query!(
                "UPDATE users SET real_name = $1, id_country = $2, id_type = $3, id_number = $4,
                        updated_at = $5, pii_key_id = $6, real_name_index = $7, id_number_index = $8
                 WHERE id = $9",
                sealed.real_name,
                DEFAULT_ID_COUNTRY,
                id_type,
                sealed.id_number,
                now,
                sealed.key_id,
                sealed.real_name_index,
                sealed.id_number_index,
                user_id,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// Another account whose real name was verified with this ID number (by
/// its blind index), if any: one ID number verifies one account.
pub(crate) async fn verified_holder_of(
    conn: &mut Conn,
    vault: &Vault,
    id_number: &str,
    except_user: i64,
) -> StoreResult<Option<i64>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let index = sealed::id_number_index(vault, IdType::MainlandId.as_str(), id_number);
            let verified = VerificationState::Verified.as_str();
            sqlx::query_scalar!(
                r#"SELECT user_id FROM verifications
                   WHERE id_number_index = ?1 AND kind = 'real_name' AND state = ?2 AND user_id <> ?3
                   LIMIT 1"#,
                index,
                verified,
                except_user,
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let index = sealed::id_number_index(vault, IdType::MainlandId.as_str(), id_number);
            let verified = VerificationState::Verified.as_str();
            sqlx::query_scalar!(
                r#"SELECT user_id FROM verifications
                   WHERE id_number_index = $1 AND kind = 'real_name' AND state = $2 AND user_id <> $3
                   LIMIT 1"#,
                index,
                verified,
                except_user,
            )
            .fetch_optional(conn)
            .await
        },
    }
}

/// Every submission of a user, oldest first, opened (for the data export).
pub(crate) async fn all_of(
    conn: &mut Conn,
    vault: &Vault,
    user_id: i64,
) -> StoreResult<Vec<VerificationRow>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let rows = sqlx::query_as!(
                VerificationRow,
                r#"SELECT id AS "id!", kind, state, real_name, id_number, document, reason, submitted_at,
                          reviewed_at, pii_key_id
                   FROM verifications WHERE user_id = ?1 ORDER BY id"#,
                user_id
            )
            .fetch_all(&mut *conn)
            .await?;
            let mut opened = Vec::with_capacity(rows.len());
            for row in rows {
                opened.push(row.open(conn, vault).await?);
            }
            Ok(opened)
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let rows = sqlx::query_as!(
                VerificationRow,
                r#"SELECT id AS "id!", kind, state, real_name, id_number, document, reason, submitted_at,
                          reviewed_at, pii_key_id
                   FROM verifications WHERE user_id = $1 ORDER BY id"#,
                user_id
            )
            .fetch_all(&mut *conn)
            .await?;
            let mut opened = Vec::with_capacity(rows.len());
            for row in rows {
                opened.push(row.open(conn, vault).await?);
            }
            Ok(opened)
        },
    }
}
