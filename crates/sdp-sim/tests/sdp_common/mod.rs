//! Shared helpers of the SDP simulator tests: a running simulator, a token
//! and a tiny `input_data` client built on plain `reqwest`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use reqwest::Method;
use sdp_sim::directory::FULL_SCOPES;
use sdp_sim::{SimHandle, SimUser, Simulator};
use serde_json::Value;

/// The vendor media type.
pub const ACCEPT: &str = "application/vnd.manageengine.sdp.v3+json";

/// A running simulator with a full-scope token of `user1` (portal `itdesk`).
pub struct Env {
    pub sim: SimHandle,
    pub http: reqwest::Client,
    pub user: SimUser,
    pub token: String,
}

/// An answer: HTTP status and JSON body (`Null` when not JSON).
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Env {
    /// Default simulator (2 portals, 3 users, 200 requests per portal).
    pub async fn new() -> Self {
        Self::with(Simulator::builder()).await
    }

    /// A simulator from `builder`.
    pub async fn with(builder: sdp_sim::SimBuilder) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sim = builder.spawn(listener).await.unwrap();
        let user = sim.directory().users[0].clone();
        let token = token_for(&sim, &user, FULL_SCOPES);
        Self {
            sim,
            http: reqwest::Client::new(),
            user,
            token,
        }
    }

    /// `…/app/<portal of user>/api/v3/<path>`.
    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v3/{path}", self.sim.portal_url(&self.user.portal))
    }

    /// A call with `input_data` as form body (`body`) or query (`query`).
    pub async fn call(
        &self,
        method: Method,
        url: &str,
        token: Option<&str>,
        body: Option<&Value>,
        query: Option<&Value>,
    ) -> Answer {
        let mut request = self.http.request(method, url).header("Accept", ACCEPT);
        if let Some(token) = token {
            request = request.header("Authorization", format!("Zoho-oauthtoken {token}"));
        }
        if let Some(query) = query {
            request = request.query(&[("input_data", query.to_string())]);
        }
        if let Some(body) = body {
            request = request.form(&[("input_data", body.to_string())]);
        }
        answer(request.send().await.unwrap()).await
    }

    /// GET with `input_data` in the query string.
    pub async fn get(&self, path: &str, input: Option<Value>) -> Answer {
        self.call(
            Method::GET,
            &self.url(path),
            Some(&self.token),
            None,
            input.as_ref(),
        )
        .await
    }

    /// POST with a form body.
    pub async fn post(&self, path: &str, input: Value) -> Answer {
        self.call(
            Method::POST,
            &self.url(path),
            Some(&self.token),
            Some(&input),
            None,
        )
        .await
    }

    /// PUT with a form body.
    pub async fn put(&self, path: &str, input: Value) -> Answer {
        self.call(
            Method::PUT,
            &self.url(path),
            Some(&self.token),
            Some(&input),
            None,
        )
        .await
    }

    /// DELETE without body.
    pub async fn delete(&self, path: &str) -> Answer {
        self.call(
            Method::DELETE,
            &self.url(path),
            Some(&self.token),
            None,
            None,
        )
        .await
    }

    /// GET a list with `list_info`.
    pub async fn list(&self, path: &str, list_info: Value) -> Answer {
        self.get(path, Some(serde_json::json!({ "list_info": list_info })))
            .await
    }
}

/// Mints an access token for `user` with `scopes`.
pub fn token_for(sim: &SimHandle, user: &SimUser, scopes: &[&str]) -> String {
    let now = sim.state().clock.now_ms();
    sim.state()
        .zoho
        .lock()
        .issue_access_token(&user.email, scopes, now)
        .expect("token")
}

/// Reads an answer.
pub async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    Answer {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

impl Answer {
    /// Asserts HTTP 200 with `status_code` 2000 and returns the body.
    pub fn ok(self) -> Value {
        assert_eq!(self.status, 200, "body: {}", self.body);
        self.body
    }

    /// Asserts an error of `http` whose first message has `code`; returns that message.
    pub fn err(self, http: u16, code: u64) -> Value {
        assert_eq!(self.status, http, "body: {}", self.body);
        assert_eq!(
            self.body["response_status"]["status_code"], 4000,
            "body: {}",
            self.body
        );
        let message = self.body["response_status"]["messages"][0].clone();
        assert_eq!(message["status_code"], code, "body: {}", self.body);
        assert_eq!(message["type"], "failed");
        message
    }
}
