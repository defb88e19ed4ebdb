#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Crash safety of the SQLite store through the binary: `users import` of
//! 300 users SIGKILLed at several points, and `serve` SIGKILLed during a
//! burst of write tool calls. After each kill the store opens without manual
//! steps, `users list` works, an import is all or nothing, keys still work
//! and the database passes SQLite's integrity and foreign-key checks.
//!
//! SQLite runs in WAL mode with `synchronous = NORMAL` (sdp-mcp-store
//! `sql/connect.rs`): a committed transaction survives a process crash (the
//! WAL is in the OS page cache); only a power loss can drop the last
//! transactions, never corrupt the file.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sqlx::{Connection as _, Row as _};

const BIN: &str = env!("CARGO_BIN_EXE_sdp-mcp");
const USERS: usize = 300;

fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sdp-mcp-crash-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sdp_mcp(dir: &Path) -> Command {
    let mut command = Command::new(BIN);
    command.env_clear().current_dir(dir).env("RUST_LOG", "info");
    command
}

fn run(dir: &Path, args: &[&str]) -> Output {
    sdp_mcp(dir).args(args).output().unwrap()
}

fn ok_json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn list_users(dir: &Path, data: &Path) -> Vec<Value> {
    let output = run(
        dir,
        &[
            "users",
            "list",
            "--json",
            "--data-dir",
            data.to_str().unwrap(),
        ],
    );
    ok_json(&output).as_array().cloned().unwrap_or_default()
}

