//! Real-name and qualification submissions: `verifications`, and the
//! verified identity they copy onto `users`.

use super::{Conn, StoreResult};
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
    user_id: i64,
    kind: &str,
) -> StoreResult<Option<VerificationRow>> {
    sqlx::query_as!(
        VerificationRow,
        r#"SELECT id AS "id!", kind, state, real_name, id_number, document, reason, submitted_at,
                  reviewed_at
           FROM verifications WHERE user_id = ?1 AND kind = ?2 ORDER BY id DESC LIMIT 1"#,
        user_id,
        kind,
    )
    .fetch_optional(conn)
    .await
}

pub(crate) async fn by_id(conn: &mut Conn, id: i64) -> StoreResult<Option<VerificationRow>> {
    sqlx::query_as!(
        VerificationRow,
        r#"SELECT id AS "id!", kind, state, real_name, id_number, document, reason, submitted_at,
                  reviewed_at
           FROM verifications WHERE id = ?1"#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// Stores a pending submission. A UNIQUE violation on `user_id` means one
/// of the kind is already pending.
pub(crate) async fn insert_pending(
    conn: &mut Conn,
    s: &NewSubmission<'_>,
) -> StoreResult<VerificationRow> {
    let pending = VerificationState::Pending.as_str();
    sqlx::query_as!(
        VerificationRow,
        r#"INSERT INTO verifications (user_id, kind, state, real_name, id_number, document, submitted_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
           RETURNING id AS "id!", kind, state, real_name, id_number, document, reason, submitted_at,
                     reviewed_at"#,
        s.user_id,
        s.kind,
        pending,
        s.real_name,
        s.id_number,
        s.document,
        s.now,
    )
    .fetch_one(conn)
    .await
}

/// Decides a pending submission; `None` when it is no longer pending.
pub(crate) async fn decide(
    conn: &mut Conn,
    id: i64,
    state: VerificationState,
    reason: Option<&str>,
    staff_id: i64,
    now: i64,
) -> StoreResult<Option<VerificationRow>> {
    let state = state.as_str();
    let pending = VerificationState::Pending.as_str();
    sqlx::query_as!(
        VerificationRow,
        r#"UPDATE verifications SET state = ?1, reason = ?2, reviewed_at = ?3, reviewed_by = ?4
           WHERE id = ?5 AND state = ?6
           RETURNING id AS "id!", kind, state, real_name, id_number, document, reason, submitted_at,
                     reviewed_at"#,
        state,
        reason,
        now,
        staff_id,
        id,
        pending,
    )
    .fetch_optional(conn)
    .await
}

/// (submission id, user id) of the pending submissions of a kind, oldest first.
pub(crate) async fn pending_queue(
    conn: &mut Conn,
    kind: &str,
    limit: i64,
) -> StoreResult<Vec<(i64, i64)>> {
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
}

/// Copies a verified mainland real name and ID number onto the account.
pub(crate) async fn set_verified_identity(
    conn: &mut Conn,
    user_id: i64,
    real_name: Option<&str>,
    id_number: Option<&str>,
    now: i64,
) -> StoreResult<()> {
    let id_type = IdType::MainlandId.as_str();
    sqlx::query!(
        "UPDATE users SET real_name = ?1, id_country = ?2, id_type = ?3, id_number = ?4,
                updated_at = ?5
         WHERE id = ?6",
        real_name,
        DEFAULT_ID_COUNTRY,
        id_type,
        id_number,
        now,
        user_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}
