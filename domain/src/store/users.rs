//! Accounts: the `users` table.

use super::sealed::{self, SealedIdentity};
use super::{Conn, EngineConn, StoreResult};
use crate::vault::Vault;
use shared::admin::Permissions;
use shared::profile::AccountState;
use shared::validate::{Contact, Identifier};

/// `users.status` as stored. The account's state proper (normal, frozen,
/// closed, pre-opened) plus the seed systems' review values that imported
/// accounts may carry (`unreviewed`, `verify_failed`, `in_review`); those
/// are only ever read, and block sign-in like a freeze.
///
/// The variants are the table's CHECK list, and a test holds them equal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum UserStatus {
    Normal,
    Frozen,
    Closed,
    PreOpened,
    Unreviewed,
    VerifyFailed,
    InReview,
}

impl UserStatus {
    /// Every variant, for the test that holds them equal to the CHECK list.
    #[cfg(test)]
    pub const ALL: &'static [UserStatus] = &[
        UserStatus::Normal,
        UserStatus::Frozen,
        UserStatus::Closed,
        UserStatus::PreOpened,
        UserStatus::Unreviewed,
        UserStatus::VerifyFailed,
        UserStatus::InReview,
    ];

    /// The stored text, as the CHECK constraint lists it.
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Normal => "normal",
            UserStatus::Frozen => "frozen",
            UserStatus::Closed => "closed",
            UserStatus::PreOpened => "pre_opened",
            UserStatus::Unreviewed => "unreviewed",
            UserStatus::VerifyFailed => "verify_failed",
            UserStatus::InReview => "in_review",
        }
    }

    /// The account state the product shows: the review values count as frozen.
    pub fn state(self) -> AccountState {
        match self {
            UserStatus::Normal => AccountState::Active,
            UserStatus::Closed => AccountState::Closed,
            UserStatus::PreOpened => AccountState::PreOpened,
            UserStatus::Frozen
            | UserStatus::Unreviewed
            | UserStatus::VerifyFailed
            | UserStatus::InReview => AccountState::Frozen,
        }
    }
}

pub use shared::profile::Role;

/// An account's row as the profile and the searches read it.
#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    pub id: i64,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub username: Option<String>,
    pub email_verified: bool,
    pub phone_verified: bool,
    pub status: UserStatus,
    pub created_at: i64,
    pub display_name: Option<String>,
    pub real_name: Option<String>,
    pub gender: String,
    pub id_country: String,
    pub id_type: String,
    pub id_number: Option<String>,
    pub role: Role,
    pub avatar_hash: Option<String>,
    /// The data key sealing `real_name` and `id_number`.
    pub pii_key_id: Option<i64>,
}

impl UserRow {
    /// Opens the sealed real name and ID number in place.
    pub(crate) async fn open(mut self, conn: &mut Conn, vault: &Vault) -> StoreResult<Self> {
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

/// The columns of [`UserRow`], for the searches whose filters are built per
/// request (they splice it at compile time; no value is ever spliced).
macro_rules! user_columns {
    () => {
        "id, email, phone, username, email_verified, phone_verified, status, created_at,
         display_name, real_name, gender, id_country, id_type, id_number, role, avatar_hash,
         pii_key_id"
    };
}
pub(crate) use user_columns;

pub(crate) async fn by_id(
    conn: &mut Conn,
    vault: &Vault,
    user_id: i64,
) -> StoreResult<Option<UserRow>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let row = sqlx::query_as!(
                UserRow,
                r#"SELECT id AS "id!", email, phone, username, email_verified AS "email_verified: bool",
                          phone_verified AS "phone_verified: bool", status AS "status: UserStatus",
                          created_at, display_name, real_name, gender, id_country, id_type, id_number,
                          role AS "role: Role", avatar_hash, pii_key_id
                   FROM users WHERE id = ?1"#,
                user_id
            )
            .fetch_optional(&mut *conn)
            .await?;
            match row {
                Some(row) => Ok(Some(row.open(conn, vault).await?)),
                None => Ok(None),
            }
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let row = sqlx::query_as!(
                UserRow,
                r#"SELECT id AS "id!", email, phone, username, email_verified AS "email_verified: bool",
                          phone_verified AS "phone_verified: bool", status AS "status: UserStatus",
                          created_at, display_name, real_name, gender, id_country, id_type, id_number,
                          role AS "role: Role", avatar_hash, pii_key_id
                   FROM users WHERE id = $1"#,
                user_id
            )
            .fetch_optional(&mut *conn)
            .await?;
            match row {
                Some(row) => Ok(Some(row.open(conn, vault).await?)),
                None => Ok(None),
            }
        },
    }
}

