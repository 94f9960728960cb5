//! The staff console's user operations: search, the detail view, permission
//! flags, roles, unlocking, ending sessions, balance adjustments and
//! messages.
//!
//! Every function checks the operator's role against the database first and
//! leaves an audit row when it changed something.

use crate::audit::AuditEvent;
use crate::caller::Operator;
use crate::staff_limits::StaffAction;
use crate::store;
use crate::store::search::contains_pattern;
use crate::store::user_search::{Order, TextMatch, UserFilter};
use crate::store::users::Role;
use crate::store::users::UserRow;
use crate::store::users::UserStatus;
use crate::wallet::Movement;
use crate::{clock, AuthContext, DomainError, UserCenter};
use shared::admin::{
    parse_user_query, AdjustBalanceRequest, AdjustDirection, AuditAction, MessageChannel,
    Permissions, StaffMessage, UserDetail, UserPage, UserQuery, UserSearch, UserSort, UserSummary,
    USERS_PER_PAGE,
};
use shared::validate::Contact;
use shared::wallet::{HistoryRequest, Receipt, TransferKind};
use shared::ErrorCode;

/// A user's row in the staff list.
fn summary(r: UserRow) -> UserSummary {
    UserSummary {
        id: r.id,
        email: r.email,
        phone: r.phone,
        username: r.username,
        display_name: r.display_name,
        real_name: r.real_name,
        account_state: r.status.state(),
        role: r.role,
        created_at: clock::rfc3339(r.created_at),
        exact: false,
    }
}

/// The subject of a staff email when staff leave it empty.
const DEFAULT_SUBJECT: &str = "A message from User Center support";

impl UserCenter {
    /// The account's permission flags (all on for an unknown id, which
    /// nothing can act as anyway).
    pub async fn permissions(&self, user_id: i64) -> Result<Permissions, DomainError> {
        let mut conn = self.pool.acquire().await?;
        Ok(store::users::permissions(&mut conn, user_id)
            .await?
            .unwrap_or_default())
    }

    /// Staff set the flags. Turning sign-in off also ends the user's
    /// sessions, so it takes effect at once rather than at token expiry.
    pub async fn set_permissions(
        &self,
        op: impl Into<Operator>,
        user_id: i64,
        permissions: Permissions,
    ) -> Result<Permissions, DomainError> {
        let op = op.into();
        self.check_staff_action(&op, StaffAction::SetPermissions, user_id, None)
            .await?;
        if op.id == user_id && !permissions.allow_login {
            return Err(ErrorCode::Forbidden.into());
        }
        let event = AuditEvent::by_staff(AuditAction::PermissionsChanged, &op, Some(user_id));
        self.apply_permissions(user_id, permissions, event).await
    }

    /// Sets the flags for whoever `event` names (staff or a service), in one
    /// transaction with its audit row (written only when a flag changed).
    /// Turning sign-in off also ends the user's sessions, so it takes effect
    /// at once rather than at token expiry. `NOT_FOUND` for no such account.
    pub(crate) async fn apply_permissions(
        &self,
        user_id: i64,
        permissions: Permissions,
        event: AuditEvent,
    ) -> Result<Permissions, DomainError> {
        let now = self.now();
        let mut tx = crate::store::begin_write(&self.pool).await?;
        let before = store::users::permissions(&mut tx, user_id)
            .await?
            .ok_or(DomainError::from(ErrorCode::NotFound))?;
        store::users::set_permissions(&mut tx, user_id, &permissions, now).await?;
        if !permissions.allow_login {
            store::sessions::revoke_all(&mut tx, user_id, None, now).await?;
        }
        if before != permissions {
            let event = event.details(serde_json::json!({
                "allow_login": permissions.allow_login,
                "allow_transfer": permissions.allow_transfer,
                "allow_withdraw": permissions.allow_withdraw,
            }));
            self.audit_in(&mut tx, &event).await?;
        }
        tx.commit().await?;
        self.sessions_changed_for(user_id);
        Ok(permissions)
    }

    /// Only a super admin changes roles, and not their own (so the last
    /// super admin cannot demote themself by accident).
    pub async fn set_role_of(
        &self,
        op: impl Into<Operator>,
        user_id: i64,
        role: Role,
    ) -> Result<(), DomainError> {
        let op = op.into();
        if self.role(op.id).await.ok() != Some(Role::SuperAdmin) || op.id == user_id {
            return Err(ErrorCode::Forbidden.into());
        }
        let mut tx = crate::store::begin_write(&self.pool).await?;
        let before = store::users::role(&mut tx, user_id)
            .await?
            .ok_or(DomainError::from(ErrorCode::NotFound))?;
        if before != role {
            store::users::set_role_of(&mut tx, user_id, role, self.now()).await?;
            let event = AuditEvent::by_staff(AuditAction::RoleChanged, &op, Some(user_id))
                .details(serde_json::json!({ "from": before.as_str(), "to": role.as_str() }));
            self.audit_in(&mut tx, &event).await?;
        }
        tx.commit().await?;
        self.sessions_changed_for(user_id);
        Ok(())
    }

