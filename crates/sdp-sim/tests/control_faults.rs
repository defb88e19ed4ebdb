#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `/_sim/` control endpoints and the fault layer.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sdp_sim::control::FaultRule;
use sdp_sim::{SimHandle, Simulator};
use serde_json::{Value, json};
use tokio::net::TcpListener;

async fn sim() -> SimHandle {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    Simulator::builder()
        .users(3)
        .portals(2)
        .spawn(listener)
        .await
        .unwrap()
}

/// A cheap simulated call: `/oauth/user/info` without a token (401 JSON).
async fn user_info(sim: &SimHandle) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}/oauth/user/info", sim.base_url()))
        .send()
        .await
        .unwrap()
}

/// A refresh grant of user 1 (a call with an effect: it mints a token).
async fn refresh(sim: &SimHandle) -> reqwest::Response {
    let u = &sim.directory().users[0];
    reqwest::Client::new()
        .post(format!("{}/oauth/v2/token", sim.base_url()))
        .query(&[
            ("grant_type", "refresh_token"),
            ("client_id", u.client_id.as_str()),
            ("client_secret", u.client_secret.as_str()),
            ("refresh_token", u.refresh_token.as_str()),
        ])
        .send()
        .await
        .unwrap()
}

async fn control(
    sim: &SimHandle,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().request(method, format!("{}{path}", sim.base_url()));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    (response.status(), response.json().await.unwrap())
}

async fn push(sim: &SimHandle, rule: Value) -> u64 {
    let (status, body) = control(sim, reqwest::Method::POST, "/_sim/faults", Some(rule)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["id"].as_u64().unwrap()
}

#[tokio::test]
async fn latency_is_applied_and_reported() {
    let sim = sim().await;
    push(
        &sim,
        json!({"path_prefix": "/oauth/user/info", "latency_ms": 150, "count": 1}),
    )
    .await;
    let started = Instant::now();
    let response = user_info(&sim).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let micros: u64 = response.headers()["x-sim-duration-us"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(micros >= 150_000, "{micros}");
    // Gone after its count.
    let micros: u64 = user_info(&sim).await.headers()["x-sim-duration-us"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(micros < 150_000);
}

#[tokio::test]
async fn http_status_for_n_calls_then_normal() {
    let sim = sim().await;
    push(
        &sim,
        json!({"path_prefix": "/oauth/v2/token", "method": "post", "http_status": 503, "count": 2}),
    )
    .await;
    for _ in 0..2 {
        let response = refresh(&sim).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response.text().await.unwrap().contains("503"));
    }
    // A GET on another path was never hit.
    assert_eq!(user_info(&sim).await.status(), StatusCode::UNAUTHORIZED);
    let response = refresh(&sim).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.json::<Value>().await.unwrap()["access_token"].is_string());
    let (_, list) = control(&sim, reqwest::Method::GET, "/_sim/faults", None).await;
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn sdp_status_4015_with_retry_after() {
    let sim = sim().await;
    push(
        &sim,
        json!({"sdp_status_code": 4015, "retry_after_secs": 7}),
    )
    .await;
    let response = user_info(&sim).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "7");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["response_status"]["status_code"], 4000);
    assert_eq!(body["response_status"]["status"], "failed");
    assert_eq!(body["response_status"]["messages"][0]["status_code"], 4015);
    assert_eq!(body["response_status"]["messages"][0]["type"], "failed");

    let (_, cleared) = control(&sim, reqwest::Method::DELETE, "/_sim/faults", None).await;
    assert_eq!(cleared, json!({"cleared": 1}));
    assert_eq!(user_info(&sim).await.status(), StatusCode::UNAUTHORIZED);

    for (code, status) in [(4022, 401), (4004, 500), (4007, 404), (4012, 400)] {
        sim.state().faults.push(FaultRule {
            sdp_status_code: Some(code),
            count: Some(1),
            ..FaultRule::default()
        });
        assert_eq!(user_info(&sim).await.status().as_u16(), status);
    }
}

