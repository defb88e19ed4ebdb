//! Harness of the scale-out tests: a fresh PostgreSQL schema, server replicas
//! each on its own runtime (so killing one drops its connections, tasks and
//! database pool, like a killed process), and a round-robin TCP proxy.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sdp_mcp_server::store::{
    DatabaseLocation, MasterKeySource, SecretString, SqlStore, Store, StoreOptions,
};
use sdp_mcp_server::{Config, EnvSource, Server};
use serde_json::{Value, json};
use sqlx::{Connection, Executor, PgConnection};
use tokio::net::{TcpListener, TcpStream};

/// The variable that enables the PostgreSQL tests.
pub const DATABASE_URL_ENV: &str = "SDP_MCP_TEST_DATABASE_URL";

/// A master key shared by every replica (base64 of 32 bytes).
pub const MASTER_KEY: &str = "c2RwLW1jcC1yZXBsaWNhLXRlc3QtbWFzdGVyLWtleSE=";

/// A fresh schema on the test server, dropped at the end.
pub struct PgSchema {
    admin_url: String,
    schema: String,
    /// Connection URL whose `search_path` is the schema.
    pub url: String,
    dropped: bool,
}

impl PgSchema {
    /// `None` (after printing why) when no PostgreSQL server is configured.
    #[expect(clippy::print_stdout, reason = "a skipped test says so")]
    pub async fn create(test_name: &str) -> Option<Self> {
        let Ok(admin_url) = std::env::var(DATABASE_URL_ENV) else {
            println!("skipped: {test_name} (set {DATABASE_URL_ENV})");
            return None;
        };
        let schema = format!("t_{}", uuid_like());
        let mut admin = PgConnection::connect(&admin_url).await.unwrap();
        admin
            .execute(format!("CREATE SCHEMA {schema}").as_str())
            .await
            .unwrap();
        admin.close().await.unwrap();
        let separator = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{separator}options[search_path]={schema}");
        Some(Self {
            admin_url,
            schema,
            url,
            dropped: false,
        })
    }

    /// Opens a store on the schema (the admin's view, e.g. the CLI).
    pub async fn open_store(&self) -> Arc<dyn Store> {
        Arc::new(open(&self.url).await)
    }

    /// Drops the schema.
    pub async fn drop_schema(mut self) {
        drop_schema(&self.admin_url, &self.schema).await;
        self.dropped = true;
    }
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{nanos:x}{:x}{:x}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

async fn drop_schema(admin_url: &str, schema: &str) {
    let mut admin = PgConnection::connect(admin_url).await.unwrap();
    admin
        .execute(format!("DROP SCHEMA IF EXISTS {schema} CASCADE").as_str())
        .await
        .unwrap();
    admin.close().await.unwrap();
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let (admin_url, schema) = (self.admin_url.clone(), self.schema.clone());
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(drop_schema(&admin_url, &schema));
        })
        .join();
    }
}

async fn open(url: &str) -> SqlStore {
    SqlStore::open(StoreOptions {
        database: DatabaseLocation::Postgres(SecretString::from(url.to_owned())),
        master_key: MasterKeySource::Env(SecretString::from(MASTER_KEY)),
        max_connections: Some(8),
    })
    .await
    .unwrap()
}

