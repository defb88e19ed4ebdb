#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Models: lookups as `{id}`/`{name}`, users by email/id/name, tolerance of
//! nulls, numbers-as-strings and unknown members.

use sdp_client::{
    Lookup, LookupRef, NewRequest, Note, Request, SdpDateTime, TimeSpent, UserRef, WorklogInput,
};
use serde_json::json;

#[test]
fn lookup_and_user_refs_serialise_to_one_member() {
    assert_eq!(
        serde_json::to_value(LookupRef::id("42")).unwrap(),
        json!({"id": "42"})
    );
    assert_eq!(
        serde_json::to_value(LookupRef::name("High")).unwrap(),
        json!({"name": "High"})
    );
    assert_eq!(LookupRef::guess("1000"), LookupRef::id("1000"));
    assert_eq!(LookupRef::guess("3 - High"), LookupRef::name("3 - High"));
    assert_eq!(
        serde_json::to_value(UserRef::email("a@b.c")).unwrap(),
        json!({"email_id": "a@b.c"})
    );
    assert_eq!(
        serde_json::to_value(UserRef::id("7")).unwrap(),
        json!({"id": "7"})
    );
    assert_eq!(
        serde_json::to_value(UserRef::name("Ann")).unwrap(),
        json!({"name": "Ann"})
    );
    assert_eq!(UserRef::guess("a@b.c"), UserRef::email("a@b.c"));
    assert_eq!(UserRef::guess("12"), UserRef::id("12"));
    assert_eq!(UserRef::guess("Ann Lee"), UserRef::name("Ann Lee"));
    // Reading back: id wins, numbers accepted.
    assert_eq!(
        serde_json::from_value::<LookupRef>(json!({"id": 5, "name": "x"})).unwrap(),
        LookupRef::id("5")
    );
    assert_eq!(
        serde_json::from_value::<UserRef>(json!({"email_id": "a@b.c"})).unwrap(),
        UserRef::email("a@b.c")
    );
}

#[test]
fn write_bodies_omit_unset_fields() {
    let mut request = NewRequest::new("Printer jam");
    request.requester = Some(UserRef::email("lincoln@zylker.com"));
    request.priority = Some(LookupRef::name("High"));
    request.due_by_time = Some(SdpDateTime::from_epoch_ms(1_478_772_840_000));
    request
        .extra
        .insert("udf_fields".into(), json!({"udf_pick_301": "Dell"}));
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({
            "subject": "Printer jam",
            "requester": {"email_id": "lincoln@zylker.com"},
            "priority": {"name": "High"},
            "due_by_time": {"value": "1478772840000"},
            "udf_fields": {"udf_pick_301": "Dell"}
        })
    );
    let worklog = WorklogInput {
        time_spent: Some(TimeSpent::new(1, 15)),
        owner: Some(UserRef::email("heather@zylker.com")),
        ..WorklogInput::default()
    };
    assert_eq!(
        serde_json::to_value(&worklog).unwrap(),
        json!({"time_spent": {"hours": 1, "minutes": 15}, "owner": {"email_id": "heather@zylker.com"}})
    );
}

#[test]
fn models_tolerate_nulls_odd_types_and_unknown_members() {
    let request: Request = serde_json::from_value(json!({
        "id": 100_000_000_000_045_017_u64,
        "subject": "VPN",
        "status": {"id": "1", "name": "Open", "color": "#0066ff"},
        "urgency": null,
        "is_overdue": "true",
        "has_notes": 1,
        "created_time": {"display_value": "Nov 10, 2016 11:44 AM", "value": 1_478_758_440_000_u64},
        "technician": "not an object",
        "udf_fields": {"udf_pick_301": "Laptop"},
        "brand_new_member": {"x": [1, 2]}
    }))
    .unwrap();
    assert_eq!(request.id.as_deref(), Some("100000000000045017"));
    assert_eq!(
        request.status.as_ref().and_then(|s| s.name.as_deref()),
        Some("Open")
    );
    assert_eq!(
        request.status.as_ref().unwrap().extra["color"],
        json!("#0066ff")
    );
    assert!(request.urgency.is_none());
    assert_eq!(request.is_overdue, Some(true));
    assert!(request.technician.is_none());
    assert_eq!(
        request
            .created_time
            .as_ref()
            .and_then(SdpDateTime::epoch_ms),
        Some(1_478_758_440_000)
    );
    assert_eq!(request.extra["brand_new_member"], json!({"x": [1, 2]}));
    // Nothing is lost on the way back out.
    let again = serde_json::to_value(&request).unwrap();
    assert_eq!(again["brand_new_member"], json!({"x": [1, 2]}));
    assert!(again.get("urgency").is_none());

    let note: Note = serde_json::from_value(
        json!({"id": "1", "description": "<p>x</p>", "show_to_requester": "false"}),
    )
    .unwrap();
    assert_eq!(note.show_to_requester, Some(false));
}

#[test]
fn lookup_names_parse() {
    assert_eq!(Lookup::from_name("priorities"), Some(Lookup::Priorities));
    assert_eq!(Lookup::from_name("Priority"), Some(Lookup::Priorities));
    assert_eq!(Lookup::from_name("status"), Some(Lookup::Statuses));
    assert_eq!(
        Lookup::from_name("request types"),
        Some(Lookup::RequestTypes)
    );
    assert_eq!(
        Lookup::from_name("support_group"),
        Some(Lookup::SupportGroups)
    );
    assert_eq!(Lookup::from_name("nope"), None);
    let sub = Lookup::Subcategories {
        category_id: "9".into(),
    };
    assert_eq!(sub.segments(), vec!["categories", "9", "subcategories"]);
    assert_eq!(sub.plural_key(), "subcategories");
}
