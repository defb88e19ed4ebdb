//! Sessions driven against a running `serve` or `stdio`: the calls every
//! scenario makes (initialize, whoami, list_requests, a write, failing
//! calls, a wrong key, `/metrics`), returning what clients were shown.

use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use super::Running;
use super::mcp::{Mcp, error_text, ok};

/// What one HTTP session showed its client, and the ids that must stay private.
#[derive(Debug, Default)]
pub struct Shown {
    /// Response headers and bodies, including error texts.
    pub responses: String,
    /// Session ids the server handed out.
    pub session_ids: Vec<String>,
}

impl Shown {
    fn take(&mut self, mcp: &Mcp) {
        self.responses.push_str(&mcp.seen);
        if let Some(id) = mcp.session() {
            self.session_ids.push(id.to_owned());
        }
    }
}

/// A full session with `bearer` (and `headers`): initialize, whoami,
/// list_requests, add_note (a write), and two failing calls (an
/// unknown request, an invalid argument). Returns whoami's structured content.
pub async fn full_session(
    url: &str,
    bearer: Option<&str>,
    headers: &[(&str, &str)],
    shown: &mut Shown,
) -> Value {
    let mut mcp = Mcp::new(url, bearer, headers);
    assert_eq!(mcp.initialize().await, 200, "{}", mcp.seen);
    let whoami = mcp.call("whoami", json!({})).await;
    ok("whoami", &whoami);
    let list = mcp.call("list_requests", json!({"page_size": 2})).await;
    ok("list_requests", &list);
    let id = &list["structuredContent"]["requests"][0]["id"];
    let id = id.as_str().map_or_else(|| id.to_string(), str::to_owned);
    ok(
        "add_note",
        &mcp.call(
            "add_note",
            json!({"request_id": id, "note": "Secrets suite: printer on fire"}),
        )
        .await,
    );
    let text = error_text(
        "get_request (unknown)",
        &mcp.call("get_request", json!({"request_id": "999999999999"}))
            .await,
    );
    assert!(!text.is_empty());
    let invalid = mcp
        .call("get_request", json!({"request_id": {"nested": true}}))
        .await;
    assert!(
        invalid["isError"] == json!(true) || invalid.get("error").is_some(),
        "{invalid}"
    );
    shown.take(&mcp);
    whoami["structuredContent"].clone()
}

/// A session whose upstream sign-in fails (bad refresh token): whoami is an
/// error result; returns its text.
pub async fn failing_sign_in(
    url: &str,
    bearer: Option<&str>,
    headers: &[(&str, &str)],
    shown: &mut Shown,
) -> String {
    let mut mcp = Mcp::new(url, bearer, headers);
    let status = mcp.initialize().await;
    let text = if status == 200 {
        let result = mcp.call("list_requests", json!({})).await;
        error_text("list_requests with a bad refresh token", &result)
    } else {
        mcp.seen.clone()
    };
    shown.take(&mcp);
    text
}

/// `initialize` with a wrong key is refused with 401.
pub async fn wrong_key(url: &str, key: &str, shown: &mut Shown) {
    let mut mcp = Mcp::new(url, Some(key), &[]);
    assert_eq!(mcp.initialize().await, 401, "{}", mcp.seen);
    shown.take(&mcp);
}

/// `GET /metrics` with `token`; the status and body.
pub async fn metrics(base: &str, token: Option<&str>) -> (u16, String) {
    let mut request = reqwest::Client::new().get(format!("{base}/metrics"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// One stdio session: initialize, then each `(tool, arguments)` call; the
/// JSON-RPC answers (one per line), stdout and stderr of the process.
pub fn stdio_session(
    mut command: Command,
    calls: &[(&str, Value)],
) -> (Vec<Value>, String, String) {
    command.stdin(Stdio::piped());
    let mut running = Running::spawn(command);
    let mut stdin = running.child().stdin.take().unwrap();
    let mut send = |value: Value| writeln!(stdin, "{value}").unwrap();
    send(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "secrets-suite", "version": "0"}}}),
    );
    let mut answers = Vec::new();
    let first = running.read_stdout_until("initialize", |l| l.contains("\"id\":1"));
    answers.push(last_json(&first));
    send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    for (index, (tool, arguments)) in calls.iter().enumerate() {
        let id = index + 2;
        send(json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": tool, "arguments": arguments}}));
        let marker = format!("\"id\":{id}");
        let lines = running.read_stdout_until(tool, |l| l.contains(&marker));
        answers.push(last_json(&lines));
    }
    drop(stdin);
    let (status, stdout, stderr) = running.finish();
    assert!(status.success(), "stdio exited with {status}: {stderr}");
    (answers, stdout, stderr)
}

fn last_json(lines: &str) -> Value {
    serde_json::from_str(lines.lines().last().unwrap_or_default()).unwrap()
}
