//! Currency management: who may do it, the fixed scale, what a disabled
//! currency still allows, the points currency and aliases.

use super::tests::{assert_audit_clean, fixture, fresh_id, service, user};
use super::{Authorisation, CurrencyAdmin, Movement, Recipient, Transfer};
use crate::store::users::Role;
use crate::tests::code_of;
use crate::UserCenter;
use shared::admin::{AuditAction, AuditQuery};
use shared::currency::{CurrencyEdit, NewCurrency};
use shared::wallet::HistoryRequest;
use shared::ErrorCode;

/// A new account with `role`.
async fn account(uc: &UserCenter, name: &str, role: Role) -> i64 {
    let id = user(uc, name).await;
    uc.set_role(name, role).await.unwrap();
    id
}

fn euro() -> NewCurrency {
    NewCurrency {
        code: "EUR".into(),
        name: "Euro".into(),
        name_zh: Some("欧元".into()),
        scale: 2,
        aliases: vec!["eur".into(), "7".into()],
    }
}

fn m<'a>(user_id: i64, currency: &'a str, amount: &'a str, id: &'a str) -> Movement<'a> {
    Movement {
        user_id,
        currency,
        amount,
        memo: "",
        request_id: id,
    }
}

/// Deposits `amount` of `currency` with a fresh request id.
async fn put(uc: &UserCenter, user_id: i64, currency: &str, amount: &str) {
    let id = fresh_id();
    uc.deposit(m(user_id, currency, amount, &id), &service())
        .await
        .expect("deposit");
}

