//! Users: the stored record, the listing row, what `create` and `import` take,
//! and what `import` reports.

use std::fmt;
use std::str::FromStr;
use std::time::SystemTime;

use secrecy::SecretString;

use super::{ApiKeyId, CredentialKind, SdpCredentials, UserId};
use crate::error::StoreError;

/// A user as stored. Holds no secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRecord {
    /// Stable id, bound into the user's ciphertexts.
    pub id: UserId,
    /// Unique login-style name (`alice`, `alice@example.com`).
    pub name: String,
    /// Name shown to people.
    pub display_name: Option<String>,
    /// Contact address.
    pub email: Option<String>,
    /// Whether the user may authenticate.
    pub status: UserStatus,
    /// How the user was created and normally authenticates.
    pub auth_method: AuthMethod,
    /// When the user was created.
    pub created_at: SystemTime,
    /// When the user or their credentials last changed.
    pub updated_at: SystemTime,
}

/// One row of `users list`: the user plus what they have, without secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserSummary {
    /// The user.
    pub user: UserRecord,
    /// The kind of SDP credentials stored, if any.
    pub credential_kind: Option<CredentialKind>,
    /// Number of API keys that are not revoked.
    pub active_api_keys: u64,
    /// Last time any of the user's API keys was used (at minute precision).
    pub last_used_at: Option<SystemTime>,
}

/// Whether a user may authenticate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UserStatus {
    /// May authenticate.
    Active,
    /// Refused everywhere; keys and credentials are kept.
    Disabled,
}

/// How a user was created and normally authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuthMethod {
    /// Created by `users add`; uses personal API keys.
    ApiKey,
    /// Created by the MCP OAuth sign-in (Zoho login).
    OAuth,
    /// Created by `users import` from an env file; uses personal API keys.
    EnvImport,
}

/// A user to create, or to update by name in an import.
#[derive(Clone, Debug)]
pub struct NewUser {
    /// Unique name: 1 to 64 characters from letters, digits, `.`, `_`, `@`, `-`,
    /// starting with a letter or digit.
    pub name: String,
    /// Name shown to people.
    pub display_name: Option<String>,
    /// Contact address.
    pub email: Option<String>,
    /// How the user authenticates.
    pub auth_method: AuthMethod,
    /// The user's SDP credentials; `None` for a user who signs in with OAuth later.
    pub credentials: Option<SdpCredentials>,
    /// Issue a first API key for a newly created user (returned once).
    pub issue_api_key: bool,
}

/// What an import did with one entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportAction {
    /// A new user was created.
    Created,
    /// An existing user (same name) got the new credentials; their API keys were kept.
    Updated,
}

/// The result of importing one entry.
#[derive(Debug)]
pub struct ImportOutcome {
    /// The user after the import.
    pub user: UserRecord,
    /// Created or updated.
    pub action: ImportAction,
    /// The first API key of a created user, shown once; `None` for updates.
    pub new_key: Option<SecretString>,
    /// The id of that key.
    pub new_key_id: Option<ApiKeyId>,
}

impl UserStatus {
    /// The stored text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }
}

impl AuthMethod {
    /// The stored text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApiKey => "api_key",
            Self::OAuth => "oauth",
            Self::EnvImport => "env_import",
        }
    }
}

impl fmt::Display for UserStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for UserStatus {
    type Err = StoreError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "active" => Ok(Self::Active),
            "disabled" => Ok(Self::Disabled),
            other => Err(StoreError::Corrupt {
                what: "users.status",
                value: other.to_owned(),
            }),
        }
    }
}

impl FromStr for AuthMethod {
    type Err = StoreError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "api_key" => Ok(Self::ApiKey),
            "oauth" => Ok(Self::OAuth),
            "env_import" => Ok(Self::EnvImport),
            other => Err(StoreError::Corrupt {
                what: "users.auth_method",
                value: other.to_owned(),
            }),
        }
    }
}

/// Checks name, e-mail, display name and credentials of a user to store.
pub(crate) fn validate_new_user(user: &NewUser) -> Result<(), StoreError> {
    let invalid = |problem: &str| StoreError::InvalidUser {
        name: user.name.chars().take(80).collect(),
        problem: problem.to_owned(),
    };
    let name = user.name.as_str();
    let name_ok = !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '-'));
    if !name_ok {
        return Err(invalid(
            "a name is 1 to 64 characters from letters, digits, `.`, `_`, `@`, `-` and starts with a letter or digit, e.g. `alice`",
        ));
    }
    if let Some(email) = &user.email {
        let email_ok = email.len() <= 254
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !domain.ends_with('.')
            })
            && !email.chars().any(char::is_whitespace);
        if !email_ok {
            return Err(invalid(
                "the e-mail address is not of the form name@example.com",
            ));
        }
    }
    if let Some(display_name) = &user.display_name
        && (display_name.chars().count() > 200 || display_name.chars().any(char::is_control))
    {
        return Err(invalid(
            "the display name must be at most 200 characters without control characters",
        ));
    }
    if let Some(credentials) = &user.credentials {
        super::validate_credentials(&user.name, credentials)?;
    }
    Ok(())
}
