//! Erasing an account's personal data after its closing's grace period:
//! every personal field, photo row, session, device and submission goes;
//! the account row, its ledger accounts and journal, and the audit rows
//! stay under the account id, which is all that is left to name it (a
//! pseudonym), so the books still balance.

use super::{Conn, EngineConn, StoreResult};
use shared::validate::Contact;

/// Accounts whose erasure is due: closed with erasure requested at or
/// before `cutoff`, and not erased yet.
pub(crate) async fn due(conn: &mut Conn, cutoff: i64, limit: i64) -> StoreResult<Vec<i64>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                r#"SELECT id AS "id!" FROM users
                   WHERE erasure_requested_at IS NOT NULL AND erased_at IS NULL
                     AND erasure_requested_at <= ?1
                   ORDER BY erasure_requested_at LIMIT ?2"#,
                cutoff,
                limit,
            )
            .fetch_all(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                r#"SELECT id AS "id!" FROM users
                   WHERE erasure_requested_at IS NOT NULL AND erased_at IS NULL
                     AND erasure_requested_at <= $1
                   ORDER BY erasure_requested_at LIMIT $2"#,
                cutoff,
                limit,
            )
            .fetch_all(conn)
            .await
        },
    }
}

/// Marks the account's erasure as requested (with its closing).
pub(crate) async fn request(conn: &mut Conn, user_id: i64, now: i64) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "UPDATE users SET erasure_requested_at = ?1 WHERE id = ?2",
                now,
                user_id
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "UPDATE users SET erasure_requested_at = $1 WHERE id = $2",
                now,
                user_id
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// Erases one account inside the caller's transaction. Returns the paths
/// of the document photos whose rows were deleted, and the avatar hash the
/// account had.
pub(crate) async fn erase(
    conn: &mut Conn,
    user_id: i64,
    now: i64,
) -> StoreResult<(Vec<String>, Option<String>)> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let paths = sqlx::query_scalar!(
                "DELETE FROM documents WHERE user_id = ?1 RETURNING path",
                user_id
            )
            .fetch_all(&mut *conn)
            .await?;
            sqlx::query!("DELETE FROM verifications WHERE user_id = ?1", user_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query!("DELETE FROM sessions WHERE user_id = ?1", user_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query!("DELETE FROM devices WHERE user_id = ?1", user_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query!("DELETE FROM pending_contacts WHERE user_id = ?1", user_id)
                .execute(&mut *conn)
                .await?;
            // No password at all: the ordinary verifier emptied, digests and any
            // imported hash gone.
            super::passwords::replace(conn, user_id, "", now).await?;
            sqlx::query!(
                "DELETE FROM notification_outbox WHERE user_id = ?1",
                user_id
            )
            .execute(&mut *conn)
            .await?;
            // Codes and tickets name the contact as `email:…` or `phone:…`; the
            // record of sends too, which has no account.
            for contact in contacts_of(conn, user_id).await? {
                sqlx::query!("DELETE FROM code_sends WHERE contact = ?1", contact)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query!("DELETE FROM verification_codes WHERE contact = ?1", contact)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query!("DELETE FROM security_tickets WHERE contact = ?1", contact)
                    .execute(&mut *conn)
                    .await?;
            }
            sqlx::query!("DELETE FROM verification_codes WHERE user_id = ?1", user_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query!("DELETE FROM security_tickets WHERE user_id = ?1", user_id)
                .execute(&mut *conn)
                .await?;
            let avatar = super::media::avatar_of(conn, user_id).await?.flatten();
            sqlx::query!(
                "UPDATE users SET email = 'erased-' || id || '@erased.invalid', phone = NULL,
                        username = NULL, username_key = NULL,
                        display_name = NULL, real_name = NULL, id_number = NULL, pii_key_id = NULL,
                        real_name_index = NULL, id_number_index = NULL, avatar_hash = NULL,
                        gender = 'unspecified', released_email = NULL, released_phone = NULL,
                        released_username = NULL, closed_reason = NULL,
                        contacts_released_at = COALESCE(contacts_released_at, ?2),
                        erased_at = ?2, updated_at = ?2
                 WHERE id = ?1",
                user_id,
                now,
            )
            .execute(&mut *conn)
            .await?;
            // What the person did to their own account, and what happened to it
            // with nobody signed in (failed sign-ins, locks), carries their address
            // and browser, and may carry what they typed (a sign-in identifier).
            // What a staff member did to others stays whole: that is the record of
            // their staff actions.
            sqlx::query!(
                r#"UPDATE audit_log SET ip = NULL, user_agent = NULL, details = '{"erased":true}'
                   WHERE (actor_id = ?1 AND actor_app IS NULL AND (target_id IS NULL OR target_id = ?1))
                      OR (target_id = ?1 AND actor_id IS NULL AND actor_app IS NULL)"#,
                user_id
            )
            .execute(&mut *conn)
            .await?;
            Ok((paths, avatar))
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let paths = sqlx::query_scalar!(
                "DELETE FROM documents WHERE user_id = $1 RETURNING path",
                user_id
            )
            .fetch_all(&mut *conn)
            .await?;
            sqlx::query!("DELETE FROM verifications WHERE user_id = $1", user_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query!("DELETE FROM sessions WHERE user_id = $1", user_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query!("DELETE FROM devices WHERE user_id = $1", user_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query!("DELETE FROM pending_contacts WHERE user_id = $1", user_id)
                .execute(&mut *conn)
                .await?;
            // No password at all: the ordinary verifier emptied, digests and any
            // imported hash gone.
            super::passwords::replace(conn, user_id, "", now).await?;
            sqlx::query!(
                "DELETE FROM notification_outbox WHERE user_id = $1",
                user_id
            )
            .execute(&mut *conn)
            .await?;
            // Codes and tickets name the contact as `email:…` or `phone:…`; the
            // record of sends too, which has no account.
            for contact in contacts_of(conn, user_id).await? {
                sqlx::query!("DELETE FROM code_sends WHERE contact = $1", contact)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query!("DELETE FROM verification_codes WHERE contact = $1", contact)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query!("DELETE FROM security_tickets WHERE contact = $1", contact)
                    .execute(&mut *conn)
                    .await?;
            }
            sqlx::query!("DELETE FROM verification_codes WHERE user_id = $1", user_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query!("DELETE FROM security_tickets WHERE user_id = $1", user_id)
                .execute(&mut *conn)
                .await?;
            let avatar = super::media::avatar_of(conn, user_id).await?.flatten();
            sqlx::query!(
                "UPDATE users SET email = 'erased-' || id || '@erased.invalid', phone = NULL,
                        username = NULL, username_key = NULL,
                        display_name = NULL, real_name = NULL, id_number = NULL, pii_key_id = NULL,
                        real_name_index = NULL, id_number_index = NULL, avatar_hash = NULL,
                        gender = 'unspecified', released_email = NULL, released_phone = NULL,
                        released_username = NULL, closed_reason = NULL,
                        contacts_released_at = COALESCE(contacts_released_at, $2),
                        erased_at = $2, updated_at = $2
                 WHERE id = $1",
                user_id,
                now,
            )
            .execute(&mut *conn)
            .await?;
            // What the person did to their own account, and what happened to it
            // with nobody signed in (failed sign-ins, locks), carries their address
            // and browser, and may carry what they typed (a sign-in identifier).
            // What a staff member did to others stays whole: that is the record of
            // their staff actions.
            sqlx::query!(
                r#"UPDATE audit_log SET ip = NULL, user_agent = NULL, details = '{"erased":true}'
                   WHERE (actor_id = $1 AND actor_app IS NULL AND (target_id IS NULL OR target_id = $1))
                      OR (target_id = $1 AND actor_id IS NULL AND actor_app IS NULL)"#,
                user_id
            )
            .execute(&mut *conn)
            .await?;
            Ok((paths, avatar))
        },
    }
}

/// The account's contacts, current and released, as codes name them.
async fn contacts_of(conn: &mut Conn, user_id: i64) -> StoreResult<Vec<String>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let r = sqlx::query!(
                "SELECT email, phone, released_email, released_phone FROM users WHERE id = ?1",
                user_id
            )
            .fetch_optional(&mut *conn)
            .await?;
            let Some(r) = r else {
                return Ok(Vec::new());
            };
            let emails = [r.email, r.released_email].into_iter().flatten();
            let phones = [r.phone, r.released_phone].into_iter().flatten();
            Ok(emails
                .map(Contact::Email)
                .chain(phones.map(Contact::Phone))
                .map(|c| c.key())
                .collect())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let r = sqlx::query!(
                "SELECT email, phone, released_email, released_phone FROM users WHERE id = $1",
                user_id
            )
            .fetch_optional(&mut *conn)
            .await?;
            let Some(r) = r else {
                return Ok(Vec::new());
            };
            let emails = [r.email, r.released_email].into_iter().flatten();
            let phones = [r.phone, r.released_phone].into_iter().flatten();
            Ok(emails
                .map(Contact::Email)
                .chain(phones.map(Contact::Phone))
                .map(|c| c.key())
                .collect())
        },
    }
}
