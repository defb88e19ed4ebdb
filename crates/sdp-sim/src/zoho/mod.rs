//! Simulated Zoho accounts: `/oauth/v2/auth`, `/oauth/v2/token`,
//! `/oauth/v2/token/revoke`, `/oauth/user/info`.
//!
//! CONTRACT used by the SDP half (`crate::sdp`): [`ZohoState::check_access_token`].

use std::sync::Arc;

use crate::config::SimConfig;
use crate::directory::Directory;
use crate::state::SimState;

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

/// Zoho accounts state.
#[derive(Debug, Default)]
pub struct ZohoState {}

impl ZohoState {
    /// Registers the directory's clients and pre-issued refresh tokens.
    pub fn new(_config: &SimConfig, _directory: &Directory) -> Self {
        Self {}
    }

    /// Validates an access token presented to SDP at time `now_ms`.
    ///
    /// # Errors
    /// The reason the token is refused.
    pub fn check_access_token(
        &self,
        _token: &str,
        _now_ms: i64,
    ) -> Result<AccessGrant, TokenRejection> {
        Err(TokenRejection::Unknown)
    }
}

/// Routes of the Zoho accounts service.
pub fn router() -> axum::Router<Arc<SimState>> {
    axum::Router::new()
}