    /// Staff end every session of a user. Returns how many ended.
    pub async fn staff_revoke_sessions(
        &self,
        op: impl Into<Operator>,
        user_id: i64,
    ) -> Result<u64, DomainError> {
        let op = op.into();
        self.check_staff_action(&op, StaffAction::RevokeSessions, user_id, None)
            .await?;
        let n = self.revoke_other_sessions(user_id, None).await?;
        self.audit(
            AuditEvent::by_staff(AuditAction::SessionsRevokedByStaff, &op, Some(user_id))
                .details(serde_json::json!({ "sessions": n })),
        )
        .await;
        Ok(n)
    }

    /// Staff lift the sign-in locks of a user's identifiers.
    pub async fn staff_unlock(
        &self,
        op: impl Into<Operator>,
        user_id: i64,
    ) -> Result<(), DomainError> {
        let op = op.into();
        self.require_staff(op.id).await?;
        self.unlock_user(user_id).await?;
        self.audit(AuditEvent::by_staff(
            AuditAction::LoginUnlocked,
            &op,
            Some(user_id),
        ))
        .await;
        Ok(())
    }

    /// When the sign-in lock of the user ends, if one is on.
    async fn locked_until(&self, user_id: i64) -> Result<Option<i64>, DomainError> {
        self.sign_in_locked_until(user_id).await
    }

    /// Staff search the users: by id list, or text in email, phone,
    /// username, display or real name; sorted and paged.
    pub async fn search_users(
        &self,
        op: impl Into<Operator>,
        search: &UserSearch,
    ) -> Result<UserPage, DomainError> {
        let op = op.into();
        self.require_staff(op.id).await?;
        let per_page = USERS_PER_PAGE;
        let page = search.page.max(1);
        let offset = i64::from(page - 1) * i64::from(per_page);
        let query = parse_user_query(&search.q)?;
        let vault = self.vault().await?;
        let (users, total) = match query {
            UserQuery::Ids(ids) => {
                // At most 100 ids, each an indexed lookup.
                let mut conn = self.pool.acquire().await?;
                let mut users = Vec::with_capacity(ids.len());
                for id in ids {
                    let row = store::users::by_id(&mut conn, vault, id).await?;
                    users.extend(row.map(summary));
                }
                sort_summaries(&mut users, search.sort);
                let total = users.len() as u64;
                let users = users
                    .into_iter()
                    .skip(offset as usize)
                    .take(per_page as usize)
                    .collect();
                (users, total)
            }
            UserQuery::All | UserQuery::Text(_) => {
                let text = match &query {
                    UserQuery::Text(t) => t.clone(),
                    _ => String::new(),
                };
                let pattern = contains_pattern(&text);
                // Text that is no identifier at all is just text.
                let exact = match &query {
                    UserQuery::Text(_) => self
                        .user_id_by_login_identifier(&search.q)
                        .await
                        .ok()
                        .flatten(),
                    _ => None,
                };
                let real_name_index = store::sealed::real_name_index(vault, &text);
                let id_number_index = store::sealed::id_number_index(
                    vault,
                    shared::identity::IdType::MainlandId.as_str(),
                    &text.to_uppercase(),
                );
                let filter = UserFilter {
                    ids: None,
                    text: (!text.is_empty()).then_some(TextMatch::Anywhere {
                        pattern: &pattern,
                        real_name_index: &real_name_index,
                        id_number_index: &id_number_index,
                    }),
                    exact,
                };
                let order = match search.sort {
                    UserSort::Newest => Order::Newest,
                    UserSort::Oldest => Order::Oldest,
                    UserSort::Name => Order::Name,
                };
                let mut conn = self.pool.acquire().await?;
                let rows = store::user_search::page(
                    &mut conn,
                    vault,
                    &filter,
                    order,
                    i64::from(per_page),
                    offset,
                )
                .await?;
                let total = store::user_search::count(&mut conn, &filter).await?;
                let users = rows
                    .into_iter()
                    .map(|row| {
                        let is_exact = Some(row.id) == exact;
                        UserSummary {
                            exact: is_exact,
                            ..summary(row)
                        }
                    })
                    .collect();
                (users, total.max(0) as u64)
            }
        };
        Ok(UserPage {
            users,
            total,
            page,
            per_page,
        })
    }

    /// One user's list row.
    pub(crate) async fn user_summary(&self, user_id: i64) -> Result<UserSummary, DomainError> {
        Ok(summary(self.user_row(user_id).await?))
    }

