//! The store contract, part 1: users, API keys, token cache, audit, migrations.

use std::time::{Duration, SystemTime};

use sdp_mcp_store::{
    AuditEvent, AuditOutcome, AuthMethod, CredentialKind, ExposeSecret, NewUser, SecretString,
    StoreError, UserId, UserStatus,
};

use crate::support::{Harness, new_user};

on_both_backends!(
    users_are_created_read_listed_and_removed,
    duplicate_and_invalid_users_are_refused,
    api_keys_authenticate_until_revoked,
    rotation_revokes_every_key_and_issues_one,
    disabled_user_is_refused_until_enabled,
    key_use_is_recorded_at_most_once_a_minute,
    access_token_cache_round_trips_and_is_cleared,
    audit_events_are_recorded_newest_first,
    migrations_are_up_to_date_and_idempotent,
    concurrent_writers_and_readers_all_succeed,
);

async fn users_are_created_read_listed_and_removed(h: &Harness) {
    let (alice, key) = h.store.create_user(new_user("alice")).await.unwrap();
    assert!(key.is_some(), "issue_api_key asks for a first key");
    let (bob, no_key) = h
        .store
        .create_user(NewUser {
            issue_api_key: false,
            credentials: None,
            auth_method: AuthMethod::OAuth,
            ..new_user("bob")
        })
        .await
        .unwrap();
    assert!(no_key.is_none());

    assert_eq!(
        h.store.get_user(&alice.id).await.unwrap().as_ref(),
        Some(&alice)
    );
    assert_eq!(
        h.store.get_user_by_name("bob").await.unwrap().as_ref(),
        Some(&bob)
    );
    assert_eq!(h.store.get_user_by_name("carol").await.unwrap(), None);
    assert_eq!(alice.status, UserStatus::Active);
    assert_eq!(alice.email.as_deref(), Some("alice@example.com"));

    let listed = h.store.list_users().await.unwrap();
    let names: Vec<&str> = listed.iter().map(|s| s.user.name.as_str()).collect();
    assert_eq!(names, ["alice", "bob"]);
    assert_eq!(listed[0].credential_kind, Some(CredentialKind::CloudOAuth));
    assert_eq!(listed[0].active_api_keys, 1);
    assert_eq!(listed[1].credential_kind, None);
    assert_eq!(listed[1].active_api_keys, 0);
    assert_eq!(listed[1].user.auth_method, AuthMethod::OAuth);

    assert!(h.store.remove_user(&alice.id).await.unwrap());
    assert!(
        !h.store.remove_user(&alice.id).await.unwrap(),
        "already gone"
    );
    assert_eq!(h.store.get_user(&alice.id).await.unwrap(), None);
    assert_eq!(h.store.list_users().await.unwrap().len(), 1);
}

async fn duplicate_and_invalid_users_are_refused(h: &Harness) {
    h.store.create_user(new_user("alice")).await.unwrap();
    let error = h.store.create_user(new_user("alice")).await.unwrap_err();
    assert!(matches!(error, StoreError::UserExists { .. }), "{error}");

    for bad in ["", "has space", "-dash-first", &"x".repeat(65)] {
        let error = h.store.create_user(new_user(bad)).await.unwrap_err();
        assert!(
            matches!(error, StoreError::InvalidUser { .. }),
            "{bad:?}: {error}"
        );
    }
    let bad_email = NewUser {
        email: Some("not-an-address".to_owned()),
        ..new_user("carol")
    };
    let error = h.store.create_user(bad_email).await.unwrap_err();
    assert!(error.to_string().contains("e-mail"), "{error}");

    let error = h
        .store
        .set_user_status(&UserId::random(), UserStatus::Disabled)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::UserNotFound { .. }), "{error}");
    assert_eq!(h.store.list_users().await.unwrap().len(), 1);
}

