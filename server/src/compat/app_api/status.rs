//! The seed's account `status` number, computed from the typed account
//! state and the two reviews (real name and qualification).
//!
//! The document: 0 正常使用 (normal), 1 冻结 (frozen), 2 未审核 (not
//! reviewed: no verification uploaded), 3 信息认证未通过 (verification
//! rejected), 4 审核中 (under review: verification uploaded), 5 假性删除
//! (pseudo-deleted). The product keeps the account state and each review
//! apart, so the number is derived here:
//!
//! - the account state wins: frozen 1, closed 5, pre-opened 2 (opened for
//!   its owner by staff or a service and not activated yet: nothing of it
//!   is reviewed, and it cannot be used);
//! - an active account answers for its reviews. The qualification
//!   certificate (`authenticationQualifications`: "等待客服认证") is
//!   verification information the seed's customer service reviews, like the
//!   ID, so both count, in this order: any review rejected → 3 (the user
//!   must act: resubmit); else any under review → 4; else any approved → 0;
//!   else nothing was ever submitted → 2.
//!
//! So a new account is 2, one whose ID awaits review 4, approved 0,
//! rejected 3 (4 again once resubmitted). The product's own
//! `shared::profile::legacy_status_code` shows 0 for a never-reviewed
//! account, because the product lets such accounts do everything; this
//! seed documents 2 for it, so its facade says 2.
//!
//! The legacy stored values (`unreviewed`, `verify_failed`, `in_review`)
//! keep their numbers 2, 3 and 4.

use domain::UserStatus;
use shared::profile::{AccountState, VerificationState};

/// The `status` of `get_user_details`.
pub(super) fn seed_status(
    stored: UserStatus,
    real_name: VerificationState,
    qualification: VerificationState,
) -> u8 {
    match stored.state() {
        AccountState::Closed => 5,
        AccountState::PreOpened => 2,
        AccountState::Frozen => match stored {
            UserStatus::Unreviewed => 2,
            UserStatus::VerifyFailed => 3,
            UserStatus::InReview => 4,
            _ => 1,
        },
        AccountState::Active => {
            let reviews = [real_name, qualification];
            let any = |state| reviews.contains(&state);
            if any(VerificationState::Rejected) {
                3
            } else if any(VerificationState::Pending) {
                4
            } else if any(VerificationState::Verified) {
                0
            } else {
                2
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use UserStatus::{InReview, Normal, Unreviewed, VerifyFailed};
    use VerificationState::*;

    #[test]
    fn account_state_first_then_the_reviews() {
        let table = [
            // (stored, real name, qualification) → status
            (Normal, Unverified, Unverified, 2),
            (Normal, Pending, Unverified, 4),
            (Normal, Verified, Unverified, 0),
            (Normal, Rejected, Unverified, 3),
            (Normal, Unverified, Pending, 4),
            (Normal, Unverified, Verified, 0),
            (Normal, Verified, Pending, 4),
            (Normal, Verified, Rejected, 3),
            (Normal, Pending, Rejected, 3),
            (Normal, Verified, Verified, 0),
            (UserStatus::Frozen, Verified, Unverified, 1),
            (UserStatus::Frozen, Unverified, Unverified, 1),
            (UserStatus::Closed, Verified, Verified, 5),
            (Unreviewed, Unverified, Unverified, 2),
            (VerifyFailed, Unverified, Unverified, 3),
            (InReview, Unverified, Unverified, 4),
            (UserStatus::PreOpened, Unverified, Unverified, 2),
        ];
        for (stored, real, qual, want) in table {
            assert_eq!(
                seed_status(stored, real, qual),
                want,
                "{stored:?} {real:?} {qual:?}"
            );
        }
    }
}
