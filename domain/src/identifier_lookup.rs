//! Finding an account by what its owner signs in with (email, phone number
//! or username), for a trusted server that names users that way (jigsaw's
//! "login identifier"). The identifier is normalised as at sign-in, so
//! `+86 138 0013 8000` and `ANN@example.com` find their accounts.
//!
//! Only for callers that may know whether an account exists: the facades
//! that use it answer only the service network.

use crate::{store, DomainError, UserCenter};
use shared::validate;

impl UserCenter {
    /// The id of the account with this email, phone or username, closed
    /// accounts included; `None` when there is none. A string that is no
    /// identifier at all is `INVALID_IDENTIFIER`.
    pub async fn user_id_by_login_identifier(
        &self,
        identifier: &str,
    ) -> Result<Option<i64>, DomainError> {
        let identifier = validate::parse_identifier(identifier)?;
        let mut conn = self.pool.acquire().await?;
        let found = store::users::holder(&mut conn, (&identifier).into()).await?;
        Ok(found.map(|h| h.id))
    }
}

#[cfg(test)]
mod tests {
    use crate::accounts::Registration;
    use crate::tests::{client, fixture_with, test_settings};
    use shared::ErrorCode;

    #[tokio::test]
    async fn accounts_are_found_by_any_normalised_identifier() {
        let f = fixture_with(test_settings()).await;
        let user =
            f.uc.register(
                Registration {
                    email: "Ann@Example.com",
                    phone: "13800138000",
                    username: "ann_1",
                    password: "correct horse 1",
                    ..Default::default()
                },
                &client(),
            )
            .await
            .unwrap()
            .user;
        for id in [
            "ann@example.com",
            "ANN@example.com",
            "+86 138 0013 8000",
            "ANN_1",
        ] {
            assert_eq!(
                f.uc.user_id_by_login_identifier(id).await.unwrap(),
                Some(user.id),
                "{id}"
            );
        }
        assert_eq!(
            f.uc.user_id_by_login_identifier("bob@example.com")
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            f.uc.user_id_by_login_identifier("!!")
                .await
                .unwrap_err()
                .code(),
            ErrorCode::InvalidIdentifier
        );
    }
}
