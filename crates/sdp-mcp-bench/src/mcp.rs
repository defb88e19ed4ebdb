//! A deliberately thin MCP client: raw JSON-RPC over Streamable HTTP with
//! keep-alive (`reqwest`), so the benchmark measures the server and not a
//! client SDK. `initialize` → `notifications/initialized` → `tools/call`,
//! carrying `Mcp-Session-Id` and `MCP-Protocol-Version`; a response body is
//! either JSON or an SSE stream whose `data:` event holds the response.

use std::fmt;
use std::time::Duration;

use serde_json::{Value, json};

/// The protocol revision the client negotiates.
pub const PROTOCOL_VERSION: &str = "2025-11-25";
const SESSION_HEADER: &str = "mcp-session-id";
const VERSION_HEADER: &str = "mcp-protocol-version";
const ACCEPT: &str = "application/json, text/event-stream";
/// How long the end of an answered SSE body may take to arrive.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(1);
/// Longest excerpt of a body or message kept in an error.
const SNIPPET: usize = 200;

/// Why a call did not return a successful result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// The server answered with a non-success HTTP status.
    Http {
        /// The status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// Connection refused or reset, or another transport failure.
    Transport(String),
    /// No complete answer within the request time-out.
    Timeout,
    /// A JSON-RPC error response.
    JsonRpc {
        /// The error code.
        code: i64,
        /// The message.
        message: String,
    },
    /// A tool result with `isError: true`.
    Tool(String),
    /// A body that is neither a JSON-RPC response nor an SSE stream holding one.
    BadBody(String),
}

impl CallError {
    /// A stable, low-cardinality key for counting errors by kind.
    pub fn kind(&self) -> String {
        match self {
            CallError::Http { status, .. } => format!("http_{status}"),
            CallError::Transport(_) => "transport".to_owned(),
            CallError::Timeout => "timeout".to_owned(),
            CallError::JsonRpc { code, .. } => format!("jsonrpc_{code}"),
            CallError::Tool(_) => "tool_is_error".to_owned(),
            CallError::BadBody(_) => "bad_body".to_owned(),
        }
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Http { status, body } => write!(f, "HTTP {status}: {body}"),
            CallError::Transport(message) => write!(f, "transport error: {message}"),
            CallError::Timeout => f.write_str("no answer within the request time-out"),
            CallError::JsonRpc { code, message } => write!(f, "JSON-RPC error {code}: {message}"),
            CallError::Tool(message) => write!(f, "tool error: {message}"),
            CallError::BadBody(message) => write!(f, "unreadable answer: {message}"),
        }
    }
}

impl std::error::Error for CallError {}

fn snippet(text: &str) -> String {
    let mut end = text.len().min(SNIPPET);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].trim().to_owned()
}

fn transport(error: &reqwest::Error) -> CallError {
    if error.is_timeout() {
        CallError::Timeout
    } else {
        // The source chain says more than reqwest's top-level message.
        let mut message = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(inner) = source {
            message = format!("{message}: {inner}");
            source = inner.source();
        }
        CallError::Transport(snippet(&message))
    }
}

/// One MCP session of one principal.
#[derive(Debug)]
pub struct McpSession {
    http: reqwest::Client,
    url: String,
    authorization: String,
    session_id: Option<String>,
    next_id: u64,
    timeout: Duration,
    /// An SSE body whose answer was read but whose end was not yet seen;
    /// drained before the next request so the connection can be reused,
    /// outside the measured latency.
    unfinished: Option<reqwest::Response>,
}

impl McpSession {
    /// Opens a session: `initialize`, then `notifications/initialized`.
    pub async fn open(
        http: reqwest::Client,
        url: String,
        api_key: &str,
        timeout: Duration,
    ) -> Result<Self, CallError> {
        let mut session = Self {
            http,
            url,
            authorization: format!("Bearer {api_key}"),
            session_id: None,
            next_id: 1,
            timeout,
            unfinished: None,
        };
        session.initialize().await?;
        Ok(session)
    }

