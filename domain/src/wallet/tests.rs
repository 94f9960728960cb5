//! Wallet tests against a real temporary SQLite file. Every scenario ends with
//! the auditor.

use super::{Actor, Authorisation, Movement, PinProof, Recipient, Transfer};
use crate::accounts::Registration;
use crate::clock::ManualClock;
use crate::{AuthContext, ClientInfo, DomainError, UserCenter};
use shared::wallet::{Counterparty, Direction, HistoryRequest, Receipt, TransferKind};
use shared::ErrorCode;
use std::sync::atomic::{AtomicU64, Ordering};

pub(super) use crate::tests::Fixture;

pub(super) async fn fixture() -> Fixture {
    crate::tests::fixture().await
}

async fn clocked_fixture() -> (Fixture, ManualClock) {
    let f = fixture().await;
    let clock = ManualClock::starting_now();
    let uc = f.uc.clone().with_clock(clock.clone());
    (Fixture { uc, ..f }, clock)
}

pub(super) const PASSWORD: &str = "correct horse battery";

/// Registers `name` (email `name@example.com`, username `name`).
pub(super) async fn user(uc: &UserCenter, name: &str) -> i64 {
    let email = format!("{name}@example.com");
    let form = Registration {
        email: &email,
        phone: "",
        username: name,
        password: PASSWORD,
        code: "",
        identity: None,
    };
    uc.register(form, &ClientInfo::default())
        .await
        .expect("register")
        .user
        .id
}

/// A signed-in session of `user_id`, through a real sign-in with `password`.
pub(crate) async fn session_of(uc: &UserCenter, user_id: i64, password: &str) -> AuthContext {
    let names = uc.names_of_user(user_id).await.expect("an identifier");
    let name = names
        .username
        .or(names.email)
        .or(names.phone)
        .expect("an identifier");
    let res = uc
        .login(&name, password, None, &ClientInfo::default())
        .await
        .expect("sign in");
    uc.authenticate(&res.token).await.expect("session")
}

/// Sets the first payment PIN the way a user does: signed in, confirmed
/// with the sign-in password.
pub(crate) async fn set_pin_with(
    uc: &UserCenter,
    user_id: i64,
    pin: &str,
    password: &str,
) -> Result<(), DomainError> {
    let auth = session_of(uc, user_id, password).await;
    uc.set_payment_pin(&auth, pin, PinProof::Password(password))
        .await
}

pub(crate) async fn set_pin(uc: &UserCenter, user_id: i64, pin: &str) -> Result<(), DomainError> {
    set_pin_with(uc, user_id, pin, PASSWORD).await
}

pub(super) async fn set_status(sql: &sqlx::AnyPool, user_id: i64, status: &str) {
    sqlx::query("UPDATE users SET status = $1 WHERE id = $2")
        .bind(status)
        .bind(user_id)
        .execute(sql)
        .await
        .expect("status");
}

pub(super) fn service() -> Actor {
    Actor::Service("tests".into())
}

static NEXT_REQUEST: AtomicU64 = AtomicU64::new(1);

/// A request id no other request of this process uses.
pub(crate) fn fresh_id() -> String {
    format!("req-{}", NEXT_REQUEST.fetch_add(1, Ordering::Relaxed))
}

fn movement<'a>(user_id: i64, currency: &'a str, amount: &'a str, id: &'a str) -> Movement<'a> {
    Movement {
        user_id,
        currency,
        amount,
        memo: "",
        request_id: id,
    }
}

async fn deposit(uc: &UserCenter, user_id: i64, amount: &str) -> Receipt {
    let id = fresh_id();
    uc.deposit(movement(user_id, "CNY", amount, &id), &service())
        .await
        .expect("deposit")
}

fn pay<'a>(from: i64, to: Recipient<'a>, amount: &'a str, id: &'a str) -> Transfer<'a> {
    Transfer {
        from_user: from,
        to,
        currency: "CNY",
        amount,
        memo: "",
        request_id: id,
    }
}

fn code_of<T: std::fmt::Debug>(r: Result<T, DomainError>) -> ErrorCode {
    r.expect_err("expected an error").code()
}

/// (posted, frozen) of a user's CNY account, straight from the table.
async fn cny(sql: &sqlx::AnyPool, user_id: i64) -> (i64, i64) {
    balance_of(sql, user_id, "CNY").await
}

pub(super) async fn balance_of(sql: &sqlx::AnyPool, user_id: i64, currency: &str) -> (i64, i64) {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT posted, frozen FROM wallet_accounts WHERE user_id = $1 AND currency = $2",
    )
    .bind(user_id)
    .bind(currency)
    .fetch_optional(sql)
    .await
    .expect("balance");
    row.unwrap_or((0, 0))
}

pub(super) async fn journal_rows(sql: &sqlx::AnyPool) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM wallet_transfers")
        .fetch_one(sql)
        .await
        .expect("count");
    n
}

pub(crate) async fn assert_audit_clean(uc: &UserCenter) {
    let report = uc.audit_ledger().await.expect("audit");
    assert!(report.is_clean(), "{:?}", report.problems);
}

#[tokio::test]
async fn currencies_are_seeded_and_staff_can_add_and_disable() {
    let f = fixture().await;
    let codes: Vec<_> = f.uc.list_currencies(false).await.unwrap();
    let summary: Vec<_> = codes.iter().map(|c| (c.code.as_str(), c.scale)).collect();
    assert_eq!(
        summary,
        [
            ("BTC", 8),
            ("CNY", 2),
            ("POINTS", 0),
            ("USD", 2),
            ("USDT", 6)
        ]
    );
    let eur = f.uc.add_currency("EUR", "Euro", 2).await.unwrap();
    assert!(eur.enabled);
    assert_eq!(
        code_of(f.uc.add_currency("EUR", "Euro", 2).await),
        ErrorCode::CurrencyExists
    );
    for (code, name, scale) in [
        ("eur", "Euro", 2),
        ("E", "x", 2),
        ("JPY", "", 0),
        ("ETH", "Ether", 18),
    ] {
        assert_eq!(
            code_of(f.uc.add_currency(code, name, scale).await),
            ErrorCode::InvalidCurrency,
            "{code}"
        );
    }
    let a = user(&f.uc, "alice").await;
    let id = fresh_id();
    f.uc.deposit(movement(a, "EUR", "5", &id), &service())
        .await
        .unwrap();
    f.uc.set_currency_enabled("EUR", false).await.unwrap();
    assert_eq!(f.uc.list_currencies(false).await.unwrap().len(), 5);
    assert_eq!(f.uc.list_currencies(true).await.unwrap().len(), 6);
    let id = fresh_id();
    assert_eq!(
        code_of(f.uc.deposit(movement(a, "EUR", "5", &id), &service()).await),
        ErrorCode::CurrencyDisabled
    );
    assert_eq!(
        code_of(f.uc.set_currency_enabled("XXX", true).await),
        ErrorCode::UnknownCurrency
    );
    let id = fresh_id();
    assert_eq!(
        code_of(f.uc.deposit(movement(a, "XXX", "5", &id), &service()).await),
        ErrorCode::UnknownCurrency
    );
    assert_audit_clean(&f.uc).await;
}

