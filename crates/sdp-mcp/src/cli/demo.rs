//! `sdp-mcp demo`: the built-in simulator plus the server, ready to use from
//! an MCP client in one command. Prints the MCP URL, the API key and a
//! `.mcp.json` to paste into Claude Code.

use std::net::SocketAddr;

use rand::Rng as _;
use sdp_mcp_server::{Config, EnvSource};
use sdp_sim::Simulator;

/// Arguments of `sdp-mcp demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Address of the MCP server.
    #[arg(long, default_value = "127.0.0.1:3456")]
    listen: SocketAddr,
    /// Address of the simulator (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:0")]
    sim_listen: SocketAddr,
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
        .users(3)
        .portals(2)
        .spawn(sim_listener)
        .await?;
    let user = sim
        .directory()
        .users
        .first()
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("the simulator generated no users"))?;
    let api_key = format!("sdpmcp_demo_{}", random_hex(16));
    let env = EnvSource::from_vars([
        ("SDP_CLIENT_ID", user.client_id.clone()),
        ("SDP_CLIENT_SECRET", user.client_secret.clone()),
        ("SDP_REFRESH_TOKEN", user.refresh_token.clone()),
        ("SDP_INSTANCE_NAME", user.portal.clone()),
        ("SDP_BASE_URL", sim.base_url().to_owned()),
        ("SDP_ACCOUNTS_URL", sim.base_url().to_owned()),
        ("SDP_MCP_API_KEY", api_key.clone()),
    ]);
    let config = Config::from_env(&env)?;
    let listener = super::serve::bind(&args.listen.to_string(), "--listen ADDR").await?;
    let url = format!("http://{}/mcp", listener.local_addr()?);
    println!(
        "sdp-mcp demo: ServiceDesk Plus simulator at {}",
        sim.base_url()
    );
    println!(
        "signed in as {} <{}> on portal {}",
        user.name, user.email, user.portal
    );
    println!();
    println!("MCP endpoint (Streamable HTTP): {url}");
    println!(
        "Legacy SSE endpoint:            {}",
        url.replace("/mcp", "/sse")
    );
    println!("API key:                        {api_key}");
    println!();
    println!("Add it to Claude Code with:");
    println!(
        "  claude mcp add --transport http sdp {url} --header \"Authorization: Bearer {api_key}\""
    );
    println!();
    println!("or paste into .mcp.json:");
    let mcp_json = serde_json::json!({
        "mcpServers": {
            "sdp": {
                "type": "http",
                "url": url,
                "headers": { "Authorization": format!("Bearer {api_key}") }
            }
        }
    });
    println!("{}", serde_json::to_string_pretty(&mcp_json)?);
    println!();
    println!("Ctrl-C stops the demo.");
    sdp_mcp_server::run(listener, config, super::shutdown::signal()).await?;
    sim.shutdown().await;
    Ok(())
}

fn random_hex(bytes: usize) -> String {
    let mut rng = rand::rng();
    (0..bytes)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect()
}
