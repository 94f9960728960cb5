//! Pre-opened accounts: opening, what they may and may not do, activation
//! by code (counted, racing) and by a trusted caller; sign-up with the
//! optional profile; the staff search's exact identifier match.

use crate::accounts::Registration;
use crate::activation::{GivenPassword, Opener, Opening, VouchedActivation};
use crate::codes::CodeRequest;
use crate::codes_tests::{code_sent_to, count_messages, outbox, solved_captcha};
use crate::password_digests::DigestScheme;
use crate::service_pins::PinAsSent;
use crate::store::users::Role;
use crate::tests::{client, code_of, fixture, Fixture};
use crate::wallet::tests::{fresh_id, session_of, set_pin};
use crate::wallet::{Actor, Authorisation, Movement, Recipient, Transfer};
use crate::Lang;
use shared::activation::ActivateRequest;
use shared::admin::{AuditAction, AuditQuery, UserSearch};
use shared::dto::CodePurpose;
use shared::identity::{Gender, IdType};
use shared::profile::{AccountState, UpdateProfileRequest};
use shared::{ErrorCode, Field};

const PASSWORD: &str = "correct horse battery";
const NEW_PASSWORD: &str = "a brand new password 7";
const PIN: &str = "024681";

async fn staff(f: &Fixture) -> i64 {
    f.uc.create_admin("staff@example.com", "", "", PASSWORD, Role::Staff)
        .await
        .unwrap()
        .id
}

fn opening<'a>(email: &'a str, phone: &'a str) -> Opening<'a> {
    Opening {
        email,
        phone,
        display_name: "Ann",
        ..Default::default()
    }
}

fn activation(contact: &str, code: &str) -> ActivateRequest {
    ActivateRequest {
        contact: contact.into(),
        code: code.into(),
        password: NEW_PASSWORD.into(),
        pin: PIN.into(),
    }
}

/// Sends a code for `purpose` as an anonymous visitor (captcha solved).
async fn send_as_visitor(f: &Fixture, contact: &str, purpose: CodePurpose) {
    let (key, answer) = solved_captcha(f).await;
    f.uc.send_code(
        CodeRequest {
            contact,
            purpose: Some(purpose),
            captcha_key: Some(&key),
            captcha_answer: Some(&answer),
            lang: Lang::En,
        },
        None,
        Some("127.0.0.9"),
    )
    .await
    .unwrap();
}

/// Waits for a background delivery: `n` messages to `to` in all.
async fn wait_for_messages(f: &Fixture, to: &str, n: usize) {
    for _ in 0..100 {
        if count_messages(f, to) >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!(
        "{n} messages to {to} expected, {} arrived",
        count_messages(f, to)
    );
}

fn movement<'a>(user_id: i64, amount: &'a str, id: &'a str) -> Movement<'a> {
    Movement {
        user_id,
        currency: "CNY",
        amount,
        memo: "",
        request_id: id,
    }
}

async fn balance(f: &Fixture, user_id: i64) -> i64 {
    f.uc.balances(user_id)
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.currency == "CNY")
        .map_or(0, |b| b.available_minor)
}