/// An account's row with what its owner's profile adds: the latest
/// real-name review and the contacts awaiting proof.
pub(crate) struct ProfileRow {
    pub user: UserRow,
    /// The latest real-name submission's state and rejection reason.
    pub verification: Option<(String, Option<String>)>,
    pub pending_email: Option<String>,
    pub pending_phone: Option<String>,
}

/// [`ProfileRow`] in one statement: `GET /me` and every answer that
/// carries the user read it.
pub(crate) async fn profile_by_id(
    conn: &mut Conn,
    vault: &Vault,
    user_id: i64,
) -> StoreResult<Option<ProfileRow>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let row = sqlx::query!(
                r#"SELECT u.id AS "id!", u.email, u.phone, u.username,
                          u.email_verified AS "email_verified: bool",
                          u.phone_verified AS "phone_verified: bool", u.status AS "status: UserStatus",
                          u.created_at, u.display_name, u.real_name, u.gender, u.id_country, u.id_type,
                          u.id_number, u.role AS "role: Role", u.avatar_hash, u.pii_key_id,
                          v.state AS "verification_state?", v.reason AS "verification_reason?",
                          (SELECT value FROM pending_contacts WHERE user_id = u.id AND kind = 'email')
                              AS "pending_email?: String",
                          (SELECT value FROM pending_contacts WHERE user_id = u.id AND kind = 'phone')
                              AS "pending_phone?: String"
                   FROM users u
                   LEFT JOIN verifications v ON v.id = (
                       SELECT id FROM verifications WHERE user_id = u.id AND kind = 'real_name'
                       ORDER BY id DESC LIMIT 1)
                   WHERE u.id = ?1"#,
                user_id
            )
            .fetch_optional(&mut *conn)
            .await?;
            let Some(r) = row else {
                return Ok(None);
            };
            let user = UserRow {
                id: r.id,
                email: r.email,
                phone: r.phone,
                username: r.username,
                email_verified: r.email_verified,
                phone_verified: r.phone_verified,
                status: r.status,
                created_at: r.created_at,
                display_name: r.display_name,
                real_name: r.real_name,
                gender: r.gender,
                id_country: r.id_country,
                id_type: r.id_type,
                id_number: r.id_number,
                role: r.role,
                avatar_hash: r.avatar_hash,
                pii_key_id: r.pii_key_id,
            }
            .open(conn, vault)
            .await?;
            Ok(Some(ProfileRow {
                user,
                verification: r
                    .verification_state
                    .map(|state| (state, r.verification_reason)),
                pending_email: r.pending_email,
                pending_phone: r.pending_phone,
            }))
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let row = sqlx::query!(
                r#"SELECT u.id AS "id!", u.email, u.phone, u.username,
                          u.email_verified AS "email_verified: bool",
                          u.phone_verified AS "phone_verified: bool", u.status AS "status: UserStatus",
                          u.created_at, u.display_name, u.real_name, u.gender, u.id_country, u.id_type,
                          u.id_number, u.role AS "role: Role", u.avatar_hash, u.pii_key_id,
                          v.state AS "verification_state?", v.reason AS "verification_reason?",
                          (SELECT value FROM pending_contacts WHERE user_id = u.id AND kind = 'email')
                              AS "pending_email?: String",
                          (SELECT value FROM pending_contacts WHERE user_id = u.id AND kind = 'phone')
                              AS "pending_phone?: String"
                   FROM users u
                   LEFT JOIN verifications v ON v.id = (
                       SELECT id FROM verifications WHERE user_id = u.id AND kind = 'real_name'
                       ORDER BY id DESC LIMIT 1)
                   WHERE u.id = $1"#,
                user_id
            )
            .fetch_optional(&mut *conn)
            .await?;
            let Some(r) = row else {
                return Ok(None);
            };
            let user = UserRow {
                id: r.id,
                email: r.email,
                phone: r.phone,
                username: r.username,
                email_verified: r.email_verified,
                phone_verified: r.phone_verified,
                status: r.status,
                created_at: r.created_at,
                display_name: r.display_name,
                real_name: r.real_name,
                gender: r.gender,
                id_country: r.id_country,
                id_type: r.id_type,
                id_number: r.id_number,
                role: r.role,
                avatar_hash: r.avatar_hash,
                pii_key_id: r.pii_key_id,
            }
            .open(conn, vault)
            .await?;
            Ok(Some(ProfileRow {
                user,
                verification: r
                    .verification_state
                    .map(|state| (state, r.verification_reason)),
                pending_email: r.pending_email,
                pending_phone: r.pending_phone,
            }))
        },
    }
}

