//! The store contract, part 2: encrypted credentials, removal, import.

use sdp_mcp_store::{
    AuthMethod, ExposeSecret, ImportAction, NewUser, SdpAuth, SdpCredentials, SecretString,
    StoreError,
};

use crate::support::{Harness, cloud_credentials, new_user, secrets_of};

on_both_backends!(
    cloud_credentials_round_trip,
    on_premises_credentials_round_trip_and_replace_cloud_ones,
    ciphertext_moved_to_another_user_fails_to_decrypt,
    removing_a_user_deletes_their_secrets_keys_and_grants,
    import_is_all_or_nothing,
    reimport_updates_credentials_and_keeps_keys,
    secrets_never_appear_in_debug_or_errors,
);

fn refresh_token_of(credentials: &SdpCredentials) -> String {
    match &credentials.auth {
        SdpAuth::CloudOAuth { refresh_token, .. } => refresh_token.expose_secret().to_owned(),
        SdpAuth::OnPremAuthtoken { .. } => panic!("expected cloud credentials"),
    }
}

async fn cloud_credentials_round_trip(h: &Harness) {
    let (alice, _) = h.store.create_user(new_user("alice")).await.unwrap();
    let loaded = h.store.load_credentials(&alice.id).await.unwrap().unwrap();
    let SdpAuth::CloudOAuth {
        client_id,
        client_secret,
        refresh_token,
        scopes,
    } = &loaded.auth
    else {
        panic!("expected cloud credentials");
    };
    let secrets = secrets_of("alice");
    assert_eq!(client_id.as_deref(), Some("1000.aliceCLIENTID"));
    assert_eq!(
        client_secret.as_ref().map(ExposeSecret::expose_secret),
        Some(secrets.client_secret.as_str())
    );
    assert_eq!(refresh_token.expose_secret(), secrets.refresh_token);
    assert_eq!(
        scopes,
        &["SDPOnDemand.requests.ALL", "SDPOnDemand.setup.READ"]
    );
    assert_eq!(loaded.instance.as_deref(), Some("alice-portal"));
    assert_eq!(loaded.data_center.as_deref(), Some("US"));
    assert_eq!(
        loaded.accounts_url.as_deref(),
        Some("https://accounts.zoho.com")
    );

    // An OAuth user: the organisation's Zoho client, only a refresh token.
    let oauth_only = SdpCredentials {
        auth: SdpAuth::CloudOAuth {
            client_id: None,
            client_secret: None,
            refresh_token: SecretString::from("1000.from-oauth-sign-in".to_owned()),
            scopes: Vec::new(),
        },
        instance: Some("itdesk".to_owned()),
        base_url: None,
        accounts_url: None,
        data_center: Some("EU".to_owned()),
    };
    let (bob, _) = h
        .store
        .create_user(NewUser {
            credentials: Some(oauth_only),
            auth_method: AuthMethod::OAuth,
            ..new_user("bob")
        })
        .await
        .unwrap();
    let loaded = h.store.load_credentials(&bob.id).await.unwrap().unwrap();
    assert_eq!(refresh_token_of(&loaded), "1000.from-oauth-sign-in");
    let SdpAuth::CloudOAuth {
        client_id,
        client_secret,
        scopes,
        ..
    } = &loaded.auth
    else {
        panic!("expected cloud credentials");
    };
    assert!(client_id.is_none() && client_secret.is_none() && scopes.is_empty());
    assert_eq!(loaded.base_url, None);

    let (carol, _) = h
        .store
        .create_user(NewUser {
            credentials: None,
            ..new_user("carol")
        })
        .await
        .unwrap();
    assert!(h.store.load_credentials(&carol.id).await.unwrap().is_none());
}

async fn on_premises_credentials_round_trip_and_replace_cloud_ones(h: &Harness) {
    let (alice, _) = h.store.create_user(new_user("alice")).await.unwrap();
    let on_prem = SdpCredentials {
        auth: SdpAuth::OnPremAuthtoken {
            authtoken: SecretString::from("ONPREM-AUTHTOKEN-0a1b2c3d".to_owned()),
        },
        instance: None,
        base_url: Some("https://sdp.example.com:8080".to_owned()),
        accounts_url: None,
        data_center: None,
    };
    h.store
        .update_credentials(&alice.id, on_prem)
        .await
        .unwrap();
    let loaded = h.store.load_credentials(&alice.id).await.unwrap().unwrap();
    let SdpAuth::OnPremAuthtoken { authtoken } = &loaded.auth else {
        panic!("expected on-premises credentials");
    };
    assert_eq!(authtoken.expose_secret(), "ONPREM-AUTHTOKEN-0a1b2c3d");
    assert_eq!(
        loaded.base_url.as_deref(),
        Some("https://sdp.example.com:8080")
    );
    assert_eq!(loaded.instance, None);
    // The cloud secrets are gone, not just hidden.
    let leftover = h
        .count(
            "sdp_credentials",
            "user_id = $1 AND refresh_token IS NOT NULL",
            alice.id.as_str(),
        )
        .await;
    assert_eq!(leftover, 0);

    let empty = SdpCredentials {
        auth: SdpAuth::OnPremAuthtoken {
            authtoken: SecretString::from("  ".to_owned()),
        },
        ..loaded
    };
    let error = h
        .store
        .update_credentials(&alice.id, empty)
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::InvalidCredentials { .. }),
        "{error}"
    );
    let error = h
        .store
        .update_credentials(&sdp_mcp_store::UserId::random(), cloud_credentials("x"))
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::UserNotFound { .. }), "{error}");
}

