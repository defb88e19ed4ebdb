#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Confirmation of destructive calls for 2026-07-28 clients: with the
//! elicitation capability the call answers `InputRequiredResult` (MRTR) with a
//! sealed `requestState`; the retry with the accepted form performs the write.
//! Tampered, replayed, other-user and declined retries write nothing; without
//! elicitation `confirm: true` is still required; an rmcp client in the modern
//! era drives the rounds through its `ClientHandler`.

mod support;

use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, ElicitRequestParams, ElicitResult,
    ElicitationAction, ProtocolVersion,
};
use rmcp::service::{ClientLifecycleMode, RequestContext};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{ClientHandler, ClientServiceExt, ErrorData, RoleClient};
use serde_json::{Value, json};
use support::{API_KEY, EventReader, OTHER_KEY, TIMEOUT, TestServer, call, ok, text};

const MODERN: &str = "2026-07-28";

fn writes(server: &TestServer) -> u64 {
    let portal = &server.sim.directory().users[0].portal;
    server.sim.state().counters.writes(portal)
}

/// `_meta` of a modern request; `elicitation` declares form elicitation.
fn meta(elicitation: bool) -> Value {
    let capabilities = if elicitation {
        json!({"elicitation": {"form": {}}})
    } else {
        json!({})
    };
    json!({
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientCapabilities": capabilities,
        "io.modelcontextprotocol/clientInfo": {"name": "mrtr-test", "version": "0"}
    })
}

/// POSTs a modern `tools/call` with `key`; returns the JSON-RPC `result`.
async fn tools_call(server: &TestServer, key: &str, params: Value) -> Value {
    let name = params["name"].as_str().unwrap().to_owned();
    let response = server
        .http()
        .post(server.mcp_url())
        .header("authorization", format!("Bearer {key}"))
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", MODERN)
        .header("mcp-method", "tools/call")
        .header("mcp-name", &name)
        .json(&json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": params}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    let message: Value = if content_type.starts_with("application/json") {
        response.json().await.unwrap()
    } else {
        let mut events = EventReader::new(response);
        loop {
            let (_, data) = events.next_event().await.expect("no response");
            let message: Value = serde_json::from_str(&data).unwrap();
            if message["id"] == 7 {
                break message;
            }
        }
    };
    message
        .get("result")
        .cloned()
        .unwrap_or_else(|| panic!("no result: {message}"))
}

