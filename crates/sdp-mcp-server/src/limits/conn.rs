//! The accept loop: hyper-util's HTTP/1 + HTTP/2 server with the limits that
//! `axum::serve` does not expose.
//!
//! - A request head must arrive within `header_read_timeout` (hyper's
//!   `header_read_timeout`, which needs a timer; `axum::serve` sets none, so
//!   a client trickling headers byte by byte held a connection forever).
//! - A request head larger than `max_header_bytes` is refused (431 on
//!   HTTP/1, the stream reset on HTTP/2).
//! - At most `max_connections` connections are served at once; further ones
//!   wait in the kernel's accept queue.
//! - At most `max_streams_per_connection` concurrent HTTP/2 streams.
//!
//! Each request carries the peer address as `ConnectInfo<SocketAddr>` (the
//! failed-authentication limiter reads it). On `stop`, the loop stops
//! accepting, asks every connection to finish gracefully (in-flight requests
//! complete, idle keep-alive connections close) and returns once all have
//! closed, as `axum::serve(..).with_graceful_shutdown(..)` does.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::serve::Listener;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt as _;

use super::HttpLimits;

/// Most header fields in one HTTP/1 request.
const MAX_HEADERS: usize = 100;
/// HTTP/2 keep-alive ping interval (detects dead peers on idle connections).
const H2_KEEP_ALIVE: Duration = Duration::from_secs(30);

/// The connection builder with `limits` applied.
fn builder(limits: &HttpLimits) -> Builder<TokioExecutor> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        // hyper refuses a head that does not fit its read buffer (min 8 KiB).
        .max_buf_size(limits.max_header_bytes.max(8192))
        .max_headers(MAX_HEADERS);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(limits.max_streams_per_connection)
        .max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX))
        .keep_alive_interval(H2_KEEP_ALIVE);
    builder
}

/// Serves `app` on `listener` until `stop` is cancelled and every connection
/// has closed.
pub(crate) async fn serve<L>(
    mut listener: L,
    app: Router,
    limits: &HttpLimits,
    stop: CancellationToken,
) -> std::io::Result<()>
where
    L: Listener<Addr = SocketAddr>,
{
    let builder = builder(limits);
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let connections = TaskTracker::new();
    loop {
        let permit = tokio::select! {
            () = stop.cancelled() => break,
            permit = slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let (io, peer) = tokio::select! {
            () = stop.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(request.map(Body::new))
        });
        let builder = builder.clone();
        let stop = stop.clone();
        connections.spawn(async move {
            let _slot = permit;
            let connection = builder.serve_connection_with_upgrades(TokioIo::new(io), service);
            tokio::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                () = stop.cancelled() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = result {
                tracing::trace!(%error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    connections.close();
    connections.wait().await;
    Ok(())
}
