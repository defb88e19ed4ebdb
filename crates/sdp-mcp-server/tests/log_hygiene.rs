#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Logs never carry secrets, `Authorization` values or session ids.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::json;
use support::{API_KEY, EventReader, TestServer, call, initialize_body, ok, simulator};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_full_session_logs_no_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(format!(
            "{},sdp_mcp_server=trace",
            sdp_mcp_server::RECOMMENDED_LOG_FILTER
        ))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let sim = simulator().await;
    let user = sim.directory().users[0].clone();
    let server = TestServer::builder().start(sim).await;

    let client = server.mcp_client().await;
    ok("whoami", &call(&client, "whoami", json!({})).await);
    ok(
        "list_requests",
        &call(&client, "list_requests", json!({"page_size": 2})).await,
    );
    client.cancel().await.unwrap();

    let wrong = server
        .http()
        .post(server.mcp_url())
        .header("authorization", "Bearer wrong-secret-key")
        .json(&initialize_body(1))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let initialized = server
        .http()
        .post(server.mcp_url())
        .header("authorization", format!("Bearer {API_KEY}"))
        .header("accept", "application/json, text/event-stream")
        .json(&initialize_body(2))
        .send()
        .await
        .unwrap();
    let session_id = initialized.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned();
    drop(initialized);
    let stream = server
        .http()
        .get(format!("{}/sse", server.url))
        .header("authorization", format!("Bearer {API_KEY}"))
        .send()
        .await
        .unwrap();
    let mut events = EventReader::new(stream);
    let (_, endpoint) = events.next_event().await.unwrap();
    let sse_session = endpoint.rsplit('=').next().unwrap().to_owned();
    server.stop().await.unwrap();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("tool call finished"), "nothing captured");
    for (what, secret) in [
        ("API key", API_KEY),
        ("wrong key", "wrong-secret-key"),
        ("refresh token", user.refresh_token.as_str()),
        ("client secret", user.client_secret.as_str()),
        ("session id", session_id.as_str()),
        ("SSE session id", sse_session.as_str()),
    ] {
        assert!(
            !logs.contains(secret),
            "{what} appears in the logs:\n{logs}"
        );
    }
}
