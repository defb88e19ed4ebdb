//! Where the store is: `--data-dir` / `--database-url`, shared by `serve`,
//! `users`, `migrate` and `demo`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use sdp_mcp_server::store::{self, SecretString, Store, StoreOptions};

/// Default data directory when neither `--data-dir` nor `SDP_MCP_DATA_DIR` is given.
pub const DEFAULT_DATA_DIR: &str = "./data";

/// Options locating the store. `Debug` hides the database URL's password.
#[derive(Clone, Default, clap::Args)]
pub struct StoreArgs {
    /// Directory of the embedded store (`sdp-mcp.db`) and its `master.key`
    /// [default: ./data].
    #[arg(long, value_name = "DIR", env = "SDP_MCP_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Database instead of the embedded file: `postgres://user:pass@host/db`
    /// or `sqlite://PATH`. The master key still comes from
    /// `SDP_MCP_MASTER_KEY` or `<data-dir>/master.key`.
    #[arg(
        long,
        value_name = "URL",
        env = "SDP_MCP_DATABASE_URL",
        hide_env_values = true,
        global = true
    )]
    pub database_url: Option<String>,
}

impl std::fmt::Debug for StoreArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreArgs")
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_deref().map(|url| {
                    store::DatabaseLocation::parse(url)
                        .map_or_else(|_| "[REDACTED]".to_owned(), |l| l.display())
                }),
            )
            .finish()
    }
}

impl StoreArgs {
    /// The data directory in use.
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .or_else(|| file_var("SDP_MCP_DATA_DIR").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR))
    }

    /// `--database-url`, else the configuration file's `store.database_url`.
    pub fn database_url(&self) -> Option<String> {
        self.database_url
            .clone()
            .or_else(|| file_var("SDP_MCP_DATABASE_URL"))
    }

    /// Whether a store is configured: a data dir or URL given, or the
    /// default data dir exists.
    pub fn is_configured(&self) -> bool {
        self.data_dir.is_some()
            || self.database_url().is_some()
            || file_var("SDP_MCP_DATA_DIR").is_some()
            || Path::new(DEFAULT_DATA_DIR).is_dir()
    }

    /// The store options: database, master key (`SDP_MCP_MASTER_KEY` or the key file).
    pub fn options(&self) -> anyhow::Result<StoreOptions> {
        let master_key = std::env::var(store::MASTER_KEY_ENV)
            .ok()
            .or_else(|| file_var(store::MASTER_KEY_ENV))
            .filter(|value| !value.trim().is_empty())
            .map(SecretString::from);
        Ok(StoreOptions::new(
            &self.data_dir(),
            self.database_url().as_deref(),
            master_key,
        )?)
    }

    /// Opens (creating on first use) and migrates the store.
    pub async fn open(&self) -> anyhow::Result<Arc<dyn Store>> {
        let options = self.options()?;
        let location = options.database.display();
        store::open_store(options)
            .await
            .with_context(|| format!("cannot open the store at {location}"))
    }
}

/// A value of the configuration file (`--config`), the lowest layer.
fn file_var(name: &str) -> Option<String> {
    sdp_mcp_server::config::file::file_vars()
        .remove(name)
        .filter(|v| !v.trim().is_empty())
}
