//! A small Prometheus registry (text exposition format 0.0.4) and the
//! process's metrics.
//!
//! Hand-rolled rather than `metrics` + `metrics-exporter-prometheus`: the
//! server needs a dozen fixed families, the exporter crate brings its own
//! HTTP stack and global recorder, and tests in one process run several
//! servers. Label values are bounded by construction (routes are normalised,
//! tool names are checked against the router, statuses are numbers), and
//! never carry a secret, a session id or a user id.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use parking_lot::Mutex;

/// Upper bounds (seconds) of latency histogram buckets.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The metrics of this process.
pub(crate) static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// A gauge read when `/metrics` is scraped.
type GaugeFn = Arc<dyn Fn() -> u64 + Send + Sync>;

/// Every metric family the server exports.
pub(crate) struct Metrics {
    pub(crate) http_requests: Family,
    pub(crate) tool_calls: Family,
    pub(crate) tool_duration: Family,
    pub(crate) upstream_calls: Family,
    pub(crate) upstream_duration: Family,
    pub(crate) token_refreshes: Family,
    pub(crate) store_duration: Family,
    pub(crate) rate_limited: Family,
    pub(crate) tool_panics: Family,
    gauges: Mutex<BTreeMap<&'static str, (&'static str, GaugeFn)>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    fn new() -> Self {
        Self {
            http_requests: Family::counter(
                "sdp_mcp_http_requests_total",
                "HTTP requests by route and status code.",
                &["route", "status"],
            ),
            tool_calls: Family::counter(
                "sdp_mcp_tool_calls_total",
                "MCP tool calls by tool and outcome (ok, error, panic).",
                &["tool", "outcome"],
            ),
            tool_duration: Family::histogram(
                "sdp_mcp_tool_call_duration_seconds",
                "Duration of MCP tool calls.",
                &["tool"],
            ),
            upstream_calls: Family::counter(
                "sdp_mcp_upstream_calls_total",
                "Calls to ServiceDesk Plus by HTTP status (error: no answer).",
                &["status"],
            ),
            upstream_duration: Family::histogram(
                "sdp_mcp_upstream_call_duration_seconds",
                "Duration of one attempt of a call to ServiceDesk Plus.",
                &[],
            ),
            token_refreshes: Family::counter(
                "sdp_mcp_token_refreshes_total",
                "Zoho access token refreshes by outcome (ok, failed).",
                &["outcome"],
            ),
            store_duration: Family::histogram(
                "sdp_mcp_store_operation_duration_seconds",
                "Duration of store operations.",
                &["operation"],
            ),
            rate_limited: Family::counter(
                "sdp_mcp_rate_limited_total",
                "Tool calls refused by the per-user rate limit.",
                &[],
            ),
            tool_panics: Family::counter(
                "sdp_mcp_tool_panics_total",
                "Tool calls that panicked (answered as isError results).",
                &[],
            ),
            gauges: Mutex::new(BTreeMap::new()),
        }
    }

    /// Registers (or replaces) a gauge computed at scrape time.
    pub(crate) fn set_gauge(
        &self,
        name: &'static str,
        help: &'static str,
        read: impl Fn() -> u64 + Send + Sync + 'static,
    ) {
        self.gauges.lock().insert(name, (help, Arc::new(read)));
    }

    /// The Prometheus text exposition of every family.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        for family in [
            &self.http_requests,
            &self.tool_calls,
            &self.tool_duration,
            &self.upstream_calls,
            &self.upstream_duration,
            &self.token_refreshes,
            &self.store_duration,
            &self.rate_limited,
            &self.tool_panics,
        ] {
            family.render(&mut out);
        }
        let gauges: Vec<_> = self
            .gauges
            .lock()
            .iter()
            .map(|(name, (help, read))| (*name, *help, read.clone()))
            .collect();
        for (name, help, read) in gauges {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {}",
                read()
            );
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Counter,
    Histogram,
}

#[derive(Debug, Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: Vec<u64>,
}

/// One metric family: a name, its labels and the series seen so far.
#[derive(Debug)]
pub(crate) struct Family {
    name: &'static str,
    help: &'static str,
    kind: Kind,
    labels: &'static [&'static str],
    series: Mutex<HashMap<Vec<String>, Series>>,
}

