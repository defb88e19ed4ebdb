#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! list_info: paging, sort, fields_required, search_criteria, search_fields.

mod sdp_common;

use std::collections::HashSet;
use std::time::Duration;

use sdp_common::Env;
use sdp_sim::Simulator;
use serde_json::{Value, json};

#[tokio::test]
async fn pages_through_all_requests() {
    let env = Env::new().await;
    let mut seen = HashSet::new();
    let mut start = 1;
    let mut pages = 0;
    loop {
        let body = env
            .list(
                "requests",
                json!({"row_count": 60, "start_index": start, "get_total_count": true}),
            )
            .await
            .ok();
        let info = &body["list_info"];
        assert_eq!(info["total_count"], 200);
        assert_eq!(info["start_index"], start);
        assert_eq!(body["response_status"][0]["status_code"], 2000);
        for r in body["requests"].as_array().unwrap() {
            assert!(seen.insert(r["id"].as_str().unwrap().to_owned()));
        }
        pages += 1;
        if !info["has_more_rows"].as_bool().unwrap() {
            break;
        }
        start += 60;
    }
    assert_eq!(pages, 4);
    assert_eq!(seen.len(), 200);
    let no_total = env.list("requests", json!({})).await.ok();
    assert!(no_total["list_info"].get("total_count").is_none());
    assert_eq!(no_total["list_info"]["row_count"], 10);
    let page2 = env
        .list("requests", json!({"row_count": 50, "page": 2}))
        .await
        .ok();
    assert_eq!(page2["list_info"]["start_index"], 51);
    assert_eq!(page2["list_info"]["page"], 2);
}

#[tokio::test]
async fn row_count_over_100_is_rejected() {
    let env = Env::new().await;
    let message = env
        .list("requests", json!({"row_count": 101}))
        .await
        .err(400, 4001);
    assert_eq!(message["field"], "row_count");
    env.list("requests", json!({"row_count": 100})).await.ok();
}

