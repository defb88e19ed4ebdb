//! `sdp-mcp` server child processes: finding the release binary, probing what
//! it supports, starting `sdp-mcp serve` on a free loopback port, waiting for
//! `/health`, and killing it on drop (also on error or panic).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use tokio::process::{Child, Command};

/// How long one server may take to answer `/health`.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// Attempts to start a server whose port was taken meanwhile.
const START_ATTEMPTS: usize = 3;

/// Locates the `sdp-mcp` release binary: `--server-bin`, else
/// `$CARGO_TARGET_DIR/release/sdp-mcp`, else next to this executable, else
/// `target/release/sdp-mcp` (from the current directory, then the workspace).
pub fn locate_binary(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(path) = explicit {
        if path.is_file() {
            return Ok(path.to_owned());
        }
        bail!("--server-bin {} does not exist", path.display());
    }
    let mut candidates = Vec::new();
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        candidates.push(PathBuf::from(dir).join("release").join("sdp-mcp"));
    }
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_owned))
        && dir.ends_with("release")
    {
        candidates.push(dir.join("sdp-mcp"));
    }
    candidates.push(PathBuf::from("target/release/sdp-mcp"));
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/release/sdp-mcp"));
    if let Some(found) = candidates.iter().find(|p| p.is_file()) {
        return Ok(found.clone());
    }
    let tried: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
    bail!(
        "cannot find the sdp-mcp release binary (tried {}). Build it with \
         `cargo build --release -p sdp-mcp` or pass --server-bin PATH",
        tried.join(", ")
    )
}

/// What the binary's `--help` says it can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// `sdp-mcp serve` exists.
    pub serve: bool,
    /// `sdp-mcp users` exists (`users import` for multi-user provisioning).
    pub users: bool,
}

/// Runs `sdp-mcp --help` and reads the subcommand list.
pub async fn probe(binary: &Path) -> anyhow::Result<Capabilities> {
    let output = Command::new(binary)
        .arg("--help")
        .stdin(Stdio::null())
        .output()
        .await
        .with_context(|| format!("cannot run {} --help", binary.display()))?;
    Ok(parse_help(&String::from_utf8_lossy(&output.stdout)))
}

/// Reads clap's `Commands:` section.
pub fn parse_help(help: &str) -> Capabilities {
    let has = |name: &str| {
        help.lines()
            .any(|line| line.starts_with("  ") && line.split_whitespace().next() == Some(name))
    };
    Capabilities {
        serve: has("serve"),
        users: has("users"),
    }
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .context("cannot bind a loopback port to find a free one")?;
    Ok(listener.local_addr()?.port())
}

/// How to start one server.
#[derive(Debug, Clone)]
pub struct ServerSpec {
    /// The `sdp-mcp` binary.
    pub binary: PathBuf,
    /// Arguments after the binary; `{port}` is replaced by the chosen port.
    pub args: Vec<String>,
    /// Environment variables (on top of the bench's own, minus `SDP_*`);
    /// `{port}` in a value is replaced by the chosen port.
    pub env: Vec<(String, String)>,
    /// Working directory (also where its log goes).
    pub dir: PathBuf,
    /// Log file name inside `dir`.
    pub log_name: String,
    /// `RUST_LOG` of the server.
    pub log_filter: String,
}

/// A running server. Dropping it kills the process.
#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    pid: u32,
    port: u16,
    log: PathBuf,
}

impl ServerProcess {
    /// Starts the server on a free port and waits until `/health` answers;
    /// retries with another port when the process exits early.
    pub async fn start(spec: &ServerSpec, http: &reqwest::Client) -> anyhow::Result<Self> {
        let mut last_error = None;
        for _ in 0..START_ATTEMPTS {
            let port = free_port()?;
            let mut server = Self::spawn(spec, port)?;
            match server.wait_ready(http).await {
                Ok(()) => return Ok(server),
                Err(error) => {
                    server.kill().await;
                    last_error = Some(error);
                }
            }
        }
        Err(last_error.unwrap_or_else(|| anyhow::anyhow!("the server did not start")))
    }

