//! `sdp-mcp demo` at TRACE level, driven like a user would: API-key
//! sessions on two portals (reads, a write, failing calls), a wrong key,
//! OAuth sign-in in the browser with a refresh, `/metrics`.

use sdp_sim::SimConfig;
use sdp_sim::directory::{DEMO_WEB_CLIENT_SECRET, Directory};

use super::{
    Format, Running, Secrets, api_keys_in, assert_clean, assert_trace_logs, sdp_mcp, workdir,
};
use super::{oauth, sessions};

const WRONG_KEY: &str = "sdpmcp_WRONGwrongWRONGwrongWRONGwrong34";

fn line_value<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` in {text}"))
        .trim()
}

/// Runs the demo in `format` and checks its output against `secrets` plus
/// everything the demo itself holds secret.
pub async fn run_demo(format: Format, known: &Secrets) {
    let dir = workdir(&format!("demo-{}", format.name()));
    let mut command = sdp_mcp(&dir, format);
    command.args(["demo", "--listen", "127.0.0.1:0"]);
    let running = Running::spawn(command);
    let instructions = tokio::task::block_in_place(|| {
        running.read_stdout_until("the demo is ready", |l| l.contains("Ctrl-C"))
    });
    let url = line_value(&instructions, "MCP endpoint (Streamable HTTP):").to_owned();
    let base = url.trim_end_matches("/mcp").to_owned();
    let keys = api_keys_in(&instructions);
    let keys: Vec<String> = keys
        .iter()
        .enumerate()
        .filter(|(i, k)| !keys[..*i].contains(k))
        .map(|(_, k)| k.clone())
        .collect();
    assert_eq!(keys.len(), 3, "{instructions}");
    let email = line_value(&instructions, "OAuth sign-in email:").to_owned();
    let password = line_value(&instructions, "OAuth sign-in password:").to_owned();

    // The demo's simulator is the default seed with 3 users on 2 portals;
    // whoami below proves these are the users the demo imported.
    let directory = Directory::generate(&SimConfig {
        users: 3,
        portals: 2,
        ..SimConfig::default()
    });
    let mut secrets = known.clone();
    for user in &directory.users {
        secrets.add_sim_user(user);
    }
    secrets.add("demo web client secret", DEMO_WEB_CLIENT_SECRET);
    secrets.add("wrong key", WRONG_KEY);

    let mut shown = sessions::Shown::default();
    let mut portals = std::collections::BTreeSet::new();
    for key in &keys {
        let whoami = sessions::full_session(&url, Some(key), &[], &mut shown).await;
        let client_id = whoami["zoho_client_id"].as_str().unwrap();
        assert!(
            directory.users.iter().any(|u| u.client_id == client_id),
            "{whoami}"
        );
        portals.insert(whoami["portal"].to_string());
    }
    assert!(portals.len() >= 2, "{portals:?}");
    sessions::wrong_key(&url, WRONG_KEY, &mut shown).await;

    let signed_in = oauth::sign_in(&base, &email, &password).await;
    let whoami = sessions::full_session(&url, Some(&signed_in.access_token), &[], &mut shown).await;
    assert_eq!(
        whoami["credentials_valid"],
        serde_json::json!(true),
        "{whoami}"
    );
    sessions::full_session(&url, Some(&signed_in.refreshed.0), &[], &mut shown).await;
    let (status, metrics) = sessions::metrics(&base, None).await;
    assert_eq!(status, 200, "{metrics}");

    let (status, stdout, stderr) = tokio::task::block_in_place(|| running.stop());
    assert!(status.success(), "demo exited with {status}");
    assert_trace_logs("demo", &stderr, format);

    // stdout: the instructions print each key (that is their purpose) and the
    // sign-in password, nothing else secret.
    let mut private = secrets.clone();
    for (label, value) in [
        ("OAuth access token", &signed_in.access_token),
        ("OAuth refresh token", &signed_in.refresh_token),
        ("refreshed access token", &signed_in.refreshed.0),
        ("refreshed refresh token", &signed_in.refreshed.1),
        ("authorization code", &signed_in.code),
        ("PKCE verifier", &signed_in.verifier),
        ("consent cookie", &signed_in.browser_cookie),
        ("consent CSRF token", &signed_in.csrf),
    ] {
        private.add(label, value);
    }
    let mut with_sessions = private.clone();
    for id in &shown.session_ids {
        with_sessions.add("session id", id);
    }
    let allowed: Vec<&str> = keys.iter().map(String::as_str).collect();
    assert_clean("demo (stdout)", &stdout, &with_sessions, &allowed);
    for key in &keys {
        assert!(stdout.contains(key.as_str()));
    }
    // stderr and the rest: no key, and not the sign-in password either.
    for secrets in [&mut private, &mut with_sessions] {
        for key in &keys {
            secrets.add("demo API key", key);
        }
        secrets.add("sign-in password", &password);
    }
    super::assert_clean_server_logs("demo (stderr)", &stderr, &private, &shown.session_ids);
    assert_clean("demo (/metrics)", &metrics, &with_sessions, &[]);
    assert_clean(
        "demo (MCP responses)",
        &shown.responses,
        &with_sessions,
        &[],
    );
    let _ = std::fs::remove_dir_all(&dir);
}
