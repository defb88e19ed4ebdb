#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The `requests` / `request_work` toolsets against the simulator: notes,
//! worklogs and tasks (full CRUD), attachments, approvals and links. Each
//! tool: a success and a typical error.

mod request_support;
mod support;

use base64::Engine as _;
use request_support::{fails, ok, request_ids, s, start, technician_email};
use rmcp::model::ResourceContents;
use serde_json::json;
use support::{call, text};

#[tokio::test]
async fn notes_worklogs_and_tasks_have_full_crud() {
    let (server, client) = start().await;
    let id = request_ids(&client, 1).await.remove(0).0;

    // Notes.
    let added = ok(
        "add_note",
        &call(
            &client,
            "add_note",
            json!({"request_id": id, "note": "first"}),
        )
        .await,
    );
    let note_id = s(&added, "/note/id").to_owned();
    // A note mailed to the requester needs confirmation.
    fails(
        &client,
        "add_note",
        json!({"request_id": id, "note": "Fixed", "show_to_requester": true}),
        "confirm: true",
    )
    .await;
    let public = ok(
        "add_note",
        &call(
            &client,
            "add_note",
            json!({"request_id": id, "note": "Fixed", "show_to_requester": true, "confirm": true}),
        )
        .await,
    );
    assert_eq!(public["note"]["show_to_requester"], true, "{public}");
    let got = ok(
        "get_note",
        &call(
            &client,
            "get_note",
            json!({"request_id": id, "note_id": note_id}),
        )
        .await,
    );
    assert!(s(&got, "/note/description").contains("first"), "{got}");
    let updated = ok(
        "update_note",
        &call(
            &client,
            "update_note",
            json!({"request_id": id, "note_id": note_id, "note": "second"}),
        )
        .await,
    );
    assert!(s(&updated, "/note/description").contains("second"));
    fails(
        &client,
        "update_note",
        json!({"request_id": id, "note_id": note_id}),
        "nothing to update",
    )
    .await;
    fails(
        &client,
        "delete_note",
        json!({"request_id": id, "note_id": note_id}),
        "confirm: true",
    )
    .await;
    ok(
        "delete_note",
        &call(
            &client,
            "delete_note",
            json!({"request_id": id, "note_id": note_id, "confirm": true}),
        )
        .await,
    );
    let gone = call(
        &client,
        "get_note",
        json!({"request_id": id, "note_id": note_id}),
    )
    .await;
    assert_eq!(gone.is_error, Some(true), "{gone:?}");

    // Worklogs.
    let added = ok(
        "add_worklog",
        &call(
            &client,
            "add_worklog",
            json!({"request_id": id, "hours": 1, "minutes": 30, "description": "diagnosis"}),
        )
        .await,
    );
    let worklog_id = s(&added, "/worklog/id").to_owned();
    let listed = ok(
        "list_worklogs",
        &call(&client, "list_worklogs", json!({"request_id": id})).await,
    );
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["id"] == worklog_id.as_str()),
        "{listed}"
    );
    let updated = ok(
        "update_worklog",
        &call(
            &client,
            "update_worklog",
            json!({"request_id": id, "worklog_id": worklog_id, "hours": 0, "minutes": 45}),
        )
        .await,
    );
    assert_eq!(updated["worklog"]["minutes_spent"], 45, "{updated}");
    fails(
        &client,
        "update_worklog",
        json!({"request_id": id, "worklog_id": "abc"}),
        "worklog_id",
    )
    .await;
    fails(
        &client,
        "add_worklog",
        json!({"request_id": id, "start_time": "yesterday"}),
        "start_time",
    )
    .await;
    fails(
        &client,
        "list_worklogs",
        json!({"request_id": "x1"}),
        "request_id",
    )
    .await;
    ok(
        "delete_worklog",
        &call(
            &client,
            "delete_worklog",
            json!({"request_id": id, "worklog_id": worklog_id, "confirm": true}),
        )
        .await,
    );
    fails(
        &client,
        "delete_worklog",
        json!({"request_id": id, "worklog_id": worklog_id}),
        "confirm",
    )
    .await;

    // Tasks.
    let added = ok(
        "add_request_task",
        &call(
            &client,
            "add_request_task",
            json!({"request_id": id, "title": "Order a screen", "priority": "high"}),
        )
        .await,
    );
    let task_id = s(&added, "/task/id").to_owned();
    let listed = ok(
        "list_request_tasks",
        &call(&client, "list_request_tasks", json!({"request_id": id})).await,
    );
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == task_id.as_str()),
        "{listed}"
    );
    let updated = ok(
        "update_request_task",
        &call(
            &client,
            "update_request_task",
            json!({"request_id": id, "task_id": task_id, "percentage_completion": 50}),
        )
        .await,
    );
    assert_eq!(updated["task"]["percentage_completion"], 50, "{updated}");
    fails(
        &client,
        "add_request_task",
        json!({"request_id": id, "title": " "}),
        "title",
    )
    .await;
    fails(
        &client,
        "update_request_task",
        json!({"request_id": id, "task_id": task_id, "priority": "Hgih"}),
        "priority",
    )
    .await;
    fails(
        &client,
        "list_request_tasks",
        json!({"request_id": "?"}),
        "request_id",
    )
    .await;
    fails(
        &client,
        "delete_request_task",
        json!({"request_id": id, "task_id": task_id}),
        "confirm",
    )
    .await;
    ok(
        "delete_request_task",
        &call(
            &client,
            "delete_request_task",
            json!({"request_id": id, "task_id": task_id, "confirm": true}),
        )
        .await,
    );

    client.cancel().await.unwrap();
    server.stop().await.unwrap();
}

