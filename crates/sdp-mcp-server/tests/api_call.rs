#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `sdp_api_call`, the escape hatch: off by default, GET only unless writes
//! are enabled, paths checked against the catalogue before anything reaches
//! SDP, DELETE confirmed by the user.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use sdp_mcp_server::config::{ApiCallMode, ToolsConfig};
use sdp_mcp_server::{Config, EnvSource, tool_catalog};
use serde_json::json;
use support::harness::Harness;
use support::schema::check_input_schema;
use support::{TestServer, sim_env, simulator};

const TOOL: &str = "sdp_api_call";

async fn harness(server: &TestServer) -> Harness {
    let client = server.mcp_client().await;
    let tools: BTreeMap<_, _> = client
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.name.to_string(), t))
        .collect();
    Harness {
        client,
        tools,
        succeeded: BTreeSet::new(),
        failed: BTreeSet::new(),
    }
}

/// Calls of the SDP API (not OAuth) the simulator has answered so far.
fn sdp_calls(server: &TestServer) -> u64 {
    let snapshot = server.sim.state().counters.snapshot();
    snapshot["calls"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(route, _)| route.contains("/api/v3"))
        .map(|(_, n)| n.as_u64().unwrap())
        .sum()
}

async fn server_with(env: &[(&str, &str)]) -> TestServer {
    let mut builder = TestServer::builder().toolsets(&["requests"]);
    for (name, value) in env {
        builder = builder.env(name, value);
    }
    builder.start(simulator().await).await
}

#[tokio::test]
async fn api_call_is_off_by_default() {
    let all = ToolsConfig {
        toolsets: Some(vec!["all".to_owned()]),
        ..ToolsConfig::default()
    };
    let names: Vec<String> = tool_catalog(&all)
        .unwrap()
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    assert!(!names.iter().any(|n| n == TOOL), "{names:?}");
    let api_only = ToolsConfig {
        toolsets: Some(vec!["api".to_owned()]),
        ..ToolsConfig::default()
    };
    assert!(tool_catalog(&api_only).unwrap().is_empty());

    let server = TestServer::builder()
        .toolsets(&["all"])
        .start(simulator().await)
        .await;
    let h = harness(&server).await;
    assert!(!h.has(TOOL));
    assert!(h.has("list_requests"));
}

#[tokio::test]
async fn writes_without_the_hatch_are_a_configuration_error() {
    let sim = simulator().await;
    let mut env = sim_env(&sim);
    env.insert("SDP_MCP_API_CALL_WRITES".to_owned(), "true".to_owned());
    let error = Config::from_env(&EnvSource::from_vars(env.clone()))
        .unwrap_err()
        .to_string();
    assert!(error.contains("SDP_MCP_ENABLE_API_CALL"), "{error}");
    env.insert("SDP_MCP_ENABLE_API_CALL".to_owned(), "true".to_owned());
    let config = Config::from_env(&EnvSource::from_vars(env.clone())).unwrap();
    assert_eq!(config.tools.api_call, ApiCallMode::ReadWrite);
    env.insert("SDP_MCP_ENABLE_API_CALL".to_owned(), "maybe".to_owned());
    let error = Config::from_env(&EnvSource::from_vars(env))
        .unwrap_err()
        .to_string();
    assert!(error.contains("not a boolean"), "{error}");
}

