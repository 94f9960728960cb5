//! The current password typed again to confirm a sensitive change (a new
//! password, a replaced contact, closing the account, a first payment PIN).
//!
//! A stolen session must not become a password oracle, so wrong entries are
//! counted by the attempt limiter (kind `reentry`, per user): after 5 wrong
//! in a row (by default) the session that tried is ended, re-entry for the
//! account is locked for 15 minutes (`REENTRY_LOCKED`), and the audit log
//! records `password_reentry_locked`.

use crate::accounts::LoginSecret;
use crate::audit::AuditEvent;
use crate::caller::AuthContext;
use crate::password_digests::DigestScheme;
use crate::throttle::Kind;
use crate::{store, DomainError, UserCenter};
use shared::admin::AuditAction;
use shared::{AppError, ErrorCode, Field};

impl UserCenter {
    /// Checks the signed-in user's current password: Ok, `REQUIRED`,
    /// `PASSWORD_INCORRECT` (with the tries left, on `field`) or
    /// `REENTRY_LOCKED`.
    pub(crate) async fn reenter_password(
        &self,
        auth: &AuthContext,
        password: &str,
        field: Field,
    ) -> Result<(), DomainError> {
        if password.is_empty() {
            return Err(AppError::field(ErrorCode::Required, field).into());
        }
        self.reenter(auth.user_id, Some(auth), LoginSecret::Password(password))
            .await
            .map_err(|e| on_field(e, field))
    }

    /// The same counted check for a seed client that sends the current
    /// password as a digest; there is no session to end on a lock.
    pub(crate) async fn reenter_digest(
        &self,
        user_id: i64,
        scheme: DigestScheme,
        digest: &str,
    ) -> Result<(), DomainError> {
        if digest.trim().is_empty() {
            return Err(AppError::field(ErrorCode::Required, Field::CurrentPassword).into());
        }
        self.reenter(user_id, None, LoginSecret::Digest(scheme, digest))
            .await
    }

    async fn reenter(
        &self,
        user_id: i64,
        session: Option<&AuthContext>,
        secret: LoginSecret<'_>,
    ) -> Result<(), DomainError> {
        let key = user_id.to_string();
        let attempt = self.reserve(Kind::Reentry, &key).await?;
        let matched = match secret {
            LoginSecret::Password(password) => {
                let mut conn = self.pool.acquire().await?;
                let stored = store::passwords::main_hash(&mut conn, user_id).await?;
                drop(conn);
                self.verify_password(user_id, stored.as_deref(), password)
                    .await?
            }
            LoginSecret::Digest(scheme, digest) => {
                self.verify_digest(Some(user_id), scheme, digest).await?
            }
        };
        if matched {
            attempt.forgive().await?;
            return Ok(());
        }
        let failure = attempt.fail().await?;
        tracing::info!(user_id, "wrong current password");
        if failure.set_lock {
            tracing::warn!(user_id, "password re-entry locked");
            let mut event = AuditEvent::by_user(
                AuditAction::PasswordReentryLocked,
                user_id,
                crate::audit::Whence::default(),
            );
            if let Some(auth) = session {
                // Whoever holds this session cannot prove to be the user: end it.
                self.revoke_session(user_id, &auth.session_id).await?;
                event = AuditEvent::by_user(AuditAction::PasswordReentryLocked, user_id, auth)
                    .details(serde_json::json!({ "session_id": auth.session_id }));
            }
            self.audit(event).await;
        }
        Err(failure.error(ErrorCode::PasswordIncorrect))
    }
}

/// Puts an answer about the password on the form's own field.
fn on_field(e: DomainError, field: Field) -> DomainError {
    match e {
        DomainError::Rejected(mut app) => {
            app.field = Some(field);
            DomainError::Rejected(app)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use crate::recovery::ChangeProof;
    use crate::tests::{clocked_fixture, code_of, signup_named};
    use shared::ErrorCode;

    const RIGHT: &str = "correct horse battery";
    const NEW: &str = "a brand new passphrase";

    async fn audited(f: &crate::tests::Fixture, action: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = $1")
            .bind(action)
            .fetch_one(&f.db.sql)
            .await
            .unwrap();
        n
    }

    #[tokio::test]
    async fn five_wrong_current_passwords_end_the_session_and_lock_re_entry() {
        let (f, clock) = clocked_fixture().await;
        let (auth, token) = signup_named(&f.uc, "alice", RIGHT).await;
        // The three confirmations share one counter.
        for (n, wrong) in [
            (1u32, "wrong one"),
            (2, "wrong two"),
            (3, "wrong three"),
            (4, "wrong four"),
        ] {
            let e = match n {
                1 => {
                    f.uc.close_own_account(&auth, wrong, None, false)
                        .await
                        .unwrap_err()
                }
                2 => {
                    let change = crate::contacts::ContactChange {
                        contact: "new@example.com",
                        code: "123456",
                        password: Some(wrong),
                        sid: None,
                    };
                    f.uc.change_contact(&auth, change).await.unwrap_err()
                }
                _ => {
                    f.uc.change_password(&auth, ChangeProof::CurrentPassword(wrong), NEW)
                        .await
                        .unwrap_err()
                }
            }
            .to_app_error();
            assert_eq!(e.code, ErrorCode::PasswordIncorrect, "try {n}");
            assert_eq!(e.login.unwrap().remaining_consecutive, 5 - n);
        }
        let e =
            f.uc.change_password(&auth, ChangeProof::CurrentPassword("wrong five"), NEW)
                .await
                .unwrap_err()
                .to_app_error();
        assert_eq!(e.code, ErrorCode::ReentryLocked);
        assert_eq!(e.retry_after_secs, Some(15 * 60));
        assert_eq!(
            code_of(f.uc.authenticate(&token).await),
            ErrorCode::Unauthenticated,
            "the session that guessed is over"
        );
        assert_eq!(audited(&f, "password_reentry_locked").await, 1);

        // Signed in again, even the right password is refused for a while.
        let again =
            f.uc.login("alice", RIGHT, None, &crate::tests::client())
                .await
                .unwrap();
        let auth = f.uc.authenticate(&again.token).await.unwrap();
        assert_eq!(
            code_of(
                f.uc.change_password(&auth, ChangeProof::CurrentPassword(RIGHT), NEW)
                    .await
            ),
            ErrorCode::ReentryLocked
        );
        clock.advance(15 * 60);
        f.uc.change_password(&auth, ChangeProof::CurrentPassword(RIGHT), NEW)
            .await
            .unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn fifty_parallel_wrong_re_entries_reach_the_hash_five_times() {
        let (f, _clock) = clocked_fixture().await;
        let (auth, _) = signup_named(&f.uc, "alice", RIGHT).await;
        let before = f.uc.hasher.verifications();
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let (uc, auth) = (f.uc.clone(), auth.clone());
                tokio::spawn(async move {
                    let guess = format!("guess number {i}");
                    code_of(
                        uc.change_password(&auth, ChangeProof::CurrentPassword(&guess), NEW)
                            .await,
                    )
                })
            })
            .collect();
        let mut incorrect = 0;
        let mut locked = 0;
        for t in tasks {
            match t.await.unwrap() {
                ErrorCode::PasswordIncorrect => incorrect += 1,
                ErrorCode::ReentryLocked => locked += 1,
                other => panic!("unexpected {other}"),
            }
        }
        assert_eq!((incorrect, locked), (4, 46));
        assert_eq!(f.uc.hasher.verifications() - before, 5);
    }
}
