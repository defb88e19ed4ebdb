#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The authorization-code side of Zoho OAuth: authorize URL, code exchange
//! errors, revocation.

mod support;

use sdp_client::{
    AuthError, AuthorizeRequest, CodeExchange, DataCenter, SecretString, TokenSource,
    exchange_code, revoke_token,
};
use support::*;

#[test]
fn authorize_url_carries_every_parameter() {
    let request = AuthorizeRequest {
        client_id: "1000.ABC".into(),
        redirect_uri: "http://127.0.0.1:8080/oauth/zoho/callback".into(),
        scopes: vec![
            "SDPOnDemand.requests.ALL".into(),
            "SDPOnDemand.setup.READ".into(),
        ],
        state: Some("s t".into()),
        offline: true,
        force_consent: true,
    };
    let url = request.url(&DataCenter::Eu.accounts_url()).unwrap();
    assert_eq!(url.host_str(), Some("accounts.zoho.eu"));
    assert_eq!(url.path(), "/oauth/v2/auth");
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("response_type"), Some("code"));
    assert_eq!(get("client_id"), Some("1000.ABC"));
    assert_eq!(
        get("redirect_uri"),
        Some("http://127.0.0.1:8080/oauth/zoho/callback")
    );
    assert_eq!(
        get("scope"),
        Some("SDPOnDemand.requests.ALL,SDPOnDemand.setup.READ")
    );
    assert_eq!(get("access_type"), Some("offline"));
    assert_eq!(get("prompt"), Some("consent"));
    assert_eq!(get("state"), Some("s t"));
}

#[tokio::test]
async fn a_bad_code_asks_to_sign_in_again() {
    let sim = sim().await;
    let client = &sim.directory().web_clients[0];
    let secret = SecretString::from(client.client_secret.clone());
    let error = exchange_code(
        &http(),
        &CodeExchange {
            accounts_url: sim.base_url(),
            client_id: &client.client_id,
            client_secret: &secret,
            code: "1000.not-a-code",
            redirect_uri: Some("http://127.0.0.1:9/callback"),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(error, AuthError::InvalidAuthorizationCode);
    assert!(error.human_message().contains("sign-in again"));
}

#[tokio::test]
async fn revoking_the_refresh_token_stops_refreshes() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let tokens = zoho_source(&sim, &alice);
    tokens.access_token().await.unwrap();
    revoke_token(
        &http(),
        sim.base_url(),
        &SecretString::from(alice.refresh_token.clone()),
    )
    .await
    .unwrap();
    let fresh = zoho_source(&sim, &alice);
    assert_eq!(
        fresh.access_token().await.unwrap_err(),
        AuthError::InvalidRefreshToken
    );
    let again = revoke_token(
        &http(),
        sim.base_url(),
        &SecretString::from("1000.unknown".to_owned()),
    )
    .await;
    assert!(again.is_err());
}
