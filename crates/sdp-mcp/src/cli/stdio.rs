//! `sdp-mcp stdio`: one MCP session over stdin/stdout as the single user of
//! the environment's credentials. Exits 0 when stdin closes.

use super::serve::{ToolArgs, config_from_environment};

/// Arguments of `sdp-mcp stdio`.
#[derive(Debug, clap::Args)]
pub struct StdioArgs {
    #[command(flatten)]
    tools: ToolArgs,
}

/// Serves MCP over stdin/stdout until stdin closes.
pub async fn run(args: StdioArgs) -> anyhow::Result<()> {
    let mut config = config_from_environment()?;
    args.tools.apply(&mut config);
    sdp_mcp_server::serve_stdio(config, tokio::io::stdin(), tokio::io::stdout()).await?;
    Ok(())
}
