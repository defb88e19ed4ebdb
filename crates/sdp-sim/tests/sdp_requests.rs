#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Requests: CRUD, templates, field rules and request-only actions.

mod sdp_common;

use reqwest::Method;
use sdp_common::Env;
use serde_json::{Value, json};

async fn create(env: &Env, fields: Value) -> Value {
    let mut request = fields;
    if request.get("requester").is_none() {
        request["requester"] = json!({"email_id": env.user.email});
    }
    env.post("requests", json!({"request": request})).await.ok()["request"].clone()
}

fn id(entity: &Value) -> String {
    entity["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn create_get_update_close_delete_with_form_body() {
    let env = Env::new().await;
    let created = create(
        &env,
        json!({"subject": "Need an external monitor", "description": "<p>27 inch</p>",
               "category": {"name": "hardware"}, "subcategory": {"name": "Monitor"},
               "priority": {"name": "High"}, "udf_fields": {"udf_pick_301": "Desktop"}}),
    )
    .await;
    let rid = id(&created);
    assert!(rid.len() >= 15 && rid.parse::<u64>().is_ok());
    assert_eq!(created["status"]["name"], "Open");
    assert_eq!(created["template"]["name"], "Default Request");
    assert_eq!(created["display_id"], "201");
    assert_eq!(created["category"]["name"], "Hardware");
    assert!(created["created_time"]["value"].is_string());
    assert!(created["created_time"]["display_value"].is_string());
    assert_eq!(created["has_notes"], false);
    assert!(created["urgency"].is_null());

    let got = env.get(&format!("requests/{rid}"), None).await.ok();
    assert_eq!(got["request"]["subject"], "Need an external monitor");
    assert_eq!(got["response_status"]["status_code"], 2000);
    assert_eq!(got["response_status"]["status"], "success");

    let updated = env
        .put(&format!("requests/{rid}"), json!({"request": {"subject": "Need two monitors", "technician": {"email_id": env.user.email}}}))
        .await
        .ok();
    assert_eq!(updated["request"]["subject"], "Need two monitors");
    assert_eq!(updated["request"]["priority"]["name"], "High");
    assert!(updated["request"]["assigned_time"]["value"].is_string());
    let cleared = env
        .put(
            &format!("requests/{rid}"),
            json!({"request": {"technician": null}}),
        )
        .await
        .ok();
    assert!(cleared["request"]["technician"].is_null());

    let closed = env
        .put(
            &format!("requests/{rid}/_close"),
            json!({"request": {"closure_info": {"closure_code": {"name": "Success"}, "closure_comments": "Delivered", "requester_ack_resolution": true}}}),
        )
        .await
        .ok();
    assert_eq!(closed["request"]["status"]["name"], "Closed");
    assert!(closed["request"]["completed_time"]["value"].is_string());
    assert_eq!(
        closed["request"]["closure_info"]["closure_code"]["name"],
        "Success"
    );

    let deleted = env.delete(&format!("requests/{rid}")).await.ok();
    assert_eq!(
        deleted,
        json!({"response_status": {"status_code": 2000, "status": "success"}})
    );
    env.get(&format!("requests/{rid}"), None)
        .await
        .err(404, 4007);
}

#[tokio::test]
async fn input_data_in_query_string_of_post_and_put() {
    let env = Env::new().await;
    let input = json!({"request": {"subject": "Query string create", "requester": {"email_id": env.user.email}}});
    let created = env
        .call(
            Method::POST,
            &env.url("requests"),
            Some(&env.token),
            None,
            Some(&input),
        )
        .await
        .ok();
    let rid = id(&created["request"]);
    let update = json!({"request": {"subject": "Query string update"}});
    let updated = env
        .call(
            Method::PUT,
            &env.url(&format!("requests/{rid}")),
            Some(&env.token),
            None,
            Some(&update),
        )
        .await
        .ok();
    assert_eq!(updated["request"]["subject"], "Query string update");
    // form body on GET is tolerated
    let listed = env
        .call(
            Method::GET,
            &env.url("requests"),
            Some(&env.token),
            Some(&json!({"list_info": {"row_count": 2}})),
            None,
        )
        .await
        .ok();
    assert_eq!(listed["requests"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn mandatory_fields_are_reported_together() {
    let env = Env::new().await;
    let message = env
        .post("requests", json!({"request": {}}))
        .await
        .err(400, 4012);
    assert_eq!(message["fields"], json!(["subject", "requester"]));
    assert!(message["message"].as_str().unwrap().contains("subject"));
    let strict = env
        .post(
            "requests",
            json!({"request": {"subject": "x", "template": {"name": "Incident (strict)"}}}),
        )
        .await
        .err(400, 4012);
    assert_eq!(
        strict["fields"],
        json!([
            "mode",
            "request_type",
            "urgency",
            "level",
            "impact",
            "category",
            "subcategory"
        ])
    );
    let hardware = env
        .post("requests", json!({"request": {"subject": "x", "requester": {"email_id": env.user.email}, "template": {"name": "Hardware Request"}}}))
        .await
        .err(400, 4012);
    assert_eq!(
        hardware["fields"],
        json!(["category", "subcategory", "priority"])
    );
}

#[tokio::test]
async fn lookup_and_user_resolution() {
    let env = Env::new().await;
    let statuses = env.get("statuses", None).await.ok();
    let on_hold = statuses["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "On Hold")
        .unwrap()
        .clone();
    // id wins over name
    let r = create(
        &env,
        json!({"subject": "s", "status": {"id": on_hold["id"], "name": "Open"}}),
    )
    .await;
    assert_eq!(r["status"]["name"], "On Hold");
    let bad = env
        .post("requests", json!({"request": {"subject": "s", "requester": {"email_id": env.user.email}, "priority": {"name": "Whenever"}}}))
        .await
        .err(400, 4001);
    assert_eq!(bad["field"], "priority");
    let unknown_requester = env
        .post(
            "requests",
            json!({"request": {"subject": "s", "requester": {"email_id": "ghost@nowhere.test"}}}),
        )
        .await
        .err(400, 4001);
    assert_eq!(unknown_requester["field"], "requester");
    let by_name = create(
        &env,
        json!({"subject": "s", "requester": {"name": env.user.name.to_uppercase()}}),
    )
    .await;
    assert_eq!(by_name["requester"]["email_id"], env.user.email.as_str());
    let requesters = env.list("requesters", json!({"row_count": 1})).await.ok();
    let plain_user = requesters["requesters"][0]["email_id"].clone();
    let not_tech = env
        .post("requests", json!({"request": {"subject": "s", "requester": {"email_id": env.user.email}, "technician": {"email_id": plain_user}}}))
        .await
        .err(400, 4001);
    assert_eq!(not_tech["field"], "technician");
    let string_lookup = env
        .post("requests", json!({"request": {"subject": "s", "requester": {"email_id": env.user.email}, "status": "Open"}}))
        .await
        .err(400, 4021);
    assert_eq!(string_lookup["field"], "status");
}

#[tokio::test]
async fn category_rules_and_subject_length() {
    let env = Env::new().await;
    let wrong = env
        .post("requests", json!({"request": {"subject": "s", "requester": {"email_id": env.user.email}, "category": {"name": "Network"}, "subcategory": {"name": "Printer"}}}))
        .await
        .err(400, 4001);
    assert_eq!(wrong["field"], "subcategory");
    let implied = env
        .post("requests", json!({"request": {"subject": "s", "requester": {"email_id": env.user.email}, "category": {"name": "Network"}}}))
        .await
        .err(400, 4012);
    assert_eq!(implied["fields"], json!(["subcategory"]));
    create(
        &env,
        json!({"subject": "no subcategories here", "category": {"name": "General"}}),
    )
    .await;
    let long = "x".repeat(251);
    let too_long = env
        .post(
            "requests",
            json!({"request": {"subject": long, "requester": {"email_id": env.user.email}}}),
        )
        .await
        .err(400, 4001);
    assert_eq!(too_long["field"], "subject");
    create(&env, json!({"subject": "y".repeat(250)})).await;
}

#[tokio::test]
async fn field_rule_errors() {
    let env = Env::new().await;
    let r = create(&env, json!({"subject": "rules"})).await;
    let rid = id(&r);
    for field in ["id", "display_id", "created_time"] {
        let message = env
            .put(&format!("requests/{rid}"), json!({"request": {field: "1"}}))
            .await
            .err(400, 4014);
        assert_eq!(message["field"], field);
    }
    let mismatch = env
        .put(
            &format!("requests/{rid}"),
            json!({"request": {"is_fcr": "maybe"}}),
        )
        .await
        .err(400, 4021);
    assert_eq!(mismatch["field"], "is_fcr");
    let udf = env
        .put(
            &format!("requests/{rid}"),
            json!({"request": {"udf_fields": {"udf_long_303": "many"}}}),
        )
        .await
        .err(400, 4021);
    assert_eq!(udf["field"], "udf_fields.udf_long_303");
    let unknown_udf = env
        .put(
            &format!("requests/{rid}"),
            json!({"request": {"udf_fields": {"udf_nope": "x"}}}),
        )
        .await
        .err(400, 4000);
    assert_eq!(unknown_udf["field"], "udf_fields.udf_nope");
    env.put(&format!("requests/{rid}/close"), json!({}))
        .await
        .ok();
    let locked = env
        .put(
            &format!("requests/{rid}"),
            json!({"request": {"requester": {"email_id": env.user.email}}}),
        )
        .await
        .err(400, 4009);
    assert_eq!(locked["field"], "requester");
    let forbidden = env
        .post("requests", json!({"request": {"subject": "s", "requester": {"email_id": env.user.email}, "template": {"name": "Locked Priority Request"}, "priority": {"name": "High"}}}))
        .await
        .err(403, 4002);
    assert_eq!(forbidden["message"], "Cannot give value for priority");
    let bad_code = env
        .put(
            &format!("requests/{rid}/_close"),
            json!({"request": {"closure_info": {"closure_code": {"name": "Magic"}}}}),
        )
        .await
        .err(400, 4001);
    assert_eq!(bad_code["field"], "closure_code");
}

#[tokio::test]
async fn pickup_assign_resolution_summary_metainfo() {
    let env = Env::new().await;
    let r = create(&env, json!({"subject": "actions"})).await;
    let rid = id(&r);
    let picked = env
        .put(&format!("requests/{rid}/pickup"), json!({}))
        .await
        .ok();
    assert_eq!(
        picked["request"]["technician"]["email_id"],
        env.user.email.as_str()
    );
    let assigned = env
        .put(
            &format!("requests/{rid}/_assign"),
            json!({"request": {"group": {"name": "Network"}}}),
        )
        .await
        .ok();
    assert_eq!(assigned["request"]["group"]["name"], "Network");
    env.put(&format!("requests/{rid}/_assign"), json!({"request": {}}))
        .await
        .err(400, 4012);
    let empty = env
        .get(&format!("requests/{rid}/resolutions"), None)
        .await
        .ok();
    assert!(empty["resolution"]["content"].is_null());
    env.post(
        &format!("requests/{rid}/resolutions"),
        json!({"resolution": {"content": "<p>Rebooted</p>"}}),
    )
    .await
    .ok();
    let got = env
        .get(&format!("requests/{rid}/resolutions"), None)
        .await
        .ok();
    assert_eq!(got["resolution"]["content"], "<p>Rebooted</p>");
    assert_eq!(
        got["resolution"]["submitted_by"]["email_id"],
        env.user.email.as_str()
    );
    env.post(
        &format!("requests/{rid}/notes"),
        json!({"request_note": {"description": "n"}}),
    )
    .await
    .ok();
    let summary = env.get(&format!("requests/{rid}/summary"), None).await.ok();
    assert_eq!(summary["summary"]["notes_count"], 1);
    let conversations = env
        .get(&format!("requests/{rid}/conversations"), None)
        .await
        .ok();
    assert_eq!(conversations["conversations"].as_array().unwrap().len(), 1);
    let meta = env.get("requests/_metainfo", None).await.ok();
    let fields = &meta["metainfo"]["fields"];
    assert_eq!(fields["subject"]["max_length"], 250);
    assert_eq!(
        fields["udf_fields"]["fields"]["udf_long_303"]["type"],
        "integer"
    );
}

#[tokio::test]
async fn merge_makes_sources_404_naming_the_parent() {
    let env = Env::new().await;
    let parent = id(&create(&env, json!({"subject": "parent"})).await);
    let child = id(&create(&env, json!({"subject": "child"})).await);
    env.post(
        &format!("requests/{child}/notes"),
        json!({"note": {"description": "moved"}}),
    )
    .await
    .ok();
    let merged = env
        .put(
            &format!("requests/{parent}/merge_requests"),
            json!({"merge_requests": [{"id": child}]}),
        )
        .await
        .ok();
    assert_eq!(merged["response_status"]["status_code"], 2000);
    let gone = env
        .get(&format!("requests/{child}"), None)
        .await
        .err(404, 4007);
    assert!(gone["message"].as_str().unwrap().contains(&parent));
    let notes = env
        .get(&format!("requests/{parent}/notes"), None)
        .await
        .ok();
    assert_eq!(notes["notes"].as_array().unwrap().len(), 1);
    env.put(
        &format!("requests/{parent}/merge_requests"),
        json!({"merge_requests": [{"id": "1"}]}),
    )
    .await
    .err(400, 4001);
}

#[tokio::test]
async fn trash_and_restore() {
    let env = Env::new().await;
    let rid = id(&create(&env, json!({"subject": "Trash me please"})).await);
    let find = json!({"search_criteria": {"field": "subject", "condition": "is", "value": "Trash me please"}});
    assert_eq!(
        env.list("requests", find.clone()).await.ok()["requests"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    env.call(
        Method::DELETE,
        &env.url(&format!("requests/{rid}/move_to_trash")),
        Some(&env.token),
        None,
        None,
    )
    .await
    .ok();
    assert_eq!(
        env.list("requests", find.clone()).await.ok()["requests"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let trashed = env.get(&format!("requests/{rid}"), None).await.ok();
    assert_eq!(trashed["request"]["is_trashed"], true);
    env.put(&format!("requests/{rid}/restore_from_trash"), json!({}))
        .await
        .ok();
    assert_eq!(
        env.list("requests", find).await.ok()["requests"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    env.put(&format!("requests/{rid}/restore_from_trash"), json!({}))
        .await
        .err(400, 4000);
}

#[tokio::test]
async fn link_requests() {
    let env = Env::new().await;
    let a = id(&create(&env, json!({"subject": "a"})).await);
    let b = id(&create(&env, json!({"subject": "b"})).await);
    let linked = env
        .post(
            &format!("requests/{a}/link_requests"),
            json!({"link_requests": [{"linked_request": {"id": b}, "comments": "same outage"}, {"linked_request": {"id": "5"}}]}),
        )
        .await
        .ok();
    assert_eq!(linked["response_status"][0]["status_code"], 2000);
    assert_eq!(linked["response_status"][1]["status_code"], 4000);
    let from_b = env
        .get(&format!("requests/{b}/link_requests"), None)
        .await
        .ok();
    assert_eq!(
        from_b["link_requests"][0]["linked_request"]["id"],
        a.as_str()
    );
    assert_eq!(
        env.get(&format!("requests/{a}"), None).await.ok()["request"]["has_linked_requests"],
        true
    );
    let unlinked = env
        .call(
            Method::DELETE,
            &env.url(&format!("requests/{a}/link_requests")),
            Some(&env.token),
            Some(&json!({"link_requests": [{"linked_request": {"id": b}}]})),
            None,
        )
        .await
        .ok();
    assert_eq!(unlinked["response_status"][0]["status_code"], 2000);
    let after = env
        .get(&format!("requests/{a}/link_requests"), None)
        .await
        .ok();
    assert!(after["link_requests"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn seeded_data_is_realistic_and_portal_specific() {
    let env = Env::new().await;
    let body = env
        .list(
            "requests",
            json!({"row_count": 100, "get_total_count": true}),
        )
        .await
        .ok();
    let requests = body["requests"].as_array().unwrap();
    assert!(requests.iter().any(|r| r["has_notes"] == true));
    let statuses: std::collections::HashSet<&str> = requests
        .iter()
        .map(|r| r["status"]["name"].as_str().unwrap())
        .collect();
    assert!(statuses.len() >= 4, "{statuses:?}");
    let priorities = env.get("priorities", None).await.ok();
    let names: Vec<&str> = priorities["priorities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Low", "Medium", "High", "Urgent"]);
    let hr_user = env.sim.directory().users[1].clone();
    let hr_token = sdp_common::token_for(&env.sim, &hr_user, sdp_sim::directory::FULL_SCOPES);
    let url = format!("{}/api/v3/priorities", env.sim.portal_url(&hr_user.portal));
    let hr = env
        .call(Method::GET, &url, Some(&hr_token), None, None)
        .await
        .ok();
    let hr_names: Vec<&str> = hr["priorities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        hr_names,
        ["1 - Low", "2 - Medium", "3 - High", "4 - Urgent"]
    );
    // Deterministic: a second simulator with the same seed has the same data.
    let again = Env::new().await;
    let other = again
        .list(
            "requests",
            json!({"row_count": 100, "get_total_count": true}),
        )
        .await
        .ok();
    let first_ids: Vec<&Value> = requests.iter().map(|r| &r["subject"]).collect();
    let second_ids: Vec<&Value> = other["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["subject"])
        .collect();
    assert_eq!(first_ids, second_ids);
}
