#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Every tool, called through a real MCP client over Streamable HTTP against
//! the simulator.

mod support;

use serde_json::{Value, json};
use support::{API_KEY, EventReader, TestServer, call, ok, simulator, text};

fn str_of<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer} in {value}"))
}

#[tokio::test]
async fn every_tool_works_over_streamable_http() {
    let server = TestServer::start().await;
    let client = server.mcp_client().await;
    exercise_every_tool(&client, "api_key").await;
    client.cancel().await.unwrap();
    server.stop().await.unwrap();
}

/// The same tools over the legacy SSE transport (`/sse` + `/messages`).
#[tokio::test]
async fn every_tool_works_over_legacy_sse() {
    let server = TestServer::start().await;
    let client = sse_mcp_client(&server).await;
    exercise_every_tool(&client, "api_key").await;
    client.cancel().await.unwrap();
    server.stop().await.unwrap();
}

/// An rmcp client speaking the legacy HTTP+SSE transport: server messages
/// arrive as `message` events on the `GET /sse` stream, client messages are
/// POSTed to the endpoint the first event names.
async fn sse_mcp_client(
    server: &TestServer,
) -> rmcp::service::RunningService<rmcp::RoleClient, rmcp::model::ClientConfig> {
    use futures::StreamExt as _;
    use rmcp::ServiceExt as _;
    use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
    let http = server.http();
    let response = http
        .get(format!("{}/sse", server.url))
        .bearer_auth(API_KEY)
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let mut events = EventReader::new(response);
    let (event, endpoint) = events.next_event().await.unwrap();
    assert_eq!(event, "endpoint");
    let (to_client, from_server) = futures::channel::mpsc::unbounded::<ServerJsonRpcMessage>();
    tokio::spawn(async move {
        while let Some((event, data)) = events.next_event().await {
            if event != "message" {
                continue;
            }
            let message: ServerJsonRpcMessage = serde_json::from_str(&data).unwrap();
            if to_client.unbounded_send(message).is_err() {
                break;
            }
        }
    });
    let (to_server, mut outgoing) = futures::channel::mpsc::unbounded::<ClientJsonRpcMessage>();
    let url = format!("{}{}", server.url, endpoint);
    tokio::spawn(async move {
        while let Some(message) = outgoing.next().await {
            let response = http
                .post(&url)
                .bearer_auth(API_KEY)
                .json(&message)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), reqwest::StatusCode::ACCEPTED);
        }
    });
    rmcp::model::ClientConfig::default()
        .serve((to_server, from_server))
        .await
        .unwrap()
}

/// The same tools over stdio (in-process over `tokio::io::duplex`): the
/// transport must not change any tool's behaviour.
#[tokio::test]
async fn every_tool_works_over_stdio() {
    use rmcp::ServiceExt as _;
    let sim = simulator().await;
    let config = sdp_mcp_server::Config::from_env(&sdp_mcp_server::EnvSource::from_vars(
        support::sim_env(&sim),
    ))
    .unwrap();
    let (client_io, server_io) = tokio::io::duplex(1 << 16);
    let (reader, writer) = tokio::io::split(server_io);
    let server = tokio::spawn(sdp_mcp_server::serve_stdio(config, reader, writer));
    let client = rmcp::model::ClientConfig::default()
        .serve(client_io)
        .await
        .unwrap();
    exercise_every_tool(&client, "stdio").await;
    client.cancel().await.unwrap();
    assert!(server.await.unwrap().is_ok());
}

