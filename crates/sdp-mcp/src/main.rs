//! The `sdp-mcp` binary: thin CLI wiring of the libraries.
//!
//! Each subcommand lives in its own module under `cli/`; this file only parses
//! arguments, sets up logging and dispatches.

mod cli;

use clap::{Parser, Subcommand};

/// One MCP server for ManageEngine ServiceDesk Plus, many users.
#[derive(Debug, Parser)]
#[command(name = "sdp-mcp", version, about, long_about = None)]
struct Cli {
    /// Log format on stderr: `human` (default) or `json`; also `[logging] format`
    /// in the configuration file.
    #[arg(long, global = true, env = "SDP_MCP_LOG_FORMAT")]
    log_format: Option<cli::logging::LogFormat>,
    /// TOML configuration file (see sdp-mcp.example.toml); the environment
    /// and flags override it.
    #[arg(long, global = true, value_name = "FILE", env = "SDP_MCP_CONFIG")]
    config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve MCP over Streamable HTTP (/mcp) and legacy SSE (/sse): single-user from the environment, or multi-user from a store (--data-dir).
    Serve(cli::serve::ServeArgs),
    /// Serve one MCP session over stdin/stdout (for clients that start the server themselves).
    Stdio(cli::stdio::StdioArgs),
    /// Run the simulator and the server together, with a ready-to-paste client configuration.
    Demo(cli::demo::DemoArgs),
    /// Run the built-in ServiceDesk Plus + Zoho accounts simulator on its own.
    Sim(cli::sim::SimArgs),
    /// Inspect the tool catalogue.
    Tools(cli::tools::ToolsArgs),
    /// Manage the users of multi-user mode: add, import, list, remove, disable, enable, rotate-key.
    Users(cli::users::UsersArgs),
    /// Apply the store's schema migrations.
    Migrate(cli::migrate::MigrateArgs),
    /// Check configuration, key file permissions, port, store and each user's upstream sign-in.
    Doctor(cli::doctor::DoctorArgs),
    /// Inspect the configuration: `config check` prints the effective values, secrets redacted.
    Config(cli::config_cmd::ConfigArgs),
    /// Write a consistent snapshot of the SQLite store while the server runs (not the master key).
    Backup(cli::backup::BackupArgs),
    /// Replace the SQLite store with a snapshot (server stopped; same master key).
    Restore(cli::backup::RestoreArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if let Some(path) = &cli.config
        && let Err(error) = sdp_mcp_server::config::file::load(path)
    {
        eprintln!("error: {error}");
        return std::process::ExitCode::FAILURE;
    }
    // Flag or environment first, then the configuration file.
    let log_format = cli.log_format.map_or_else(
        || {
            sdp_mcp_server::config::file::file_vars()
                .get("SDP_MCP_LOG_FORMAT")
                .map_or(Ok(cli::logging::LogFormat::Human), |value| {
                    <cli::logging::LogFormat as clap::ValueEnum>::from_str(value.trim(), true)
                })
        },
        Ok,
    );
    let Ok(log_format) = log_format else {
        eprintln!("error: configuration file: [logging] format must be \"human\" or \"json\"");
        return std::process::ExitCode::FAILURE;
    };
    cli::logging::init(log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => cli::serve::run(args).await,
            Command::Stdio(args) => cli::stdio::run(args).await,
            Command::Demo(args) => cli::demo::run(args).await,
            Command::Sim(args) => cli::sim::run(args).await,
            Command::Tools(args) => cli::tools::run(&args),
            Command::Users(args) => cli::users::run(args).await,
            Command::Migrate(args) => cli::migrate::run(args).await,
            Command::Doctor(args) => cli::doctor::run(args).await,
            Command::Config(args) => cli::config_cmd::run(&args),
            Command::Backup(args) => cli::backup::backup(args).await,
            Command::Restore(args) => cli::backup::restore(args).await,
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
