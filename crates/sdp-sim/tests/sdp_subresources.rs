#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Notes, worklogs, tasks, task worklogs, approvals and attachments.

mod sdp_common;

use reqwest::Method;
use sdp_common::{ACCEPT, Env, answer};
use serde_json::{Value, json};

async fn new_request(env: &Env) -> String {
    let body = env
        .post("requests", json!({"request": {"subject": "sub-resources", "requester": {"email_id": env.user.email}}}))
        .await
        .ok();
    body["request"]["id"].as_str().unwrap().to_owned()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn notes_crud_flips_has_notes() {
    let env = Env::new().await;
    let rid = new_request(&env).await;
    let note = env
        .post(
            &format!("requests/{rid}/notes"),
            json!({"request_note": {"description": "<p>Called</p>", "show_to_requester": true}}),
        )
        .await
        .ok()["request_note"]
        .clone();
    assert_eq!(note["created_by"]["email_id"], env.user.email.as_str());
    let alias = env
        .post(
            &format!("requests/{rid}/notes"),
            json!({"note": {"description": "second"}}),
        )
        .await
        .ok();
    assert_eq!(alias["request_note"]["description"], "second");
    assert_eq!(
        env.get(&format!("requests/{rid}"), None).await.ok()["request"]["has_notes"],
        true
    );
    let list = env.get(&format!("requests/{rid}/notes"), None).await.ok();
    assert_eq!(list["notes"].as_array().unwrap().len(), 2);
    let nid = id(&note);
    let edited = env
        .put(
            &format!("requests/{rid}/notes/{nid}"),
            json!({"request_note": {"description": "edited"}}),
        )
        .await
        .ok();
    assert_eq!(edited["request_note"]["description"], "edited");
    env.post(
        &format!("requests/{rid}/notes"),
        json!({"request_note": {}}),
    )
    .await
    .err(400, 4012);
    env.post(
        &format!("requests/{rid}/notes"),
        json!({"request_note": {"description": "x", "colour": 1}}),
    )
    .await
    .err(400, 4000);
    env.delete(&format!("requests/{rid}/notes/{nid}"))
        .await
        .ok();
    env.delete(&format!(
        "requests/{rid}/notes/{}",
        id(&alias["request_note"])
    ))
    .await
    .ok();
    assert_eq!(
        env.get(&format!("requests/{rid}"), None).await.ok()["request"]["has_notes"],
        false
    );
    env.get(&format!("requests/{rid}/notes/{nid}"), None)
        .await
        .err(404, 4007);
}

#[tokio::test]
async fn notes_list_key_knob() {
    let mut config = sdp_sim::SimConfig::default();
    config.sdp.notes_list_key = "request_notes".into();
    let env = Env::with(sdp_sim::Simulator::builder().config(config)).await;
    let rid = new_request(&env).await;
    env.post(
        &format!("requests/{rid}/notes"),
        json!({"request_note": {"description": "x"}}),
    )
    .await
    .ok();
    let list = env.get(&format!("requests/{rid}/notes"), None).await.ok();
    assert_eq!(list["request_notes"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn worklogs_with_time_spent_and_time_mismatch() {
    let env = Env::new().await;
    let rid = new_request(&env).await;
    let worklog = env
        .post(
            &format!("requests/{rid}/worklogs"),
            json!({"worklog": {"description": "Replaced profile", "owner": {"email_id": env.user.email}, "time_spent": {"hours": 1, "minutes": "15"}}}),
        )
        .await
        .ok()["worklog"]
        .clone();
    assert_eq!(
        worklog["time_spent"],
        json!({"hours": "1", "minutes": "15", "value": "4500000"})
    );
    let by_times = env
        .post(
            &format!("requests/{rid}/worklogs"),
            json!({"worklog": {"start_time": {"value": "1700000000000"}, "end_time": {"value": "1700001800000"}}}),
        )
        .await
        .ok();
    assert_eq!(by_times["worklog"]["time_spent"]["value"], "1800000");
    assert_eq!(
        by_times["worklog"]["owner"]["email_id"],
        env.user.email.as_str()
    );
    let mismatch = env
        .post(
            &format!("requests/{rid}/worklogs"),
            json!({"worklog": {"start_time": {"value": "1700001800000"}, "end_time": {"value": "1700000000000"}}}),
        )
        .await
        .err(400, 4016);
    assert_eq!(mismatch["field"], "end_time");
    let wid = id(&worklog);
    env.put(
        &format!("requests/{rid}/worklogs/{wid}"),
        json!({"worklog": {"description": "changed"}}),
    )
    .await
    .ok();
    let list = env
        .get(&format!("requests/{rid}/worklogs"), None)
        .await
        .ok();
    assert_eq!(list["worklogs"].as_array().unwrap().len(), 2);
    env.delete(&format!("requests/{rid}/worklogs/{wid}"))
        .await
        .ok();
    env.post(
        &format!("requests/{rid}/worklogs"),
        json!({"worklog": {"owner": {"name": "Nobody Here"}}}),
    )
    .await
    .err(400, 4001);
}

#[tokio::test]
async fn tasks_and_task_worklogs() {
    let env = Env::new().await;
    let rid = new_request(&env).await;
    env.post(
        &format!("requests/{rid}/tasks"),
        json!({"task": {"description": "no title"}}),
    )
    .await
    .err(400, 4012);
    let task = env
        .post(
            &format!("requests/{rid}/tasks"),
            json!({"task": {"title": "Ship monitor", "owner": {"email_id": env.user.email}, "percentage_completion": 10}}),
        )
        .await
        .ok()["task"]
        .clone();
    assert_eq!(task["status"]["name"], "Open");
    let tid = id(&task);
    let done = env
        .put(
            &format!("requests/{rid}/tasks/{tid}"),
            json!({"task": {"status": {"name": "Completed"}, "percentage_completion": 100}}),
        )
        .await
        .ok();
    assert_eq!(done["task"]["status"]["name"], "Completed");
    env.put(
        &format!("requests/{rid}/tasks/{tid}"),
        json!({"task": {"percentage_completion": "lots"}}),
    )
    .await
    .err(400, 4021);
    let twl = env
        .post(
            &format!("requests/{rid}/tasks/{tid}/worklogs"),
            json!({"worklog": {"time_spent": {"hours": 2, "minutes": 0}}}),
        )
        .await
        .ok();
    let wid = id(&twl["worklog"]);
    let got = env
        .get(&format!("requests/{rid}/tasks/{tid}/worklogs/{wid}"), None)
        .await
        .ok();
    assert_eq!(got["worklog"]["time_spent"]["value"], "7200000");
    let tasks = env.get(&format!("requests/{rid}/tasks"), None).await.ok();
    assert_eq!(tasks["tasks"].as_array().unwrap().len(), 1);
    env.delete(&format!("requests/{rid}/tasks/{tid}"))
        .await
        .ok();
    env.get(&format!("requests/{rid}/tasks/{tid}/worklogs/{wid}"), None)
        .await
        .err(404, 4007);
}

#[tokio::test]
async fn approval_flow_needs_notification_first() {
    let env = Env::new().await;
    let rid = new_request(&env).await;
    env.post(
        &format!("requests/{rid}/approval_levels"),
        json!({"approval_level": {}}),
    )
    .await
    .err(400, 4012);
    let level = env
        .post(
            &format!("requests/{rid}/approval_levels"),
            json!({"approval_level": {"approvers": [{"email_id": env.user.email}]}}),
        )
        .await
        .ok()["approval_level"]
        .clone();
    assert_eq!(level["level"], 1);
    let lid = id(&level);
    let aid = id(&level["approvals"][0]);
    let added = env
        .post(
            &format!("requests/{rid}/approval_levels/{lid}/approvals"),
            json!({"approvals": [{"approver": {"email_id": env.user.email}}]}),
        )
        .await
        .ok();
    assert_eq!(added["response_status"][0]["status_code"], 2000);
    let second = id(&added["approvals"][0]);
    env.delete(&format!(
        "requests/{rid}/approval_levels/{lid}/approvals/{second}"
    ))
    .await
    .ok();
    let approvals = env
        .get(
            &format!("requests/{rid}/approval_levels/{lid}/approvals"),
            None,
        )
        .await
        .ok();
    assert_eq!(approvals["approvals"].as_array().unwrap().len(), 1);
    let early = env
        .put(
            &format!("requests/{rid}/approval_levels/{lid}/approvals/{aid}/_approve"),
            json!({"approval": {"comments": "ok"}}),
        )
        .await
        .err(400, 4002);
    assert_eq!(early["message"], "Recommendation mail is not yet sent");
    let sent = env
        .call(
            Method::PUT,
            &format!(
                "{}?ids={aid}",
                env.url(&format!(
                    "requests/{rid}/approval_levels/{lid}/approvals/send_notification"
                ))
            ),
            Some(&env.token),
            None,
            None,
        )
        .await
        .ok();
    assert_eq!(sent["response_status"][0]["status_code"], 2000);
    let approved = env
        .put(
            &format!("requests/{rid}/approval_levels/{lid}/approvals/{aid}/_approve"),
            json!({"approval": {"comments": "ok"}}),
        )
        .await
        .ok();
    assert_eq!(approved["approval"]["status"]["name"], "Approved");
    assert_eq!(approved["approval"]["comments"], "ok");
    let levels = env
        .get(&format!("requests/{rid}/approval_levels"), None)
        .await
        .ok();
    assert_eq!(levels["approval_levels"][0]["status"]["name"], "Approved");
    let request = env.get(&format!("requests/{rid}"), None).await.ok();
    assert_eq!(request["request"]["approval_status"]["name"], "Approved");
    env.put(
        &format!("requests/{rid}/approval_levels/{lid}/approvals/{aid}/_reject"),
        json!({}),
    )
    .await
    .err(400, 4000);
}

#[tokio::test]
async fn attachments_upload_download_delete() {
    let env = Env::new().await;
    let rid = new_request(&env).await;
    let form = reqwest::multipart::Form::new().part(
        "input_file",
        reqwest::multipart::Part::bytes(b"hello world".to_vec())
            .file_name("hello.txt")
            .mime_str("text/plain")
            .unwrap(),
    );
    let response = env
        .http
        .put(env.url(&format!("requests/{rid}/upload")))
        .header("Accept", ACCEPT)
        .header("Authorization", format!("Zoho-oauthtoken {}", env.token))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let uploaded = answer(response).await.ok();
    let attachment = uploaded["attachments"][0].clone();
    assert_eq!(attachment["name"], "hello.txt");
    assert_eq!(attachment["size"]["value"], 11);
    let aid = id(&attachment);
    let list = env
        .get(&format!("requests/{rid}/attachments"), None)
        .await
        .ok();
    assert_eq!(list["attachments"].as_array().unwrap().len(), 1);
    assert_eq!(
        env.get(&format!("requests/{rid}"), None).await.ok()["request"]["has_attachments"],
        true
    );
    for suffix in ["download", "_download"] {
        let raw = env
            .http
            .get(env.url(&format!("requests/{rid}/attachments/{aid}/{suffix}")))
            .header("Accept", ACCEPT)
            .header("Authorization", format!("Zoho-oauthtoken {}", env.token))
            .send()
            .await
            .unwrap();
        assert_eq!(raw.status().as_u16(), 200);
        assert_eq!(raw.headers()["content-type"], "text/plain");
        assert_eq!(raw.bytes().await.unwrap().as_ref(), b"hello world");
    }
    env.delete(&format!("requests/{rid}/attachments/{aid}"))
        .await
        .ok();
    let request = env.get(&format!("requests/{rid}"), None).await.ok();
    assert_eq!(request["request"]["has_attachments"], false);
    assert!(
        request["request"]["attachments"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    env.put(&format!("requests/{rid}/upload"), json!({}))
        .await
        .err(400, 4012);
}