#[tokio::test]
async fn a_pre_opened_account_receives_money_and_is_usable_only_once_activated() {
    let f = fixture().await;
    let staff = staff(&f).await;
    let opened =
        f.uc.open_account(
            Opener::Staff(staff.into()),
            &opening("Ann@Example.com", "13800138000"),
        )
        .await
        .unwrap();
    let ann = opened.user.id;
    assert_eq!(opened.user.account_state, AccountState::PreOpened);
    assert_eq!(opened.user.account_state, AccountState::PreOpened);
    assert_eq!(opened.user.display_name.as_deref(), Some("Ann"));
    assert_eq!(opened.activation.sent_to, "a***@example.com");
    assert!(opened.activation.delivered);
    assert_eq!(opened.activation.expires_in_secs, 72 * 3600);
    // The message names the page with the contact, and carries the code.
    let message = crate::codes_tests::messages_to(&outbox(&f).join("email"), "ann@example.com");
    assert_eq!(message.len(), 1);
    // Quoted-printable: undo the soft line breaks and the escaped `=`.
    let text = message[0]
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    assert!(
        text.contains("/activate?contact=ann%40example.com"),
        "{text}"
    );
    let code = code_sent_to(&f, "ann@example.com").await;

    // It cannot sign in: no password is right, and proving a code says why.
    assert_eq!(
        code_of(f.uc.login("ann@example.com", "", None, &client()).await),
        ErrorCode::Required
    );
    assert_eq!(
        code_of(
            f.uc.login("13800138000", NEW_PASSWORD, None, &client())
                .await
        ),
        ErrorCode::InvalidCredentials
    );
    send_as_visitor(&f, "13800138000", CodePurpose::Login).await;
    let login_code = code_sent_to(&f, "13800138000").await;
    assert_eq!(
        code_of(
            f.uc.login_with_code("13800138000", &login_code, &client())
                .await
        ),
        ErrorCode::AccountNotActivated
    );

    // It receives money: a deposit, and a payment to its phone number.
    let bob =
        f.uc.create_admin("bob@example.com", "", "bob", PASSWORD, Role::User)
            .await
            .unwrap()
            .id;
    set_pin(&f.uc, bob, "135790").await.unwrap();
    let service = Actor::Service("tests".into());
    f.uc.deposit(movement(bob, "100.00", &fresh_id()), &service)
        .await
        .unwrap();
    f.uc.deposit(movement(ann, "5.00", &fresh_id()), &service)
        .await
        .unwrap();
    let id = fresh_id();
    f.uc.transfer(
        Transfer {
            from_user: bob,
            to: Recipient::Identifier("+86 138 0013 8000"),
            currency: "CNY",
            amount: "20.00",
            memo: "welcome",
            request_id: &id,
        },
        Authorisation::Pin("135790"),
    )
    .await
    .unwrap();
    assert_eq!(balance(&f, ann).await, 2500);

    // It cannot pay: no PIN, and no money leaves it however asked.
    let pay = |id: &'static str| Transfer {
        from_user: ann,
        to: Recipient::UserId(bob),
        currency: "CNY",
        amount: "1.00",
        memo: "",
        request_id: id,
    };
    assert_eq!(
        code_of(f.uc.transfer(pay("pay-1"), Authorisation::Pin(PIN)).await),
        ErrorCode::PinNotSet
    );
    assert_eq!(
        code_of(
            f.uc.transfer(pay("pay-2"), Authorisation::Service(&service))
                .await
        ),
        ErrorCode::WalletRestricted
    );
    assert_eq!(
        code_of(
            f.uc.withdraw(movement(ann, "1.00", &fresh_id()), &service)
                .await
        ),
        ErrorCode::WalletRestricted
    );

    // Activation with the code sets the password and the PIN.
    f.uc.activate_account(&activation("ANN@example.com", &code), &client())
        .await
        .unwrap();
    let user = f.uc.profile(ann).await.unwrap();
    assert_eq!(user.account_state, AccountState::Active);
    assert!(user.email_verified, "the code proved the email");
    assert!(f.uc.pin_status(ann).await.unwrap().set);
    let auth = session_of(&f.uc, ann, NEW_PASSWORD).await;
    assert_eq!(auth.user_id, ann);
    f.uc.transfer(pay("pay-3"), Authorisation::Pin(PIN))
        .await
        .unwrap();
    assert_eq!(balance(&f, ann).await, 2400);
    // The code is spent.
    assert_eq!(
        code_of(
            f.uc.activate_account(&activation("ann@example.com", "000000"), &client())
                .await
        ),
        ErrorCode::CodeIncorrect
    );

    let log = f.uc.audit_log(staff, &AuditQuery::default()).await.unwrap();
    let actions: Vec<_> = log
        .entries
        .iter()
        .filter(|e| e.target_id == Some(ann))
        .map(|e| (e.action, e.actor_id))
        .collect();
    assert!(actions.contains(&(AuditAction::AccountOpened, Some(staff))));
    assert!(actions.contains(&(AuditAction::AccountActivated, Some(ann))));
}