    /// Forgets the session id and handshakes again (after a 404: the server
    /// no longer knows the session).
    pub async fn reopen(&mut self) -> Result<(), CallError> {
        self.session_id = None;
        self.initialize().await
    }

    async fn initialize(&mut self) -> Result<(), CallError> {
        let params = json!({
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "sdp-mcp-bench", "version": env!("CARGO_PKG_VERSION")},
        });
        self.request("initialize", params).await?;
        let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        let response = self.post(&note).await?;
        let status = response.status();
        if !status.is_success() {
            return Err(http_error(response).await);
        }
        // Drain (normally empty, 202) so the connection goes back to the pool.
        let _ = response.bytes().await;
        Ok(())
    }

    /// Names of the tools the server lists for this principal (first page).
    pub async fn list_tools(&mut self) -> Result<Vec<String>, CallError> {
        let result = self.request("tools/list", json!({})).await?;
        Ok(result["tools"]
            .as_array()
            .map(|tools| {
                tools
                    .iter()
                    .filter_map(|t| t["name"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Calls `tool`; a result with `isError: true` becomes [`CallError::Tool`].
    pub async fn call_tool(&mut self, tool: &str, arguments: Value) -> Result<Value, CallError> {
        let result = self
            .request("tools/call", json!({"name": tool, "arguments": arguments}))
            .await?;
        if result["isError"].as_bool() == Some(true) {
            let text = result["content"][0]["text"].as_str().unwrap_or("(no text)");
            return Err(CallError::Tool(snippet(text)));
        }
        Ok(result)
    }

    async fn post(&self, message: &Value) -> Result<reqwest::Response, CallError> {
        let mut request = self
            .http
            .post(&self.url)
            .timeout(self.timeout)
            .header(reqwest::header::AUTHORIZATION, &self.authorization)
            .header(reqwest::header::ACCEPT, ACCEPT)
            .json(message);
        if let Some(id) = &self.session_id {
            request = request
                .header(SESSION_HEADER, id)
                .header(VERSION_HEADER, PROTOCOL_VERSION);
        }
        request.send().await.map_err(|e| transport(&e))
    }

    /// Reads the rest of the previous SSE body (normally just the final
    /// chunk, already received) so its connection returns to the pool; a
    /// body that does not end soon is dropped with its connection.
    pub async fn finish_previous(&mut self) {
        if let Some(mut response) = self.unfinished.take() {
            let drain = async { while let Ok(Some(_)) = response.chunk().await {} };
            let _ = tokio::time::timeout(DRAIN_TIMEOUT, drain).await;
        }
    }

    /// Sends one request and returns its `result`.
    async fn request(&mut self, method: &str, params: Value) -> Result<Value, CallError> {
        self.finish_previous().await;
        let id = self.next_id;
        self.next_id += 1;
        let message = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let timeout = self.timeout;
        let work = async {
            let mut response = self.post(&message).await?;
            if !response.status().is_success() {
                return Err(http_error(response).await);
            }
            if let Some(session) = response.headers().get(SESSION_HEADER)
                && let Ok(session) = session.to_str()
            {
                self.session_id = Some(session.to_owned());
            }
            let is_sse = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/event-stream"));
            let answer = if is_sse {
                let answer = read_sse_response(&mut response, id).await?;
                self.unfinished = Some(response);
                answer
            } else {
                let body = response.bytes().await.map_err(|e| transport(&e))?;
                serde_json::from_slice(&body)
                    .map_err(|e| CallError::BadBody(format!("{e}: {}", lossy(&body))))?
            };
            rpc_result(answer, id)
        };
        tokio::time::timeout(timeout, work)
            .await
            .unwrap_or(Err(CallError::Timeout))
    }
}

async fn http_error(response: reqwest::Response) -> CallError {
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    CallError::Http {
        status,
        body: snippet(&body),
    }
}

fn lossy(body: &[u8]) -> String {
    snippet(&String::from_utf8_lossy(body))
}

/// Reads an SSE body chunk by chunk until the event answering `id` arrives
/// (the stream may stay open after it, or carry priming events before it).
async fn read_sse_response(response: &mut reqwest::Response, id: u64) -> Result<Value, CallError> {
    let mut parser = SseParser::default();
    loop {
        let chunk = response.chunk().await.map_err(|e| transport(&e))?;
        let at_end = chunk.is_none();
        if let Some(chunk) = chunk {
            parser.push(&chunk);
        }
        while let Some(data) = parser.next_event(at_end) {
            if let Some(answer) = response_in(&data, id) {
                return Ok(answer);
            }
        }
        if at_end {
            return Err(CallError::BadBody(
                "the event stream ended without the response".to_owned(),
            ));
        }
    }
}

/// `data` parsed as the JSON-RPC response to `id`, if it is one.
fn response_in(data: &str, id: u64) -> Option<Value> {
    let message: Value = serde_json::from_str(data).ok()?;
    (message["id"] == json!(id)).then_some(message)
}

/// The `result` of a JSON-RPC response to `id`, or its error.
pub fn rpc_result(mut message: Value, id: u64) -> Result<Value, CallError> {
    if let Some(error) = message.get("error") {
        return Err(CallError::JsonRpc {
            code: error["code"].as_i64().unwrap_or(0),
            message: snippet(error["message"].as_str().unwrap_or("(no message)")),
        });
    }
    if message["id"] != json!(id) {
        return Err(CallError::BadBody(format!(
            "response id {} does not match request id {id}",
            message["id"]
        )));
    }
    match message.get_mut("result") {
        Some(result) => Ok(result.take()),
        None => Err(CallError::BadBody(snippet(&message.to_string()))),
    }
}

/// Incremental Server-Sent Events parser that yields the `data` of each
/// event (multi-line data joined with `\n`; comments, `id:`, `event:` and
/// `retry:` lines ignored; events without data skipped). Bytes are kept until
/// an event is complete, so a character split across chunks stays whole.
#[derive(Debug, Default)]
pub struct SseParser {
    buffer: Vec<u8>,
}

impl SseParser {
    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// The data of the next complete event; with `at_end`, an unterminated
    /// trailing event counts as complete.
    pub fn next_event(&mut self, at_end: bool) -> Option<String> {
        loop {
            let (end, rest) = match find_blank_line(&self.buffer) {
                Some(found) => found,
                None if at_end && self.buffer.iter().any(|b| !b.is_ascii_whitespace()) => {
                    (self.buffer.len(), self.buffer.len())
                }
                None => return None,
            };
            let block: Vec<u8> = self.buffer.drain(..rest).take(end).collect();
            let block = String::from_utf8_lossy(&block);
            let data: Vec<&str> = block
                .lines()
                .filter_map(|line| line.strip_prefix("data:"))
                .map(|d| d.strip_prefix(' ').unwrap_or(d))
                .collect();
            if data.iter().any(|d| !d.is_empty()) {
                return Some(data.join("\n"));
            }
        }
    }
}

/// The end of the first event block and the start of what follows it.
fn find_blank_line(buffer: &[u8]) -> Option<(usize, usize)> {
    let find = |needle: &[u8]| {
        buffer
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|i| (i, i + needle.len()))
    };
    match (find(b"\n\n"), find(b"\r\n\r\n")) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// Request ids in a `list_requests` result (structured content, else the
/// JSON text content).
pub fn request_ids(result: &Value) -> Vec<String> {
    let from = |value: &Value| -> Vec<String> {
        value["requests"]
            .as_array()
            .map(|rows| {
                rows.iter()
                    .filter_map(|r| match &r["id"] {
                        Value::String(s) => Some(s.clone()),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let ids = from(&result["structuredContent"]);
    if !ids.is_empty() {
        return ids;
    }
    result["content"][0]["text"]
        .as_str()
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
        .map(|value| from(&value))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_yields_data_of_complete_events_only() {
        let mut parser = SseParser::default();
        parser.push(b"id: 0\nretry: 3000\ndata:\n\n: comment\nevent: message\ndata: {\"a\":");
        assert_eq!(parser.next_event(false), None, "priming event has no data");
        parser.push(b"1}\n\ndata: line1\r\ndata: line2\r\n\r\n");
        assert_eq!(parser.next_event(false).as_deref(), Some("{\"a\":1}"));
        assert_eq!(parser.next_event(false).as_deref(), Some("line1\nline2"));
        assert_eq!(parser.next_event(false), None);
        parser.push(b"data: tail");
        assert_eq!(parser.next_event(false), None);
        assert_eq!(parser.next_event(true).as_deref(), Some("tail"));
        assert_eq!(parser.next_event(true), None);
    }

    #[test]
    fn sse_keeps_characters_split_across_chunks() {
        let bytes = "data: {\"name\":\"Zoë\"}\n\n".as_bytes();
        let split = bytes.iter().position(|b| *b >= 0x80).unwrap() + 1;
        let mut parser = SseParser::default();
        parser.push(&bytes[..split]);
        assert_eq!(parser.next_event(false), None);
        parser.push(&bytes[split..]);
        assert_eq!(
            parser.next_event(false).as_deref(),
            Some("{\"name\":\"Zoë\"}")
        );
    }

    #[test]
    fn picks_the_response_with_our_id() {
        assert!(response_in(r#"{"jsonrpc":"2.0","method":"notifications/progress"}"#, 3).is_none());
        assert!(response_in(r#"{"jsonrpc":"2.0","id":2,"result":{}}"#, 3).is_none());
        assert!(response_in(r#"{"jsonrpc":"2.0","id":3,"result":{}}"#, 3).is_some());
        assert!(response_in("not json", 3).is_none());
    }

    #[test]
    fn rpc_results_and_errors() {
        let ok = json!({"jsonrpc": "2.0", "id": 5, "result": {"x": 1}});
        assert_eq!(rpc_result(ok, 5).unwrap(), json!({"x": 1}));
        let err = json!({"jsonrpc": "2.0", "id": 5, "error": {"code": -32602, "message": "bad"}});
        let err = rpc_result(err, 5).unwrap_err();
        assert_eq!(err.kind(), "jsonrpc_-32602");
        assert!(err.to_string().contains("bad"));
        let other = json!({"jsonrpc": "2.0", "id": 6, "result": {}});
        assert_eq!(rpc_result(other, 5).unwrap_err().kind(), "bad_body");
        let empty = json!({"jsonrpc": "2.0", "id": 5});
        assert_eq!(rpc_result(empty, 5).unwrap_err().kind(), "bad_body");
    }

    #[test]
    fn error_kinds_are_stable() {
        let http = CallError::Http {
            status: 404,
            body: String::new(),
        };
        assert_eq!(http.kind(), "http_404");
        assert_eq!(CallError::Timeout.kind(), "timeout");
        assert_eq!(CallError::Tool("x".into()).kind(), "tool_is_error");
        assert_eq!(CallError::Transport("x".into()).kind(), "transport");
    }

    #[test]
    fn finds_request_ids_in_structured_or_text_content() {
        let structured = json!({"structuredContent": {"requests": [{"id": "1"}, {"id": 2}]}});
        assert_eq!(request_ids(&structured), vec!["1", "2"]);
        let text =
            json!({"content": [{"type": "text", "text": "{\"requests\":[{\"id\":\"9\"}]}"}]});
        assert_eq!(request_ids(&text), vec!["9"]);
        assert!(request_ids(&json!({})).is_empty());
    }

    #[test]
    fn snippets_respect_char_boundaries() {
        let long = "é".repeat(300);
        let cut = snippet(&long);
        assert!(cut.len() <= SNIPPET);
        assert!(cut.chars().all(|c| c == 'é'));
    }
}
