//! Zoho OAuth refresh-token source (reference §2.3, §2.4, §7 #4).
//!
//! - Caches the access token and refreshes ahead of expiry (the smaller of
//!   [`RefreshPolicy::max_margin`] and [`RefreshPolicy::margin_percent`] of
//!   the lifetime).
//! - Single-flight: a `tokio::sync::Mutex` serialises refreshes and every
//!   waiter re-checks the cache after acquiring it, so any number of
//!   concurrent callers with an expired token cause exactly one refresh.
//! - Zoho errors are recognised by the `error` member whatever the HTTP
//!   status (Zoho answers 200, some deployments 400).
//! - The "Access Denied" throttle becomes [`AuthError::Throttled`] and opens
//!   a cool-down during which no refresh is attempted (no retry storm);
//!   other failures also cool down briefly, so waiters queued behind a failed
//!   refresh get its error instead of trying again one by one.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::future::{BoxFuture, FutureExt};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use tokio::time::Instant;
use tracing::Instrument;

use super::{AuthError, TokenSource};
use crate::endpoint::normalize_base;

/// What a Zoho refresh-token source needs. `Debug` redacts the secrets.
#[derive(Clone)]
pub struct ZohoCredentials {
    /// OAuth client id (`1000.…`); not secret.
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: SecretString,
    /// Long-lived refresh token.
    pub refresh_token: SecretString,
    /// Zoho accounts base URL of the token's data centre
    /// (`https://accounts.zoho.com`; see [`DataCenter::accounts_url`](crate::DataCenter::accounts_url)).
    pub accounts_url: String,
}

impl fmt::Debug for ZohoCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZohoCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .field("refresh_token", &"[REDACTED]")
            .field("accounts_url", &self.accounts_url)
            .finish()
    }
}

/// Timing knobs of [`ZohoTokenSource`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshPolicy {
    /// Refresh at most this long before expiry (default 5 min).
    pub max_margin: Duration,
    /// …or this share of the token lifetime, whichever is smaller (default 10 %).
    pub margin_percent: u32,
    /// First cool-down after Zoho's throttle answer (default 60 s); doubles on
    /// each consecutive throttle up to [`RefreshPolicy::max_throttle_cooldown`].
    pub throttle_cooldown: Duration,
    /// Longest throttle cool-down (default 10 min, Zoho's window).
    pub max_throttle_cooldown: Duration,
    /// Cool-down after a definitive failure such as a revoked refresh token
    /// (default 30 s).
    pub failure_cooldown: Duration,
    /// Cool-down after a transport failure or unreadable answer (default 1 s).
    pub transient_cooldown: Duration,
    /// Time-out of one token request (default 30 s).
    pub request_timeout: Duration,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        RefreshPolicy {
            max_margin: Duration::from_secs(300),
            margin_percent: 10,
            throttle_cooldown: Duration::from_secs(60),
            max_throttle_cooldown: Duration::from_secs(600),
            failure_cooldown: Duration::from_secs(30),
            transient_cooldown: Duration::from_secs(1),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// Access tokens minted from a Zoho refresh token. Cheap to clone (shared state).
#[derive(Clone)]
pub struct ZohoTokenSource {
    inner: Arc<Inner>,
}

struct Inner {
    credentials: ZohoCredentials,
    policy: RefreshPolicy,
    http: reqwest::Client,
    state: parking_lot::Mutex<State>,
    refresh_lock: tokio::sync::Mutex<()>,
    refreshes: AtomicU64,
}

#[derive(Default)]
struct State {
    token: Option<Cached>,
    blocked: Option<Blocked>,
    consecutive_throttles: u32,
}

struct Cached {
    token: SecretString,
    expires_at: Instant,
    refresh_at: Instant,
}

struct Blocked {
    until: Instant,
    error: AuthError,
}

impl ZohoTokenSource {
    /// A source with the default [`RefreshPolicy`], using `http` for token calls.
    pub fn new(credentials: ZohoCredentials, http: reqwest::Client) -> Self {
        Self::with_policy(credentials, RefreshPolicy::default(), http)
    }

    /// A source with an explicit policy.
    pub fn with_policy(
        credentials: ZohoCredentials,
        policy: RefreshPolicy,
        http: reqwest::Client,
    ) -> Self {
        ZohoTokenSource {
            inner: Arc::new(Inner {
                credentials,
                policy,
                http,
                state: parking_lot::Mutex::new(State::default()),
                refresh_lock: tokio::sync::Mutex::new(()),
                refreshes: AtomicU64::new(0),
            }),
        }
    }

    /// Primes the cache with a token known to be valid for `valid_for`
    /// (e.g. one persisted by another replica).
    pub fn seed(&self, token: SecretString, valid_for: Duration) {
        let cached = self.inner.cached(token, valid_for);
        self.inner.state.lock().token = Some(cached);
    }

    /// The cached token and its remaining lifetime, if any (for persisting).
    pub fn cached(&self) -> Option<(SecretString, Duration)> {
        let state = self.inner.state.lock();
        let cached = state.token.as_ref()?;
        let remaining = cached.expires_at.checked_duration_since(Instant::now())?;
        Some((cached.token.clone(), remaining))
    }

    /// Number of token requests sent to Zoho so far (successful or not).
    pub fn refresh_attempts(&self) -> u64 {
        self.inner.refreshes.load(Ordering::Relaxed)
    }

    /// The client id (not secret), e.g. for log fields.
    pub fn client_id(&self) -> &str {
        &self.inner.credentials.client_id
    }
}

impl fmt::Debug for ZohoTokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZohoTokenSource")
            .field("credentials", &self.inner.credentials)
            .field("policy", &self.inner.policy)
            .finish_non_exhaustive()
    }
}

