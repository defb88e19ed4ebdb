//! Shared helpers of the integration tests: an in-process simulator on
//! 127.0.0.1:0 and clients for its users.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use sdp_client::{
    Endpoint, OnPremApiKey, RefreshPolicy, RetryPolicy, SdpClient, SdpClientConfig, SecretString,
    Timeouts, ZohoCredentials, ZohoTokenSource,
};
use sdp_sim::{SimBuilder, SimHandle, SimUser, Simulator};
use tokio::net::TcpListener;

/// Spawns `builder` on an ephemeral port.
pub async fn spawn(builder: SimBuilder) -> SimHandle {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    builder.spawn(listener).await.unwrap()
}

/// A default simulator: 3 users, 2 portals.
pub async fn sim() -> SimHandle {
    spawn(Simulator::builder().users(3).portals(2)).await
}

/// User `i` of the directory.
pub fn user(sim: &SimHandle, i: usize) -> SimUser {
    sim.directory().users[i].clone()
}

/// The shared HTTP client.
pub fn http() -> reqwest::Client {
    SdpClient::build_http_client(&Timeouts::default()).unwrap()
}

/// Fast retries, so back-off tests stay short.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_millis(300),
    }
}

/// Zoho credentials of `user` at the simulator.
pub fn credentials(sim: &SimHandle, user: &SimUser) -> ZohoCredentials {
    ZohoCredentials {
        client_id: user.client_id.clone(),
        client_secret: SecretString::from(user.client_secret.clone()),
        refresh_token: SecretString::from(user.refresh_token.clone()),
        accounts_url: sim.base_url().to_owned(),
    }
}

/// A refresh-token source for `user`.
pub fn zoho_source(sim: &SimHandle, user: &SimUser) -> Arc<ZohoTokenSource> {
    Arc::new(ZohoTokenSource::new(credentials(sim, user), http()))
}

/// A refresh-token source with an explicit policy.
pub fn zoho_source_with(
    sim: &SimHandle,
    user: &SimUser,
    policy: RefreshPolicy,
) -> Arc<ZohoTokenSource> {
    Arc::new(ZohoTokenSource::with_policy(
        credentials(sim, user),
        policy,
        http(),
    ))
}

/// A cloud client for `user` on the user's portal.
pub fn cloud_client(sim: &SimHandle, user: &SimUser, tokens: Arc<ZohoTokenSource>) -> SdpClient {
    let endpoint = Endpoint::cloud(&sim.portal_url(&user.portal), None).unwrap();
    let mut config = SdpClientConfig::new(endpoint);
    config.retry = fast_retry();
    SdpClient::new(config, tokens, http())
}

/// A cloud client for `user` with a fresh token source.
pub fn client_for(sim: &SimHandle, user: &SimUser) -> (SdpClient, Arc<ZohoTokenSource>) {
    let tokens = zoho_source(sim, user);
    (cloud_client(sim, user, tokens.clone()), tokens)
}

/// An on-prem client for `user` (`/api/v3` + `authtoken`).
pub fn on_prem_client(sim: &SimHandle, user: &SimUser) -> SdpClient {
    let endpoint = Endpoint::on_prem(sim.base_url()).unwrap();
    let mut config = SdpClientConfig::new(endpoint);
    config.retry = fast_retry();
    let key = OnPremApiKey::new(SecretString::from(user.technician_key.clone()));
    SdpClient::new(config, Arc::new(key), http())
}
