//! Tests of the targets and the renderings.

use super::markdown::ratio;
use super::*;
use crate::load::ErrorCount;

fn summary(p50: u64, p99: u64) -> Summary {
    Summary {
        count: 1000,
        mean_us: p50 as f64,
        p50_us: p50,
        p95_us: p99,
        p99_us: p99,
        max_us: p99 * 2,
    }
}

fn run(architecture: Architecture, processes: usize, rss_mib: u64) -> RunReport {
    let mut errors = ErrorTable::new();
    if processes > 1 {
        errors.insert(
            "call/get_request/http_502".into(),
            ErrorCount {
                count: 2,
                sample: "HTTP 502: bad | gateway".into(),
            },
        );
    }
    RunReport {
        architecture,
        processes,
        users: 1000,
        sessions_requested: 1000,
        sessions_opened: 1000,
        duration_s: 10.0,
        calls_ok: 60_000,
        calls_failed: 0,
        throughput_per_s: 6000.0,
        latency: summary(900, 4000),
        per_tool: BTreeMap::from([("get_request".to_owned(), summary(800, 3000))]),
        simulator: summary(600, 1500),
        server_added: ServerAdded {
            upstream_calls_per_tool_call: 1.0,
            mean_us: 300.0,
            p50_us: 300,
            p95_us: 2000,
            p99_us: 2500,
        },
        memory: MemoryReport {
            peak_rss_bytes: rss_mib * 1024 * 1024,
            largest_process_peak_rss_bytes: rss_mib * 1024 * 1024 / processes as u64,
            peak_sampled_total_rss_bytes: 0,
            rss_at_end_bytes: 0,
        },
        server_cpu_s: Some(12.0),
        bench_cpu_s: Some(6.0),
        token_refreshes: Refreshes {
            users: 1000,
            min: 1,
            max: 1,
            total: 1000,
            expected_per_user: 1,
        },
        errors,
    }
}

fn settings() -> Settings {
    Settings {
        users: 1000,
        sessions: 1000,
        portals: 10,
        requests_per_portal: 200,
        stop: "10 s".into(),
        rate: None,
        mix: "list=40,get=40,search=15,note=5".into(),
        upstream_latency_ms: 0,
        cpus: 2,
        server_binary: "sdp-mcp".into(),
    }
}

#[test]
fn targets_pass_and_miss_with_conditions() {
    let primary = run(Architecture::MultiUser, 1, 40);
    let checks = check_targets(&primary, &settings());
    assert_eq!(checks.len(), 5);
    assert_eq!(checks[0].status(), "PASS");
    // 1000 sessions, not 200: latency verdicts are indicative.
    assert_eq!(checks[1].status(), "PASS*");
    assert!(checks[1].note.contains("1000 sessions"));
    assert!(checks[1].note.contains("--rate"));
    assert_eq!(checks[3].status(), "PASS");
    assert_eq!(checks[4].status(), "PASS");

    let mut paced = run(Architecture::MultiUser, 1, 40);
    paced.sessions_opened = 200;
    let paced_settings = Settings {
        rate: Some(1000.0),
        ..settings()
    };
    let checks = check_targets(&paced, &paced_settings);
    assert_eq!(checks[1].status(), "PASS");
    assert_eq!(checks[2].status(), "PASS");
    // Paced load is not a throughput measurement.
    assert_eq!(checks[3].status(), "PASS*");

    let mut heavy = run(Architecture::SingleUser, 1, 100);
    heavy.throughput_per_s = 100.0;
    heavy.token_refreshes.max = 2;
    let checks = check_targets(&heavy, &settings());
    assert_eq!(checks[0].status(), "MISS*");
    assert!(checks[0].note.contains("single-user"));
    assert_eq!(checks[3].status(), "MISS");
    assert_eq!(checks[4].status(), "MISS");
}

#[test]
fn markdown_has_side_by_side_ratios_targets_and_escaped_errors() {
    let primary = run(Architecture::MultiUser, 1, 40);
    let baseline = run(Architecture::PerUserProcesses, 1000, 8000);
    let report = Report {
        tool: "sdp-mcp-bench",
        version: "0",
        settings: settings(),
        targets: check_targets(&primary, &settings()),
        runs: vec![primary, baseline],
        method: METHOD.to_vec(),
    };
    let md = report.to_markdown();
    assert!(
        md.contains("| metric | multi-user | per-user-processes | ratio (baseline ÷ first) |"),
        "{md}"
    );
    assert!(
        md.contains("| peak RSS, all server processes (MiB) | 40.0 | 8000.0 | 200.00× |"),
        "{md}"
    );
    assert!(
        md.contains("| server processes | 1 | 1000 | 1000.00× |"),
        "{md}"
    );
    assert!(
        md.contains("| server-added p50 (ms) | 0.300 | 0.300 | 1.00× |"),
        "{md}"
    );
    assert!(md.contains("bad \\| gateway"), "{md}");
    assert!(md.contains("| PASS |"));
    assert!(md.contains("## Method"));
    assert!(
        md.contains("| server CPU (cores busy) | 1.20 | 1.20 | 1.00× |"),
        "{md}"
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["runs"][1]["architecture"], "per-user-processes");
    assert_eq!(json["targets"][0]["pass"], true);
}

#[test]
fn ratio_handles_zero() {
    assert_eq!(ratio(0.0, 5.0), "–");
    assert_eq!(ratio(2.0, 5.0), "2.50×");
}
