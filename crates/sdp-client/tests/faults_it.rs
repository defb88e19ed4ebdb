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
