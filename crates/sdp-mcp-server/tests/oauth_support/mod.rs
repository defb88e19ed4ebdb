//! Harness of the OAuth tests: a simulator, a store in a temp dir, the real
//! server in multi-user mode with OAuth sign-in on port 0, and a scripted
//! browser + MCP client (reqwest, no redirect following, cookies by hand)
//! that calls tools over `/mcp` with raw 2026-07-28 stateless JSON-RPC.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::{StatusCode, header};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sdp_mcp_server::oauth::OAuthConfig;
use sdp_mcp_server::{Config, EnvSource, Server, ServerError};
use sdp_mcp_store::{SqlStore, Store, StoreOptions};
use sdp_sim::directory::{DEMO_WEB_CLIENT_ID, DEMO_WEB_CLIENT_SECRET};
use sdp_sim::{SimHandle, Simulator};
use secrecy::SecretString;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The client's (never served) loopback redirect URI.
pub const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";

/// Everything a test talks to.
pub struct Harness {
    pub sim: SimHandle,
    pub store: Arc<dyn Store>,
    pub base: String,
    pub http: reqwest::Client,
    pub config: OAuthConfig,
    shutdown: CancellationToken,
    task: JoinHandle<Result<(), ServerError>>,
    _dir: tempfile::TempDir,
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// A registered public client with a PKCE pair.
pub struct McpClient {
    pub client_id: String,
    pub verifier: String,
    pub challenge: String,
}

/// The redirect to the MCP client's redirect URI, parsed.
pub type Query = HashMap<String, String>;

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
        let server_config = Config::multi_user_from_env(&EnvSource::from_vars([(
            "SDP_MCP_RATE_LIMIT_PER_MINUTE",
            "0",
        )]))
        .unwrap();
        let server = Server::builder(server_config)
            .store(store.clone())
            .oauth(config.clone())
            .build()
            .unwrap();
        assert!(server.is_multi_user());
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(server.run(listener, shutdown.clone().cancelled_owned()));
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            sim,
            store,
            base,
            http,
            config,
            shutdown,
            task,
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

    /// Calls `tool` over the real `/mcp` with `token` as the bearer (a
    /// stateless 2026-07-28 `tools/call`): the HTTP status, and the JSON-RPC
    /// `result` on 200 (else the body as a string).
    pub async fn call_tool(
        &self,
        token: &str,
        tool: &str,
        arguments: Value,
    ) -> (StatusCode, Value) {
        let response = self
            .http
            .post(format!("{}/mcp", self.base))
            .bearer_auth(token)
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2026-07-28")
            .header("mcp-method", "tools/call")
            .header("mcp-name", tool)
            .json(&json!({
                "jsonrpc": "2.0",
                "id": 1,
                "method": "tools/call",
                "params": {
                    "name": tool,
                    "arguments": arguments,
                    "_meta": {
                        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                        "io.modelcontextprotocol/clientCapabilities": {},
                        "io.modelcontextprotocol/clientInfo": {"name": "oauth-test", "version": "0"}
                    }
                }
            }))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let www = response
            .headers()
            .get(header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = response.text().await.unwrap();
        if status != StatusCode::OK {
            if status == StatusCode::UNAUTHORIZED {
                let www = www.expect("a 401 carries WWW-Authenticate");
                assert_eq!(www, self.challenge(Some("invalid_token")), "{text}");
            }
            return (status, Value::String(text));
        }
        let message: Value = if content_type.starts_with("text/event-stream") {
            text.lines()
                .filter_map(|line| line.strip_prefix("data:"))
                .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
                .find(|m| m["id"] == 1)
                .unwrap_or_else(|| panic!("no response in the stream: {text}"))
        } else {
            serde_json::from_str(&text).unwrap()
        };
        (status, message.get("result").cloned().unwrap_or(message))
    }

    /// `whoami` over the real `/mcp` with `token`: the status, and on success
    /// the MCP user (the store id of the signed-in user).
    pub async fn call_resource(&self, token: &str) -> (StatusCode, Option<String>) {
        let (status, result) = self.call_tool(token, "whoami", json!({})).await;
        if status != StatusCode::OK {
            return (status, None);
        }
        assert_ne!(result["isError"], true, "{result}");
        let who = &result["structuredContent"];
        assert_eq!(who["auth_method"], "oauth", "{result}");
        assert_eq!(
            who["portal"].as_str(),
            self.config.portal.as_deref(),
            "{result}"
        );
        (status, who["mcp_user"].as_str().map(str::to_owned))
    }

    /// The `WWW-Authenticate` challenge `/mcp` should answer with.
    pub fn challenge(&self, error: Option<&str>) -> String {
        let mut value = format!(
            "Bearer resource_metadata=\"{}/.well-known/oauth-protected-resource/mcp\", scope=\"sdp\"",
            self.base
        );
        if let Some(error) = error {
            value.push_str(", error=\"");
            value.push_str(error);
            value.push('"');
        }
        value
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) {
        self.shutdown.cancel();
        let task = std::mem::replace(&mut self.task, tokio::spawn(async { Ok(()) }));
        task.await.unwrap().unwrap();
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
