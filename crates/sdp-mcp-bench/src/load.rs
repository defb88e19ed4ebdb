//! The load: C concurrent MCP sessions, each opened and warmed up (one
//! `list_requests` for request ids), then all released at once to run the
//! tool mix until a call count or a duration is reached, optionally paced to
//! a total call rate. Latencies go into sharded HdrHistograms per tool.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use hdrhistogram::Histogram;
use parking_lot::Mutex;
use rand::SeedableRng as _;
use rand::rngs::StdRng;
use serde::Serialize;
use serde_json::json;

use crate::mcp::{CallError, McpSession, request_ids};
use crate::mix::{Mix, Tool};
use crate::provision::Target;
use crate::stats::{Summary, new_histogram};

/// Sessions opened at once (a connect storm measures the kernel, not us).
const OPEN_CONCURRENCY: usize = 32;
/// Histogram shards (sessions record into `index % SHARDS`).
const SHARDS: usize = 16;

/// When the measured phase ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StopRule {
    /// After this many tool calls in total.
    Calls(u64),
    /// After this long.
    Duration(Duration),
}

/// The load to apply.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    /// Concurrent sessions.
    pub sessions: usize,
    /// When to stop.
    pub stop: StopRule,
    /// Total calls per second across sessions (`None`: as fast as answered).
    pub rate: Option<f64>,
    /// Hard limit on the measured phase, whatever the stop rule.
    pub time_limit: Duration,
    /// Tool weights.
    pub mix: Mix,
    /// Time-out of one HTTP request.
    pub request_timeout: Duration,
    /// Seed of the per-session random choices.
    pub seed: u64,
}

/// Count and first message of one kind of error.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ErrorCount {
    /// Occurrences.
    pub count: u64,
    /// The first message seen.
    pub sample: String,
}

/// Errors keyed by `phase/tool/kind`.
pub type ErrorTable = BTreeMap<String, ErrorCount>;

fn note_error(errors: &mut ErrorTable, key: String, error: &CallError) {
    let entry = errors.entry(key).or_default();
    if entry.count == 0 {
        entry.sample = error.to_string();
    }
    entry.count += 1;
}

struct Shard {
    per_tool: Vec<Histogram<u64>>,
    errors: ErrorTable,
}

struct Recorder {
    shards: Vec<Mutex<Shard>>,
}

