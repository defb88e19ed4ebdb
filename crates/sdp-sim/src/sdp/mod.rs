//! Simulated ServiceDesk Plus REST API v3: `/app/<portal>/api/v3/...` (cloud)
//! and `/api/v3/...` (default portal; on-prem `authtoken` header accepted).

use std::sync::Arc;

use crate::config::SimConfig;
use crate::directory::Directory;
use crate::state::SimState;

/// Data of every portal.
#[derive(Debug, Default)]
pub struct SdpState {}

impl SdpState {
    /// Seeds every portal deterministically.
    pub fn seed(_config: &SimConfig, _directory: &Directory) -> Self {
        Self {}
    }
}

/// Routes of the SDP service.
pub fn router() -> axum::Router<Arc<SimState>> {
    axum::Router::new()
}
