//! Tests of operator-created accounts and roles.

use crate::store::users::Role;
use crate::tests::{client, code_of, fixture};
use crate::wallet::{Actor, Movement};
use shared::ErrorCode;

const PASSWORD: &str = "correct horse battery";

fn deposit_for(user_id: i64, request_id: &str) -> Movement<'_> {
    Movement {
        user_id,
        currency: "CNY",
        amount: "1.00",
        memo: "",
        request_id,
    }
}

#[tokio::test]
async fn an_operator_creates_a_super_admin_who_can_sign_in_and_move_money() {
    let f = fixture().await;
    let admin =
        f.uc.create_admin("Root@Example.com", "", "root", PASSWORD, Role::SuperAdmin)
            .await
            .unwrap();
    // Normalised like a sign-up; nobody proved the contact with a code.
    assert_eq!(admin.email.as_deref(), Some("root@example.com"));
    assert!(!admin.email_verified);
    assert_eq!(f.uc.role(admin.id).await.unwrap(), Role::SuperAdmin);
    // No session was opened, but the password works.
    let signed_in = f.uc.login("root", PASSWORD, None, &client()).await.unwrap();
    assert_eq!(signed_in.user.id, admin.id);
    let customer =
        f.uc.create_admin("c@example.com", "", "customer", PASSWORD, Role::User)
            .await
            .unwrap();
    f.uc.deposit(deposit_for(customer.id, "op-1"), &Actor::User(admin.id))
        .await
        .unwrap();
    // Nobody adjusts their own balance, not even a super admin.
    assert_eq!(
        code_of(
            f.uc.deposit(deposit_for(admin.id, "op-2"), &Actor::User(admin.id))
                .await
        ),
        ErrorCode::Forbidden
    );
}

#[tokio::test]
async fn operator_accounts_follow_the_sign_up_rules() {
    let f = fixture().await;
    let create = |email: &'static str, username: &'static str, password: &'static str| {
        let uc = f.uc.clone();
        async move {
            uc.create_admin(email, "", username, password, Role::SuperAdmin)
                .await
        }
    };
    assert_eq!(
        code_of(create("", "", PASSWORD).await),
        ErrorCode::ContactRequired
    );
    assert_eq!(
        code_of(create("not an email", "", PASSWORD).await),
        ErrorCode::InvalidEmail
    );
    assert_eq!(
        code_of(create("a@example.com", "", "short").await),
        ErrorCode::WeakPassword
    );
    create("a@example.com", "anna", PASSWORD).await.unwrap();
    assert_eq!(
        code_of(create("A@example.com", "", PASSWORD).await),
        ErrorCode::EmailTaken
    );
    assert_eq!(
        code_of(create("b@example.com", "ANNA", PASSWORD).await),
        ErrorCode::UsernameTaken
    );
}

#[tokio::test]
async fn roles_decide_who_is_staff_at_once() {
    let f = fixture().await;
    let user =
        f.uc.create_admin("u@example.com", "", "", PASSWORD, Role::User)
            .await
            .unwrap()
            .id;
    assert_eq!(
        code_of(f.uc.require_staff(user).await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        code_of(
            f.uc.deposit(deposit_for(user, "r-1"), &Actor::User(user))
                .await
        ),
        ErrorCode::Forbidden
    );
    assert_eq!(
        f.uc.set_role("U@example.com", Role::Staff).await.unwrap(),
        user
    );
    f.uc.require_staff(user).await.unwrap();
    let customer =
        f.uc.create_admin("c@example.com", "", "", PASSWORD, Role::User)
            .await
            .unwrap()
            .id;
    f.uc.deposit(deposit_for(customer, "r-1"), &Actor::User(user))
        .await
        .unwrap();
    f.uc.set_role("u@example.com", Role::User).await.unwrap();
    assert_eq!(
        code_of(f.uc.require_staff(user).await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        code_of(f.uc.set_role("nobody@example.com", Role::Staff).await),
        ErrorCode::NotFound
    );
    // An unknown user is simply not staff.
    assert_eq!(
        code_of(f.uc.require_staff(9999).await),
        ErrorCode::Forbidden
    );
    assert_eq!("staff".parse::<Role>(), Ok(Role::Staff));
    assert!("root".parse::<Role>().is_err());
}
