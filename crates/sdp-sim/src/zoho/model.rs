//! Plain types shared by the Zoho accounts handlers and the token state.

/// An OAuth client registered at the simulated Zoho.
#[derive(Debug, Clone)]
pub(crate) struct Client {
    pub secret: String,
    /// Exact URIs, or prefixes when ending in `*`.
    pub redirect_uris: Vec<String>,
    /// The user a Self Client belongs to (`client_credentials` acts as them).
    pub owner: Option<String>,
}

impl Client {
    pub(crate) fn accepts_redirect(&self, uri: &str) -> bool {
        !uri.is_empty()
            && self
                .redirect_uris
                .iter()
                .any(|r| r.strip_suffix('*').map_or(r == uri, |p| uri.starts_with(p)))
    }
}

/// A Zoho account (one per directory user).
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub login: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    pub zuid: u64,
    pub portal: String,
}

/// A validated `/oauth/v2/auth` request, kept server-side between the pages.
#[derive(Debug, Clone)]
pub(crate) struct AuthRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub offline: bool,
    pub prompt_consent: bool,
    pub state: Option<String>,
}

/// A token-endpoint failure; `code()` is the `error` member Zoho sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenError {
    InvalidCode,
    InvalidClient,
    InvalidClientSecret,
    InvalidRedirectUri,
    InvalidScope,
    UnauthorizedClient,
    UnsupportedGrantType,
    Throttled,
}

impl TokenError {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::InvalidCode => "invalid_code",
            Self::InvalidClient => "invalid_client",
            Self::InvalidClientSecret => "invalid_client_secret",
            Self::InvalidRedirectUri => "invalid_redirect_uri",
            Self::InvalidScope => "invalid_scope",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::Throttled => "Access Denied",
        }
    }
}

/// A successful grant.
#[derive(Debug, Clone)]
pub(crate) struct Minted {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub scopes: Vec<String>,
    /// Key under which the grant is counted (`Counters::record_grant`).
    pub grant_key: String,
}

/// Splits a Zoho scope list (comma separated; spaces tolerated).
pub(crate) fn parse_scopes(scope: &str) -> Vec<String> {
    scope
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}
