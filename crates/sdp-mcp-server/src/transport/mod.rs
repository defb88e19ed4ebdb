//! Transports: Streamable HTTP + legacy SSE over HTTP, and stdio (in `server`).

pub(crate) mod http;
pub(crate) mod light_sessions;
pub(crate) mod sse;
pub mod tls;
