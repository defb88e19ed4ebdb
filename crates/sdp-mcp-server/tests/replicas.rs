#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Horizontal scale-out: server replicas sharing one PostgreSQL database.
//! Zoho token refreshes are coordinated through the store (one per user
//! across replicas), `--stateless` replicas behind a round-robin proxy serve
//! any request, a killed replica loses nothing stored, and users added
//! through one replica work at once on the others.
//!
//! Runs when `SDP_MCP_TEST_DATABASE_URL` is set (a fresh schema per test);
//! otherwise each test prints `skipped: <name>` and passes.

mod multi_user_support;
mod replicas_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::StreamExt as _;
use multi_user_support::{ID_BASE, ID_RANGE, credentials_of};
use replicas_support::{PgSchema, Proxy, Replica, client, try_call};
use sdp_mcp_server::store::{AuthMethod, ExposeSecret as _, NewUser, Store};
use sdp_mcp_server::{Config, EnvSource};
use sdp_sim::{SimHandle, SimUser, Simulator};
use serde_json::{Value, json};
use tokio::net::TcpListener;

/// A user of these tests: simulated identity, store id and API key.
#[derive(Clone)]
struct User {
    sim: SimUser,
    store_id: String,
    key: String,
}

fn new_user(sim_user: &SimUser, base_url: &str) -> NewUser {
    NewUser {
        name: sim_user.login.clone(),
        display_name: None,
        email: None,
        auth_method: AuthMethod::EnvImport,
        credentials: Some(credentials_of(sim_user, base_url)),
        issue_api_key: true,
    }
}

async fn simulator(users: usize, portals: usize) -> SimHandle {
    Simulator::builder()
        .users(users)
        .portals(portals)
        .requests_per_portal(3)
        .spawn(TcpListener::bind("127.0.0.1:0").await.unwrap())
        .await
        .unwrap()
}

/// Imports the first `count` simulated users through `store`.
async fn import(store: &Arc<dyn Store>, sim: &SimHandle, count: usize) -> Vec<User> {
    let sim_users: Vec<SimUser> = sim.directory().users[..count].to_vec();
    let outcomes = store
        .import_users(
            sim_users
                .iter()
                .map(|u| new_user(u, sim.base_url()))
                .collect(),
        )
        .await
        .unwrap();
    outcomes
        .iter()
        .map(|outcome| User {
            sim: sim_users
                .iter()
                .find(|u| u.login == outcome.user.name)
                .unwrap()
                .clone(),
            store_id: outcome.user.id.as_str().to_owned(),
            key: outcome.new_key.as_ref().unwrap().expose_secret().to_owned(),
        })
        .collect()
}

/// Every SDP id (`id` / `request_id`) in `value`.
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

/// Checks that a tool result belongs to `user`: `whoami` names their portal,
/// Zoho client and store id; other results hold only their portal's ids.
fn check_owner(sim: &SimHandle, user: &User, tool: &str, result: &Value) -> Result<(), String> {
    if result["isError"].as_bool().unwrap_or(false) {
        return Err(format!(
            "{} {tool}: {}",
            user.sim.login, result["content"][0]["text"]
        ));
    }
    let structured = &result["structuredContent"];
    if tool == "whoami" {
        let ok = structured["portal"] == json!(user.sim.portal)
            && structured["zoho_client_id"] == json!(user.sim.client_id)
            && structured["mcp_user"] == json!(user.store_id);
        return if ok {
            Ok(())
        } else {
            Err(format!("{} whoami answered {structured}", user.sim.login))
        };
    }
    let own = sim
        .directory()
        .portals
        .iter()
        .position(|p| *p == user.sim.portal)
        .unwrap() as u64;
    let mut ids = Vec::new();
    ids_in(structured, &mut ids);
    if ids.is_empty() || ids.iter().any(|id| (id - ID_BASE) / ID_RANGE != own) {
        return Err(format!(
            "{} {tool} answered foreign ids {ids:?}",
            user.sim.login
        ));
    }
    Ok(())
}