async fn api_keys_authenticate_until_revoked(h: &Harness) {
    let (alice, first) = h.store.create_user(new_user("alice")).await.unwrap();
    let first = first.unwrap();
    assert!(first.key.expose_secret().starts_with("sdpmcp_"));
    assert!(first.key.expose_secret().starts_with(&first.record.prefix));

    let second = h
        .store
        .issue_api_key(&alice.id, Some("laptop"))
        .await
        .unwrap();
    for key in [&first.key, &second.key] {
        let user = h.store.authenticate_api_key(key).await.unwrap();
        assert_eq!(user.map(|u| u.id), Some(alice.id.clone()));
    }

    let keys = h.store.list_api_keys(&alice.id).await.unwrap();
    assert_eq!(keys.len(), 2);
    assert!(keys.iter().any(|k| k.label.as_deref() == Some("laptop")));

    assert!(h.store.revoke_api_key(&second.record.id).await.unwrap());
    assert!(
        !h.store.revoke_api_key(&second.record.id).await.unwrap(),
        "already revoked"
    );
    assert_eq!(
        h.store.authenticate_api_key(&second.key).await.unwrap(),
        None
    );
    assert!(
        h.store
            .authenticate_api_key(&first.key)
            .await
            .unwrap()
            .is_some()
    );
    let revoked = h.store.list_api_keys(&alice.id).await.unwrap();
    assert!(
        revoked
            .iter()
            .any(|k| k.id == second.record.id && k.revoked_at.is_some())
    );

    let unknown = SecretString::from(format!("sdpmcp_{}", "A".repeat(32)));
    assert_eq!(h.store.authenticate_api_key(&unknown).await.unwrap(), None);
    let malformed = SecretString::from("Bearer nonsense".to_owned());
    assert_eq!(
        h.store.authenticate_api_key(&malformed).await.unwrap(),
        None
    );

    let error = h
        .store
        .revoke_api_key(&"no-such-key".parse().unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::ApiKeyNotFound { .. }),
        "{error}"
    );
    let error = h
        .store
        .issue_api_key(&UserId::random(), None)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::UserNotFound { .. }), "{error}");

    // Only the hash and the prefix are stored.
    let stored_hash: String = sqlx::query_scalar("SELECT key_hash FROM api_keys WHERE id = $1")
        .bind(first.record.id.as_str())
        .fetch_one(&h.raw)
        .await
        .unwrap();
    assert_eq!(stored_hash, sdp_mcp_store::hash_api_key(&first.key));
    assert_ne!(stored_hash, first.key.expose_secret());
}

async fn rotation_revokes_every_key_and_issues_one(h: &Harness) {
    let (alice, first) = h.store.create_user(new_user("alice")).await.unwrap();
    let second = h.store.issue_api_key(&alice.id, None).await.unwrap();
    let rotated = h
        .store
        .rotate_api_keys(&alice.id, Some("rotated"))
        .await
        .unwrap();

    for old in [&first.unwrap().key, &second.key] {
        assert_eq!(h.store.authenticate_api_key(old).await.unwrap(), None);
    }
    let user = h.store.authenticate_api_key(&rotated.key).await.unwrap();
    assert_eq!(user.map(|u| u.name), Some("alice".to_owned()));
    let keys = h.store.list_api_keys(&alice.id).await.unwrap();
    assert_eq!(keys.iter().filter(|k| k.revoked_at.is_none()).count(), 1);
    assert_eq!(keys.len(), 3);
}

async fn disabled_user_is_refused_until_enabled(h: &Harness) {
    let (alice, key) = h.store.create_user(new_user("alice")).await.unwrap();
    let key = key.unwrap().key;
    h.store
        .set_user_status(&alice.id, UserStatus::Disabled)
        .await
        .unwrap();
    assert_eq!(h.store.authenticate_api_key(&key).await.unwrap(), None);
    assert_eq!(
        h.store.get_user(&alice.id).await.unwrap().map(|u| u.status),
        Some(UserStatus::Disabled)
    );
    h.store
        .set_user_status(&alice.id, UserStatus::Active)
        .await
        .unwrap();
    assert!(h.store.authenticate_api_key(&key).await.unwrap().is_some());
}

async fn key_use_is_recorded_at_most_once_a_minute(h: &Harness) {
    let (alice, key) = h.store.create_user(new_user("alice")).await.unwrap();
    let key = key.unwrap();
    let last_used = || async { h.store.list_api_keys(&alice.id).await.unwrap()[0].last_used_at };
    assert_eq!(last_used().await, None);
    h.store
        .authenticate_api_key(&key.key)
        .await
        .unwrap()
        .unwrap();
    let first_use = last_used().await.expect("recorded on first use");
    h.store
        .authenticate_api_key(&key.key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        last_used().await,
        Some(first_use),
        "not rewritten within a minute"
    );

    // Pretend the last use was two minutes ago: the next use is recorded.
    let two_minutes_ago = millis(SystemTime::now() - Duration::from_secs(120));
    sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
        .bind(two_minutes_ago)
        .bind(key.record.id.as_str())
        .execute(&h.raw)
        .await
        .unwrap();
    h.store
        .authenticate_api_key(&key.key)
        .await
        .unwrap()
        .unwrap();
    let refreshed = last_used().await.unwrap();
    assert!(millis(refreshed) > two_minutes_ago);
    let listed = h.store.list_users().await.unwrap();
    assert_eq!(listed[0].last_used_at, Some(refreshed));
}