impl Recorder {
    fn new() -> anyhow::Result<Self> {
        let shards = (0..SHARDS)
            .map(|_| {
                let per_tool = Tool::ALL
                    .iter()
                    .map(|_| new_histogram())
                    .collect::<anyhow::Result<_>>()?;
                Ok(Mutex::new(Shard {
                    per_tool,
                    errors: ErrorTable::new(),
                }))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Self { shards })
    }

    fn shard(&self, session: usize) -> &Mutex<Shard> {
        &self.shards[session % self.shards.len()]
    }
}

/// What the load produced.
#[derive(Debug)]
pub struct LoadOutcome {
    /// Sessions that completed the handshake and warm-up.
    pub sessions_opened: usize,
    /// Wall time of the measured phase.
    pub elapsed: Duration,
    /// Latency of successful calls, all tools.
    pub overall: Summary,
    /// Latency of successful calls per tool (tools with calls only).
    pub per_tool: BTreeMap<&'static str, Summary>,
    /// Failed calls in the measured phase.
    pub failed_calls: u64,
    /// Errors by `phase/tool/kind`, opening and warm-up included.
    pub errors: ErrorTable,
    /// The sessions, still open (so memory is measured with them live).
    pub sessions: Vec<McpSession>,
}

struct Opened {
    session: McpSession,
    index: usize,
    ids: Vec<String>,
}

/// An opened session, or where opening failed and why.
type OpenResult = Result<Opened, (String, CallError)>;

/// Opens one session per target assignment and warms it up.
async fn open_sessions(
    http: &reqwest::Client,
    targets: &[Target],
    plan: &LoadPlan,
    errors: &mut ErrorTable,
    listed_tools: &mut Vec<String>,
) -> Vec<Opened> {
    let results: Vec<(usize, OpenResult, Vec<String>)> = futures::stream::iter(0..plan.sessions)
        .map(|index| {
            let target = &targets[index % targets.len()];
            async move {
                let mut tools = Vec::new();
                let opened = async {
                    let mut session = McpSession::open(
                        http.clone(),
                        target.mcp_url.clone(),
                        &target.api_key,
                        plan.request_timeout,
                    )
                    .await
                    .map_err(|e| ("open/initialize".to_owned(), e))?;
                    if index == 0 {
                        tools = session
                            .list_tools()
                            .await
                            .map_err(|e| ("open/tools_list".to_owned(), e))?;
                    }
                    // The default page, as a client's first call: the server keeps
                    // recent responses per session (rmcp's resumption cache), so a
                    // larger warm-up page would inflate its memory unrealistically.
                    let first = session
                        .call_tool(Tool::List.mcp_name(), json!({"page_size": 20}))
                        .await
                        .map_err(|e| ("warmup/list_requests".to_owned(), e))?;
                    Ok(Opened {
                        session,
                        index,
                        ids: request_ids(&first),
                    })
                }
                .await;
                (index, opened, tools)
            }
        })
        .buffer_unordered(OPEN_CONCURRENCY)
        .collect()
        .await;
    let mut opened = Vec::with_capacity(results.len());
    for (_, result, tools) in results {
        if !tools.is_empty() {
            *listed_tools = tools;
        }
        match result {
            Ok(session) => opened.push(session),
            Err((phase, error)) => note_error(errors, format!("{phase}/{}", error.kind()), &error),
        }
    }
    opened.sort_by_key(|o| o.index);
    opened
}

/// Claims one call from the shared budget (`Calls` stop rule).
fn claim(budget: &AtomicU64) -> bool {
    budget
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
            left.checked_sub(1)
        })
        .is_ok()
}

/// Runs the load against `targets` (session *i* uses `targets[i % len]`).
/// `on_start` runs right before the measured phase begins.
pub async fn run(
    http: &reqwest::Client,
    targets: &[Target],
    plan: &LoadPlan,
    on_start: impl FnOnce(),
) -> anyhow::Result<LoadOutcome> {
    anyhow::ensure!(!targets.is_empty(), "no target to send load to");
    let mut errors = ErrorTable::new();
    let mut listed_tools = Vec::new();
    let opening = open_sessions(http, targets, plan, &mut errors, &mut listed_tools);
    let opened = tokio::time::timeout(plan.time_limit, opening)
        .await
        .map_err(|_| {
            anyhow::anyhow!(
                "opening {} sessions took longer than the time limit ({:?})",
                plan.sessions,
                plan.time_limit
            )
        })?;
    let sessions_opened = opened.len();
    if let Some(missing) = plan
        .mix
        .tools()
        .find(|t| !listed_tools.is_empty() && !listed_tools.iter().any(|n| n == t.mcp_name()))
    {
        anyhow::bail!(
            "the server does not list `{}`; adjust --mix",
            missing.mcp_name()
        );
    }

    let recorder = Arc::new(Recorder::new()?);
    let budget = Arc::new(AtomicU64::new(match plan.stop {
        StopRule::Calls(n) => n,
        StopRule::Duration(_) => u64::MAX,
    }));
    let limit = match plan.stop {
        StopRule::Duration(d) => d.min(plan.time_limit),
        StopRule::Calls(_) => plan.time_limit,
    };
    let per_session_interval = plan
        .rate
        .filter(|r| *r > 0.0)
        .map(|rate| Duration::from_secs_f64(sessions_opened.max(1) as f64 / rate));

    on_start();
    let started = Instant::now();
    let deadline = tokio::time::Instant::from_std(started + limit);
    let tasks: Vec<_> = opened
        .into_iter()
        .map(|opened| {
            let recorder = recorder.clone();
            let budget = budget.clone();
            let mix = plan.mix.clone();
            let seed = plan.seed;
            tokio::spawn(session_loop(
                opened,
                recorder,
                budget,
                mix,
                seed,
                deadline,
                per_session_interval,
            ))
        })
        .collect();
    let mut sessions = Vec::with_capacity(tasks.len());
    let mut failed_calls = 0;
    for task in tasks {
        let (session, failed) = task.await?;
        sessions.push(session);
        failed_calls += failed;
    }
    let elapsed = started.elapsed();

    let mut overall = new_histogram()?;
    let mut per_tool_h: Vec<Histogram<u64>> = Tool::ALL
        .iter()
        .map(|_| new_histogram())
        .collect::<anyhow::Result<_>>()?;
    for shard in &recorder.shards {
        let shard = shard.lock();
        for (merged, part) in per_tool_h.iter_mut().zip(&shard.per_tool) {
            merged.add(part)?;
            overall.add(part)?;
        }
        for (key, count) in &shard.errors {
            let entry = errors.entry(key.clone()).or_default();
            if entry.count == 0 {
                entry.sample.clone_from(&count.sample);
            }
            entry.count += count.count;
        }
    }
    let per_tool = Tool::ALL
        .iter()
        .zip(&per_tool_h)
        .filter(|(_, h)| !h.is_empty())
        .map(|(tool, h)| (tool.mcp_name(), Summary::of(h)))
        .collect();
    Ok(LoadOutcome {
        sessions_opened,
        elapsed,
        overall: Summary::of(&overall),
        per_tool,
        failed_calls,
        errors,
        sessions,
    })
}

