//! Connecting: the SQLite file (created with its directory on first start,
//! WAL mode, owner-only permissions) or the PostgreSQL pool.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use secrecy::ExposeSecret;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{AnyPool, ConnectOptions, Connection, Executor};

use crate::error::{Result, StoreError};
use crate::options::{Backend, DatabaseLocation};

const DEFAULT_SQLITE_READERS: u32 = 8;
pub(super) const DEFAULT_POSTGRES_CONNECTIONS: u32 = 10;
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// Returns `(read, write)` pools; for PostgreSQL both are the same pool.
pub(super) async fn connect(
    location: &DatabaseLocation,
    max_connections: Option<u32>,
) -> Result<(AnyPool, AnyPool)> {
    sqlx::any::install_default_drivers();
    let backend = location.backend();
    let connect_error = |source| StoreError::Connect {
        backend: backend.name(),
        location: location.display(),
        source,
    };
    match location {
        DatabaseLocation::Sqlite(path) => {
            prepare_sqlite_file(path).await?;
            let url = SqliteConnectOptions::new().filename(path).to_url_lossy();
            let options = AnyConnectOptions::from_url(&url).map_err(connect_error)?;
            let readers = max_connections.unwrap_or(DEFAULT_SQLITE_READERS).max(1);
            let read = pool_options(backend, readers)
                .connect_with(options.clone())
                .await
                .map_err(connect_error)?;
            let write = pool_options(backend, 1)
                .connect_with(options)
                .await
                .map_err(connect_error)?;
            Ok((read, write))
        }
        DatabaseLocation::Postgres(url) => {
            let options =
                AnyConnectOptions::from_str(url.expose_secret()).map_err(connect_error)?;
            let size = max_connections
                .unwrap_or(DEFAULT_POSTGRES_CONNECTIONS)
                .max(1);
            let pool = pool_options(backend, size)
                .connect_with(options)
                .await
                .map_err(connect_error)?;
            Ok((pool.clone(), pool))
        }
    }
}

fn pool_options(backend: Backend, max_connections: u32) -> AnyPoolOptions {
    let options = AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(ACQUIRE_TIMEOUT);
    match backend {
        Backend::Postgres => options,
        // Per-connection settings; the URL form of the options cannot carry them.
        // `secure_delete` overwrites deleted rows, so removed users' ciphertexts
        // do not linger in free pages.
        Backend::Sqlite => options.after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute("PRAGMA synchronous = NORMAL").await?;
                conn.execute("PRAGMA secure_delete = ON").await?;
                conn.execute("PRAGMA foreign_keys = ON").await?;
                Ok(())
            })
        }),
    }
}

/// Creates the database directory (0700) and file (0600) when missing, and
/// switches the file to WAL, which persists in the file.
async fn prepare_sqlite_file(path: &Path) -> Result<()> {
    let data_dir_error = |dir: &Path| {
        let dir = dir.to_owned();
        move |source| StoreError::DataDir { path: dir, source }
    };
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        create_private_dir(dir).map_err(data_dir_error(dir))?;
    }
    create_private_file(path).map_err(data_dir_error(path))?;
    let options = SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal);
    let connection = sqlx::SqliteConnection::connect_with(&options)
        .await
        .map_err(|source| StoreError::Connect {
            backend: Backend::Sqlite.name(),
            location: path.display().to_string(),
            source,
        })?;
    connection
        .close()
        .await
        .map_err(StoreError::database("switch SQLite to WAL mode"))?;
    Ok(())
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// An empty file is a valid empty SQLite database; creating it ourselves sets
/// its mode, which SQLite then also gives its `-wal` and `-shm` files.
fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error),
    }
}

/// Data directories are created with this helper too (the key file's).
pub(super) fn ensure_private_dir(dir: &Path) -> Result<()> {
    create_private_dir(dir).map_err(|source| StoreError::DataDir {
        path: dir.to_owned(),
        source,
    })
}
