//! `sdp-mcp doctor`: checks the configuration, the master key file's
//! permissions, the listen port, the store (connectivity, migrations) and
//! each user's live upstream sign-in; one line per check with the fix.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use sdp_mcp_server::store::{self, DatabaseLocation, Store};
use sdp_mcp_server::{Config, EnvSource};
use serde_json::json;

use super::store_args::StoreArgs;

/// Arguments of `sdp-mcp doctor`.
#[derive(Debug, clap::Args)]
pub struct DoctorArgs {
    /// Check only this user's upstream sign-in (by name).
    #[arg(long, value_name = "NAME")]
    user: Option<String>,
    /// Print the results as JSON.
    #[arg(long)]
    json: bool,
    /// Address whose port must be free; default `SDP_HTTP_HOST:SDP_HTTP_PORT`.
    #[arg(long)]
    listen: Option<SocketAddr>,
    #[command(flatten)]
    store: StoreArgs,
}

/// One check's outcome.
#[derive(Debug)]
struct Check {
    name: String,
    ok: bool,
    detail: String,
    fix: Option<String>,
}

impl Check {
    fn pass(name: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ok: true,
            detail: detail.into(),
            fix: None,
        }
    }

    fn fail(name: impl Into<String>, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ok: false,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }
}

/// Runs every check; fails (exit code 1) when any check failed.
#[allow(clippy::print_stdout, reason = "the report is the command's output")]
pub async fn run(args: DoctorArgs) -> anyhow::Result<()> {
    let mut checks = Vec::new();
    let config = check_config(&mut checks);
    check_port(&args, config.as_ref(), &mut checks).await;
    if args.store.is_configured() {
        check_key_file(&args.store, &mut checks);
        if let Some(store) = check_store(&args.store, &mut checks).await {
            let settings = config.map(|c| c.multi_user).unwrap_or_default();
            check_users(&store, &settings, args.user.as_deref(), &mut checks).await;
        }
    } else {
        checks.push(Check::pass(
            "store",
            "no store configured (single-user mode); --data-dir DIR to check one",
        ));
    }
    let failed = checks.iter().filter(|c| !c.ok).count();
    if args.json {
        let report: Vec<_> = checks
            .iter()
            .map(|c| json!({"check": c.name, "ok": c.ok, "detail": c.detail, "fix": c.fix}))
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({"ok": failed == 0, "checks": report}))?
        );
    } else {
        for check in &checks {
            let verdict = if check.ok { "ok  " } else { "FAIL" };
            match &check.fix {
                Some(fix) => println!("{verdict} {}: {} — fix: {fix}", check.name, check.detail),
                None => println!("{verdict} {}: {}", check.name, check.detail),
            }
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} check(s) failed");
    }
    Ok(())
}

fn check_config(checks: &mut Vec<Check>) -> Option<Config> {
    let loaded = EnvSource::from_process()
        .map_err(|error| error.to_string())
        .and_then(|env| {
            if Config::has_single_user_credentials(&env) {
                Config::from_env(&env)
            } else {
                Config::multi_user_from_env(&env)
            }
            .map_err(|error| error.to_string())
        });
    match loaded {
        Ok(config) => {
            checks.push(Check::pass("config", "environment and .env parse"));
            Some(config)
        }
        Err(error) => {
            checks.push(Check::fail(
                "config",
                error,
                "correct the variable named above (see sdp-mcp.example.toml / README)",
            ));
            None
        }
    }
}

async fn check_port(args: &DoctorArgs, config: Option<&Config>, checks: &mut Vec<Check>) {
    let address = match (args.listen, config) {
        (Some(listen), _) => listen.to_string(),
        (None, Some(config)) => config.http.bind_address(),
        (None, None) => return,
    };
    match tokio::net::TcpListener::bind(&address).await {
        Ok(_) => checks.push(Check::pass("port", format!("{address} is free"))),
        Err(error) if error.kind() == std::io::ErrorKind::AddrInUse => {
            checks.push(Check::fail(
                "port",
                format!("{address} is already in use"),
                "stop the other process (`ss -ltnp` shows it; is sdp-mcp already running?) or \
                 choose another port with SDP_HTTP_PORT / --listen",
            ));
        }
        Err(error) => checks.push(Check::fail(
            "port",
            format!("cannot listen on {address}: {error}"),
            "choose an address of this machine with SDP_HTTP_HOST / --listen",
        )),
    }
}

fn check_key_file(args: &StoreArgs, checks: &mut Vec<Check>) {
    if std::env::var(store::MASTER_KEY_ENV).is_ok_and(|v| !v.trim().is_empty()) {
        checks.push(Check::pass(
            "master key",
            format!("from {}", store::MASTER_KEY_ENV),
        ));
        return;
    }
    let path = args.data_dir().join(store::KEY_FILE_NAME);
    if !path.exists() {
        checks.push(Check::pass(
            "master key",
            format!(
                "{} does not exist yet (created on first start)",
                path.display()
            ),
        ));
        return;
    }
    match store::check_key_file_permissions(&path) {
        Ok(()) => checks.push(Check::pass(
            "master key",
            format!("{} is private (0600)", path.display()),
        )),
        Err(error) => checks.push(Check::fail(
            "master key",
            error.to_string(),
            format!("chmod 600 {}", shell_quote(&path)),
        )),
    }
}