#[tokio::test]
async fn deposit_and_withdraw_move_posted_balances_through_external() {
    let f = fixture().await;
    let a = user(&f.uc, "alice").await;
    let r = deposit(&f.uc, a, "100.50").await;
    assert_eq!(r.kind, TransferKind::Deposit);
    assert_eq!((r.amount.as_str(), r.amount_minor), ("100.50", 10050));
    assert_eq!(r.balance.available, "100.50");
    assert!(!r.replayed);
    let id = fresh_id();
    let w =
        f.uc.withdraw(movement(a, "CNY", "0.5", &id), &service())
            .await
            .unwrap();
    assert_eq!(w.balance.posted_minor, 10000);
    let id = fresh_id();
    assert_eq!(
        code_of(
            f.uc.withdraw(movement(a, "CNY", "100.01", &id), &service())
                .await
        ),
        ErrorCode::InsufficientFunds
    );
    let balances = f.uc.balances(a).await.unwrap();
    let cny = balances.iter().find(|b| b.currency == "CNY").unwrap();
    assert_eq!(
        (cny.available.as_str(), cny.frozen.as_str()),
        ("100.00", "0.00")
    );
    let usdt = balances.iter().find(|b| b.currency == "USDT").unwrap();
    assert_eq!((usdt.posted.as_str(), usdt.posted_minor), ("0.000000", 0));
    let (ext,): (i64,) = sqlx::query_as(
        "SELECT posted FROM wallet_accounts WHERE system = 'external' AND currency = 'CNY'",
    )
    .fetch_one(&f.db.sql)
    .await
    .unwrap();
    assert_eq!(ext, -10000);
    assert_audit_clean(&f.uc).await;
}

#[tokio::test]
async fn amounts_are_validated_with_the_currency_scale_and_nothing_is_written() {
    let f = fixture().await;
    let a = user(&f.uc, "alice").await;
    for (amount, code) in [
        ("", ErrorCode::Required),
        ("abc", ErrorCode::InvalidAmount),
        ("1e3", ErrorCode::AmountExponent),
        ("1,000", ErrorCode::AmountGrouping),
        ("0.001", ErrorCode::AmountTooPrecise),
        ("-1", ErrorCode::AmountNegative),
        ("0", ErrorCode::AmountNotPositive),
        ("10000000000000.01", ErrorCode::AmountTooLarge),
    ] {
        let id = fresh_id();
        assert_eq!(
            code_of(
                f.uc.deposit(movement(a, "CNY", amount, &id), &service())
                    .await
            ),
            code,
            "{amount}"
        );
    }
    // Eight decimals are fine in BTC.
    let id = fresh_id();
    let r =
        f.uc.deposit(movement(a, "BTC", "0.00000001", &id), &service())
            .await
            .unwrap();
    assert_eq!(r.balance.posted, "0.00000001");
    for bad in ["", "has space", &"x".repeat(65)] {
        assert_eq!(
            code_of(f.uc.deposit(movement(a, "CNY", "1", bad), &service()).await),
            ErrorCode::InvalidRequestId
        );
    }
    let id = fresh_id();
    let long_memo = "m".repeat(201);
    let m = Movement {
        memo: &long_memo,
        ..movement(a, "CNY", "1", &id)
    };
    assert_eq!(
        code_of(f.uc.deposit(m, &service()).await),
        ErrorCode::InvalidMemo
    );
    assert_eq!(journal_rows(&f.db.sql).await, 1);
    // The user balance cap (10^15 minor units) holds across deposits.
    for _ in 0..2 {
        let id = fresh_id();
        let r =
            f.uc.deposit(movement(a, "CNY", "5000000000000", &id), &service())
                .await;
        if r.is_err() {
            assert_eq!(code_of(r), ErrorCode::BalanceLimit);
        }
    }
    let id = fresh_id();
    assert_eq!(
        code_of(
            f.uc.deposit(movement(a, "CNY", "0.01", &id), &service())
                .await
        ),
        ErrorCode::BalanceLimit
    );
    assert_audit_clean(&f.uc).await;
}

#[tokio::test]
async fn only_staff_users_and_named_services_may_move_money_for_others() {
    let f = fixture().await;
    let a = user(&f.uc, "alice").await;
    let staff = user(&f.uc, "staffer").await;
    let id = fresh_id();
    assert_eq!(
        code_of(
            f.uc.deposit(movement(a, "CNY", "1", &id), &Actor::User(staff))
                .await
        ),
        ErrorCode::Forbidden
    );
    sqlx::query("UPDATE users SET role = 'staff' WHERE id = $1")
        .bind(staff)
        .execute(&f.db.sql)
        .await
        .unwrap();
    f.uc.deposit(movement(a, "CNY", "1", &id), &Actor::User(staff))
        .await
        .unwrap();
    let id = fresh_id();
    assert_eq!(
        code_of(
            f.uc.deposit(
                movement(a, "CNY", "1", &id),
                &Actor::Service("bad name".into())
            )
            .await
        ),
        ErrorCode::InvalidInput
    );
    let (actor,): (Option<i64>,) = sqlx::query_as("SELECT actor_user_id FROM wallet_transfers")
        .fetch_one(&f.db.sql)
        .await
        .unwrap();
    assert_eq!(actor, Some(staff));
    assert_audit_clean(&f.uc).await;
}

