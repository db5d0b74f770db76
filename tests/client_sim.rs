//! `HttpGitHub` against the embedded simulator over real HTTP on 127.0.0.1: decoding,
//! ETags and 304s, rate-limit headers, every injected fault mapped to the right `ApiError`,
//! job logs fetched without leaking the token, and mutations that are sent exactly once.
//! The simulator runs on a `ManualClock`; the only wall-clock wait is the 1 s client timeout
//! in the stall tests.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use cockpit::clock::{ManualClock, SharedClock};
use cockpit::github::client::{ClientOptions, HttpGitHub};
use cockpit::github::error::ApiError;
use cockpit::github::models::{Conclusion, RunStatus, WorkflowRun};
use cockpit::github::proxy::ProxyConfig;
use cockpit::github::{ClientStats, GitHub};
use cockpit::sim::{Fault, FaultRule, RecordedRequest, SimOptions, Simulator};
use http::Method;

const REPO: &str = "acme/shop";
const TOKEN: &str = "ghp_s3cretT0kenThatMustNeverBeShown";
const TOKEN_SOURCE: &str = "$GH_TOKEN";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap()
}

struct Env {
    sim: Simulator,
    clock: ManualClock,
    client: HttpGitHub,
}

fn client_for(
    url: &str,
    clock: &ManualClock,
    token: Option<&str>,
    timeout: Duration,
) -> HttpGitHub {
    let shared: SharedClock = Arc::new(clock.clone());
    HttpGitHub::new(ClientOptions {
        api_url: url.to_string(),
        token: token.map(str::to_string),
        token_source: TOKEN_SOURCE.into(),
        timeout,
        clock: shared,
        proxy: ProxyConfig::none(),
    })
    .unwrap()
}

/// A simulator (demanding `require` as token, if set) and a client sending `token`.
async fn start_with(require: Option<&str>, token: Option<&str>, timeout: Duration) -> Env {
    let clock = ManualClock::new(t0());
    let mut opts = SimOptions::new(Arc::new(clock.clone()));
    opts.require_token = require.map(str::to_string);
    let sim = Simulator::start(opts).await.unwrap();
    let client = client_for(&sim.base_url(), &clock, token, timeout);
    Env { sim, clock, client }
}

async fn start() -> Env {
    start_with(Some(TOKEN), Some(TOKEN), Duration::from_secs(10)).await
}

fn run(runs: &[WorkflowRun], id: u64) -> &WorkflowRun {
    runs.iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("run {id} not listed"))
}

fn posts(reqs: &[RecordedRequest]) -> Vec<&RecordedRequest> {
    reqs.iter().filter(|r| r.method == "POST").collect()
}

#[tokio::test]
async fn list_runs_decodes_the_scenario() {
    let env = start().await;
    let fetched = env.client.list_runs(REPO, None, None).await.unwrap();
    assert!(!fetched.not_modified);
    let runs = fetched.value;
    let ids: Vec<u64> = runs.iter().map(|r| r.id).collect();
    assert_eq!(
        ids,
        vec![9001, 9003, 9004, 9002, 8996, 8992, 8991, 8990, 8985]
    );

    // 9001: CI on main, created at t = 0, not picked up by a runner yet.
    let ci = run(&runs, 9001);
    assert_eq!(ci.status, Some(RunStatus::Queued));
    assert_eq!(ci.conclusion, None);
    assert_eq!(ci.run_number, 313);
    assert_eq!(ci.head_branch.as_deref(), Some("main"));
    assert_eq!(ci.created_at, t0());
    assert!(ci.is_active());
    // 9003: staging deploy started 36 s ago.
    assert_eq!(run(&runs, 9003).status, Some(RunStatus::InProgress));
    // 9004: production deploy waiting for its approval gate.
    assert_eq!(run(&runs, 9004).status, Some(RunStatus::Waiting));
    assert!(run(&runs, 9004).is_active());
    // 9002: CI on feature/cart, failed.
    let failed = run(&runs, 9002);
    assert_eq!(failed.status, Some(RunStatus::Completed));
    assert_eq!(failed.conclusion, Some(Conclusion::Failure));
    assert!(!failed.is_active());
    // 8996 was cancelled two minutes in.
    assert_eq!(run(&runs, 8996).conclusion, Some(Conclusion::Cancelled));

    // One workflow and one branch: the query reaches the simulator and filters.
    let ci_main = env
        .client
        .list_runs(REPO, Some("ci.yml"), Some("main"))
        .await
        .unwrap()
        .value;
    assert_eq!(
        ci_main.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![9001, 8990]
    );
    let last = env.sim.requests().pop().unwrap();
    assert_eq!(last.path, "/repos/acme/shop/actions/workflows/ci.yml/runs");
    assert_eq!(last.query.as_deref(), Some("per_page=30&branch=main"));
}

