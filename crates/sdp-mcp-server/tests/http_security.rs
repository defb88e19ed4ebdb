#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Authentication, Origin/Host validation and session binding over HTTP.

mod support;

use reqwest::StatusCode;
use sdp_mcp_server::{Config, EnvSource, ServerError};
use serde_json::Value;
use support::{API_KEY, EventReader, OTHER_KEY, TestServer, initialize_body, simulator};

const ACCEPT: &str = "application/json, text/event-stream";

async fn post_initialize(
    server: &TestServer,
    authorization: Option<&str>,
    origin: Option<&str>,
) -> reqwest::Response {
    let mut request = server
        .http()
        .post(server.mcp_url())
        .header("accept", ACCEPT)
        .json(&initialize_body(1));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn health_answers_without_credentials() {
    let server = TestServer::start().await;
    let response = server
        .http()
        .get(format!("{}/health", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn missing_key_gets_a_bearer_challenge_without_error() {
    let server = TestServer::start().await;
    let response = post_initialize(&server, None, None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()["www-authenticate"],
        "Bearer realm=\"sdp-mcp\""
    );
    let body: Value = response.json().await.unwrap();
    assert!(body["hint"].as_str().unwrap().contains("SDP_MCP_API_KEY"));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn wrong_key_gets_401_invalid_token_on_every_mcp_route() {
    let server = TestServer::start().await;
    let response = post_initialize(&server, Some("Bearer wrong-key"), None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = response.headers()["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.starts_with("Bearer realm=\"sdp-mcp\""),
        "{challenge}"
    );
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_token");

    let sse = server
        .http()
        .get(format!("{}/sse", server.url))
        .header("authorization", "Bearer wrong-key")
        .send()
        .await
        .unwrap();
    assert_eq!(sse.status(), StatusCode::UNAUTHORIZED);
    assert!(sse.headers().contains_key("www-authenticate"));

    let messages = server
        .http()
        .post(format!("{}/messages?sessionId=x", server.url))
        .json(&initialize_body(1))
        .send()
        .await
        .unwrap();
    assert_eq!(messages.status(), StatusCode::UNAUTHORIZED);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn rmcp_client_with_wrong_key_cannot_initialize() {
    let server = TestServer::start().await;
    let transport = rmcp::transport::StreamableHttpClientTransport::from_config(
        rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig::with_uri(
            server.mcp_url(),
        )
        .auth_header("wrong-key"),
    );
    let result = rmcp::ServiceExt::serve(rmcp::model::ClientConfig::default(), transport).await;
    assert!(result.is_err());
    server.stop().await.unwrap();
}

#[tokio::test]
async fn foreign_origin_gets_403_on_mcp_and_sse() {
    let server = TestServer::start().await;
    let bearer = format!("Bearer {API_KEY}");
    let response = post_initialize(&server, Some(&bearer), Some("https://evil.example")).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("SDP_MCP_ALLOWED_ORIGINS")
    );

    let sse = server
        .http()
        .get(format!("{}/sse", server.url))
        .header("authorization", &bearer)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(sse.status(), StatusCode::FORBIDDEN);

    let messages = server
        .http()
        .post(format!("{}/messages?sessionId=x", server.url))
        .header("authorization", &bearer)
        .header("origin", "http://evil.example")
        .json(&initialize_body(1))
        .send()
        .await
        .unwrap();
    assert_eq!(messages.status(), StatusCode::FORBIDDEN);

    // The server's own loopback origin is accepted.
    let port = server.url.rsplit(':').next().unwrap();
    let own = format!("http://localhost:{port}");
    let response = post_initialize(&server, Some(&bearer), Some(&own)).await;
    assert_eq!(response.status(), StatusCode::OK);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn foreign_host_gets_403() {
    let server = TestServer::start().await;
    let response = server
        .http()
        .post(server.mcp_url())
        .header("accept", ACCEPT)
        .header("host", "attacker.example")
        .header("authorization", format!("Bearer {API_KEY}"))
        .json(&initialize_body(1))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn without_api_key_a_non_loopback_listener_is_refused() {
    let sim = simulator().await;
    let config = Config::from_env(&EnvSource::from_vars(support::sim_env(&sim))).unwrap();
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let error = sdp_mcp_server::run(listener, config, async {})
        .await
        .unwrap_err();
    assert!(matches!(error, ServerError::InsecureListener { .. }));
    assert!(error.to_string().contains("SDP_MCP_API_KEY"), "{error}");
}

#[tokio::test]
async fn without_api_key_loopback_serves_without_authorization() {
    let server = TestServer::builder()
        .without_api_key()
        .start(simulator().await)
        .await;
    let client = server.mcp_client_with_key(None).await;
    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "whoami"));
    client.cancel().await.unwrap();
    server.stop().await.unwrap();
}

#[tokio::test]
async fn mcp_session_of_another_principal_is_not_found() {
    let server = TestServer::builder()
        .with_other_principal()
        .start(simulator().await)
        .await;
    let response = post_initialize(&server, Some(&format!("Bearer {API_KEY}")), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let session = response.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned();

    let initialized = serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let post_as = |key: &str| {
        server
            .http()
            .post(server.mcp_url())
            .header("accept", ACCEPT)
            .header("mcp-session-id", &session)
            .header("mcp-protocol-version", "2025-11-25")
            .header("authorization", format!("Bearer {key}"))
            .json(&initialized)
            .send()
    };
    let foreign = post_as(OTHER_KEY).await.unwrap();
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
    let owner = post_as(API_KEY).await.unwrap();
    assert_eq!(owner.status(), StatusCode::ACCEPTED);

    let unknown = server
        .http()
        .post(server.mcp_url())
        .header("accept", ACCEPT)
        .header("mcp-session-id", "no-such-session")
        .header("authorization", format!("Bearer {API_KEY}"))
        .json(&initialized)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn sse_session_of_another_principal_is_not_found() {
    let server = TestServer::builder()
        .with_other_principal()
        .start(simulator().await)
        .await;
    let stream = server
        .http()
        .get(format!("{}/sse", server.url))
        .header("authorization", format!("Bearer {API_KEY}"))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let mut events = EventReader::new(stream);
    let (event, endpoint) = events.next_event().await.unwrap();
    assert_eq!(event, "endpoint");
    assert!(endpoint.starts_with("/messages?sessionId="), "{endpoint}");

    let post_as = |key: &str| {
        server
            .http()
            .post(format!("{}{endpoint}", server.url))
            .header("authorization", format!("Bearer {key}"))
            .json(&initialize_body(7))
            .send()
    };
    let foreign = post_as(OTHER_KEY).await.unwrap();
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
    let owner = post_as(API_KEY).await.unwrap();
    assert_eq!(owner.status(), StatusCode::ACCEPTED);
    let (event, data) = events.next_event().await.unwrap();
    assert_eq!(event, "message");
    let response: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(response["id"], 7);
    assert_eq!(response["result"]["serverInfo"]["name"], "sdp-mcp");
    server.stop().await.unwrap();
}