/// Ids of three open requests.
async fn open_requests(server: &TestServer) -> Vec<String> {
    let client = server.mcp_client().await;
    let listed = ok(
        "list_requests",
        &call(
            &client,
            "list_requests",
            json!({"page_size": 4, "status": "Open"}),
        )
        .await,
    );
    client.cancel().await.unwrap();
    listed["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

fn accepted() -> Value {
    json!({"confirm": {"action": "accept", "content": {"confirm": true}}})
}

fn message_of(result: &Value) -> String {
    result["content"][0]["text"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn modern_clients_with_elicitation_confirm_through_mrtr() {
    let server = TestServer::builder()
        .with_other_principal()
        .start(support::simulator().await)
        .await;
    let ids = open_requests(&server).await;
    let close = |id: &str| json!({"name": "close_request", "arguments": {"request_id": id}});

    // 1. The first call asks: input_required with a form and a sealed state.
    let before = writes(&server);
    let mut params = close(&ids[0]);
    params["_meta"] = meta(true);
    let asked = tools_call(&server, API_KEY, params.clone()).await;
    assert_eq!(asked["resultType"], "input_required", "{asked}");
    let form = &asked["inputRequests"]["confirm"];
    assert_eq!(form["method"], "elicitation/create", "{asked}");
    assert!(
        form["params"]["message"]
            .as_str()
            .unwrap()
            .contains("close request"),
        "{asked}"
    );
    assert_eq!(
        form["params"]["requestedSchema"]["properties"]["confirm"]["type"],
        "boolean"
    );
    let state = asked["requestState"].as_str().unwrap().to_owned();
    assert_eq!(writes(&server), before, "asking must not write");

    // 2. Tampered state: refused, nothing written.
    let mut tampered = params.clone();
    let mut altered = state.clone().into_bytes();
    let at = altered.len() / 2;
    altered[at] = if altered[at] == b'A' { b'B' } else { b'A' };
    tampered["requestState"] = json!(String::from_utf8(altered).unwrap());
    tampered["inputResponses"] = accepted();
    let refused = tools_call(&server, API_KEY, tampered).await;
    assert_eq!(refused["isError"], true, "{refused}");
    assert!(
        message_of(&refused).contains("Nothing was changed"),
        "{refused}"
    );
    assert_eq!(refused["structuredContent"]["request_state_rejected"], true);

    // 3. Another principal presenting the state: refused.
    let mut stolen = params.clone();
    stolen["requestState"] = json!(state);
    stolen["inputResponses"] = accepted();
    let refused = tools_call(&server, OTHER_KEY, stolen).await;
    assert_eq!(refused["isError"], true, "{refused}");
    assert!(message_of(&refused).contains("another user"), "{refused}");

    // 4. The same state for other arguments (another request): refused.
    let mut moved = close(&ids[1]);
    moved["_meta"] = meta(true);
    moved["requestState"] = json!(state);
    moved["inputResponses"] = accepted();
    let refused = tools_call(&server, API_KEY, moved).await;
    assert_eq!(refused["isError"], true, "{refused}");
    assert_eq!(writes(&server), before, "refused retries must not write");

    // 5. The genuine retry with the accepted form performs the close.
    let mut retry = params.clone();
    retry["requestState"] = json!(state);
    retry["inputResponses"] = accepted();
    let done = tools_call(&server, API_KEY, retry.clone()).await;
    assert_eq!(done["resultType"], "complete", "{done}");
    assert_ne!(done["isError"], true, "{done}");
    assert_eq!(done["structuredContent"]["request"]["status"], "Closed");
    assert_eq!(writes(&server), before + 1);

    // 6. Replaying the used state: refused.
    let replayed = tools_call(&server, API_KEY, retry).await;
    assert_eq!(replayed["isError"], true, "{replayed}");
    assert!(message_of(&replayed).contains("already used"), "{replayed}");
    assert_eq!(writes(&server), before + 1);

    // 7. Declined: a fresh state, answered with decline; nothing written.
    let mut params = close(&ids[2]);
    params["_meta"] = meta(true);
    let asked = tools_call(&server, API_KEY, params.clone()).await;
    params["requestState"] = asked["requestState"].clone();
    params["inputResponses"] = json!({"confirm": {"action": "decline"}});
    let declined = tools_call(&server, API_KEY, params).await;
    assert_eq!(declined["isError"], true, "{declined}");
    assert!(
        message_of(&declined).contains("did not confirm"),
        "{declined}"
    );
    assert_eq!(writes(&server), before + 1);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn modern_clients_without_elicitation_need_confirm_true() {
    let server = TestServer::start().await;
    let ids = open_requests(&server).await;
    let before = writes(&server);
    let refused = tools_call(
        &server,
        API_KEY,
        json!({"name": "close_request", "arguments": {"request_id": ids[0]}, "_meta": meta(false)}),
    )
    .await;
    assert_eq!(refused["resultType"], "complete", "{refused}");
    assert_eq!(refused["isError"], true, "{refused}");
    assert_eq!(refused["structuredContent"]["confirmation_required"], true);
    assert_eq!(writes(&server), before);
    let done = tools_call(
        &server,
        API_KEY,
        json!({"name": "close_request", "arguments": {"request_id": ids[0], "confirm": true},
               "_meta": meta(false)}),
    )
    .await;
    assert_ne!(done["isError"], true, "{done}");
    assert_eq!(writes(&server), before + 1);
    server.stop().await.unwrap();
}

/// A client that declares form elicitation and accepts every confirmation.
#[derive(Clone)]
struct Accepting;

impl ClientHandler for Accepting {
    fn get_info(&self) -> ClientConfig {
        let mut info = ClientConfig::default();
        info.capabilities = ClientCapabilities::builder().enable_elicitation().build();
        info
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        assert!(matches!(
            request,
            ElicitRequestParams::FormElicitationParams { .. }
        ));
        let mut result = ElicitResult::new(ElicitationAction::Accept);
        result.content = Some(json!({"confirm": true}));
        Ok(result)
    }
}

#[tokio::test]
async fn rmcp_clients_in_both_eras_confirm_through_their_handler() {
    let server = TestServer::start().await;
    let ids = open_requests(&server).await;
    for (era, id) in [("modern", &ids[0]), ("legacy", &ids[1])] {
        let transport = StreamableHttpClientTransport::from_config(
            StreamableHttpClientTransportConfig::with_uri(server.mcp_url()).auth_header(API_KEY),
        );
        let client = if era == "modern" {
            tokio::time::timeout(
                TIMEOUT,
                Accepting.serve_with_lifecycle(
                    transport,
                    ClientLifecycleMode::Discover {
                        preferred_versions: vec![ProtocolVersion::V_2026_07_28],
                    },
                ),
            )
            .await
            .unwrap()
            .unwrap()
        } else {
            tokio::time::timeout(
                TIMEOUT,
                Accepting.serve_with_lifecycle(transport, ClientLifecycleMode::Initialize),
            )
            .await
            .unwrap()
            .unwrap()
        };
        let before = writes(&server);
        let arguments = json!({"request_id": id}).as_object().unwrap().clone();
        let result = tokio::time::timeout(
            TIMEOUT,
            client.call_tool(CallToolRequestParams::new("close_request").with_arguments(arguments)),
        )
        .await
        .unwrap()
        .unwrap();
        assert_ne!(result.is_error, Some(true), "{era}: {}", text(&result));
        assert_eq!(writes(&server), before + 1, "{era}");
        client.cancel().await.unwrap();
    }
    server.stop().await.unwrap();
}
