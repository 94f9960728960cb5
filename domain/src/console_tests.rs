//! Tests of the staff console's domain: search, permission flags, roles,
//! batch creation, messages and the audit log.

use crate::caller::Operator;
use crate::store::users::Role;
use crate::tests::{client, code_of, fixture, Fixture};
use crate::wallet::{Actor, Authorisation, Movement, Recipient, Transfer};
use crate::{AuthContext, Lang, UserCenter};
use shared::admin::{
    AdjustBalanceRequest, AdjustDirection, AuditAction, AuditQuery, BatchRow, MessageChannel,
    Permissions, StaffMessage, UserSearch, UserSort,
};
use shared::profile::AccountState;
use shared::profile::VerificationKind;
use shared::ErrorCode;
use std::path::Path;

const PASSWORD: &str = "correct horse battery";

async fn signup(uc: &UserCenter, name: &str) -> AuthContext {
    crate::tests::signup_named(uc, name, PASSWORD).await.0
}

async fn staff(uc: &UserCenter, role: Role) -> Operator {
    let name = role.as_str().replace('_', "");
    let id = uc
        .create_admin(&format!("{name}@corp.example"), "", &name, PASSWORD, role)
        .await
        .unwrap()
        .id;
    Operator {
        id,
        ip: Some("10.0.0.9".into()),
        user_agent: Some("console-test".into()),
    }
}

async fn actions_for(f: &Fixture, op: &Operator, target: i64) -> Vec<AuditAction> {
    let page =
        f.uc.audit_log(
            op.clone(),
            &AuditQuery {
                target_id: Some(target),
                ..AuditQuery::default()
            },
        )
        .await
        .unwrap();
    page.entries.iter().rev().map(|e| e.action).collect()
}

