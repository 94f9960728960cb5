//! Tests of the profile, real-name verification and account states.

use crate::accounts::Registration;
use crate::store::users::Role;
use crate::tests::{client, clocked_fixture, code_of, fixture};
use crate::wallet::{Actor, Movement};
use crate::{AuthContext, UserCenter};
use shared::identity::{Gender, IdType};
use shared::profile::{AccountState, UpdateProfileRequest, VerificationKind, VerificationState};
use shared::ErrorCode;

const PASSWORD: &str = "correct horse battery";
const FEMALE_ID: &str = "11010519491231002X";
const MALE_ID: &str = "440524188001010014";

/// Registers `name@example.com` / username `name`; returns the session.
async fn signup(uc: &UserCenter, name: &str) -> AuthContext {
    signup_with_token(uc, name).await.0
}

async fn signup_with_token(uc: &UserCenter, name: &str) -> (AuthContext, String) {
    crate::tests::signup_named(uc, name, PASSWORD).await
}

async fn staff(uc: &UserCenter) -> i64 {
    uc.create_admin("ops@example.com", "", "ops", PASSWORD, Role::Staff)
        .await
        .unwrap()
        .id
}

fn deposit(user_id: i64, request_id: &str) -> Movement<'_> {
    Movement {
        user_id,
        currency: "CNY",
        amount: "5.00",
        memo: "",
        request_id,
    }
}

