//! The MCP OAuth 2.1 authorization server's records: registered clients,
//! authorization codes and issued tokens. Codes and tokens are only ever
//! stored as SHA-256 hashes (hex), computed by the caller.

use std::time::SystemTime;

use super::UserId;

/// A client to register (RFC 7591).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOAuthClient {
    /// The new client id.
    pub client_id: String,
    /// SHA-256 (hex) of the client secret of a confidential client.
    pub client_secret_hash: Option<String>,
    /// Human-readable name (`client_name`).
    pub client_name: Option<String>,
    /// Registered redirect URIs, matched exactly.
    pub redirect_uris: Vec<String>,
    /// Grant types the client may use.
    pub grant_types: Vec<String>,
    /// `none` or `client_secret_post`.
    pub token_endpoint_auth_method: String,
    /// The registration request's other metadata, as JSON text.
    pub metadata: Option<String>,
}

/// A registered client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthClientRecord {
    /// What was registered.
    pub client: NewOAuthClient,
    /// When.
    pub created_at: SystemTime,
}

/// An authorization code to store (single use).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOAuthCode {
    /// SHA-256 (hex) of the code.
    pub code_hash: String,
    /// The client it was issued to.
    pub client_id: String,
    /// The user who authorized it.
    pub user_id: UserId,
    /// The redirect URI of the authorization request.
    pub redirect_uri: String,
    /// PKCE code challenge.
    pub code_challenge: String,
    /// PKCE method (`S256`).
    pub code_challenge_method: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// The resource (audience) the tokens will be bound to.
    pub resource: Option<String>,
    /// Expiry.
    pub expires_at: SystemTime,
}

/// What redeeming an authorization code found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeRedemption {
    /// The code was valid and is now consumed.
    Redeemed(Box<NewOAuthCode>),
    /// The code had already been used; the tokens issued from it (family =
    /// the code hash) have been revoked.
    Reused,
    /// No such code.
    Unknown,
}

/// Access or refresh token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OAuthTokenKind {
    /// Short-lived bearer token for the MCP endpoint.
    Access,
    /// Long-lived, rotated on each use.
    Refresh,
}

impl OAuthTokenKind {
    /// The stored text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Refresh => "refresh",
        }
    }
}

/// A token to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOAuthToken {
    /// SHA-256 (hex) of the token.
    pub token_hash: String,
    /// Access or refresh.
    pub kind: OAuthTokenKind,
    /// The client it was issued to.
    pub client_id: String,
    /// Whose it is.
    pub user_id: UserId,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// The resource (audience) it is bound to.
    pub resource: Option<String>,
    /// The grant it belongs to: the hash of the authorization code it came
    /// from; refresh rotation keeps it, reuse detection revokes it whole.
    pub family_id: String,
    /// Expiry.
    pub expires_at: SystemTime,
}

/// A stored token, with its owner's status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthTokenRecord {
    /// The token.
    pub token: NewOAuthToken,
    /// When it was revoked (or rotated away), if it was.
    pub revoked_at: Option<SystemTime>,
    /// Whether the owning user is active.
    pub user_active: bool,
    /// The owning user's `updated_at`: it changes when their credentials do
    /// (a new sign-in), so a cached per-user context can tell it is stale.
    pub user_updated_at: SystemTime,
}

/// What presenting a refresh token for rotation found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefreshRotation {
    /// The token had not been used: it is now revoked (consumed) and returned,
    /// for the caller to check and to issue its successors in the same family.
    Taken(Box<OAuthTokenRecord>),
    /// The token had already been used or revoked: its whole family is now revoked.
    Reused,
    /// No such refresh token.
    Unknown,
}

/// Where a pending sign-in stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OAuthPendingStage {
    /// Between `/authorize` and the consent decision (keyed by the consent form's id).
    Consent,
    /// Between the consent and Zoho's callback (keyed by our Zoho `state`).
    Zoho,
}

impl OAuthPendingStage {
    /// The stored text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Consent => "consent",
            Self::Zoho => "zoho",
        }
    }
}

/// A sign-in in progress, shared by every replica. Its key, the browser
/// cookie and the CSRF token arrive as SHA-256 hashes (hex), computed by the
/// caller; rows are single use and expire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthPending {
    /// SHA-256 (hex) of the opaque key.
    pub key_hash: String,
    /// The stage the key belongs to.
    pub stage: OAuthPendingStage,
    /// The MCP client that asked.
    pub client_id: String,
    /// Its (registered) redirect URI.
    pub redirect_uri: String,
    /// The client's `state`, returned to it verbatim.
    pub client_state: Option<String>,
    /// PKCE code challenge (S256).
    pub code_challenge: String,
    /// Requested scopes.
    pub scopes: Vec<String>,
    /// SHA-256 (hex) of the browser-binding cookie's value.
    pub browser_hash: String,
    /// SHA-256 (hex) of the consent form's CSRF token.
    pub csrf_hash: String,
    /// Expiry.
    pub expires_at: SystemTime,
}
