//! Typed configuration of the server, built from environment variables.
//!
//! The environment names are public surface (`design.md` §3): the seed names
//! `SDP_CLIENT_ID`, `SDP_CLIENT_SECRET`, `SDP_REFRESH_TOKEN`,
//! `SDP_INSTANCE_NAME`, `SDP_BASE_URL`, `SDP_HTTP_PORT`, `SDP_HTTP_HOST`,
//! `SDP_DATA_CENTER`, their aliases `SDP_OAUTH_CLIENT_ID`,
//! `SDP_OAUTH_CLIENT_SECRET`, `SDP_OAUTH_REFRESH_TOKEN`, `SDP_PORTAL_NAME`,
//! and the extensions `SDP_ACCOUNTS_URL`, `SDP_AUTHTOKEN`, `SDP_SCOPES`,
//! `SDP_MCP_API_KEY`, `SDP_MCP_ALLOWED_HOSTS`, `SDP_MCP_ALLOWED_ORIGINS`, and
//! for multi-user mode `SDP_MCP_ALLOW_HEADER_CREDENTIALS` and
//! `SDP_MCP_RATE_LIMIT_PER_MINUTE`.
//!
//! The variables come from an [`EnvSource`], a plain map, so tests never touch
//! the process environment; only [`EnvSource::from_process`] reads it.

mod dotenv;
mod env;
pub mod file;

use std::time::Duration;

use sdp_client::{DataCenter, Endpoint};
use secrecy::SecretString;

pub use env::EnvSource;

/// Everything `run` and `serve_stdio` need.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where ServiceDesk Plus is and how to authenticate to it: the single
    /// user's connection; `None` in multi-user mode, where every user's
    /// connection comes from the store.
    pub upstream: Option<UpstreamConfig>,
    /// The HTTP listener's settings (ignored on stdio).
    pub http: HttpConfig,
    /// Which tools are offered.
    pub tools: ToolsConfig,
    /// Settings of multi-user mode (store-backed users, header credentials,
    /// per-user limits).
    pub multi_user: MultiUserConfig,
    /// MCP OAuth sign-in delegated to Zoho (`SDP_MCP_PUBLIC_URL` and the
    /// `SDP_MCP_ZOHO_*` / `SDP_MCP_OAUTH_*` variables); `None` when
    /// `SDP_MCP_PUBLIC_URL` is unset. Used only in multi-user mode with a store.
    pub oauth: Option<crate::oauth::OAuthConfig>,
}

/// Settings of multi-user mode.
#[derive(Debug, Clone)]
pub struct MultiUserConfig {
    /// Accept per-request SDP credentials in `X-SDP-*` headers as their own
    /// authentication (`SDP_MCP_ALLOW_HEADER_CREDENTIALS=true`). Off by default.
    pub allow_header_credentials: bool,
    /// Tool calls per minute per user (`SDP_MCP_RATE_LIMIT_PER_MINUTE`; `0`,
    /// the default, turns the limit off). Over the limit a call gets an
    /// `isError` result naming the limit and when to retry.
    pub calls_per_minute: u32,
    /// How long a verified API key is trusted before the store is asked
    /// again (bounds how long a user disabled by another process keeps working).
    pub auth_cache_ttl: Duration,
    /// Most user contexts kept in memory at once.
    pub max_contexts: usize,
    /// A user context unused this long is dropped (and rebuilt on next use).
    pub context_idle: Duration,
}

impl Default for MultiUserConfig {
    fn default() -> Self {
        Self {
            allow_header_credentials: false,
            calls_per_minute: DEFAULT_CALLS_PER_MINUTE,
            auth_cache_ttl: Duration::from_secs(30),
            max_contexts: 10_000,
            context_idle: Duration::from_secs(30 * 60),
        }
    }
}

/// Default of `SDP_MCP_RATE_LIMIT_PER_MINUTE`: no limit (load tests and
/// benchmarks run at full speed); set e.g. 120 in production.
pub const DEFAULT_CALLS_PER_MINUTE: u32 = 0;