    fn spawn(spec: &ServerSpec, port: u16) -> anyhow::Result<Self> {
        let fill = |s: &str| s.replace("{port}", &port.to_string());
        let log = spec.dir.join(&spec.log_name);
        let log_file = std::fs::File::create(&log)
            .with_context(|| format!("cannot create {}", log.display()))?;
        let mut command = Command::new(&spec.binary);
        command
            .args(spec.args.iter().map(|a| fill(a)))
            .current_dir(&spec.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log_file.try_clone()?))
            .stderr(Stdio::from(log_file))
            .kill_on_drop(true);
        // Only what we set reaches the server: no stray SDP_* from our shell.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("SDP_") {
                command.env_remove(&name);
            }
        }
        command.env("RUST_LOG", &spec.log_filter);
        for (name, value) in &spec.env {
            command.env(name, fill(value));
        }
        let child = command
            .spawn()
            .with_context(|| format!("cannot start {}", spec.binary.display()))?;
        let pid = child
            .id()
            .context("the server exited before its pid could be read")?;
        Ok(Self {
            child,
            pid,
            port,
            log,
        })
    }

    async fn wait_ready(&mut self, http: &reqwest::Client) -> anyhow::Result<()> {
        let started = Instant::now();
        let url = format!("{}/health", self.base_url());
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "the server exited ({status}) before answering /health; its log ends with:\n{}",
                    log_tail(&self.log)
                );
            }
            let answer = http.get(&url).timeout(Duration::from_secs(1)).send().await;
            if answer.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            if started.elapsed() > READY_TIMEOUT {
                bail!(
                    "the server did not answer {url} within {READY_TIMEOUT:?}; its log ends with:\n{}",
                    log_tail(&self.log)
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `http://127.0.0.1:PORT/mcp`.
    pub fn mcp_url(&self) -> String {
        format!("{}/mcp", self.base_url())
    }

    /// The end of the server's log.
    pub fn log_tail(&self) -> String {
        log_tail(&self.log)
    }

    /// Kills the process and reaps it.
    pub async fn kill(&mut self) {
        let _ = self.child.start_kill();
        let _ = tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await;
    }
}

/// The last lines of a log file (empty when unreadable).
pub fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

/// Runs `binary args…` to completion and returns its stdout; fails with its
/// stderr when it exits unsuccessfully.
pub async fn run_to_completion(
    binary: &Path,
    args: &[String],
    env: &[(String, String)],
    dir: &Path,
) -> anyhow::Result<String> {
    let mut command = Command::new(binary);
    command
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .kill_on_drop(true);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SDP_") {
            command.env_remove(&name);
        }
    }
    for (name, value) in env {
        command.env(name, value);
    }
    let output = tokio::time::timeout(Duration::from_secs(300), command.output())
        .await
        .with_context(|| format!("{} {} took too long", binary.display(), args.join(" ")))?
        .with_context(|| format!("cannot run {}", binary.display()))?;
    if !output.status.success() {
        bail!(
            "`sdp-mcp {}` failed ({}): {}",
            args.first().map_or("", String::as_str),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_subcommands_from_clap_help() {
        let help = "One MCP server\n\nUsage: sdp-mcp [OPTIONS] <COMMAND>\n\nCommands:\n  \
serve  Serve MCP over HTTP\n  sim    Run the simulator\n  help   Print this message\n\n\
Options:\n      --log-format <LOG_FORMAT>  users of the log\n";
        assert_eq!(
            parse_help(help),
            Capabilities {
                serve: true,
                users: false
            }
        );
        let with_users = format!("{help}  users  Manage users\n");
        assert!(parse_help(&with_users).users);
    }

    #[test]
    fn an_explicit_missing_binary_is_an_error() {
        let error = locate_binary(Some(Path::new("/nonexistent/sdp-mcp"))).unwrap_err();
        assert!(error.to_string().contains("--server-bin"));
    }

    #[test]
    fn log_tail_keeps_the_last_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let text: Vec<String> = (1..=40).map(|i| format!("line {i}")).collect();
        let text = text.join("\n");
        std::fs::write(&path, text).unwrap();
        let tail = log_tail(&path);
        assert!(tail.starts_with("line 26"), "{tail}");
        assert!(tail.ends_with("line 40"));
        assert_eq!(log_tail(&dir.path().join("missing")), "");
    }
}
