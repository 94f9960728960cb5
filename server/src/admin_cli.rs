//! `server admin …`: operator tasks run at the console against the data
//! directory (SQLite's WAL lets them run while the server is up).
//!
//! Each prints one line on success; errors go back to `main`, which prints
//! them and exits 1.

use crate::config::{AdminCommand, CurrencyCommand};
use domain::service_apps::Scope;
use domain::wallet::CurrencyAdmin;
use domain::{DomainError, UserCenter};
use shared::currency::{parse_aliases, CurrencyEdit, NewCurrency};
use shared::wallet::Currency;
use shared::AppError;
use std::io::Read;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("cannot read the password from stdin: {0}")]
    Stdin(#[from] std::io::Error),
    #[error("the password on stdin is empty")]
    EmptyPassword,
    #[error("unknown scope {:?}: use {}", .0, Scope::names())]
    UnknownScope(String),
    #[error("{0}")]
    Invalid(#[from] AppError),
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
        AdminCommand::Currency { command } => currency(uc, command).await,
    }
}

/// `server admin currency …`, as the operator at the command line.
async fn currency(uc: &UserCenter, command: CurrencyCommand) -> Result<String, AdminError> {
    let by = CurrencyAdmin::CommandLine;
    let done = match command {
        CurrencyCommand::List => {
            let rows = uc.currency_details(by).await?;
            let lines: Vec<String> = rows
                .iter()
                .map(|d| {
                    let lock = if d.scale_locked { " (fixed)" } else { "" };
                    format!("{}{lock}", describe(&d.currency))
                })
                .collect();
            return Ok(lines.join("\n"));
        }
        CurrencyCommand::Add {
            code,
            name,
            name_zh,
            scale,
            aliases,
        } => {
            let new = NewCurrency {
                code,
                name,
                name_zh,
                scale,
                aliases: parse_aliases(&aliases)?,
            };
            ("added", uc.create_currency(by, &new).await?)
        }
        CurrencyCommand::Rename {
            code,
            name,
            name_zh,
        } => {
            let e = CurrencyEdit {
                name,
                name_zh,
                ..Default::default()
            };
            ("renamed", uc.edit_currency(by, &code, &e).await?)
        }
        CurrencyCommand::Aliases { code, aliases } => {
            let e = CurrencyEdit {
                aliases: Some(parse_aliases(&aliases)?),
                ..Default::default()
            };
            ("changed", uc.edit_currency(by, &code, &e).await?)
        }
        CurrencyCommand::SetScale { code, scale } => {
            let e = CurrencyEdit {
                scale: Some(scale),
                ..Default::default()
            };
            ("changed", uc.edit_currency(by, &code, &e).await?)
        }
        CurrencyCommand::Enable { code } => ("enabled", uc.switch_currency(by, &code, true).await?),
        CurrencyCommand::Disable { code } => {
            ("disabled", uc.switch_currency(by, &code, false).await?)
        }
    };
    let (what, currency) = done;
    Ok(format!("{what}: {}", describe(&currency)))
}

