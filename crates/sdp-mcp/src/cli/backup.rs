//! `sdp-mcp backup FILE` (consistent online snapshot of the SQLite store,
//! safe while the server runs) and `sdp-mcp restore FILE` (with the server
//! stopped). The master key is not in the snapshot: back it up separately.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use sdp_mcp_server::store::{
    DatabaseLocation, MasterKeySource, SqlStore, Store as _, StoreOptions,
};

use super::store_args::StoreArgs;

/// Arguments of `sdp-mcp backup`.
#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// Where to write the snapshot (must not exist).
    file: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
}

/// Arguments of `sdp-mcp restore`.
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// A snapshot written by `sdp-mcp backup`.
    file: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
}

/// Writes the snapshot (mode 0600).
#[allow(clippy::print_stdout, reason = "the result is the command's output")]
pub async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    if args.file.exists() {
        anyhow::bail!(
            "{} exists already; choose a new file name",
            args.file.display()
        );
    }
    let options = args.store.options()?;
    let location = options.database.display();
    let store = SqlStore::open(options)
        .await
        .with_context(|| format!("cannot open the store at {location}"))?;
    store.backup_into(&args.file).await?;
    let users = store.list_users().await?.len();
    store.close().await;
    std::fs::set_permissions(&args.file, std::fs::Permissions::from_mode(0o600))
        .with_context(|| format!("cannot restrict {}", args.file.display()))?;
    println!(
        "backup of {location} written to {} ({users} users). It holds encrypted credentials \
         only: keep the master key ({}) backed up separately, or the backup cannot be read.",
        args.file.display(),
        master_key_origin(&args.store)
    );
    Ok(())
}

/// Replaces the store with the snapshot after checking that it opens with
/// the configured master key; the previous database is kept beside it.
#[allow(clippy::print_stdout, reason = "the result is the command's output")]
pub async fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    let options = args.store.options()?;
    let DatabaseLocation::Sqlite(target) = &options.database else {
        anyhow::bail!(
            "restore is for the embedded SQLite store; restore PostgreSQL with `pg_restore`"
        );
    };
    if let MasterKeySource::File(key_file) = &options.master_key
        && !key_file.exists()
    {
        anyhow::bail!(
            "no master key at {}: copy the master key backup there (mode 0600) or set {} first",
            key_file.display(),
            sdp_mcp_server::store::MASTER_KEY_ENV
        );
    }
    if !args.file.is_file() {
        anyhow::bail!("{} is not a backup file", args.file.display());
    }
    let dir = target.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let staging = sibling(target, ".restoring");
    let _ = std::fs::remove_file(&staging);
    std::fs::copy(&args.file, &staging).with_context(|| {
        format!(
            "cannot copy {} to {}",
            args.file.display(),
            staging.display()
        )
    })?;
    std::fs::set_permissions(&staging, std::fs::Permissions::from_mode(0o600))?;
    // Opening checks the master key against the snapshot's key check value.
    let check = StoreOptions {
        database: DatabaseLocation::Sqlite(staging.clone()),
        master_key: options.master_key.clone(),
        max_connections: Some(1),
    };
    let users = match SqlStore::open(check).await {
        Ok(store) => {
            let users = store.list_users().await?.len();
            store.close().await;
            users
        }
        Err(error) => {
            let _ = std::fs::remove_file(&staging);
            return Err(anyhow::anyhow!(
                "{error}\nthe backup was not restored; it needs the master key it was made with"
            ));
        }
    };
    if target.exists() {
        let previous = sibling(target, ".before-restore");
        std::fs::rename(target, &previous)
            .with_context(|| format!("cannot move the current store to {}", previous.display()))?;
        println!("previous store kept as {}", previous.display());
    }
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(sibling(target, suffix));
    }
    std::fs::rename(&staging, target)
        .with_context(|| format!("cannot move the restored store to {}", target.display()))?;
    println!(
        "restored {} into {} ({users} users); start the server again",
        args.file.display(),
        target.display()
    );
    Ok(())
}

/// `path` with `suffix` appended to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn master_key_origin(store: &StoreArgs) -> String {
    if std::env::var(sdp_mcp_server::store::MASTER_KEY_ENV).is_ok() {
        sdp_mcp_server::store::MASTER_KEY_ENV.to_owned()
    } else {
        store
            .data_dir()
            .join(sdp_mcp_server::store::KEY_FILE_NAME)
            .display()
            .to_string()
    }
}
