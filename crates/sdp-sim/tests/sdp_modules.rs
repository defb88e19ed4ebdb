#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! One test per module beyond requests: list + get + create, and the
//! module-specific rules.

mod sdp_common;

use reqwest::Method;
use sdp_common::{Env, token_for};
use serde_json::{Value, json};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// Lists `path`, gets its first record, creates `body` and returns it.
async fn list_get_create(
    env: &Env,
    path: &str,
    plural: &str,
    singular: &str,
    body: Value,
) -> Value {
    let list = env.list(path, json!({"row_count": 5})).await.ok();
    let items = list[plural]
        .as_array()
        .unwrap_or_else(|| panic!("{path}: {list}"));
    assert!(!items.is_empty(), "{path} is seeded");
    let got = env
        .get(&format!("{path}/{}", id(&items[0])), None)
        .await
        .ok();
    assert_eq!(got[singular]["id"], items[0]["id"]);
    let mut input = serde_json::Map::new();
    input.insert(singular.to_owned(), body);
    env.post(path, Value::Object(input)).await.ok()[singular].clone()
}

#[tokio::test]
async fn problems() {
    let env = Env::new().await;
    env.post("problems", json!({"problem": {}}))
        .await
        .err(400, 4012);
    let p = list_get_create(&env, "problems", "problems", "problem", json!({"title": "Mail relay flapping again", "priority": {"name": "High"}, "reported_by": {"email_id": env.user.email}})).await;
    assert_eq!(p["status"]["name"], "Open");
    let closed = env
        .put(&format!("problems/{}/close", id(&p)), json!({}))
        .await
        .ok();
    assert_eq!(closed["problem"]["status"]["name"], "Closed");
    assert!(closed["problem"]["closed_time"]["value"].is_string());
    let note = env
        .post(
            &format!("problems/{}/notes", id(&p)),
            json!({"note": {"description": "rca"}}),
        )
        .await
        .ok();
    assert_eq!(note["note"]["description"], "rca");
    env.post(
        &format!("problems/{}/notes", id(&p)),
        json!({"note": {"description": "x", "show_to_requester": true}}),
    )
    .await
    .err(400, 4000);
}