/// A unique column's value that names one account: what a person signs
/// in with, or a contact. Choosing the column by the kind of identifier
/// happens here, once.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Key<'a> {
    Email(&'a str),
    Phone(&'a str),
    /// The case-folded `username_key`.
    Username(&'a str),
}

impl<'a> Key<'a> {
    /// `(email, phone, username_key)` with only this key's column set, for
    /// one static statement `WHERE email = ?1 OR phone = ?2 OR username_key = ?3`
    /// (a NULL compares as unknown, so the other two never match; each
    /// column has its unique index).
    fn columns(self) -> (Option<&'a str>, Option<&'a str>, Option<&'a str>) {
        match self {
            Key::Email(v) => (Some(v), None, None),
            Key::Phone(v) => (None, Some(v), None),
            Key::Username(v) => (None, None, Some(v)),
        }
    }
}

impl<'a> From<&'a Identifier> for Key<'a> {
    fn from(id: &'a Identifier) -> Self {
        match id {
            Identifier::Email(v) => Key::Email(v),
            Identifier::Phone(v) => Key::Phone(v),
            Identifier::Username(v) => Key::Username(v),
        }
    }
}

impl<'a> From<&'a Contact> for Key<'a> {
    fn from(c: &'a Contact) -> Self {
        match c {
            Contact::Email(v) => Key::Email(v),
            Contact::Phone(v) => Key::Phone(v),
        }
    }
}

/// An account found by a key, closed ones included.
pub(crate) struct Holder {
    pub id: i64,
    pub status: UserStatus,
}

/// What a password sign-in needs of the account.
pub(crate) struct Credentials {
    pub id: i64,
    pub password_hash: String,
    pub status: UserStatus,
}

/// [`credentials`] without the hash, for lookups that only need to know
/// who holds the key: one statement for both.
pub(crate) async fn holder(conn: &mut Conn, key: Key<'_>) -> StoreResult<Option<Holder>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            Ok(credentials(conn, key).await?.map(|c| Holder {
                id: c.id,
                status: c.status,
            }))
        },
        EngineConn::Postgres(conn) => on_postgres! {
            Ok(credentials(conn, key).await?.map(|c| Holder {
                id: c.id,
                status: c.status,
            }))
        },
    }
}