/// One session's measured phase; returns the session and its failed calls.
async fn session_loop(
    opened: Opened,
    recorder: Arc<Recorder>,
    budget: Arc<AtomicU64>,
    mix: Mix,
    seed: u64,
    deadline: tokio::time::Instant,
    interval: Option<Duration>,
) -> (McpSession, u64) {
    let Opened {
        mut session,
        index,
        ids,
    } = opened;
    let mut rng = StdRng::seed_from_u64(seed ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let mut ticker = interval.map(|every| {
        // Stagger the sessions over one interval so paced load is smooth.
        let offset = every.mul_f64(rand::Rng::random::<f64>(&mut rng));
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + offset, every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticker
    });
    let mut seq = 0_u64;
    let mut failed = 0_u64;
    loop {
        if let Some(ticker) = ticker.as_mut()
            && tokio::time::timeout_at(deadline, ticker.tick())
                .await
                .is_err()
        {
            break;
        }
        if tokio::time::Instant::now() >= deadline || !claim(&budget) {
            break;
        }
        let tool = mix.pick(&mut rng);
        let arguments = tool.arguments(&mut rng, &ids, seq);
        seq += 1;
        session.finish_previous().await;
        let sent = Instant::now();
        let result = session.call_tool(tool.mcp_name(), arguments).await;
        let micros = u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX);
        match result {
            Ok(_) => {
                let mut shard = recorder.shard(index).lock();
                shard.per_tool[tool.index()].saturating_record(micros.max(1));
            }
            Err(error) => {
                failed += 1;
                let key = format!("call/{}/{}", tool.mcp_name(), error.kind());
                note_error(&mut recorder.shard(index).lock().errors, key, &error);
                if matches!(error, CallError::Http { status: 404, .. })
                    && let Err(error) = session.reopen().await
                {
                    let key = format!("reopen/{}", error.kind());
                    note_error(&mut recorder.shard(index).lock().errors, key, &error);
                    break;
                }
            }
        }
    }
    (session, failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_call_budget_is_never_overspent() {
        let budget = AtomicU64::new(3);
        let claimed = (0..10).filter(|_| claim(&budget)).count();
        assert_eq!(claimed, 3);
        assert_eq!(budget.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn errors_keep_the_first_sample() {
        let mut table = ErrorTable::new();
        note_error(&mut table, "k".into(), &CallError::Tool("first".into()));
        note_error(&mut table, "k".into(), &CallError::Tool("second".into()));
        assert_eq!(table["k"].count, 2);
        assert!(table["k"].sample.contains("first"));
    }
}
