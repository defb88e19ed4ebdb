//! The audit log of write tool calls (multi-user mode): who called which
//! write tool on which target, and the outcome. Never arguments' values
//! beyond the target id, never secrets.

use std::sync::Arc;

use rmcp::ErrorData;
use rmcp::model::{CallToolResponse, JsonObject};
use sdp_mcp_store::{AuditEvent, AuditOutcome, Store};

use crate::auth::{AuthMethod, Principal};

/// Writes audit events to the store.
#[derive(Debug, Clone)]
pub(crate) struct AuditLog {
    store: Arc<dyn Store>,
}

impl AuditLog {
    /// An audit log in `store`.
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Records one finished write tool call, before the tool's answer is
    /// sent: a write the client saw answered is in the audit log even if the
    /// process dies right after (one store insert, ~1 ms against a write to
    /// SDP that takes far longer).
    pub(crate) async fn record(
        &self,
        principal: Option<&Principal>,
        tool: &str,
        arguments: Option<&JsonObject>,
        result: &Result<CallToolResponse, ErrorData>,
    ) {
        let (outcome, created_id) = match result {
            Ok(CallToolResponse::Complete(r)) if r.is_error == Some(true) => {
                (AuditOutcome::Failure, None)
            }
            Ok(CallToolResponse::Complete(r)) => (
                AuditOutcome::Success,
                r.structured_content
                    .as_ref()
                    .and_then(|content| content.get("id"))
                    .and_then(scalar),
            ),
            Ok(_) => (AuditOutcome::Success, None),
            Err(_) => (AuditOutcome::Failure, None),
        };
        let target = arguments.and_then(target_id).or(created_id);
        let (user_id, detail) = match principal {
            Some(p) if p.method == AuthMethod::HeaderCredentials => {
                (None, Some(format!("header credentials {}", p.user_id)))
            }
            Some(p) => (p.user_id.as_str().parse().ok(), None),
            None => (None, None),
        };
        let event = AuditEvent {
            user_id,
            action: format!("tool:{tool}"),
            target,
            outcome,
            detail,
        };
        if let Err(error) = self.store.record_audit(event).await {
            tracing::warn!(%error, "cannot write the audit log");
        }
    }
}

/// The id a write acts on: `id`, or the first `…_id` argument.
fn target_id(arguments: &JsonObject) -> Option<String> {
    if let Some(id) = arguments.get("id").and_then(scalar) {
        return Some(id);
    }
    let mut keys: Vec<&String> = arguments.keys().filter(|k| k.ends_with("_id")).collect();
    keys.sort();
    keys.into_iter().find_map(|key| {
        arguments
            .get(key)
            .and_then(scalar)
            .map(|v| format!("{key}={v}"))
    })
}

fn scalar(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.chars().take(64).collect()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
