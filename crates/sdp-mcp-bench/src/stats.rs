//! Latency histograms (HdrHistogram, microseconds) and their summaries, and
//! the estimate of the latency the server adds on top of the simulator.

use hdrhistogram::Histogram;
use serde::Serialize;

/// Highest latency tracked: one minute, in microseconds.
const MAX_TRACKED_US: u64 = 60_000_000;

/// A histogram of microseconds from 1 µs to a minute at 3 significant digits.
pub fn new_histogram() -> anyhow::Result<Histogram<u64>> {
    Histogram::new_with_bounds(1, MAX_TRACKED_US, 3)
        .map_err(|e| anyhow::anyhow!("cannot create a latency histogram: {e}"))
}

/// Percentiles of a latency distribution, in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Recorded values.
    pub count: u64,
    /// Arithmetic mean.
    pub mean_us: f64,
    /// Median.
    pub p50_us: u64,
    /// 95th percentile.
    pub p95_us: u64,
    /// 99th percentile.
    pub p99_us: u64,
    /// Largest value.
    pub max_us: u64,
}

impl Summary {
    /// Summarises `histogram` (all zero when it is empty).
    pub fn of(histogram: &Histogram<u64>) -> Self {
        if histogram.is_empty() {
            return Self::default();
        }
        Self {
            count: histogram.len(),
            mean_us: histogram.mean(),
            p50_us: histogram.value_at_quantile(0.50),
            p95_us: histogram.value_at_quantile(0.95),
            p99_us: histogram.value_at_quantile(0.99),
            max_us: histogram.max(),
        }
    }

    /// Sum of all values, from the mean.
    pub fn total_us(&self) -> f64 {
        self.mean_us * self.count as f64
    }
}

/// The latency the server adds: client-observed latency minus the
/// simulator's own time, estimated two ways (see [`ServerAdded::estimate`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ServerAdded {
    /// Upstream SDP calls per tool call (ideally 1.0).
    pub upstream_calls_per_tool_call: f64,
    /// `(Σ client latency − Σ simulator time) / tool calls`: exact on average,
    /// whatever the number of upstream calls per tool call.
    pub mean_us: f64,
    /// p50 of client latency − p50 of simulator time.
    pub p50_us: u64,
    /// p95 of client latency − p95 of simulator time.
    pub p95_us: u64,
    /// p99 of client latency − p99 of simulator time.
    pub p99_us: u64,
}

impl ServerAdded {
    /// Estimates the server-added latency from the client-observed latency of
    /// every successful tool call (`client`) and the simulator's own time of
    /// every SDP call made meanwhile (`sim`).
    ///
    /// Calls are not matched one to one (the server does not tag its upstream
    /// calls), so the percentiles are differences of distributions: the
    /// quantile of the total minus the same quantile of the simulator's time,
    /// scaled by the upstream calls per tool call. That is exact when the two
    /// are comonotonic (a slow simulator answer makes a slow tool call) and
    /// otherwise an approximation; the mean is exact.
    pub fn estimate(client: &Summary, sim: &Summary) -> Self {
        if client.count == 0 {
            return Self::default();
        }
        let per_call = sim.count as f64 / client.count as f64;
        let minus = |total: u64, upstream: u64| {
            let upstream = (upstream as f64 * per_call).round() as u64;
            total.saturating_sub(upstream)
        };
        Self {
            upstream_calls_per_tool_call: per_call,
            mean_us: ((client.total_us() - sim.total_us()) / client.count as f64).max(0.0),
            p50_us: minus(client.p50_us, sim.p50_us),
            p95_us: minus(client.p95_us, sim.p95_us),
            p99_us: minus(client.p99_us, sim.p99_us),
        }
    }
}

/// Microseconds as milliseconds with a precision that suits the size.
pub fn ms(micros: f64) -> String {
    let millis = micros / 1000.0;
    if millis < 10.0 {
        format!("{millis:.3}")
    } else if millis < 100.0 {
        format!("{millis:.2}")
    } else {
        format!("{millis:.1}")
    }
}

/// Bytes as MiB with one decimal.
pub fn mib(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn histogram(values: &[u64]) -> Histogram<u64> {
        let mut h = new_histogram().unwrap();
        for v in values {
            h.record(*v).unwrap();
        }
        h
    }

    #[test]
    fn summary_of_known_values() {
        let values: Vec<u64> = (1..=1000).collect();
        let s = Summary::of(&histogram(&values));
        assert_eq!(s.count, 1000);
        assert!((s.mean_us - 500.5).abs() < 1.0, "{s:?}");
        assert_eq!(s.p50_us, 500);
        assert_eq!(s.p95_us, 950);
        assert_eq!(s.p99_us, 990);
        assert_eq!(s.max_us, 1000);
    }

    #[test]
    fn empty_summary_is_zero() {
        assert_eq!(Summary::of(&histogram(&[])), Summary::default());
        assert_eq!(
            ServerAdded::estimate(&Summary::default(), &Summary::default()),
            ServerAdded::default()
        );
    }

    #[test]
    fn server_added_subtracts_the_simulator() {
        // Every tool call took 1 ms of simulator time plus 300 µs elsewhere.
        let client = Summary::of(&histogram(&[1300; 100]));
        let sim = Summary::of(&histogram(&[1000; 100]));
        let added = ServerAdded::estimate(&client, &sim);
        assert!((added.upstream_calls_per_tool_call - 1.0).abs() < 1e-9);
        assert!((added.mean_us - 300.0).abs() < 2.0, "{added:?}");
        assert!((299..=301).contains(&added.p50_us), "{added:?}");
        assert!((299..=301).contains(&added.p99_us), "{added:?}");
    }

    #[test]
    fn server_added_scales_with_upstream_calls_and_never_goes_negative() {
        let client = Summary::of(&histogram(&[2500; 10]));
        let sim = Summary::of(&histogram(&[1000; 20]));
        let added = ServerAdded::estimate(&client, &sim);
        assert!((added.upstream_calls_per_tool_call - 2.0).abs() < 1e-9);
        assert!((495..=505).contains(&added.p50_us), "{added:?}");
        let faster = Summary::of(&histogram(&[10; 10]));
        assert_eq!(ServerAdded::estimate(&faster, &sim).p50_us, 0);
        assert!(ServerAdded::estimate(&faster, &sim).mean_us.abs() < f64::EPSILON);
    }

    #[test]
    fn formats_units() {
        assert_eq!(ms(1234.0), "1.234");
        assert_eq!(ms(12_345.0), "12.35");
        assert_eq!(ms(123_456.0), "123.5");
        assert_eq!(mib(64 * 1024 * 1024), "64.0");
    }
}