/// The single user's ServiceDesk Plus instance and credentials.
#[derive(Debug, Clone)]
pub struct UpstreamConfig {
    /// Where SDP is: cloud (`SDP_BASE_URL` or `SDP_DATA_CENTER`, plus
    /// `SDP_INSTANCE_NAME`) or on-premises (`SDP_BASE_URL` with `SDP_AUTHTOKEN`).
    pub endpoint: Endpoint,
    /// Zoho accounts base URL (`SDP_ACCOUNTS_URL`, else the data centre's);
    /// `None` on-premises.
    pub accounts_url: Option<String>,
    /// The data centre, when given (`SDP_DATA_CENTER`) or recognised from the base URL.
    pub data_center: Option<DataCenter>,
    /// How to authenticate to SDP.
    pub credentials: Credentials,
}

/// How the server authenticates to ServiceDesk Plus.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// SDP Cloud: a Zoho OAuth client and a refresh token.
    Zoho {
        /// Zoho client id (`SDP_CLIENT_ID` / `SDP_OAUTH_CLIENT_ID`).
        client_id: String,
        /// Zoho client secret (`SDP_CLIENT_SECRET` / `SDP_OAUTH_CLIENT_SECRET`).
        client_secret: SecretString,
        /// Zoho refresh token (`SDP_REFRESH_TOKEN` / `SDP_OAUTH_REFRESH_TOKEN`).
        refresh_token: SecretString,
        /// Scopes the refresh token was granted (`SDP_SCOPES`, comma separated), informational.
        scopes: Vec<String>,
    },
    /// SDP on-premises: a technician API key (`SDP_AUTHTOKEN`).
    OnPrem {
        /// The technician key.
        authtoken: SecretString,
    },
}

impl Credentials {
    /// `zoho_oauth` or `on_prem_api_key`, for logs and `whoami`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Zoho { .. } => "zoho_oauth",
            Self::OnPrem { .. } => "on_prem_api_key",
        }
    }
}

/// Settings of the HTTP transports.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Interface the binary binds (`SDP_HTTP_HOST`, default `127.0.0.1`).
    pub host: String,
    /// Port the binary binds (`SDP_HTTP_PORT`, default 3456).
    pub port: u16,
    /// Bearer key required on every MCP request (`SDP_MCP_API_KEY`). Without
    /// it the server only accepts a loopback listener.
    pub api_key: Option<SecretString>,
    /// Accepted `Host` header values (`SDP_MCP_ALLOWED_HOSTS`, comma separated;
    /// `host` matches any port, `host:port` only that port). `None`: `localhost`,
    /// `127.0.0.1` and `[::1]` with the bound port.
    pub allowed_hosts: Option<Vec<String>>,
    /// Accepted browser `Origin` values (`SDP_MCP_ALLOWED_ORIGINS`, comma
    /// separated, `scheme://host:port`). `None`: `http://localhost`,
    /// `http://127.0.0.1` and `http://[::1]` with the bound port. Requests
    /// without `Origin` (non-browser clients) always pass.
    pub allowed_origins: Option<Vec<String>>,
    /// How long shutdown waits for in-flight requests before closing streams.
    pub shutdown_grace: Duration,
    /// Bearer token required by `GET /metrics` (`SDP_MCP_METRICS_TOKEN`);
    /// `None`: `/metrics` is open (bind loopback or filter it at the proxy).
    pub metrics_token: Option<SecretString>,
    /// Serve Streamable HTTP without sessions (`--stateless`,
    /// `SDP_MCP_STATELESS`): no `Mcp-Session-Id`, no GET stream, nothing kept
    /// in memory between requests, so any replica can serve any request
    /// behind a plain round-robin load balancer. Legacy `/sse` still needs
    /// sticky routing.
    pub stateless: bool,
    /// Limits against hostile or broken clients (body and header size, JSON
    /// depth, slow clients, sessions, failed authentications).
    pub limits: crate::limits::HttpLimits,
    /// Serve HTTPS with this certificate and key (`--tls-cert`/`--tls-key`,
    /// `SDP_MCP_TLS_CERT`/`SDP_MCP_TLS_KEY`); `None`: plain HTTP.
    pub tls: Option<TlsFiles>,
}

