//! The per-user refresh lock that serialises Zoho token refreshes across
//! replicas.
//!
//! - PostgreSQL: a transaction holding `pg_advisory_xact_lock('SDPM',
//!   hashtext(user id))` on one pooled connection; committing, rolling back,
//!   or losing the connection (a replica that dies) releases it. Waiting is
//!   bounded by `lock_timeout`; at most half the pool holds such locks.
//! - SQLite (one process per database file): an in-process async mutex per
//!   user.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::{Any, Transaction};

use super::SqlStore;
use crate::error::{Result, StoreError};
use crate::model::UserId;
use crate::options::Backend;

/// Longest wait for another replica's refresh (a Zoho token request times out
/// after 30 s).
const LOCK_TIMEOUT: Duration = Duration::from_secs(45);

/// First key of the two-key advisory locks (`'SDPM'`): the two-key space is
/// apart from one-key locks such as sqlx's migration lock.
const ADVISORY_LOCK_SPACE: i32 = 0x5344_504D;

/// In-process locks are dropped from the map once it holds this many unused ones.
const MAX_IDLE_LOCAL_LOCKS: usize = 1024;

/// Holds a user's refresh lock until dropped or [`RefreshLock::release`]d.
///
/// While it is held no other holder of the same user's lock (in this process
/// or, on PostgreSQL, in any replica) gets it.
pub struct RefreshLock {
    inner: Held,
}

enum Held {
    /// The transaction holding the advisory lock, then the permit bounding
    /// how many pool connections locks may hold (dropped in this order).
    Postgres(Transaction<'static, Any>, tokio::sync::OwnedSemaphorePermit),
    Local(#[expect(dead_code, reason = "held for its Drop")] tokio::sync::OwnedMutexGuard<()>),
}

impl std::fmt::Debug for RefreshLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.inner {
            Held::Postgres(..) => "postgres-advisory",
            Held::Local(_) => "in-process",
        };
        f.debug_struct("RefreshLock").field("kind", &kind).finish()
    }
}

impl RefreshLock {
    /// Releases the lock now (dropping it releases it too, a moment later for
    /// PostgreSQL, when the pool rolls the transaction back).
    pub async fn release(self) {
        if let Held::Postgres(transaction, _permit) = self.inner
            && let Err(error) = transaction.commit().await
        {
            tracing::debug!(%error, "releasing the refresh lock failed; the connection drops it");
        }
    }
}

/// In-process per-user locks (the SQLite backend's refresh lock), and the
/// bound on PostgreSQL connections held by advisory locks.
pub(super) struct LocalLocks {
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// At most half the pool holds refresh locks, so that lock holders always
    /// find a connection to read and save the token (no pool deadlock).
    pg_holders: Arc<tokio::sync::Semaphore>,
}

impl LocalLocks {
    /// Locks for a store whose pool has `pool_size` connections.
    pub(super) fn new(pool_size: u32) -> Self {
        Self {
            locks: Mutex::default(),
            pg_holders: Arc::new(tokio::sync::Semaphore::new((pool_size as usize / 2).max(1))),
        }
    }

    fn lock_of(&self, user_id: &UserId) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if locks.len() >= MAX_IDLE_LOCAL_LOCKS {
            locks.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        locks
            .entry(user_id.as_str().to_owned())
            .or_default()
            .clone()
    }
}

pub(super) async fn refresh_lock(store: &SqlStore, user_id: &UserId) -> Result<RefreshLock> {
    match store.backend {
        Backend::Sqlite => {
            let lock = store.local_locks.lock_of(user_id);
            let guard = tokio::time::timeout(LOCK_TIMEOUT, lock.lock_owned())
                .await
                .map_err(|_| StoreError::LockTimeout {
                    user: user_id.to_string(),
                })?;
            Ok(RefreshLock {
                inner: Held::Local(guard),
            })
        }
        Backend::Postgres => {
            let timeout = || StoreError::LockTimeout {
                user: user_id.to_string(),
            };
            let permit = tokio::time::timeout(
                LOCK_TIMEOUT,
                store.local_locks.pg_holders.clone().acquire_owned(),
            )
            .await
            .map_err(|_| timeout())?
            .map_err(|_| timeout())?;
            let mut transaction = store
                .write
                .begin()
                .await
                .map_err(StoreError::database("begin refresh lock"))?;
            sqlx::query(&format!(
                "SET LOCAL lock_timeout = {}",
                LOCK_TIMEOUT.as_millis()
            ))
            .execute(&mut *transaction)
            .await
            .map_err(StoreError::database("set lock timeout"))?;
            sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock($1, hashtext($2))) AS locked")
                .bind(ADVISORY_LOCK_SPACE)
                .bind(user_id.as_str())
                .execute(&mut *transaction)
                .await
                .map_err(|source| match &source {
                    sqlx::Error::Database(db) if db.code().as_deref() == Some("55P03") => timeout(),
                    _ => StoreError::Database {
                        operation: "take refresh lock",
                        source,
                    },
                })?;
            Ok(RefreshLock {
                inner: Held::Postgres(transaction, permit),
            })
        }
    }
}
