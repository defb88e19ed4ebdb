#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The module tools beyond the generic tables: requests linked to problems
//! and changes, attachments of problems, changes, releases, projects and
//! solutions, and the tasks of project milestones. Every tool succeeds once
//! and fails once over MCP against the simulator, with its arguments and
//! `structuredContent` checked against its schemas.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use support::harness::Harness;
use support::schema::check_input_schema;
use support::{TestServer, simulator};

/// The tools this file covers.
fn covered() -> Vec<String> {
    let mut names: Vec<String> = [
        "link_problem_requests",
        "unlink_problem_requests",
        "list_problem_requests",
        "link_change_requests",
        "unlink_change_requests",
        "list_change_requests",
        "list_milestone_tasks",
        "add_milestone_task",
        "update_milestone_task",
        "delete_milestone_task",
    ]
    .map(str::to_owned)
    .to_vec();
    for noun in MODULES.map(|(noun, _)| noun) {
        for verb in ["add", "get", "delete"] {
            names.push(format!("{verb}_{noun}_attachment"));
        }
    }
    names
}

const MODULES: [(&str, &str); 5] = [
    ("problem", "problems"),
    ("change", "changes"),
    ("release", "releases"),
    ("project", "projects"),
    ("solution", "solutions"),
];

async fn start() -> (TestServer, Harness) {
    let server = TestServer::builder()
        .toolsets(&[
            "requests",
            "problems",
            "changes",
            "releases",
            "projects",
            "solutions",
        ])
        .start(simulator().await)
        .await;
    let client = server.mcp_client().await;
    let tools: BTreeMap<_, _> = client
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.name.to_string(), t))
        .collect();
    for name in covered() {
        let tool = tools
            .get(&name)
            .unwrap_or_else(|| panic!("{name} is not listed"));
        check_input_schema(tool);
    }
    let h = Harness {
        client,
        tools,
        succeeded: BTreeSet::new(),
        failed: BTreeSet::new(),
    };
    (server, h)
}