impl TokenSource for ZohoTokenSource {
    fn access_token(&self) -> BoxFuture<'_, Result<SecretString, AuthError>> {
        self.inner.access_token().boxed()
    }

    fn invalidate(&self, rejected: &SecretString) {
        let mut state = self.inner.state.lock();
        let matches = state
            .token
            .as_ref()
            .is_some_and(|c| c.token.expose_secret() == rejected.expose_secret());
        if matches {
            tracing::debug!(client_id = %self.inner.credentials.client_id, "access token rejected by SDP, dropped from cache");
            state.token = None;
        }
    }
}

impl Inner {
    fn fresh(&self) -> Option<SecretString> {
        let state = self.state.lock();
        let cached = state.token.as_ref()?;
        (Instant::now() < cached.refresh_at).then(|| cached.token.clone())
    }

    fn cached(&self, token: SecretString, lifetime: Duration) -> Cached {
        let now = Instant::now();
        let share = lifetime * self.policy.margin_percent.min(100) / 100;
        let margin = share.min(self.policy.max_margin);
        Cached {
            token,
            expires_at: now + lifetime,
            refresh_at: now + lifetime.saturating_sub(margin),
        }
    }

    async fn access_token(&self) -> Result<SecretString, AuthError> {
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let _guard = self.refresh_lock.lock().await;
        // Double-check: whoever held the lock before us may have refreshed.
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let now = Instant::now();
        {
            let state = self.state.lock();
            if let Some(blocked) = state.blocked.as_ref().filter(|b| now < b.until) {
                if let Some(cached) = state.token.as_ref().filter(|c| now < c.expires_at) {
                    // Refresh-ahead is blocked, but the token still works.
                    return Ok(cached.token.clone());
                }
                return Err(with_remaining(&blocked.error, blocked.until - now));
            }
        }
        self.refreshes.fetch_add(1, Ordering::Relaxed);
        let result = self.request_token().await;
        let mut state = self.state.lock();
        match result {
            Ok((token, lifetime)) => {
                state.token = Some(self.cached(token.clone(), lifetime));
                state.blocked = None;
                state.consecutive_throttles = 0;
                Ok(token)
            }
            Err(error) => {
                let cooldown = match &error {
                    AuthError::Throttled { .. } => {
                        let factor = 1u32 << state.consecutive_throttles.min(10);
                        state.consecutive_throttles = state.consecutive_throttles.saturating_add(1);
                        (self.policy.throttle_cooldown * factor)
                            .min(self.policy.max_throttle_cooldown)
                    }
                    AuthError::Transport { .. } | AuthError::InvalidResponse { .. } => {
                        self.policy.transient_cooldown
                    }
                    _ => self.policy.failure_cooldown,
                };
                let error = with_remaining(&error, cooldown);
                tracing::warn!(
                    client_id = %self.credentials.client_id,
                    cooldown_secs = cooldown.as_secs(),
                    error = %error,
                    "zoho token refresh failed"
                );
                state.blocked = Some(Blocked {
                    until: Instant::now() + cooldown,
                    error: error.clone(),
                });
                match state
                    .token
                    .as_ref()
                    .filter(|c| Instant::now() < c.expires_at)
                {
                    Some(cached) => Ok(cached.token.clone()),
                    None => Err(error),
                }
            }
        }
    }

