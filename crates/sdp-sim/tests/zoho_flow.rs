#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The Zoho redirect flow, driven through the HTML forms as a browser would.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::StatusCode;
use sdp_sim::directory::{DEMO_WEB_CLIENT_ID, DEMO_WEB_CLIENT_SECRET};
use sdp_sim::{SimHandle, Simulator};
use serde_json::Value;
use tokio::net::TcpListener;

const REDIRECT: &str = "http://127.0.0.1:9/callback";
const SCOPE: &str = "SDPOnDemand.requests.ALL,SDPOnDemand.setup.READ";

async fn sim() -> SimHandle {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    Simulator::builder()
        .users(3)
        .portals(2)
        .spawn(listener)
        .await
        .unwrap()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The hidden inputs of an HTML page, as the browser would submit them.
fn hidden_inputs(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for piece in html.split("<input type=\"hidden\" ").skip(1) {
        let attr = |name: &str| {
            let start = piece.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            let end = start + piece[start..].find('"').unwrap();
            unescape(&piece[start..end])
        };
        out.push((attr("name"), attr("value")));
    }
    out
}

fn form(pairs: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn auth_url(sim: &SimHandle, extra: &[(&str, &str)]) -> String {
    let mut url = reqwest::Url::parse(&format!("{}/oauth/v2/auth", sim.base_url())).unwrap();
    url.query_pairs_mut().extend_pairs([
        ("client_id", DEMO_WEB_CLIENT_ID),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", SCOPE),
    ]);
    url.query_pairs_mut().extend_pairs(extra);
    url.to_string()
}

async fn post_form(sim: &SimHandle, pairs: &[(String, String)]) -> reqwest::Response {
    http()
        .post(format!("{}/oauth/v2/auth", sim.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(pairs))
        .send()
        .await
        .unwrap()
}

/// GET the login page, submit it with `login`/`password`; the consent page's HTML.
async fn login(sim: &SimHandle, extra: &[(&str, &str)], login: &str, password: &str) -> String {
    let page = http().get(auth_url(sim, extra)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("<form method=\"post\""), "{html}");
    let mut fields = hidden_inputs(&html);
    fields.push(("email".into(), login.into()));
    fields.push(("password".into(), password.into()));
    let consent = post_form(sim, &fields).await;
    assert_eq!(consent.status(), StatusCode::OK);
    consent.text().await.unwrap()
}

/// Submits the consent page; the redirect's query parameters.
async fn decide(sim: &SimHandle, consent_html: &str, decision: &str) -> HashMap<String, String> {
    let mut fields = hidden_inputs(consent_html);
    fields.push(("decision".into(), decision.into()));
    let response = post_form(sim, &fields).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap();
    assert!(location.starts_with(REDIRECT), "{location}");
    let url = reqwest::Url::parse(location).unwrap();
    url.query_pairs().into_owned().collect()
}

/// The whole browser part of the flow for user 1; the redirect's parameters.
async fn authorize(sim: &SimHandle, extra: &[(&str, &str)]) -> HashMap<String, String> {
    let user = &sim.directory().users[0];
    let consent = login(sim, extra, &user.email, &user.password).await;
    decide(sim, &consent, "accept").await
}

async fn exchange(sim: &SimHandle, code: &str) -> (StatusCode, Value) {
    let body = form(&[
        ("grant_type".into(), "authorization_code".into()),
        ("client_id".into(), DEMO_WEB_CLIENT_ID.into()),
        ("client_secret".into(), DEMO_WEB_CLIENT_SECRET.into()),
        ("redirect_uri".into(), REDIRECT.into()),
        ("code".into(), code.into()),
    ]);
    let response = http()
        .post(format!("{}/oauth/v2/token", sim.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

fn is_zoho_token(token: &str) -> bool {
    let parts: Vec<&str> = token.split('.').collect();
    parts.len() == 3
        && parts[0] == "1000"
        && parts[1..]
            .iter()
            .all(|p| p.len() == 32 && p.chars().all(|c| c.is_ascii_hexdigit()))
}

#[tokio::test]
async fn code_flow_through_the_html_forms() {
    let sim = sim().await;
    let user = sim.directory().users[0].clone();
    let consent = login(
        &sim,
        &[("access_type", "offline"), ("state", "st-1")],
        &user.email,
        &user.password,
    )
    .await;
    assert!(consent.contains("SDPOnDemand.setup.READ"));
    assert!(consent.contains(&user.email));
    let params = decide(&sim, &consent, "accept").await;
    assert_eq!(params["state"], "st-1");
    assert_eq!(params["location"], "us");
    assert_eq!(params["accounts-server"], sim.base_url());
    let code = &params["code"];

    let (status, body) = exchange(&sim, code).await;
    assert_eq!(status, StatusCode::OK);
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "access_token",
            "api_domain",
            "expires_in",
            "refresh_token",
            "scope",
            "token_type"
        ]
    );
    assert_eq!(
        body["scope"],
        "SDPOnDemand.requests.ALL SDPOnDemand.setup.READ"
    );
    assert_eq!(body["api_domain"], "https://www.zohoapis.com");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let access = body["access_token"].as_str().unwrap();
    let refresh = body["refresh_token"].as_str().unwrap();
    assert!(is_zoho_token(access) && is_zoho_token(refresh));

    let now = sim.state().clock.now_ms();
    let grant = sim
        .state()
        .zoho
        .lock()
        .check_access_token(access, now)
        .unwrap();
    assert_eq!(grant.email, user.email);
    assert_eq!(grant.portal, user.portal);
    assert_eq!(
        grant.scopes,
        ["SDPOnDemand.requests.ALL", "SDPOnDemand.setup.READ"]
    );
    assert_eq!(sim.state().counters.grants_for(refresh), 1);

    // Single use, and the answer to a reused code is still HTTP 200.
    let (status, body) = exchange(&sim, code).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, serde_json::json!({"error": "invalid_code"}));
}

#[tokio::test]
async fn refresh_token_only_on_first_offline_consent_or_prompt_consent() {
    let sim = sim().await;
    let online = authorize(&sim, &[]).await;
    let (_, body) = exchange(&sim, &online["code"]).await;
    assert!(body.get("refresh_token").is_none(), "{body}");
    assert!(body["access_token"].is_string());

    let first = authorize(&sim, &[("access_type", "offline")]).await;
    assert!(exchange(&sim, &first["code"]).await.1["refresh_token"].is_string());
    let again = authorize(&sim, &[("access_type", "offline")]).await;
    assert!(
        exchange(&sim, &again["code"])
            .await
            .1
            .get("refresh_token")
            .is_none()
    );
    let forced = authorize(&sim, &[("access_type", "offline"), ("prompt", "consent")]).await;
    assert!(exchange(&sim, &forced["code"]).await.1["refresh_token"].is_string());
}

#[tokio::test]
async fn expired_code_is_invalid_code() {
    let sim = sim().await;
    let params = authorize(&sim, &[("access_type", "offline")]).await;
    sim.state().clock.advance(Duration::from_secs(121));
    let (status, body) = exchange(&sim, &params["code"]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["error"], "invalid_code");
}

#[tokio::test]
async fn wrong_redirect_uri_and_client_at_exchange() {
    let sim = sim().await;
    let params = authorize(&sim, &[]).await;
    let response = http()
        .post(format!("{}/oauth/v2/token", sim.base_url()))
        .query(&[
            ("grant_type", "authorization_code"),
            ("client_id", DEMO_WEB_CLIENT_ID),
            ("client_secret", "nope"),
            ("redirect_uri", REDIRECT),
            ("code", params["code"].as_str()),
        ])
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client_secret");
    let response = http()
        .post(format!("{}/oauth/v2/token", sim.base_url()))
        .query(&[
            ("grant_type", "authorization_code"),
            ("client_id", DEMO_WEB_CLIENT_ID),
            ("client_secret", DEMO_WEB_CLIENT_SECRET),
            ("redirect_uri", "http://127.0.0.1:9/other"),
            ("code", params["code"].as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_redirect_uri");
}

#[tokio::test]
async fn deny_redirects_with_access_denied() {
    let sim = sim().await;
    let user = sim.directory().users[1].clone();
    let consent = login(&sim, &[("state", "s2")], &user.login, &user.password).await;
    let params = decide(&sim, &consent, "deny").await;
    assert_eq!(params["error"], "access_denied");
    assert_eq!(params["state"], "s2");
    assert!(!params.contains_key("code"));
    // The ticket is single use.
    let mut fields = hidden_inputs(&consent);
    fields.push(("decision".into(), "accept".into()));
    assert_eq!(
        post_form(&sim, &fields).await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn wrong_password_shows_the_form_again() {
    let sim = sim().await;
    let user = sim.directory().users[0].clone();
    let html = http()
        .get(auth_url(&sim, &[]))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut fields = hidden_inputs(&html);
    fields.push(("email".into(), user.email.clone()));
    fields.push(("password".into(), "wrong".into()));
    let response = post_form(&sim, &fields).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let html = response.text().await.unwrap();
    assert!(html.contains("Incorrect email or password"));
    assert!(html.contains(&format!("value=\"{}\"", user.email)));
}

#[tokio::test]
async fn invalid_authorize_requests() {
    let sim = sim().await;
    let base = format!("{}/oauth/v2/auth", sim.base_url());
    let get = |query: Vec<(&'static str, &'static str)>| {
        let base = base.clone();
        async move { http().get(base).query(&query).send().await.unwrap() }
    };
    let unknown = get(vec![
        ("client_id", "1000.NOPE"),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", SCOPE),
    ])
    .await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    assert!(unknown.text().await.unwrap().contains("Invalid Client"));
    let bad_redirect = get(vec![
        ("client_id", DEMO_WEB_CLIENT_ID),
        ("response_type", "code"),
        ("redirect_uri", "https://evil.example/cb"),
        ("scope", SCOPE),
    ])
    .await;
    assert_eq!(bad_redirect.status(), StatusCode::BAD_REQUEST);
    let no_scope = get(vec![
        ("client_id", DEMO_WEB_CLIENT_ID),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("state", "s"),
    ])
    .await;
    assert_eq!(no_scope.status(), StatusCode::FOUND);
    let location = no_scope.headers()["location"].to_str().unwrap();
    assert_eq!(location, format!("{REDIRECT}?error=invalid_scope&state=s"));
    let token_type = get(vec![
        ("client_id", DEMO_WEB_CLIENT_ID),
        ("response_type", "token"),
        ("redirect_uri", REDIRECT),
        ("scope", SCOPE),
    ])
    .await;
    let location = token_type.headers()["location"].to_str().unwrap();
    assert!(location.contains("error=unsupported_response_type"));
}

#[tokio::test]
async fn interpolated_values_are_escaped() {
    let sim = sim().await;
    let evil = "\"><script>alert(1)</script>";
    let html = http()
        .get(auth_url(&sim, &[("state", evil)]))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>"));
    assert!(hidden_inputs(&html).contains(&("state".to_owned(), evil.to_owned())));
}

#[tokio::test]
async fn twenty_first_refresh_token_evicts_the_oldest() {
    let sim = sim().await;
    let mut issued = Vec::new();
    for _ in 0..21 {
        let params = authorize(&sim, &[("access_type", "offline"), ("prompt", "consent")]).await;
        let (_, body) = exchange(&sim, &params["code"]).await;
        issued.push((
            body["refresh_token"].as_str().unwrap().to_owned(),
            body["access_token"].as_str().unwrap().to_owned(),
        ));
    }
    let zoho = sim.state().zoho.lock();
    let now = sim.state().clock.now_ms();
    assert!(!zoho.is_refresh_token_valid(&issued[0].0));
    assert_eq!(
        zoho.check_access_token(&issued[0].1, now),
        Err(sdp_sim::zoho::TokenRejection::Unknown)
    );
    assert!(
        issued[1..]
            .iter()
            .all(|(r, _)| zoho.is_refresh_token_valid(r))
    );
    assert!(zoho.check_access_token(&issued[1].1, now).is_ok());
}
