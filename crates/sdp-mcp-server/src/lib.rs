//! The sdp-mcp server library: ManageEngine ServiceDesk Plus served as MCP
//! tools over Streamable HTTP (`/mcp`), legacy SSE (`/sse` + `/messages`) and
//! stdio.
//!
//! The binary calls, for HTTP:
//!
//! ```no_run
//! # async fn serve() -> Result<(), Box<dyn std::error::Error>> {
//! use sdp_mcp_server::{Config, EnvSource};
//! let config = Config::from_env(&EnvSource::from_process()?)?;
//! let listener = tokio::net::TcpListener::bind(config.http.bind_address()).await?;
//! let shutdown = async { let _ = tokio::signal::ctrl_c().await; };
//! sdp_mcp_server::run(listener, config, shutdown).await?;
//! # Ok(()) }
//! ```
//!
//! and for stdio `sdp_mcp_server::serve_stdio(config, tokio::io::stdin(), tokio::io::stdout())`.
#![warn(missing_docs)]

mod audit;
mod auth;
pub mod config;
mod context;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod handler;
mod header_credentials;
pub mod limits;
mod lookups;
pub mod oauth;
pub mod ops;
mod origin;
mod prompts;
mod rate_limit;
mod registry;
mod resources;
mod server;
mod sessions;
mod shared_tokens;
mod store_auth;
mod tools;
mod transport;
mod upstream;

/// The `tracing` filter the binary should default to (`RUST_LOG` may
/// override it): `info`, except rmcp's Streamable HTTP session internals,
/// which log session ids at `info` and `debug`. Session ids are routing
/// handles that must not reach logs.
pub const RECOMMENDED_LOG_FILTER: &str = "info,rmcp::transport::streamable_http_server=warn";

pub use auth::{AuthMethod, Principal, UserId};
pub use config::{Config, ConfigError, EnvSource};
pub use context::{ContextError, SingleUserContexts, UserContext, UserContexts};
pub use error::ServerError;
pub use registry::StoreUserContexts;
/// The credential store of multi-user mode, re-exported for the binary and tests.
pub use sdp_mcp_store as store;
pub use server::{Server, ServerBuilder, run, serve_stdio};
pub use tools::{Toolset, tool_catalog, toolsets};
pub use upstream::{Upstream, shared_http_client};
