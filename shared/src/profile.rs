//! The profile, real-name verification and account state as the API shows
//! them, and the requests that change them.

use crate::identity::{Gender, IdType};
use crate::media::DocumentInfo;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a verification (real name or qualification) stands.
/// `unverified → pending → verified | rejected`; rejected may submit again.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VerificationState {
    /// Nothing submitted yet.
    #[default]
    Unverified,
    Pending,
    Verified,
    Rejected,
}

impl VerificationState {
    pub const ALL: &'static [VerificationState] = &[
        VerificationState::Unverified,
        VerificationState::Pending,
        VerificationState::Verified,
        VerificationState::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VerificationState::Unverified => "unverified",
            VerificationState::Pending => "pending",
            VerificationState::Verified => "verified",
            VerificationState::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<VerificationState> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

impl fmt::Display for VerificationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is verified: the person (name and resident ID) or a qualification
/// document, each with its own review.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VerificationKind {
    RealName,
    Qualification,
}

impl VerificationKind {
    pub const ALL: &'static [VerificationKind] =
        &[VerificationKind::RealName, VerificationKind::Qualification];

    pub fn as_str(self) -> &'static str {
        match self {
            VerificationKind::RealName => "real_name",
            VerificationKind::Qualification => "qualification",
        }
    }

    pub fn parse(s: &str) -> Option<VerificationKind> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for VerificationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The account's own state, independent of verification.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    /// Stored as `normal`.
    #[default]
    Active,
    /// May not sign in or move money; everything is kept.
    Frozen,
    /// Soft-deleted: kept on record, never signs in again.
    Closed,
    /// Opened by staff or a service for a contact and not yet activated by
    /// its owner: receives money, but neither signs in nor pays until the
    /// owner sets the payment PIN and the password (stored as `pre_opened`).
    PreOpened,
}

impl AccountState {
    pub const ALL: &'static [AccountState] = &[
        AccountState::Active,
        AccountState::Frozen,
        AccountState::Closed,
        AccountState::PreOpened,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountState::Active => "active",
            AccountState::Frozen => "frozen",
            AccountState::Closed => "closed",
            AccountState::PreOpened => "pre_opened",
        }
    }

    /// Whether money may arrive: deposits and transfers from others reach
    /// active and pre-opened accounts (the point of opening one is that it
    /// can be paid before its owner has set it up).
    pub fn receives_money(self) -> bool {
        matches!(self, AccountState::Active | AccountState::PreOpened)
    }
}

/// What an account may do beyond its own things. Stored in `users.role`
/// and sent by that name (`user`, `staff`, `super_admin`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum Role {
    #[default]
    User,
    /// Moves money for users (deposits, withdrawals, holds) and reads the audit.
    Staff,
    /// Staff, and (for clients that use groups) group 1.
    SuperAdmin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::User, Role::Staff, Role::SuperAdmin];

    /// The name stored in `users.role` and sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Staff => "staff",
            Role::SuperAdmin => "super_admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether the role opens the staff console and may act on other
    /// users' wallets.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Staff | Role::SuperAdmin)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::parse(s).ok_or_else(|| format!("unknown role {s:?}: use user, staff or super_admin"))
    }
}

/// One verification of the signed-in user (or, for staff, of any user).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verification {
    pub kind: VerificationKind,
    pub state: VerificationState,
    /// The submitted name (real-name kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub real_name: Option<String>,
    /// Always masked, e.g. `1101**********002X`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number_masked: Option<String>,
    /// In full: only in answers to staff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    /// The qualification document's description (qualification kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// Why it was rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// RFC 3339; absent while unverified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_at: Option<String>,
    /// Photos attached to the submission (ID card sides, the qualification
    /// document); their images are read through authorised routes only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<DocumentInfo>,
}

impl Verification {
    /// The answer when nothing was submitted.
    pub fn unverified(kind: VerificationKind) -> Self {
        Verification {
            kind,
            state: VerificationState::Unverified,
            real_name: None,
            id_number_masked: None,
            id_number: None,
            document: None,
            reason: None,
            submitted_at: None,
            reviewed_at: None,
            documents: Vec::new(),
        }
    }
}

/// `GET /api/v1/me/verification`: both kinds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerificationOverview {
    pub real_name: Verification,
    pub qualification: Verification,
}

/// `PATCH /api/v1/me/profile`: absent fields stay as they are; an empty
/// `display_name` or `id_number` clears it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateProfileRequest {
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub real_name: Option<String>,
    #[serde(default)]
    pub gender: Option<Gender>,
    /// ISO 3166-1 alpha-2, e.g. `CN`.
    #[serde(default)]
    pub id_country: Option<String>,
    #[serde(default)]
    pub id_type: Option<IdType>,
    #[serde(default)]
    pub id_number: Option<String>,
}

/// `POST /api/v1/me/verification`: a real-name submission.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SubmitRealNameRequest {
    pub real_name: String,
    /// A mainland resident ID number.
    pub id_number: String,
    /// Optional photos of the ID card, from `POST /api/v1/me/documents`.
    #[serde(default)]
    pub id_front_document: Option<i64>,
    #[serde(default)]
    pub id_back_document: Option<i64>,
    /// The version of the identity-documents consent text the user agreed
    /// to with this submission. Needed unless that consent is already in
    /// force (`POST /api/v1/me/consents/identity_documents`).
    #[serde(default)]
    pub consent_version: Option<u32>,
}

/// `POST /api/v1/me/qualification`: what the qualification document is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SubmitQualificationRequest {
    pub document: String,
    /// An optional photo of the document (`kind=qualification`).
    #[serde(default)]
    pub document_id: Option<i64>,
}

/// `POST /api/v1/me/close`: the user closes their own account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CloseOwnAccountRequest {
    pub password: String,
    #[serde(default)]
    pub reason: Option<String>,
    /// Also erase the personal data once the closed account's grace period
    /// is over (see README, "Personal data").
    #[serde(default)]
    pub erase: bool,
}

/// Staff rejecting a submission.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    pub reason: String,
}

/// Staff closing an account, optionally on another operator's authority.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AdminCloseRequest {
    pub reason: String,
    #[serde(default)]
    pub authorised_by: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_by_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.as_str()));
        }
        assert!("admin".parse::<Role>().is_err());
        assert!(Role::SuperAdmin.is_staff() && !Role::User.is_staff());
    }

    #[test]
    fn only_active_and_pre_opened_accounts_receive_money() {
        assert!(AccountState::PreOpened.receives_money());
        assert!(!AccountState::Frozen.receives_money());
    }

    #[test]
    fn enums_round_trip() {
        for s in VerificationState::ALL {
            assert_eq!(VerificationState::parse(s.as_str()), Some(*s));
        }
        for k in VerificationKind::ALL {
            assert_eq!(VerificationKind::parse(k.as_str()), Some(*k));
        }
    }
}