    async fn request_token(&self) -> Result<(SecretString, Duration), AuthError> {
        let (base, _) = normalize_base(&self.credentials.accounts_url, "Zoho accounts URL")
            .map_err(|e| AuthError::Config {
                detail: e.to_string(),
            })?;
        let url = format!("{base}/oauth/v2/token");
        let span = tracing::debug_span!(
            "zoho.refresh",
            client_id = %self.credentials.client_id,
            accounts = %base,
            status = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        async {
            let started = std::time::Instant::now();
            let form = [
                ("grant_type", "refresh_token"),
                ("client_id", self.credentials.client_id.as_str()),
                (
                    "client_secret",
                    self.credentials.client_secret.expose_secret(),
                ),
                (
                    "refresh_token",
                    self.credentials.refresh_token.expose_secret(),
                ),
            ];
            let response = self
                .http
                .post(&url)
                .header(reqwest::header::ACCEPT, "application/json")
                .form(&form)
                .timeout(self.policy.request_timeout)
                .send()
                .await
                .map_err(|e| AuthError::Transport {
                    detail: e.without_url().to_string(),
                })?;
            let status = response.status().as_u16();
            let body = response.bytes().await.map_err(|e| AuthError::Transport {
                detail: e.without_url().to_string(),
            })?;
            let span = tracing::Span::current();
            span.record("status", status);
            span.record("latency_ms", started.elapsed().as_millis() as u64);
            let parsed = parse_token_response(status, &body);
            match &parsed {
                Ok((_, lifetime)) => {
                    tracing::debug!(
                        expires_in_secs = lifetime.as_secs(),
                        "zoho access token minted"
                    );
                }
                Err(error) => tracing::debug!(%error, "zoho token endpoint refused"),
            }
            parsed
        }
        .instrument(span)
        .await
    }
}

fn with_remaining(error: &AuthError, remaining: Duration) -> AuthError {
    match error {
        AuthError::Throttled { .. } => AuthError::Throttled {
            retry_after: remaining,
        },
        other => other.clone(),
    }
}

/// Interprets a token-endpoint answer. Zoho reports errors in an `error`
/// member with HTTP 200 (sometimes 400), so the member decides, not the status.
pub(crate) fn parse_token_response(
    http_status: u16,
    body: &[u8],
) -> Result<(SecretString, Duration), AuthError> {
    let value = read_json(http_status, body)?;
    if let Some(error) = value.get("error") {
        let error = match error {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let description = value
            .get("error_description")
            .and_then(Value::as_str)
            .map(str::to_owned);
        return Err(classify_zoho_error(error, description));
    }
    let Some(token) = value.get("access_token").and_then(Value::as_str) else {
        return Err(AuthError::InvalidResponse {
            http_status,
            detail: "no access_token in the answer".to_owned(),
        });
    };
    let expires_in = ["expires_in", "expires_in_sec"]
        .iter()
        .find_map(|key| match value.get(*key) {
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        })
        .filter(|secs| *secs > 0)
        .unwrap_or(3600);
    Ok((
        SecretString::from(token.to_owned()),
        Duration::from_secs(expires_in),
    ))
}

/// Parses a token-endpoint body as JSON.
pub(crate) fn read_json(http_status: u16, body: &[u8]) -> Result<Value, AuthError> {
    serde_json::from_slice(body).map_err(|_| AuthError::InvalidResponse {
        http_status,
        detail: "the body is not JSON".to_owned(),
    })
}

/// Maps Zoho's `error` member to an [`AuthError`].
pub(crate) fn classify_zoho_error(error: String, description: Option<String>) -> AuthError {
    let lower = error.to_ascii_lowercase();
    let description_lower = description
        .as_deref()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if lower == "access denied"
        || description_lower.contains("too many requests")
        || description_lower.contains("throttle")
    {
        return AuthError::Throttled {
            retry_after: Duration::ZERO,
        };
    }
    match lower.as_str() {
        "invalid_code" => AuthError::InvalidRefreshToken,
        "invalid_client" => AuthError::InvalidClient,
        "invalid_client_secret" => AuthError::InvalidClientSecret,
        _ => AuthError::Zoho { error, description },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_reads_token_and_lifetime() {
        let body = br#"{"access_token":"1000.a.b","scope":"x","api_domain":"https://www.zohoapis.com","token_type":"Bearer","expires_in":3600}"#;
        let (token, lifetime) = parse_token_response(200, body).unwrap();
        assert_eq!(token.expose_secret(), "1000.a.b");
        assert_eq!(lifetime, Duration::from_secs(3600));
        let (_, lifetime) =
            parse_token_response(200, br#"{"access_token":"t","expires_in_sec":"120"}"#).unwrap();
        assert_eq!(lifetime, Duration::from_secs(120));
    }

    #[test]
    fn errors_are_read_from_the_error_member_whatever_the_status() {
        for status in [200, 400] {
            let throttle = br#"{"error":"Access Denied","error_description":"You have made too many requests continuously. Please try again after some time.","status":"failure"}"#;
            assert!(matches!(
                parse_token_response(status, throttle),
                Err(AuthError::Throttled { .. })
            ));
            let newer = br#"{"error":"Access Denied","error_description":"Token creation throttle limit reached. Please reuse the valid tokens you currently have."}"#;
            assert!(matches!(
                parse_token_response(status, newer),
                Err(AuthError::Throttled { .. })
            ));
            assert_eq!(
                parse_token_response(status, br#"{"error":"invalid_code"}"#).err(),
                Some(AuthError::InvalidRefreshToken)
            );
            assert_eq!(
                parse_token_response(status, br#"{"error":"invalid_client"}"#).err(),
                Some(AuthError::InvalidClient)
            );
            assert_eq!(
                parse_token_response(status, br#"{"error":"invalid_client_secret"}"#).err(),
                Some(AuthError::InvalidClientSecret)
            );
        }
        assert!(matches!(
            parse_token_response(200, b"<html>"),
            Err(AuthError::InvalidResponse { .. })
        ));
        assert!(matches!(
            parse_token_response(200, b"{}"),
            Err(AuthError::InvalidResponse { .. })
        ));
    }

    #[tokio::test]
    async fn refresh_margin_is_the_smaller_of_five_minutes_and_ten_percent() {
        let source = ZohoTokenSource::new(
            ZohoCredentials {
                client_id: "1000.X".into(),
                client_secret: SecretString::from("s"),
                refresh_token: SecretString::from("r"),
                accounts_url: "http://127.0.0.1:9".into(),
            },
            reqwest::Client::new(),
        );
        let long = source
            .inner
            .cached(SecretString::from("a"), Duration::from_secs(3600));
        assert_eq!(long.expires_at - long.refresh_at, Duration::from_secs(300));
        let short = source
            .inner
            .cached(SecretString::from("a"), Duration::from_secs(60));
        assert_eq!(short.expires_at - short.refresh_at, Duration::from_secs(6));
        source.seed(SecretString::from("seeded"), Duration::from_secs(3600));
        assert_eq!(
            source.access_token().await.unwrap().expose_secret(),
            "seeded"
        );
        source.invalidate(&SecretString::from("other"));
        assert!(source.cached().is_some());
        source.invalidate(&SecretString::from("seeded"));
        assert!(source.cached().is_none());
    }
}