#[tokio::test]
async fn a_staff_deposit_whose_audit_row_fails_moves_no_money() {
    let f = fixture().await;
    let a = user(&f.uc, "alice").await;
    let staff = user(&f.uc, "staffer").await;
    sqlx::query("UPDATE users SET role = 'staff' WHERE id = $1")
        .bind(staff)
        .execute(&f.db.sql)
        .await
        .unwrap();
    // The audit log refuses the row, as a full disk or a broken table would.
    let audit_down: &[&'static str] = if f.db.is_postgres() {
        &[
            "CREATE FUNCTION audit_down() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RAISE EXCEPTION 'audit log unavailable'; END $$",
            "CREATE TRIGGER audit_down BEFORE INSERT ON audit_log FOR EACH ROW
             WHEN (NEW.action = 'balance_adjusted') EXECUTE FUNCTION audit_down()",
        ]
    } else {
        &["CREATE TRIGGER audit_down BEFORE INSERT ON audit_log
           WHEN NEW.action = 'balance_adjusted'
           BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END"]
    };
    for sql in audit_down {
        sqlx::query(*sql).execute(&f.db.sql).await.unwrap();
    }
    let id = fresh_id();
    let refused =
        f.uc.staff_movement(staff, TransferKind::Deposit, movement(a, "CNY", "5", &id))
            .await;
    assert!(refused.is_err(), "the deposit must fail with its audit row");
    assert_eq!(cny(&f.db.sql, a).await, (0, 0));
    assert_eq!(journal_rows(&f.db.sql).await, 0);
    assert_audit_clean(&f.uc).await;

    // With the log back, the same request goes through once, with its row.
    let drop_trigger = if f.db.is_postgres() {
        "DROP TRIGGER audit_down ON audit_log"
    } else {
        "DROP TRIGGER audit_down"
    };
    sqlx::query(drop_trigger).execute(&f.db.sql).await.unwrap();
    f.uc.staff_movement(staff, TransferKind::Deposit, movement(a, "CNY", "5", &id))
        .await
        .expect("deposit");
    assert_eq!(cny(&f.db.sql, a).await, (500, 0));
    let (rows,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'balance_adjusted'")
            .fetch_one(&f.db.sql)
            .await
            .unwrap();
    assert_eq!(rows, 1);
    assert_audit_clean(&f.uc).await;
}

#[tokio::test]
async fn transfer_with_pin_by_identifier_and_history_shows_both_sides() {
    let f = fixture().await;
    let a = user(&f.uc, "alice").await;
    let b = user(&f.uc, "bob_b").await;
    deposit(&f.uc, a, "50").await;
    set_pin(&f.uc, a, "135790").await.unwrap();
    let id = fresh_id();
    let t = Transfer {
        memo: "lunch",
        ..pay(a, Recipient::Identifier("BOB_B"), "12.34", &id)
    };
    let r =
        f.uc.transfer(t, Authorisation::Pin("135790"))
            .await
            .unwrap();
    assert_eq!(r.balance.available, "37.66");
    assert_eq!(cny(&f.db.sql, b).await, (1234, 0));
    let id = fresh_id();
    f.uc.transfer(
        pay(a, Recipient::Identifier("bob_b@example.com"), "0.66", &id),
        Authorisation::Pin("135790"),
    )
    .await
    .unwrap();

    let query = HistoryRequest {
        currency: "CNY".into(),
        ..HistoryRequest::default()
    };
    let mine = f.uc.history(a, &query).await.unwrap();
    assert_eq!(mine.items.len(), 3);
    let newest = &mine.items[0];
    assert_eq!(newest.direction, Direction::Out);
    assert_eq!(newest.amount, "0.66");
    assert_eq!(newest.balance_after, "37.00");
    assert_eq!(
        newest.counterparty,
        Counterparty::User {
            display: "b***".into()
        }
    );
    assert_eq!(mine.items[1].memo.as_deref(), Some("lunch"));
    assert_eq!(mine.items[2].kind, TransferKind::Deposit);
    assert_eq!(mine.items[2].counterparty, Counterparty::System);
    assert_eq!(mine.items[2].direction, Direction::In);
    let theirs = f.uc.history(b, &query).await.unwrap();
    assert_eq!(theirs.items.len(), 2);
    assert_eq!(theirs.items[0].direction, Direction::In);
    assert_eq!(theirs.items[0].balance_after, "13.00");
    assert_eq!(
        theirs.items[0].counterparty,
        Counterparty::User {
            display: "a***".into()
        }
    );
    assert_audit_clean(&f.uc).await;
}

#[tokio::test]
async fn transfers_are_refused_for_the_right_reasons_and_write_nothing() {
    let f = fixture().await;
    let a = user(&f.uc, "alice").await;
    let b = user(&f.uc, "bob_b").await;
    let c = user(&f.uc, "carol").await;
    deposit(&f.uc, a, "10").await;
    deposit(&f.uc, c, "10").await;
    let before = journal_rows(&f.db.sql).await;
    let svc = service();
    let auth = Authorisation::Service(&svc);
    let id = fresh_id();
    let cases: Vec<(Transfer<'_>, ErrorCode)> = vec![
        (
            pay(a, Recipient::UserId(a), "1", &id),
            ErrorCode::CannotTransferToSelf,
        ),
        (
            pay(a, Recipient::Identifier("alice@example.com"), "1", &id),
            ErrorCode::CannotTransferToSelf,
        ),
        (
            pay(a, Recipient::UserId(9999), "1", &id),
            ErrorCode::RecipientNotFound,
        ),
        (
            pay(a, Recipient::Identifier("nobody@example.com"), "1", &id),
            ErrorCode::RecipientNotFound,
        ),
        (
            pay(a, Recipient::Identifier("@@"), "1", &id),
            ErrorCode::InvalidIdentifier,
        ),
        (
            pay(a, Recipient::UserId(b), "10.01", &id),
            ErrorCode::InsufficientFunds,
        ),
        (
            pay(b, Recipient::UserId(a), "1", &id),
            ErrorCode::InsufficientFunds,
        ),
        (
            pay(9999, Recipient::UserId(a), "1", &id),
            ErrorCode::NotFound,
        ),
        (
            Transfer {
                currency: "XYZ",
                ..pay(a, Recipient::UserId(b), "1", &id)
            },
            ErrorCode::UnknownCurrency,
        ),
    ];
    for (t, code) in cases {
        assert_eq!(code_of(f.uc.transfer(t, auth).await), code, "{t:?}");
    }
    set_status(&f.db.sql, b, "frozen").await;
    assert_eq!(
        code_of(
            f.uc.transfer(pay(a, Recipient::UserId(b), "1", &id), auth)
                .await
        ),
        ErrorCode::RecipientUnavailable
    );
    set_status(&f.db.sql, a, "closed").await;
    assert_eq!(
        code_of(
            f.uc.transfer(pay(a, Recipient::UserId(c), "1", &id), auth)
                .await
        ),
        ErrorCode::WalletRestricted
    );
    set_status(&f.db.sql, a, "normal").await;
    f.uc.set_currency_enabled("CNY", false).await.unwrap();
    assert_eq!(
        code_of(
            f.uc.transfer(pay(a, Recipient::UserId(c), "1", &id), auth)
                .await
        ),
        ErrorCode::CurrencyDisabled
    );
    f.uc.set_currency_enabled("CNY", true).await.unwrap();
    // With a PIN: none set yet.
    assert_eq!(
        code_of(
            f.uc.transfer(
                pay(a, Recipient::UserId(c), "1", &id),
                Authorisation::Pin("135790")
            )
            .await
        ),
        ErrorCode::PinNotSet
    );
    assert_eq!(journal_rows(&f.db.sql).await, before);
    // The same request id now succeeds: refusals are not recorded.
    f.uc.transfer(pay(a, Recipient::UserId(c), "1", &id), auth)
        .await
        .unwrap();
    assert_eq!(cny(&f.db.sql, c).await, (1100, 0));
    assert_audit_clean(&f.uc).await;
}

#[tokio::test]
async fn holds_freeze_unfreeze_and_settle() {
    let f = fixture().await;
    let a = user(&f.uc, "alice").await;
    let b = user(&f.uc, "bob_b").await;
    deposit(&f.uc, a, "100").await;
    let svc = service();
    let op = |amount: &'static str| {
        let id = fresh_id();
        move |uc: UserCenter, kind: TransferKind| async move {
            let m = movement(a, "CNY", amount, &id);
            match kind {
                TransferKind::Freeze => uc.freeze(m, &service()).await,
                TransferKind::Unfreeze => uc.unfreeze(m, &service()).await,
                TransferKind::Settle => uc.settle(m, &service()).await,
                _ => unreachable!(),
            }
        }
    };
    let r = op("60")(f.uc.clone(), TransferKind::Freeze).await.unwrap();
    assert_eq!(
        (
            r.balance.available_minor,
            r.balance.frozen_minor,
            r.balance.posted_minor
        ),
        (4000, 6000, 10000)
    );
    assert_eq!(
        code_of(op("40.01")(f.uc.clone(), TransferKind::Freeze).await),
        ErrorCode::InsufficientFunds
    );
    // Frozen money cannot be spent.
    let id = fresh_id();
    assert_eq!(
        code_of(
            f.uc.transfer(
                pay(a, Recipient::UserId(b), "40.01", &id),
                Authorisation::Service(&svc)
            )
            .await
        ),
        ErrorCode::InsufficientFunds
    );
    let r = op("10")(f.uc.clone(), TransferKind::Unfreeze)
        .await
        .unwrap();
    assert_eq!(r.balance.frozen_minor, 5000);
    assert_eq!(
        code_of(op("50.01")(f.uc.clone(), TransferKind::Settle).await),
        ErrorCode::InsufficientFrozen
    );
    assert_eq!(
        code_of(op("50.01")(f.uc.clone(), TransferKind::Unfreeze).await),
        ErrorCode::InsufficientFrozen
    );
    let r = op("30")(f.uc.clone(), TransferKind::Settle).await.unwrap();
    assert_eq!(
        (
            r.balance.available_minor,
            r.balance.frozen_minor,
            r.balance.posted_minor
        ),
        (5000, 2000, 7000)
    );
    // A frozen account can still be held and settled (compliance), not paid out.
    set_status(&f.db.sql, a, "frozen").await;
    op("10")(f.uc.clone(), TransferKind::Freeze).await.unwrap();
    op("10")(f.uc.clone(), TransferKind::Settle).await.unwrap();
    let id = fresh_id();
    assert_eq!(
        code_of(f.uc.withdraw(movement(a, "CNY", "1", &id), &svc).await),
        ErrorCode::WalletRestricted
    );
    // A disabled currency still lets holds be resolved.
    f.uc.set_currency_enabled("CNY", false).await.unwrap();
    op("5")(f.uc.clone(), TransferKind::Unfreeze).await.unwrap();
    assert_eq!(
        code_of(op("5")(f.uc.clone(), TransferKind::Freeze).await),
        ErrorCode::CurrencyDisabled
    );
    assert_eq!(cny(&f.db.sql, a).await, (6000, 1500));
    let kinds: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT kind, debit_account, credit_account FROM wallet_transfers WHERE kind IN ('freeze', 'unfreeze')",
    )
    .fetch_all(&f.db.sql)
    .await
    .unwrap();
    assert!(kinds.iter().all(|(_, d, c)| d == c));
    assert_audit_clean(&f.uc).await;
}

