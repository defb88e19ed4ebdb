//! Zoho access tokens shared through the store, so that N replicas (or one
//! process rebuilding a context) refresh each user's token once per token
//! lifetime instead of once each.
//!
//! [`SharedZohoTokens`] wraps the user's [`ZohoTokenSource`] (which still does
//! the token request and Zoho's throttle back-off):
//! 1. a token cached here and not yet due for refresh is returned at once;
//! 2. otherwise, one caller per process at a time takes the user's refresh
//!    lock in the store (`Store::refresh_lock`: a PostgreSQL advisory lock
//!    across replicas);
//! 3. under the lock it re-reads the encrypted token cache: another replica
//!    may have refreshed already, and that token is adopted;
//! 4. only when the stored token is due too does it ask Zoho, then saves the
//!    new token (encrypted) for the other replicas, and releases the lock.
//!
//! A store failure never blocks a call: the refresh then goes ahead without
//! the lock (logged), as a single replica would.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures::future::{BoxFuture, FutureExt};
use parking_lot::Mutex;
use sdp_client::{AuthError, TokenSource, ZohoTokenSource};
use sdp_mcp_store::{ExposeSecret, SecretString, Store, UserId};
use tokio::time::Instant;

/// Refresh at most this long before expiry…
const MAX_MARGIN: Duration = Duration::from_secs(300);
/// …or this share (1/n) of the lifetime, whichever is smaller.
const MARGIN_DIVISOR: u32 = 10;

/// A user's Zoho tokens, shared with other replicas through the store.
pub(crate) struct SharedZohoTokens {
    user_id: UserId,
    store: Arc<dyn Store>,
    source: ZohoTokenSource,
    state: Mutex<State>,
    /// One refresh (store lock, re-read, Zoho request) at a time in this process.
    refresh: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    token: Option<Cached>,
    /// Lifetime of the last token minted here, the best guess for adopted ones.
    lifetime: Option<Duration>,
    /// The last token SDP rejected; never adopted from the store again.
    rejected: Option<SecretString>,
}

struct Cached {
    token: SecretString,
    expires_at: Instant,
    refresh_at: Instant,
}

fn margin(lifetime: Duration) -> Duration {
    (lifetime / MARGIN_DIVISOR).min(MAX_MARGIN)
}

fn same(a: &SecretString, b: &SecretString) -> bool {
    a.expose_secret() == b.expose_secret()
}

impl std::fmt::Debug for SharedZohoTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedZohoTokens")
            .field("user_id", &self.user_id)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl SharedZohoTokens {
    /// Shares `source`'s tokens of `user_id` through `store`.
    pub(crate) fn new(user_id: UserId, store: Arc<dyn Store>, source: ZohoTokenSource) -> Self {
        Self {
            user_id,
            store,
            source,
            state: Mutex::new(State::default()),
            refresh: tokio::sync::Mutex::new(()),
        }
    }

    /// The cached token, unless it is due for refresh.
    fn fresh(&self) -> Option<SecretString> {
        let state = self.state.lock();
        let cached = state.token.as_ref()?;
        (Instant::now() < cached.refresh_at).then(|| cached.token.clone())
    }

    /// The cached token, unless it has expired.
    fn unexpired(&self) -> Option<SecretString> {
        let state = self.state.lock();
        let cached = state.token.as_ref()?;
        (Instant::now() < cached.expires_at).then(|| cached.token.clone())
    }

    fn adopt(&self, token: SecretString, remaining: Duration, lifetime: Duration) {
        let now = Instant::now();
        self.state.lock().token = Some(Cached {
            token,
            expires_at: now + remaining,
            refresh_at: now + remaining.saturating_sub(margin(lifetime)),
        });
    }

    async fn access_token(&self) -> Result<SecretString, AuthError> {
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let _local = self.refresh.lock().await;
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let lock = match self.store.refresh_lock(&self.user_id).await {
            Ok(lock) => Some(lock),
            Err(error) => {
                tracing::warn!(user_id = %self.user_id, %error,
                    "refreshing the Zoho token without the cross-replica lock");
                None
            }
        };
        let result = self.refresh_locked().await;
        if let Some(lock) = lock {
            lock.release().await;
        }
        result
    }

    /// Adopts another replica's token from the store, or refreshes and saves.
    async fn refresh_locked(&self) -> Result<SecretString, AuthError> {
        match self.store.load_access_token(&self.user_id).await {
            Ok(Some(stored)) => {
                let remaining = stored
                    .expires_at
                    .duration_since(SystemTime::now())
                    .unwrap_or_default();
                let (lifetime, rejected) = {
                    let state = self.state.lock();
                    let rejected = state
                        .rejected
                        .as_ref()
                        .is_some_and(|r| same(r, &stored.token));
                    (state.lifetime.unwrap_or(remaining).max(remaining), rejected)
                };
                if !rejected && remaining > margin(lifetime) {
                    tracing::debug!(user_id = %self.user_id, "adopted the Zoho token refreshed by another replica");
                    self.adopt(stored.token.clone(), remaining, lifetime);
                    return Ok(stored.token);
                }
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(user_id = %self.user_id, %error, "cannot read the shared Zoho token");
            }
        }
        // Make the source ask Zoho even if its own cache still holds a token.
        if let Some((stale, _)) = self.source.cached() {
            self.source.invalidate(&stale);
        }
        match self.source.access_token().await {
            Ok(token) => {
                let lifetime = self
                    .source
                    .cached()
                    .map_or(MAX_MARGIN, |(_, remaining)| remaining);
                self.state.lock().lifetime = Some(lifetime);
                self.adopt(token.clone(), lifetime, lifetime);
                let expires_at = SystemTime::now() + lifetime;
                if let Err(error) = self
                    .store
                    .save_access_token(&self.user_id, &token, expires_at)
                    .await
                {
                    tracing::warn!(user_id = %self.user_id, %error,
                        "cannot share the new Zoho token; other replicas will refresh their own");
                }
                Ok(token)
            }
            Err(error) => self.unexpired().ok_or(error),
        }
    }
}

