//! `sdp-mcp users …`: the users of multi-user mode, their SDP credentials and
//! personal API keys. Keys are printed once, when created; nothing else ever
//! prints a secret.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, bail};
use sdp_mcp_server::store::{
    AuthMethod, CredentialKind, ExposeSecret, ImportAction, NewUser, SdpAuth, SdpCredentials,
    SecretString, Store, UserRecord, UserStatus, env_file::DATA_CENTER_CODES, parse_env_file,
};
use serde_json::json;

use super::store_args::StoreArgs;

/// Arguments of `sdp-mcp users`.
#[derive(Debug, clap::Args)]
pub struct UsersArgs {
    #[command(flatten)]
    store: StoreArgs,
    #[command(subcommand)]
    command: UsersCommand,
}

#[derive(Debug, clap::Subcommand)]
enum UsersCommand {
    /// Add a user with their SDP credentials (flags, --from-env FILE, or prompted) and print their API key.
    Add(Box<AddArgs>),
    /// Import users from per-user env files (`.env.alice` → user `alice`); re-importing updates credentials and keeps keys.
    Import(ImportArgs),
    /// List users (never shows secrets).
    List(ListArgs),
    /// Delete a user with their credentials and keys.
    Remove(NameArg),
    /// Disable a user: their keys stop working, nothing is deleted.
    Disable(NameArg),
    /// Enable a disabled user.
    Enable(NameArg),
    /// Revoke all of a user's keys and print a new one.
    RotateKey(NameArg),
}

