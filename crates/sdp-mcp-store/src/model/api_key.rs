//! API key records. The key itself is shown once, at issue, and never stored.

use std::time::SystemTime;

use secrecy::SecretString;

use super::{ApiKeyId, UserId};

/// A stored API key: its hash stays in the database, this is what can be shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKeyRecord {
    /// The key's id (for revocation).
    pub id: ApiKeyId,
    /// The owner.
    pub user_id: UserId,
    /// The first characters of the key (`sdpmcp_AbC12`), to recognise it.
    pub prefix: String,
    /// A free-text label (`laptop`, `import`).
    pub label: Option<String>,
    /// When it was issued.
    pub created_at: SystemTime,
    /// Last successful authentication, updated at most once a minute.
    pub last_used_at: Option<SystemTime>,
    /// When it was revoked; revoked keys never authenticate again.
    pub revoked_at: Option<SystemTime>,
}

/// A newly issued key: the only time the key itself is available.
#[derive(Debug)]
pub struct IssuedApiKey {
    /// The stored record.
    pub record: ApiKeyRecord,
    /// The key (`sdpmcp_…`), to hand to the user once.
    pub key: SecretString,
}