impl Family {
    fn counter(name: &'static str, help: &'static str, labels: &'static [&'static str]) -> Self {
        Self::new(name, help, Kind::Counter, labels)
    }

    fn histogram(name: &'static str, help: &'static str, labels: &'static [&'static str]) -> Self {
        Self::new(name, help, Kind::Histogram, labels)
    }

    fn new(
        name: &'static str,
        help: &'static str,
        kind: Kind,
        labels: &'static [&'static str],
    ) -> Self {
        Self {
            name,
            help,
            kind,
            labels,
            series: Mutex::new(HashMap::new()),
        }
    }

    /// Adds one to the counter with these label values.
    pub(crate) fn inc(&self, values: &[&str]) {
        let mut series = self.series.lock();
        let entry = series
            .entry(values.iter().map(|v| (*v).to_owned()).collect())
            .or_default();
        entry.count += 1;
    }

    /// Records one observation of `elapsed` in the histogram with these label values.
    pub(crate) fn observe(&self, values: &[&str], elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let mut series = self.series.lock();
        let entry = series
            .entry(values.iter().map(|v| (*v).to_owned()).collect())
            .or_insert_with(|| Series {
                buckets: vec![0; LATENCY_BUCKETS.len()],
                ..Series::default()
            });
        entry.count += 1;
        entry.sum += seconds;
        for (bucket, bound) in entry.buckets.iter_mut().zip(LATENCY_BUCKETS) {
            if seconds <= *bound {
                *bucket += 1;
            }
        }
    }

    /// The current value of a counter (tests).
    #[cfg(test)]
    pub(crate) fn get(&self, values: &[&str]) -> u64 {
        let key: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
        self.series.lock().get(&key).map_or(0, |s| s.count)
    }

    fn render(&self, out: &mut String) {
        let kind = match self.kind {
            Kind::Counter => "counter",
            Kind::Histogram => "histogram",
        };
        let _ = writeln!(
            out,
            "# HELP {} {}\n# TYPE {} {kind}",
            self.name, self.help, self.name
        );
        let series = self.series.lock();
        let mut keys: Vec<&Vec<String>> = series.keys().collect();
        keys.sort();
        for key in keys {
            let Some(s) = series.get(key) else { continue };
            let labels = label_text(self.labels, key);
            match self.kind {
                Kind::Counter => {
                    let _ = writeln!(out, "{}{} {}", self.name, braces(&labels), s.count);
                }
                Kind::Histogram => {
                    let sep = if labels.is_empty() { "" } else { "," };
                    for (bound, count) in LATENCY_BUCKETS.iter().zip(&s.buckets) {
                        let _ = writeln!(
                            out,
                            "{}_bucket{{{labels}{sep}le=\"{bound}\"}} {count}",
                            self.name
                        );
                    }
                    let _ = writeln!(
                        out,
                        "{}_bucket{{{labels}{sep}le=\"+Inf\"}} {}\n{}_sum{} {}\n{}_count{} {}",
                        self.name,
                        s.count,
                        self.name,
                        braces(&labels),
                        s.sum,
                        self.name,
                        braces(&labels),
                        s.count
                    );
                }
            }
        }
    }
}

fn braces(labels: &str) -> String {
    if labels.is_empty() {
        String::new()
    } else {
        format!("{{{labels}}}")
    }
}

fn label_text(names: &[&str], values: &[String]) -> String {
    names
        .iter()
        .zip(values)
        .map(|(name, value)| format!("{name}=\"{}\"", escape(value)))
        .collect::<Vec<_>>()
        .join(",")
}

/// Escapes a label value: backslash, double quote and newline.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The route label of a request path: one of the server's routes, or `other`
/// (unknown paths must not create unbounded series).
pub(crate) fn route_label(path: &str) -> &'static str {
    match path {
        "/mcp" => "/mcp",
        "/sse" => "/sse",
        "/messages" => "/messages",
        "/health" => "/health",
        "/ready" => "/ready",
        "/metrics" => "/metrics",
        "/register" => "/register",
        "/authorize" => "/authorize",
        "/token" => "/token",
        "/revoke" => "/revoke",
        "/oauth/zoho/callback" => "/oauth/zoho/callback",
        p if p.starts_with("/.well-known/") => "/.well-known",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn renders_counters_and_histograms() {
        let metrics = Metrics::new();
        metrics.tool_calls.inc(&["list_requests", "ok"]);
        metrics.tool_calls.inc(&["list_requests", "ok"]);
        metrics
            .tool_duration
            .observe(&["list_requests"], Duration::from_millis(3));
        metrics
            .upstream_duration
            .observe(&[], Duration::from_secs(1));
        metrics.set_gauge("sdp_mcp_active_sessions", "Sessions.", || 7);
        let text = metrics.render();
        assert!(text.contains("sdp_mcp_tool_calls_total{tool=\"list_requests\",outcome=\"ok\"} 2"));
        assert!(text.contains(
            "sdp_mcp_tool_call_duration_seconds_bucket{tool=\"list_requests\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "sdp_mcp_tool_call_duration_seconds_bucket{tool=\"list_requests\",le=\"0.0025\"} 0"
        ));
        assert!(text.contains("sdp_mcp_upstream_call_duration_seconds_bucket{le=\"+Inf\"} 1"));
        assert!(text.contains("sdp_mcp_upstream_call_duration_seconds_count 1"));
        assert!(text.contains("sdp_mcp_active_sessions 7"));
    }

    #[test]
    fn escapes_label_values_and_bounds_routes() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        assert_eq!(route_label("/mcp"), "/mcp");
        assert_eq!(route_label("/secret/path"), "other");
        assert_eq!(
            route_label("/.well-known/oauth-protected-resource/mcp"),
            "/.well-known"
        );
    }
}
