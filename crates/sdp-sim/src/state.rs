//! The simulator's shared state. Each half keeps its own lock so a slow SDP
//! call never blocks a token grant.

use parking_lot::Mutex;

use crate::clock::SimClock;
use crate::config::SimConfig;
use crate::control::{Counters, Faults};
use crate::directory::Directory;
use crate::sdp::SdpState;
use crate::zoho::ZohoState;

/// Everything the simulator knows, shared by all handlers.
#[derive(Debug)]
pub struct SimState {
    /// Configuration it was built with.
    pub config: SimConfig,
    /// Controllable clock.
    pub clock: SimClock,
    /// Login users, portals and web clients.
    pub directory: Directory,
    /// Zoho accounts: clients, codes, refresh and access tokens.
    pub zoho: Mutex<ZohoState>,
    /// SDP data of every portal.
    pub sdp: SdpState,
    /// Injected faults.
    pub faults: Faults,
    /// Counters for tests and benchmarks.
    pub counters: Counters,
}

impl SimState {
    /// Builds the state and seeds all data deterministically from `config.seed`.
    pub fn new(config: SimConfig) -> Self {
        let directory = Directory::generate(&config);
        let zoho = ZohoState::new(&config, &directory);
        let sdp = SdpState::seed(&config, &directory);
        Self {
            clock: SimClock::default(),
            zoho: Mutex::new(zoho),
            sdp,
            faults: Faults::with_seed(config.seed),
            counters: Counters::default(),
            directory,
            config,
        }
    }
}