pub(crate) async fn credentials(conn: &mut Conn, key: Key<'_>) -> StoreResult<Option<Credentials>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let (email, phone, username_key) = key.columns();
            sqlx::query_as!(
                Credentials,
                r#"SELECT id AS "id!", password_hash, status AS "status: UserStatus" FROM users
                   WHERE email = ?1 OR phone = ?2 OR username_key = ?3"#,
                email,
                phone,
                username_key,
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let (email, phone, username_key) = key.columns();
            sqlx::query_as!(
                Credentials,
                r#"SELECT id AS "id!", password_hash, status AS "status: UserStatus" FROM users
                   WHERE email = $1 OR phone = $2 OR username_key = $3"#,
                email,
                phone,
                username_key,
            )
            .fetch_optional(conn)
            .await
        },
    }
}

/// The account's email, phone and username key, whichever it has.
pub(crate) async fn sign_in_identifiers(
    conn: &mut Conn,
    user_id: i64,
) -> StoreResult<Option<(Option<String>, Option<String>, Option<String>)>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let row = sqlx::query!(
                "SELECT email, phone, username_key FROM users WHERE id = ?1",
                user_id
            )
            .fetch_optional(conn)
            .await?;
            Ok(row.map(|r| (r.email, r.phone, r.username_key)))
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let row = sqlx::query!(
                "SELECT email, phone, username_key FROM users WHERE id = $1",
                user_id
            )
            .fetch_optional(conn)
            .await?;
            Ok(row.map(|r| (r.email, r.phone, r.username_key)))
        },
    }
}

/// An account as it is created.
pub(crate) struct NewUser<'a> {
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub username: Option<&'a str>,
    pub username_key: Option<&'a str>,
    /// Empty while only digests of the password are known.
    pub password_hash: &'a str,
    pub email_verified: bool,
    pub phone_verified: bool,
    pub role: Role,
    pub now: i64,
}

/// Inserts an account. A UNIQUE violation means one of its identifiers
/// was taken meanwhile.
pub(crate) async fn insert(conn: &mut Conn, n: &NewUser<'_>) -> StoreResult<UserRow> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                UserRow,
                r#"INSERT INTO users (email, phone, username, username_key, password_hash,
                                      email_verified, phone_verified, role, created_at, updated_at)
                   VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
                   RETURNING id AS "id!", email, phone, username, email_verified AS "email_verified: bool",
                             phone_verified AS "phone_verified: bool", status AS "status: UserStatus",
                             created_at, display_name, real_name, gender, id_country, id_type, id_number,
                             role AS "role: Role", avatar_hash, pii_key_id"#,
                n.email,
                n.phone,
                n.username,
                n.username_key,
                n.password_hash,
                n.email_verified,
                n.phone_verified,
                n.role,
                n.now,
            )
            .fetch_one(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                UserRow,
                r#"INSERT INTO users (email, phone, username, username_key, password_hash,
                                      email_verified, phone_verified, role, created_at, updated_at)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
                   RETURNING id AS "id!", email, phone, username, email_verified AS "email_verified: bool",
                             phone_verified AS "phone_verified: bool", status AS "status: UserStatus",
                             created_at, display_name, real_name, gender, id_country, id_type, id_number,
                             role AS "role: Role", avatar_hash, pii_key_id"#,
                n.email,
                n.phone,
                n.username,
                n.username_key,
                n.password_hash,
                n.email_verified,
                n.phone_verified,
                n.role as _,
                n.now,
            )
            .fetch_one(conn)
            .await
        },
    }
}

/// The (email, phone) of an account holding any of these identifiers.
pub(crate) async fn first_holder_of(
    conn: &mut Conn,
    email: Option<&str>,
    phone: Option<&str>,
    username_key: Option<&str>,
) -> StoreResult<Option<(Option<String>, Option<String>)>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let row = sqlx::query!(
                "SELECT email, phone FROM users
                 WHERE email = ?1 OR phone = ?2 OR username_key = ?3 LIMIT 1",
                email,
                phone,
                username_key,
            )
            .fetch_optional(conn)
            .await?;
            Ok(row.map(|r| (r.email, r.phone)))
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let row = sqlx::query!(
                "SELECT email, phone FROM users
                 WHERE email = $1 OR phone = $2 OR username_key = $3 LIMIT 1",
                email,
                phone,
                username_key,
            )
            .fetch_optional(conn)
            .await?;
            Ok(row.map(|r| (r.email, r.phone)))
        },
    }
}

