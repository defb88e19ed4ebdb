//! Smoke test of the binary against the release `sdp-mcp` (single-user and
//! the per-user-processes baseline, a few calls). Skipped, with the reason
//! printed, when no release binary has been built: this test never builds one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

fn server_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SDP_MCP_BENCH_SERVER_BIN") {
        return Some(PathBuf::from(path));
    }
    let mut candidates = Vec::new();
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        candidates.push(PathBuf::from(dir).join("release/sdp-mcp"));
    }
    candidates.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/release/sdp-mcp"));
    candidates.into_iter().find(|p| p.is_file())
}

#[test]
fn single_user_and_baseline_runs_report_json() {
    let Some(server) = server_binary() else {
        eprintln!(
            "skipped: no release sdp-mcp binary (build it with `cargo build --release -p sdp-mcp` \
             or set SDP_MCP_BENCH_SERVER_BIN)"
        );
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_sdp-mcp-bench"))
        .args(["--server-bin", server.to_str().unwrap()])
        .args(["--mode", "single-user", "--baseline", "per-user-processes"])
        .args(["--users", "2", "--sessions", "2", "--portals", "1"])
        .args(["--requests-per-portal", "20", "--calls", "20", "--json"])
        .args(["--time-limit", "60", "--out", out.path().to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "bench failed: {stderr}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let runs = report["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2, "{report}");
    assert_eq!(runs[0]["architecture"], "single-user");
    assert_eq!(runs[1]["architecture"], "per-user-processes");
    assert_eq!(runs[1]["processes"], 2);
    for run in runs {
        assert_eq!(run["calls_ok"], 20, "{run}");
        assert_eq!(run["errors"], serde_json::json!({}), "{run}");
        assert_eq!(run["token_refreshes"]["max"], 1, "{run}");
        assert!(
            run["memory"]["peak_rss_bytes"].as_u64().unwrap() > 0,
            "{run}"
        );
    }
    assert_eq!(report["targets"].as_array().unwrap().len(), 5);
    assert!(out.path().join("report.json").is_file());
    let markdown = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    assert!(markdown.contains("| metric | single-user | per-user-processes |"));
}
