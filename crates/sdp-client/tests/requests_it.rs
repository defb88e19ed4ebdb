#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Requests against the simulator: paging, every search condition, the
//! request lifecycle, notes, worklogs, tasks, and SDP's error answers.

mod support;

use std::collections::BTreeSet;

use futures::StreamExt;
use sdp_client::{
    Condition, Criterion, ListInfo, LookupRef, NewRequest, NoteInput, Request, RequestUpdate,
    SdpClient, SearchCriteria, SortOrder, TaskInput, TimeSpent, UserRef, WorklogInput,
};
use support::*;

fn ids(items: &[Request]) -> BTreeSet<String> {
    items.iter().filter_map(|r| r.id.clone()).collect()
}

async fn all_requests(client: &SdpClient) -> Vec<Request> {
    client
        .requests()
        .list_all(&ListInfo::new().row_count(100), 10_000)
        .await
        .unwrap()
}

#[tokio::test]
async fn paging_walks_has_more_rows_across_pages() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let (client, _) = client_for(&sim, &alice);

    let first = client
        .requests()
        .list(&ListInfo::new().row_count(10).get_total_count(true))
        .await
        .unwrap();
    assert_eq!(first.items.len(), 10);
    assert!(first.has_more());
    let total = first.total_count().unwrap();
    assert!(total > 30, "{total}");

    // Four pages of 10 through the stream.
    let collection = client.requests().collection();
    let mut pages = collection.pages(ListInfo::new().row_count(10));
    let mut seen = BTreeSet::new();
    let mut count = 0;
    while let Some(page) = pages.next().await {
        let page = page.unwrap();
        seen.extend(ids(&page.items));
        count += 1;
        if count == 4 {
            break;
        }
    }
    assert_eq!(seen.len(), 40);

    // Everything, through list_all, in pages of 25.
    let everything = client
        .requests()
        .list_all(&ListInfo::new().row_count(25), 10_000)
        .await
        .unwrap();
    assert_eq!(everything.len() as u64, total);
    assert_eq!(ids(&everything).len() as u64, total);

    // A cap stops early.
    let capped = client
        .requests()
        .list_all(&ListInfo::new().row_count(25), 60)
        .await
        .unwrap();
    assert_eq!(capped.len(), 60);
}

