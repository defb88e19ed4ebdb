#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Write safety and validation: template-driven validation with zero SDP
//! writes, "did you mean" suggestions, confirmation by `confirm: true` and
//! by elicitation (accepted / declined), indeterminate writes after a
//! dropped connection, and `completion/complete` of lookup arguments.

mod support;

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, ElicitRequestParams,
    ElicitResult, ElicitationAction, JsonObject,
};
use rmcp::service::{RequestContext, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{ClientHandler, ErrorData, RoleClient, ServiceExt};
use sdp_sim::control::FaultRule;
use serde_json::{Value, json};
use support::{API_KEY, TIMEOUT, TestServer, call, ok, text};

fn portal(server: &TestServer) -> String {
    server.sim.directory().users[0].portal.clone()
}

fn writes(server: &TestServer) -> u64 {
    server.sim.state().counters.writes(&portal(server))
}

fn fields_of(details: &Value, key: &str) -> Vec<String> {
    details[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {details}"))
        .iter()
        .map(|m| m["field"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn create_missing_mandatory_fields_lists_them_without_calling_sdp() {
    let server = TestServer::start().await;
    let client = server.mcp_client().await;
    let before = writes(&server);
    let result = call(
        &client,
        "create_request",
        json!({"subject": "New laptop", "template": "Hardware Request"}),
    )
    .await;
    assert_eq!(result.is_error, Some(true));
    let message = text(&result);
    let details = result.structured_content.clone().unwrap();
    assert_eq!(
        fields_of(&details, "missing_fields"),
        vec!["requester", "category", "subcategory", "priority"],
        "{message}"
    );
    let missing = details["missing_fields"].as_array().unwrap();
    let priority = missing.iter().find(|m| m["field"] == "priority").unwrap();
    assert!(
        priority["allowed_values"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v.as_str().unwrap().contains("High")),
        "{details}"
    );
    let category = missing.iter().find(|m| m["field"] == "category").unwrap();
    assert!(
        category["allowed_values"]
            .as_array()
            .unwrap()
            .contains(&json!("Hardware"))
    );
    assert!(message.contains("missing `priority`: one of"), "{message}");
    assert!(message.contains("nothing was sent"), "{message}");
    assert_eq!(writes(&server), before, "no SDP write may happen");

    // With category given, the missing subcategory lists that category's values.
    let result = call(
        &client,
        "create_request",
        json!({"subject": "New laptop", "template": "Hardware Request", "category": "Hardware",
               "priority": "Hgih", "requester": "someone@example.com"}),
    )
    .await;
    assert_eq!(result.is_error, Some(true));
    let details = result.structured_content.clone().unwrap();
    assert_eq!(fields_of(&details, "missing_fields"), vec!["subcategory"]);
    assert!(
        !details["missing_fields"][0]["allowed_values"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{details}"
    );
    assert_eq!(fields_of(&details, "invalid_fields"), vec!["priority"]);
    let message = text(&result);
    assert!(message.contains("did you mean \""), "{message}");
    assert!(
        details["invalid_fields"][0]["did_you_mean"]
            .as_str()
            .unwrap()
            .contains("High")
    );
    assert_eq!(writes(&server), before);

    // A refused field and a subcategory outside its category.
    let result = call(
        &client,
        "create_request",
        json!({"subject": "x", "template": "Locked Priority Request", "requester": "a@example.com",
               "priority": "High", "category": "Hardware", "subcategory": "Payroll"}),
    )
    .await;
    assert_eq!(result.is_error, Some(true));
    let details = result.structured_content.clone().unwrap();
    assert_eq!(
        details["not_allowed_fields"],
        json!(["priority"]),
        "{details}"
    );
    assert_eq!(fields_of(&details, "invalid_fields"), vec!["subcategory"]);
    assert_eq!(writes(&server), before);

    client.cancel().await.unwrap();
    server.stop().await.unwrap();
}

#[tokio::test]
async fn misspelt_lookups_get_suggestions_on_update_and_filters() {
    let server = TestServer::start().await;
    let client = server.mcp_client().await;
    let listed = ok(
        "list_requests",
        &call(&client, "list_requests", json!({"page_size": 1})).await,
    );
    let id = listed["requests"][0]["id"].as_str().unwrap().to_owned();
    let before = writes(&server);
    let result = call(
        &client,
        "update_request",
        json!({"request_id": id, "status": "Opne", "priority": "Urgnet"}),
    )
    .await;
    assert_eq!(result.is_error, Some(true));
    let message = text(&result);
    assert!(message.contains("did you mean \"Open\"?"), "{message}");
    assert!(message.contains("Urgent"), "{message}");
    assert_eq!(writes(&server), before);
    let result = call(
        &client,
        "create_request",
        json!({"subject": "udf", "requester": "a@example.com",
               "udf_fields": {"udf_pick_301": "Laptp", "udf_sline_32": "x"}}),
    )
    .await;
    assert_eq!(result.is_error, Some(true));
    let details = result.structured_content.clone().unwrap();
    let invalid = details["invalid_fields"].as_array().unwrap();
    assert!(
        invalid
            .iter()
            .any(|i| i["field"] == "udf_pick_301" && i["did_you_mean"] == "Laptop"),
        "{details}"
    );
    assert!(
        invalid
            .iter()
            .any(|i| i["given"] == "udf_sline_32" && i["did_you_mean"] == "udf_sline_302"),
        "{details}"
    );
    assert_eq!(writes(&server), before);
    let result = call(&client, "list_requests", json!({"priority": "Hihg"})).await;
    assert!(text(&result).contains("Did you mean"), "{}", text(&result));
    client.cancel().await.unwrap();
    server.stop().await.unwrap();
}

/// A client that declares form elicitation and answers every confirmation.
#[derive(Clone)]
struct Answering {
    accept: bool,
}

impl ClientHandler for Answering {
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
        let ElicitRequestParams::FormElicitationParams { message, .. } = request else {
            return Ok(ElicitResult::new(ElicitationAction::Decline));
        };
        assert!(message.contains("close request"), "{message}");
        if self.accept {
            let mut result = ElicitResult::new(ElicitationAction::Accept);
            result.content = Some(json!({"confirm": true}));
            Ok(result)
        } else {
            Ok(ElicitResult::new(ElicitationAction::Decline))
        }
    }
}

async fn eliciting_client(
    server: &TestServer,
    accept: bool,
) -> RunningService<RoleClient, Answering> {
    let config =
        StreamableHttpClientTransportConfig::with_uri(server.mcp_url()).auth_header(API_KEY);
    let transport = StreamableHttpClientTransport::from_config(config);
    tokio::time::timeout(TIMEOUT, Answering { accept }.serve(transport))
        .await
        .unwrap()
        .unwrap()
}

async fn call_as(
    client: &RunningService<RoleClient, Answering>,
    tool: &str,
    arguments: Value,
) -> CallToolResult {
    let arguments: JsonObject = arguments.as_object().unwrap().clone();
    let params = CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments);
    tokio::time::timeout(TIMEOUT, client.call_tool(params))
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn destructive_tools_confirm_by_elicitation_or_argument() {
    let server = TestServer::start().await;
    let plain = server.mcp_client().await;
    let listed = ok(
        "list_requests",
        &call(
            &plain,
            "list_requests",
            json!({"page_size": 3, "status": "Open"}),
        )
        .await,
    );
    let ids: Vec<String> = listed["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();

    // No elicitation capability: `confirm: true` is required.
    let before = writes(&server);
    let refused = call(&plain, "close_request", json!({"request_id": ids[0]})).await;
    assert_eq!(refused.is_error, Some(true));
    assert!(
        text(&refused).contains("confirm: true"),
        "{}",
        text(&refused)
    );
    assert_eq!(
        refused.structured_content.unwrap()["confirmation_required"],
        true
    );
    assert_eq!(writes(&server), before);
    let closed = ok(
        "close_request",
        &call(
            &plain,
            "close_request",
            json!({"request_id": ids[0], "confirm": true}),
        )
        .await,
    );
    assert_eq!(closed["request"]["status"], "Closed");

    // Elicitation accepted: no `confirm` needed.
    let accepting = eliciting_client(&server, true).await;
    let closed = call_as(&accepting, "close_request", json!({"request_id": ids[1]})).await;
    assert_ne!(closed.is_error, Some(true), "{}", text(&closed));
    assert_eq!(
        closed.structured_content.unwrap()["request"]["status"],
        "Closed"
    );

    // Elicitation declined: nothing happens.
    let declining = eliciting_client(&server, false).await;
    let before = writes(&server);
    let refused = call_as(&declining, "close_request", json!({"request_id": ids[2]})).await;
    assert_eq!(refused.is_error, Some(true));
    assert!(
        text(&refused).contains("did not confirm"),
        "{}",
        text(&refused)
    );
    assert_eq!(writes(&server), before);
    let still_open = ok(
        "get_request",
        &call(&plain, "get_request", json!({"request_id": ids[2]})).await,
    );
    assert_ne!(still_open["status"], "Closed");

    accepting.cancel().await.unwrap();
    declining.cancel().await.unwrap();
    plain.cancel().await.unwrap();
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_write_with_unknown_outcome_is_indeterminate_and_not_retried() {
    let server = TestServer::start().await;
    let client = server.mcp_client().await;
    let listed = ok(
        "list_requests",
        &call(&client, "list_requests", json!({"page_size": 1})).await,
    );
    let id = listed["requests"][0]["id"].as_str().unwrap().to_owned();
    server.sim.state().faults.push(FaultRule {
        path_prefix: Some(format!(
            "/app/{}/api/v3/requests/{id}/notes",
            portal(&server)
        )),
        method: Some("POST".to_owned()),
        count: Some(1),
        drop_connection: true,
        ..FaultRule::default()
    });
    let before = writes(&server);
    let result = call(
        &client,
        "add_note",
        json!({"request_id": id, "note": "maybe"}),
    )
    .await;
    assert_eq!(result.is_error, Some(true), "{result:?}");
    let details = result.structured_content.clone().unwrap();
    assert_eq!(details["indeterminate"], true, "{details}");
    assert!(
        details["how_to_check"]
            .as_str()
            .unwrap()
            .contains("list_notes")
    );
    assert!(text(&result).contains("not retried"), "{}", text(&result));
    // The handler ran once (the write happened) and was not repeated.
    assert_eq!(writes(&server), before + 1);
    client.cancel().await.unwrap();
    server.stop().await.unwrap();
}

#[tokio::test]
async fn completions_offer_the_portal_values() {
    let server = TestServer::start().await;
    let client = server.mcp_client().await;
    let priorities = client
        .complete_prompt_simple("triage", "priority", "hi")
        .await
        .unwrap();
    assert!(
        priorities.iter().any(|p| p.contains("High")),
        "{priorities:?}"
    );
    assert!(priorities.iter().all(|p| p.to_lowercase().contains("hi")));
    let statuses = client
        .complete_resource_simple("sdp://requests/{status}", "status", "")
        .await
        .unwrap();
    assert!(statuses.iter().any(|s| s == "Open"), "{statuses:?}");
    let categories = client
        .complete_prompt_simple("triage", "category", "hard")
        .await
        .unwrap();
    assert_eq!(categories, vec!["Hardware"]);
    let templates = client
        .complete_prompt_simple("triage", "template", "hard")
        .await
        .unwrap();
    assert!(
        templates.iter().any(|t| t == "Hardware Request"),
        "{templates:?}"
    );
    let groups = client
        .complete_prompt_simple("triage", "group", "")
        .await
        .unwrap();
    assert!(!groups.is_empty());
    let listed = ok(
        "list_technicians",
        &call(&client, "list_technicians", json!({"page_size": 1})).await,
    );
    let name = listed["technicians"][0]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = name.split_whitespace().next().unwrap();
    let technicians = client
        .complete_prompt_simple("triage", "technician", first)
        .await
        .unwrap();
    assert!(technicians.contains(&name), "{technicians:?}");
    let unknown = client
        .complete_prompt_simple("triage", "colour", "r")
        .await
        .unwrap();
    assert!(unknown.is_empty());
    client.cancel().await.unwrap();
    server.stop().await.unwrap();
}