/// An account's id and the identifiers a password must not repeat.
pub(crate) struct Names {
    pub id: i64,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub username: Option<String>,
}

pub(crate) async fn names(conn: &mut Conn, key: Key<'_>) -> StoreResult<Option<Names>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let (email, phone, username_key) = key.columns();
            sqlx::query_as!(
                Names,
                r#"SELECT id AS "id!", email, phone, username FROM users
                   WHERE email = ?1 OR phone = ?2 OR username_key = ?3"#,
                email,
                phone,
                username_key,
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let (email, phone, username_key) = key.columns();
            sqlx::query_as!(
                Names,
                r#"SELECT id AS "id!", email, phone, username FROM users
                   WHERE email = $1 OR phone = $2 OR username_key = $3"#,
                email,
                phone,
                username_key,
            )
            .fetch_optional(conn)
            .await
        },
    }
}

pub(crate) async fn names_by_id(conn: &mut Conn, user_id: i64) -> StoreResult<Option<Names>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                Names,
                r#"SELECT id AS "id!", email, phone, username FROM users WHERE id = ?1"#,
                user_id
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                Names,
                r#"SELECT id AS "id!", email, phone, username FROM users WHERE id = $1"#,
                user_id
            )
            .fetch_optional(conn)
            .await
        },
    }
}

pub(crate) async fn role(conn: &mut Conn, user_id: i64) -> StoreResult<Option<Role>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            Ok(role_and_closing(conn, user_id).await?.map(|(role, _)| role))
        },
        EngineConn::Postgres(conn) => on_postgres! {
            Ok(role_and_closing(conn, user_id).await?.map(|(role, _)| role))
        },
    }
}

/// The account's role and, if it was closed, why.
pub(crate) async fn role_and_closing(
    conn: &mut Conn,
    user_id: i64,
) -> StoreResult<Option<(Role, Option<String>)>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let row = sqlx::query!(
                r#"SELECT role AS "role: Role", closed_reason FROM users WHERE id = ?1"#,
                user_id
            )
            .fetch_optional(conn)
            .await?;
            Ok(row.map(|r| (r.role, r.closed_reason)))
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let row = sqlx::query!(
                r#"SELECT role AS "role: Role", closed_reason FROM users WHERE id = $1"#,
                user_id
            )
            .fetch_optional(conn)
            .await?;
            Ok(row.map(|r| (r.role, r.closed_reason)))
        },
    }
}

/// Gives the account a key names a role; its id, `None` for no such account.
pub(crate) async fn set_role(
    conn: &mut Conn,
    key: Key<'_>,
    role: Role,
    now: i64,
) -> StoreResult<Option<i64>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let (email, phone, username_key) = key.columns();
            sqlx::query_scalar!(
                r#"UPDATE users SET role = ?1, updated_at = ?2
                   WHERE email = ?3 OR phone = ?4 OR username_key = ?5 RETURNING id AS "id!: i64""#,
                role,
                now,
                email,
                phone,
                username_key,
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let (email, phone, username_key) = key.columns();
            sqlx::query_scalar!(
                r#"UPDATE users SET role = $1, updated_at = $2
                   WHERE email = $3 OR phone = $4 OR username_key = $5 RETURNING id AS "id!: i64""#,
                role as _,
                now,
                email,
                phone,
                username_key,
            )
            .fetch_optional(conn)
            .await
        },
    }
}

