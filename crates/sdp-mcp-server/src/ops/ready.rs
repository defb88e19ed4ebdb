//! `GET /ready` (store reachable, master key loaded, migrations current) and
//! `GET /metrics` (Prometheus text, optionally behind a bearer token).

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sdp_mcp_store::Store;
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

use super::metrics::METRICS;

/// What `/ready` and `/metrics` need.
#[derive(Clone)]
pub(crate) struct OpsState {
    /// The store of multi-user mode (`None`: single-user or header credentials only).
    pub(crate) store: Option<Arc<dyn Store>>,
    /// Bearer token required by `/metrics` (`SDP_MCP_METRICS_TOKEN`).
    pub(crate) metrics_token: Option<SecretString>,
}

impl std::fmt::Debug for OpsState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpsState")
            .field("store", &self.store.is_some())
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// The `/ready` and `/metrics` routes.
pub(crate) fn router(state: OpsState) -> Router {
    Router::new()
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
        .with_state(state)
}

/// `GET /ready`: 200 with `{"status":"ready",…}` or 503 with the failing checks.
async fn ready(State(state): State<OpsState>) -> Response {
    let Some(store) = &state.store else {
        return (
            StatusCode::OK,
            axum::Json(serde_json::json!({
                "status": "ready",
                "store": "none",
            })),
        )
            .into_response();
    };
    let started = Instant::now();
    let ping = store.ping().await;
    METRICS.store_duration.observe(&["ping"], started.elapsed());
    let started = Instant::now();
    let migrations = store.migration_status().await;
    METRICS
        .store_duration
        .observe(&["migration_status"], started.elapsed());
    let store_check = match &ping {
        Ok(()) => "ok".to_owned(),
        Err(error) => {
            tracing::warn!(%error, "readiness: store unreachable");
            "unreachable".to_owned()
        }
    };
    let (migration_check, current) = match &migrations {
        Ok(status) if status.pending.is_empty() && status.dirty.is_none() => {
            ("current".to_owned(), true)
        }
        Ok(status) if status.dirty.is_some() => ("dirty: run sdp-mcp migrate".to_owned(), false),
        Ok(status) => (
            format!("{} pending: run sdp-mcp migrate", status.pending.len()),
            false,
        ),
        Err(error) => {
            tracing::warn!(%error, "readiness: cannot read migration state");
            ("unknown".to_owned(), false)
        }
    };
    let ok = ping.is_ok() && current;
    let body = serde_json::json!({
        "status": if ok { "ready" } else { "not_ready" },
        "store": store_check,
        // The store opens only with the right master key (key check value).
        "master_key": "loaded",
        "migrations": migration_check,
    });
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(body)).into_response()
}

/// `GET /metrics`: the Prometheus text exposition.
async fn metrics(State(state): State<OpsState>, headers: HeaderMap) -> Response {
    if let Some(expected) = &state.metrics_token {
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        let matches: bool = presented
            .as_bytes()
            .ct_eq(expected.expose_secret().as_bytes())
            .into();
        if !matches {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "/metrics needs `Authorization: Bearer <SDP_MCP_METRICS_TOKEN>`\n",
            )
                .into_response();
        }
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        METRICS.render(),
    )
        .into_response()
}
