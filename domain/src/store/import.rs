//! Importing users from another system: `imported_users` (which import id
//! became which account, with the row's hash) and `legacy_passwords` (the
//! old system's hash until the first sign-in replaces it).

use super::sealed::SealedIdentity;
use super::users::{ProfileColumns, UserStatus};
use super::{Conn, EngineConn, StoreResult};
use crate::vault::Vault;

/// The hash of the row an import id was imported from, if it was.
pub(crate) async fn row_hash(conn: &mut Conn, import_id: &str) -> StoreResult<Option<String>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                "SELECT row_hash FROM imported_users WHERE import_id = ?1",
                import_id
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                "SELECT row_hash FROM imported_users WHERE import_id = $1",
                import_id
            )
            .fetch_optional(conn)
            .await
        },
    }
}

pub(crate) async fn record(
    conn: &mut Conn,
    import_id: &str,
    user_id: i64,
    row_hash: &str,
    now: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "INSERT INTO imported_users (import_id, user_id, row_hash, imported_at)
                 VALUES (?1, ?2, ?3, ?4)",
                import_id,
                user_id,
                row_hash,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "INSERT INTO imported_users (import_id, user_id, row_hash, imported_at)
                 VALUES ($1, $2, $3, $4)",
                import_id,
                user_id,
                row_hash,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// What the import sets on a new account besides its identifiers: the
/// profile as the profile form writes it, and the old system's state.
pub(crate) struct ImportedProfile<'a> {
    pub profile: ProfileColumns<'a>,
    pub status: UserStatus,
    pub created_at: i64,
    /// Set for an account the old system had closed.
    pub closed_reason: Option<&'a str>,
}

pub(crate) async fn set_profile(
    conn: &mut Conn,
    vault: &Vault,
    user_id: i64,
    p: &ImportedProfile<'_>,
    now: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let closed_at = p.closed_reason.map(|_| now);
            let sealed = SealedIdentity::seal(
                vault,
                p.profile.real_name,
                p.profile.id_type,
                p.profile.id_number,
            );
            sqlx::query!(
                "UPDATE users SET display_name = ?1, real_name = ?2, gender = ?3, id_country = ?4,
                        id_type = ?5, id_number = ?6, status = ?7, created_at = ?8, updated_at = ?9,
                        closed_at = ?10, closed_reason = ?11, pii_key_id = ?13, real_name_index = ?14,
                        id_number_index = ?15
                 WHERE id = ?12",
                p.profile.display_name,
                sealed.real_name,
                p.profile.gender,
                p.profile.id_country,
                p.profile.id_type,
                sealed.id_number,
                p.status,
                p.created_at,
                now,
                closed_at,
                p.closed_reason,
                user_id,
                sealed.key_id,
                sealed.real_name_index,
                sealed.id_number_index,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let closed_at = p.closed_reason.map(|_| now);
            let sealed = SealedIdentity::seal(
                vault,
                p.profile.real_name,
                p.profile.id_type,
                p.profile.id_number,
            );
            sqlx::query!(
                "UPDATE users SET display_name = $1, real_name = $2, gender = $3, id_country = $4,
                        id_type = $5, id_number = $6, status = $7, created_at = $8, updated_at = $9,
                        closed_at = $10, closed_reason = $11, pii_key_id = $13, real_name_index = $14,
                        id_number_index = $15
                 WHERE id = $12",
                p.profile.display_name,
                sealed.real_name,
                p.profile.gender,
                p.profile.id_country,
                p.profile.id_type,
                sealed.id_number,
                p.status as _,
                p.created_at,
                now,
                closed_at,
                p.closed_reason,
                user_id,
                sealed.key_id,
                sealed.real_name_index,
                sealed.id_number_index,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// The real-name review the old system had: verified, or pending.
pub(crate) struct ImportedReview<'a> {
    pub user_id: i64,
    pub state: &'a str,
    pub real_name: Option<&'a str>,
    pub id_number: Option<&'a str>,
    pub reviewed_at: Option<i64>,
}

pub(crate) async fn insert_review(
    conn: &mut Conn,
    vault: &Vault,
    review: &ImportedReview<'_>,
    now: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let kind = shared::profile::VerificationKind::RealName.as_str();
            let sealed = SealedIdentity::seal(
                vault,
                review.real_name,
                shared::identity::IdType::MainlandId.as_str(),
                review.id_number,
            );
            sqlx::query!(
                "INSERT INTO verifications (user_id, kind, state, real_name, id_number, submitted_at,
                                            reviewed_at, pii_key_id, id_number_index)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                review.user_id,
                kind,
                review.state,
                sealed.real_name,
                sealed.id_number,
                now,
                review.reviewed_at,
                sealed.key_id,
                sealed.id_number_index,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let kind = shared::profile::VerificationKind::RealName.as_str();
            let sealed = SealedIdentity::seal(
                vault,
                review.real_name,
                shared::identity::IdType::MainlandId.as_str(),
                review.id_number,
            );
            sqlx::query!(
                "INSERT INTO verifications (user_id, kind, state, real_name, id_number, submitted_at,
                                            reviewed_at, pii_key_id, id_number_index)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                review.user_id,
                kind,
                review.state,
                sealed.real_name,
                sealed.id_number,
                now,
                review.reviewed_at,
                sealed.key_id,
                sealed.id_number_index,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// A legacy hash as stored: (scheme name, salt, hash).
pub(crate) async fn legacy_of(
    conn: &mut Conn,
    user_id: i64,
) -> StoreResult<Option<(String, Option<String>, String)>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let row = sqlx::query!(
                "SELECT scheme, salt, hash FROM legacy_passwords WHERE user_id = ?1",
                user_id
            )
            .fetch_optional(conn)
            .await?;
            Ok(row.map(|r| (r.scheme, r.salt, r.hash)))
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let row = sqlx::query!(
                "SELECT scheme, salt, hash FROM legacy_passwords WHERE user_id = $1",
                user_id
            )
            .fetch_optional(conn)
            .await?;
            Ok(row.map(|r| (r.scheme, r.salt, r.hash)))
        },
    }
}

pub(crate) async fn insert_legacy(
    conn: &mut Conn,
    user_id: i64,
    scheme: &str,
    salt: Option<&str>,
    hash: &str,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "INSERT INTO legacy_passwords (user_id, scheme, salt, hash) VALUES (?1, ?2, ?3, ?4)",
                user_id,
                scheme,
                salt,
                hash,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "INSERT INTO legacy_passwords (user_id, scheme, salt, hash) VALUES ($1, $2, $3, $4)",
                user_id,
                scheme,
                salt,
                hash,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// Takes the user's legacy hash away; `false` when another sign-in took it first.
pub(crate) async fn take_legacy(conn: &mut Conn, user_id: i64, hash: &str) -> StoreResult<bool> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let done = sqlx::query!(
                "DELETE FROM legacy_passwords WHERE user_id = ?1 AND hash = ?2",
                user_id,
                hash,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected() == 1)
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let done = sqlx::query!(
                "DELETE FROM legacy_passwords WHERE user_id = $1 AND hash = $2",
                user_id,
                hash,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected() == 1)
        },
    }
}

pub(crate) async fn legacy_left(conn: &mut Conn) -> StoreResult<i64> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(r#"SELECT COUNT(*) AS "n!: i64" FROM legacy_passwords"#)
                .fetch_one(conn)
                .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(r#"SELECT COUNT(*)::bigint AS "n!: i64" FROM legacy_passwords"#)
                .fetch_one(conn)
                .await
        },
    }
}
