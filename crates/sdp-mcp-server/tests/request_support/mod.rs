//! Helpers of the request tool tests: a server with the request toolsets,
//! `ok` that also validates `structuredContent` against the `outputSchema`,
//! and `fails`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::OnceLock;

use rmcp::RoleClient;
use rmcp::model::ClientConfig;
use rmcp::service::RunningService;
use serde_json::{Value, json};

use super::support::{self, TestServer, call, text};

pub type Client = RunningService<RoleClient, ClientConfig>;

/// Output schemas by tool name, read from `tools/list` once.
static SCHEMAS: OnceLock<HashMap<String, Value>> = OnceLock::new();

/// A server with the request toolsets and a client; output schemas recorded.
pub async fn start() -> (TestServer, Client) {
    let server = TestServer::builder()
        .toolsets(&["requests", "request_work", "users", "lookups"])
        .start(support::simulator().await)
        .await;
    let client = server.mcp_client().await;
    let tools = client.list_all_tools().await.unwrap();
    for tool in &tools {
        support::schema::check_input_schema(tool);
    }
    let schemas = tools
        .into_iter()
        .filter_map(|t| {
            let schema = Value::Object(t.output_schema?.as_ref().clone());
            Some((t.name.into_owned(), schema))
        })
        .collect();
    let _ = SCHEMAS.set(schemas);
    (server, client)
}

/// Asserts success and that `structuredContent` matches the `outputSchema`.
pub fn ok(tool: &str, result: &rmcp::model::CallToolResult) -> Value {
    let value = support::ok(tool, result);
    if let Some(schema) = SCHEMAS.get().and_then(|s| s.get(tool))
        && let Err(error) = support::schema::validate(schema, schema, &value, "")
    {
        panic!("{tool}: structuredContent does not match outputSchema: {error}\n{value}");
    }
    value
}

pub fn s<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer} in {value}"))
}

pub async fn fails(client: &Client, tool: &str, arguments: Value, needle: &str) -> String {
    let result = call(client, tool, arguments).await;
    assert_eq!(
        result.is_error,
        Some(true),
        "{tool} should fail: {result:?}"
    );
    let message = text(&result);
    assert!(message.contains(needle), "{tool}: {message}");
    message
}

pub async fn request_ids(client: &Client, n: u32) -> Vec<(String, String)> {
    let listed = ok(
        "list_requests",
        &call(
            client,
            "list_requests",
            json!({"page_size": n, "status": "Open"}),
        )
        .await,
    );
    listed["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                s(r, "/id").to_owned(),
                r["display_id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

pub async fn technician_email(client: &Client) -> String {
    let listed = ok(
        "list_technicians",
        &call(client, "list_technicians", json!({"page_size": 50})).await,
    );
    listed["technicians"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|t| t["email"].as_str())
        .unwrap()
        .to_owned()
}
