//! The per-user token-refresh lock: one holder per user at a time, in one
//! process and, on PostgreSQL, across stores sharing the database (replicas).

use std::time::Duration;

use sdp_mcp_store::{Backend, Store};

use crate::support::{Harness, new_user};

on_both_backends!(refresh_lock_is_exclusive_per_user);

async fn refresh_lock_is_exclusive_per_user(h: &Harness) {
    let (alice, _) = h.store.create_user(new_user("alice")).await.unwrap();
    let (bob, _) = h.store.create_user(new_user("bob")).await.unwrap();
    // A second store on the same database stands for another replica; SQLite
    // locks are per process, so there the same store is used twice.
    let other: std::sync::Arc<dyn Store> = match h.store.backend() {
        Backend::Postgres => std::sync::Arc::new(h.reopen(h.key_source.clone()).await.unwrap()),
        Backend::Sqlite => h.store.clone(),
    };

    let held = h.store.refresh_lock(&alice.id).await.unwrap();
    // Another user's lock is independent.
    let bobs = tokio::time::timeout(Duration::from_secs(5), other.refresh_lock(&bob.id))
        .await
        .expect("another user's lock is free")
        .unwrap();
    bobs.release().await;

    let waiter = {
        let other = other.clone();
        let id = alice.id.clone();
        tokio::spawn(async move {
            let lock = other.refresh_lock(&id).await.unwrap();
            lock.release().await;
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiter.is_finished(), "the second holder waits");
    held.release().await;
    tokio::time::timeout(Duration::from_secs(5), waiter)
        .await
        .expect("released lock is taken by the waiter")
        .unwrap();

    // Dropping the guard releases the lock too.
    drop(h.store.refresh_lock(&alice.id).await.unwrap());
    let again = tokio::time::timeout(Duration::from_secs(5), other.refresh_lock(&alice.id))
        .await
        .expect("dropped lock is free")
        .unwrap();
    again.release().await;
    if h.store.backend() == Backend::Postgres {
        other.close().await;
    }
}