fn assert_one_grant_each(sim: &SimHandle, users: &[User]) {
    for user in users {
        assert_eq!(
            sim.state().counters.grants_for(&user.sim.refresh_token),
            1,
            "Zoho token grants of {}",
            user.sim.login
        );
    }
}

/// `SDP_MCP_STATELESS` reaches the HTTP configuration.
#[test]
fn stateless_is_read_from_the_environment() {
    let env = EnvSource::from_vars([("SDP_MCP_STATELESS", "true")]);
    assert!(Config::multi_user_from_env(&env).unwrap().http.stateless);
    let env = EnvSource::from_vars([("SDP_MCP_STATELESS", "off")]);
    assert!(!Config::multi_user_from_env(&env).unwrap().http.stateless);
    let env = EnvSource::from_vars([("SDP_MCP_STATELESS", "maybe")]);
    assert!(Config::multi_user_from_env(&env).is_err());
}

/// Three replicas on one schema, 20 users, each user's first calls hitting
/// every replica at once: one Zoho refresh per user in total.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_refresh_is_shared_across_replicas() {
    let Some(schema) = PgSchema::create("token_refresh_is_shared_across_replicas").await else {
        return;
    };
    let sim = simulator(20, 4).await;
    let admin = schema.open_store().await;
    let users = import(&admin, &sim, 20).await;
    let mut replicas = Vec::new();
    for _ in 0..3 {
        replicas.push(Replica::start(&schema.url, false).await);
    }
    let http = reqwest::Client::new();
    // Per user: 3 rounds of one call on every replica, all concurrent.
    let calls: Vec<(usize, usize)> = (0..3)
        .flat_map(|_| (0..users.len()).flat_map(|u| (0..3).map(move |r| (u, r))))
        .collect();
    let failures: Vec<String> = futures::stream::iter(calls)
        .map(|(u, r)| {
            let (http, user, url) = (&http, &users[u], replicas[r].url.clone());
            let sim = &sim;
            async move {
                match try_call(http, &url, &user.key, "whoami", json!({}), false).await {
                    Ok(result) => check_owner(sim, user, "whoami", &result).err(),
                    Err(error) => Some(error),
                }
            }
        })
        .buffer_unordered(60)
        .filter_map(|failure| async move { failure })
        .collect()
        .await;
    assert!(
        failures.is_empty(),
        "{} failures, e.g. {:?}",
        failures.len(),
        &failures[..failures.len().min(3)]
    );
    assert_one_grant_each(&sim, &users);
    for user in &users {
        let id = user.store_id.parse().unwrap();
        assert!(
            admin.load_access_token(&id).await.unwrap().is_some(),
            "the token of {} is shared in the store",
            user.sim.login
        );
    }
    for mut replica in replicas {
        replica.kill().await;
    }
    admin.close().await;
    schema.drop_schema().await;
}

