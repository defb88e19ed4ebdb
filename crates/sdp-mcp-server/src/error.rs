//! Errors of the server library (start-up and transport failures). Tool
//! failures are not errors of the server: they become `isError` results, see
//! `tools::ToolError`.

use std::net::SocketAddr;

use crate::config::ConfigError;

/// Why the server could not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// No `SDP_MCP_API_KEY` is set and the listener is reachable from other hosts.
    #[error(
        "refusing to serve on {address} without authentication: set SDP_MCP_API_KEY \
         (clients then send `Authorization: Bearer <key>`), or bind to 127.0.0.1 / [::1] \
         (SDP_HTTP_HOST=127.0.0.1)"
    )]
    InsecureListener {
        /// The bound address.
        address: SocketAddr,
    },
    /// OAuth sign-in was configured without a store to keep its users and tokens.
    #[error(
        "OAuth sign-in (SDP_MCP_PUBLIC_URL) needs multi-user mode with a store: \
         sdp-mcp serve --data-dir DIR"
    )]
    OAuthWithoutStore,
    /// The upstream client could not be built from the configuration.
    #[error("cannot set up the ServiceDesk Plus client: {0}")]
    Upstream(String),
    /// A requested toolset does not exist.
    #[error("unknown toolset `{name}`; available toolsets: {available}")]
    UnknownToolset {
        /// The name given.
        name: String,
        /// Comma-separated valid names.
        available: String,
    },
    /// Reading the listener address or serving failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The HTTPS certificate or key cannot be used.
    #[error(transparent)]
    Tls(#[from] crate::transport::tls::TlsError),
    /// The stdio MCP session failed.
    #[error("stdio transport failed: {0}")]
    Stdio(String),
}
