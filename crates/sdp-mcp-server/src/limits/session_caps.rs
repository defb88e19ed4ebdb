//! Caps on live MCP sessions: per user (429) and in total (503).
//!
//! A request that would open a session (a legacy-era `POST /mcp` without
//! `Mcp-Session-Id`, or `GET /sse`) is refused when the caller already holds
//! `max_per_user` sessions or the server holds `max_total`. Sessions are
//! counted from the bindings (session id → owner) of both transports, which
//! lose a session as soon as it closes (DELETE, idle expiry, stream end).
//! The check and the creation are not one atomic step, so concurrent
//! initializations may overshoot a cap by the number in flight.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::Principal;
use crate::sessions::{MCP_SESSION_ID, SessionBindings, is_sessionless_request};

/// Seconds a refused client is told to wait.
const RETRY_AFTER_SECS: u64 = 60;

/// The caps and the sessions they count, as middleware state.
#[derive(Debug, Clone)]
pub(crate) struct SessionCaps {
    pub(crate) max_total: usize,
    pub(crate) max_per_user: usize,
    pub(crate) idle_secs: u64,
    pub(crate) mcp: SessionBindings,
    pub(crate) sse: SessionBindings,
    /// `--stateless`: `/mcp` never opens sessions.
    pub(crate) stateless: bool,
}

impl SessionCaps {
    fn opens_session(&self, request: &Request) -> bool {
        match request.uri().path() {
            "/sse" => request.method() == Method::GET,
            "/mcp" => {
                !self.stateless
                    && request.method() == Method::POST
                    && !request.headers().contains_key(MCP_SESSION_ID)
                    && !is_sessionless_request(request.headers())
            }
            _ => false,
        }
    }
}

fn refuse(status: StatusCode, error: &str, description: &str) -> Response {
    let body = serde_json::json!({ "error": error, "error_description": description });
    let mut response = (status, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    response
}

/// axum middleware (after authentication): enforces [`SessionCaps`].
pub(crate) async fn enforce(
    State(caps): State<SessionCaps>,
    request: Request,
    next: Next,
) -> Response {
    if !caps.opens_session(&request) {
        return next.run(request).await;
    }
    let Some(principal) = request.extensions().get::<Principal>() else {
        return next.run(request).await;
    };
    let user = &principal.user_id;
    let mine = caps.mcp.count_owned_by(user) + caps.sse.count_owned_by(user);
    if mine >= caps.max_per_user {
        tracing::warn!(
            security_event = "session_cap_per_user",
            user_id = %user,
            sessions = mine,
            "refused a new MCP session: the user holds the most sessions allowed"
        );
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_sessions",
            &format!(
                "You already have {mine} open MCP sessions, the most this server allows per \
                 user. Close MCP clients you no longer use (a client ends its session with \
                 DELETE /mcp), or wait: sessions without traffic expire after {} seconds. \
                 The administrator can raise SDP_MCP_MAX_SESSIONS_PER_USER.",
                caps.idle_secs
            ),
        );
    }
    let total = caps.mcp.len() + caps.sse.len();
    if total >= caps.max_total {
        tracing::warn!(
            security_event = "session_cap_total",
            sessions = total,
            "refused a new MCP session: the server holds the most sessions allowed"
        );
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "server_busy",
            &format!(
                "The server holds {total} open MCP sessions, the most it allows. Retry in a \
                 minute (idle sessions expire after {} seconds); the administrator can raise \
                 SDP_MCP_MAX_SESSIONS or add a replica.",
                caps.idle_secs
            ),
        );
    }
    next.run(request).await
}
