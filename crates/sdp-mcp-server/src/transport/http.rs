//! The HTTP surface: `/mcp` (rmcp's Streamable HTTP service, both protocol
//! eras), legacy `/sse` + `/messages`, and `/health`; plus graceful shutdown.
//!
//! Request path for MCP routes: Origin/Host allow-list → authentication
//! (inserts the `Principal`) → session binding → in-flight tracking → MCP.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt as _;
use futures::StreamExt;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::light_sessions::{self, LightSessions, McpRoutes};
use super::sse::SseSessions;
use crate::auth::{self, HttpAuthenticator};
use crate::error::ServerError;
use crate::handler::{SdpMcp, Shared};
use crate::limits::{self, session_ids::SecureSessionManager};
use crate::oauth::{self, OAuthState};
use crate::ops;
use crate::origin::{self, OriginPolicy};
use crate::sessions::{self, SessionBindings};

/// How long closing streams may take after the grace period, before the
/// server task is abandoned.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);
/// How often stale session bindings are swept (at most).
const SWEEP_INTERVAL: Duration = Duration::from_secs(60);
/// Shortest sweep interval (very short idle time-outs in tests).
const MIN_SWEEP_INTERVAL: Duration = Duration::from_millis(500);

/// Everything the HTTP transports need, assembled by `Server::run`.
pub(crate) struct HttpParts {
    pub(crate) shared: Arc<Shared>,
    pub(crate) authenticator: HttpAuthenticator,
    pub(crate) origin_policy: OriginPolicy,
    pub(crate) shutdown_grace: Duration,
    /// OAuth sign-in routes (discovery, `/register`, `/authorize`, `/token`,
    /// `/revoke`, the Zoho callback), when enabled.
    pub(crate) oauth: Option<OAuthState>,
    /// Bearer token `/metrics` requires, if any.
    pub(crate) metrics_token: Option<secrecy::SecretString>,
    /// `--stateless`: no legacy sessions on `/mcp`.
    pub(crate) stateless: bool,
    /// Body, header, connection, session and authentication limits.
    pub(crate) limits: crate::limits::HttpLimits,
    /// HTTPS (`--tls-cert`/`--tls-key`), see `transport::tls`.
    pub(crate) tls: Option<tokio_rustls::TlsAcceptor>,
}

/// How long a completed response stays available for SSE resumption.
const COMPLETED_RESPONSE_TTL: std::time::Duration = std::time::Duration::from_secs(5);

