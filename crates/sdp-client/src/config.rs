//! Client configuration: endpoint, time-outs, retry policy.

use std::time::Duration;

use crate::endpoint::Endpoint;

/// Everything an [`SdpClient`](crate::SdpClient) needs besides credentials
/// and the HTTP client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SdpClientConfig {
    /// Where SDP is.
    pub endpoint: Endpoint,
    /// Time-outs.
    pub timeouts: Timeouts,
    /// Retries of idempotent reads.
    pub retry: RetryPolicy,
}

impl SdpClientConfig {
    /// Default time-outs and retry policy for `endpoint`.
    pub fn new(endpoint: Endpoint) -> Self {
        SdpClientConfig {
            endpoint,
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
        }
    }
}

/// Time-outs (design §5: connect 5 s, request 30 s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP + TLS connect. Applies to clients built by
    /// [`SdpClient::build_http_client`](crate::SdpClient::build_http_client);
    /// a client passed in keeps its own connect time-out.
    pub connect: Duration,
    /// Whole request, per attempt (set on every request).
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(30),
        }
    }
}

/// Retries. Only GET is retried (connection errors, 5xx, 429/4015); a write
/// is retried only when the connection could not be established, i.e. it was
/// never sent. A 4022 answer is retried once with a fresh token whatever the
/// method, since SDP rejected it before doing anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, including the first (default 3; 1 disables retries).
    pub max_attempts: u32,
    /// First back-off (default 200 ms), doubled per attempt, with jitter.
    pub base_delay: Duration,
    /// Longest back-off (default 5 s).
    pub max_delay: Duration,
    /// Longest `Retry-After` honoured (default 30 s); a longer one is capped.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Delay before attempt `attempt + 1` (`attempt` ≥ 1 failed so far):
    /// `Retry-After` capped at [`RetryPolicy::max_retry_after`] when given, else
    /// exponential back-off with equal jitter (between half and all of
    /// `base_delay · 2^(attempt-1)`, capped at [`RetryPolicy::max_delay`]).
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_retry_after);
        }
        let exponent = attempt.saturating_sub(1).min(16);
        let full = self
            .base_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        let half = full / 2;
        let jitter_ms = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
        let jitter = if jitter_ms == 0 {
            Duration::ZERO
        } else {
            Duration::from_millis(rand::random_range(0..=jitter_ms))
        };
        half + jitter
    }
}
