#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `/mcp` speaks both protocol eras: the legacy `initialize` handshake with
//! sessions, and 2026-07-28 self-contained requests (`_meta`, no session).

mod support;

use reqwest::StatusCode;
use rmcp::ClientServiceExt;
use rmcp::model::{ClientConfig, ProtocolVersion};
use rmcp::service::ClientLifecycleMode;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::{Value, json};
use support::{API_KEY, EventReader, TIMEOUT, TestServer, call, ok};

const MODERN: &str = "2026-07-28";

fn modern_meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "raw-test", "version": "0"}
    })
}

/// POSTs one modern request and returns its JSON-RPC response.
async fn modern_post(
    server: &TestServer,
    method: &str,
    name: Option<&str>,
    params: Value,
) -> Value {
    let mut request = server
        .http()
        .post(server.mcp_url())
        .header("authorization", format!("Bearer {API_KEY}"))
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", MODERN)
        .header("mcp-method", method);
    if let Some(name) = name {
        request = request.header("mcp-name", name);
    }
    let response = request
        .json(&json!({"jsonrpc": "2.0", "id": 42, "method": method, "params": params}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{method}");
    assert!(
        !response.headers().contains_key("mcp-session-id"),
        "modern requests must not create sessions"
    );
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    if content_type.starts_with("application/json") {
        return response.json().await.unwrap();
    }
    let mut events = EventReader::new(response);
    loop {
        let (_, data) = events
            .next_event()
            .await
            .expect("no response on the stream");
        let message: Value = serde_json::from_str(&data).unwrap();
        if message["id"] == 42 {
            return message;
        }
    }
}

#[tokio::test]
async fn modern_raw_requests_work_without_a_session() {
    let server = TestServer::start().await;

    let discover = modern_post(
        &server,
        "server/discover",
        None,
        json!({"_meta": modern_meta()}),
    )
    .await;
    let supported = discover["result"]["supportedVersions"].as_array().unwrap();
    assert!(supported.iter().any(|v| v == MODERN), "{discover}");
    assert!(supported.iter().any(|v| v == "2025-11-25"), "{discover}");

    let list = modern_post(&server, "tools/list", None, json!({"_meta": modern_meta()})).await;
    assert_eq!(list["result"]["cacheScope"], "private", "{list}");
    let tools = list["result"]["tools"].as_array().unwrap();
    assert!(tools.iter().any(|t| t["name"] == "whoami"));

    let call = modern_post(
        &server,
        "tools/call",
        Some("whoami"),
        json!({"name": "whoami", "arguments": {}, "_meta": modern_meta()}),
    )
    .await;
    assert_eq!(call["result"]["resultType"], "complete", "{call}");
    assert_ne!(call["result"]["isError"], true, "{call}");
    assert!(call["result"]["structuredContent"].is_object(), "{call}");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn modern_request_with_mismatched_name_header_is_rejected() {
    let server = TestServer::start().await;
    let response = server
        .http()
        .post(server.mcp_url())
        .header("authorization", format!("Bearer {API_KEY}"))
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", MODERN)
        .header("mcp-method", "tools/call")
        .header("mcp-name", "list_requests")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                      "params": {"name": "whoami", "arguments": {}, "_meta": modern_meta()}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn rmcp_client_in_discover_mode_uses_the_modern_era() {
    let server = TestServer::start().await;
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(server.mcp_url()).auth_header(API_KEY),
    );
    let client = tokio::time::timeout(
        TIMEOUT,
        ClientConfig::default().serve_with_lifecycle(
            transport,
            ClientLifecycleMode::Discover {
                preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            },
        ),
    )
    .await
    .unwrap()
    .unwrap();
    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "whoami"));
    let result = call(&client, "whoami", json!({})).await;
    ok("whoami", &result);
    client.cancel().await.unwrap();
    server.stop().await.unwrap();
}

#[tokio::test]
async fn legacy_client_negotiates_an_initialize_era_version() {
    let server = TestServer::start().await;
    let client = server.mcp_client().await;
    let info = client.peer_info().unwrap();
    assert!(info.protocol_version < ProtocolVersion::V_2026_07_28);
    let result = call(&client, "whoami", json!({})).await;
    ok("whoami", &result);
    client.cancel().await.unwrap();
    server.stop().await.unwrap();
}
