//! The Zoho authorization-code flow (reference §2.2, §2.3, §2.5): the
//! authorize URL, the code exchange and revocation. The server's MCP OAuth
//! mode uses these to obtain a user's refresh token; day-to-day access tokens
//! then come from [`ZohoTokenSource`](super::ZohoTokenSource).

use std::fmt;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use url::Url;

use super::AuthError;
use super::zoho::{classify_zoho_error, read_json};
use crate::endpoint::normalize_base;

/// Parameters of `GET {accounts}/oauth/v2/auth`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorizeRequest {
    /// OAuth client id.
    pub client_id: String,
    /// Registered redirect URI.
    pub redirect_uri: String,
    /// Scopes, e.g. `SDPOnDemand.requests.ALL` (sent comma-separated).
    pub scopes: Vec<String>,
    /// Opaque value round-tripped to the redirect.
    pub state: Option<String>,
    /// `access_type=offline` (a refresh token is issued).
    pub offline: bool,
    /// `prompt=consent` (needed for a new refresh token on re-authorization).
    pub force_consent: bool,
}

impl AuthorizeRequest {
    /// The URL to send the user's browser to.
    ///
    /// # Errors
    /// [`AuthError::Config`] when `accounts_url` is unusable.
    pub fn url(&self, accounts_url: &str) -> Result<Url, AuthError> {
        let mut url = Url::parse(&format!("{}/oauth/v2/auth", accounts_base(accounts_url)?))
            .map_err(|e| AuthError::Config {
                detail: e.to_string(),
            })?;
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("response_type", "code")
                .append_pair("client_id", &self.client_id)
                .append_pair("redirect_uri", &self.redirect_uri)
                .append_pair("scope", &self.scopes.join(","));
            if self.offline {
                query.append_pair("access_type", "offline");
            }
            if self.force_consent {
                query.append_pair("prompt", "consent");
            }
            if let Some(state) = &self.state {
                query.append_pair("state", state);
            }
        }
        Ok(url)
    }
}

/// The answer of a code exchange. `Debug` redacts the tokens.
#[derive(Clone)]
pub struct TokenGrant {
    /// Access token.
    pub access_token: SecretString,
    /// Refresh token, when `access_type=offline` and first or forced consent.
    pub refresh_token: Option<SecretString>,
    /// Access-token lifetime.
    pub expires_in: Duration,
    /// Granted scopes, when Zoho sent them (space- or comma-separated).
    pub scopes: Vec<String>,
    /// Zoho's API domain (not the SDP host; informational only).
    pub api_domain: Option<String>,
}

impl fmt::Debug for TokenGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenGrant")
            .field("access_token", &"[REDACTED]")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field("expires_in", &self.expires_in)
            .field("scopes", &self.scopes)
            .field("api_domain", &self.api_domain)
            .finish()
    }
}

/// Parameters of the code exchange.
#[derive(Clone)]
pub struct CodeExchange<'a> {
    /// Accounts base URL: use the `accounts-server` of the redirect.
    pub accounts_url: &'a str,
    /// OAuth client id.
    pub client_id: &'a str,
    /// OAuth client secret.
    pub client_secret: &'a SecretString,
    /// The `code` of the redirect (valid 2 minutes, single use).
    pub code: &'a str,
    /// The same redirect URI as in the authorize request; `None` for Self Client codes.
    pub redirect_uri: Option<&'a str>,
}

impl fmt::Debug for CodeExchange<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeExchange")
            .field("accounts_url", &self.accounts_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .field("code", &"[REDACTED]")
            .field("redirect_uri", &self.redirect_uri)
            .finish()
    }
}

/// Exchanges an authorization code for tokens
/// (`POST {accounts}/oauth/v2/token`, `grant_type=authorization_code`).
///
/// # Errors
/// [`AuthError::InvalidAuthorizationCode`] for an expired, used or
/// wrong-data-centre code; other [`AuthError`]s as for refreshes.
pub async fn exchange_code(
    http: &reqwest::Client,
    exchange: &CodeExchange<'_>,
) -> Result<TokenGrant, AuthError> {
    let url = format!("{}/oauth/v2/token", accounts_base(exchange.accounts_url)?);
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("client_id", exchange.client_id),
        ("client_secret", exchange.client_secret.expose_secret()),
        ("code", exchange.code),
    ];
    if let Some(redirect_uri) = exchange.redirect_uri {
        form.push(("redirect_uri", redirect_uri));
    }
    let response = http
        .post(&url)
        .header(reqwest::header::ACCEPT, "application/json")
        .form(&form)
        .send()
        .await
        .map_err(|e| AuthError::Transport {
            detail: e.without_url().to_string(),
        })?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(|e| AuthError::Transport {
        detail: e.without_url().to_string(),
    })?;
    tracing::debug!(status, "zoho code exchange answered");
    let value = read_json(status, &body)?;
    if let Some(error) = value.get("error") {
        let error = classify_zoho_error(
            error
                .as_str()
                .map_or_else(|| error.to_string(), str::to_owned),
            value
                .get("error_description")
                .and_then(Value::as_str)
                .map(str::to_owned),
        );
        return Err(match error {
            AuthError::InvalidRefreshToken => AuthError::InvalidAuthorizationCode,
            other => other,
        });
    }
    let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
    let access_token = text("access_token").ok_or_else(|| AuthError::InvalidResponse {
        http_status: status,
        detail: "no access_token in the answer".to_owned(),
    })?;
    let expires_in = match value.get("expires_in") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .unwrap_or(3600);
    Ok(TokenGrant {
        access_token: SecretString::from(access_token),
        refresh_token: text("refresh_token").map(SecretString::from),
        expires_in: Duration::from_secs(expires_in),
        scopes: text("scope")
            .map(|s| {
                s.split([' ', ','])
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        api_domain: text("api_domain"),
    })
}

/// Revokes a refresh token (and its access tokens):
/// `POST {accounts}/oauth/v2/token/revoke?token=…`.
///
/// # Errors
/// [`AuthError::Zoho`] when Zoho refuses (unknown token → HTTP 400),
/// [`AuthError::Transport`] when it cannot be reached.
pub async fn revoke_token(
    http: &reqwest::Client,
    accounts_url: &str,
    token: &SecretString,
) -> Result<(), AuthError> {
    let mut url = Url::parse(&format!(
        "{}/oauth/v2/token/revoke",
        accounts_base(accounts_url)?
    ))
    .map_err(|e| AuthError::Config {
        detail: e.to_string(),
    })?;
    url.query_pairs_mut()
        .append_pair("token", token.expose_secret());
    let response = http
        .post(url)
        .send()
        .await
        .map_err(|e| AuthError::Transport {
            detail: e.without_url().to_string(),
        })?;
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap_or_default();
    tracing::debug!(status, "zoho revoke answered");
    let value: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let success = (200..300).contains(&status)
        && value.get("error").is_none()
        && value
            .get("status")
            .and_then(Value::as_str)
            .is_none_or(|s| s.eq_ignore_ascii_case("success"));
    if success {
        return Ok(());
    }
    Err(AuthError::Zoho {
        error: value
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or("revoke_failed")
            .to_owned(),
        description: Some(format!("HTTP {status}")),
    })
}

fn accounts_base(accounts_url: &str) -> Result<String, AuthError> {
    normalize_base(accounts_url, "Zoho accounts URL")
        .map(|(base, _)| base)
        .map_err(|e| AuthError::Config {
            detail: e.to_string(),
        })
}
