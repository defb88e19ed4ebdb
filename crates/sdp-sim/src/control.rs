//! `/_sim/` control endpoints and the layer in front of every simulated call:
//! fault injection, the controllable clock, counters and the directory.
//!
//! | endpoint | body / answer |
//! |---|---|
//! | `POST /_sim/faults` | a [`FaultRule`] → `{"id": n}` |
//! | `GET /_sim/faults` | active rules `[{"id", "remaining", …rule}]` |
//! | `DELETE /_sim/faults` | clears all → `{"cleared": n}` |
//! | `DELETE /_sim/faults/{id}` | removes one (404 when unknown) |
//! | `POST /_sim/clock/advance` | `{"seconds": n}` → `{"offset_ms", "now_ms"}` |
//! | `GET /_sim/clock` | `{"offset_ms", "now_ms"}` |
//! | `GET /_sim/counters` | [`Counters::snapshot`] |
//! | `POST /_sim/counters/reset` | resets, answers the empty snapshot |
//! | `GET /_sim/directory` | portals, users (with their secrets), web clients |

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{MatchedPath, Path, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use bytes::Bytes;
use parking_lot::Mutex;
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::state::SimState;

mod respond;

/// Response header carrying the simulator's own processing time in
/// microseconds (injected latency included), for benchmarks to subtract.
pub const DURATION_HEADER: &str = "x-sim-duration-us";

/// One fault-injection rule (the body of `POST /_sim/faults`).
///
/// A rule matches a call by `path_prefix` and `method`; a matching rule with
/// `error_rate` fires with that probability (else the next rule is tried).
/// When a rule fires, `count` (if set) is decremented and the rule disappears
/// at zero. Its effect: wait `latency_ms`, then answer with the first of
/// `drop_connection`, `malformed_json`, `empty_body`, `html_200`,
/// `sdp_status_code`, `http_status` that is set; with none of them, an
/// `error_rate` rule answers 500 / SDP 4004 and any other rule lets the call
/// through (latency only). `retry_after_secs` adds `Retry-After` to the answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultRule {
    /// Only paths starting with this (default: every non-`/_sim/` path).
    pub path_prefix: Option<String>,
    /// Only this HTTP method (case-insensitive).
    pub method: Option<String>,
    /// Apply to the next N matching calls only (default: until cleared).
    pub count: Option<u64>,
    /// Delay before answering, in milliseconds.
    pub latency_ms: Option<u64>,
    /// Probability (0..=1) that a matching call is hit, from a seeded generator.
    pub error_rate: Option<f64>,
    /// HTTP status to answer with (a plain-text body unless `sdp_status_code` is set).
    pub http_status: Option<u16>,
    /// Answer with the SDP error envelope carrying this code in `messages[]`,
    /// with its HTTP status (4015→429, 4022→401, 4004→500, 4007→404, else 400)
    /// unless `http_status` overrides it.
    pub sdp_status_code: Option<u32>,
    /// Adds `Retry-After: <secs>` to the answer.
    pub retry_after_secs: Option<u64>,
    /// Runs the real handler, then starts a 200 response and aborts the body
    /// stream half-way (a broken connection after the call may have taken effect).
    pub drop_connection: bool,
    /// Answers 200 with an HTML login page (SDP's answer to a wrong `Accept` or session).
    pub html_200: bool,
    /// Runs the real handler and answers 200 with its JSON body cut in half.
    pub malformed_json: bool,
    /// Runs the real handler and answers its status with an empty body.
    pub empty_body: bool,
}

/// An active rule as listed by `GET /_sim/faults`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActiveFault {
    /// Id returned when the rule was pushed.
    pub id: u64,
    /// Calls left before the rule disappears (`None`: until cleared).
    pub remaining: Option<u64>,
    /// The rule.
    #[serde(flatten)]
    pub rule: FaultRule,
}

/// Injected faults, in the order they were pushed. Thread-safe.
#[derive(Debug)]
pub struct Faults {
    inner: Mutex<FaultList>,
}

#[derive(Debug)]
struct FaultList {
    next_id: u64,
    rules: Vec<ActiveFault>,
    rng: StdRng,
}

impl Default for Faults {
    fn default() -> Self {
        Self::with_seed(0x00fa_0175)
    }
}

impl Faults {
    /// An empty rule list whose `error_rate` draws come from `seed`.
    pub fn with_seed(seed: u64) -> Self {
        Self {
            inner: Mutex::new(FaultList {
                next_id: 1,
                rules: Vec::new(),
                rng: StdRng::seed_from_u64(seed),
            }),
        }
    }