#[tokio::test]
async fn attachments_approvals_and_links() {
    let (server, client) = start().await;
    let ids = request_ids(&client, 2).await;
    let (id, other) = (ids[0].0.clone(), ids[1].0.clone());

    // Attachments: content from the client, never a path.
    let added = ok(
        "add_attachment",
        &call(
            &client,
            "add_attachment",
            json!({"request_id": id, "file_name": "error.log", "content_text": "E42 at 10:42"}),
        )
        .await,
    );
    let attachment = added["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "error.log")
        .unwrap_or_else(|| panic!("{added}"))
        .clone();
    let attachment_id = s(&attachment, "/id").to_owned();
    let listed = ok(
        "list_attachments",
        &call(&client, "list_attachments", json!({"request_id": id})).await,
    );
    assert!(!listed["attachments"].as_array().unwrap().is_empty());
    let got = call(
        &client,
        "get_attachment",
        json!({"request_id": id, "attachment_id": attachment_id}),
    )
    .await;
    assert_ne!(got.is_error, Some(true), "{}", text(&got));
    let resource = got
        .content
        .iter()
        .find_map(|c| c.as_resource())
        .unwrap_or_else(|| panic!("no embedded resource: {got:?}"));
    match &resource.resource {
        ResourceContents::TextResourceContents { text, .. } => assert_eq!(text, "E42 at 10:42"),
        ResourceContents::BlobResourceContents { blob, .. } => assert!(!blob.is_empty()),
        other => panic!("unexpected resource {other:?}"),
    }
    fails(
        &client,
        "add_attachment",
        json!({"request_id": id, "file_name": "a.txt"}),
        "content_base64",
    )
    .await;
    fails(
        &client,
        "add_attachment",
        json!({"request_id": id, "file_name": "/etc/passwd", "content_text": "x"}),
        "file_name",
    )
    .await;
    let big = "A".repeat(3 * 1024 * 1024);
    fails(
        &client,
        "add_attachment",
        json!({"request_id": id, "file_name": "big.bin", "content_base64": big}),
        "too large",
    )
    .await;
    fails(
        &client,
        "list_attachments",
        json!({"request_id": "none"}),
        "request_id",
    )
    .await;
    let missing = call(
        &client,
        "get_attachment",
        json!({"request_id": id, "attachment_id": "999999"}),
    )
    .await;
    assert_eq!(missing.is_error, Some(true));
    // Downloads above 1 MiB are refused with the size.
    let large = base64::engine::general_purpose::STANDARD.encode(vec![b'x'; 1_500_000]);
    let added = ok(
        "add_attachment",
        &call(
            &client,
            "add_attachment",
            json!({"request_id": id, "file_name": "large.bin", "content_base64": large}),
        )
        .await,
    );
    let large_id = added["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "large.bin")
        .and_then(|a| a["id"].as_str())
        .unwrap()
        .to_owned();
    fails(
        &client,
        "get_attachment",
        json!({"request_id": id, "attachment_id": large_id}),
        "more than",
    )
    .await;
    fails(
        &client,
        "delete_attachment",
        json!({"request_id": id, "attachment_id": attachment_id}),
        "confirm",
    )
    .await;
    ok(
        "delete_attachment",
        &call(
            &client,
            "delete_attachment",
            json!({"request_id": id, "attachment_id": attachment_id, "confirm": true}),
        )
        .await,
    );

    // Approvals.
    let email = technician_email(&client).await;
    let level = ok(
        "add_approval_level",
        &call(
            &client,
            "add_approval_level",
            json!({"request_id": id, "approvers": [email]}),
        )
        .await,
    );
    let level_id = s(&level, "/levels/0/id").to_owned();
    let with_two = ok(
        "add_approver",
        &call(
            &client,
            "add_approver",
            json!({"request_id": id, "level_id": level_id, "approver": email}),
        )
        .await,
    );
    let approvals = with_two["levels"][0]["approvals"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(approvals.len(), 2, "{with_two}");
    ok(
        "send_approval_notification",
        &call(
            &client,
            "send_approval_notification",
            json!({"request_id": id, "level_id": level_id}),
        )
        .await,
    );
    let first = s(&approvals[0], "/id").to_owned();
    let second = s(&approvals[1], "/id").to_owned();
    fails(
        &client,
        "approve_request",
        json!({"request_id": id, "approval_id": first}),
        "confirm: true",
    )
    .await;
    let approved = ok(
        "approve_request",
        &call(
            &client,
            "approve_request",
            json!({"request_id": id, "approval_id": first, "comments": "ok", "confirm": true}),
        )
        .await,
    );
    assert!(approved.to_string().contains("Approved"), "{approved}");
    let rejected = ok(
        "reject_request",
        &call(
            &client,
            "reject_request",
            json!({"request_id": id, "approval_id": second, "level_id": level_id, "confirm": true}),
        )
        .await,
    );
    assert!(rejected.to_string().contains("Rejected"), "{rejected}");
    let listed = ok(
        "list_approvals",
        &call(&client, "list_approvals", json!({"request_id": id})).await,
    );
    assert_eq!(listed["levels"].as_array().unwrap().len(), 1, "{listed}");
    fails(
        &client,
        "approve_request",
        json!({"request_id": id, "approval_id": "424242", "confirm": true}),
        "no approval",
    )
    .await;
    fails(
        &client,
        "reject_request",
        json!({"request_id": id, "approval_id": "x"}),
        "approval_id",
    )
    .await;
    fails(
        &client,
        "add_approval_level",
        json!({"request_id": id, "approvers": []}),
        "approvers",
    )
    .await;
    fails(
        &client,
        "add_approver",
        json!({"request_id": id, "level_id": "L1", "approver": email}),
        "level_id",
    )
    .await;
    fails(
        &client,
        "send_approval_notification",
        json!({"request_id": id, "level_id": "?"}),
        "level_id",
    )
    .await;
    fails(
        &client,
        "list_approvals",
        json!({"request_id": ""}),
        "request_id",
    )
    .await;

    // Links.
    let linked = ok(
        "link_requests",
        &call(
            &client,
            "link_requests",
            json!({"request_id": id, "linked_request_ids": [other], "comments": "same outage"}),
        )
        .await,
    );
    assert!(
        linked["links"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["request_id"] == other.as_str()),
        "{linked}"
    );
    let listed = ok(
        "list_linked_requests",
        &call(&client, "list_linked_requests", json!({"request_id": id})).await,
    );
    assert_eq!(listed["links"].as_array().unwrap().len(), 1, "{listed}");
    let unlinked = ok(
        "unlink_requests",
        &call(
            &client,
            "unlink_requests",
            json!({"request_id": id, "linked_request_ids": [other]}),
        )
        .await,
    );
    assert!(
        unlinked["links"].as_array().unwrap().is_empty(),
        "{unlinked}"
    );
    fails(
        &client,
        "link_requests",
        json!({"request_id": id, "linked_request_ids": [id]}),
        "itself",
    )
    .await;
    fails(
        &client,
        "unlink_requests",
        json!({"request_id": id, "linked_request_ids": []}),
        "empty",
    )
    .await;
    fails(
        &client,
        "list_linked_requests",
        json!({"request_id": "a"}),
        "request_id",
    )
    .await;

    client.cancel().await.unwrap();
    server.stop().await.unwrap();
}
