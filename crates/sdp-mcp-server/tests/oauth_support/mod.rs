//! Harness of the OAuth tests: a simulator, a store in a temp dir, the OAuth
//! router on port 0 next to a stand-in `/mcp` resource route that checks
//! bearer tokens exactly as the auth layer should, and a scripted browser +
//! MCP client (reqwest, no redirect following, cookies by hand).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sdp_mcp_server::oauth::{self, OAuthConfig, OAuthState, OAuthVerifier};
use sdp_mcp_store::{SqlStore, Store, StoreOptions};
use sdp_sim::directory::{DEMO_WEB_CLIENT_ID, DEMO_WEB_CLIENT_SECRET};
use sdp_sim::{SimHandle, Simulator};
use secrecy::SecretString;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;

/// The client's (never served) loopback redirect URI.
pub const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";

/// Everything a test talks to.
pub struct Harness {
    pub sim: SimHandle,
    pub store: Arc<dyn Store>,
    pub base: String,
    pub http: reqwest::Client,
    pub state: OAuthState,
    _dir: tempfile::TempDir,
}

/// A registered public client with a PKCE pair.
pub struct McpClient {
    pub client_id: String,
    pub verifier: String,
    pub challenge: String,
}

/// The redirect to the MCP client's redirect URI, parsed.
pub type Query = HashMap<String, String>;

/// Stand-in for the MCP endpoint behind the auth layer: 401 with the
/// challenge, or 200 with the token's user.
async fn resource(State(verifier): State<OAuthVerifier>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = token else {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, verifier.challenge(None))],
        )
            .into_response();
    };
    match verifier.verify(token).await.unwrap() {
        Some(verified) => axum::Json(json!({ "user_id": verified.user_id })).into_response(),
        None => (
            StatusCode::UNAUTHORIZED,
            [(
                header::WWW_AUTHENTICATE,
                verifier.challenge(Some("invalid_token")),
            )],
        )
            .into_response(),
    }
}

