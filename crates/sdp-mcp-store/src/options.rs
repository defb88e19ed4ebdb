//! Where the store lives and where its master key comes from.

use std::fmt;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};

use crate::crypto::master_key::{KEY_FILE_NAME, MASTER_KEY_ENV};
use crate::error::StoreError;

/// File name of the embedded SQLite database inside the data directory.
pub const SQLITE_FILE_NAME: &str = "sdp-mcp.db";

/// Everything [`crate::open_store`] needs.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// The database.
    pub database: DatabaseLocation,
    /// The master key.
    pub master_key: MasterKeySource,
    /// Pool size; `None` picks a default per backend (SQLite 8 readers + 1 writer, PostgreSQL 10).
    pub max_connections: Option<u32>,
}

impl StoreOptions {
    /// The usual set-up: `database` if given (a path, `sqlite://…` or
    /// `postgres://…`), else `<data_dir>/sdp-mcp.db`; the master key from
    /// `SDP_MCP_MASTER_KEY` if the caller read one, else `<data_dir>/master.key`.
    ///
    /// # Errors
    /// [`StoreError::UnsupportedLocation`] for a URL of another database.
    pub fn new(
        data_dir: &Path,
        database: Option<&str>,
        master_key_env: Option<SecretString>,
    ) -> Result<Self, StoreError> {
        let database = match database {
            Some(location) => DatabaseLocation::parse(location)?,
            None => DatabaseLocation::Sqlite(data_dir.join(SQLITE_FILE_NAME)),
        };
        Ok(Self {
            database,
            master_key: MasterKeySource::from_env_or_data_dir(master_key_env, data_dir),
            max_connections: None,
        })
    }
}

/// Which database, and where.
#[derive(Clone)]
pub enum DatabaseLocation {
    /// An SQLite file, created on first start (with its directory).
    Sqlite(PathBuf),
    /// A PostgreSQL URL (`postgres://user:password@host:5432/db`). The URL may
    /// carry `?options[search_path]=schema` to use a schema other than `public`.
    Postgres(SecretString),
}

/// The backend of an open store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// Where the master key comes from.
#[derive(Clone)]
pub enum MasterKeySource {
    /// The value of `SDP_MCP_MASTER_KEY` (base64 of 32 bytes), read by the caller.
    Env(SecretString),
    /// A key file (mode 0600), created with a random key on first start.
    File(PathBuf),
}

impl DatabaseLocation {
    /// Parses `sqlite://PATH`, `sqlite:PATH`, `postgres://…`, `postgresql://…`
    /// or a plain file path.
    ///
    /// # Errors
    /// [`StoreError::UnsupportedLocation`] for another scheme (`mysql://…`) or an empty path.
    pub fn parse(location: &str) -> Result<Self, StoreError> {
        let location = location.trim();
        if location.starts_with("postgres://") || location.starts_with("postgresql://") {
            return Ok(Self::Postgres(SecretString::from(location.to_owned())));
        }
        let path = location
            .strip_prefix("sqlite://")
            .or_else(|| location.strip_prefix("sqlite:"))
            .unwrap_or(location);
        let has_other_scheme = path.contains("://");
        if path.is_empty() || has_other_scheme || path.starts_with(":memory:") {
            return Err(StoreError::UnsupportedLocation {
                location: redact_url(location),
            });
        }
        // Query parameters are not ours to interpret for a file path.
        let path = path.split_once('?').map_or(path, |(path, _)| path);
        Ok(Self::Sqlite(PathBuf::from(path)))
    }

    /// The backend this location selects.
    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// The location for messages: the path, or the URL without its password.
    pub fn display(&self) -> String {
        match self {
            Self::Sqlite(path) => path.display().to_string(),
            Self::Postgres(url) => redact_url(url.expose_secret()),
        }
    }
}

impl fmt::Debug for DatabaseLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
            Self::Postgres(_) => f.debug_tuple("Postgres").field(&self.display()).finish(),
        }
    }
}

impl Backend {
    /// `SQLite` or `PostgreSQL`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl MasterKeySource {
    /// `SDP_MCP_MASTER_KEY` when the caller has a value for it, else `<data_dir>/master.key`.
    pub fn from_env_or_data_dir(env_value: Option<SecretString>, data_dir: &Path) -> Self {
        match env_value {
            Some(value) if !value.expose_secret().trim().is_empty() => Self::Env(value),
            _ => Self::File(data_dir.join(KEY_FILE_NAME)),
        }
    }

    /// How to name this source in a message telling the user to restore the key.
    pub fn describe(&self) -> String {
        match self {
            Self::Env(_) => MASTER_KEY_ENV.to_owned(),
            Self::File(path) => format!("{MASTER_KEY_ENV} or {}", path.display()),
        }
    }
}

impl fmt::Debug for MasterKeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Env(_) => f.write_str("Env([REDACTED])"),
            Self::File(path) => f.debug_tuple("File").field(path).finish(),
        }
    }
}

/// A URL without its password (`postgres://user:***@host/db`).
fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = rest
        .find(['/', '?'])
        .map_or((rest, ""), |at| rest.split_at(at));
    let Some((credentials, host)) = authority.rsplit_once('@') else {
        return url.to_owned();
    };
    let user = credentials
        .split_once(':')
        .map_or(credentials, |(user, _)| user);
    let masked = if credentials.contains(':') {
        format!("{user}:***")
    } else {
        user.to_owned()
    };
    format!("{scheme}://{masked}@{host}{tail}")
}

#[cfg(test)]
mod tests {
    use super::{Backend, DatabaseLocation, redact_url};
    use std::path::PathBuf;

    #[test]
    fn locations_select_the_backend() {
        let cases = [
            ("sqlite:///var/lib/sdp/db.sqlite", Backend::Sqlite),
            ("sqlite:data/db.sqlite?mode=rwc", Backend::Sqlite),
            ("/var/lib/sdp/db.sqlite", Backend::Sqlite),
            ("postgres://u@h/db", Backend::Postgres),
            ("postgresql://u:p@h:5432/db", Backend::Postgres),
        ];
        for (location, backend) in cases {
            let parsed = DatabaseLocation::parse(location).unwrap();
            assert_eq!(parsed.backend(), backend, "{location}");
        }
        let DatabaseLocation::Sqlite(path) =
            DatabaseLocation::parse("sqlite:d/x.db?mode=rwc").unwrap()
        else {
            panic!("not sqlite");
        };
        assert_eq!(path, PathBuf::from("d/x.db"));
        assert!(DatabaseLocation::parse("mysql://u@h/db").is_err());
        assert!(DatabaseLocation::parse("").is_err());
    }

    #[test]
    fn passwords_are_redacted_in_messages_and_debug() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/sdp?sslmode=require"),
            "postgres://app:***@db:5432/sdp?sslmode=require"
        );
        assert_eq!(redact_url("postgres://app@db/sdp"), "postgres://app@db/sdp");
        let location = DatabaseLocation::parse("postgres://app:s3cret@db/sdp").unwrap();
        assert!(!format!("{location:?}").contains("s3cret"));
        assert!(!location.display().contains("s3cret"));
    }
}