#[tokio::test]
async fn get_works_and_writes_need_the_writes_flag() {
    let server = server_with(&[("SDP_MCP_ENABLE_API_CALL", "true")]).await;
    let mut h = harness(&server).await;
    let tool = h.tools[TOOL].clone();
    check_input_schema(&tool);
    assert_eq!(
        tool.annotations.as_ref().unwrap().read_only_hint,
        Some(true)
    );

    let listed = h
        .ok(
            TOOL,
            json!({"path": "/api/v3/requests", "input_data": {"list_info": {"row_count": 2}}}),
        )
        .await;
    assert_eq!(listed["http_status"], 200);
    assert_eq!(listed["path"], "/api/v3/requests");
    let requests = listed["body"]["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 2, "{listed}");
    let id = requests[0]["id"].as_str().unwrap().to_owned();
    let one = h
        .ok(
            TOOL,
            json!({"method": "GET", "path": format!("requests/{id}")}),
        )
        .await;
    assert_eq!(one["body"]["request"]["id"], id);

    // An SDP error is a tool error with SDP's reason.
    h.fails(
        TOOL,
        json!({"path": "/api/v3/requests/999999999"}),
        "999999999",
    )
    .await;

    let before = sdp_calls(&server);
    h.fails(
        TOOL,
        json!({"method": "POST", "path": format!("/api/v3/requests/{id}/notes"),
               "input_data": {"request_note": {"description": "x"}}}),
        "--api-call-writes",
    )
    .await;
    h.fails(
        TOOL,
        json!({"method": "DELETE", "path": format!("/api/v3/requests/{id}"), "confirm": true}),
        "not allowed",
    )
    .await;
    assert_eq!(sdp_calls(&server), before, "a refused write reached SDP");
}

#[tokio::test]
async fn path_tricks_are_refused_before_any_sdp_call() {
    let server = server_with(&[("SDP_MCP_ENABLE_API_CALL", "true")]).await;
    let mut h = harness(&server).await;
    h.ok(TOOL, json!({"path": "/api/v3/priorities"})).await;
    let before = sdp_calls(&server);
    let cases = [
        ("/api/v3/requests/../users", "plain segments"),
        ("/api/v3/requests/%2e%2e/users", "plain segments"),
        ("/api/v3/requests/%2E%2E%2Fusers", "plain segments"),
        ("/api/v3/requests/1/./notes", "plain segments"),
        ("/api/v3//requests", "plain segments"),
        ("//evil.example/api/v3/requests", "plain segments"),
        ("/api/v3/requests\\..\\users", "plain segments"),
        ("https://evil.example/api/v3/requests", "full URL"),
        ("http://127.0.0.1:1/api/v3/requests", "full URL"),
        ("/api/v3/requests?input_data={}", "query string"),
        ("/api/v3/requests/1#x", "query string"),
        ("/api/v3/requests/abc", "not an SDP endpoint"),
        ("/api/v3/_sim/faults", "not an SDP endpoint"),
        ("/oauth/v2/token", "not an SDP endpoint"),
    ];
    for (path, needle) in cases {
        h.fails(TOOL, json!({"path": path}), needle).await;
    }
    h.fails(
        TOOL,
        json!({"path": "/api/v3/requests", "input_data": "x"}),
        "invalid",
    )
    .await;
    assert_eq!(sdp_calls(&server), before, "a refused path reached SDP");
}

#[tokio::test]
async fn writes_work_and_delete_needs_confirmation() {
    let server = server_with(&[
        ("SDP_MCP_ENABLE_API_CALL", "true"),
        ("SDP_MCP_API_CALL_WRITES", "true"),
    ])
    .await;
    let mut h = harness(&server).await;
    let hints = h.tools[TOOL].annotations.clone().unwrap();
    assert_eq!(hints.read_only_hint, Some(false));
    assert_eq!(hints.destructive_hint, Some(true));
    let listed = h
        .ok(
            TOOL,
            json!({"path": "/api/v3/requests", "input_data": {"list_info": {"row_count": 1}}}),
        )
        .await;
    let id = listed["body"]["requests"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let notes = format!("/api/v3/requests/{id}/notes");
    let added = h
        .ok(
            TOOL,
            json!({"method": "POST", "path": notes,
                   "input_data": {"request_note": {"description": "Checked via the API"}}}),
        )
        .await;
    let note = added["body"]["request_note"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{added}"))
        .to_owned();
    let note_path = format!("{notes}/{note}");

    let portal = server.sim.directory().users[0].portal.clone();
    let writes = server.sim.state().counters.writes(&portal);
    h.fails(
        TOOL,
        json!({"method": "DELETE", "path": note_path}),
        "confirm",
    )
    .await;
    h.fails(
        TOOL,
        json!({"method": "DELETE", "path": note_path, "confirm": false}),
        "confirm",
    )
    .await;
    assert_eq!(server.sim.state().counters.writes(&portal), writes);
    h.ok(TOOL, json!({"path": note_path})).await;

    h.ok(
        TOOL,
        json!({"method": "DELETE", "path": note_path, "confirm": true}),
    )
    .await;
    assert_eq!(server.sim.state().counters.writes(&portal), writes + 1);
    h.fails(TOOL, json!({"path": note_path}), note.as_str())
        .await;
}

#[tokio::test]
async fn read_only_keeps_the_hatch_get_only() {
    let server = TestServer::builder()
        .toolsets(&["requests"])
        .env("SDP_MCP_ENABLE_API_CALL", "true")
        .env("SDP_MCP_API_CALL_WRITES", "true")
        .read_only()
        .start(simulator().await)
        .await;
    let mut h = harness(&server).await;
    let hints = h.tools[TOOL].annotations.clone().unwrap();
    assert_eq!(hints.read_only_hint, Some(true));
    h.ok(TOOL, json!({"path": "/api/v3/statuses"})).await;
    h.fails(
        TOOL,
        json!({"method": "PUT", "path": "/api/v3/requests/1", "input_data": {"request": {}}}),
        "only reads",
    )
    .await;
}