#[tokio::test]
async fn wrong_activation_codes_are_counted_and_answer_alike_for_every_contact() {
    let f = fixture().await;
    let staff = staff(&f).await;
    f.uc.open_account(Opener::Staff(staff.into()), &opening("", "13800138000"))
        .await
        .unwrap();
    let code = code_sent_to(&f, "13800138000").await;
    let wrong = if code == "111111" { "222222" } else { "111111" };
    for _ in 0..5 {
        assert_eq!(
            code_of(
                f.uc.activate_account(&activation("13800138000", wrong), &client())
                    .await
            ),
            ErrorCode::CodeIncorrect
        );
    }
    // Five wrong tries killed the code: the right one no longer works.
    assert_eq!(
        code_of(
            f.uc.activate_account(&activation("13800138000", &code), &client())
                .await
        ),
        ErrorCode::CodeIncorrect
    );
    // The owner asks the activation page for another.
    let before = count_messages(&f, "13800138000");
    send_as_visitor(&f, "13800138000", CodePurpose::Activation).await;
    wait_for_messages(&f, "13800138000", before + 1).await;
    let fresh = code_sent_to(&f, "13800138000").await;
    f.uc.activate_account(&activation("13800138000", &fresh), &client())
        .await
        .unwrap();

    // An active account's contact and an unknown one: the same answer to a
    // code request, nothing sent, and every code is just wrong.
    f.uc.create_admin("", "13700137000", "", PASSWORD, Role::User)
        .await
        .unwrap();
    for contact in ["13700137000", "nobody@example.com"] {
        let before = count_messages(&f, contact);
        send_as_visitor(&f, contact, CodePurpose::Activation).await;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert_eq!(count_messages(&f, contact), before, "{contact}");
        assert_eq!(
            code_of(
                f.uc.activate_account(&activation(contact, "123457"), &client())
                    .await
            ),
            ErrorCode::CodeIncorrect
        );
    }
    // Form errors come first and spend nothing.
    let mut weak = activation("13800138000", &fresh);
    weak.pin = "111111".into();
    let err =
        f.uc.activate_account(&weak, &client())
            .await
            .unwrap_err()
            .to_app_error();
    assert_eq!(
        (err.code, err.field),
        (ErrorCode::WeakPin, Some(Field::Pin))
    );
}

#[tokio::test]
async fn of_twenty_activations_at_once_exactly_one_wins() {
    let f = fixture().await;
    let staff = staff(&f).await;
    let ann =
        f.uc.open_account(Opener::Staff(staff.into()), &opening("ann@example.com", ""))
            .await
            .unwrap()
            .user
            .id;
    let code = code_sent_to(&f, "ann@example.com").await;
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let uc = f.uc.clone();
        let form = activation("ann@example.com", &code);
        tasks.push(tokio::spawn(async move {
            uc.activate_account(&form, &client()).await
        }));
    }
    let mut won = 0;
    let mut lost = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => won += 1,
            Err(e) => lost.push(e.code()),
        }
    }
    assert_eq!(won, 1, "losers: {lost:?}");
    assert_eq!(lost.len(), 19);
    assert!(
        lost.iter().all(|c| *c == ErrorCode::AccountAlreadyActive),
        "{lost:?}"
    );
    assert_eq!(
        f.uc.profile(ann).await.unwrap().account_state,
        AccountState::Active
    );
    session_of(&f.uc, ann, NEW_PASSWORD).await;
    // Someone without the code still learns nothing.
    assert_eq!(
        code_of(
            f.uc.activate_account(
                &activation(
                    "ann@example.com",
                    if code == "999999" { "999998" } else { "999999" }
                ),
                &client()
            )
            .await
        ),
        ErrorCode::CodeIncorrect
    );
}

