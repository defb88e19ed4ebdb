//! MCP OAuth 2.1 sign-in delegated to Zoho (design §3 mode 3): this server is
//! the authorization server and the resource server for MCP clients, and an
//! OAuth client of Zoho with the organisation's web client.
//!
//! - Discovery: `/.well-known/oauth-protected-resource[/mcp]` (RFC 9728) and
//!   `/.well-known/oauth-authorization-server` (RFC 8414).
//! - `/register` (RFC 7591), `/authorize` (PKCE S256 required) → own consent
//!   page → Zoho's authorize page → `/oauth/zoho/callback` (the user is created
//!   or updated in the store with their Zoho refresh token encrypted) → the
//!   client's redirect URI with a code, `state` and `iss` (RFC 9207).
//! - `/token` (authorization code; refresh with rotation and reuse detection),
//!   `/revoke` (RFC 7009).
//! - [`OAuthVerifier`]: checks the access tokens on `/mcp` (hash lookup,
//!   expiry, revocation, audience = `<base>/mcp`, user active).
//!
//! Tokens and codes are 256-bit random strings, stored as SHA-256 hashes. No
//! Zoho token ever leaves the server.

mod authorize;
mod callback;
pub mod config;
mod metadata;
mod page;
mod pending;
mod register;
mod token;

use std::sync::Arc;
use std::time::SystemTime;

use axum::Router;
use axum::response::{IntoResponse as _, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use sdp_mcp_store::{OAuthTokenKind, Store, StoreError};
use sha2::{Digest, Sha256};

pub use config::{OAuthConfig, OAuthConfigError};

/// The one MCP scope this server defines (full access as the signed-in user;
/// what the user may do in SDP is decided by SDP).
pub const MCP_SCOPE: &str = "sdp";

/// Prefix of issued access tokens (tells them from API keys at a glance).
pub const ACCESS_TOKEN_PREFIX: &str = "sdpoa_";
/// Prefix of issued refresh tokens.
pub const REFRESH_TOKEN_PREFIX: &str = "sdpor_";

/// Shared state of the OAuth routes.
#[derive(Clone, Debug)]
pub struct OAuthState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: OAuthConfig,
    store: Arc<dyn Store>,
    http: reqwest::Client,
}

