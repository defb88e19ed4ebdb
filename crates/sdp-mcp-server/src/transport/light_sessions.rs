//! Light sessions: 2025-era Streamable HTTP sessions without a per-session
//! worker.
//!
//! rmcp runs every legacy (2025-era) session as a task with its own channels
//! (about 70 KiB per session, measured with massif: tokio allocates the first
//! block of 32 slots of each channel up front). That state exists so the
//! server can send requests to the client (elicitation) and notifications on
//! the standalone GET stream. A session whose client did not declare the
//! `elicitation` capability, on a server without dynamic toolsets (whose
//! `notifications/tools/list_changed` needs that stream), never uses either:
//! every request is answered on its own POST. Such sessions are served by
//! rmcp's stateless path and kept here as a map entry (id → last use) of a
//! few dozen bytes; the id is minted here (256 bits, [`new_session_id`]) and
//! bound to its principal by [`crate::sessions::bind_mcp_sessions`] like any
//! other session.
//!
//! | request | light session | otherwise |
//! |---|---|---|
//! | `POST initialize`, no `elicitation` capability, static toolsets | stateless path + new light id | – |
//! | `POST` with a light id | stateless path | stateful (rmcp sessions) |
//! | `DELETE` with a light id | forgets it (200) | stateful |
//! | `GET` with a light id | 405, no standalone stream | stateful |
//! | 2026-07-28 requests | stateless path (no sessions in that era) | – |

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use parking_lot::Mutex;
use serde::Deserialize;
use tower::ServiceExt as _;

use crate::limits::session_ids::new_session_id;
use crate::sessions::{MCP_SESSION_ID, is_sessionless_request};

/// Light session id → last use.
#[derive(Debug, Clone)]
pub(crate) struct LightSessions {
    last_seen: Arc<Mutex<HashMap<Box<str>, Instant>>>,
    /// `--toolsets dynamic`: every session needs rmcp's full session.
    enabled: bool,
}

impl LightSessions {
    /// Light sessions, unless dynamic toolsets need per-session state.
    pub(crate) fn new(dynamic_toolsets: bool) -> Self {
        Self {
            last_seen: Arc::default(),
            enabled: !dynamic_toolsets,
        }
    }

    /// Whether `id` is a live light session; marks it used.
    fn touch(&self, id: &str) -> bool {
        self.last_seen
            .lock()
            .get_mut(id)
            .map(|seen| *seen = Instant::now())
            .is_some()
    }

    /// Mints and records a new session id (256 bits from the CSPRNG, as
    /// every session id of this server).
    fn create(&self) -> String {
        let id = new_session_id();
        self.last_seen
            .lock()
            .insert(id.clone().into_boxed_str(), Instant::now());
        id
    }

    fn remove(&self, id: &str) -> bool {
        self.last_seen.lock().remove(id).is_some()
    }

    /// Whether `id` is a live light session (for the binding sweeper).
    pub(crate) fn contains(&self, id: &str) -> bool {
        self.last_seen.lock().contains_key(id)
    }

    /// Forgets sessions unused for `idle`; returns how many.
    pub(crate) fn expire_idle(&self, idle: Duration) -> usize {
        let mut map = self.last_seen.lock();
        let before = map.len();
        map.retain(|_, seen| seen.elapsed() < idle);
        before - map.len()
    }

    /// Number of live light sessions.
    pub(crate) fn len(&self) -> usize {
        self.last_seen.lock().len()
    }
}

/// The part of an `initialize` request that decides the kind of session.
#[derive(Deserialize)]
struct InitializeProbe {
    method: Option<String>,
    params: Option<InitializeParams>,
}

#[derive(Deserialize)]
struct InitializeParams {
    #[serde(default)]
    capabilities: serde_json::Map<String, serde_json::Value>,
}

/// Whether `body` is an `initialize` whose client can do without server →
/// client requests.
fn wants_light_session(body: &[u8]) -> bool {
    match serde_json::from_slice::<InitializeProbe>(body) {
        Ok(InitializeProbe {
            method: Some(method),
            params: Some(params),
        }) => method == "initialize" && !params.capabilities.contains_key("elicitation"),
        _ => false,
    }
}

