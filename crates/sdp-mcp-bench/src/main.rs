//! `sdp-mcp-bench`: proves that one `sdp-mcp` process serving many users
//! replaces one process per user and adds little to each call.
//!
//! It starts the simulator in-process and the release `sdp-mcp` as child
//! process(es), provisions users, drives C concurrent MCP sessions with a mix
//! of tool calls, and reports throughput, latency (total and server-added),
//! peak RSS, Zoho refreshes per user and errors — optionally side by side with
//! the per-user-processes baseline — as JSON and Markdown.
//!
//! Module map: `mix` (tool mix and arguments), `mcp` (raw MCP client, JSON/SSE
//! bodies), `simulator` (simulator + timing middleware), `server` (child
//! processes), `provision` (architectures and user provisioning), `load`
//! (sessions and the measured phase), `procfs` (memory and CPU), `stats`
//! (histograms, server-added estimate), `report` (targets, rendering),
//! `scenario` (one run end to end).

#[cfg(test)]
mod e2e_tests;
mod load;
mod mcp;
mod mix;
mod procfs;
mod provision;
mod report;
mod scenario;
mod server;
mod simulator;
mod stats;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Parser;

use crate::load::{LoadPlan, StopRule};
use crate::mix::Mix;
use crate::provision::Architecture;
use crate::report::{METHOD, Report, Settings, check_targets};
use crate::simulator::SimShape;

const RECIPES: &str = "\
Runs for the targets (build the server first: cargo build --release -p sdp-mcp):
  throughput  sdp-mcp-bench --users 100 --sessions 200 --duration 20
  latency     sdp-mcp-bench --users 100 --sessions 200 --rate 1000 --duration 20
  memory      sdp-mcp-bench --users 1000 --sessions 1000 --rate 500 --duration 20 --mode multi-user
  baseline    sdp-mcp-bench --users 100 --sessions 200 --rate 1000 --duration 20 \\
                --baseline per-user-processes --out bench-out";

