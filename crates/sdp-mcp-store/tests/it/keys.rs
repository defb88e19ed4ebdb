//! The store contract, part 3: the master key.

use sdp_mcp_store::{
    ExposeSecret, MasterKey, MasterKeySource, SdpAuth, SecretString, Store, StoreError,
};

use crate::support::{Harness, new_user, secrets_of};

on_both_backends!(
    wrong_master_key_is_refused_with_the_fix,
    missing_key_file_for_an_existing_store_is_refused,
    the_same_key_from_the_environment_opens_the_store,
    invalid_environment_key_is_refused,
);

async fn wrong_master_key_is_refused_with_the_fix(h: &Harness) {
    h.store.create_user(new_user("alice")).await.unwrap();
    let other = MasterKeySource::Env(MasterKey::generate().to_base64());
    let error = h.reopen(other).await.unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, StoreError::MasterKeyMismatch { .. }),
        "{message}"
    );
    assert_eq!(
        message,
        "the master key does not match this store: restore the original key (SDP_MCP_MASTER_KEY)"
    );

    // With the key file as the source, the message names the file as well.
    let other_file = h.dir.path().join("other.key");
    sdp_mcp_store::create_key_file(&other_file).unwrap();
    let error = h
        .reopen(MasterKeySource::File(other_file.clone()))
        .await
        .unwrap_err();
    let expected = format!(
        "the master key does not match this store: restore the original key (SDP_MCP_MASTER_KEY or {})",
        other_file.display()
    );
    assert_eq!(error.to_string(), expected);

    // The right key still opens it.
    let reopened = h.reopen(h.key_source.clone()).await.unwrap();
    assert_eq!(reopened.list_users().await.unwrap().len(), 1);
    reopened.close().await;
}

async fn missing_key_file_for_an_existing_store_is_refused(h: &Harness) {
    h.store.create_user(new_user("alice")).await.unwrap();
    let absent = h.dir.path().join("absent").join("master.key");
    let error = h
        .reopen(MasterKeySource::File(absent.clone()))
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, StoreError::MasterKeyMissing { .. }),
        "{message}"
    );
    assert!(message.contains(&absent.display().to_string()), "{message}");
    assert!(message.contains("SDP_MCP_MASTER_KEY"), "{message}");
    assert!(
        !absent.exists(),
        "no new key is made for a store that has one"
    );
}

async fn the_same_key_from_the_environment_opens_the_store(h: &Harness) {
    let (alice, _) = h.store.create_user(new_user("alice")).await.unwrap();
    let MasterKeySource::File(path) = &h.key_source else {
        panic!("the harness uses a key file");
    };
    let key = sdp_mcp_store::read_key_file(path).unwrap();
    let reopened = h
        .reopen(MasterKeySource::Env(key.to_base64()))
        .await
        .unwrap();
    let loaded = reopened.load_credentials(&alice.id).await.unwrap().unwrap();
    let SdpAuth::CloudOAuth { refresh_token, .. } = &loaded.auth else {
        panic!("expected cloud credentials");
    };
    assert_eq!(
        refresh_token.expose_secret(),
        secrets_of("alice").refresh_token
    );
    reopened.close().await;
}

async fn invalid_environment_key_is_refused(h: &Harness) {
    let short = MasterKeySource::Env(SecretString::from("dG9vIHNob3J0".to_owned()));
    let error = h.reopen(short).await.unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, StoreError::InvalidMasterKey { .. }),
        "{message}"
    );
    assert!(message.contains("SDP_MCP_MASTER_KEY"), "{message}");
    assert!(message.contains("openssl rand -base64 32"), "{message}");
}
