//! Helpers of the secrets suite: known secrets with their encodings, a
//! scanner for token-shaped strings, the binary run at TRACE level in either
//! log format, child processes whose output is collected line by line, and
//! raw MCP calls whose response texts are kept for scanning.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod debug_types;
pub mod demo;
pub mod known;
pub mod mcp;
pub mod oauth;
pub mod servers;
pub mod sessions;

use std::io::{BufRead as _, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

pub const BIN: &str = env!("CARGO_BIN_EXE_sdp-mcp");

/// A recognisable master key (32 bytes), base64.
pub const MASTER_KEY_BYTES: &[u8; 32] = b"KNOWN-MASTER-KEY-for-the-suite!!";

/// The master key as `SDP_MCP_MASTER_KEY` takes it.
pub fn master_key_b64() -> String {
    STANDARD.encode(MASTER_KEY_BYTES)
}

/// The two log formats of the binary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

impl Format {
    pub const ALL: [Self; 2] = [Self::Human, Self::Json];

    pub fn name(self) -> &'static str {
        match self {
            Self::Human => "human",
            Self::Json => "json",
        }
    }
}

/// A fresh, empty working directory (no stray `./.env`, no `./data`).
pub fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sdp-mcp-secrets-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The binary with a clean environment, logging everything (`RUST_LOG=trace`)
/// in `format`.
pub fn sdp_mcp(dir: &Path, format: Format) -> Command {
    let mut command = Command::new(BIN);
    command
        .env_clear()
        .current_dir(dir)
        .env("RUST_LOG", "trace")
        .env("SDP_MCP_LOG_FORMAT", format.name())
        .stdin(Stdio::null());
    command
}

/// stdout and stderr of a finished command, as text.
pub fn texts(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Known secret values, each with its base64 and hex forms.
#[derive(Clone, Debug, Default)]
pub struct Secrets {
    needles: Vec<(String, String)>,
}

impl Secrets {
    /// `value` and its standard/URL-safe base64 and hex encodings.
    pub fn add(&mut self, label: &str, value: &str) {
        assert!(value.len() >= 8, "{label}: too short to search for");
        self.needles.push((label.to_owned(), value.to_owned()));
        self.needles
            .push((format!("{label} (base64)"), STANDARD.encode(value)));
        self.needles.push((
            format!("{label} (base64url)"),
            URL_SAFE_NO_PAD.encode(value),
        ));
        self.needles
            .push((format!("{label} (hex)"), hex::encode(value)));
    }

    /// A base64 key: the text, and the decoded bytes in hex and base64url.
    pub fn add_key_b64(&mut self, label: &str, b64: &str, bytes: &[u8]) {
        self.needles.push((label.to_owned(), b64.to_owned()));
        self.needles
            .push((format!("{label} (hex)"), hex::encode(bytes)));
        self.needles.push((
            format!("{label} (base64url)"),
            URL_SAFE_NO_PAD.encode(bytes),
        ));
        self.needles.push((
            format!("{label} (raw)"),
            String::from_utf8_lossy(bytes).into_owned(),
        ));
    }

    /// The sim user's client secret, refresh token and technician key.
    pub fn add_sim_user(&mut self, user: &sdp_sim::directory::SimUser) {
        self.add(
            &format!("client secret of {}", user.login),
            &user.client_secret,
        );
        self.add(
            &format!("refresh token of {}", user.login),
            &user.refresh_token,
        );
        self.add(
            &format!("technician key of {}", user.login),
            &user.technician_key,
        );
    }

    /// Labels of the secrets found in `text`.
    pub fn found_in(&self, text: &str) -> Vec<&str> {
        self.needles
            .iter()
            .filter(|(_, needle)| text.contains(needle.as_str()))
            .map(|(label, _)| label.as_str())
            .collect()
    }

    pub fn len(&self) -> usize {
        self.needles.len()
    }
}

/// Asserts that `text` (named `place`) holds no known secret and no
/// token-shaped string other than those in `allowed`.
pub fn assert_clean(place: &str, text: &str, secrets: &Secrets, allowed: &[&str]) {
    let found = secrets.found_in(text);
    assert!(
        found.is_empty(),
        "{place} leaks {found:?}:\n{}",
        excerpt(text, secrets)
    );
    let shaped: Vec<String> = token_shaped(text)
        .into_iter()
        .filter(|token| {
            !allowed.contains(&token.as_str()) && !PLACEHOLDERS.contains(&token.as_str())
        })
        .collect();
    assert!(
        shaped.is_empty(),
        "{place} shows token-shaped strings {shaped:?}:\n{}",
        tail(text)
    );
}

/// The lines holding a secret (for the failure message).
fn excerpt(text: &str, secrets: &Secrets) -> String {
    text.lines()
        .filter(|line| !secrets.found_in(line).is_empty())
        .take(5)
        .collect::<Vec<_>>()
        .join("\n")
}

fn tail(text: &str) -> String {
    let start = text.len().saturating_sub(4000);
    let start = (start..text.len())
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    text[start..].to_owned()
}

/// Token-shaped example values that error messages show on purpose.
const PLACEHOLDERS: &[&str] =
    &["1000.0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef"];

/// Token-shaped substrings: Zoho tokens (`1000.` + 32 hex + `.` + 32 hex),
/// personal API keys (`sdpmcp_` + 32 base62) and the server's OAuth tokens
/// (`sdpoa_`/`sdpor_` + 43 base64url).
pub fn token_shaped(text: &str) -> Vec<String> {
    let hex = |c: u8| c.is_ascii_digit() || (b'a'..=b'f').contains(&c);
    let base62 = |c: u8| c.is_ascii_alphanumeric();
    let b64url = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'_';
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let run = |from: usize, len: usize, class: &dyn Fn(u8) -> bool| {
        bytes.len() >= from + len && bytes[from..from + len].iter().all(|c| class(*c))
    };
    for start in 0..bytes.len() {
        let rest = &bytes[start..];
        let len = if rest.starts_with(b"1000.")
            && run(start + 5, 32, &hex)
            && bytes.get(start + 37) == Some(&b'.')
            && run(start + 38, 32, &hex)
        {
            70
        } else if rest.starts_with(b"sdpmcp_") && run(start + 7, 32, &base62) {
            39
        } else if (rest.starts_with(b"sdpoa_") || rest.starts_with(b"sdpor_"))
            && run(start + 6, 43, &b64url)
        {
            49
        } else {
            continue;
        };
        found.push(String::from_utf8_lossy(&bytes[start..start + len]).into_owned());
    }
    found
}

/// The full API keys (`sdpmcp_…`) in `text`, in order.
pub fn api_keys_in(text: &str) -> Vec<String> {
    token_shaped(text)
        .into_iter()
        .filter(|t| t.starts_with("sdpmcp_"))
        .collect()
}

/// A child process whose stdout and stderr are read by threads: each line is
/// kept and also sent on a channel, so a test can wait for a line without
/// sleeping and the pipes never fill up.
pub struct Running {
    child: Child,
    stdout_lines: mpsc::Receiver<String>,
    stderr_lines: mpsc::Receiver<String>,
    stdout: Option<JoinHandle<String>>,
    stderr: Option<JoinHandle<String>>,
}

fn pump(stream: impl Read + Send + 'static) -> (mpsc::Receiver<String>, JoinHandle<String>) {
    let (sender, receiver) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            all.push_str(&line);
            all.push('\n');
            let _ = sender.send(line);
        }
        all
    });
    (receiver, handle)
}

