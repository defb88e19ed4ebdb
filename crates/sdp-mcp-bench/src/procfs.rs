//! Memory and CPU of server processes from `/proc/<pid>/status` and
//! `/proc/<pid>/stat` (Linux), and a sampler that tracks resident memory
//! while the load runs.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::task::JoinHandle;

/// `/proc/<pid>/stat` CPU times are in clock ticks; Linux fixes the
/// user-visible tick (`USER_HZ`) at 100 on every mainstream architecture.
const USER_HZ: f64 = 100.0;

/// Memory figures of one process, in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemoryStatus {
    /// `VmRSS`: resident now.
    pub rss: u64,
    /// `VmHWM`: peak resident ("high water mark").
    pub hwm: u64,
}

/// Parses the `VmRSS` and `VmHWM` lines of a `/proc/<pid>/status` text
/// (values in kB). `None` when neither is present (e.g. a zombie).
pub fn parse_status(text: &str) -> Option<MemoryStatus> {
    let mut status = MemoryStatus::default();
    let mut found = false;
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let field = match key.trim() {
            "VmRSS" => &mut status.rss,
            "VmHWM" => &mut status.hwm,
            _ => continue,
        };
        let mut parts = value.split_whitespace();
        let (Some(number), unit) = (parts.next(), parts.next()) else {
            continue;
        };
        let Ok(number) = number.parse::<u64>() else {
            continue;
        };
        *field = match unit {
            Some("kB" | "KB" | "kb") | None => number * 1024,
            Some("mB" | "MB") => number * 1024 * 1024,
            Some(_) => number,
        };
        found = true;
    }
    found.then_some(status)
}

/// Reads the memory status of `pid`.
pub fn memory(pid: u32) -> Option<MemoryStatus> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|text| parse_status(&text))
}

/// User + system CPU seconds from a `/proc/<pid>/stat` line.
pub fn parse_cpu_seconds(stat: &str) -> Option<f64> {
    // The command name (field 2) is in parentheses and may contain spaces;
    // fields after it are plain. utime and stime are fields 14 and 15.
    let after = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / USER_HZ)
}

/// CPU seconds used so far by `pid`.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|text| parse_cpu_seconds(&text))
}

/// What the sampler saw.
#[derive(Debug, Clone, Default)]
pub struct MemorySamples {
    /// Highest sampled `VmRSS` per process.
    pub max_rss: HashMap<u32, u64>,
    /// Highest sum of the processes' `VmRSS` at one sampling instant.
    pub max_total_rss: u64,
    /// Number of sampling rounds.
    pub rounds: u64,
}

/// Samples `VmRSS` of a set of processes in the background.
#[derive(Debug)]
pub struct RssSampler {
    samples: Arc<Mutex<MemorySamples>>,
    task: JoinHandle<()>,
}

impl RssSampler {
    /// Starts sampling `pids`; the interval grows with their number so
    /// reading `/proc` stays a negligible load.
    pub fn start(pids: Vec<u32>) -> Self {
        let interval = if pids.len() <= 16 {
            Duration::from_millis(100)
        } else {
            Duration::from_millis(500)
        };
        let samples = Arc::new(Mutex::new(MemorySamples::default()));
        let shared = samples.clone();
        let task = tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                ticker.tick().await;
                sample_once(&pids, &shared);
            }
        });
        Self { samples, task }
    }

    /// Takes a last sample and stops.
    pub fn finish(self, pids: &[u32]) -> MemorySamples {
        self.task.abort();
        sample_once(pids, &self.samples);
        self.samples.lock().clone()
    }
}

fn sample_once(pids: &[u32], samples: &Mutex<MemorySamples>) {
    let readings: Vec<(u32, u64)> = pids
        .iter()
        .filter_map(|pid| memory(*pid).map(|m| (*pid, m.rss)))
        .collect();
    let total: u64 = readings.iter().map(|(_, rss)| rss).sum();
    let mut samples = samples.lock();
    for (pid, rss) in readings {
        let max = samples.max_rss.entry(pid).or_default();
        *max = (*max).max(rss);
    }
    samples.max_total_rss = samples.max_total_rss.max(total);
    samples.rounds += 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "Name:\tsdp-mcp\nUmask:\t0022\nState:\tS (sleeping)\n\
VmPeak:\t  123456 kB\nVmSize:\t  120000 kB\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\n\
RssAnon:\t    8000 kB\nThreads:\t3\n";

    #[test]
    fn parses_rss_and_high_water_mark() {
        let status = parse_status(STATUS).unwrap();
        assert_eq!(status.rss, 10240 * 1024);
        assert_eq!(status.hwm, 20480 * 1024);
    }

    #[test]
    fn a_status_without_memory_lines_is_none() {
        assert_eq!(parse_status("Name:\tzombie\nState:\tZ (zombie)\n"), None);
        assert_eq!(parse_status(""), None);
    }

    #[test]
    fn parses_cpu_times_after_a_command_with_spaces() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt
        // majflt cmajflt utime stime ...
        let stat = "4242 (sdp mcp (x)) S 1 4242 4242 0 -1 4194560 500 0 0 0 250 50 0 0 20 0 3";
        let seconds = parse_cpu_seconds(stat).unwrap();
        assert!((seconds - 3.0).abs() < 1e-9, "{seconds}");
        assert_eq!(parse_cpu_seconds("garbage"), None);
    }

    #[test]
    fn reads_our_own_process() {
        if !std::path::Path::new("/proc/self/status").exists() {
            eprintln!("skipped: no /proc on this system");
            return;
        }
        let me = std::process::id();
        let status = memory(me).unwrap();
        assert!(status.rss > 0 && status.hwm >= status.rss);
        assert!(cpu_seconds(me).is_some());
    }
}
