#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The legacy HTTP+SSE transport (`/sse` + `/messages`), driven with raw HTTP.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{API_KEY, EventReader, TestServer, initialize_body};

struct SseClient<'a> {
    server: &'a TestServer,
    events: EventReader,
    endpoint: String,
}

impl<'a> SseClient<'a> {
    async fn connect(server: &'a TestServer) -> Self {
        let response = server
            .http()
            .get(format!("{}/sse", server.url))
            .header("authorization", format!("Bearer {API_KEY}"))
            .header("accept", "text/event-stream")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        let mut events = EventReader::new(response);
        let (event, endpoint) = events.next_event().await.unwrap();
        assert_eq!(event, "endpoint");
        Self {
            server,
            events,
            endpoint,
        }
    }

    async fn post(&self, message: &Value) {
        let response = self
            .server
            .http()
            .post(format!("{}{}", self.server.url, self.endpoint))
            .header("authorization", format!("Bearer {API_KEY}"))
            .json(message)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::ACCEPTED);
    }

    /// Sends a request and returns the response with the same id.
    async fn request(&mut self, id: u64, method: &str, params: Value) -> Value {
        self.post(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        loop {
            let (event, data) = self.events.next_event().await.expect("stream ended");
            assert_eq!(event, "message");
            let message: Value = serde_json::from_str(&data).unwrap();
            if message["id"] == id {
                return message;
            }
        }
    }
}

#[tokio::test]
async fn initialize_list_and_call_over_sse() {
    let server = TestServer::start().await;
    let mut client = SseClient::connect(&server).await;
    client.post(&initialize_body(1)).await;
    let (_, data) = client.events.next_event().await.unwrap();
    let initialized: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(initialized["id"], 1);
    assert_eq!(initialized["result"]["protocolVersion"], "2025-11-25");
    client
        .post(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .await;

    let list = client.request(2, "tools/list", json!({})).await;
    let names: Vec<&str> = list["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"list_requests"), "{names:?}");

    let whoami = client
        .request(3, "tools/call", json!({"name": "whoami", "arguments": {}}))
        .await;
    assert_ne!(whoami["result"]["isError"], true, "{whoami}");
    assert!(
        whoami["result"]["structuredContent"].is_object(),
        "{whoami}"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn unknown_session_id_is_not_found() {
    let server = TestServer::start().await;
    let response = server
        .http()
        .post(format!("{}/messages?sessionId=nope", server.url))
        .header("authorization", format!("Bearer {API_KEY}"))
        .json(&initialize_body(1))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    server.stop().await.unwrap();
}