    /// Adds a rule after the existing ones; returns its id.
    pub fn push(&self, rule: FaultRule) -> u64 {
        let mut list = self.inner.lock();
        let id = list.next_id;
        list.next_id += 1;
        let remaining = rule.count;
        list.rules.push(ActiveFault {
            id,
            remaining,
            rule,
        });
        id
    }

    /// Removes every rule; returns how many there were.
    pub fn clear(&self) -> usize {
        let mut list = self.inner.lock();
        let n = list.rules.len();
        list.rules.clear();
        n
    }

    /// Removes the rule `id`; `false` when there is none.
    pub fn remove(&self, id: u64) -> bool {
        let mut list = self.inner.lock();
        let before = list.rules.len();
        list.rules.retain(|r| r.id != id);
        list.rules.len() != before
    }

    /// The active rules.
    pub fn list(&self) -> Vec<ActiveFault> {
        self.inner.lock().rules.clone()
    }

    /// The rule that hits a `method` call of `path`, if any, consuming one of its `count`.
    pub fn take(&self, method: &str, path: &str) -> Option<FaultRule> {
        if is_control_path(path) {
            return None;
        }
        let mut list = self.inner.lock();
        let FaultList { rules, rng, .. } = &mut *list;
        let index = rules.iter().position(|active| {
            let rule = &active.rule;
            rule.path_prefix
                .as_deref()
                .is_none_or(|p| path.starts_with(p))
                && rule
                    .method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && rule.error_rate.is_none_or(|p| rng.random::<f64>() < p)
        })?;
        let active = &mut rules[index];
        let rule = active.rule.clone();
        if let Some(left) = active.remaining.as_mut() {
            *left = left.saturating_sub(1);
            if *left == 0 {
                rules.remove(index);
            }
        }
        Some(rule)
    }
}

fn is_control_path(path: &str) -> bool {
    path == "/_sim" || path.starts_with("/_sim/")
}

/// Counters for tests and benchmarks. All methods are cheap and thread-safe.
#[derive(Debug, Default)]
pub struct Counters {
    inner: parking_lot::Mutex<CounterMaps>,
}

#[derive(Debug, Default, Clone, serde::Serialize)]
struct CounterMaps {
    /// Access tokens minted per refresh token (keyed by the refresh token).
    grants: std::collections::HashMap<String, u64>,
    /// Successful writes (POST/PUT/DELETE answered 2xx) per portal.
    writes: std::collections::HashMap<String, u64>,
    /// Calls per matched route (`GET /app/{portal}/api/v3/requests`).
    calls: std::collections::HashMap<String, u64>,
}

impl Counters {
    /// Records one access token minted from `refresh_token`.
    pub fn record_grant(&self, refresh_token: &str) {
        *self
            .inner
            .lock()
            .grants
            .entry(refresh_token.to_owned())
            .or_default() += 1;
    }
    /// Records one successful write on `portal`.
    pub fn record_write(&self, portal: &str) {
        *self
            .inner
            .lock()
            .writes
            .entry(portal.to_owned())
            .or_default() += 1;
    }
    /// Records one call of `endpoint` (method + matched route).
    pub fn record_call(&self, endpoint: &str) {
        *self
            .inner
            .lock()
            .calls
            .entry(endpoint.to_owned())
            .or_default() += 1;
    }
    /// Access tokens minted from `refresh_token` so far.
    pub fn grants_for(&self, refresh_token: &str) -> u64 {
        self.inner
            .lock()
            .grants
            .get(refresh_token)
            .copied()
            .unwrap_or(0)
    }
    /// Access tokens minted in total.
    pub fn total_grants(&self) -> u64 {
        self.inner.lock().grants.values().sum()
    }
    /// Successful writes on `portal` so far.
    pub fn writes(&self, portal: &str) -> u64 {
        self.inner.lock().writes.get(portal).copied().unwrap_or(0)
    }
    /// Calls of `endpoint` so far.
    pub fn calls(&self, endpoint: &str) -> u64 {
        self.inner.lock().calls.get(endpoint).copied().unwrap_or(0)
    }
    /// All counters as JSON (the body of `GET /_sim/counters`).
    pub fn snapshot(&self) -> serde_json::Value {
        serde_json::to_value(self.inner.lock().clone()).unwrap_or_default()
    }
    /// Resets every counter.
    pub fn reset(&self) {
        *self.inner.lock() = CounterMaps::default();
    }
}

