//! `server admin …`: operator tasks run at the console against the data
//! directory (SQLite's WAL lets them run while the server is up).
//!
//! Each prints one line on success; errors go back to `main`, which prints
//! them and exits 1.

use crate::config::AdminCommand;
use domain::service_apps::Scope;
use domain::{DomainError, UserCenter};
use std::io::Read;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("cannot read the password from stdin: {0}")]
    Stdin(#[from] std::io::Error),
    #[error("the password on stdin is empty")]
    EmptyPassword,
    #[error("unknown scope {0:?}: use users:read, users:write, wallet:write or auth:check")]
    UnknownScope(String),
    #[error("{0}")]
    Domain(#[from] DomainError),
}

/// Runs one admin command; returns the line to print.
pub async fn run(
    uc: &UserCenter,
    command: AdminCommand,
    stdin: impl Read,
) -> Result<String, AdminError> {
    match command {
        AdminCommand::Create {
            email,
            phone,
            username,
            password_stdin: _,
            role,
        } => {
            let password = read_password(stdin)?;
            let user = uc
                .create_admin(
                    &email,
                    phone.as_deref().unwrap_or(""),
                    username.as_deref().unwrap_or(""),
                    &password,
                    role,
                )
                .await?;
            let name = user.email.or(user.phone).unwrap_or_default();
            Ok(format!("created {role} account {} ({name})", user.id))
        }
        AdminCommand::SetRole { email, role } => {
            let id = uc.set_role(&email, role).await?;
            Ok(format!("account {id} ({email}) now has the role {role}"))
        }
        AdminCommand::CreateApp { name, scopes } => {
            let scopes = scopes
                .iter()
                .map(|s| Scope::parse(s).ok_or_else(|| AdminError::UnknownScope(s.clone())))
                .collect::<Result<Vec<_>, _>>()?;
            let app = uc.create_service_app(&name, &scopes).await?;
            Ok(format!(
                "app_id={} secret={} (the secret is shown only now)",
                app.app_id,
                app.secret.expose()
            ))
        }
    }
}

/// The whole of stdin without its trailing newline (`\n` or `\r\n`), so both
/// `echo secret |` and a file with one line work. Other whitespace is kept:
/// it may be part of the password.
fn read_password(mut stdin: impl Read) -> Result<String, AdminError> {
    let mut raw = String::new();
    stdin.read_to_string(&mut raw)?;
    let password = raw
        .strip_suffix('\n')
        .map(|p| p.strip_suffix('\r').unwrap_or(p))
        .unwrap_or(&raw);
    if password.is_empty() {
        return Err(AdminError::EmptyPassword);
    }
    Ok(password.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_loses_only_its_trailing_newline() {
        let read = |s: &str| read_password(s.as_bytes()).map_err(|e| e.to_string());
        assert_eq!(read("secret pass\n").unwrap(), "secret pass");
        assert_eq!(read("secret pass\r\n").unwrap(), "secret pass");
        assert_eq!(read(" spaced \n").unwrap(), " spaced ");
        assert_eq!(read("no newline").unwrap(), "no newline");
        assert!(read("\n").is_err());
        assert!(read("").is_err());
    }
}
