//! The facade for seed `yonyou` (004): the yonyou user center's server API
//! as its SDK (`UserCenter` class) calls it: `user/…`,
//! `images/getValiImage` and `cas/v1/validate`. See `README.md`,
//! "Compatible APIs", for every endpoint and the choices made where the
//! document is ambiguous.
//!
//! The SDK's calls carry no credential of their own (a `sysId` names the
//! calling application but proves nothing), so this facade answers only
//! `UC_COMPAT_ALLOW_FROM` (`compat::service_network`, applied by the
//! caller of [`routes`]). Within that network the caller is trusted to act
//! for the user it names by `userId`, as yonyou's own servers are; what it
//! cannot vouch for (a new contact, the old password) still needs its proof
//! (a code's `sid`, the old password's digest), checked by the domain.
//!
//! Every path is served as documented (`/user/user`), with a doubled
//! leading slash (`//user/user`, what an SDK that joins a base URL ending in
//! `/` with a path starting with `/` sends), and under `/rest` (the
//! document's "url里不能带rest" implies the other calls are reached under
//! `rest/`).

mod call;
mod codes;
mod contacts;
#[cfg(test)]
mod fuzz_tests;
mod messages;
mod params;
mod passwords;
mod replies;
mod user_vo;
mod users;

use super::CompatSettings;
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use domain::secret_string::SecretString;
use domain::UserCenter;
use std::sync::Arc;

/// The shortest `UC_COMPAT_YONYOU_SECRET_KEY` accepted: it is compared, not
/// counted, so it must be too long to guess.
pub const SECRET_KEY_MIN_CHARS: usize = 32;

/// This facade's own settings (`UC_COMPAT_YONYOU_*` variables, read by clap).
#[derive(clap::Args, Clone, Debug, Default)]
// Each facade's settings are their own argument group (clap names
// groups after the struct, and every facade's is called `Options`).
#[group(id = "compat-yonyou")]
pub struct Options {
    /// The `secretKey` a caller sends to get phone numbers and email
    /// addresses in full from the calls that return users (otherwise they
    /// are masked, `138****4465`). Empty: always masked. At least 32
    /// characters.
    #[arg(
        long = "compat-yonyou-secret-key",
        env = "UC_COMPAT_YONYOU_SECRET_KEY",
        default_value = "",
        global = true,
        hide_env_values = true,
        value_parser = parse_secret_key
    )]
    pub secret_key: SecretKey,
}

/// `UC_COMPAT_YONYOU_SECRET_KEY`: empty, or a key of at least
/// [`SECRET_KEY_MIN_CHARS`]; printed as `[redacted]`.
#[derive(Clone, Debug, Default)]
pub struct SecretKey(Option<SecretString>);

impl SecretKey {
    /// A configured key, checked as `UC_COMPAT_YONYOU_SECRET_KEY` is:
    /// empty, or at least [`SECRET_KEY_MIN_CHARS`] characters.
    pub fn new(key: &str) -> Result<SecretKey, String> {
        let key = key.trim();
        if key.is_empty() {
            Ok(SecretKey(None))
        } else if key.chars().count() < SECRET_KEY_MIN_CHARS {
            Err(format!(
                "the yonyou secretKey must have at least {SECRET_KEY_MIN_CHARS} characters"
            ))
        } else {
            Ok(SecretKey(Some(SecretString::new(key))))
        }
    }

    /// Whether `given` is the configured key (never, when none is). The
    /// comparison takes the same time wherever the first difference is.
    pub fn matches(&self, given: &str) -> bool {
        let Some(key) = &self.0 else { return false };
        let (a, b) = (key.as_bytes(), given.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

fn parse_secret_key(value: &str) -> Result<SecretKey, String> {
    SecretKey::new(value)
}

/// What every handler needs.
#[derive(Clone)]
pub(super) struct Yonyou {
    pub(super) uc: UserCenter,
    pub(super) secret_key: Arc<SecretKey>,
}

/// The facade's routes at the seed's own paths (see the module docs for
/// the variants each is served under).
pub fn routes(uc: UserCenter, settings: &CompatSettings) -> Router {
    let state = Yonyou {
        uc,
        secret_key: Arc::new(settings.yonyou.secret_key.clone()),
    };
    let endpoints: Vec<(&str, MethodRouter<Yonyou>)> = vec![
        ("/user/user", get(users::get_user).post(users::add_user)),
        ("/user/getusersbypks", post(users::users_by_pks)),
        ("/user/userspage", get(users::users_page)),
        ("/user/users", post(users::add_users)),
        ("/images/getValiImage", get(codes::captcha_image)),
        ("/user/sendcode2", post(codes::send_contact_code)),
        ("/user/sendcode", post(codes::send_user_code)),
        ("/user/validatecode", post(codes::validate_code)),
        ("/user/modifypassword", post(passwords::modify_password)),
        ("/user/modifyContact", post(contacts::modify_contact)),
        ("/user/bindMail", post(contacts::bind_mail)),
        ("/user/bindMobile", post(contacts::bind_mobile)),
        ("/cas/v1/validate", post(passwords::validate)),
        ("/user/sendmsgbymobile", post(messages::by_mobile)),
        ("/user/sendmsgbyemail", post(messages::by_email)),
        // The document writes these two as "/user/ sendmsgby…".
        ("/user/%20sendmsgbymobile", post(messages::by_mobile)),
        ("/user/%20sendmsgbyemail", post(messages::by_email)),
    ];
    let mut router = Router::new();
    for (path, endpoint) in endpoints {
        for variant in [path.to_string(), format!("/{path}"), format!("/rest{path}")] {
            router = router.route(&variant, endpoint.clone());
        }
    }
    router.with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_key_is_long_and_compared_whole() {
        assert!(parse_secret_key("").unwrap().0.is_none());
        assert!(parse_secret_key("short").is_err());
        let key = parse_secret_key(&"k".repeat(32)).unwrap();
        assert!(key.matches(&"k".repeat(32)));
        assert!(!key.matches(&"k".repeat(31)));
        assert!(!key.matches(""));
        assert!(!SecretKey::default().matches(""));
        assert_eq!(format!("{key:?}"), "SecretKey(Some([redacted]))");
    }
}
