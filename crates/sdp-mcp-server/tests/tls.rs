#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! HTTPS (`SDP_MCP_TLS_CERT` / `SDP_MCP_TLS_KEY`): a self-signed certificate
//! from rcgen, the real server on port 0, reqwest trusting that certificate.

mod support;

use std::collections::HashMap;
use std::path::Path;

use reqwest::StatusCode;
use sdp_mcp_server::{Config, EnvSource, Server, ServerError};
use support::{API_KEY, TIMEOUT, initialize_body};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

struct Pem {
    cert: String,
    key: String,
}

fn self_signed() -> Pem {
    let generated =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap();
    Pem {
        cert: generated.cert.pem(),
        key: generated.signing_key.serialize_pem(),
    }
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

/// An on-premises single-user configuration (no SDP call is made here).
fn config(tls: &[(&str, &str)]) -> Config {
    let mut env: HashMap<String, String> = HashMap::from([
        ("SDP_AUTHTOKEN".to_owned(), "0123456789abcdef".to_owned()),
        ("SDP_BASE_URL".to_owned(), "http://127.0.0.1:9".to_owned()),
        ("SDP_MCP_API_KEY".to_owned(), API_KEY.to_owned()),
    ]);
    for (name, value) in tls {
        env.insert((*name).to_owned(), (*value).to_owned());
    }
    Config::from_env(&EnvSource::from_vars(env)).unwrap()
}

#[tokio::test]
async fn serves_health_and_mcp_over_https_and_refuses_plain_http() {
    let dir = tempfile::tempdir().unwrap();
    let pem = self_signed();
    let cert = write(dir.path(), "cert.pem", &pem.cert);
    let key = write(dir.path(), "key.pem", &pem.key);
    let config = config(&[("SDP_MCP_TLS_CERT", &cert), ("SDP_MCP_TLS_KEY", &key)]);
    let server = Server::builder(config).build().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    let task = tokio::spawn(async move { server.run(listener, stop.cancelled_owned()).await });

    let https = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(pem.cert.as_bytes()).unwrap())
        .timeout(TIMEOUT)
        .build()
        .unwrap();
    let base = format!("https://localhost:{port}");
    let health = https.get(format!("{base}/health")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);

    let initialize = https
        .post(format!("{base}/mcp"))
        .bearer_auth(API_KEY)
        .header("accept", "application/json, text/event-stream")
        .json(&initialize_body(1))
        .send()
        .await
        .unwrap();
    assert_eq!(initialize.status(), StatusCode::OK);
    let body = initialize.text().await.unwrap();
    assert!(body.contains("\"serverInfo\""), "{body}");

    // A client that does not trust the certificate is refused.
    let untrusting = reqwest::Client::builder().timeout(TIMEOUT).build().unwrap();
    assert!(
        untrusting
            .get(format!("{base}/health"))
            .send()
            .await
            .is_err()
    );
    // Plain HTTP to the TLS port gets no HTTP answer.
    let plain = untrusting
        .get(format!("http://127.0.0.1:{port}/health"))
        .send()
        .await;
    assert!(plain.is_err(), "plain HTTP answered: {plain:?}");
    // ...and the server still serves HTTPS afterwards.
    let again = https.get(format!("{base}/health")).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::OK);

    shutdown.cancel();
    tokio::time::timeout(TIMEOUT, task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

async fn run_error(config: Config) -> String {
    let server = Server::builder(config).build().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let result = tokio::time::timeout(TIMEOUT, server.run(listener, std::future::pending::<()>()))
        .await
        .expect("a bad certificate must stop the server at once");
    let error = result.unwrap_err();
    assert!(matches!(error, ServerError::Tls(_)), "{error:?}");
    error.to_string()
}

#[tokio::test]
async fn unusable_certificate_or_key_is_named_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let pem = self_signed();
    let other = self_signed();
    let cert = write(dir.path(), "cert.pem", &pem.cert);
    let key = write(dir.path(), "key.pem", &pem.key);
    let other_key = write(dir.path(), "other-key.pem", &other.key);
    let garbage = write(dir.path(), "garbage.pem", "not a certificate\n");
    let missing = dir.path().join("missing.pem").to_str().unwrap().to_owned();

    let message = run_error(config(&[
        ("SDP_MCP_TLS_CERT", &missing),
        ("SDP_MCP_TLS_KEY", &key),
    ]))
    .await;
    assert!(message.contains("--tls-cert"), "{message}");
    assert!(message.contains("missing.pem"), "{message}");

    let message = run_error(config(&[
        ("SDP_MCP_TLS_CERT", &cert),
        ("SDP_MCP_TLS_KEY", &missing),
    ]))
    .await;
    assert!(message.contains("--tls-key"), "{message}");

    let message = run_error(config(&[
        ("SDP_MCP_TLS_CERT", &garbage),
        ("SDP_MCP_TLS_KEY", &key),
    ]))
    .await;
    assert!(message.contains("--tls-cert"), "{message}");
    assert!(message.contains("PEM"), "{message}");

    let message = run_error(config(&[
        ("SDP_MCP_TLS_CERT", &cert),
        ("SDP_MCP_TLS_KEY", &garbage),
    ]))
    .await;
    assert!(message.contains("--tls-key"), "{message}");

    let message = run_error(config(&[
        ("SDP_MCP_TLS_CERT", &cert),
        ("SDP_MCP_TLS_KEY", &other_key),
    ]))
    .await;
    assert!(message.contains("--tls-key"), "{message}");
    assert!(message.contains("cannot be used together"), "{message}");
    assert!(
        !message.contains("PRIVATE KEY-----"),
        "no key material: {message}"
    );
}

#[test]
fn certificate_without_key_is_a_configuration_error() {
    let env = HashMap::from([
        ("SDP_AUTHTOKEN".to_owned(), "0123456789abcdef".to_owned()),
        ("SDP_BASE_URL".to_owned(), "http://127.0.0.1:9".to_owned()),
        ("SDP_MCP_TLS_CERT".to_owned(), "/tmp/cert.pem".to_owned()),
    ]);
    let error = Config::from_env(&EnvSource::from_vars(env)).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("SDP_MCP_TLS_KEY"), "{message}");
}