#[tokio::test]
async fn idempotent_requests_move_money_once() {
    let f = fixture().await;
    let a = user(&f.uc, "alice").await;
    let b = user(&f.uc, "bob_b").await;
    deposit(&f.uc, a, "100").await;
    set_pin(&f.uc, a, "135790").await.unwrap();
    let t = pay(a, Recipient::UserId(b), "10", "order-1");
    let first =
        f.uc.transfer(t, Authorisation::Pin("135790"))
            .await
            .unwrap();
    // Even after the balance changed, the retry returns the original receipt.
    deposit(&f.uc, a, "1").await;
    let again =
        f.uc.transfer(t, Authorisation::Pin("135790"))
            .await
            .unwrap();
    assert!(again.replayed);
    assert_eq!(
        Receipt {
            replayed: false,
            ..again
        },
        first
    );
    // By identifier it is the same normalised request.
    let by_name = Transfer {
        to: Recipient::Identifier("bob_b"),
        ..t
    };
    assert!(
        f.uc.transfer(by_name, Authorisation::Pin("135790"))
            .await
            .unwrap()
            .replayed
    );
    assert_eq!(cny(&f.db.sql, b).await, (1000, 0));
    let (rows,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM wallet_transfers WHERE request_id = 'order-1'")
            .fetch_one(&f.db.sql)
            .await
            .unwrap();
    assert_eq!(rows, 1);
    // Same id, different content.
    for changed in [
        Transfer { amount: "11", ..t },
        Transfer { memo: "x", ..t },
        Transfer {
            currency: "USD",
            ..t
        },
    ] {
        assert_eq!(
            code_of(f.uc.transfer(changed, Authorisation::Pin("135790")).await),
            ErrorCode::IdempotencyConflict
        );
    }
    // "10" and "10.00" are the same amount.
    assert!(
        f.uc.transfer(
            Transfer {
                amount: "10.00",
                ..t
            },
            Authorisation::Pin("135790")
        )
        .await
        .unwrap()
        .replayed
    );
    // Ids are per actor: a service may use "order-1" for its own request.
    let svc = service();
    let other =
        f.uc.transfer(t, Authorisation::Service(&svc))
            .await
            .unwrap();
    assert!(!other.replayed);
    assert_eq!(cny(&f.db.sql, b).await, (2000, 0));
    // Movements replay too, and a deposit id reused for a withdrawal conflicts.
    let m = movement(a, "CNY", "5", "dep-1");
    let d1 = f.uc.deposit(m, &svc).await.unwrap();
    let d2 = f.uc.deposit(m, &svc).await.unwrap();
    assert_eq!(d1.transfer_id, d2.transfer_id);
    assert_eq!(
        code_of(f.uc.withdraw(m, &svc).await),
        ErrorCode::IdempotencyConflict
    );
    assert_audit_clean(&f.uc).await;
}

#[tokio::test]
async fn concurrent_retries_of_one_request_move_money_once() {
    let f = fixture().await;
    let a = user(&f.uc, "alice").await;
    let b = user(&f.uc, "bob_b").await;
    deposit(&f.uc, a, "100").await;
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let uc = f.uc.clone();
            tokio::spawn(async move {
                let svc = service();
                uc.transfer(
                    pay(a, Recipient::UserId(b), "7", "same"),
                    Authorisation::Service(&svc),
                )
                .await
            })
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    let mut fresh = 0;
    for t in tasks {
        let r = t.await.unwrap().unwrap();
        ids.insert(r.transfer_id);
        fresh += usize::from(!r.replayed);
    }
    assert_eq!((ids.len(), fresh), (1, 1));
    assert_eq!(cny(&f.db.sql, b).await, (700, 0));
    assert_audit_clean(&f.uc).await;
}

#[tokio::test]
async fn pin_rules_set_change_replace_and_status() {
    let f = fixture().await;
    let a = user(&f.uc, "alice").await;
    let status = f.uc.pin_status(a).await.unwrap();
    assert!(!status.set && !status.locked);
    for (pin, code) in [
        ("12345", ErrorCode::InvalidPin),
        ("12345a", ErrorCode::InvalidPin),
        ("123456", ErrorCode::WeakPin),
        ("000000", ErrorCode::WeakPin),
        ("987654", ErrorCode::WeakPin),
    ] {
        assert_eq!(code_of(set_pin(&f.uc, a, pin).await), code, "{pin}");
    }
    set_pin(&f.uc, a, "135790").await.unwrap();
    assert_eq!(
        code_of(set_pin(&f.uc, a, "246801").await),
        ErrorCode::PinAlreadySet
    );
    let status = f.uc.pin_status(a).await.unwrap();
    assert!(status.set);
    assert_eq!(status.remaining_attempts, 5);
    // A wrong old PIN is counted.
    let e =
        f.uc.change_payment_pin(a, "111112", "246801")
            .await
            .unwrap_err();
    assert_eq!(e.code(), ErrorCode::PinIncorrect);
    assert_eq!(e.to_app_error().login.unwrap().remaining_consecutive, 4);
    assert_eq!(f.uc.pin_status(a).await.unwrap().remaining_attempts, 4);
    f.uc.change_payment_pin(a, "135790", "246801")
        .await
        .unwrap();
    // Success forgave the failures.
    assert_eq!(f.uc.pin_status(a).await.unwrap().remaining_attempts, 5);
    f.uc.verify_payment_pin(a, "246801").await.unwrap();
    assert_eq!(
        code_of(f.uc.verify_payment_pin(a, "135790").await),
        ErrorCode::PinIncorrect
    );
    f.uc.replace_payment_pin(a, "975310").await.unwrap();
    f.uc.verify_payment_pin(a, "975310").await.unwrap();
    // A malformed PIN is refused without counting a failure.
    assert_eq!(
        code_of(f.uc.verify_payment_pin(a, "1").await),
        ErrorCode::InvalidPin
    );
    assert_eq!(f.uc.pin_status(a).await.unwrap().remaining_attempts, 5);
    // replace also works as a first activation.
    let b = user(&f.uc, "bob_b").await;
    f.uc.replace_payment_pin(b, "975310").await.unwrap();
    assert!(f.uc.pin_status(b).await.unwrap().set);
}

#[tokio::test]
async fn the_first_pin_needs_the_password_not_just_a_session() {
    let f = fixture().await;
    let a = user(&f.uc, "alice").await;
    let auth = session_of(&f.uc, a, PASSWORD).await;
    assert_eq!(
        code_of(PinProof::from_request(None, Some(""))),
        ErrorCode::ProofRequired,
        "a session alone is not a proof"
    );
    let e =
        f.uc.set_payment_pin(&auth, "135790", PinProof::Password("not my password"))
            .await
            .unwrap_err();
    assert_eq!(e.code(), ErrorCode::PasswordIncorrect);
    assert_eq!(e.to_app_error().login.unwrap().remaining_consecutive, 4);
    assert!(!f.uc.pin_status(a).await.unwrap().set);
    // Wrong guesses here count with the other password re-entries.
    for _ in 0..3 {
        let _ =
            f.uc.set_payment_pin(&auth, "135790", PinProof::Password("not my password"))
                .await;
    }
    assert_eq!(
        code_of(
            f.uc.set_payment_pin(&auth, "135790", PinProof::Password("still not it"))
                .await
        ),
        ErrorCode::ReentryLocked
    );
    assert!(!f.uc.pin_status(a).await.unwrap().set);
    let b = user(&f.uc, "bob_b").await;
    let auth = session_of(&f.uc, b, PASSWORD).await;
    f.uc.set_payment_pin(&auth, "135790", PinProof::Password(PASSWORD))
        .await
        .unwrap();
    assert!(f.uc.pin_status(b).await.unwrap().set);
}

#[tokio::test]
async fn pin_equal_to_the_password_is_refused() {
    let f = fixture().await;
    // The password policy cannot produce such an account today; an imported
    // one (or a laxer future policy) could.
    let a = user(&f.uc, "alice").await;
    let hash = f.uc.hasher.hash("864213").await.unwrap();
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(&hash.0)
        .bind(a)
        .execute(&f.db.sql)
        .await
        .unwrap();
    assert_eq!(
        code_of(set_pin_with(&f.uc, a, "864213", "864213").await),
        ErrorCode::PinSameAsPassword
    );
    set_pin_with(&f.uc, a, "864214", "864213").await.unwrap();
    assert_eq!(
        code_of(f.uc.change_payment_pin(a, "864214", "864213").await),
        ErrorCode::PinSameAsPassword
    );
    assert_eq!(
        code_of(f.uc.replace_payment_pin(a, "864213").await),
        ErrorCode::PinSameAsPassword
    );
}

#[tokio::test]
async fn wrong_pins_count_down_then_lock_for_an_hour() {
    let (f, clock) = clocked_fixture().await;
    let a = user(&f.uc, "alice").await;
    let b = user(&f.uc, "bob_b").await;
    deposit(&f.uc, a, "10").await;
    set_pin(&f.uc, a, "135790").await.unwrap();
    let id = fresh_id();
    let t = pay(a, Recipient::UserId(b), "1", &id);
    for remaining in [4, 3, 2, 1] {
        let e =
            f.uc.transfer(t, Authorisation::Pin("999990"))
                .await
                .unwrap_err();
        assert_eq!(e.code(), ErrorCode::PinIncorrect);
        assert_eq!(
            e.to_app_error().login.unwrap().remaining_consecutive,
            remaining
        );
    }
    let e =
        f.uc.transfer(t, Authorisation::Pin("999990"))
            .await
            .unwrap_err();
    assert_eq!(e.code(), ErrorCode::PinLocked);
    assert_eq!(e.to_app_error().retry_after_secs, Some(3600));
    // The right PIN does not help while locked.
    assert_eq!(
        code_of(f.uc.transfer(t, Authorisation::Pin("135790")).await),
        ErrorCode::PinLocked
    );
    let status = f.uc.pin_status(a).await.unwrap();
    assert!(status.locked);
    assert_eq!(status.remaining_attempts, 0);
    clock.advance(3599);
    assert_eq!(
        code_of(f.uc.transfer(t, Authorisation::Pin("135790")).await),
        ErrorCode::PinLocked
    );
    clock.advance(1);
    f.uc.transfer(t, Authorisation::Pin("135790"))
        .await
        .unwrap();
    assert_eq!(f.uc.pin_status(a).await.unwrap().remaining_attempts, 5);
    assert_audit_clean(&f.uc).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_wrong_pins_reach_the_hash_exactly_five_times() {
    let (f, clock) = clocked_fixture().await;
    let a = user(&f.uc, "alice").await;
    let b = user(&f.uc, "bob_b").await;
    deposit(&f.uc, a, "10").await;
    set_pin(&f.uc, a, "135790").await.unwrap();
    let before = f.uc.hasher.verifications();
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let uc = f.uc.clone();
            tokio::spawn(async move {
                let id = format!("guess-{i}");
                uc.transfer(
                    pay(a, Recipient::UserId(b), "1", &id),
                    Authorisation::Pin("999990"),
                )
                .await
                .unwrap_err()
                .code()
            })
        })
        .collect();
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.unwrap());
    }
    assert_eq!(f.uc.hasher.verifications() - before, 5);
    let incorrect = codes
        .iter()
        .filter(|&&c| c == ErrorCode::PinIncorrect)
        .count();
    let locked = codes.iter().filter(|&&c| c == ErrorCode::PinLocked).count();
    assert_eq!((incorrect, locked), (4, 16), "{codes:?}");
    // A replaced PIN (after a verified code) lifts the lock at once.
    clock.advance(60);
    f.uc.replace_payment_pin(a, "246801").await.unwrap();
    let id = fresh_id();
    f.uc.transfer(
        pay(a, Recipient::UserId(b), "1", &id),
        Authorisation::Pin("246801"),
    )
    .await
    .unwrap();
    assert_eq!(journal_rows(&f.db.sql).await, 2);
    assert_audit_clean(&f.uc).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_parallel_transfers_with_the_right_pin_all_go_through() {
    let f = fixture().await;
    let a = user(&f.uc, "alice").await;
    let b = user(&f.uc, "bob_b").await;
    deposit(&f.uc, a, "100").await;
    set_pin(&f.uc, a, "135790").await.unwrap();
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let uc = f.uc.clone();
            tokio::spawn(async move {
                let id = format!("order-{i}");
                uc.transfer(
                    pay(a, Recipient::UserId(b), "1", &id),
                    Authorisation::Pin("135790"),
                )
                .await
            })
        })
        .collect();
    let mut receipts = 0;
    for t in tasks {
        t.await.unwrap().expect("a right PIN pays");
        receipts += 1;
    }
    assert_eq!(receipts, 20);
    assert_eq!(cny(&f.db.sql, b).await, (2000, 0));
    assert_eq!(f.uc.pin_status(a).await.unwrap().remaining_attempts, 5);
    assert_audit_clean(&f.uc).await;
}