#[tokio::test]
async fn changes() {
    let env = Env::new().await;
    let c = list_get_create(&env, "changes", "changes", "change", json!({"title": "Upgrade firewall", "change_type": {"name": "Standard"}, "change_owner": {"email_id": env.user.email}})).await;
    assert_eq!(c["stage"]["name"], "Submission");
    assert_eq!(c["status"]["name"], "Requested");
    let cid = id(&c);
    let missing = env
        .put(
            &format!("changes/{cid}"),
            json!({"change": {"status": {"name": "Approved"}}}),
        )
        .await
        .err(400, 4012);
    assert_eq!(missing["fields"], json!(["comment"]));
    let moved = env
        .put(&format!("changes/{cid}"), json!({"change": {"status": {"name": "Approved"}, "stage": {"name": "Planning"}, "comment": "CAB ok"}}))
        .await
        .ok();
    assert_eq!(moved["change"]["status"]["name"], "Approved");
    env.call(
        Method::DELETE,
        &env.url(&format!("changes/{cid}/move_to_trash")),
        Some(&env.token),
        None,
        None,
    )
    .await
    .ok();
    env.put(&format!("changes/{cid}/restore_from_trash"), json!({}))
        .await
        .ok();
    let level = env
        .post(
            &format!("changes/{cid}/approval_levels"),
            json!({"approval_level": {"approvers": [{"email_id": env.user.email}]}}),
        )
        .await
        .ok();
    assert_eq!(
        level["approval_level"]["approvals"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn releases_are_license_gated_on_hrdesk() {
    let env = Env::new().await;
    let r = list_get_create(
        &env,
        "releases",
        "releases",
        "release",
        json!({"title": "Desktop image Q4"}),
    )
    .await;
    assert_eq!(r["stage"]["name"], "Submission");
    let hr_user = env.sim.directory().users[1].clone();
    let hr_token = token_for(&env.sim, &hr_user, sdp_sim::directory::FULL_SCOPES);
    let url = format!("{}/api/v3/releases", env.sim.portal_url(&hr_user.portal));
    env.call(Method::GET, &url, Some(&hr_token), None, None)
        .await
        .err(400, 7001);
}

#[tokio::test]
async fn projects_with_milestones_tasks_members_comments() {
    let env = Env::new().await;
    let p = list_get_create(
        &env,
        "projects",
        "projects",
        "project",
        json!({"title": "Printer fleet refresh", "owner": {"email_id": env.user.email}}),
    )
    .await;
    let pid = id(&p);
    let m = env
        .post(
            &format!("projects/{pid}/milestones"),
            json!({"milestone": {"title": "Order printers"}}),
        )
        .await
        .ok();
    let mid = id(&m["milestone"]);
    env.post(
        &format!("projects/{pid}/milestones/{mid}/tasks"),
        json!({"task": {"title": "Get quotes"}}),
    )
    .await
    .ok();
    env.post(
        &format!("projects/{pid}/tasks"),
        json!({"task": {"title": "Kick-off"}}),
    )
    .await
    .ok();
    let member = env
        .post(
            &format!("projects/{pid}/members"),
            json!({"member": {"user": {"name": env.user.name}}}),
        )
        .await
        .ok();
    assert_eq!(
        member["member"]["user"]["email_id"],
        env.user.email.as_str()
    );
    env.post(
        &format!("projects/{pid}/comments"),
        json!({"comment": {"description": "wrong key"}}),
    )
    .await
    .err(400, 4000);
    env.post(
        &format!("projects/{pid}/comments"),
        json!({"comment": {"content": "Started"}}),
    )
    .await
    .ok();
    let comments = env
        .get(&format!("projects/{pid}/comments"), None)
        .await
        .ok();
    assert_eq!(comments["comments"].as_array().unwrap().len(), 1);
    let members = env.get(&format!("projects/{pid}/members"), None).await.ok();
    env.delete(&format!(
        "projects/{pid}/members/{}",
        id(&members["members"][0])
    ))
    .await
    .ok();
}

#[tokio::test]
async fn standalone_tasks() {
    let env = Env::new().await;
    let t = list_get_create(&env, "tasks", "tasks", "task", json!({"title": "Rotate keys", "scheduled_start_time": {"value": "1700000000000"}, "scheduled_end_time": {"value": "1700003600000"}})).await;
    env.post(
        &format!("tasks/{}/worklogs", id(&t)),
        json!({"worklog": {"time_spent": {"hours": 0, "minutes": 30}}}),
    )
    .await
    .ok();
    env.post("tasks", json!({"task": {"title": "bad", "scheduled_start_time": {"value": "1700003600000"}, "scheduled_end_time": {"value": "1700000000000"}}}))
        .await
        .err(400, 4016);
}

#[tokio::test]
async fn assets_products_workstations() {
    let env = Env::new().await;
    let missing = env
        .post("assets", json!({"asset": {}}))
        .await
        .err(400, 4012);
    assert_eq!(missing["fields"], json!(["name", "product"]));
    let a = list_get_create(&env, "assets", "assets", "asset", json!({"name": "LAPTOP-999", "product": {"name": "MacBook Pro 14"}, "state": {"name": "In Use"}, "user": {"email_id": env.user.email}})).await;
    assert_eq!(a["product_type"]["name"], "Laptop");
    let flat = env.post("assets", json!({"asset": {"name": "x", "product": {"name": "MacBook Pro 14"}, "asset_type": "Laptop"}})).await.err(400, 4000);
    assert_eq!(flat["field"], "asset_type");
    let dup = env
        .post(
            "assets",
            json!({"asset": {"name": "LAPTOP-999", "product": {"name": "iPhone 15"}}}),
        )
        .await
        .err(400, 4008);
    assert_eq!(dup["field"], "name");
    list_get_create(
        &env,
        "products",
        "products",
        "product",
        json!({"name": "Pixel 9", "product_type": {"name": "Mobile Device"}}),
    )
    .await;
    list_get_create(
        &env,
        "product_types",
        "product_types",
        "product_type",
        json!({"name": "Tablet"}),
    )
    .await;
    list_get_create(
        &env,
        "workstations",
        "workstations",
        "workstation",
        json!({"name": "WS-900", "os": "Windows 11"}),
    )
    .await;
}

#[tokio::test]
async fn cmdb_and_relationships() {
    let env = Env::new().await;
    let ci = list_get_create(
        &env,
        "cmdb",
        "cmdb",
        "ci",
        json!({"name": "web-01", "ci_type": {"name": "Server"}}),
    )
    .await;
    let list = env.list("cmdb", json!({"row_count": 1})).await.ok();
    let other = id(&list["cmdb"][0]);
    let rel = env
        .post(
            &format!("cmdb/{}/ci_relationships", id(&ci)),
            json!({"ci_relationship": {"relationship": "Depends On", "related_ci": {"id": other}}}),
        )
        .await
        .ok();
    assert_eq!(rel["ci_relationship"]["related_ci"]["id"], other.as_str());
    let rels = env
        .get(&format!("cmdb/{}/ci_relationships", id(&ci)), None)
        .await
        .ok();
    assert_eq!(rels["ci_relationships"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn solutions_need_trash_before_delete() {
    let env = Env::new().await;
    let missing = env
        .post("solutions", json!({"solution": {}}))
        .await
        .err(400, 4012);
    assert_eq!(missing["fields"], json!(["title", "topic"]));
    let s = list_get_create(
        &env,
        "solutions",
        "solutions",
        "solution",
        json!({"title": "Reset VPN", "topic": {"name": "Networking"}, "is_public": true}),
    )
    .await;
    let sid = id(&s);
    let not_in_trash = env.delete(&format!("solutions/{sid}")).await.err(400, 4000);
    assert_eq!(not_in_trash["message"], "Not in trash");
    env.call(
        Method::DELETE,
        &env.url(&format!("solutions/{sid}/_move_to_trash")),
        Some(&env.token),
        None,
        None,
    )
    .await
    .ok();
    env.delete(&format!("solutions/{sid}")).await.ok();
    env.get(&format!("solutions/{sid}"), None)
        .await
        .err(404, 4007);
    list_get_create(
        &env,
        "topics",
        "topics",
        "topic",
        json!({"name": "Printing"}),
    )
    .await;
}

#[tokio::test]
async fn contracts_and_purchase_orders() {
    let env = Env::new().await;
    list_get_create(
        &env,
        "contracts",
        "contracts",
        "contract",
        json!({"name": "Printer maintenance", "vendor": {"name": "HP"}, "cost": 1200}),
    )
    .await;
    let po = list_get_create(
        &env,
        "purchase_orders",
        "purchase_orders",
        "purchase_order",
        json!({"name": "Monitors", "vendor": {"name": "Dell"}, "total_price": "3400.50"}),
    )
    .await;
    assert_eq!(po["total_price"], 3400.5);
    env.post(
        "contracts",
        json!({"contract": {"name": "x", "cost": "cheap"}}),
    )
    .await
    .err(400, 4021);
}

#[tokio::test]
async fn users_requesters_technicians() {
    let env = Env::new().await;
    let users = env.list("users", json!({"row_count": 100})).await.ok();
    let all = users["users"].as_array().unwrap();
    assert!(
        all.iter().any(|u| u["is_technician"] == true)
            && all.iter().any(|u| u["is_technician"] == false)
    );
    let techs = env
        .list("technicians", json!({"row_count": 100}))
        .await
        .ok();
    assert!(
        techs["technicians"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["is_technician"] == true)
    );
    assert!(
        techs["technicians"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["email_id"] == env.user.email.as_str())
    );
    let requester = list_get_create(
        &env,
        "requesters",
        "requesters",
        "requester",
        json!({"name": "Nova Quinn", "email_id": "nova.quinn@zylker-corp.com"}),
    )
    .await;
    assert_eq!(requester["is_technician"], false);
    let dup = env
        .post(
            "requesters",
            json!({"requester": {"name": "Nova Again", "email_id": "NOVA.QUINN@zylker-corp.com"}}),
        )
        .await
        .err(400, 4008);
    assert_eq!(dup["field"], "email_id");
    env.get(&format!("technicians/{}", id(&requester)), None)
        .await
        .err(404, 4007);
    let tech = list_get_create(
        &env,
        "technicians",
        "technicians",
        "technician",
        json!({"name": "Ada Byte", "email_id": "ada.byte@zylker.com"}),
    )
    .await;
    assert_eq!(tech["is_technician"], true);
    let by_user = env.get(&format!("users/{}", id(&tech)), None).await.ok();
    assert_eq!(by_user["user"]["is_technician"], true);
    // the new technician can be assigned
    env.post("requests", json!({"request": {"subject": "s", "requester": {"id": id(&requester)}, "technician": {"email_id": "ada.byte@zylker.com"}}}))
        .await
        .ok();
    // a requester cannot be a technician
    let not_tech = env
        .post("requests", json!({"request": {"subject": "s", "requester": {"id": id(&requester)}, "technician": {"id": id(&requester)}}}))
        .await
        .err(400, 4001);
    assert_eq!(not_tech["field"], "technician");
    // users in use cannot be deleted
    env.delete(&format!("requesters/{}", id(&requester)))
        .await
        .err(400, 4005);
}

#[tokio::test]
async fn lookups_and_category_tree() {
    let env = Env::new().await;
    for (path, key) in [
        ("statuses", "statuses"),
        ("priorities", "priorities"),
        ("urgencies", "urgencies"),
        ("impacts", "impacts"),
        ("levels", "levels"),
        ("modes", "modes"),
        ("request_types", "request_types"),
        ("groups", "groups"),
        ("support_groups", "support_groups"),
        ("sites", "sites"),
        ("departments", "departments"),
        ("closure_codes", "closure_codes"),
        ("change_types", "change_types"),
        ("announcements", "announcements"),
        ("service_categories", "service_categories"),
        ("subcategories", "subcategories"),
        ("items", "items"),
    ] {
        let body = env.list(path, json!({"row_count": 100})).await.ok();
        assert!(
            !body[key]
                .as_array()
                .unwrap_or_else(|| panic!("{path}: {body}"))
                .is_empty(),
            "{path}"
        );
    }
    let categories = env.list("categories", json!({"row_count": 100})).await.ok();
    let hardware = categories["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Hardware")
        .unwrap()
        .clone();
    let subs = env
        .get(&format!("categories/{}/subcategories", id(&hardware)), None)
        .await
        .ok();
    let subs = subs["subcategories"].as_array().unwrap();
    assert!(subs.iter().all(|s| s["category"]["name"] == "Hardware"));
    let laptop = subs.iter().find(|s| s["name"] == "Laptop").unwrap();
    let items = env
        .get(&format!("subcategories/{}/items", id(laptop)), None)
        .await
        .ok();
    let names: Vec<&str> = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Battery", "Keyboard", "Screen"]);
    let created = env
        .post(
            &format!("categories/{}/subcategories", id(&hardware)),
            json!({"subcategory": {"name": "Docking Station"}}),
        )
        .await
        .ok();
    assert_eq!(created["subcategory"]["category"]["name"], "Hardware");
    let templates = env.list("request_templates", json!({})).await.ok();
    let strict = templates["request_templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Incident (strict)")
        .unwrap()
        .clone();
    let one = env
        .get(&format!("request_templates/{}", id(&strict)), None)
        .await
        .ok();
    assert!(
        one["request_template"]["mandatory_fields"]
            .as_array()
            .unwrap()
            .contains(&json!("urgency"))
    );
    let dup = env
        .post("statuses", json!({"status": {"name": "open"}}))
        .await
        .err(400, 4008);
    assert_eq!(dup["field"], "name");
    let open = env
        .list("statuses", json!({"search_fields": {"name": "Open"}}))
        .await
        .ok();
    env.delete(&format!("statuses/{}", id(&open["statuses"][0])))
        .await
        .err(400, 4005);
    let fresh = env
        .post(
            "statuses",
            json!({"status": {"name": "Waiting for Vendor", "color": "#123456"}}),
        )
        .await
        .ok();
    env.delete(&format!("statuses/{}", id(&fresh["status"])))
        .await
        .ok();
}
