//! Who is calling: the [`Principal`] an authentication layer produces, and the
//! HTTP bearer-key layer of single-user mode.
//!
//! Every HTTP request to an MCP route is authenticated on its own; the
//! resulting `Principal` goes into the request extensions, where rmcp hands it
//! to each tool call inside `http::request::Parts`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A stable identifier of a user of this server.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(Arc<str>);

impl UserId {
    /// The user of single-user mode.
    pub const SINGLE_USER: &'static str = "default";

    /// Wraps an id.
    pub fn new(id: impl Into<Arc<str>>) -> Self {
        Self(id.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a principal proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// A bearer API key (`SDP_MCP_API_KEY`).
    ApiKey,
    /// No key configured; accepted because the listener is loopback-only.
    LoopbackWithoutKey,
    /// The stdio transport: whoever started the process.
    Stdio,
    /// A personal API key of a user in the store (multi-user mode).
    StoreApiKey,
    /// SDP credentials in the request's `X-SDP-*` headers (opt-in).
    HeaderCredentials,
    /// An access token issued by this server's OAuth sign-in (`sdpoa_…`).
    OAuth,
}

impl AuthMethod {
    /// A short name for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApiKey => "api_key",
            Self::LoopbackWithoutKey => "loopback",
            Self::Stdio => "stdio",
            Self::StoreApiKey => "user_api_key",
            Self::HeaderCredentials => "header_credentials",
            Self::OAuth => "oauth",
        }
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Who.
    pub user_id: UserId,
    /// How they authenticated.
    pub method: AuthMethod,
}

impl Principal {
    /// The principal of single-user mode authenticated by `method`.
    pub fn single_user(method: AuthMethod) -> Self {
        Self {
            user_id: UserId::new(UserId::SINGLE_USER),
            method,
        }
    }
}

/// Verifies the `Authorization` header of HTTP requests.
#[derive(Clone)]
pub(crate) enum HttpAuthenticator {
    /// Bearer keys, each mapped to its principal. Only SHA-256 digests are kept.
    ApiKeys(Arc<[(KeyDigest, Principal)]>),
    /// No key configured: every request is the single user (loopback only).
    Open(Principal),
    /// Multi-user mode: personal keys checked against the store (cached
    /// briefly), and header credentials when enabled.
    Store(Arc<crate::store_auth::StoreAuthenticator>),
}

impl std::fmt::Debug for HttpAuthenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ApiKeys(keys) => write!(f, "ApiKeys({} keys)", keys.len()),
            Self::Open(_) => f.write_str("Open"),
            Self::Store(_) => f.write_str("Store"),
        }
    }
}

type KeyDigest = [u8; 32];

fn digest(key: &str) -> KeyDigest {
    Sha256::digest(key.as_bytes()).into()
}

/// Why a request was not authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthError {
    /// No `Authorization: Bearer` header.
    Missing,
    /// A token was given but matches no key.
    InvalidToken,
    /// `X-SDP-*` header credentials that cannot be used (missing or malformed field).
    BadHeaderCredentials(&'static str),
    /// The store could not be asked (multi-user mode).
    Unavailable,
}

impl HttpAuthenticator {
    /// Bearer keys for the given principals.
    pub(crate) fn api_keys<'a>(
        keys: impl IntoIterator<Item = (&'a SecretString, Principal)>,
    ) -> Self {
        let keys: Vec<(KeyDigest, Principal)> = keys
            .into_iter()
            .map(|(key, principal)| (digest(key.expose_secret()), principal))
            .collect();
        Self::ApiKeys(keys.into())
    }

    /// Authenticates one request from its headers.
    pub(crate) async fn authenticate_request(
        &self,
        headers: &HeaderMap,
    ) -> Result<Principal, AuthError> {
        match self {
            Self::Store(store) => store.authenticate(headers).await,
            _ => self.authenticate(headers),
        }
    }

    /// The `WWW-Authenticate` challenge of `error` when OAuth sign-in is on
    /// (pointing MCP clients at the protected-resource metadata).
    pub(crate) fn oauth_challenge(&self, error: AuthError) -> Option<String> {
        let Self::Store(store) = self else {
            return None;
        };
        let verifier = store.oauth()?;
        match error {
            AuthError::Missing => Some(verifier.challenge(None)),
            AuthError::InvalidToken => Some(verifier.challenge(Some("invalid_token"))),
            AuthError::BadHeaderCredentials(_) | AuthError::Unavailable => None,
        }
    }

    /// Authenticates one request from its headers, without the store.
    pub(crate) fn authenticate(&self, headers: &HeaderMap) -> Result<Principal, AuthError> {
        let keys = match self {
            Self::Open(principal) => return Ok(principal.clone()),
            Self::ApiKeys(keys) => keys,
            Self::Store(_) => return Err(AuthError::Unavailable),
        };
        let token = bearer_token(headers)?;
        let presented = digest(token);
        // Compare against every key without an early exit, so timing does not
        // tell how many keys there are or which one nearly matched.
        let mut found: Option<&Principal> = None;
        for (stored, principal) in keys.iter() {
            if bool::from(stored.ct_eq(&presented)) {
                found = Some(principal);
            }
        }
        found.cloned().ok_or(AuthError::InvalidToken)
    }
}