pub(crate) async fn set_role_of(
    conn: &mut Conn,
    user_id: i64,
    role: Role,
    now: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "UPDATE users SET role = ?1, updated_at = ?2 WHERE id = ?3",
                role,
                now,
                user_id
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "UPDATE users SET role = $1, updated_at = $2 WHERE id = $3",
                role as _,
                now,
                user_id
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// The profile columns as the profile form writes them.
pub(crate) struct ProfileColumns<'a> {
    pub display_name: Option<&'a str>,
    pub real_name: Option<&'a str>,
    pub gender: &'a str,
    pub id_country: &'a str,
    pub id_type: &'a str,
    pub id_number: Option<&'a str>,
}

pub(crate) async fn set_profile(
    conn: &mut Conn,
    vault: &Vault,
    user_id: i64,
    p: &ProfileColumns<'_>,
    now: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let sealed = SealedIdentity::seal(vault, p.real_name, p.id_type, p.id_number);
            sqlx::query!(
                "UPDATE users SET display_name = ?1, real_name = ?2, gender = ?3, id_country = ?4,
                        id_type = ?5, id_number = ?6, updated_at = ?7, pii_key_id = ?8,
                        real_name_index = ?9, id_number_index = ?10
                 WHERE id = ?11",
                p.display_name,
                sealed.real_name,
                p.gender,
                p.id_country,
                p.id_type,
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
            let sealed = SealedIdentity::seal(vault, p.real_name, p.id_type, p.id_number);
            sqlx::query!(
                "UPDATE users SET display_name = $1, real_name = $2, gender = $3, id_country = $4,
                        id_type = $5, id_number = $6, updated_at = $7, pii_key_id = $8,
                        real_name_index = $9, id_number_index = $10
                 WHERE id = $11",
                p.display_name,
                sealed.real_name,
                p.gender,
                p.id_country,
                p.id_type,
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

pub(crate) async fn set_display_name(conn: &mut Conn, user_id: i64, name: &str) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "UPDATE users SET display_name = ?1 WHERE id = ?2",
                name,
                user_id
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "UPDATE users SET display_name = $1 WHERE id = $2",
                name,
                user_id
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// Activates a pre-opened account; `false` when it is not pre-opened (any
/// more: of two activations at once, one finds nothing to do).
pub(crate) async fn activate(conn: &mut Conn, user_id: i64, now: i64) -> StoreResult<bool> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let done = sqlx::query!(
                "UPDATE users SET status = ?1, updated_at = ?2 WHERE id = ?3 AND status = ?4",
                UserStatus::Normal,
                now,
                user_id,
                UserStatus::PreOpened,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected() == 1)
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let done = sqlx::query!(
                "UPDATE users SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
                UserStatus::Normal as _,
                now,
                user_id,
                UserStatus::PreOpened as _,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected() == 1)
        },
    }
}

/// Marks the account's contact verified, if it still is the account's.
pub(crate) async fn mark_contact_verified(
    conn: &mut Conn,
    user_id: i64,
    contact: &Contact,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            match contact {
                Contact::Email(v) => {
                    sqlx::query!(
                        "UPDATE users SET email_verified = 1 WHERE id = ?1 AND email = ?2",
                        user_id,
                        v
                    )
                    .execute(conn)
                    .await?
                }
                Contact::Phone(v) => {
                    sqlx::query!(
                        "UPDATE users SET phone_verified = 1 WHERE id = ?1 AND phone = ?2",
                        user_id,
                        v
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
                        "UPDATE users SET email_verified = TRUE WHERE id = $1 AND email = $2",
                        user_id,
                        v
                    )
                    .execute(conn)
                    .await?
                }
                Contact::Phone(v) => {
                    sqlx::query!(
                        "UPDATE users SET phone_verified = TRUE WHERE id = $1 AND phone = $2",
                        user_id,
                        v
                    )
                    .execute(conn)
                    .await?
                }
            };
            Ok(())
        },
    }
}

