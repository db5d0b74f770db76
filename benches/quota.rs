//! Polling cost in GitHub rate limit: the headless app (real `update`, real `HttpGitHub`,
//! the embedded simulator over HTTP, a `ManualClock` in 250 ms ticks) watches the demo for
//! one simulated hour, once with only the runs list and once with run 9001's detail view
//! open, and prints quota-costing requests, 304s and total requests per hour.
//! Run: `cargo bench --bench quota` (needs `harness = false` in its `[[bench]]` stanza).

#![cfg_attr(test, allow(dead_code))]

#[path = "../tests/support/harness.rs"]
mod harness;

use std::time::{Duration, Instant};

use harness::{QuotaReport, watch_demo};

const WATCHED: Duration = Duration::from_secs(3600);

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("tokio runtime: {e}"));
    println!(
        "quota: the demo watched for {} s of simulated time, polled as `cockpit demo` does (10 s idle, 2 s active)",
        WATCHED.as_secs()
    );
    println!(
        "{:<24} {:>16} {:>10} {:>16} {:>22} {:>8}",
        "view", "quota-costing/h", "304s/h", "total requests", "unconditional repeats", "wall"
    );
    for (label, detail) in [("runs list only", false), ("run 9001 detail open", true)] {
        let started = Instant::now();
        let (_h, r) = rt.block_on(watch_demo(detail, WATCHED));
        let wall = started.elapsed();
        print_row(label, &r, wall);
        if r.client_quota_costing != r.quota_costing || r.client_not_modified != r.not_modified {
            println!(
                "  note: the client counted {} quota-costing / {} not-modified",
                r.client_quota_costing, r.client_not_modified
            );
        }
    }
}

fn print_row(label: &str, r: &QuotaReport, wall: Duration) {
    println!(
        "{:<24} {:>16.0} {:>10.0} {:>16} {:>22} {:>7.2}s",
        label,
        r.per_hour(r.quota_costing),
        r.per_hour(r.not_modified),
        r.total,
        r.unconditional_repeats,
        wall.as_secs_f64()
    );
}