#[tokio::test]
async fn history_pages_by_cursor_and_filters_by_kind_and_time() {
    let (f, clock) = clocked_fixture().await;
    let a = user(&f.uc, "alice").await;
    let b = user(&f.uc, "bob_b").await;
    let start = crate::clock::Clock::now(&clock);
    for _ in 0..25 {
        deposit(&f.uc, a, "1").await;
        clock.advance(10);
    }
    let svc = service();
    for _ in 0..5 {
        let id = fresh_id();
        f.uc.transfer(
            pay(a, Recipient::UserId(b), "0.10", &id),
            Authorisation::Service(&svc),
        )
        .await
        .unwrap();
        clock.advance(10);
    }
    let mut query = HistoryRequest {
        currency: "CNY".into(),
        limit: Some(12),
        ..HistoryRequest::default()
    };
    let mut seen = Vec::new();
    loop {
        let page = f.uc.history(a, &query).await.unwrap();
        assert!(page.items.len() <= 12);
        seen.extend(page.items.iter().map(|i| i.id));
        match page.next_cursor {
            Some(c) => query.cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len(), 30);
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "newest first, no repeats"
    );

    let only = |kinds: Vec<TransferKind>| HistoryRequest {
        currency: "CNY".into(),
        kinds,
        limit: Some(100),
        ..HistoryRequest::default()
    };
    let transfers =
        f.uc.history(a, &only(vec![TransferKind::Transfer]))
            .await
            .unwrap();
    assert_eq!(transfers.items.len(), 5);
    assert!(transfers
        .items
        .iter()
        .all(|i| i.direction == Direction::Out));
    let both = only(vec![TransferKind::Transfer, TransferKind::Deposit]);
    assert_eq!(f.uc.history(a, &both).await.unwrap().items.len(), 30);
    assert!(f
        .uc
        .history(a, &only(vec![TransferKind::Settle]))
        .await
        .unwrap()
        .items
        .is_empty());
    // The first ten deposits: [start, start + 100).
    let window = HistoryRequest {
        from: Some(start),
        until: Some(start + 100),
        ..only(vec![])
    };
    let page = f.uc.history(a, &window).await.unwrap();
    assert_eq!(page.items.len(), 10);
    assert_eq!(page.items[0].balance_after, "10.00");
    // Other currencies and strangers see nothing; bad limits are refused.
    let usd = HistoryRequest {
        currency: "USD".into(),
        ..HistoryRequest::default()
    };
    assert!(f.uc.history(a, &usd).await.unwrap().items.is_empty());
    let c = user(&f.uc, "carol").await;
    assert!(f
        .uc
        .history(c, &only(vec![]))
        .await
        .unwrap()
        .items
        .is_empty());
    for limit in [0, 101] {
        let q = HistoryRequest {
            limit: Some(limit),
            ..only(vec![])
        };
        assert_eq!(code_of(f.uc.history(a, &q).await), ErrorCode::InvalidInput);
    }
    assert_eq!(
        code_of(
            f.uc.history(
                a,
                &HistoryRequest {
                    currency: "NOPE".into(),
                    ..HistoryRequest::default()
                }
            )
            .await
        ),
        ErrorCode::UnknownCurrency
    );
    assert_audit_clean(&f.uc).await;
}

