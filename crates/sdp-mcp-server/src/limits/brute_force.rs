//! Failed authentications per peer address: after `max_failures` in a
//! minute, the peer gets 429 with `Retry-After` until the minute is over,
//! before its credentials are looked at (so a guessing client costs no store
//! lookup and learns nothing). Other peers are unaffected.
//!
//! The peer is the TCP peer address ([`ConnectInfo`], set by the accept loop);
//! IPv6 peers are grouped by /64, the block one subscriber usually holds.
//! Behind a reverse proxy every client shares the proxy's address, so the
//! proxy should rate-limit too (its own limiter sees real addresses);
//! `X-Forwarded-For` is not trusted here because any client can send it.
//!
//! Failures are learned from the `AuthError` that the authentication layer
//! leaves in its response's extensions: a wrong key, a wrong OAuth token or
//! malformed header credentials count; a request without any credentials
//! (how MCP clients discover OAuth) does not.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use parking_lot::Mutex;

use crate::auth::AuthError;

/// The counting window.
const WINDOW: Duration = Duration::from_secs(60);
/// Most peers tracked at once; past it, finished windows are dropped first.
const MAX_PEERS: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

/// Per-peer failure counts.
#[derive(Debug, Clone)]
pub(crate) struct AuthFailureLimiter {
    max_failures: u32,
    peers: Arc<Mutex<HashMap<IpAddr, Window>>>,
}

/// The key of a peer: IPv4 address, or the /64 of an IPv6 address.
fn peer_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return IpAddr::V4(v4);
            }
            let mut segments = v6.segments();
            for segment in &mut segments[4..] {
                *segment = 0;
            }
            IpAddr::V6(segments.into())
        }
    }
}

impl AuthFailureLimiter {
    /// A limiter allowing `max_failures` per minute per peer (0: off).
    pub(crate) fn new(max_failures: u32) -> Self {
        Self {
            max_failures,
            peers: Arc::default(),
        }
    }

    /// How long `ip` must wait, if it is blocked now.
    fn blocked_for(&self, ip: IpAddr, now: Instant) -> Option<Duration> {
        let peers = self.peers.lock();
        let window = peers.get(&peer_key(ip))?;
        let elapsed = now.saturating_duration_since(window.started);
        (window.failures >= self.max_failures && elapsed < WINDOW)
            .then(|| WINDOW.saturating_sub(elapsed))
    }

    /// Counts one failure of `ip`.
    fn record_failure(&self, ip: IpAddr, now: Instant) {
        let mut peers = self.peers.lock();
        if peers.len() >= MAX_PEERS {
            peers.retain(|_, w| now.saturating_duration_since(w.started) < WINDOW);
            if peers.len() >= MAX_PEERS {
                peers.clear();
            }
        }
        let window = peers.entry(peer_key(ip)).or_insert(Window {
            started: now,
            failures: 0,
        });
        if now.saturating_duration_since(window.started) >= WINDOW {
            *window = Window {
                started: now,
                failures: 0,
            };
        }
        window.failures = window.failures.saturating_add(1);
    }
}

fn too_many_failures(wait: Duration) -> Response {
    let secs = wait.as_secs().max(1);
    let body = serde_json::json!({
        "error": "too_many_failed_attempts",
        "error_description": format!(
            "Too many requests with an invalid API key or token came from your address. \
             Wait {secs} seconds, then retry with the correct key (Authorization: Bearer …); \
             check the key configured in your MCP client."
        ),
    });
    let mut response = (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    response
}

/// axum middleware, outside the authentication layer.
pub(crate) async fn guard(
    State(limiter): State<AuthFailureLimiter>,
    request: Request,
    next: Next,
) -> Response {
    if limiter.max_failures == 0 {
        return next.run(request).await;
    }
    let Some(ConnectInfo(peer)) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .copied()
    else {
        return next.run(request).await;
    };
    if let Some(wait) = limiter.blocked_for(peer.ip(), Instant::now()) {
        tracing::warn!(
            security_event = "auth_failures_rate_limited",
            peer = %peer_key(peer.ip()),
            path = request.uri().path(),
            "refused a request before authentication: too many failed attempts from this peer"
        );
        return too_many_failures(wait);
    }
    let response = next.run(request).await;
    if matches!(
        response.extensions().get::<AuthError>(),
        Some(AuthError::InvalidToken | AuthError::BadHeaderCredentials(_))
    ) {
        limiter.record_failure(peer.ip(), Instant::now());
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peer_is_blocked_after_the_limit_until_the_window_ends() {
        let limiter = AuthFailureLimiter::new(3);
        let attacker: IpAddr = [10, 0, 0, 1].into();
        let other: IpAddr = [10, 0, 0, 2].into();
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.blocked_for(attacker, start).is_none());
            limiter.record_failure(attacker, start);
        }
        assert!(limiter.blocked_for(attacker, start).is_some());
        assert!(limiter.blocked_for(other, start).is_none());
        assert!(limiter.blocked_for(attacker, start + WINDOW).is_none());
    }

    #[test]
    fn ipv6_peers_share_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(peer_key(a), peer_key(b));
        assert_ne!(peer_key(a), peer_key(c));
    }
}