impl Harness {
    /// Starts everything; `allow` adjusts the configuration (allow-lists).
    pub async fn start(adjust: impl FnOnce(&mut OAuthConfig)) -> Self {
        let sim = Simulator::builder()
            .users(3)
            .portals(1)
            .spawn(TcpListener::bind("127.0.0.1:0").await.unwrap())
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let options = StoreOptions::new(dir.path(), None, None).unwrap();
        let store: Arc<dyn Store> = Arc::new(SqlStore::open(options).await.unwrap());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mut config = OAuthConfig::new(
            base.clone(),
            DEMO_WEB_CLIENT_ID,
            SecretString::from(DEMO_WEB_CLIENT_SECRET),
            sim.base_url(),
        );
        config.sdp_base_url = Some(sim.base_url().to_owned());
        config.portal = Some(sim.directory().default_portal().to_owned());
        config.allowed_domains = vec!["zylker.test".to_owned()];
        adjust(&mut config);
        let state = OAuthState::new(config, store.clone(), reqwest::Client::new());
        let app = oauth::router(state.clone()).merge(
            axum::Router::new()
                .route("/mcp", axum::routing::any(resource))
                .with_state(state.verifier()),
        );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            sim,
            store,
            base,
            http,
            state,
            _dir: dir,
        }
    }

    /// `POST /register` with `redirect_uris`; the raw answer.
    pub async fn register_raw(&self, redirect_uris: &[&str]) -> reqwest::Response {
        self.http
            .post(format!("{}/register", self.base))
            .json(&json!({ "client_name": "Test <MCP> client", "redirect_uris": redirect_uris }))
            .send()
            .await
            .unwrap()
    }

    /// Registers a public client for [`REDIRECT_URI`] and makes a PKCE pair.
    pub async fn register(&self) -> McpClient {
        let answer = self.register_raw(&[REDIRECT_URI]).await;
        assert_eq!(answer.status(), StatusCode::CREATED);
        let body: Value = answer.json().await.unwrap();
        assert!(body.get("client_secret").is_none());
        let verifier = URL_SAFE_NO_PAD.encode(rand_bytes());
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        McpClient {
            client_id: body["client_id"].as_str().unwrap().to_owned(),
            verifier,
            challenge,
        }
    }

    /// The `/authorize` URL of `client` with `extra` parameters overriding.
    pub fn authorize_url(&self, client: &McpClient, extra: &[(&str, &str)]) -> String {
        let resource = format!("{}/mcp", self.base);
        let mut params: Vec<(&str, &str)> = vec![
            ("response_type", "code"),
            ("client_id", &client.client_id),
            ("redirect_uri", REDIRECT_URI),
            ("code_challenge", &client.challenge),
            ("code_challenge_method", "S256"),
            ("state", "client-state-123"),
            ("scope", "sdp"),
            ("resource", &resource),
        ];
        for (key, value) in extra {
            params.retain(|(k, _)| k != key);
            params.push((key, value));
        }
        let mut url = url::Url::parse(&format!("{}/authorize", self.base)).unwrap();
        url.query_pairs_mut().extend_pairs(params);
        url.to_string()
    }

    /// Drives the browser part for sim user `user_index`: consent page,
    /// Zoho login and consent, callback. Returns the final redirect's query.
    pub async fn sign_in(&self, client: &McpClient, user_index: usize) -> Query {
        let page = self
            .http
            .get(self.authorize_url(client, &[]))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(page.headers()[header::X_FRAME_OPTIONS], "DENY");
        let csp = page.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        let cookie = page.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let html = page.text().await.unwrap();
        assert!(html.contains("Test &lt;MCP&gt; client"), "{html}");
        assert!(html.contains(REDIRECT_URI), "{html}");
        let to_zoho = self
            .http
            .post(format!("{}/authorize", self.base))
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
        assert!(
            zoho_url.as_str().starts_with(self.sim.base_url()),
            "{zoho_url}"
        );
        let query: Query = zoho_url.query_pairs().into_owned().collect();
        assert_eq!(query["access_type"], "offline");
        assert_eq!(query["prompt"], "consent");
        let login_page = self.http.get(zoho_url.clone()).send().await.unwrap();
        assert_eq!(login_page.status(), StatusCode::OK);
        let user = &self.sim.directory().users[user_index];
        let mut form: Vec<(String, String)> = zoho_url.query_pairs().into_owned().collect();
        form.push(("step".to_owned(), "login".to_owned()));
        form.push(("email".to_owned(), user.email.clone()));
        form.push(("password".to_owned(), user.password.clone()));
        let consent = self
            .http
            .post(format!("{}/oauth/v2/auth", self.sim.base_url()))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(consent.status(), StatusCode::OK);
        let consent_html = consent.text().await.unwrap();
        let back = self
            .http
            .post(format!("{}/oauth/v2/auth", self.sim.base_url()))
            .form(&[
                ("step", "consent".to_owned()),
                ("ticket", hidden(&consent_html, "ticket")),
                ("decision", "accept".to_owned()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(back.status(), StatusCode::FOUND);
        let callback = location(&back).to_owned();
        assert!(callback.starts_with(&format!("{}/oauth/zoho/callback", self.base)));
        let done = self
            .http
            .get(callback)
            .header(header::COOKIE, &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(done.status(), StatusCode::FOUND);
        let target = url::Url::parse(location(&done)).unwrap();
        assert!(target.as_str().starts_with(REDIRECT_URI), "{target}");
        target.query_pairs().into_owned().collect()
    }

    /// `POST /token` with `form`; status and JSON body.
    pub async fn token(&self, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let answer = self
            .http
            .post(format!("{}/token", self.base))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = answer.status();
        (status, answer.json().await.unwrap())
    }

    /// Exchanges `code` for `client` (with its own verifier).
    pub async fn exchange(&self, client: &McpClient, code: &str) -> (StatusCode, Value) {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("client_id", &client.client_id),
            ("code", code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", &client.verifier),
        ])
        .await
    }

    /// Status of `GET /mcp` with `token`, and the user id on success.
    pub async fn call_resource(&self, token: &str) -> (StatusCode, Option<String>) {
        let answer = self
            .http
            .get(format!("{}/mcp", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = answer.status();
        let body: Value = answer.json().await.unwrap_or(Value::Null);
        (status, body["user_id"].as_str().map(str::to_owned))
    }
}

fn rand_bytes() -> [u8; 32] {
    rand::random()
}

/// The `Location` header.
pub fn location(response: &reqwest::Response) -> &str {
    response.headers()[header::LOCATION].to_str().unwrap()
}

/// The value of the hidden input `name` in `html`.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}
