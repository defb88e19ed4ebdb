#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `--config FILE`: unknown keys fail naming the key; `config check` shows
//! the effective values with their origin (the environment overrides the
//! file) and redacts secrets.

use std::path::PathBuf;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_sdp-mcp");

fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sdp-mcp-config-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn check(dir: &PathBuf, file: &str, env: &[(&str, &str)]) -> Output {
    let path = dir.join("sdp-mcp.toml");
    std::fs::write(&path, file).unwrap();
    Command::new(BIN)
        .env_clear()
        .envs(env.iter().copied())
        .current_dir(dir)
        .args(["--config", path.to_str().unwrap(), "config", "check"])
        .output()
        .unwrap()
}

#[test]
fn unknown_keys_fail_naming_the_key() {
    let dir = workdir("unknown");
    let output = check(&dir, "[server]\nport = 1\nlisten_adress = \"x\"\n", &[]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("listen_adress"), "{stderr}");
}

#[test]
fn check_prints_effective_values_and_redacts_secrets() {
    let dir = workdir("effective");
    let output = check(
        &dir,
        "[server]\nport = 4000\nhost = \"127.0.0.1\"\nmetrics_token = \"file-metrics-secret\"\n\
         [store]\ndata_dir = \"/var/lib/sdp-mcp\"\n",
        &[
            ("SDP_HTTP_PORT", "4100"),
            ("SDP_MCP_API_KEY", "env-api-key-secret"),
        ],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("port = \"4100\"  # SDP_HTTP_PORT, from environment"),
        "{stdout}"
    );
    assert!(
        stdout.contains("host = \"127.0.0.1\"  # SDP_HTTP_HOST, from file"),
        "{stdout}"
    );
    assert!(
        stdout.contains("data_dir = \"/var/lib/sdp-mcp\""),
        "{stdout}"
    );
    assert!(stdout.contains("api_key = \"[redacted]\""), "{stdout}");
    assert!(!stdout.contains("file-metrics-secret"), "{stdout}");
    assert!(!stdout.contains("env-api-key-secret"), "{stdout}");
}

#[test]
fn check_shows_tool_and_logging_keys_from_the_file() {
    let dir = workdir("tools");
    let output = check(
        &dir,
        "[tools]\ntoolsets = [\"requests\", \"problems\"]\nread_only = true\n\
         [logging]\nformat = \"json\"\n",
        &[],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("toolsets = \"requests,problems\"  # SDP_MCP_TOOLSETS, from file"),
        "{stdout}"
    );
    assert!(
        stdout.contains("read_only = \"true\"  # SDP_MCP_READ_ONLY, from file"),
        "{stdout}"
    );
    assert!(
        stdout.contains("format = \"json\"  # SDP_MCP_LOG_FORMAT, from file"),
        "{stdout}"
    );
}