/// Three `--stateless` replicas behind a round-robin proxy, 50 users,
/// interleaved calls of both protocol eras: all succeed (reads that were in
/// flight on a replica killed mid-run are retried by this client), every
/// answer belongs to its caller, one Zoho refresh per user, no stored data
/// lost, and a user added through replica 1 works at once on replica 3.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stateless_replicas_behind_a_round_robin_proxy() {
    let Some(schema) = PgSchema::create("stateless_replicas_behind_a_round_robin_proxy").await
    else {
        return;
    };
    let sim = simulator(51, 5).await;
    // Keep calls in flight long enough for the kill to catch some.
    sim.state().faults.push(sdp_sim::control::FaultRule {
        path_prefix: Some("/app/".to_owned()),
        latency_ms: Some(20),
        ..sdp_sim::control::FaultRule::default()
    });
    let admin = schema.open_store().await;
    let users = import(&admin, &sim, 50).await;
    let mut replicas = Vec::new();
    for _ in 0..3 {
        replicas.push(Replica::start(&schema.url, true).await);
    }
    let proxy = Proxy::start(replicas.iter().map(|r| r.address).collect()).await;
    let http = client();
    let request_of = |user: &User| {
        let portal = sim.state().sdp.portal(&user.sim.portal).unwrap();
        let data = portal.data.read();
        *data.records("requests").next().unwrap().0
    };
    let requests: Vec<u64> = users.iter().map(request_of).collect();

    let retries = Arc::new(AtomicUsize::new(0));
    let run = |calls: usize, offset: usize| {
        let (http, users, requests, retries, sim) = (&http, &users, &requests, &retries, &sim);
        let url = proxy.url.clone();
        futures::stream::iter(offset..offset + calls)
            .map(move |n| {
                let url = url.clone();
                async move {
                    let index = n % users.len();
                    let user = &users[index];
                    let (tool, args) = if (n / users.len()) % 2 == 0 {
                        ("whoami", json!({}))
                    } else {
                        (
                            "get_request",
                            json!({"request_id": requests[index].to_string()}),
                        )
                    };
                    let legacy = n % 3 == 0;
                    let mut last = String::new();
                    // Reads are idempotent: retry those that died with a replica.
                    for attempt in 0..4 {
                        if attempt > 0 {
                            retries.fetch_add(1, Ordering::Relaxed);
                        }
                        match try_call(http, &url, &user.key, tool, args.clone(), legacy).await {
                            Ok(result) => return check_owner(sim, user, tool, &result).err(),
                            Err(error) => last = error,
                        }
                    }
                    Some(format!("{} {tool} failed 4 times: {last}", user.sim.login))
                }
            })
            .buffer_unordered(24)
            .filter_map(|failure| async move { failure })
            .collect::<Vec<String>>()
    };

    // First half, then kill replica 2 while the second half runs.
    let failures = run(300, 0).await;
    assert!(
        failures.is_empty(),
        "{} failures, e.g. {:?}",
        failures.len(),
        &failures[..failures.len().min(3)]
    );
    let second_half = run(600, 300);
    let killer = async {
        tokio::time::sleep(Duration::from_millis(150)).await;
        replicas[1].kill().await;
    };
    let (failures, ()) = tokio::join!(second_half, killer);
    assert!(
        failures.is_empty(),
        "{} failures, e.g. {:?}",
        failures.len(),
        &failures[..failures.len().min(3)]
    );
    assert!(
        retries.load(Ordering::Relaxed) > 0,
        "some calls were in flight on the killed replica"
    );
    assert_one_grant_each(&sim, &users);

    // Nothing stored was lost: every user, key and shared token is there.
    let listed = admin.list_users().await.unwrap();
    assert_eq!(listed.len(), 50);
    assert!(listed.iter().all(|s| s.active_api_keys == 1));
    for user in &users {
        let id = user.store_id.parse().unwrap();
        assert!(admin.load_access_token(&id).await.unwrap().is_some());
    }

    // A user added through replica 1 works at once on replica 3.
    let newcomer = sim.directory().users[50].clone();
    let store = replicas[0].store.clone();
    let record = new_user(&newcomer, sim.base_url());
    let (created, key) = replicas[0]
        .run(async move { store.create_user(record).await.unwrap() })
        .await;
    let newcomer = User {
        sim: newcomer,
        store_id: created.id.as_str().to_owned(),
        key: key.unwrap().key.expose_secret().to_owned(),
    };
    let result = try_call(
        &http,
        &replicas[2].url,
        &newcomer.key,
        "whoami",
        json!({}),
        false,
    )
    .await
    .unwrap();
    check_owner(&sim, &newcomer, "whoami", &result).unwrap();

    drop(proxy);
    for mut replica in replicas {
        replica.kill().await;
    }
    admin.close().await;
    schema.drop_schema().await;
}