#[tokio::test]
async fn every_search_condition_filters() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let (client, _) = client_for(&sim, &alice);
    let all = all_requests(&client).await;
    assert!(all.len() > 20);

    let status_of = |r: &Request| {
        r.status
            .as_ref()
            .and_then(|s| s.name.clone())
            .unwrap_or_default()
    };
    let subject_of = |r: &Request| r.subject.clone().unwrap_or_default().to_lowercase();
    let created_of = |r: &Request| {
        r.created_time
            .as_ref()
            .and_then(sdp_client::SdpDateTime::epoch_ms)
            .unwrap()
    };

    let status = status_of(&all[0]);
    let mut times: Vec<i64> = all.iter().map(created_of).collect();
    times.sort_unstable();
    let low = times[times.len() / 4];
    let mid = times[times.len() / 2];
    let high = times[3 * times.len() / 4];
    let words: Vec<String> = subject_of(&all[0])
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let first_word = words.first().unwrap().clone();
    let last_word = words.last().unwrap().clone();
    let middle = words[words.len() / 2].clone();

    type Predicate<'a> = Box<dyn Fn(&Request) -> bool + 'a>;
    let cases: Vec<(Criterion, Predicate)> = vec![
        (
            Criterion::is("status.name", status.clone()),
            Box::new(|r| status_of(r).eq_ignore_ascii_case(&status)),
        ),
        (
            Criterion::is_not("status.name", status.clone()),
            Box::new(|r| !status_of(r).eq_ignore_ascii_case(&status)),
        ),
        (
            Criterion::new("created_time", Condition::GreaterThan, mid.to_string()),
            Box::new(|r| created_of(r) > mid),
        ),
        (
            Criterion::new("created_time", Condition::GreaterOrEqual, mid.to_string()),
            Box::new(|r| created_of(r) >= mid),
        ),
        (
            Criterion::new("created_time", Condition::LesserThan, mid.to_string()),
            Box::new(|r| created_of(r) < mid),
        ),
        (
            Criterion::new("created_time", Condition::LesserOrEqual, mid.to_string()),
            Box::new(|r| created_of(r) <= mid),
        ),
        (
            Criterion::between("created_time", low.to_string(), high.to_string()),
            Box::new(|r| (low..=high).contains(&created_of(r))),
        ),
        (
            Criterion::with_values(
                "created_time",
                Condition::NotBetween,
                [low.to_string(), high.to_string()],
            ),
            Box::new(|r| !(low..=high).contains(&created_of(r))),
        ),
        (
            Criterion::new("subject", Condition::StartsWith, first_word.clone()),
            Box::new(|r| subject_of(r).starts_with(&first_word)),
        ),
        (
            Criterion::new("subject", Condition::EndsWith, last_word.clone()),
            Box::new(|r| subject_of(r).ends_with(&last_word)),
        ),
        (
            Criterion::contains("subject", middle.clone()),
            Box::new(|r| subject_of(r).contains(&middle)),
        ),
        (
            Criterion::new("subject", Condition::NotContains, middle.clone()),
            Box::new(|r| !subject_of(r).contains(&middle)),
        ),
    ];
    for (criterion, predicate) in cases {
        let label = format!("{} {}", criterion.field, criterion.condition);
        let found = client
            .requests()
            .list_all(
                &ListInfo::new().row_count(100).search_criteria(criterion),
                10_000,
            )
            .await
            .unwrap();
        let expected: BTreeSet<String> = all
            .iter()
            .filter(|r| predicate(r))
            .filter_map(|r| r.id.clone())
            .collect();
        assert!(!expected.is_empty(), "{label}: no data to test with");
        assert_eq!(ids(&found), expected, "{label}");
    }

    // Several values, AND/OR, nested children.
    let open_or_this: Vec<Request> = client
        .requests()
        .list_all(
            &ListInfo::new().row_count(100).search_criteria(
                SearchCriteria::new(Criterion::with_values(
                    "status.name",
                    Condition::Is,
                    [status.clone()],
                ))
                .and(
                    Criterion::new("created_time", Condition::GreaterOrEqual, mid.to_string())
                        .or_child(Criterion::new(
                            "created_time",
                            Condition::LesserThan,
                            low.to_string(),
                        )),
                ),
            ),
            10_000,
        )
        .await
        .unwrap();
    let expected: BTreeSet<String> = all
        .iter()
        .filter(|r| {
            status_of(r).eq_ignore_ascii_case(&status)
                && (created_of(r) >= mid || created_of(r) < low)
        })
        .filter_map(|r| r.id.clone())
        .collect();
    assert_eq!(ids(&open_or_this), expected);

    // Sorting.
    let sorted = client
        .requests()
        .list(
            &ListInfo::new()
                .row_count(20)
                .sort("created_time", SortOrder::Asc),
        )
        .await
        .unwrap();
    let sorted_times: Vec<i64> = sorted.items.iter().map(created_of).collect();
    assert!(sorted_times.windows(2).all(|w| w[0] <= w[1]));
}

#[tokio::test]
async fn request_lifecycle_create_get_update_close_delete() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let (client, _) = client_for(&sim, &alice);

    let mut new = NewRequest::new("Monitor flickers");
    new.description = Some("<p>Since Monday</p>".into());
    new.requester = Some(UserRef::email(alice.email.clone()));
    let created = client.requests().create(&new).await.unwrap();
    let id = created.id.clone().unwrap();
    assert_eq!(created.subject.as_deref(), Some("Monitor flickers"));

    let fetched = client.requests().get(&id).await.unwrap();
    assert_eq!(fetched.subject.as_deref(), Some("Monitor flickers"));

    let update = RequestUpdate {
        subject: Some("Monitor flickers (27\")".into()),
        ..RequestUpdate::default()
    };
    let updated = client.requests().update(&id, &update).await.unwrap();
    assert_eq!(updated.subject.as_deref(), Some("Monitor flickers (27\")"));

    let closure = sdp_client::ClosureInfo {
        requester_ack_resolution: Some(true),
        closure_comments: Some("Replaced the cable".into()),
        ..sdp_client::ClosureInfo::default()
    };
    client.requests().close(&id, &closure).await.unwrap();
    let closed = client.requests().get(&id).await.unwrap();
    assert_eq!(
        closed
            .status
            .as_ref()
            .and_then(|s| s.name.as_deref())
            .map(str::to_lowercase)
            .as_deref(),
        Some("closed")
    );

    client.requests().delete(&id).await.unwrap();
    let gone = client.requests().get(&id).await.unwrap_err();
    assert!(gone.is_not_found(), "{gone:?}");
}

