//! `/_sim/` control endpoints: fault injection and counters.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::SimState;

/// Injected faults.
#[derive(Debug, Default)]
pub struct Faults {}

/// Counters for tests and benchmarks.
#[derive(Debug, Default)]
pub struct Counters {}

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
