#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Graceful shutdown: `run` stops accepting, lets in-flight calls finish
//! within the grace period, and returns `Ok`.

mod support;

use std::time::Duration;

use sdp_sim::control::FaultRule;
use serde_json::json;
use support::{TIMEOUT, TestServer, call, ok, simulator};

/// Makes the next GET of `/requests…` on the simulator wait `latency_ms`, and
/// returns a future that completes once that call has reached the simulator.
fn slow_next_request_read(
    server: &TestServer,
    latency_ms: u64,
) -> impl Future<Output = ()> + use<> {
    let portal = server.sim.directory().users[0].portal.clone();
    let faults_state = server.sim.state().clone();
    faults_state.faults.push(FaultRule {
        path_prefix: Some(format!("/app/{portal}/api/v3/requests")),
        method: Some("GET".to_owned()),
        count: Some(1),
        latency_ms: Some(latency_ms),
        ..FaultRule::default()
    });
    // The one-shot rule disappears when the call takes it, before its latency.
    async move {
        while !faults_state.faults.list().is_empty() {
            tokio::task::yield_now().await;
        }
    }
}

#[tokio::test]
async fn shutdown_waits_for_an_in_flight_call() {
    let server = TestServer::start().await;
    let client = server.mcp_client().await;
    // Warm up the token so the slow call is the SDP read itself.
    ok("whoami", &call(&client, "whoami", json!({})).await);

    let reached = slow_next_request_read(&server, 1500);
    let slow_call = tokio::spawn(async move {
        let result = call(&client, "list_requests", json!({"page_size": 3})).await;
        (client, result)
    });
    tokio::time::timeout(TIMEOUT, reached).await.unwrap();

    server.signal_shutdown();
    let (client, result) = tokio::time::timeout(TIMEOUT, slow_call)
        .await
        .unwrap()
        .unwrap();
    let listed = ok("list_requests", &result);
    assert_eq!(listed["requests"].as_array().unwrap().len(), 3);
    drop(client);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn shutdown_is_bounded_by_the_grace_period() {
    let server = TestServer::builder()
        .grace(Duration::from_millis(200))
        .start(simulator().await)
        .await;
    let client = server.mcp_client().await;
    ok("whoami", &call(&client, "whoami", json!({})).await);

    let reached = slow_next_request_read(&server, 20_000);
    let params = rmcp::model::CallToolRequestParams::new("list_requests")
        .with_arguments(json!({}).as_object().unwrap().clone());
    let stuck = tokio::spawn(async move { client.call_tool(params).await });
    tokio::time::timeout(TIMEOUT, reached).await.unwrap();

    let started = std::time::Instant::now();
    server.stop().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "shutdown took {:?}",
        started.elapsed()
    );
    stuck.abort();
}
