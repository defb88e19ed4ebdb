//! Simulated Zoho accounts: `/oauth/v2/auth`, `/oauth/v2/token`,
//! `/oauth/v2/token/revoke`, `/oauth/user/info`.
//!
//! CONTRACT used by the SDP half (`crate::sdp`): [`ZohoState::check_access_token`];
//! tests mint tokens with [`ZohoState::issue_access_token`].

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::{HeaderMap, header};
use axum::routing::{get, post};

use crate::config::SimConfig;
use crate::state::SimState;

mod auth_page;
mod html;
mod model;
mod token_endpoint;
mod tokens;

pub use token_endpoint::{API_DOMAIN, THROTTLE_DESCRIPTION};
pub use tokens::{MAX_LIVE_ACCESS_TOKENS, MAX_REFRESH_TOKENS, ZohoState};

/// What an access token grants, as the SDP half needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessGrant {
    /// Email of the Zoho user the token belongs to.
    pub email: String,
    /// Portal (org) the token was issued for.
    pub portal: String,
    /// Granted scopes, e.g. `SDPOnDemand.requests.READ`.
    pub scopes: Vec<String>,
}

/// Why an access token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRejection {
    /// Never issued, or evicted by a newer token.
    Unknown,
    /// Issued but past its `expires_in`.
    Expired,
    /// Revoked (directly or with its refresh token).
    Revoked,
}

/// Routes of the Zoho accounts service.
pub fn router() -> axum::Router<Arc<SimState>> {
    axum::Router::new()
        .route(
            "/oauth/v2/auth",
            get(auth_page::authorize_get).post(auth_page::authorize_post),
        )
        .route("/oauth/v2/token", post(token_endpoint::token))
        .route("/oauth/v2/token/revoke", post(token_endpoint::revoke))
        .route("/oauth/v2/revoke/token", post(token_endpoint::revoke))
        .route("/oauth/user/info", get(token_endpoint::user_info))
}

/// The token of an `Authorization: Zoho-oauthtoken <t>` (or `Bearer <t>`) header.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    token_endpoint::bearer(headers)
}

/// Form-encoded parameters of the query string, then of the body (the body
/// wins when a name appears in both).
fn parse_params(query: Option<&str>, body: &[u8]) -> HashMap<String, String> {
    let mut params: HashMap<String, String> = query
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    params.extend(form_urlencoded::parse(body).into_owned());
    params
}

/// A parameter, `""` when absent.
fn param<'a>(params: &'a HashMap<String, String>, name: &str) -> &'a str {
    params.get(name).map_or("", String::as_str)
}

/// The advertised base URL (`accounts-server`): the configured public URL, or
/// `http://<Host>` when none is set (router built without `spawn`).
fn public_url(config: &SimConfig, headers: &HeaderMap) -> String {
    if !config.public_url.is_empty() {
        return config.public_url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}