#[tokio::test]
async fn notes_worklogs_and_tasks() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let (client, _) = client_for(&sim, &alice);
    let mut new = NewRequest::new("Laptop battery");
    new.requester = Some(UserRef::email(alice.email.clone()));
    let created = client.requests().create(&new).await.unwrap();
    let id = created.id.unwrap();
    let requests = client.requests();

    let note = requests
        .notes(&id)
        .create(&NoteInput::new("<p>Called the user</p>"))
        .await
        .unwrap();
    let note_id = note.id.clone().unwrap();
    let notes = requests.notes(&id).list(&ListInfo::new()).await.unwrap();
    assert!(
        notes
            .items
            .iter()
            .any(|n| n.id.as_deref() == Some(note_id.as_str()))
    );
    let edited = requests
        .notes(&id)
        .update(&note_id, &NoteInput::new("<p>Called twice</p>"))
        .await
        .unwrap();
    assert_eq!(edited.description.as_deref(), Some("<p>Called twice</p>"));
    requests.notes(&id).delete(&note_id).await.unwrap();

    let worklog = WorklogInput {
        description: Some("Replaced battery".into()),
        owner: Some(UserRef::email(alice.email.clone())),
        time_spent: Some(TimeSpent::new(1, 15)),
        ..WorklogInput::default()
    };
    let logged = requests.worklogs(&id).create(&worklog).await.unwrap();
    let spent = logged.time_spent.unwrap();
    assert_eq!(spent.value.as_deref(), Some("4500000"));
    let worklogs = requests.worklogs(&id).list(&ListInfo::new()).await.unwrap();
    assert_eq!(worklogs.items.len(), 1);

    let mut task = TaskInput::new("Order a battery");
    task.status = Some(LookupRef::name("Open"));
    let created_task = requests.tasks(&id).create(&task).await.unwrap();
    let task_id = created_task.id.clone().unwrap();
    assert_eq!(created_task.title.as_deref(), Some("Order a battery"));
    let fetched = requests.tasks(&id).get(&task_id).await.unwrap();
    assert_eq!(fetched.title.as_deref(), Some("Order a battery"));
    let tasks = requests.tasks(&id).list(&ListInfo::new()).await.unwrap();
    assert_eq!(tasks.items.len(), 1);
}

#[tokio::test]
async fn not_found_is_4007() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let (client, _) = client_for(&sim, &alice);
    let error = client.requests().get("999999999999999").await.unwrap_err();
    assert!(error.is_not_found(), "{error:?}");
    assert_eq!(error.status_code(), Some(4007));
    assert!(
        error.human_message().starts_with("Not found"),
        "{}",
        error.human_message()
    );
}

#[tokio::test]
async fn missing_mandatory_fields_are_named() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let (client, _) = client_for(&sim, &alice);
    let mut new = NewRequest::new("Strict incident");
    new.template = Some(LookupRef::name("Incident (strict)"));
    let error = client.requests().create(&new).await.unwrap_err();
    assert_eq!(error.status_code(), Some(4012), "{error:?}");
    let missing = error.api().unwrap().missing_fields();
    for field in ["category", "subcategory", "urgency", "impact"] {
        assert!(
            missing.iter().any(|m| m == field),
            "{field} not in {missing:?}"
        );
    }
    let text = error.human_message();
    assert!(
        text.starts_with("ServiceDesk Plus needs these fields for this template: "),
        "{text}"
    );
    for field in &missing {
        assert!(text.contains(field.as_str()), "{field} not named in {text}");
    }
    assert!(
        text.ends_with("Add them (see get_request_fields) and retry."),
        "{text}"
    );

    // The default template needs a requester.
    let error = client
        .requests()
        .create(&NewRequest::new("No requester"))
        .await
        .unwrap_err();
    assert_eq!(
        error.api().unwrap().missing_fields(),
        vec!["requester".to_owned()]
    );
}

