//! Detection, measured: the real `update` with the real `HttpProber` probing the simulator's
//! health endpoint over HTTP, on a `ManualClock` (see `support/harness.rs`). Production is
//! taken down right after one of its probes answered — the worst phase, a full interval
//! before the next probe — and the simulated time until the model says `down` is measured
//! against the bound: `failure_threshold` × interval + timeout (35 s at the demo's
//! 10 s interval and 5 s timeout; 8 s inside a cutover window at 2 s). The figures are printed
//! (`cargo test --test health_detection -- --nocapture`) for docs/performance.md.
//!
//! Probe latency is wall time while the schedule runs on the manual clock, so with a service
//! that answers at once the figures are pure scheduling; the hanging-service case moves the
//! clock by each probe's wall time too (`Harness::tick_timed`) so the timeout counts.

mod support;

use std::time::Duration;

use chrono::{DateTime, Utc};
use crossterm::event::KeyCode;

use cockpit::health::Health;
use cockpit::msg::{Announcement, Cmd};
use cockpit::sim::HealthMode;
use support::harness::{Harness, HarnessOptions};

/// Fine enough to measure in, coarse enough to stay quick.
const STEP: Duration = Duration::from_millis(100);

async fn harness() -> Harness {
    Harness::start(HarnessOptions {
        probes: true,
        environments: true,
        step: STEP,
        ..HarnessOptions::default()
    })
    .await
}

fn health(h: &Harness, env: usize) -> Health {
    h.model.envs[env].health()
}

fn probes_of(h: &Harness, env: usize) -> usize {
    h.executed
        .iter()
        .filter(|(_, c)| matches!(c, Cmd::Probe { env: e, .. } if *e == env))
        .count()
}

fn secs(d: chrono::Duration) -> f64 {
    d.num_milliseconds() as f64 / 1000.0
}

/// Ticks until `env`'s next probe has run and been folded in (at most `limit`).
async fn after_next_probe(h: &mut Harness, env: usize, limit: Duration, timed: bool) {
    let seen = probes_of(h, env);
    let end = h.now() + chrono::Duration::from_std(limit).unwrap();
    while probes_of(h, env) == seen {
        assert!(
            h.now() < end,
            "no probe of environment {env} within {limit:?}"
        );
        if timed {
            h.tick_timed().await;
        } else {
            h.tick().await;
        }
    }
}

/// Ticks until `env`'s health is `want`; returns the simulated time it took from `from`.
async fn until_health(
    h: &mut Harness,
    env: usize,
    want: Health,
    from: DateTime<Utc>,
    limit: Duration,
    timed: bool,
) -> chrono::Duration {
    let end = h.now() + chrono::Duration::from_std(limit).unwrap();
    while health(h, env) != want {
        assert!(
            h.now() < end,
            "environment {env} not {want} within {limit:?} of simulated time: {:?}",
            h.model.envs[env].checks[0].tracker
        );
        if timed {
            h.tick_timed().await;
        } else {
            h.tick().await;
        }
    }
    h.now() - from
}

/// Announcements about `env` run at or after `since`.
fn notices_about(h: &Harness, env: &str, since: DateTime<Utc>) -> Vec<Announcement> {
    h.notices()
        .into_iter()
        .filter(|(at, a)| *at >= since && a.environment.as_deref() == Some(env))
        .map(|(_, a)| a)
        .collect()
}

fn titled<'a>(notices: &'a [Announcement], title: &str) -> Vec<&'a Announcement> {
    notices.iter().filter(|a| a.title == title).collect()
}

fn bound(h: &Harness, interval: Duration, timeout: Duration) -> chrono::Duration {
    let f = h.model.monitor.failure_threshold;
    chrono::Duration::from_std(interval * f + timeout).unwrap()
}

