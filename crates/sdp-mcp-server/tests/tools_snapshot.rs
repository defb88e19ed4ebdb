#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The `tools/list` answer is public contract: names, titles, descriptions,
//! input and output schemas, annotations. A change shows up as a snapshot diff.

mod support;

use rmcp::ServiceExt;
use rmcp::model::ClientConfig;
use sdp_mcp_server::{Config, EnvSource};
use support::{sim_env, simulator};

#[tokio::test]
async fn tools_list_matches_the_snapshot() {
    let sim = simulator().await;
    let config = Config::from_env(&EnvSource::from_vars(sim_env(&sim))).unwrap();
    let (client_io, server_io) = tokio::io::duplex(1 << 16);
    let (reader, writer) = tokio::io::split(server_io);
    let server = tokio::spawn(sdp_mcp_server::serve_stdio(config, reader, writer));
    let client = ClientConfig::default().serve(client_io).await.unwrap();
    let tools = client.list_all_tools().await.unwrap();
    insta::assert_json_snapshot!("tools_list", tools);
    client.cancel().await.unwrap();
    server.await.unwrap().unwrap();
}

#[test]
fn catalog_without_a_server_lists_the_same_tools() {
    let tools =
        sdp_mcp_server::tool_catalog(&sdp_mcp_server::config::ToolsConfig::default()).unwrap();
    assert_eq!(tools.len(), 30);
    assert!(tools.len() < 40, "the default set must stay small");
    let read_only = sdp_mcp_server::tool_catalog(&sdp_mcp_server::config::ToolsConfig {
        read_only: true,
        toolsets: None,
        ..Default::default()
    })
    .unwrap();
    let names: Vec<&str> = read_only.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(
        names,
        vec![
            "find_technician",
            "get_metadata",
            "get_note",
            "get_request",
            "get_request_conversation",
            "get_request_fields",
            "get_request_summary",
            "get_requester",
            "get_resolution",
            "get_technician",
            "list_lookup",
            "list_notes",
            "list_requesters",
            "list_requests",
            "list_technicians",
            "search_requests",
            "whoami"
        ]
    );
}
