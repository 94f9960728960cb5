//! Importing users from another system: `imported_users` (which import id
//! became which account, with the row's hash) and `legacy_passwords` (the
//! old system's hash until the first sign-in replaces it).

use super::users::{ProfileColumns, UserStatus};
use super::{Conn, StoreResult};

/// The hash of the row an import id was imported from, if it was.
pub(crate) async fn row_hash(conn: &mut Conn, import_id: &str) -> StoreResult<Option<String>> {
    sqlx::query_scalar!(
        "SELECT row_hash FROM imported_users WHERE import_id = ?1",
        import_id
    )
    .fetch_optional(conn)
    .await
}

pub(crate) async fn record(
    conn: &mut Conn,
    import_id: &str,
    user_id: i64,
    row_hash: &str,
    now: i64,
) -> StoreResult<()> {
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
    user_id: i64,
    p: &ImportedProfile<'_>,
    now: i64,
) -> StoreResult<()> {
    let closed_at = p.closed_reason.map(|_| now);
    sqlx::query!(
        "UPDATE users SET display_name = ?1, real_name = ?2, gender = ?3, id_country = ?4,
                id_type = ?5, id_number = ?6, status = ?7, created_at = ?8, updated_at = ?9,
                closed_at = ?10, closed_reason = ?11
         WHERE id = ?12",
        p.profile.display_name,
        p.profile.real_name,
        p.profile.gender,
        p.profile.id_country,
        p.profile.id_type,
        p.profile.id_number,
        p.status,
        p.created_at,
        now,
        closed_at,
        p.closed_reason,
        user_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the real-name review the old system had: verified, or pending.
pub(crate) async fn insert_review(
    conn: &mut Conn,
    user_id: i64,
    state: &str,
    real_name: Option<&str>,
    id_number: Option<&str>,
    reviewed_at: Option<i64>,
    now: i64,
) -> StoreResult<()> {
    let kind = shared::profile::VerificationKind::RealName.as_str();
    sqlx::query!(
        "INSERT INTO verifications (user_id, kind, state, real_name, id_number, submitted_at,
                                    reviewed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        user_id,
        kind,
        state,
        real_name,
        id_number,
        now,
        reviewed_at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A legacy hash as stored: (scheme name, salt, hash).
pub(crate) async fn legacy_of(
    conn: &mut Conn,
    user_id: i64,
) -> StoreResult<Option<(String, Option<String>, String)>> {
    let row = sqlx::query!(
        "SELECT scheme, salt, hash FROM legacy_passwords WHERE user_id = ?1",
        user_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.scheme, r.salt, r.hash)))
}

pub(crate) async fn insert_legacy(
    conn: &mut Conn,
    user_id: i64,
    scheme: &str,
    salt: Option<&str>,
    hash: &str,
) -> StoreResult<()> {
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
}

/// Takes the user's legacy hash away; `false` when another sign-in took it first.
pub(crate) async fn take_legacy(conn: &mut Conn, user_id: i64, hash: &str) -> StoreResult<bool> {
    let done = sqlx::query!(
        "DELETE FROM legacy_passwords WHERE user_id = ?1 AND hash = ?2",
        user_id,
        hash,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn legacy_left(conn: &mut Conn) -> StoreResult<i64> {
    sqlx::query_scalar!(r#"SELECT COUNT(*) AS "n!: i64" FROM legacy_passwords"#)
        .fetch_one(conn)
        .await
}
