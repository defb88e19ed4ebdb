#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `.env.<login>` files: written per user, private, sourceable by bash, and
//! their credentials work against the simulator.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

use sdp_sim::Simulator;
use sdp_sim::env_files::write_env_files;
use serde_json::Value;
use tokio::net::TcpListener;

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let pid = std::process::id();
        let dir = std::env::temp_dir().join(format!("sdp-sim-env-{pid}-{nanos}-{n}"));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Sources `file` in bash with `set -a` and returns the `SDP_*` variables it exported.
fn source(file: &std::path::Path) -> HashMap<String, String> {
    let output = Command::new("bash")
        .arg("-c")
        .arg("set -a; . \"$1\"; env | grep '^SDP_'")
        .arg("bash")
        .arg(file)
        .env_clear()
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

#[tokio::test]
async fn env_files_are_private_sourceable_and_work() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim = Simulator::builder()
        .users(3)
        .portals(2)
        .spawn(listener)
        .await
        .unwrap();
    let dir = TempDir::new();
    let paths = write_env_files(&dir.0, sim.directory(), sim.base_url()).unwrap();
    let names: Vec<String> = paths
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, [".env.user1", ".env.user2", ".env.user3"]);

    #[cfg(unix)]
    for path in &paths {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", path.display());
    }
    let text = std::fs::read_to_string(&paths[0]).unwrap();
    assert!(text.starts_with('#'));

    let mut ports = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let vars = source(path);
        let user = &sim.directory().users[i];
        assert_eq!(vars["SDP_CLIENT_ID"], user.client_id);
        assert_eq!(vars["SDP_INSTANCE_NAME"], user.portal);
        assert_eq!(vars["SDP_BASE_URL"], sim.base_url());
        ports.push(vars["SDP_HTTP_PORT"].clone());
    }
    assert_eq!(ports, ["3456", "3457", "3458"]);

    // The sourced credentials of user 2 against the token endpoint.
    let vars = source(&paths[1]);
    let response = reqwest::Client::new()
        .post(format!("{}/oauth/v2/token", vars["SDP_ACCOUNTS_URL"]))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs([
                    ("grant_type", "refresh_token"),
                    ("client_id", vars["SDP_CLIENT_ID"].as_str()),
                    ("client_secret", vars["SDP_CLIENT_SECRET"].as_str()),
                    ("refresh_token", vars["SDP_REFRESH_TOKEN"].as_str()),
                ])
                .finish(),
        )
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    let token = body["access_token"].as_str().unwrap();
    let now = sim.state().clock.now_ms();
    let grant = sim
        .state()
        .zoho
        .lock()
        .check_access_token(token, now)
        .unwrap();
    assert_eq!(grant.email, sim.directory().users[1].email);
    assert_eq!(grant.portal, vars["SDP_INSTANCE_NAME"]);

    // Rewriting keeps the files private and replaces their contents.
    let again = write_env_files(&dir.0, sim.directory(), "http://sim.example:1/").unwrap();
    assert_eq!(source(&again[0])["SDP_BASE_URL"], "http://sim.example:1");
}

#[test]
fn awkward_values_survive_sourcing() {
    let (state, _router) = Simulator::builder().users(1).build();
    let mut directory = state.directory.clone();
    directory.users[0].portal = "it desk's \"$HOME\" `x`".to_owned();
    let dir = TempDir::new();
    let paths = write_env_files(&dir.0, &directory, "http://127.0.0.1:9").unwrap();
    assert_eq!(
        source(&paths[0])["SDP_INSTANCE_NAME"],
        directory.users[0].portal
    );
}