async fn access_token_cache_round_trips_and_is_cleared(h: &Harness) {
    let (alice, _) = h.store.create_user(new_user("alice")).await.unwrap();
    assert!(
        h.store
            .load_access_token(&alice.id)
            .await
            .unwrap()
            .is_none()
    );
    let expires_at = SystemTime::UNIX_EPOCH + Duration::from_millis(4_102_444_800_123);
    let token = SecretString::from("1000.access-token-d41d8cd9".to_owned());
    h.store
        .save_access_token(&alice.id, &token, expires_at)
        .await
        .unwrap();
    let cached = h.store.load_access_token(&alice.id).await.unwrap().unwrap();
    assert_eq!(cached.token.expose_secret(), "1000.access-token-d41d8cd9");
    assert_eq!(cached.expires_at, expires_at);

    let newer = SecretString::from("1000.access-token-second".to_owned());
    h.store
        .save_access_token(&alice.id, &newer, expires_at)
        .await
        .unwrap();
    let cached = h.store.load_access_token(&alice.id).await.unwrap().unwrap();
    assert_eq!(cached.token.expose_secret(), "1000.access-token-second");

    // New credentials invalidate the token minted from the old ones.
    h.store
        .update_credentials(&alice.id, crate::support::cloud_credentials("alice2"))
        .await
        .unwrap();
    assert!(
        h.store
            .load_access_token(&alice.id)
            .await
            .unwrap()
            .is_none()
    );

    h.store
        .save_access_token(&alice.id, &token, expires_at)
        .await
        .unwrap();
    h.store.clear_access_token(&alice.id).await.unwrap();
    assert!(
        h.store
            .load_access_token(&alice.id)
            .await
            .unwrap()
            .is_none()
    );
}

async fn audit_events_are_recorded_newest_first(h: &Harness) {
    let (alice, _) = h.store.create_user(new_user("alice")).await.unwrap();
    for (index, outcome) in [
        AuditOutcome::Success,
        AuditOutcome::Denied,
        AuditOutcome::Failure,
    ]
    .into_iter()
    .enumerate()
    {
        h.store
            .record_audit(AuditEvent {
                user_id: Some(alice.id.clone()),
                action: "create_request".to_owned(),
                target: Some(format!("request {index}")),
                outcome,
                detail: None,
            })
            .await
            .unwrap();
    }
    h.store
        .record_audit(AuditEvent {
            user_id: None,
            action: "user.import".to_owned(),
            target: None,
            outcome: AuditOutcome::Success,
            detail: Some("2 users".to_owned()),
        })
        .await
        .unwrap();
    let all = h.store.recent_audit(None, 10).await.unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(all[0].event.action, "user.import");
    let alices = h.store.recent_audit(Some(&alice.id), 2).await.unwrap();
    let outcomes: Vec<AuditOutcome> = alices.iter().map(|r| r.event.outcome).collect();
    assert_eq!(outcomes, [AuditOutcome::Failure, AuditOutcome::Denied]);
    // The audit trail outlives the user.
    h.store.remove_user(&alice.id).await.unwrap();
    assert_eq!(
        h.store
            .recent_audit(Some(&alice.id), 10)
            .await
            .unwrap()
            .len(),
        3
    );
}

async fn migrations_are_up_to_date_and_idempotent(h: &Harness) {
    h.store.ping().await.unwrap();
    let status = h.store.migration_status().await.unwrap();
    assert!(status.is_up_to_date(), "{status}");
    assert_eq!(status.applied, [1, 2]);
    assert_eq!(status.backend, h.store.backend());
    assert_eq!(h.store.migrate().await.unwrap(), Vec::<i64>::new());
    let again = sdp_mcp_store::migrate_database(&h.location).await.unwrap();
    assert!(again.is_up_to_date());
    let read_only = sdp_mcp_store::database_migration_status(&h.location)
        .await
        .unwrap();
    assert_eq!(read_only, status);
}

async fn concurrent_writers_and_readers_all_succeed(h: &Harness) {
    let tasks: Vec<_> = (0..16)
        .map(|index| {
            let store = h.store.clone();
            tokio::spawn(async move {
                let name = format!("user{index}");
                let (user, key) = store.create_user(new_user(&name)).await.unwrap();
                let key = key.unwrap().key;
                for _ in 0..5 {
                    let found = store.authenticate_api_key(&key).await.unwrap();
                    assert_eq!(found.map(|u| u.id), Some(user.id.clone()));
                }
                store.issue_api_key(&user.id, None).await.unwrap();
                store
                    .update_credentials(&user.id, crate::support::cloud_credentials(&name))
                    .await
                    .unwrap();
                assert!(store.load_credentials(&user.id).await.unwrap().is_some());
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let listed = h.store.list_users().await.unwrap();
    assert_eq!(listed.len(), 16);
    assert!(listed.iter().all(|s| s.active_api_keys == 2));
}

fn millis(time: SystemTime) -> i64 {
    i64::try_from(
        time.duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}
