//! Password rules of the entry points that speak another system's API.
//!
//! The product asks for 8–128 characters everywhere. The app API of seed
//! 002 documents 6–16 ("密码长度不可小于6位,大于16位"): its mobile apps check
//! that before sending, and their users chose passwords under it. So its
//! facade registers and resets passwords under that rule, and nowhere else
//! does. Sign-in never checks lengths, so a 6-character password set there
//! signs in through the web UI and the REST API too; changing it through
//! the web UI asks for the product's rule again.
//!
//! The other rules stay for every policy: not a common password (the
//! bundled list holds passwords of 8 characters and more), not the
//! account's own email, phone or username.

use crate::accounts::Registration;
use crate::caller::ClientInfo;
use crate::delivery::Lang;
use crate::recovery::ResetProof;
use crate::{DomainError, UserCenter};
use shared::dto::AuthResponse;
use shared::validate::PasswordLengths;

/// Which length rule a password set through an entry point follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PasswordPolicy {
    /// 8–128 characters: the web UI, the REST API and the console.
    #[default]
    Product,
    /// 6–16 characters: the app API facade (seed 002) only.
    AppApi,
}

impl PasswordPolicy {
    pub fn lengths(self) -> PasswordLengths {
        match self {
            PasswordPolicy::Product => PasswordLengths::PRODUCT,
            PasswordPolicy::AppApi => PasswordLengths { min: 6, max: 16 },
        }
    }
}

impl UserCenter {
    /// [`UserCenter::register`] under `policy`'s password lengths; every
    /// other sign-up rule (identifiers, uniqueness, the sign-up code) is
    /// the same.
    pub async fn register_with_policy(
        &self,
        form: Registration<'_>,
        policy: PasswordPolicy,
        client: &ClientInfo,
    ) -> Result<AuthResponse, DomainError> {
        self.register_within(form, policy.lengths(), client).await
    }

    /// [`UserCenter::reset_password`] under `policy`'s password lengths;
    /// the proof, the sessions that end and the notice are the same.
    pub async fn reset_password_with_policy(
        &self,
        proof: ResetProof<'_>,
        new_password: &str,
        policy: PasswordPolicy,
        lang: Lang,
        client: &ClientInfo,
    ) -> Result<(), DomainError> {
        self.reset_password_within(proof, new_password, policy.lengths(), lang, client)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::CodeRequest;
    use crate::tests::{client, fixture, Fixture};
    use shared::dto::CodePurpose;
    use shared::error::PasswordProblem;
    use shared::ErrorCode;

    /// Sends a `reset_password` code to `phone` (solving the captcha from
    /// the dev outbox) and reads it from the SMS outbox.
    async fn reset_code(f: &Fixture, phone: &str) -> String {
        let outbox = f._dir.path().join("outbox");
        let captcha = f.uc.new_captcha(None).await.unwrap();
        let answer =
            std::fs::read_to_string(outbox.join("captcha").join(format!("{}.txt", captcha.key)))
                .unwrap();
        f.uc.send_code(
            CodeRequest {
                contact: phone,
                purpose: Some(CodePurpose::ResetPassword),
                captcha_key: Some(&captcha.key),
                captcha_answer: Some(&answer),
                lang: Lang::En,
            },
            None,
            None,
        )
        .await
        .unwrap();
        for _ in 0..100 {
            let texts: Vec<String> = std::fs::read_dir(outbox.join("sms"))
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .filter(|t| t.contains(phone))
                .collect();
            if let Some(code) = texts.iter().find_map(|t| {
                t.split(|c: char| !c.is_ascii_digit())
                    .find(|run| run.len() == 6)
                    .map(str::to_string)
            }) {
                return code;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("no code to {phone}");
    }

    fn form<'a>(phone: &'a str, password: &'a str) -> Registration<'a> {
        Registration {
            phone,
            password,
            ..Default::default()
        }
    }

    fn problem(e: DomainError) -> Option<PasswordProblem> {
        match e {
            DomainError::Rejected(e) => e.reason,
            _ => None,
        }
    }

    #[tokio::test]
    async fn the_app_api_policy_admits_six_to_sixteen_characters_and_sign_in_takes_them() {
        let f = fixture().await;
        let (uc, c) = (&f.uc, client());
        // The product's rule refuses six characters …
        let e = uc
            .register(form("13800000001", "xK9#qv"), &c)
            .await
            .unwrap_err();
        assert_eq!(problem(e), Some(PasswordProblem::TooShort));
        // … the app API's admits six and sixteen, refuses five and seventeen.
        for (phone, password, ok) in [
            ("13800000002", "xK9#q", false),
            ("13800000003", "xK9#qv", true),
            ("13800000004", "xK9#qv2!xK9#qv2!", true),
            ("13800000005", "xK9#qv2!xK9#qv2!z", false),
        ] {
            let got = uc
                .register_with_policy(form(phone, password), PasswordPolicy::AppApi, &c)
                .await;
            assert_eq!(got.is_ok(), ok, "{password}");
        }
        // The other rules stay: not the phone number itself.
        let e = uc
            .register_with_policy(
                form("13800000006", "13800000006"),
                PasswordPolicy::AppApi,
                &c,
            )
            .await
            .unwrap_err();
        assert_eq!(problem(e), Some(PasswordProblem::MatchesAccount));
        // Sign-in checks no length: the six-character password works.
        uc.login("13800000003", "xK9#qv", None, &c).await.unwrap();
    }

    #[tokio::test]
    async fn a_reset_under_the_app_api_policy_takes_a_short_password() {
        let f = fixture().await;
        let (uc, c) = (&f.uc, client());
        uc.register(form("13800000007", "correct horse battery"), &c)
            .await
            .unwrap();
        let code = reset_code(&f, "13800000007").await;
        let proof = || ResetProof::Code {
            contact: "13800000007",
            code: &code,
        };
        let e = uc
            .reset_password(proof(), "abc123", Lang::default(), &c)
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::WeakPassword);
        uc.reset_password_with_policy(
            proof(),
            "abc123",
            PasswordPolicy::AppApi,
            Lang::default(),
            &c,
        )
        .await
        .unwrap();
        uc.login("13800000007", "abc123", None, &c).await.unwrap();
    }
}
