//! End to end in one process: the simulator rig, the real server library on a
//! loopback port, and the load driver with the raw MCP client.

use std::time::Duration;

use sdp_mcp_server::{Config, EnvSource};
use tokio::net::TcpListener;

use crate::load::{self, LoadPlan, StopRule};
use crate::provision::Target;
use crate::simulator::{SimRig, SimShape};
use crate::stats::ServerAdded;

const KEY: &str = "e2e-test-key-0123456789abcdef";

async fn server(sim: &SimRig) -> (String, tokio::sync::oneshot::Sender<()>) {
    let user = &sim.users()[0];
    let env = EnvSource::from_vars([
        ("SDP_CLIENT_ID", user.client_id.as_str()),
        ("SDP_CLIENT_SECRET", user.client_secret.as_str()),
        ("SDP_REFRESH_TOKEN", user.refresh_token.as_str()),
        ("SDP_INSTANCE_NAME", user.portal.as_str()),
        ("SDP_BASE_URL", sim.base_url()),
        ("SDP_ACCOUNTS_URL", sim.base_url()),
        ("SDP_MCP_API_KEY", KEY),
    ]);
    let config = Config::from_env(&env).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(sdp_mcp_server::run(listener, config, async move {
        let _ = stopped.await;
    }));
    (url, stop)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_runs_against_the_real_server_and_the_simulator_is_timed() {
    let sim = SimRig::start(SimShape {
        users: 2,
        portals: 1,
        requests_per_portal: 30,
        upstream_latency_ms: 2,
    })
    .await
    .unwrap();
    let (url, stop) = server(&sim).await;
    let targets = [Target {
        mcp_url: url,
        api_key: KEY.to_owned(),
        user: 0,
    }];
    let plan = LoadPlan {
        sessions: 3,
        stop: StopRule::Calls(24),
        rate: None,
        time_limit: Duration::from_secs(60),
        mix: "list=1,get=1,search=1,note=1".parse().unwrap(),
        request_timeout: Duration::from_secs(20),
        seed: 1,
    };
    let outcome = load::run(&reqwest::Client::new(), &targets, &plan, || {
        sim.times().start();
    })
    .await
    .unwrap();
    let simulator = sim.times().stop();

    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    assert_eq!(outcome.sessions_opened, 3);
    assert_eq!(outcome.overall.count, 24);
    assert_eq!(outcome.failed_calls, 0);
    assert_eq!(outcome.per_tool.len(), 4, "{:?}", outcome.per_tool.keys());
    // Every SDP call took at least the injected 2 ms, and each tool call made one.
    assert!(simulator.p50_us >= 2000, "{simulator:?}");
    assert!(simulator.count >= 24, "{simulator:?}");
    assert!(
        outcome.overall.p50_us >= simulator.p50_us,
        "{:?}",
        outcome.overall
    );
    let added = ServerAdded::estimate(&outcome.overall, &simulator);
    assert!(added.upstream_calls_per_tool_call >= 1.0, "{added:?}");
    // One refresh for the one user, whatever the number of sessions.
    assert_eq!(sim.refreshes(&sim.users()[0]), 1);
    assert_eq!(sim.refreshes(&sim.users()[1]), 0);

    drop(outcome.sessions);
    let _ = stop.send(());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_wrong_key_is_counted_as_an_opening_error() {
    let sim = SimRig::start(SimShape {
        users: 1,
        portals: 1,
        requests_per_portal: 5,
        upstream_latency_ms: 0,
    })
    .await
    .unwrap();
    let (url, stop) = server(&sim).await;
    let targets = [Target {
        mcp_url: url,
        api_key: "wrong-key-0123456789".to_owned(),
        user: 0,
    }];
    let plan = LoadPlan {
        sessions: 2,
        stop: StopRule::Duration(Duration::from_millis(100)),
        rate: Some(10.0),
        time_limit: Duration::from_secs(10),
        mix: crate::mix::Mix::default(),
        request_timeout: Duration::from_secs(10),
        seed: 1,
    };
    let outcome = load::run(&reqwest::Client::new(), &targets, &plan, || {})
        .await
        .unwrap();
    assert_eq!(outcome.sessions_opened, 0);
    assert_eq!(outcome.errors["open/initialize/http_401"].count, 2);
    assert_eq!(outcome.overall.count, 0);
    let _ = stop.send(());
}
