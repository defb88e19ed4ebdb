//! The Markdown rendering of the report: results side by side (with ratios
//! when a baseline ran), targets, per-tool latency, errors and the method.

use std::fmt::Write as _;

use super::{Report, RunReport};
use crate::stats::{mib, ms};

pub(super) fn ratio(primary: f64, baseline: f64) -> String {
    if primary > 0.0 && baseline > 0.0 {
        format!("{:.2}×", baseline / primary)
    } else {
        "–".to_owned()
    }
}

/// How a metric's value is shown.
#[derive(Debug, Clone, Copy)]
enum Unit {
    /// A whole number.
    Count,
    /// Microseconds shown as milliseconds.
    Millis,
    /// Bytes shown as MiB.
    Mebi,
    /// CPU cores, two decimals.
    Cores,
}

/// Average cores busy: CPU seconds over wall seconds.
fn cores(cpu_s: Option<f64>, wall_s: f64) -> f64 {
    cpu_s
        .filter(|_| wall_s > 0.0)
        .map_or(0.0, |cpu| cpu / wall_s)
}

impl Unit {
    fn show(self, value: f64) -> String {
        match self {
            Unit::Count => format!("{value:.0}"),
            Unit::Millis => ms(value),
            Unit::Mebi => mib(value as u64),
            Unit::Cores => format!("{value:.2}"),
        }
    }
}

/// One row of the results table: name, value of a run, unit.
type Metric = (&'static str, fn(&RunReport) -> f64, Unit);

/// The rows of the results table.
const METRICS: [Metric; 19] = [
    ("server processes", |r| r.processes as f64, Unit::Count),
    ("live sessions", |r| r.sessions_opened as f64, Unit::Count),
    ("successful calls", |r| r.calls_ok as f64, Unit::Count),
    ("throughput (calls/s)", |r| r.throughput_per_s, Unit::Count),
    (
        "latency p50 (ms)",
        |r| r.latency.p50_us as f64,
        Unit::Millis,
    ),
    (
        "latency p95 (ms)",
        |r| r.latency.p95_us as f64,
        Unit::Millis,
    ),
    (
        "latency p99 (ms)",
        |r| r.latency.p99_us as f64,
        Unit::Millis,
    ),
    (
        "latency max (ms)",
        |r| r.latency.max_us as f64,
        Unit::Millis,
    ),
    (
        "simulator time p50 (ms)",
        |r| r.simulator.p50_us as f64,
        Unit::Millis,
    ),
    (
        "server-added mean (ms)",
        |r| r.server_added.mean_us,
        Unit::Millis,
    ),
    (
        "server-added p50 (ms)",
        |r| r.server_added.p50_us as f64,
        Unit::Millis,
    ),
    (
        "server-added p99 (ms)",
        |r| r.server_added.p99_us as f64,
        Unit::Millis,
    ),
    (
        "peak RSS, all server processes (MiB)",
        |r| r.memory.peak_rss_bytes as f64,
        Unit::Mebi,
    ),
    (
        "RSS at end, sessions open (MiB)",
        |r| r.memory.rss_at_end_bytes as f64,
        Unit::Mebi,
    ),
    // Milliseconds per call, shown by the µs→ms formatter.
    (
        "server CPU per call (ms)",
        |r| r.cpu_ms_per_call().unwrap_or(0.0) * 1000.0,
        Unit::Millis,
    ),
    (
        "server CPU (cores busy)",
        |r| cores(r.server_cpu_s, r.duration_s),
        Unit::Cores,
    ),
    (
        "client + simulator CPU (cores busy)",
        |r| cores(r.bench_cpu_s, r.duration_s),
        Unit::Cores,
    ),
    (
        "Zoho refreshes (total)",
        |r| r.token_refreshes.total as f64,
        Unit::Count,
    ),
    ("errors", |r| r.error_count() as f64, Unit::Count),
];

fn row(out: &mut String, metric: &str, cells: &[String]) {
    let _ = writeln!(out, "| {metric} | {} |", cells.join(" | "));
}

impl Report {
    /// The Markdown rendering.
    pub fn to_markdown(&self) -> String {
        let s = &self.settings;
        let mut out = String::from("# sdp-mcp benchmark\n\n");
        let _ = writeln!(
            out,
            "{} users on {} portals ({} requests each), {} sessions, {}, {}mix {}, \
             upstream latency {} ms, {} CPUs.\n",
            s.users,
            s.portals,
            s.requests_per_portal,
            s.sessions,
            s.stop,
            s.rate
                .map_or(String::new(), |r| format!("paced at {r} calls/s, ")),
            s.mix,
            s.upstream_latency_ms,
            s.cpus
        );
        let with_ratio = self.runs.len() == 2;
        let mut header: Vec<String> = self
            .runs
            .iter()
            .map(|r| r.architecture.to_string())
            .collect();
        if with_ratio {
            header.push("ratio (baseline ÷ first)".to_owned());
        }
        row(&mut out, "metric", &header);
        row(&mut out, "---", &vec!["---:".to_owned(); header.len()]);
        for (name, value, unit) in METRICS {
            let mut cells: Vec<String> = self.runs.iter().map(|r| unit.show(value(r))).collect();
            if with_ratio {
                cells.push(ratio(value(&self.runs[0]), value(&self.runs[1])));
            }
            row(&mut out, name, &cells);
        }

        out.push_str("\n## Targets\n\n| target | measured | status | note |\n|---|---|---|---|\n");
        for t in &self.targets {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                t.target,
                t.measured,
                t.status(),
                t.note
            );
        }
        if self.targets.iter().any(|t| !t.conditions_met) {
            out.push_str("\n\\* the run's conditions differ from the target's (see note): indicative only.\n");
        }

        out.push_str("\n## Latency per tool (ms)\n\n| run | tool | calls | p50 | p95 | p99 | max |\n|---|---|---:|---:|---:|---:|---:|\n");
        for r in &self.runs {
            for (tool, t) in &r.per_tool {
                let _ = writeln!(
                    out,
                    "| {} | {tool} | {} | {} | {} | {} | {} |",
                    r.architecture,
                    t.count,
                    ms(t.p50_us as f64),
                    ms(t.p95_us as f64),
                    ms(t.p99_us as f64),
                    ms(t.max_us as f64)
                );
            }
        }

        out.push_str("\n## Errors\n\n");
        if self.runs.iter().all(|r| r.errors.is_empty()) {
            out.push_str("None.\n");
        } else {
            out.push_str("| run | where / kind | count | first message |\n|---|---|---:|---|\n");
            for r in &self.runs {
                for (kind, e) in &r.errors {
                    let sample = e.sample.replace('|', "\\|").replace('\n', " ");
                    let _ = writeln!(
                        out,
                        "| {} | {kind} | {} | {sample} |",
                        r.architecture, e.count
                    );
                }
            }
        }

        out.push_str("\n## Method\n\n");
        for line in &self.method {
            let _ = writeln!(out, "- {line}");
        }
        out
    }
}
