//! `sdp-mcp config check`: the effective configuration (file < environment
//! and `./.env`), each value with its origin, secrets redacted; fails when
//! the configuration does not load.

use sdp_mcp_server::config::file;
use sdp_mcp_server::{Config, EnvSource};

/// Arguments of `sdp-mcp config`.
#[derive(Debug, clap::Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    command: ConfigCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ConfigCommand {
    /// Print the effective configuration (secrets redacted) and validate it.
    Check,
}

/// Runs `config check`.
#[allow(
    clippy::print_stdout,
    reason = "the configuration is the command's output"
)]
pub fn run(args: &ConfigArgs) -> anyhow::Result<()> {
    let ConfigCommand::Check = args.command;
    let env = EnvSource::from_process()?;
    let from_file = file::file_vars();
    let mut section = "";
    for (name, key, variable, _) in file::KEYS {
        if *name != section {
            section = name;
            println!("[{section}]");
        }
        let Some(value) = env.get(variable) else {
            println!("# {key}: unset ({variable})");
            continue;
        };
        let origin = if from_file.get(*variable).is_some_and(|v| v.trim() == value) {
            "file"
        } else {
            "environment"
        };
        let shown = if file::is_secret(variable) {
            "\"[redacted]\"".to_owned()
        } else {
            serde_json::to_string(value)?
        };
        println!("{key} = {shown}  # {variable}, from {origin}");
    }
    let config = if Config::has_single_user_credentials(&env) {
        Config::from_env(&env)
    } else {
        Config::multi_user_from_env(&env)
    };
    match config {
        Ok(_) => {
            println!("# configuration OK");
            Ok(())
        }
        Err(error) => Err(anyhow::anyhow!("the configuration is invalid: {error}")),
    }
}
