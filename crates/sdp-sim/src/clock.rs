//! A controllable clock: real time plus an offset that tests advance.
//!
//! Token expiry, code expiry and the Zoho mint throttle all read this clock,
//! so a test can move an hour forward without sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, as the simulator sees them.
#[derive(Debug, Default)]
pub struct SimClock {
    offset_ms: AtomicI64,
}

impl SimClock {
    /// Current simulated time in epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        real.saturating_add(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves simulated time forward.
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }

    /// Total offset applied so far, in milliseconds.
    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed)
    }
}
