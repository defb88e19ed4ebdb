//! Audit events and the cached Zoho access token.

use std::fmt;
use std::str::FromStr;
use std::time::SystemTime;

use secrecy::SecretString;

use super::UserId;
use crate::error::StoreError;

/// An event to record. Never put a secret, a request body or an SDP answer in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvent {
    /// Who acted, when known.
    pub user_id: Option<UserId>,
    /// What was done: a tool name (`create_request`) or an admin action (`user.remove`).
    pub action: String,
    /// What it was done to (`request 1234`, `user bob`).
    pub target: Option<String>,
    /// How it ended.
    pub outcome: AuditOutcome,
    /// A short non-secret note (an error code, a count).
    pub detail: Option<String>,
}

/// A recorded event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    /// Increasing id.
    pub id: i64,
    /// When it was recorded.
    pub at: SystemTime,
    /// The event.
    pub event: AuditEvent,
}

/// How an audited action ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuditOutcome {
    /// It succeeded.
    Success,
    /// It was refused (authentication, authorisation, confirmation).
    Denied,
    /// It failed (upstream or internal error).
    Failure,
}

/// A Zoho access token cached for a user (shared by replicas through the store).
#[derive(Clone, Debug)]
pub struct CachedAccessToken {
    /// The access token.
    pub token: SecretString,
    /// When Zoho says it expires.
    pub expires_at: SystemTime,
}

impl AuditOutcome {
    /// The stored text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Denied => "denied",
            Self::Failure => "failure",
        }
    }
}

impl fmt::Display for AuditOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AuditOutcome {
    type Err = StoreError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "success" => Ok(Self::Success),
            "denied" => Ok(Self::Denied),
            "failure" => Ok(Self::Failure),
            other => Err(StoreError::Corrupt {
                what: "audit_log.outcome",
                value: other.to_owned(),
            }),
        }
    }
}
