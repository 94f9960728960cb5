//! Staff create up to 50 users at once (from pasted or uploaded CSV).
//!
//! The batch is all or nothing: every row is validated first (formats,
//! duplicates inside the batch, contacts already registered) and any bad
//! row refuses the whole batch with a list of every bad row. Each new user
//! gets a random initial password, sent to their email (or phone) after the
//! accounts are committed; nobody, staff included, sees it on screen.

use crate::accounts::{insert_account, NewAccount, Verified};
use crate::audit::AuditEvent;
use crate::caller::Operator;
use crate::delivery::templates::initial_password_message;
use crate::delivery::Lang;
use crate::password_digests::PasswordVerifiers;
use crate::store::users::Role;
use crate::{store, DomainError, UserCenter};
use rand::distributions::{Alphanumeric, DistString};
use shared::admin::{
    batch_invalid, validate_batch, AuditAction, BatchCreated, BatchRow, UserSummary, ValidBatchRow,
};
use shared::{ErrorCode, Field, RowError};

/// Length of the initial passwords: 16 of [A-Za-z0-9] is about 95 bits.
const INITIAL_PASSWORD_CHARS: usize = 16;

impl UserCenter {
    /// Creates the batch or nothing; see the module docs.
    pub async fn batch_create(
        &self,
        op: impl Into<Operator>,
        rows: &[BatchRow],
        lang: Lang,
    ) -> Result<BatchCreated, DomainError> {
        let op = op.into();
        self.require_staff(op.id).await?;
        let valid = validate_batch(rows)?;
        let mut accounts = Vec::with_capacity(valid.len());
        let mut problems = Vec::new();
        for (i, row) in valid.iter().enumerate() {
            let line = i as u32 + 1;
            let password = loop {
                // Vanishingly rare, but a random string could still fail the
                // policy (e.g. contain the username): draw again.
                let p = Alphanumeric.sample_string(&mut rand::rngs::OsRng, INITIAL_PASSWORD_CHARS);
                if !p.chars().all(|c| c.is_ascii_digit()) {
                    break p;
                }
            };
            let account = match NewAccount::validate(
                row.email.as_deref().unwrap_or(""),
                row.phone.as_deref().unwrap_or(""),
                row.username.as_deref().unwrap_or(""),
                &password,
            ) {
                Ok(a) => a,
                Err(e) => {
                    let e = e.to_app_error();
                    problems.push(RowError {
                        line,
                        code: e.code,
                        field: e.field,
                    });
                    continue;
                }
            };
            if let Err(e) = self
                .ensure_free(&mut *self.pool.acquire().await?, &account)
                .await
            {
                let e = e.to_app_error();
                problems.push(RowError {
                    line,
                    code: e.code,
                    field: e.field.or(Some(taken_field(e.code))),
                });
                continue;
            }
            accounts.push((account, password));
        }
        if !problems.is_empty() {
            return Err(batch_invalid(problems).into());
        }
        // Hash outside the write lock: 50 argon2id hashes take a while.
        let mut hashed: Vec<(NewAccount, String, PasswordVerifiers)> =
            Vec::with_capacity(accounts.len());
        for (account, password) in accounts {
            let verifiers = self.password_verifiers(&password).await?;
            hashed.push((account, password, verifiers));
        }
        let now = self.now();
        let mut tx = crate::store::begin_write(&self.pool).await?;
        let mut created = Vec::with_capacity(hashed.len());
        for (i, ((account, _, hash), row)) in hashed.iter().zip(&valid).enumerate() {
            // Someone may have signed up with a contact since the check.
            let inserted =
                insert_account(&mut tx, account, hash, Verified::default(), Role::User, now).await;
            let user = match inserted {
                Ok(user) => user,
                Err(e) => {
                    let e = e.to_app_error();
                    return Err(batch_invalid(vec![RowError {
                        line: i as u32 + 1,
                        code: e.code,
                        field: e.field.or(Some(taken_field(e.code))),
                    }])
                    .into());
                }
            };
            if let Some(name) = &row.name {
                store::users::set_display_name(&mut tx, user.id, name).await?;
            }
            created.push(user.id);
        }
        tx.commit().await?;

        for ((account, password, _), row) in hashed.iter().zip(&valid) {
            self.messenger.deliver_later(
                account.contact.clone(),
                initial_password(row, password, lang),
            );
        }
        let mut users = Vec::with_capacity(created.len());
        for id in &created {
            let summary: UserSummary = self.user_summary(*id).await?;
            users.push(summary);
        }
        tracing::info!(
            count = created.len(),
            staff = op.id,
            "users created in a batch"
        );
        self.audit(
            AuditEvent::by_staff(AuditAction::UsersBatchCreated, &op, None)
                .details(serde_json::json!({ "count": created.len(), "ids": created })),
        )
        .await;
        Ok(BatchCreated { users })
    }
}

/// The field a `*_TAKEN` code is about.
fn taken_field(code: ErrorCode) -> Field {
    match code {
        ErrorCode::PhoneTaken => Field::Phone,
        ErrorCode::UsernameTaken => Field::Username,
        _ => Field::Email,
    }
}

/// The message with the initial password, naming what to sign in with.
fn initial_password(row: &ValidBatchRow, password: &str, lang: Lang) -> crate::delivery::Message {
    let login = row
        .username
        .as_deref()
        .or(row.email.as_deref())
        .or(row.phone.as_deref())
        .unwrap_or_default();
    initial_password_message(login, password, lang)
}
