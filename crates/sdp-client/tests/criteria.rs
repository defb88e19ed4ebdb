#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `search_criteria` and `list_info` JSON (reference §4.4, §7 #13).

use sdp_client::{Condition, Criterion, ListInfo, SearchCriteria, SortOrder};
use serde_json::{Value, json};

fn check(criteria: &SearchCriteria, expected: &Value) {
    assert_eq!(&criteria.to_value(), expected);
}

#[test]
fn every_condition_has_its_wire_spelling() {
    let expected = [
        (Condition::Is, "is"),
        (Condition::IsNot, "is not"),
        (Condition::GreaterThan, "greater than"),
        (Condition::GreaterOrEqual, "greater or equal"),
        (Condition::LesserThan, "lesser than"),
        (Condition::LesserOrEqual, "lesser or equal"),
        (Condition::Between, "between"),
        (Condition::NotBetween, "not between"),
        (Condition::StartsWith, "starts with"),
        (Condition::EndsWith, "ends with"),
        (Condition::Contains, "contains"),
        (Condition::NotContains, "not contains"),
    ];
    assert_eq!(expected.len(), Condition::ALL.len());
    for (condition, text) in expected {
        check(
            &Criterion::new("subject", condition, "x").into(),
            &json!({"field": "subject", "condition": text, "value": "x"}),
        );
        assert_eq!(text.parse::<Condition>().unwrap(), condition);
        assert_eq!(text.to_uppercase().parse::<Condition>().unwrap(), condition);
        assert_eq!(
            serde_json::from_value::<Condition>(json!(text)).unwrap(),
            condition
        );
    }
}

#[test]
fn short_hands_parse() {
    let cases = [
        ("=", Condition::Is),
        ("eq", Condition::Is),
        ("!=", Condition::IsNot),
        ("neq", Condition::IsNot),
        ("gt", Condition::GreaterThan),
        ("gte", Condition::GreaterOrEqual),
        ("lt", Condition::LesserThan),
        ("lte", Condition::LesserOrEqual),
        ("not_between", Condition::NotBetween),
        ("starts_with", Condition::StartsWith),
        ("less than", Condition::LesserThan),
    ];
    for (text, condition) in cases {
        assert_eq!(text.parse::<Condition>().unwrap(), condition, "{text}");
    }
    assert!("roughly".parse::<Condition>().is_err());
}

#[test]
fn one_criterion_is_an_object_several_an_array() {
    check(
        &SearchCriteria::new(Criterion::is("status.name", "Open")),
        &json!({"field": "status.name", "condition": "is", "value": "Open"}),
    );
    check(
        &SearchCriteria::new(Criterion::is("status.name", "Open"))
            .and(Criterion::contains("subject", "vpn"))
            .or(Criterion::with_values(
                "priority.name",
                Condition::Is,
                ["High", "Urgent"],
            )),
        &json!([
            {"field": "status.name", "condition": "is", "value": "Open"},
            {"field": "subject", "condition": "contains", "value": "vpn", "logical_operator": "AND"},
            {"field": "priority.name", "condition": "is", "values": ["High", "Urgent"], "logical_operator": "OR"}
        ]),
    );
}

#[test]
fn between_null_lookup_values_and_children() {
    check(
        &Criterion::between("created_time", "1478758440000", "1478772840000").into(),
        &json!({"field": "created_time", "condition": "between", "values": ["1478758440000", "1478772840000"]}),
    );
    check(
        &Criterion::with_values("created_time", Condition::NotBetween, ["1", "2"]).into(),
        &json!({"field": "created_time", "condition": "not between", "values": ["1", "2"]}),
    );
    check(
        &Criterion::is_empty("technician").into(),
        &json!({"field": "technician", "condition": "is", "value": null}),
    );
    check(
        &Criterion::is_not_empty("technician").into(),
        &json!({"field": "technician", "condition": "is not", "value": null}),
    );
    check(
        &Criterion::is("status", json!({"name": "Open"})).into(),
        &json!({"field": "status", "condition": "is", "value": {"name": "Open"}}),
    );
    let nested = SearchCriteria::new(Criterion::with_values(
        "group.name",
        Condition::Is,
        ["Network", "Printer Problem"],
    ))
    .and(
        Criterion::is("status.name", "Open")
            .and_child(Criterion::new(
                "created_time",
                Condition::GreaterThan,
                "1488451440000",
            ))
            .or_child(Criterion::new(
                "due_by_time",
                Condition::LesserOrEqual,
                "1488451440000",
            )),
    );
    check(
        &nested,
        &json!([
            {"field": "group.name", "condition": "is", "values": ["Network", "Printer Problem"]},
            {"field": "status.name", "condition": "is", "value": "Open", "logical_operator": "AND",
             "children": [
                {"field": "created_time", "condition": "greater than", "value": "1488451440000", "logical_operator": "AND"},
                {"field": "due_by_time", "condition": "lesser or equal", "value": "1488451440000", "logical_operator": "OR"}
             ]}
        ]),
    );
}

#[test]
fn first_entry_never_carries_an_operator() {
    let criteria = SearchCriteria::default().or(Criterion::is("a", 1));
    check(
        &criteria,
        &json!({"field": "a", "condition": "is", "value": 1}),
    );
    assert_eq!(SearchCriteria::default().to_value(), Value::Null);
}

#[test]
fn list_info_serialises_every_member() {
    let list_info = ListInfo::new()
        .row_count(500)
        .start_index(0)
        .sort("created_time", SortOrder::Desc)
        .get_total_count(true)
        .search_criteria(Criterion::is("status.name", "Open"))
        .search_field("priority.name", "High")
        .fields_required(["subject", "status"]);
    assert_eq!(
        list_info.to_input_data(),
        json!({"list_info": {
            "row_count": 100,
            "start_index": 1,
            "sort_field": "created_time",
            "sort_order": "desc",
            "get_total_count": true,
            "search_criteria": {"field": "status.name", "condition": "is", "value": "Open"},
            "search_fields": {"priority.name": "High"},
            "fields_required": ["subject", "status"]
        }})
    );
    assert_eq!(ListInfo::new().row_count(0).rows_per_page(), Some(1));
    assert_eq!(ListInfo::new().to_value(), json!({}));
}
