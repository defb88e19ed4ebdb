#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The table-driven module toolsets (problems, changes, releases, projects,
//! assets, cmdb, solutions, contracts, purchase orders) plus requesters and
//! `list_lookup`, called over Streamable HTTP against the simulator: every
//! tool succeeds once and fails once, every argument set and every
//! `structuredContent` is checked against the tool's schemas.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use rmcp::model::Tool;
use sdp_mcp_server::config::ToolsConfig;
use sdp_mcp_server::tool_catalog;
use serde_json::{Value, json};
use support::harness::Harness;
use support::schema::check_input_schema;
use support::{TestServer, simulator};

/// The toolsets this file covers.
const TOOLSETS: [&str; 9] = [
    "problems",
    "changes",
    "releases",
    "projects",
    "assets",
    "cmdb",
    "solutions",
    "contracts",
    "purchase_orders",
];

/// The module tools' schemas are public contract, like the default tools'.
#[test]
fn module_tools_match_the_snapshot() {
    let toolsets = Some(TOOLSETS.iter().map(|t| (*t).to_owned()).collect());
    let tools = tool_catalog(&ToolsConfig {
        read_only: false,
        toolsets,
        ..ToolsConfig::default()
    })
    .unwrap();
    insta::assert_json_snapshot!("module_tools_list", tools);
}

#[test]
fn module_toolsets_are_off_by_default_and_users_lookups_stay_small() {
    let catalog = |names: &[&str]| {
        let toolsets = Some(names.iter().map(|n| (*n).to_owned()).collect());
        tool_catalog(&ToolsConfig {
            read_only: false,
            toolsets,
            ..ToolsConfig::default()
        })
        .unwrap()
    };
    let all = catalog(&["all"]);
    let default = tool_catalog(&ToolsConfig::default()).unwrap();
    let modules = catalog(&TOOLSETS);
    assert!(modules.len() >= 120, "{} module tools", modules.len());
    assert!(
        modules
            .iter()
            .all(|m| !default.iter().any(|d| d.name == m.name)),
        "module tools must not be in the default set"
    );
    assert!(
        all.len() >= default.len() + modules.len(),
        "{} tools in all",
        all.len()
    );
    assert!(catalog(&["users", "lookups"]).len() <= 10);
    // --read-only keeps only the reads of the module toolsets.
    let read_only = tool_catalog(&ToolsConfig {
        read_only: true,
        toolsets: Some(TOOLSETS.iter().map(|t| (*t).to_owned()).collect()),
        ..ToolsConfig::default()
    })
    .unwrap();
    let names: Vec<&str> = read_only.iter().map(|t| t.name.as_ref()).collect();
    assert!(names.contains(&"list_problems") && names.contains(&"search_solutions"));
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("list_") || n.starts_with("get_") || n.starts_with("search_")),
        "{names:?}"
    );
    // No tool name is declared by two toolsets (a router would keep one silently).
    let declared: usize = sdp_mcp_server::toolsets()
        .iter()
        .map(|t| catalog(&[t.name]).len())
        .sum();
    assert_eq!(declared, all.len(), "some tool name is declared twice");
}

/// One module's scenario: its names and the fields to create and update with.
struct Case {
    noun: &'static str,
    nouns: &'static str,
    create: Value,
    update: Value,
}