async fn ciphertext_moved_to_another_user_fails_to_decrypt(h: &Harness) {
    let (alice, _) = h.store.create_user(new_user("alice")).await.unwrap();
    let (bob, _) = h.store.create_user(new_user("bob")).await.unwrap();
    let alices_token: Vec<u8> =
        sqlx::query_scalar("SELECT refresh_token FROM sdp_credentials WHERE user_id = $1")
            .bind(alice.id.as_str())
            .fetch_one(&h.raw)
            .await
            .unwrap();
    sqlx::query("UPDATE sdp_credentials SET refresh_token = $1 WHERE user_id = $2")
        .bind(alices_token.clone())
        .bind(bob.id.as_str())
        .execute(&h.raw)
        .await
        .unwrap();
    let error = h.store.load_credentials(&bob.id).await.unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(
            error,
            StoreError::Decrypt {
                column: "refresh_token",
                ..
            }
        ),
        "{message}"
    );
    assert!(
        message.contains("belongs to another row or column"),
        "{message}"
    );
    assert!(!message.contains(&secrets_of("alice").refresh_token));

    // The same ciphertext in another column of its own row fails too.
    sqlx::query("UPDATE sdp_credentials SET client_secret = $1 WHERE user_id = $2")
        .bind(alices_token)
        .bind(alice.id.as_str())
        .execute(&h.raw)
        .await
        .unwrap();
    let error = h.store.load_credentials(&alice.id).await.unwrap_err();
    assert!(
        matches!(
            error,
            StoreError::Decrypt {
                column: "client_secret",
                ..
            }
        ),
        "{error}"
    );
}

async fn removing_a_user_deletes_their_secrets_keys_and_grants(h: &Harness) {
    let (alice, _) = h.store.create_user(new_user("alice")).await.unwrap();
    let (bob, _) = h.store.create_user(new_user("bob")).await.unwrap();
    let token = SecretString::from("access".to_owned());
    for user in [&alice, &bob] {
        h.store
            .save_access_token(&user.id, &token, std::time::SystemTime::now())
            .await
            .unwrap();
    }
    // Rows of the tables later issues fill: inserted raw, removed with the user.
    sqlx::query(
        "INSERT INTO oauth_clients (client_id, redirect_uris, grant_types, token_endpoint_auth_method, created_at) \
         VALUES ('client-1', '[]', 'authorization_code', 'none', 0)",
    )
    .execute(&h.raw)
    .await
    .unwrap();
    let id = alice.id.as_str();
    for statement in [
        "INSERT INTO oauth_tokens (token_hash, kind, client_id, user_id, scopes, family_id, created_at, expires_at) \
         VALUES ('hash-' || $1, 'refresh', 'client-1', $1, 'sdp', 'family', 0, 1)",
        "INSERT INTO oauth_codes (code_hash, client_id, user_id, redirect_uri, code_challenge, code_challenge_method, scopes, created_at, expires_at) \
         VALUES ('code-' || $1, 'client-1', $1, 'http://localhost/cb', 'c', 'S256', 'sdp', 0, 1)",
        "INSERT INTO mcp_sessions (session_id_hash, user_id, protocol_version, created_at, last_seen_at, expires_at) \
         VALUES ('session-' || $1, $1, '2025-06-18', 0, 0, 1)",
    ] {
        sqlx::query(statement)
            .bind(id)
            .execute(&h.raw)
            .await
            .unwrap();
    }
    let tables = [
        "sdp_credentials",
        "api_keys",
        "zoho_token_cache",
        "oauth_tokens",
        "oauth_codes",
        "mcp_sessions",
    ];
    for table in tables {
        assert_eq!(
            h.count(table, "user_id = $1", id).await,
            1,
            "{table} before"
        );
    }

    assert!(h.store.remove_user(&alice.id).await.unwrap());
    for table in tables {
        assert_eq!(h.count(table, "user_id = $1", id).await, 0, "{table} after");
    }
    assert_eq!(h.count("users", "id = $1", id).await, 0);
    // Bob is untouched.
    for table in ["sdp_credentials", "api_keys", "zoho_token_cache"] {
        assert_eq!(
            h.count(table, "user_id = $1", bob.id.as_str()).await,
            1,
            "{table} of bob"
        );
    }
    assert!(h.store.load_credentials(&bob.id).await.unwrap().is_some());
}

