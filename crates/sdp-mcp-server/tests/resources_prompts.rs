#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Resources (`sdp://requests/{id}` and friends, `sdp://metadata`) and
//! prompts (`triage_request`, …) over a legacy rmcp client and raw 2026-07-28
//! requests: reads return the caller's record as JSON with a summary; an
//! unknown id is -32002 before 2026-07-28 and -32602 after.

mod support;

use rmcp::model::{GetPromptRequestParams, ReadResourceRequestParams, ResourceContents};
use rmcp::service::ServiceError;
use serde_json::{Value, json};
use support::{API_KEY, EventReader, TestServer, call, ok};

/// The text and MIME type of a one-content read.
fn only_text(contents: &[ResourceContents]) -> (String, Option<String>) {
    assert_eq!(contents.len(), 1);
    match &contents[0] {
        ResourceContents::TextResourceContents {
            text, mime_type, ..
        } => (text.clone(), mime_type.clone()),
        other => panic!("not text: {other:?}"),
    }
}

fn error_code(error: ServiceError) -> (i32, Value) {
    let ServiceError::McpError(error) = error else {
        panic!("expected a JSON-RPC error, got {error:?}");
    };
    (error.code.0, error.data.unwrap_or_default())
}

#[tokio::test]
async fn records_read_as_json_with_a_summary() {
    let server = TestServer::start().await;
    let client = server.mcp_client().await;
    let info = client.peer_info().unwrap();
    assert!(info.capabilities.resources.is_some());
    assert!(info.capabilities.prompts.is_some());

    let templates = client.list_all_resource_templates().await.unwrap();
    let uris: Vec<&str> = templates.iter().map(|t| t.uri_template.as_str()).collect();
    for expected in [
        "sdp://requests/{id}",
        "sdp://requests/{id}/notes",
        "sdp://problems/{id}",
        "sdp://changes/{id}",
        "sdp://solutions/{id}",
    ] {
        assert!(uris.contains(&expected), "{expected} not in {uris:?}");
    }
    let resources = client.list_all_resources().await.unwrap();
    assert_eq!(resources[0].uri, "sdp://metadata");

    let listed = ok(
        "list_requests",
        &call(&client, "list_requests", json!({"page_size": 1})).await,
    );
    let id = listed["requests"][0]["id"].as_str().unwrap().to_owned();
    let subject = listed["requests"][0]["subject"]
        .as_str()
        .unwrap()
        .to_owned();

    let uri = format!("sdp://requests/{id}");
    let read = client
        .read_resource(ReadResourceRequestParams::new(uri.clone()))
        .await
        .unwrap();
    let (text, mime) = only_text(&read.contents);
    assert_eq!(mime.as_deref(), Some("application/json"));
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["request"]["id"], id.as_str(), "{body}");
    let summary = body["summary"].as_str().unwrap();
    assert!(
        summary.starts_with(&format!("Request {id}: {subject}")),
        "{summary}"
    );
    assert!(summary.contains("status "), "{summary}");

    let notes = client
        .read_resource(ReadResourceRequestParams::new(format!("{uri}/notes")))
        .await
        .unwrap();
    let (text, _) = only_text(&notes.contents);
    let body: Value = serde_json::from_str(&text).unwrap();
    assert!(body["notes"].is_array(), "{body}");

    let metadata = client
        .read_resource(ReadResourceRequestParams::new("sdp://metadata"))
        .await
        .unwrap();
    let (text, _) = only_text(&metadata.contents);
    let body: Value = serde_json::from_str(&text).unwrap();
    assert!(
        !body["lists"]["statuses"].as_array().unwrap().is_empty(),
        "{body}"
    );

    // Unknown id and unknown URI: resource not found (-32002 in this era).
    for missing in ["sdp://requests/999999999999", "sdp://nothing/1"] {
        let error = client
            .read_resource(ReadResourceRequestParams::new(missing))
            .await
            .unwrap_err();
        let (code, data) = error_code(error);
        assert_eq!(code, -32002, "{missing}");
        assert_eq!(data["uri"], missing);
    }
    client.cancel().await.unwrap();
    server.stop().await.unwrap();
}

#[tokio::test]
async fn modern_clients_get_invalid_params_for_a_missing_resource() {
    let server = TestServer::start().await;
    let uri = "sdp://problems/999999999999";
    let response = server
        .http()
        .post(server.mcp_url())
        .header("authorization", format!("Bearer {API_KEY}"))
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "resources/read")
        .header("mcp-name", uri)
        .json(
            &json!({"jsonrpc": "2.0", "id": 5, "method": "resources/read", "params": {
                "uri": uri,
                "_meta": {
                    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                    "io.modelcontextprotocol/clientCapabilities": {},
                    "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"}
                }
            }}),
        )
        .send()
        .await
        .unwrap();
    let sse = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream");
    let message: Value = if sse {
        let (_, data) = EventReader::new(response).next_event().await.unwrap();
        serde_json::from_str(&data).unwrap()
    } else {
        response.json().await.unwrap()
    };
    assert_eq!(message["error"]["code"], -32602, "{message}");
    assert_eq!(message["error"]["data"]["uri"], uri, "{message}");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn prompts_tell_the_assistant_which_tools_to_call() {
    let server = TestServer::start().await;
    let client = server.mcp_client().await;
    let prompts = client.list_all_prompts().await.unwrap();
    let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "triage_request",
            "escalate_request",
            "summarise_my_queue",
            "draft_reply"
        ]
    );

    let arguments = json!({"request_id": "4242", "reason": "CEO laptop"});
    let escalate = client
        .get_prompt(
            GetPromptRequestParams::new("escalate_request")
                .with_arguments(arguments.as_object().unwrap().clone()),
        )
        .await
        .unwrap();
    let text = serde_json::to_value(&escalate.messages[0]).unwrap()["content"]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    for expected in [
        "4242",
        "CEO laptop",
        "get_request",
        "update_request",
        "add_note",
    ] {
        assert!(text.contains(expected), "{expected} not in {text}");
    }
    let queue = client
        .get_prompt(GetPromptRequestParams::new("summarise_my_queue"))
        .await
        .unwrap();
    assert_eq!(queue.messages.len(), 1);

    // A missing required argument and an unknown prompt are invalid params.
    for (name, arguments) in [
        ("triage_request", json!({})),
        ("nope", json!({"request_id": "1"})),
    ] {
        let error = client
            .get_prompt(
                GetPromptRequestParams::new(name)
                    .with_arguments(arguments.as_object().unwrap().clone()),
            )
            .await
            .unwrap_err();
        assert_eq!(error_code(error).0, -32602, "{name}");
    }
    client.cancel().await.unwrap();
    server.stop().await.unwrap();
}
