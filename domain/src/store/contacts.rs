//! Contacts: setting a proven email or phone on the account, and the
//! pending ones (`pending_contacts`) waiting for their owner's proof.

use super::{Conn, EngineConn, StoreResult};
use shared::validate::Contact;

/// The `kind` column's value for a contact.
fn kind(contact: &Contact) -> &'static str {
    if contact.is_email() {
        "email"
    } else {
        "phone"
    }
}

/// Sets the proven contact on the account (verified). A UNIQUE violation
/// means another account holds it.
pub(crate) async fn set_verified(
    conn: &mut Conn,
    user_id: i64,
    contact: &Contact,
    now: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            match contact {
                Contact::Email(v) => {
                    sqlx::query!(
                        "UPDATE users SET email = ?1, email_verified = 1, updated_at = ?2 WHERE id = ?3",
                        v,
                        now,
                        user_id,
                    )
                    .execute(conn)
                    .await?
                }
                Contact::Phone(v) => {
                    sqlx::query!(
                        "UPDATE users SET phone = ?1, phone_verified = 1, updated_at = ?2 WHERE id = ?3",
                        v,
                        now,
                        user_id,
                    )
                    .execute(conn)
                    .await?
                }
            };
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            match contact {
                Contact::Email(v) => {
                    sqlx::query!(
                        "UPDATE users SET email = $1, email_verified = TRUE, updated_at = $2 WHERE id = $3",
                        v,
                        now,
                        user_id,
                    )
                    .execute(conn)
                    .await?
                }
                Contact::Phone(v) => {
                    sqlx::query!(
                        "UPDATE users SET phone = $1, phone_verified = TRUE, updated_at = $2 WHERE id = $3",
                        v,
                        now,
                        user_id,
                    )
                    .execute(conn)
                    .await?
                }
            };
            Ok(())
        },
    }
}

/// Keeps `contact` as the user's pending contact of its kind, replacing an
/// earlier one.
pub(crate) async fn add_pending(
    conn: &mut Conn,
    user_id: i64,
    contact: &Contact,
    now: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let kind = kind(contact);
            let value = contact.value();
            sqlx::query!(
                "INSERT INTO pending_contacts (user_id, kind, value, created_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (user_id, kind) DO UPDATE SET value = excluded.value,
                   created_at = excluded.created_at",
                user_id,
                kind,
                value,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let kind = kind(contact);
            let value = contact.value();
            sqlx::query!(
                "INSERT INTO pending_contacts (user_id, kind, value, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (user_id, kind) DO UPDATE SET value = excluded.value,
                   created_at = excluded.created_at",
                user_id,
                kind,
                value,
                now,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// Settles the user's pending contact of this contact's kind.
pub(crate) async fn drop_pending_of_kind(
    conn: &mut Conn,
    user_id: i64,
    contact: &Contact,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let kind = kind(contact);
            sqlx::query!(
                "DELETE FROM pending_contacts WHERE user_id = ?1 AND kind = ?2",
                user_id,
                kind,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let kind = kind(contact);
            sqlx::query!(
                "DELETE FROM pending_contacts WHERE user_id = $1 AND kind = $2",
                user_id,
                kind,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// Removes `contact` from whoever kept it as pending (it is now someone's).
pub(crate) async fn release_pending(conn: &mut Conn, contact: &Contact) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let kind = kind(contact);
            let value = contact.value();
            sqlx::query!(
                "DELETE FROM pending_contacts WHERE kind = ?1 AND value = ?2",
                kind,
                value,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let kind = kind(contact);
            let value = contact.value();
            sqlx::query!(
                "DELETE FROM pending_contacts WHERE kind = $1 AND value = $2",
                kind,
                value,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// The user's pending contacts, emails first.
pub(crate) async fn pending(conn: &mut Conn, user_id: i64) -> StoreResult<Vec<Contact>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let rows = sqlx::query!(
                "SELECT kind, value FROM pending_contacts WHERE user_id = ?1 ORDER BY kind",
                user_id
            )
            .fetch_all(conn)
            .await?;
            Ok(rows
                .into_iter()
                .map(|r| match r.kind.as_str() {
                    "email" => Contact::Email(r.value),
                    _ => Contact::Phone(r.value),
                })
                .collect())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let rows = sqlx::query!(
                "SELECT kind, value FROM pending_contacts WHERE user_id = $1 ORDER BY kind COLLATE \"C\"",
                user_id
            )
            .fetch_all(conn)
            .await?;
            Ok(rows
                .into_iter()
                .map(|r| match r.kind.as_str() {
                    "email" => Contact::Email(r.value),
                    _ => Contact::Phone(r.value),
                })
                .collect())
        },
    }
}
