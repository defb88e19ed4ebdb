#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Token management against the simulator: transparent refresh on 4022,
//! single-flight under concurrency, Zoho's throttle without a retry storm,
//! revoked refresh tokens, on-prem technician keys.

mod support;

use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
use sdp_client::{
    AuthError, ExposeSecret, ListInfo, RefreshPolicy, SdpError, SecretString, StaticToken,
    TokenSource, ZohoCredentials, ZohoTokenSource,
};
use sdp_sim::{Simulator, ThrottleStatus};
use support::*;

const TOKEN_ENDPOINT: &str = "POST /oauth/v2/token";

#[tokio::test]
async fn expired_token_is_refreshed_transparently_once() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let (client, tokens) = client_for(&sim, &alice);
    client
        .requests()
        .list(&ListInfo::new().row_count(5))
        .await
        .unwrap();
    assert_eq!(sim.state().counters.grants_for(&alice.refresh_token), 1);
    let first = tokens.cached().unwrap().0;

    // The simulator's clock moves past the token's lifetime; our cache still
    // believes the token is fresh, so SDP's 4022 drives the refresh.
    sim.state().clock.advance(Duration::from_secs(3601));
    let page = client
        .requests()
        .list(&ListInfo::new().row_count(5))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 5);
    assert_eq!(sim.state().counters.grants_for(&alice.refresh_token), 2);
    assert_ne!(
        tokens.cached().unwrap().0.expose_secret(),
        first.expose_secret()
    );
}

#[tokio::test]
async fn hundred_concurrent_calls_with_an_expired_token_refresh_once() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let (client, _tokens) = client_for(&sim, &alice);
    client
        .requests()
        .list(&ListInfo::new().row_count(1))
        .await
        .unwrap();
    assert_eq!(sim.state().counters.grants_for(&alice.refresh_token), 1);
    sim.state().clock.advance(Duration::from_secs(7200));

    let calls = (0..100).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.requests().list(&ListInfo::new().row_count(1)).await })
    });
    for result in join_all(calls).await {
        result.unwrap().unwrap();
    }
    assert_eq!(sim.state().counters.grants_for(&alice.refresh_token), 2);
}

#[tokio::test]
async fn hundred_concurrent_first_calls_mint_one_token() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let tokens = zoho_source(&sim, &alice);
    let calls = (0..100).map(|_| {
        let tokens = tokens.clone();
        tokio::spawn(async move {
            tokens
                .access_token()
                .await
                .map(|t| t.expose_secret().to_owned())
        })
    });
    let minted: Vec<String> = join_all(calls)
        .await
        .into_iter()
        .map(|r| r.unwrap().unwrap())
        .collect();
    assert!(minted.iter().all(|t| t == &minted[0]));
    assert_eq!(sim.state().counters.grants_for(&alice.refresh_token), 1);
    assert_eq!(tokens.refresh_attempts(), 1);
}

async fn throttle_without_storm(throttle: ThrottleStatus) {
    let sim = spawn(
        Simulator::builder()
            .users(2)
            .portals(1)
            .throttle_status(throttle),
    )
    .await;
    let alice = user(&sim, 0);
    let tokens = zoho_source_with(&sim, &alice, RefreshPolicy::default());
    let client = cloud_client(&sim, &alice, tokens.clone());

    // Ten refreshes are allowed in Zoho's rolling ten minutes…
    for _ in 0..10 {
        let token = tokens.access_token().await.unwrap();
        tokens.invalidate(&token);
    }
    assert_eq!(sim.state().counters.grants_for(&alice.refresh_token), 10);
    assert_eq!(sim.state().counters.calls(TOKEN_ENDPOINT), 10);

    // …the eleventh is throttled and reported clearly.
    let error = tokens.access_token().await.unwrap_err();
    let AuthError::Throttled { retry_after } = error else {
        panic!("expected Throttled, got {error:?}");
    };
    assert!(retry_after >= Duration::from_secs(59), "{retry_after:?}");
    assert_eq!(sim.state().counters.calls(TOKEN_ENDPOINT), 11);

    // Many more calls during the cool-down: no further token request at all.
    let calls = (0..50).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.requests().list(&ListInfo::new().row_count(1)).await })
    });
    for result in join_all(calls).await {
        let error = result.unwrap().unwrap_err();
        assert!(
            matches!(error, SdpError::Auth(AuthError::Throttled { .. })),
            "{error:?}"
        );
        let text = error.human_message();
        assert!(text.contains("too many token requests"), "{text}");
        assert!(error.retry_after().is_some());
    }
    assert_eq!(sim.state().counters.calls(TOKEN_ENDPOINT), 11);
    assert_eq!(sim.state().counters.grants_for(&alice.refresh_token), 10);
    assert_eq!(tokens.refresh_attempts(), 11);
}