/// PEM files of the HTTPS certificate chain and its private key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// Certificate chain, leaf first (`SDP_MCP_TLS_CERT`).
    pub cert: std::path::PathBuf,
    /// Private key, PKCS#8, PKCS#1 or SEC1 (`SDP_MCP_TLS_KEY`).
    pub key: std::path::PathBuf,
}

impl HttpConfig {
    /// `host:port` for `TcpListener::bind`.
    pub fn bind_address(&self) -> String {
        if self.host.contains(':') && !self.host.starts_with('[') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            host: DEFAULT_HTTP_HOST.to_owned(),
            port: DEFAULT_HTTP_PORT,
            api_key: None,
            allowed_hosts: None,
            allowed_origins: None,
            shutdown_grace: Duration::from_secs(10),
            metrics_token: None,
            stateless: false,
            limits: crate::limits::HttpLimits::default(),
            tls: None,
        }
    }
}

/// Which tools the server offers.
#[derive(Debug, Clone, Default)]
pub struct ToolsConfig {
    /// Hide every tool that is not read-only (`--read-only`).
    pub read_only: bool,
    /// Toolsets to enable by name (`--toolsets`); `None` means the default set.
    pub toolsets: Option<Vec<String>>,
    /// The `sdp_api_call` escape hatch (toolset `api`); off by default.
    pub api_call: ApiCallMode,
}

/// Whether `sdp_api_call` is offered, and for which methods.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ApiCallMode {
    /// Not offered (the default).
    #[default]
    Off,
    /// GET only (`--enable-api-call`, `SDP_MCP_ENABLE_API_CALL=true`).
    Read,
    /// GET, POST, PUT and DELETE (also `--api-call-writes`); never with `--read-only`.
    ReadWrite,
}

/// Default of `SDP_HTTP_HOST`.
pub const DEFAULT_HTTP_HOST: &str = "127.0.0.1";
/// Default of `SDP_HTTP_PORT`.
pub const DEFAULT_HTTP_PORT: u16 = 3456;

/// A configuration problem. The message names the variable and shows an example.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// One or more variables are missing or malformed.
    #[error("{}", render_problems(.0))]
    Invalid(Vec<ConfigProblem>),
    /// A `.env` line could not be parsed.
    #[error("{origin}:{line}: {problem}")]
    DotEnv {
        /// The file.
        origin: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        problem: String,
    },
    /// The `.env` file exists but could not be read.
    #[error("cannot read {path}: {source}")]
    DotEnvRead {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// One missing or malformed variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The variable, e.g. `SDP_REFRESH_TOKEN`.
    pub variable: &'static str,
    /// What is wrong, e.g. `is missing`.
    pub problem: String,
    /// An example of a valid value.
    pub example: &'static str,
}

impl std::fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} (example: {}={})",
            self.variable, self.problem, self.variable, self.example
        )
    }
}

fn render_problems(problems: &[ConfigProblem]) -> String {
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    format!("invalid configuration: {}", lines.join("; "))
}

impl Config {
    /// Builds the configuration from environment variables.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] lists every missing or malformed variable, each
    /// with an example value.
    pub fn from_env(env: &EnvSource) -> Result<Self, ConfigError> {
        env::load(env)
    }

    /// Builds the configuration of multi-user mode from environment
    /// variables: HTTP and multi-user settings only; SDP credentials come
    /// from the store, per user.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] lists every malformed variable.
    pub fn multi_user_from_env(env: &EnvSource) -> Result<Self, ConfigError> {
        env::load_multi_user(env)
    }

    /// Whether `env` carries single-user SDP credentials
    /// (`SDP_REFRESH_TOKEN`, its alias `SDP_OAUTH_REFRESH_TOKEN`, or `SDP_AUTHTOKEN`).
    pub fn has_single_user_credentials(env: &EnvSource) -> bool {
        [
            "SDP_REFRESH_TOKEN",
            "SDP_OAUTH_REFRESH_TOKEN",
            "SDP_AUTHTOKEN",
        ]
        .iter()
        .any(|name| env.get(name).is_some())
    }
}
