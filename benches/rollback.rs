//! Rollback latency: time from `RollbackRunner::run()` being called (the operator confirmed)
//! to the `Started` event and to the remote command's first output line, over SSH to a
//! throw-away loopback `sshd` (same setup as `tests/remote_ssh.rs`), with a fresh connection
//! and with `prepare()` done first (the master opened while the preflight is shown).
//! Run: `cargo bench --bench rollback` (`harness = false`); `ROLLBACK_BENCH_RUNS` sets the
//! number of runs per scenario (default 20). Needs `/usr/sbin/sshd`, `ssh`, `ssh-keygen`.
//! Prints figures only; nothing is asserted on time.

#[path = "../tests/support/sshd.rs"]
mod sshd;

use std::time::{Duration, Instant};

use cockpit::remote::{RemoteEvent, RollbackRunner, RunOutcome, SshRunner};
use tokio::sync::mpsc::unbounded_channel;

/// (to `Started`, to the first stdout line)
async fn one_run(runner: &SshRunner) -> (Duration, Duration) {
    let argv = vec!["/bin/echo".to_string(), "running".to_string()];
    let (tx, mut rx) = unbounded_channel();
    let t0 = Instant::now();
    let watch = async {
        let (mut started, mut first) = (None, None);
        while let Some(event) = rx.recv().await {
            match event {
                RemoteEvent::Started => started = started.or(Some(t0.elapsed())),
                RemoteEvent::Stdout(_) => first = first.or(Some(t0.elapsed())),
                _ => {}
            }
        }
        (started, first)
    };
    let (outcome, (started, first)) =
        tokio::join!(runner.run(argv, Duration::from_secs(30), tx), watch);
    assert_eq!(outcome, RunOutcome::Success, "the measured run failed");
    (started.unwrap_or_default(), first.unwrap_or_default())
}

fn summary(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let n = samples.len();
    println!(
        "{label:<44} min {:>7.1} ms  median {:>7.1} ms  max {:>7.1} ms  (n={n})",
        ms(samples[0]),
        ms(samples[n / 2]),
        ms(samples[n - 1]),
    );
}

#[tokio::main]
async fn main() {
    let runs: usize = std::env::var("ROLLBACK_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(20);
    let sshd = sshd::Sshd::start();
    let config = sshd.config(&sshd.known_hosts);

    let (mut fresh_started, mut fresh_first) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let runner = SshRunner::new(&config);
        let (s, f) = one_run(&runner).await;
        fresh_started.push(s);
        fresh_first.push(f);
        drop(runner); // closes the master, so every run pays the full connect
    }

    let runner = SshRunner::new(&config);
    let prepare_t0 = Instant::now();
    runner
        .prepare()
        .await
        .expect("prepare against the bench sshd");
    let prepare = prepare_t0.elapsed();
    let (mut warm_started, mut warm_first) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let (s, f) = one_run(&runner).await;
        warm_started.push(s);
        warm_first.push(f);
    }

    println!("rollback over ssh to 127.0.0.1 (loopback sshd, ed25519 keys)");
    summary("fresh connection: run() -> Started", fresh_started);
    summary("fresh connection: run() -> first output", fresh_first);
    summary("prepare() itself (master connect)", vec![prepare]);
    summary("after prepare(): run() -> Started", warm_started);
    summary("after prepare(): run() -> first output", warm_first);
}
