//! The known secrets of the suite and the helpers that set them up: the
//! environment with every secret variable, the command runner, simulators.

use std::path::Path;
use std::process::Output;

use sdp_sim::SimConfig;
use sdp_sim::directory::Directory;

use super::{Format, MASTER_KEY_BYTES, Secrets, master_key_b64, sdp_mcp};

pub const CLIENT_SECRET: &str = "KNOWN-client-secret-7f3a9c";
pub const REFRESH_TOKEN: &str =
    "1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210";
pub const API_KEY: &str = "KNOWN-single-user-api-key-51c2";
pub const METRICS_TOKEN: &str = "KNOWN-metrics-token-93be";
pub const DB_PASSWORD: &str = "KNOWN-db-password-e4d1";
pub const ZOHO_WEB_SECRET: &str = "KNOWN-zoho-web-client-secret-2b8f";
pub const AUTHTOKEN: &str = "KNOWN-onprem-authtoken-6a0d";
pub const WRONG_MASTER_KEY: &str = "V1JPTkctTUFTVEVSLUtFWS1mb3ItdGhlLXN1aXRlISE=";

pub fn known_secrets() -> Secrets {
    let mut secrets = Secrets::default();
    for (label, value) in [
        ("client secret", CLIENT_SECRET),
        ("refresh token", REFRESH_TOKEN),
        ("single-user API key", API_KEY),
        ("metrics token", METRICS_TOKEN),
        ("database password", DB_PASSWORD),
        ("Zoho web client secret", ZOHO_WEB_SECRET),
        ("on-prem authtoken", AUTHTOKEN),
        ("wrong master key", WRONG_MASTER_KEY),
    ] {
        secrets.add(label, value);
    }
    secrets.add_key_b64("master key", &master_key_b64(), MASTER_KEY_BYTES);
    secrets
}

/// Every secret variable the binary reads, set to a known value.
pub fn secret_env() -> Vec<(&'static str, String)> {
    vec![
        ("SDP_CLIENT_ID", "1000.KNOWNCLIENTID".to_owned()),
        ("SDP_CLIENT_SECRET", CLIENT_SECRET.to_owned()),
        ("SDP_REFRESH_TOKEN", REFRESH_TOKEN.to_owned()),
        ("SDP_INSTANCE_NAME", "itdesk".to_owned()),
        ("SDP_BASE_URL", "http://127.0.0.1:9".to_owned()),
        ("SDP_ACCOUNTS_URL", "http://127.0.0.1:9".to_owned()),
        ("SDP_MCP_API_KEY", API_KEY.to_owned()),
        ("SDP_MCP_METRICS_TOKEN", METRICS_TOKEN.to_owned()),
        ("SDP_MCP_MASTER_KEY", master_key_b64()),
        (
            "SDP_MCP_DATABASE_URL",
            format!("postgres://sdp:{DB_PASSWORD}@127.0.0.1:9/sdp"),
        ),
        ("SDP_MCP_ZOHO_CLIENT_SECRET", ZOHO_WEB_SECRET.to_owned()),
    ]
}

pub fn run(dir: &Path, format: Format, env: &[(&str, String)], args: &[&str]) -> Output {
    let mut command = sdp_mcp(dir, format);
    for (name, value) in env {
        command.env(name, value);
    }
    command.args(args).output().unwrap()
}

/// The simulated users of the multi-user tests, without a running simulator.
pub fn directory(users: usize) -> Directory {
    Directory::generate(&SimConfig {
        users,
        portals: 2,
        ..SimConfig::default()
    })
}

pub async fn simulator(users: usize, portals: usize) -> sdp_sim::SimHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    sdp_sim::Simulator::builder()
        .users(users)
        .portals(portals)
        .requests_per_portal(10)
        .spawn(listener)
        .await
        .unwrap()
}

/// A refresh token Zoho never issued (Zoho-shaped, so the scanner sees it too).
pub const BAD_REFRESH_TOKEN: &str =
    "1000.0badc0de0badc0de0badc0de0badc0de.deadbeefdeadbeefdeadbeefdeadbeef";

/// `files[index]` with its refresh token replaced by [`BAD_REFRESH_TOKEN`].
pub fn break_refresh_token(file: &Path) {
    let text: String = std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(|line| match line.split_once('=') {
            Some((name, _)) if name.contains("REFRESH_TOKEN") => {
                format!("{name}={BAD_REFRESH_TOKEN}\n")
            }
            _ => format!("{line}\n"),
        })
        .collect();
    std::fs::write(file, text).unwrap();
}

/// A wrong personal API key (token-shaped, so the scanner sees it too).
pub const WRONG_KEY: &str = "sdpmcp_WRONGwrongWRONGwrongWRONGwrong12";
