//! Operator functions: accounts created from the command line (the first
//! administrator cannot sign up and promote itself) and roles.
//!
//! Roles are read from the database on every privileged request, so a change
//! takes effect at once, without waiting for tokens to expire.

use crate::accounts::NewAccount;
use crate::{store, DomainError, UserCenter};
use shared::dto::UserProfile;
use shared::validate;
use shared::ErrorCode;

pub use crate::caller::Operator;
pub use crate::store::users::Role;

impl UserCenter {
    /// Creates an account with `role`, for an operator at the console.
    ///
    /// The sign-up rules apply (identifier formats, password policy,
    /// uniqueness), but no code is asked for and no session is opened: the
    /// operator vouches for the account. Its contacts are therefore stored
    /// as not verified; the owner proves them by binding them later.
    pub async fn create_admin(
        &self,
        email: &str,
        phone: &str,
        username: &str,
        password: &str,
        role: Role,
    ) -> Result<UserProfile, DomainError> {
        let account = NewAccount::validate(email, phone, username, password)?;
        self.ensure_free(&mut *self.pool.acquire().await?, &account)
            .await?;
        let verifiers = self.password_verifiers(&account.valid.password).await?;
        let (tx, row) = self.insert_vouched(&account, &verifiers, role).await?;
        tx.commit().await?;
        tracing::info!(
            user_id = row.id,
            role = role.as_str(),
            "account created by operator"
        );
        Ok(row.into())
    }

    /// Gives the account with this email, phone or username a role; returns
    /// its id. `NOT_FOUND` when there is no such account.
    pub async fn set_role(&self, identifier: &str, role: Role) -> Result<i64, DomainError> {
        let identifier = validate::parse_identifier(identifier)?;
        let mut conn = self.pool.acquire().await?;
        let updated =
            store::users::set_role(&mut conn, (&identifier).into(), role, self.now()).await?;
        let id = updated.ok_or(DomainError::from(ErrorCode::NotFound))?;
        self.sessions_changed_for(id);
        tracing::info!(user_id = id, role = role.as_str(), "role set by operator");
        Ok(id)
    }

    /// The account's role; `NOT_FOUND` for an unknown id.
    pub async fn role(&self, user_id: i64) -> Result<Role, DomainError> {
        let mut conn = self.pool.acquire().await?;
        store::users::role(&mut conn, user_id)
            .await?
            .ok_or_else(|| ErrorCode::NotFound.into())
    }

    /// `FORBIDDEN` unless the user is staff or a super admin (an unknown
    /// user is forbidden too: the caller needs no more detail).
    pub async fn require_staff(&self, user_id: i64) -> Result<(), DomainError> {
        match self.role(user_id).await {
            Ok(role) if role.is_staff() => Ok(()),
            Ok(_) => Err(ErrorCode::Forbidden.into()),
            Err(e) if e.code() == ErrorCode::NotFound => Err(ErrorCode::Forbidden.into()),
            Err(e) => Err(e),
        }
    }
}
