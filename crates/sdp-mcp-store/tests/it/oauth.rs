//! The store contract, OAuth part: clients, single-use codes, tokens with
//! rotation, reuse detection and revocation.

use std::time::{Duration, SystemTime};

use sdp_mcp_store::{
    CodeRedemption, NewOAuthClient, NewOAuthCode, NewOAuthToken, OAuthPending, OAuthPendingStage,
    OAuthTokenKind, RefreshRotation, UserId, UserStatus,
};

use crate::support::{Harness, new_user};

on_both_backends!(
    oauth_clients_round_trip,
    oauth_codes_are_single_use_and_reuse_revokes_their_tokens,
    oauth_refresh_rotation_detects_reuse,
    oauth_tokens_die_with_user_status_and_removal,
    oauth_pending_sign_ins_are_single_use_expire_and_are_bounded,
);

fn client(id: &str) -> NewOAuthClient {
    NewOAuthClient {
        client_id: id.to_owned(),
        client_secret_hash: None,
        client_name: Some("Client".to_owned()),
        redirect_uris: vec![
            "http://127.0.0.1:1/cb".to_owned(),
            "https://example.com/cb?x=1".to_owned(),
        ],
        grant_types: vec!["authorization_code".to_owned(), "refresh_token".to_owned()],
        token_endpoint_auth_method: "none".to_owned(),
        metadata: Some("{}".to_owned()),
    }
}

fn token(hash: &str, kind: OAuthTokenKind, user: &UserId, family: &str) -> NewOAuthToken {
    NewOAuthToken {
        token_hash: hash.to_owned(),
        kind,
        client_id: "c1".to_owned(),
        user_id: user.clone(),
        scopes: vec!["sdp".to_owned()],
        resource: Some("https://mcp.example.com/mcp".to_owned()),
        family_id: family.to_owned(),
        expires_at: SystemTime::now() + Duration::from_secs(3600),
    }
}

async fn setup(h: &Harness) -> UserId {
    h.store.register_oauth_client(&client("c1")).await.unwrap();
    h.store.create_user(new_user("alice")).await.unwrap().0.id
}

async fn oauth_clients_round_trip(h: &Harness) {
    h.store.register_oauth_client(&client("c1")).await.unwrap();
    let stored = h.store.get_oauth_client("c1").await.unwrap().unwrap();
    assert_eq!(stored.client, client("c1"));
    assert!(h.store.get_oauth_client("c2").await.unwrap().is_none());
    assert!(h.store.register_oauth_client(&client("c1")).await.is_err());
}

async fn oauth_codes_are_single_use_and_reuse_revokes_their_tokens(h: &Harness) {
    let user = setup(h).await;
    let code = NewOAuthCode {
        code_hash: "code1".to_owned(),
        client_id: "c1".to_owned(),
        user_id: user.clone(),
        redirect_uri: "http://127.0.0.1:1/cb".to_owned(),
        code_challenge: "challenge".to_owned(),
        code_challenge_method: "S256".to_owned(),
        scopes: vec!["sdp".to_owned()],
        resource: Some("https://mcp.example.com/mcp".to_owned()),
        expires_at: SystemTime::now() + Duration::from_secs(60),
    };
    h.store.create_oauth_code(&code).await.unwrap();
    match h.store.redeem_oauth_code("code1").await.unwrap() {
        CodeRedemption::Redeemed(redeemed) => assert_eq!(redeemed.scopes, code.scopes),
        other => panic!("{other:?}"),
    }
    h.store
        .insert_oauth_tokens(&[token("a1", OAuthTokenKind::Access, &user, "code1")])
        .await
        .unwrap();
    assert_eq!(
        h.store.redeem_oauth_code("code1").await.unwrap(),
        CodeRedemption::Reused
    );
    let record = h.store.find_oauth_token("a1").await.unwrap().unwrap();
    assert!(record.revoked_at.is_some());
    assert_eq!(
        h.store.redeem_oauth_code("nope").await.unwrap(),
        CodeRedemption::Unknown
    );
}

