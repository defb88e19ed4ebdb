#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Transport behaviours of the SDP simulator: Accept, auth, portals, input_data.

mod sdp_common;

use std::time::Duration;

use reqwest::Method;
use sdp_common::{ACCEPT, Env, answer, token_for};
use serde_json::json;

#[tokio::test]
async fn missing_accept_returns_html_login_page_with_200() {
    let env = Env::new().await;
    let response = env
        .http
        .get(env.url("requests"))
        .header("Authorization", format!("Zoho-oauthtoken {}", env.token))
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(response.text().await.unwrap().contains("<html"));
}

#[tokio::test]
async fn short_media_type_and_bearer_are_accepted() {
    let env = Env::new().await;
    let response = env
        .http
        .get(env.url("requests"))
        .header("Authorization", format!("Bearer {}", env.token))
        .header("Accept", "application/v3+json")
        .send()
        .await
        .unwrap();
    let body = answer(response).await.ok();
    assert_eq!(body["requests"].as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn missing_and_unknown_tokens_are_401_4022() {
    let env = Env::new().await;
    let missing = env
        .call(Method::GET, &env.url("requests"), None, None, None)
        .await;
    let message = missing.err(401, 4022);
    assert_eq!(message["message"], "Invalid OAuth token");
    let unknown = env
        .call(
            Method::GET,
            &env.url("requests"),
            Some("1000.dead.beef"),
            None,
            None,
        )
        .await;
    unknown.err(401, 4022);
}

#[tokio::test]
async fn expired_token_is_401_4022_saying_expired() {
    let env = Env::new().await;
    env.sim.state().clock.advance(Duration::from_secs(3601));
    let answer = env.get("requests", None).await;
    let message = answer.err(401, 4022);
    assert!(message["message"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn token_of_portal_a_is_refused_on_portal_b() {
    let env = Env::new().await;
    let other = env.sim.directory().portals[1].clone();
    assert_ne!(other, env.user.portal);
    let url = format!("{}/api/v3/requests", env.sim.portal_url(&other));
    let answer = env
        .call(Method::GET, &url, Some(&env.token), None, None)
        .await;
    let message = answer.err(401, 4022);
    assert!(
        message["message"]
            .as_str()
            .unwrap()
            .contains("not valid for this portal")
    );
}

#[tokio::test]
async fn read_scope_token_cannot_create() {
    let env = Env::new().await;
    let read = token_for(&env.sim, &env.user, &["SDPOnDemand.requests.READ"]);
    let list = env
        .call(Method::GET, &env.url("requests"), Some(&read), None, None)
        .await;
    list.ok();
    let create = env
        .call(
            Method::POST,
            &env.url("requests"),
            Some(&read),
            Some(&json!({"request": {"subject": "x"}})),
            None,
        )
        .await;
    assert_eq!(create.status, 401);
    assert!(
        create.body["response_status"]["messages"][0]["message"]
            .as_str()
            .unwrap()
            .contains("SDPOnDemand.requests.CREATE")
    );
    // requests.ALL does not cover setup lookups.
    let requests_only = token_for(&env.sim, &env.user, &["SDPOnDemand.requests.ALL"]);
    let templates = env
        .call(
            Method::GET,
            &env.url("request_templates"),
            Some(&requests_only),
            None,
            None,
        )
        .await;
    assert_eq!(templates.status, 401);
}

#[tokio::test]
async fn on_prem_technician_key_acts_on_default_portal() {
    let env = Env::new().await;
    let url = format!("{}/api/v3/requests", env.sim.base_url());
    for header in ["authtoken", "TECHNICIAN_KEY"] {
        let response = env
            .http
            .get(&url)
            .header("Accept", ACCEPT)
            .header(header, &env.user.technician_key)
            .send()
            .await
            .unwrap();
        answer(response).await.ok();
    }
    // pickup acts as the key's technician
    let response = env
        .http
        .put(format!(
            "{}/api/v3/requests/{}/pickup",
            env.sim.base_url(),
            first_request_id(&env).await
        ))
        .header("Accept", ACCEPT)
        .header("authtoken", &env.user.technician_key)
        .send()
        .await
        .unwrap();
    let body = answer(response).await.ok();
    assert_eq!(
        body["request"]["technician"]["email_id"],
        env.user.email.as_str()
    );
    // A key of a user of another portal needs that PORTALID.
    let other = env.sim.directory().users[1].clone();
    let refused = env
        .http
        .get(&url)
        .header("Accept", ACCEPT)
        .header("authtoken", &other.technician_key)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    let accepted = env
        .http
        .get(&url)
        .header("Accept", ACCEPT)
        .header("authtoken", &other.technician_key)
        .header("PORTALID", &other.portal)
        .send()
        .await
        .unwrap();
    answer(accepted).await.ok();
    let by_portal_id = env
        .http
        .get(&url)
        .header("Accept", ACCEPT)
        .header("authtoken", &other.technician_key)
        .header("PORTALID", "700000002")
        .send()
        .await
        .unwrap();
    answer(by_portal_id).await.ok();
    // Zoho tokens work on /api/v3 for the default portal.
    let oauth = env
        .call(Method::GET, &url, Some(&env.token), None, None)
        .await;
    oauth.ok();
    let bad_key = env
        .http
        .get(&url)
        .header("Accept", ACCEPT)
        .header("authtoken", "NOPE")
        .send()
        .await
        .unwrap();
    answer(bad_key).await.err(401, 4022);
}

async fn first_request_id(env: &Env) -> String {
    let body = env.list("requests", json!({"row_count": 1})).await.ok();
    body["requests"][0]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn portals_are_listed_and_unknown_portal_is_404() {
    let env = Env::new().await;
    let url = format!("{}/api/v3/portals", env.sim.base_url());
    let body = env
        .call(Method::GET, &url, Some(&env.token), None, None)
        .await
        .ok();
    let names: Vec<&str> = body["portals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["itdesk", "hrdesk"]);
    assert_eq!(body["response_status"][0]["status_code"], 2000);
    let unknown = format!("{}/api/v3/requests", env.sim.portal_url("nosuch"));
    env.call(Method::GET, &unknown, Some(&env.token), None, None)
        .await
        .err(404, 4007);
}

#[tokio::test]
async fn unknown_path_and_id_are_404_4007() {
    let env = Env::new().await;
    env.get("no_such_module", None).await.err(404, 4007);
    env.get("requests/123/whatever", None).await.err(404, 4007);
    env.get("requests/99999", None).await.err(404, 4007);
}

#[tokio::test]
async fn input_data_errors() {
    let env = Env::new().await;
    let raw = env
        .http
        .post(env.url("requests"))
        .header("Accept", ACCEPT)
        .header("Authorization", format!("Zoho-oauthtoken {}", env.token))
        .form(&[("input_data", "{not json")])
        .send()
        .await
        .unwrap();
    answer(raw).await.err(400, 4000);
    let extra = env
        .post("requests", json!({"request": {"subject": "x", "requester": {"email_id": "lincoln.reyes@zylker-corp.com"}, "colour": "red"}}))
        .await
        .err(400, 4000);
    assert_eq!(extra["field"], "colour");
    assert!(
        extra["message"]
            .as_str()
            .unwrap()
            .starts_with("Extra key found in JSON")
    );
    let wrapper = env
        .post("requests", json!({"requests": {"subject": "x"}}))
        .await
        .err(400, 4000);
    assert!(
        wrapper["message"]
            .as_str()
            .unwrap()
            .contains("Extra key found in JSON")
    );
}

#[tokio::test]
async fn single_quoted_input_data_is_tolerated() {
    let env = Env::new().await;
    let response = env
        .http
        .get(env.url("requests"))
        .header("Accept", ACCEPT)
        .header("Authorization", format!("Zoho-oauthtoken {}", env.token))
        .query(&[(
            "input_data",
            "{'list_info': {'row_count': 3, 'get_total_count': True}}",
        )])
        .send()
        .await
        .unwrap();
    let body = answer(response).await.ok();
    assert_eq!(body["requests"].as_array().unwrap().len(), 3);
    assert_eq!(body["list_info"]["total_count"], 200);
}

#[tokio::test]
async fn writes_are_counted_per_portal() {
    let env = Env::new().await;
    let before = env.sim.state().counters.writes("itdesk");
    env.post(
        "requests",
        json!({"request": {"subject": "Counted", "requester": {"email_id": env.user.email}}}),
    )
    .await
    .ok();
    env.post("requests", json!({"request": {}}))
        .await
        .err(400, 4012);
    assert_eq!(env.sim.state().counters.writes("itdesk"), before + 1);
}

#[tokio::test]
async fn token_from_the_real_refresh_grant_works() {
    let env = Env::new().await;
    let response = env
        .http
        .post(format!("{}/oauth/v2/token", env.sim.base_url()))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", env.user.client_id.as_str()),
            ("client_secret", env.user.client_secret.as_str()),
            ("refresh_token", env.user.refresh_token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let grant: serde_json::Value = response.json().await.unwrap();
    let token = grant["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned();
    let body = env
        .call(Method::GET, &env.url("requests"), Some(&token), None, None)
        .await
        .ok();
    assert_eq!(body["requests"].as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn portals_are_isolated() {
    let env = Env::new().await;
    let created = env
        .post("requests", json!({"request": {"subject": "Only on itdesk", "requester": {"email_id": env.user.email}}}))
        .await
        .ok();
    let rid = created["request"]["id"].as_str().unwrap().to_owned();
    let hr_user = env.sim.directory().users[1].clone();
    let hr_token = token_for(&env.sim, &hr_user, sdp_sim::directory::FULL_SCOPES);
    let url = format!(
        "{}/api/v3/requests/{rid}",
        env.sim.portal_url(&hr_user.portal)
    );
    env.call(Method::GET, &url, Some(&hr_token), None, None)
        .await
        .err(404, 4007);
    let hr_list = format!("{}/api/v3/requests", env.sim.portal_url(&hr_user.portal));
    let query = json!({"list_info": {"search_criteria": {"field": "subject", "condition": "is", "value": "Only on itdesk"}}});
    let body = env
        .call(Method::GET, &hr_list, Some(&hr_token), None, Some(&query))
        .await
        .ok();
    assert!(body["requests"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn concurrent_writes_get_unique_display_ids() {
    let env = std::sync::Arc::new(Env::new().await);
    let mut tasks = Vec::new();
    for n in 0..40 {
        let env = env.clone();
        tasks.push(tokio::spawn(async move {
            let body = env
                .post("requests", json!({"request": {"subject": format!("parallel {n}"), "requester": {"email_id": env.user.email}}}))
                .await
                .ok();
            env.list("requests", json!({"row_count": 5})).await.ok();
            body["request"]["display_id"].as_str().unwrap().to_owned()
        }));
    }
    let mut ids = std::collections::HashSet::new();
    for task in tasks {
        assert!(ids.insert(task.await.unwrap()));
    }
    assert_eq!(ids.len(), 40);
    assert_eq!(env.sim.state().counters.writes("itdesk"), 40);
}