async fn import_is_all_or_nothing(h: &Harness) {
    let (existing, _) = h.store.create_user(new_user("zed")).await.unwrap();
    let zed_before = refresh_token_of(
        &h.store
            .load_credentials(&existing.id)
            .await
            .unwrap()
            .unwrap(),
    );

    let invalid_second = NewUser {
        credentials: Some(SdpCredentials {
            auth: SdpAuth::CloudOAuth {
                client_id: Some("1000.ID".to_owned()),
                client_secret: None,
                refresh_token: SecretString::from("r".to_owned()),
                scopes: Vec::new(),
            },
            ..cloud_credentials("bob")
        }),
        ..new_user("bob")
    };
    let update_of_zed = NewUser {
        credentials: Some(cloud_credentials("zed-new")),
        ..new_user("zed")
    };
    let error = h
        .store
        .import_users(vec![
            new_user("alice"),
            update_of_zed.clone(),
            invalid_second,
        ])
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, StoreError::Import { position: 3, .. }),
        "{message}"
    );
    assert!(
        message.contains("`bob`") && message.contains("nothing was imported"),
        "{message}"
    );

    assert_eq!(
        h.store.get_user_by_name("alice").await.unwrap(),
        None,
        "first entry rolled back"
    );
    assert_eq!(h.store.get_user_by_name("bob").await.unwrap(), None);
    let zed_after = refresh_token_of(
        &h.store
            .load_credentials(&existing.id)
            .await
            .unwrap()
            .unwrap(),
    );
    assert_eq!(
        zed_after, zed_before,
        "the update of an existing user rolled back"
    );
    assert_eq!(
        h.count("api_keys", "user_id <> $1", existing.id.as_str())
            .await,
        0
    );

    let error = h
        .store
        .import_users(vec![new_user("alice"), new_user("alice")])
        .await
        .unwrap_err();
    assert!(error.to_string().contains("already entry 1"), "{error}");
    assert_eq!(h.store.list_users().await.unwrap().len(), 1);
}

async fn reimport_updates_credentials_and_keeps_keys(h: &Harness) {
    let first = h
        .store
        .import_users(vec![
            NewUser {
                auth_method: AuthMethod::EnvImport,
                ..new_user("alice")
            },
            NewUser {
                auth_method: AuthMethod::EnvImport,
                ..new_user("bob")
            },
        ])
        .await
        .unwrap();
    assert!(first.iter().all(|o| o.action == ImportAction::Created));
    let alice_key = first[0].new_key.clone().expect("a created user gets a key");
    assert_eq!(first[0].user.auth_method, AuthMethod::EnvImport);

    let again = h
        .store
        .import_users(vec![
            NewUser {
                credentials: Some(cloud_credentials("alice-rotated")),
                display_name: None,
                ..new_user("alice")
            },
            new_user("carol"),
        ])
        .await
        .unwrap();
    assert_eq!(again[0].action, ImportAction::Updated);
    assert!(again[0].new_key.is_none(), "an update issues no key");
    assert_eq!(again[0].user.id, first[0].user.id);
    assert_eq!(
        again[0].user.display_name.as_deref(),
        Some("User alice"),
        "kept when not given"
    );
    assert_eq!(again[0].user.auth_method, AuthMethod::EnvImport);
    assert_eq!(again[1].action, ImportAction::Created);

    let user = h.store.authenticate_api_key(&alice_key).await.unwrap();
    assert_eq!(
        user.map(|u| u.name),
        Some("alice".to_owned()),
        "the old key still works"
    );
    let loaded = h
        .store
        .load_credentials(&first[0].user.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        refresh_token_of(&loaded),
        secrets_of("alice-rotated").refresh_token
    );
    assert_eq!(h.store.list_users().await.unwrap().len(), 3);
}

async fn secrets_never_appear_in_debug_or_errors(h: &Harness) {
    let (alice, key) = h.store.create_user(new_user("alice")).await.unwrap();
    let key = key.unwrap();
    let loaded = h.store.load_credentials(&alice.id).await.unwrap().unwrap();
    let secrets = secrets_of("alice");
    let debug = format!("{loaded:?} {key:?} {:?} {:?}", h.store, new_user("alice"));
    for secret in [
        secrets.client_secret.as_str(),
        secrets.refresh_token.as_str(),
        key.key.expose_secret(),
    ] {
        assert!(!debug.contains(secret), "secret in Debug output: {debug}");
    }
    let outcome = h.store.import_users(vec![new_user("bob")]).await.unwrap();
    assert!(!format!("{outcome:?}").contains(outcome[0].new_key.as_ref().unwrap().expose_secret()));
}
