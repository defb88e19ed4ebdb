//! Knobs of the simulator. Defaults follow the evidence in `reference/sdp-api.md`;
//! each knob covers a behaviour that differs between sources or deployments.

/// HTTP status used for Zoho's "Access Denied … too many requests" throttle body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThrottleStatus {
    /// Zoho documents that the status "remains 200".
    #[default]
    Ok200,
    /// Some integrators report HTTP 400 with the same body.
    BadRequest400,
}

/// Simulator configuration.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Seed of every generated value (ids, tokens, data).
    pub seed: u64,
    /// Number of portals (`itdesk`, `hrdesk`, `portal3`, …). At least 1.
    pub portals: usize,
    /// Number of simulated login users (`user1` … `userN`), spread over the portals.
    pub users: usize,
    /// Requests seeded per portal.
    pub requests_per_portal: usize,
    /// Access-token lifetime in seconds (Zoho: 3600).
    pub token_ttl_secs: u64,
    /// Authorization-code lifetime in seconds (Zoho web apps: 120).
    pub code_ttl_secs: u64,
    /// Access tokens that may be minted per refresh token per rolling window.
    pub mint_limit: usize,
    /// The rolling window of the mint limit, in seconds (Zoho: 600).
    pub mint_window_secs: u64,
    /// HTTP status of the throttle answer.
    pub throttle_status: ThrottleStatus,
    /// Include `scope` in token responses (Zoho does not always).
    pub include_scope_in_token_response: bool,
    /// Also accept `Accept: application/v3+json` (seen working for one integrator).
    pub accept_short_media_type: bool,
    /// Also accept `Authorization: Bearer <token>` besides `Zoho-oauthtoken`.
    pub accept_bearer_prefix: bool,
    /// Public base URL the simulator advertises (`accounts-server`, `.env` files).
    /// Filled in by `spawn` from the bound address when empty.
    pub public_url: String,
    /// Knobs of the SDP half (notes list key, row-count clamp, licenses, …).
    pub sdp: crate::sdp::SdpKnobs,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            portals: 2,
            users: 3,
            requests_per_portal: 200,
            token_ttl_secs: 3600,
            code_ttl_secs: 120,
            mint_limit: 10,
            mint_window_secs: 600,
            throttle_status: ThrottleStatus::Ok200,
            include_scope_in_token_response: true,
            accept_short_media_type: true,
            accept_bearer_prefix: true,
            public_url: String::new(),
            sdp: crate::sdp::SdpKnobs::default(),
        }
    }
}

/// The URL name of portal number `index` (0-based).
pub fn portal_name(index: usize) -> String {
    match index {
        0 => "itdesk".to_owned(),
        1 => "hrdesk".to_owned(),
        2 => "facilities".to_owned(),
        n => format!("portal{}", n + 1),
    }
}
