//! Request ids and per-request observation: every HTTP request gets an id
//! (the client's `x-request-id` when it is short and plain, else a fresh
//! one), a `http_request` span carrying it (and, once authenticated, the
//! user id), an `x-request-id` response header, and a count in
//! `sdp_mcp_http_requests_total`.

use std::time::Instant;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use super::metrics::{METRICS, route_label};
use crate::auth::Principal;

/// The header carrying request ids, in and out.
pub(crate) const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id of one HTTP request, in the request's extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestId(pub(crate) String);

impl RequestId {
    /// A fresh random id.
    pub(crate) fn fresh() -> Self {
        Self(uuid::Uuid::new_v4().simple().to_string())
    }

    /// The client's id when it is 1–64 characters of `[A-Za-z0-9._-]`
    /// (anything else could forge log lines), else a fresh one.
    fn from_header(value: Option<&HeaderValue>) -> Self {
        value
            .and_then(|v| v.to_str().ok())
            .filter(|v| {
                !v.is_empty()
                    && v.len() <= 64
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
            })
            .map_or_else(Self::fresh, |v| Self(v.to_owned()))
    }
}

/// Outermost middleware: request id, span, metrics.
pub(crate) async fn observe(mut request: Request, next: Next) -> Response {
    let id = RequestId::from_header(request.headers().get(REQUEST_ID_HEADER));
    let route = route_label(request.uri().path());
    let span = tracing::info_span!(
        "http_request",
        request_id = %id.0,
        method = %request.method(),
        route,
        user_id = tracing::field::Empty,
    );
    let header = HeaderValue::from_str(&id.0).ok();
    request.extensions_mut().insert(id);
    let started = Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    let status = response.status().as_u16().to_string();
    METRICS.http_requests.inc(&[route, &status]);
    if response.status().is_server_error() {
        span.in_scope(|| {
            tracing::warn!(
                status = %status,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "HTTP request failed"
            );
        });
    }
    if let Some(header) = header {
        response.headers_mut().insert(REQUEST_ID_HEADER, header);
    }
    response
}

/// Inside the authentication layer: records the caller's user id on the
/// request's span, so every line logged for the request names the user.
pub(crate) async fn record_user(request: Request, next: Next) -> Response {
    if let Some(principal) = request.extensions().get::<Principal>() {
        tracing::Span::current().record("user_id", tracing::field::display(&principal.user_id));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn accepts_plain_ids_and_replaces_others() {
        let plain = HeaderValue::from_static("abc-123_x.y");
        assert_eq!(RequestId::from_header(Some(&plain)).0, "abc-123_x.y");
        let forged = HeaderValue::from_static("a\" injected=1");
        assert_ne!(RequestId::from_header(Some(&forged)).0, "a\" injected=1");
        assert_eq!(RequestId::from_header(None).0.len(), 32);
    }
}