#[tokio::test]
async fn production_down_turns_red_within_three_intervals_and_notifies_once_each_way() {
    let mut h = harness().await;
    let p = h.env_index("production");
    let check = h.model.envs[p].checks[0].config.clone();
    assert_eq!(check.interval, Duration::from_secs(10));
    assert_eq!(check.timeout, Duration::from_secs(5));
    let start = h.now();
    until_health(&mut h, p, Health::Up, start, Duration::from_secs(15), false).await;

    // Down right after a good probe: the next one is a whole interval away.
    after_next_probe(&mut h, p, Duration::from_secs(15), false).await;
    assert_eq!(health(&h, p), Health::Up);
    let down_at = h.now();
    h.sim.set_health("production", HealthMode::Down(503));
    let took = until_health(
        &mut h,
        p,
        Health::Down,
        down_at,
        Duration::from_secs(60),
        false,
    )
    .await;
    let limit = bound(&h, check.interval, check.timeout);
    eprintln!(
        "detection (interval 10s, timeout 5s, failure_threshold 3, 503, worst phase): {:.1}s (bound {}s)",
        secs(took),
        limit.num_seconds()
    );
    assert!(
        took <= limit + chrono::Duration::from_std(STEP).unwrap(),
        "down after {:.1}s, bound {}s",
        secs(took),
        limit.num_seconds()
    );
    let tracker = &h.model.envs[p].checks[0].tracker;
    assert_eq!(tracker.last_status, Some(503));
    assert_eq!(tracker.last_error.as_deref(), Some("503"), "{tracker:?}");

    // Back up: `success_threshold` good probes clear it.
    after_next_probe(&mut h, p, Duration::from_secs(15), false).await;
    let up_at = h.now();
    h.sim.set_health("production", HealthMode::Up);
    let back = until_health(&mut h, p, Health::Up, up_at, Duration::from_secs(60), false).await;
    let s = h.model.monitor.success_threshold;
    let recovery_bound = chrono::Duration::from_std(check.interval * s + check.timeout).unwrap();
    eprintln!(
        "recovery (interval 10s, success_threshold 2, worst phase): {:.1}s (bound {}s)",
        secs(back),
        recovery_bound.num_seconds()
    );
    assert!(back <= recovery_bound, "up after {:.1}s", secs(back));

    // Quiet afterwards: exactly one notification per transition, nothing repeated.
    h.run_for(Duration::from_secs(40)).await;
    let notices = notices_about(&h, "production", down_at);
    assert_eq!(
        titled(&notices, "production is DOWN").len(),
        1,
        "{notices:#?}"
    );
    assert_eq!(
        titled(&notices, "production recovered").len(),
        1,
        "{notices:#?}"
    );
    assert_eq!(notices.len(), 2, "{notices:#?}");
    assert!(notices[0].alert && !notices[1].alert, "{notices:#?}");
    assert!(notices[0].text.contains("503"), "{notices:#?}");
    assert_eq!(health(&h, p), Health::Up);
}

#[tokio::test]
async fn inside_a_cutover_window_production_turns_red_within_8s() {
    let mut h = harness().await;
    let p = h.env_index("production");
    let check = h.model.envs[p].checks[0].config.clone();
    let fast = h.model.monitor.cutover_interval;
    assert_eq!(fast, Duration::from_secs(2));
    let start = h.now();
    until_health(&mut h, p, Health::Up, start, Duration::from_secs(15), false).await;

    // The operator opens production's window: Environments view, select it, `w`.
    h.key(KeyCode::Char('2')).await;
    while h.model.env_selected != p {
        h.key(KeyCode::Char('j')).await;
    }
    h.key(KeyCode::Char('w')).await;
    assert!(h.model.envs[p].cutover_running(), "the window did not open");
    let opened = h.now();

    // Checks now run every 2 s: down right after one answered.
    after_next_probe(&mut h, p, Duration::from_secs(5), false).await;
    after_next_probe(&mut h, p, Duration::from_secs(5), false).await;
    assert_eq!(health(&h, p), Health::Up);
    let down_at = h.now();
    h.sim.set_health("production", HealthMode::Down(503));
    let took = until_health(
        &mut h,
        p,
        Health::Down,
        down_at,
        Duration::from_secs(30),
        false,
    )
    .await;
    eprintln!(
        "detection in a cutover window (interval 2s, failure_threshold 3, 503, worst phase): {:.1}s (bound 8s)",
        secs(took)
    );
    assert!(
        took <= chrono::Duration::seconds(8),
        "down after {:.1}s in a cutover window",
        secs(took)
    );
    assert!(took <= bound(&h, fast, check.timeout), "{:.1}s", secs(took));
    let c = h.model.envs[p].cutover.clone().unwrap();
    assert!(c.is_running() && c.went_down, "{c:?}");
    assert_eq!(c.failures, 3, "{c:?}");

    h.sim.set_health("production", HealthMode::Up);
    let up_at = h.now();
    let back = until_health(&mut h, p, Health::Up, up_at, Duration::from_secs(30), false).await;
    eprintln!(
        "recovery in a cutover window (interval 2s, success_threshold 2): {:.1}s",
        secs(back)
    );
    // Let the window run out: its verdict stays UNSTABLE.
    h.run_until(Duration::from_secs(70), |h| {
        !h.model.envs[p].cutover_running()
    })
    .await;
    let c = h.model.envs[p].cutover.clone().unwrap();
    assert!(
        matches!(
            c.verdict,
            Some(cockpit::model::env::Verdict::Unstable { failures: 3 })
        ),
        "{c:?}"
    );

    let notices = notices_about(&h, "production", opened);
    assert_eq!(
        titled(&notices, "production is DOWN").len(),
        1,
        "{notices:#?}"
    );
    assert_eq!(
        titled(&notices, "production recovered").len(),
        1,
        "{notices:#?}"
    );
    // The window says it once when the check goes down, and once more with its verdict.
    assert_eq!(
        titled(&notices, "production: cutover unstable").len(),
        2,
        "{notices:#?}"
    );
    assert_eq!(notices.len(), 4, "{notices:#?}");
}

