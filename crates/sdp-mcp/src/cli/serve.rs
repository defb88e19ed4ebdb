//! `sdp-mcp serve`: MCP over Streamable HTTP (`/mcp`) and legacy SSE
//! (`/sse` + `/messages`), configured from the environment (and `./.env`).

use std::net::SocketAddr;

use anyhow::Context as _;
use sdp_mcp_server::{Config, EnvSource};

/// Options shared by `serve` and `stdio` that shape the tool list.
#[derive(Debug, Clone, clap::Args)]
pub struct ToolArgs {
    /// Hide every tool that writes to ServiceDesk Plus.
    #[arg(long, env = "SDP_MCP_READ_ONLY")]
    pub read_only: bool,
    /// Toolsets to enable, comma separated (`all` for every toolset).
    #[arg(long, value_delimiter = ',', env = "SDP_MCP_TOOLSETS")]
    pub toolsets: Option<Vec<String>>,
}

impl ToolArgs {
    /// Applies the options on top of the environment's configuration.
    pub fn apply(&self, config: &mut Config) {
        if self.read_only {
            config.tools.read_only = true;
        }
        if let Some(toolsets) = &self.toolsets {
            config.tools.toolsets = Some(toolsets.clone());
        }
    }
}

/// Arguments of `sdp-mcp serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; overrides `SDP_HTTP_HOST` and `SDP_HTTP_PORT`.
    #[arg(long)]
    listen: Option<SocketAddr>,
    #[command(flatten)]
    tools: ToolArgs,
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
    let mut config = config_from_environment()?;
    args.tools.apply(&mut config);
    let (address, hint) = match args.listen {
        Some(listen) => (listen.to_string(), "--listen ADDR"),
        None => (
            config.http.bind_address(),
            "SDP_HTTP_PORT (or --listen ADDR)",
        ),
    };
    let listener = bind(&address, hint).await?;
    sdp_mcp_server::run(listener, config, super::shutdown::signal()).await?;
    tracing::info!("stopped");
    Ok(())
}
