//! Tests of codes, captchas, tickets, password recovery and contact changes,
//! reading what was "sent" from the file outboxes as a user reads their mail.

use crate::accounts::Registration;
use crate::codes::CodeRequest;
use crate::contacts::ContactChange;
use crate::recovery::{ChangeProof, ResetProof};
use crate::tests::{
    client, clocked_fixture, code_of, fixture, fixture_with, test_settings, Fixture,
};
use crate::{ClientInfo, Lang, Settings};
use shared::dto::{AuthResponse, CodePurpose};
use shared::ErrorCode;
use std::path::{Path, PathBuf};
use std::time::Duration;

const PASSWORD: &str = "correct horse battery";

pub(crate) fn outbox(f: &Fixture) -> PathBuf {
    f._dir.path().join("outbox")
}

/// The first run of exactly six digits in `text`.
fn six_digits(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 6 {
                return Some(text[start..i].to_string());
            }
        } else {
            i += 1;
        }
    }
    None
}

/// Messages in `dir` mentioning `to`, oldest first.
pub(crate) fn messages_to(dir: &Path, to: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return vec![];
    };
    let mut files: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml" || x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter(|text| text.contains(to))
        .collect()
}

/// The newest code sent to an email address or phone number, waiting a
/// little for background deliveries. Notices to the same contact (a PIN
/// set, a new sign-in) carry no code and are passed over.
pub(crate) async fn code_sent_to(f: &Fixture, to: &str) -> String {
    for _ in 0..100 {
        let mut all = messages_to(&outbox(f).join("email"), to);
        all.extend(messages_to(&outbox(f).join("sms"), to));
        let code = all.iter().rev().find_map(|text| {
            let subject = text
                .lines()
                .find(|l| l.starts_with("Subject:") || l.contains("\"text\""))
                .unwrap_or(text);
            six_digits(subject)
        });
        if let Some(code) = code {
            return code;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no code to {to}");
}

pub(crate) fn count_messages(f: &Fixture, to: &str) -> usize {
    messages_to(&outbox(f).join("email"), to).len() + messages_to(&outbox(f).join("sms"), to).len()
}

/// A captcha solved the way the dev outbox allows.
pub(crate) async fn solved_captcha(f: &Fixture) -> (String, String) {
    let c = f.uc.new_captcha(None).await.unwrap();
    assert!(c.image.starts_with("data:image/png;base64,"));
    let answer =
        std::fs::read_to_string(outbox(f).join("captcha").join(format!("{}.txt", c.key))).unwrap();
    (c.key, answer)
}

pub(crate) async fn send(
    f: &Fixture,
    contact: &str,
    purpose: CodePurpose,
    user: Option<i64>,
) -> Result<shared::dto::CodeSent, crate::DomainError> {
    let (key, answer) = solved_captcha(f).await;
    f.uc.send_code(
        CodeRequest {
            contact,
            purpose: Some(purpose),
            captcha_key: Some(&key),
            captcha_answer: Some(&answer),
            lang: Lang::En,
        },
        user,
        Some("127.0.0.1"),
    )
    .await
}

/// Sends a code for `purpose` to `contact`, reads it, and exchanges it for a
/// ticket (`sid`), as a user on the security page does.
pub(crate) async fn ticket(
    f: &Fixture,
    contact: &str,
    purpose: CodePurpose,
    user: Option<i64>,
) -> String {
    send(f, contact, purpose, user).await.unwrap();
    let code = code_sent_to(f, contact).await;
    f.uc.verify_code(contact, Some(purpose), &code, user)
        .await
        .unwrap()
        .sid
}

async fn registered(f: &Fixture, email: &str, phone: &str) -> AuthResponse {
    f.uc.register(
        Registration {
            email,
            phone,
            username: "",
            password: PASSWORD,
            code: "",
            identity: None,
        },
        &client(),
    )
    .await
    .unwrap()
}

fn with_codes() -> Settings {
    let mut s = test_settings();
    s.codes.require_contact_code = true;
    s
}

#[tokio::test]
async fn sign_up_requires_and_consumes_a_code() {
    let f = fixture_with(with_codes()).await;
    let form = |code| Registration {
        email: "new@example.com",
        phone: "",
        username: "",
        password: PASSWORD,
        code,
        identity: None,
    };
    assert_eq!(
        code_of(f.uc.register(form(""), &client()).await),
        ErrorCode::Required
    );
    assert_eq!(
        code_of(f.uc.register(form("123456"), &client()).await),
        ErrorCode::CodeIncorrect
    );
    let sent = send(&f, "New@Example.com", CodePurpose::Register, None)
        .await
        .unwrap();
    assert_eq!(sent.sent_to, "n***@example.com");
    assert_eq!(sent.retry_after_secs, 60);
    let code = code_sent_to(&f, "new@example.com").await;
    let res = f.uc.register(form(&code), &client()).await.unwrap();
    assert!(res.user.email_verified);
    assert!(!res.user.phone_verified);
    // The code is used up, and the address is taken now, which a new
    // sign-up request does not reveal: it is counted like any other.
    assert_eq!(
        code_of(send(&f, "new@example.com", CodePurpose::Register, None).await),
        ErrorCode::CodeSendTooSoon
    );
}

#[tokio::test]
async fn codes_need_a_captcha_for_unbound_contacts_and_it_is_single_use() {
    let f = fixture().await;
    let request = |key: Option<&'static str>| CodeRequest {
        contact: "a@example.com",
        purpose: Some(CodePurpose::Register),
        captcha_key: key,
        captcha_answer: Some("ABCDE"),
        lang: Lang::En,
    };
    assert_eq!(
        code_of(f.uc.send_code(request(None), None, None).await),
        ErrorCode::CaptchaRequired
    );
    let (key, answer) = solved_captcha(&f).await;
    let wrong = if answer == "AAAAA" { "BBBBB" } else { "AAAAA" };
    let attempt = |answer: &str| {
        let uc = f.uc.clone();
        let (key, answer) = (key.clone(), answer.to_string());
        async move {
            uc.send_code(
                CodeRequest {
                    contact: "a@example.com",
                    purpose: Some(CodePurpose::Register),
                    captcha_key: Some(&key),
                    captcha_answer: Some(&answer),
                    lang: Lang::En,
                },
                None,
                None,
            )
            .await
        }
    };
    assert_eq!(code_of(attempt(wrong).await), ErrorCode::CaptchaIncorrect);
    // One guess per image: the right answer no longer works either.
    assert_eq!(code_of(attempt(&answer).await), ErrorCode::CaptchaIncorrect);
    // Answers are case-insensitive.
    let (key2, answer2) = solved_captcha(&f).await;
    let sent =
        f.uc.send_code(
            CodeRequest {
                contact: "a@example.com",
                purpose: Some(CodePurpose::Register),
                captcha_key: Some(&key2),
                captcha_answer: Some(&format!(" {} ", answer2.to_lowercase())),
                lang: Lang::En,
            },
            None,
            None,
        )
        .await;
    assert!(sent.is_ok(), "{sent:?}");
}

#[tokio::test]
async fn captchas_expire_after_five_minutes() {
    let (f, clock) = clocked_fixture().await;
    let (key, answer) = solved_captcha(&f).await;
    clock.advance(5 * 60 + 1);
    assert_eq!(
        code_of(f.uc.solve_captcha(Some(&key), Some(&answer)).await),
        ErrorCode::CaptchaIncorrect
    );
}

#[tokio::test]
async fn a_code_is_single_use_and_works_for_its_purpose_only() {
    let f = fixture().await;
    registered(&f, "a@example.com", "").await;
    send(&f, "a@example.com", CodePurpose::ResetPassword, None)
        .await
        .unwrap();
    let code = code_sent_to(&f, "a@example.com").await;
    for other in [
        CodePurpose::Login,
        CodePurpose::Register,
        CodePurpose::BindContact,
    ] {
        assert_eq!(
            code_of(
                f.uc.verify_code("a@example.com", Some(other), &code, None)
                    .await
            ),
            ErrorCode::CodeIncorrect,
            "{other:?}"
        );
    }
    let ticket =
        f.uc.verify_code(
            "a@example.com",
            Some(CodePurpose::ResetPassword),
            &code,
            None,
        )
        .await
        .unwrap();
    assert!(ticket.sid.len() >= 40);
    assert_eq!(
        code_of(
            f.uc.verify_code(
                "a@example.com",
                Some(CodePurpose::ResetPassword),
                &code,
                None
            )
            .await
        ),
        ErrorCode::CodeIncorrect
    );
}

#[tokio::test]
async fn codes_expire_after_ten_minutes() {
    let (f, clock) = clocked_fixture().await;
    registered(&f, "a@example.com", "").await;
    send(&f, "a@example.com", CodePurpose::ResetPassword, None)
        .await
        .unwrap();
    let code = code_sent_to(&f, "a@example.com").await;
    clock.advance(10 * 60 + 1);
    assert_eq!(
        code_of(
            f.uc.verify_code(
                "a@example.com",
                Some(CodePurpose::ResetPassword),
                &code,
                None
            )
            .await
        ),
        ErrorCode::CodeIncorrect
    );
}

#[tokio::test]
async fn five_wrong_entries_kill_the_code() {
    let f = fixture().await;
    registered(&f, "a@example.com", "").await;
    send(&f, "a@example.com", CodePurpose::ResetPassword, None)
        .await
        .unwrap();
    let code = code_sent_to(&f, "a@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        assert_eq!(
            code_of(
                f.uc.verify_code(
                    "a@example.com",
                    Some(CodePurpose::ResetPassword),
                    wrong,
                    None
                )
                .await
            ),
            ErrorCode::CodeIncorrect
        );
    }
    assert_eq!(
        code_of(
            f.uc.verify_code(
                "a@example.com",
                Some(CodePurpose::ResetPassword),
                &code,
                None
            )
            .await
        ),
        ErrorCode::CodeIncorrect,
        "the right code after five wrong ones"
    );
}