impl OAuthState {
    /// OAuth state over `store`, calling Zoho with `http`.
    pub fn new(config: OAuthConfig, store: Arc<dyn Store>, http: reqwest::Client) -> Self {
        Self {
            inner: Arc::new(Inner {
                config,
                store,
                http,
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &OAuthConfig {
        &self.inner.config
    }

    /// The verifier of access tokens for the auth layer.
    pub fn verifier(&self) -> OAuthVerifier {
        OAuthVerifier {
            store: self.inner.store.clone(),
            resource: self.inner.config.resource(),
            resource_metadata: self.inner.config.resource_metadata_url(),
        }
    }

    fn store(&self) -> &dyn Store {
        self.inner.store.as_ref()
    }

    /// Records an audit event; a store failure is logged, not raised.
    async fn audit(
        &self,
        user_id: Option<sdp_mcp_store::UserId>,
        action: &str,
        target: Option<String>,
        outcome: sdp_mcp_store::AuditOutcome,
        detail: Option<&str>,
    ) {
        let event = sdp_mcp_store::AuditEvent {
            user_id,
            action: action.to_owned(),
            target,
            outcome,
            detail: detail.map(str::to_owned),
        };
        if let Err(error) = self.store().record_audit(event).await {
            tracing::warn!(%error, "cannot record an audit event");
        }
    }
}

/// All OAuth routes (discovery, AS endpoints, Zoho callback). Mount them
/// outside the API-key authentication layer.
pub fn router(state: OAuthState) -> Router {
    // Endpoints browser-based MCP clients call with fetch (no cookies): CORS open.
    let api = Router::new()
        .route(
            "/.well-known/oauth-protected-resource",
            get(metadata::protected_resource),
        )
        .route(
            "/.well-known/oauth-protected-resource/mcp",
            get(metadata::protected_resource),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(metadata::authorization_server),
        )
        .route("/register", post(register::register))
        .route("/token", post(token::token))
        .route("/revoke", post(token::revoke))
        .layer(axum::middleware::from_fn(open_cors));
    // Browser navigations: no CORS.
    let pages = Router::new()
        .route(
            "/authorize",
            get(authorize::authorize_get).post(authorize::consent_post),
        )
        .route("/oauth/zoho/callback", get(callback::zoho_callback));
    api.merge(pages).with_state(state)
}

/// `Access-Control-Allow-Origin: *` and preflight answers for the
/// cookie-less endpoints.
async fn open_cors(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    use axum::http::{HeaderValue, Method, StatusCode, header};
    let mut response = if request.method() == Method::OPTIONS {
        let mut preflight = StatusCode::NO_CONTENT.into_response();
        let headers = preflight.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, OPTIONS"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("content-type, authorization, mcp-protocol-version"),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        preflight
    } else {
        next.run(request).await
    };
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// An access token that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedToken {
    /// The store id of the user (`Principal.user_id`).
    pub user_id: String,
    /// The MCP client it was issued to.
    pub client_id: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Expiry.
    pub expires_at: SystemTime,
    /// The user's `updated_at` in the store: it changes when a new sign-in
    /// replaces their Zoho grant, which makes their cached context stale.
    pub user_version: SystemTime,
}

/// Checks bearer access tokens for the `/mcp` resource. Cheap to clone.
#[derive(Clone, Debug)]
pub struct OAuthVerifier {
    store: Arc<dyn Store>,
    resource: String,
    resource_metadata: String,
}

impl OAuthVerifier {
    /// A verifier of tokens issued for `resource` (`<base>/mcp`).
    pub fn new(store: Arc<dyn Store>, config: &OAuthConfig) -> Self {
        Self {
            store,
            resource: config.resource(),
            resource_metadata: config.resource_metadata_url(),
        }
    }

    /// Whether `token` looks like one of this server's access tokens (so the
    /// auth layer can skip the API-key lookup).
    pub fn is_access_token(token: &str) -> bool {
        token.starts_with(ACCESS_TOKEN_PREFIX)
    }

    /// The token's owner when it is a live access token for this resource
    /// whose user is active; `Ok(None)` for any other token.
    ///
    /// # Errors
    /// The store failed (answer 503, not 401).
    pub async fn verify(&self, token: &str) -> Result<Option<VerifiedToken>, StoreError> {
        verify_access_token(self.store.as_ref(), &self.resource, token).await
    }

    /// The `WWW-Authenticate` value of a 401 from `/mcp`.
    pub fn challenge(&self, error: Option<&str>) -> String {
        www_authenticate(&self.resource_metadata, error)
    }
}

/// Verifies an access token against `store` for `resource`.
///
/// # Errors
/// The store failed.
pub async fn verify_access_token(
    store: &dyn Store,
    resource: &str,
    token: &str,
) -> Result<Option<VerifiedToken>, StoreError> {
    if !OAuthVerifier::is_access_token(token) {
        return Ok(None);
    }
    let Some(record) = store.find_oauth_token(&hash_token(token)).await? else {
        return Ok(None);
    };
    let user_version = record.user_updated_at;
    let token = record.token;
    let live = record.revoked_at.is_none()
        && record.user_active
        && token.kind == OAuthTokenKind::Access
        && token.expires_at > SystemTime::now()
        && token.resource.as_deref() == Some(resource);
    Ok(live.then(|| VerifiedToken {
        user_id: token.user_id.to_string(),
        client_id: token.client_id,
        scopes: token.scopes,
        expires_at: token.expires_at,
        user_version,
    }))
}

/// `Bearer resource_metadata="…"` (with `error="…"` when a token was given):
/// the challenge of a 401 from `/mcp` (RFC 9728 §5.1).
pub fn www_authenticate(resource_metadata_url: &str, error: Option<&str>) -> String {
    let mut value =
        format!("Bearer resource_metadata=\"{resource_metadata_url}\", scope=\"{MCP_SCOPE}\"");
    if let Some(error) = error {
        value.push_str(", error=\"");
        value.push_str(error);
        value.push('"');
    }
    value
}

/// 256 random bits, base64url, with `prefix`.
pub(crate) fn random_token(prefix: &str) -> String {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// SHA-256 (hex) of a token, code or secret: what the store keeps.
pub(crate) fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Constant-time equality of two strings.
pub(crate) fn ct_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq as _;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}
