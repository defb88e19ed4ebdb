//! Binding of legacy session ids to the principal that created them.
//!
//! A session id is a routing handle, never a credential: each request is
//! authenticated on its own, and a request that presents a session id created
//! by another principal gets the same 404 as an unknown session (and a
//! security log line). This covers `Mcp-Session-Id` on `/mcp` (the middleware
//! below, around rmcp) and `sessionId` on `/sse` + `/messages` (the legacy SSE
//! transport uses [`SessionBindings`] directly).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use parking_lot::Mutex;
use sha2::{Digest, Sha256};

use crate::auth::{Principal, UserId};

/// The header of legacy Streamable HTTP sessions.
pub(crate) const MCP_SESSION_ID: &str = "mcp-session-id";
/// The per-request protocol version header.
const MCP_PROTOCOL_VERSION: &str = "mcp-protocol-version";
/// The first protocol revision without sessions (ISO dates compare as text).
const FIRST_SESSIONLESS_VERSION: &str = "2026-07-28";

/// Session id → owning user.
#[derive(Debug, Clone, Default)]
pub(crate) struct SessionBindings {
    owners: Arc<Mutex<HashMap<String, UserId>>>,
}

/// The outcome of presenting a session id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Binding {
    /// The presenting principal created the session.
    Owned,
    /// Another principal created it.
    Foreign,
    /// No such session.
    Unknown,
}

impl SessionBindings {
    /// Records that `owner` created `session_id`.
    pub(crate) fn bind(&self, session_id: &str, owner: &UserId) {
        self.owners
            .lock()
            .insert(session_id.to_owned(), owner.clone());
    }

    /// Forgets a session.
    pub(crate) fn unbind(&self, session_id: &str) {
        self.owners.lock().remove(session_id);
    }

    /// Whether `user` may use `session_id`.
    pub(crate) fn check(&self, session_id: &str, user: &UserId) -> Binding {
        match self.owners.lock().get(session_id) {
            Some(owner) if owner == user => Binding::Owned,
            Some(_) => Binding::Foreign,
            None => Binding::Unknown,
        }
    }

    /// Keeps only the sessions for which `alive` is true.
    pub(crate) fn retain(&self, mut alive: impl FnMut(&str) -> bool) {
        self.owners.lock().retain(|id, _| alive(id));
    }

    /// Number of bound sessions.
    pub(crate) fn len(&self) -> usize {
        self.owners.lock().len()
    }

    /// Number of sessions bound to `user` (the session caps of `limits`).
    pub(crate) fn count_owned_by(&self, user: &UserId) -> usize {
        self.owners.lock().values().filter(|o| *o == user).count()
    }
}

/// A short, non-reversible tag of a session id for logs (ids are bearer-ish
/// routing handles and never logged verbatim).
pub(crate) fn session_tag(session_id: &str) -> String {
    let digest = Sha256::digest(session_id.as_bytes());
    digest[..4]
        .iter()
        .fold(String::with_capacity(8), |mut tag, byte| {
            let _ = write!(tag, "{byte:02x}");
            tag
        })
}

/// The answer to an unknown or foreign session id (same as rmcp's unknown-session answer).
pub(crate) fn session_not_found() -> Response {
    (StatusCode::NOT_FOUND, "Not Found: Session not found").into_response()
}

/// Logs a request that presented another principal's session id.
pub(crate) fn log_foreign_session(user: &UserId, session_id: &str, transport: &'static str) {
    tracing::warn!(
        security_event = "foreign_session_id",
        user_id = %user,
        session = %session_tag(session_id),
        transport,
        "request presented a session id bound to another principal; answered 404"
    );
}

/// Whether a `/mcp` request speaks a protocol revision without sessions.
pub(crate) fn is_sessionless_request(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(MCP_PROTOCOL_VERSION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|version| version >= FIRST_SESSIONLESS_VERSION)
}

/// axum middleware for `/mcp`: enforces and records `Mcp-Session-Id` bindings.
/// Runs after authentication (needs the [`Principal`]).
pub(crate) async fn bind_mcp_sessions(
    State(bindings): State<SessionBindings>,
    request: Request,
    next: Next,
) -> Response {
    let Some(principal) = request.extensions().get::<Principal>().cloned() else {
        return (StatusCode::UNAUTHORIZED, "unauthenticated").into_response();
    };
    // 2026-07-28 requests have no sessions: rmcp serves them statelessly and
    // ignores a stray `Mcp-Session-Id`, so there is nothing to bind or check.
    if is_sessionless_request(request.headers()) {
        return next.run(request).await;
    }
    let presented = request
        .headers()
        .get(MCP_SESSION_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let is_delete = request.method() == Method::DELETE;
    if let Some(session_id) = &presented {
        match bindings.check(session_id, &principal.user_id) {
            Binding::Owned => {}
            Binding::Foreign => {
                log_foreign_session(&principal.user_id, session_id, "streamable_http");
                return session_not_found();
            }
            // Every session rmcp creates passes through here and is bound, so
            // an unbound id is unknown (or expired and swept).
            Binding::Unknown => return session_not_found(),
        }
    }
    let response = next.run(request).await;
    match &presented {
        None => {
            if let Some(created) = response
                .headers()
                .get(MCP_SESSION_ID)
                .and_then(|v| v.to_str().ok())
            {
                bindings.bind(created, &principal.user_id);
                tracing::debug!(
                    user_id = %principal.user_id,
                    session = %session_tag(created),
                    "legacy session created"
                );
            }
        }
        Some(session_id) => {
            if is_delete && response.status().is_success() {
                bindings.unbind(session_id);
            }
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_belong_to_their_creator() {
        let bindings = SessionBindings::default();
        let alice = UserId::new("alice");
        let bob = UserId::new("bob");
        bindings.bind("s1", &alice);
        assert_eq!(bindings.check("s1", &alice), Binding::Owned);
        assert_eq!(bindings.check("s1", &bob), Binding::Foreign);
        assert_eq!(bindings.check("s2", &alice), Binding::Unknown);
        bindings.retain(|id| id != "s1");
        assert_eq!(bindings.len(), 0);
    }

    #[test]
    fn session_tags_hide_the_id() {
        let tag = session_tag("0123456789abcdef");
        assert_eq!(tag.len(), 8);
        assert!(!tag.contains("0123"));
    }
}
