#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Requests associated with problems and changes (both sides), attachments
//! of modules other than requests, and the tasks of project milestones.

mod sdp_common;

use reqwest::Method;
use sdp_common::Env;
use serde_json::{Value, json};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

async fn first(env: &Env, path: &str, plural: &str, n: usize) -> Vec<String> {
    let list = env.list(path, json!({"row_count": n})).await.ok();
    let items = list[plural].as_array().unwrap();
    assert!(items.len() >= n, "{path}: {list}");
    items.iter().map(id).collect()
}

/// DELETE with a form body (association removal needs the same body).
async fn delete_with(env: &Env, path: &str, input: &Value) -> sdp_common::Answer {
    env.call(
        Method::DELETE,
        &env.url(path),
        Some(&env.token),
        Some(input),
        None,
    )
    .await
}

fn linked_ids(list: &Value) -> Vec<String> {
    list["link_requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| id(&l["linked_request"]))
        .collect()
}

#[tokio::test]
async fn requests_associate_with_a_problem_from_both_sides() {
    let env = Env::new().await;
    let requests = first(&env, "requests", "requests", 2).await;
    let problems = first(&env, "problems", "problems", 2).await;
    let (r1, r2, p1, p2) = (&requests[0], &requests[1], &problems[0], &problems[1]);
    let body = |p: &str| json!({"request_problem_association": {"problem": {"id": p}}});

    for r in [r1, r2] {
        env.post(&format!("requests/{r}/problem"), body(p1))
            .await
            .ok();
    }
    let listed = env
        .list(&format!("problems/{p1}/link_requests"), json!({}))
        .await
        .ok();
    let mut ids = linked_ids(&listed);
    ids.sort();
    let mut expected = vec![r1.clone(), r2.clone()];
    expected.sort();
    assert_eq!(ids, expected);
    let got = env.get(&format!("requests/{r1}"), None).await.ok();
    assert_eq!(got["request"]["has_problem"], true);
    let side = env.get(&format!("requests/{r1}/problem"), None).await.ok();
    assert_eq!(side["request_problem_association"]["problem"]["id"], *p1);

    // One problem per request: associating another one moves it.
    env.post(&format!("requests/{r1}/problem"), body(p2))
        .await
        .ok();
    let listed = env
        .list(&format!("problems/{p1}/link_requests"), json!({}))
        .await
        .ok();
    assert_eq!(linked_ids(&listed), vec![r2.clone()]);

    // DELETE needs the same wrapped body; a wrong problem is refused.
    delete_with(&env, &format!("requests/{r2}/problem"), &body(p2))
        .await
        .err(400, 4001);
    delete_with(&env, &format!("requests/{r2}/problem"), &body(p1))
        .await
        .ok();
    let got = env.get(&format!("requests/{r2}"), None).await.ok();
    assert_eq!(got["request"]["has_problem"], false);
    let listed = env
        .list(&format!("problems/{p1}/link_requests"), json!({}))
        .await
        .ok();
    assert!(linked_ids(&listed).is_empty());

    // Bare bodies and unknown problems are refused like SDP does.
    env.post(
        &format!("requests/{r2}/problem"),
        json!({"problem": {"id": p1}}),
    )
    .await
    .err(400, 4000);
    env.post(&format!("requests/{r2}/problem"), body("999999999"))
        .await
        .err(400, 4001);
    env.list("problems/999999999/link_requests", json!({}))
        .await
        .err(404, 4007);
}

#[tokio::test]
async fn requests_associate_with_changes_as_initiator_or_cause() {
    let env = Env::new().await;
    let requests = first(&env, "requests", "requests", 2).await;
    let changes = first(&env, "changes", "changes", 1).await;
    let (r1, r2, c) = (&requests[0], &requests[1], &changes[0]);
    env.post(
        &format!("requests/{r1}/request_initiated_change"),
        json!({"request_initiated_change": {"change": {"id": c}}}),
    )
    .await
    .ok();
    env.post(
        &format!("requests/{r2}/request_caused_by_change"),
        json!({"request_caused_by_change": {"change": {"id": c}}}),
    )
    .await
    .ok();
    let listed = env
        .list(&format!("changes/{c}/link_requests"), json!({}))
        .await
        .ok();
    let kinds: Vec<(String, String)> = listed["link_requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                id(&l["linked_request"]),
                l["association"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&(r1.clone(), "initiated".to_owned())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(r2.clone(), "caused_by".to_owned())),
        "{kinds:?}"
    );
    let got = env.get(&format!("requests/{r1}"), None).await.ok();
    assert_eq!(got["request"]["has_request_initiated_change"], true);
    let side = env
        .get(&format!("requests/{r1}/request_initiated_change"), None)
        .await
        .ok();
    assert_eq!(side["request_initiated_change"][0]["change"]["id"], *c);
    delete_with(
        &env,
        &format!("requests/{r1}/request_initiated_change"),
        &json!({"request_initiated_change": {"change": {"id": c}}}),
    )
    .await
    .ok();
    let listed = env
        .list(&format!("changes/{c}/link_requests"), json!({}))
        .await
        .ok();
    assert_eq!(linked_ids(&listed), vec![r2.clone()]);
}

/// Uploads `text` as `name` to `/{module}/{id}/upload` (multipart `input_file`).
async fn upload(env: &Env, module: &str, id: &str, name: &str, text: &str) -> Value {
    let part = reqwest::multipart::Part::bytes(text.as_bytes().to_vec())
        .file_name(name.to_owned())
        .mime_str("text/plain")
        .unwrap();
    let form = reqwest::multipart::Form::new().part("input_file", part);
    let response = env
        .http
        .put(env.url(&format!("{module}/{id}/upload")))
        .header("Accept", sdp_common::ACCEPT)
        .header("Authorization", format!("Zoho-oauthtoken {}", env.token))
        .multipart(form)
        .send()
        .await
        .unwrap();
    sdp_common::answer(response).await.ok()
}

#[tokio::test]
async fn modules_beyond_requests_take_attachments() {
    let env = Env::new().await;
    for (module, plural) in [
        ("problems", "problems"),
        ("changes", "changes"),
        ("releases", "releases"),
        ("projects", "projects"),
        ("solutions", "solutions"),
    ] {
        let item = first(&env, module, plural, 1).await.remove(0);
        let uploaded = upload(&env, module, &item, "rca.txt", "root cause").await;
        let aid = id(&uploaded["attachments"][0]);
        let listed = env
            .get(&format!("{module}/{item}/attachments"), None)
            .await
            .ok();
        assert!(
            listed["attachments"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["id"] == aid),
            "{module}: {listed}"
        );
        let response = env
            .http
            .get(env.url(&format!("{module}/{item}/attachments/{aid}/download")))
            .header("Accept", sdp_common::ACCEPT)
            .header("Authorization", format!("Zoho-oauthtoken {}", env.token))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{module}");
        assert_eq!(response.text().await.unwrap(), "root cause", "{module}");
        env.delete(&format!("{module}/{item}/attachments/{aid}"))
            .await
            .ok();
        env.get(&format!("{module}/{item}/attachments/{aid}/download"), None)
            .await
            .err(404, 4007);
    }
}

#[tokio::test]
async fn milestone_tasks_have_crud() {
    let env = Env::new().await;
    let project = first(&env, "projects", "projects", 1).await.remove(0);
    let milestone = env
        .post(
            &format!("projects/{project}/milestones"),
            json!({"milestone": {"title": "Pilot"}}),
        )
        .await
        .ok()["milestone"]
        .clone();
    let base = format!("projects/{project}/milestones/{}/tasks", id(&milestone));
    env.post(&base, json!({"task": {}})).await.err(400, 4012);
    let task = env
        .post(&base, json!({"task": {"title": "Order laptops"}}))
        .await
        .ok()["task"]
        .clone();
    let tid = id(&task);
    let listed = env.list(&base, json!({})).await.ok();
    assert_eq!(listed["tasks"][0]["id"], tid);
    let updated = env
        .put(
            &format!("{base}/{tid}"),
            json!({"task": {"title": "Order 10 laptops"}}),
        )
        .await
        .ok();
    assert_eq!(updated["task"]["title"], "Order 10 laptops");
    env.delete(&format!("{base}/{tid}")).await.ok();
    env.get(&format!("{base}/{tid}"), None).await.err(404, 4007);
}
