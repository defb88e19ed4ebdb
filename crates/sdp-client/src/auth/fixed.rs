//! Token sources that never refresh: a fixed OAuth access token (tests,
//! short scripts) and an on-premises technician API key.

use std::fmt;

use futures::future::{BoxFuture, FutureExt};
use secrecy::SecretString;

use super::{AuthError, TokenSource};

/// A fixed access token. `invalidate` is a no-op, so a rejected token makes
/// the call fail with SDP's 4022 error instead of looping.
#[derive(Clone)]
pub struct StaticToken {
    token: SecretString,
}

impl StaticToken {
    /// Wraps `token`.
    pub fn new(token: SecretString) -> Self {
        StaticToken { token }
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticToken")
            .field("token", &"[REDACTED]")
            .finish()
    }
}

impl TokenSource for StaticToken {
    fn access_token(&self) -> BoxFuture<'_, Result<SecretString, AuthError>> {
        futures::future::ready(Ok(self.token.clone())).boxed()
    }

    fn invalidate(&self, _rejected: &SecretString) {}
}

/// An on-premises technician API key, sent in the header chosen by the
/// [`Endpoint`](crate::Endpoint) (`authtoken` by default).
#[derive(Clone)]
pub struct OnPremApiKey {
    key: SecretString,
}

impl OnPremApiKey {
    /// Wraps `key`.
    pub fn new(key: SecretString) -> Self {
        OnPremApiKey { key }
    }
}

impl fmt::Debug for OnPremApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnPremApiKey")
            .field("key", &"[REDACTED]")
            .finish()
    }
}

impl TokenSource for OnPremApiKey {
    fn access_token(&self) -> BoxFuture<'_, Result<SecretString, AuthError>> {
        futures::future::ready(Ok(self.key.clone())).boxed()
    }

    fn invalidate(&self, _rejected: &SecretString) {}
}
