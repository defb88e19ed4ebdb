//! `sdp-mcp migrate`: applies the store's schema migrations.

use super::store_args::StoreArgs;

/// Arguments of `sdp-mcp migrate`.
#[derive(Debug, clap::Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    store: StoreArgs,
}

/// Applies pending migrations and reports the schema version.
#[allow(clippy::print_stdout, reason = "the status is the command's output")]
pub async fn run(args: MigrateArgs) -> anyhow::Result<()> {
    let options = args.store.options()?;
    if let sdp_mcp_server::store::DatabaseLocation::Sqlite(path) = &options.database
        && let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    let status = sdp_mcp_server::store::migrate_database(&options.database).await?;
    println!(
        "{} store at {}: {} migrations applied, {} pending",
        status.backend,
        options.database.display(),
        status.applied.len(),
        status.pending.len()
    );
    if !status.is_up_to_date() {
        anyhow::bail!("the store's schema is not up to date: {status:?}");
    }
    Ok(())
}