/// The account's permission flags; `None`: no such account.
pub(crate) async fn permissions(conn: &mut Conn, user_id: i64) -> StoreResult<Option<Permissions>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                Permissions,
                r#"SELECT allow_login AS "allow_login: bool", allow_transfer AS "allow_transfer: bool",
                          allow_withdraw AS "allow_withdraw: bool"
                   FROM users WHERE id = ?1"#,
                user_id
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                Permissions,
                r#"SELECT allow_login AS "allow_login: bool", allow_transfer AS "allow_transfer: bool",
                          allow_withdraw AS "allow_withdraw: bool"
                   FROM users WHERE id = $1"#,
                user_id
            )
            .fetch_optional(conn)
            .await
        },
    }
}

pub(crate) async fn set_permissions(
    conn: &mut Conn,
    user_id: i64,
    p: &Permissions,
    now: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "UPDATE users SET allow_login = ?1, allow_transfer = ?2, allow_withdraw = ?3, updated_at = ?4
                 WHERE id = ?5",
                p.allow_login,
                p.allow_transfer,
                p.allow_withdraw,
                now,
                user_id,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "UPDATE users SET allow_login = $1, allow_transfer = $2, allow_withdraw = $3, updated_at = $4
                 WHERE id = $5",
                p.allow_login,
                p.allow_transfer,
                p.allow_withdraw,
                now,
                user_id,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// An account's contacts and status.
pub(crate) struct Contacts {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub status: UserStatus,
}

pub(crate) async fn contacts(conn: &mut Conn, user_id: i64) -> StoreResult<Option<Contacts>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_as!(
                Contacts,
                r#"SELECT email, phone, status AS "status: UserStatus" FROM users WHERE id = ?1"#,
                user_id
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_as!(
                Contacts,
                r#"SELECT email, phone, status AS "status: UserStatus" FROM users WHERE id = $1"#,
                user_id
            )
            .fetch_optional(conn)
            .await
        },
    }
}

/// The account's stored status; `None` when there is no such account.
pub(crate) async fn status(conn: &mut Conn, user_id: i64) -> StoreResult<Option<UserStatus>> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query_scalar!(
                r#"SELECT status AS "status: UserStatus" FROM users WHERE id = ?1"#,
                user_id
            )
            .fetch_optional(conn)
            .await
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query_scalar!(
                r#"SELECT status AS "status: UserStatus" FROM users WHERE id = $1"#,
                user_id
            )
            .fetch_optional(conn)
            .await
        },
    }
}

pub(crate) async fn set_status(
    conn: &mut Conn,
    user_id: i64,
    status: UserStatus,
    now: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "UPDATE users SET status = ?1, updated_at = ?2 WHERE id = ?3",
                status,
                now,
                user_id,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "UPDATE users SET status = $1, updated_at = $2 WHERE id = $3",
                status as _,
                now,
                user_id,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// Who closed an account, and why, as the row records it.
pub(crate) struct ClosedBy<'a> {
    pub reason: Option<&'a str>,
    pub operator: Option<i64>,
    pub authorised_by: Option<i64>,
}

/// Marks the account closed (a soft delete: the row stays).
pub(crate) async fn close(
    conn: &mut Conn,
    user_id: i64,
    by: &ClosedBy<'_>,
    now: i64,
) -> StoreResult<()> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            sqlx::query!(
                "UPDATE users SET status = ?1, closed_at = ?2, closed_reason = ?3, closed_by = ?4,
                        close_authorised_by = ?5, updated_at = ?2
                 WHERE id = ?6",
                UserStatus::Closed,
                now,
                by.reason,
                by.operator,
                by.authorised_by,
                user_id,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            sqlx::query!(
                "UPDATE users SET status = $1, closed_at = $2, closed_reason = $3, closed_by = $4,
                        close_authorised_by = $5, updated_at = $2
                 WHERE id = $6",
                UserStatus::Closed as _,
                now,
                by.reason,
                by.operator,
                by.authorised_by,
                user_id,
            )
            .execute(conn)
            .await?;
            Ok(())
        },
    }
}