#[derive(Debug, clap::Args)]
struct NameArg {
    /// The user's name.
    name: String,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
struct ListArgs {
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
struct ImportArgs {
    /// Env files in the per-user format (`SDP_CLIENT_ID`, `SDP_REFRESH_TOKEN`, … and aliases).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// User name, when importing a single file not named `.env.<user>`.
    #[arg(long)]
    name: Option<String>,
    /// Machine-readable output: `[{"user": …, "api_key": …|null, "created": bool}]`.
    #[arg(long)]
    json: bool,
}

/// `Debug` redacts the secrets given as flags.
#[derive(clap::Args)]
struct AddArgs {
    /// The user's name (letters, digits, `.`, `_`, `@`, `-`).
    name: String,
    /// Read the credentials from an env file in the per-user format.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["client_id", "client_secret", "refresh_token", "authtoken"])]
    from_env: Option<PathBuf>,
    /// Zoho client id (SDP Cloud).
    #[arg(long)]
    client_id: Option<String>,
    /// Zoho client secret (prompted without echo when omitted on a terminal;
    /// prefer the prompt or --from-env: flags are visible to other local users).
    #[arg(long)]
    client_secret: Option<String>,
    /// Zoho refresh token (prompted without echo when omitted on a terminal).
    #[arg(long)]
    refresh_token: Option<String>,
    /// Portal name (the part after /app/ in the SDP address).
    #[arg(long)]
    instance: Option<String>,
    /// SDP base URL (cloud or on-premises).
    #[arg(long)]
    base_url: Option<String>,
    /// Zoho data center: US, EU, IN, AU, CN, JP, CA, UK, SA, AE.
    #[arg(long)]
    data_center: Option<String>,
    /// Zoho accounts URL (derived from the data center when omitted).
    #[arg(long)]
    accounts_url: Option<String>,
    /// On-premises technician API key (instead of Zoho OAuth).
    #[arg(long)]
    authtoken: Option<String>,
    /// Display name.
    #[arg(long)]
    display_name: Option<String>,
    /// E-mail address.
    #[arg(long)]
    email: Option<String>,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

impl std::fmt::Debug for AddArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |secret: &Option<String>| secret.as_ref().map(|_| "[REDACTED]");
        f.debug_struct("AddArgs")
            .field("name", &self.name)
            .field("from_env", &self.from_env)
            .field("client_id", &self.client_id)
            .field("client_secret", &redacted(&self.client_secret))
            .field("refresh_token", &redacted(&self.refresh_token))
            .field("instance", &self.instance)
            .field("base_url", &self.base_url)
            .field("data_center", &self.data_center)
            .field("accounts_url", &self.accounts_url)
            .field("authtoken", &redacted(&self.authtoken))
            .field("display_name", &self.display_name)
            .field("email", &self.email)
            .field("json", &self.json)
            .finish()
    }
}

/// Runs a `users` subcommand.
pub async fn run(args: UsersArgs) -> anyhow::Result<()> {
    let store = args.store.open().await?;
    let result = match args.command {
        UsersCommand::Add(add) => add_user(&store, *add).await,
        UsersCommand::Import(import) => import_users(&store, import).await,
        UsersCommand::List(list) => list_users(&store, list.json).await,
        UsersCommand::Remove(user) => remove_user(&store, &user).await,
        UsersCommand::Disable(user) => set_status(&store, &user, UserStatus::Disabled).await,
        UsersCommand::Enable(user) => set_status(&store, &user, UserStatus::Active).await,
        UsersCommand::RotateKey(user) => rotate_key(&store, &user).await,
    };
    store.close().await;
    result
}

#[allow(clippy::print_stdout, reason = "the key is the command's output")]
async fn add_user(store: &Arc<dyn Store>, args: AddArgs) -> anyhow::Result<()> {
    let credentials = match &args.from_env {
        Some(path) => read_env_file(path)?.0,
        None => credentials_from_flags(&args)?,
    };
    let (user, key) = store
        .create_user(NewUser {
            name: args.name.clone(),
            display_name: args.display_name.clone(),
            email: args.email.clone(),
            auth_method: AuthMethod::ApiKey,
            credentials: Some(credentials),
            issue_api_key: true,
        })
        .await?;
    let key = key.map(|issued| issued.key);
    if args.json {
        println!(
            "{}",
            json!({"user": user.name, "api_key": key.as_ref().map(ExposeSecret::expose_secret), "created": true})
        );
    } else {
        println!("added user {}", user.name);
        if let Some(key) = key {
            println!("API key (shown once): {}", key.expose_secret());
        }
    }
    Ok(())
}

fn credentials_from_flags(args: &AddArgs) -> anyhow::Result<SdpCredentials> {
    let data_center = match &args.data_center {
        Some(code) => {
            let upper = code.trim().to_ascii_uppercase();
            if !DATA_CENTER_CODES.contains(&upper.as_str()) {
                bail!(
                    "--data-center `{code}` is not a Zoho data center; use one of {}",
                    DATA_CENTER_CODES.join(", ")
                );
            }
            Some(upper)
        }
        None => None,
    };
    let auth = if let Some(authtoken) = &args.authtoken {
        if args.base_url.is_none() {
            bail!(
                "--authtoken (on-premises SDP) needs --base-url, e.g. https://sdp.example.com:8080"
            );
        }
        SdpAuth::OnPremAuthtoken {
            authtoken: SecretString::from(authtoken.clone()),
        }
    } else {
        let client_id = match &args.client_id {
            Some(id) => id.clone(),
            None => prompt("Zoho client id (--client-id)", false)?,
        };
        let client_secret = match &args.client_secret {
            Some(secret) => secret.clone(),
            None => prompt("Zoho client secret (--client-secret)", true)?,
        };
        let refresh_token = match &args.refresh_token {
            Some(token) => token.clone(),
            None => prompt("Zoho refresh token (--refresh-token)", true)?,
        };
        SdpAuth::CloudOAuth {
            client_id: Some(client_id),
            client_secret: Some(SecretString::from(client_secret)),
            refresh_token: SecretString::from(refresh_token),
            scopes: Vec::new(),
        }
    };
    if matches!(auth, SdpAuth::CloudOAuth { .. }) {
        if args.instance.is_none() {
            bail!(
                "--instance is missing: the portal name shown in your SDP address after /app/, e.g. itdesk"
            );
        }
        if args.base_url.is_none() && data_center.is_none() {
            bail!(
                "give --data-center (e.g. EU) or --base-url (e.g. https://sdpondemand.manageengine.eu)"
            );
        }
    }
    Ok(SdpCredentials {
        auth,
        instance: args.instance.clone(),
        base_url: args.base_url.clone(),
        accounts_url: args.accounts_url.clone(),
        data_center,
    })
}

/// Reads one line from the terminal; without echo for secrets.
fn prompt(label: &str, secret: bool) -> anyhow::Result<String> {
    if !std::io::stdin().is_terminal() {
        bail!(
            "{label} is missing (no terminal to ask on): pass it as a flag or use --from-env FILE"
        );
    }
    eprint!("{label}: ");
    std::io::stderr().flush()?;
    let echo_off = secret && set_echo(false);
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    if echo_off {
        set_echo(true);
        eprintln!();
    }
    read?;
    let value = line.trim().to_owned();
    if value.is_empty() {
        bail!("{label} is empty");
    }
    Ok(value)
}

/// Turns terminal echo on or off with `stty`; `false` when that failed.
fn set_echo(on: bool) -> bool {
    std::process::Command::new("stty")
        .arg(if on { "echo" } else { "-echo" })
        .stdin(std::process::Stdio::inherit())
        .status()
        .is_ok_and(|status| status.success())
}

/// Parses an env file; errors name the file, line and variable.
fn read_env_file(path: &Path) -> anyhow::Result<(SdpCredentials, Vec<String>)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let parsed =
        parse_env_file(&text).map_err(|error| anyhow::anyhow!("{}: {error}", path.display()))?;
    let warnings = parsed
        .warnings
        .iter()
        .map(|warning| format!("{}: {warning}", path.display()))
        .collect();
    Ok((parsed.credentials, warnings))
}

