//! Multi-user mode's [`UserContexts`]: a bounded, idle-evicting registry of
//! per-user contexts built on demand from the store.
//!
//! - Keyed by user id; a context is built at most once at a time per user
//!   (concurrent first calls wait for the same build), so each user has one
//!   token source and one refresh in flight.
//! - Credentials are decrypted only while a context is built.
//! - Every context shares one `reqwest::Client` (one connection pool).
//! - Entries unused for `context_idle` are dropped when the registry grows;
//!   beyond `max_contexts` the least recently used go first.
//! - Contexts of header-credential principals (`crate::header_credentials`)
//!   live here too, inserted ready-made by the authenticator.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use futures::future::BoxFuture;
use parking_lot::Mutex;
use sdp_client::BreakerRegistry;
use sdp_mcp_store::Store;
use tokio::sync::OnceCell;

use crate::auth::{AuthMethod, Principal, UserId};
use crate::config::MultiUserConfig;
use crate::context::{ContextError, UserContext, UserContexts};
use crate::shared_tokens::SharedZohoTokens;
use crate::upstream::{Upstream, upstream_config_from_store};

/// Per-user contexts of multi-user mode, built from the store on demand.
pub struct StoreUserContexts {
    /// `None` in header-credentials-only mode (nothing persisted).
    store: Option<Arc<dyn Store>>,
    http: reqwest::Client,
    calls_per_minute: u32,
    max_contexts: usize,
    idle: Duration,
    entries: Mutex<HashMap<UserId, Entry>>,
    /// Each user's `updated_at` as last read from the store; a change
    /// (credentials replaced by another process) makes their context stale.
    versions: Mutex<HashMap<UserId, SystemTime>>,
    /// One circuit breaker per SDP portal, shared by every user of it.
    breakers: Arc<BreakerRegistry>,
}

struct Entry {
    cell: Arc<OnceCell<Arc<UserContext>>>,
    last_used: Instant,
}

impl std::fmt::Debug for StoreUserContexts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreUserContexts")
            .field("contexts", &self.entries.lock().len())
            .field("max_contexts", &self.max_contexts)
            .finish_non_exhaustive()
    }
}

impl StoreUserContexts {
    /// A registry reading users from `store`, calling SDP over `http`.
    pub fn new(store: Arc<dyn Store>, http: reqwest::Client, settings: &MultiUserConfig) -> Self {
        Self::with_optional_store(Some(store), http, settings)
    }

    /// A registry without a store: only header-credential contexts.
    pub fn without_store(http: reqwest::Client, settings: &MultiUserConfig) -> Self {
        Self::with_optional_store(None, http, settings)
    }

    fn with_optional_store(
        store: Option<Arc<dyn Store>>,
        http: reqwest::Client,
        settings: &MultiUserConfig,
    ) -> Self {
        let breakers = Arc::new(BreakerRegistry::default());
        let gauge = Arc::downgrade(&breakers);
        crate::ops::metrics::METRICS.set_gauge(
            "sdp_mcp_upstream_circuits_open",
            "SDP portals whose circuit breaker is open (calls paused after repeated failures).",
            move || gauge.upgrade().map_or(0, |b| b.open_count() as u64),
        );
        Self {
            breakers,
            store,
            http,
            calls_per_minute: settings.calls_per_minute,
            max_contexts: settings.max_contexts.max(1),
            idle: settings.context_idle,
            entries: Mutex::new(HashMap::new()),
            versions: Mutex::new(HashMap::new()),
        }
    }

    /// The HTTP client every context shares.
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The per-portal circuit breakers.
    pub fn breakers(&self) -> &Arc<BreakerRegistry> {
        &self.breakers
    }

    /// The store the contexts come from (`None` in header-credentials-only mode).
    pub fn store(&self) -> Option<&Arc<dyn Store>> {
        self.store.as_ref()
    }

    /// Drops a user's context (credentials changed, user disabled or removed);
    /// the next call builds a new one.
    pub fn invalidate(&self, user_id: &UserId) {
        self.entries.lock().remove(user_id);
    }