#[tokio::test]
async fn balance_series_gives_end_of_day_balances() {
    let (f, clock) = clocked_fixture().await;
    let a = user(&f.uc, "alice").await;
    // Start at 12:00 UTC of some day.
    let now = crate::clock::Clock::now(&clock);
    clock.advance(86_400 - now.rem_euclid(86_400) + 12 * 3600);
    deposit(&f.uc, a, "5").await; // 40 days ago (before the window)
    clock.advance(40 * 86_400);
    // Today minus 2 days: two deposits, the last one counts.
    deposit(&f.uc, a, "1").await;
    clock.advance(3600);
    deposit(&f.uc, a, "1").await;
    clock.advance(2 * 86_400 - 3600);
    let id = fresh_id();
    f.uc.withdraw(movement(a, "CNY", "2", &id), &service())
        .await
        .unwrap();
    let series = f.uc.balance_series(a, "CNY", 30).await.unwrap();
    assert_eq!(series.len(), 30);
    let balances: Vec<i64> = series.iter().map(|(_, b)| *b).collect();
    assert!(balances[..27].iter().all(|&b| b == 500), "{balances:?}");
    assert_eq!(&balances[27..], [700, 700, 500]);
    let today = time::OffsetDateTime::from_unix_timestamp(crate::clock::Clock::now(&clock))
        .unwrap()
        .date();
    assert_eq!(series[29].0, today);
    assert!(series
        .windows(2)
        .all(|w| w[1].0 == w[0].0.next_day().unwrap()));
    let chart = f.uc.balance_chart(a, "CNY", 30).await.unwrap();
    assert_eq!(chart[29].balance, "5.00");
    assert_eq!(chart[29].date, today.to_string());
    // No account: all zero.
    let b = user(&f.uc, "bob_b").await;
    let empty = f.uc.balance_series(b, "CNY", 30).await.unwrap();
    assert!(empty.iter().all(|(_, v)| *v == 0) && empty.len() == 30);
}