#[tokio::test]
async fn sorts_and_projects() {
    let env = Env::new().await;
    let body = env
        .list("requests", json!({"row_count": 100, "sort_field": "subject", "sort_order": "asc", "fields_required": ["subject"]}))
        .await
        .ok();
    let subjects: Vec<String> = body["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["subject"].as_str().unwrap().to_lowercase())
        .collect();
    let mut sorted = subjects.clone();
    sorted.sort();
    assert_eq!(subjects, sorted);
    let first = body["requests"][0].as_object().unwrap();
    let keys: HashSet<&str> = first.keys().map(String::as_str).collect();
    assert_eq!(keys, HashSet::from(["id", "subject"]));
    let by_time = env
        .list(
            "requests",
            json!({"row_count": 100, "sort_field": "created_time", "sort_order": "asc"}),
        )
        .await
        .ok();
    let times: Vec<i64> = by_time["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["created_time"]["value"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    let by_status = env
        .list(
            "requests",
            json!({"row_count": 100, "sort_field": "status", "sort_order": "desc"}),
        )
        .await
        .ok();
    let names: Vec<String> = by_status["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"]["name"].as_str().unwrap().to_lowercase())
        .collect();
    assert!(names.windows(2).all(|w| w[0] >= w[1]));
    let message = env
        .list("requests", json!({"sort_order": "up"}))
        .await
        .err(400, 4001);
    assert_eq!(message["field"], "sort_order");
}

/// Five requests with known values on an otherwise empty portal.
async fn fixture() -> (Env, Vec<Value>) {
    let env = Env::with(Simulator::builder().requests_per_portal(0)).await;
    let tech = json!({"email_id": env.user.email});
    let specs = [
        json!({"subject": "Alpha VPN down", "priority": {"name": "High"}, "technician": tech, "due_by_time": {"value": "1700000000000"}, "udf_fields": {"udf_pick_301": "Laptop", "udf_long_303": 5}}),
        json!({"subject": "Beta printer jam", "priority": {"name": "Low"}, "status": {"name": "On Hold"}, "due_by_time": {"value": "1700000100000"}, "udf_fields": {"udf_pick_301": "Printer", "udf_long_303": 10}}),
        json!({"subject": "Gamma VPN slow", "priority": {"name": "Medium"}, "technician": tech, "due_by_time": {"value": 1_700_000_200_000_i64}}),
        json!({"subject": "Delta email", "priority": {"name": "Urgent"}, "due_by_time": {"value": "1700000300000"}}),
        json!({"subject": "Epsilon laptop", "priority": {"name": "High"}, "technician": tech}),
    ];
    let mut created = Vec::new();
    for mut spec in specs {
        spec["requester"] = json!({"email_id": env.user.email});
        env.sim.state().clock.advance(Duration::from_secs(1));
        created.push(env.post("requests", json!({"request": spec})).await.ok()["request"].clone());
    }
    (env, created)
}

async fn search(env: &Env, criteria: &Value) -> Vec<String> {
    let body = env
        .list("requests", json!({"row_count": 100, "sort_field": "subject", "sort_order": "asc", "search_criteria": criteria}))
        .await
        .ok();
    body["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["subject"]
                .as_str()
                .unwrap()
                .split(' ')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect()
}

fn c(field: &str, condition: &str, value: Value) -> Value {
    let mut criterion = json!({"field": field, "condition": condition});
    criterion["value"] = value;
    criterion
}

#[tokio::test]
async fn every_condition_and_short_hand() {
    let (env, _) = fixture().await;
    for op in ["is", "=", "eq"] {
        assert_eq!(
            search(&env, &c("priority.name", op, json!("high"))).await,
            ["Alpha", "Epsilon"]
        );
    }
    for op in ["is not", "!=", "neq"] {
        assert_eq!(
            search(&env, &c("priority.name", op, json!("High"))).await,
            ["Beta", "Delta", "Gamma"]
        );
    }
    let due = "due_by_time";
    for op in ["greater than", "gt"] {
        assert_eq!(
            search(&env, &c(due, op, json!("1700000100000"))).await,
            ["Delta", "Gamma"]
        );
    }
    for op in ["greater or equal", "gte"] {
        assert_eq!(
            search(&env, &c(due, op, json!("1700000100000"))).await,
            ["Beta", "Delta", "Gamma"]
        );
    }
    for op in ["lesser than", "lt"] {
        assert_eq!(
            search(&env, &c(due, op, json!("1700000100000"))).await,
            ["Alpha"]
        );
    }
    for op in ["lesser or equal", "lte"] {
        assert_eq!(
            search(&env, &c(due, op, json!("1700000100000"))).await,
            ["Alpha", "Beta"]
        );
    }
    let between =
        json!({"field": due, "condition": "between", "values": ["1700000100000", "1700000200000"]});
    assert_eq!(search(&env, &between).await, ["Beta", "Gamma"]);
    let not_between = json!({"field": due, "condition": "not between", "values": ["1700000100000", "1700000200000"]});
    let outside = search(&env, &not_between).await;
    assert!(outside.contains(&"Alpha".to_owned()) && outside.contains(&"Delta".to_owned()));
    assert!(!outside.contains(&"Beta".to_owned()) && !outside.contains(&"Gamma".to_owned()));
    assert_eq!(
        search(&env, &c("subject", "starts with", json!("ALP"))).await,
        ["Alpha"]
    );
    assert_eq!(
        search(&env, &c("subject", "ends with", json!("slow"))).await,
        ["Gamma"]
    );
    assert_eq!(
        search(&env, &c("subject", "contains", json!("vpn"))).await,
        ["Alpha", "Gamma"]
    );
    assert_eq!(
        search(&env, &c("subject", "not contains", json!("vpn"))).await,
        ["Beta", "Delta", "Epsilon"]
    );
    let message = env
        .list(
            "requests",
            json!({"search_criteria": c("subject", "resembles", json!("x"))}),
        )
        .await
        .err(400, 4001);
    assert_eq!(message["field"], "condition");
}

#[tokio::test]
async fn values_lookup_objects_and_null() {
    let (env, created) = fixture().await;
    let any_of = json!({"field": "priority.name", "condition": "is", "values": ["Low", "Urgent"]});
    assert_eq!(search(&env, &any_of).await, ["Beta", "Delta"]);
    assert_eq!(
        search(&env, &c("priority", "is", json!({"name": "HIGH"}))).await,
        ["Alpha", "Epsilon"]
    );
    let high_id = created[0]["priority"]["id"].clone();
    assert_eq!(
        search(&env, &c("priority", "is", json!({"id": high_id}))).await,
        ["Alpha", "Epsilon"]
    );
    assert_eq!(
        search(&env, &c("technician", "is", Value::Null)).await,
        ["Beta", "Delta"]
    );
    assert_eq!(
        search(&env, &c("technician", "is not", Value::Null)).await,
        ["Alpha", "Epsilon", "Gamma"]
    );
    assert_eq!(
        search(
            &env,
            &c(
                "technician.email_id",
                "is",
                json!(env.user.email.to_uppercase())
            )
        )
        .await,
        ["Alpha", "Epsilon", "Gamma"]
    );
}

#[tokio::test]
async fn logical_operators_join_left_to_right_and_children_group() {
    let (env, _) = fixture().await;
    let or = json!([
        c("subject", "starts with", json!("alpha")),
        {"field": "subject", "condition": "starts with", "value": "beta", "logical_operator": "OR"},
    ]);
    assert_eq!(search(&env, &or).await, ["Alpha", "Beta"]);
    // (Low OR High) AND Laptop — left to right, not AND-first.
    let chain = json!([
        c("priority.name", "is", json!("Low")),
        {"field": "priority.name", "condition": "is", "value": "High", "logical_operator": "or"},
        {"field": "udf_fields.udf_pick_301", "condition": "is", "value": "laptop", "logical_operator": "AND"},
    ]);
    assert_eq!(search(&env, &chain).await, ["Alpha"]);
    // Printer OR (Open AND High)
    let nested = json!([
        c("udf_fields.udf_pick_301", "is", json!("Printer")),
        {"field": "status.name", "condition": "is", "value": "Open", "logical_operator": "OR",
         "children": [{"field": "priority.name", "condition": "is", "value": "High", "logical_operator": "AND"}]},
    ]);
    assert_eq!(search(&env, &nested).await, ["Alpha", "Beta", "Epsilon"]);
    let udf = c("udf_fields.udf_long_303", "gt", json!(5));
    assert_eq!(search(&env, &udf).await, ["Beta"]);
}

#[tokio::test]
async fn datetime_fields_compare_by_value() {
    let (env, created) = fixture().await;
    let beta_created = created[1]["created_time"]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        search(
            &env,
            &c("created_time", "greater than", json!(beta_created))
        )
        .await,
        ["Delta", "Epsilon", "Gamma"]
    );
    assert_eq!(
        search(&env, &c("created_time.value", "lte", json!(beta_created))).await,
        ["Alpha", "Beta"]
    );
}

#[tokio::test]
async fn search_fields_and_filter_by() {
    let (env, _) = fixture().await;
    let body = env
        .list(
            "requests",
            json!({"search_fields": {"subject": "vpn", "priority.name": "high"}}),
        )
        .await
        .ok();
    let subjects: Vec<&str> = body["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, ["Alpha VPN down"]);
    env.list(
        "requests",
        json!({"filter_by": {"name": "Open_System"}, "search_criteria": c("subject", "contains", json!("a"))}),
    )
    .await
    .err(400, 4000);
    let message = env
        .list(
            "requests",
            json!({"search_criteria": c("no_such_field", "is", json!("a"))}),
        )
        .await
        .err(400, 4001);
    assert_eq!(message["field"], "no_such_field");
}
