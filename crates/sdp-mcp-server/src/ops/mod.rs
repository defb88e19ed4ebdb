//! Operations: request ids, Prometheus metrics, readiness.

pub(crate) mod metrics;
pub(crate) mod ready;
pub(crate) mod request_id;
mod trace_metrics;
mod upstream_check;

pub use trace_metrics::{MetricsLayer, metrics_layer};
pub use upstream_check::check_stored_user;
