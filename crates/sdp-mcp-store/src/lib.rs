//! The sdp-mcp store: users, personal API keys, encrypted SDP credentials,
//! the Zoho access-token cache and the audit log, in SQLite (embedded
//! default) or PostgreSQL (for replicas).
//!
//! - [`Store`]: the trait callers use, as `Arc<dyn Store>`; [`open_store`]
//!   picks the backend from [`StoreOptions`] (a path or `sqlite://…` →
//!   SQLite, `postgres://…` → PostgreSQL), applies migrations and loads the
//!   master key.
//! - [`crypto`]: AES-256-GCM per secret, random nonce, associated data = table,
//!   column and user id, key id in every ciphertext; the master key comes from
//!   `SDP_MCP_MASTER_KEY` or a `master.key` file (mode 0600).
//! - [`api_key`]: `sdpmcp_…` keys, stored as SHA-256 hash plus a short prefix.
//! - [`env_file`]: per-user env files (`SDP_CLIENT_ID`, … and aliases) for `users import`.
//!
//! The store knows nothing of MCP or HTTP. Secrets go in and out as
//! `secrecy::SecretString`; no `Debug`, `Display` or error shows one.
#![warn(missing_docs)]

pub mod api_key;
pub mod crypto;
pub mod env_file;
mod error;
pub mod migrations;
mod model;
mod options;
mod sql;
mod store;

pub use api_key::{API_KEY_PREFIX, hash_api_key, looks_like_api_key};
pub use crypto::master_key::{
    KEY_FILE_NAME, MASTER_KEY_ENV, check_key_file_permissions, create_key_file, read_key_file,
};
pub use crypto::{KeyId, Keyring, MasterKey};
pub use env_file::{EnvCredentials, EnvFileError, EnvFileWarning, parse_env_file};
pub use error::{Result, StoreError};
pub use migrations::MigrationStatus;
pub use model::{
    ApiKeyId, ApiKeyRecord, AuditEvent, AuditOutcome, AuditRecord, AuthMethod, CachedAccessToken,
    CodeRedemption, CredentialKind, ImportAction, ImportOutcome, InvalidId, IssuedApiKey,
    NewOAuthClient, NewOAuthCode, NewOAuthToken, NewUser, OAuthClientRecord, OAuthPending,
    OAuthPendingStage, OAuthTokenKind, OAuthTokenRecord, RefreshRotation, SdpAuth, SdpCredentials,
    UserId, UserRecord, UserStatus, UserSummary,
};
pub use options::{Backend, DatabaseLocation, MasterKeySource, SQLITE_FILE_NAME, StoreOptions};
pub use secrecy::{ExposeSecret, SecretString};
pub use sql::{RefreshLock, SqlStore, database_migration_status, migrate_database, open_store};
pub use store::Store;