    /// Number of contexts in memory.
    pub fn len(&self) -> usize {
        self.entries.lock().len()
    }

    /// Whether no context is in memory.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Notes the user's current `updated_at`, as just read from the store;
    /// drops the context when it was built from older data (credentials
    /// replaced, e.g. by a new OAuth sign-in on any replica), or when the
    /// version it was built from is no longer known (the map was reset).
    pub(crate) fn observe_version(&self, user_id: &UserId, version: SystemTime) {
        let previous = {
            let mut versions = self.versions.lock();
            if versions.len() >= self.max_contexts.saturating_mul(4) {
                versions.clear();
            }
            versions.insert(user_id.clone(), version)
        };
        if previous != Some(version) && self.entries.lock().contains_key(user_id) {
            self.invalidate(user_id);
            tracing::info!(%user_id, "user changed in the store; rebuilding their context");
        }
    }

    /// Builds a context from credentials given in memory (header credentials)
    /// unless one exists under `user_id`.
    pub(crate) fn ensure_prebuilt(
        &self,
        user_id: &UserId,
        build: impl FnOnce() -> Result<UserContext, String>,
    ) -> Result<(), String> {
        let mut entries = self.entries.lock();
        if let Some(entry) = entries.get_mut(user_id)
            && entry.cell.initialized()
        {
            entry.last_used = Instant::now();
            return Ok(());
        }
        let context = build()?.with_rate_limit(self.calls_per_minute);
        let cell = Arc::new(OnceCell::new_with(Some(Arc::new(context))));
        self.insert(&mut entries, user_id.clone(), cell);
        Ok(())
    }

    fn entry_cell(&self, user_id: &UserId) -> Arc<OnceCell<Arc<UserContext>>> {
        let mut entries = self.entries.lock();
        if let Some(entry) = entries.get_mut(user_id) {
            entry.last_used = Instant::now();
            return entry.cell.clone();
        }
        let cell = Arc::new(OnceCell::new());
        self.insert(&mut entries, user_id.clone(), cell.clone());
        cell
    }

    fn insert(
        &self,
        entries: &mut HashMap<UserId, Entry>,
        user_id: UserId,
        cell: Arc<OnceCell<Arc<UserContext>>>,
    ) {
        let now = Instant::now();
        if entries.len() >= self.max_contexts {
            entries.retain(|_, entry| now.duration_since(entry.last_used) < self.idle);
        }
        while entries.len() >= self.max_contexts {
            let Some(oldest) = entries
                .iter()
                .min_by_key(|(_, entry)| entry.last_used)
                .map(|(id, _)| id.clone())
            else {
                break;
            };
            entries.remove(&oldest);
        }
        entries.insert(
            user_id,
            Entry {
                cell,
                last_used: now,
            },
        );
    }

    async fn build(&self, user_id: &UserId) -> Result<Arc<UserContext>, ContextError> {
        let unavailable = |problem: String| ContextError::Unavailable {
            user: user_id.clone(),
            problem,
        };
        let Ok(store_id) = user_id.as_str().parse::<sdp_mcp_store::UserId>() else {
            return Err(ContextError::NotConnected(user_id.clone()));
        };
        let Some(store) = &self.store else {
            return Err(ContextError::NotConnected(user_id.clone()));
        };
        let started = std::time::Instant::now();
        let loaded = store.load_credentials(&store_id).await;
        crate::ops::metrics::METRICS
            .store_duration
            .observe(&["load_credentials"], started.elapsed());
        let credentials = loaded
            .map_err(|error| unavailable(error.to_string()))?
            .ok_or_else(|| ContextError::NotConnected(user_id.clone()))?;
        let config = upstream_config_from_store(&credentials).map_err(unavailable)?;
        drop(credentials);
        // Zoho tokens are shared through the store: one refresh per user per
        // token lifetime across replicas (`crate::shared_tokens`).
        let upstream = Upstream::with_zoho_wrapper(&config, self.http.clone(), |source| {
            Arc::new(SharedZohoTokens::new(store_id, store.clone(), source))
        })
        .with_breaker(&self.breakers);
        tracing::debug!(%user_id, "built user context");
        Ok(Arc::new(
            UserContext::new(user_id.clone(), upstream).with_rate_limit(self.calls_per_minute),
        ))
    }
}

