#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Upstream faults from the simulator: rate limits with back-off, 5xx,
//! HTML pages, empty bodies, 401 without 4022, dropped connections.

mod support;

use std::time::{Duration, Instant};

use sdp_client::{ClosureInfo, ListInfo, SdpError, TransportKind};
use sdp_sim::SimHandle;
use sdp_sim::control::FaultRule;
use support::*;

fn requests_prefix(sim: &SimHandle, portal: &str) -> String {
    let _ = sim;
    format!("/app/{portal}/api/v3/requests")
}

fn remaining(sim: &SimHandle, id: u64) -> Option<u64> {
    sim.state()
        .faults
        .list()
        .into_iter()
        .find(|f| f.id == id)
        .and_then(|f| f.remaining)
}

#[tokio::test]
async fn rate_limited_reads_back_off_and_honour_retry_after() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let (client, _) = client_for(&sim, &alice);
    client
        .requests()
        .list(&ListInfo::new().row_count(1))
        .await
        .unwrap();
    sim.state().faults.push(FaultRule {
        path_prefix: Some(requests_prefix(&sim, &alice.portal)),
        method: Some("GET".into()),
        count: Some(2),
        sdp_status_code: Some(4015),
        retry_after_secs: Some(1),
        ..FaultRule::default()
    });
    let started = Instant::now();
    let page = client
        .requests()
        .list(&ListInfo::new().row_count(2))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    // Retry-After (1 s) is honoured but capped at the policy's 300 ms, twice.
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
    assert!(sim.state().faults.list().is_empty());
}

#[tokio::test]
async fn persistent_rate_limit_gives_up_after_bounded_attempts() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let (client, _) = client_for(&sim, &alice);
    let id = sim.state().faults.push(FaultRule {
        path_prefix: Some(requests_prefix(&sim, &alice.portal)),
        method: Some("GET".into()),
        count: Some(10),
        sdp_status_code: Some(4015),
        retry_after_secs: Some(5),
        ..FaultRule::default()
    });
    let error = client.requests().list(&ListInfo::new()).await.unwrap_err();
    assert!(error.is_rate_limited(), "{error:?}");
    assert_eq!(error.status_code(), Some(4015));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(5)));
    assert!(
        error.human_message().contains("Wait 5 s"),
        "{}",
        error.human_message()
    );
    // Exactly three attempts.
    assert_eq!(remaining(&sim, id), Some(7));
}

#[tokio::test]
async fn writes_are_never_retried() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let (client, _) = client_for(&sim, &alice);
    let id = sim.state().faults.push(FaultRule {
        path_prefix: Some(requests_prefix(&sim, &alice.portal)),
        method: Some("POST".into()),
        count: Some(10),
        sdp_status_code: Some(4015),
        ..FaultRule::default()
    });
    let error = client
        .requests()
        .create(&sdp_client::NewRequest::new("rate limited"))
        .await
        .unwrap_err();
    assert!(error.is_rate_limited(), "{error:?}");
    assert_eq!(remaining(&sim, id), Some(9));

    sim.state().faults.clear();
    let id = sim.state().faults.push(FaultRule {
        path_prefix: Some(requests_prefix(&sim, &alice.portal)),
        method: Some("POST".into()),
        count: Some(10),
        http_status: Some(503),
        ..FaultRule::default()
    });
    let error = client
        .requests()
        .create(&sdp_client::NewRequest::new("server error"))
        .await
        .unwrap_err();
    assert_eq!(error.http_status(), Some(503));
    assert_eq!(remaining(&sim, id), Some(9));
}

#[tokio::test]
async fn server_errors_on_reads_are_retried() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let (client, _) = client_for(&sim, &alice);
    sim.state().faults.push(FaultRule {
        path_prefix: Some(requests_prefix(&sim, &alice.portal)),
        method: Some("GET".into()),
        count: Some(2),
        sdp_status_code: Some(4004),
        ..FaultRule::default()
    });
    let page = client
        .requests()
        .list(&ListInfo::new().row_count(1))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
}

#[tokio::test]
async fn html_login_page_is_explained() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let (client, _) = client_for(&sim, &alice);
    sim.state().faults.push(FaultRule {
        path_prefix: Some(requests_prefix(&sim, &alice.portal)),
        count: Some(1),
        html_200: true,
        ..FaultRule::default()
    });
    let error = client.requests().list(&ListInfo::new()).await.unwrap_err();
    assert!(
        matches!(error, SdpError::HtmlPage { http_status: 200 }),
        "{error:?}"
    );
    assert!(error.human_message().contains("Accept"));
}

#[tokio::test]
async fn unauthorized_without_4022_does_not_refresh() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let (client, _) = client_for(&sim, &alice);
    client
        .requests()
        .list(&ListInfo::new().row_count(1))
        .await
        .unwrap();
    sim.state().faults.push(FaultRule {
        path_prefix: Some(requests_prefix(&sim, &alice.portal)),
        count: Some(1),
        http_status: Some(401),
        ..FaultRule::default()
    });
    let error = client.requests().list(&ListInfo::new()).await.unwrap_err();
    assert!(matches!(error, SdpError::Unauthorized { .. }), "{error:?}");
    assert!(error.human_message().contains("scope"));
    assert_eq!(sim.state().counters.grants_for(&alice.refresh_token), 1);
}

#[tokio::test]
async fn empty_body_on_a_write_is_tolerated() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let (client, _) = client_for(&sim, &alice);
    let page = client
        .requests()
        .list(&ListInfo::new().row_count(1))
        .await
        .unwrap();
    let id = page.items[0].id.clone().unwrap();
    sim.state().faults.push(FaultRule {
        path_prefix: Some(format!("{}/{id}", requests_prefix(&sim, &alice.portal))),
        method: Some("PUT".into()),
        count: Some(1),
        empty_body: true,
        ..FaultRule::default()
    });
    let closure = ClosureInfo {
        closure_comments: Some("done".into()),
        ..ClosureInfo::default()
    };
    let outcome = client.requests().close(&id, &closure).await.unwrap();
    assert!(outcome.body.is_null());
}

