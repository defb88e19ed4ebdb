//! [`OAuthConfig`]: the MCP OAuth sign-in delegated to the organisation's
//! Zoho web client, and its environment variables.

use std::time::Duration;

use secrecy::SecretString;

/// Default lifetime of the access tokens this server issues to MCP clients.
pub const DEFAULT_ACCESS_TOKEN_TTL: Duration = Duration::from_secs(3600);
/// Default lifetime of the refresh tokens (rotated on every use).
pub const DEFAULT_REFRESH_TOKEN_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
/// Zoho scopes requested when none are configured.
pub const DEFAULT_ZOHO_SCOPES: &[&str] = &[
    "SDPOnDemand.requests.ALL",
    "SDPOnDemand.setup.READ",
    "SDPOnDemand.users.READ",
    "SDPOnDemand.general.READ",
];

/// Configuration of the OAuth sign-in.
#[derive(Clone, Debug)]
pub struct OAuthConfig {
    /// The server's public base URL, e.g. `https://sdp-mcp.example.com` (no
    /// trailing slash): the issuer, and `<base>/mcp` is the resource.
    pub public_base_url: String,
    /// The organisation's Zoho web client id (`SDP_MCP_ZOHO_CLIENT_ID`).
    pub zoho_client_id: String,
    /// Its secret (`SDP_MCP_ZOHO_CLIENT_SECRET`).
    pub zoho_client_secret: SecretString,
    /// Zoho accounts base URL (`SDP_MCP_ZOHO_ACCOUNTS_URL`, else from `SDP_DATA_CENTER`).
    pub zoho_accounts_url: String,
    /// SDP base URL stored for signed-in users (`SDP_BASE_URL`); `None`: from the data centre.
    pub sdp_base_url: Option<String>,
    /// SDP data-centre code stored for signed-in users (`SDP_DATA_CENTER`).
    pub data_center: Option<String>,
    /// SDP portal stored for signed-in users (`SDP_INSTANCE_NAME`).
    pub portal: Option<String>,
    /// Zoho scopes requested (`SDP_MCP_ZOHO_SCOPES`, comma-separated).
    pub scopes: Vec<String>,
    /// Zoho accounts allowed to sign in, by exact email (lower-case).
    pub allowed_emails: Vec<String>,
    /// Zoho accounts allowed to sign in, by email domain (lower-case); `*` allows any.
    pub allowed_domains: Vec<String>,
    /// Lifetime of issued access tokens.
    pub access_token_ttl: Duration,
    /// Lifetime of issued refresh tokens.
    pub refresh_token_ttl: Duration,
}

/// An unusable OAuth configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthConfigError {
    /// A required variable is missing.
    #[error("{variable} is required for OAuth sign-in (set SDP_MCP_PUBLIC_URL to enable it)")]
    Missing {
        /// The variable.
        variable: &'static str,
    },
    /// A variable has an unusable value.
    #[error("{variable} is invalid: {problem}")]
    Invalid {
        /// The variable.
        variable: &'static str,
        /// What is wrong (never a secret).
        problem: String,
    },
}

impl OAuthConfig {
    /// A configuration with the defaults: no allow-list entries (nobody may
    /// sign in until some are added), default scopes and lifetimes.
    pub fn new(
        public_base_url: impl Into<String>,
        zoho_client_id: impl Into<String>,
        zoho_client_secret: SecretString,
        zoho_accounts_url: impl Into<String>,
    ) -> Self {
        Self {
            public_base_url: public_base_url.into().trim_end_matches('/').to_owned(),
            zoho_client_id: zoho_client_id.into(),
            zoho_client_secret,
            zoho_accounts_url: zoho_accounts_url.into().trim_end_matches('/').to_owned(),
            sdp_base_url: None,
            data_center: None,
            portal: None,
            scopes: DEFAULT_ZOHO_SCOPES
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            allowed_emails: Vec::new(),
            allowed_domains: Vec::new(),
            access_token_ttl: DEFAULT_ACCESS_TOKEN_TTL,
            refresh_token_ttl: DEFAULT_REFRESH_TOKEN_TTL,
        }
    }

