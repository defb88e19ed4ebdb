//! One run: a fresh simulator, the architecture's servers and users, the
//! load, and what the processes and the simulator measured.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

use parking_lot::Mutex;

use crate::load::{self, LoadPlan};
use crate::procfs::{self, RssSampler};
use crate::provision::{self, Architecture, Deployment, Provisioner};
use crate::report::{MemoryReport, Refreshes, RunReport};
use crate::server::ServerProcess;
use crate::simulator::{SimRig, SimShape};
use crate::stats::ServerAdded;

/// Everything one run needs besides the architecture.
#[derive(Debug)]
pub struct RunConfig<'a> {
    /// The simulated organisation.
    pub shape: SimShape,
    /// The load.
    pub plan: &'a LoadPlan,
    /// The `sdp-mcp` binary.
    pub binary: &'a Path,
    /// Scratch directory of the whole benchmark.
    pub scratch: &'a Path,
    /// `RUST_LOG` of the servers.
    pub log_filter: &'a str,
    /// The client.
    pub http: &'a reqwest::Client,
}

fn total_cpu(pids: &[u32]) -> Option<f64> {
    pids.iter().map(|pid| procfs::cpu_seconds(*pid)).sum()
}

/// The end of the first server's log, for error messages.
fn first_log_tail(deployment: &Deployment) -> String {
    deployment
        .servers
        .first()
        .map(ServerProcess::log_tail)
        .unwrap_or_default()
}

/// Runs `architecture` once and reports it.
pub async fn run(config: &RunConfig<'_>, architecture: Architecture) -> anyhow::Result<RunReport> {
    let wall = Instant::now();
    let sim = SimRig::start(config.shape).await?;
    let dir = provision::scenario_dir(config.scratch, architecture)?;
    eprintln!("[{architecture}] starting servers and provisioning users…");
    let deployment = Provisioner {
        binary: config.binary,
        sim: &sim,
        dir: &dir,
        log_filter: config.log_filter,
        http: config.http,
    }
    .provision(architecture)
    .await?;
    let pids = deployment.pids();
    eprintln!(
        "[{architecture}] {} server process(es) ready; opening {} sessions…",
        pids.len(),
        config.plan.sessions
    );
    let sampler = RssSampler::start(pids.clone());
    let me = [std::process::id()];
    let cpu_at_start = Mutex::new((None, None));
    let outcome = load::run(config.http, &deployment.targets, config.plan, || {
        *cpu_at_start.lock() = (total_cpu(&pids), total_cpu(&me));
        sim.times().start();
        eprintln!("[{architecture}] measuring…");
    })
    .await;
    let simulator = sim.times().stop();
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(error) => {
            let tail = first_log_tail(&deployment);
            return Err(error.context(format!("server log ends with:\n{tail}")));
        }
    };
    if outcome.sessions_opened == 0 {
        let first = outcome
            .errors
            .iter()
            .next()
            .map(|(kind, e)| format!("{kind} ×{}: {}", e.count, e.sample))
            .unwrap_or_default();
        let tail = first_log_tail(&deployment);
        anyhow::bail!("no session could be opened ({first}); server log ends with:\n{tail}");
    }
    let cpu_at_end = (total_cpu(&pids), total_cpu(&me));
    // Memory with every session still open.
    let samples = sampler.finish(&pids);
    let statuses: Vec<_> = pids.iter().filter_map(|p| procfs::memory(*p)).collect();
    let memory = MemoryReport {
        peak_rss_bytes: statuses.iter().map(|m| m.hwm).sum(),
        largest_process_peak_rss_bytes: statuses.iter().map(|m| m.hwm).max().unwrap_or(0),
        peak_sampled_total_rss_bytes: samples.max_total_rss,
        rss_at_end_bytes: statuses.iter().map(|m| m.rss).sum(),
    };
    let cpu_at_start = *cpu_at_start.lock();
    let used = |start: Option<f64>, end: Option<f64>| Some((end? - start?).max(0.0));
    let server_cpu_s = used(cpu_at_start.0, cpu_at_end.0);
    let bench_cpu_s = used(cpu_at_start.1, cpu_at_end.1);

    let used: BTreeSet<usize> = deployment.targets.iter().map(|t| t.user).collect();
    let counts: Vec<u64> = used
        .iter()
        .map(|u| sim.refreshes(&sim.users()[*u]))
        .collect();
    let lifetime = sim.state().config.token_ttl_secs.max(1) as f64;
    let token_refreshes = Refreshes {
        users: counts.len(),
        min: counts.iter().copied().min().unwrap_or(0),
        max: counts.iter().copied().max().unwrap_or(0),
        total: counts.iter().sum(),
        expected_per_user: (wall.elapsed().as_secs_f64() / lifetime).ceil().max(1.0) as u64,
    };

    drop(outcome.sessions);
    let processes = deployment.servers.len();
    deployment.shutdown().await;
    sim.shutdown().await;

    let elapsed = outcome.elapsed.as_secs_f64();
    let calls_ok = outcome.overall.count;
    let report = RunReport {
        architecture,
        processes,
        users: used.len(),
        sessions_requested: config.plan.sessions,
        sessions_opened: outcome.sessions_opened,
        duration_s: elapsed,
        calls_ok,
        calls_failed: outcome.failed_calls,
        throughput_per_s: if elapsed > 0.0 {
            calls_ok as f64 / elapsed
        } else {
            0.0
        },
        latency: outcome.overall,
        per_tool: outcome
            .per_tool
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
        simulator,
        server_added: ServerAdded::estimate(&outcome.overall, &simulator),
        memory,
        server_cpu_s,
        bench_cpu_s,
        token_refreshes,
        errors: outcome.errors,
    };
    eprintln!(
        "[{architecture}] {} calls in {elapsed:.1} s ({:.0}/s), {} failed",
        report.calls_ok, report.throughput_per_s, report.calls_failed
    );
    Ok(report)
}