#[tokio::test]
async fn drop_connection_breaks_the_body_after_the_call_took_effect() {
    let sim = sim().await;
    sim.state().faults.push(FaultRule {
        path_prefix: Some("/oauth/v2/token".into()),
        drop_connection: true,
        count: Some(1),
        ..FaultRule::default()
    });
    let response = refresh(&sim).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.bytes().await.is_err());
    let u = &sim.directory().users[0];
    assert_eq!(sim.state().counters.grants_for(&u.refresh_token), 1);
    assert_eq!(refresh(&sim).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn html_malformed_and_empty_bodies() {
    let sim = sim().await;
    sim.state().faults.push(FaultRule {
        html_200: true,
        count: Some(1),
        ..FaultRule::default()
    });
    let response = user_info(&sim).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(response.text().await.unwrap().contains("<html"));

    sim.state().faults.push(FaultRule {
        malformed_json: true,
        count: Some(1),
        ..FaultRule::default()
    });
    let response = refresh(&sim).await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    assert!(text.starts_with('{'));
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");

    sim.state().faults.push(FaultRule {
        empty_body: true,
        count: Some(1),
        ..FaultRule::default()
    });
    let response = refresh(&sim).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn error_rate_and_rule_order() {
    let sim = sim().await;
    let never = sim.state().faults.push(FaultRule {
        error_rate: Some(0.0),
        ..FaultRule::default()
    });
    sim.state().faults.push(FaultRule {
        error_rate: Some(1.0),
        count: Some(1),
        ..FaultRule::default()
    });
    let response = user_info(&sim).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["response_status"]["messages"][0]["status_code"], 4004);
    assert_eq!(user_info(&sim).await.status(), StatusCode::UNAUTHORIZED);
    assert!(sim.state().faults.remove(never));
    assert!(sim.state().faults.list().is_empty());
}

#[tokio::test]
async fn fault_endpoint_validates_and_lists() {
    let sim = sim().await;
    let (status, _) = control(
        &sim,
        reqwest::Method::POST,
        "/_sim/faults",
        Some(json!({"latency": 5})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = control(
        &sim,
        reqwest::Method::POST,
        "/_sim/faults",
        Some(json!({"error_rate": 2.0})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let id = push(
        &sim,
        json!({"path_prefix": "/app/itdesk/", "latency_ms": 1, "count": 3}),
    )
    .await;
    let (_, list) = control(&sim, reqwest::Method::GET, "/_sim/faults", None).await;
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["remaining"], 3);
    assert_eq!(list[0]["path_prefix"], "/app/itdesk/");
    let (status, _) = control(
        &sim,
        reqwest::Method::DELETE,
        &format!("/_sim/faults/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = control(
        &sim,
        reqwest::Method::DELETE,
        &format!("/_sim/faults/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // `/_sim/` itself is never faulted.
    push(&sim, json!({"http_status": 500})).await;
    let (status, _) = control(&sim, reqwest::Method::GET, "/_sim/counters", None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn counters_and_duration_header() {
    let sim = sim().await;
    let response = refresh(&sim).await;
    assert!(response.headers().contains_key("x-sim-duration-us"));
    refresh(&sim).await;
    user_info(&sim).await;
    let (_, counters) = control(&sim, reqwest::Method::GET, "/_sim/counters", None).await;
    assert_eq!(counters["calls"]["POST /oauth/v2/token"], 2);
    assert_eq!(counters["calls"]["GET /oauth/user/info"], 1);
    let u = &sim.directory().users[0];
    assert_eq!(counters["grants"][&u.refresh_token], 2);
    let r = reqwest::get(format!("{}/_sim/counters", sim.base_url()))
        .await
        .unwrap();
    assert!(!r.headers().contains_key("x-sim-duration-us"));

    let (_, after) = control(&sim, reqwest::Method::POST, "/_sim/counters/reset", None).await;
    assert_eq!(after["calls"], json!({}));
    assert_eq!(sim.state().counters.total_grants(), 0);
}

#[tokio::test]
async fn clock_advance_endpoint_expires_tokens() {
    let sim = sim().await;
    let token = refresh(&sim).await.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = control(
        &sim,
        reqwest::Method::POST,
        "/_sim/clock/advance",
        Some(json!({"seconds": 3600})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["offset_ms"], 3_600_000);
    assert_eq!(sim.state().clock.offset_ms(), 3_600_000);
    let now = sim.state().clock.now_ms();
    assert_eq!(
        sim.state().zoho.lock().check_access_token(&token, now),
        Err(sdp_sim::zoho::TokenRejection::Expired)
    );
}

#[tokio::test]
async fn directory_endpoint_lists_users_and_portals() {
    let sim = sim().await;
    let (status, body) = control(&sim, reqwest::Method::GET, "/_sim/directory", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["portals"], json!(["itdesk", "hrdesk"]));
    assert_eq!(body["base_url"], sim.base_url());
    let users = body["users"].as_array().unwrap();
    assert_eq!(users.len(), 3);
    let u = &sim.directory().users[2];
    assert_eq!(users[2]["login"], u.login.as_str());
    assert_eq!(users[2]["email"], u.email.as_str());
    assert_eq!(users[2]["portal"], u.portal.as_str());
    assert_eq!(users[2]["client_id"], u.client_id.as_str());
    assert_eq!(users[2]["client_secret"], u.client_secret.as_str());
    assert_eq!(users[2]["refresh_token"], u.refresh_token.as_str());
    assert!(body["web_clients"][0]["redirect_uris"].is_array());
}
