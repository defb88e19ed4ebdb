#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Multi-user mode through the binary: `users import` of the simulator's
//! per-user env files while `serve --data-dir` runs (keys work without a
//! restart), no secrets in clear in the data dir, the master key check, and
//! failed imports that change nothing.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use sdp_mcp_store::{ExposeSecret as _, StoreOptions, open_store};
use sdp_sim::Simulator;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_sdp-mcp");

/// A fresh, empty working directory.
fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sdp-mcp-users-{name}-{}", std::process::id()));
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

fn stdout_json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

async fn simulator(users: usize) -> sdp_sim::SimHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    Simulator::builder()
        .users(users)
        .portals(2)
        .requests_per_portal(10)
        .spawn(listener)
        .await
        .unwrap()
}

/// Reads stderr until the server logs its address; keeps draining stderr.
fn wait_for_address(child: &mut Child) -> String {
    let (address, seen) = wait_for_address_and_log(child);
    assert!(seen.contains("multi-user"), "{seen}");
    address
}

/// Like [`wait_for_address`], also returning the log lines up to the address.
fn wait_for_address_and_log(child: &mut Child) -> (String, String) {
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
            return (address, seen);
        }
    }
}

async fn whoami(url: &str, key: &str) -> Value {
    let response = reqwest::Client::new()
        .post(url)
        .header("authorization", format!("Bearer {key}"))
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/call")
        .header("mcp-name", "whoami")
        .json(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
            "name": "whoami", "arguments": {},
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {},
                "io.modelcontextprotocol/clientInfo": {"name": "users-cli-test", "version": "0"}
            }}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let message: Value = text
        .lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .find_map(|data| serde_json::from_str(data.trim()).ok())
        .unwrap_or_else(|| serde_json::from_str(&text).unwrap());
    message["result"].clone()
}

