//! `sdp-mcp serve`: MCP over Streamable HTTP (`/mcp`) and legacy SSE
//! (`/sse` + `/messages`), configured from the environment (and `./.env`).
//!
//! Mode: single-user when SDP credentials are in the environment
//! (`SDP_REFRESH_TOKEN` / `SDP_AUTHTOKEN`); otherwise multi-user when a store
//! is configured (`--data-dir`, `--database-url`, or an existing `./data`);
//! otherwise header-credentials-only when `SDP_MCP_ALLOW_HEADER_CREDENTIALS=true`.

use std::net::SocketAddr;

use anyhow::Context as _;
use sdp_mcp_server::{Config, EnvSource, Server};

use super::store_args::StoreArgs;

/// Options shared by `serve` and `stdio` that shape the tool list.
#[derive(Debug, Clone, clap::Args)]
pub struct ToolArgs {
    /// Hide every tool that writes to ServiceDesk Plus.
    #[arg(long, env = "SDP_MCP_READ_ONLY")]
    pub read_only: bool,
    /// Toolsets to enable, comma separated (`all` for every toolset).
    #[arg(long, value_delimiter = ',', env = "SDP_MCP_TOOLSETS")]
    pub toolsets: Option<Vec<String>>,
    /// Offer `sdp_api_call` (toolset `api`), GET only; also `SDP_MCP_ENABLE_API_CALL=true`.
    #[arg(long)]
    pub enable_api_call: bool,
    /// Let `sdp_api_call` also POST, PUT and DELETE (never with --read-only);
    /// also `SDP_MCP_API_CALL_WRITES=true`.
    #[arg(long, requires = "enable_api_call")]
    pub api_call_writes: bool,
}

impl ToolArgs {
    /// Applies the options on top of the environment's configuration. An
    /// option given neither as a flag nor in the environment comes from the
    /// configuration file (`[tools]`), if any.
    pub fn apply(&self, config: &mut Config) {
        let file = sdp_mcp_server::config::file::file_vars();
        let from_file = |variable: &str| {
            std::env::var_os(variable)
                .is_none()
                .then(|| file.get(variable))
                .flatten()
        };
        if self.read_only
            || from_file("SDP_MCP_READ_ONLY")
                .is_some_and(|value| value.trim().eq_ignore_ascii_case("true"))
        {
            config.tools.read_only = true;
        }
        use sdp_mcp_server::config::ApiCallMode;
        if self.api_call_writes {
            config.tools.api_call = ApiCallMode::ReadWrite;
        } else if self.enable_api_call && config.tools.api_call == ApiCallMode::Off {
            config.tools.api_call = ApiCallMode::Read;
        }
        if let Some(toolsets) = &self.toolsets {
            config.tools.toolsets = Some(toolsets.clone());
        } else if let Some(toolsets) = from_file("SDP_MCP_TOOLSETS") {
            config.tools.toolsets = Some(
                toolsets
                    .split(',')
                    .map(|name| name.trim().to_owned())
                    .filter(|name| !name.is_empty())
                    .collect(),
            );
        }
    }
}

/// Arguments of `sdp-mcp serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; overrides `SDP_HTTP_HOST` and `SDP_HTTP_PORT`.
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Serve /mcp without sessions (also `SDP_MCP_STATELESS=true`): any replica
    /// can answer any request, so a plain round-robin load balancer suffices.
    #[arg(long)]
    stateless: bool,
    /// Serve HTTPS with this PEM certificate chain (also `SDP_MCP_TLS_CERT`);
    /// needs --tls-key.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<std::path::PathBuf>,
    /// The PEM private key of --tls-cert (also `SDP_MCP_TLS_KEY`).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<std::path::PathBuf>,
    #[command(flatten)]
    tools: ToolArgs,
    #[command(flatten)]
    store: StoreArgs,
}

/// Loads the configuration from the process environment and `./.env`.
pub fn config_from_environment() -> anyhow::Result<Config> {
    let env = EnvSource::from_process()?;
    Ok(Config::from_env(&env)?)
}