#[tokio::test]
async fn invalid_lookup_value_names_the_field() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let (client, _) = client_for(&sim, &alice);
    let mut new = NewRequest::new("Bad priority");
    new.requester = Some(UserRef::email(alice.email.clone()));
    new.priority = Some(LookupRef::name("Cosmic"));
    let error = client.requests().create(&new).await.unwrap_err();
    assert_eq!(error.status_code(), Some(4001), "{error:?}");
    assert!(
        error.human_message().contains("priority"),
        "{}",
        error.human_message()
    );
}

#[tokio::test]
async fn assign_pickup_resolution_links_merge_trash() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let (client, _) = client_for(&sim, &alice);
    let requests = client.requests();
    let mut ids = Vec::new();
    for subject in ["VPN drops", "VPN drops again", "VPN still drops"] {
        let mut new = NewRequest::new(subject);
        new.requester = Some(UserRef::email(alice.email.clone()));
        ids.push(requests.create(&new).await.unwrap().id.unwrap());
    }

    requests.pickup(&ids[0]).await.unwrap();
    let picked = requests.get(&ids[0]).await.unwrap();
    assert_eq!(
        picked
            .technician
            .and_then(|t| t.email_id)
            .map(|e| e.to_lowercase()),
        Some(alice.email.to_lowercase())
    );

    let technicians = client.technicians().list(&ListInfo::new()).await.unwrap();
    let other = technicians
        .items
        .iter()
        .find(|t| {
            t.email_id
                .as_deref()
                .is_some_and(|e| !e.eq_ignore_ascii_case(&alice.email))
        })
        .unwrap();
    let assignment = sdp_client::Assignment {
        technician: Some(UserRef::email(other.email_id.clone().unwrap())),
        group: Some(LookupRef::name("Network")),
        ..sdp_client::Assignment::default()
    };
    requests.assign(&ids[0], &assignment).await.unwrap();
    let assigned = requests.get(&ids[0]).await.unwrap();
    assert_eq!(
        assigned.group.and_then(|g| g.name).as_deref(),
        Some("Network")
    );
    assert_eq!(
        assigned.technician.and_then(|t| t.email_id),
        other.email_id.clone()
    );

    requests
        .set_resolution(
            &ids[0],
            &sdp_client::Resolution::new("<p>Reinstalled the client</p>"),
        )
        .await
        .unwrap();
    let resolution = requests.resolution(&ids[0]).await.unwrap();
    assert_eq!(
        resolution.content.as_deref(),
        Some("<p>Reinstalled the client</p>")
    );

    let link = sdp_client::api::LinkRequest {
        linked_request_id: ids[1].clone(),
        comments: Some("same issue".into()),
    };
    requests.link(&ids[0], &[link]).await.unwrap();
    let links = requests.links(&ids[0]).await.unwrap();
    assert!(
        links
            .iter()
            .any(|l| l.linked_request.as_ref().and_then(|r| r.id.as_deref())
                == Some(ids[1].as_str())),
        "{links:?}"
    );
    requests.unlink(&ids[0], &[ids[1].as_str()]).await.unwrap();
    assert!(requests.links(&ids[0]).await.unwrap().is_empty());

    requests.merge(&ids[0], &[ids[2].as_str()]).await.unwrap();
    let merged = requests.get(&ids[2]).await.unwrap_err();
    assert!(merged.is_not_found(), "{merged:?}");

    requests.move_to_trash(&ids[1]).await.unwrap();
    requests.restore_from_trash(&ids[1]).await.unwrap();
    assert!(requests.get(&ids[1]).await.is_ok());
}

#[tokio::test]
async fn metainfo_and_lookups() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let (client, _) = client_for(&sim, &alice);
    let meta = client.requests().metainfo().await.unwrap();
    assert!(meta.fields.as_ref().unwrap().contains_key("subject"));
    let priorities = client
        .lookups()
        .list(sdp_client::Lookup::Priorities)
        .await
        .unwrap();
    assert!(!priorities.is_empty());
    let categories = client
        .lookups()
        .list(sdp_client::Lookup::Categories)
        .await
        .unwrap();
    let category_id = categories[0].id.clone().unwrap();
    let subcategories = client
        .lookups()
        .list(sdp_client::Lookup::Subcategories { category_id })
        .await
        .unwrap();
    assert!(!subcategories.is_empty());
    let portals = client.portals().await.unwrap();
    assert!(
        portals
            .iter()
            .any(|p| p.name.as_deref() == Some(alice.portal.as_str()))
    );
}
