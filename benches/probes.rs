//! Probe overhead: 200 checks at a 1 s interval (one tokio interval per check, starts spread
//! over the first second) run for ~20 s through one shared `HttpProber` against a local axum
//! server, then prints requests/s and CPU use as % of one core: the whole process, the
//! prober's runtime threads alone, and the server's.
//! Run: `cargo bench --bench probes` (needs `harness = false` in its `[[bench]]` stanza).
//! `PROBES_BENCH_SECS` changes the run length.
//!
//! CPU comes from `/proc/self/stat` and `/proc/self/task/*/stat` (Linux); elsewhere only
//! requests/s are printed.

#![cfg_attr(test, allow(dead_code))]

use std::collections::BTreeMap;
use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Path;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use cockpit::config::CheckConfig;
use cockpit::health::{HttpProber, Prober};
use tokio::sync::Mutex;
use tokio::time::MissedTickBehavior;

const CHECKS: usize = 200;
const INTERVAL: Duration = Duration::from_secs(1);
const DEFAULT_SECS: u64 = 20;
/// Thread names (at most 15 bytes: what Linux keeps in `comm`).
const PROBE_THREADS: &str = "bench-probe";
const SERVER_THREADS: &str = "bench-server";

type BoxError = Box<dyn Error + Send + Sync>;

fn main() -> Result<(), BoxError> {
    let secs = std::env::var("PROBES_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SECS);
    let run_for = Duration::from_secs(secs);

    // The server gets a runtime (and threads) of its own so its CPU can be told apart.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name(SERVER_THREADS)
        .enable_all()
        .build()?;
    let listener = server_rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let addr = listener.local_addr()?;
    let app = Router::new().route("/health/{id}", get(health));
    server_rt.spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("server: {e}");
        }
    });

    let probe_rt = tokio::runtime::Builder::new_multi_thread()
        .thread_name(PROBE_THREADS)
        .enable_all()
        .build()?;
    let prober = Arc::new(HttpProber::new()?);
    let checks: Vec<CheckConfig> = (0..CHECKS)
        .map(|i| CheckConfig {
            name: format!("check-{i}"),
            url: format!("http://{addr}/health/{i}"),
            interval: INTERVAL,
            timeout: Duration::from_secs(5),
            json: BTreeMap::from([("/status".to_owned(), serde_json::json!("UP"))]),
            body_contains: Some("UP".to_owned()),
            ..CheckConfig::default()
        })
        .collect();

    println!(
        "probes: {CHECKS} checks every {}s for {secs}s against http://{addr} (JSON + body conditions)",
        INTERVAL.as_secs()
    );
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let latencies = Arc::new(Mutex::new(Vec::<u64>::new()));
    let cpu_before = CpuSample::take();
    let started = Instant::now();
    probe_rt.block_on(async {
        let deadline = tokio::time::Instant::now() + run_for;
        let mut tasks = Vec::with_capacity(CHECKS);
        for (i, check) in checks.into_iter().enumerate() {
            let prober = prober.clone();
            let (ok, failed, latencies) = (ok.clone(), failed.clone(), latencies.clone());
            let offset = INTERVAL.mul_f64(i as f64 / CHECKS as f64);
            tasks.push(tokio::spawn(async move {
                let mut ticks =
                    tokio::time::interval_at(tokio::time::Instant::now() + offset, INTERVAL);
                ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
                // Stop at the deadline rather than waiting for the next tick past it.
                while let Ok(tick) = tokio::time::timeout_at(deadline, ticks.tick()).await {
                    if tick >= deadline {
                        break;
                    }
                    let outcome = prober.probe(&check).await;
                    match outcome.result {
                        Ok(()) => ok.fetch_add(1, Ordering::Relaxed),
                        Err(e) => {
                            if failed.fetch_add(1, Ordering::Relaxed) < 3 {
                                eprintln!("{}: {e}", check.name);
                            }
                            0
                        }
                    };
                    let us = u64::try_from(outcome.latency.as_micros()).unwrap_or(u64::MAX);
                    latencies.lock().await.push(us);
                }
            }));
        }
        for task in tasks {
            if let Err(e) = task.await {
                eprintln!("check task: {e}");
            }
        }
    });
    let wall = started.elapsed();
    let cpu_after = CpuSample::take();

    let ok = ok.load(Ordering::Relaxed);
    let failed = failed.load(Ordering::Relaxed);
    let total = ok + failed;
    println!(
        "requests: {total} ({ok} ok, {failed} failed) in {:.1}s = {:.1} req/s",
        wall.as_secs_f64(),
        total as f64 / wall.as_secs_f64()
    );
    let mut lat = probe_rt.block_on(async { latencies.lock().await.clone() });
    lat.sort_unstable();
    if !lat.is_empty() {
        let pct = |p: f64| lat[((lat.len() - 1) as f64 * p) as usize] as f64 / 1000.0;
        println!(
            "latency: p50 {:.2}ms, p99 {:.2}ms, max {:.2}ms",
            pct(0.5),
            pct(0.99),
            pct(1.0)
        );
    }
    match (cpu_before, cpu_after) {
        (Some(before), Some(after)) => {
            let pct = |ticks: u64| {
                100.0 * ticks as f64 / before.ticks_per_sec as f64 / wall.as_secs_f64()
            };
            println!(
                "cpu (% of one core): process {:.2}%, prober runtime {:.2}%, server {:.2}%",
                pct(after.process.saturating_sub(before.process)),
                pct(after.probe.saturating_sub(before.probe)),
                pct(after.server.saturating_sub(before.server)),
            );
            if total > 0 {
                println!(
                    "cpu per probe (prober runtime): {:.1} µs",
                    after.probe.saturating_sub(before.probe) as f64 / before.ticks_per_sec as f64
                        * 1e6
                        / total as f64
                );
            }
        }
        _ => println!("cpu: /proc/self/stat not available on this platform"),
    }
    drop(probe_rt);
    drop(server_rt);
    Ok(())
}

async fn health(Path(id): Path<u32>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        format!(r#"{{"status":"UP","id":{id},"db":{{"ok":true}}}}"#),
    )
}

/// CPU time (utime + stime, in clock ticks) of the process and of the two runtimes' threads.
#[derive(Debug, Clone, Copy)]
struct CpuSample {
    process: u64,
    probe: u64,
    server: u64,
    ticks_per_sec: u64,
}

impl CpuSample {
    fn take() -> Option<CpuSample> {
        let (_, process) = stat_times(&std::fs::read_to_string("/proc/self/stat").ok()?)?;
        let mut probe = 0;
        let mut server = 0;
        for entry in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
            let Ok(text) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            let Some((name, ticks)) = stat_times(&text) else {
                continue;
            };
            if name.starts_with(PROBE_THREADS) {
                probe += ticks;
            } else if name.starts_with(SERVER_THREADS) {
                server += ticks;
            }
        }
        Some(CpuSample {
            process,
            probe,
            server,
            ticks_per_sec: clock_ticks(),
        })
    }
}

/// `(comm, utime + stime)` from a `stat` line: `pid (comm) state ppid ... utime stime ...`.
fn stat_times(stat: &str) -> Option<(String, u64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat.get(open + 1..close)?.to_owned();
    // After ")": state is field 3; utime and stime are fields 14 and 15.
    let fields: Vec<&str> = stat.get(close + 1..)?.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((name, utime + stime))
}

/// `USER_HZ`: what `getconf CLK_TCK` says, else the usual 100.
fn clock_ticks() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .filter(|&hz| hz > 0)
        .unwrap_or(100)
}
