#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Hostile input and HTTP limits: body size, JSON depth, header size, slow
//! clients, session caps and idle expiry, failed-authentication limiting per
//! peer, session id format, security headers, and injection through tool
//! arguments into SDP's paths, `search_criteria` and `input_data`.

mod oauth_support;
mod support;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{
    API_KEY, EventReader, OTHER_KEY, TIMEOUT, TestServer, call, initialize_body, simulator,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const ACCEPT: &str = "application/json, text/event-stream";

/// A raw `POST /mcp` with `body` and `key`.
async fn post_mcp(server: &TestServer, key: &str, body: Vec<u8>) -> reqwest::Response {
    server
        .http()
        .post(server.mcp_url())
        .header("accept", ACCEPT)
        .header("content-type", "application/json")
        .bearer_auth(key)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// `initialize` with `key`; the response.
async fn initialize(server: &TestServer, key: &str) -> reqwest::Response {
    post_mcp(
        server,
        key,
        serde_json::to_vec(&initialize_body(1)).unwrap(),
    )
    .await
}

/// The session id of a successful `initialize`.
fn session_id(response: &reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::OK);
    response.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned()
}

fn is_session_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[tokio::test]
async fn bodies_over_the_limit_get_413_with_a_jsonrpc_error() {
    let server = TestServer::builder()
        .env("SDP_MCP_MAX_BODY_BYTES", "4096")
        .start(simulator().await)
        .await;
    let mut body = initialize_body(1);
    body["params"]["clientInfo"]["name"] = json!("x".repeat(8192));
    // Declared length over the limit, and a chunked body without a length.
    let response = post_mcp(&server, API_KEY, serde_json::to_vec(&body).unwrap()).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], -32600);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("SDP_MCP_MAX_BODY_BYTES")
    );
    let chunks = futures::stream::iter(
        (0..8).map(|_| Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b' '; 1024]))),
    );
    let response = server
        .http()
        .post(server.mcp_url())
        .header("accept", ACCEPT)
        .header("content-type", "application/json")
        .bearer_auth(API_KEY)
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Under the limit, the same server answers normally.
    assert_eq!(initialize(&server, API_KEY).await.status(), StatusCode::OK);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn deeply_nested_json_gets_a_jsonrpc_error_not_a_5xx() {
    let server = TestServer::start().await;
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let response = post_mcp(&server, API_KEY, deep.into_bytes()).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["jsonrpc"], "2.0");
    assert_eq!(error["id"], Value::Null);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nested")
    );

    // Deep tool arguments inside a valid session, and on the legacy `/messages`.
    let session = session_id(&initialize(&server, API_KEY).await);
    let mut arguments = json!("leaf");
    for _ in 0..200 {
        arguments = json!({ "a": arguments });
    }
    let body = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "list_requests", "arguments": arguments}});
    let response = server
        .http()
        .post(server.mcp_url())
        .header("accept", ACCEPT)
        .header("mcp-session-id", &session)
        .bearer_auth(API_KEY)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = server
        .http()
        .post(format!("{}/messages?sessionId=nope", server.url))
        .bearer_auth(API_KEY)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());
    // At the limit (64) the body is parsed as usual.
    let mut shallow = json!(1);
    for _ in 0..60 {
        shallow = json!([shallow]);
    }
    let response = post_mcp(&server, API_KEY, serde_json::to_vec(&shallow).unwrap()).await;
    assert!(response.status().is_client_error(), "{}", response.status());
    let text = response.text().await.unwrap();
    assert!(!text.contains("nested more than"), "{text}");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn oversized_request_heads_get_431() {
    let server = TestServer::builder()
        .env("SDP_MCP_MAX_HEADER_BYTES", "16384")
        .start(simulator().await)
        .await;
    let response = server
        .http()
        .get(format!("{}/health", server.url))
        .header("x-padding", "a".repeat(32 * 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
    );
    let response = server
        .http()
        .get(format!("{}/health", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_client_trickling_headers_is_cut_off_while_others_are_served() {
    let server = TestServer::builder()
        .env("SDP_MCP_HEADER_READ_TIMEOUT_SECS", "1")
        .start(simulator().await)
        .await;
    let address = server.url.trim_start_matches("http://").to_owned();
    let mut slow = TcpStream::connect(&address).await.unwrap();
    let started = Instant::now();
    let trickle = async {
        // One byte every 100 ms: a slowloris never completes its head.
        for byte in b"POST /mcp HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".iter().cycle() {
            if slow.write_all(&[*byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut rest = Vec::new();
        let _ = slow.read_to_end(&mut rest).await;
        rest
    };
    let others = async {
        let mut statuses = Vec::new();
        for _ in 0..5 {
            let response = server
                .http()
                .get(format!("{}/health", server.url))
                .send()
                .await
                .unwrap();
            statuses.push(response.status());
        }
        statuses
    };
    let (rest, statuses) = tokio::time::timeout(TIMEOUT, async { tokio::join!(trickle, others) })
        .await
        .expect("the slow connection was never closed");
    let closed_after = started.elapsed();
    assert!(
        statuses.iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert!(
        closed_after < Duration::from_secs(5),
        "closed only after {closed_after:?}"
    );
    // hyper answers 408 or just closes; either way no request was served.
    let rest = String::from_utf8_lossy(&rest);
    assert!(
        rest.is_empty() || rest.starts_with("HTTP/1.1 408"),
        "{rest}"
    );
    eprintln!("slow client closed after {closed_after:?}");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn sessions_are_capped_per_user_and_freed_by_delete() {
    let server = TestServer::builder()
        .with_other_principal()
        .env("SDP_MCP_MAX_SESSIONS_PER_USER", "3")
        .start(simulator().await)
        .await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(session_id(&initialize(&server, API_KEY).await));
    }
    let refused = initialize(&server, API_KEY).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "too_many_sessions");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("DELETE /mcp")
    );
    // Another user is not affected; the capped user's sessions still work.
    session_id(&initialize(&server, OTHER_KEY).await);
    let ping = json!({"jsonrpc": "2.0", "id": 9, "method": "ping"});
    let response = server
        .http()
        .post(server.mcp_url())
        .header("accept", ACCEPT)
        .header("mcp-session-id", &ids[0])
        .bearer_auth(API_KEY)
        .json(&ping)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let response = server
        .http()
        .delete(server.mcp_url())
        .header("mcp-session-id", &ids[0])
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    session_id(&initialize(&server, API_KEY).await);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn five_hundred_idle_sessions_hit_the_total_cap_and_others_are_served() {
    let server = TestServer::builder()
        .with_other_principal()
        .env("SDP_MCP_MAX_SESSIONS", "500")
        .env("SDP_MCP_MAX_SESSIONS_PER_USER", "1000")
        .start(simulator().await)
        .await;
    // A working client first: it must keep working throughout.
    let client = server.mcp_client_with_key(Some(OTHER_KEY)).await;
    let started = Instant::now();
    let opened: Vec<String> = futures::future::join_all(
        (0..499).map(|_| async { session_id(&initialize(&server, API_KEY).await) }),
    )
    .await;
    let opening = started.elapsed();
    let distinct: std::collections::HashSet<&String> = opened.iter().collect();
    assert_eq!(distinct.len(), 499);
    assert!(opened.iter().all(|id| is_session_id(id)));
    let refused = initialize(&server, OTHER_KEY).await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(refused.headers().contains_key("retry-after"));
    let body: Value = refused.json().await.unwrap();
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("SDP_MCP_MAX_SESSIONS")
    );
    // The existing session is served while 500 sessions are open.
    let started = Instant::now();
    let result = call(&client, "list_requests", json!({"page_size": 1})).await;
    assert_ne!(result.is_error, Some(true));
    let health = server
        .http()
        .get(format!("{}/health", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    eprintln!(
        "opened 499 sessions in {opening:?}; a tool call and /health then took {:?}",
        started.elapsed()
    );
    drop(client);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn idle_sessions_expire_and_free_their_slots() {
    let server = TestServer::builder()
        .env("SDP_MCP_MAX_SESSIONS", "3")
        .env("SDP_MCP_SESSION_IDLE_SECS", "2")
        .start(simulator().await)
        .await;
    let started = Instant::now();
    let mut opened = Vec::new();
    for _ in 0..3 {
        opened.push(session_id(&initialize(&server, API_KEY).await));
    }
    let refused = initialize(&server, API_KEY).await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    // Idle expiry frees the slots: poll until a new session is accepted.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let response = initialize(&server, API_KEY).await;
        if response.status() == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "idle sessions never expired");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let expired_after = started.elapsed();
    assert!(expired_after >= Duration::from_secs(2), "{expired_after:?}");
    // An expired session id is unknown now.
    let ping = json!({"jsonrpc": "2.0", "id": 9, "method": "ping"});
    let response = server
        .http()
        .post(server.mcp_url())
        .header("accept", ACCEPT)
        .header("mcp-session-id", &opened[0])
        .bearer_auth(API_KEY)
        .json(&ping)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    eprintln!("idle sessions expired; slots free again after {expired_after:?}");
    server.stop().await.unwrap();
}

/// A client whose connections come from `source` (any 127/8 address is loopback).
fn client_from(source: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::from(source))
        .build()
        .unwrap()
}

#[tokio::test]
async fn failed_keys_from_one_peer_get_429_and_other_peers_are_unaffected() {
    let server = TestServer::builder()
        .env("SDP_MCP_AUTH_FAILURES_PER_MINUTE", "3")
        .start(simulator().await)
        .await;
    let attacker = client_from([127, 0, 0, 2]);
    let honest = client_from([127, 0, 0, 3]);
    let anonymous = client_from([127, 0, 0, 4]);
    let attempt = |client: &reqwest::Client, key: Option<&str>| {
        let mut request = client
            .post(server.mcp_url())
            .header("accept", ACCEPT)
            .json(&initialize_body(1));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        request.send()
    };
    for _ in 0..3 {
        let response = attempt(&attacker, Some("guess")).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let blocked = attempt(&attacker, Some("guess")).await.unwrap();
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = blocked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let body: Value = blocked.json().await.unwrap();
    assert_eq!(body["error"], "too_many_failed_attempts");
    // Even the right key is refused from that peer: credentials are not looked at.
    let response = attempt(&attacker, Some(API_KEY)).await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another peer with the right key is served.
    let response = attempt(&honest, Some(API_KEY)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // Requests without credentials (OAuth discovery) do not count.
    for _ in 0..6 {
        let response = attempt(&anonymous, None).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn session_ids_are_256_bit_hex_on_mcp_and_sse() {
    let server = TestServer::start().await;
    let mut ids = std::collections::HashSet::new();
    for _ in 0..20 {
        let id = session_id(&initialize(&server, API_KEY).await);
        assert!(is_session_id(&id), "{id}");
        assert!(ids.insert(id));
    }
    for _ in 0..5 {
        let response = server
            .http()
            .get(format!("{}/sse", server.url))
            .bearer_auth(API_KEY)
            .send()
            .await
            .unwrap();
        let mut events = EventReader::new(response);
        let (event, data) = events.next_event().await.unwrap();
        assert_eq!(event, "endpoint");
        let id = data
            .strip_prefix("/messages?sessionId=")
            .unwrap()
            .to_owned();
        assert!(is_session_id(&id), "{id}");
        assert!(ids.insert(id));
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn json_responses_carry_nosniff() {
    let server = TestServer::start().await;
    for (path, key) in [("/health", None), ("/mcp", None), ("/mcp", Some("wrong"))] {
        let mut request = server.http().post(format!("{}{path}", server.url));
        if path == "/health" {
            request = server.http().get(format!("{}{path}", server.url));
        }
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.unwrap();
        assert_eq!(
            response.headers()["x-content-type-options"],
            "nosniff",
            "{path}"
        );
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn every_html_page_carries_the_security_headers() {
    let harness = oauth_support::Harness::start(|_| {}).await;
    let client = harness.register().await;
    let pages = [
        // The consent page, and the error pages of /authorize and the callback.
        harness.http.get(harness.authorize_url(&client, &[])),
        harness
            .http
            .get(harness.authorize_url(&client, &[("redirect_uri", "https://evil.test/cb")])),
        harness
            .http
            .post(format!("{}/authorize", harness.base))
            .form(&[("action", "approve")]),
        harness
            .http
            .get(format!("{}/oauth/zoho/callback", harness.base)),
        harness.http.get(format!(
            "{}/oauth/zoho/callback?state=forged&code=x",
            harness.base
        )),
    ];
    let mut html_pages = 0;
    for page in pages {
        let response = page.send().await.unwrap();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned());
        let headers = response.headers().clone();
        assert!(response.status().as_u16() < 500, "{}", response.status());
        assert_eq!(headers["x-content-type-options"], "nosniff");
        if !content_type.is_some_and(|t| t.starts_with("text/html")) {
            continue;
        }
        html_pages += 1;
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        assert_eq!(headers["cache-control"], "no-store");
    }
    assert!(html_pages >= 3, "only {html_pages} HTML pages seen");
    harness.stop().await;
}

/// Values that would change a request's structure if pasted into a path,
/// a `search_criteria` or an `input_data` document unescaped.
const HOSTILE: &[&str] = &[
    r#"x", "condition": "is not", "value": "#,
    r#"x"}],"logical_operator":"OR","children":[{"field":"id","condition":"greater than","value":"0"#,
    "../../requesters",
    "%2e%2e%2f%2e%2e%2frequesters",
    "1/../../2",
    "1?input_data={}",
    "1#frag",
    "١٢٣",
    "１２３",
    "1\r\nX-Injected: yes",
    "{{subject}} ${HOME} `id` '; DROP TABLE requests; --",
    "\u{202e}evil\u{0000}",
];

#[tokio::test]
async fn hostile_ids_are_refused_before_any_sdp_call() {
    let server = TestServer::start().await;
    let client = server.mcp_client().await;
    // Warm up (token, lookups) so that later calls would show in the counters.
    call(&client, "list_requests", json!({"page_size": 1})).await;
    let calls_before = server.sim.state().counters.snapshot()["calls"].clone();
    for value in HOSTILE.iter().chain(&["", " ", "-1", "1.5", "0x10", "1e3"]) {
        for (tool, field) in [
            ("get_request", "request_id"),
            ("update_request", "request_id"),
            ("add_note", "request_id"),
            ("get_requester", "requester_id"),
            ("get_technician", "technician_id"),
        ] {
            let mut arguments = json!({ field: value });
            if tool == "add_note" {
                arguments["content"] = json!("note");
            }
            let result = call(&client, tool, arguments).await;
            assert_eq!(
                result.is_error,
                Some(true),
                "{tool}({value:?}) was accepted"
            );
        }
    }
    let calls_after = server.sim.state().counters.snapshot()["calls"].clone();
    assert_eq!(calls_before, calls_after, "a hostile id reached SDP");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn hostile_search_values_stay_values() {
    let server = TestServer::start().await;
    let client = server.mcp_client().await;
    for value in HOSTILE {
        for field in ["query", "requester", "technician"] {
            let result = call(&client, "search_requests", json!({ field: value })).await;
            if result.is_error == Some(true) {
                // e.g. an unknown technician: refused, never widened.
                continue;
            }
            let found = support::ok("search_requests", &result);
            assert_eq!(
                found["requests"].as_array().map(Vec::len),
                Some(0),
                "{field}={value:?} matched requests: {found}"
            );
        }
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn hostile_text_reaches_sdp_verbatim_in_input_data() {
    let server = TestServer::start().await;
    let client = server.mcp_client().await;
    let listed = call(&client, "list_requests", json!({"page_size": 20})).await;
    let listed = support::ok("list_requests", &listed);
    let requester = listed["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|r| r["requester_email"].as_str())
        .unwrap()
        .to_owned();
    let writes_before = server.sim.state().counters.snapshot()["writes"].clone();
    for value in HOSTILE {
        let subject = format!("S {value}");
        let description = format!("D {value}\n\"status\": {{\"name\": \"Closed\"}}");
        let created = call(
            &client,
            "create_request",
            json!({"subject": subject, "description": description, "requester": requester}),
        )
        .await;
        let created = support::ok("create_request", &created);
        let id = created["request"]["id"].as_str().unwrap().to_owned();
        let fetched = call(&client, "get_request", json!({"request_id": id})).await;
        let fetched = support::ok("get_request", &fetched);
        assert_eq!(fetched["subject"], subject.as_str(), "{fetched}");
        assert_eq!(fetched["status"], "Open", "{fetched}");
        let text = fetched.to_string();
        assert!(text.contains("D "), "{fetched}");
    }
    // One write per request: nothing else was written.
    let writes: u64 = server.sim.state().counters.snapshot()["writes"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    let before: u64 = writes_before
        .as_object()
        .map_or(0, |o| o.values().map(|v| v.as_u64().unwrap()).sum());
    assert_eq!(writes - before, HOSTILE.len() as u64);
    server.stop().await.unwrap();
}