/// A wobble shorter than the threshold inside a window: degraded, never down, and the
/// window ends `STABLE` with the failed probes counted — what the demo's story shows.
#[tokio::test]
async fn a_short_wobble_in_a_window_is_degraded_not_down_and_ends_stable() {
    let mut h = harness().await;
    let s = h.env_index("staging");
    // The staging deploy (run 9003) finishing opens staging's window by itself.
    let opened = h
        .run_until(Duration::from_secs(60), |h| {
            h.model.envs[s].cutover_running()
        })
        .await;
    assert!(opened, "staging's window never opened");
    let c = h.model.envs[s].cutover.clone().unwrap();
    assert!(
        c.reason.contains("Deploy Staging #58 finished") || c.reason.contains("deployment of"),
        "{c:?}"
    );
    after_next_probe(&mut h, s, Duration::from_secs(5), false).await;
    let since = h.now();
    h.sim.set_health("staging", HealthMode::Down(503));
    h.run_for(Duration::from_secs(3)).await;
    h.sim.set_health("staging", HealthMode::Up);
    let (mut degraded, mut down) = (false, false);
    let done = h
        .run_until(Duration::from_secs(70), |h| {
            degraded |= health(h, s) == Health::Degraded;
            down |= health(h, s) == Health::Down;
            !h.model.envs[s].cutover_running()
        })
        .await;
    assert!(done, "staging's window never ended");
    assert!(degraded, "the wobble never showed as degraded");
    assert!(!down, "a wobble under the threshold turned staging down");
    let c = h.model.envs[s].cutover.clone().unwrap();
    assert_eq!(
        c.verdict,
        Some(cockpit::model::env::Verdict::Stable),
        "{c:?}"
    );
    assert!((1..=2).contains(&c.failures), "{c:?}");
    let notices = notices_about(&h, "staging", since);
    assert_eq!(
        titled(&notices, "staging: cutover stable").len(),
        1,
        "{notices:#?}"
    );
}

/// A hanging service: every probe runs into the check's timeout, and that time passes on
/// the clock too (`tick_timed`). The check's timeout is cut to 1 s so a run costs a few wall
/// seconds. Returns (measured, bound).
async fn hang_detection(in_window: bool) -> (chrono::Duration, chrono::Duration) {
    let mut h = harness().await;
    let p = h.env_index("production");
    let timeout = Duration::from_secs(1);
    h.model.envs[p].checks[0].config.timeout = timeout;
    let start = h.now();
    until_health(&mut h, p, Health::Up, start, Duration::from_secs(15), true).await;
    let interval = if in_window {
        h.key(KeyCode::Char('2')).await;
        while h.model.env_selected != p {
            h.key(KeyCode::Char('j')).await;
        }
        h.key(KeyCode::Char('w')).await;
        assert!(h.model.envs[p].cutover_running(), "the window did not open");
        after_next_probe(&mut h, p, Duration::from_secs(5), true).await;
        h.model.monitor.cutover_interval
    } else {
        h.model.envs[p].checks[0].config.interval
    };
    after_next_probe(&mut h, p, Duration::from_secs(15), true).await;
    let down_at = h.now();
    h.sim
        .set_health("production", HealthMode::Slow(Duration::from_secs(3)));
    let took = until_health(
        &mut h,
        p,
        Health::Down,
        down_at,
        Duration::from_secs(90),
        true,
    )
    .await;
    let limit = bound(&h, interval, timeout);
    eprintln!(
        "detection of a hanging service (interval {}s, timeout 1s, failure_threshold 3, worst phase{}): {:.1}s (bound {}s)",
        interval.as_secs(),
        if in_window { ", cutover window" } else { "" },
        secs(took),
        limit.num_seconds()
    );
    let tracker = &h.model.envs[p].checks[0].tracker;
    assert_eq!(
        tracker.last_error.as_deref(),
        Some("timeout after 1s"),
        "{tracker:?}"
    );
    (took, limit)
}

// A hanging service: every probe times out. Probes are scheduled from when they were sent,
// so timeouts do not add up: down after failure_threshold × interval + timeout. The last
// probe takes a few ms more than its timeout in wall time, and this driver's clock moves in
// STEP increments: one step of slack.
#[tokio::test]
async fn a_hanging_service_is_detected_within_the_bound() {
    let (took, limit) = hang_detection(false).await;
    assert!(
        took <= limit + chrono::Duration::from_std(STEP).unwrap(),
        "down after {:.1}s, bound {}s",
        secs(took),
        limit.num_seconds()
    );
}

#[tokio::test]
async fn a_hanging_service_is_detected_within_the_bound_in_a_window() {
    let (took, limit) = hang_detection(true).await;
    assert!(
        took <= limit + chrono::Duration::from_std(STEP).unwrap(),
        "down after {:.1}s in a cutover window, bound {}s",
        secs(took),
        limit.num_seconds()
    );
}
