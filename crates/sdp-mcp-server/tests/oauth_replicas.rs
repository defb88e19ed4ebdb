//! OAuth sign-in with several replicas on one store: a sign-in started on
//! replica A (`/authorize`, consent) completes on replica B (Zoho's callback),
//! because pending sign-ins live in the store, single use across replicas.
//! A new sign-in (new Zoho grant) takes effect at once for a user context
//! already cached, on the replica that handled the callback and on the
//! others (store version check on every OAuth-authenticated request).
//!
//! The SQLite tests run two servers on one database file; the PostgreSQL one
//! runs when `SDP_MCP_TEST_DATABASE_URL` is set (a fresh schema).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod oauth_support;
mod replicas_support;

use std::sync::Arc;

use axum::http::{StatusCode, header};
use oauth_support::{Harness, McpClient, REDIRECT_URI, hidden, location};
use sdp_mcp_server::oauth::OAuthConfig;
use sdp_mcp_server::{Config, EnvSource, Server};
use sdp_mcp_store::{SdpAuth, SqlStore, Store, StoreOptions, UserId};
use sdp_sim::directory::{DEMO_WEB_CLIENT_ID, DEMO_WEB_CLIENT_SECRET};
use sdp_sim::{SimHandle, Simulator};
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Two servers (A and B) sharing one store, one public base URL (A's, as a
/// load balancer would present) and one simulator.
struct TwoReplicas {
    sim: SimHandle,
    /// Replica A's URL: also the issuer and public base of both.
    a: String,
    /// Replica B's URL.
    b: String,
    store: Arc<dyn Store>,
    http: reqwest::Client,
    shutdown: CancellationToken,
}

impl Drop for TwoReplicas {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl TwoReplicas {
    /// `stores` are the two replicas' own store handles on one database.
    async fn start(stores: [Arc<dyn Store>; 2]) -> Self {
        let sim = Simulator::builder()
            .users(3)
            .portals(1)
            .spawn(TcpListener::bind("127.0.0.1:0").await.unwrap())
            .await
            .unwrap();
        let listeners = [
            TcpListener::bind("127.0.0.1:0").await.unwrap(),
            TcpListener::bind("127.0.0.1:0").await.unwrap(),
        ];
        let urls: Vec<String> = listeners
            .iter()
            .map(|l| format!("http://{}", l.local_addr().unwrap()))
            .collect();
        let mut oauth = OAuthConfig::new(
            urls[0].clone(),
            DEMO_WEB_CLIENT_ID,
            SecretString::from(DEMO_WEB_CLIENT_SECRET),
            sim.base_url(),
        );
        oauth.sdp_base_url = Some(sim.base_url().to_owned());
        oauth.portal = Some(sim.directory().default_portal().to_owned());
        oauth.allowed_domains = vec!["zylker.test".to_owned()];
        let shutdown = CancellationToken::new();
        for (listener, store) in listeners.into_iter().zip(stores.iter()) {
            let mut config = Config::multi_user_from_env(&EnvSource::from_vars([(
                "SDP_MCP_RATE_LIMIT_PER_MINUTE",
                "0",
            )]))
            .unwrap();
            // Both answer for the shared public host (127.0.0.1 on any port).
            config.http.allowed_hosts = Some(vec!["127.0.0.1".to_owned()]);
            let server = Server::builder(config)
                .store(store.clone())
                .oauth(oauth.clone())
                .build()
                .unwrap();
            tokio::spawn(server.run(listener, shutdown.clone().cancelled_owned()));
        }
        Self {
            sim,
            a: urls[0].clone(),
            b: urls[1].clone(),
            store: stores[0].clone(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            shutdown,
        }
    }

    async fn register(&self) -> McpClient {
        let answer = self
            .http
            .post(format!("{}/register", self.a))
            .json(&json!({ "client_name": "Replica client", "redirect_uris": [REDIRECT_URI] }))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::CREATED);
        let body: Value = answer.json().await.unwrap();
        let verifier = "v".repeat(43);
        let challenge = {
            use base64::Engine as _;
            use sha2::Digest as _;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(sha2::Sha256::digest(verifier.as_bytes()))
        };
        McpClient {
            client_id: body["client_id"].as_str().unwrap().to_owned(),
            verifier,
            challenge,
        }
    }

    /// `/authorize` and the consent on replica A, the simulated Zoho login
    /// of sim user `user_index`; returns Zoho's redirect to the callback
    /// (path and query) and the browser cookie.
    async fn start_sign_in(&self, client: &McpClient, user_index: usize) -> (String, String) {
        let mut url = url::Url::parse(&format!("{}/authorize", self.a)).unwrap();
        url.query_pairs_mut().extend_pairs([
            ("response_type", "code"),
            ("client_id", client.client_id.as_str()),
            ("redirect_uri", REDIRECT_URI),
            ("code_challenge", client.challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("state", "replica-state"),
            ("scope", "sdp"),
        ]);
        let page = self.http.get(url).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let cookie = page.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let html = page.text().await.unwrap();
        let to_zoho = self
            .http
            .post(format!("{}/authorize", self.a))
            .header(header::COOKIE, &cookie)
            .form(&[
                ("pending", hidden(&html, "pending")),
                ("csrf", hidden(&html, "csrf")),
                ("decision", "approve".to_owned()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(to_zoho.status(), StatusCode::SEE_OTHER);
        let zoho_url = url::Url::parse(location(&to_zoho)).unwrap();
        let user = &self.sim.directory().users[user_index];
        let mut form: Vec<(String, String)> = zoho_url.query_pairs().into_owned().collect();
        form.push(("step".to_owned(), "login".to_owned()));
        form.push(("email".to_owned(), user.email.clone()));
        form.push(("password".to_owned(), user.password.clone()));
        let auth = format!("{}/oauth/v2/auth", self.sim.base_url());
        let consent = self.http.post(&auth).form(&form).send().await.unwrap();
        assert_eq!(consent.status(), StatusCode::OK);
        let consent_html = consent.text().await.unwrap();
        let back = self
            .http
            .post(&auth)
            .form(&[
                ("step", "consent".to_owned()),
                ("ticket", hidden(&consent_html, "ticket")),
                ("decision", "accept".to_owned()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(back.status(), StatusCode::FOUND);
        let callback = location(&back)
            .strip_prefix(&self.a)
            .expect("Zoho returns to the public base")
            .to_owned();
        assert!(callback.starts_with("/oauth/zoho/callback?"), "{callback}");
        (callback, cookie)
    }

    /// Zoho's callback delivered to `base` (a replica).
    async fn callback(&self, base: &str, path: &str, cookie: &str) -> reqwest::Response {
        self.http
            .get(format!("{base}{path}"))
            .header(header::COOKIE, cookie)
            .send()
            .await
            .unwrap()
    }

    /// A complete sign-in: started on A, called back on B, code exchanged
    /// on B. Returns the MCP access token.
    async fn sign_in_across(&self, client: &McpClient, user_index: usize) -> String {
        let (callback, cookie) = self.start_sign_in(client, user_index).await;
        let done = self.callback(&self.b, &callback, &cookie).await;
        assert_eq!(done.status(), StatusCode::FOUND);
        let target = url::Url::parse(location(&done)).unwrap();
        assert!(target.as_str().starts_with(REDIRECT_URI), "{target}");
        let query: std::collections::HashMap<String, String> =
            target.query_pairs().into_owned().collect();
        assert_eq!(query["state"], "replica-state");
        let tokens: Value = self
            .http
            .post(format!("{}/token", self.b))
            .form(&[
                ("grant_type", "authorization_code"),
                ("client_id", client.client_id.as_str()),
                ("code", query["code"].as_str()),
                ("redirect_uri", REDIRECT_URI),
                ("code_verifier", client.verifier.as_str()),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        tokens["access_token"].as_str().expect("tokens").to_owned()
    }
}

/// `list_requests` on `base` as `token`; the tool result.
async fn list_requests(base: &str, token: &str) -> Value {
    let http = replicas_support::client();
    replicas_support::try_call(
        &http,
        base,
        token,
        "list_requests",
        json!({"page_size": 2}),
        false,
    )
    .await
    .unwrap()
}

/// The user's stored Zoho refresh token (decrypted).
async fn zoho_refresh_token(store: &dyn Store, user_id: &UserId) -> String {
    let credentials = store.load_credentials(user_id).await.unwrap().unwrap();
    let SdpAuth::CloudOAuth { refresh_token, .. } = credentials.auth else {
        panic!("cloud credentials expected");
    };
    refresh_token.expose_secret().to_owned()
}

/// Revokes a Zoho token at the simulator, as a user or an admin would.
async fn revoke_at_zoho(sim: &SimHandle, token: &str) {
    let answer = reqwest::Client::new()
        .post(format!("{}/oauth/v2/token/revoke", sim.base_url()))
        .query(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{}", answer.status());
}

async fn user_of(h: &TwoReplicas, index: usize) -> UserId {
    let email = &h.sim.directory().users[index].email;
    h.store.get_user_by_name(email).await.unwrap().unwrap().id
}

/// The whole scenario on two replicas sharing a store.
async fn sign_in_across_replicas(h: &TwoReplicas) {
    let client = h.register().await;

    // A sign-in started on A completes on B; the token works on both.
    let token = h.sign_in_across(&client, 1).await;
    for base in [&h.a, &h.b] {
        let listed = list_requests(base, &token).await;
        assert_ne!(listed["isError"], true, "{listed}");
    }

    // Zoho's callback is single use across replicas: replaying it on A (or
    // B) finds nothing.
    let (callback, cookie) = h.start_sign_in(&client, 1).await;
    let first = h.callback(&h.b, &callback, &cookie).await;
    assert_eq!(first.status(), StatusCode::FOUND);
    for base in [&h.a, &h.b] {
        let replay = h.callback(base, &callback, &cookie).await;
        assert_eq!(replay.status(), StatusCode::BAD_REQUEST);
        assert!(replay.text().await.unwrap().contains("Sign-in expired"));
    }
    // Another browser (no cookie) cannot complete a sign-in started here,
    // on either replica.
    let (callback, _cookie) = h.start_sign_in(&client, 1).await;
    let stolen = h
        .callback(&h.a, &callback, "sdp_mcp_oauth=someone-else")
        .await;
    assert_eq!(stolen.status(), StatusCode::BAD_REQUEST);

    // Re-sign-in across replicas: A has the user's context cached; the old
    // Zoho grant is revoked at Zoho; the user signs in again (callback on
    // B); the next call on A uses the new grant at once.
    let user_id = user_of(h, 1).await;
    let old_grant = zoho_refresh_token(h.store.as_ref(), &user_id).await;
    assert_ne!(list_requests(&h.a, &token).await["isError"], true);
    revoke_at_zoho(&h.sim, &old_grant).await;
    let new_token = h.sign_in_across(&client, 1).await;
    assert_ne!(
        zoho_refresh_token(h.store.as_ref(), &user_id).await,
        old_grant
    );
    for (base, token) in [(&h.a, &token), (&h.a, &new_token), (&h.b, &new_token)] {
        let listed = list_requests(base, token).await;
        assert_ne!(listed["isError"], true, "{base}: {listed}");
    }
}

async fn sqlite_store(dir: &std::path::Path) -> Arc<dyn Store> {
    Arc::new(
        SqlStore::open(StoreOptions::new(dir, None, None).unwrap())
            .await
            .unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_started_on_one_replica_completes_on_another_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    // Two handles (two connection pools) on one database file, as two
    // processes on one host would have.
    let first = sqlite_store(dir.path()).await;
    let second = sqlite_store(dir.path()).await;
    let h = TwoReplicas::start([first, second]).await;
    sign_in_across_replicas(&h).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_started_on_one_replica_completes_on_another_postgres() {
    let Some(schema) = replicas_support::PgSchema::create(
        "sign_in_started_on_one_replica_completes_on_another_postgres",
    )
    .await
    else {
        return;
    };
    let h = TwoReplicas::start([schema.open_store().await, schema.open_store().await]).await;
    sign_in_across_replicas(&h).await;
    drop(h);
    schema.drop_schema().await;
}

/// One server: the user signs in and calls a tool (context cached, Zoho
/// access token cached in memory); the Zoho grant is revoked; the user signs
/// in again; the next call succeeds at once (no idle eviction needed).
#[tokio::test]
async fn re_sign_in_replaces_a_cached_context_at_once() {
    let h = Harness::start(|_| {}).await;
    let client = h.register().await;
    let first = h.sign_in(&client, 2).await;
    let (_, tokens) = h.exchange(&client, &first["code"]).await;
    let token = tokens["access_token"].as_str().unwrap().to_owned();
    let (status, listed) = h
        .call_tool(&token, "list_requests", json!({"page_size": 2}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(listed["isError"], true, "{listed}");
    let user_id: UserId = h.call_resource(&token).await.1.unwrap().parse().unwrap();
    let old_grant = zoho_refresh_token(h.store.as_ref(), &user_id).await;
    revoke_at_zoho(&h.sim, &old_grant).await;

    let second = h.sign_in(&client, 2).await;
    let (_, tokens) = h.exchange(&client, &second["code"]).await;
    let new_token = tokens["access_token"].as_str().unwrap().to_owned();
    assert_ne!(
        zoho_refresh_token(h.store.as_ref(), &user_id).await,
        old_grant
    );
    for token in [&new_token, &token] {
        let (status, listed) = h
            .call_tool(token, "list_requests", json!({"page_size": 2}))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_ne!(listed["isError"], true, "{listed}");
    }
    h.stop().await;
}
