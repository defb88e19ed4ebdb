//! End to end against the real server (multi-user mode with OAuth sign-in):
//! an MCP client discovers, registers, authorizes with PKCE, the "browser"
//! signs in at the simulated Zoho, and the client's tokens call tools over
//! `/mcp` as that Zoho user, whose refresh token now sits encrypted in the
//! store and reaches the configured SDP portal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod oauth_support;

use std::sync::Arc;

use axum::http::{StatusCode, header};
use oauth_support::Harness;
use sdp_client::{
    Endpoint, ListInfo, SdpClient, SdpClientConfig, ZohoCredentials, ZohoTokenSource,
};
use sdp_mcp_store::{AuthMethod, SdpAuth, UserId};
use serde_json::{Value, json};

#[tokio::test]
async fn discovery_registration_sign_in_and_tokens() {
    let h = Harness::start(|_| {}).await;

    // 1. Unauthenticated call: 401 pointing at the protected-resource metadata.
    let challenge = h.http.post(format!("{}/mcp", h.base)).send().await.unwrap();
    assert_eq!(challenge.status(), StatusCode::UNAUTHORIZED);
    let www = challenge.headers()[header::WWW_AUTHENTICATE]
        .to_str()
        .unwrap();
    assert_eq!(www, h.challenge(None));
    let prm_url = format!("{}/.well-known/oauth-protected-resource/mcp", h.base);
    assert!(
        www.contains(&format!("resource_metadata=\"{prm_url}\"")),
        "{www}"
    );

    // 2. Protected-resource metadata (both locations), then AS metadata.
    for url in [
        prm_url.clone(),
        format!("{}/.well-known/oauth-protected-resource", h.base),
    ] {
        let prm: Value = h.http.get(url).send().await.unwrap().json().await.unwrap();
        assert_eq!(prm["resource"], format!("{}/mcp", h.base));
        assert_eq!(prm["authorization_servers"][0], h.base);
        assert_eq!(prm["bearer_methods_supported"][0], "header");
    }
    let asm: Value = h
        .http
        .get(format!("{}/.well-known/oauth-authorization-server", h.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(asm["issuer"], h.base);
    assert_eq!(asm["code_challenge_methods_supported"][0], "S256");
    assert_eq!(asm["registration_endpoint"], format!("{}/register", h.base));
    assert_eq!(asm["authorization_response_iss_parameter_supported"], true);

    // 3. Registration, browser sign-in as the sim's second user.
    let client = h.register().await;
    let redirect = h.sign_in(&client, 1).await;
    assert_eq!(redirect["state"], "client-state-123");
    assert_eq!(redirect["iss"], h.base);
    let code = &redirect["code"];

    // 4. Token exchange.
    let (status, tokens) = h.exchange(&client, code).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();
    assert!(
        access.len() >= 43 && !access.contains("1000."),
        "not a Zoho token"
    );

    // 5. `/mcp` accepts the token as the Zoho user: whoami, then list_requests
    //    on the configured portal.
    let (status, user_id) = h.call_resource(access).await;
    assert_eq!(status, StatusCode::OK);
    let (status, listed) = h
        .call_tool(access, "list_requests", json!({"page_size": 3}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(listed["isError"], true, "{listed}");
    let requests = listed["structuredContent"]["requests"].as_array().unwrap();
    assert!(!requests.is_empty(), "{listed}");
    let user_id: UserId = user_id.unwrap().parse().unwrap();
    let zoho_user = &h.sim.directory().users[1];
    let user = h.store.get_user(&user_id).await.unwrap().unwrap();
    assert_eq!(user.auth_method, AuthMethod::OAuth);
    assert_eq!(user.email.as_deref(), Some(zoho_user.email.as_str()));
    assert_eq!(user.name, zoho_user.email);
    let audit = h.store.recent_audit(Some(&user_id), 10).await.unwrap();
    assert!(
        audit.iter().any(|r| r.event.action == "oauth.sign_in"),
        "{audit:?}"
    );

    // 6. The stored (decrypted) Zoho grant works against SDP as that user.
    let credentials = h.store.load_credentials(&user_id).await.unwrap().unwrap();
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
    let tokens_source = ZohoTokenSource::new(
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
    let sdp = SdpClient::new(
        SdpClientConfig::new(endpoint),
        Arc::new(tokens_source),
        http,
    );
    let page = sdp.requests().list(&ListInfo::default()).await.unwrap();
    assert!(!page.items.is_empty());

    // 7. Refresh rotates; the new access token works too.
    let (status, rotated) = h
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", &client.client_id),
            ("refresh_token", refresh),
        ])
        .await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    assert_ne!(rotated["refresh_token"], tokens["refresh_token"]);
    let (status, again) = h
        .call_resource(rotated["access_token"].as_str().unwrap())
        .await;
    assert_eq!((status, again), (StatusCode::OK, Some(user_id.to_string())));

    // 8. Signing in again updates the same user; revocation (RFC 7009) ends a grant.
    let second = h.sign_in(&client, 1).await;
    let (_, tokens2) = h.exchange(&client, &second["code"]).await;
    let access2 = tokens2["access_token"].as_str().unwrap();
    assert_eq!(h.call_resource(access2).await.1, Some(user_id.to_string()));
    let revoked = h
        .http
        .post(format!("{}/revoke", h.base))
        .form(&[
            ("client_id", client.client_id.as_str()),
            ("token", tokens2["refresh_token"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(h.call_resource(access2).await.0, StatusCode::UNAUTHORIZED);
    // The first grant is untouched.
    let first_access = rotated["access_token"].as_str().unwrap();
    assert_eq!(h.call_resource(first_access).await.0, StatusCode::OK);
    // A made-up token of the OAuth shape is refused with the challenge.
    assert_eq!(
        h.call_resource("sdpoa_not-a-token").await.0,
        StatusCode::UNAUTHORIZED
    );
    h.stop().await;
}