/// SQLite's own checks, and the journal mode, on the store file.
async fn check_database(data: &Path) {
    let url = format!("sqlite://{}", data.join("sdp-mcp.db").display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let integrity: String = sqlx::query("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get(0);
    assert_eq!(integrity, "ok");
    let violations = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert!(violations.is_empty(), "foreign key violations");
    let mode: String = sqlx::query("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get(0);
    assert_eq!(mode, "wal");
    // Every user has credentials and a key: no half-inserted user.
    let orphans: i64 = sqlx::query(
        "SELECT COUNT(*) FROM users u WHERE NOT EXISTS \
         (SELECT 1 FROM sdp_credentials c WHERE c.user_id = u.id) \
         OR NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.user_id = u.id)",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap()
    .get(0);
    assert_eq!(orphans, 0, "users without credentials or key");
    conn.close().await.unwrap();
}

async fn simulator(users: usize) -> sdp_sim::SimHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    sdp_sim::Simulator::builder()
        .users(users)
        .portals(2)
        .requests_per_portal(5)
        .spawn(listener)
        .await
        .unwrap()
}

fn import_args(data: &Path, files: &[PathBuf]) -> Vec<String> {
    let mut args: Vec<String> = ["users", "import", "--json", "--data-dir"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    args.push(data.display().to_string());
    args.extend(files.iter().map(|f| f.display().to_string()));
    args
}

/// Waits for `child` to exit (it was killed, or finished first).
fn reap(child: &mut Child) -> bool {
    child.wait().unwrap().success()
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_import_is_all_or_nothing_and_the_store_opens() {
    let sim = simulator(USERS).await;
    let dir = workdir("import");
    let files =
        sdp_sim::env_files::write_env_files(&dir.join("envs"), sim.directory(), sim.base_url())
            .unwrap();
    assert_eq!(files.len(), USERS);

    // A complete run measures how long an import takes on this machine.
    let reference = dir.join("reference");
    let started = Instant::now();
    let output = sdp_mcp(&dir)
        .args(import_args(&reference, &files))
        .output()
        .unwrap();
    let full = started.elapsed();
    assert_eq!(ok_json(&output).as_array().unwrap().len(), USERS);

    // Kill fresh imports at spread fractions of that duration: before the
    // store exists, during migrations, in the transaction, around commit.
    let mut outcomes = (0usize, 0usize);
    for step in 0..8u32 {
        let data = dir.join(format!("data-{step}"));
        let mut child = sdp_mcp(&dir)
            .args(import_args(&data, &files))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let at = full.mul_f64(f64::from(step) / 8.0 + 0.02);
        // A kill deadline, not a synchronisation: any point is valid.
        std::thread::sleep(at);
        let _ = child.kill(); // SIGKILL; fails only if it already exited
        let finished = reap(&mut child);

        let users = list_users(&dir, &data);
        assert!(
            users.is_empty() || users.len() == USERS,
            "step {step}: {} of {USERS} users after a kill",
            users.len()
        );
        if users.is_empty() {
            outcomes.0 += 1;
        } else {
            outcomes.1 += 1;
        }
        assert!(
            !finished || users.len() == USERS,
            "a finished import kept everything"
        );
        if data.join("sdp-mcp.db").exists() {
            check_database(&data).await;
        }
        // The store accepts the import again after the crash, without manual steps.
        let again = ok_json(
            &sdp_mcp(&dir)
                .args(import_args(&data, &files))
                .output()
                .unwrap(),
        );
        assert_eq!(again.as_array().unwrap().len(), USERS);
        assert_eq!(list_users(&dir, &data).len(), USERS);
        check_database(&data).await;
    }
    eprintln!(
        "import of {USERS} users took {full:?}; killed runs left nothing {} times, everything {} times",
        outcomes.0, outcomes.1
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Reads the server's stderr until it logs its address.
fn wait_for_address(child: &mut Child) -> String {
    use std::io::{BufRead as _, BufReader, Read as _};
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let mut seen = String::new();
    loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "server exited before listening: {seen}"
        );
        seen.push_str(&line);
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

fn serve(dir: &Path, data: &Path) -> (Child, String) {
    let mut child = sdp_mcp(dir)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let address = wait_for_address(&mut child);
    (child, format!("http://{address}/mcp"))
}

/// One stateless tool call (2026-07-28 era); the JSON-RPC result.
async fn tool(http: &reqwest::Client, url: &str, key: &str, name: &str, args: Value) -> Value {
    let response = http
        .post(url)
        .bearer_auth(key)
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/call")
        .header("mcp-name", name)
        .json(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
            "name": name, "arguments": args,
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {},
                "io.modelcontextprotocol/clientInfo": {"name": "crash-test", "version": "0"}
            }}}),
        )
        .send()
        .await
        .unwrap();
    let text = response.text().await.unwrap();
    let message: Value = text
        .lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .find_map(|data| serde_json::from_str(data.trim()).ok())
        .unwrap_or_else(|| serde_json::from_str(&text).unwrap());
    message["result"].clone()
}

/// A requester email of the caller's portal (create_request needs one).
async fn requester(http: &reqwest::Client, url: &str, key: &str) -> String {
    let listed = tool(http, url, key, "list_requests", json!({"page_size": 20})).await;
    listed["structuredContent"]["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|r| r["requester_email"].as_str())
        .unwrap_or_else(|| panic!("no requester email in {listed}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_killed_during_a_write_burst_restarts_cleanly() {
    let sim = simulator(3).await;
    let dir = workdir("serve");
    let files =
        sdp_sim::env_files::write_env_files(&dir.join("envs"), sim.directory(), sim.base_url())
            .unwrap();
    let data = dir.join("data");
    let imported = ok_json(
        &sdp_mcp(&dir)
            .args(import_args(&data, &files))
            .output()
            .unwrap(),
    );
    let keys: Vec<String> = imported
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["api_key"].as_str().unwrap().to_owned())
        .collect();

    let (mut server, url) = tokio::task::block_in_place(|| serve(&dir, &data));
    let http = reqwest::Client::new();
    let mut requesters = Vec::new();
    for key in &keys {
        requesters.push(requester(&http, &url, key).await);
    }
    // A burst of writes from every user; the server dies once a few have
    // been answered, with the others in flight.
    let (answered_tx, mut answered_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut burst = Vec::new();
    for i in 0..30usize {
        let (http, url, key) = (http.clone(), url.clone(), keys[i % keys.len()].clone());
        let requester = requesters[i % keys.len()].clone();
        let answered = answered_tx.clone();
        burst.push(tokio::spawn(async move {
            let sent = http
                .post(&url)
                .bearer_auth(&key)
                .header("accept", "application/json, text/event-stream")
                .header("mcp-protocol-version", "2026-07-28")
                .header("mcp-method", "tools/call")
                .header("mcp-name", "create_request")
                .json(
                    &json!({"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": {
                    "name": "create_request",
                    "arguments": {"subject": format!("crash burst {i}"), "requester": requester},
                    "_meta": {
                        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                        "io.modelcontextprotocol/clientCapabilities": {},
                        "io.modelcontextprotocol/clientInfo": {"name": "crash-test", "version": "0"}
                    }}}),
                )
                .send()
                .await;
            if let Ok(response) = sent {
                // A successful write the client saw answered in full.
                let body = response.text().await.unwrap_or_default();
                let succeeded = body.contains("\"result\"") && !body.contains("\"isError\":true");
                let _ = answered.send(succeeded);
            }
        }));
    }
    drop(answered_tx);
    let mut answered_early = 0_i64;
    for _ in 0..5 {
        let succeeded = tokio::time::timeout(Duration::from_secs(60), answered_rx.recv())
            .await
            .unwrap()
            .unwrap();
        answered_early += i64::from(succeeded);
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    for call in burst {
        call.await.unwrap();
    }
    let mut answered_ok = answered_early;
    while let Ok(succeeded) = answered_rx.try_recv() {
        answered_ok += i64::from(succeeded);
    }

    // Restart on the same data dir: no manual step, every key works.
    check_database(&data).await;
    let (mut server, url) = tokio::task::block_in_place(|| serve(&dir, &data));
    for key in &keys {
        let result = tool(&http, &url, key, "whoami", json!({})).await;
        assert_ne!(result["isError"], true, "{result}");
    }
    let after = tool(
        &http,
        &url,
        &keys[0],
        "create_request",
        json!({"subject": "after", "requester": requesters[0]}),
    )
    .await;
    assert_ne!(after["isError"], true, "{after}");
    server.kill().unwrap();
    server.wait().unwrap();

    // Nothing claims more writes than the simulator received.
    let url = format!("sqlite://{}", data.join("sdp-mcp.db").display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let audited: i64 = sqlx::query("SELECT COUNT(*) FROM audit_log WHERE outcome = 'success'")
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get(0);
    conn.close().await.unwrap();
    let writes: u64 = sim
        .directory()
        .portals
        .iter()
        .map(|portal| sim.state().counters.writes(portal))
        .sum();
    eprintln!(
        "killed during a burst of 30 writes: {writes} writes reached SDP, {answered_ok} answered \
         successfully before the kill, {audited} audited"
    );
    // The audit record is written before the answer: every write a client
    // saw succeed (plus the one after the restart) is in the log.
    assert!(
        audited > answered_ok,
        "{audited} audited writes, but {answered_ok} + 1 were answered successfully"
    );
    assert!(
        u64::try_from(audited).unwrap() <= writes,
        "{audited} audited writes, {writes} reached the simulator"
    );
    assert!(
        writes >= 6,
        "at least the answered writes and the last one: {writes}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
