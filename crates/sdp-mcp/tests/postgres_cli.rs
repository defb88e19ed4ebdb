#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The CLI against PostgreSQL (`--database-url` / `SDP_MCP_DATABASE_URL`):
//! `migrate`, `users import`, `users list`, `users disable`, and `serve
//! --stateless` reading the users imported by another process. Each test
//! uses a fresh schema (`options=-csearch_path%3D<schema>` in the URL).
//!
//! Runs when `SDP_MCP_TEST_DATABASE_URL` is set; otherwise prints
//! `skipped: <name>` and passes.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use futures::StreamExt as _;
use serde_json::{Value, json};
use sqlx::{Connection, Executor, PgConnection};

const BIN: &str = env!("CARGO_BIN_EXE_sdp-mcp");
const DATABASE_URL_ENV: &str = "SDP_MCP_TEST_DATABASE_URL";
const MASTER_KEY: &str = "c2RwLW1jcC1wb3N0Z3Jlcy1jbGktdGVzdC1rZXktMzI=";

/// A fresh schema; its URL selects it with libpq's `options` parameter.
struct Schema {
    admin_url: String,
    name: String,
    url: String,
}

impl Schema {
    #[expect(clippy::print_stdout, reason = "a skipped test says so")]
    async fn create(test_name: &str) -> Option<Self> {
        let Ok(admin_url) = std::env::var(DATABASE_URL_ENV) else {
            println!("skipped: {test_name} (set {DATABASE_URL_ENV})");
            return None;
        };
        let name = format!("cli_{}_{}", std::process::id(), test_name.len());
        let mut admin = PgConnection::connect(&admin_url).await.unwrap();
        admin
            .execute(format!("DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}").as_str())
            .await
            .unwrap();
        admin.close().await.unwrap();
        let separator = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{separator}options=-csearch_path%3D{name}");
        Some(Self {
            admin_url,
            name,
            url,
        })
    }
}

/// Drops the schema (also when a test fails).
impl Drop for Schema {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&admin_url).await.unwrap();
                admin
                    .execute(format!("DROP SCHEMA IF EXISTS {name} CASCADE").as_str())
                    .await
                    .unwrap();
                admin.close().await.unwrap();
            });
        })
        .join();
    }
}

/// Server processes, killed when dropped (also when a test fails).
struct Servers(Vec<Child>);

impl Drop for Servers {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sdp-mcp-pg-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The binary with only the database URL and master key in its environment.
fn sdp_mcp(dir: &Path, url: &str) -> Command {
    let mut command = Command::new(BIN);
    command
        .env_clear()
        .current_dir(dir)
        .env("RUST_LOG", "info")
        .env("SDP_MCP_DATABASE_URL", url)
        .env("SDP_MCP_MASTER_KEY", MASTER_KEY);
    command
}

fn ok_json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn wait_for_address(child: &mut Child) -> String {
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
            assert!(seen.contains("multi-user"), "{seen}");
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

/// A sessionless `whoami` in the 2025-11-25 era (served by `--stateless`).
async fn whoami(url: &str, key: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(url)
        .header("authorization", format!("Bearer {key}"))
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-11-25")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                      "params": {"name": "whoami", "arguments": {}}}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let message: Value = text
        .lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .find_map(|data| serde_json::from_str(data.trim()).ok())
        .or_else(|| serde_json::from_str(&text).ok())
        .unwrap_or(Value::String(text));
    (status, message["result"].clone())
}

#[tokio::test(flavor = "multi_thread")]
async fn users_cli_and_stateless_serve_work_on_postgres() {
    let Some(schema) = Schema::create("users_cli_and_stateless_serve_work_on_postgres").await
    else {
        return;
    };
    let sim = sdp_sim::Simulator::builder()
        .users(3)
        .portals(2)
        .requests_per_portal(2)
        .spawn(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap())
        .await
        .unwrap();
    let dir = workdir("users");
    let files =
        sdp_sim::env_files::write_env_files(&dir.join("envs"), sim.directory(), sim.base_url())
            .unwrap();

    let migrated = sdp_mcp(&dir, &schema.url).arg("migrate").output().unwrap();
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    assert!(String::from_utf8_lossy(&migrated.stdout).contains("PostgreSQL"));

    let mut import = sdp_mcp(&dir, &schema.url);
    import.args(["users", "import", "--json"]).args(&files);
    let imported = ok_json(&import.output().unwrap());
    let rows = imported.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert!(
        !dir.join("data").exists(),
        "nothing is written to a local data dir"
    );

    let listed = ok_json(
        &sdp_mcp(&dir, &schema.url)
            .args(["users", "list", "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(listed.as_array().unwrap().len(), 3);
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|row| row["status"] == "active" && row["active_api_keys"] == 1)
    );

    let mut server = Servers(vec![
        sdp_mcp(&dir, &schema.url)
            .args(["serve", "--stateless", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    ]);
    let address = tokio::task::block_in_place(|| wait_for_address(&mut server.0[0]));
    let url = format!("http://{address}/mcp");
    for row in rows {
        let sim_user = sim
            .directory()
            .users
            .iter()
            .find(|u| u.login == row["user"].as_str().unwrap())
            .unwrap();
        let (status, result) = whoami(&url, row["api_key"].as_str().unwrap()).await;
        assert_eq!(status, 200, "{result}");
        assert_eq!(
            result["structuredContent"]["portal"],
            json!(sim_user.portal)
        );
    }

    // Disabling through the CLI takes effect on the running server.
    let first = rows[0]["user"].as_str().unwrap();
    let disabled = sdp_mcp(&dir, &schema.url)
        .args(["users", "disable", first])
        .output()
        .unwrap();
    assert!(
        disabled.status.success(),
        "{}",
        String::from_utf8_lossy(&disabled.stderr)
    );
    let listed = ok_json(
        &sdp_mcp(&dir, &schema.url)
            .args(["users", "list", "--json"])
            .output()
            .unwrap(),
    );
    let row = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["user"] == first)
        .unwrap();
    assert_eq!(row["status"], "disabled");

    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    drop(schema);
}

/// A round-robin TCP proxy (one backend per connection); backends that
/// refuse the connection are skipped, as a load balancer does.
async fn round_robin_proxy(backends: Vec<String>) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let next = std::sync::Arc::new(AtomicUsize::new(0));
    let backends = std::sync::Arc::new(backends);
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let (next, backends) = (next.clone(), backends.clone());
            tokio::spawn(async move {
                for _ in 0..backends.len() {
                    let index = next.fetch_add(1, Ordering::Relaxed) % backends.len();
                    if let Ok(mut upstream) = tokio::net::TcpStream::connect(&backends[index]).await
                    {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                        return;
                    }
                }
            });
        }
    });
    format!("http://{address}/mcp")
}