#[tokio::test]
async fn every_module_tool_works_and_fails_cleanly() {
    let server = TestServer::builder()
        .toolsets(&["all"])
        .start(simulator().await)
        .await;
    let client = server.mcp_client().await;
    let listed = client.list_all_tools().await.unwrap();
    let tools: BTreeMap<String, Tool> = listed
        .into_iter()
        .map(|t| (t.name.to_string(), t))
        .collect();
    assert!(
        tools.len() >= 130,
        "only {} tools with --toolsets all",
        tools.len()
    );
    for tool in tools.values() {
        check_input_schema(tool);
    }
    let mut h = Harness {
        client,
        tools,
        succeeded: BTreeSet::new(),
        failed: BTreeSet::new(),
    };

    // Lookups and people the writes refer to.
    let tech_email = h
        .first("list_technicians", json!({"page_size": 1}), "email")
        .await;
    let product = h
        .first("list_products", json!({"page_size": 1}), "name")
        .await;
    let product_type = h
        .first("list_product_types", json!({"page_size": 1}), "name")
        .await;
    let ci_type = h
        .first("list_lookup", json!({"list": "ci_types"}), "name")
        .await;
    let vendor = h
        .first("list_lookup", json!({"list": "vendors"}), "name")
        .await;
    let topic = h
        .first("list_topics", json!({"page_size": 1}), "name")
        .await;
    let category = h
        .first("list_lookup", json!({"list": "categories"}), "name")
        .await;
    h.ok(
        "list_lookup",
        json!({"list": "subcategories", "category": category}),
    )
    .await;
    h.ok(
        "list_lookup",
        json!({"list": "change_stages", "query": "a"}),
    )
    .await;
    h.fails("list_lookup", json!({"list": "items"}), "category")
        .await;

    // Requesters (users toolset).
    let requester = h
        .first("list_requesters", json!({"page_size": 2}), "id")
        .await;
    h.ok("get_requester", json!({"requester_id": requester}))
        .await;
    h.fails(
        "get_requester",
        json!({"requester_id": "sam"}),
        "requester_id",
    )
    .await;
    h.fails(
        "list_requesters",
        json!({"page": "two"}),
        "invalid arguments",
    )
    .await;

    // Solutions: search.
    h.ok("search_solutions", json!({"query": "a", "page_size": 5}))
        .await;
    h.fails("search_solutions", json!({"query": " "}), "query")
        .await;

    let cases = [
        Case {
            noun: "problem",
            nouns: "problems",
            create: json!({"title": "Recurring VPN drops", "priority": "High",
                "root_cause": {"description": "Firmware bug"}}),
            update: json!({"title": "Recurring VPN drops (firmware)", "symptoms": "Tunnels drop hourly"}),
        },
        Case {
            noun: "change",
            nouns: "changes",
            create: json!({"title": "Upgrade core switch", "scheduled_start_time": "2026-02-01T22:00"}),
            update: json!({"description": "Maintenance window agreed", "back_out_plan": "Roll back"}),
        },
        Case {
            noun: "release",
            nouns: "releases",
            create: json!({"title": "Q1 desktop image"}),
            update: json!({"description": "Pilot group first"}),
        },
        Case {
            noun: "project",
            nouns: "projects",
            create: json!({"title": "Office move", "owner": tech_email}),
            update: json!({"percentage_completion": 10}),
        },
        Case {
            noun: "asset",
            nouns: "assets",
            create: json!({"name": "LAPTOP-TEST-42", "product": product}),
            update: json!({"serial_number": "5CD1234"}),
        },
        Case {
            noun: "workstation",
            nouns: "workstations",
            create: json!({"name": "WS-TEST-42", "os": "Windows 11"}),
            update: json!({"ip_address": "10.0.4.42"}),
        },
        Case {
            noun: "product",
            nouns: "products",
            create: json!({"name": "Test Dock 9000", "product_type": product_type}),
            update: json!({"manufacturer": "Acme"}),
        },
        Case {
            noun: "product_type",
            nouns: "product_types",
            create: json!({"name": "Test docking station"}),
            update: json!({"description": "Desk docks"}),
        },
        Case {
            noun: "ci",
            nouns: "cis",
            create: json!({"name": "db-test-01", "ci_type": ci_type}),
            update: json!({"criticality": "High"}),
        },
        Case {
            noun: "solution",
            nouns: "solutions",
            create: json!({"title": "Reset a VPN token", "topic": topic}),
            update: json!({"keywords": "vpn token"}),
        },
        Case {
            noun: "topic",
            nouns: "topics",
            create: json!({"name": "Test printing"}),
            update: json!({"description": "Printers and scanners"}),
        },
        Case {
            noun: "contract",
            nouns: "contracts",
            create: json!({"name": "Test ProSupport 2026", "vendor": vendor, "active_till": "2026-12-31"}),
            update: json!({"cost": 1200}),
        },
        Case {
            noun: "purchase_order",
            nouns: "purchase_orders",
            create: json!({"name": "Laptops Q1", "vendor": vendor}),
            update: json!({"description": "Ten laptops"}),
        },
    ];
    let mut other_ci = String::new();
    for case in &cases {
        let id_arg = format!("{}_id", case.noun);
        let (list, get) = (format!("list_{}", case.nouns), format!("get_{}", case.noun));
        h.ok(&list, json!({"page_size": 2})).await;
        h.ok(
            &list,
            json!({"query": "a", "page": 2, "page_size": 1, "fields": ["*"]}),
        )
        .await;
        h.fails(&list, json!({"colour": "red"}), "invalid arguments")
            .await;
        if h.tools[&list].input_schema["properties"]
            .get("created_after")
            .is_some()
        {
            let range = json!({"created_after": "2000-01-01", "created_before": "2100-01-01"});
            let since = h.ok(&list, range).await;
            assert!(
                !since["items"].as_array().unwrap().is_empty(),
                "{list}: {since}"
            );
            h.fails(
                &list,
                json!({"created_after": "31/01/2026"}),
                "created_after",
            )
            .await;
        }

        let create = format!("create_{}", case.noun);
        let created = h.ok(&create, json!({"fields": case.create})).await;
        let id = created["item"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{created}"))
            .to_owned();
        h.fails(
            &create,
            json!({"fields": {"description": "no title"}}),
            "needs",
        )
        .await;

        h.ok(&get, json!({ id_arg.clone(): id })).await;
        if case.noun == "project" {
            let owned = h.ok(&list, json!({"owner": tech_email})).await;
            let ids: Vec<&Value> = owned["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| &i["id"])
                .collect();
            assert!(ids.contains(&&json!(id)), "{owned}");
        }
        h.fails(&get, json!({ id_arg.clone(): "RE-1" }), &id_arg)
            .await;
        if case.noun == "ci" {
            other_ci = h.first(&list, json!({"page_size": 1}), "id").await;
        }

        let update = format!("update_{}", case.noun);
        h.ok(
            &update,
            json!({ id_arg.clone(): id, "fields": case.update }),
        )
        .await;
        h.fails(
            &update,
            json!({ id_arg.clone(): id, "fields": {"colour": "red"} }),
            "colour",
        )
        .await;

        sub_resources(&mut h, case, &id, &tech_email, &other_ci).await;
        actions(&mut h, case, &id).await;

        let delete = format!("delete_{}", case.noun);
        if h.has(&delete) {
            h.fails(
                &delete,
                json!({ id_arg.clone(): id, "confirm": false }),
                "confirm",
            )
            .await;
            h.ok(&delete, json!({ id_arg.clone(): id, "confirm": true }))
                .await;
        }
    }

    // Every tool of the module toolsets, requesters and list_lookup was
    // called with success and with an error.
    let config = ToolsConfig {
        read_only: false,
        toolsets: Some(TOOLSETS.iter().map(|t| (*t).to_owned()).collect()),
        ..ToolsConfig::default()
    };
    let mut mine: Vec<String> = tool_catalog(&config)
        .unwrap()
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    assert!(mine.len() >= 120, "only {} module tools", mine.len());
    mine.extend(["list_requesters", "get_requester", "list_lookup"].map(str::to_owned));
    // Attachment uploads/downloads/deletes, linked requests and milestone
    // tasks are exercised by tests/module_extras.rs.
    mine.retain(|n| {
        !(n.ends_with("_attachment") || n.ends_with("_requests") || n.contains("milestone_task"))
    });
    for name in &mine {
        assert!(h.succeeded.contains(name), "{name} never succeeded");
        assert!(h.failed.contains(name), "{name} never failed");
    }
}

async fn sub_resources(h: &mut Harness, case: &Case, id: &str, tech: &str, other_ci: &str) {
    let id_arg = format!("{}_id", case.noun);
    let subs: [(&str, &str, Value, Option<Value>); 9] = [
        (
            "note",
            "notes",
            json!({"description": "Looked at it"}),
            Some(json!({"description": "Edited"})),
        ),
        (
            "task",
            "tasks",
            json!({"title": "Check logs", "owner": tech}),
            Some(json!({"title": "Check all logs"})),
        ),
        (
            "worklog",
            "worklogs",
            json!({"description": "Analysis", "owner": tech, "start_time": "2026-01-05T09:00", "end_time": "2026-01-05T10:00"}),
            Some(json!({"description": "Longer analysis"})),
        ),
        (
            "approval_level",
            "approval_levels",
            json!({"name": "CAB", "approvers": [{"email_id": tech}]}),
            None,
        ),
        (
            "milestone",
            "milestones",
            json!({"title": "Pilot"}),
            Some(json!({"title": "Pilot done"})),
        ),
        (
            "member",
            "members",
            json!({"user": tech, "role": "Engineer"}),
            None,
        ),
        (
            "comment",
            "comments",
            json!({"content": "Kick-off Monday"}),
            Some(json!({"content": "Kick-off Tuesday"})),
        ),
        (
            "relationship",
            "relationships",
            json!({"relationship": "Depends On", "related_ci": {"id": other_ci}}),
            None,
        ),
        ("attachment", "attachments", json!({}), None),
    ];
    for (noun, nouns, add_fields, update_fields) in subs {
        let list = format!("list_{}_{}", case.noun, nouns);
        if !h.has(&list) {
            continue;
        }
        if noun == "attachment" {
            h.ok(&list, json!({ id_arg.clone(): id, "page_size": 5 }))
                .await;
            h.fails(&list, json!({ id_arg.clone(): "x" }), &id_arg)
                .await;
            continue;
        }
        let sub_arg = format!("{noun}_id");
        let add = format!("add_{}_{}", case.noun, noun);
        let added = h
            .ok(&add, json!({ id_arg.clone(): id, "fields": add_fields }))
            .await;
        let sub_id = added["item"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{add}: {added}"))
            .to_owned();
        if noun == "approval_level" {
            decide_change(h, id, &sub_id, tech).await;
        }
        h.fails(&add, json!({ id_arg.clone(): id, "fields": {} }), "empty")
            .await;
        let page = h.ok(&list, json!({ id_arg.clone(): id })).await;
        assert!(
            !page["items"].as_array().unwrap().is_empty(),
            "{list}: {page}"
        );
        h.fails(&list, json!({ id_arg.clone(): "x" }), &id_arg)
            .await;
        let update = format!("update_{}_{}", case.noun, noun);
        if let Some(fields) = update_fields {
            h.ok(
                &update,
                json!({ id_arg.clone(): id, sub_arg.clone(): sub_id, "fields": fields }),
            )
            .await;
            h.fails(
                &update,
                json!({ id_arg.clone(): id, sub_arg.clone(): "x", "fields": {"title": "t"} }),
                &sub_arg,
            )
            .await;
        } else {
            assert!(!h.has(&update), "{update} should not exist");
        }
        let delete = format!("delete_{}_{}", case.noun, noun);
        h.fails(
            &delete,
            json!({ id_arg.clone(): id, sub_arg.clone(): sub_id, "confirm": false }),
            "confirm",
        )
        .await;
        h.ok(
            &delete,
            json!({ id_arg.clone(): id, sub_arg.clone(): sub_id, "confirm": true }),
        )
        .await;
    }
}

/// Lists, approves and rejects the approvals of a change's approval levels.
async fn decide_change(h: &mut Harness, change: &str, level: &str, tech: &str) {
    let mut decisions = Vec::new();
    let second = h
        .ok(
            "add_change_approval_level",
            json!({"change_id": change, "fields": {"name": "Second", "approvers": [{"email_id": tech}]}}),
        )
        .await;
    let second = second["item"]["id"].as_str().unwrap().to_owned();
    for level in [level, second.as_str()] {
        let ids = json!({"change_id": change, "approval_level_id": level});
        let listed = h.ok("list_change_approvals", ids).await;
        let approval = listed["approvals"][0]["id"].as_str().unwrap().to_owned();
        decisions.push(json!({"change_id": change, "approval_level_id": level,
            "approval_id": approval, "comments": "CAB decision", "confirm": true}));
    }
    let approved = h.ok("approve_change", decisions[0].clone()).await;
    assert_eq!(approved["approvals"][0]["status"], "Approved", "{approved}");
    let rejected = h.ok("reject_change", decisions[1].clone()).await;
    assert_eq!(rejected["approvals"][0]["status"], "Rejected", "{rejected}");
    // Decided already: SDP refuses a second decision.
    h.fails("reject_change", decisions[0].clone(), "").await;
    h.fails(
        "approve_change",
        json!({"change_id": change}),
        "approval_level_id",
    )
    .await;
    let bad_level = json!({"change_id": change, "approval_level_id": "L1"});
    h.fails("list_change_approvals", bad_level, "approval_level_id")
        .await;
}

async fn actions(h: &mut Harness, case: &Case, id: &str) {
    let id_arg = format!("{}_id", case.noun);
    let trash = format!("trash_{}", case.noun);
    if h.has(&trash) {
        h.fails(
            &trash,
            json!({ id_arg.clone(): id, "confirm": false }),
            "confirm",
        )
        .await;
        h.ok(&trash, json!({ id_arg.clone(): id, "confirm": true }))
            .await;
        let restore = format!("restore_{}", case.noun);
        h.ok(&restore, json!({ id_arg.clone(): id })).await;
        h.fails(&restore, json!({ id_arg.clone(): "" }), &id_arg)
            .await;
    }
    let close = format!("close_{}", case.noun);
    if h.has(&close) {
        h.fails(
            &close,
            json!({ id_arg.clone(): id, "confirm": false }),
            "confirm",
        )
        .await;
        h.ok(
            &close,
            json!({ id_arg.clone(): id, "comments": "Done", "confirm": true }),
        )
        .await;
    }
}