#[tokio::test]
async fn eleventh_refresh_is_throttled_without_a_retry_storm_http_200() {
    throttle_without_storm(ThrottleStatus::Ok200).await;
}

#[tokio::test]
async fn eleventh_refresh_is_throttled_without_a_retry_storm_http_400() {
    throttle_without_storm(ThrottleStatus::BadRequest400).await;
}

#[tokio::test]
async fn revoked_refresh_token_asks_to_reauthorize() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let tokens = Arc::new(ZohoTokenSource::new(
        ZohoCredentials {
            refresh_token: SecretString::from(
                "1000.00000000000000000000000000000000.00000000000000000000000000000000".to_owned(),
            ),
            ..credentials(&sim, &alice)
        },
        http(),
    ));
    let client = cloud_client(&sim, &alice, tokens.clone());
    let error = client.requests().list(&ListInfo::new()).await.unwrap_err();
    assert!(
        matches!(error, SdpError::Auth(AuthError::InvalidRefreshToken)),
        "{error:?}"
    );
    assert!(error.human_message().contains("re-authorize"));
    // Cool-down: a second call does not ask Zoho again.
    let calls_before = sim.state().counters.calls(TOKEN_ENDPOINT);
    client.requests().list(&ListInfo::new()).await.unwrap_err();
    assert_eq!(sim.state().counters.calls(TOKEN_ENDPOINT), calls_before);
}

#[tokio::test]
async fn wrong_client_secret_is_reported() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let tokens = ZohoTokenSource::new(
        ZohoCredentials {
            client_secret: SecretString::from("wrong".to_owned()),
            ..credentials(&sim, &alice)
        },
        http(),
    );
    let error = tokens.access_token().await.unwrap_err();
    assert!(
        matches!(
            error,
            AuthError::InvalidClientSecret | AuthError::InvalidClient
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn static_token_rejected_fails_without_looping() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let tokens = Arc::new(StaticToken::new(SecretString::from(
        "1000.deadbeef.deadbeef".to_owned(),
    )));
    let endpoint = sdp_client::Endpoint::cloud(&sim.portal_url(&alice.portal), None).unwrap();
    let client =
        sdp_client::SdpClient::new(sdp_client::SdpClientConfig::new(endpoint), tokens, http());
    let error = client.requests().list(&ListInfo::new()).await.unwrap_err();
    assert_eq!(error.status_code(), Some(4022), "{error:?}");
    assert!(
        error.human_message().contains("credentials"),
        "{}",
        error.human_message()
    );
}

#[tokio::test]
async fn on_prem_mode_uses_api_v3_and_the_technician_key() {
    let sim = sim().await;
    let alice = user(&sim, 0);
    let client = on_prem_client(&sim, &alice);
    let page = client
        .requests()
        .list(&ListInfo::new().row_count(3))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 3);
    let request = client
        .requests()
        .get(page.items[0].id.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(request.id, page.items[0].id);
    // No OAuth at all.
    assert_eq!(sim.state().counters.total_grants(), 0);

    // A wrong key is refused and not retried in a loop.
    let wrong = sdp_client::SdpClient::new(
        client.config().clone(),
        Arc::new(sdp_client::OnPremApiKey::new(SecretString::from(
            "WRONGKEY".to_owned(),
        ))),
        http(),
    );
    let error = wrong.requests().list(&ListInfo::new()).await.unwrap_err();
    assert!(
        matches!(error, SdpError::Api(_) | SdpError::Unauthorized { .. }),
        "{error:?}"
    );
}