fn outbox_files(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[tokio::test]
async fn a_normal_user_is_forbidden_every_staff_function() {
    let f = fixture().await;
    let user = signup(&f.uc, "mallory").await;
    let victim = signup(&f.uc, "victim").await.user_id;
    let me = Operator::from(&user);
    let uc = &f.uc;
    let results: Vec<(&str, ErrorCode)> = vec![
        (
            "search",
            code_of(uc.search_users(me.clone(), &UserSearch::default()).await),
        ),
        ("detail", code_of(uc.user_detail(me.clone(), victim).await)),
        (
            "freeze",
            code_of(uc.set_frozen(me.clone(), victim, true).await),
        ),
        (
            "close",
            code_of(uc.close_account(me.clone(), victim, "spam", None).await),
        ),
        ("unlock", code_of(uc.staff_unlock(me.clone(), victim).await)),
        (
            "permissions",
            code_of(
                uc.set_permissions(me.clone(), victim, Permissions::default())
                    .await,
            ),
        ),
        (
            "role",
            code_of(uc.set_role_of(me.clone(), victim, Role::Staff).await),
        ),
        (
            "revoke",
            code_of(uc.staff_revoke_sessions(me.clone(), victim).await),
        ),
        (
            "adjust",
            code_of(
                uc.adjust_balance(
                    me.clone(),
                    victim,
                    &AdjustBalanceRequest {
                        direction: AdjustDirection::Deposit,
                        currency: "CNY".into(),
                        amount: "1.00".into(),
                        reason: "gift".into(),
                        request_id: "r1".into(),
                    },
                )
                .await,
            ),
        ),
        (
            "approve",
            code_of(
                uc.approve_verification(me.clone(), victim, VerificationKind::RealName)
                    .await,
            ),
        ),
        (
            "reject",
            code_of(
                uc.reject_verification(me.clone(), victim, VerificationKind::RealName, "no")
                    .await,
            ),
        ),
        (
            "message",
            code_of(
                uc.send_staff_message(
                    me.clone(),
                    victim,
                    &StaffMessage {
                        channel: MessageChannel::Email,
                        subject: String::new(),
                        text: "hi".into(),
                    },
                )
                .await,
            ),
        ),
        (
            "batch",
            code_of(
                uc.batch_create(
                    me.clone(),
                    &[BatchRow {
                        email: Some("x@example.com".into()),
                        ..BatchRow::default()
                    }],
                    Lang::En,
                )
                .await,
            ),
        ),
        (
            "audit",
            code_of(uc.audit_log(me.clone(), &AuditQuery::default()).await),
        ),
    ];
    for (name, code) in results {
        assert_eq!(code, ErrorCode::Forbidden, "{name}");
    }
    // Nothing happened to the victim.
    assert_eq!(
        uc.profile(victim).await.unwrap().account_state,
        AccountState::Active
    );
}

#[tokio::test]
async fn search_finds_by_text_and_ids_sorts_and_pages() {
    let f = fixture().await;
    let op = staff(&f.uc, Role::Staff).await;
    let mut ids = Vec::new();
    for name in ["carol", "alice", "bob", "al_x"] {
        ids.push(signup(&f.uc, name).await.user_id);
    }
    let search = |q: &str, sort| UserSearch {
        q: q.into(),
        sort,
        page: 1,
    };
    let names = |page: shared::admin::UserPage| -> Vec<String> {
        page.users.into_iter().filter_map(|u| u.username).collect()
    };
    let found =
        f.uc.search_users(op.clone(), &search("AL", UserSort::Name))
            .await
            .unwrap();
    assert_eq!(found.total, 2);
    assert_eq!(names(found), vec!["al_x", "alice"]);
    // `_` is a literal, not a wildcard: "al_" matches al_x only.
    let found =
        f.uc.search_users(op.clone(), &search("al_", UserSort::Name))
            .await
            .unwrap();
    assert_eq!(names(found), vec!["al_x"]);
    let found =
        f.uc.search_users(
            op.clone(),
            &search(&format!("{}, {}", ids[2], ids[0]), UserSort::Oldest),
        )
        .await
        .unwrap();
    assert_eq!(names(found), vec!["carol", "bob"]);
    let newest =
        f.uc.search_users(op.clone(), &search("", UserSort::Newest))
            .await
            .unwrap();
    // Four users and the staff member.
    assert_eq!(newest.total, 5);
    assert_eq!(newest.users[0].username.as_deref(), Some("al_x"));
    let beyond =
        f.uc.search_users(
            op.clone(),
            &UserSearch {
                page: 2,
                ..UserSearch::default()
            },
        )
        .await
        .unwrap();
    assert!(beyond.users.is_empty());
    assert_eq!(beyond.total, 5);
}

#[tokio::test]
async fn permission_flags_are_enforced_and_audited() {
    let f = fixture().await;
    let op = staff(&f.uc, Role::Staff).await;
    let payer = signup(&f.uc, "payer").await;
    signup(&f.uc, "payee").await;
    f.uc.adjust_balance(
        op.clone(),
        payer.user_id,
        &AdjustBalanceRequest {
            direction: AdjustDirection::Deposit,
            currency: "CNY".into(),
            amount: "10.00".into(),
            reason: "opening balance".into(),
            request_id: "dep-1".into(),
        },
    )
    .await
    .unwrap();
    f.uc.set_permissions(
        op.clone(),
        payer.user_id,
        Permissions {
            allow_login: true,
            allow_transfer: false,
            allow_withdraw: false,
        },
    )
    .await
    .unwrap();
    let transfer =
        f.uc.transfer(
            Transfer {
                from_user: payer.user_id,
                to: Recipient::Identifier("payee"),
                currency: "CNY",
                amount: "1.00",
                memo: "",
                request_id: "t-1",
            },
            Authorisation::Service(&Actor::Service("shop".into())),
        )
        .await;
    assert_eq!(code_of(transfer), ErrorCode::TransferNotAllowed);
    let withdraw =
        f.uc.adjust_balance(
            op.clone(),
            payer.user_id,
            &AdjustBalanceRequest {
                direction: AdjustDirection::Withdraw,
                currency: "CNY".into(),
                amount: "1.00".into(),
                reason: "payout".into(),
                request_id: "w-1".into(),
            },
        )
        .await;
    assert_eq!(code_of(withdraw), ErrorCode::WithdrawNotAllowed);
    // Deposits still work: the flags guard money leaving.
    f.uc.deposit(
        Movement {
            user_id: payer.user_id,
            currency: "CNY",
            amount: "1.00",
            memo: "",
            request_id: "dep-2",
        },
        &Actor::Service("topup".into()),
    )
    .await
    .unwrap();

    // Sign-in off: the password no longer gets in and the session is over.
    f.uc.set_permissions(
        op.clone(),
        payer.user_id,
        Permissions {
            allow_login: false,
            allow_transfer: true,
            allow_withdraw: true,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        code_of(f.uc.login("payer", PASSWORD, None, &client()).await),
        ErrorCode::LoginNotAllowed
    );
    assert!(f.uc.list_sessions(&payer).await.unwrap().is_empty());
    // Staff cannot lock themselves out.
    assert_eq!(
        code_of(
            f.uc.set_permissions(
                op.clone(),
                op.id,
                Permissions {
                    allow_login: false,
                    ..Permissions::default()
                }
            )
            .await
        ),
        ErrorCode::Forbidden
    );

    let log =
        f.uc.audit_log(
            op.clone(),
            &AuditQuery {
                target_id: Some(payer.user_id),
                action: Some(AuditAction::BalanceAdjusted),
                ..AuditQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(log.entries.len(), 1, "only the successful adjustment");
    let row = &log.entries[0];
    assert_eq!(row.actor_id, Some(op.id));
    assert_eq!(row.ip.as_deref(), Some("10.0.0.9"));
    assert!(row.details.contains("opening balance"), "{}", row.details);
    assert_eq!(
        actions_for(&f, &op, payer.user_id).await,
        vec![
            AuditAction::BalanceAdjusted,
            AuditAction::PermissionsChanged,
            AuditAction::PermissionsChanged,
        ]
    );
}

#[tokio::test]
async fn only_a_super_admin_changes_roles() {
    let f = fixture().await;
    let root = staff(&f.uc, Role::SuperAdmin).await;
    let ops = staff(&f.uc, Role::Staff).await;
    let user = signup(&f.uc, "user").await.user_id;
    assert_eq!(
        code_of(f.uc.set_role_of(ops.clone(), user, Role::Staff).await),
        ErrorCode::Forbidden
    );
    f.uc.set_role_of(root.clone(), user, Role::Staff)
        .await
        .unwrap();
    assert_eq!(f.uc.role(user).await.unwrap(), Role::Staff);
    // Not even a super admin changes their own role.
    assert_eq!(
        code_of(f.uc.set_role_of(root.clone(), root.id, Role::User).await),
        ErrorCode::Forbidden
    );
}

#[tokio::test]
async fn security_events_and_staff_actions_land_in_an_append_only_log() {
    let f = fixture().await;
    let op = staff(&f.uc, Role::Staff).await;
    let user = signup(&f.uc, "eve").await;
    for _ in 0..5 {
        let _ = f.uc.login("eve", "wrong password", None, &client()).await;
    }
    f.uc.staff_unlock(op.clone(), user.user_id).await.unwrap();
    f.uc.set_frozen(op.clone(), user.user_id, true)
        .await
        .unwrap();
    assert_eq!(
        code_of(f.uc.login("eve", PASSWORD, None, &client()).await),
        ErrorCode::AccountDisabled
    );
    f.uc.set_frozen(op.clone(), user.user_id, false)
        .await
        .unwrap();
    f.uc.staff_revoke_sessions(op.clone(), user.user_id)
        .await
        .unwrap();
    let actions = actions_for(&f, &op, user.user_id).await;
    let mut expected = vec![AuditAction::LoginFailed; 5];
    expected.extend([
        AuditAction::LoginLocked,
        AuditAction::LoginUnlocked,
        AuditAction::AccountFrozen,
        AuditAction::AccountUnfrozen,
        AuditAction::SessionsRevokedByStaff,
    ]);
    assert_eq!(actions, expected);
    // The failures say which identifier was tried and from where.
    let failed =
        f.uc.audit_log(
            op.clone(),
            &AuditQuery {
                action: Some(AuditAction::LoginFailed),
                ..AuditQuery::default()
            },
        )
        .await
        .unwrap();
    assert!(failed.entries[0].details.contains("username:eve"));
    assert_eq!(failed.entries[0].ip.as_deref(), Some("127.0.0.1"));
    // An unknown identifier is logged too, without a target.
    let _ =
        f.uc.login("nobody", "wrong password", None, &client())
            .await;
    let failed =
        f.uc.audit_log(
            op.clone(),
            &AuditQuery {
                action: Some(AuditAction::LoginFailed),
                ..AuditQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(failed.entries[0].target_id, None);

    let update = sqlx::query("UPDATE audit_log SET action = 'logout'")
        .execute(&f.db.sql)
        .await;
    assert!(update.is_err(), "the log refuses updates");
    let delete = sqlx::query("DELETE FROM audit_log")
        .execute(&f.db.sql)
        .await;
    assert!(delete.is_err(), "the log refuses deletes");
}

#[tokio::test]
async fn the_audit_log_pages_newest_first() {
    let f = fixture().await;
    let op = staff(&f.uc, Role::Staff).await;
    for i in 0..60 {
        let _ =
            f.uc.login(&format!("ghost{i}"), "wrong password", None, &client())
                .await;
    }
    let first =
        f.uc.audit_log(op.clone(), &AuditQuery::default())
            .await
            .unwrap();
    assert_eq!(first.entries.len(), 50);
    assert!(first.entries.windows(2).all(|w| w[0].id > w[1].id));
    let second =
        f.uc.audit_log(
            op.clone(),
            &AuditQuery {
                before: first.next_before,
                ..AuditQuery::default()
            },
        )
        .await
        .unwrap();
    assert!(!second.entries.is_empty());
    assert!(second.entries[0].id < first.entries[49].id);
}

fn email_rows(n: usize) -> Vec<BatchRow> {
    (0..n)
        .map(|i| BatchRow {
            email: Some(format!("new{i}@example.com")),
            name: Some(format!("New {i}")),
            ..BatchRow::default()
        })
        .collect()
}

#[tokio::test]
async fn a_batch_of_fifty_is_created_and_each_user_gets_a_password_that_works() {
    let f = fixture().await;
    let op = staff(&f.uc, Role::Staff).await;
    let created =
        f.uc.batch_create(op.clone(), &email_rows(50), Lang::En)
            .await
            .unwrap();
    assert_eq!(created.users.len(), 50);
    assert_eq!(created.users[7].display_name.as_deref(), Some("New 7"));
    // Delivery runs in the background: wait for the outbox.
    let outbox = f._dir.path().join("outbox").join("email");
    let mut mails = Vec::new();
    for _ in 0..100 {
        mails = outbox_files(&outbox);
        if mails.len() >= 50 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(mails.len(), 50);
    let mail = mails
        .iter()
        .find(|m| m.contains("To: new7@example.com"))
        .unwrap_or_else(|| panic!("no mail to new7 in {}", mails[0]));
    // Undo quoted-printable soft line breaks.
    let body = mail.replace("=\r\n", "").replace("=\n", "");
    let password = body
        .lines()
        .find_map(|l| l.strip_prefix("Initial password: "))
        .unwrap_or_else(|| panic!("no password in {body}"))
        .trim();
    assert_eq!(password.len(), 16);
    f.uc.login("new7@example.com", password, None, &client())
        .await
        .unwrap();
    let audit =
        f.uc.audit_log(
            op.clone(),
            &AuditQuery {
                action: Some(AuditAction::UsersBatchCreated),
                ..AuditQuery::default()
            },
        )
        .await
        .unwrap();
    assert!(audit.entries[0].details.contains("\"count\":50"));
}

#[tokio::test]
async fn a_batch_with_one_bad_or_taken_row_creates_nobody() {
    let f = fixture().await;
    let op = staff(&f.uc, Role::Staff).await;
    signup(&f.uc, "taken").await;
    let count = |sql: sqlx::AnyPool| async move {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
            .fetch_one(&sql)
            .await
            .unwrap();
        n
    };
    let before = count(f.db.sql.clone()).await;
    assert_eq!(
        code_of(
            f.uc.batch_create(op.clone(), &email_rows(51), Lang::En)
                .await
        ),
        ErrorCode::BatchTooLarge
    );
    let mut rows = email_rows(10);
    rows[4].email = Some("bad email".into());
    let err =
        f.uc.batch_create(op.clone(), &rows, Lang::En)
            .await
            .unwrap_err()
            .to_app_error();
    assert_eq!(err.code, ErrorCode::BatchInvalid);
    assert_eq!(err.rows.len(), 1);
    assert_eq!(err.rows[0].line, 5);
    let mut rows = email_rows(3);
    rows[2].email = Some("TAKEN@example.com".into());
    let err =
        f.uc.batch_create(op.clone(), &rows, Lang::En)
            .await
            .unwrap_err()
            .to_app_error();
    assert_eq!(err.code, ErrorCode::BatchInvalid);
    assert_eq!(
        (err.rows[0].line, err.rows[0].code),
        (3, ErrorCode::EmailTaken)
    );
    assert_eq!(count(f.db.sql.clone()).await, before);
}

#[tokio::test]
async fn staff_messages_reach_the_bound_contact_only() {
    let f = fixture().await;
    let op = staff(&f.uc, Role::Staff).await;
    let user = signup(&f.uc, "reader").await;
    let message = |channel| StaffMessage {
        channel,
        subject: "Your documents".into(),
        text: "We received your documents and will reply within a day.".into(),
    };
    f.uc.send_staff_message(op.clone(), user.user_id, &message(MessageChannel::Email))
        .await
        .unwrap();
    let mails = outbox_files(&f._dir.path().join("outbox").join("email"));
    assert!(mails
        .iter()
        .any(|m| m.contains("reader@example.com") && m.contains("Your documents")));
    assert_eq!(
        code_of(
            f.uc.send_staff_message(op.clone(), user.user_id, &message(MessageChannel::Sms))
                .await
        ),
        ErrorCode::NoSuchContact
    );
    assert_eq!(
        actions_for(&f, &op, user.user_id).await.last(),
        Some(&AuditAction::MessageSent)
    );
}

#[tokio::test]
async fn the_detail_view_gathers_sessions_balances_and_ledger_rows() {
    let f = fixture().await;
    let op = staff(&f.uc, Role::Staff).await;
    let user = signup(&f.uc, "detail").await;
    for (i, amount) in ["3.00", "4.50"].into_iter().enumerate() {
        f.uc.adjust_balance(
            op.clone(),
            user.user_id,
            &AdjustBalanceRequest {
                direction: AdjustDirection::Deposit,
                currency: "CNY".into(),
                amount: amount.into(),
                reason: "bonus".into(),
                request_id: format!("d{i}"),
            },
        )
        .await
        .unwrap();
    }
    let detail = f.uc.user_detail(op.clone(), user.user_id).await.unwrap();
    assert_eq!(detail.role, Role::User);
    assert_eq!(detail.sessions.len(), 1);
    let cny = detail
        .balances
        .iter()
        .find(|b| b.currency == "CNY")
        .unwrap();
    assert_eq!(cny.available, "7.50");
    assert_eq!(detail.recent.len(), 2);
    assert_eq!(detail.recent[0].1.amount, "4.50");
    assert_eq!(detail.locked_until, None);
}

#[tokio::test]
async fn staff_lift_a_payment_lock_within_their_limits() {
    let f = fixture().await;
    let op = staff(&f.uc, Role::Staff).await;
    let user = signup(&f.uc, "locked").await;
    crate::wallet::tests::set_pin(&f.uc, user.user_id, "135790")
        .await
        .unwrap();
    for _ in 0..5 {
        let _ = f.uc.check_payment_pin(user.user_id, "000000").await;
    }
    assert_eq!(
        code_of(f.uc.check_payment_pin(user.user_id, "135790").await),
        ErrorCode::PinLocked
    );
    let detail = f.uc.user_detail(op.clone(), user.user_id).await.unwrap();
    assert!(detail.payments_locked_until.is_some());

    // Not by a plain user, nor for oneself.
    let other = signup(&f.uc, "nosy").await;
    assert_eq!(
        code_of(f.uc.unlock_payments(&other, user.user_id).await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        code_of(f.uc.unlock_payments(op.clone(), op.id).await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        code_of(f.uc.unlock_payments(op.clone(), 999_999).await),
        ErrorCode::NotFound
    );

    f.uc.unlock_payments(op.clone(), user.user_id)
        .await
        .unwrap();
    let status = f.uc.pin_status(user.user_id).await.unwrap();
    assert!(!status.locked);
    assert_eq!(status.remaining_attempts, 5);
    f.uc.check_payment_pin(user.user_id, "135790")
        .await
        .unwrap();
    let detail = f.uc.user_detail(op.clone(), user.user_id).await.unwrap();
    assert_eq!(detail.payments_locked_until, None);

    let unlocked =
        f.uc.audit_log(
            op.clone(),
            &AuditQuery {
                action: Some(AuditAction::PaymentsUnlocked),
                ..AuditQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(unlocked.entries.len(), 1);
    let row = &unlocked.entries[0];
    assert_eq!(
        (row.actor_id, row.target_id),
        (Some(op.id), Some(user.user_id))
    );
    assert_eq!(row.ip.as_deref(), Some("10.0.0.9"));
    assert_eq!(row.details, r#"{"was_locked":true}"#);
}
