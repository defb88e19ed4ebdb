//! A self-contained OAuth sign-in demo for the browser test
//! (`scripts/oauth-browser.sh`): the simulator (Zoho + SDP), a store in a
//! temporary directory, the OAuth routes, and a stand-in `/mcp` resource that
//! checks bearer tokens as the auth layer does and answers with the user and
//! their first page of SDP requests (fetched with the stored Zoho grant).
//!
//! Prints one JSON line `{"base": …, "sim": …}` and serves until killed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write as _;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sdp_client::{
    Endpoint, ListInfo, SdpClient, SdpClientConfig, ZohoCredentials, ZohoTokenSource,
};
use sdp_mcp_server::oauth::{self, OAuthConfig, OAuthState, OAuthVerifier};
use sdp_mcp_store::{SdpAuth, SqlStore, Store, StoreOptions, UserId};
use sdp_sim::Simulator;
use sdp_sim::directory::{DEMO_WEB_CLIENT_ID, DEMO_WEB_CLIENT_SECRET};
use secrecy::SecretString;
use serde_json::json;
use tokio::net::TcpListener;

#[derive(Clone)]
struct Resource {
    verifier: OAuthVerifier,
    store: Arc<dyn Store>,
}

async fn resource(State(state): State<Resource>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let verified = match token {
        Some(token) => state.verifier.verify(token).await.unwrap(),
        None => None,
    };
    let Some(verified) = verified else {
        let error = token.map(|_| "invalid_token");
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, state.verifier.challenge(error))],
        )
            .into_response();
    };
    let user_id: UserId = verified.user_id.parse().unwrap();
    let user = state.store.get_user(&user_id).await.unwrap().unwrap();
    let credentials = state
        .store
        .load_credentials(&user_id)
        .await
        .unwrap()
        .unwrap();
    let SdpAuth::CloudOAuth {
        client_id,
        client_secret,
        refresh_token,
        ..
    } = credentials.auth
    else {
        panic!("cloud credentials expected");
    };
    let http = reqwest::Client::new();
    let tokens = ZohoTokenSource::new(
        ZohoCredentials {
            client_id: client_id.unwrap(),
            client_secret: client_secret.unwrap(),
            refresh_token,
            accounts_url: credentials.accounts_url.unwrap(),
        },
        http.clone(),
    );
    let endpoint = Endpoint::cloud(
        &credentials.base_url.unwrap(),
        credentials.instance.as_deref(),
    )
    .unwrap();
    let sdp = SdpClient::new(SdpClientConfig::new(endpoint), Arc::new(tokens), http);
    let requests = sdp.requests().list(&ListInfo::default()).await.unwrap();
    axum::Json(json!({
        "user_id": verified.user_id,
        "email": user.email,
        "auth_method": user.auth_method.to_string(),
        "requests": requests.items.len(),
    }))
    .into_response()
}

#[tokio::main]
async fn main() {
    let sim = Simulator::builder()
        .users(3)
        .portals(1)
        .spawn(TcpListener::bind("127.0.0.1:0").await.unwrap())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(
        SqlStore::open(StoreOptions::new(dir.path(), None, None).unwrap())
            .await
            .unwrap(),
    );
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
    let state = OAuthState::new(config, store.clone(), reqwest::Client::new());
    let app = oauth::router(state.clone()).merge(
        axum::Router::new()
            .route("/mcp", axum::routing::any(resource))
            .with_state(Resource {
                verifier: state.verifier(),
                store,
            }),
    );
    let user = &sim.directory().users[0];
    let line = json!({
        "base": base,
        "sim": sim.base_url(),
        "email": user.email,
        "password": user.password,
    });
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{line}").unwrap();
    stdout.flush().unwrap();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .unwrap();
    drop(dir);
}
