//! A per-user token bucket: `N` tool calls per minute, with a burst of `N`.

use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// Limits one user's tool calls to `per_minute` per minute.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_minute: u32,
    state: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    refilled_at: Instant,
}

/// A call over the limit: how long until the next one is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RateLimited {
    /// The configured limit.
    pub(crate) per_minute: u32,
    /// Wait at least this long.
    pub(crate) retry_after: Duration,
}

impl std::fmt::Display for RateLimited {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "rate limit: {} calls/min per user; retry in {}s",
            self.per_minute,
            self.retry_after.as_secs().max(1)
        )
    }
}

impl RateLimiter {
    /// A full bucket of `per_minute` calls (`per_minute` > 0).
    pub(crate) fn per_minute(per_minute: u32) -> Self {
        Self {
            per_minute,
            state: Mutex::new(Bucket {
                tokens: f64::from(per_minute),
                refilled_at: Instant::now(),
            }),
        }
    }

    /// Takes one call from the bucket, or says how long to wait.
    pub(crate) fn try_acquire(&self) -> Result<(), RateLimited> {
        self.try_acquire_at(Instant::now())
    }

    fn try_acquire_at(&self, now: Instant) -> Result<(), RateLimited> {
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let mut bucket = self.state.lock();
        let elapsed = now.saturating_duration_since(bucket.refilled_at);
        bucket.tokens = (bucket.tokens + elapsed.as_secs_f64() * per_second).min(capacity);
        bucket.refilled_at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        let missing = 1.0 - bucket.tokens;
        Err(RateLimited {
            per_minute: self.per_minute,
            retry_after: Duration::from_secs_f64((missing / per_second).ceil()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refill() {
        let limiter = RateLimiter::per_minute(2);
        let start = Instant::now();
        assert!(limiter.try_acquire_at(start).is_ok());
        assert!(limiter.try_acquire_at(start).is_ok());
        let limited = limiter.try_acquire_at(start).unwrap_err();
        assert_eq!(limited.retry_after, Duration::from_secs(30));
        assert_eq!(
            limited.to_string(),
            "rate limit: 2 calls/min per user; retry in 30s"
        );
        assert!(
            limiter
                .try_acquire_at(start + Duration::from_secs(30))
                .is_ok()
        );
    }
}