#[tokio::test]
async fn second_identical_get_is_conditional_and_free() {
    let env = start().await;
    let first = env.client.list_runs(REPO, None, None).await.unwrap();
    let second = env.client.list_runs(REPO, None, None).await.unwrap();
    assert!(!first.not_modified);
    assert!(second.not_modified);
    assert_eq!(second.value, first.value);

    let reqs = env.sim.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].if_none_match, None);
    assert_eq!(reqs[0].status, 200);
    let inm = reqs[1]
        .if_none_match
        .as_deref()
        .expect("If-None-Match sent");
    assert!(inm.starts_with('"') && inm.len() == 66, "etag {inm}");
    assert_eq!(reqs[1].status, 304);
    assert_eq!(
        env.client.stats(),
        ClientStats {
            quota_costing: 1,
            not_modified: 1,
            failed: 0
        }
    );
    assert_eq!(env.sim.stats().quota_costing, 1);
    assert_eq!(env.sim.stats().not_modified, 1);

    // Time moves, 9001 starts: the ETag no longer matches, a 200 with the new state.
    env.clock.advance(Duration::from_secs(10));
    let third = env.client.list_runs(REPO, None, None).await.unwrap();
    assert!(!third.not_modified);
    assert_ne!(third.value, first.value);
    assert_eq!(run(&third.value, 9001).status, Some(RunStatus::InProgress));
    let reqs = env.sim.requests();
    assert_eq!(reqs[2].if_none_match, reqs[1].if_none_match);
    assert_eq!(reqs[2].status, 200);
    assert_eq!(env.client.stats().quota_costing, 2);

    // Jobs are conditional too.
    let jobs = env.client.list_jobs(REPO, 9002).await.unwrap();
    let again = env.client.list_jobs(REPO, 9002).await.unwrap();
    assert!(!jobs.value.is_empty());
    assert!(again.not_modified);
    assert_eq!(again.value, jobs.value);
    assert_eq!(env.client.stats().not_modified, 2);
}

#[tokio::test]
async fn rate_limit_is_read_from_headers() {
    let env = start().await;
    assert_eq!(env.client.last_rate(), None);
    env.client.list_runs(REPO, None, None).await.unwrap();
    let rate = env.client.last_rate().unwrap();
    assert_eq!(rate.limit, 5000);
    assert_eq!(rate.remaining, 4999);
    assert_eq!(rate.used, 1);
    // The simulator's window resets at the top of the hour.
    assert_eq!(
        rate.reset,
        Some(Utc.with_ymd_and_hms(2026, 11, 22, 11, 0, 0).unwrap())
    );
    assert_eq!(rate.remaining, u64::from(env.sim.rate_limit_remaining()));

    // A 304 does not use quota: remaining stays.
    env.client.list_runs(REPO, None, None).await.unwrap();
    assert_eq!(env.client.last_rate().unwrap().remaining, 4999);

    // GET /rate_limit agrees and is free.
    let info = env.client.rate_limit().await.unwrap();
    assert_eq!(info, rate);
    assert_eq!(env.sim.rate_limit_remaining(), 4999);
}

#[tokio::test]
async fn server_error_is_http_500() {
    let env = start().await;
    env.sim.inject(FaultRule::always(Fault::Status(500)));
    let err = env.client.list_runs(REPO, None, None).await.unwrap_err();
    assert_eq!(
        err,
        ApiError::Http {
            status: 500,
            message: "Internal Server Error".into()
        }
    );
    assert!(err.is_transient());
    assert_eq!(env.client.stats().failed, 1);

    env.sim.clear_faults();
    assert!(env.client.list_runs(REPO, None, None).await.is_ok());
}

#[tokio::test]
async fn stall_longer_than_the_timeout_is_a_timeout() {
    let env = start_with(Some(TOKEN), Some(TOKEN), Duration::from_secs(1)).await;
    env.sim
        .inject(FaultRule::always(Fault::Stall(Duration::from_secs(3))).times(1));
    let err = env.client.list_runs(REPO, None, None).await.unwrap_err();
    assert_eq!(err, ApiError::Timeout { secs: 1 });
    assert_eq!(err.to_string(), "timed out after 1 s");
    assert!(err.is_transient());
    assert_eq!(env.client.stats().failed, 1);
    // The next poll is answered normally.
    assert!(env.client.list_runs(REPO, None, None).await.is_ok());
}

