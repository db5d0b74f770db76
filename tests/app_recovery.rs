//! The whole app minus the terminal — real `update`, real `HttpGitHub`, the simulator over
//! HTTP, a `ManualClock` — through faults: it keeps the last good data, says it is stale and
//! why, backs off, honours rate limits, and recovers without a restart. And what watching
//! the demo costs in rate limit. Every wait is bounded by simulated time or counts.

mod support;

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::KeyCode;
use http::Method;

use cockpit::clock::SharedClock;
use cockpit::github::GitHub;
use cockpit::github::client::{ClientOptions, HttpGitHub};
use cockpit::github::models::{Conclusion, RunStatus};
use cockpit::github::proxy::ProxyConfig;
use cockpit::model::Level;
use cockpit::msg::Cmd;
use cockpit::sim::{Fault, FaultRule};

use support::harness::{Harness, HarnessOptions, t0, unconditional_repeats, watch_demo};

const REPO: &str = "acme/shop";

type RunRow = (u64, Option<RunStatus>, Option<Conclusion>);

fn rows(h: &Harness) -> Vec<RunRow> {
    h.model
        .runs
        .iter()
        .map(|e| (e.run.id, e.run.status, e.run.conclusion))
        .collect()
}

/// What GitHub (the simulator) says right now, asked by a separate client without ETags.
async fn truth(h: &Harness) -> Vec<RunRow> {
    let clock: SharedClock = Arc::new(h.clock.clone());
    let fresh = HttpGitHub::new(ClientOptions {
        api_url: h.sim.base_url(),
        token: None,
        token_source: "test".into(),
        timeout: Duration::from_secs(10),
        clock,
        proxy: ProxyConfig::none(),
    })
    .unwrap();
    fresh
        .list_runs(REPO, None, None)
        .await
        .unwrap()
        .value
        .iter()
        .map(|r| (r.id, r.status, r.conclusion))
        .collect()
}

/// The demo, polled until the list shows the runs.
async fn demo_with_runs(opts: HarnessOptions) -> Harness {
    let mut h = Harness::start(opts).await;
    let shown = h
        .run_until(Duration::from_secs(10), |h| h.run_ids().contains(&9001))
        .await;
    assert!(shown, "no runs: {:?}", h.model.last_error());
    assert!(!h.model.is_stale(h.now()));
    h
}

fn error_text(h: &Harness) -> String {
    h.model.last_error().unwrap_or_default().to_string()
}

/// After the faults are cleared: fresh, not stale, no error, and showing what GitHub shows.
async fn assert_recovers(h: &mut Harness, cleared_at: chrono::DateTime<chrono::Utc>) {
    // The longest backoff is 60 s: recovery must come within one more of it.
    let ok = h
        .run_until(Duration::from_secs(75), |h| {
            h.model.last_error().is_none() && !h.model.is_stale(h.now())
        })
        .await;
    assert!(ok, "did not recover: {}", error_text(h));
    let fetched = h.model.data_fetched_at().unwrap();
    assert!(
        fetched >= cleared_at,
        "data is from {fetched}, before {cleared_at}"
    );
    assert_eq!(
        rows(h),
        truth(h).await,
        "the model shows what GitHub shows now"
    );
}

#[tokio::test]
async fn server_errors_keep_the_last_runs_mark_stale_and_recover() {
    let mut h = demo_with_runs(HarnessOptions::default()).await;
    let before = rows(&h);
    let requests_before = h.api_requests().len();

    h.sim.inject(FaultRule::always(Fault::Status(500)));
    let failed = h
        .run_until(Duration::from_secs(10), |h| h.model.last_error().is_some())
        .await;
    assert!(failed);
    // "For a while": a minute of 500s.
    h.run_for(Duration::from_secs(60)).await;
    assert_eq!(rows(&h), before, "the last good runs are still shown");
    assert!(h.model.is_stale(h.now()));
    let err = error_text(&h);
    assert!(
        err.contains("acme/shop") && err.contains("HTTP 500"),
        "{err}"
    );
    // Backing off: far fewer requests than the 30 a healthy 2 s poll would make of each of
    // the two things polled (the runs list and the production gate's two reads).
    let during = h.api_requests().len() - requests_before;
    assert!(
        (2..=16).contains(&during),
        "{during} requests during a minute of 500s"
    );

    h.sim.clear_faults();
    let cleared = h.now();
    assert_recovers(&mut h, cleared).await;
    assert_ne!(rows(&h), before, "time moved on: 9001 progressed meanwhile");
}

