//! Waiting for SIGINT or SIGTERM; SIGHUP is answered with a log line.

/// Completes on the first SIGINT (Ctrl-C) or SIGTERM. A SIGHUP (which would
/// otherwise end the process) is logged and ignored: users, keys and
/// credentials changed with `sdp-mcp users …` already apply without a
/// restart, and the rest of the configuration needs one.
pub async fn signal() {
    #[cfg(unix)]
    tokio::spawn(async {
        let Ok(mut hangups) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        else {
            return;
        };
        while hangups.recv().await.is_some() {
            tracing::info!(
                "SIGHUP: nothing to reload; user, key and credential changes already apply \
                 without a restart; restart the service to apply configuration changes"
            );
        }
    });
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
