//! Per-user state a tool call runs with, and the resolver from a
//! [`Principal`] to it.
//!
//! The user flows as a value: the auth layer produces a `Principal`, the tool
//! asks [`UserContexts`] for that principal's [`UserContext`], and calls SDP
//! through it. Single-user mode has one context built at start
//! ([`SingleUserContexts`]); multi-user mode builds contexts on demand
//! from the store (bounded, idle-evicting, `crate::registry`), behind the same trait.

use std::sync::Arc;

use futures::future::BoxFuture;

use crate::auth::{Principal, UserId};
use crate::lookups::LookupCache;
use crate::rate_limit::{RateLimited, RateLimiter};
use crate::upstream::Upstream;

/// Everything one user's tool calls need: their SDP client, caches and rate limiter.
#[derive(Debug)]
pub struct UserContext {
    user_id: UserId,
    upstream: Upstream,
    lookups: LookupCache,
    limiter: Option<RateLimiter>,
}

impl UserContext {
    /// A context for `user_id` calling SDP through `upstream`.
    pub fn new(user_id: UserId, upstream: Upstream) -> Self {
        Self {
            user_id,
            upstream,
            lookups: LookupCache::default(),
            limiter: None,
        }
    }

    /// Limits this user to `per_minute` tool calls per minute (`0`: no limit).
    pub fn with_rate_limit(mut self, per_minute: u32) -> Self {
        self.limiter = (per_minute > 0).then(|| RateLimiter::per_minute(per_minute));
        self
    }

    /// Counts one tool call against the user's rate limit.
    pub(crate) fn check_rate_limit(&self) -> Result<(), RateLimited> {
        self.limiter
            .as_ref()
            .map_or(Ok(()), RateLimiter::try_acquire)
    }

    /// Whose context this is.
    pub fn user_id(&self) -> &UserId {
        &self.user_id
    }

    /// The user's SDP connection.
    pub fn upstream(&self) -> &Upstream {
        &self.upstream
    }

    /// The user's cache of portal lookup lists (statuses, priorities, …).
    pub(crate) fn lookups(&self) -> &LookupCache {
        &self.lookups
    }
}

/// Why no context could be produced for a principal.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ContextError {
    /// The principal has no ServiceDesk Plus connection on this server.
    #[error(
        "user `{0}` has no ServiceDesk Plus connection on this server; ask the administrator to \
         add SDP credentials for this user"
    )]
    NotConnected(UserId),
    /// The user's connection could not be set up (store unavailable, stored
    /// credentials unusable). The message names the problem, never a secret.
    #[error("cannot set up the ServiceDesk Plus connection of user `{user}`: {problem}")]
    Unavailable {
        /// Whose connection.
        user: UserId,
        /// What went wrong.
        problem: String,
    },
}

/// Resolves the [`UserContext`] of a principal.
pub trait UserContexts: Send + Sync + std::fmt::Debug + 'static {
    /// The context for `principal`.
    fn context_for<'a>(
        &'a self,
        principal: &'a Principal,
    ) -> BoxFuture<'a, Result<Arc<UserContext>, ContextError>>;

    /// How many user contexts are cached (the `sdp_mcp_cached_user_contexts` gauge).
    fn cached_count(&self) -> usize {
        1
    }
}

/// Single-user mode: one context, built at start from the environment, shared
/// by every authenticated principal (all of them are the one user).
#[derive(Debug, Clone)]
pub struct SingleUserContexts {
    context: Arc<UserContext>,
}

impl SingleUserContexts {
    /// Wraps the one context.
    pub fn new(context: UserContext) -> Self {
        Self {
            context: Arc::new(context),
        }
    }
}

impl UserContexts for SingleUserContexts {
    fn context_for<'a>(
        &'a self,
        _principal: &'a Principal,
    ) -> BoxFuture<'a, Result<Arc<UserContext>, ContextError>> {
        let context = self.context.clone();
        Box::pin(async move { Ok(context) })
    }
}
