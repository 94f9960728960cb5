//! What proves an account's password: `users.password_hash` (the ordinary
//! argon2id verifier, empty while only digests are known),
//! `password_digests` (argon2id over a seed client's digest, per scheme) and
//! `legacy_passwords` (an imported hash waiting for the first sign-in).

use super::{Conn, EngineConn, StoreResult};

/// The stored ordinary verifier (possibly empty); `None`: no such account.
pub(crate) async fn main_hash(conn: &mut Conn, user_id: i64) -> StoreResult<Option<String>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = ?1", user_id)
                .fetch_optional(conn)
                .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = $1", user_id)
                .fetch_optional(conn)
                .await
        },
    }
}

/// (scheme name, verifier) of each digest verifier the account has.
pub(crate) async fn digests(conn: &mut Conn, user_id: i64) -> StoreResult<Vec<(String, String)>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let rows = sqlx::query!(
                "SELECT scheme, verifier FROM password_digests WHERE user_id = ?1",
                user_id
            )
            .fetch_all(conn)
            .await?;
            Ok(rows.into_iter().map(|r| (r.scheme, r.verifier)).collect())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let rows = sqlx::query!(
                "SELECT scheme, verifier FROM password_digests WHERE user_id = $1",
                user_id
            )
            .fetch_all(conn)
            .await?;
            Ok(rows.into_iter().map(|r| (r.scheme, r.verifier)).collect())
        },
    }
}

/// Replaces the password: the new ordinary verifier (empty for none), and
/// every digest or imported hash of the old one gone.
pub(crate) async fn replace(
    conn: &mut Conn,
    user_id: i64,
    main_phc: &str,
    now: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "UPDATE users SET password_hash = ?1, updated_at = ?2 WHERE id = ?3",
                main_phc,
                now,
                user_id,
            )
            .execute(&mut *conn)
            .await?;
            sqlx::query!("DELETE FROM password_digests WHERE user_id = ?1", user_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query!("DELETE FROM legacy_passwords WHERE user_id = ?1", user_id)
                .execute(conn)
                .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3",
                main_phc,
                now,
                user_id,
            )
            .execute(&mut *conn)
            .await?;
            sqlx::query!("DELETE FROM password_digests WHERE user_id = $1", user_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query!("DELETE FROM legacy_passwords WHERE user_id = $1", user_id)
                .execute(conn)
                .await?;
            Ok(())
        },
    }
}

/// Sets the ordinary verifier of an account that has none, unless the
/// password was changed meanwhile (it is no longer empty).
pub(crate) async fn fill_main(conn: &mut Conn, user_id: i64, phc: &str) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "UPDATE users SET password_hash = ?1 WHERE id = ?2 AND password_hash = ''",
                phc,
                user_id,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = ''",
                phc,
                user_id,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// Adds a digest verifier; one the account already has for the scheme stays.
pub(crate) async fn add_digest(
    conn: &mut Conn,
    user_id: i64,
    scheme: &str,
    verifier: &str,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "INSERT INTO password_digests (user_id, scheme, verifier) VALUES (?1, ?2, ?3)
                 ON CONFLICT (user_id, scheme) DO NOTHING",
                user_id,
                scheme,
                verifier,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "INSERT INTO password_digests (user_id, scheme, verifier) VALUES ($1, $2, $3)
                 ON CONFLICT (user_id, scheme) DO NOTHING",
                user_id,
                scheme,
                verifier,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// Whether the account has any password: an ordinary verifier or a digest one.
pub(crate) async fn has_any(conn: &mut Conn, user_id: i64) -> StoreResult<bool> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                r#"SELECT (password_hash <> '' OR EXISTS (SELECT 1 FROM password_digests WHERE user_id = ?1))
                          AS "known!: bool"
                   FROM users WHERE id = ?1"#,
                user_id
            )
            .fetch_one(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                r#"SELECT (password_hash <> '' OR EXISTS (SELECT 1 FROM password_digests WHERE user_id = $1))
                          AS "known!: bool"
                   FROM users WHERE id = $1"#,
                user_id
            )
            .fetch_one(conn)
            .await
        },
    }
}

/// Drops the account's digest verifier of a scheme.
pub(crate) async fn drop_digest(conn: &mut Conn, user_id: i64, scheme: &str) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "DELETE FROM password_digests WHERE user_id = ?1 AND scheme = ?2",
                user_id,
                scheme,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "DELETE FROM password_digests WHERE user_id = $1 AND scheme = $2",
                user_id,
                scheme,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}
