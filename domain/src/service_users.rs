//! What signed service apps may do with accounts beyond reading one by id:
//! a small paged search and messages to a user's bound email or phone.
//!
//! Kept apart from the staff console's user search (`admin_users`): a
//! service sees exactly what `GET /service/users?ids=` shows (ID numbers
//! masked), and its search is deliberately plain.

use crate::delivery::Message;
use crate::store::search::contains_pattern;
use crate::store::user_search::{Order, TextMatch, UserFilter};
use crate::{store, DomainError, UserCenter};
use shared::admin::MessageChannel;
use shared::profile::AccountState;
use shared::service::{
    CheckedMessage, MessageSent, UserSearch, UserSearchPage, SEARCH_MAX_PER_PAGE,
};
use shared::validate::Contact;
use shared::{AppError, ErrorCode};

/// The subject of an email whose sender gave none.
const DEFAULT_SUBJECT: &str = "User Center";

impl UserCenter {
    /// One page of the users matching `search.q`, ordered by id, with the
    /// total number of matches. Frozen and closed accounts are included
    /// (their `account_state` says so), as in a lookup by id.
    pub async fn search_users_for_service(
        &self,
        search: &UserSearch,
    ) -> Result<UserSearchPage, DomainError> {
        // `UserSearchQuery::to_search` enforces these; the domain does not
        // rely on its callers for the bound that keeps a page small.
        let per_page = search.per_page.clamp(1, SEARCH_MAX_PER_PAGE);
        let page = search.page.max(1);
        let offset = i64::from(page - 1) * i64::from(per_page);
        let pattern = contains_pattern(&search.q);
        // The text anywhere in the email, phone, username or display name.
        let filter = UserFilter {
            text: Some(TextMatch::Public(&pattern)),
            ..UserFilter::default()
        };
        let mut conn = self.pool.acquire().await?;
        let total = store::user_search::count(&mut conn, &filter).await?;
        let rows = store::user_search::page(
            &mut conn,
            self.vault().await?,
            &filter,
            Order::Id,
            i64::from(per_page),
            offset,
        )
        .await?;
        drop(conn);
        let mut items = Vec::with_capacity(rows.len());
        for row in rows {
            items.push(self.profile_of(row).await?);
        }
        Ok(UserSearchPage {
            items,
            page,
            per_page,
            total,
        })
    }

    /// Sends a service's message to the user's bound email or phone (whether
    /// or not it was proven by a code: the account holds it). A closed
    /// account gets nothing (`ACCOUNT_CLOSED`): its contacts may soon belong
    /// to someone else. The message is handed to the provider before this
    /// returns, so a failure is `DELIVERY_FAILED` to the caller.
    pub async fn send_service_message(
        &self,
        app_id: &str,
        user_id: i64,
        channel: MessageChannel,
        message: CheckedMessage,
    ) -> Result<MessageSent, DomainError> {
        let user = self.profile(user_id).await?;
        if user.account_state == AccountState::Closed {
            return Err(ErrorCode::AccountClosed.into());
        }
        let contact = match channel {
            MessageChannel::Email => user.email.map(Contact::Email),
            MessageChannel::Sms => user.phone.map(Contact::Phone),
        }
        .ok_or_else(|| {
            AppError::with_message(
                ErrorCode::NoSuchContact,
                match channel {
                    MessageChannel::Email => "This user has no email address.",
                    MessageChannel::Sms => "This user has no phone number.",
                },
            )
        })?;
        let outgoing = Message {
            subject: message
                .subject
                .unwrap_or_else(|| DEFAULT_SUBJECT.to_string()),
            text: message.text,
        };
        self.messenger.deliver(&contact, &outgoing).await?;
        tracing::info!(app_id, user_id, ?channel, "service message sent");
        Ok(MessageSent {
            user_id,
            channel,
            sent_to: contact.masked(),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::store::users::Role;
    use crate::tests::{code_of, fixture};
    use shared::admin::MessageChannel;
    use shared::service::{CheckedMessage, UserSearch};
    use shared::ErrorCode;

    fn search(q: &str, page: u32, per_page: u32) -> UserSearch {
        UserSearch {
            q: q.into(),
            page,
            per_page,
        }
    }

    #[tokio::test]
    async fn search_pages_by_id_and_bounds_the_page_itself() {
        let f = fixture().await;
        let mut ids = Vec::new();
        for (email, phone, username) in [
            ("one@example.com", "13800000001", "one"),
            ("two@example.com", "", "two"),
            ("three@example.net", "13800000003", "three"),
        ] {
            let user =
                f.uc.create_admin(email, phone, username, "correct horse battery", Role::User)
                    .await
                    .unwrap();
            ids.push(user.id);
        }
        let page =
            f.uc.search_users_for_service(&search("Example.COM", 1, 1))
                .await
                .unwrap();
        assert_eq!((page.total, page.items.len()), (2, 1));
        assert_eq!(page.items[0].id, ids[0]);
        // By phone digits; a per_page over the limit is clamped here too.
        let page =
            f.uc.search_users_for_service(&search("138000000", 1, 10_000))
                .await
                .unwrap();
        assert_eq!(page.per_page, 100);
        assert_eq!(
            page.items.iter().map(|u| u.id).collect::<Vec<_>>(),
            vec![ids[0], ids[2]]
        );
        let nothing =
            f.uc.search_users_for_service(&search("_", 1, 10))
                .await
                .unwrap();
        assert_eq!(nothing.total, 0);
    }

    #[tokio::test]
    async fn messages_need_a_contact_on_the_chosen_channel() {
        let f = fixture().await;
        let user =
            f.uc.create_admin(
                "mail@example.com",
                "",
                "",
                "correct horse battery",
                Role::User,
            )
            .await
            .unwrap();
        let message = || CheckedMessage {
            subject: None,
            text: "hello".into(),
        };
        let sent =
            f.uc.send_service_message("app_test", user.id, MessageChannel::Email, message())
                .await
                .unwrap();
        assert_eq!(sent.sent_to, "m***@example.com");
        assert_eq!(
            code_of(
                f.uc.send_service_message("app_test", user.id, MessageChannel::Sms, message())
                    .await
            ),
            ErrorCode::NoSuchContact
        );
        assert_eq!(
            code_of(
                f.uc.send_service_message(
                    "app_test",
                    user.id + 1,
                    MessageChannel::Email,
                    message()
                )
                .await
            ),
            ErrorCode::NotFound
        );
    }
}
