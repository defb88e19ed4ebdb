#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Zoho scope filtering and `tools/list` pagination.
//!
//! A user who signed in through the server's OAuth with only
//! `SDPOnDemand.requests.READ` sees the read tools of requests and none of
//! the writes; calling a write is refused without any SDP call, and so is
//! reading a resource of a module they have no scope for. With `--toolsets
//! all` the list comes in pages with opaque cursors; a bad cursor is -32602.

mod oauth_support;
mod support;

use axum::http::header;
use oauth_support::Harness;
use rmcp::model::PaginatedRequestParams;
use rmcp::service::ServiceError;
use serde_json::{Value, json};
use support::TestServer;

/// Total SDP calls the simulator has answered.
fn sdp_calls(h: &Harness) -> u64 {
    h.sim.state().counters.snapshot()["calls"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum()
}

/// A modern request `method` with `params` and bearer `token`: the JSON-RPC message.
async fn rpc(h: &Harness, token: &str, method: &str, mut params: Value) -> Value {
    params["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "scope-test", "version": "0"}
    });
    let mut request = h
        .http
        .post(format!("{}/mcp", h.base))
        .bearer_auth(token)
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", method);
    if let Some(name) = params["uri"].as_str().or(params["name"].as_str()) {
        request = request.header("mcp-name", name);
    }
    let response = request
        .json(&json!({"jsonrpc": "2.0", "id": 3, "method": method, "params": params}))
        .send()
        .await
        .unwrap();
    let sse = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.to_str().unwrap().starts_with("text/event-stream"));
    let text = response.text().await.unwrap();
    if sse {
        text.lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
            .find(|m| m["id"] == 3)
            .unwrap_or_else(|| panic!("no response: {text}"))
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
    }
}

#[tokio::test]
async fn a_read_only_zoho_grant_hides_and_refuses_write_tools() {
    let h = Harness::start(|config| {
        config.scopes = vec!["SDPOnDemand.requests.READ".to_owned()];
    })
    .await;
    let client = h.register().await;
    let redirect = h.sign_in(&client, 1).await;
    let (_, tokens) = h.exchange(&client, &redirect["code"]).await;
    let token = tokens["access_token"].as_str().unwrap().to_owned();

    let list = rpc(&h, &token, "tools/list", json!({})).await;
    assert_eq!(list["result"]["cacheScope"], "private", "{list}");
    let tools = list["result"]["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    for shown in ["list_requests", "get_request", "list_notes", "whoami"] {
        assert!(names.contains(&shown), "{shown} missing from {names:?}");
    }
    for hidden in [
        "create_request",
        "update_request",
        "close_request",
        "add_note",
    ] {
        assert!(!names.contains(&hidden), "{hidden} listed: {names:?}");
    }
    // Users scope not granted: the requester tools (declared users.*) are gone too.
    assert!(!names.contains(&"list_requesters"), "{names:?}");
    for tool in tools {
        assert_eq!(tool["annotations"]["readOnlyHint"], true, "{tool}");
    }

    // A read works (the grant really has requests.READ) ...
    let (_, read) = h
        .call_tool(&token, "list_requests", json!({"page_size": 2}))
        .await;
    assert_ne!(read["isError"], true, "{read}");

    // ... a write is refused before any SDP call, naming the scope and the fix.
    let before = sdp_calls(&h);
    let (_, refused) = h
        .call_tool(
            &token,
            "create_request",
            json!({"subject": "Printer on fire", "requester": "x@zylker.test"}),
        )
        .await;
    assert_eq!(refused["isError"], true, "{refused}");
    let message = refused["content"][0]["text"].as_str().unwrap();
    assert!(message.contains("SDPOnDemand.requests.CREATE"), "{message}");
    assert!(
        message.contains("granted: SDPOnDemand.requests.READ"),
        "{message}"
    );
    assert!(message.contains("authorise again"), "{message}");
    assert_eq!(sdp_calls(&h), before, "a refused call must not reach SDP");

    // Resources follow the same scopes.
    let denied = rpc(
        &h,
        &token,
        "resources/read",
        json!({"uri": "sdp://problems/1"}),
    )
    .await;
    let error = &denied["error"];
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("SDPOnDemand.problems.READ"),
        "{denied}"
    );
    assert_eq!(sdp_calls(&h), before);
    h.stop().await;
}

#[tokio::test]
async fn tools_list_pages_with_opaque_cursors() {
    let server = TestServer::builder()
        .toolsets(&["all"])
        .start(support::simulator().await)
        .await;
    let client = server.mcp_client().await;
    let expected = sdp_mcp_server::tool_catalog(&sdp_mcp_server::config::ToolsConfig {
        toolsets: Some(vec!["all".to_owned()]),
        ..Default::default()
    })
    .unwrap();
    assert!(expected.len() > 100, "{}", expected.len());

    // Page by page: 50 each, the cursor of one page leads to the next.
    let mut cursor = None;
    let mut names = Vec::new();
    let mut pages = 0;
    loop {
        let page = client
            .list_tools(Some(PaginatedRequestParams::default().with_cursor(cursor)))
            .await
            .unwrap();
        pages += 1;
        assert!(page.tools.len() <= 50);
        names.extend(page.tools.iter().map(|t| t.name.to_string()));
        match page.next_cursor {
            Some(next) => {
                assert_eq!(page.tools.len(), 50);
                assert!(!next.contains("50"), "cursors are opaque: {next}");
                cursor = Some(next);
            }
            None => break,
        }
    }
    assert_eq!(pages, expected.len().div_ceil(50));
    let expected_names: Vec<String> = expected.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(names, expected_names);
    // rmcp's helper collects the same list.
    assert_eq!(client.list_all_tools().await.unwrap().len(), expected.len());

    // A cursor we did not issue is invalid params.
    for bad in ["not-a-cursor", "dG9vbHM6OTk5OTk"] {
        let error = client
            .list_tools(Some(
                PaginatedRequestParams::default().with_cursor(Some(bad.to_owned())),
            ))
            .await
            .unwrap_err();
        let ServiceError::McpError(error) = error else {
            panic!("expected a JSON-RPC error, got {error:?}");
        };
        assert_eq!(error.code.0, -32602, "{bad}: {error:?}");
        assert!(error.message.contains("cursor"), "{error:?}");
    }
    client.cancel().await.unwrap();
    server.stop().await.unwrap();
}
