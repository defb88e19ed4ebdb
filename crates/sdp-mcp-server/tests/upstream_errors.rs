#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Upstream failures become `isError` tool results that say what to fix; the
//! server itself keeps running.

mod support;

use reqwest::StatusCode;
use serde_json::json;
use support::{TestServer, call, simulator, text};

#[tokio::test]
async fn bad_refresh_token_gives_a_clear_tool_error_and_health_stays_up() {
    let server = TestServer::builder()
        .env(
            "SDP_REFRESH_TOKEN",
            "1000.00000000000000000000000000000000.00000000000000000000000000000000",
        )
        .start(simulator().await)
        .await;
    let client = server.mcp_client().await;

    for tool in ["whoami", "list_requests"] {
        let result = call(&client, tool, json!({})).await;
        assert_eq!(result.is_error, Some(true), "{tool}: {}", text(&result));
        let message = text(&result).to_lowercase();
        assert!(message.contains("refresh token"), "{tool}: {message}");
        assert!(message.contains("re-authorize"), "{tool}: {message}");
    }

    let health = server
        .http()
        .get(format!("{}/health", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    client.cancel().await.unwrap();
    server.stop().await.unwrap();
}

#[tokio::test]
async fn missing_mandatory_fields_are_named_in_the_tool_error() {
    let server = TestServer::start().await;
    let client = server.mcp_client().await;
    let result = call(
        &client,
        "create_request",
        json!({"subject": "Strict template test", "template": "Incident (strict)"}),
    )
    .await;
    assert_eq!(result.is_error, Some(true), "{}", text(&result));
    let message = text(&result);
    for field in ["urgency", "impact", "category", "request_type"] {
        assert!(message.contains(field), "{field} not named in: {message}");
    }
    assert!(message.contains("get_request_fields"), "{message}");

    // The fields the error names are the ones get_request_fields reports.
    let fields = call(
        &client,
        "get_request_fields",
        json!({"template": "Incident (strict)"}),
    )
    .await;
    let mandatory = fields.structured_content.unwrap()["mandatory_fields"].clone();
    assert!(
        mandatory.as_array().unwrap().iter().any(|f| f == "urgency"),
        "{mandatory}"
    );
    client.cancel().await.unwrap();
    server.stop().await.unwrap();
}

#[tokio::test]
async fn sdp_not_found_is_a_tool_error() {
    let server = TestServer::start().await;
    let client = server.mcp_client().await;
    let result = call(
        &client,
        "get_request",
        json!({"request_id": "999999999999999999"}),
    )
    .await;
    assert_eq!(result.is_error, Some(true));
    assert!(text(&result).contains("Not found"), "{}", text(&result));
    client.cancel().await.unwrap();
    server.stop().await.unwrap();
}