impl TokenSource for SharedZohoTokens {
    fn access_token(&self) -> BoxFuture<'_, Result<SecretString, AuthError>> {
        SharedZohoTokens::access_token(self).boxed()
    }

    fn invalidate(&self, rejected: &SecretString) {
        {
            let mut state = self.state.lock();
            if state
                .token
                .as_ref()
                .is_some_and(|c| same(&c.token, rejected))
            {
                state.token = None;
            }
            state.rejected = Some(rejected.clone());
        }
        self.source.invalidate(rejected);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sdp_client::ZohoCredentials;
    use sdp_mcp_store::{AuthMethod, NewUser, StoreOptions, open_store};

    /// Two sources of one user (two replicas, or a context rebuilt while the
    /// old one still runs) over one store: one Zoho grant; a token SDP
    /// rejected is refreshed once and the new one adopted by the other.
    #[tokio::test]
    async fn sources_of_one_user_share_refreshes_through_the_store() {
        let sim = sdp_sim::Simulator::builder()
            .users(1)
            .portals(1)
            .spawn(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap())
            .await
            .unwrap();
        let user = sim.directory().users[0].clone();
        let dir = tempfile::tempdir().unwrap();
        let store = open_store(StoreOptions::new(dir.path(), None, None).unwrap())
            .await
            .unwrap();
        let (record, _) = store
            .create_user(NewUser {
                name: "alice".to_owned(),
                display_name: None,
                email: None,
                auth_method: AuthMethod::ApiKey,
                credentials: None,
                issue_api_key: false,
            })
            .await
            .unwrap();
        let http = reqwest::Client::new();
        let shared = || {
            let source = ZohoTokenSource::new(
                ZohoCredentials {
                    client_id: user.client_id.clone(),
                    client_secret: SecretString::from(user.client_secret.clone()),
                    refresh_token: SecretString::from(user.refresh_token.clone()),
                    accounts_url: sim.base_url().to_owned(),
                },
                http.clone(),
            );
            SharedZohoTokens::new(record.id.clone(), store.clone(), source)
        };
        let (a, b) = (shared(), shared());
        let grants = || sim.state().counters.grants_for(&user.refresh_token);

        let (first_a, first_b) = tokio::join!(a.access_token(), b.access_token());
        let (first_a, first_b) = (first_a.unwrap(), first_b.unwrap());
        assert!(same(&first_a, &first_b));
        assert_eq!(grants(), 1);
        assert!(store.load_access_token(&record.id).await.unwrap().is_some());

        // SDP rejects the token on A: A refreshes once and shares the result.
        TokenSource::invalidate(&a, &first_a);
        let second = a.access_token().await.unwrap();
        assert!(!same(&second, &first_a));
        assert_eq!(grants(), 2);
        // B meets the rejection too: it adopts A's new token, no grant.
        TokenSource::invalidate(&b, &first_b);
        let adopted = b.access_token().await.unwrap();
        assert!(same(&adopted, &second));
        assert_eq!(grants(), 2);
        store.close().await;
    }
}
