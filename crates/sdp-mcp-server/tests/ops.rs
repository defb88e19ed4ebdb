#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::float_cmp
)]
//! Operations surface: `/metrics` (Prometheus text, counters move after tool
//! calls, optional bearer token), `/ready`, request ids, and JSON logs that
//! parse line by line, carry request and user ids and no secret.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use support::{API_KEY, TestServer, call, ok, simulator};
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Parses Prometheus text: every non-comment line is `name{labels} value`;
/// returns `(series, value)` pairs.
fn parse_prometheus(text: &str) -> Vec<(String, f64)> {
    let mut samples = Vec::new();
    for line in text.lines() {
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix("# ") {
            assert!(
                comment.starts_with("HELP ") || comment.starts_with("TYPE "),
                "bad comment line: {line}"
            );
            if let Some(rest) = comment.strip_prefix("TYPE ") {
                let kind = rest.split(' ').nth(1).unwrap();
                assert!(
                    ["counter", "gauge", "histogram"].contains(&kind),
                    "bad type: {line}"
                );
            }
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap();
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("bad value: {line}"));
        let name_end = series.find('{').unwrap_or(series.len());
        let name = &series[..name_end];
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "bad metric name: {line}"
        );
        if name_end < series.len() {
            assert!(series.ends_with('}'), "unterminated labels: {line}");
            let labels = &series[name_end + 1..series.len() - 1];
            for pair in labels.split("\",").filter(|p| !p.is_empty()) {
                let (key, value) = pair.split_once("=\"").unwrap();
                assert!(
                    key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                    "bad label name: {line}"
                );
                let _ = value;
            }
        }
        samples.push((series.to_owned(), value));
    }
    samples
}

fn sample(samples: &[(String, f64)], series: &str) -> f64 {
    samples
        .iter()
        .find(|(s, _)| s == series)
        .map_or(0.0, |(_, v)| *v)
}

async fn scrape(server: &TestServer, token: Option<&str>) -> reqwest::Response {
    let mut request = server.http().get(format!("{}/metrics", server.url));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn metrics_ready_request_ids_and_json_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .json()
                .with_writer(move || writer.clone())
                .with_filter(tracing_subscriber::EnvFilter::new(
                    sdp_mcp_server::RECOMMENDED_LOG_FILTER,
                )),
        )
        .with(sdp_mcp_server::ops::metrics_layer());
    let _guard = tracing::subscriber::set_default(subscriber);

    let sim = simulator().await;
    let user = sim.directory().users[0].clone();
    let server = TestServer::builder()
        .env("SDP_MCP_METRICS_TOKEN", "metrics-token-secret")
        .start(sim)
        .await;

    // /metrics needs the token when one is configured.
    assert_eq!(scrape(&server, None).await.status(), 401);
    assert_eq!(scrape(&server, Some("wrong")).await.status(), 401);
    let before = parse_prometheus(
        &scrape(&server, Some("metrics-token-secret"))
            .await
            .text()
            .await
            .unwrap(),
    );

    let client = server.mcp_client().await;
    ok("whoami", &call(&client, "whoami", json!({})).await);
    ok(
        "list_requests",
        &call(&client, "list_requests", json!({"page_size": 2})).await,
    );
    let response = scrape(&server, Some("metrics-token-secret")).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let after = parse_prometheus(&response.text().await.unwrap());
    let ok_calls = "sdp_mcp_tool_calls_total{tool=\"list_requests\",outcome=\"ok\"}";
    assert_eq!(sample(&after, ok_calls), sample(&before, ok_calls) + 1.0);
    let count = "sdp_mcp_tool_call_duration_seconds_count{tool=\"list_requests\"}";
    assert_eq!(sample(&after, count), sample(&before, count) + 1.0);
    let upstream = "sdp_mcp_upstream_calls_total{status=\"200\"}";
    assert!(sample(&after, upstream) > sample(&before, upstream));
    let refreshes = "sdp_mcp_token_refreshes_total{outcome=\"ok\"}";
    assert!(sample(&after, refreshes) >= 1.0);
    let posts = "sdp_mcp_http_requests_total{route=\"/mcp\",status=\"200\"}";
    assert!(sample(&after, posts) > sample(&before, posts));
    assert!(sample(&after, "sdp_mcp_active_sessions") >= 1.0);
    assert!(
        after
            .iter()
            .any(|(s, _)| s == "sdp_mcp_cached_user_contexts")
    );
    client.cancel().await.unwrap();

    // /ready (single-user: no store to check) and request ids.
    let ready = server
        .http()
        .get(format!("{}/ready", server.url))
        .header("x-request-id", "probe-42")
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.headers()["x-request-id"], "probe-42");
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    server.stop().await.unwrap();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let mut tool_lines = 0;
    for line in logs.lines() {
        let parsed: Value = serde_json::from_str(line)
            .unwrap_or_else(|error| panic!("log line is not JSON ({error}): {line}"));
        if parsed["fields"]["message"] == "tool call finished" {
            tool_lines += 1;
            let span = &parsed["span"];
            assert_eq!(span["user_id"], "default", "{line}");
            assert_eq!(span["request_id"].as_str().unwrap().len(), 32, "{line}");
            assert_eq!(span["call_id"].as_str().unwrap().len(), 32, "{line}");
        }
    }
    assert_eq!(tool_lines, 2, "{logs}");
    for (what, secret) in [
        ("API key", API_KEY),
        ("metrics token", "metrics-token-secret"),
        ("refresh token", user.refresh_token.as_str()),
        ("client secret", user.client_secret.as_str()),
    ] {
        assert!(!logs.contains(secret), "{what} appears in the logs");
    }
}
