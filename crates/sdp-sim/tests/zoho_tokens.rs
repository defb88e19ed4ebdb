#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The token endpoint (refresh and client-credentials grants), Zoho's limits,
//! expiry, revocation and `/oauth/user/info`.

use std::time::Duration;

use reqwest::StatusCode;
use sdp_sim::zoho::TokenRejection;
use sdp_sim::{SimHandle, SimUser, Simulator, ThrottleStatus};
use serde_json::{Value, json};
use tokio::net::TcpListener;

async fn sim_with(throttle: ThrottleStatus) -> SimHandle {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    Simulator::builder()
        .users(3)
        .portals(2)
        .throttle_status(throttle)
        .spawn(listener)
        .await
        .unwrap()
}

async fn sim() -> SimHandle {
    sim_with(ThrottleStatus::Ok200).await
}

fn user(sim: &SimHandle, i: usize) -> SimUser {
    sim.directory().users[i].clone()
}

/// A refresh grant with parameters in the form body.
async fn refresh_with(
    sim: &SimHandle,
    client_id: &str,
    secret: &str,
    refresh_token: &str,
) -> (StatusCode, Value) {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("grant_type", "refresh_token"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("refresh_token", refresh_token),
        ])
        .finish();
    let response = reqwest::Client::new()
        .post(format!("{}/oauth/v2/token", sim.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

async fn refresh(sim: &SimHandle, u: &SimUser) -> (StatusCode, Value) {
    refresh_with(sim, &u.client_id, &u.client_secret, &u.refresh_token).await
}

async fn access_token(sim: &SimHandle, u: &SimUser) -> String {
    let (status, body) = refresh(sim, u).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

fn check(sim: &SimHandle, token: &str) -> Result<sdp_sim::zoho::AccessGrant, TokenRejection> {
    let now = sim.state().clock.now_ms();
    sim.state().zoho.lock().check_access_token(token, now)
}

fn throttle_body() -> Value {
    json!({
        "error": "Access Denied",
        "error_description": "You have made too many requests continuously. Please try again after some time.",
        "status": "failure",
    })
}

#[tokio::test]
async fn refresh_grant_shape_and_format() {
    let sim = sim().await;
    let u = user(&sim, 1);
    let (status, body) = refresh(&sim, &u).await;
    assert_eq!(status, StatusCode::OK);
    let mut keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "access_token",
            "api_domain",
            "expires_in",
            "scope",
            "token_type"
        ]
    );
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["api_domain"], "https://www.zohoapis.com");
    assert!(
        body["scope"]
            .as_str()
            .unwrap()
            .contains("SDPOnDemand.requests.ALL SDPOnDemand.")
    );
    let token = body["access_token"].as_str().unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts[0], "1000");
    assert!(
        parts[1..]
            .iter()
            .all(|p| p.len() == 32 && p.chars().all(|c| c.is_ascii_hexdigit()))
    );
    let grant = check(&sim, token).unwrap();
    assert_eq!(
        (grant.email.as_str(), grant.portal.as_str()),
        (u.email.as_str(), u.portal.as_str())
    );
    assert_eq!(grant.scopes.len(), sdp_sim::directory::FULL_SCOPES.len());
    assert_eq!(sim.state().counters.grants_for(&u.refresh_token), 1);
}