/// The user name of an env file: the suffix of `.env.<name>`.
fn name_from_file(path: &Path) -> Option<String> {
    let file = path.file_name()?.to_str()?;
    let name = file.strip_prefix(".env.")?;
    (!name.is_empty()).then(|| name.to_owned())
}

#[allow(clippy::print_stdout, reason = "the keys are the command's output")]
async fn import_users(store: &Arc<dyn Store>, args: ImportArgs) -> anyhow::Result<()> {
    if args.name.is_some() && args.files.len() != 1 {
        bail!("--name applies to a single file; name the files .env.<user> to import several");
    }
    let mut users = Vec::with_capacity(args.files.len());
    let mut sources: Vec<(String, &Path)> = Vec::new();
    for path in &args.files {
        let Some(name) = args.name.clone().or_else(|| name_from_file(path)) else {
            bail!(
                "{}: cannot tell the user's name: name the file .env.<user> (e.g. .env.alice) \
                 or pass --name",
                path.display()
            );
        };
        if let Some((_, other)) = sources.iter().find(|(seen, _)| *seen == name) {
            bail!(
                "duplicate user `{name}`: both {} and {} name it; nothing was imported",
                other.display(),
                path.display()
            );
        }
        let (credentials, warnings) = read_env_file(path)
            .map_err(|error| anyhow::anyhow!("{error:#}; nothing was imported"))?;
        for warning in warnings {
            eprintln!("warning: {warning}");
        }
        sources.push((name.clone(), path));
        users.push(NewUser {
            name,
            display_name: None,
            email: None,
            auth_method: AuthMethod::EnvImport,
            credentials: Some(credentials),
            issue_api_key: true,
        });
    }
    let outcomes = store.import_users(users).await?;
    if args.json {
        let rows: Vec<serde_json::Value> = outcomes
            .iter()
            .map(|outcome| {
                json!({
                    "user": outcome.user.name,
                    "api_key": outcome.new_key.as_ref().map(ExposeSecret::expose_secret),
                    "created": outcome.action == ImportAction::Created,
                })
            })
            .collect();
        println!("{}", serde_json::Value::Array(rows));
        return Ok(());
    }
    println!("{:<24} {:<8} API KEY (shown once)", "USER", "ACTION");
    for outcome in &outcomes {
        let (action, key) = match (&outcome.action, &outcome.new_key) {
            (ImportAction::Created, Some(key)) => ("created", key.expose_secret().to_owned()),
            (ImportAction::Created, None) => ("created", "(no key)".to_owned()),
            (ImportAction::Updated, _) => ("updated", "(unchanged: existing keys kept)".to_owned()),
        };
        println!("{:<24} {:<8} {}", outcome.user.name, action, key);
    }
    Ok(())
}