#[tokio::test]
async fn only_staff_and_services_open_accounts_and_contacts_stay_unique() {
    let f = fixture().await;
    let staff = staff(&f).await;
    let user =
        f.uc.create_admin("user@example.com", "", "", PASSWORD, Role::User)
            .await
            .unwrap()
            .id;
    assert_eq!(
        code_of(
            f.uc.open_account(Opener::Staff(user.into()), &opening("x@example.com", ""))
                .await
        ),
        ErrorCode::Forbidden
    );
    assert_eq!(
        code_of(
            f.uc.open_account(
                Opener::Staff(staff.into()),
                &opening("User@example.com", "")
            )
            .await
        ),
        ErrorCode::EmailTaken
    );
    assert_eq!(
        code_of(
            f.uc.open_account(Opener::Staff(staff.into()), &opening("", ""))
                .await
        ),
        ErrorCode::ContactRequired
    );
    let by_app =
        f.uc.open_account(Opener::Service("app_shop"), &opening("", "13900139000"))
            .await
            .unwrap();
    let (app,): (Option<String>,) = sqlx::query_as(
        "SELECT actor_app FROM audit_log WHERE action = 'account_opened' AND target_id = $1",
    )
    .bind(by_app.user.id)
    .fetch_one(&f.db.sql)
    .await
    .unwrap();
    assert_eq!(app.as_deref(), Some("app_shop"));
    // A sign-up with a pre-opened account's contact is refused like any taken one.
    assert_eq!(
        code_of(
            f.uc.register(
                Registration {
                    phone: "13900139000",
                    password: PASSWORD,
                    ..Default::default()
                },
                &client()
            )
            .await
        ),
        ErrorCode::PhoneTaken
    );
    // Staff send a new code; the old one stops working.
    let first = code_sent_to(&f, "13900139000").await;
    let sent =
        f.uc.resend_activation(staff, by_app.user.id, Lang::ZhCn)
            .await
            .unwrap();
    assert_eq!(sent.sent_to, "139****9000");
    let second = code_sent_to(&f, "13900139000").await;
    if first != second {
        assert_eq!(
            code_of(
                f.uc.activate_account(&activation("13900139000", &first), &client())
                    .await
            ),
            ErrorCode::CodeIncorrect
        );
    }
    f.uc.activate_account(&activation("13900139000", &second), &client())
        .await
        .unwrap();
    assert_eq!(
        code_of(
            f.uc.resend_activation(staff, by_app.user.id, Lang::En)
                .await
        ),
        ErrorCode::AccountAlreadyActive
    );
}

#[tokio::test]
async fn a_trusted_caller_activates_with_the_pin_and_a_password() {
    let f = fixture().await;
    let ann =
        f.uc.open_account(Opener::Service("app_shop"), &opening("ann@example.com", ""))
            .await
            .unwrap()
            .user
            .id;
    let vouched = |password, code| VouchedActivation {
        user_id: ann,
        pin: PinAsSent::Plain(PIN),
        password,
        code,
        contact: None,
        via: "app_shop",
    };
    let err =
        f.uc.activate_for_service(vouched(None, None))
            .await
            .unwrap_err()
            .to_app_error();
    assert_eq!(
        (err.code, err.field),
        (ErrorCode::Required, Some(Field::Password))
    );
    assert_eq!(
        code_of(
            f.uc.activate_for_service(vouched(
                Some(GivenPassword::Plain(NEW_PASSWORD)),
                Some("000000")
            ))
            .await
        ),
        ErrorCode::CodeIncorrect
    );
    let user =
        f.uc.activate_for_service(vouched(Some(GivenPassword::Plain(NEW_PASSWORD)), None))
            .await
            .unwrap();
    assert_eq!(user.account_state, AccountState::Active);
    assert!(!user.email_verified, "nothing proved the email");
    assert_eq!(
        code_of(
            f.uc.activate_for_service(vouched(Some(GivenPassword::Plain(NEW_PASSWORD)), None))
                .await
        ),
        ErrorCode::AccountAlreadyActive
    );
    session_of(&f.uc, ann, NEW_PASSWORD).await;
    // Its PIN checks, and counts, like a payment's.
    f.uc.check_pin_as_sent(ann, PinAsSent::Plain(PIN))
        .await
        .unwrap();
    assert_eq!(
        code_of(
            f.uc.check_pin_as_sent(ann, PinAsSent::Plain("024680"))
                .await
        ),
        ErrorCode::PinIncorrect
    );
}

