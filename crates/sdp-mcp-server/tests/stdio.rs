#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The stdio transport, in-process over `tokio::io::duplex`.

mod support;

use rmcp::ServiceExt;
use rmcp::model::ClientConfig;
use sdp_mcp_server::{Config, EnvSource};
use serde_json::json;
use support::{TIMEOUT, call, ok, sim_env, simulator};

#[tokio::test]
async fn initialize_list_and_call_over_stdio() {
    let sim = simulator().await;
    let config = Config::from_env(&EnvSource::from_vars(sim_env(&sim))).unwrap();
    let (client_io, server_io) = tokio::io::duplex(1 << 16);
    let (reader, writer) = tokio::io::split(server_io);
    let server = tokio::spawn(sdp_mcp_server::serve_stdio(config, reader, writer));

    let client = ClientConfig::default().serve(client_io).await.unwrap();
    let info = client.peer_info().unwrap();
    assert_eq!(info.server_info.as_ref().unwrap().name, "sdp-mcp");
    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "list_requests"));
    let result = call(&client, "whoami", json!({})).await;
    let whoami = ok("whoami", &result);
    assert_eq!(whoami["portal"], sim.directory().users[0].portal.as_str());

    // Closing the client's side is end of input: the server returns Ok.
    client.cancel().await.unwrap();
    let outcome = tokio::time::timeout(TIMEOUT, server)
        .await
        .unwrap()
        .unwrap();
    assert!(outcome.is_ok(), "{outcome:?}");
}

#[tokio::test]
async fn closed_input_before_any_request_returns_ok() {
    let sim = simulator().await;
    let config = Config::from_env(&EnvSource::from_vars(sim_env(&sim))).unwrap();
    let (client_io, server_io) = tokio::io::duplex(1024);
    let (reader, writer) = tokio::io::split(server_io);
    drop(client_io);
    let outcome =
        tokio::time::timeout(TIMEOUT, sdp_mcp_server::serve_stdio(config, reader, writer))
            .await
            .unwrap();
    assert!(outcome.is_ok(), "{outcome:?}");
}
