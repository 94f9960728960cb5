//! Registering, signing in and reading one's own account.

use crate::passwords::StoredHash;
use crate::sessions::{ClientInfo, IssuedTokens};
use crate::{clock, db, DomainError, UserCenter};
use shared::dto::{AuthResponse, UserProfile};
use shared::validate::{self, Identifier};
use shared::{AppError, ErrorCode, Field};

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    email: Option<String>,
    phone: Option<String>,
    username: Option<String>,
    status: String,
    created_at: i64,
}

impl From<UserRow> for UserProfile {
    fn from(row: UserRow) -> Self {
        UserProfile {
            id: row.id,
            email: row.email,
            phone: row.phone,
            username: row.username,
            status: row.status,
            created_at: clock::rfc3339(row.created_at),
        }
    }
}

/// The columns of [`UserRow`], spliced into queries at compile time.
macro_rules! user_columns {
    () => {
        "id, email, phone, username, status, created_at"
    };
}

/// A sign-up form as typed; empty strings mean "not given".
#[derive(Clone, Debug, Default)]
pub struct Registration<'a> {
    pub email: &'a str,
    pub phone: &'a str,
    pub username: &'a str,
    pub password: &'a str,
}

impl UserCenter {
    /// Creates an account and signs it in.
    ///
    /// Duplicates are found after normalisation; the UNIQUE constraints make
    /// concurrent sign-ups with the same email create exactly one account.
    pub async fn register(
        &self,
        form: Registration<'_>,
        client: &ClientInfo,
    ) -> Result<AuthResponse, DomainError> {
        let valid =
            validate::validate_registration(form.email, form.phone, form.username, form.password)
                .map_err(|mut errors| DomainError::Rejected(errors.remove(0)))?;
        // Hash before taking the write lock: the lock is held for microseconds,
        // the hash for tens of milliseconds.
        let hash = self.hasher.hash(&valid.password).await?;
        let username_key = valid.username.as_deref().map(validate::username_key);

        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let taken: Option<(Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT email, phone, username_key FROM users
             WHERE email = ? OR phone = ? OR username_key = ? LIMIT 1",
        )
        .bind(&valid.email)
        .bind(&valid.phone)
        .bind(&username_key)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((email, phone, _)) = taken {
            let code = if email.is_some() && email == valid.email {
                ErrorCode::EmailTaken
            } else if phone.is_some() && phone == valid.phone {
                ErrorCode::PhoneTaken
            } else {
                ErrorCode::UsernameTaken
            };
            return Err(taken_error(code).into());
        }
        let now = self.now();
        let inserted = sqlx::query_as::<_, UserRow>(concat!(
            "INSERT INTO users (email, phone, username, username_key, password_hash, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ",
            user_columns!()
        ))
        .bind(&valid.email)
        .bind(&valid.phone)
        .bind(&valid.username)
        .bind(&username_key)
        .bind(&hash.0)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await;
        let row = match inserted {
            Ok(row) => row,
            Err(e) => return Err(map_unique_violation(e)),
        };
        let issued = self.start_session(&mut tx, row.id, client).await?;
        tx.commit().await?;
        tracing::info!(user_id = row.id, "account registered");
        Ok(auth_response(issued, row.into()))
    }

    /// Signs in with an email, phone number or username and a password.
    ///
    /// An unknown account and a wrong password give the same error after the
    /// same amount of work (a dummy hash is verified), so the answer does not
    /// reveal which accounts exist.
    pub async fn login(
        &self,
        identifier: &str,
        password: &str,
        client: &ClientInfo,
    ) -> Result<AuthResponse, DomainError> {
        let identifier = validate::parse_identifier(identifier)?;
        if password.is_empty() {
            return Err(AppError::field(ErrorCode::Required, Field::Password).into());
        }
        if password.chars().count() > validate::PASSWORD_MAX_CHARS {
            // No account can have such a password; don't spend a hash on it.
            return Err(ErrorCode::InvalidCredentials.into());
        }
        let (sql, value) = match &identifier {
            Identifier::Email(e) => (
                "SELECT id, password_hash, status FROM users WHERE email = ?",
                e,
            ),
            Identifier::Phone(p) => (
                "SELECT id, password_hash, status FROM users WHERE phone = ?",
                p,
            ),
            Identifier::Username(u) => (
                "SELECT id, password_hash, status FROM users WHERE username_key = ?",
                u,
            ),
        };
        let found: Option<(i64, String, String)> = sqlx::query_as(sql)
            .bind(value)
            .fetch_optional(&self.pool)
            .await?;
        // Counted before the hash is checked: see `lockout`.
        let attempt = self.reserve_attempt(&identifier.key()).await?;
        let stored = found.as_ref().map(|(_, hash, _)| StoredHash(hash.clone()));
        let ok = self.hasher.verify(password, stored.as_ref()).await?;
        let (user_id, status) = match found {
            Some((id, _, status)) if ok => (id, status),
            _ => {
                tracing::info!(identifier = %identifier.key(), "login failed");
                return Err(attempt.failure());
            }
        };
        self.forgive_attempt(attempt).await?;
        if status != "normal" {
            return Err(ErrorCode::AccountDisabled.into());
        }
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let issued = self.start_session(&mut tx, user_id, client).await?;
        tx.commit().await?;
        let user = self.profile(user_id).await?;
        Ok(auth_response(issued, user))
    }

    /// The signed-in user's own account.
    pub async fn profile(&self, user_id: i64) -> Result<UserProfile, DomainError> {
        sqlx::query_as::<_, UserRow>(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE id = ?"
        ))
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?
        .map(UserProfile::from)
        .ok_or_else(|| ErrorCode::NotFound.into())
    }
}

/// What sign-up, sign-in and refresh answer.
pub(crate) fn auth_response(issued: IssuedTokens, user: UserProfile) -> AuthResponse {
    AuthResponse {
        token: issued.access_token,
        token_type: "Bearer".into(),
        expires_at: issued.access_expires_at,
        refresh_token: issued.refresh_token,
        refresh_expires_at: issued.refresh_expires_at,
        user,
    }
}

fn taken_error(code: ErrorCode) -> AppError {
    let field = match code {
        ErrorCode::EmailTaken => Field::Email,
        ErrorCode::PhoneTaken => Field::Phone,
        _ => Field::Username,
    };
    AppError::field(code, field)
}

/// Turns a UNIQUE violation that slipped past the pre-check into its `*_TAKEN`
/// error; anything else stays internal.
fn map_unique_violation(e: sqlx::Error) -> DomainError {
    for (column, code) in [
        ("users.email", ErrorCode::EmailTaken),
        ("users.phone", ErrorCode::PhoneTaken),
        ("users.username_key", ErrorCode::UsernameTaken),
    ] {
        if db::is_unique_violation(&e, column) {
            return taken_error(code).into();
        }
    }
    e.into()
}