    /// Reads the configuration from environment-style variables. `Ok(None)`
    /// when `SDP_MCP_PUBLIC_URL` is unset (OAuth sign-in off).
    ///
    /// # Errors
    /// [`OAuthConfigError`] naming the first missing or invalid variable.
    pub fn from_lookup(
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, OAuthConfigError> {
        let get = |name: &str| {
            get(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let Some(public_url) = get("SDP_MCP_PUBLIC_URL") else {
            return Ok(None);
        };
        let parsed = url::Url::parse(&public_url).map_err(|e| OAuthConfigError::Invalid {
            variable: "SDP_MCP_PUBLIC_URL",
            problem: e.to_string(),
        })?;
        let loopback = parsed.host_str().is_some_and(is_loopback_host);
        if parsed.scheme() != "https" && !(parsed.scheme() == "http" && loopback) {
            return Err(OAuthConfigError::Invalid {
                variable: "SDP_MCP_PUBLIC_URL",
                problem: "must be https:// (http:// only on a loopback host)".to_owned(),
            });
        }
        let require =
            |variable: &'static str| get(variable).ok_or(OAuthConfigError::Missing { variable });
        let client_id = require("SDP_MCP_ZOHO_CLIENT_ID")?;
        let client_secret = SecretString::from(require("SDP_MCP_ZOHO_CLIENT_SECRET")?);
        let data_center = get("SDP_DATA_CENTER");
        let accounts_url = match (get("SDP_MCP_ZOHO_ACCOUNTS_URL"), &data_center) {
            (Some(url), _) => url,
            (None, Some(dc)) => dc
                .parse::<sdp_client::DataCenter>()
                .map_err(|e| OAuthConfigError::Invalid {
                    variable: "SDP_DATA_CENTER",
                    problem: e.to_string(),
                })?
                .accounts_url(),
            (None, None) => sdp_client::DataCenter::Us.accounts_url(),
        };
        let mut config = Self::new(public_url, client_id, client_secret, accounts_url);
        config.data_center = data_center;
        config.sdp_base_url = get("SDP_BASE_URL");
        config.portal = get("SDP_INSTANCE_NAME").or_else(|| get("SDP_PORTAL_NAME"));
        if let Some(scopes) = get("SDP_MCP_ZOHO_SCOPES") {
            config.scopes = list(&scopes);
        }
        config.allowed_emails = list(&get("SDP_MCP_OAUTH_ALLOWED_EMAILS").unwrap_or_default());
        config.allowed_domains = list(&get("SDP_MCP_OAUTH_ALLOWED_DOMAINS").unwrap_or_default());
        if config.allowed_emails.is_empty() && config.allowed_domains.is_empty() {
            return Err(OAuthConfigError::Missing {
                variable: "SDP_MCP_OAUTH_ALLOWED_DOMAINS (or SDP_MCP_OAUTH_ALLOWED_EMAILS; `*` allows any Zoho account)",
            });
        }
        Ok(Some(config))
    }

    /// The issuer (RFC 8414): the public base URL.
    pub fn issuer(&self) -> &str {
        &self.public_base_url
    }

    /// The protected resource: `<base>/mcp`.
    pub fn resource(&self) -> String {
        format!("{}/mcp", self.public_base_url)
    }

    /// The URL of the protected-resource metadata for `/mcp`.
    pub fn resource_metadata_url(&self) -> String {
        format!(
            "{}/.well-known/oauth-protected-resource/mcp",
            self.public_base_url
        )
    }

    /// The Zoho redirect URI to register in the Zoho web client:
    /// `<base>/oauth/zoho/callback`.
    pub fn zoho_redirect_uri(&self) -> String {
        format!("{}/oauth/zoho/callback", self.public_base_url)
    }

    /// Whether the Zoho account `email` may sign in.
    pub fn allows(&self, email: &str) -> bool {
        let email = email.trim().to_ascii_lowercase();
        let Some((_, domain)) = email.rsplit_once('@') else {
            return false;
        };
        self.allowed_emails.contains(&email)
            || self
                .allowed_domains
                .iter()
                .any(|d| d == "*" || d.trim_start_matches('@') == domain)
    }

    /// Whether cookies must be `Secure` (the public URL is https).
    pub(crate) fn secure_cookies(&self) -> bool {
        self.public_base_url.starts_with("https://")
    }
}

/// Comma- or whitespace-separated values, lower-cased.
fn list(text: &str) -> Vec<String> {
    text.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// `localhost`, `127.0.0.0/8` or `::1`.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn off_without_public_url_and_strict_otherwise() {
        assert!(OAuthConfig::from_lookup(lookup(&[])).unwrap().is_none());
        let err = OAuthConfig::from_lookup(lookup(&[("SDP_MCP_PUBLIC_URL", "http://example.com")]));
        assert!(matches!(err, Err(OAuthConfigError::Invalid { .. })));
        let base = [
            ("SDP_MCP_PUBLIC_URL", "https://mcp.example.com/"),
            ("SDP_MCP_ZOHO_CLIENT_ID", "1000.X"),
            ("SDP_MCP_ZOHO_CLIENT_SECRET", "s"),
            ("SDP_DATA_CENTER", "EU"),
        ];
        let err = OAuthConfig::from_lookup(lookup(&base));
        assert!(matches!(err, Err(OAuthConfigError::Missing { .. })));
        let mut with_domains = base.to_vec();
        with_domains.push(("SDP_MCP_OAUTH_ALLOWED_DOMAINS", "Example.com, zylker.test"));
        let config = OAuthConfig::from_lookup(lookup(&with_domains))
            .unwrap()
            .unwrap();
        assert_eq!(config.resource(), "https://mcp.example.com/mcp");
        assert_eq!(config.zoho_accounts_url, "https://accounts.zoho.eu");
        assert!(config.allows("Alice@example.com"));
        assert!(!config.allows("alice@example.org"));
        assert!(!config.allows("alice@sub.example.com"));
    }

    #[test]
    fn loopback_hosts() {
        for host in ["localhost", "127.0.0.1", "[::1]", "127.1.2.3"] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in ["example.com", "10.0.0.1", "localhost.example.com"] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}
