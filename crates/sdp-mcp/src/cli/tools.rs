//! `sdp-mcp tools list`: the tool catalogue, as Markdown (the README's table)
//! or JSON.

use sdp_mcp_server::config::{ApiCallMode, ToolsConfig};

/// Arguments of `sdp-mcp tools`.
#[derive(Debug, clap::Args)]
pub struct ToolsArgs {
    #[command(subcommand)]
    command: ToolsCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ToolsCommand {
    /// List every tool of every toolset.
    List {
        /// Output format.
        #[arg(long, default_value = "markdown")]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Markdown,
    Json,
}

/// Prints the catalogue on stdout.
#[allow(
    clippy::print_stdout,
    reason = "the catalogue is this command's output"
)]
pub fn run(args: &ToolsArgs) -> anyhow::Result<()> {
    let ToolsCommand::List { format } = args.command;
    match format {
        Format::Markdown => print!("{}", markdown()?),
        Format::Json => {
            let config = ToolsConfig {
                read_only: false,
                toolsets: Some(vec!["all".to_owned()]),
                api_call: ApiCallMode::ReadWrite,
            };
            let tools = sdp_mcp_server::tool_catalog(&config)?;
            println!("{}", serde_json::to_string_pretty(&tools)?);
        }
    }
    Ok(())
}

/// The README's tool table: one section per toolset, one row per tool.
pub fn markdown() -> anyhow::Result<String> {
    use std::fmt::Write as _;
    let mut out = String::new();
    for toolset in sdp_mcp_server::toolsets() {
        let config = ToolsConfig {
            read_only: false,
            toolsets: Some(vec![toolset.name.to_owned()]),
            // sdp_api_call follows --enable-api-call, not --toolsets: show it once.
            api_call: if toolset.name == "api" {
                ApiCallMode::ReadWrite
            } else {
                ApiCallMode::Off
            },
        };
        let mut tools = sdp_mcp_server::tool_catalog(&config)?;
        tools.sort_by(|a, b| a.name.cmp(&b.name));
        let default = if toolset.default_enabled {
            " (default)"
        } else {
            ""
        };
        writeln!(
            out,
            "### `{}`{default}\n\n{}\n",
            toolset.name, toolset.description
        )?;
        writeln!(
            out,
            "| Tool | Title | Kind | What it does |\n|---|---|---|---|"
        )?;
        for tool in tools {
            let annotations = tool.annotations.as_ref();
            let read_only = annotations.and_then(|a| a.read_only_hint).unwrap_or(false);
            let destructive = annotations.and_then(|a| a.destructive_hint).unwrap_or(true);
            let kind = match (read_only, destructive) {
                (true, _) => "read",
                (false, false) => "write",
                (false, true) => "write (changes data)",
            };
            let description = tool.description.as_deref().unwrap_or_default();
            let first_sentence = first_sentence(description);
            writeln!(
                out,
                "| `{}` | {} | {kind} | {} |",
                tool.name,
                tool.title.as_deref().unwrap_or_default(),
                first_sentence.replace('|', "\\|").replace('\n', " ")
            )?;
        }
        out.push('\n');
    }
    Ok(out)
}

/// The first sentence of `text`: up to the first ". " that does not end an
/// abbreviation such as "e.g." or "i.e.".
fn first_sentence(text: &str) -> &str {
    let mut search_from = 0;
    while let Some(offset) = text[search_from..].find(". ") {
        let end = search_from + offset + 1;
        let before = &text[..end];
        if !(before.ends_with("e.g.") || before.ends_with("i.e.") || before.ends_with("etc.")) {
            return text[..end].trim();
        }
        search_from = end;
    }
    text.trim()
}
