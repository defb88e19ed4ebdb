//! The in-process simulator, served by us (`SimBuilder::build` + `axum::serve`)
//! so a middleware around its router can record the simulator's own time of
//! every upstream SDP call (`x-sim-duration-us`) into a histogram.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context as _;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::serve::ListenerExt as _;
use hdrhistogram::Histogram;
use parking_lot::Mutex;
use sdp_sim::control::{DURATION_HEADER, FaultRule};
use sdp_sim::{SimState, SimUser, Simulator};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::stats::{Summary, new_histogram};

/// Path prefix of the SDP API (cloud layout); Zoho token calls are outside it.
const SDP_PREFIX: &str = "/app/";

/// The simulator's own time per SDP call, recorded only while `recording`.
#[derive(Debug)]
pub struct SimTimes {
    recording: AtomicBool,
    histogram: Mutex<Histogram<u64>>,
}

impl SimTimes {
    fn new() -> anyhow::Result<Self> {
        Ok(Self {
            recording: AtomicBool::new(false),
            histogram: Mutex::new(new_histogram()?),
        })
    }

    /// Clears what was recorded and starts recording.
    pub fn start(&self) {
        self.histogram.lock().reset();
        self.recording.store(true, Ordering::SeqCst);
    }

    /// Stops recording and summarises what was recorded.
    pub fn stop(&self) -> Summary {
        self.recording.store(false, Ordering::SeqCst);
        Summary::of(&self.histogram.lock())
    }

    fn record(&self, micros: u64) {
        if self.recording.load(Ordering::Relaxed) {
            // Saturates at the histogram's highest trackable value.
            self.histogram.lock().saturating_record(micros.max(1));
        }
    }
}

async fn record_sim_time(
    State(times): State<Arc<SimTimes>>,
    request: Request,
    next: Next,
) -> Response {
    let is_sdp = request.uri().path().starts_with(SDP_PREFIX);
    let response = next.run(request).await;
    if is_sdp
        && let Some(micros) = response
            .headers()
            .get(DURATION_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
    {
        times.record(micros);
    }
    response
}

/// Shape of the simulated organisation.
#[derive(Debug, Clone, Copy)]
pub struct SimShape {
    /// Login users.
    pub users: usize,
    /// Portals the users are spread over.
    pub portals: usize,
    /// Requests seeded per portal.
    pub requests_per_portal: usize,
    /// Latency added to every SDP call, in milliseconds.
    pub upstream_latency_ms: u64,
}

/// A running simulator with its timing recorder.
#[derive(Debug)]
pub struct SimRig {
    base_url: String,
    state: Arc<SimState>,
    times: Arc<SimTimes>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl SimRig {
    /// Starts a simulator on a loopback port.
    pub async fn start(shape: SimShape) -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .context("cannot bind a loopback port for the simulator")?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let (state, router) = Simulator::builder()
            .users(shape.users)
            .portals(shape.portals)
            .requests_per_portal(shape.requests_per_portal)
            .public_url(base_url.clone())
            .build();
        if shape.upstream_latency_ms > 0 {
            state.faults.push(FaultRule {
                latency_ms: Some(shape.upstream_latency_ms),
                path_prefix: Some(SDP_PREFIX.into()),
                ..FaultRule::default()
            });
        }
        let times = Arc::new(SimTimes::new()?);
        let app = router.layer(axum::middleware::from_fn_with_state(
            times.clone(),
            record_sim_time,
        ));
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        // Small writes must not wait for delayed ACKs (Nagle): answer at once.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let task = tokio::spawn(async move {
            let serve = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async move {
                let _ = stop_rx.await;
            });
            if let Err(error) = serve.await {
                eprintln!("simulator stopped: {error}");
            }
        });
        Ok(Self {
            base_url,
            state,
            times,
            stop: Some(stop_tx),
            task,
        })
    }

    /// `http://127.0.0.1:PORT`: the SDP host and the Zoho accounts server.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The simulator's state (directory, counters, faults).
    pub fn state(&self) -> &Arc<SimState> {
        &self.state
    }

    /// The generated login users.
    pub fn users(&self) -> &[SimUser] {
        &self.state.directory.users
    }

    /// The recorder of simulator time per SDP call.
    pub fn times(&self) -> &SimTimes {
        &self.times
    }

    /// Access tokens minted so far from `user`'s refresh token.
    pub fn refreshes(&self, user: &SimUser) -> u64 {
        self.state.counters.grants_for(&user.refresh_token)
    }

    /// Stops serving.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // Open keep-alive connections of killed servers are already gone;
        // don't wait long for stragglers.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), &mut self.task).await;
        self.task.abort();
    }
}

impl Drop for SimRig {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.abort();
    }
}