/// Serves until `shutdown` completes, then drains and returns.
pub(crate) async fn serve(
    listener: TcpListener,
    parts: HttpParts,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ServerError> {
    let in_flight = parts.shared.in_flight.clone();
    let mcp_cancel = CancellationToken::new();
    let bindings = SessionBindings::default();
    let mut session_manager = LocalSessionManager::default();
    // rmcp keeps each completed response for resumption (default 60 s); at
    // thousands of calls per second that is most of the server's memory.
    // Clients resume within seconds or not at all.
    session_manager.session_config.completed_cache_ttl = COMPLETED_RESPONSE_TTL;
    session_manager.session_config.keep_alive = Some(parts.limits.session_idle);
    // 256-bit CSPRNG session ids; bindings forgotten when rmcp closes a session.
    let session_manager = Arc::new(SecureSessionManager::new(session_manager, bindings.clone()));
    // `/sse` sessions have their own bindings: the sweeper below only knows
    // rmcp's sessions.
    let sse_bindings = SessionBindings::default();
    let session_caps = limits::session_caps::SessionCaps {
        max_total: parts.limits.max_sessions,
        max_per_user: parts.limits.max_sessions_per_user,
        idle_secs: parts.limits.session_idle.as_secs(),
        mcp: bindings.clone(),
        sse: sse_bindings.clone(),
        stateless: parts.stateless,
    };
    let sse = SseSessions::new(parts.shared.clone(), sse_bindings.clone());
    register_gauges(&parts.shared, &bindings, &sse_bindings);

    let mcp_config = StreamableHttpServerConfig::default()
        // `--stateless`: legacy-era clients are served without sessions too.
        .with_legacy_session_mode(!parts.stateless)
        .with_allowed_hosts(parts.origin_policy.raw_hosts.clone())
        .with_allowed_origins(parts.origin_policy.raw_origins.clone())
        .enforce_origin_validation()
        .with_max_request_body_bytes(parts.limits.max_body_bytes)
        .with_cancellation_token(mcp_cancel.clone());
    let shared = parts.shared.clone();
    let stateless_config = mcp_config.clone().with_legacy_session_mode(false);
    let mcp_service = StreamableHttpService::new(
        move || Ok(SdpMcp::for_http(shared.clone())),
        session_manager.clone(),
        mcp_config,
    );
    // Sessions of clients that need no server → client messages: no rmcp
    // worker (see `light_sessions`). Off with `--stateless` (no sessions at
    // all) and with dynamic toolsets (per-session state, list_changed).
    let shared = parts.shared.clone();
    let stateless_service = StreamableHttpService::new(
        move || Ok(SdpMcp::for_http(shared.clone())),
        Arc::new(LocalSessionManager::default()),
        stateless_config,
    );
    let light =
        LightSessions::new(parts.stateless || crate::tools::is_dynamic(&parts.shared.router));
    let mcp_routes = Arc::new(McpRoutes {
        stateful: mcp_service,
        stateless: stateless_service,
        light: light.clone(),
        max_body_bytes: parts.limits.max_body_bytes,
    });

    let mcp_routes = Router::new()
        .route("/mcp", axum::routing::any(light_sessions::dispatch))
        .with_state(mcp_routes)
        .layer(middleware::from_fn_with_state(
            in_flight.clone(),
            track_in_flight,
        ))
        .layer(middleware::from_fn_with_state(
            bindings.clone(),
            sessions::bind_mcp_sessions,
        ));
    let sse_routes = Router::new()
        .route("/sse", get(super::sse::open_stream))
        .route("/messages", post(super::sse::post_message))
        .with_state(sse.clone());
    let protected = mcp_routes
        .merge(sse_routes)
        .layer(middleware::from_fn_with_state(
            session_caps,
            limits::session_caps::enforce,
        ))
        .layer(middleware::from_fn(ops::request_id::record_user))
        .layer(middleware::from_fn_with_state(
            parts.authenticator.clone(),
            auth::require_principal,
        ))
        .layer(middleware::from_fn_with_state(
            limits::brute_force::AuthFailureLimiter::new(parts.limits.auth_failures_per_minute),
            limits::brute_force::guard,
        ))
        .layer(middleware::from_fn_with_state(
            parts.origin_policy.clone(),
            origin::enforce,
        ));
    let mut app = Router::new()
        .route("/health", get(health))
        .merge(ops::ready::router(ops::ready::OpsState {
            store: parts.shared.store.clone(),
            metrics_token: parts.metrics_token.clone(),
        }))
        .merge(protected);
    if let Some(oauth) = parts.oauth.clone() {
        // Outside the authentication layer (these routes are how a client gets
        // a token); Host still checked against DNS rebinding, Origin not
        // (browser-based clients call discovery, `/register` and `/token`
        // from their own origin).
        let oauth_routes = oauth::router(oauth).layer(middleware::from_fn_with_state(
            parts.origin_policy.clone(),
            origin::enforce_host,
        ));
        app = app.merge(oauth_routes);
    }

    let app = app
        .layer(middleware::from_fn_with_state(
            limits::body::BodyLimits {
                max_bytes: parts.limits.max_body_bytes,
                max_depth: parts.limits.max_json_depth,
            },
            limits::body::enforce,
        ))
        .layer(middleware::from_fn(limits::headers::add))
        .layer(middleware::from_fn(ops::request_id::observe));

    let stop_accepting = CancellationToken::new();
    let stop = stop_accepting.clone();
    let conn_limits = parts.limits.clone();
    let tls = parts.tls.clone();
    let mut server = tokio::spawn(async move {
        if let Some(acceptor) = tls {
            let listener = super::tls::TlsListener::new(listener, acceptor)?;
            return limits::conn::serve(listener, app, &conn_limits, stop).await;
        }
        // TCP_NODELAY: a response is written as several small frames (headers,
        // SSE priming event, result); without it Nagle's algorithm and delayed
        // ACKs hold the result back by ~40 ms on a reused connection.
        let listener = listener.tap_io(|tcp| {
            if let Err(error) = tcp.set_nodelay(true) {
                tracing::debug!(%error, "cannot set TCP_NODELAY");
            }
        });
        // Our accept loop: header read timeout, header size and connection caps.
        limits::conn::serve(listener, app, &conn_limits, stop).await
    });
    let sweeper = tokio::spawn(sweep_bindings(
        bindings,
        light,
        parts.limits.session_idle,
        session_manager,
        mcp_cancel.clone(),
    ));

    tokio::select! {
        () = shutdown => {}
        result = &mut server => {
            // The server stopped on its own: an accept-loop failure.
            mcp_cancel.cancel();
            sse.close_all();
            sweeper.abort();
            return match result {
                Ok(Ok(())) => Ok(()),
                Ok(Err(error)) => Err(ServerError::Io(error)),
                Err(join) => Err(ServerError::Io(std::io::Error::other(join.to_string()))),
            };
        }
    }

    tracing::info!(
        in_flight = in_flight.len(),
        grace_secs = parts.shutdown_grace.as_secs(),
        "shutting down: no new connections, waiting for in-flight requests"
    );
    stop_accepting.cancel();
    in_flight.close();
    if tokio::time::timeout(parts.shutdown_grace, in_flight.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            in_flight = in_flight.len(),
            "grace period elapsed with requests still running; closing them"
        );
    }
    // Ends legacy sessions and their GET streams, and the `/sse` streams, so
    // the remaining connections close.
    mcp_cancel.cancel();
    sse.close_all();
    sweeper.abort();
    match tokio::time::timeout(CLOSE_TIMEOUT, &mut server).await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(error))) => return Err(ServerError::Io(error)),
        Ok(Err(join)) => tracing::warn!(error = %join, "HTTP server task failed during shutdown"),
        Err(_) => {
            tracing::warn!("connections still open after shutdown; dropping them");
            server.abort();
        }
    }
    tracing::info!("HTTP server stopped");
    Ok(())
}

