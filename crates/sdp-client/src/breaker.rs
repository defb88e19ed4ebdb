//! A circuit breaker per SDP portal, shared by every client (every user) of
//! that portal through a [`BreakerRegistry`].
//!
//! - **Closed**: calls go through; `failure_threshold` consecutive upstream
//!   failures (5xx answers, connection errors, time-outs, broken connections)
//!   open it. Any other answer, 4xx included (4007, 4012, 401…), resets the
//!   count: the portal is answering, the caller's request was wrong.
//! - **Open**: calls fail at once with [`SdpError::CircuitOpen`], without
//!   touching the network or the token source, until `cool_down` has passed.
//! - **Half-open**: after the cool-down one call (the probe) goes through while
//!   the others keep failing fast; its success closes the breaker, its failure
//!   opens it for another cool-down. A probe abandoned without an outcome
//!   (its future dropped) lets the next call probe.
//!
//! Time comes from a [`BreakerClock`], so tests advance a [`ManualClock`]
//! instead of sleeping.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::endpoint::Endpoint;
use crate::error::SdpError;

/// A monotonic time source for breakers.
pub trait BreakerClock: Send + Sync + fmt::Debug {
    /// The current instant.
    fn now(&self) -> Instant;
}

/// The real monotonic clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl BreakerClock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that moves only when told to (tests).
#[derive(Debug)]
pub struct ManualClock {
    start: Instant,
    offset: Mutex<Duration>,
}

impl Default for ManualClock {
    fn default() -> Self {
        ManualClock {
            start: Instant::now(),
            offset: Mutex::new(Duration::ZERO),
        }
    }
}

impl ManualClock {
    /// A clock standing still at the moment of creation.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut offset = self.offset.lock();
        *offset = offset.saturating_add(by);
    }
}

impl BreakerClock for ManualClock {
    fn now(&self) -> Instant {
        self.start + *self.offset.lock()
    }
}

/// When a breaker opens and how long it stays open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Consecutive upstream failures that open the breaker (default 5).
    pub failure_threshold: u32,
    /// How long calls are refused before a probe is let through (default 30 s).
    pub cool_down: Duration,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            failure_threshold: 5,
            cool_down: Duration::from_secs(30),
        }
    }
}

/// The state of one breaker, as reported by [`CircuitBreaker::state`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakerState {
    /// Calls go through.
    Closed,
    /// Calls are refused until the cool-down ends.
    Open,
    /// The cool-down ended: the next call (or the one in flight) is the probe.
    HalfOpen,
}

#[derive(Debug, Default)]
struct Inner {
    consecutive_failures: u32,
    opened_at: Option<Instant>,
    probe_in_flight: bool,
}

/// The breaker of one portal.
#[derive(Debug)]
pub struct CircuitBreaker {
    portal: String,
    config: BreakerConfig,
    clock: Arc<dyn BreakerClock>,
    inner: Mutex<Inner>,
}