/// Load generator and benchmark report for sdp-mcp.
#[derive(Debug, Parser)]
#[command(name = "sdp-mcp-bench", version, about, long_about = None, after_help = RECIPES)]
struct Args {
    /// Simulated users (each with own Zoho client and refresh token).
    #[arg(long, default_value_t = 100)]
    users: usize,
    /// Concurrent MCP sessions (session i is user i mod N).
    #[arg(long, default_value_t = 200)]
    sessions: usize,
    /// Portals the users are spread over.
    #[arg(long, default_value_t = 10)]
    portals: usize,
    /// Requests seeded per portal.
    #[arg(long, default_value_t = 200)]
    requests_per_portal: usize,
    /// Stop after this many tool calls in total.
    #[arg(long, conflicts_with = "duration")]
    calls: Option<u64>,
    /// Stop after this many seconds (default 10 when --calls is not given).
    #[arg(long)]
    duration: Option<f64>,
    /// Pace the load to this many calls per second in total (default: closed
    /// loop, as fast as the server answers).
    #[arg(long)]
    rate: Option<f64>,
    /// Tool mix as NAME=WEIGHT (list, get, search, note).
    #[arg(long, default_value = "list=40,get=40,search=15,note=5")]
    mix: Mix,
    /// Latency the simulator adds to every SDP call, in milliseconds.
    #[arg(long, default_value_t = 0)]
    upstream_latency_ms: u64,
    /// Also run this baseline and print both side by side.
    #[arg(long, value_enum)]
    baseline: Option<Baseline>,
    /// Architecture of the primary run (`auto`: multi-user when the binary
    /// has `users import`, else single-user).
    #[arg(long, value_enum, default_value_t = ModeArg::Auto)]
    mode: ModeArg,
    /// The sdp-mcp release binary (default: $CARGO_TARGET_DIR/release/sdp-mcp
    /// or target/release/sdp-mcp).
    #[arg(long, value_name = "PATH")]
    server_bin: Option<PathBuf>,
    /// Write report.json and report.md into this directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print the JSON report on stdout instead of the Markdown one.
    #[arg(long)]
    json: bool,
    /// Hard limit of each measured phase, in seconds.
    #[arg(long, default_value_t = 600)]
    time_limit: u64,
    /// Time-out of one HTTP request, in seconds.
    #[arg(long, default_value_t = 30)]
    request_timeout: u64,
    /// RUST_LOG of the server processes.
    #[arg(long, default_value = "warn")]
    server_log: String,
    /// Seed of the simulator's data and the clients' choices.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Keep the scratch directory (env files, store, server logs).
    #[arg(long)]
    keep_temp: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Baseline {
    /// One single-user `sdp-mcp serve` per user.
    PerUserProcesses,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ModeArg {
    /// Multi-user if available, else single-user.
    Auto,
    /// One process, one user from env vars.
    SingleUser,
    /// One process, every user from the store.
    MultiUser,
    /// One single-user process per user.
    PerUserProcesses,
}

async fn run(args: Args) -> anyhow::Result<Report> {
    let binary = server::locate_binary(args.server_bin.as_deref())?;
    let caps = server::probe(&binary).await?;
    if !caps.serve {
        bail!("{} has no `serve` command; rebuild it", binary.display());
    }
    let primary = match args.mode {
        ModeArg::Auto if caps.users => Architecture::MultiUser,
        ModeArg::Auto => {
            eprintln!(
                "note: {} has no `users` command yet; running single-user mode \
                 (one user, all sessions) instead of multi-user",
                binary.display()
            );
            Architecture::SingleUser
        }
        ModeArg::SingleUser => Architecture::SingleUser,
        ModeArg::MultiUser if !caps.users => bail!(
            "{} has no `users import` command yet; use --mode single-user or per-user-processes",
            binary.display()
        ),
        ModeArg::MultiUser => Architecture::MultiUser,
        ModeArg::PerUserProcesses => Architecture::PerUserProcesses,
    };
    if args.users > 200 && (primary == Architecture::PerUserProcesses || args.baseline.is_some()) {
        eprintln!(
            "note: the per-user baseline starts {} server processes; each takes memory and \
             start-up time on this machine",
            args.users
        );
    }
    let mut architectures = vec![primary];
    if args.baseline == Some(Baseline::PerUserProcesses)
        && primary != Architecture::PerUserProcesses
    {
        architectures.push(Architecture::PerUserProcesses);
    }
    if args.sessions == 0 || args.users == 0 {
        bail!("--users and --sessions must be at least 1");
    }
    if args.rate.is_some_and(|r| !(r.is_finite() && r > 0.0)) {
        bail!("--rate must be a positive number of calls per second");
    }

    let stop = match (args.calls, args.duration) {
        (Some(calls), _) => StopRule::Calls(calls),
        (None, Some(secs)) if secs.is_finite() && secs > 0.0 => {
            StopRule::Duration(Duration::from_secs_f64(secs))
        }
        (None, Some(_)) => bail!("--duration must be a positive number of seconds"),
        (None, None) => StopRule::Duration(Duration::from_secs(10)),
    };
    let plan = LoadPlan {
        sessions: args.sessions,
        stop,
        rate: args.rate,
        time_limit: Duration::from_secs(args.time_limit.max(1)),
        mix: args.mix.clone(),
        request_timeout: Duration::from_secs(args.request_timeout.max(1)),
        seed: args.seed,
    };
    let http = reqwest::Client::builder()
        .pool_idle_timeout(Duration::from_secs(300))
        .tcp_nodelay(true)
        .build()
        .context("cannot build the HTTP client")?;
    let scratch = tempfile::Builder::new()
        .prefix("sdp-mcp-bench-")
        .tempdir()
        .context("cannot create a scratch directory")?;
    let shape = SimShape {
        users: args.users,
        portals: args.portals.max(1),
        requests_per_portal: args.requests_per_portal,
        upstream_latency_ms: args.upstream_latency_ms,
    };
    let config = scenario::RunConfig {
        shape,
        plan: &plan,
        binary: &binary,
        scratch: scratch.path(),
        log_filter: &args.server_log,
        http: &http,
    };
    let mut runs = Vec::new();
    for architecture in architectures {
        runs.push(scenario::run(&config, architecture).await?);
    }
    if args.keep_temp {
        let kept = scratch.keep();
        eprintln!("scratch directory kept: {}", kept.display());
    }

    let settings = Settings {
        users: args.users,
        sessions: args.sessions,
        portals: shape.portals,
        requests_per_portal: args.requests_per_portal,
        stop: match stop {
            StopRule::Calls(n) => format!("{n} calls"),
            StopRule::Duration(d) => format!("{:.0} s", d.as_secs_f64()),
        },
        rate: args.rate,
        mix: args.mix.to_string(),
        upstream_latency_ms: args.upstream_latency_ms,
        cpus: std::thread::available_parallelism().map_or(0, std::num::NonZero::get),
        server_binary: binary.display().to_string(),
    };
    let targets = runs
        .first()
        .map(|r| check_targets(r, &settings))
        .unwrap_or_default();
    Ok(Report {
        tool: "sdp-mcp-bench",
        version: env!("CARGO_PKG_VERSION"),
        settings,
        runs,
        targets,
        method: METHOD.to_vec(),
    })
}

/// Writes the report files and prints the report (the only stdout output).
#[allow(clippy::print_stdout)]
fn emit(report: &Report, out: Option<&PathBuf>, json: bool) -> anyhow::Result<()> {
    let markdown = report.to_markdown();
    let json_text = serde_json::to_string_pretty(report)?;
    if let Some(dir) = out {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        std::fs::write(dir.join("report.json"), format!("{json_text}\n"))?;
        std::fs::write(dir.join("report.md"), &markdown)?;
        eprintln!("wrote {0}/report.json and {0}/report.md", dir.display());
    }
    if json {
        println!("{json_text}");
    } else {
        print!("{markdown}");
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
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
    let (out, json) = (args.out.clone(), args.json);
    // Ctrl-C drops the run: every child process is killed by its guard.
    let result = runtime.block_on(async move {
        tokio::select! {
            report = run(args) => report,
            _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
        }
    });
    match result.and_then(|report| emit(&report, out.as_ref(), json)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