/// Registers the scrape-time gauges: open sessions and cached user contexts.
fn register_gauges(shared: &Arc<Shared>, mcp: &SessionBindings, sse: &SessionBindings) {
    let (mcp, sse) = (mcp.clone(), sse.clone());
    ops::metrics::METRICS.set_gauge(
        "sdp_mcp_active_sessions",
        "Open MCP sessions (Streamable HTTP and legacy SSE).",
        move || (mcp.len() + sse.len()) as u64,
    );
    let contexts = Arc::downgrade(&shared.contexts);
    ops::metrics::METRICS.set_gauge(
        "sdp_mcp_cached_user_contexts",
        "Per-user contexts (SDP client, token source) held in memory.",
        move || contexts.upgrade().map_or(0, |c| c.cached_count() as u64),
    );
}

/// `GET /health`: liveness, independent of SDP.
async fn health() -> impl IntoResponse {
    axum::Json(serde_json::json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
    }))
}

/// Counts a POST to `/mcp` as in flight until its response body has been
/// sent (or dropped), so shutdown can wait for it.
async fn track_in_flight(
    State(in_flight): State<TaskTracker>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let token = in_flight.token();
    let response = next.run(request).await;
    let (head, body) = response.into_parts();
    let body = body.into_data_stream().map(move |chunk| {
        let _still_in_flight = &token;
        chunk
    });
    Response::from_parts(head, Body::from_stream(body))
}

/// Forgets bindings of sessions rmcp has closed (idle time-out).
async fn sweep_bindings(
    bindings: SessionBindings,
    light: LightSessions,
    idle: Duration,
    manager: Arc<SecureSessionManager>,
    cancel: CancellationToken,
) {
    // Light sessions expire here only: sweep at least twice per idle time-out.
    let mut interval = tokio::time::interval(SWEEP_INTERVAL.min(idle / 2).max(MIN_SWEEP_INTERVAL));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            _ = interval.tick() => {}
        }
        let live: std::collections::HashSet<String> = manager
            .inner()
            .sessions
            .read()
            .await
            .keys()
            .map(ToString::to_string)
            .collect();
        let before = bindings.len();
        let expired_light = light.expire_idle(idle);
        bindings.retain(|id| live.contains(id) || light.contains(id));
        let after = bindings.len();
        if before != after {
            tracing::debug!(
                removed = before - after,
                expired_light,
                "swept closed and idle sessions"
            );
        }
    }
}
