//! The OAuth flow's refusals: each fails with the right OAuth error and
//! leaves nothing usable behind.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod oauth_support;

use std::time::{Duration, SystemTime};

use axum::http::StatusCode;
use oauth_support::{Harness, REDIRECT_URI, location};
use sdp_mcp_store::{NewOAuthToken, OAuthTokenKind, UserId, UserStatus};
use serde_json::Value;

#[tokio::test]
async fn registration_refuses_unsafe_redirect_uris() {
    let h = Harness::start(|_| {}).await;
    for bad in [
        "http://example.com/callback",
        "http://10.0.0.1/cb",
        "javascript:alert(1)",
        "https://example.com/cb#frag",
        "not a url",
    ] {
        let answer = h.register_raw(&[bad]).await;
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{bad}");
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body["error"], "invalid_redirect_uri", "{bad}");
    }
    for good in [
        "https://claude.ai/api/mcp/auth_callback",
        "http://localhost:33418/cb",
        "http://[::1]:8080/cb",
    ] {
        assert_eq!(h.register_raw(&[good]).await.status(), StatusCode::CREATED);
    }
    // Browser-based clients may call registration cross-origin.
    let preflight = h
        .http
        .request(reqwest::Method::OPTIONS, format!("{}/register", h.base))
        .header("origin", "http://localhost:6274")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn authorize_refuses_bad_requests() {
    let h = Harness::start(|_| {}).await;
    let client = h.register().await;
    // Unregistered redirect URI: an error page, never a redirect.
    let answer = h
        .http
        .get(h.authorize_url(&client, &[("redirect_uri", "http://127.0.0.1:9/other")]))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    // Unknown client: same.
    let mut unknown = h.register().await;
    unknown.client_id = "nope".to_owned();
    let answer = h
        .http
        .get(h.authorize_url(&unknown, &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    // Errors the client may learn go back to it with state and iss.
    for (extra, error) in [
        (
            ("resource", "https://other.example.com/mcp"),
            "invalid_target",
        ),
        (("code_challenge_method", "plain"), "invalid_request"),
        (("code_challenge", "short"), "invalid_request"),
        (("response_type", "token"), "unsupported_response_type"),
        (("scope", "admin"), "invalid_scope"),
    ] {
        let answer = h
            .http
            .get(h.authorize_url(&client, &[extra]))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::FOUND, "{extra:?}");
        let target = url::Url::parse(location(&answer)).unwrap();
        let query: oauth_support::Query = target.query_pairs().into_owned().collect();
        assert_eq!(query["error"], error, "{extra:?}");
        assert_eq!(query["state"], "client-state-123");
        assert_eq!(query["iss"], h.base);
    }
    // A consent form without the browser's cookie is refused.
    let page = h
        .http
        .get(h.authorize_url(&client, &[]))
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    let forged = h
        .http
        .post(format!("{}/authorize", h.base))
        .form(&[
            ("pending", oauth_support::hidden(&html, "pending")),
            ("csrf", oauth_support::hidden(&html, "csrf")),
            ("decision", "approve".to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn code_exchange_checks_pkce_redirect_client_and_single_use() {
    let h = Harness::start(|_| {}).await;
    let client = h.register().await;
    let other = h.register().await;

    // Wrong PKCE verifier: refused, and the code is spent.
    let code = h.sign_in(&client, 0).await["code"].clone();
    let (status, body) = h
        .token(&[
            ("grant_type", "authorization_code"),
            ("client_id", &client.client_id),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", &other.verifier),
        ])
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let (status, _) = h.exchange(&client, &code).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Wrong redirect URI.
    let code = h.sign_in(&client, 0).await["code"].clone();
    let (status, body) = h
        .token(&[
            ("grant_type", "authorization_code"),
            ("client_id", &client.client_id),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:9/other"),
            ("code_verifier", &client.verifier),
        ])
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );

    // Another client's code.
    let code = h.sign_in(&client, 0).await["code"].clone();
    let (status, body) = h.exchange(&other, &code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );

    // Token request for another resource.
    let code = h.sign_in(&client, 0).await["code"].clone();
    let (status, body) = h
        .token(&[
            ("grant_type", "authorization_code"),
            ("client_id", &client.client_id),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", &client.verifier),
            ("resource", "https://other.example.com/mcp"),
        ])
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_target"))
    );

    // Reused code: refused, and the tokens of its first use are revoked.
    let code = h.sign_in(&client, 0).await["code"].clone();
    let (status, tokens) = h.exchange(&client, &code).await;
    assert_eq!(status, StatusCode::OK);
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(h.call_resource(access).await.0, StatusCode::OK);
    let (status, body) = h.exchange(&client, &code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    assert_eq!(h.call_resource(access).await.0, StatusCode::UNAUTHORIZED);

    // Unknown client at the token endpoint.
    let (status, body) = h
        .token(&[("grant_type", "authorization_code"), ("client_id", "nope")])
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
}

#[tokio::test]
async fn refresh_reuse_revokes_the_family() {
    let h = Harness::start(|_| {}).await;
    let client = h.register().await;
    let code = h.sign_in(&client, 0).await["code"].clone();
    let (_, first) = h.exchange(&client, &code).await;
    let refresh = |token: String| {
        let client_id = client.client_id.clone();
        let h = &h;
        async move {
            h.token(&[
                ("grant_type", "refresh_token"),
                ("client_id", &client_id),
                ("refresh_token", &token),
            ])
            .await
        }
    };
    let old = first["refresh_token"].as_str().unwrap().to_owned();
    let (status, second) = refresh(old.clone()).await;
    assert_eq!(status, StatusCode::OK);
    // The rotated-away token is presented again: refused, and the whole grant dies.
    let (status, body) = refresh(old).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let access = second["access_token"].as_str().unwrap();
    assert_eq!(h.call_resource(access).await.0, StatusCode::UNAUTHORIZED);
    let (status, _) = refresh(second["refresh_token"].as_str().unwrap().to_owned()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn disallowed_account_is_refused_and_not_stored() {
    let h = Harness::start(|config| {
        config.allowed_domains.clear();
        config.allowed_emails = vec!["nobody@zylker.test".to_owned()];
    })
    .await;
    let client = h.register().await;
    let redirect = h.sign_in(&client, 0).await;
    assert_eq!(redirect["error"], "access_denied");
    assert_eq!(redirect["state"], "client-state-123");
    assert!(!redirect.contains_key("code"));
    assert!(h.store.list_users().await.unwrap().is_empty());
    let audit = h.store.recent_audit(None, 10).await.unwrap();
    assert!(
        audit.iter().any(|r| r.event.action == "oauth.sign_in"
            && r.event.outcome == sdp_mcp_store::AuditOutcome::Denied),
        "{audit:?}"
    );
}

#[tokio::test]
async fn expired_foreign_and_disabled_user_tokens_are_refused() {
    let h = Harness::start(|_| {}).await;
    let client = h.register().await;
    let code = h.sign_in(&client, 2).await["code"].clone();
    let (_, tokens) = h.exchange(&client, &code).await;
    let access = tokens["access_token"].as_str().unwrap();
    let (status, user_id) = h.call_resource(access).await;
    assert_eq!(status, StatusCode::OK);
    let user_id: UserId = user_id.unwrap().parse().unwrap();

    // Tokens planted in the store: expired, and bound to another resource.
    let planted = |token: &str, resource: &str, expires_at| NewOAuthToken {
        token_hash: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(token.as_bytes())),
        kind: OAuthTokenKind::Access,
        client_id: client.client_id.clone(),
        user_id: user_id.clone(),
        scopes: vec!["sdp".to_owned()],
        resource: Some(resource.to_owned()),
        family_id: "planted".to_owned(),
        expires_at,
    };
    let resource = format!("{}/mcp", h.base);
    let past = SystemTime::now() - Duration::from_secs(1);
    let future = SystemTime::now() + Duration::from_secs(3600);
    h.store
        .insert_oauth_tokens(&[
            planted("sdpoa_expired", &resource, past),
            planted("sdpoa_foreign", "https://other.example.com/mcp", future),
            planted("sdpoa_fine", &resource, future),
        ])
        .await
        .unwrap();
    assert_eq!(
        h.call_resource("sdpoa_expired").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        h.call_resource("sdpoa_foreign").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(h.call_resource("sdpoa_fine").await.0, StatusCode::OK);

    // Disabling the user revokes their tokens; re-enabling does not revive them,
    // and a disabled user cannot sign in again.
    h.store
        .set_user_status(&user_id, UserStatus::Disabled)
        .await
        .unwrap();
    assert_eq!(h.call_resource(access).await.0, StatusCode::UNAUTHORIZED);
    let redirect = h.sign_in(&client, 2).await;
    assert_eq!(redirect["error"], "access_denied");
    h.store
        .set_user_status(&user_id, UserStatus::Active)
        .await
        .unwrap();
    assert_eq!(h.call_resource(access).await.0, StatusCode::UNAUTHORIZED);
    let (status, _) = h
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", &client.client_id),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Removing the user deletes everything.
    assert!(h.store.remove_user(&user_id).await.unwrap());
    assert_eq!(
        h.call_resource("sdpoa_fine").await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn oauth_routes_check_host_but_not_origin() {
    let h = Harness::start(|_| {}).await;
    let url = format!("{}/.well-known/oauth-authorization-server", h.base);
    // DNS rebinding: a foreign Host is refused as on /mcp.
    let rebound = h
        .http
        .get(&url)
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(rebound.status(), StatusCode::FORBIDDEN);
    // Browser-based clients call discovery and /register from their own origin.
    let cross_origin = h
        .http
        .get(&url)
        .header("origin", "https://client.example")
        .send()
        .await
        .unwrap();
    assert_eq!(cross_origin.status(), StatusCode::OK);
    assert_eq!(cross_origin.headers()["access-control-allow-origin"], "*");
    // /mcp still refuses foreign origins, before authentication.
    let mcp = h
        .http
        .post(format!("{}/mcp", h.base))
        .header("origin", "https://client.example")
        .send()
        .await
        .unwrap();
    assert_eq!(mcp.status(), StatusCode::FORBIDDEN);
    h.stop().await;
}