impl Running {
    /// Spawns `command` with stdout and stderr piped.
    pub fn spawn(mut command: Command) -> Self {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (stdout_lines, stdout) = pump(child.stdout.take().unwrap());
        let (stderr_lines, stderr) = pump(child.stderr.take().unwrap());
        Self {
            child,
            stdout_lines,
            stderr_lines,
            stdout: Some(stdout),
            stderr: Some(stderr),
        }
    }

    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Blocks until a stderr line satisfies `done`; returns that line.
    pub fn wait_stderr(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        wait_line(&self.stderr_lines, what, done)
    }

    /// Blocks until a stdout line satisfies `done`; returns the lines read.
    pub fn read_stdout_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let mut text = String::new();
        loop {
            let line = self
                .stdout_lines
                .recv()
                .unwrap_or_else(|_| panic!("stdout closed before {what}: {text}"));
            text.push_str(&line);
            text.push('\n');
            if done(&line) {
                return text;
            }
        }
    }

    /// The address the server logs when it starts serving (either format).
    pub fn server_address(&self) -> String {
        let line = self.wait_stderr("the server listens", |l| l.contains("serving MCP at /mcp"));
        address_in(&line).unwrap_or_else(|| panic!("no address in {line}"))
    }

    /// SIGTERM, then the exit status with the whole stdout and stderr.
    pub fn stop(self) -> (ExitStatus, String, String) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        self.finish()
    }

    /// Waits for the exit, then returns status, stdout and stderr.
    pub fn finish(mut self) -> (ExitStatus, String, String) {
        let status = self.child.wait().unwrap();
        let stdout = self.stdout.take().unwrap().join().unwrap();
        let stderr = self.stderr.take().unwrap().join().unwrap();
        (status, stdout, stderr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.stderr.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn wait_line(lines: &mpsc::Receiver<String>, what: &str, done: impl Fn(&str) -> bool) -> String {
    loop {
        let line = lines
            .recv()
            .unwrap_or_else(|_| panic!("the process exited before {what}"));
        if done(&line) {
            return line;
        }
    }
}

/// `address=HOST:PORT` (human) or `"address":"HOST:PORT"` (JSON).
pub fn address_in(line: &str) -> Option<String> {
    let start = line
        .find("address=")
        .map(|at| at + "address=".len())
        .or_else(|| {
            line.find("\"address\":\"")
                .map(|at| at + "\"address\":\"".len())
        })?;
    Some(
        line[start..]
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '"')
            .collect(),
    )
}

/// Evidence that `logs` were written in `format` with the TRACE filter on:
/// they hold DEBUG or TRACE events (some commands emit no TRACE event).
pub fn assert_trace_logs(place: &str, logs: &str, format: Format) {
    let markers = match format {
        Format::Human => [" TRACE ", " DEBUG "],
        Format::Json => ["\"level\":\"TRACE\"", "\"level\":\"DEBUG\""],
    };
    assert!(
        markers.iter().any(|marker| logs.contains(marker)),
        "{place}: no DEBUG or TRACE line in the {} logs:\n{}",
        format.name(),
        tail(logs)
    );
}

/// The outputs of a series of commands, checked together: no secret
/// anywhere, and each issued API key exactly once, in the stdout of the
/// command that issued it.
#[derive(Debug, Default)]
pub struct Transcript {
    entries: Vec<Entry>,
}

#[derive(Debug)]
struct Entry {
    place: String,
    stdout: String,
    stderr: String,
    issued: Vec<String>,
}

impl Transcript {
    /// Records a finished command; `success` is what its exit must be.
    /// Returns its stdout and stderr.
    pub fn record(&mut self, place: &str, output: &Output, success: bool) -> (String, String) {
        let (stdout, stderr) = texts(output);
        assert_eq!(
            output.status.success(),
            success,
            "{place}: exit {}\nstdout: {stdout}\nstderr: {}",
            output.status,
            tail(&stderr)
        );
        self.push(place, &stdout, &stderr, Vec::new());
        (stdout, stderr)
    }

    /// Records output of a command that issued `keys` (printed on its stdout).
    pub fn record_issuing(&mut self, place: &str, output: &Output) -> Vec<String> {
        let (stdout, stderr) = texts(output);
        assert!(
            output.status.success(),
            "{place}: exit {}\n{stdout}\n{}",
            output.status,
            tail(&stderr)
        );
        let keys = api_keys_in(&stdout);
        assert!(!keys.is_empty(), "{place} printed no key: {stdout}");
        self.push(place, &stdout, &stderr, keys.clone());
        keys
    }

    /// Records raw texts (a long-running process, a response body).
    pub fn push(&mut self, place: &str, stdout: &str, stderr: &str, issued: Vec<String>) {
        self.entries.push(Entry {
            place: place.to_owned(),
            stdout: stdout.to_owned(),
            stderr: stderr.to_owned(),
            issued,
        });
    }

    /// All the stderr text recorded.
    pub fn all_stderr(&self) -> String {
        self.entries.iter().map(|e| e.stderr.as_str()).collect()
    }

    /// Checks every entry against `secrets` plus every issued key.
    pub fn check(&self, secrets: &Secrets) {
        let issued: Vec<(&str, &str)> = self
            .entries
            .iter()
            .flat_map(|e| e.issued.iter().map(|k| (e.place.as_str(), k.as_str())))
            .collect();
        for entry in &self.entries {
            let mut others = secrets.clone();
            for (place, key) in &issued {
                if !entry.issued.iter().any(|k| k == key) {
                    others.add(&format!("API key issued by {place}"), key);
                }
            }
            let allowed: Vec<&str> = entry.issued.iter().map(String::as_str).collect();
            assert_clean(
                &format!("{} (stdout)", entry.place),
                &entry.stdout,
                &others,
                &allowed,
            );
            assert_clean(
                &format!("{} (stderr)", entry.place),
                &entry.stderr,
                &others,
                &[],
            );
            for key in &entry.issued {
                assert_eq!(
                    entry.stdout.matches(key.as_str()).count(),
                    1,
                    "{}: the new key must be printed exactly once: {}",
                    entry.place,
                    entry.stdout
                );
            }
        }
    }
}

/// `logs` without the lines of rmcp's Streamable HTTP session manager.
///
/// Known exception: at `RUST_LOG=trace` (or any filter that lets
/// `rmcp::transport::streamable_http_server` log at INFO or below) rmcp logs
/// each session id ("create new session session_id=…", and its
/// `streamable-http-session-<id>` span). The recommended filter
/// (`sdp_mcp_server::RECOMMENDED_LOG_FILTER`) caps that target at WARN, and a
/// session id alone is useless to another principal (session binding answers
/// 404), so the suite checks session ids everywhere except in these lines.
pub fn without_rmcp_session_lines(logs: &str) -> String {
    logs.lines()
        .filter(|line| {
            !line.contains("streamable_http_server") && !line.contains("streamable-http-session-")
        })
        .fold(String::new(), |mut kept, line| {
            kept.push_str(line);
            kept.push('\n');
            kept
        })
}

/// Checks a server's stderr: no secret at all; no session id outside rmcp's
/// own session lines (see [`without_rmcp_session_lines`]).
pub fn assert_clean_server_logs(
    place: &str,
    logs: &str,
    secrets: &Secrets,
    session_ids: &[String],
) {
    assert_clean(place, logs, secrets, &[]);
    let mut with_sessions = secrets.clone();
    for id in session_ids {
        with_sessions.add("session id", id);
    }
    assert_clean(
        &format!("{place}, outside rmcp's session lines"),
        &without_rmcp_session_lines(logs),
        &with_sessions,
        &[],
    );
}
