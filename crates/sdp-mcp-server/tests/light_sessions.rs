#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Light sessions (`transport::light_sessions`): a 2025-era client that did
//! not declare `elicitation` gets a session without rmcp's per-session
//! worker; one that did, or any client in dynamic-toolset mode, gets a full
//! session with a standalone event stream. Both kinds are bound to their
//! principal.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{API_KEY, EventReader, OTHER_KEY, TestServer, initialize_body, simulator};

const ACCEPT: &str = "application/json, text/event-stream";

fn initialize_with(capabilities: Value) -> Value {
    let mut body = initialize_body(1);
    body["params"]["capabilities"] = capabilities;
    body
}

/// POSTs a JSON-RPC message with `key` and optional session id.
async fn post(
    server: &TestServer,
    key: &str,
    session: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut request = server
        .http()
        .post(server.mcp_url())
        .header("accept", ACCEPT)
        .header("authorization", format!("Bearer {key}"))
        .header("mcp-protocol-version", "2025-11-25")
        .json(body);
    if let Some(id) = session {
        request = request.header("mcp-session-id", id);
    }
    request.send().await.unwrap()
}

/// The JSON-RPC message of a response (JSON or the first SSE `message`).
async fn message(response: reqwest::Response) -> Value {
    let json = response
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap().starts_with("application/json"));
    if json {
        return response.json().await.unwrap();
    }
    let mut events = EventReader::new(response);
    while let Some((_, data)) = events.next_event().await {
        if let Ok(value) = serde_json::from_str::<Value>(&data)
            && (value.get("result").is_some() || value.get("error").is_some())
        {
            return value;
        }
    }
    panic!("no JSON-RPC message in the event stream");
}

/// Initializes and returns the session id.
async fn open_session(server: &TestServer, key: &str, capabilities: Value) -> String {
    let response = post(server, key, None, &initialize_with(capabilities)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let id = response.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let init = message(response).await;
    assert_eq!(init["result"]["serverInfo"]["name"], "sdp-mcp", "{init}");
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let ack = post(server, key, Some(&id), &initialized).await;
    assert!(ack.status().is_success(), "{}", ack.status());
    id
}

async fn get_stream(server: &TestServer, key: &str, session: &str) -> reqwest::Response {
    server
        .http()
        .get(server.mcp_url())
        .header("accept", "text/event-stream")
        .header("authorization", format!("Bearer {key}"))
        .header("mcp-protocol-version", "2025-11-25")
        .header("mcp-session-id", session)
        .send()
        .await
        .unwrap()
}

fn whoami(id: u64) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
           "params": {"name": "whoami", "arguments": {}}})
}

#[tokio::test]
async fn a_client_without_elicitation_gets_a_light_session_bound_to_its_user() {
    let server = TestServer::builder()
        .with_other_principal()
        .start(simulator().await)
        .await;
    let id = open_session(&server, API_KEY, json!({"roots": {}})).await;
    assert_eq!(id.len(), 64, "256-bit hex id");
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));

    let called = message(post(&server, API_KEY, Some(&id), &whoami(2)).await).await;
    assert_eq!(called["result"]["isError"], false, "{called}");

    // Another principal presenting the id: same answer as an unknown session.
    let foreign = post(&server, OTHER_KEY, Some(&id), &whoami(3)).await;
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);

    // No standalone stream on a light session: 405 with what is allowed.
    let stream = get_stream(&server, API_KEY, &id).await;
    assert_eq!(stream.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(stream.headers()["allow"], "POST, DELETE");

    // DELETE ends it; the id is then unknown.
    let deleted = server
        .http()
        .delete(server.mcp_url())
        .header("authorization", format!("Bearer {API_KEY}"))
        .header("mcp-session-id", &id)
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success(), "{}", deleted.status());
    let after = post(&server, API_KEY, Some(&id), &whoami(4)).await;
    assert_eq!(after.status(), StatusCode::NOT_FOUND);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_client_with_elicitation_gets_a_full_session_with_a_stream() {
    let server = TestServer::start().await;
    let id = open_session(&server, API_KEY, json!({"elicitation": {}})).await;
    let stream = get_stream(&server, API_KEY, &id).await;
    assert_eq!(stream.status(), StatusCode::OK);
    assert!(
        stream.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    drop(stream);
    let called = message(post(&server, API_KEY, Some(&id), &whoami(2)).await).await;
    assert_eq!(called["result"]["isError"], false, "{called}");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn dynamic_toolsets_always_get_full_sessions() {
    let server = TestServer::builder()
        .toolsets(&["dynamic"])
        .start(simulator().await)
        .await;
    let id = open_session(&server, API_KEY, json!({})).await;
    let stream = get_stream(&server, API_KEY, &id).await;
    assert_eq!(stream.status(), StatusCode::OK);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn an_unknown_session_id_is_not_found() {
    let server = TestServer::start().await;
    let unknown = "ab".repeat(32);
    let response = post(&server, API_KEY, Some(&unknown), &whoami(1)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    server.stop().await.unwrap();
}