    /// Everything staff see about one user.
    pub async fn user_detail(
        &self,
        op: impl Into<Operator>,
        user_id: i64,
    ) -> Result<UserDetail, DomainError> {
        let op = op.into();
        let profile = self.admin_profile(op.id, user_id).await?;
        let (role, closed_reason) =
            store::users::role_and_closing(&mut *self.pool.acquire().await?, user_id)
                .await?
                .ok_or(DomainError::from(ErrorCode::NotFound))?;
        let as_user = AuthContext {
            user_id,
            session_id: String::new(),
            ip: None,
            user_agent: None,
        };
        let balances = self.balances(user_id).await?;
        let mut recent = Vec::new();
        for balance in &balances {
            let page = self
                .history(
                    user_id,
                    &HistoryRequest {
                        currency: balance.currency.clone(),
                        limit: Some(10),
                        ..HistoryRequest::default()
                    },
                )
                .await?;
            recent.extend(
                page.items
                    .into_iter()
                    .map(|item| (balance.currency.clone(), item)),
            );
        }
        recent.sort_by(|a, b| {
            b.1.created_at
                .cmp(&a.1.created_at)
                .then(b.1.id.cmp(&a.1.id))
        });
        recent.truncate(10);
        Ok(UserDetail {
            profile,
            role,
            permissions: self.permissions(user_id).await?,
            locked_until: self.locked_until(user_id).await?,
            payments_locked_until: self.pin_status(user_id).await?.locked_until,
            closed_reason,
            sessions: self.list_sessions(&as_user).await?,
            devices: self.list_devices(user_id).await?,
            balances,
            recent,
            verifications: self.verifications(user_id).await?,
            adjust_request_id: format!("console-{}", crate::opaque::random_token()),
        })
    }

    /// Staff deposit to or withdraw from a user's balance, with a reason
    /// (shown in the user's history) and a request id (a retry does not
    /// move money twice).
    pub async fn adjust_balance(
        &self,
        op: impl Into<Operator>,
        user_id: i64,
        req: &AdjustBalanceRequest,
    ) -> Result<Receipt, DomainError> {
        let op = op.into();
        if req.reason.trim().is_empty() {
            return Err(shared::AppError::field(ErrorCode::Required, shared::Field::Reason).into());
        }
        let kind = match req.direction {
            AdjustDirection::Deposit => TransferKind::Deposit,
            AdjustDirection::Withdraw => TransferKind::Withdraw,
        };
        let m = Movement {
            user_id,
            currency: &req.currency,
            amount: &req.amount,
            memo: req.reason.trim(),
            request_id: &req.request_id,
        };
        self.staff_movement(op, kind, m).await
    }

    /// Staff write to a user's email or phone through the code senders.
    pub async fn send_staff_message(
        &self,
        op: impl Into<Operator>,
        user_id: i64,
        message: &StaffMessage,
    ) -> Result<(), DomainError> {
        let op = op.into();
        self.require_staff(op.id).await?;
        let (subject, text) = message.validate()?;
        let mut conn = self.pool.acquire().await?;
        let (email, phone) = match store::users::contacts(&mut conn, user_id).await? {
            Some(c) if c.status != UserStatus::Closed => (c.email, c.phone),
            _ => return Err(ErrorCode::NotFound.into()),
        };
        drop(conn);
        // Closed accounts' released contacts end in `.invalid`: never sent to.
        let to = match message.channel {
            MessageChannel::Email => email.map(Contact::Email),
            MessageChannel::Sms => phone.map(Contact::Phone),
        }
        .ok_or(DomainError::from(ErrorCode::NoSuchContact))?;
        let subject = if subject.is_empty() {
            DEFAULT_SUBJECT.to_string()
        } else {
            subject
        };
        self.messenger
            .deliver(
                &to,
                &crate::delivery::Message {
                    subject: subject.clone(),
                    text: text.clone(),
                },
            )
            .await?;
        self.audit(
            AuditEvent::by_staff(AuditAction::MessageSent, &op, Some(user_id)).details(
                serde_json::json!({
                    "channel": match message.channel {
                        MessageChannel::Email => "email",
                        MessageChannel::Sms => "sms",
                    },
                    "to": to.masked(),
                    "subject": subject,
                    "chars": text.chars().count(),
                }),
            ),
        )
        .await;
        Ok(())
    }
}

/// Sorts an id-list result the way the SQL orders do.
fn sort_summaries(users: &mut [UserSummary], sort: UserSort) {
    match sort {
        UserSort::Newest => {
            users.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)))
        }
        UserSort::Oldest => {
            users.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)))
        }
        UserSort::Name => users.sort_by_key(|u| (u.label().to_lowercase(), u.id)),
    }
}