#[tokio::test]
async fn the_database_refuses_overdrafts_and_the_auditor_finds_tampering() {
    let f = fixture().await;
    let a = user(&f.uc, "alice").await;
    deposit(&f.uc, a, "10").await;
    // The CHECK constraints hold even against code that skips the checks.
    for sql in [
        "UPDATE wallet_accounts SET posted = -1 WHERE user_id = $1",
        "UPDATE wallet_accounts SET frozen = posted + 1 WHERE user_id = $1",
        "UPDATE wallet_accounts SET frozen = -1 WHERE user_id = $1",
    ] {
        let r = sqlx::query(sql).bind(a).execute(&f.db.sql).await;
        assert!(r.is_err(), "{sql}");
    }
    let zero = sqlx::query(
        "INSERT INTO wallet_transfers (kind, currency, debit_account, credit_account, amount,
           debit_posted_after, debit_frozen_after, credit_posted_after, credit_frozen_after,
           actor_service, request_id, created_at)
         VALUES ('deposit', 'CNY', 1, 2, 0, 0, 0, 0, 0, 'x', 'x', 0)",
    )
    .execute(&f.db.sql)
    .await;
    assert!(zero.is_err());
    assert_audit_clean(&f.uc).await;

    sqlx::query("UPDATE wallet_accounts SET posted = posted + 1 WHERE user_id = $1")
        .bind(a)
        .execute(&f.db.sql)
        .await
        .unwrap();
    let report = f.uc.audit_ledger().await.unwrap();
    assert_eq!(report.transfers, 1);
    assert!(
        matches!(
            report.problems.as_slice(),
            [
                super::AuditProblem::PostedMismatch {
                    stored: 1001,
                    journal: 1000,
                    ..
                },
                super::AuditProblem::Unbalanced { sum: 1, .. }
            ]
        ),
        "{:?}",
        report.problems
    );
    sqlx::query("UPDATE wallet_accounts SET posted = posted - 1 WHERE user_id = $1")
        .bind(a)
        .execute(&f.db.sql)
        .await
        .unwrap();
    sqlx::query("UPDATE wallet_transfers SET credit_posted_after = 999")
        .execute(&f.db.sql)
        .await
        .unwrap();
    let report = f.uc.audit_ledger().await.unwrap();
    assert!(matches!(
        report.problems.as_slice(),
        [super::AuditProblem::SnapshotMismatch { .. }]
    ));
}