async fn check_store(args: &StoreArgs, checks: &mut Vec<Check>) -> Option<Arc<dyn Store>> {
    // A key file others can read is reported above; read it anyway so the
    // remaining checks still run.
    let key_file = args.data_dir().join(store::KEY_FILE_NAME);
    let options = if std::env::var(store::MASTER_KEY_ENV).is_err()
        && store::check_key_file_permissions(&key_file).is_err()
        && let Ok(text) = std::fs::read_to_string(&key_file)
    {
        store::StoreOptions::new(
            &args.data_dir(),
            args.database_url().as_deref(),
            Some(store::SecretString::from(text.trim().to_owned())),
        )
        .map_err(anyhow::Error::from)
    } else {
        args.options()
    };
    let options = match options {
        Ok(options) => options,
        Err(error) => {
            checks.push(Check::fail(
                "store",
                format!("{error:#}"),
                "check --data-dir / --database-url and SDP_MCP_MASTER_KEY",
            ));
            return None;
        }
    };
    if let DatabaseLocation::Sqlite(path) = &options.database
        && !path.exists()
    {
        checks.push(Check::fail(
            "store",
            format!("{} does not exist", path.display()),
            "create it with `sdp-mcp migrate` (or start the server once) and add users",
        ));
        return None;
    }
    match store::database_migration_status(&options.database).await {
        Ok(status) if status.is_up_to_date() => checks.push(Check::pass(
            "migrations",
            format!("{} applied, none pending", status.applied.len()),
        )),
        Ok(status) => checks.push(Check::fail(
            "migrations",
            format!(
                "{} pending, {} unknown, dirty: {:?}",
                status.pending.len(),
                status.unknown.len(),
                status.dirty
            ),
            "run `sdp-mcp migrate` (unknown versions: upgrade sdp-mcp)",
        )),
        Err(error) => {
            checks.push(Check::fail(
                "store",
                format!("cannot reach {}: {error}", options.database.display()),
                "check that the database is up and the URL and credentials are right",
            ));
            return None;
        }
    }
    // Opening would create a key file; doctor changes nothing.
    if let store::MasterKeySource::File(path) = &options.master_key
        && !path.exists()
    {
        checks.push(Check::pass(
            "store",
            format!(
                "reachable; no {} yet, so users are not checked (created on first start; if \
                 this store already has users, restore the key file from your backup)",
                path.display()
            ),
        ));
        return None;
    }
    match store::open_store(options).await {
        Ok(store) => {
            checks.push(Check::pass("store", "reachable; master key matches"));
            Some(store)
        }
        Err(error) => {
            checks.push(Check::fail(
                "store",
                error.to_string(),
                "use the master key this store was created with (SDP_MCP_MASTER_KEY or \
                 master.key from your backup)",
            ));
            None
        }
    }
}

async fn check_users(
    store: &Arc<dyn Store>,
    settings: &sdp_mcp_server::config::MultiUserConfig,
    only: Option<&str>,
    checks: &mut Vec<Check>,
) {
    let users = match store.list_users().await {
        Ok(users) => users,
        Err(error) => {
            checks.push(Check::fail(
                "users",
                error.to_string(),
                "check the store (see above)",
            ));
            return;
        }
    };
    let http = match sdp_mcp_server::shared_http_client() {
        Ok(http) => http,
        Err(error) => {
            checks.push(Check::fail(
                "users",
                error.to_string(),
                "check the TLS set-up",
            ));
            return;
        }
    };
    let selected: Vec<_> = users
        .iter()
        .filter(|u| only.is_none_or(|name| u.user.name == name))
        .collect();
    if let Some(name) = only
        && selected.is_empty()
    {
        checks.push(Check::fail(
            format!("user {name}"),
            "no such user",
            "list users with `sdp-mcp users list`",
        ));
    }
    for summary in selected {
        let name = format!("user {}", summary.user.name);
        if summary.credential_kind.is_none() {
            checks.push(Check::pass(
                name,
                "no SDP credentials stored (signs in with OAuth or headers)",
            ));
            continue;
        }
        let result = sdp_mcp_server::ops::check_stored_user(
            store.clone(),
            http.clone(),
            settings,
            summary.user.id.as_str(),
        )
        .await;
        checks.push(match result {
            Ok(()) => Check::pass(name, "signed in to ServiceDesk Plus"),
            Err(error) => Check::fail(
                name,
                error,
                format!(
                    "get a new refresh token for this user (Zoho API console, self client) and \
                     run `sdp-mcp users import FILE` with it (user {})",
                    summary.user.name
                ),
            ),
        });
    }
}

fn shell_quote(path: &Path) -> String {
    let text = path.display().to_string();
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}
