#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The binary as users run it: the README's tool table, start-up errors,
//! stdio lifecycle and graceful shutdown on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use sdp_sim::Simulator;
use sdp_sim::control::FaultRule;

const BIN: &str = env!("CARGO_BIN_EXE_sdp-mcp");

/// An empty working directory, so no stray `./.env` is read.
fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sdp-mcp-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A command with a clean environment holding only the given variables.
fn sdp_mcp(name: &str, vars: &[(&str, String)]) -> Command {
    let mut command = Command::new(BIN);
    command
        .env_clear()
        .current_dir(workdir(name))
        .env("RUST_LOG", "info");
    for (key, value) in vars {
        command.env(key, value);
    }
    command
}

fn user_env(sim: &sdp_sim::SimHandle) -> Vec<(&'static str, String)> {
    let user = &sim.directory().users[0];
    vec![
        ("SDP_CLIENT_ID", user.client_id.clone()),
        ("SDP_CLIENT_SECRET", user.client_secret.clone()),
        ("SDP_REFRESH_TOKEN", user.refresh_token.clone()),
        ("SDP_INSTANCE_NAME", user.portal.clone()),
        ("SDP_BASE_URL", sim.base_url().to_owned()),
        ("SDP_ACCOUNTS_URL", sim.base_url().to_owned()),
    ]
}

async fn simulator() -> sdp_sim::SimHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    Simulator::builder()
        .users(1)
        .portals(1)
        .requests_per_portal(30)
        .spawn(listener)
        .await
        .unwrap()
}

#[test]
fn readme_tool_table_is_current() {
    let output = Command::new(BIN)
        .args(["tools", "list", "--format", "markdown"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let generated = String::from_utf8(output.stdout).unwrap();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let start = readme
        .find("<!-- START AUTOMATED TOOLS -->\n")
        .expect("start marker")
        + "<!-- START AUTOMATED TOOLS -->\n".len();
    let end = readme
        .find("<!-- END AUTOMATED TOOLS -->")
        .expect("end marker");
    assert!(
        readme[start..end] == generated,
        "README.md's tool table is out of date: run `bash scripts/update-readme-tools.sh` and commit README.md"
    );
}

#[test]
fn port_in_use_names_the_port_and_the_variable() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let output = sdp_mcp(
        "port",
        &[
            ("SDP_CLIENT_ID", "1000.ABC".to_owned()),
            ("SDP_CLIENT_SECRET", "secret".to_owned()),
            ("SDP_REFRESH_TOKEN", "1000.aa.bb".to_owned()),
            ("SDP_INSTANCE_NAME", "itdesk".to_owned()),
            ("SDP_BASE_URL", "http://127.0.0.1:9".to_owned()),
            ("SDP_ACCOUNTS_URL", "http://127.0.0.1:9".to_owned()),
            ("SDP_HTTP_PORT", port.to_string()),
        ],
    )
    .arg("serve")
    .output()
    .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&port.to_string()), "{stderr}");
    assert!(stderr.contains("SDP_HTTP_PORT"), "{stderr}");
    assert!(stderr.contains("already in use"), "{stderr}");
}

#[test]
fn missing_variable_is_named_with_an_example() {
    let output = sdp_mcp("missing", &[("SDP_INSTANCE_NAME", "itdesk".to_owned())])
        .arg("serve")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("SDP_REFRESH_TOKEN"), "{stderr}");
    assert!(stderr.contains("example"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn stdio_serves_a_session_and_exits_zero_when_stdin_closes() {
    let sim = simulator().await;
    let mut child = sdp_mcp("stdio", &user_env(&sim))
        .arg("stdio")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (status, lines) = tokio::task::spawn_blocking(move || {
        let mut lines = BufReader::new(stdout).lines();
        let send = |stdin: &mut std::process::ChildStdin, value: serde_json::Value| writeln!(stdin, "{value}").unwrap();
        send(&mut stdin, serde_json::json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{
            "protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"cli-test","version":"0"}}}));
        let init = lines.next().unwrap().unwrap();
        send(&mut stdin, serde_json::json!({"jsonrpc":"2.0","method":"notifications/initialized"}));
        send(&mut stdin, serde_json::json!({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"whoami","arguments":{}}}));
        let call = lines.next().unwrap().unwrap();
        drop(stdin);
        let status = child.wait().unwrap();
        (status, vec![init, call])
    })
    .await
    .unwrap();
    assert!(status.success(), "stdio exited with {status}");
    let init: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(init["result"]["serverInfo"]["name"], "sdp-mcp");
    let call: serde_json::Value = serde_json::from_str(&lines[1]).unwrap();
    assert_eq!(
        call["result"]["isError"],
        serde_json::json!(false),
        "{call}"
    );
}

/// Reads stderr until the server logs its address; returns it and keeps draining stderr.
fn wait_for_address(child: &mut Child) -> String {
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "server exited before listening"
        );
        if let Some(at) = line.find("address=") {
            let address: String = line[at + "address=".len()..]
                .chars()
                .take_while(|c| !c.is_whitespace())
                .collect();
            std::thread::spawn(move || {
                let mut sink = String::new();
                let _ = stderr.read_to_string(&mut sink);
            });
            return address;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_drains_in_flight_calls_and_exits_zero() {
    let sim = simulator().await;
    sim.state().faults.push(FaultRule {
        path_prefix: Some("/app/".to_owned()),
        latency_ms: Some(1500),
        ..FaultRule::default()
    });
    let mut env = user_env(&sim);
    env.push(("SDP_MCP_API_KEY", "drain-test-key".to_owned()));
    let mut child = sdp_mcp("sigterm", &env)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let address = tokio::task::block_in_place(|| wait_for_address(&mut child));
    let url = format!("http://{address}/mcp");
    let call = tokio::spawn(async move {
        reqwest::Client::new()
            .post(url)
            .bearer_auth("drain-test-key")
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2026-07-28")
            .header("mcp-method", "tools/call")
            .header("mcp-name", "list_requests")
            .json(
                &serde_json::json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{
                "name":"list_requests","arguments":{},
                "_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",
                         "io.modelcontextprotocol/clientCapabilities":{}}}}),
            )
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    // The call is in flight once the simulator has seen its upstream request.
    let upstream_seen = || {
        let counters = sim.state().counters.snapshot();
        counters["calls"]
            .as_object()
            .is_some_and(|calls| calls.keys().any(|k| k.starts_with("GET /app/")))
    };
    for _ in 0..500 {
        if upstream_seen() {
            break;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(upstream_seen(), "the tool call never reached the simulator");
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let body = call.await.unwrap();
    assert!(
        body.contains("\"requests\""),
        "in-flight call did not complete: {body}"
    );
    let status = tokio::task::block_in_place(|| child.wait().unwrap());
    assert!(status.success(), "server exited with {status}");
}
