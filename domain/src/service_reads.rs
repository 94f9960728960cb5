//! What a signed service reads about one user: balances, history and
//! permission flags (which it sets through
//! [`set_permissions_for_service`](UserCenter::set_permissions_for_service)).
//!
//! The same reads as the user's own wallet (balances, history with the web
//! wallet's cursor paging) and the staff console (the permission flags),
//! but for a user named by id: an id with no account is `NOT_FOUND` rather
//! than an empty wallet, so a service cannot mistake a typo for a user
//! without money.

use crate::{store, DomainError, UserCenter};
use shared::admin::Permissions;
use shared::wallet::{Balance, HistoryPage, HistoryRequest};
use shared::ErrorCode;

impl UserCenter {
    /// The user's balances, as their wallet shows them.
    pub async fn balances_for_service(&self, user_id: i64) -> Result<Vec<Balance>, DomainError> {
        self.require_user(user_id).await?;
        self.balances(user_id).await
    }

    /// A page of the user's history in one currency (a code or an alias),
    /// newest first; `next_cursor` continues as on the web wallet.
    pub async fn history_for_service(
        &self,
        user_id: i64,
        query: &HistoryRequest,
    ) -> Result<HistoryPage, DomainError> {
        self.require_user(user_id).await?;
        self.history(user_id, query).await
    }

    /// The user's permission flags.
    pub async fn permissions_for_service(&self, user_id: i64) -> Result<Permissions, DomainError> {
        self.require_user(user_id).await?;
        self.permissions(user_id).await
    }

    async fn require_user(&self, user_id: i64) -> Result<(), DomainError> {
        let mut conn = self.pool.acquire().await?;
        let found = store::users::status(&mut conn, user_id).await?;
        found.map(drop).ok_or_else(|| ErrorCode::NotFound.into())
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{code_of, fixture, signup_named};
    use crate::wallet::{Actor, Movement};
    use shared::admin::Permissions;
    use shared::wallet::HistoryRequest;
    use shared::ErrorCode;

    #[tokio::test]
    async fn reads_name_a_real_user_and_page_like_the_wallet() {
        let f = fixture().await;
        let uc = &f.uc;
        let (auth, _) = signup_named(uc, "reader", "correct horse battery").await;
        let id = auth.user_id;
        let svc = Actor::Service("shop".into());
        for i in 0..5 {
            let rid = format!("r-{i}");
            uc.deposit(
                Movement {
                    user_id: id,
                    currency: "integral",
                    amount: "10",
                    memo: "",
                    request_id: &rid,
                },
                &svc,
            )
            .await
            .unwrap();
        }
        let balances = uc.balances_for_service(id).await.unwrap();
        let points = balances.iter().find(|b| b.currency == "POINTS").unwrap();
        assert_eq!(points.available, "50");
        let page = |cursor| HistoryRequest {
            currency: "POINTS".into(),
            cursor,
            limit: Some(2),
            ..Default::default()
        };
        let first = uc.history_for_service(id, &page(None)).await.unwrap();
        assert_eq!(first.items.len(), 2);
        let second = uc
            .history_for_service(id, &page(first.next_cursor))
            .await
            .unwrap();
        let third = uc
            .history_for_service(id, &page(second.next_cursor))
            .await
            .unwrap();
        assert_eq!(third.items.len(), 1);
        assert_eq!(third.next_cursor, None);
        assert!(first.items[1].id > second.items[0].id);
        // The same as the user's own wallet reads.
        assert_eq!(first, uc.history(id, &page(None)).await.unwrap());

        let nobody = id + 1000;
        assert_eq!(
            code_of(uc.balances_for_service(nobody).await),
            ErrorCode::NotFound
        );
        assert_eq!(
            code_of(uc.history_for_service(nobody, &page(None)).await),
            ErrorCode::NotFound
        );
        assert_eq!(
            code_of(uc.permissions_for_service(nobody).await),
            ErrorCode::NotFound
        );

        let off = Permissions {
            allow_login: true,
            allow_transfer: false,
            allow_withdraw: true,
        };
        uc.set_permissions_for_service("app_x", id, off, Default::default())
            .await
            .unwrap();
        assert_eq!(uc.permissions_for_service(id).await.unwrap(), off);
    }
}
