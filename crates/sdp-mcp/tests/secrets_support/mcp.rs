//! A raw Streamable HTTP MCP client (2025-11-25 sessions) that keeps every
//! response body, so the suite can scan what clients are shown, including
//! error texts.

use std::fmt::Write as _;

use serde_json::{Value, json};

/// One MCP session against `url`.
pub struct Mcp {
    http: reqwest::Client,
    url: String,
    headers: Vec<(String, String)>,
    session: Option<String>,
    next_id: u64,
    /// Every response body and status seen, for scanning.
    pub seen: String,
}

impl Mcp {
    /// A client sending `Authorization: Bearer <bearer>` when given, plus `headers`.
    pub fn new(url: &str, bearer: Option<&str>, headers: &[(&str, &str)]) -> Self {
        let mut all: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        if let Some(bearer) = bearer {
            all.push(("authorization".to_owned(), format!("Bearer {bearer}")));
        }
        Self {
            http: reqwest::Client::new(),
            url: url.to_owned(),
            headers: all,
            session: None,
            next_id: 1,
            seen: String::new(),
        }
    }

    /// The session id the server gave, once initialized.
    pub fn session(&self) -> Option<&str> {
        self.session.as_deref()
    }

    /// POSTs `body`; the status and the JSON-RPC message (from JSON or SSE).
    pub async fn post(&mut self, body: &Value) -> (u16, Value) {
        let mut request = self
            .http
            .post(&self.url)
            .header("accept", "application/json, text/event-stream")
            .json(body);
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        if let Some(session) = &self.session {
            request = request
                .header("mcp-session-id", session)
                .header("mcp-protocol-version", "2025-11-25");
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        if let Some(id) = response.headers().get("mcp-session-id") {
            self.session = Some(id.to_str().unwrap().to_owned());
        }
        for (name, value) in response.headers() {
            if name == "mcp-session-id" {
                continue;
            }
            let _ = writeln!(
                self.seen,
                "{name}: {}",
                String::from_utf8_lossy(value.as_bytes())
            );
        }
        let text = response.text().await.unwrap();
        let _ = writeln!(self.seen, "{status} {text}");
        let message = text
            .lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .find_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
            .or_else(|| serde_json::from_str(&text).ok())
            .unwrap_or(Value::String(text));
        (status, message)
    }

    /// `initialize` + `notifications/initialized`; the initialize status.
    pub async fn initialize(&mut self) -> u16 {
        let id = self.id();
        let (status, _) = self
            .post(
                &json!({"jsonrpc": "2.0", "id": id, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": {"name": "secrets-suite", "version": "0"}}}),
            )
            .await;
        if status == 200 {
            let (ack, _) = self
                .post(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
                .await;
            assert!(ack == 202 || ack == 200, "initialized: {ack}");
        }
        status
    }

    /// `tools/call`; the JSON-RPC `result` (or the whole message when absent).
    pub async fn call(&mut self, tool: &str, arguments: Value) -> Value {
        let id = self.id();
        let (status, message) = self
            .post(&json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                "params": {"name": tool, "arguments": arguments}}))
            .await;
        assert_eq!(status, 200, "{tool}: {message}");
        message.get("result").cloned().unwrap_or(message)
    }

    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

/// Asserts a tool result succeeded.
pub fn ok(tool: &str, result: &Value) {
    assert_eq!(result["isError"], json!(false), "{tool}: {result}");
}

/// Asserts a tool result is an error and returns its text.
pub fn error_text(tool: &str, result: &Value) -> String {
    assert_eq!(result["isError"], json!(true), "{tool}: {result}");
    result["content"][0]["text"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}