#[tokio::test]
async fn dropped_connection_on_a_write_is_reported_not_repeated() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let (client, _) = client_for(&sim, &alice);
    let id = sim.state().faults.push(FaultRule {
        path_prefix: Some(requests_prefix(&sim, &alice.portal)),
        method: Some("POST".into()),
        count: Some(5),
        drop_connection: true,
        ..FaultRule::default()
    });
    let error = client
        .requests()
        .create(&sdp_client::NewRequest::new("dropped"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            SdpError::Transport {
                kind: TransportKind::Other,
                ..
            } | SdpError::UnexpectedResponse { .. }
        ),
        "{error:?}"
    );
    assert_eq!(remaining(&sim, id), Some(4));
}

/// The breaker of a portal opens after repeated 5xx, fails fast for every
/// user of that portal without sending anything, leaves other portals alone,
/// lets one probe through after the cool-down (manual clock, no sleeps) and
/// closes when the probe succeeds.
#[tokio::test]
async fn circuit_breaker_opens_per_portal_and_closes_after_a_probe() {
    use std::sync::Arc;

    use sdp_client::breaker::ManualClock;
    use sdp_client::{BreakerConfig, BreakerRegistry, BreakerState};

    let sim = sim().await;
    let (alice, bob, carol) = (user(&sim, 0), user(&sim, 1), user(&sim, 2));
    assert_eq!(alice.portal, carol.portal);
    assert_ne!(alice.portal, bob.portal);
    let clock = Arc::new(ManualClock::new());
    let registry = BreakerRegistry::new(
        BreakerConfig {
            failure_threshold: 3,
            cool_down: Duration::from_secs(30),
        },
        clock.clone(),
    );
    let guarded = |u| {
        let (client, _) = client_for(&sim, u);
        let breaker = registry.breaker_for(client.endpoint());
        client.with_breaker(breaker)
    };
    let (a, b, c) = (guarded(&alice), guarded(&bob), guarded(&carol));
    let one = ListInfo::new().row_count(1);
    for client in [&a, &b, &c] {
        client.requests().list(&one).await.unwrap();
    }
    let portal_prefix = format!("/app/{}/", alice.portal);
    sim.state().faults.push(FaultRule {
        path_prefix: Some(portal_prefix),
        sdp_status_code: Some(4004),
        ..FaultRule::default()
    });
    // Every GET the simulator saw (whatever the matched route is named).
    let calls = || {
        let snapshot = sim.state().counters.snapshot();
        snapshot["calls"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(endpoint, _)| endpoint.starts_with("GET "))
            .map(|(_, n)| n.as_u64().unwrap())
            .sum::<u64>()
    };
    let writes = || sim.state().counters.writes(&alice.portal);

    // Three failed attempts (one read with its retries) open the breaker.
    let error = a.requests().list(&one).await.unwrap_err();
    assert_eq!(error.http_status(), Some(500), "{error:?}");
    let portal_state = |client: &sdp_client::SdpClient| client.breaker().unwrap().state();
    assert_eq!(portal_state(&a), BreakerState::Open);
    assert_eq!(registry.open_count(), 1);

    // Another user of the same portal fails fast: nothing is sent.
    let (calls_before, writes_before) = (calls(), writes());
    let error = c.requests().list(&one).await.unwrap_err();
    assert!(matches!(error, SdpError::CircuitOpen { .. }), "{error:?}");
    let message = error.human_message();
    assert!(message.contains(&alice.portal), "{message}");
    assert!(message.contains("paused for 30 s"), "{message}");
    assert!(message.contains("try again later"), "{message}");
    assert!(error.is_transient());
    let write = c
        .requests()
        .create(&sdp_client::NewRequest::new("while open"))
        .await
        .unwrap_err();
    assert!(matches!(write, SdpError::CircuitOpen { .. }), "{write:?}");
    assert_eq!(calls(), calls_before, "no read reached the portal");
    assert_eq!(writes(), writes_before, "no write reached the portal");

    // The other portal is unaffected.
    b.requests().list(&one).await.unwrap();
    assert_eq!(portal_state(&b), BreakerState::Closed);

    // After the cool-down one probe goes through; it fails: open again.
    clock.advance(Duration::from_secs(10));
    assert!(
        c.requests()
            .list(&one)
            .await
            .unwrap_err()
            .human_message()
            .contains("paused for 20 s")
    );
    clock.advance(Duration::from_secs(20));
    assert_eq!(portal_state(&a), BreakerState::HalfOpen);
    let calls_before = calls();
    let error = a.requests().list(&one).await.unwrap_err();
    assert!(matches!(error, SdpError::CircuitOpen { .. }), "{error:?}");
    assert_eq!(calls(), calls_before + 1, "exactly one probe was sent");
    assert_eq!(portal_state(&a), BreakerState::Open);

    // The portal recovers: the next probe succeeds and closes the breaker.
    sim.state().faults.clear();
    clock.advance(Duration::from_secs(30));
    let page = c.requests().list(&one).await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(portal_state(&a), BreakerState::Closed);
    a.requests().list(&one).await.unwrap();
    assert_eq!(registry.open_count(), 0);

    // 4xx answers (not found) are the caller's problem: they never open it.
    for _ in 0..5 {
        let error = a.requests().get("999999999999").await.unwrap_err();
        assert!(error.is_not_found(), "{error:?}");
    }
    assert_eq!(portal_state(&a), BreakerState::Closed);
}