#[tokio::test]
async fn primary_rate_limit_stops_every_request_until_the_reset() {
    let mut h = demo_with_runs(HarnessOptions::default()).await;
    // With the run open, jobs are polled too: they must stop as well.
    h.open_run(9001).await;
    h.run_for(Duration::from_secs(5)).await;

    h.sim
        .inject(FaultRule::always(Fault::PrimaryRateLimit { reset_in_secs: 90 }).times(1));
    let limited = h
        .run_until(Duration::from_secs(10), |h| {
            h.sim.requests().iter().any(|r| r.status == 403)
        })
        .await;
    assert!(limited);
    // The 403 came in during the last tick; its reset is 90 s after that (whole seconds).
    let reset = h
        .model
        .rate_wait
        .as_ref()
        .expect("waiting for the reset")
        .until;
    let hit = h.now();
    assert!(
        reset > hit + chrono::Duration::seconds(88) && reset <= hit + chrono::Duration::seconds(90)
    );
    // Whichever GET met the 403 (the runs list or the gate), the wait is for all of them.
    let reason = h.model.rate_wait.as_ref().map(|w| w.reason.clone());
    assert!(
        reason
            .as_deref()
            .unwrap_or("")
            .contains("rate limit exhausted"),
        "{reason:?}"
    );
    let limited: Vec<_> = h
        .sim
        .requests()
        .into_iter()
        .filter(|r| r.status == 403)
        .collect();
    assert_eq!(limited.len(), 1, "{limited:#?}");

    let seen = h.sim.requests().len();
    while h.now() + chrono::Duration::from_std(h.step).unwrap() < reset {
        h.tick().await;
        assert_eq!(
            h.sim.requests().len(),
            seen,
            "a request went out at {} before the reset at {reset}",
            h.now()
        );
    }
    assert!(h.model.is_stale(h.now()), "90 s without a refresh is stale");
    // Past the reset, polling resumes by itself.
    let resumed = h
        .run_until(Duration::from_secs(5), |h| h.sim.requests().len() > seen)
        .await;
    assert!(resumed);
    assert!(h.now() >= reset);
    assert!(h.model.rate_wait.is_none());
    assert_recovers(&mut h, reset).await;
    assert!(
        h.model.rate.unwrap().remaining > 4000,
        "rate info refreshed"
    );
}

#[tokio::test]
async fn a_stalled_api_makes_the_model_stale_then_it_recovers() {
    // A 2 s client timeout against 10 s stalls: each stalled request costs 2 s of wall time.
    let opts = HarnessOptions {
        client_timeout: Duration::from_secs(2),
        ..HarnessOptions::default()
    };
    let mut h = demo_with_runs(opts).await;
    let before = rows(&h);

    h.sim
        .inject(FaultRule::always(Fault::Stall(Duration::from_secs(10))));
    let timed_out = h
        .run_until(Duration::from_secs(10), |h| h.model.last_error().is_some())
        .await;
    assert!(timed_out);
    assert!(h.model.is_stale(h.now()));
    let err = error_text(&h);
    assert!(err.contains("timed out after 2 s"), "{err}");
    assert_eq!(rows(&h), before);

    h.sim.clear_faults();
    let cleared = h.now();
    assert_recovers(&mut h, cleared).await;
}

#[tokio::test]
async fn bad_token_error_names_its_source_and_never_the_token() {
    let token = "ghp_thisTokenIsWrongAndSecret42";
    let opts = HarnessOptions {
        require_token: Some("ghp_theRightOne".into()),
        token: Some(token.into()),
        token_source: "$GH_TOKEN".into(),
        ..HarnessOptions::default()
    };
    let mut h = Harness::start(opts).await;
    let failed = h
        .run_until(Duration::from_secs(10), |h| h.model.last_error().is_some())
        .await;
    assert!(failed);
    let err = error_text(&h);
    assert_eq!(
        err,
        "acme/shop: 401 Unauthorized: GitHub rejected the token from $GH_TOKEN"
    );
    assert!(
        !format!("{:?}", h.model).contains(token),
        "token in the model"
    );
    assert!(h.model.runs.is_empty());
    // It keeps trying, with backoff, without crashing.
    h.run_for(Duration::from_secs(30)).await;
    let tries = h.api_requests().len();
    assert!((2..=6).contains(&tries), "{tries} attempts in 30 s");
    assert_eq!(error_text(&h), err);
}

#[tokio::test]
async fn malformed_json_is_an_error_not_a_panic_and_recovers() {
    let mut h = demo_with_runs(HarnessOptions::default()).await;
    h.open_run(9001).await;
    let before = rows(&h);

    h.sim.inject(FaultRule::always(Fault::MalformedJson));
    let failed = h
        .run_until(Duration::from_secs(10), |h| h.model.last_error().is_some())
        .await;
    assert!(failed);
    let err = error_text(&h);
    assert!(
        err.contains("malformed response from /repos/acme/shop/actions/runs"),
        "{err}"
    );
    assert!(h.model.is_stale(h.now()));
    assert_eq!(rows(&h), before);
    // The open run's jobs hit the same fault: the detail view says so and keeps its jobs.
    let ok = h
        .run_until(Duration::from_secs(10), |h| {
            h.model.jobs.get(&9001).is_some_and(|j| j.error.is_some())
        })
        .await;
    assert!(ok);
    let js = &h.model.jobs[&9001];
    assert!(js.error.as_deref().unwrap().contains("malformed response"));
    assert!(!js.jobs.is_empty());

    h.sim.clear_faults();
    let cleared = h.now();
    assert_recovers(&mut h, cleared).await;
    let ok = h
        .run_until(Duration::from_secs(75), |h| {
            h.model.jobs.get(&9001).is_some_and(|j| j.error.is_none())
        })
        .await;
    assert!(ok, "jobs did not recover");
}