#[tokio::test]
async fn cooldown_and_daily_cap_hold_under_concurrent_requests() {
    let (f, clock) = clocked_fixture().await;
    // Ten parallel sends to one contact: exactly one gets through.
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (key, answer) = solved_captcha(&f).await;
        let uc = f.uc.clone();
        tasks.push(tokio::spawn(async move {
            uc.send_code(
                CodeRequest {
                    contact: "13800138000",
                    purpose: Some(CodePurpose::Register),
                    captcha_key: Some(&key),
                    captcha_answer: Some(&answer),
                    lang: Lang::En,
                },
                None,
                Some("10.0.0.1"),
            )
            .await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(e) => {
                assert_eq!(e.code(), ErrorCode::CodeSendTooSoon);
                let retry = e.to_app_error().retry_after_secs.unwrap();
                assert!((1..=60).contains(&retry), "{retry}");
            }
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(count_messages(&f, "13800138000"), 1);
    // After the cooldown, again; the tenth send of the day is the last.
    for _ in 1..10 {
        clock.advance(61);
        send(&f, "13800138000", CodePurpose::Register, None)
            .await
            .unwrap();
    }
    clock.advance(61);
    let e = send(&f, "13800138000", CodePurpose::Register, None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::CodeDailyLimit);
    assert!(e.to_app_error().retry_after_secs.unwrap() > 3600);
    assert_eq!(count_messages(&f, "13800138000"), 10);
    // A day after the first send, sending works again.
    clock.advance(24 * 3600);
    send(&f, "13800138000", CodePurpose::Register, None)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_daily_cap_per_ip_spans_contacts() {
    let mut settings = test_settings();
    settings.codes.daily_per_ip = 3;
    let f = fixture_with(settings).await;
    for i in 0..3 {
        send(
            &f,
            &format!("u{i}@example.com"),
            CodePurpose::Register,
            None,
        )
        .await
        .unwrap();
    }
    assert_eq!(
        code_of(send(&f, "u9@example.com", CodePurpose::Register, None).await),
        ErrorCode::CodeDailyLimit
    );
}

#[tokio::test]
async fn forgot_password_answers_alike_for_unknown_contacts() {
    let f = fixture().await;
    registered(&f, "known@example.com", "13900000000").await;
    let known = send(&f, "known@example.com", CodePurpose::ResetPassword, None)
        .await
        .unwrap();
    let unknown = send(&f, "unknown@example.com", CodePurpose::ResetPassword, None)
        .await
        .unwrap();
    assert_eq!(known.expires_in_secs, unknown.expires_in_secs);
    assert_eq!(known.retry_after_secs, unknown.retry_after_secs);
    // Only the real account gets mail; both are on cooldown now.
    code_sent_to(&f, "known@example.com").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(count_messages(&f, "unknown@example.com"), 0);
    assert_eq!(
        code_of(send(&f, "unknown@example.com", CodePurpose::ResetPassword, None).await),
        ErrorCode::CodeSendTooSoon
    );
    // Resetting with a guessed code fails the same way for both.
    for contact in ["known@example.com", "unknown@example.com"] {
        assert_eq!(
            code_of(
                f.uc.reset_password(
                    ResetProof::Code {
                        contact,
                        code: "123456"
                    },
                    "a new long password",
                    Lang::En,
                    &ClientInfo::default(),
                )
                .await
            ),
            ErrorCode::CodeIncorrect
        );
    }
}

#[tokio::test]
async fn reset_password_ends_every_session_and_notifies_the_other_channel() {
    let f = fixture().await;
    let first = registered(&f, "a@example.com", "13900000000").await;
    let second =
        f.uc.login("a@example.com", PASSWORD, None, &client())
            .await
            .unwrap();
    send(&f, "a@example.com", CodePurpose::ResetPassword, None)
        .await
        .unwrap();
    let code = code_sent_to(&f, "a@example.com").await;
    // Policy applies, and a refused password leaves the code usable.
    assert_eq!(
        code_of(
            f.uc.reset_password(
                ResetProof::Code {
                    contact: "a@example.com",
                    code: &code
                },
                "password",
                Lang::En,
                &ClientInfo::default(),
            )
            .await
        ),
        ErrorCode::WeakPassword
    );
    f.uc.reset_password(
        ResetProof::Code {
            contact: "a@example.com",
            code: &code,
        },
        "a brand new passphrase",
        Lang::En,
        &ClientInfo::default(),
    )
    .await
    .unwrap();
    for session in [&first, &second] {
        assert_eq!(
            code_of(f.uc.authenticate(&session.token).await),
            ErrorCode::Unauthenticated
        );
    }
    assert_eq!(
        code_of(f.uc.login("a@example.com", PASSWORD, None, &client()).await),
        ErrorCode::InvalidCredentials
    );
    f.uc.login("13900000000", "a brand new passphrase", None, &client())
        .await
        .unwrap();
    // The phone heard about it.
    for _ in 0..100 {
        if count_messages(&f, "13900000000") > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let notice = messages_to(&outbox(&f).join("sms"), "13900000000");
    assert!(notice.last().unwrap().contains("password"), "{notice:?}");
}

#[tokio::test]
async fn a_ticket_is_single_use() {
    let f = fixture().await;
    registered(&f, "a@example.com", "").await;
    send(&f, "a@example.com", CodePurpose::ResetPassword, None)
        .await
        .unwrap();
    let code = code_sent_to(&f, "a@example.com").await;
    let ticket =
        f.uc.verify_code(
            "a@example.com",
            Some(CodePurpose::ResetPassword),
            &code,
            None,
        )
        .await
        .unwrap();
    f.uc.reset_password(
        ResetProof::Ticket(&ticket.sid),
        "a brand new passphrase",
        Lang::En,
        &ClientInfo::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        code_of(
            f.uc.reset_password(
                ResetProof::Ticket(&ticket.sid),
                "another new passphrase",
                Lang::En,
                &ClientInfo::default(),
            )
            .await
        ),
        ErrorCode::TicketInvalid
    );
    assert_eq!(
        code_of(
            f.uc.reset_password(
                ResetProof::Ticket("forged"),
                "another new passphrase",
                Lang::En,
                &ClientInfo::default(),
            )
            .await
        ),
        ErrorCode::TicketInvalid
    );
}

#[tokio::test]
async fn change_password_keeps_only_the_current_session() {
    let f = fixture().await;
    let first = registered(&f, "a@example.com", "").await;
    let other =
        f.uc.login("a@example.com", PASSWORD, None, &client())
            .await
            .unwrap();
    let auth = f.uc.authenticate(&first.token).await.unwrap();
    assert_eq!(
        code_of(
            f.uc.change_password(
                &auth,
                ChangeProof::CurrentPassword("wrong one"),
                "a new passphrase"
            )
            .await
        ),
        ErrorCode::PasswordIncorrect
    );
    f.uc.change_password(
        &auth,
        ChangeProof::CurrentPassword(PASSWORD),
        "a new passphrase",
    )
    .await
    .unwrap();
    assert!(f.uc.authenticate(&first.token).await.is_ok());
    assert_eq!(
        code_of(f.uc.authenticate(&other.token).await),
        ErrorCode::Unauthenticated
    );
    // With a ticket from a code to the bound email instead of the password;
    // no captcha is needed for one's own contact.
    let sent =
        f.uc.send_code(
            CodeRequest {
                contact: "a@example.com",
                purpose: Some(CodePurpose::ResetPassword),
                lang: Lang::En,
                ..CodeRequest::default()
            },
            Some(auth.user_id),
            None,
        )
        .await;
    assert!(sent.is_ok(), "{sent:?}");
    let code = code_sent_to(&f, "a@example.com").await;
    let ticket =
        f.uc.verify_code(
            "a@example.com",
            Some(CodePurpose::ResetPassword),
            &code,
            Some(auth.user_id),
        )
        .await
        .unwrap();
    f.uc.change_password(
        &auth,
        ChangeProof::Ticket(&ticket.sid),
        "yet another passphrase",
    )
    .await
    .unwrap();
    f.uc.login("a@example.com", "yet another passphrase", None, &client())
        .await
        .unwrap();
}

#[tokio::test]
async fn bind_a_phone_then_change_the_email() {
    let f = fixture().await;
    let me = registered(&f, "a@example.com", "").await;
    let auth = f.uc.authenticate(&me.token).await.unwrap();
    registered(&f, "taken@example.com", "13700000000").await;

    // Binding a phone someone else has is refused before any code is sent.
    assert_eq!(
        code_of(
            send(
                &f,
                "13700000000",
                CodePurpose::BindContact,
                Some(auth.user_id)
            )
            .await
        ),
        ErrorCode::PhoneTaken
    );
    send(
        &f,
        "13900000000",
        CodePurpose::BindContact,
        Some(auth.user_id),
    )
    .await
    .unwrap();
    let code = code_sent_to(&f, "13900000000").await;
    let profile =
        f.uc.change_contact(
            &auth,
            ContactChange {
                contact: "13900000000",
                code: &code,
                ..ContactChange::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(profile.phone.as_deref(), Some("13900000000"));
    assert!(profile.phone_verified);

    // Changing the email needs a proof besides the new address's code.
    send(
        &f,
        "b@example.com",
        CodePurpose::BindContact,
        Some(auth.user_id),
    )
    .await
    .unwrap();
    let code = code_sent_to(&f, "b@example.com").await;
    let change = |password: Option<&'static str>, code: String| {
        let uc = f.uc.clone();
        let auth = auth.clone();
        async move {
            uc.change_contact(
                &auth,
                ContactChange {
                    contact: "b@example.com",
                    code: &code,
                    password,
                    sid: None,
                },
            )
            .await
        }
    };
    assert_eq!(
        code_of(change(None, code.clone()).await),
        ErrorCode::ProofRequired
    );
    assert_eq!(
        code_of(change(Some("wrong password"), code.clone()).await),
        ErrorCode::PasswordIncorrect
    );
    let profile = change(Some(PASSWORD), code).await.unwrap();
    assert_eq!(profile.email.as_deref(), Some("b@example.com"));
    assert!(profile.email_verified);
    f.uc.login("b@example.com", PASSWORD, None, &client())
        .await
        .unwrap();
    assert_eq!(
        code_of(f.uc.login("a@example.com", PASSWORD, None, &client()).await),
        ErrorCode::InvalidCredentials
    );
}

#[tokio::test]
async fn a_code_for_one_user_does_not_work_for_another() {
    let f = fixture().await;
    let alice = registered(&f, "alice@example.com", "").await;
    let bob = registered(&f, "bob@example.com", "").await;
    let alice = f.uc.authenticate(&alice.token).await.unwrap();
    let bob = f.uc.authenticate(&bob.token).await.unwrap();
    send(
        &f,
        "13900000000",
        CodePurpose::BindContact,
        Some(alice.user_id),
    )
    .await
    .unwrap();
    let code = code_sent_to(&f, "13900000000").await;
    assert_eq!(
        code_of(
            f.uc.change_contact(
                &bob,
                ContactChange {
                    contact: "13900000000",
                    code: &code,
                    ..ContactChange::default()
                },
            )
            .await
        ),
        ErrorCode::CodeIncorrect
    );
}

#[tokio::test]
async fn sign_in_with_a_code() {
    let f = fixture().await;
    registered(&f, "a@example.com", "").await;
    send(&f, "a@example.com", CodePurpose::Login, None)
        .await
        .unwrap();
    let code = code_sent_to(&f, "a@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let e =
        f.uc.login_with_code("a@example.com", wrong, &client())
            .await
            .unwrap_err()
            .to_app_error();
    assert_eq!(e.code, ErrorCode::CodeIncorrect);
    assert_eq!(e.login.unwrap().remaining_consecutive, 4);
    let res =
        f.uc.login_with_code("a@example.com", &code, &client())
            .await
            .unwrap();
    assert_eq!(res.user.email.as_deref(), Some("a@example.com"));
    // An unknown contact fails like a wrong code.
    assert_eq!(
        code_of(
            f.uc.login_with_code("nobody@example.com", "123456", &client())
                .await
        ),
        ErrorCode::CodeIncorrect
    );
}

#[tokio::test]
async fn sign_in_needs_a_captcha_after_three_failures() {
    let mut settings = test_settings();
    settings.lockout.captcha_after = 3;
    let f = fixture_with(settings).await;
    registered(&f, "a@example.com", "").await;
    for i in 1..=3 {
        let e =
            f.uc.login("a@example.com", "wrong password", None, &client())
                .await
                .unwrap_err()
                .to_app_error();
        assert_eq!(e.code, ErrorCode::InvalidCredentials);
        assert_eq!(e.captcha_required, i >= 3, "after failure {i}");
    }
    assert_eq!(
        code_of(f.uc.login("a@example.com", PASSWORD, None, &client()).await),
        ErrorCode::CaptchaRequired
    );
    let (key, answer) = solved_captcha(&f).await;
    assert_eq!(
        code_of(
            f.uc.login("a@example.com", PASSWORD, Some((&key, "WRONG")), &client())
                .await
        ),
        ErrorCode::CaptchaIncorrect
    );
    let (key, answer2) = solved_captcha(&f).await;
    let _ = answer;
    f.uc.login("a@example.com", PASSWORD, Some((&key, &answer2)), &client())
        .await
        .unwrap();
    // Success resets the run: no captcha next time.
    f.uc.login("a@example.com", PASSWORD, None, &client())
        .await
        .unwrap();
}

#[tokio::test]
async fn an_unbound_device_must_sign_in_with_a_code_once() {
    let mut settings = test_settings();
    settings.unbound_device_needs_code = true;
    let f = fixture_with(settings).await;
    registered(&f, "a@example.com", "").await;
    let phone_app = crate::ClientInfo {
        device_id: Some("phone-app-1".into()),
        ..client()
    };
    assert_eq!(
        code_of(
            f.uc.login("a@example.com", PASSWORD, None, &phone_app)
                .await
        ),
        ErrorCode::DeviceCodeRequired
    );
    send(&f, "a@example.com", CodePurpose::Login, None)
        .await
        .unwrap();
    let code = code_sent_to(&f, "a@example.com").await;
    f.uc.login_with_code("a@example.com", &code, &phone_app)
        .await
        .unwrap();
    // Bound now: the password works from this device, not from others.
    f.uc.login("a@example.com", PASSWORD, None, &phone_app)
        .await
        .unwrap();
    assert_eq!(
        code_of(f.uc.login("a@example.com", PASSWORD, None, &client()).await),
        ErrorCode::DeviceCodeRequired
    );
}

#[tokio::test]
async fn a_pay_password_ticket_resets_the_payment_pin_once() {
    let (f, clock) = clocked_fixture().await;
    let alice = registered(&f, "alice@example.com", "").await.user.id;
    let bob = registered(&f, "bob@example.com", "").await.user.id;
    crate::wallet::tests::set_pin(&f.uc, alice, "135790")
        .await
        .unwrap();
    let sid = ticket(
        &f,
        "alice@example.com",
        CodePurpose::PayPassword,
        Some(alice),
    )
    .await;
    // A bad PIN, or another user, costs no ticket.
    assert_eq!(
        code_of(f.uc.reset_payment_pin(alice, &sid, "111111").await),
        ErrorCode::WeakPin
    );
    assert_eq!(
        code_of(f.uc.reset_payment_pin(bob, &sid, "246810").await),
        ErrorCode::TicketInvalid
    );
    f.uc.reset_payment_pin(alice, &sid, "246810").await.unwrap();
    assert_eq!(
        code_of(f.uc.reset_payment_pin(alice, &sid, "864200").await),
        ErrorCode::TicketInvalid
    );
    // A ticket for another purpose never resets a PIN.
    clock.advance(61);
    let other = ticket(
        &f,
        "alice@example.com",
        CodePurpose::ChangeContact,
        Some(alice),
    )
    .await;
    assert_eq!(
        code_of(f.uc.reset_payment_pin(alice, &other, "864200").await),
        ErrorCode::TicketInvalid
    );
    // The new PIN is the one that works.
    f.uc.change_payment_pin(alice, "246810", "864200")
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_parallel_wrong_codes_kill_the_code_after_exactly_five() {
    let (f, clock) = clocked_fixture().await;
    registered(&f, "a@example.com", "").await;
    send(&f, "a@example.com", CodePurpose::ResetPassword, None)
        .await
        .unwrap();
    let code = code_sent_to(&f, "a@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let verify = |code: String| {
        let uc = f.uc.clone();
        async move {
            uc.verify_code(
                "a@example.com",
                Some(CodePurpose::ResetPassword),
                &code,
                None,
            )
            .await
        }
    };
    let tasks: Vec<_> = (0..50)
        .map(|_| tokio::spawn(verify(wrong.to_string())))
        .collect();
    for t in tasks {
        assert_eq!(code_of(t.await.unwrap()), ErrorCode::CodeIncorrect);
    }
    assert_eq!(
        code_of(verify(code).await),
        ErrorCode::CodeIncorrect,
        "the code died"
    );
    // A new code starts with every try again.
    clock.advance(61);
    let before = count_messages(&f, "a@example.com");
    send(&f, "a@example.com", CodePurpose::ResetPassword, None)
        .await
        .unwrap();
    while count_messages(&f, "a@example.com") == before {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let fresh = code_sent_to(&f, "a@example.com").await;
    let wrong = if fresh == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..4 {
        assert_eq!(
            code_of(verify(wrong.to_string()).await),
            ErrorCode::CodeIncorrect
        );
    }
    verify(fresh).await.unwrap();
}

#[tokio::test]
async fn captcha_images_are_limited_per_ip() {
    let mut settings = test_settings();
    settings.throttle.captchas_per_ip = 3;
    let f = fixture_with(settings).await;
    for _ in 0..3 {
        f.uc.new_captcha(Some("203.0.113.5")).await.unwrap();
    }
    let e = f.uc.new_captcha(Some("203.0.113.5")).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::RateLimited);
    assert!(e.to_app_error().retry_after_secs.is_some());
    f.uc.new_captcha(Some("203.0.113.6")).await.unwrap();
}

#[tokio::test]
async fn many_failures_from_one_ip_need_a_captcha_for_every_sign_in_from_it() {
    let mut settings = test_settings();
    settings.throttle.ip_captcha_after = 4;
    let f = fixture_with(settings).await;
    registered(&f, "a@example.com", "").await;
    // Spread over many identifiers, so no single counter sees a run.
    for i in 0..4 {
        let who = format!("ghost{i}@example.com");
        assert_eq!(
            code_of(f.uc.login(&who, "wrong password", None, &client()).await),
            ErrorCode::InvalidCredentials
        );
    }
    assert_eq!(
        code_of(f.uc.login("a@example.com", PASSWORD, None, &client()).await),
        ErrorCode::CaptchaRequired,
        "even the right password needs a captcha from this IP"
    );
    let elsewhere = crate::ClientInfo {
        ip: Some("198.51.100.1".into()),
        ..client()
    };
    f.uc.login("a@example.com", PASSWORD, None, &elsewhere)
        .await
        .unwrap();
    let (key, answer) = solved_captcha(&f).await;
    f.uc.login("a@example.com", PASSWORD, Some((&key, &answer)), &client())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_pay_password_ticket_sets_the_first_pin_once() {
    let f = fixture().await;
    let alice = registered(&f, "alice@example.com", "").await;
    let auth = f.uc.authenticate(&alice.token).await.unwrap();
    let sid = ticket(
        &f,
        "alice@example.com",
        CodePurpose::PayPassword,
        Some(alice.user.id),
    )
    .await;
    // A weak PIN costs no ticket.
    assert_eq!(
        code_of(
            f.uc.set_payment_pin(&auth, "123456", crate::wallet::PinProof::Ticket(&sid))
                .await
        ),
        ErrorCode::WeakPin
    );
    f.uc.set_payment_pin(&auth, "135790", crate::wallet::PinProof::Ticket(&sid))
        .await
        .unwrap();
    assert!(f.uc.pin_status(alice.user.id).await.unwrap().set);
    // Bob cannot use a ticket, spent or not, that was not issued to him.
    let bob = registered(&f, "bob@example.com", "").await;
    let bob_auth = f.uc.authenticate(&bob.token).await.unwrap();
    assert_eq!(
        code_of(
            f.uc.set_payment_pin(&bob_auth, "135790", crate::wallet::PinProof::Ticket(&sid))
                .await
        ),
        ErrorCode::TicketInvalid
    );
}

#[tokio::test]
async fn a_sign_up_code_request_answers_alike_for_free_and_taken_contacts() {
    let (f, clock) = clocked_fixture().await;
    registered(&f, "taken@example.com", "").await;
    // Before the captcha, both are refused alike.
    for contact in ["taken@example.com", "free@example.com"] {
        let request = CodeRequest {
            contact,
            purpose: Some(CodePurpose::Register),
            ..CodeRequest::default()
        };
        assert_eq!(
            code_of(f.uc.send_code(request, None, None).await),
            ErrorCode::CaptchaRequired,
            "{contact}"
        );
    }
    let taken = send(&f, "taken@example.com", CodePurpose::Register, None)
        .await
        .unwrap();
    let free = send(&f, "free@example.com", CodePurpose::Register, None)
        .await
        .unwrap();
    assert_eq!(
        (taken.expires_in_secs, taken.retry_after_secs),
        (free.expires_in_secs, free.retry_after_secs)
    );
    // Both sends were counted.
    for contact in ["taken@example.com", "free@example.com"] {
        assert_eq!(
            code_of(send(&f, contact, CodePurpose::Register, None).await),
            ErrorCode::CodeSendTooSoon,
            "{contact}"
        );
    }
    // The free address gets a code; the owner of the taken one a notice.
    code_sent_to(&f, "free@example.com").await;
    let mut notice = Vec::new();
    for _ in 0..100 {
        notice = messages_to(&outbox(&f).join("email"), "taken@example.com");
        if notice.iter().any(|m| m.contains("tried to create")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let notice = notice.last().expect("a notice");
    assert!(
        notice.contains("sign in or reset your password"),
        "{notice}"
    );
    assert!(six_digits(notice).is_none(), "no code: {notice}");
    // Signing up with the taken address and a guessed code says nothing
    // about the address either.
    clock.advance(61);
    let mut strict = f.uc.clone();
    strict.settings_mut().codes.require_contact_code = true;
    for email in ["taken@example.com", "free@example.com"] {
        let form = Registration {
            email,
            phone: "",
            username: "",
            password: PASSWORD,
            code: "000001",
            identity: None,
        };
        assert_eq!(
            code_of(strict.register(form, &client()).await),
            ErrorCode::CodeIncorrect,
            "{email}"
        );
    }
}

#[tokio::test]
async fn a_reset_checks_the_password_against_the_account_only_after_the_code() {
    let f = fixture().await;
    registered(&f, "known@example.com", "13900000000").await;
    // The contact itself, or a phone number, as the new password: before the
    // code is proven, the answer is the same for a known and an unknown
    // contact and for a linked or unlinked number.
    for (contact, new_password) in [
        ("known@example.com", "known@example.com"),
        ("known@example.com", "13900000000"),
        ("known@example.com", "13900000001"),
        ("ghost@example.com", "ghost@example.com"),
    ] {
        let proof = ResetProof::Code {
            contact,
            code: "000000",
        };
        assert_eq!(
            code_of(
                f.uc.reset_password(proof, new_password, Lang::En, &ClientInfo::default())
                    .await
            ),
            ErrorCode::CodeIncorrect,
            "{contact} / {new_password}"
        );
    }
    // With the right code the account's own rules apply, and the code
    // survives for a second try.
    send(&f, "known@example.com", CodePurpose::ResetPassword, None)
        .await
        .unwrap();
    let code = code_sent_to(&f, "known@example.com").await;
    let proof = || ResetProof::Code {
        contact: "known@example.com",
        code: &code,
    };
    let e =
        f.uc.reset_password(proof(), "13900000000", Lang::En, &ClientInfo::default())
            .await
            .unwrap_err()
            .to_app_error();
    assert_eq!(e.code, ErrorCode::WeakPassword);
    assert_eq!(
        e.reason,
        Some(shared::error::PasswordProblem::MatchesAccount)
    );
    f.uc.reset_password(
        proof(),
        "a new long password",
        Lang::En,
        &ClientInfo::default(),
    )
    .await
    .unwrap();
}

/// Signs up with `email` proven by a code, and `phone` alongside.
async fn signed_up_with_code(f: &Fixture, email: &str, phone: &str) -> AuthResponse {
    send(f, email, CodePurpose::Register, None).await.unwrap();
    let code = code_sent_to(f, email).await;
    let form = Registration {
        email,
        phone,
        username: "",
        password: PASSWORD,
        code: &code,
        identity: None,
    };
    f.uc.register(form, &client()).await.unwrap()
}

#[tokio::test]
async fn an_unproven_phone_at_sign_up_stays_pending_and_claims_nothing() {
    let f = fixture_with(with_codes()).await;
    let phone = "13800000001";
    let res = signed_up_with_code(&f, "a@example.com", phone).await;
    assert_eq!(res.user.phone, None, "not on the account");
    assert_eq!(res.user.pending_phone.as_deref(), Some(phone));
    let profile = f.uc.profile(res.user.id).await.unwrap();
    assert_eq!(profile.pending_phone.as_deref(), Some(phone));

    // It signs nobody in, receives no payment and resets no password.
    assert_eq!(
        code_of(f.uc.login(phone, PASSWORD, None, &client()).await),
        ErrorCode::InvalidCredentials
    );
    let service = crate::wallet::Actor::Service("tests".into());
    let payment = crate::wallet::Transfer {
        from_user: res.user.id,
        to: crate::wallet::Recipient::Identifier(phone),
        currency: "CNY",
        amount: "1",
        memo: "",
        request_id: "pay-pending",
    };
    assert_eq!(
        code_of(
            f.uc.transfer(payment, crate::wallet::Authorisation::Service(&service))
                .await
        ),
        ErrorCode::RecipientNotFound
    );
    send(&f, phone, CodePurpose::ResetPassword, None)
        .await
        .unwrap();
    // Nor a sign-in code (asked for once the reset request's cooldown on
    // the number has passed).
    let after = |secs| {
        f.uc.clone().with_clock({
            let clock = crate::clock::ManualClock::starting_now();
            clock.advance(secs);
            clock
        })
    };
    let (key, answer) = solved_captcha(&f).await;
    after(61)
        .send_code(
            CodeRequest {
                contact: phone,
                purpose: Some(CodePurpose::Login),
                captcha_key: Some(&key),
                captcha_answer: Some(&answer),
                lang: Lang::En,
            },
            None,
            Some("127.0.0.1"),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        count_messages(&f, phone),
        0,
        "no reset or sign-in code for a pending number"
    );

    // Its real owner registers it (once that request's cooldown has passed).
    let later = after(122);
    let (key, answer) = solved_captcha(&f).await;
    let request = CodeRequest {
        contact: phone,
        purpose: Some(CodePurpose::Register),
        captcha_key: Some(&key),
        captcha_answer: Some(&answer),
        lang: Lang::En,
    };
    later
        .send_code(request, None, Some("127.0.0.1"))
        .await
        .unwrap();
    let code = code_sent_to(&f, phone).await;
    let form = Registration {
        email: "",
        phone,
        username: "",
        password: PASSWORD,
        code: &code,
        identity: None,
    };
    let owner = later.register(form, &client()).await.unwrap();
    assert_eq!(owner.user.phone.as_deref(), Some(phone));
    assert!(owner.user.phone_verified);
    // The mistaken (or hostile) pending entry is gone.
    let first = f.uc.profile(res.user.id).await.unwrap();
    assert_eq!(first.pending_phone, None);
}

#[tokio::test]
async fn proving_a_pending_phone_makes_it_live() {
    let f = fixture_with(with_codes()).await;
    let phone = "13800000002";
    let res = signed_up_with_code(&f, "c@example.com", phone).await;
    let auth = f.uc.authenticate(&res.token).await.unwrap();
    send(&f, phone, CodePurpose::BindContact, Some(auth.user_id))
        .await
        .unwrap();
    let code = code_sent_to(&f, phone).await;
    let change = ContactChange {
        contact: phone,
        code: &code,
        ..ContactChange::default()
    };
    let profile = f.uc.change_contact(&auth, change).await.unwrap();
    assert_eq!(profile.phone.as_deref(), Some(phone));
    assert!(profile.phone_verified);
    assert_eq!(profile.pending_phone, None);
    f.uc.login(phone, PASSWORD, None, &client()).await.unwrap();
}

#[tokio::test]
async fn a_forgotten_pin_is_replaced_with_a_code_and_the_lock_lifts() {
    let f = fixture().await;
    let alice = registered(&f, "alice@example.com", "").await.user.id;
    crate::wallet::tests::set_pin(&f.uc, alice, "135790")
        .await
        .unwrap();
    for _ in 0..5 {
        let _ = f.uc.check_payment_pin(alice, "000000").await;
    }
    assert!(f.uc.pin_status(alice).await.unwrap().locked);
    // Only to one's own contact, and no captcha for it.
    f.uc.send_code(
        CodeRequest {
            contact: "alice@example.com",
            purpose: Some(CodePurpose::PayPassword),
            lang: Lang::En,
            ..CodeRequest::default()
        },
        Some(alice),
        None,
    )
    .await
    .unwrap();
    let code = code_sent_to(&f, "alice@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    // A weak PIN or a wrong code changes nothing and keeps the code.
    assert_eq!(
        code_of(
            f.uc.reset_payment_pin_with_code(alice, "alice@example.com", &code, "123456")
                .await
        ),
        ErrorCode::WeakPin
    );
    assert_eq!(
        code_of(
            f.uc.reset_payment_pin_with_code(alice, "alice@example.com", wrong, "246810")
                .await
        ),
        ErrorCode::CodeIncorrect
    );
    f.uc.reset_payment_pin_with_code(alice, "alice@example.com", &code, "246810")
        .await
        .unwrap();
    let status = f.uc.pin_status(alice).await.unwrap();
    assert!(!status.locked && status.set);
    f.uc.check_payment_pin(alice, "246810").await.unwrap();
    assert_eq!(
        code_of(
            f.uc.reset_payment_pin_with_code(alice, "alice@example.com", &code, "975310")
                .await
        ),
        ErrorCode::CodeIncorrect
    );
    // The owner hears of it: a security notice.
    let (kind,): (String,) = sqlx::query_as(
        "SELECT kind FROM notification_outbox WHERE user_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(alice)
    .fetch_one(&f.db.sql)
    .await
    .unwrap();
    assert_eq!(kind, "pin_changed");
}