/// Moves the contacts of accounts closed at or before `cutoff` aside (to
/// `released_*`); the email becomes `closed-<id>@closed.invalid`, since a
/// row must keep an email or a phone. Returns how many were released.
pub(crate) async fn release_closed_contacts(
    conn: &mut Conn,
    cutoff: i64,
    now: i64,
) -> StoreResult<u64> {
    match conn.engine() {
        EngineConn::Sqlite(conn) => on_sqlite! {
            let done = sqlx::query!(
                "UPDATE users SET released_email = email, released_phone = phone,
                        released_username = username,
                        email = 'closed-' || id || '@closed.invalid', phone = NULL,
                        username = NULL, username_key = NULL,
                        contacts_released_at = ?1, updated_at = ?1
                 WHERE closed_at IS NOT NULL AND contacts_released_at IS NULL AND closed_at <= ?2",
                now,
                cutoff,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected())
        },
        EngineConn::Postgres(conn) => on_postgres! {
            let done = sqlx::query!(
                "UPDATE users SET released_email = email, released_phone = phone,
                        released_username = username,
                        email = 'closed-' || id || '@closed.invalid', phone = NULL,
                        username = NULL, username_key = NULL,
                        contacts_released_at = $1, updated_at = $1
                 WHERE closed_at IS NOT NULL AND contacts_released_at IS NULL AND closed_at <= $2",
                now,
                cutoff,
            )
            .execute(conn)
            .await?;
            Ok(done.rows_affected())
        },
    }
}

#[cfg(test)]
mod tests {
    use super::UserStatus;

    #[test]
    fn review_values_count_as_frozen_and_every_state_can_be_stored() {
        use shared::profile::AccountState;
        assert_eq!(UserStatus::InReview.state(), AccountState::Frozen);
        assert_eq!(UserStatus::Unreviewed.state(), AccountState::Frozen);
        assert_eq!(UserStatus::Normal.state(), AccountState::Active);
        assert_eq!(UserStatus::PreOpened.state(), AccountState::PreOpened);
        for state in AccountState::ALL {
            assert!(
                UserStatus::ALL.iter().any(|s| s.state() == *state),
                "{state:?} has a stored form"
            );
        }
    }

    #[tokio::test]
    async fn every_status_is_stored_and_read_back_as_itself() {
        let f = crate::tests::fixture().await;
        for (n, status) in UserStatus::ALL.iter().enumerate() {
            let email = format!("s{n}@example.com");
            // Its stored text passes the CHECK list …
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO users (email, password_hash, status, created_at, updated_at)
                 VALUES ($1, 'x', $2, 0, 0) RETURNING id",
            )
            .bind(&email)
            .bind(status.as_str())
            .fetch_one(&f.db.sql)
            .await
            .unwrap_or_else(|e| panic!("{status:?} refused: {e}"));
            // … the engine's own decoding reads it back as itself …
            assert_eq!(f.uc.stored_status(id).await.unwrap(), *status);
            // … and the engine's own encoding writes that same text.
            sqlx::query("UPDATE users SET status = 'normal' WHERE id = $1")
                .bind(id)
                .execute(&f.db.sql)
                .await
                .unwrap();
            let mut conn = f.uc.pool.acquire().await.unwrap();
            super::set_status(&mut conn, id, *status, 0)
                .await
                .unwrap_or_else(|e| panic!("{status:?} refused: {e}"));
            drop(conn);
            let (back,): (String,) = sqlx::query_as("SELECT status FROM users WHERE id = $1")
                .bind(id)
                .fetch_one(&f.db.sql)
                .await
                .unwrap();
            assert_eq!(back, status.as_str());
        }
    }
}
