//! Harness of the multi-user tests: a simulator with many users, a store in a
//! temporary directory holding them, and the real server on port 0.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use sdp_mcp_server::store::{
    AuthMethod, ExposeSecret as _, NewUser, SdpAuth, SdpCredentials, SecretString, Store,
    StoreOptions, open_store,
};
use sdp_mcp_server::{Config, EnvSource, Server, ServerError};
use sdp_sim::{SimHandle, SimUser, Simulator};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Base of simulated SDP ids (`sdp-sim`'s `ID_BASE`); portal `i` owns
/// `[ID_BASE + i * ID_RANGE, ID_BASE + (i + 1) * ID_RANGE)`.
pub const ID_BASE: u64 = 100_000_000_000_000_000;
/// Width of one portal's id range.
pub const ID_RANGE: u64 = 1_000_000_000_000;

/// One user of the test server.
#[derive(Clone)]
pub struct TestUser {
    pub sim: SimUser,
    pub store_id: String,
    pub key: String,
}

/// Options of a [`MultiServer`].
pub struct MultiOptions {
    pub users: usize,
    pub portals: usize,
    pub requests_per_portal: usize,
    pub env: Vec<(&'static str, &'static str)>,
    pub auth_cache_ttl: Option<Duration>,
}

impl Default for MultiOptions {
    fn default() -> Self {
        Self {
            users: 3,
            portals: 2,
            requests_per_portal: 10,
            env: vec![("SDP_MCP_RATE_LIMIT_PER_MINUTE", "0")],
            auth_cache_ttl: None,
        }
    }
}

/// The real server in multi-user mode.
pub struct MultiServer {
    pub url: String,
    pub sim: SimHandle,
    pub store: Arc<dyn Store>,
    pub users: Vec<TestUser>,
    http: reqwest::Client,
    shutdown: CancellationToken,
    task: JoinHandle<Result<(), ServerError>>,
    _dir: tempfile::TempDir,
}

/// The store form of a simulated user's credentials.
pub fn credentials_of(user: &SimUser, base_url: &str) -> SdpCredentials {
    SdpCredentials {
        auth: SdpAuth::CloudOAuth {
            client_id: Some(user.client_id.clone()),
            client_secret: Some(SecretString::from(user.client_secret.clone())),
            refresh_token: SecretString::from(user.refresh_token.clone()),
            scopes: Vec::new(),
        },
        instance: Some(user.portal.clone()),
        base_url: Some(base_url.to_owned()),
        accounts_url: Some(base_url.to_owned()),
        data_center: None,
    }
}

impl MultiServer {
    pub async fn start(options: MultiOptions) -> Self {
        let sim = Simulator::builder()
            .users(options.users)
            .portals(options.portals)
            .requests_per_portal(options.requests_per_portal)
            .spawn(TcpListener::bind("127.0.0.1:0").await.unwrap())
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = open_store(StoreOptions::new(dir.path(), None, None).unwrap())
            .await
            .unwrap();
        let new_users = sim
            .directory()
            .users
            .iter()
            .map(|user| NewUser {
                name: user.login.clone(),
                display_name: None,
                email: None,
                auth_method: AuthMethod::EnvImport,
                credentials: Some(credentials_of(user, sim.base_url())),
                issue_api_key: true,
            })
            .collect();
        let outcomes = store.import_users(new_users).await.unwrap();
        let users = outcomes
            .iter()
            .map(|outcome| {
                let sim_user = sim
                    .directory()
                    .users
                    .iter()
                    .find(|u| u.login == outcome.user.name)
                    .unwrap()
                    .clone();
                TestUser {
                    sim: sim_user,
                    store_id: outcome.user.id.as_str().to_owned(),
                    key: outcome.new_key.as_ref().unwrap().expose_secret().to_owned(),
                }
            })
            .collect();
        let mut config =
            Config::multi_user_from_env(&EnvSource::from_vars(options.env.clone())).unwrap();
        if let Some(ttl) = options.auth_cache_ttl {
            config.multi_user.auth_cache_ttl = ttl;
        }
        let server = Server::builder(config)
            .store(store.clone())
            .build()
            .unwrap();
        assert!(server.is_multi_user());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(server.run(listener, shutdown.clone().cancelled_owned()));
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .build()
            .unwrap();
        Self {
            url,
            sim,
            store,
            users,
            http,
            shutdown,
            task,
            _dir: dir,
        }
    }

    pub fn http(&self) -> reqwest::Client {
        self.http.clone()
    }

    pub fn mcp_url(&self) -> String {
        format!("{}/mcp", self.url)
    }

    /// Portal index of a portal name.
    pub fn portal_index(&self, portal: &str) -> usize {
        self.sim
            .directory()
            .portals
            .iter()
            .position(|p| p == portal)
            .unwrap()
    }

    /// Some request id of `portal`, read from the simulator.
    pub fn request_id_on(&self, portal: &str) -> u64 {
        let portal = self.sim.state().sdp.portal(portal).unwrap();
        let data = portal.data.read();
        *data.records("requests").next().unwrap().0
    }

    /// Calls a tool as `key` with a 2026-07-28 stateless request; returns the JSON-RPC `result`.
    pub async fn call_with_headers(
        &self,
        headers: &[(&str, String)],
        tool: &str,
        arguments: Value,
    ) -> (reqwest::StatusCode, Value) {
        call_tool(&self.http, &self.mcp_url(), headers, tool, arguments).await
    }

    /// Calls a tool as `key`; panics unless HTTP 200.
    pub async fn call(&self, key: &str, tool: &str, arguments: Value) -> Value {
        let (status, result) = self
            .call_with_headers(
                &[("authorization", format!("Bearer {key}"))],
                tool,
                arguments,
            )
            .await;
        assert_eq!(status, reqwest::StatusCode::OK, "{result}");
        result
    }

    pub async fn stop(self) -> SimHandle {
        self.shutdown.cancel();
        self.task.await.unwrap().unwrap();
        self.sim
    }
}

fn modern_meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "multi-user-test", "version": "0"}
    })
}

/// One stateless `tools/call`; returns the HTTP status and the JSON-RPC `result`
/// (or the whole body when there is none).
pub async fn call_tool(
    http: &reqwest::Client,
    url: &str,
    headers: &[(&str, String)],
    tool: &str,
    arguments: Value,
) -> (reqwest::StatusCode, Value) {
    let mut request = http
        .post(url)
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/call")
        .header("mcp-name", tool);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                      "params": {"name": tool, "arguments": arguments, "_meta": modern_meta()}}))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let text = response.text().await.unwrap();
    if status != reqwest::StatusCode::OK {
        return (status, Value::String(text));
    }
    let message: Value = if content_type.starts_with("text/event-stream") {
        text.lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
            .find(|m| m["id"] == 1)
            .unwrap_or_else(|| panic!("no response in the stream: {text}"))
    } else {
        serde_json::from_str(&text).unwrap()
    };
    let result = message.get("result").cloned().unwrap_or(message);
    (status, result)
}

/// The text of a tool result's first content block.
pub fn text_of(result: &Value) -> String {
    result["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Whether a tool result is an error.
pub fn is_error(result: &Value) -> bool {
    result["isError"].as_bool().unwrap_or(false)
}
