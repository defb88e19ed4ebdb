//! `sdp-mcp serve` driven over HTTP in single-user and multi-user mode
//! (personal keys and header credentials), then every output checked.

use super::known::{
    API_KEY, BAD_REFRESH_TOKEN, METRICS_TOKEN, WRONG_KEY, known_secrets, run, simulator,
};
use super::{
    Format, Running, Secrets, api_keys_in, assert_clean, assert_clean_server_logs,
    assert_trace_logs, master_key_b64, sdp_mcp, sessions, workdir,
};

/// Checks everything a server run showed: its stdout and TRACE stderr, what
/// clients were answered, `/metrics`; session ids count as secrets too.
fn check_server_run(
    place: &str,
    format: Format,
    secrets: &Secrets,
    shown: &sessions::Shown,
    outputs: &[(&str, &str)],
    allowed_on_stdout: &[&str],
) {
    let secrets_only = secrets;
    let mut secrets = secrets.clone();
    for id in &shown.session_ids {
        secrets.add("session id", id);
    }
    for (what, text) in outputs {
        if *what == "stderr" {
            assert_trace_logs(place, text, format);
            assert_clean_server_logs(
                &format!("{place} (stderr)"),
                text,
                secrets_only,
                &shown.session_ids,
            );
            continue;
        }
        let allowed = if *what == "stdout" {
            allowed_on_stdout
        } else {
            &[]
        };
        assert_clean(&format!("{place} ({what})"), text, &secrets, allowed);
    }
    assert_clean(
        &format!("{place} (MCP responses)"),
        &shown.responses,
        &secrets,
        &[],
    );
}