/// A tiny deterministic generator, so the stress tests need no extra crate.
pub(super) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_random_transfers_conserve_money() {
    let f = fixture().await;
    let mut users = Vec::new();
    for i in 0..10 {
        let id = user(&f.uc, &format!("user{i}")).await;
        deposit(&f.uc, id, "1000").await;
        users.push(id);
    }
    let users = std::sync::Arc::new(users);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    let tasks: Vec<_> = (0..32u64)
        .map(|task| {
            let uc = f.uc.clone();
            let users = users.clone();
            tokio::spawn(async move {
                let mut rng = Rng::new(task + 1);
                let svc = Actor::Service(format!("task{task}"));
                let (mut moved, mut replays, mut refused) = (0u64, 0u64, 0u64);
                let mut last: Option<(usize, usize, String, String)> = None;
                let mut n = 0;
                while std::time::Instant::now() < deadline {
                    // One in five requests is a retry of the previous one.
                    let (from, to, amount, id) = match last.take() {
                        Some(prev) if rng.below(5) == 0 => prev,
                        _ => {
                            n += 1;
                            let from = rng.below(10) as usize;
                            let to = (from + 1 + rng.below(9) as usize) % 10;
                            let amount =
                                shared::money::format_amount(1 + rng.below(50_000) as i64, 2);
                            (from, to, amount, format!("t{task}-{n}"))
                        }
                    };
                    let t = Transfer {
                        from_user: users[from],
                        to: Recipient::UserId(users[to]),
                        currency: "CNY",
                        amount: &amount,
                        memo: "",
                        request_id: &id,
                    };
                    match uc.transfer(t, Authorisation::Service(&svc)).await {
                        Ok(r) if r.replayed => replays += 1,
                        Ok(_) => moved += 1,
                        Err(e) => {
                            assert_eq!(e.code(), ErrorCode::InsufficientFunds, "{e}");
                            refused += 1;
                        }
                    }
                    last = Some((from, to, amount, id));
                }
                (moved, replays, refused)
            })
        })
        .collect();
    let (mut moved, mut replays, mut refused) = (0, 0, 0);
    for t in tasks {
        let (m, r, x) = t.await.unwrap();
        moved += m;
        replays += r;
        refused += x;
    }
    assert!(moved > 50, "only {moved} transfers");
    assert!(replays > 0);
    eprintln!("concurrent transfers: {moved} moved, {replays} replays, {refused} refused");
    let (journal,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM wallet_transfers WHERE kind = 'transfer'")
            .fetch_one(&f.db.sql)
            .await
            .unwrap();
    assert_eq!(journal as u64, moved);
    let dupes: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT actor_service, request_id, COUNT(*) FROM wallet_transfers
         GROUP BY actor_service, request_id HAVING COUNT(*) > 1",
    )
    .fetch_all(&f.db.sql)
    .await
    .unwrap();
    assert!(dupes.is_empty(), "{dupes:?}");
    let mut total = 0;
    for &u in users.iter() {
        let (posted, frozen) = cny(&f.db.sql, u).await;
        assert!(posted >= 0 && frozen == 0);
        total += posted;
    }
    assert_eq!(total, 10 * 100_000);
    assert_audit_clean(&f.uc).await;
}

/// Throughput of service-path transfers: `cargo test --release -p domain
/// transfer_throughput -- --ignored --nocapture`. `TRANSFERS=n` sets the
/// count; `SYNC=normal` measures with `synchronous=NORMAL` instead of the
/// production FULL, to show what the per-commit fsync costs.
#[tokio::test(flavor = "multi_thread")]
#[ignore]
async fn transfer_throughput() {
    let mut f = fixture().await;
    if std::env::var("SYNC").as_deref() == Ok("normal") {
        // SQLite-only: `synchronous` is a SQLite setting, measured on a
        // SQLite file of its own.
        if f.db.is_postgres() {
            return;
        }
        use sqlx::sqlite::{
            SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
        };
        let options = SqliteConnectOptions::new()
            .filename(f._dir.path().join("normal.db"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .unwrap();
        sqlx::migrate!("./migrations").run(&pool).await.unwrap();
        let messenger = f.uc.messenger.clone();
        f.uc = UserCenter::new(
            crate::Pool::Sqlite(pool),
            b"test secret of thirty-two bytes!",
            crate::tests::test_settings(),
            messenger,
        )
        .unwrap();
        f.uc.open_vault().await.unwrap();
    }
    let mut users = Vec::new();
    for i in 0..100 {
        let id = user(&f.uc, &format!("user{i}")).await;
        deposit(&f.uc, id, "1000000").await;
        users.push(id);
    }
    let users = std::sync::Arc::new(users);
    let total: u64 = std::env::var("TRANSFERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let tasks = 64u64;
    let started = std::time::Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|task| {
            let uc = f.uc.clone();
            let users = users.clone();
            tokio::spawn(async move {
                let mut rng = Rng::new(task + 7);
                let svc = Actor::Service("bench".into());
                for n in 0..total / tasks {
                    let from = rng.below(100) as usize;
                    let to = (from + 1 + rng.below(99) as usize) % 100;
                    let id = format!("b{task}-{n}");
                    let t = Transfer {
                        from_user: users[from],
                        to: Recipient::UserId(users[to]),
                        currency: "CNY",
                        amount: "0.01",
                        memo: "",
                        request_id: &id,
                    };
                    uc.transfer(t, Authorisation::Service(&svc))
                        .await
                        .expect("transfer");
                }
            })
        })
        .collect();
    for h in handles {
        h.await.unwrap();
    }
    let elapsed = started.elapsed();
    let done = total / tasks * tasks;
    eprintln!(
        "{done} transfers by {tasks} tasks in {:.2} s: {:.0} transfers/s",
        elapsed.as_secs_f64(),
        done as f64 / elapsed.as_secs_f64()
    );
    assert_audit_clean(&f.uc).await;
}
