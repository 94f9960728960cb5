//! The token check answers from memory once a session was seen live; each
//! way of ending a session or of barring an account must be seen by the
//! very next check, through that memory.

use crate::caller::Operator;
use crate::clock::Clock;
use crate::store::users::Role;
use crate::tests::{clocked_fixture, code_of, fixture, signup_named, Fixture};
use crate::UserCenter;
use shared::admin::Permissions;
use shared::ErrorCode;

const PASSWORD: &str = "correct horse battery";

async fn admin(uc: &UserCenter) -> Operator {
    let id = uc
        .create_admin("root@corp.example", "", "root", PASSWORD, Role::SuperAdmin)
        .await
        .unwrap()
        .id;
    Operator::from(id)
}

/// A fresh user whose token has been checked twice (so the second check
/// came from memory).
async fn seen(f: &Fixture, name: &str) -> (crate::AuthContext, String) {
    let (auth, token) = signup_named(&f.uc, name, PASSWORD).await;
    assert!(f.uc.check_token(&token).await.is_ok());
    assert!(f.uc.check_token(&token).await.is_ok());
    (auth, token)
}

async fn refused(uc: &UserCenter, token: &str) -> bool {
    code_of(uc.check_token(token).await) == ErrorCode::TokenRevoked
}

#[tokio::test]
async fn every_revocation_reaches_the_next_token_check() {
    let f = fixture().await;
    let uc = &f.uc;
    let op = admin(uc).await;

    let (auth, token) = seen(&f, "logout").await;
    uc.logout(&auth).await.unwrap();
    assert!(refused(uc, &token).await, "logout");

    let (auth, token) = seen(&f, "revoked").await;
    let other = uc
        .login(
            "revoked@example.com",
            PASSWORD,
            None,
            &crate::tests::client(),
        )
        .await
        .unwrap();
    let other = uc.authenticate(&other.token).await.unwrap();
    assert!(uc
        .revoke_own_session(&other, &auth.session_id)
        .await
        .unwrap());
    assert!(refused(uc, &token).await, "revoked from another session");
    uc.revoke_other_sessions(other.user_id, Some(&other.session_id))
        .await
        .unwrap();
    assert!(uc.check_token(&token).await.is_err());

    let (auth, token) = seen(&f, "elsewhere").await;
    uc.revoke_other_sessions(auth.user_id, None).await.unwrap();
    assert!(refused(uc, &token).await, "signed out everywhere");

    let (auth, token) = seen(&f, "frozen").await;
    uc.set_frozen(op.clone(), auth.user_id, true).await.unwrap();
    assert!(refused(uc, &token).await, "frozen");

    let (auth, token) = seen(&f, "barred").await;
    let barred = Permissions {
        allow_login: false,
        ..Permissions::default()
    };
    uc.set_permissions(op.clone(), auth.user_id, barred)
        .await
        .unwrap();
    assert!(refused(uc, &token).await, "allow_login off");

    let (auth, token) = seen(&f, "closed").await;
    uc.close_account(op.clone(), auth.user_id, "duplicate", None)
        .await
        .unwrap();
    assert!(refused(uc, &token).await, "closed");

    // Another user's session stays live throughout.
    let (_, kept) = seen(&f, "bystander").await;
    assert!(uc.check_token(&kept).await.is_ok());
}

#[tokio::test]
async fn a_demoted_member_of_staff_loses_staff_powers_on_the_next_request() {
    let f = fixture().await;
    let uc = &f.uc;
    let op = admin(uc).await;
    let (auth, token) = seen(&f, "helper").await;
    uc.set_role_of(op.clone(), auth.user_id, Role::Staff)
        .await
        .unwrap();
    let check = uc.authenticate(&token).await.unwrap();
    uc.require_staff(check.user_id).await.unwrap();
    uc.set_role_of(op, auth.user_id, Role::User).await.unwrap();
    // Still signed in, no longer staff.
    let check = uc.authenticate(&token).await.unwrap();
    assert_eq!(
        code_of(uc.require_staff(check.user_id).await),
        ErrorCode::Forbidden
    );
}

#[tokio::test]
async fn a_session_extended_after_it_was_remembered_stays_live() {
    let (f, clock) = clocked_fixture().await;
    let uc = &f.uc;
    let (auth, token) = signup_named(uc, "sliding", PASSWORD).await;
    let now = clock.now();
    let set_end = |end: i64| {
        sqlx::query("UPDATE sessions SET expires_at = $1 WHERE id = $2")
            .bind(end)
            .bind(auth.session_id.clone())
            .execute(&f.db.sql)
    };
    set_end(now + 5).await.unwrap();
    // Signing up remembered the session with its first end: forget it, so
    // the next check remembers the end 5 s from now.
    uc.sessions_changed_for(auth.user_id);
    assert!(
        uc.check_token(&token).await.is_ok(),
        "remembered, ending in 5 s"
    );
    // A refresh slides the session's end; the memory still has the old one.
    set_end(now + 3600).await.unwrap();
    clock.advance(10);
    assert!(uc.check_token(&token).await.is_ok(), "extended: still live");
    // Past the new end, it is over.
    clock.advance(3600);
    assert!(uc.check_token(&token).await.is_err(), "ended");
}