impl CircuitBreaker {
    /// A closed breaker for `portal` (a label for messages, never a secret).
    pub fn new(
        portal: impl Into<String>,
        config: BreakerConfig,
        clock: Arc<dyn BreakerClock>,
    ) -> Self {
        CircuitBreaker {
            portal: portal.into(),
            config,
            clock,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// The portal this breaker guards (`host/portal`).
    pub fn portal(&self) -> &str {
        &self.portal
    }

    /// The current state.
    pub fn state(&self) -> BreakerState {
        let inner = self.inner.lock();
        match inner.opened_at {
            None => BreakerState::Closed,
            Some(at) if self.clock.now().duration_since(at) < self.config.cool_down => {
                BreakerState::Open
            }
            Some(_) => BreakerState::HalfOpen,
        }
    }

    /// Asks to send one attempt. The returned permit must be given the
    /// attempt's outcome ([`Permit::succeeded`] / [`Permit::failed`]).
    ///
    /// # Errors
    /// [`SdpError::CircuitOpen`] while the breaker is open, or half-open with
    /// a probe already in flight.
    pub fn admit(self: &Arc<Self>) -> Result<Permit, SdpError> {
        let mut inner = self.inner.lock();
        let Some(opened_at) = inner.opened_at else {
            return Ok(self.permit(false));
        };
        let open_for = self.clock.now().duration_since(opened_at);
        if open_for >= self.config.cool_down && !inner.probe_in_flight {
            inner.probe_in_flight = true;
            tracing::info!(portal = %self.portal, "sdp circuit half-open, sending one probe");
            return Ok(self.permit(true));
        }
        let retry_in = self
            .config
            .cool_down
            .saturating_sub(open_for)
            .max(Duration::from_secs(1));
        Err(SdpError::CircuitOpen {
            portal: self.portal.clone(),
            retry_in,
        })
    }

    fn permit(self: &Arc<Self>, probe: bool) -> Permit {
        Permit {
            breaker: Some(self.clone()),
            probe,
        }
    }

    fn record(&self, success: bool, probe: bool) {
        let mut inner = self.inner.lock();
        if probe {
            inner.probe_in_flight = false;
        }
        if success {
            if inner.opened_at.is_some() {
                tracing::info!(portal = %self.portal, "sdp circuit closed");
            }
            *inner = Inner::default();
            return;
        }
        inner.consecutive_failures = inner.consecutive_failures.saturating_add(1);
        let reopen = probe && inner.opened_at.is_some();
        let trip = inner.opened_at.is_none()
            && inner.consecutive_failures >= self.config.failure_threshold.max(1);
        if reopen || trip {
            inner.opened_at = Some(self.clock.now());
            tracing::warn!(
                portal = %self.portal,
                failures = inner.consecutive_failures,
                cool_down_s = self.config.cool_down.as_secs(),
                "sdp circuit open: calls to this portal are paused"
            );
        }
    }
}

/// Leave to send one attempt; report its outcome.
#[derive(Debug)]
#[must_use = "report the outcome with succeeded() or failed()"]
pub struct Permit {
    breaker: Option<Arc<CircuitBreaker>>,
    probe: bool,
}

impl Permit {
    /// The portal answered (any answer that is not a 5xx).
    pub fn succeeded(mut self) {
        if let Some(breaker) = self.breaker.take() {
            breaker.record(true, self.probe);
        }
    }

    /// The portal failed (5xx, no answer, time-out).
    pub fn failed(mut self) {
        if let Some(breaker) = self.breaker.take() {
            breaker.record(false, self.probe);
        }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        // An abandoned probe (cancelled call): let the next call probe.
        if let Some(breaker) = self.breaker.take()
            && self.probe
        {
            breaker.inner.lock().probe_in_flight = false;
        }
    }
}

/// `true` when `error` counts against the portal's health: no answer, or a
/// server error. Rejections of the request itself (4xx) and credential
/// problems do not.
pub fn is_upstream_failure(error: &SdpError) -> bool {
    match error {
        SdpError::Transport { .. } => true,
        SdpError::Api(api) => api.http_status >= 500,
        SdpError::HtmlPage { http_status } => *http_status >= 500,
        _ => false,
    }
}

/// The breakers of a process, one per portal (base URL + portal, or the
/// on-premises base URL), shared by every client of that portal.
#[derive(Debug)]
pub struct BreakerRegistry {
    config: BreakerConfig,
    clock: Arc<dyn BreakerClock>,
    breakers: Mutex<HashMap<String, Arc<CircuitBreaker>>>,
}

impl Default for BreakerRegistry {
    fn default() -> Self {
        Self::new(BreakerConfig::default(), Arc::new(SystemClock))
    }
}

impl BreakerRegistry {
    /// An empty registry whose breakers use `config` and `clock`.
    pub fn new(config: BreakerConfig, clock: Arc<dyn BreakerClock>) -> Self {
        BreakerRegistry {
            config,
            clock,
            breakers: Mutex::new(HashMap::new()),
        }
    }

    /// The breaker of `endpoint`'s portal, created closed on first use.
    pub fn breaker_for(&self, endpoint: &Endpoint) -> Arc<CircuitBreaker> {
        let label = portal_label(endpoint);
        self.breakers
            .lock()
            .entry(label.clone())
            .or_insert_with(|| {
                Arc::new(CircuitBreaker::new(label, self.config, self.clock.clone()))
            })
            .clone()
    }

    /// Every known portal and its state, sorted by portal.
    pub fn states(&self) -> Vec<(String, BreakerState)> {
        let mut states: Vec<_> = self
            .breakers
            .lock()
            .values()
            .map(|b| (b.portal.clone(), b.state()))
            .collect();
        states.sort_by(|a, b| a.0.cmp(&b.0));
        states
    }

    /// How many portals are refusing calls right now (open, not half-open).
    pub fn open_count(&self) -> usize {
        self.states()
            .iter()
            .filter(|(_, state)| *state == BreakerState::Open)
            .count()
    }
}

/// `host[:port]/portal` (or `host[:port]` on-premises): identifies a portal
/// without any credential or query.
fn portal_label(endpoint: &Endpoint) -> String {
    let host = url::Url::parse(endpoint.base_url()).ok().map_or_else(
        || "unknown-host".to_owned(),
        |base| {
            let host = base.host_str().unwrap_or("unknown-host");
            match base.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            }
        },
    );
    match endpoint.portal().or(endpoint.portal_id()) {
        Some(portal) => format!("{host}/{portal}"),
        None => host,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn breaker(clock: &Arc<ManualClock>) -> Arc<CircuitBreaker> {
        Arc::new(CircuitBreaker::new(
            "sdp.example/itdesk",
            BreakerConfig {
                failure_threshold: 3,
                cool_down: Duration::from_secs(30),
            },
            clock.clone(),
        ))
    }

    #[test]
    fn opens_after_consecutive_failures_and_closes_after_a_probe() {
        let clock = Arc::new(ManualClock::new());
        let b = breaker(&clock);
        b.admit().unwrap().failed();
        b.admit().unwrap().failed();
        b.admit().unwrap().succeeded();
        b.admit().unwrap().failed();
        b.admit().unwrap().failed();
        assert_eq!(
            b.state(),
            BreakerState::Closed,
            "a success resets the count"
        );
        b.admit().unwrap().failed();
        assert_eq!(b.state(), BreakerState::Open);
        let error = b.admit().unwrap_err();
        let message = error.human_message();
        assert!(message.contains("sdp.example/itdesk"), "{message}");
        assert!(message.contains("30 s"), "{message}");

        clock.advance(Duration::from_secs(10));
        assert!(b.admit().unwrap_err().human_message().contains("20 s"));
        clock.advance(Duration::from_secs(20));
        assert_eq!(b.state(), BreakerState::HalfOpen);
        let probe = b.admit().unwrap();
        assert!(b.admit().is_err(), "one probe at a time");
        probe.failed();
        assert_eq!(b.state(), BreakerState::Open, "a failed probe reopens");

        clock.advance(Duration::from_secs(30));
        let probe = b.admit().unwrap();
        drop(probe);
        let probe = b.admit().expect("an abandoned probe frees the slot");
        probe.succeeded();
        assert_eq!(b.state(), BreakerState::Closed);
        b.admit().unwrap().succeeded();
    }

    #[test]
    fn registry_keys_by_portal() {
        let registry = BreakerRegistry::default();
        let one = Endpoint::cloud("https://sdp.example", Some("one")).unwrap();
        let two = Endpoint::cloud("https://sdp.example", Some("two")).unwrap();
        let a = registry.breaker_for(&one);
        let b = registry.breaker_for(&one);
        let c = registry.breaker_for(&two);
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(c.portal(), "sdp.example/two");
        assert_eq!(registry.states().len(), 2);
        assert_eq!(registry.open_count(), 0);
    }
}
