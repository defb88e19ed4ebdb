//! Request bodies: at most `max_body_bytes`, read within [`BODY_READ_TIMEOUT`],
//! and JSON nested at most `max_json_depth` deep.
//!
//! The body is read here, once, before any route sees it, so the size and
//! depth checks happen before rmcp, our `/messages` handler or an extractor
//! parses (and recurses into) it. Violations get a JSON-RPC error object
//! with `id: null` (what JSON-RPC answers when the request id is unknown)
//! and a 4xx status, never a 5xx.

use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// How long a client may take to send a request body.
pub(crate) const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// JSON-RPC "Invalid Request".
pub(crate) const INVALID_REQUEST: i64 = -32600;

/// The body limits, as middleware state.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyLimits {
    pub(crate) max_bytes: usize,
    pub(crate) max_depth: usize,
}

/// Whether `bytes`, read as JSON, opens more than `max_depth` nested arrays
/// or objects. Iterative (no recursion), linear, and tolerant of invalid
/// JSON: it only counts brackets outside strings.
pub fn json_depth_exceeds(bytes: &[u8], max_depth: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in bytes {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max_depth {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// A JSON-RPC error response (`id: null`) with an HTTP status.
pub(crate) fn jsonrpc_error(status: StatusCode, code: i64, message: &str) -> Response {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": { "code": code, "message": message },
    });
    (status, axum::Json(body)).into_response()
}

fn too_large(max_bytes: usize) -> Response {
    jsonrpc_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        INVALID_REQUEST,
        &format!(
            "The request body is larger than this server accepts ({max_bytes} bytes). Send \
             smaller requests (e.g. attach large files in several calls), or ask the \
             administrator to raise SDP_MCP_MAX_BODY_BYTES."
        ),
    )
}

/// Whether the body is (or claims nothing and may be) JSON.
fn is_json_or_unlabelled(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.to_ascii_lowercase().contains("json"))
}

/// axum middleware: enforces [`BodyLimits`] on every request.
pub(crate) async fn enforce(
    State(limits): State<BodyLimits>,
    request: Request,
    next: Next,
) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared == Some(0) {
        return next.run(request).await;
    }
    if declared.is_some_and(|length| length > limits.max_bytes as u64) {
        return too_large(limits.max_bytes);
    }
    let check_depth = is_json_or_unlabelled(&request);
    let (parts, body) = request.into_parts();
    let bytes =
        match tokio::time::timeout(BODY_READ_TIMEOUT, to_bytes(body, limits.max_bytes)).await {
            Ok(Ok(bytes)) => bytes,
            Ok(Err(_)) => return too_large(limits.max_bytes),
            Err(_) => {
                let mut response = jsonrpc_error(
                    StatusCode::REQUEST_TIMEOUT,
                    INVALID_REQUEST,
                    &format!(
                        "The request body did not arrive within {} seconds; check the network \
                     between the client and the server and retry.",
                        BODY_READ_TIMEOUT.as_secs()
                    ),
                );
                response
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
                return response;
            }
        };
    if check_depth && json_depth_exceeds(&bytes, limits.max_depth) {
        return jsonrpc_error(
            StatusCode::BAD_REQUEST,
            INVALID_REQUEST,
            &format!(
                "The request's JSON is nested more than {} levels deep, which this server \
                 does not accept. Flatten the arguments (tool arguments never need deep \
                 nesting).",
                limits.max_depth
            ),
        );
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_brackets_outside_strings_only() {
        assert!(!json_depth_exceeds(br#"{"a":[1,{"b":2}]}"#, 3));
        assert!(json_depth_exceeds(br#"{"a":[1,{"b":2}]}"#, 2));
        assert!(!json_depth_exceeds(br#"{"a":"[[[[[[\"[[[["}"#, 1));
        let deep = "[".repeat(10_000);
        assert!(json_depth_exceeds(deep.as_bytes(), 64));
        assert!(!json_depth_exceeds(b"not json at all ]]]]", 1));
    }
}