#[tokio::test]
async fn refused_connection_is_connect() {
    let env = start().await;
    env.client.list_runs(REPO, None, None).await.unwrap();
    let Env { sim, client, .. } = env;
    sim.shutdown();
    let err = client.list_runs(REPO, None, None).await.unwrap_err();
    assert!(matches!(err, ApiError::Connect(_)), "{err:?}");
    assert!(err.is_transient());

    // A port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
        l.local_addr().unwrap().port()
    };
    let clock = ManualClock::new(t0());
    let closed = client_for(
        &format!("http://127.0.0.1:{port}"),
        &clock,
        Some(TOKEN),
        Duration::from_secs(5),
    );
    let err = closed.list_runs(REPO, None, None).await.unwrap_err();
    match &err {
        ApiError::Connect(text) => {
            assert!(text.to_lowercase().contains("refused"), "{text}")
        }
        other => panic!("expected Connect, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_token_is_unauthorized_naming_the_source_not_the_token() {
    let wrong = "ghp_wrongWrongWrongTokenValue0001";
    let env = start_with(Some(TOKEN), Some(wrong), Duration::from_secs(10)).await;
    let err = env.client.list_runs(REPO, None, None).await.unwrap_err();
    assert_eq!(
        err,
        ApiError::Unauthorized {
            token_source: TOKEN_SOURCE.into()
        }
    );
    assert!(!err.is_transient());
    let text = err.to_string();
    assert!(text.contains(TOKEN_SOURCE), "{text}");
    for shown in [text, format!("{err:?}")] {
        assert!(!shown.contains(wrong) && !shown.contains(TOKEN), "{shown}");
    }
    // The token was sent (as a bearer token), and refused.
    let req = &env.sim.requests()[0];
    assert_eq!(
        req.authorization.as_deref(),
        Some(format!("Bearer {wrong}").as_str())
    );
    assert_eq!(req.status, 401);

    // No token at all: same, still naming where it should have come from.
    let anon = client_for(
        &env.sim.base_url(),
        &env.clock,
        None,
        Duration::from_secs(10),
    );
    let err = anon.list_runs(REPO, None, None).await.unwrap_err();
    assert!(
        matches!(&err, ApiError::Unauthorized { token_source } if token_source == TOKEN_SOURCE)
    );

    // The injected fault on a good token maps the same way.
    let good = start().await;
    good.sim.inject(FaultRule::always(Fault::Unauthorized));
    let err = good.client.list_jobs(REPO, 9002).await.unwrap_err();
    assert!(matches!(err, ApiError::Unauthorized { .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains(TOKEN));
}

#[tokio::test]
async fn primary_rate_limit_waits_until_reset() {
    let env = start().await;
    env.sim.inject(FaultRule::always(Fault::PrimaryRateLimit {
        reset_in_secs: 600,
    }));
    let err = env.client.list_runs(REPO, None, None).await.unwrap_err();
    match &err {
        ApiError::RateLimited {
            until,
            secondary,
            message,
        } => {
            assert!(!secondary);
            assert_eq!(*until, t0() + chrono::Duration::seconds(600));
            assert!(message.contains("API rate limit exceeded"), "{message}");
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert!(err.is_transient());
    let rate = env.client.last_rate().unwrap();
    assert_eq!(rate.remaining, 0);
    assert_eq!(rate.reset, Some(t0() + chrono::Duration::seconds(600)));
}

#[tokio::test]
async fn secondary_rate_limit_uses_retry_after_on_403_and_429() {
    for status in [403u16, 429] {
        let env = start().await;
        env.clock.advance(Duration::from_secs(5));
        env.sim.inject(FaultRule::always(Fault::SecondaryRateLimit {
            retry_after_secs: 30,
            status,
        }));
        let err = env.client.list_runs(REPO, None, None).await.unwrap_err();
        match &err {
            ApiError::RateLimited {
                until,
                secondary,
                message,
            } => {
                assert!(*secondary, "{status}");
                assert_eq!(*until, t0() + chrono::Duration::seconds(35), "{status}");
                assert!(message.contains("secondary rate limit"), "{message}");
            }
            other => panic!("{status}: expected RateLimited, got {other:?}"),
        }
        assert_eq!(env.sim.requests()[0].status, status);
    }
}

#[tokio::test]
async fn malformed_json_is_a_decode_error() {
    let env = start().await;
    env.sim.inject(FaultRule::always(Fault::MalformedJson));
    let err = env.client.list_runs(REPO, None, None).await.unwrap_err();
    match &err {
        ApiError::Decode { what, .. } => {
            assert!(what.starts_with("/repos/acme/shop/actions/runs"), "{what}")
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    let err = env.client.list_jobs(REPO, 9002).await.unwrap_err();
    assert!(matches!(err, ApiError::Decode { .. }), "{err:?}");
    assert_eq!(env.client.stats().failed, 2);

    // A truncated body is never cached: once the fault is gone the next GET is a clean 200.
    env.sim.clear_faults();
    let ok = env.client.list_runs(REPO, None, None).await.unwrap();
    assert!(!ok.not_modified);
    assert!(!ok.value.is_empty());
}

#[tokio::test]
async fn job_log_follows_the_redirect_without_the_token() {
    let env = start().await;
    let jobs = env.client.list_jobs(REPO, 9002).await.unwrap().value;
    let failed = jobs
        .iter()
        .find(|j| j.conclusion == Some(Conclusion::Failure))
        .expect("9002 has a failed job");
    let log = env.client.job_log(REPO, failed.id).await.unwrap();
    let text = String::from_utf8(log).unwrap();
    assert!(text.contains("##[group]Run"), "{text}");
    assert!(
        text.contains("##[error]Process completed with exit code"),
        "{text}"
    );

    let reqs = env.sim.requests();
    let api_path = format!("/repos/acme/shop/actions/jobs/{}/logs", failed.id);
    let api: Vec<_> = reqs.iter().filter(|r| r.path == api_path).collect();
    assert_eq!(api.len(), 1);
    assert_eq!(api[0].status, 302);
    assert_eq!(
        api[0].authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    let host: Vec<_> = reqs
        .iter()
        .filter(|r| r.path == format!("/_logs/jobs/{}", failed.id))
        .collect();
    assert_eq!(host.len(), 1, "{reqs:#?}");
    assert_eq!(host[0].status, 200);
    assert_eq!(host[0].authorization, None, "token leaked to the log host");
    assert!(host[0].query.as_deref().unwrap_or("").contains("sig="));
}

#[tokio::test]
async fn mutations_are_sent_exactly_once_even_on_500() {
    let env = start().await;
    env.sim
        .inject(FaultRule::always(Fault::Status(500)).method(Method::POST));

    let err = env.client.rerun(REPO, 9002, true).await.unwrap_err();
    assert!(matches!(err, ApiError::Http { status: 500, .. }), "{err:?}");
    let err = env.client.rerun(REPO, 9002, false).await.unwrap_err();
    assert!(matches!(err, ApiError::Http { status: 500, .. }), "{err:?}");
    let err = env.client.cancel(REPO, 9001).await.unwrap_err();
    assert!(matches!(err, ApiError::Http { status: 500, .. }), "{err:?}");

    let reqs = env.sim.requests();
    let sent: Vec<&str> = posts(&reqs).iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        sent,
        vec![
            "/repos/acme/shop/actions/runs/9002/rerun-failed-jobs",
            "/repos/acme/shop/actions/runs/9002/rerun",
            "/repos/acme/shop/actions/runs/9001/cancel",
        ]
    );
    assert!(posts(&reqs).iter().all(|r| r.status == 500));
    assert_eq!(reqs.len(), 3, "nothing else was sent: {reqs:#?}");
    assert_eq!(env.client.stats().failed, 3);
}

#[tokio::test]
async fn mutation_that_times_out_is_not_resent() {
    let env = start_with(Some(TOKEN), Some(TOKEN), Duration::from_secs(1)).await;
    env.sim.inject(
        FaultRule::on("/cancel", Fault::Stall(Duration::from_secs(3))).method(Method::POST),
    );
    let err = env.client.cancel(REPO, 9001).await.unwrap_err();
    assert!(matches!(err, ApiError::Timeout { secs: 1 }), "{err:?}");
    assert_eq!(posts(&env.sim.requests()).len(), 1);
    assert_eq!(env.client.stats().failed, 1);
}

#[tokio::test]
async fn mutations_succeed_once_and_cancel_of_a_completed_run_conflicts() {
    let env = start().await;
    env.client.rerun(REPO, 9002, true).await.unwrap();
    env.client.cancel(REPO, 9001).await.unwrap();
    let reqs = env.sim.requests();
    let done: Vec<(&str, u16)> = posts(&reqs)
        .iter()
        .map(|r| (r.path.as_str(), r.status))
        .collect();
    assert_eq!(
        done,
        vec![
            ("/repos/acme/shop/actions/runs/9002/rerun-failed-jobs", 201),
            ("/repos/acme/shop/actions/runs/9001/cancel", 202),
        ]
    );

    // 8990 completed hours ago; 9001 was just cancelled and completes.
    env.clock.advance(Duration::from_secs(5));
    let err = env.client.cancel(REPO, 8990).await.unwrap_err();
    match &err {
        ApiError::Conflict { message } => {
            assert!(message.contains("completed"), "{message}")
        }
        other => panic!("expected Conflict, got {other:?}"),
    }
    assert!(!err.is_transient());
    assert_eq!(posts(&env.sim.requests()).len(), 3);

    // The re-run shows up as a second attempt.
    let runs = env.client.list_runs(REPO, None, None).await.unwrap().value;
    assert_eq!(run(&runs, 9002).run_attempt, Some(2));
}
