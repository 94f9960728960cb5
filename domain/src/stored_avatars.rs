//! Setting an avatar to a picture this server already stores, named by the
//! hash in its public address (`/media/avatars/{hash}-{size}.png`).
//!
//! Some clients upload an image first and then set the avatar to the
//! image's address (the app API of seed 002: `uploadPortrait` takes a
//! `portrait` address). Fetching whatever address a client sends would let
//! it make this server request any URL (server-side request forgery), so
//! only pictures stored here can be named: the hash must have every size
//! on disk, which holds exactly while some account uses it as its avatar.
//! Avatars are public already, so naming another account's picture reveals
//! nothing; the shared files are kept until no account uses them
//! ([`UserCenter::forget_avatar_files`]).

use crate::{DomainError, UserCenter};
use shared::dto::UserProfile;
use shared::media::{is_avatar_hash, AVATAR_SIZES};
use shared::profile::AccountState;
use shared::ErrorCode;

impl UserCenter {
    /// Makes the stored picture `hash` the user's avatar and returns the
    /// profile. `NOT_FOUND` when no such picture is stored (nothing
    /// changes); `ACCOUNT_CLOSED` for a closed account. Setting the avatar
    /// it already has changes nothing.
    pub async fn use_stored_avatar(
        &self,
        user_id: i64,
        hash: &str,
    ) -> Result<UserProfile, DomainError> {
        if !is_avatar_hash(hash) {
            return Err(ErrorCode::NotFound.into());
        }
        let current = self.profile(user_id).await?;
        if current.account_state == AccountState::Closed {
            return Err(ErrorCode::AccountClosed.into());
        }
        // Under the media lock: the files cannot be forgotten between the
        // check and the new reference.
        let guard = self.media.lock.lock().await;
        for size in AVATAR_SIZES {
            if !tokio::fs::try_exists(self.media.avatar_path(hash, size)).await? {
                return Err(ErrorCode::NotFound.into());
            }
        }
        let previous = self.replace_avatar_hash(user_id, Some(hash)).await?;
        if let Some(old) = previous.filter(|old| old != hash) {
            self.forget_avatar_files(&old).await?;
        }
        drop(guard);
        tracing::info!(user_id, hash, "avatar set to a stored picture");
        self.profile(user_id).await
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{code_of, fixture, signup_named};
    use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
    use shared::ErrorCode;

    fn png(seed: u8) -> Vec<u8> {
        let image = RgbImage::from_fn(40, 30, |x, y| Rgb([x as u8 ^ seed, y as u8, seed]));
        let mut out = std::io::Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(image)
            .write_to(&mut out, ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    fn hash_of(url: &Option<String>) -> String {
        let file = url.as_deref().unwrap().rsplit('/').next().unwrap();
        file.split('-').next().unwrap().to_string()
    }

    #[tokio::test]
    async fn only_stored_pictures_can_be_named_and_shared_files_live_on() {
        let f = fixture().await;
        let ann = signup_named(&f.uc, "ann", "correct horse battery").await.0;
        let bob = signup_named(&f.uc, "bob", "correct horse battery").await.0;
        let first = f.uc.set_avatar(ann.user_id, png(1)).await.unwrap();
        let hash = hash_of(&first.avatar_url);

        // Unknown, malformed and path-like hashes change nothing.
        for bad in ["0".repeat(64), "zz".into(), "../../etc/passwd".into()] {
            assert_eq!(
                code_of(f.uc.use_stored_avatar(bob.user_id, &bad).await),
                ErrorCode::NotFound,
                "{bad}"
            );
        }
        assert!(f
            .uc
            .profile(bob.user_id)
            .await
            .unwrap()
            .avatar_url
            .is_none());

        // Bob takes Ann's (public) picture; Ann moves on; the files stay
        // while Bob uses them.
        let bob_profile = f.uc.use_stored_avatar(bob.user_id, &hash).await.unwrap();
        assert_eq!(bob_profile.avatar_url, first.avatar_url);
        f.uc.set_avatar(ann.user_id, png(2)).await.unwrap();
        assert!(f.uc.avatar_file(&hash, 256).await.is_ok());
        // Setting it again is no change; once Bob leaves it, it is gone
        // and can no longer be named.
        f.uc.use_stored_avatar(bob.user_id, &hash).await.unwrap();
        f.uc.remove_avatar(bob.user_id).await.unwrap();
        assert_eq!(
            code_of(f.uc.avatar_file(&hash, 256).await),
            ErrorCode::NotFound
        );
        assert_eq!(
            code_of(f.uc.use_stored_avatar(bob.user_id, &hash).await),
            ErrorCode::NotFound
        );
    }
}
