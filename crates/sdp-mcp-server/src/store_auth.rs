//! Multi-user authentication: `Authorization: Bearer sdpmcp_…` checked
//! against the store, with a small in-memory cache, and (opt-in) per-request
//! SDP credentials in `X-SDP-*` headers.
//!
//! The cache maps the SHA-256 of a key to its user for `auth_cache_ttl`
//! (30 s by default): a key revoked or a user disabled by another process
//! (the CLI) stops working within that time; a miss always asks the store, so
//! users imported while the server runs work at once. Unknown keys are not
//! cached.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use parking_lot::Mutex;
use secrecy::SecretString;
use sha2::{Digest, Sha256};

use crate::auth::{AuthError, AuthMethod, Principal, UserId, bearer_token};
use crate::config::MultiUserConfig;
use crate::header_credentials::HeaderCredentials;
use crate::oauth::OAuthVerifier;
use crate::registry::StoreUserContexts;

/// Most keys remembered at once.
const CACHE_CAPACITY: usize = 10_000;

/// Verifies personal API keys against the store.
pub(crate) struct StoreAuthenticator {
    contexts: Arc<StoreUserContexts>,
    ttl: Duration,
    cache: Mutex<HashMap<[u8; 32], Cached>>,
    header_credentials: Option<HeaderCredentials>,
    oauth: Option<OAuthVerifier>,
}

struct Cached {
    user_id: UserId,
    expires: Instant,
}

impl std::fmt::Debug for StoreAuthenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreAuthenticator")
            .field("cached_keys", &self.cache.lock().len())
            .field("header_credentials", &self.header_credentials.is_some())
            .field("oauth", &self.oauth.is_some())
            .finish_non_exhaustive()
    }
}

impl StoreAuthenticator {
    /// An authenticator for the users of `contexts`' store.
    pub(crate) fn new(contexts: Arc<StoreUserContexts>, settings: &MultiUserConfig) -> Self {
        Self {
            contexts,
            ttl: settings.auth_cache_ttl,
            cache: Mutex::new(HashMap::new()),
            header_credentials: settings
                .allow_header_credentials
                .then(HeaderCredentials::new),
            oauth: None,
        }
    }

    /// Also accepts the access tokens of this server's OAuth sign-in.
    pub(crate) fn with_oauth(mut self, verifier: OAuthVerifier) -> Self {
        self.oauth = Some(verifier);
        self
    }

    /// The OAuth verifier, when OAuth sign-in is on.
    pub(crate) fn oauth(&self) -> Option<&OAuthVerifier> {
        self.oauth.as_ref()
    }

    /// Authenticates one request.
    pub(crate) async fn authenticate(&self, headers: &HeaderMap) -> Result<Principal, AuthError> {
        if let Some(header_credentials) = &self.header_credentials
            && HeaderCredentials::present(headers)
        {
            let user_id = header_credentials.principal_for(headers, &self.contexts)?;
            return Ok(Principal {
                user_id,
                method: AuthMethod::HeaderCredentials,
            });
        }
        let token = bearer_token(headers)?;
        if let Some(verifier) = &self.oauth
            && OAuthVerifier::is_access_token(token)
        {
            // Not cached: revocation and expiry take effect at once.
            return match verifier.verify(token).await {
                Ok(Some(verified)) => {
                    let user_id = UserId::new(verified.user_id);
                    // A new sign-in (new Zoho grant) drops the cached context.
                    self.contexts
                        .observe_version(&user_id, verified.user_version);
                    Ok(Principal {
                        user_id,
                        method: AuthMethod::OAuth,
                    })
                }
                Ok(None) => Err(AuthError::InvalidToken),
                Err(error) => {
                    tracing::error!(%error, "cannot check an OAuth access token against the store");
                    Err(AuthError::Unavailable)
                }
            };
        }
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let now = Instant::now();
        if let Some(cached) = self.cache.lock().get(&digest)
            && cached.expires > now
        {
            return Ok(Principal {
                user_id: cached.user_id.clone(),
                method: AuthMethod::StoreApiKey,
            });
        }
        if !sdp_mcp_store::looks_like_api_key(token) {
            return Err(AuthError::InvalidToken);
        }
        let Some(store) = self.contexts.store() else {
            return Err(AuthError::InvalidToken);
        };
        let key = SecretString::from(token.to_owned());
        let user = match store.authenticate_api_key(&key).await {
            Ok(Some(user)) => user,
            Ok(None) => {
                self.cache.lock().remove(&digest);
                return Err(AuthError::InvalidToken);
            }
            Err(error) => {
                tracing::error!(%error, "cannot check an API key against the store");
                return Err(AuthError::Unavailable);
            }
        };
        let user_id = UserId::new(user.id.as_str());
        self.contexts.observe_version(&user_id, user.updated_at);
        {
            let mut cache = self.cache.lock();
            if cache.len() >= CACHE_CAPACITY {
                cache.retain(|_, cached| cached.expires > now);
                if cache.len() >= CACHE_CAPACITY {
                    cache.clear();
                }
            }
            cache.insert(
                digest,
                Cached {
                    user_id: user_id.clone(),
                    expires: now + self.ttl,
                },
            );
        }
        Ok(Principal {
            user_id,
            method: AuthMethod::StoreApiKey,
        })
    }
}