async fn currency_audit_rows(uc: &UserCenter, boss: i64) -> Vec<serde_json::Value> {
    let page = uc
        .audit_log(
            boss,
            &AuditQuery {
                action: Some(AuditAction::CurrencyChanged),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    page.entries
        .iter()
        .map(|e| serde_json::from_str(&e.details).unwrap())
        .collect()
}

#[tokio::test]
async fn only_super_admins_and_the_command_line_manage_currencies() {
    let f = fixture().await;
    let uc = &f.uc;
    let boss = account(uc, "boss", Role::SuperAdmin).await;
    let staff = account(uc, "clerk", Role::Staff).await;
    let plain = user(uc, "plain").await;
    for who in [staff, plain, 999_999] {
        assert_eq!(
            code_of(uc.create_currency(who, &euro()).await),
            ErrorCode::Forbidden
        );
        assert_eq!(
            code_of(uc.switch_currency(who, "CNY", false).await),
            ErrorCode::Forbidden
        );
        assert_eq!(
            code_of(uc.edit_currency(who, "CNY", &CurrencyEdit::default()).await),
            ErrorCode::Forbidden
        );
        assert_eq!(
            code_of(uc.currency_details(who).await),
            ErrorCode::Forbidden
        );
    }
    assert!(uc
        .list_currencies(true)
        .await
        .unwrap()
        .iter()
        .all(|c| c.code != "EUR"));
    assert!(uc
        .list_currencies(false)
        .await
        .unwrap()
        .iter()
        .all(|c| c.enabled));

    let eur = uc.create_currency(boss, &euro()).await.unwrap();
    assert_eq!(
        (
            eur.name.as_str(),
            eur.name_zh.as_deref(),
            eur.scale,
            eur.enabled
        ),
        ("Euro", Some("欧元"), 2, true)
    );
    assert_eq!(eur.aliases, ["7", "eur"]);
    assert_eq!(
        code_of(uc.create_currency(boss, &euro()).await),
        ErrorCode::CurrencyExists
    );
    let renamed = uc
        .edit_currency(
            boss,
            "EUR",
            &CurrencyEdit {
                name: Some("Euro (EU)".into()),
                name_zh: Some(String::new()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (renamed.name.as_str(), renamed.name_zh),
        ("Euro (EU)", None)
    );
    assert_eq!(renamed.aliases, ["7", "eur"], "aliases not given stay");
    assert_eq!(
        code_of(
            uc.edit_currency(
                boss,
                "XYZ",
                &CurrencyEdit {
                    name: Some("x".into()),
                    ..Default::default()
                }
            )
            .await
        ),
        ErrorCode::UnknownCurrency
    );
    uc.switch_currency(boss, "EUR", false).await.unwrap();
    // Switching to the state it is in changes nothing and logs nothing.
    uc.switch_currency(boss, "EUR", false).await.unwrap();
    uc.set_currency_enabled("EUR", true).await.unwrap();

    let rows = currency_audit_rows(uc, boss).await;
    let changes: Vec<(&str, &str)> = rows
        .iter()
        .map(|d| (d["change"].as_str().unwrap(), d["via"].as_str().unwrap()))
        .collect();
    // Newest first.
    assert_eq!(
        changes,
        [
            ("enabled", "cli"),
            ("disabled", "console"),
            ("edited", "console"),
            ("added", "console")
        ]
    );
    assert_eq!(rows[2]["name"], "Euro (EU)");
    assert!(rows.iter().all(|d| d["code"] == "EUR"));
}

#[tokio::test]
async fn the_scale_is_fixed_once_a_journal_row_exists() {
    let f = fixture().await;
    let uc = &f.uc;
    let boss = account(uc, "boss", Role::SuperAdmin).await;
    let a = user(uc, "alice").await;
    uc.create_currency(boss, &euro()).await.unwrap();
    let scale = |s| CurrencyEdit {
        scale: Some(s),
        ..Default::default()
    };
    // Nothing moved yet: a mistake can still be corrected.
    assert_eq!(
        uc.edit_currency(boss, "EUR", &scale(3))
            .await
            .unwrap()
            .scale,
        3
    );
    assert_eq!(
        code_of(uc.edit_currency(boss, "EUR", &scale(9)).await),
        ErrorCode::InvalidCurrency
    );
    let locked = |uc: UserCenter| async move {
        uc.currency_details(CurrencyAdmin::CommandLine)
            .await
            .unwrap()
            .into_iter()
            .find(|d| d.currency.code == "EUR")
            .unwrap()
            .scale_locked
    };
    assert!(!locked(uc.clone()).await);
    // A hold is a journal row too: freeze after a deposit, then release all.
    put(uc, a, "EUR", "1.234").await;
    assert!(locked(uc.clone()).await);
    assert_eq!(
        code_of(uc.edit_currency(boss, "EUR", &scale(2)).await),
        ErrorCode::CurrencyScaleLocked
    );
    // The same scale again is no change; a rename still works.
    uc.edit_currency(
        boss,
        "EUR",
        &CurrencyEdit {
            scale: Some(3),
            name: Some("Euro".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // The database refuses it too, whoever writes.
    let direct = sqlx::query("UPDATE currencies SET scale = 2 WHERE code = 'EUR'")
        .execute(&f.db.sql)
        .await;
    assert!(direct.is_err());
    let eur = uc.balances(a).await.unwrap();
    let eur = eur.iter().find(|b| b.currency == "EUR").unwrap();
    assert_eq!((eur.scale, eur.available.as_str()), (3, "1.234"));
    // The seeded currencies have journal rows from now on as well.
    put(uc, a, "CNY", "1").await;
    assert_eq!(
        code_of(
            uc.edit_currency(CurrencyAdmin::CommandLine, "CNY", &scale(3))
                .await
        ),
        ErrorCode::CurrencyScaleLocked
    );
    assert_audit_clean(uc).await;
}

#[tokio::test]
async fn a_disabled_currency_lets_money_out_but_none_in() {
    let f = fixture().await;
    let uc = &f.uc;
    let boss = account(uc, "boss", Role::SuperAdmin).await;
    let a = user(uc, "alice").await;
    let b = user(uc, "bob_b").await;
    uc.create_currency(boss, &euro()).await.unwrap();
    put(uc, a, "EUR", "100").await;
    let hold = fresh_id();
    uc.freeze(m(a, "EUR", "30", &hold), &service())
        .await
        .unwrap();
    uc.switch_currency(boss, "EUR", false).await.unwrap();

    // Nothing comes in, nothing circulates, no new holds.
    let id = fresh_id();
    assert_eq!(
        code_of(uc.deposit(m(a, "EUR", "1", &id), &service()).await),
        ErrorCode::CurrencyDisabled
    );
    assert_eq!(
        code_of(uc.freeze(m(a, "EUR", "1", &id), &service()).await),
        ErrorCode::CurrencyDisabled
    );
    let svc = service();
    assert_eq!(
        code_of(
            uc.transfer(
                Transfer {
                    from_user: a,
                    to: Recipient::UserId(b),
                    currency: "EUR",
                    amount: "1",
                    memo: "",
                    request_id: &id,
                },
                Authorisation::Service(&svc),
            )
            .await
        ),
        ErrorCode::CurrencyDisabled
    );
    assert_eq!(
        code_of(uc.preview_transfer(a, "bob_b", "EUR", "1").await),
        ErrorCode::CurrencyDisabled
    );

    // The holder still sees it, marked disabled; others do not.
    let shown = uc.balances(a).await.unwrap();
    let eur = shown
        .iter()
        .find(|x| x.currency == "EUR")
        .expect("still shown");
    assert!(!eur.enabled);
    assert_eq!(
        (eur.available.as_str(), eur.frozen.as_str()),
        ("70.00", "30.00")
    );
    assert!(uc
        .balances(b)
        .await
        .unwrap()
        .iter()
        .all(|x| x.currency != "EUR"));
    assert!(uc
        .list_currencies(false)
        .await
        .unwrap()
        .iter()
        .all(|c| c.code != "EUR"));

    // Money goes out: a withdrawal, and the hold released and settled.
    uc.withdraw(m(a, "EUR", "70", &fresh_id()), &service())
        .await
        .unwrap();
    uc.unfreeze(m(a, "EUR", "10", &fresh_id()), &service())
        .await
        .unwrap();
    uc.settle(m(a, "EUR", "20", &fresh_id()), &service())
        .await
        .unwrap();
    uc.withdraw(m(a, "EUR", "10", &fresh_id()), &service())
        .await
        .unwrap();
    assert_eq!(
        code_of(
            uc.withdraw(m(a, "EUR", "0.01", &fresh_id()), &service())
                .await
        ),
        ErrorCode::InsufficientFunds
    );
    // Emptied: the card goes, the history stays readable.
    assert!(uc
        .balances(a)
        .await
        .unwrap()
        .iter()
        .all(|x| x.currency != "EUR"));
    let history = uc
        .history(
            a,
            &HistoryRequest {
                currency: "EUR".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(history.items.len(), 6);

    uc.switch_currency(boss, "EUR", true).await.unwrap();
    put(uc, a, "EUR", "5").await;
    assert_audit_clean(uc).await;
}

#[tokio::test]
async fn points_are_there_from_the_start_in_whole_numbers() {
    let f = fixture().await;
    let uc = &f.uc;
    let a = user(uc, "alice").await;
    let points = uc
        .list_currencies(false)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.code == "POINTS")
        .expect("seeded");
    assert_eq!(points.scale, 0);
    assert_eq!(points.name_in("zh-CN"), "积分");
    assert_eq!(points.name_in("en"), "Points");
    assert_eq!(points.aliases, ["integral"]);
    let zero = uc.balances(a).await.unwrap();
    let zero = zero.iter().find(|b| b.currency == "POINTS").unwrap();
    assert_eq!(zero.available, "0");
    put(uc, a, "POINTS", "120").await;
    let id = fresh_id();
    assert_eq!(
        code_of(uc.deposit(m(a, "POINTS", "1.5", &id), &service()).await),
        ErrorCode::AmountTooPrecise
    );
    let b = user(uc, "bob_b").await;
    super::tests::set_pin(uc, a, "480716").await.unwrap();
    uc.transfer(
        Transfer {
            from_user: a,
            to: Recipient::UserId(b),
            currency: "POINTS",
            amount: "20",
            memo: "thanks",
            request_id: &fresh_id(),
        },
        Authorisation::Pin("480716"),
    )
    .await
    .unwrap();
    let points_of = |id| async move {
        uc.balances(id)
            .await
            .unwrap()
            .into_iter()
            .find(|b| b.currency == "POINTS")
            .unwrap()
            .available
    };
    assert_eq!(points_of(a).await, "100");
    assert_eq!(points_of(b).await, "20");
    assert_audit_clean(uc).await;
}

#[tokio::test]
async fn aliases_address_one_currency_each() {
    let f = fixture().await;
    let uc = &f.uc;
    let boss = account(uc, "boss", Role::SuperAdmin).await;
    let a = user(uc, "alice").await;
    for (name, code) in [
        ("1", "CNY"),
        ("2", "USDT"),
        ("3", "BTC"),
        ("4", "USD"),
        ("integral", "POINTS"),
        (" CNY ", "CNY"),
    ] {
        assert_eq!(uc.resolve_currency(name).await.unwrap(), code, "{name}");
    }
    for unknown in ["5", "Integral", "cny", ""] {
        assert_eq!(
            code_of(uc.resolve_currency(unknown).await),
            ErrorCode::UnknownCurrency,
            "{unknown}"
        );
    }
    // Money addressed by alias is booked under the code, and the same
    // request under the code is the same request.
    let id = fresh_id();
    let r = uc
        .deposit(m(a, "1", "2.50", &id), &service())
        .await
        .unwrap();
    assert_eq!(r.currency, "CNY");
    let again = uc
        .deposit(m(a, "CNY", "2.50", &id), &service())
        .await
        .unwrap();
    assert!(again.replayed);

    let aliases = |list: &[&str]| CurrencyEdit {
        aliases: Some(list.iter().map(|s| s.to_string()).collect()),
        ..Default::default()
    };
    uc.create_currency(boss, &euro()).await.unwrap();
    for taken in ["1", "integral", "USD", "EUR"] {
        assert_eq!(
            code_of(uc.edit_currency(boss, "EUR", &aliases(&["9", taken])).await),
            ErrorCode::CurrencyAliasTaken,
            "{taken}"
        );
    }
    assert_eq!(
        code_of(uc.edit_currency(boss, "EUR", &aliases(&["no way"])).await),
        ErrorCode::InvalidCurrencyAlias
    );
    // A refused change leaves the old list.
    assert_eq!(uc.resolve_currency("eur").await.unwrap(), "EUR");
    assert_eq!(
        code_of(uc.resolve_currency("9").await),
        ErrorCode::UnknownCurrency
    );
    // A new code may not be someone's alias.
    uc.edit_currency(boss, "EUR", &aliases(&["EURO"]))
        .await
        .unwrap();
    assert_eq!(
        code_of(uc.resolve_currency("eur").await),
        ErrorCode::UnknownCurrency
    );
    let euro_code = NewCurrency {
        code: "EURO".into(),
        name: "Another euro".into(),
        ..Default::default()
    };
    assert_eq!(
        code_of(uc.create_currency(boss, &euro_code).await),
        ErrorCode::CurrencyAliasTaken
    );
    assert!(uc
        .list_currencies(true)
        .await
        .unwrap()
        .iter()
        .all(|c| c.code != "EURO"));
    // Moving an alias: off one currency, then onto another.
    uc.edit_currency(CurrencyAdmin::CommandLine, "CNY", &aliases(&[]))
        .await
        .unwrap();
    uc.edit_currency(boss, "EUR", &aliases(&["EURO", "1"]))
        .await
        .unwrap();
    assert_eq!(uc.resolve_currency("1").await.unwrap(), "EUR");
    assert_audit_clean(uc).await;
}

/// The scale may change until a currency's first journal row. An order whose
/// amount was read in the old scale, posted after the change, is refused
/// rather than posted as another amount.
#[tokio::test]
async fn an_order_read_in_a_scale_changed_since_is_refused() {
    let f = fixture().await;
    let uc = &f.uc;
    let ann = user(uc, "ann").await;
    uc.add_currency("EUR", "Euro", 2).await.unwrap();
    let m = Movement {
        user_id: ann,
        currency: "EUR",
        amount: "1.00",
        memo: "",
        request_id: &fresh_id(),
    };
    let (order, _) = uc
        .movement_order(shared::wallet::TransferKind::Deposit, m, &service(), None)
        .await
        .unwrap();
    let edit = CurrencyEdit {
        scale: Some(0),
        ..CurrencyEdit::default()
    };
    uc.edit_currency(CurrencyAdmin::CommandLine, "EUR", &edit)
        .await
        .unwrap();
    let refused = uc.ledger_writer().await.post(order, None).await;
    assert_eq!(code_of(refused), ErrorCode::InvalidAmount);
    assert_eq!(
        super::tests::balance_of(&f.db.sql, ann, "EUR").await,
        (0, 0)
    );
    // Sent again, it is read in the new scale: one whole euro, not 100.
    let receipt = uc.deposit(m, &service()).await.unwrap();
    assert_eq!((receipt.amount_minor, receipt.amount.as_str()), (1, "1"));
    assert_eq!(
        super::tests::balance_of(&f.db.sql, ann, "EUR").await,
        (1, 0)
    );
    assert_audit_clean(uc).await;
}
