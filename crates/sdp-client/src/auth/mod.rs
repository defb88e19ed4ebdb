//! Credentials: the [`TokenSource`] seam and its implementations.
//!
//! The client asks a token source for a secret before each call and tells it
//! when SDP rejected that secret as invalid (status code 4022), so the source
//! can refresh. The HTTP header the secret goes into is decided by the
//! [`Endpoint`](crate::Endpoint): `Authorization: Zoho-oauthtoken <t>` on
//! cloud, the technician-key header on-premises.

mod fixed;
mod grant;
mod zoho;

use std::time::Duration;

use futures::future::BoxFuture;
use secrecy::SecretString;

pub use fixed::{OnPremApiKey, StaticToken};
pub use grant::{AuthorizeRequest, CodeExchange, TokenGrant, exchange_code, revoke_token};
pub use zoho::{RefreshPolicy, ZohoCredentials, ZohoTokenSource};

/// Supplies the secret that authenticates SDP calls.
///
/// Implementations must be cheap to call often: cache, and refresh at most
/// once at a time per credential.
pub trait TokenSource: Send + Sync + std::fmt::Debug {
    /// A currently valid access token (or API key).
    ///
    /// # Errors
    /// [`AuthError`] when no token can be obtained.
    fn access_token(&self) -> BoxFuture<'_, Result<SecretString, AuthError>>;

    /// SDP rejected `rejected` as invalid or expired (status code 4022). A
    /// refreshing source drops it from its cache if it is still the cached
    /// one, so the next [`TokenSource::access_token`] mints a new one. Sources
    /// that cannot refresh ignore this.
    fn invalidate(&self, rejected: &SecretString);
}

/// Obtaining a token failed. The `Display` text is the human message and
/// never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// Zoho's token-creation throttle ("Access Denied … too many requests"):
    /// at most 10 access tokens per refresh token per 10 minutes. The source
    /// will not ask Zoho again before `retry_after` elapses.
    #[error(
        "Zoho refused to issue a new access token: too many token requests (Zoho allows 10 per refresh token in 10 minutes). Not retrying for {} s; reuse existing sessions and try again later",
        retry_after.as_secs().max(1)
    )]
    Throttled {
        /// Time until the next refresh attempt is allowed.
        retry_after: Duration,
    },
    /// Zoho answered `invalid_code` for the refresh token.
    #[error(
        "refresh token invalid or revoked: re-authorize (a new consent issues a new refresh token; Zoho keeps at most 20 per user and client, evicting the oldest)"
    )]
    InvalidRefreshToken,
    /// Zoho answered `invalid_code` to a code exchange.
    #[error(
        "the authorization code is invalid, already used, expired (codes last 2 minutes) or from another data centre: start the sign-in again"
    )]
    InvalidAuthorizationCode,
    /// Zoho answered `invalid_client`.
    #[error(
        "Zoho does not know this client id in this data centre: check the client id and the data centre / accounts URL"
    )]
    InvalidClient,
    /// Zoho answered `invalid_client_secret`.
    #[error("Zoho rejected the client secret: check the client secret of this OAuth client")]
    InvalidClientSecret,
    /// Any other Zoho `error` member.
    #[error("Zoho token endpoint error `{error}`{}", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Zoho {
        /// The `error` member.
        error: String,
        /// The `error_description` member, when present.
        description: Option<String>,
    },
    /// The token endpoint could not be reached or timed out.
    #[error("could not reach the Zoho accounts server: {detail}")]
    Transport {
        /// Error text, without secrets.
        detail: String,
    },
    /// The token endpoint answered something unreadable.
    #[error("unexpected answer from the Zoho accounts server (HTTP {http_status}): {detail}")]
    InvalidResponse {
        /// HTTP status.
        http_status: u16,
        /// What was wrong.
        detail: String,
    },
    /// A fixed token or API key was rejected by SDP and cannot be refreshed.
    #[error(
        "the configured token or API key was rejected and cannot be refreshed: supply a valid one"
    )]
    Rejected,
    /// The accounts URL is unusable.
    #[error("invalid Zoho accounts URL: {detail}")]
    Config {
        /// What was wrong.
        detail: String,
    },
}

impl AuthError {
    /// A clear sentence with the fix (the `Display` text, capitalised).
    pub fn human_message(&self) -> String {
        let text = self.to_string();
        let mut chars = text.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect::<String>() + ".",
            None => text,
        }
    }

    /// `true` when retrying later may succeed without a human changing
    /// anything (throttle, transport).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            AuthError::Throttled { .. } | AuthError::Transport { .. }
        )
    }
}