/// The two rmcp services behind `/mcp` and the light session table.
#[derive(Clone)]
pub(crate) struct McpRoutes<S, L> {
    /// rmcp with legacy sessions (per-session worker).
    pub(crate) stateful: S,
    /// rmcp without sessions (one-shot service per request).
    pub(crate) stateless: L,
    pub(crate) light: LightSessions,
    /// Largest request body read here (the body limit layer enforces it first).
    pub(crate) max_body_bytes: usize,
}

impl<S, L> std::fmt::Debug for McpRoutes<S, L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpRoutes")
            .field("light_sessions", &self.light.len())
            .finish_non_exhaustive()
    }
}

/// axum handler of `/mcp`: routes each request to the light or the stateful
/// path (see the module table).
pub(crate) async fn dispatch<S, L, B>(
    State(routes): State<Arc<McpRoutes<S, L>>>,
    request: Request,
) -> Response
where
    S: tower::Service<Request, Response = http::Response<B>, Error = Infallible> + Clone + Send,
    S::Future: Send,
    L: tower::Service<Request, Response = http::Response<B>, Error = Infallible> + Clone + Send,
    L::Future: Send,
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    if !routes.light.enabled {
        return call(routes.stateful.clone(), request).await;
    }
    if is_sessionless_request(request.headers()) {
        return call(routes.stateless.clone(), request).await;
    }
    let presented = request
        .headers()
        .get(MCP_SESSION_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(id) = presented {
        if !routes.light.touch(&id) {
            return call(routes.stateful.clone(), request).await;
        }
        return match *request.method() {
            Method::POST => call(routes.stateless.clone(), request).await,
            Method::DELETE => {
                routes.light.remove(&id);
                StatusCode::OK.into_response()
            }
            _ => (
                StatusCode::METHOD_NOT_ALLOWED,
                [(header::ALLOW, "POST, DELETE")],
                "Method Not Allowed: this session has no standalone event stream",
            )
                .into_response(),
        };
    }
    if request.method() != Method::POST {
        return call(routes.stateful.clone(), request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, routes.max_body_bytes).await else {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            "Payload Too Large: the request body exceeds the server's limit",
        )
            .into_response();
    };
    let light = wants_light_session(&body);
    let request = Request::from_parts(parts, Body::from(body));
    if !light {
        return call(routes.stateful.clone(), request).await;
    }
    let mut response = call(routes.stateless.clone(), request).await;
    if response.status() == StatusCode::OK
        && let Ok(value) = HeaderValue::from_str(&routes.light.create())
    {
        response.headers_mut().insert(MCP_SESSION_ID, value);
    }
    response
}

async fn call<T, B>(service: T, request: Request) -> Response
where
    T: tower::Service<Request, Response = http::Response<B>, Error = Infallible> + Send,
    T::Future: Send,
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    match service.oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_initialize_without_elicitation_is_light() {
        let plain = br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"roots":{}},"clientInfo":{"name":"c","version":"1"}}}"#;
        assert!(wants_light_session(plain));
        let elicits = br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"elicitation":{}},"clientInfo":{"name":"c","version":"1"}}}"#;
        assert!(!wants_light_session(elicits));
        let call = br#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"whoami"}}"#;
        assert!(!wants_light_session(call));
        assert!(!wants_light_session(b"[1,2]"));
        assert!(!wants_light_session(b"not json"));
    }

    #[test]
    fn ids_are_unique_256_bit_hex_and_expire() {
        let sessions = LightSessions::new(false);
        let a = sessions.create();
        let b = sessions.create();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert!(sessions.touch(&a));
        assert_eq!(sessions.expire_idle(Duration::from_secs(3600)), 0);
        assert_eq!(sessions.expire_idle(Duration::ZERO), 2);
        assert!(!sessions.contains(&a));
    }
}
