#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `--toolsets dynamic`: a session starts with the default toolsets plus
//! `list_toolsets` / `enable_toolset`; enabling a toolset adds its tools to
//! this session only and sends `notifications/tools/list_changed`.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rmcp::model::ClientConfig;
use rmcp::service::NotificationContext;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::json;
use support::{API_KEY, TIMEOUT, TestServer, call, ok, text};

/// Counts `notifications/tools/list_changed`.
#[derive(Clone, Default)]
struct Counting {
    changes: Arc<AtomicUsize>,
}

impl ClientHandler for Counting {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::default()
    }

    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.changes.fetch_add(1, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn enabling_a_toolset_adds_its_tools_and_notifies() {
    let server = TestServer::builder()
        .toolsets(&["dynamic"])
        .start(support::simulator().await)
        .await;
    let counting = Counting::default();
    let config =
        StreamableHttpClientTransportConfig::with_uri(server.mcp_url()).auth_header(API_KEY);
    let client = tokio::time::timeout(
        TIMEOUT,
        counting
            .clone()
            .serve(StreamableHttpClientTransport::from_config(config)),
    )
    .await
    .unwrap()
    .unwrap();
    let names = |tools: &[rmcp::model::Tool]| -> Vec<String> {
        tools.iter().map(|t| t.name.to_string()).collect()
    };
    let before = names(&client.list_all_tools().await.unwrap());
    assert!(before.contains(&"enable_toolset".to_owned()), "{before:?}");
    assert!(before.contains(&"list_requests".to_owned()));
    assert!(!before.contains(&"add_worklog".to_owned()), "{before:?}");

    let hidden = client
        .call_tool(
            rmcp::model::CallToolRequestParams::new("add_worklog")
                .with_arguments(json!({"request_id": "1"}).as_object().unwrap().clone()),
        )
        .await
        .unwrap();
    assert_eq!(hidden.is_error, Some(true));

    let listed = client
        .call_tool(rmcp::model::CallToolRequestParams::new("list_toolsets"))
        .await
        .unwrap();
    let listed = listed.structured_content.unwrap();
    let work = listed["toolsets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "request_work")
        .unwrap()
        .clone();
    assert_eq!(work["enabled"], false, "{listed}");

    let enabled = client
        .call_tool(
            rmcp::model::CallToolRequestParams::new("enable_toolset").with_arguments(
                json!({"toolset": "request_work"})
                    .as_object()
                    .unwrap()
                    .clone(),
            ),
        )
        .await
        .unwrap();
    assert_ne!(enabled.is_error, Some(true), "{enabled:?}");
    let after = names(&client.list_all_tools().await.unwrap());
    assert!(after.contains(&"add_worklog".to_owned()), "{after:?}");
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    while counting.changes.load(Ordering::SeqCst) == 0 {
        assert!(tokio::time::Instant::now() < deadline, "no list_changed");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    // Another session still has the default set.
    let other = server.mcp_client().await;
    let others = names(&other.list_all_tools().await.unwrap());
    assert!(!others.contains(&"add_worklog".to_owned()));
    let unknown = call(&other, "enable_toolset", json!({"toolset": "nope"})).await;
    assert_eq!(unknown.is_error, Some(true));
    assert!(
        text(&unknown).contains("request_work"),
        "{}",
        text(&unknown)
    );
    ok(
        "list_toolsets",
        &call(&other, "list_toolsets", json!({})).await,
    );

    client.cancel().await.unwrap();
    other.cancel().await.unwrap();
    server.stop().await.unwrap();
}