/// The token of an `Authorization: Bearer <token>` header.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Result<&str, AuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(AuthError::Missing);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .ok_or(AuthError::InvalidToken)
}

/// The realm in `WWW-Authenticate` challenges.
pub(crate) const REALM: &str = "sdp-mcp";

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        let (challenge, body) = match self {
            Self::Unavailable => {
                let body = serde_json::json!({
                    "error": "temporarily_unavailable",
                    "error_description": "The server cannot check API keys right now; retry shortly.",
                });
                return (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response();
            }
            Self::BadHeaderCredentials(problem) => (
                format!("Bearer realm=\"{REALM}\", error=\"invalid_request\""),
                serde_json::json!({
                    "error": "invalid_request",
                    "error_description": format!("The X-SDP-* header credentials are incomplete: {problem}."),
                    "hint": "Send X-SDP-Client-Id, X-SDP-Client-Secret, X-SDP-Refresh-Token, \
                             X-SDP-Instance and X-SDP-Base-Url (or X-SDP-Data-Center).",
                }),
            ),
            Self::Missing => (
                format!("Bearer realm=\"{REALM}\""),
                serde_json::json!({
                    "error": "unauthorized",
                    "error_description": "This server requires an API key.",
                    "hint": "Send the header `Authorization: Bearer <key>`, where <key> is the \
                             value of SDP_MCP_API_KEY configured on the server, or, on a \
                             multi-user server, your personal key (sdpmcp_…, from the \
                             administrator's `sdp-mcp users add`). In .mcp.json: \
                             \"headers\": {\"Authorization\": \"Bearer ${SDP_MCP_API_KEY}\"}",
                }),
            ),
            Self::InvalidToken => (
                format!(
                    "Bearer realm=\"{REALM}\", error=\"invalid_token\", \
                     error_description=\"The API key is not valid\""
                ),
                serde_json::json!({
                    "error": "invalid_token",
                    "error_description": "The API key is not valid.",
                    "hint": "Check that the client sends `Authorization: Bearer <key>` with \
                             exactly the value of SDP_MCP_API_KEY configured on the server, or \
                             your personal key on a multi-user server (no quotes, no extra \
                             spaces). A revoked, rotated or disabled key stops working.",
                }),
            ),
        };
        let mut response = (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

/// axum middleware: authenticates the request and inserts its [`Principal`].
pub(crate) async fn require_principal(
    State(authenticator): State<HttpAuthenticator>,
    mut request: Request,
    next: Next,
) -> Response {
    match authenticator.authenticate_request(request.headers()).await {
        Ok(principal) => {
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        Err(error) => {
            tracing::info!(
                path = request.uri().path(),
                reason = ?error,
                "rejected unauthenticated request"
            );
            let mut response = error.into_response();
            if let Some(challenge) = authenticator.oauth_challenge(error)
                && let Ok(value) = HeaderValue::from_str(&challenge)
            {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, value);
            }
            // For the failed-attempts limiter (`limits::brute_force`).
            response.extensions_mut().insert(error);
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(authorization: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(value) = authorization {
            headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    fn two_keys() -> HttpAuthenticator {
        let alice = SecretString::from("alice-key");
        let bob = SecretString::from("bob-key");
        let principal = |id: &str| Principal {
            user_id: UserId::new(id),
            method: AuthMethod::ApiKey,
        };
        HttpAuthenticator::api_keys([(&alice, principal("alice")), (&bob, principal("bob"))])
    }

    #[test]
    fn each_key_maps_to_its_principal() {
        let auth = two_keys();
        let principal = auth.authenticate(&headers(Some("Bearer bob-key"))).unwrap();
        assert_eq!(principal.user_id.as_str(), "bob");
        let principal = auth
            .authenticate(&headers(Some("bearer alice-key")))
            .unwrap();
        assert_eq!(principal.user_id.as_str(), "alice");
    }

    #[test]
    fn missing_wrong_and_non_bearer_headers_are_rejected() {
        let auth = two_keys();
        assert_eq!(auth.authenticate(&headers(None)), Err(AuthError::Missing));
        assert_eq!(
            auth.authenticate(&headers(Some("Bearer nope"))),
            Err(AuthError::InvalidToken)
        );
        assert_eq!(
            auth.authenticate(&headers(Some("Basic YWxpY2Uta2V5"))),
            Err(AuthError::InvalidToken)
        );
    }

    #[test]
    fn challenge_carries_error_only_when_a_token_was_given() {
        let missing = AuthError::Missing.into_response();
        assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            missing.headers()[header::WWW_AUTHENTICATE],
            "Bearer realm=\"sdp-mcp\""
        );
        let invalid = AuthError::InvalidToken.into_response();
        let challenge = invalid.headers()[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap();
        assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    }
}