/// Every byte of every file under `dir`.
fn all_bytes(dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            out.extend(std::fs::read(&path).unwrap());
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread")]
async fn imported_users_work_at_once_against_a_running_server() {
    let sim = simulator(3).await;
    let dir = workdir("import-live");
    let envs = dir.join("envs");
    let files =
        sdp_sim::env_files::write_env_files(&envs, sim.directory(), sim.base_url()).unwrap();
    assert_eq!(files.len(), 3);
    let data = dir.join("data");

    let mut server = sdp_mcp(&dir)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let address = tokio::task::block_in_place(|| wait_for_address(&mut server));
    let url = format!("http://{address}/mcp");

    // Import in a second process while the server runs.
    let mut args = vec![
        "users",
        "import",
        "--json",
        "--data-dir",
        data.to_str().unwrap(),
    ];
    let file_args: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    args.extend(file_args.iter().map(String::as_str));
    let imported = stdout_json(&run(&dir, &args));
    let rows = imported.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for row in rows {
        assert_eq!(row["created"], true);
        let user = row["user"].as_str().unwrap();
        let key = row["api_key"].as_str().unwrap();
        assert!(key.starts_with("sdpmcp_"));
        let sim_user = sim
            .directory()
            .users
            .iter()
            .find(|u| u.login == user)
            .unwrap();
        let result = whoami(&url, key).await;
        assert_ne!(result["isError"], true, "{result}");
        assert_eq!(
            result["structuredContent"]["portal"],
            json!(sim_user.portal)
        );
        assert_eq!(
            result["structuredContent"]["zoho_client_id"],
            json!(sim_user.client_id)
        );
    }

    // No secret in clear anywhere in the data dir.
    let bytes = all_bytes(&data);
    for user in &sim.directory().users {
        assert!(
            !contains(&bytes, &user.refresh_token),
            "refresh token of {} in clear",
            user.login
        );
        assert!(
            !contains(&bytes, &user.client_secret),
            "client secret of {} in clear",
            user.login
        );
    }
    for row in rows {
        assert!(
            !contains(&bytes, row["api_key"].as_str().unwrap()),
            "API key in clear"
        );
    }

    // Re-import: credentials updated, keys unchanged (no new key printed).
    let again = stdout_json(&run(&dir, &args));
    for row in again.as_array().unwrap() {
        assert_eq!(row["created"], false);
        assert!(row["api_key"].is_null());
    }
    let key = rows[0]["api_key"].as_str().unwrap();
    assert_ne!(whoami(&url, key).await["isError"], true);

    // `users list` never shows secrets.
    let listed = run(
        &dir,
        &[
            "users",
            "list",
            "--json",
            "--data-dir",
            data.to_str().unwrap(),
        ],
    );
    let list = stdout_json(&listed);
    assert_eq!(list.as_array().unwrap().len(), 3);
    let text = String::from_utf8_lossy(&listed.stdout);
    for row in rows {
        assert!(!text.contains(row["api_key"].as_str().unwrap()));
    }
    for user in &sim.directory().users {
        assert!(!text.contains(&user.refresh_token));
    }

    // Rotate: prints a new key once, which works; the old one stops (within the cache TTL,
    // so only check the new one here).
    let rotated = stdout_json(&run(
        &dir,
        &[
            "users",
            "rotate-key",
            "user2",
            "--json",
            "--data-dir",
            data.to_str().unwrap(),
        ],
    ));
    let new_key = rotated["api_key"].as_str().unwrap();
    assert_ne!(whoami(&url, new_key).await["isError"], true);

    // Remove deletes the user and their secrets.
    let removed = run(
        &dir,
        &[
            "users",
            "remove",
            "user1",
            "--data-dir",
            data.to_str().unwrap(),
        ],
    );
    assert!(removed.status.success(), "{}", stderr(&removed));
    server.kill().unwrap();
    server.wait().unwrap();
    let store = open_store(StoreOptions::new(&data, None, None).unwrap())
        .await
        .unwrap();
    assert!(store.get_user_by_name("user1").await.unwrap().is_none());
    let user2 = store.get_user_by_name("user2").await.unwrap().unwrap();
    assert!(store.load_credentials(&user2.id).await.unwrap().is_some());
    let summaries = store.list_users().await.unwrap();
    assert_eq!(summaries.len(), 2);
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_master_key_is_a_clear_error() {
    let sim = simulator(1).await;
    let dir = workdir("wrong-key");
    let files =
        sdp_sim::env_files::write_env_files(&dir.join("envs"), sim.directory(), sim.base_url())
            .unwrap();
    let data = dir.join("data");
    let data_arg = data.to_str().unwrap();
    let out = run(
        &dir,
        &[
            "users",
            "import",
            "--data-dir",
            data_arg,
            files[0].to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let wrong = sdp_mcp(&dir)
        .env(
            "SDP_MCP_MASTER_KEY",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        )
        .args(["users", "list", "--data-dir", data_arg])
        .output()
        .unwrap();
    assert!(!wrong.status.success());
    let message = stderr(&wrong);
    assert!(message.contains("master key"), "{message}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_imports_name_the_problem_and_change_nothing() {
    let sim = simulator(2).await;
    let dir = workdir("failed-import");
    let envs = dir.join("envs");
    let files =
        sdp_sim::env_files::write_env_files(&envs, sim.directory(), sim.base_url()).unwrap();
    let data = dir.join("data");
    let data_arg = data.to_str().unwrap().to_owned();
    let out = run(
        &dir,
        &[
            "users",
            "import",
            "--data-dir",
            &data_arg,
            files[0].to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let original_token = sim.directory().users[0].refresh_token.clone();

    // A changed .env.user1 imported together with a broken file must not be applied.
    let changed = envs.join("changed").join(".env.user1");
    std::fs::create_dir_all(changed.parent().unwrap()).unwrap();
    let text = std::fs::read_to_string(&files[0])
        .unwrap()
        .replace(&original_token, "1000.changed.token");
    std::fs::write(&changed, text).unwrap();
    let good = std::fs::read_to_string(&files[1]).unwrap();
    let cases: [(&str, String, &[&str]); 4] = [
        (
            "malformed",
            format!("{good}this line has no equals sign\n"),
            &["line ", ".env.malformed"],
        ),
        (
            "missing",
            good.lines()
                .filter(|l| !l.starts_with("SDP_REFRESH_TOKEN"))
                .collect::<Vec<_>>()
                .join("\n"),
            &["SDP_REFRESH_TOKEN", ".env.missing"],
        ),
        (
            "baddc",
            format!(
                "{}\nSDP_DATA_CENTER=XX\n",
                good.lines()
                    .filter(|l| !l.starts_with("SDP_BASE_URL"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
            &["SDP_DATA_CENTER", ".env.baddc"],
        ),
        ("user1", good.clone(), &["duplicate user `user1`"]),
    ];
    for (name, contents, expected) in cases {
        let file = envs.join(format!(".env.{name}"));
        std::fs::write(&file, contents).unwrap();
        let out = run(
            &dir,
            &[
                "users",
                "import",
                "--data-dir",
                &data_arg,
                changed.to_str().unwrap(),
                file.to_str().unwrap(),
            ],
        );
        assert!(!out.status.success(), "{name} was accepted");
        let message = stderr(&out);
        for needle in expected {
            assert!(message.contains(needle), "{name}: {message}");
        }
        assert!(!message.contains("1000.changed.token"), "{message}");
    }
    // A store-level duplicate (`users add` of an existing name) is refused too.
    let out = run(
        &dir,
        &[
            "users",
            "add",
            "user1",
            "--data-dir",
            &data_arg,
            "--from-env",
            files[1].to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("user1"), "{}", stderr(&out));

    let store = open_store(StoreOptions::new(&data, None, None).unwrap())
        .await
        .unwrap();
    let users = store.list_users().await.unwrap();
    assert_eq!(users.len(), 1, "{users:?}");
    let user1 = store.get_user_by_name("user1").await.unwrap().unwrap();
    let credentials = store.load_credentials(&user1.id).await.unwrap().unwrap();
    let sdp_mcp_store::SdpAuth::CloudOAuth { refresh_token, .. } = credentials.auth else {
        panic!("not cloud credentials");
    };
    assert_eq!(refresh_token.expose_secret(), original_token);
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn users_add_by_flags_and_disable_enable() {
    let dir = workdir("add-flags");
    let data = dir.join("data");
    let data_arg = data.to_str().unwrap();
    let added = stdout_json(&run(
        &dir,
        &[
            "users",
            "add",
            "alice",
            "--json",
            "--data-dir",
            data_arg,
            "--client-id",
            "1000.ABC",
            "--client-secret",
            "s3cret-value",
            "--refresh-token",
            "1000.rt.value",
            "--instance",
            "itdesk",
            "--data-center",
            "EU",
        ],
    ));
    assert_eq!(added["user"], "alice");
    assert!(added["api_key"].as_str().unwrap().starts_with("sdpmcp_"));
    let bad_dc = run(
        &dir,
        &[
            "users",
            "add",
            "bob",
            "--data-dir",
            data_arg,
            "--client-id",
            "x",
            "--client-secret",
            "y",
            "--refresh-token",
            "z",
            "--instance",
            "itdesk",
            "--data-center",
            "XX",
        ],
    );
    assert!(!bad_dc.status.success());
    assert!(
        stderr(&bad_dc).contains("--data-center"),
        "{}",
        stderr(&bad_dc)
    );
    let out = run(&dir, &["users", "disable", "alice", "--data-dir", data_arg]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list = stdout_json(&run(
        &dir,
        &["users", "list", "--json", "--data-dir", data_arg],
    ));
    assert_eq!(list[0]["status"], "disabled");
    let out = run(&dir, &["users", "enable", "alice", "--data-dir", data_arg]);
    assert!(out.status.success());
    let list = stdout_json(&run(
        &dir,
        &["users", "list", "--json", "--data-dir", data_arg],
    ));
    assert_eq!(list[0]["status"], "active");
    assert!(
        !String::from_utf8_lossy(&run(&dir, &["users", "list", "--data-dir", data_arg]).stdout)
            .contains("s3cret")
    );
    let missing = run(&dir, &["users", "remove", "nobody", "--data-dir", data_arg]);
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains("no user `nobody`"));
    let migrate = run(&dir, &["migrate", "--data-dir", data_arg]);
    assert!(migrate.status.success(), "{}", stderr(&migrate));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_prints_one_working_key_per_user_on_two_portals() {
    let dir = workdir("demo");
    let mut demo = sdp_mcp(&dir)
        .args(["demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = demo.stdout.take().unwrap();
    let text = tokio::task::block_in_place(|| {
        let mut text = String::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            let done = line.contains("Ctrl-C");
            text.push_str(&line);
            text.push('\n');
            if done {
                break;
            }
        }
        text
    });
    let url = text
        .lines()
        .find_map(|l| l.strip_prefix("MCP endpoint (Streamable HTTP): "))
        .unwrap()
        .trim()
        .to_owned();
    let keys: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("API key:"))
        .map(str::trim)
        .collect();
    assert!(keys.len() >= 3, "{text}");
    let mut portals = std::collections::BTreeSet::new();
    for key in keys {
        let result = whoami(&url, key).await;
        assert_ne!(result["isError"], true, "{result}");
        portals.insert(
            result["structuredContent"]["portal"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert!(portals.len() >= 2, "{portals:?}");
    assert_eq!(text.matches("\"mcpServers\"").count(), 3, "{text}");
    // OAuth sign-in is on against the simulator: a hint to sign in, and an
    // unauthenticated call is pointed at the protected-resource metadata.
    assert!(text.contains("OAuth sign-in email:"), "{text}");
    assert!(text.contains("-password"), "{text}");
    let challenge = reqwest::Client::new().post(&url).send().await.unwrap();
    assert_eq!(challenge.status(), 401);
    let www = challenge.headers()["www-authenticate"].to_str().unwrap();
    let prm_url = url.replace("/mcp", "/.well-known/oauth-protected-resource/mcp");
    assert!(www.contains(&prm_url), "{www}");
    let prm: Value = reqwest::get(&prm_url).await.unwrap().json().await.unwrap();
    assert_eq!(prm["resource"], json!(url));
    // SIGTERM: the demo stops cleanly and removes its temporary store.
    let killed = Command::new("kill")
        .arg(demo.id().to_string())
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(demo.wait().unwrap().success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_stays_single_user_when_credentials_are_in_the_environment() {
    let sim = simulator(1).await;
    let dir = workdir("single-with-store");
    let user = &sim.directory().users[0];
    let mut server = sdp_mcp(&dir)
        .env("SDP_CLIENT_ID", &user.client_id)
        .env("SDP_CLIENT_SECRET", &user.client_secret)
        .env("SDP_REFRESH_TOKEN", &user.refresh_token)
        .env("SDP_INSTANCE_NAME", &user.portal)
        .env("SDP_BASE_URL", sim.base_url())
        .env("SDP_ACCOUNTS_URL", sim.base_url())
        .env("SDP_MCP_API_KEY", "single-user-key")
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.join("data"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (address, log) = tokio::task::block_in_place(|| wait_for_address_and_log(&mut server));
    assert!(log.contains("single-user mode"), "{log}");
    let result = whoami(&format!("http://{address}/mcp"), "single-user-key").await;
    assert_eq!(
        result["structuredContent"]["portal"],
        json!(user.portal),
        "{result}"
    );
    server.kill().unwrap();
    server.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
