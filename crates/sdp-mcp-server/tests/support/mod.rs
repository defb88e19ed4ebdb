//! Shared test harness: an in-process simulator and the real server on port 0.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod harness;
pub mod schema;

use std::collections::HashMap;
use std::time::Duration;

use rmcp::model::{CallToolRequestParams, CallToolResult, ClientConfig, JsonObject};
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{RoleClient, ServiceExt};
use sdp_mcp_server::{Config, EnvSource, Server, ServerError};
use sdp_sim::{SimHandle, Simulator};
use secrecy::SecretString;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The API key of the default test server.
pub const API_KEY: &str = "test-api-key-0123456789";
/// The second principal's key (session-binding tests).
pub const OTHER_KEY: &str = "other-api-key-9876543210";

/// A safety net for awaits that should finish quickly; never a synchronisation.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Starts a simulator with two users.
pub async fn simulator() -> SimHandle {
    Simulator::builder()
        .users(2)
        .spawn(TcpListener::bind("127.0.0.1:0").await.unwrap())
        .await
        .unwrap()
}

/// The environment of the simulator's first user.
pub fn sim_env(sim: &SimHandle) -> HashMap<String, String> {
    let user = &sim.directory().users[0];
    HashMap::from([
        ("SDP_CLIENT_ID".to_owned(), user.client_id.clone()),
        ("SDP_CLIENT_SECRET".to_owned(), user.client_secret.clone()),
        ("SDP_REFRESH_TOKEN".to_owned(), user.refresh_token.clone()),
        ("SDP_INSTANCE_NAME".to_owned(), user.portal.clone()),
        ("SDP_BASE_URL".to_owned(), sim.base_url().to_owned()),
        ("SDP_ACCOUNTS_URL".to_owned(), sim.base_url().to_owned()),
    ])
}

/// Options of a [`TestServer`].
pub struct TestServerBuilder {
    env: HashMap<String, String>,
    api_key: Option<String>,
    other_key: bool,
    read_only: bool,
    toolsets: Option<Vec<String>>,
    grace: Duration,
}

impl TestServerBuilder {
    /// No `SDP_MCP_API_KEY` (loopback without authentication).
    pub fn without_api_key(mut self) -> Self {
        self.api_key = None;
        self
    }
    /// Adds a second principal `other` with [`OTHER_KEY`].
    pub fn with_other_principal(mut self) -> Self {
        self.other_key = true;
        self
    }
    /// Overrides one environment variable.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.insert(name.to_owned(), value.to_owned());
        self
    }
    /// `--read-only`.
    pub fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }
    /// `--toolsets` (e.g. `["all"]`).
    pub fn toolsets(mut self, names: &[&str]) -> Self {
        self.toolsets = Some(names.iter().map(|n| (*n).to_owned()).collect());
        self
    }
    /// Shutdown grace period.
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// Starts the server against `sim`.
    pub async fn start(self, sim: SimHandle) -> TestServer {
        let mut env = sim_env(&sim);
        if let Some(key) = &self.api_key {
            env.insert("SDP_MCP_API_KEY".to_owned(), key.clone());
        }
        env.extend(self.env);
        let mut config = Config::from_env(&EnvSource::from_vars(env)).unwrap();
        config.tools.read_only = self.read_only;
        if let Some(toolsets) = self.toolsets {
            config.tools.toolsets = Some(toolsets);
        }
        config.http.shutdown_grace = self.grace;
        let mut builder = Server::builder(config);
        if self.other_key {
            builder = builder.extra_api_key("other", SecretString::from(OTHER_KEY));
        }
        let server = builder.build().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let shutdown = CancellationToken::new();
        let stop = shutdown.clone();
        let task = tokio::spawn(async move {
            server
                .run(listener, async move { stop.cancelled().await })
                .await
        });
        TestServer {
            url,
            api_key: self.api_key,
            sim,
            shutdown,
            task,
            http: reqwest::Client::new(),
        }
    }
}

/// A running server and its simulator.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The configured key, if any.
    pub api_key: Option<String>,
    /// The simulator behind it.
    pub sim: SimHandle,
    shutdown: CancellationToken,
    task: JoinHandle<Result<(), ServerError>>,
    http: reqwest::Client,
}

impl TestServer {
    /// Default options: API key [`API_KEY`], all default toolsets.
    pub fn builder() -> TestServerBuilder {
        TestServerBuilder {
            env: HashMap::new(),
            api_key: Some(API_KEY.to_owned()),
            other_key: false,
            read_only: false,
            toolsets: None,
            grace: Duration::from_secs(10),
        }
    }

