#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Property tests against the real server (in-process, port 0, simulator
//! behind it): arbitrary bytes, arbitrary JSON, arbitrary JSON-RPC messages
//! and arbitrary tool arguments never produce a 5xx, a dropped connection or
//! a tool panic; only 2xx/4xx answers, JSON-RPC errors or `isError` results.
//!
//! Case counts are bounded (`CASES`) so the file runs in well under a minute.

mod support;

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};
use support::{API_KEY, TestServer, initialize_body};

const ACCEPT: &str = "application/json, text/event-stream";
/// Cases per property.
const CASES: u32 = 200;
/// The tool panic answer (see `handler::panic_result`).
const PANIC_TEXT: &str = "internal error in this tool";

fn config() -> Config {
    Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    }
}

fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,24}",
        Just("../../requesters".to_owned()),
        Just("%2e%2e%2f".to_owned()),
        Just("\"}],\"x\":{\"".to_owned()),
        Just("1\r\nX: y".to_owned()),
        Just("\u{0000}\u{202e}".to_owned()),
        "[0-9]{1,20}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        hostile_text().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            btree_map("[a-z_]{1,12}", inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn jsonrpc_message() -> impl Strategy<Value = Value> {
    let method = prop_oneof![
        Just("initialize".to_owned()),
        Just("tools/list".to_owned()),
        Just("tools/call".to_owned()),
        Just("resources/list".to_owned()),
        Just("prompts/get".to_owned()),
        Just("completion/complete".to_owned()),
        Just("notifications/cancelled".to_owned()),
        Just("ping".to_owned()),
        "[a-z/_]{0,20}",
    ];
    let id = prop_oneof![
        Just(Value::Null),
        any::<i64>().prop_map(Value::from),
        hostile_text().prop_map(Value::from),
        json_value(),
    ];
    (method, id, json_value(), any::<bool>()).prop_map(|(method, id, params, with_id)| {
        let mut message = json!({"jsonrpc": "2.0", "method": method, "params": params});
        if with_id {
            message["id"] = id;
        }
        message
    })
}

/// A running server with one open session, driven from a blocking test.
struct Target {
    runtime: tokio::runtime::Runtime,
    server: TestServer,
    http: reqwest::Client,
    session: String,
}

impl Target {
    fn start() -> Self {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let server = runtime.block_on(TestServer::start());
        let http = server.http();
        let target = Self {
            runtime,
            server,
            http,
            session: String::new(),
        };
        let (status, _, headers) =
            target.post(&serde_json::to_vec(&initialize_body(1)).unwrap(), None);
        assert_eq!(status, 200);
        let session = headers["mcp-session-id"].to_str().unwrap().to_owned();
        let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        let (status, _, _) =
            target.post(&serde_json::to_vec(&initialized).unwrap(), Some(&session));
        assert!(status < 300, "{status}");
        Self { session, ..target }
    }

    /// POSTs `body` to `/mcp`; status, body text and headers.
    fn post(
        &self,
        body: &[u8],
        session: Option<&str>,
    ) -> (u16, String, reqwest::header::HeaderMap) {
        self.runtime.block_on(async {
            let mut request = self
                .http
                .post(self.server.mcp_url())
                .header("accept", ACCEPT)
                .header("content-type", "application/json")
                .bearer_auth(API_KEY)
                .body(body.to_vec());
            if let Some(session) = session {
                request = request.header("mcp-session-id", session);
            }
            let response = tokio::time::timeout(support::TIMEOUT, request.send())
                .await
                .expect("no answer in time")
                .expect("connection failed (server panic?)");
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let text = tokio::time::timeout(support::TIMEOUT, response.text())
                .await
                .expect("body not finished in time")
                .unwrap_or_default();
            (status, text, headers)
        })
    }

    fn check(&self, body: &[u8]) -> Result<(), TestCaseError> {
        for session in [None, Some(self.session.as_str())] {
            let (status, text, _) = self.post(body, session);
            prop_assert!(
                status < 500,
                "{status} for {:?}: {text}",
                String::from_utf8_lossy(body)
            );
            prop_assert!(!text.contains(PANIC_TEXT), "tool panic: {text}");
        }
        Ok(())
    }

    fn stop(self) {
        let Self {
            runtime, server, ..
        } = self;
        runtime.block_on(server.stop()).unwrap();
    }
}

#[test]
fn arbitrary_bytes_json_and_jsonrpc_never_5xx() {
    let target = Target::start();
    let mut runner = TestRunner::new(config());
    runner
        .run(&vec(any::<u8>(), 0..512), |bytes| target.check(&bytes))
        .unwrap();
    runner
        .run(&json_value(), |value| {
            target.check(&serde_json::to_vec(&value).unwrap())
        })
        .unwrap();
    runner
        .run(&jsonrpc_message(), |message| {
            target.check(&serde_json::to_vec(&message).unwrap())
        })
        .unwrap();
    target.stop();
}

#[test]
fn arbitrary_tool_arguments_never_5xx_nor_panic() {
    let target = Target::start();
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    let (status, text, _) = target.post(&serde_json::to_vec(&list).unwrap(), Some(&target.session));
    assert_eq!(status, 200);
    let data = text
        .lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .map(str::trim)
        .find(|d| d.starts_with('{'))
        .map_or(text.as_str(), |d| d);
    let listed: Value = serde_json::from_str(data).unwrap();
    let tools: Vec<(String, Vec<String>)> = listed["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tool| {
            let properties = tool["inputSchema"]["properties"]
                .as_object()
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            (tool["name"].as_str().unwrap().to_owned(), properties)
        })
        .collect();
    assert!(tools.len() > 10, "{}", tools.len());
    let arguments = (
        any::<prop::sample::Index>(),
        vec((any::<prop::sample::Index>(), json_value()), 0..6),
        btree_map("[a-z_]{1,10}", json_value(), 0..2),
    );
    let results = std::cell::Cell::new(0u32);
    let mut runner = TestRunner::new(config());
    runner
        .run(&arguments, |(tool, known, unknown)| {
            let (name, properties) = tool.get(&tools);
            let mut object = serde_json::Map::new();
            if !properties.is_empty() {
                for (key, value) in known {
                    object.insert(key.get(properties).clone(), value);
                }
            }
            // Unknown keys only sometimes: most tools reject them outright.
            if object.len().is_multiple_of(2) {
                object.extend(unknown);
            }
            let message = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
                "params": {"name": name, "arguments": object}});
            let body = serde_json::to_vec(&message).unwrap();
            let (status, text, _) = target.post(&body, Some(&target.session));
            prop_assert!(status < 500, "{status} for {message}: {text}");
            prop_assert!(!text.contains(PANIC_TEXT), "{name} panicked on {message}");
            prop_assert!(
                text.contains("\"result\"") || text.contains("\"error\""),
                "{name}: no JSON-RPC answer: {text}"
            );
            if text.contains("\"result\"") {
                results.set(results.get() + 1);
            }
            Ok(())
        })
        .unwrap();
    // The arguments reached the tools (not only the argument validation).
    eprintln!(
        "{} of {CASES} tool calls answered with a result",
        results.get()
    );
    assert!(results.get() > CASES / 4, "{}", results.get());
    target.stop();
}
