#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Multi-user mode: store-backed API keys, per-user contexts, isolation
//! between users under concurrency, session binding, users changing while
//! the server runs, header credentials, audit log and rate limit.

mod multi_user_support;
mod support;

use std::collections::HashMap;
use std::time::Duration;

use futures::StreamExt as _;
use multi_user_support::{
    ID_BASE, ID_RANGE, MultiOptions, MultiServer, credentials_of, is_error, text_of,
};
use reqwest::StatusCode;
use sdp_mcp_server::store::{AuthMethod, ExposeSecret as _, NewUser, UserStatus};
use serde_json::{Value, json};
use support::{EventReader, initialize_body};

/// Every SDP id in `value` (`id` / `request_id` fields).
fn ids_in(value: &Value, out: &mut Vec<u64>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if (key == "id" || key == "request_id")
                    && let Some(id) = v.as_str().and_then(|s| s.parse::<u64>().ok())
                    && id >= ID_BASE
                {
                    out.push(id);
                }
                ids_in(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| ids_in(v, out)),
        _ => {}
    }
}

#[derive(Clone, Copy, Debug)]
enum Op {
    WhoAmI,
    GetRequest,
    AddNote,
}

/// 100 users on 10 portals, 10,000 interleaved concurrent calls (a third of
/// them writes): every answer belongs to the caller, every note lands on the
/// caller's portal, and each user's refresh token minted exactly one token.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn isolation_of_100_users_under_10000_concurrent_calls() {
    let server = MultiServer::start(MultiOptions {
        users: 100,
        portals: 10,
        requests_per_portal: 5,
        ..MultiOptions::default()
    })
    .await;
    let total_calls: usize = std::env::var("SDP_MCP_ISOLATION_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let users = server.users.clone();
    let portals: Vec<String> = server.sim.directory().portals.clone();
    assert!(portals.len() >= 10);
    let request_of: HashMap<String, u64> = portals
        .iter()
        .map(|p| (p.clone(), server.request_id_on(p)))
        .collect();
    let writes_before: HashMap<String, u64> = portals
        .iter()
        .map(|p| (p.clone(), server.sim.state().counters.writes(p)))
        .collect();

    // Interleave: call i goes to user i % 100, round-robin over operations.
    let plan: Vec<(usize, Op)> = (0..total_calls)
        .map(|i| {
            let op = match (i / users.len()) % 3 {
                0 => Op::WhoAmI,
                1 => Op::GetRequest,
                _ => Op::AddNote,
            };
            (i % users.len(), op)
        })
        .collect();
    let mut notes_per_portal: HashMap<String, u64> = HashMap::new();
    for (user, op) in &plan {
        if matches!(op, Op::AddNote) {
            *notes_per_portal
                .entry(users[*user].sim.portal.clone())
                .or_default() += 1;
        }
    }
    let server_ref = &server;
    let request_of = &request_of;
    let portals_ref = &portals;
    let failures: Vec<String> = futures::stream::iter(plan.into_iter().enumerate())
        .map(|(n, (index, op))| {
            let user = &users[index];
            async move {
                let portal = &user.sim.portal;
                let own_request = request_of[portal];
                let (tool, args) = match op {
                    Op::WhoAmI => ("whoami", json!({})),
                    Op::GetRequest => ("get_request", json!({"request_id": own_request.to_string()})),
                    Op::AddNote => (
                        "add_note",
                        json!({"request_id": own_request.to_string(), "note": format!("note {n} by {}", user.sim.login)}),
                    ),
                };
                let result = server_ref.call(&user.key, tool, args).await;
                if is_error(&result) {
                    return Some(format!("{} {tool}: {}", user.sim.login, text_of(&result)));
                }
                let structured = &result["structuredContent"];
                match op {
                    Op::WhoAmI => {
                        let ok = structured["portal"] == json!(portal)
                            && structured["zoho_client_id"] == json!(user.sim.client_id)
                            && structured["mcp_user"] == json!(user.store_id);
                        (!ok).then(|| format!("{} whoami answered {structured}", user.sim.login))
                    }
                    Op::GetRequest | Op::AddNote => {
                        let mut ids = Vec::new();
                        ids_in(structured, &mut ids);
                        let own_index = portals_ref.iter().position(|p| p == portal).unwrap() as u64;
                        let foreign = ids.iter().find(|id| (*id - ID_BASE) / ID_RANGE != own_index);
                        if ids.is_empty() || foreign.is_some() {
                            return Some(format!("{} {tool} answered ids of another portal: {ids:?}", user.sim.login));
                        }
                        None
                    }
                }
            }
        })
        .buffer_unordered(64)
        .filter_map(|failure| async move { failure })
        .collect()
        .await;
    assert!(
        failures.is_empty(),
        "{} failures, e.g. {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );

    for portal in &portals {
        let written = server.sim.state().counters.writes(portal) - writes_before[portal];
        assert_eq!(
            written,
            notes_per_portal.get(portal).copied().unwrap_or(0),
            "writes on portal {portal}"
        );
    }
    for user in &server.users {
        assert_eq!(
            server
                .sim
                .state()
                .counters
                .grants_for(&user.sim.refresh_token),
            1,
            "token grants of {}",
            user.sim.login
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn a_revoked_refresh_token_fails_only_its_user() {
    let server = MultiServer::start(MultiOptions::default()).await;
    let revoked = &server.users[0];
    let response = server
        .http()
        .post(format!(
            "{}/oauth/v2/token/revoke?token={}",
            server.sim.base_url(),
            revoked.sim.refresh_token
        ))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());

    let result = server.call(&revoked.key, "whoami", json!({})).await;
    assert!(is_error(&result), "{result}");
    let message = text_of(&result).to_lowercase();
    assert!(message.contains("token"), "{message}");
    for user in &server.users[1..] {
        let result = server.call(&user.key, "whoami", json!({})).await;
        assert!(!is_error(&result), "{result}");
        assert_eq!(
            result["structuredContent"]["portal"],
            json!(user.sim.portal)
        );
        assert_eq!(result["structuredContent"]["auth_method"], "user_api_key");
    }
    server.stop().await;
}

#[tokio::test]
async fn mcp_session_of_another_user_is_not_found() {
    let server = MultiServer::start(MultiOptions::default()).await;
    let (a, b) = (&server.users[0], &server.users[1]);
    let response = server
        .http()
        .post(server.mcp_url())
        .header("accept", "application/json, text/event-stream")
        .header("authorization", format!("Bearer {}", a.key))
        .json(&initialize_body(1))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let session = response.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let post_as = |key: &str| {
        server
            .http()
            .post(server.mcp_url())
            .header("accept", "application/json, text/event-stream")
            .header("mcp-session-id", &session)
            .header("mcp-protocol-version", "2025-11-25")
            .header("authorization", format!("Bearer {key}"))
            .json(&initialized)
            .send()
    };
    assert_eq!(
        post_as(&b.key).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post_as(&a.key).await.unwrap().status(),
        StatusCode::ACCEPTED
    );
    server.stop().await;
}

#[tokio::test]
async fn sse_session_of_another_user_is_not_found() {
    let server = MultiServer::start(MultiOptions::default()).await;
    let (a, b) = (&server.users[0], &server.users[1]);
    let stream = server
        .http()
        .get(format!("{}/sse", server.url))
        .header("authorization", format!("Bearer {}", a.key))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let mut events = EventReader::new(stream);
    let (event, endpoint) = events.next_event().await.unwrap();
    assert_eq!(event, "endpoint");
    let post_as = |key: &str| {
        server
            .http()
            .post(format!("{}{endpoint}", server.url))
            .header("authorization", format!("Bearer {key}"))
            .json(&initialize_body(7))
            .send()
    };
    assert_eq!(
        post_as(&b.key).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post_as(&a.key).await.unwrap().status(),
        StatusCode::ACCEPTED
    );
    let (event, data) = events.next_event().await.unwrap();
    assert_eq!(event, "message");
    let response: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(response["id"], 7);
    drop(events);
    server.stop().await;
}

#[tokio::test]
async fn users_added_disabled_and_removed_while_running_take_effect() {
    let server = MultiServer::start(MultiOptions {
        users: 4,
        auth_cache_ttl: Some(Duration::ZERO),
        ..MultiOptions::default()
    })
    .await;
    // Unknown and malformed keys.
    let (status, _) = server
        .call_with_headers(
            &[("authorization", "Bearer sdpmcp_nope".to_owned())],
            "whoami",
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = server.call_with_headers(&[], "whoami", json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A user created in the store after start works at once.
    let late = server.sim.directory().users[3].clone();
    let (record, key) = server
        .store
        .create_user(NewUser {
            name: "late-user".to_owned(),
            display_name: None,
            email: None,
            auth_method: AuthMethod::ApiKey,
            credentials: Some(credentials_of(&late, server.sim.base_url())),
            issue_api_key: true,
        })
        .await
        .unwrap();
    let key = key.unwrap().key.expose_secret().to_owned();
    let result = server.call(&key, "whoami", json!({})).await;
    assert!(!is_error(&result), "{result}");
    assert_eq!(
        result["structuredContent"]["mcp_user"],
        json!(record.id.as_str())
    );

    // Disabled: refused; enabled again: works.
    server
        .store
        .set_user_status(&record.id, UserStatus::Disabled)
        .await
        .unwrap();
    let (status, _) = server
        .call_with_headers(
            &[("authorization", format!("Bearer {key}"))],
            "whoami",
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    server
        .store
        .set_user_status(&record.id, UserStatus::Active)
        .await
        .unwrap();
    assert!(!is_error(&server.call(&key, "whoami", json!({})).await));

    // Credentials replaced by another process (the CLI's re-import): the next
    // call after the auth cache expires runs with the new ones.
    let other = server.sim.directory().users[0].clone();
    assert_ne!(other.portal, late.portal);
    server
        .store
        .update_credentials(&record.id, credentials_of(&other, server.sim.base_url()))
        .await
        .unwrap();
    let result = server.call(&key, "whoami", json!({})).await;
    assert_eq!(
        result["structuredContent"]["portal"],
        json!(other.portal),
        "{result}"
    );

    // Rotated: the old key stops, the new one works.
    let rotated = server
        .store
        .rotate_api_keys(&record.id, None)
        .await
        .unwrap();
    let (status, _) = server
        .call_with_headers(
            &[("authorization", format!("Bearer {key}"))],
            "whoami",
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let new_key = rotated.key.expose_secret().to_owned();
    assert!(!is_error(&server.call(&new_key, "whoami", json!({})).await));

    // Removed: refused.
    assert!(server.store.remove_user(&record.id).await.unwrap());
    let (status, _) = server
        .call_with_headers(
            &[("authorization", format!("Bearer {new_key}"))],
            "whoami",
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    server.stop().await;
}

#[tokio::test]
async fn write_calls_are_audited_without_secrets() {
    let server = MultiServer::start(MultiOptions::default()).await;
    let user = server.users[0].clone();
    let request = server.request_id_on(&user.sim.portal);
    let result = server
        .call(
            &user.key,
            "add_note",
            json!({"request_id": request.to_string(), "note": "audited"}),
        )
        .await;
    assert!(!is_error(&result), "{result}");
    assert!(!is_error(
        &server.call(&user.key, "whoami", json!({})).await
    ));
    let store = server.store.clone();
    // Once stopped, the server has finished every audit write.
    server.stop().await;
    let events = store.recent_audit(None, 10).await.unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].event.action, "tool:add_note");
    assert_eq!(
        events[0].event.user_id.as_ref().unwrap().as_str(),
        user.store_id
    );
    assert!(
        events[0]
            .event
            .target
            .as_deref()
            .unwrap()
            .contains(&request.to_string())
    );
    assert!(!format!("{events:?}").contains(&user.sim.refresh_token));
}

#[tokio::test]
async fn over_the_rate_limit_calls_get_a_clear_error() {
    let server = MultiServer::start(MultiOptions {
        env: vec![("SDP_MCP_RATE_LIMIT_PER_MINUTE", "2")],
        ..MultiOptions::default()
    })
    .await;
    let (a, b) = (server.users[0].clone(), server.users[1].clone());
    assert!(!is_error(&server.call(&a.key, "whoami", json!({})).await));
    assert!(!is_error(&server.call(&a.key, "whoami", json!({})).await));
    let limited = server.call(&a.key, "whoami", json!({})).await;
    assert!(is_error(&limited));
    let message = text_of(&limited);
    assert!(
        message.starts_with("rate limit: 2 calls/min per user; retry in "),
        "{message}"
    );
    // Other users have their own budget.
    assert!(!is_error(&server.call(&b.key, "whoami", json!({})).await));
    server.stop().await;
}

fn header_credentials(server: &MultiServer, index: usize) -> Vec<(&'static str, String)> {
    let user = &server.users[index].sim;
    vec![
        ("x-sdp-client-id", user.client_id.clone()),
        ("x-sdp-client-secret", user.client_secret.clone()),
        ("x-sdp-refresh-token", user.refresh_token.clone()),
        ("x-sdp-instance", user.portal.clone()),
        ("x-sdp-base-url", server.sim.base_url().to_owned()),
        ("x-sdp-accounts-url", server.sim.base_url().to_owned()),
    ]
}

#[tokio::test]
async fn header_credentials_work_only_when_enabled() {
    let server = MultiServer::start(MultiOptions::default()).await;
    let (status, _) = server
        .call_with_headers(&header_credentials(&server, 0), "whoami", json!({}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    server.stop().await;

    let server = MultiServer::start(MultiOptions {
        env: vec![
            ("SDP_MCP_RATE_LIMIT_PER_MINUTE", "0"),
            ("SDP_MCP_ALLOW_HEADER_CREDENTIALS", "true"),
        ],
        ..MultiOptions::default()
    })
    .await;
    let mut principals = Vec::new();
    for index in [0, 1, 0] {
        let (status, result) = server
            .call_with_headers(&header_credentials(&server, index), "whoami", json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{result}");
        assert!(!is_error(&result), "{result}");
        let who = &result["structuredContent"];
        assert_eq!(who["auth_method"], "header_credentials");
        assert_eq!(who["portal"], json!(server.users[index].sim.portal));
        assert!(who["mcp_user"].as_str().unwrap().starts_with("hdr_"));
        assert!(
            !who.to_string()
                .contains(&server.users[index].sim.refresh_token)
        );
        principals.push(who["mcp_user"].clone());
    }
    assert_eq!(principals[0], principals[2]);
    assert_ne!(principals[0], principals[1]);
    // The same credentials reuse one context: one token grant.
    let grants = server
        .sim
        .state()
        .counters
        .grants_for(&server.users[0].sim.refresh_token);
    assert_eq!(grants, 1);
    // Incomplete header credentials are refused with the missing header named.
    let mut partial = header_credentials(&server, 0);
    partial.retain(|(name, _)| *name != "x-sdp-client-secret");
    let (status, body) = server
        .call_with_headers(&partial, "whoami", json!({}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.to_string().contains("x-sdp-client-secret"), "{body}");
    server.stop().await;
}

#[tokio::test]
async fn header_credentials_only_server_needs_no_store() {
    use sdp_mcp_server::{Config, EnvSource, Server};
    let sim = support::simulator().await;
    let config = Config::multi_user_from_env(&EnvSource::from_vars([(
        "SDP_MCP_ALLOW_HEADER_CREDENTIALS",
        "true",
    )]))
    .unwrap();
    let server = Server::builder(config).build().unwrap();
    assert!(server.is_multi_user());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let stop = tokio_util::sync::CancellationToken::new();
    let task = tokio::spawn(server.run(listener, stop.clone().cancelled_owned()));
    let user = &sim.directory().users[1];
    let headers = vec![
        ("x-sdp-client-id", user.client_id.clone()),
        ("x-sdp-client-secret", user.client_secret.clone()),
        ("x-sdp-refresh-token", user.refresh_token.clone()),
        ("x-sdp-instance", user.portal.clone()),
        ("x-sdp-base-url", sim.base_url().to_owned()),
        ("x-sdp-accounts-url", sim.base_url().to_owned()),
    ];
    let http = reqwest::Client::new();
    let (status, result) =
        multi_user_support::call_tool(&http, &url, &headers, "whoami", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["structuredContent"]["portal"], json!(user.portal));
    // No store: API keys are not accepted.
    let (status, _) = multi_user_support::call_tool(
        &http,
        &url,
        &[(
            "authorization",
            "Bearer sdpmcp_0123456789abcdefABCDEF0123456789".to_owned(),
        )],
        "whoami",
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    stop.cancel();
    task.await.unwrap().unwrap();
}