impl UserContexts for StoreUserContexts {
    fn context_for<'a>(
        &'a self,
        principal: &'a Principal,
    ) -> BoxFuture<'a, Result<Arc<UserContext>, ContextError>> {
        Box::pin(async move {
            let user_id = &principal.user_id;
            if principal.method == AuthMethod::HeaderCredentials {
                let cell = self.entries.lock().get(user_id).map(|e| e.cell.clone());
                return cell.and_then(|cell| cell.get().cloned()).ok_or_else(|| {
                    ContextError::Unavailable {
                        user: user_id.clone(),
                        problem: "the connection built from the request's X-SDP-* headers \
                                  expired; send the request again"
                            .to_owned(),
                    }
                });
            }
            let cell = self.entry_cell(user_id);
            cell.get_or_try_init(|| self.build(user_id)).await.cloned()
        })
    }

    fn cached_count(&self) -> usize {
        self.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sdp_mcp_store::{
        AuthMethod as StoreAuthMethod, NewUser, SdpAuth, SdpCredentials, SecretString,
        StoreOptions, open_store,
    };

    fn credentials(portal: &str) -> SdpCredentials {
        SdpCredentials {
            auth: SdpAuth::CloudOAuth {
                client_id: Some("1000.CLIENT".to_owned()),
                client_secret: Some(SecretString::from("secret")),
                refresh_token: SecretString::from("1000.refresh"),
                scopes: Vec::new(),
            },
            instance: Some(portal.to_owned()),
            base_url: Some("http://127.0.0.1:9".to_owned()),
            accounts_url: Some("http://127.0.0.1:9".to_owned()),
            data_center: None,
        }
    }

    fn principal(id: &str) -> Principal {
        Principal {
            user_id: UserId::new(id),
            method: AuthMethod::StoreApiKey,
        }
    }

    #[tokio::test]
    async fn contexts_are_built_once_bounded_and_invalidated() {
        let dir = tempfile::tempdir().unwrap();
        let store = open_store(StoreOptions::new(dir.path(), None, None).unwrap())
            .await
            .unwrap();
        let mut ids = Vec::new();
        for (name, portal) in [("a", "one"), ("b", "two"), ("c", "three")] {
            let (user, _) = store
                .create_user(NewUser {
                    name: name.to_owned(),
                    display_name: None,
                    email: None,
                    auth_method: StoreAuthMethod::ApiKey,
                    credentials: Some(credentials(portal)),
                    issue_api_key: false,
                })
                .await
                .unwrap();
            ids.push(user.id.as_str().to_owned());
        }
        let settings = MultiUserConfig {
            max_contexts: 2,
            ..MultiUserConfig::default()
        };
        let http = crate::upstream::shared_http_client().unwrap();
        let registry = StoreUserContexts::new(store.clone(), http, &settings);

        let first = registry.context_for(&principal(&ids[0])).await.unwrap();
        let again = registry.context_for(&principal(&ids[0])).await.unwrap();
        assert!(Arc::ptr_eq(&first, &again), "one context per user");
        assert_eq!(first.upstream().client().endpoint().portal(), Some("one"));
        let second = registry.context_for(&principal(&ids[1])).await.unwrap();
        assert_eq!(second.upstream().client().endpoint().portal(), Some("two"));
        registry.context_for(&principal(&ids[2])).await.unwrap();
        assert_eq!(registry.len(), 2, "bounded");

        registry.invalidate(&UserId::new(ids[2].as_str()));
        assert_eq!(registry.len(), 1);

        let unknown = registry.context_for(&principal("no-such-user")).await;
        assert!(matches!(unknown, Err(ContextError::NotConnected(_))));
        let malformed = registry.context_for(&principal("not a valid id")).await;
        assert!(matches!(malformed, Err(ContextError::NotConnected(_))));
        store.close().await;
    }
}