#[tokio::test]
async fn profile_updates_validate_and_mask_the_id_number() {
    let f = fixture().await;
    let me = signup(&f.uc, "alice").await;
    let fresh = f.uc.profile(me.user_id).await.unwrap();
    assert_eq!(fresh.id_country, "CN");
    assert_eq!(fresh.verification, VerificationState::Unverified);
    assert_eq!(fresh.account_state, AccountState::Active);

    let updated =
        f.uc.update_profile(
            me.user_id,
            &UpdateProfileRequest {
                display_name: Some(" 小丽 ".into()),
                real_name: Some("王丽".into()),
                gender: Some(Gender::Female),
                id_number: Some(FEMALE_ID.to_lowercase()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.display_name.as_deref(), Some("小丽"));
    assert_eq!(updated.gender, Gender::Female);
    assert_eq!(
        updated.id_number_masked.as_deref(),
        Some("1101**********002X")
    );
    assert_eq!(updated.id_number, None, "owners see it masked");
    // Staff see it masked, and whole only by revealing it with a reason,
    // which is audited; other users may not look.
    let ops = staff(&f.uc).await;
    let seen = f.uc.admin_profile(ops, me.user_id).await.unwrap();
    assert_eq!(seen.id_number, None);
    assert_eq!(seen.id_number_masked.as_deref(), Some("1101**********002X"));
    assert_eq!(
        code_of(f.uc.reveal_id_number(ops, me.user_id, " ").await),
        ErrorCode::Required
    );
    let revealed = f.uc.reveal_id_number(ops, me.user_id, "ticket 4711").await;
    assert_eq!(revealed.unwrap(), FEMALE_ID);
    let (actor, details): (i64, String) = sqlx::query_as(
        "SELECT actor_id, details FROM audit_log WHERE action = 'id_number_revealed' \
         AND target_id = $1",
    )
    .bind(me.user_id)
    .fetch_one(&f.db.sql)
    .await
    .unwrap();
    assert_eq!(actor, ops);
    assert!(details.contains("ticket 4711"), "{details}");
    let bob = signup(&f.uc, "bob").await;
    assert_eq!(
        code_of(f.uc.admin_profile(bob.user_id, me.user_id).await),
        ErrorCode::Forbidden
    );

    // The gender is checked against the stored number, and bad input
    // changes nothing.
    let male = UpdateProfileRequest {
        gender: Some(Gender::Male),
        ..Default::default()
    };
    assert_eq!(
        code_of(f.uc.update_profile(me.user_id, &male).await),
        ErrorCode::IdGenderMismatch
    );
    for (change, code) in [
        (
            UpdateProfileRequest {
                id_number: Some("110105194912310021".into()),
                ..Default::default()
            },
            ErrorCode::InvalidIdNumber,
        ),
        (
            UpdateProfileRequest {
                id_country: Some("China".into()),
                ..Default::default()
            },
            ErrorCode::InvalidCountry,
        ),
        (
            UpdateProfileRequest {
                display_name: Some("x".repeat(33)),
                ..Default::default()
            },
            ErrorCode::InvalidDisplayName,
        ),
        (
            UpdateProfileRequest {
                id_type: Some(IdType::Passport),
                id_number: Some("E12".into()),
                ..Default::default()
            },
            ErrorCode::InvalidPassport,
        ),
    ] {
        assert_eq!(
            code_of(f.uc.update_profile(me.user_id, &change).await),
            code
        );
    }
    assert_eq!(f.uc.profile(me.user_id).await.unwrap(), updated);

    // A passport, then clearing the display name.
    let passport =
        f.uc.update_profile(
            me.user_id,
            &UpdateProfileRequest {
                id_country: Some("gb".into()),
                id_type: Some(IdType::Passport),
                id_number: Some("e1234567".into()),
                display_name: Some(String::new()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(passport.id_country, "GB");
    assert_eq!(passport.id_number_masked.as_deref(), Some("E1****67"));
    assert_eq!(passport.display_name, None);
}

#[tokio::test]
async fn real_name_flow_submit_reject_resubmit_approve() {
    let f = fixture().await;
    let me = signup(&f.uc, "carol").await;
    let ops = staff(&f.uc).await;
    let bob = signup(&f.uc, "bob").await;

    // Checked before anything is stored.
    crate::tests::consent(&f.uc, me.user_id).await;
    assert_eq!(
        code_of(
            f.uc.submit_real_name(me.user_id, "张三", "440524188001010015")
                .await
        ),
        ErrorCode::InvalidIdNumber
    );
    assert_eq!(
        code_of(f.uc.submit_real_name(me.user_id, " ", MALE_ID).await),
        ErrorCode::Required
    );
    // Nothing pending yet.
    assert_eq!(
        code_of(
            f.uc.approve_verification(ops, me.user_id, VerificationKind::RealName)
                .await
        ),
        ErrorCode::NotPendingReview
    );

    let submitted =
        f.uc.submit_real_name(me.user_id, "张三", MALE_ID)
            .await
            .unwrap();
    assert_eq!(submitted.state, VerificationState::Pending);
    assert_eq!(
        submitted.id_number_masked.as_deref(),
        Some("4405**********0014")
    );
    assert_eq!(submitted.id_number, None);
    let profile = f.uc.profile(me.user_id).await.unwrap();
    assert_eq!(profile.verification, VerificationState::Pending);
    // Pending: no second submission, and the identity fields are locked,
    // but the user may still sign in.
    assert_eq!(
        code_of(f.uc.submit_real_name(me.user_id, "张三", MALE_ID).await),
        ErrorCode::VerificationPending
    );
    assert_eq!(
        code_of(
            f.uc.update_profile(
                me.user_id,
                &UpdateProfileRequest {
                    real_name: Some("李四".into()),
                    ..Default::default()
                }
            )
            .await
        ),
        ErrorCode::VerificationPending
    );
    f.uc.login("carol", PASSWORD, None, &client())
        .await
        .unwrap();

    // Only staff review.
    assert_eq!(
        code_of(
            f.uc.reject_verification(bob.user_id, me.user_id, VerificationKind::RealName, "no")
                .await
        ),
        ErrorCode::Forbidden
    );
    assert_eq!(
        code_of(
            f.uc.reject_verification(ops, me.user_id, VerificationKind::RealName, " ")
                .await
        ),
        ErrorCode::Required
    );
    let rejected =
        f.uc.reject_verification(
            ops,
            me.user_id,
            VerificationKind::RealName,
            "Photo unreadable",
        )
        .await
        .unwrap();
    assert_eq!(rejected.state, VerificationState::Rejected);
    let seen =
        f.uc.verification(me.user_id, VerificationKind::RealName)
            .await
            .unwrap();
    assert_eq!(seen.reason.as_deref(), Some("Photo unreadable"));
    let profile = f.uc.profile(me.user_id).await.unwrap();
    assert_eq!(profile.verification, VerificationState::Rejected);
    assert_eq!(
        profile.verification_reason.as_deref(),
        Some("Photo unreadable")
    );

    // Resubmit, approve: the profile takes the verified name and number.
    f.uc.submit_real_name(me.user_id, "张三", MALE_ID)
        .await
        .unwrap();
    let approved =
        f.uc.approve_verification(ops, me.user_id, VerificationKind::RealName)
            .await
            .unwrap();
    assert_eq!(approved.state, VerificationState::Verified);
    assert_eq!(approved.id_number, None, "staff see it masked");
    assert_eq!(
        f.uc.reveal_id_number(ops, me.user_id, "check")
            .await
            .unwrap(),
        MALE_ID
    );
    // The same number cannot verify a second account.
    let dave = signup(&f.uc, "dave").await;
    crate::tests::consent(&f.uc, dave.user_id).await;
    f.uc.submit_real_name(dave.user_id, "张三", MALE_ID)
        .await
        .unwrap();
    assert_eq!(
        code_of(
            f.uc.approve_verification(ops, dave.user_id, VerificationKind::RealName)
                .await
        ),
        ErrorCode::IdNumberInUse
    );
    let signed_in =
        f.uc.login("carol", PASSWORD, None, &client())
            .await
            .unwrap();
    assert_eq!(signed_in.user.verification, VerificationState::Verified);
    assert_eq!(signed_in.user.real_name.as_deref(), Some("张三"));
    assert_eq!(signed_in.user.id_type, IdType::MainlandId);
    assert!(f.uc.is_real_name_verified(me.user_id).await.unwrap());
    assert_eq!(
        code_of(f.uc.submit_real_name(me.user_id, "张三", MALE_ID).await),
        ErrorCode::AlreadyVerified
    );
    assert_eq!(
        code_of(
            f.uc.update_profile(
                me.user_id,
                &UpdateProfileRequest {
                    id_number: Some(FEMALE_ID.into()),
                    ..Default::default()
                }
            )
            .await
        ),
        ErrorCode::AlreadyVerified
    );
    // Gender must agree with the verified number.
    assert_eq!(
        code_of(
            f.uc.update_profile(
                me.user_id,
                &UpdateProfileRequest {
                    gender: Some(Gender::Female),
                    ..Default::default()
                }
            )
            .await
        ),
        ErrorCode::IdGenderMismatch
    );

    // The qualification has its own review.
    let overview = f.uc.verifications(me.user_id).await.unwrap();
    assert_eq!(overview.qualification.state, VerificationState::Unverified);
    f.uc.submit_qualification(me.user_id, "Business licence 91110000")
        .await
        .unwrap();
    let queue =
        f.uc.pending_verifications(ops, VerificationKind::Qualification, 10)
            .await
            .unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].0, me.user_id);
    f.uc.approve_verification(ops, me.user_id, VerificationKind::Qualification)
        .await
        .unwrap();
    let overview = f.uc.verifications(me.user_id).await.unwrap();
    assert_eq!(overview.qualification.state, VerificationState::Verified);
    assert_eq!(overview.real_name.state, VerificationState::Verified);
}

#[tokio::test]
async fn the_stated_gender_must_match_a_submitted_id() {
    let f = fixture().await;
    let me = signup(&f.uc, "dave").await;
    f.uc.update_profile(
        me.user_id,
        &UpdateProfileRequest {
            gender: Some(Gender::Female),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    crate::tests::consent(&f.uc, me.user_id).await;
    assert_eq!(
        code_of(f.uc.submit_real_name(me.user_id, "张三", MALE_ID).await),
        ErrorCode::IdGenderMismatch
    );
}

#[tokio::test]
async fn freezing_blocks_sign_in_and_tokens_until_unfrozen() {
    let f = fixture().await;
    let (me, token) = signup_with_token(&f.uc, "erin").await;
    let ops = staff(&f.uc).await;
    let bob = signup(&f.uc, "bob").await;
    assert_eq!(
        code_of(f.uc.set_frozen(bob.user_id, me.user_id, true).await),
        ErrorCode::Forbidden
    );
    f.uc.set_frozen(ops, me.user_id, true).await.unwrap();
    assert_eq!(
        code_of(f.uc.login("erin", PASSWORD, None, &client()).await),
        ErrorCode::AccountDisabled
    );
    assert!(f.uc.authenticate(&token).await.is_err());
    let profile = f.uc.profile(me.user_id).await.unwrap();
    assert_eq!(profile.account_state, AccountState::Frozen);
    // Freezing twice is harmless; unfreezing restores everything.
    f.uc.set_frozen(ops, me.user_id, true).await.unwrap();
    f.uc.set_frozen(ops, me.user_id, false).await.unwrap();
    f.uc.login("erin", PASSWORD, None, &client()).await.unwrap();
    assert_eq!(
        f.uc.profile(me.user_id).await.unwrap().account_state,
        AccountState::Active
    );
}

#[tokio::test]
async fn closing_needs_the_password_and_zero_balances_and_ends_sign_in() {
    let f = fixture().await;
    let (me, token) = signup_with_token(&f.uc, "fay").await;
    let ops = staff(&f.uc).await;
    f.uc.deposit(deposit(me.user_id, "close-1"), &Actor::User(ops))
        .await
        .unwrap();
    assert_eq!(
        code_of(
            f.uc.close_own_account(&me, "wrong password", None, false)
                .await
        ),
        ErrorCode::PasswordIncorrect
    );
    assert_eq!(
        code_of(f.uc.close_own_account(&me, "", None, false).await),
        ErrorCode::Required
    );
    assert_eq!(
        code_of(
            f.uc.close_own_account(&me, PASSWORD, Some("moving"), false)
                .await
        ),
        ErrorCode::BalanceNotZero
    );
    f.uc.withdraw(deposit(me.user_id, "close-2"), &Actor::User(ops))
        .await
        .unwrap();
    f.uc.close_own_account(&me, PASSWORD, Some("moving"), false)
        .await
        .unwrap();
    // Every session ended, sign-in refused, the record kept.
    assert!(f.uc.authenticate(&token).await.is_err());
    assert_eq!(
        code_of(f.uc.login("fay", PASSWORD, None, &client()).await),
        ErrorCode::AccountDisabled
    );
    let kept = f.uc.admin_profile(ops, me.user_id).await.unwrap();
    assert_eq!(kept.account_state, AccountState::Closed);
    assert_eq!(kept.email.as_deref(), Some("fay@example.com"));
    // Closed stays closed.
    assert_eq!(
        code_of(f.uc.set_frozen(ops, me.user_id, false).await),
        ErrorCode::AccountClosed
    );
    assert_eq!(
        code_of(f.uc.close_account(ops, me.user_id, "again", None).await),
        ErrorCode::AccountClosed
    );
}

#[tokio::test]
async fn staff_close_with_a_reason_and_an_authorising_operator() {
    let f = fixture().await;
    let me = signup(&f.uc, "gus").await;
    let ops = staff(&f.uc).await;
    let boss =
        f.uc.create_admin("boss@example.com", "", "boss", PASSWORD, Role::SuperAdmin)
            .await
            .unwrap()
            .id;
    let bob = signup(&f.uc, "bob").await;
    assert_eq!(
        code_of(
            f.uc.close_account(bob.user_id, me.user_id, "fraud", None)
                .await
        ),
        ErrorCode::Forbidden
    );
    assert_eq!(
        code_of(
            f.uc.close_account(ops, me.user_id, "fraud", Some(bob.user_id))
                .await
        ),
        ErrorCode::Forbidden,
        "the authoriser must be staff"
    );
    assert_eq!(
        code_of(f.uc.close_account(ops, me.user_id, "", Some(boss)).await),
        ErrorCode::Required
    );
    f.uc.close_account(ops, me.user_id, "Fraud report #12", Some(boss))
        .await
        .unwrap();
    let row: (String, Option<String>, Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT status, closed_reason, closed_by, close_authorised_by FROM users WHERE id = $1",
    )
    .bind(me.user_id)
    .fetch_one(&f.db.sql)
    .await
    .unwrap();
    assert_eq!(
        row,
        (
            "closed".into(),
            Some("Fraud report #12".into()),
            Some(ops),
            Some(boss)
        )
    );
}

#[tokio::test]
async fn closed_contacts_are_released_after_the_grace_period() {
    let (f, clock) = clocked_fixture().await;
    let me = signup(&f.uc, "hana").await;
    f.uc.close_own_account(&me, PASSWORD, None, false)
        .await
        .unwrap();
    let grace = f.uc.settings.closed_contact_grace.as_secs() as i64;

    // Within the grace period the contacts stay taken.
    clock.advance(grace - 10);
    assert_eq!(f.uc.release_closed_contacts(f.uc.now()).await.unwrap(), 0);
    assert_eq!(
        code_of(
            f.uc.register(
                Registration {
                    email: "hana@example.com",
                    phone: "",
                    username: "hana",
                    password: PASSWORD,
                    code: "",
                    identity: None,
                },
                &client()
            )
            .await
        ),
        ErrorCode::EmailTaken
    );

    // After it, sign-up releases them lazily and succeeds.
    clock.advance(20);
    let again =
        f.uc.register(
            Registration {
                email: "hana@example.com",
                phone: "",
                username: "hana",
                password: PASSWORD,
                code: "",
                identity: None,
            },
            &client(),
        )
        .await
        .unwrap();
    assert_ne!(again.user.id, me.user_id);
    let old: (String, Option<String>, Option<String>, Option<String>) = sqlx::query_as(
        "SELECT email, username, released_email, released_username FROM users WHERE id = $1",
    )
    .bind(me.user_id)
    .fetch_one(&f.db.sql)
    .await
    .unwrap();
    assert_eq!(
        old,
        (
            format!("closed-{}@closed.invalid", me.user_id),
            None,
            Some("hana@example.com".into()),
            Some("hana".into())
        )
    );
    // Nothing is released twice.
    assert_eq!(f.uc.release_closed_contacts(f.uc.now()).await.unwrap(), 0);
}
