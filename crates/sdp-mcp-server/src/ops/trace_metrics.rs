//! Upstream metrics gathered from `sdp-client`'s `tracing` events, so the
//! client stays free of any metrics dependency: each attempt of an SDP call
//! ends with `sdp answered` (or `sdp call failed in transport`) carrying
//! `status` and `latency_ms`, and each Zoho refresh with `zoho access token
//! minted` or `zoho token endpoint refused`.

use std::time::Duration;

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

use super::metrics::METRICS;

/// A `tracing` layer that turns `sdp-client`'s debug events into metrics.
///
/// Install it beside the log layer with its own filter, so the metrics see the
/// debug events whatever the log level:
/// `registry().with(fmt_layer.with_filter(env_filter)).with(sdp_mcp_server::ops::metrics_layer())`.
#[derive(Debug, Clone, Copy, Default)]
pub struct MetricsLayer;

/// The layer counting upstream calls and token refreshes (see [`MetricsLayer`]),
/// filtered to `sdp_client` debug events.
pub fn metrics_layer<S>() -> impl Layer<S>
where
    S: Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    MetricsLayer.with_filter(
        tracing_subscriber::filter::Targets::new().with_target("sdp_client", tracing::Level::DEBUG),
    )
}

#[derive(Default)]
struct Fields {
    message: String,
    status: Option<u64>,
    latency_ms: Option<u64>,
}

impl Visit for Fields {
    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "status" => self.status = Some(value),
            "latency_ms" => self.latency_ms = Some(value),
            _ => {}
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if let Ok(value) = u64::try_from(value) {
            self.record_u64(field, value);
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            value.clone_into(&mut self.message);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        }
    }
}

impl<S: Subscriber> Layer<S> for MetricsLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if !event.metadata().target().starts_with("sdp_client") {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        record(&fields);
    }
}

fn record(fields: &Fields) {
    let latency = fields.latency_ms.map(Duration::from_millis);
    match fields.message.as_str() {
        "sdp answered" => {
            let status = fields
                .status
                .map_or_else(|| "unknown".to_owned(), |s| s.to_string());
            METRICS.upstream_calls.inc(&[&status]);
            if let Some(latency) = latency {
                METRICS.upstream_duration.observe(&[], latency);
            }
        }
        "sdp call failed in transport" => {
            METRICS.upstream_calls.inc(&["error"]);
            if let Some(latency) = latency {
                METRICS.upstream_duration.observe(&[], latency);
            }
        }
        "zoho access token minted" => METRICS.token_refreshes.inc(&["ok"]),
        "zoho token endpoint refused" => METRICS.token_refreshes.inc(&["failed"]),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn counts_answers_and_refreshes() {
        let before = METRICS.upstream_calls.get(&["418"]);
        let refreshed = METRICS.token_refreshes.get(&["failed"]);
        record(&Fields {
            message: "sdp answered".to_owned(),
            status: Some(418),
            latency_ms: Some(5),
        });
        record(&Fields {
            message: "zoho token endpoint refused".to_owned(),
            ..Fields::default()
        });
        assert_eq!(METRICS.upstream_calls.get(&["418"]), before + 1);
        assert_eq!(METRICS.token_refreshes.get(&["failed"]), refreshed + 1);
    }
}