/// One server replica on its own runtime and database pool.
pub struct Replica {
    /// `http://127.0.0.1:port`.
    pub url: String,
    pub address: std::net::SocketAddr,
    /// The replica's own store (use through [`Replica::run`]).
    pub store: Arc<dyn Store>,
    handle: tokio::runtime::Handle,
    kill: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Replica {
    /// Starts a multi-user replica on `database_url`.
    pub async fn start(database_url: &str, stateless: bool) -> Self {
        let url = database_url.to_owned();
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        let (kill_tx, kill_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let store: Arc<dyn Store> = Arc::new(open(&url).await);
                let mut config = Config::multi_user_from_env(&EnvSource::from_vars([(
                    "SDP_MCP_RATE_LIMIT_PER_MINUTE",
                    "0",
                )]))
                .unwrap();
                config.http.stateless = stateless;
                // Reached through the proxy's port too.
                config.http.allowed_hosts = Some(vec!["127.0.0.1".to_owned()]);
                let server = Server::builder(config)
                    .store(store.clone())
                    .build()
                    .unwrap();
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                let address = listener.local_addr().unwrap();
                tokio::spawn(server.run(listener, std::future::pending::<()>()));
                ready_tx
                    .send((address, store, tokio::runtime::Handle::current()))
                    .ok()
                    .unwrap();
                let _ = kill_rx.await;
            });
            // Dropping the runtime cancels every task and closes every socket.
            runtime.shutdown_timeout(Duration::from_secs(1));
        });
        let (address, store, handle) = ready_rx.await.unwrap();
        Self {
            url: format!("http://{address}"),
            address,
            store,
            handle,
            kill: Some(kill_tx),
            thread: Some(thread),
        }
    }

    /// Runs `future` on the replica's runtime (where its store's pool lives).
    pub async fn run<T: Send + 'static>(
        &self,
        future: impl Future<Output = T> + Send + 'static,
    ) -> T {
        self.handle.spawn(future).await.unwrap()
    }

    /// Kills the replica: its runtime, connections and pool are dropped.
    pub async fn kill(&mut self) {
        if let Some(kill) = self.kill.take() {
            let _ = kill.send(());
        }
        if let Some(thread) = self.thread.take() {
            tokio::task::spawn_blocking(move || thread.join().unwrap())
                .await
                .unwrap();
        }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        if let Some(kill) = self.kill.take() {
            let _ = kill.send(());
        }
    }
}

/// A round-robin TCP proxy: each connection goes to the next backend; a
/// backend that refuses the connection is skipped (as a load balancer does).
pub struct Proxy {
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    pub async fn start(backends: Vec<std::net::SocketAddr>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let next = Arc::new(AtomicUsize::new(0));
        let backends = Arc::new(backends);
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    continue;
                };
                let (next, backends) = (next.clone(), backends.clone());
                tokio::spawn(async move {
                    for _ in 0..backends.len() {
                        let index = next.fetch_add(1, Ordering::Relaxed) % backends.len();
                        if let Ok(mut upstream) = TcpStream::connect(backends[index]).await {
                            let _ = upstream.set_nodelay(true);
                            let _ = client.set_nodelay(true);
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                            return;
                        }
                    }
                });
            }
        });
        Self { url, task }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// An HTTP client opening one connection per request, so that a round-robin
/// proxy spreads requests over the replicas.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// One `tools/call` as `key`, in the 2025-11-25 era without a session when
/// `legacy` (served only by a `--stateless` server), else in 2026-07-28.
/// `Err` on transport failures and non-200 answers.
pub async fn try_call(
    http: &reqwest::Client,
    base_url: &str,
    key: &str,
    tool: &str,
    arguments: Value,
    legacy: bool,
) -> Result<Value, String> {
    let mut request = http
        .post(format!("{base_url}/mcp"))
        .header("authorization", format!("Bearer {key}"))
        .header("accept", "application/json, text/event-stream");
    let mut params = json!({"name": tool, "arguments": arguments});
    if legacy {
        request = request.header("mcp-protocol-version", "2025-11-25");
    } else {
        request = request
            .header("mcp-protocol-version", "2026-07-28")
            .header("mcp-method", "tools/call")
            .header("mcp-name", tool);
        params["_meta"] = json!({
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
            "io.modelcontextprotocol/clientInfo": {"name": "replica-test", "version": "0"}
        });
    }
    let response = request
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params}))
        .send()
        .await
        .map_err(|error| format!("transport: {error}"))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|error| format!("body: {error}"))?;
    if status != reqwest::StatusCode::OK {
        return Err(format!("HTTP {status}: {text}"));
    }
    let message = text
        .lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
        .find(|m| m["id"] == 1)
        .or_else(|| serde_json::from_str::<Value>(&text).ok())
        .ok_or_else(|| format!("no response in: {text}"))?;
    message
        .get("result")
        .cloned()
        .ok_or_else(|| format!("no result: {message}"))
}
