//! A bounded, deterministic fuzz driver for stable Rust (no libFuzzer, no
//! coverage feedback): runs a target on built-in seeds, the corpus and
//! random mutations of them for a fixed time, and exits 1 on the first
//! panic after writing the input to `artifacts/<target>/`.
//!
//! `driver <jsonrpc_body|tool_arguments> [--seconds N] [--seed S] [--corpus DIR]`

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Interesting inputs every run starts from.
const SEEDS: &[&[u8]] = &[
    br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"f","version":"0"}}}"#,
    br#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"search_requests","arguments":{"query":"x\"}],\"y\":[{\"","requester":"../../x"}}}"#,
    br#"{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"get_request","arguments":{"request_id":"%2e%2e/1?x#y"}}}"#,
    br#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}"#,
    br#"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":1,"result":{}}]"#,
    b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    "{\"jsonrpc\":\"2.0\",\"id\":1e999,\"method\":\"\u{202e}\u{0}\"}".as_bytes(),
    b"\xff\xfe\x00{",
];

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, pool: &[Vec<u8>]) -> Vec<u8> {
    if rng.below(8) == 0 {
        let len = rng.below(2048);
        return (0..len).map(|_| rng.next() as u8).collect();
    }
    let mut input = pool[rng.below(pool.len())].clone();
    for _ in 0..=rng.below(8) {
        let at = rng.below(input.len() + 1);
        match rng.below(5) {
            0 if !input.is_empty() => {
                let at = at.min(input.len() - 1);
                input[at] ^= 1 << rng.below(8);
            }
            1 => {
                const TOKENS: &[u8] = b"\"{}[]\\:,0 ./%\n";
                input.insert(at, TOKENS[rng.below(TOKENS.len())]);
            }
            2 if at < input.len() => {
                input.remove(at);
            }
            3 => {
                let other = &pool[rng.below(pool.len())];
                let from = rng.below(other.len() + 1);
                let to = (from + rng.below(64)).min(other.len());
                input.splice(at..at, other[from..to].iter().copied());
            }
            _ => input.insert(at, rng.next() as u8),
        }
    }
    input
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(target) = args.next() else {
        eprintln!(
            "usage: driver <jsonrpc_body|tool_arguments> [--seconds N] [--seed S] [--corpus DIR]"
        );
        return ExitCode::from(2);
    };
    let run: fn(&[u8]) = match target.as_str() {
        "jsonrpc_body" => sdp_mcp_fuzz::jsonrpc_body,
        "tool_arguments" => sdp_mcp_fuzz::tool_arguments,
        other => {
            eprintln!("unknown target {other}: use jsonrpc_body or tool_arguments");
            return ExitCode::from(2);
        }
    };
    let (mut seconds, mut seed, mut corpus) = (30u64, 0x5d9_3c1_u64, None::<PathBuf>);
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_default();
        match flag.as_str() {
            "--seconds" => seconds = value.parse().unwrap_or(seconds),
            "--seed" => seed = value.parse().unwrap_or(seed),
            "--corpus" => corpus = Some(PathBuf::from(value)),
            _ => {
                eprintln!("unknown flag {flag}");
                return ExitCode::from(2);
            }
        }
    }
    let mut pool: Vec<Vec<u8>> = SEEDS.iter().map(|s| s.to_vec()).collect();
    if let Some(dir) = &corpus
        && let Ok(entries) = std::fs::read_dir(dir)
    {
        pool.extend(
            entries
                .flatten()
                .filter_map(|e| std::fs::read(e.path()).ok()),
        );
    }
    // Panics are reported below with the input; keep the default message short.
    std::panic::set_hook(Box::new(|info| eprintln!("panic: {info}")));
    let mut rng = Rng(seed | 1);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut executions = 0u64;
    let mut next_input = 0usize;
    while Instant::now() < deadline {
        let input = if next_input < pool.len() {
            next_input += 1;
            pool[next_input - 1].clone()
        } else {
            mutate(&mut rng, &pool)
        };
        executions += 1;
        if catch_unwind(AssertUnwindSafe(|| run(&input))).is_err() {
            let dir = PathBuf::from("artifacts").join(&target);
            let _ = std::fs::create_dir_all(&dir);
            let path = dir.join(format!("crash-{executions}"));
            let _ = std::fs::write(&path, &input);
            eprintln!(
                "{target}: crash after {executions} executions; input written to {} ({} bytes)",
                path.display(),
                input.len()
            );
            return ExitCode::FAILURE;
        }
    }
    println!("{target}: {executions} executions in {seconds} s (seed {seed}), no crash");
    ExitCode::SUCCESS
}
