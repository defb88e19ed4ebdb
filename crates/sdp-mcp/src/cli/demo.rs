//! `sdp-mcp demo`: the built-in simulator plus the server in multi-user mode,
//! ready to use from an MCP client in one command. Simulated users (on two or
//! more portals) are put into a store (a temporary data directory unless
//! `--data-dir` is given); the demo prints each user's API key and a
//! `.mcp.json` to paste into Claude Code. OAuth sign-in is on as well, against
//! the simulator's Zoho: a client that adds the URL without a header is sent
//! to sign in in the browser as a simulated user.

use std::net::SocketAddr;
use std::path::PathBuf;

use sdp_mcp_server::oauth::OAuthConfig;
use sdp_mcp_server::store::{
    AuthMethod, ExposeSecret as _, NewUser, SdpAuth, SdpCredentials, SecretString, StoreOptions,
    open_store,
};
use sdp_mcp_server::{Config, EnvSource, Server};
use sdp_sim::Simulator;
use sdp_sim::directory::{DEMO_WEB_CLIENT_ID, DEMO_WEB_CLIENT_SECRET};

/// Arguments of `sdp-mcp demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Address of the MCP server.
    #[arg(long, default_value = "127.0.0.1:3456")]
    listen: SocketAddr,
    /// Address of the simulator (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:0")]
    sim_listen: SocketAddr,
    /// Keep the demo's store here (default: a temporary directory removed on exit).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Number of simulated users (at least 3, spread over 2 portals).
    #[arg(long, default_value_t = 3)]
    users: usize,
}

/// Runs simulator and server until SIGINT/SIGTERM.
#[allow(
    clippy::print_stdout,
    reason = "the demo's instructions are its output"
)]
pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let sim_listener =
        super::serve::bind(&args.sim_listen.to_string(), "--sim-listen ADDR").await?;
    let sim = Simulator::builder()
        .users(args.users.max(3))
        .portals(2)
        .spawn(sim_listener)
        .await?;
    let temp_dir = match &args.data_dir {
        Some(_) => None,
        None => Some(tempfile::Builder::new().prefix("sdp-mcp-demo-").tempdir()?),
    };
    let data_dir = match (&args.data_dir, &temp_dir) {
        (Some(dir), _) => dir.clone(),
        (None, Some(temp)) => temp.path().to_path_buf(),
        (None, None) => anyhow::bail!("no data directory"),
    };
    let store = open_store(StoreOptions::new(&data_dir, None, None)?).await?;
    let base_url = sim.base_url().to_owned();
    let new_users: Vec<NewUser> = sim
        .directory()
        .users
        .iter()
        .map(|user| NewUser {
            name: user.login.clone(),
            display_name: Some(user.name.clone()),
            email: Some(user.email.clone()),
            auth_method: AuthMethod::EnvImport,
            credentials: Some(SdpCredentials {
                auth: SdpAuth::CloudOAuth {
                    client_id: Some(user.client_id.clone()),
                    client_secret: Some(SecretString::from(user.client_secret.clone())),
                    refresh_token: SecretString::from(user.refresh_token.clone()),
                    scopes: Vec::new(),
                },
                instance: Some(user.portal.clone()),
                base_url: Some(base_url.clone()),
                accounts_url: Some(base_url.clone()),
                data_center: None,
            }),
            issue_api_key: true,
        })
        .collect();
    let outcomes = store.import_users(new_users).await?;
    let mut keys = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        // A reused --data-dir keeps its users; give them a fresh key to print.
        let key = match outcome.new_key {
            Some(key) => key,
            None => {
                store
                    .rotate_api_keys(&outcome.user.id, Some("demo"))
                    .await?
                    .key
            }
        };
        keys.push((outcome.user.name, key));
    }
    let config = Config::multi_user_from_env(&EnvSource::default())?;
    let listener = super::serve::bind(&args.listen.to_string(), "--listen ADDR").await?;
    let public_base = format!("http://{}", listener.local_addr()?);
    let url = format!("{public_base}/mcp");
    // OAuth sign-in against the simulator's Zoho with its demo web client:
    // users of the simulated directory sign in with their email and password.
    let mut oauth = OAuthConfig::new(
        public_base,
        DEMO_WEB_CLIENT_ID,
        SecretString::from(DEMO_WEB_CLIENT_SECRET),
        base_url.clone(),
    );
    let default_portal = sim.directory().default_portal().to_owned();
    oauth.sdp_base_url = Some(base_url.clone());
    oauth.portal = Some(default_portal.clone());
    oauth.allowed_domains = vec!["zylker.test".to_owned()];
    let server = Server::builder(config).store(store).oauth(oauth).build()?;
    println!("sdp-mcp demo: ServiceDesk Plus simulator at {base_url}");
    println!("store: {} (multi-user mode)", data_dir.display());
    println!();
    println!("MCP endpoint (Streamable HTTP): {url}");
    println!(
        "Legacy SSE endpoint:            {}",
        url.replace("/mcp", "/sse")
    );
    for (index, (name, key)) in keys.iter().enumerate() {
        let portal = sim
            .directory()
            .users
            .iter()
            .find(|user| &user.login == name)
            .map_or("?", |user| user.portal.as_str());
        let key = key.expose_secret();
        println!();
        println!("── user {name} (portal {portal}) ──");
        println!("API key:                        {key}");
        if index == 0 {
            println!("Add it to Claude Code with:");
            println!(
                "  claude mcp add --transport http sdp {url} --header \"Authorization: Bearer {key}\""
            );
        }
        println!("or paste into .mcp.json:");
        let mcp_json = serde_json::json!({
            "mcpServers": {
                "sdp": {
                    "type": "http",
                    "url": url,
                    "headers": { "Authorization": format!("Bearer {key}") }
                }
            }
        });
        println!("{}", serde_json::to_string_pretty(&mcp_json)?);
    }
    println!();
    println!("── OAuth sign-in (no key) ──");
    println!("MCP clients can also add the URL without a header and sign in in the browser:");
    println!("  claude mcp add --transport http sdp-oauth {url}");
    if let Some(user) = sim
        .directory()
        .users
        .iter()
        .find(|user| user.portal == default_portal)
    {
        println!("At the simulated Zoho sign-in page use (portal {default_portal}):");
        println!("OAuth sign-in email:            {}", user.email);
        println!("OAuth sign-in password:         {}", user.password);
    }
    println!();
    println!("Each key sees only its own user's portal. Ctrl-C stops the demo.");
    server.run(listener, super::shutdown::signal()).await?;
    sim.shutdown().await;
    drop(temp_dir);
    Ok(())
}
