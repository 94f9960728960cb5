//! Personal data rights: separate consent to processing identity
//! documents (PIPL art. 29), staff revealing an ID number, and erasure.

use serde::{Deserialize, Serialize};

/// What a separate consent covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentPurpose {
    /// Processing the real name, ID number and ID-card photos of a
    /// real-name submission.
    IdentityDocuments,
}

impl ConsentPurpose {
    pub const ALL: [ConsentPurpose; 1] = [ConsentPurpose::IdentityDocuments];

    /// The name stored in `consents.purpose` and used in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentPurpose::IdentityDocuments => "identity_documents",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The version of the consent text now shown. A consent given to an
    /// older text is no longer in force: the user is asked again.
    pub fn current_version(self) -> u32 {
        match self {
            ConsentPurpose::IdentityDocuments => IDENTITY_DOCUMENTS_CONSENT_VERSION,
        }
    }
}

/// The version of the identity-documents consent text (`consent_identity_text`
/// in the UI's strings, and README's "Personal data").
pub const IDENTITY_DOCUMENTS_CONSENT_VERSION: u32 = 1;

/// Where a user's consent for one purpose stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Consent {
    pub purpose: ConsentPurpose,
    /// Whether a consent to the current text is given and not withdrawn.
    pub in_force: bool,
    /// The version of the text now shown.
    pub current_version: u32,
    /// The version the user last agreed to, if any.
    pub version: Option<u32>,
    /// RFC 3339: when the user last agreed.
    pub given_at: Option<String>,
    /// RFC 3339: when that consent was withdrawn.
    pub withdrawn_at: Option<String>,
}

/// `POST /api/v1/me/consents/{purpose}`: the user agrees to a text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GiveConsentRequest {
    /// The version of the text the user was shown; it must be the current one.
    pub version: u32,
}

/// What withdrawing a consent removed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentWithdrawn {
    pub consent: Option<Consent>,
    /// Pending or rejected real-name submissions deleted.
    pub submissions_deleted: u64,
    /// ID-card photos deleted (attached to those submissions, or not yet
    /// attached to any).
    pub documents_deleted: u64,
}

/// Staff asking to see a full ID number.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RevealIdRequest {
    /// Why (at most 200 characters); written to the audit log.
    pub reason: String,
}

/// The full ID number, for staff who asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevealedId {
    pub id_number: String,
}
