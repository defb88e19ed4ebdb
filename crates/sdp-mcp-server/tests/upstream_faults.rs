#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Upstream faults through the multi-user server (simulator fault injection):
//! bounded read retries ending in a clear `isError`, writes never repeated
//! (also when the connection drops after SDP acted: `indeterminate`),
//! `Retry-After` honoured, unreadable answers explained, and the per-portal
//! circuit breaker: a failing portal is paused for its users only.
//!
//! Zoho's mint throttle without a retry storm is covered by sdp-client's
//! `tokens_it.rs`; the breaker's half-open probe and closing, with a manual
//! clock, by sdp-client's `faults_it.rs`.

mod multi_user_support;

use multi_user_support::{MultiOptions, MultiServer, is_error, text_of};
use sdp_sim::control::FaultRule;
use serde_json::json;

/// Every GET the simulator has seen so far.
fn reads(server: &MultiServer) -> u64 {
    let snapshot = server.sim.state().counters.snapshot();
    snapshot["calls"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(endpoint, _)| endpoint.starts_with("GET "))
        .map(|(_, n)| n.as_u64().unwrap())
        .sum()
}

/// A requester email of `key`'s portal (create_request needs one).
async fn requester(server: &MultiServer, key: &str) -> String {
    let listed = server
        .call(key, "list_requests", json!({"page_size": 20}))
        .await;
    listed["structuredContent"]["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|r| r["requester_email"].as_str())
        .unwrap_or_else(|| panic!("no requester email in {listed}"))
        .to_owned()
}

fn portal_prefix(portal: &str) -> String {
    format!("/app/{portal}/api/v3/requests")
}

#[tokio::test]
async fn failing_portal_is_paused_for_its_users_only() {
    let server = MultiServer::start(MultiOptions::default()).await;
    let (alice, bob, carol) = (
        server.users[0].clone(),
        server.users[1].clone(),
        server.users[2].clone(),
    );
    assert_eq!(alice.sim.portal, carol.sim.portal);
    assert_ne!(alice.sim.portal, bob.sim.portal);
    let carol_requester = requester(&server, &carol.key).await;
    let bob_requester = requester(&server, &bob.key).await;
    let result = server.call(&alice.key, "list_requests", json!({})).await;
    assert!(!is_error(&result), "{result}");

    server.sim.state().faults.push(FaultRule {
        path_prefix: Some(format!("/app/{}/", alice.sim.portal)),
        sdp_status_code: Some(4004),
        ..FaultRule::default()
    });
    // A read is retried a bounded number of times, then explained.
    let before = reads(&server);
    let result = server.call(&alice.key, "list_requests", json!({})).await;
    assert!(is_error(&result), "{result}");
    let message = text_of(&result);
    assert!(message.contains("internal error"), "{message}");
    assert!(message.contains("Retry later"), "{message}");
    assert_eq!(reads(&server) - before, 3, "three attempts, no more");

    // Repeated failures open the portal's breaker (5 consecutive failures).
    let result = server.call(&alice.key, "list_requests", json!({})).await;
    assert!(is_error(&result), "{result}");
    // Another user of the failing portal is answered at once, nothing sent.
    let before = reads(&server);
    let result = server
        .call(&carol.key, "get_request", json!({"request_id": "1"}))
        .await;
    assert!(is_error(&result), "{result}");
    let message = text_of(&result);
    assert!(message.contains(&alice.sim.portal), "{message}");
    assert!(message.contains("is failing"), "{message}");
    assert!(message.contains("paused for"), "{message}");
    assert!(message.contains("try again later"), "{message}");
    assert_eq!(reads(&server), before, "no call reached the failing portal");
    let writes = server.sim.state().counters.writes(&alice.sim.portal);
    let result = server
        .call(
            &carol.key,
            "create_request",
            json!({"subject": "while paused", "requester": carol_requester}),
        )
        .await;
    assert!(is_error(&result), "{result}");
    assert_eq!(
        server.sim.state().counters.writes(&alice.sim.portal),
        writes
    );

    // The other portal and its user are unaffected.
    let result = server.call(&bob.key, "list_requests", json!({})).await;
    assert!(!is_error(&result), "{result}");
    let result = server
        .call(
            &bob.key,
            "create_request",
            json!({"subject": "other portal", "requester": bob_requester}),
        )
        .await;
    assert!(!is_error(&result), "{result}");
    server.stop().await;
}

#[tokio::test]
async fn writes_are_sent_once_even_when_the_connection_drops() {
    let server = MultiServer::start(MultiOptions::default()).await;
    let alice = server.users[0].clone();
    let portal = alice.sim.portal.clone();
    let requester = requester(&server, &alice.key).await;
    let writes = || server.sim.state().counters.writes(&portal);
    assert_eq!(writes(), 0);

    // SDP answers 500 to a create: reported, not repeated.
    server.sim.state().faults.push(FaultRule {
        path_prefix: Some(portal_prefix(&portal)),
        method: Some("POST".into()),
        count: Some(1),
        http_status: Some(503),
        ..FaultRule::default()
    });
    let result = server
        .call(
            &alice.key,
            "create_request",
            json!({"subject": "503", "requester": requester}),
        )
        .await;
    assert!(is_error(&result), "{result}");
    assert!(server.sim.state().faults.list().is_empty());
    assert_eq!(writes(), 0, "the 503 was not retried");

    // The connection breaks after SDP created the request: one write, and
    // the result says the outcome is unknown instead of retrying.
    server.sim.state().faults.push(FaultRule {
        path_prefix: Some(portal_prefix(&portal)),
        method: Some("POST".into()),
        count: Some(5),
        drop_connection: true,
        ..FaultRule::default()
    });
    let result = server
        .call(
            &alice.key,
            "create_request",
            json!({"subject": "dropped", "requester": requester}),
        )
        .await;
    assert!(is_error(&result), "{result}");
    assert_eq!(
        result["structuredContent"]["indeterminate"], true,
        "{result}"
    );
    assert!(text_of(&result).contains("not retried"), "{result}");
    assert_eq!(writes(), 1, "exactly one write reached SDP");
    server.sim.state().faults.clear();

    // Every later write tool call is one write.
    for i in 0..3 {
        let result = server
            .call(
                &alice.key,
                "create_request",
                json!({"subject": format!("ok {i}"), "requester": requester}),
            )
            .await;
        assert!(!is_error(&result), "{result}");
    }
    assert_eq!(writes(), 4);
    server.stop().await;
}

#[tokio::test]
async fn rate_limits_and_unreadable_answers_are_explained() {
    let server = MultiServer::start(MultiOptions::default()).await;
    let alice = server.users[0].clone();
    let portal = alice.sim.portal.clone();
    let result = server.call(&alice.key, "list_requests", json!({})).await;
    assert!(!is_error(&result), "{result}");

    // One 4015 with Retry-After: the read waits and succeeds.
    server.sim.state().faults.push(FaultRule {
        path_prefix: Some(portal_prefix(&portal)),
        method: Some("GET".into()),
        count: Some(1),
        sdp_status_code: Some(4015),
        retry_after_secs: Some(1),
        ..FaultRule::default()
    });
    let before = reads(&server);
    let result = server.call(&alice.key, "list_requests", json!({})).await;
    assert!(!is_error(&result), "{result}");
    assert_eq!(reads(&server) - before, 2, "one retry after the 4015");

    // A lasting rate limit: bounded attempts, then the wait is named.
    server.sim.state().faults.push(FaultRule {
        path_prefix: Some(portal_prefix(&portal)),
        method: Some("GET".into()),
        count: Some(10),
        sdp_status_code: Some(4015),
        retry_after_secs: Some(1),
        ..FaultRule::default()
    });
    let before = reads(&server);
    let result = server.call(&alice.key, "list_requests", json!({})).await;
    assert!(is_error(&result), "{result}");
    let message = text_of(&result);
    assert!(message.contains("rate limit"), "{message}");
    assert!(message.contains("Wait 1 s"), "{message}");
    assert_eq!(reads(&server) - before, 3);
    server.sim.state().faults.clear();

    // Cut JSON, an HTML page with 200, and an empty body on a read.
    for (rule, expected) in [
        (
            FaultRule {
                malformed_json: true,
                ..FaultRule::default()
            },
            "cannot read",
        ),
        (
            FaultRule {
                html_200: true,
                ..FaultRule::default()
            },
            "HTML page",
        ),
    ] {
        server.sim.state().faults.push(FaultRule {
            path_prefix: Some(portal_prefix(&portal)),
            method: Some("GET".into()),
            count: Some(1),
            ..rule
        });
        let result = server.call(&alice.key, "list_requests", json!({})).await;
        assert!(is_error(&result), "{result}");
        let message = text_of(&result);
        assert!(message.contains(expected), "{expected}: {message}");
        assert!(server.sim.state().faults.list().is_empty());
    }
    let result = server.call(&alice.key, "list_requests", json!({})).await;
    assert!(!is_error(&result), "{result}");
    server.stop().await;
}
