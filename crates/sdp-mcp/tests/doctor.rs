#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `sdp-mcp doctor` reports a bad refresh token, a world-readable key file
//! and a busy port, each with its fix, exits non-zero, and passes once fixed.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_sdp-mcp");

fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sdp-mcp-doctor-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .env_clear()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == name)
        .unwrap_or_else(|| panic!("no check {name}: {report}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_reports_each_problem_with_its_fix() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim = sdp_sim::Simulator::builder()
        .users(2)
        .portals(1)
        .requests_per_portal(1)
        .spawn(listener)
        .await
        .unwrap();
    let dir = workdir("problems");
    let files =
        sdp_sim::env_files::write_env_files(&dir.join("envs"), sim.directory(), sim.base_url())
            .unwrap();
    // The second user's refresh token is one Zoho never issued.
    let bad = std::fs::read_to_string(&files[1]).unwrap();
    let bad_token = "1000.bad-refresh-token-0000";
    let bad: String = bad
        .lines()
        .map(|line| {
            if line.contains("REFRESH_TOKEN") {
                let (name, _) = line.split_once('=').unwrap();
                format!("{name}={bad_token}\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    std::fs::write(&files[1], bad).unwrap();
    let data = dir.join("data");
    let data_arg = data.to_str().unwrap();
    for file in &files {
        let imported = run(
            &dir,
            &[
                "users",
                "import",
                "--data-dir",
                data_arg,
                file.to_str().unwrap(),
            ],
        );
        assert!(
            imported.status.success(),
            "{}",
            String::from_utf8_lossy(&imported.stderr)
        );
    }
    let key_file = data.join("master.key");
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy_address = busy.local_addr().unwrap().to_string();

    let output = tokio::task::spawn_blocking({
        let dir = dir.clone();
        let args = [
            "doctor",
            "--json",
            "--data-dir",
            data_arg,
            "--listen",
            busy_address.as_str(),
        ]
        .map(str::to_owned);
        move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            run(&dir, &args)
        }
    })
    .await
    .unwrap();
    assert!(!output.status.success(), "doctor passed with problems");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["ok"], false);

    let port = check(&report, "port");
    assert_eq!(port["ok"], false);
    assert!(
        port["detail"].as_str().unwrap().contains("in use"),
        "{port}"
    );
    assert!(port["fix"].as_str().unwrap().contains("SDP_HTTP_PORT"));

    let key = check(&report, "master key");
    assert_eq!(key["ok"], false, "{key}");
    assert_eq!(
        key["fix"].as_str().unwrap(),
        format!("chmod 600 {}", key_file.display())
    );

    let good_user = &sim.directory().users[0].login;
    let bad_user = &sim.directory().users[1].login;
    assert_eq!(check(&report, &format!("user {good_user}"))["ok"], true);
    let failing = check(&report, &format!("user {bad_user}"));
    assert_eq!(failing["ok"], false, "{failing}");
    assert!(
        failing["fix"]
            .as_str()
            .unwrap()
            .contains("sdp-mcp users import"),
        "{failing}"
    );
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(!text.contains(bad_token), "the report shows the token");
    assert!(!text.contains(&sim.directory().users[0].refresh_token));

    // Fixed: key file private, free port, only the good user.
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    drop(busy);
    let output = tokio::task::spawn_blocking({
        let dir = dir.clone();
        let args = [
            "doctor",
            "--data-dir",
            data_arg,
            "--listen",
            "127.0.0.1:0",
            "--user",
            good_user.as_str(),
        ]
        .map(str::to_owned);
        move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            run(&dir, &args)
        }
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.lines().all(|l| l.starts_with("ok ")), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