/// Lists the default tools and calls every one of them against the simulator;
/// `whoami` must report `auth_method`.
async fn exercise_every_tool(
    client: &rmcp::service::RunningService<rmcp::RoleClient, rmcp::model::ClientConfig>,
    auth_method: &str,
) {
    let tools = client.list_all_tools().await.unwrap();
    let mut names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        vec![
            "add_note",
            "assign_request",
            "close_request",
            "create_request",
            "delete_note",
            "delete_request",
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
            "merge_requests",
            "pickup_request",
            "restore_request",
            "search_requests",
            "set_resolution",
            "trash_request",
            "update_note",
            "update_request",
            "whoami",
        ]
    );

    let whoami = ok("whoami", &call(client, "whoami", json!({})).await);
    assert_eq!(whoami["credentials_valid"], true);
    assert_eq!(whoami["auth_method"], auth_method);

    // Reads.
    let listed = ok(
        "list_requests",
        &call(client, "list_requests", json!({"page_size": 5})).await,
    );
    let requests = listed["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 5, "{listed}");
    assert_eq!(listed["paging"]["has_more"], true);
    let first = &requests[0];
    let first_id = str_of(first, "/id").to_owned();
    let requester_email = requests
        .iter()
        .find_map(|r| r["requester_email"].as_str())
        .expect("a request with a requester email")
        .to_owned();

    let open = ok(
        "list_requests",
        &call(
            client,
            "list_requests",
            json!({"status": "open", "page_size": 10}),
        )
        .await,
    );
    for request in open["requests"].as_array().unwrap() {
        assert_eq!(request["status"], "Open", "{request}");
    }

    let word = str_of(first, "/subject")
        .split_whitespace()
        .find(|w| w.len() > 4)
        .unwrap_or("the")
        .to_owned();
    let found = ok(
        "search_requests",
        &call(
            client,
            "search_requests",
            json!({"query": word, "page_size": 10}),
        )
        .await,
    );
    assert!(!found["requests"].as_array().unwrap().is_empty(), "{found}");

    let detail = ok(
        "get_request",
        &call(client, "get_request", json!({"request_id": first_id})).await,
    );
    assert_eq!(detail["id"], first_id.as_str());

    let metadata = ok(
        "get_metadata",
        &call(client, "get_metadata", json!({})).await,
    );
    assert!(
        !metadata["lists"]["priorities"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{metadata}"
    );
    assert!(
        !metadata["lists"]["statuses"].as_array().unwrap().is_empty(),
        "{metadata}"
    );
    let hardware = ok(
        "get_metadata",
        &call(
            client,
            "get_metadata",
            json!({"lists": ["categories"], "category": "Hardware"}),
        )
        .await,
    );
    let subcategory = str_of(&hardware, "/lists/subcategories/0/name").to_owned();

    let fields = ok(
        "get_request_fields",
        &call(client, "get_request_fields", json!({})).await,
    );
    let mandatory: Vec<&str> = fields["mandatory_fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(mandatory.contains(&"subject"), "{fields}");

    let technicians = ok(
        "list_technicians",
        &call(client, "list_technicians", json!({"page_size": 50})).await,
    );
    let technician = technicians["technicians"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["email"].is_string())
        .expect("a technician with an email")
        .clone();
    let technician_id = str_of(&technician, "/id").to_owned();
    let technician_email = str_of(&technician, "/email").to_owned();
    let first_name = str_of(&technician, "/name")
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let matches = ok(
        "find_technician",
        &call(client, "find_technician", json!({"query": first_name})).await,
    );
    assert!(
        matches["technicians"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == technician_id.as_str()),
        "{matches}"
    );
    let one = ok(
        "get_technician",
        &call(
            client,
            "get_technician",
            json!({"technician_id": technician_id}),
        )
        .await,
    );
    assert_eq!(one["email"], technician_email.as_str());

    // Writes on a new request.
    let created = ok(
        "create_request",
        &call(
            client,
            "create_request",
            json!({
                "subject": "MCP test: monitor flickers",
                "description": "Created by the sdp-mcp-server test suite",
                "requester": requester_email,
                "priority": "high",
                "category": "Hardware",
                "subcategory": subcategory,
            }),
        )
        .await,
    );
    let id = str_of(&created, "/request/id").to_owned();
    assert_eq!(created["request"]["subject"], "MCP test: monitor flickers");
    assert!(
        created["request"]["priority"]
            .as_str()
            .unwrap()
            .contains("High"),
        "{created}"
    );

    let updated = ok(
        "update_request",
        &call(
            client,
            "update_request",
            json!({"request_id": id, "status": "On Hold", "priority": "Low",
                   "status_change_comments": "waiting for a spare"}),
        )
        .await,
    );
    assert_eq!(updated["request"]["status"], "On Hold", "{updated}");

    let note = ok(
        "add_note",
        &call(
            client,
            "add_note",
            json!({"request_id": id, "note": "Ordered a replacement cable"}),
        )
        .await,
    );
    assert_eq!(note["request_id"], id.as_str());
    let notes = ok(
        "list_notes",
        &call(client, "list_notes", json!({"request_id": id})).await,
    );
    assert!(
        notes["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["description"]
                .as_str()
                .unwrap_or("")
                .contains("replacement cable")),
        "{notes}"
    );

    let assigned = ok(
        "assign_request",
        &call(
            client,
            "assign_request",
            json!({"request_id": id, "technician": technician_email}),
        )
        .await,
    );
    assert_eq!(
        assigned["request"]["technician"], technician["name"],
        "{assigned}"
    );

    let picked = ok(
        "pickup_request",
        &call(client, "pickup_request", json!({"request_id": id})).await,
    );
    assert!(picked["request"]["technician"].is_string(), "{picked}");

    let closed = ok(
        "close_request",
        &call(
            client,
            "close_request",
            json!({"request_id": id, "closure_comments": "Cable replaced", "confirm": true}),
        )
        .await,
    );
    assert_eq!(closed["request"]["status"], "Closed", "{closed}");
}

#[tokio::test]
async fn unknown_lookup_name_lists_the_valid_values() {
    let server = TestServer::start().await;
    let client = server.mcp_client().await;
    let result = call(&client, "list_requests", json!({"priority": "Apocalyptic"})).await;
    assert_eq!(result.is_error, Some(true));
    let message = text(&result);
    assert!(message.contains("`priority` \"Apocalyptic\""), "{message}");
    assert!(message.contains("Valid values:"), "{message}");
    client.cancel().await.unwrap();
    server.stop().await.unwrap();
}

#[tokio::test]
async fn invalid_arguments_are_tool_errors() {
    let server = TestServer::start().await;
    let client = server.mcp_client().await;
    let result = call(&client, "get_request", json!({"request_id": "RE-12"})).await;
    assert_eq!(result.is_error, Some(true));
    assert!(text(&result).contains("request_id"), "{}", text(&result));
    let result = call(&client, "get_request", json!({"id": "12"})).await;
    assert_eq!(
        result.is_error,
        Some(true),
        "unknown argument must be refused"
    );
    client.cancel().await.unwrap();
    server.stop().await.unwrap();
}

#[tokio::test]
async fn read_only_server_offers_only_reads() {
    let server = TestServer::builder()
        .read_only()
        .start(simulator().await)
        .await;
    let client = server.mcp_client().await;
    let tools = client.list_all_tools().await.unwrap();
    assert!(
        tools
            .iter()
            .all(|t| t.annotations.as_ref().and_then(|a| a.read_only_hint) == Some(true))
    );
    assert!(!tools.iter().any(|t| t.name == "create_request"));
    let refused = client
        .call_tool(
            rmcp::model::CallToolRequestParams::new("close_request")
                .with_arguments(json!({"request_id": "1"}).as_object().unwrap().clone()),
        )
        .await;
    assert!(refused.is_err(), "hidden tools cannot be called");
    client.cancel().await.unwrap();
    server.stop().await.unwrap();
}