async fn request_ids(h: &mut Harness, n: u32) -> Vec<String> {
    let listed = h.ok("list_requests", json!({"page_size": n})).await;
    listed["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

fn linked(result: &Value) -> Vec<(String, Value)> {
    result["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap().to_owned(), r["relation"].clone()))
        .collect()
}

async fn problem_links(h: &mut Harness, requests: &[String]) {
    let problem = h
        .first("list_problems", json!({"page_size": 1}), "id")
        .await;
    let args = json!({"problem_id": problem, "request_ids": requests});
    let result = h.ok("link_problem_requests", args.clone()).await;
    let ids: Vec<String> = linked(&result).into_iter().map(|(id, _)| id).collect();
    for request in requests {
        assert!(ids.contains(request), "{result}");
    }
    let listed = h
        .ok("list_problem_requests", json!({"problem_id": problem}))
        .await;
    assert_eq!(linked(&listed).len(), requests.len(), "{listed}");
    let one = json!({"problem_id": problem, "request_ids": [requests[0]]});
    let after = h.ok("unlink_problem_requests", one.clone()).await;
    assert_eq!(linked(&after).len(), requests.len() - 1, "{after}");

    h.fails(
        "link_problem_requests",
        json!({"problem_id": problem, "request_ids": []}),
        "request_ids",
    )
    .await;
    h.fails(
        "link_problem_requests",
        json!({"problem_id": "999999999", "request_ids": [requests[0]]}),
        "problem",
    )
    .await;
    // Not linked any more: SDP refuses the removal.
    h.fails("unlink_problem_requests", one, "problem").await;
    h.fails(
        "list_problem_requests",
        json!({"problem_id": "PB-1"}),
        "problem_id",
    )
    .await;
}

async fn change_links(h: &mut Harness, requests: &[String]) {
    let change = h.first("list_changes", json!({"page_size": 1}), "id").await;
    h.ok(
        "link_change_requests",
        json!({"change_id": change, "request_ids": [requests[0]]}),
    )
    .await;
    let result = h
        .ok(
            "link_change_requests",
            json!({"change_id": change, "request_ids": [requests[1]], "relation": "caused_by"}),
        )
        .await;
    let links = linked(&result);
    assert!(
        links.contains(&(requests[0].clone(), json!("initiated"))),
        "{result}"
    );
    assert!(
        links.contains(&(requests[1].clone(), json!("caused_by"))),
        "{result}"
    );
    h.ok("list_change_requests", json!({"change_id": change}))
        .await;
    let after = h
        .ok(
            "unlink_change_requests",
            json!({"change_id": change, "request_ids": [requests[1]], "relation": "caused_by"}),
        )
        .await;
    assert_eq!(
        linked(&after),
        vec![(requests[0].clone(), json!("initiated"))]
    );
    h.fails(
        "link_change_requests",
        json!({"change_id": change, "request_ids": [requests[0]], "relation": "fixed"}),
        "caused_by",
    )
    .await;
    h.fails(
        "unlink_change_requests",
        json!({"change_id": change, "request_ids": [requests[1]], "relation": "caused_by"}),
        "change",
    )
    .await;
    h.fails(
        "list_change_requests",
        json!({"change_id": "999999999"}),
        "999999999",
    )
    .await;
}

async fn attachments(h: &mut Harness, noun: &str, nouns: &str) {
    let id_arg = format!("{noun}_id");
    let item = h
        .first(&format!("list_{nouns}"), json!({"page_size": 1}), "id")
        .await;
    let add = format!("add_{noun}_attachment");
    let added = h
        .ok(
            &add,
            json!({ id_arg.clone(): item, "file_name": "rca.txt",
                    "content_text": "Root cause: expired certificate" }),
        )
        .await;
    let aid = added["item"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{added}"))
        .to_owned();
    let binary = h
        .ok(
            &add,
            json!({ id_arg.clone(): item, "file_name": "dump.bin",
                    "content_base64": STANDARD.encode([0_u8, 159, 146, 150]) }),
        )
        .await;
    let bid = binary["item"]["id"].as_str().unwrap().to_owned();
    h.fails(
        &add,
        json!({ id_arg.clone(): item, "file_name": "/etc/passwd", "content_text": "x" }),
        "plain file name",
    )
    .await;
    h.fails(
        &add,
        json!({ id_arg.clone(): item, "file_name": "a.txt" }),
        "exactly one",
    )
    .await;

    let list = format!("list_{noun}_attachments");
    let listed = h.ok(&list, json!({ id_arg.clone(): item })).await;
    let ids: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert!(ids.contains(&aid.as_str()), "{listed}");

    let get = format!("get_{noun}_attachment");
    let args = json!({ id_arg.clone(): item, "attachment_id": aid });
    let got = h.ok(&get, args.clone()).await;
    assert_eq!(got["name"], "rca.txt");
    let raw = h.raw(&get, args).await;
    let resource = raw.content[1].as_resource().unwrap();
    let text = serde_json::to_value(&resource.resource).unwrap();
    assert_eq!(text["text"], "Root cause: expired certificate", "{text}");
    let raw = h
        .raw(&get, json!({ id_arg.clone(): item, "attachment_id": bid }))
        .await;
    let blob = serde_json::to_value(&raw.content[1].as_resource().unwrap().resource).unwrap();
    assert_eq!(blob["blob"], STANDARD.encode([0_u8, 159, 146, 150]));
    h.fails(
        &get,
        json!({ id_arg.clone(): item, "attachment_id": "4x" }),
        "attachment_id",
    )
    .await;

    let delete = format!("delete_{noun}_attachment");
    let args = json!({ id_arg.clone(): item, "attachment_id": aid });
    h.fails(&delete, args.clone(), "confirm").await;
    let mut confirmed = args.clone();
    confirmed["confirm"] = json!(true);
    h.ok(&delete, confirmed).await;
    h.fails(&get, args, &aid).await;
}

async fn milestone_tasks(h: &mut Harness) {
    let project = h
        .first("list_projects", json!({"page_size": 1}), "id")
        .await;
    let milestone = h
        .ok(
            "add_project_milestone",
            json!({"project_id": project, "fields": {"title": "Pilot rollout"}}),
        )
        .await["item"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let at = json!({"project_id": project, "milestone_id": milestone});
    let mut add = at.clone();
    add["fields"] = json!({"title": "Order laptops", "scheduled_end_time": "2026-03-31"});
    let task = h.ok("add_milestone_task", add).await["task"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut bad = at.clone();
    bad["fields"] = json!({"description": "no title"});
    h.fails("add_milestone_task", bad, "title").await;

    let listed = h.ok("list_milestone_tasks", at.clone()).await;
    assert_eq!(listed["tasks"][0]["id"], task, "{listed}");
    h.fails(
        "list_milestone_tasks",
        json!({"project_id": project, "milestone_id": "999999999"}),
        "999999999",
    )
    .await;

    let mut update = at.clone();
    update["task_id"] = json!(task);
    update["fields"] = json!({"percentage_completion": 50});
    let updated = h.ok("update_milestone_task", update.clone()).await;
    assert_eq!(updated["task"]["percentage_completion"], 50, "{updated}");
    update["fields"] = json!({"colour": "red"});
    h.fails("update_milestone_task", update, "colour").await;

    let mut delete = at.clone();
    delete["task_id"] = json!(task);
    h.fails("delete_milestone_task", delete.clone(), "confirm")
        .await;
    delete["confirm"] = json!(true);
    h.ok("delete_milestone_task", delete).await;
    let listed = h.ok("list_milestone_tasks", at).await;
    assert!(listed["tasks"].as_array().unwrap().is_empty(), "{listed}");
}

#[tokio::test]
async fn module_extras_work_and_fail_cleanly() {
    let (_server, mut h) = start().await;
    let requests = request_ids(&mut h, 3).await;
    problem_links(&mut h, &requests).await;
    change_links(&mut h, &requests).await;
    for (noun, nouns) in MODULES {
        attachments(&mut h, noun, nouns).await;
    }
    milestone_tasks(&mut h).await;
    for name in covered() {
        assert!(h.succeeded.contains(&name), "{name} never succeeded");
        assert!(h.failed.contains(&name), "{name} never failed");
    }
}
