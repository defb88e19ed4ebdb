//! An offline simulator of ServiceDesk Plus Cloud (REST API v3) and Zoho
//! accounts OAuth 2.0, faithful to the behaviours documented in
//! `reference/sdp-api.md`. The demo, every test and the benchmarks use it in
//! place of the real service.
//!
//! It is written independently of `sdp-client`: a bug shared by both would hide
//! itself (design.md §2).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let sim = sdp_sim::Simulator::builder().users(3).portals(2).spawn(listener).await?;
//! println!("simulator at {}", sim.base_url());
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

pub mod clock;
pub mod config;
pub mod control;
pub mod directory;
pub mod env_files;
pub mod sdp;
mod state;
pub mod zoho;

use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use config::{SimConfig, ThrottleStatus};
pub use directory::{Directory, SimUser, WebClient};
pub use state::SimState;

/// Entry point: configure, then [`SimBuilder::spawn`] or [`SimBuilder::build`].
#[derive(Debug, Default)]
pub struct Simulator;

impl Simulator {
    /// A builder with default configuration (see [`SimConfig::default`]).
    pub fn builder() -> SimBuilder {
        SimBuilder {
            config: SimConfig::default(),
        }
    }
}

/// Builder of a simulator.
#[derive(Debug, Clone)]
pub struct SimBuilder {
    config: SimConfig,
}

impl SimBuilder {
    /// Replaces the whole configuration.
    pub fn config(mut self, config: SimConfig) -> Self {
        self.config = config;
        self
    }
    /// Seed of all generated data.
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = seed;
        self
    }
    /// Number of login users.
    pub fn users(mut self, users: usize) -> Self {
        self.config.users = users;
        self
    }
    /// Number of portals.
    pub fn portals(mut self, portals: usize) -> Self {
        self.config.portals = portals.max(1);
        self
    }
    /// Requests seeded per portal.
    pub fn requests_per_portal(mut self, n: usize) -> Self {
        self.config.requests_per_portal = n;
        self
    }
    /// Access-token lifetime in seconds.
    pub fn token_ttl_secs(mut self, secs: u64) -> Self {
        self.config.token_ttl_secs = secs;
        self
    }
    /// HTTP status of Zoho's throttle answer.
    pub fn throttle_status(mut self, status: ThrottleStatus) -> Self {
        self.config.throttle_status = status;
        self
    }
    /// Public base URL to advertise (defaults to the bound address).
    pub fn public_url(mut self, url: impl Into<String>) -> Self {
        self.config.public_url = url.into();
        self
    }

    /// Builds the shared state and the axum router without serving it.
    pub fn build(self) -> (Arc<SimState>, axum::Router) {
        let state = Arc::new(SimState::new(self.config));
        let router = app(state.clone());
        (state, router)
    }

    /// Serves the simulator on `listener` in a background task.
    ///
    /// # Errors
    /// Fails when the listener's local address cannot be read.
    #[allow(
        clippy::unused_async,
        reason = "async so callers need not change when start-up awaits"
    )]
    pub async fn spawn(mut self, listener: TcpListener) -> std::io::Result<SimHandle> {
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        if self.config.public_url.is_empty() {
            self.config.public_url.clone_from(&base_url);
        }
        let (state, router) = self.build();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(
                listener,
                router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .with_graceful_shutdown(async move {
                let _ = stop_rx.await;
            });
            if let Err(error) = serve.await {
                tracing::error!(%error, "simulator stopped");
            }
        });
        Ok(SimHandle {
            base_url,
            state,
            stop: Some(stop_tx),
            task,
        })
    }
}

/// The full simulator application: Zoho accounts, SDP v3 and `/_sim/` control,
/// behind the fault-injection and call-counting layer.
pub fn app(state: Arc<SimState>) -> axum::Router {
    axum::Router::new()
        .merge(zoho::router())
        .merge(sdp::router())
        .merge(control::router())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            control::fault_layer,
        ))
        .with_state(state)
}

/// A running simulator. Dropping it stops the server.
#[derive(Debug)]
pub struct SimHandle {
    base_url: String,
    state: Arc<SimState>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl SimHandle {
    /// `http://127.0.0.1:PORT`, the Zoho accounts base and the SDP host at once.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
    /// `http://127.0.0.1:PORT/app/<portal>` — the per-user `SDP_BASE_URL` style value.
    pub fn portal_url(&self, portal: &str) -> String {
        format!("{}/app/{portal}", self.base_url)
    }
    /// Shared state: clock, directory, counters, faults.
    pub fn state(&self) -> &Arc<SimState> {
        &self.state
    }
    /// The generated users, portals and web clients.
    pub fn directory(&self) -> &Directory {
        &self.state.directory
    }
    /// Stops serving and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