/// `serve` in single-user mode, in both log formats.
pub async fn single_user_sessions() {
    let sim = simulator(1, 1).await;
    let user = sim.directory().users[0].clone();
    let mut secrets = known_secrets();
    secrets.add_sim_user(&user);
    secrets.add("wrong key", WRONG_KEY);
    for format in Format::ALL {
        let dir = workdir(&format!("serve-single-{}", format.name()));
        let mut command = sdp_mcp(&dir, format);
        command
            .env("SDP_CLIENT_ID", &user.client_id)
            .env("SDP_CLIENT_SECRET", &user.client_secret)
            .env("SDP_REFRESH_TOKEN", &user.refresh_token)
            .env("SDP_INSTANCE_NAME", &user.portal)
            .env("SDP_BASE_URL", sim.base_url())
            .env("SDP_ACCOUNTS_URL", sim.base_url())
            .env("SDP_MCP_API_KEY", API_KEY)
            .env("SDP_MCP_METRICS_TOKEN", METRICS_TOKEN)
            .args(["serve", "--listen", "127.0.0.1:0"]);
        let running = Running::spawn(command);
        let address = tokio::task::block_in_place(|| running.server_address());
        let base = format!("http://{address}");
        let url = format!("{base}/mcp");
        let mut shown = sessions::Shown::default();
        let whoami = sessions::full_session(&url, Some(API_KEY), &[], &mut shown).await;
        assert_eq!(whoami["zoho_client_id"], serde_json::json!(user.client_id));
        // SDP failing under the call: the error text reaches the client.
        let fault = sim.state().faults.push(sdp_sim::control::FaultRule {
            path_prefix: Some("/app/".to_owned()),
            http_status: Some(500),
            ..sdp_sim::control::FaultRule::default()
        });
        sessions::failing_sign_in(&url, Some(API_KEY), &[], &mut shown).await;
        sim.state().faults.remove(fault);
        sessions::wrong_key(&url, WRONG_KEY, &mut shown).await;
        let (status, metrics) = sessions::metrics(&base, Some(METRICS_TOKEN)).await;
        assert_eq!(status, 200, "{metrics}");
        assert!(metrics.contains("sdp_mcp_"), "{metrics}");
        let (status, denied) = sessions::metrics(&base, Some("KNOWN-wrong-metrics")).await;
        assert_eq!(status, 401, "{denied}");
        let (status, stdout, stderr) = tokio::task::block_in_place(|| running.stop());
        assert!(status.success(), "{status}");
        check_server_run(
            "serve (single-user)",
            format,
            &secrets,
            &shown,
            &[
                ("stdout", &stdout),
                ("stderr", &stderr),
                ("/metrics", &metrics),
                ("/metrics refused", &denied),
            ],
            &[],
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// `serve` in multi-user mode with header credentials on, in both log formats.
pub async fn multi_user_sessions() {
    let sim = simulator(3, 2).await;
    let mut secrets = known_secrets();
    for user in &sim.directory().users {
        secrets.add_sim_user(user);
    }
    secrets.add("bad refresh token", BAD_REFRESH_TOKEN);
    secrets.add("wrong key", WRONG_KEY);
    let header_user = sim.directory().users[2].clone();
    for format in Format::ALL {
        let dir = workdir(&format!("serve-multi-{}", format.name()));
        let data = dir.join("data");
        let files =
            sdp_sim::env_files::write_env_files(&dir.join("envs"), sim.directory(), sim.base_url())
                .unwrap();
        let env = [
            ("SDP_MCP_MASTER_KEY", master_key_b64()),
            ("SDP_MCP_DATA_DIR", data.display().to_string()),
        ];
        let import = tokio::task::block_in_place(|| {
            run(
                &dir,
                format,
                &env,
                &[
                    "users",
                    "import",
                    "--json",
                    files[0].to_str().unwrap(),
                    files[1].to_str().unwrap(),
                ],
            )
        });
        let keys = api_keys_in(&String::from_utf8_lossy(&import.stdout));
        assert_eq!(keys.len(), 2, "{import:?}");
        let mut command = sdp_mcp(&dir, format);
        for (name, value) in &env {
            command.env(name, value);
        }
        command
            .env("SDP_MCP_ALLOW_HEADER_CREDENTIALS", "true")
            .env("SDP_MCP_METRICS_TOKEN", METRICS_TOKEN)
            .args(["serve", "--listen", "127.0.0.1:0"]);
        let running = Running::spawn(command);
        let address = tokio::task::block_in_place(|| running.server_address());
        let base = format!("http://{address}");
        let url = format!("{base}/mcp");
        let mut shown = sessions::Shown::default();
        let mut portals = std::collections::BTreeSet::new();
        for key in &keys {
            let whoami = sessions::full_session(&url, Some(key), &[], &mut shown).await;
            portals.insert(whoami["portal"].to_string());
        }
        assert_eq!(portals.len(), 2, "{portals:?}");
        let headers = |refresh_token: &'static str| {
            let token: &str = if refresh_token.is_empty() {
                &header_user.refresh_token
            } else {
                refresh_token
            };
            vec![
                ("x-sdp-client-id", header_user.client_id.clone()),
                ("x-sdp-client-secret", header_user.client_secret.clone()),
                ("x-sdp-refresh-token", token.to_owned()),
                ("x-sdp-instance", header_user.portal.clone()),
                ("x-sdp-base-url", sim.base_url().to_owned()),
                ("x-sdp-accounts-url", sim.base_url().to_owned()),
            ]
        };
        let good = headers("");
        let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let whoami = sessions::full_session(&url, None, &good, &mut shown).await;
        assert_eq!(
            whoami["zoho_client_id"],
            serde_json::json!(header_user.client_id)
        );
        let bad = headers(BAD_REFRESH_TOKEN);
        let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
        sessions::failing_sign_in(&url, None, &bad, &mut shown).await;
        sessions::wrong_key(&url, WRONG_KEY, &mut shown).await;
        let (status, metrics) = sessions::metrics(&base, Some(METRICS_TOKEN)).await;
        assert_eq!(status, 200, "{metrics}");
        let (_, stdout, stderr) = tokio::task::block_in_place(|| running.stop());
        let mut secrets = secrets.clone();
        for key in &keys {
            secrets.add("issued API key", key);
        }
        check_server_run(
            "serve (multi-user)",
            format,
            &secrets,
            &shown,
            &[
                ("stdout", &stdout),
                ("stderr", &stderr),
                ("/metrics", &metrics),
            ],
            &[],
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
