//! Limits against hostile or broken clients on the HTTP surface.
//!
//! - [`conn`]: our accept loop (hyper-util), with a header read timeout
//!   (slowloris), a header size cap and a cap on open connections.
//! - [`body`]: request body size and JSON nesting depth, checked before any
//!   JSON parser sees the body.
//! - [`session_ids`]: MCP session ids from the OS CSPRNG (256 bits), for
//!   `/mcp` (a wrapper around rmcp's session manager) and `/sse`.
//! - [`session_caps`]: live sessions per user and in total.
//! - [`brute_force`]: failed authentications per peer address.
//! - [`headers`]: security headers on HTML and JSON responses.

pub(crate) mod body;
pub(crate) mod brute_force;
pub(crate) mod conn;
pub(crate) mod headers;
pub(crate) mod session_caps;
pub(crate) mod session_ids;

use std::time::Duration;

/// Limits of the HTTP server (`SDP_MCP_MAX_*` and friends; `[limits]` in the
/// configuration file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpLimits {
    /// Largest request body accepted (`SDP_MCP_MAX_BODY_BYTES`, default
    /// 1 MiB); larger bodies get 413.
    pub max_body_bytes: usize,
    /// Deepest JSON nesting accepted in a request body
    /// (`SDP_MCP_MAX_JSON_DEPTH`, default 64); deeper bodies get a JSON-RPC
    /// error (HTTP 400) before any parser recurses into them.
    pub max_json_depth: usize,
    /// Largest request head (request line plus headers) accepted
    /// (`SDP_MCP_MAX_HEADER_BYTES`, default 64 KiB); larger heads get 431.
    pub max_header_bytes: usize,
    /// How long a client may take to send a request head
    /// (`SDP_MCP_HEADER_READ_TIMEOUT_SECS`, default 10 s); slower
    /// connections are closed.
    pub header_read_timeout: Duration,
    /// Most open TCP connections (`SDP_MCP_MAX_CONNECTIONS`, default 10 000);
    /// further connections wait in the kernel's accept queue.
    pub max_connections: usize,
    /// Most concurrent HTTP/2 streams per connection (fixed, 100).
    pub max_streams_per_connection: u32,
    /// Most live MCP sessions (`/mcp` and `/sse`) in total
    /// (`SDP_MCP_MAX_SESSIONS`, default 10 000); over it, new sessions get 503.
    pub max_sessions: usize,
    /// Most live MCP sessions per user (`SDP_MCP_MAX_SESSIONS_PER_USER`,
    /// default 100); over it, that user's new sessions get 429.
    pub max_sessions_per_user: usize,
    /// A Streamable HTTP session without traffic this long is closed
    /// (`SDP_MCP_SESSION_IDLE_SECS`, default 300 s, rmcp's default).
    pub session_idle: Duration,
    /// Failed authentications per peer address per minute before that peer
    /// gets 429 (`SDP_MCP_AUTH_FAILURES_PER_MINUTE`, default 20; 0 turns the
    /// limiter off).
    pub auth_failures_per_minute: u32,
}

impl HttpLimits {
    /// The default of `max_json_depth`.
    pub const DEFAULT_MAX_JSON_DEPTH: usize = 64;
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            // A 2 MiB attachment (tools::attachments::MAX_UPLOAD_BYTES) is
            // ~2.8 MB of base64 inside the JSON-RPC body: room for it.
            max_body_bytes: 4 * 1024 * 1024,
            max_json_depth: Self::DEFAULT_MAX_JSON_DEPTH,
            max_header_bytes: 64 * 1024,
            header_read_timeout: Duration::from_secs(10),
            max_connections: 10_000,
            max_streams_per_connection: 100,
            max_sessions: 10_000,
            max_sessions_per_user: 100,
            session_idle: Duration::from_secs(300),
            auth_failures_per_minute: 20,
        }
    }
}
