#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! No secret (client secret, refresh token, access token, technician key)
//! appears in any log line at TRACE level or in any `Debug` output.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sdp_client::{
    AuthError, Endpoint, ExposeSecret, ListInfo, NoteInput, OnPremApiKey, RefreshPolicy, SdpClient,
    SdpClientConfig, SdpError, SecretString, StaticToken, TokenSource,
};
use support::*;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

fn assert_absent(haystack: &str, secrets: &[String], what: &str) {
    for secret in secrets {
        assert!(!secret.is_empty());
        assert!(
            !haystack.contains(secret.as_str()),
            "a secret leaked into {what}"
        );
    }
}

/// Runs the simulator on its own runtime (its logs are not ours) and the
/// client on a current-thread runtime whose thread carries the capturing
/// subscriber, so every client-side event and span is captured.
#[test]
fn no_secret_in_trace_logs_or_debug_output() {
    let sim_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let sim = sim_runtime.block_on(sim());
    let alice = user(&sim, 0);
    let bob = user(&sim, 2); // on the default portal, like an on-prem instance

    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(capture.clone())
        .with_ansi(false)
        .finish();
    // Also routes `log` records (reqwest, hyper-util) into the subscriber.
    let _guard = subscriber.set_default();
    let client_runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    let mut secrets = vec![
        alice.client_secret.clone(),
        alice.refresh_token.clone(),
        bob.technician_key.clone(),
    ];
    let mut debug_outputs = Vec::new();
    client_runtime.block_on(async {
        let tokens = zoho_source_with(
            &sim,
            &alice,
            RefreshPolicy {
                throttle_cooldown: Duration::from_secs(1),
                ..RefreshPolicy::default()
            },
        );
        let client = cloud_client(&sim, &alice, tokens.clone());
        let page = client
            .requests()
            .list(&ListInfo::new().row_count(3))
            .await
            .unwrap();
        let first_token = tokens.cached().unwrap().0.expose_secret().to_owned();
        secrets.push(first_token);

        // Expiry → 4022 → refresh → retry.
        sim.state().clock.advance(Duration::from_secs(3601));
        let id = page.items[0].id.clone().unwrap();
        client.requests().get(&id).await.unwrap();
        client
            .requests()
            .notes(&id)
            .create(&NoteInput::new("called the user"))
            .await
            .unwrap();
        secrets.push(tokens.cached().unwrap().0.expose_secret().to_owned());

        // Errors: not found, and Zoho refusing a bad secret.
        let missing = client.requests().get("1").await.unwrap_err();
        debug_outputs.push(format!("{missing:?} {missing} {}", missing.human_message()));
        let bad = sdp_client::ZohoTokenSource::new(
            sdp_client::ZohoCredentials {
                client_secret: SecretString::from("bad-secret-value-123".to_owned()),
                ..credentials(&sim, &alice)
            },
            http(),
        );
        secrets.push("bad-secret-value-123".to_owned());
        let refused = bad.access_token().await.unwrap_err();
        debug_outputs.push(format!("{refused:?} {refused}"));
        debug_outputs.push(format!("{bad:?}"));

        // On-prem key.
        let on_prem = on_prem_client(&sim, &bob);
        on_prem
            .requests()
            .list(&ListInfo::new().row_count(1))
            .await
            .unwrap();
        let wrong_key = SdpClient::new(
            on_prem.config().clone(),
            Arc::new(OnPremApiKey::new(SecretString::from(format!(
                "WRONG{}",
                bob.technician_key
            )))),
            http(),
        );
        secrets.push(format!("WRONG{}", bob.technician_key));
        let error: SdpError = wrong_key
            .requests()
            .list(&ListInfo::new())
            .await
            .unwrap_err();
        debug_outputs.push(format!("{error:?} {error}"));

        // Revocation puts the token in the query string, as Zoho documents.
        let carol = user(&sim, 1);
        secrets.push(carol.refresh_token.clone());
        sdp_client::revoke_token(
            &http(),
            sim.base_url(),
            &SecretString::from(carol.refresh_token.clone()),
        )
        .await
        .unwrap();

        // Debug of every configuration and credential type.
        debug_outputs.push(format!("{client:?}"));
        debug_outputs.push(format!("{on_prem:?}"));
        debug_outputs.push(format!("{tokens:?}"));
        debug_outputs.push(format!("{:?}", credentials(&sim, &alice)));
        debug_outputs.push(format!("{:?}", client.config()));
        debug_outputs.push(format!("{:?}", client.token_source()));
        debug_outputs.push(format!(
            "{:?}",
            OnPremApiKey::new(SecretString::from(bob.technician_key.clone()))
        ));
        let static_token = StaticToken::new(SecretString::from(secrets[3].clone()));
        debug_outputs.push(format!("{static_token:?}"));
        debug_outputs.push(format!("{:?}", static_token.access_token().await.unwrap()));
        debug_outputs.push(format!(
            "{:?}",
            AuthError::Throttled {
                retry_after: Duration::from_secs(1)
            }
        ));
        let endpoint = Endpoint::on_prem(sim.base_url()).unwrap();
        debug_outputs.push(format!("{:?}", SdpClientConfig::new(endpoint)));
    });

    let logs = capture.text();
    if std::env::var_os("SDP_CLIENT_DUMP_LOGS").is_some() {
        eprintln!("{logs}");
    }
    assert!(logs.contains("sdp.call"), "the capture saw no client span");
    assert!(
        logs.contains("zoho.refresh"),
        "the capture saw no refresh span"
    );
    assert_absent(&logs, &secrets, "the logs");
    for output in &debug_outputs {
        assert_absent(output, &secrets, "a Debug output");
    }
    assert!(debug_outputs.iter().any(|d| d.contains("REDACTED")));
    drop(sim);
    sim_runtime.shutdown_background();
}