#[tokio::test]
async fn parameters_in_the_query_string() {
    let sim = sim().await;
    let u = user(&sim, 0);
    let response = reqwest::Client::new()
        .post(format!("{}/oauth/v2/token", sim.base_url()))
        .query(&[
            ("grant_type", "refresh_token"),
            ("client_id", u.client_id.as_str()),
            ("client_secret", u.client_secret.as_str()),
            ("refresh_token", u.refresh_token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert!(check(&sim, body["access_token"].as_str().unwrap()).is_ok());
}

#[tokio::test]
async fn client_errors_are_http_200() {
    let sim = sim().await;
    let (a, b) = (user(&sim, 0), user(&sim, 1));
    let cases = [
        (
            refresh_with(&sim, &a.client_id, "wrong", &a.refresh_token).await,
            "invalid_client_secret",
        ),
        (
            refresh_with(&sim, "1000.UNKNOWN", &a.client_secret, &a.refresh_token).await,
            "invalid_client",
        ),
        (
            refresh_with(&sim, &a.client_id, &a.client_secret, "1000.bad.token").await,
            "invalid_code",
        ),
        // Another user's refresh token with one's own client.
        (
            refresh_with(&sim, &a.client_id, &a.client_secret, &b.refresh_token).await,
            "invalid_code",
        ),
    ];
    for ((status, body), error) in cases {
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, json!({ "error": error }));
    }
    let response = reqwest::Client::new()
        .post(format!("{}/oauth/v2/token", sim.base_url()))
        .query(&[("grant_type", "password")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "unsupported_grant_type");
    assert_eq!(sim.state().counters.total_grants(), 0);
}

#[tokio::test]
async fn throttle_after_ten_mints_with_http_200_then_recovers() {
    let sim = sim().await;
    let u = user(&sim, 0);
    for _ in 0..10 {
        access_token(&sim, &u).await;
    }
    let (status, body) = refresh(&sim, &u).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, throttle_body());
    // Other users are not affected.
    access_token(&sim, &user(&sim, 1)).await;
    assert_eq!(sim.state().counters.grants_for(&u.refresh_token), 10);

    sim.state().clock.advance(Duration::from_secs(600));
    access_token(&sim, &u).await;
}

#[tokio::test]
async fn throttle_with_http_400_knob() {
    let sim = sim_with(ThrottleStatus::BadRequest400).await;
    let u = user(&sim, 2);
    for _ in 0..10 {
        access_token(&sim, &u).await;
    }
    let (status, body) = refresh(&sim, &u).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, throttle_body());
}

#[tokio::test]
async fn access_token_expires() {
    let sim = sim().await;
    let token = access_token(&sim, &user(&sim, 0)).await;
    sim.state().clock.advance(Duration::from_secs(3599));
    assert!(check(&sim, &token).is_ok());
    sim.state().clock.advance(Duration::from_secs(1));
    assert_eq!(check(&sim, &token), Err(TokenRejection::Expired));
}

#[tokio::test]
async fn sixteenth_access_token_evicts_the_first() {
    let sim = sim().await;
    let u = user(&sim, 0);
    let mut tokens = Vec::new();
    for i in 0..16 {
        if i == 10 {
            sim.state().clock.advance(Duration::from_secs(601));
        }
        tokens.push(access_token(&sim, &u).await);
    }
    assert_eq!(check(&sim, &tokens[0]), Err(TokenRejection::Unknown));
    assert!(tokens[1..].iter().all(|t| check(&sim, t).is_ok()));
    let now = sim.state().clock.now_ms();
    assert_eq!(
        sim.state()
            .zoho
            .lock()
            .live_access_tokens(&u.refresh_token, now),
        15
    );
}

#[tokio::test]
async fn revoking_a_refresh_token_kills_its_access_tokens() {
    let sim = sim().await;
    let (a, b) = (user(&sim, 0), user(&sim, 1));
    let first = access_token(&sim, &a).await;
    let second = access_token(&sim, &a).await;
    let other = access_token(&sim, &b).await;
    let revoke = |token: String| {
        let url = format!("{}/oauth/v2/token/revoke", sim.base_url());
        async move {
            let r = reqwest::Client::new()
                .post(url)
                .query(&[("token", token)])
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = revoke(a.refresh_token.clone()).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"status": "success"}))
    );
    assert_eq!(check(&sim, &first), Err(TokenRejection::Revoked));
    assert_eq!(check(&sim, &second), Err(TokenRejection::Revoked));
    assert!(check(&sim, &other).is_ok());
    assert_eq!(refresh(&sim, &a).await.1, json!({"error": "invalid_code"}));
    assert_eq!(
        revoke(a.refresh_token.clone()).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        revoke("1000.nope.nope".into()).await.0,
        StatusCode::BAD_REQUEST
    );

    // An access token alone.
    assert_eq!(revoke(other.clone()).await.0, StatusCode::OK);
    assert_eq!(check(&sim, &other), Err(TokenRejection::Revoked));
    access_token(&sim, &b).await;
}

#[tokio::test]
async fn user_info() {
    let sim = sim().await;
    let u = user(&sim, 1);
    let token = access_token(&sim, &u).await;
    let url = format!("{}/oauth/user/info", sim.base_url());
    for scheme in ["Zoho-oauthtoken", "Bearer"] {
        let response = reqwest::Client::new()
            .get(&url)
            .header("authorization", format!("{scheme} {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["Email"], u.email.as_str());
        assert_eq!(body["Display_Name"], u.name.as_str());
        let (first, last) = u.name.split_once(' ').unwrap();
        assert_eq!(
            (body["First_Name"].as_str(), body["Last_Name"].as_str()),
            (Some(first), Some(last))
        );
        assert!(body["ZUID"].as_u64().is_some());
    }
    let response = reqwest::Client::new()
        .get(&url)
        .header("authorization", "Zoho-oauthtoken 1000.bad.bad")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.json::<Value>().await.unwrap()["error"].is_string());
}

#[tokio::test]
async fn client_credentials_for_a_self_client() {
    let sim = sim().await;
    let u = user(&sim, 1);
    let response = reqwest::Client::new()
        .post(format!("{}/oauth/v2/token", sim.base_url()))
        .query(&[
            ("grant_type", "client_credentials"),
            ("client_id", u.client_id.as_str()),
            ("client_secret", u.client_secret.as_str()),
            ("scope", "SDPOnDemand.requests.READ"),
        ])
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert!(body.get("refresh_token").is_none());
    let grant = check(&sim, body["access_token"].as_str().unwrap()).unwrap();
    assert_eq!(grant.portal, u.portal);
    assert_eq!(grant.scopes, ["SDPOnDemand.requests.READ"]);
}

#[tokio::test]
async fn issue_access_token_helper_is_deterministic() {
    let mint = || {
        let (state, _router) = Simulator::builder().seed(7).users(2).build();
        let email = state.directory.users[1].email.clone();
        let now = state.clock.now_ms();
        let token = state
            .zoho
            .lock()
            .issue_access_token(&email, &["SDPOnDemand.requests.READ"], now)
            .unwrap();
        let grant = state.zoho.lock().check_access_token(&token, now).unwrap();
        assert_eq!(grant.email, email);
        assert_eq!(grant.portal, state.directory.users[1].portal);
        assert_eq!(state.counters.total_grants(), 0);
        token
    };
    assert_eq!(mint(), mint());
    let (state, _router) = Simulator::builder().build();
    assert!(
        state
            .zoho
            .lock()
            .issue_access_token("nobody@x.test", &[], 0)
            .is_none()
    );
}