/// `EUR  scale 2  enabled  Euro / 欧元  aliases: 7, eur`.
fn describe(c: &Currency) -> String {
    let state = if c.enabled { "enabled" } else { "disabled" };
    let names = match &c.name_zh {
        Some(zh) => format!("{} / {zh}", c.name),
        None => c.name.clone(),
    };
    let aliases = if c.aliases.is_empty() {
        "none".to_string()
    } else {
        c.aliases.join(", ")
    };
    format!(
        "{}  scale {}  {state}  {names}  aliases: {aliases}",
        c.code, c.scale
    )
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
    use crate::config::{Command, Config};
    use clap::Parser;

    /// Parses `server admin …` as the shell would pass it, and runs it.
    async fn admin(uc: &UserCenter, args: &[&str]) -> Result<String, AdminError> {
        let argv = ["server", "admin"].iter().chain(args).copied();
        match Config::try_parse_from(argv).expect("parses").command {
            Some(Command::Admin { command }) => run(uc, command, "".as_bytes()).await,
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn currencies_are_managed_from_the_command_line() {
        let s = crate::tests::server().await;
        let uc = &s.uc;
        let line = admin(
            uc,
            &[
                "currency",
                "add",
                "EUR",
                "--name",
                "Euro",
                "--name-zh",
                "欧元",
                "--scale",
                "2",
                "--aliases",
                "7, eur",
            ],
        )
        .await
        .unwrap();
        assert_eq!(
            line,
            "added: EUR  scale 2  enabled  Euro / 欧元  aliases: 7, eur"
        );
        assert_eq!(uc.resolve_currency("7").await.unwrap(), "EUR");
        let line = admin(uc, &["currency", "rename", "EUR", "--name", "Euro (EU)"])
            .await
            .unwrap();
        assert!(
            line.starts_with("renamed: EUR  scale 2  enabled  Euro (EU) / 欧元"),
            "{line}"
        );
        let line = admin(uc, &["currency", "rename", "EUR", "--name-zh", ""])
            .await
            .unwrap();
        assert!(line.ends_with("Euro (EU)  aliases: 7, eur"), "{line}");
        admin(uc, &["currency", "set-scale", "EUR", "3"])
            .await
            .unwrap();
        admin(uc, &["currency", "aliases", "EUR", ""])
            .await
            .unwrap();
        assert!(uc.resolve_currency("7").await.is_err());
        let line = admin(uc, &["currency", "disable", "EUR"]).await.unwrap();
        assert_eq!(
            line,
            "disabled: EUR  scale 3  disabled  Euro (EU)  aliases: none"
        );
        let public: Vec<String> = uc
            .list_currencies(false)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.code)
            .collect();
        assert!(!public.contains(&"EUR".to_string()));
        admin(uc, &["currency", "enable", "EUR"]).await.unwrap();
        let list = admin(uc, &["currency", "list"]).await.unwrap();
        assert!(
            list.contains("POINTS  scale 0  enabled  Points / 积分  aliases: integral"),
            "{list}"
        );
        assert!(list.contains("EUR  scale 3  enabled"), "{list}");

        // Errors carry their code, and change nothing.
        let err = |args: &'static [&'static str]| async move {
            admin(uc, args).await.unwrap_err().to_string()
        };
        assert!(
            err(&["currency", "add", "EUR", "--name", "x", "--scale", "2"])
                .await
                .starts_with("CURRENCY_EXISTS")
        );
        assert!(
            err(&["currency", "add", "eu", "--name", "x", "--scale", "2"])
                .await
                .starts_with("INVALID_CURRENCY")
        );
        assert!(
            err(&["currency", "add", "XAU", "--name", "Gold", "--scale", "9"])
                .await
                .starts_with("INVALID_CURRENCY")
        );
        assert!(err(&["currency", "aliases", "EUR", "1"])
            .await
            .starts_with("CURRENCY_ALIAS_TAKEN"));
        assert!(err(&["currency", "aliases", "EUR", "a.b"])
            .await
            .starts_with("INVALID_CURRENCY_ALIAS"));
        assert!(err(&["currency", "disable", "XYZ"])
            .await
            .starts_with("UNKNOWN_CURRENCY"));
        uc.deposit(
            domain::wallet::Movement {
                user_id: s.register("m@example.com").await.1["user"]["id"]
                    .as_i64()
                    .unwrap(),
                currency: "EUR",
                amount: "1.5",
                memo: "",
                request_id: "cli-1",
            },
            &domain::wallet::Actor::Service("tests".into()),
        )
        .await
        .unwrap();
        assert!(err(&["currency", "set-scale", "EUR", "2"])
            .await
            .starts_with("CURRENCY_SCALE_LOCKED"));
        assert!(admin(uc, &["currency", "list"])
            .await
            .unwrap()
            .contains("EUR  scale 3  enabled  Euro (EU)  aliases: none (fixed)"));
        // `rename` needs a name to change; clap refuses it without one.
        assert!(Config::try_parse_from(["server", "admin", "currency", "rename", "EUR"]).is_err());
        // Each change is in the audit log, from the command line.
        let details: Vec<(String,)> = sqlx::query_as(
            "SELECT details FROM audit_log WHERE action = 'currency_changed'
             AND actor_id IS NULL",
        )
        .fetch_all(&s.db.sql)
        .await
        .unwrap();
        let n = details
            .iter()
            .filter(|(d,)| serde_json::from_str::<serde_json::Value>(d).unwrap()["via"] == "cli")
            .count();
        assert_eq!(n, 7, "add, 2 renames, scale, aliases, disable, enable");
    }

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
