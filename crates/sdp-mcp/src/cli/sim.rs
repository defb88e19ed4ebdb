//! `sdp-mcp sim`: the ServiceDesk Plus + Zoho accounts simulator on its own,
//! for trying clients against, and for the per-user `.env` files it can write.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use sdp_sim::{SimConfig, Simulator, ThrottleStatus};

/// Arguments of `sdp-mcp sim`.
#[derive(Debug, clap::Args)]
pub struct SimArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8089")]
    listen: SocketAddr,
    /// Number of simulated login users (`user1` … `userN`).
    #[arg(long, default_value_t = 3)]
    users: usize,
    /// Number of portals (`itdesk`, `hrdesk`, …).
    #[arg(long, default_value_t = 2)]
    portals: usize,
    /// Seed of all generated data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Requests seeded per portal.
    #[arg(long, default_value_t = 200)]
    requests: usize,
    /// Access-token lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    token_ttl_secs: u64,
    /// HTTP status of Zoho's "too many requests" throttle answer (200 or 400).
    #[arg(long, default_value = "200")]
    throttle_status: ThrottleArg,
    /// Write one `.env.<user>` file per simulated user into this directory,
    /// in the per-user format of one-process-per-user setups.
    #[arg(long, value_name = "DIR")]
    write_env: Option<PathBuf>,
}

/// HTTP status of the throttle answer, as typed on the command line.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ThrottleArg {
    /// Zoho's documented behaviour.
    #[value(name = "200")]
    Ok200,
    /// Seen in the field.
    #[value(name = "400")]
    BadRequest400,
}

/// Runs the simulator until SIGINT/SIGTERM.
pub async fn run(args: SimArgs) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}: choose another address with --listen",
                args.listen
            )
        })?;
    let config = SimConfig {
        seed: args.seed,
        portals: args.portals.max(1),
        users: args.users,
        requests_per_portal: args.requests,
        token_ttl_secs: args.token_ttl_secs,
        throttle_status: match args.throttle_status {
            ThrottleArg::Ok200 => ThrottleStatus::Ok200,
            ThrottleArg::BadRequest400 => ThrottleStatus::BadRequest400,
        },
        ..SimConfig::default()
    };
    let sim = Simulator::builder().config(config).spawn(listener).await?;
    eprintln!(
        "ServiceDesk Plus + Zoho simulator listening on {}",
        sim.base_url()
    );
    eprintln!("portals: {}", sim.directory().portals.join(", "));
    for user in &sim.directory().users {
        eprintln!(
            "  {:<8} {:<36} portal {}",
            user.login, user.email, user.portal
        );
    }
    if let Some(dir) = &args.write_env {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let files = sdp_sim::env_files::write_env_files(dir, sim.directory(), sim.base_url())
            .with_context(|| format!("cannot write .env files into {}", dir.display()))?;
        for file in files {
            eprintln!("wrote {}", file.display());
        }
    }
    eprintln!(
        "control endpoints under {}/_sim/ ; Ctrl-C to stop",
        sim.base_url()
    );
    super::shutdown::signal().await;
    sim.shutdown().await;
    Ok(())
}
