//! `/_sim/` control endpoints: fault injection and counters.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::SimState;

/// Injected faults.
#[derive(Debug, Default)]
pub struct Faults {}

/// Counters for tests and benchmarks. All methods are cheap and thread-safe.
#[derive(Debug, Default)]
pub struct Counters {
    inner: parking_lot::Mutex<CounterMaps>,
}

#[derive(Debug, Default, Clone, serde::Serialize)]
struct CounterMaps {
    /// Access tokens minted per refresh token (keyed by the refresh token).
    grants: std::collections::HashMap<String, u64>,
    /// Successful writes (POST/PUT/DELETE answered 2xx) per portal.
    writes: std::collections::HashMap<String, u64>,
    /// Calls per matched route (`GET /app/{portal}/api/v3/requests`).
    calls: std::collections::HashMap<String, u64>,
}

impl Counters {
    /// Records one access token minted from `refresh_token`.
    pub fn record_grant(&self, refresh_token: &str) {
        *self.inner.lock().grants.entry(refresh_token.to_owned()).or_default() += 1;
    }
    /// Records one successful write on `portal`.
    pub fn record_write(&self, portal: &str) {
        *self.inner.lock().writes.entry(portal.to_owned()).or_default() += 1;
    }
    /// Records one call of `endpoint` (method + matched route).
    pub fn record_call(&self, endpoint: &str) {
        *self.inner.lock().calls.entry(endpoint.to_owned()).or_default() += 1;
    }
    /// Access tokens minted from `refresh_token` so far.
    pub fn grants_for(&self, refresh_token: &str) -> u64 {
        self.inner.lock().grants.get(refresh_token).copied().unwrap_or(0)
    }
    /// Access tokens minted in total.
    pub fn total_grants(&self) -> u64 {
        self.inner.lock().grants.values().sum()
    }
    /// Successful writes on `portal` so far.
    pub fn writes(&self, portal: &str) -> u64 {
        self.inner.lock().writes.get(portal).copied().unwrap_or(0)
    }
    /// Calls of `endpoint` so far.
    pub fn calls(&self, endpoint: &str) -> u64 {
        self.inner.lock().calls.get(endpoint).copied().unwrap_or(0)
    }
    /// All counters as JSON (the body of `GET /_sim/counters`).
    pub fn snapshot(&self) -> serde_json::Value {
        serde_json::to_value(self.inner.lock().clone()).unwrap_or_default()
    }
    /// Resets every counter.
    pub fn reset(&self) {
        *self.inner.lock() = CounterMaps::default();
    }
}

/// Applies injected faults and counts calls.
pub async fn fault_layer(
    State(_state): State<Arc<SimState>>,
    request: Request,
    next: Next,
) -> Response {
    next.run(request).await
}

/// Routes under `/_sim/`.
pub fn router() -> axum::Router<Arc<SimState>> {
    axum::Router::new()
}