    /// A default server on a fresh simulator.
    pub async fn start() -> Self {
        Self::builder().start(simulator().await).await
    }

    /// `http://…/mcp`.
    pub fn mcp_url(&self) -> String {
        format!("{}/mcp", self.url)
    }

    /// Signals shutdown without waiting.
    pub fn signal_shutdown(&self) {
        self.shutdown.cancel();
    }

    /// Signals shutdown and waits for `run` to return.
    pub async fn stop(self) -> Result<(), ServerError> {
        self.shutdown.cancel();
        tokio::time::timeout(TIMEOUT, self.task)
            .await
            .expect("server did not stop")
            .expect("server task panicked")
    }

    /// An rmcp client over Streamable HTTP (legacy `initialize` era) with `key`.
    pub async fn mcp_client_with_key(
        &self,
        key: Option<&str>,
    ) -> RunningService<RoleClient, ClientConfig> {
        let mut config = StreamableHttpClientTransportConfig::with_uri(self.mcp_url());
        if let Some(key) = key {
            config = config.auth_header(key);
        }
        let transport = StreamableHttpClientTransport::from_config(config);
        tokio::time::timeout(TIMEOUT, ClientConfig::default().serve(transport))
            .await
            .expect("initialize timed out")
            .expect("initialize failed")
    }

    /// An rmcp client with the server's key.
    pub async fn mcp_client(&self) -> RunningService<RoleClient, ClientConfig> {
        self.mcp_client_with_key(self.api_key.as_deref()).await
    }

    /// A raw HTTP client.
    pub fn http(&self) -> reqwest::Client {
        self.http.clone()
    }
}

/// Calls `tool` with `arguments` (a JSON object).
pub async fn call(
    client: &RunningService<RoleClient, ClientConfig>,
    tool: &str,
    arguments: Value,
) -> CallToolResult {
    let arguments: JsonObject = match arguments {
        Value::Object(map) => map,
        other => panic!("arguments must be an object, got {other}"),
    };
    let params = CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments);
    tokio::time::timeout(TIMEOUT, client.call_tool(params))
        .await
        .unwrap_or_else(|_| panic!("{tool} timed out"))
        .unwrap_or_else(|error| panic!("{tool} failed: {error}"))
}

/// The text of the first content block.
pub fn text(result: &CallToolResult) -> String {
    result
        .content
        .first()
        .and_then(|c| c.as_text())
        .map(|t| t.text.clone())
        .unwrap_or_default()
}

/// Asserts a successful call and returns its structured content.
pub fn ok(tool: &str, result: &CallToolResult) -> Value {
    assert_ne!(
        result.is_error,
        Some(true),
        "{tool} returned an error: {}",
        text(result)
    );
    result
        .structured_content
        .clone()
        .unwrap_or_else(|| panic!("{tool} returned no structured content"))
}

/// Reads `text/event-stream` events from a response body.
pub struct EventReader {
    body: std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buffer: String,
}

impl EventReader {
    /// Wraps a streaming response.
    pub fn new(response: reqwest::Response) -> Self {
        Self {
            body: Box::pin(response.bytes_stream()),
            buffer: String::new(),
        }
    }

    /// The next event as `(event name, data)`; comments and keep-alives skipped.
    pub async fn next_event(&mut self) -> Option<(String, String)> {
        use futures::StreamExt;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = "message".to_owned();
                let mut data = Vec::new();
                for line in block.lines() {
                    if let Some(name) = line.strip_prefix("event:") {
                        name.trim().clone_into(&mut event);
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push(value.strip_prefix(' ').unwrap_or(value).to_owned());
                    }
                }
                if data.is_empty() {
                    continue;
                }
                return Some((event, data.join("\n")));
            }
            let chunk = tokio::time::timeout(TIMEOUT, self.body.next())
                .await
                .expect("no SSE event in time")?
                .ok()?;
            self.buffer
                .push_str(&String::from_utf8_lossy(&chunk).replace("\r\n", "\n"));
        }
    }
}

/// A JSON-RPC `initialize` request body (legacy era).
pub fn initialize_body(id: u64) -> Value {
    serde_json::json!({
        "jsonrpc": "2.0", "id": id, "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "raw-test", "version": "0"}
        }
    })
}