#[tokio::test]
async fn a_digest_registration_without_a_pin_is_pre_opened_until_the_pin_is_set() {
    let f = fixture().await;
    let digest = DigestScheme::DoubleMd5.of(PASSWORD);
    let user =
        f.uc.pre_open_with_digest(
            Registration {
                phone: "13800138000",
                ..Default::default()
            },
            DigestScheme::DoubleMd5,
            &digest,
        )
        .await
        .unwrap();
    assert_eq!(user.account_state, AccountState::PreOpened);
    // The password is right, the account just is not active yet.
    assert_eq!(
        code_of(
            f.uc.login_with_digest(
                "13800138000",
                DigestScheme::DoubleMd5,
                &digest,
                None,
                &client()
            )
            .await
        ),
        ErrorCode::AccountNotActivated
    );
    // The PIN may not be the password's digest's PIN either way.
    f.uc.activate_for_service(VouchedActivation {
        user_id: user.id,
        pin: PinAsSent::Digest(DigestScheme::DoubleMd5, &DigestScheme::DoubleMd5.of(PIN)),
        password: None,
        code: None,
        contact: None,
        via: "jigsaw",
    })
    .await
    .unwrap();
    f.uc.login_with_digest(
        "13800138000",
        DigestScheme::DoubleMd5,
        &digest,
        None,
        &client(),
    )
    .await
    .unwrap();
    assert!(f.uc.pin_status(user.id).await.unwrap().set);
}

#[tokio::test]
async fn sign_up_takes_the_optional_profile_under_the_profile_rules() {
    let f = fixture().await;
    let identity = UpdateProfileRequest {
        real_name: Some(" 王芳 ".into()),
        gender: Some(Gender::Female),
        id_country: Some("cn".into()),
        id_type: Some(IdType::MainlandId),
        id_number: Some("11010519491231002x".into()),
        ..Default::default()
    };
    let form = |identity| Registration {
        email: "fang@example.com",
        password: PASSWORD,
        identity,
        ..Default::default()
    };
    // The ID encodes a woman: stated male, it is refused, and no account is made.
    let male = UpdateProfileRequest {
        gender: Some(Gender::Male),
        ..identity.clone()
    };
    let err =
        f.uc.register(form(Some(&male)), &client())
            .await
            .unwrap_err()
            .to_app_error();
    assert_eq!(
        (err.code, err.field),
        (ErrorCode::IdGenderMismatch, Some(Field::Gender))
    );
    let bad_country = UpdateProfileRequest {
        id_country: Some("ZZ".into()),
        ..identity.clone()
    };
    assert_eq!(
        code_of(f.uc.register(form(Some(&bad_country)), &client()).await),
        ErrorCode::InvalidCountry
    );
    let user =
        f.uc.register(form(Some(&identity)), &client())
            .await
            .unwrap()
            .user;
    assert_eq!(user.real_name.as_deref(), Some("王芳"));
    assert_eq!(user.gender, Gender::Female);
    assert_eq!(user.id_country, "CN");
    assert_eq!(user.id_number_masked.as_deref(), Some("1101**********002X"));
}

#[tokio::test]
async fn the_staff_search_finds_an_exact_identifier_first() {
    let f = fixture().await;
    let staff = staff(&f).await;
    let ann =
        f.uc.create_admin(
            "ann@example.com",
            "13800138000",
            "ann",
            PASSWORD,
            Role::User,
        )
        .await
        .unwrap()
        .id;
    let joann =
        f.uc.create_admin("joann@example.com", "", "joann", PASSWORD, Role::User)
            .await
            .unwrap()
            .id;
    let search = |q: &str| UserSearch {
        q: q.into(),
        page: 1,
        ..Default::default()
    };
    // Written as typed on a phone: no substring matches it, the identifier does.
    let page =
        f.uc.search_users(staff, &search("+86 138-0013-8000"))
            .await
            .unwrap();
    assert_eq!(
        page.users.iter().map(|u| u.id).collect::<Vec<_>>(),
        vec![ann]
    );
    assert!(page.users[0].exact);
    // Newest first would put joann first; the exact match leads.
    for q in ["ANN@example.com", "Ann"] {
        let page = f.uc.search_users(staff, &search(q)).await.unwrap();
        assert_eq!(
            page.users.iter().map(|u| u.id).collect::<Vec<_>>(),
            vec![ann, joann],
            "{q}"
        );
        assert_eq!(page.total, 2);
        assert!(page.users[0].exact && !page.users[1].exact);
    }
    let page = f.uc.search_users(staff, &search("example")).await.unwrap();
    assert!(page.users.iter().all(|u| !u.exact));
}
