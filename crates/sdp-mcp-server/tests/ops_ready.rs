#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `/ready` in multi-user mode (store reachable, migrations current) and the
//! store metrics. Its own test binary: the `ops` test installs a
//! thread-local subscriber, which parallel tests in one process would race.

mod multi_user_support;

use multi_user_support::{MultiOptions, MultiServer, is_error};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// `/ready` in multi-user mode checks the store and its migrations; the
/// store latency and cached-context metrics move once a user calls a tool.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_checks_the_store_and_metrics_see_it() {
    let server = MultiServer::start(MultiOptions {
        users: 1,
        portals: 1,
        requests_per_portal: 1,
        ..MultiOptions::default()
    })
    .await;
    let ready = server
        .http()
        .get(format!("{}/ready", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready", "{body}");
    assert_eq!(body["store"], "ok", "{body}");
    assert_eq!(body["migrations"], "current", "{body}");
    let key = server.users[0].key.clone();
    let result = server.call(&key, "whoami", json!({})).await;
    assert!(!is_error(&result), "{result}");
    let metrics = server
        .http()
        .get(format!("{}/metrics", server.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("sdp_mcp_store_operation_duration_seconds_count{operation=\"ping\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains(
            "sdp_mcp_store_operation_duration_seconds_count{operation=\"load_credentials\"}"
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains("sdp_mcp_cached_user_contexts "),
        "{metrics}"
    );
    server.stop().await;
}
