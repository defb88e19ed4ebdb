//! The legacy HTTP+SSE transport (MCP 2024-11-05): `GET /sse` opens a stream
//! whose first event names the POST endpoint (`/messages?sessionId=…`); every
//! server message travels on that stream as `event: message`.
//!
//! rmcp removed its SSE server in 0.11, so this is ours (`mcp.md` §4.8). Each
//! stream runs one [`SdpMcp`] over a pair of channels. The session id is bound
//! to the principal that opened the stream; a POST by anyone else gets 404.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use axum::Extension;
use axum::body::to_bytes;
use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::channel::mpsc;
use futures::{StreamExt, stream};
use parking_lot::Mutex;
use rmcp::ServiceExt;
use rmcp::model::{ClientJsonRpcMessage, GetExtensions, ServerJsonRpcMessage};

use crate::auth::Principal;
use crate::handler::{SdpMcp, Shared};
use crate::sessions::{Binding, SessionBindings, log_foreign_session, session_not_found};

/// Largest accepted POST body (as rmcp's `/mcp`).
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Open `/sse` sessions.
#[derive(Debug, Clone)]
pub(crate) struct SseSessions {
    shared: Arc<Shared>,
    bindings: SessionBindings,
    senders: Arc<Mutex<HashMap<String, mpsc::UnboundedSender<ClientJsonRpcMessage>>>>,
}

impl SseSessions {
    pub(crate) fn new(shared: Arc<Shared>, bindings: SessionBindings) -> Self {
        Self {
            shared,
            bindings,
            senders: Arc::default(),
        }
    }

    /// Ends every session's input; each handler then finishes its in-flight
    /// responses and ends its stream.
    pub(crate) fn close_all(&self) {
        let closed: Vec<String> = self.senders.lock().drain().map(|(id, _)| id).collect();
        for id in closed {
            self.bindings.unbind(&id);
        }
    }

    fn remove(&self, id: &str) {
        self.senders.lock().remove(id);
        self.bindings.unbind(id);
    }
}

/// Removes the session when its stream is dropped (client gone or server done).
struct SessionGuard {
    sessions: SseSessions,
    id: String,
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        self.sessions.remove(&self.id);
    }
}

/// The `sessionId` query parameter of `POST /messages`.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct SessionQuery {
    #[serde(rename = "sessionId")]
    session_id: String,
}

/// `GET /sse`.
pub(crate) async fn open_stream(
    State(sessions): State<SseSessions>,
    Extension(principal): Extension<Principal>,
) -> Response {
    let id = crate::limits::session_ids::new_session_id();
    let (to_server, from_client) = mpsc::unbounded::<ClientJsonRpcMessage>();
    let (to_client, from_server) = mpsc::unbounded::<ServerJsonRpcMessage>();
    sessions.bindings.bind(&id, &principal.user_id);
    sessions.senders.lock().insert(id.clone(), to_server);

    let handler = SdpMcp::for_http(sessions.shared.clone());
    let user_id = principal.user_id.clone();
    tokio::spawn(async move {
        match handler.serve((to_client, from_client)).await {
            Ok(running) => {
                if let Err(error) = running.waiting().await {
                    tracing::warn!(%error, "SSE session ended abnormally");
                }
            }
            Err(error) => tracing::debug!(%error, user_id = %user_id, "SSE session not started"),
        }
    });

    let endpoint = Event::default()
        .event("endpoint")
        .data(format!("/messages?sessionId={id}"));
    let guard = SessionGuard { sessions, id };
    let messages = from_server.map(move |message| {
        let _session = &guard;
        Ok::<Event, Infallible>(
            Event::default()
                .event("message")
                .json_data(&message)
                .unwrap_or_else(|_| Event::default().event("message").data("{}")),
        )
    });
    let events = stream::once(async move { Ok::<Event, Infallible>(endpoint) }).chain(messages);
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// `POST /messages?sessionId=…`.
pub(crate) async fn post_message(
    State(sessions): State<SseSessions>,
    Query(query): Query<SessionQuery>,
    request: Request,
) -> Response {
    let Some(principal) = request.extensions().get::<Principal>().cloned() else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    match sessions
        .bindings
        .check(&query.session_id, &principal.user_id)
    {
        Binding::Owned => {}
        Binding::Foreign => {
            log_foreign_session(&principal.user_id, &query.session_id, "sse");
            return session_not_found();
        }
        Binding::Unknown => return session_not_found(),
    }
    let Some(sender) = sessions.senders.lock().get(&query.session_id).cloned() else {
        return session_not_found();
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
    };
    let mut message: ClientJsonRpcMessage = match serde_json::from_slice(&bytes) {
        Ok(message) => message,
        Err(error) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("not a JSON-RPC message: {error}"),
            )
                .into_response();
        }
    };
    // The handler finds the caller in the request parts, as on `/mcp`.
    match &mut message {
        ClientJsonRpcMessage::Request(request) => {
            request.request.extensions_mut().insert(parts);
        }
        ClientJsonRpcMessage::Notification(notification) => {
            notification.notification.extensions_mut().insert(parts);
        }
        _ => {}
    }
    if sender.unbounded_send(message).is_err() {
        return session_not_found();
    }
    StatusCode::ACCEPTED.into_response()
}
