//! The store's error type: each variant is a case a caller acts on, and its
//! message says what went wrong and what to do. No message contains a secret.

use std::path::PathBuf;

use crate::model::UserId;

/// Anything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database location is neither a path, `sqlite://…` nor `postgres://…`.
    #[error(
        "unsupported database location `{location}`: use a file path, sqlite://PATH or postgres://USER@HOST/DB"
    )]
    UnsupportedLocation {
        /// The location as given, with any password removed.
        location: String,
    },
    /// The data directory (or the database's directory) cannot be created or used.
    #[error("cannot use the data directory {path}: {source}; check that it exists and is writable")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// Connecting to the database failed.
    #[error("cannot connect to the {backend} store at {location}: {source}")]
    Connect {
        /// `SQLite` or `PostgreSQL`.
        backend: &'static str,
        /// Where, with any password removed.
        location: String,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// Applying or inspecting migrations failed.
    #[error(
        "store migrations failed: {source}; the database was left at the last complete migration, fix the cause and run `sdp-mcp migrate`"
    )]
    Migration {
        /// The migrator's error.
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    /// A database statement failed.
    #[error("store operation `{operation}` failed: {source}")]
    Database {
        /// What the store was doing, e.g. `create user`.
        operation: &'static str,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// `SDP_MCP_MASTER_KEY` or the key file does not hold base64 of 32 bytes.
    #[error(
        "the master key from {origin} is invalid: {problem}; it must be base64 of exactly 32 random bytes (generate one with `openssl rand -base64 32`)"
    )]
    InvalidMasterKey {
        /// `SDP_MCP_MASTER_KEY` or the key file's path.
        origin: String,
        /// What is wrong (never the key itself).
        problem: String,
    },
    /// The key file can be read by group or others.
    #[error(
        "the master key file {path} is readable by group or others (mode {mode:04o}); restrict it with `chmod 600 {path}`"
    )]
    KeyFilePermissions {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// Reading or creating the key file failed.
    #[error("cannot {action} the master key file {path}: {source}")]
    KeyFile {
        /// `read` or `create`.
        action: &'static str,
        /// The key file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The store holds encrypted data but no master key was given and the key file is absent.
    #[error(
        "the store already holds encrypted data but the master key file {path} is missing: restore it from your backup, or set SDP_MCP_MASTER_KEY to the original key"
    )]
    MasterKeyMissing {
        /// Where the key file was expected.
        path: PathBuf,
    },
    /// The master key is not the one this store was created with.
    #[error("the master key does not match this store: restore the original key ({hint})")]
    MasterKeyMismatch {
        /// Where the key came from, e.g. `SDP_MCP_MASTER_KEY or /data/master.key`.
        hint: String,
    },
    /// A stored secret cannot be decrypted with the loaded keys.
    #[error(
        "the stored secret {table}.{column} of user {user_id} cannot be decrypted: {problem}; re-import this user's credentials"
    )]
    Decrypt {
        /// The table holding the secret.
        table: &'static str,
        /// The column holding the secret.
        column: &'static str,
        /// The row's user.
        user_id: UserId,
        /// Why (never the plaintext).
        problem: String,
    },
    /// A row holds a value this version does not understand.
    #[error(
        "the store holds an unexpected value in {what}: `{value}`; was it written by a newer sdp-mcp?"
    )]
    Corrupt {
        /// Table and column.
        what: &'static str,
        /// The value (never a secret column).
        value: String,
    },
    /// No user has this id or name.
    #[error("no user `{user}` in the store; `sdp-mcp users list` shows the users")]
    UserNotFound {
        /// The id or name asked for.
        user: String,
    },
    /// A user with this name already exists.
    #[error(
        "a user named `{name}` already exists; choose another name or update the existing user (`sdp-mcp users import` updates)"
    )]
    UserExists {
        /// The name.
        name: String,
    },
    /// A user's name, e-mail or display name is not acceptable.
    #[error("invalid user `{name}`: {problem}")]
    InvalidUser {
        /// The name as given.
        name: String,
        /// What is wrong and how to fix it.
        problem: String,
    },
    /// A user's SDP credentials are incomplete or malformed.
    #[error("invalid SDP credentials for user `{name}`: {problem}")]
    InvalidCredentials {
        /// The user's name.
        name: String,
        /// What is wrong (never a secret value).
        problem: String,
    },
    /// An import failed; nothing of it was stored.
    #[error("import failed at entry {position} (`{name}`): {source}; nothing was imported")]
    Import {
        /// 1-based position of the failing entry.
        position: usize,
        /// Its user name.
        name: String,
        /// Why it failed.
        #[source]
        source: Box<StoreError>,
    },
    /// No API key has this id.
    #[error("no API key `{key_id}`; `sdp-mcp users list` shows each user's keys")]
    ApiKeyNotFound {
        /// The id asked for.
        key_id: String,
    },
    /// Another replica held the user's token-refresh lock too long.
    #[error(
        "timed out waiting for another replica to refresh the Zoho token of user `{user}`; check that replica and the database, then try again"
    )]
    LockTimeout {
        /// The user's id.
        user: String,
    },
    /// `sdp-mcp backup` on a PostgreSQL store.
    #[error(
        "online backup is for the embedded SQLite store; back up PostgreSQL with `pg_dump --format=custom` (and restore with `pg_restore`)"
    )]
    BackupUnsupported,
}

impl StoreError {
    /// Wraps a driver error with what the store was doing.
    pub(crate) fn database(operation: &'static str) -> impl FnOnce(sqlx::Error) -> Self {
        move |source| Self::Database { operation, source }
    }
}

/// The store's result type.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