#[allow(clippy::print_stdout, reason = "the list is the command's output")]
async fn list_users(store: &Arc<dyn Store>, as_json: bool) -> anyhow::Result<()> {
    let users = store.list_users().await?;
    if as_json {
        let rows: Vec<serde_json::Value> = users
            .iter()
            .map(|summary| {
                json!({
                    "user": summary.user.name,
                    "id": summary.user.id.as_str(),
                    "status": summary.user.status.as_str(),
                    "auth_method": summary.user.auth_method.as_str(),
                    "credentials": summary.credential_kind.map(CredentialKind::as_str),
                    "active_api_keys": summary.active_api_keys,
                    "last_used_unix": summary.last_used_at.and_then(unix_secs),
                })
            })
            .collect();
        println!("{}", serde_json::Value::Array(rows));
        return Ok(());
    }
    if users.is_empty() {
        println!(
            "no users; add one with `sdp-mcp users add NAME` or `sdp-mcp users import .env.*`"
        );
        return Ok(());
    }
    println!(
        "{:<24} {:<9} {:<17} {:>5}  LAST USED (unix)",
        "USER", "STATUS", "CREDENTIALS", "KEYS"
    );
    for summary in &users {
        println!(
            "{:<24} {:<9} {:<17} {:>5}  {}",
            summary.user.name,
            summary.user.status.as_str(),
            summary.credential_kind.map_or("none", |kind| kind.as_str()),
            summary.active_api_keys,
            summary
                .last_used_at
                .and_then(unix_secs)
                .map_or_else(|| "never".to_owned(), |secs| secs.to_string()),
        );
    }
    Ok(())
}

fn unix_secs(time: std::time::SystemTime) -> Option<u64> {
    time.duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs())
}

async fn find_user(store: &Arc<dyn Store>, name: &str) -> anyhow::Result<UserRecord> {
    store.get_user_by_name(name).await?.ok_or_else(|| {
        anyhow::anyhow!("no user `{name}` in the store; `sdp-mcp users list` shows the users")
    })
}

#[allow(
    clippy::print_stdout,
    reason = "the confirmation is the command's output"
)]
async fn remove_user(store: &Arc<dyn Store>, args: &NameArg) -> anyhow::Result<()> {
    let user = find_user(store, &args.name).await?;
    store.remove_user(&user.id).await?;
    if args.json {
        println!("{}", json!({"user": user.name, "removed": true}));
    } else {
        println!("removed user {} with their credentials and keys", user.name);
    }
    Ok(())
}

#[allow(
    clippy::print_stdout,
    reason = "the confirmation is the command's output"
)]
async fn set_status(
    store: &Arc<dyn Store>,
    args: &NameArg,
    status: UserStatus,
) -> anyhow::Result<()> {
    let user = find_user(store, &args.name).await?;
    store.set_user_status(&user.id, status).await?;
    if args.json {
        println!("{}", json!({"user": user.name, "status": status.as_str()}));
    } else {
        println!(
            "user {} is now {} (a running server notices within 30 s)",
            user.name,
            status.as_str()
        );
    }
    Ok(())
}

#[allow(clippy::print_stdout, reason = "the key is the command's output")]
async fn rotate_key(store: &Arc<dyn Store>, args: &NameArg) -> anyhow::Result<()> {
    let user = find_user(store, &args.name).await?;
    let issued = store.rotate_api_keys(&user.id, None).await?;
    if args.json {
        println!(
            "{}",
            json!({"user": user.name, "api_key": issued.key.expose_secret()})
        );
    } else {
        println!(
            "revoked every key of {}; new API key (shown once):",
            user.name
        );
        println!("{}", issued.key.expose_secret());
    }
    Ok(())
}