/// Counts every simulated call (`"<METHOD> <matched route>"`), applies the
/// first matching fault rule and stamps [`DURATION_HEADER`]. `/_sim/` calls pass
/// untouched.
pub async fn fault_layer(
    State(state): State<Arc<SimState>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if is_control_path(&path) {
        return next.run(request).await;
    }
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(path.as_str(), MatchedPath::as_str);
    state.counters.record_call(&format!("{method} {route}"));
    let mut response = match state.faults.take(method.as_str(), &path) {
        None => next.run(request).await,
        Some(rule) => respond::apply(&rule, request, next).await,
    };
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    response
        .headers_mut()
        .insert(DURATION_HEADER, HeaderValue::from(micros));
    response
}

/// Routes under `/_sim/`.
pub fn router() -> axum::Router<Arc<SimState>> {
    axum::Router::new()
        .route(
            "/_sim/faults",
            get(list_faults).post(push_fault).delete(clear_faults),
        )
        .route("/_sim/faults/{id}", delete(remove_fault))
        .route("/_sim/clock", get(clock))
        .route("/_sim/clock/advance", post(advance_clock))
        .route("/_sim/counters", get(counters))
        .route("/_sim/counters/reset", post(reset_counters))
        .route("/_sim/directory", get(directory))
}

fn bad_request(message: impl std::fmt::Display) -> Response {
    let body = json!({ "error": message.to_string() });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

async fn list_faults(State(state): State<Arc<SimState>>) -> Response {
    Json(state.faults.list()).into_response()
}

async fn push_fault(State(state): State<Arc<SimState>>, body: Bytes) -> Response {
    let rule: FaultRule = match serde_json::from_slice(&body) {
        Ok(rule) => rule,
        Err(error) => return bad_request(error),
    };
    if rule.error_rate.is_some_and(|p| !(0.0..=1.0).contains(&p)) {
        return bad_request("error_rate must be between 0 and 1");
    }
    if rule
        .http_status
        .is_some_and(|s| StatusCode::from_u16(s).is_err())
    {
        return bad_request("http_status must be a valid HTTP status");
    }
    if rule.count == Some(0) {
        return bad_request("count must be at least 1");
    }
    Json(json!({ "id": state.faults.push(rule) })).into_response()
}

async fn clear_faults(State(state): State<Arc<SimState>>) -> Response {
    Json(json!({ "cleared": state.faults.clear() })).into_response()
}

async fn remove_fault(State(state): State<Arc<SimState>>, Path(id): Path<u64>) -> Response {
    if state.faults.remove(id) {
        Json(json!({ "removed": id })).into_response()
    } else {
        let body = json!({ "error": format!("no fault rule {id}") });
        (StatusCode::NOT_FOUND, Json(body)).into_response()
    }
}

fn clock_json(state: &SimState) -> Response {
    Json(json!({
        "offset_ms": state.clock.offset_ms(),
        "now_ms": state.clock.now_ms(),
    }))
    .into_response()
}

async fn clock(State(state): State<Arc<SimState>>) -> Response {
    clock_json(&state)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    seconds: u64,
}

async fn advance_clock(State(state): State<Arc<SimState>>, body: Bytes) -> Response {
    match serde_json::from_slice::<Advance>(&body) {
        Ok(advance) => {
            state.clock.advance(Duration::from_secs(advance.seconds));
            clock_json(&state)
        }
        Err(error) => bad_request(error),
    }
}

async fn counters(State(state): State<Arc<SimState>>) -> Response {
    Json(state.counters.snapshot()).into_response()
}

async fn reset_counters(State(state): State<Arc<SimState>>) -> Response {
    state.counters.reset();
    Json(state.counters.snapshot()).into_response()
}

async fn directory(State(state): State<Arc<SimState>>) -> Response {
    let directory = &state.directory;
    let users: Vec<_> = directory
        .users
        .iter()
        .map(|u| {
            json!({
                "login": u.login,
                "name": u.name,
                "email": u.email,
                "password": u.password,
                "portal": u.portal,
                "client_id": u.client_id,
                "client_secret": u.client_secret,
                "refresh_token": u.refresh_token,
                "technician_key": u.technician_key,
            })
        })
        .collect();
    let web_clients: Vec<_> = directory
        .web_clients
        .iter()
        .map(|c| {
            json!({
                "client_id": c.client_id,
                "client_secret": c.client_secret,
                "redirect_uris": c.redirect_uris,
            })
        })
        .collect();
    Json(json!({
        "base_url": state.config.public_url,
        "portals": directory.portals,
        "default_portal": directory.default_portal(),
        "users": users,
        "web_clients": web_clients,
    }))
    .into_response()
}