/// Three `serve --stateless` processes on one schema behind a round-robin
/// proxy, 20 users: interleaved calls all succeed and belong to their caller
/// (reads in flight on the process killed mid-run are retried), one Zoho
/// refresh per user, and the store keeps every user.
#[tokio::test(flavor = "multi_thread")]
async fn three_server_processes_share_one_database() {
    let Some(schema) = Schema::create("three_server_processes_share_one_database").await else {
        return;
    };
    let sim = sdp_sim::Simulator::builder()
        .users(20)
        .portals(4)
        .requests_per_portal(2)
        .spawn(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap())
        .await
        .unwrap();
    sim.state().faults.push(sdp_sim::control::FaultRule {
        path_prefix: Some("/app/".to_owned()),
        latency_ms: Some(20),
        ..sdp_sim::control::FaultRule::default()
    });
    let dir = workdir("processes");
    let files =
        sdp_sim::env_files::write_env_files(&dir.join("envs"), sim.directory(), sim.base_url())
            .unwrap();
    let mut import = sdp_mcp(&dir, &schema.url);
    import.args(["users", "import", "--json"]).args(&files);
    let imported = ok_json(&import.output().unwrap());
    let users: Vec<(String, String)> = imported
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["user"].as_str().unwrap().to_owned(),
                row["api_key"].as_str().unwrap().to_owned(),
            )
        })
        .collect();

    let mut servers = Servers(Vec::new());
    let mut backends = Vec::new();
    for _ in 0..3 {
        let mut server = sdp_mcp(&dir, &schema.url)
            .env("SDP_MCP_STATELESS", "true")
            .env("SDP_MCP_ALLOWED_HOSTS", "127.0.0.1")
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        backends.push(tokio::task::block_in_place(|| {
            wait_for_address(&mut server)
        }));
        servers.0.push(server);
    }
    let url = round_robin_proxy(backends).await;
    let portal_of = |login: &str| {
        sim.directory()
            .users
            .iter()
            .find(|u| u.login == login)
            .unwrap()
            .portal
            .clone()
    };

    let retried = std::sync::atomic::AtomicUsize::new(0);
    let (url, users, retried, portal_of) = (&url, &users, &retried, &portal_of);
    // Every user's token is minted before the kill: a replica killed between
    // Zoho's answer and saving the token would cost that user a second grant.
    let work = |calls: std::ops::Range<usize>| {
        futures::stream::iter(calls)
            .map(|n| async move {
                let (login, key) = &users[n % users.len()];
                for attempt in 0..4 {
                    if attempt > 0 {
                        retried.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    let Ok((200, result)) = whoami_fallible(url, key).await else {
                        continue;
                    };
                    return (result["structuredContent"]["portal"] != json!(portal_of(login)))
                        .then(|| format!("{login} got {result}"));
                }
                Some(format!("{login}: failed 4 times"))
            })
            .buffer_unordered(16)
            .filter_map(|failure| async move { failure })
            .collect::<Vec<String>>()
    };
    let failures = work(0..60).await;
    assert!(
        failures.is_empty(),
        "{:?}",
        &failures[..failures.len().min(3)]
    );
    let mut victim = servers.0.remove(1);
    let kill = async {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        victim.kill().unwrap();
    };
    let (failures, ()) = tokio::join!(work(60..360), kill);
    victim.wait().unwrap();
    assert!(
        failures.is_empty(),
        "{:?}",
        &failures[..failures.len().min(3)]
    );
    for user in &sim.directory().users {
        assert_eq!(
            sim.state().counters.grants_for(&user.refresh_token),
            1,
            "Zoho grants of {}",
            user.login
        );
    }
    let listed = ok_json(
        &sdp_mcp(&dir, &schema.url)
            .args(["users", "list", "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(listed.as_array().unwrap().len(), 20);

    drop(servers);
    let _ = std::fs::remove_dir_all(&dir);
    drop(schema);
}

/// Like [`whoami`], but a transport failure is an `Err`.
async fn whoami_fallible(url: &str, key: &str) -> Result<(u16, Value), reqwest::Error> {
    let response = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()?
        .post(url)
        .header("authorization", format!("Bearer {key}"))
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-11-25")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                      "params": {"name": "whoami", "arguments": {}}}))
        .send()
        .await?;
    let status = response.status().as_u16();
    let text = response.text().await?;
    let message: Value = text
        .lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .find_map(|data| serde_json::from_str(data.trim()).ok())
        .unwrap_or_default();
    Ok((status, message["result"].clone()))
}