async fn oauth_refresh_rotation_detects_reuse(h: &Harness) {
    let user = setup(h).await;
    h.store
        .insert_oauth_tokens(&[
            token("a1", OAuthTokenKind::Access, &user, "f"),
            token("r1", OAuthTokenKind::Refresh, &user, "f"),
            token("other", OAuthTokenKind::Access, &user, "g"),
        ])
        .await
        .unwrap();
    assert!(matches!(
        h.store.take_oauth_refresh_token("a1").await.unwrap(),
        RefreshRotation::Unknown
    ));
    let RefreshRotation::Taken(taken) = h.store.take_oauth_refresh_token("r1").await.unwrap()
    else {
        panic!("r1 is fresh");
    };
    assert!(taken.user_active);
    assert_eq!(taken.token.family_id, "f");
    h.store
        .insert_oauth_tokens(&[token("r2", OAuthTokenKind::Refresh, &user, "f")])
        .await
        .unwrap();
    assert_eq!(
        h.store.take_oauth_refresh_token("r1").await.unwrap(),
        RefreshRotation::Reused
    );
    for hash in ["a1", "r2"] {
        let record = h.store.find_oauth_token(hash).await.unwrap().unwrap();
        assert!(record.revoked_at.is_some(), "{hash}");
    }
    let other = h.store.find_oauth_token("other").await.unwrap().unwrap();
    assert!(other.revoked_at.is_none());
    assert!(h.store.revoke_oauth_token("other").await.unwrap());
    assert!(!h.store.revoke_oauth_token("other").await.unwrap());
}

async fn oauth_tokens_die_with_user_status_and_removal(h: &Harness) {
    let user = setup(h).await;
    h.store
        .insert_oauth_tokens(&[token("a1", OAuthTokenKind::Access, &user, "f")])
        .await
        .unwrap();
    h.store
        .set_user_status(&user, UserStatus::Disabled)
        .await
        .unwrap();
    let record = h.store.find_oauth_token("a1").await.unwrap().unwrap();
    assert!(record.revoked_at.is_some() && !record.user_active);
    h.store
        .insert_oauth_tokens(&[token("a2", OAuthTokenKind::Access, &user, "f2")])
        .await
        .unwrap();
    assert_eq!(h.store.revoke_user_oauth_tokens(&user).await.unwrap(), 1);
    assert!(h.store.remove_user(&user).await.unwrap());
    assert!(h.store.find_oauth_token("a2").await.unwrap().is_none());
}

fn pending(key_hash: &str, stage: OAuthPendingStage, expires_in_secs: i64) -> OAuthPending {
    let now = SystemTime::now();
    let magnitude = Duration::from_secs(expires_in_secs.unsigned_abs());
    OAuthPending {
        key_hash: key_hash.to_owned(),
        stage,
        client_id: "c1".to_owned(),
        redirect_uri: "http://127.0.0.1:1/cb".to_owned(),
        client_state: Some("s".to_owned()),
        code_challenge: "x".repeat(43),
        scopes: vec!["sdp".to_owned()],
        browser_hash: "b".repeat(64),
        csrf_hash: "c".repeat(64),
        expires_at: if expires_in_secs >= 0 {
            now + magnitude
        } else {
            now - magnitude
        },
    }
}

async fn oauth_pending_sign_ins_are_single_use_expire_and_are_bounded(h: &Harness) {
    h.store.register_oauth_client(&client("c1")).await.unwrap();
    let live = pending("k1", OAuthPendingStage::Consent, 600);
    assert!(h.store.create_oauth_pending(&live, 10).await.unwrap());
    let found = h.store.find_oauth_pending("k1").await.unwrap().unwrap();
    let skew = live.expires_at.duration_since(found.expires_at).unwrap();
    assert!(skew < Duration::from_millis(1), "stored in milliseconds");
    assert_eq!(
        found,
        OAuthPending {
            expires_at: found.expires_at,
            ..live
        }
    );
    // Taking checks the stage, and succeeds once.
    assert!(
        !h.store
            .take_oauth_pending("k1", OAuthPendingStage::Zoho)
            .await
            .unwrap()
    );
    assert!(
        h.store
            .take_oauth_pending("k1", OAuthPendingStage::Consent)
            .await
            .unwrap()
    );
    assert!(
        !h.store
            .take_oauth_pending("k1", OAuthPendingStage::Consent)
            .await
            .unwrap()
    );
    assert!(h.store.find_oauth_pending("k1").await.unwrap().is_none());
    // An expired one is neither found nor taken, and is purged by the next creation.
    let expired = pending("k2", OAuthPendingStage::Zoho, -1);
    assert!(h.store.create_oauth_pending(&expired, 10).await.unwrap());
    assert!(h.store.find_oauth_pending("k2").await.unwrap().is_none());
    assert!(
        !h.store
            .take_oauth_pending("k2", OAuthPendingStage::Zoho)
            .await
            .unwrap()
    );
    // The limit counts live rows only (k2 is purged first).
    assert!(
        h.store
            .create_oauth_pending(&pending("k3", OAuthPendingStage::Zoho, 600), 1)
            .await
            .unwrap()
    );
    assert!(
        !h.store
            .create_oauth_pending(&pending("k4", OAuthPendingStage::Zoho, 600), 1)
            .await
            .unwrap()
    );
    assert!(h.store.find_oauth_pending("k4").await.unwrap().is_none());
    assert!(h.store.find_oauth_pending("k3").await.unwrap().is_some());
}
