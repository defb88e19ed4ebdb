#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The `requests` toolset against the simulator: resolution, conversation,
//! summary, merge / trash / restore / delete, and `get_request` by display
//! id. Each tool: a success and a typical error.

mod request_support;
mod support;

use request_support::{fails, ok, request_ids, start};
use serde_json::json;
use support::call;

#[tokio::test]
async fn resolution_conversation_summary_and_lifecycle() {
    let (server, client) = start().await;
    let ids = request_ids(&client, 4).await;
    let (id, display) = ids[0].clone();

    // get_request by display id.
    if !display.is_empty() {
        let by_display = ok(
            "get_request",
            &call(
                &client,
                "get_request",
                json!({"request_id": format!("#{display}")}),
            )
            .await,
        );
        assert_eq!(by_display["id"], id.as_str(), "{by_display}");
    }
    fails(
        &client,
        "get_request",
        json!({"request_id": "987654321987"}),
        "display id",
    )
    .await;

    let set = ok(
        "set_resolution",
        &call(
            &client,
            "set_resolution",
            json!({"request_id": id, "resolution": "Replaced RAM"}),
        )
        .await,
    );
    assert_eq!(set["content"], "Replaced RAM", "{set}");
    let got = ok(
        "get_resolution",
        &call(&client, "get_resolution", json!({"request_id": id})).await,
    );
    assert_eq!(got["content"], "Replaced RAM");
    fails(
        &client,
        "set_resolution",
        json!({"request_id": id, "resolution": "  "}),
        "empty",
    )
    .await;
    fails(
        &client,
        "get_resolution",
        json!({"request_id": "nope"}),
        "request_id",
    )
    .await;

    ok(
        "add_note",
        &call(
            &client,
            "add_note",
            json!({"request_id": id, "note": "hello"}),
        )
        .await,
    );
    let conversation = ok(
        "get_request_conversation",
        &call(
            &client,
            "get_request_conversation",
            json!({"request_id": id}),
        )
        .await,
    );
    assert!(
        !conversation["entries"].as_array().unwrap().is_empty(),
        "{conversation}"
    );
    let summary = ok(
        "get_request_summary",
        &call(&client, "get_request_summary", json!({"request_id": id})).await,
    );
    assert!(
        summary["counts"]["notes_count"].as_u64().unwrap() >= 1,
        "{summary}"
    );
    fails(
        &client,
        "get_request_conversation",
        json!({"request_id": "x"}),
        "request_id",
    )
    .await;
    let missing = call(
        &client,
        "get_request_summary",
        json!({"request_id": "987654321987"}),
    )
    .await;
    assert_eq!(missing.is_error, Some(true));

    // Trash and restore.
    let trash = ids[1].0.clone();
    fails(
        &client,
        "trash_request",
        json!({"request_id": trash}),
        "confirm: true",
    )
    .await;
    ok(
        "trash_request",
        &call(
            &client,
            "trash_request",
            json!({"request_id": trash, "confirm": true}),
        )
        .await,
    );
    ok(
        "restore_request",
        &call(&client, "restore_request", json!({"request_id": trash})).await,
    );
    let restored = ok(
        "get_request",
        &call(&client, "get_request", json!({"request_id": trash})).await,
    );
    assert_eq!(restored["id"], trash.as_str());
    fails(
        &client,
        "restore_request",
        json!({"request_id": "?"}),
        "request_id",
    )
    .await;

    // Merge: irreversible.
    let merged = ids[2].0.clone();
    fails(
        &client,
        "merge_requests",
        json!({"request_id": id, "merge_request_ids": [merged]}),
        "confirm: true",
    )
    .await;
    fails(
        &client,
        "merge_requests",
        json!({"request_id": id, "merge_request_ids": [id], "confirm": true}),
        "other than",
    )
    .await;
    ok(
        "merge_requests",
        &call(
            &client,
            "merge_requests",
            json!({"request_id": id, "merge_request_ids": [merged], "confirm": true}),
        )
        .await,
    );
    let merged_away = call(&client, "get_request", json!({"request_id": merged})).await;
    assert_eq!(merged_away.is_error, Some(true), "{merged_away:?}");

    // Delete.
    let deleted = ids[3].0.clone();
    fails(
        &client,
        "delete_request",
        json!({"request_id": deleted}),
        "confirm: true",
    )
    .await;
    ok(
        "delete_request",
        &call(
            &client,
            "delete_request",
            json!({"request_id": deleted, "confirm": true}),
        )
        .await,
    );
    let gone = call(&client, "get_request", json!({"request_id": deleted})).await;
    assert_eq!(gone.is_error, Some(true), "{gone:?}");

    client.cancel().await.unwrap();
    server.stop().await.unwrap();
}