#[tokio::test]
async fn a_failed_cancel_is_reported_and_sent_once() {
    let mut h = demo_with_runs(HarnessOptions::default()).await;
    h.open_run(9001).await;
    h.sim
        .inject(FaultRule::on("/cancel", Fault::Status(500)).method(Method::POST));
    h.key(KeyCode::Char('c')).await;
    h.key(KeyCode::Char('y')).await;
    let flash = h.model.flash.clone().expect("a message about the cancel");
    assert_eq!(flash.level, Level::Error);
    assert!(
        flash.text.contains("HTTP 500") && flash.text.contains("not retried"),
        "{}",
        flash.text
    );
    // Time passes, polling goes on: the cancel is never sent again.
    h.run_for(Duration::from_secs(30)).await;
    let posts: Vec<_> = h
        .sim
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(posts.len(), 1, "{posts:#?}");
    assert_eq!(posts[0].path, "/repos/acme/shop/actions/runs/9001/cancel");
    assert!(h.model.in_flight.is_empty());
}

#[tokio::test]
async fn watching_the_demo_with_the_open_run_costs_little_quota() {
    let (h, report) = watch_demo(true, Duration::from_secs(600)).await;
    eprintln!("10 min, run 9001 open: {report:?}");
    // The detail view was really open and its jobs polled the whole time.
    let job_polls = h
        .executed
        .iter()
        .filter(|(_, c)| matches!(c, Cmd::FetchJobs { run_id: 9001, .. }))
        .count();
    assert!(job_polls >= 10, "{job_polls} job polls");
    let run_polls = h
        .executed
        .iter()
        .filter(|(_, c)| matches!(c, Cmd::FetchRuns(_)))
        .count();
    assert!(
        run_polls >= 200,
        "{run_polls} run-list polls in 10 min of active runs"
    );

    assert!(
        report.quota_costing < 60,
        "{} quota-costing requests in 10 min",
        report.quota_costing
    );
    // The client and the simulator agree on what cost quota and what did not.
    assert_eq!(report.client_quota_costing, report.quota_costing);
    assert_eq!(report.client_not_modified, report.not_modified);
    assert!(report.not_modified > report.quota_costing);
    // Every poll after the first of its URL was conditional.
    assert_eq!(report.unconditional_repeats, 0);
    assert_eq!(unconditional_repeats(&h.api_requests()), 0);
    assert_eq!(h.model.rate.map(|r| r.used), Some(report.quota_costing));
    assert_eq!(t0() + chrono::Duration::seconds(600), h.now());
}

#[tokio::test]
async fn watching_the_demo_without_the_detail_view() {
    let (h, report) = watch_demo(false, Duration::from_secs(600)).await;
    eprintln!("10 min, list only: {report:?}");
    assert!(
        !h.executed
            .iter()
            .any(|(_, c)| matches!(c, Cmd::FetchJobs { .. }))
    );
    assert!(report.quota_costing < 60, "{report:?}");
    assert_eq!(report.unconditional_repeats, 0);
    assert!(h.model.last_error().is_none());
}

/// A change on the server is on screen within `active_poll` (plus one clock step of this
/// driver): measured in simulated time against a second client watching the same run.
#[tokio::test]
async fn a_change_shows_within_active_poll() {
    let mut h = Harness::demo().await;
    let active = h.model.poll.active;
    let probe = HttpGitHub::new(ClientOptions {
        api_url: h.sim.base_url(),
        token: None,
        token_source: "test".into(),
        timeout: Duration::from_secs(5),
        clock: Arc::new(h.clock.clone()) as SharedClock,
        proxy: ProxyConfig::none(),
    })
    .unwrap();
    let done = |s: Option<RunStatus>| s == Some(RunStatus::Completed);
    // Find the moment the simulator first reports run 9003 (Deploy Staging) completed.
    let mut changed_at = None;
    for _ in 0..400 {
        let run = probe.get_run(REPO, 9003).await.unwrap().value;
        if done(run.status) {
            changed_at = Some(h.now());
            break;
        }
        h.tick().await;
    }
    let changed_at = changed_at.expect("run 9003 never completed in the scenario");
    let seen = h
        .run_until(Duration::from_secs(30), |h| {
            h.model
                .runs
                .iter()
                .any(|e| e.run.id == 9003 && done(e.run.status))
        })
        .await;
    assert!(seen, "the model never showed run 9003 completed");
    let lag = (h.now() - changed_at).to_std().unwrap();
    assert!(
        lag <= active + h.step,
        "shown {lag:?} after the change (active_poll {active:?})"
    );
}