/// Binds `address`, turning "address in use" into a sentence naming the fix.
pub async fn bind(address: &str, variable_hint: &str) -> anyhow::Result<tokio::net::TcpListener> {
    match tokio::net::TcpListener::bind(address).await {
        Ok(listener) => Ok(listener),
        Err(error) if error.kind() == std::io::ErrorKind::AddrInUse => Err(anyhow::anyhow!(
            "cannot listen on {address}: the port is already in use (another sdp-mcp?). \
             Choose a free port with {variable_hint}"
        )),
        Err(error) => Err(error).with_context(|| format!("cannot listen on {address}")),
    }
}

/// Runs the HTTP server until SIGINT/SIGTERM, then drains in-flight calls.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let env = EnvSource::from_process()?;
    let single_user = Config::has_single_user_credentials(&env);
    let multi_user = !single_user && args.store.is_configured();
    let header_only = !single_user && !multi_user && {
        let config = Config::multi_user_from_env(&env)?;
        config.multi_user.allow_header_credentials
    };
    let mut config = if multi_user || header_only {
        Config::multi_user_from_env(&env)?
    } else {
        Config::from_env(&env).map_err(|error| {
            anyhow::anyhow!(
                "{error}\n(for multi-user mode, configure a store instead: \
                 sdp-mcp serve --data-dir DIR, then sdp-mcp users import .env.*)"
            )
        })?
    };
    args.tools.apply(&mut config);
    if args.stateless {
        config.http.stateless = true;
    }
    if let (Some(cert), Some(key)) = (args.tls_cert, args.tls_key) {
        config.http.tls = Some(sdp_mcp_server::config::TlsFiles { cert, key });
    }
    let (address, hint) = match args.listen {
        Some(listen) => (listen.to_string(), "--listen ADDR"),
        None => (
            config.http.bind_address(),
            "SDP_HTTP_PORT (or --listen ADDR)",
        ),
    };
    let oauth = config.oauth.clone();
    let mut builder = Server::builder(config);
    if multi_user {
        let store = args.store.open().await?;
        let users = store.list_users().await?.len();
        tracing::info!(
            mode = "multi-user",
            backend = %store.backend(),
            data_dir = %args.store.data_dir().display(),
            users,
            "multi-user mode: users authenticate with their personal keys \
             (sdp-mcp users add/import); users added while running work at once"
        );
        builder = builder.store(store);
        if let Some(oauth) = oauth {
            tracing::info!(
                public_url = %oauth.public_base_url,
                zoho_redirect_uri = %oauth.zoho_redirect_uri(),
                allowed_domains = ?oauth.allowed_domains,
                allowed_emails = oauth.allowed_emails.len(),
                "OAuth sign-in enabled (SDP_MCP_PUBLIC_URL): MCP clients may connect without \
                 a key and sign in with Zoho in the browser"
            );
            builder = builder.oauth(oauth);
        }
    } else if header_only {
        if oauth.is_some() {
            tracing::warn!(
                "SDP_MCP_PUBLIC_URL is set but OAuth sign-in needs a store: it is off \
                 (sdp-mcp serve --data-dir DIR)"
            );
        }
        tracing::info!(
            mode = "header-credentials",
            "header-credentials mode: each request brings its SDP credentials in X-SDP-* \
             headers; nothing is stored (configure --data-dir for personal API keys)"
        );
    } else {
        if args.store.data_dir.is_some() || args.store.database_url.is_some() {
            tracing::warn!(
                "SDP credentials are set in the environment: serving in single-user mode; \
                 the store is not used (unset SDP_REFRESH_TOKEN / SDP_AUTHTOKEN for multi-user mode)"
            );
        }
        if oauth.is_some() {
            tracing::warn!(
                "SDP_MCP_PUBLIC_URL is set but OAuth sign-in is for multi-user mode: it is off \
                 (unset SDP_REFRESH_TOKEN / SDP_AUTHTOKEN and configure a store)"
            );
        }
        tracing::info!(
            mode = "single-user",
            "single-user mode: SDP credentials from the environment"
        );
    }
    let server = builder.build()?;
    let listener = bind(&address, hint).await?;
    server.run(listener, super::shutdown::signal()).await?;
    tracing::info!("stopped");
    Ok(())
}
