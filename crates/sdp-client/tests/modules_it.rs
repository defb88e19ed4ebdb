#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The other modules against the simulator: generic CRUD, sub-resources,
//! approvals and attachments.

mod support;

use bytes::Bytes;
use sdp_client::{
    ApprovalInput, ApprovalLevelInput, ChangeInput, Criterion, FileUpload, ListInfo, LookupRef,
    NewRequest, NoteInput, Problem, ProblemInput, SdpClient, TaskInput, UserRef,
};
use support::*;

async fn new_request(client: &SdpClient, email: &str, subject: &str) -> String {
    let mut new = NewRequest::new(subject);
    new.requester = Some(UserRef::email(email));
    client.requests().create(&new).await.unwrap().id.unwrap()
}

#[tokio::test]
async fn every_module_lists_and_gets() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let (client, _) = client_for(&sim, &alice);
    let li = ListInfo::new().row_count(5);

    macro_rules! list_and_get {
        ($api:expr) => {{
            let page = $api.list(&li).await.unwrap();
            assert!(!page.items.is_empty(), "{}", stringify!($api));
            let id = page.items[0].id.clone().unwrap();
            let one = $api.get(&id).await.unwrap();
            assert_eq!(one.id.as_deref(), Some(id.as_str()));
        }};
    }
    list_and_get!(client.problems());
    list_and_get!(client.changes());
    list_and_get!(client.releases());
    list_and_get!(client.projects());
    list_and_get!(client.tasks());
    list_and_get!(client.assets());
    list_and_get!(client.solutions());
    list_and_get!(client.topics());
    list_and_get!(client.contracts());
    list_and_get!(client.purchase_orders());
    list_and_get!(client.users());
    list_and_get!(client.technicians());
    list_and_get!(client.requesters());

    let cis = client.cmdb().list(None, &li).await.unwrap();
    assert!(!cis.items.is_empty());
    let ci_id = cis.items[0].id.clone().unwrap();
    let ci = client.cmdb().get(None, &ci_id).await.unwrap();
    assert_eq!(ci.id.as_deref(), Some(ci_id.as_str()));

    // The generic entry points reach the same data.
    let generic = client.list::<Problem>(&li).await.unwrap();
    assert_eq!(generic.items.len(), 5);
}

#[tokio::test]
async fn problem_and_change_crud_with_notes_and_tasks() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let (client, _) = client_for(&sim, &alice);

    let problem = client
        .problems()
        .create(&ProblemInput {
            title: Some("Mail relay flapping".into()),
            priority: Some(LookupRef::name("High")),
            ..ProblemInput::default()
        })
        .await
        .unwrap();
    let id = problem.id.clone().unwrap();
    let updated = client
        .problems()
        .update(
            &id,
            &ProblemInput {
                title: Some("Mail relay flaps hourly".into()),
                ..ProblemInput::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.title.as_deref(), Some("Mail relay flaps hourly"));
    let note = client
        .problems()
        .notes(&id)
        .create(&NoteInput::new("root cause suspected"))
        .await
        .unwrap();
    assert!(note.id.is_some());
    client
        .problems()
        .tasks(&id)
        .create(&TaskInput::new("Check relay logs"))
        .await
        .unwrap();
    assert_eq!(
        client
            .problems()
            .tasks(&id)
            .list(&ListInfo::new())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    let found = client
        .problems()
        .list(&ListInfo::new().search_criteria(Criterion::is("title", "Mail relay flaps hourly")))
        .await
        .unwrap();
    assert_eq!(found.items.len(), 1);
    client.problems().delete(&id).await.unwrap();
    assert!(client.problems().get(&id).await.unwrap_err().is_not_found());

    let change = client
        .changes()
        .create(&ChangeInput {
            title: Some("Firewall upgrade".into()),
            ..ChangeInput::default()
        })
        .await
        .unwrap();
    let change_id = change.id.unwrap();
    let fetched = client.changes().get(&change_id).await.unwrap();
    assert_eq!(fetched.title.as_deref(), Some("Firewall upgrade"));
    client
        .changes()
        .worklogs(&change_id)
        .list(&ListInfo::new())
        .await
        .unwrap();
}

#[tokio::test]
async fn approvals_levels_and_decisions() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let (client, _) = client_for(&sim, &alice);
    let id = new_request(&client, &alice.email, "Need admin rights").await;
    let requests = client.requests();

    let level = requests
        .approval_levels(&id)
        .create(&ApprovalLevelInput {
            approvals: Some(vec![ApprovalInput {
                approver: Some(UserRef::email(alice.email.clone())),
                ..ApprovalInput::default()
            }]),
            ..ApprovalLevelInput::default()
        })
        .await
        .unwrap();
    let level_id = level.id.unwrap();
    let levels = requests
        .approval_levels(&id)
        .list(&ListInfo::new())
        .await
        .unwrap();
    assert_eq!(levels.items.len(), 1);

    let approvals = requests.approvals(&id, &level_id);
    let list = approvals.list().await.unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    let approval_id = list[0].id.clone().unwrap();
    // SDP refuses a decision before the notification is sent.
    approvals
        .send_notification(&[approval_id.as_str()])
        .await
        .unwrap();
    approvals.approve(&approval_id, Some("fine")).await.unwrap();
    let after = approvals.list().await.unwrap();
    let status = after[0]
        .status
        .as_ref()
        .and_then(|s| s.name.clone())
        .unwrap_or_default();
    assert!(status.to_lowercase().contains("approved"), "{status}");
}

#[tokio::test]
async fn attachments_upload_list_download_delete() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let (client, _) = client_for(&sim, &alice);
    let id = new_request(&client, &alice.email, "Screenshot attached").await;
    let attachments = client.requests().attachments(&id);

    let content = Bytes::from_static(b"\x89PNG fake image bytes");
    attachments
        .upload(FileUpload {
            file_name: "screen.png".into(),
            content_type: "image/png".into(),
            content: content.clone(),
        })
        .await
        .unwrap();
    let list = attachments.list().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].name.as_deref(), Some("screen.png"));
    let attachment_id = list[0].id.clone().unwrap();

    let download = attachments.download(&attachment_id).await.unwrap();
    assert_eq!(download.content, content);

    attachments.delete(&attachment_id).await.unwrap();
    assert!(attachments.list().await.unwrap().is_empty());
}
