//! `HttpGitHub`'s gate and dispatch calls against the embedded simulator over real HTTP on
//! 127.0.0.1: pending deployments and approvals, reviews sent exactly once with exactly the
//! body GitHub documents, a second review refused with GitHub's message, workflows and their
//! files, dispatches with run details, the one fallback for servers that predate
//! `return_run_details`, and validation errors that are never re-sent.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use cockpit::clock::{Clock, ManualClock, SharedClock};
use cockpit::github::client::{ClientOptions, HttpGitHub};
use cockpit::github::error::ApiError;
use cockpit::github::proxy::ProxyConfig;
use cockpit::github::{DispatchOutcome, GitHub};
use cockpit::sim::{Fault, FaultRule, RecordedRequest, SimOptions, Simulator};
use http::Method;
use serde_json::{Map, Value, json};

const REPO: &str = "acme/shop";
const TOKEN: &str = "ghp_gatesTestToken";
/// Run 9004: the production deploy waiting on its gate from the start of the scenario.
const GATED_RUN: u64 = 9004;
/// The simulator's `production` environment.
const PRODUCTION_ID: u64 = 202;
const DEPLOY_PROD: &str = "deploy-production.yml";
const DISPATCH_PATH: &str = "/repos/acme/shop/actions/workflows/deploy-production.yml/dispatches";
const REVIEW_PATH: &str = "/repos/acme/shop/actions/runs/9004/pending_deployments";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap()
}

struct Env {
    sim: Simulator,
    clock: ManualClock,
    client: HttpGitHub,
}

async fn start_with(legacy_dispatch: bool) -> Env {
    let clock = ManualClock::new(t0());
    let mut opts = SimOptions::new(Arc::new(clock.clone()));
    opts.require_token = Some(TOKEN.into());
    opts.legacy_dispatch = legacy_dispatch;
    let sim = Simulator::start(opts).await.unwrap();
    let shared: SharedClock = Arc::new(clock.clone());
    let client = HttpGitHub::new(ClientOptions {
        api_url: sim.base_url(),
        token: Some(TOKEN.into()),
        token_source: "$GH_TOKEN".into(),
        timeout: Duration::from_secs(10),
        clock: shared,
        proxy: ProxyConfig::none(),
    })
    .unwrap();
    Env { sim, clock, client }
}

async fn start() -> Env {
    start_with(false).await
}

fn posts(sim: &Simulator) -> Vec<RecordedRequest> {
    sim.requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect()
}

fn inputs(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("inputs must be an object, got {other}"),
    }
}

#[tokio::test]
async fn pending_deployments_list_the_gate_with_reviewers() {
    let env = start().await;
    let pending = env
        .client
        .pending_deployments(REPO, GATED_RUN)
        .await
        .unwrap();
    assert_eq!(pending.len(), 1, "{pending:?}");
    let p = &pending[0];
    assert_eq!(p.environment.id, Some(PRODUCTION_ID));
    assert_eq!(p.environment.name.as_deref(), Some("production"));
    assert!(p.current_user_can_approve);
    assert_eq!(p.wait_timer, 0);
    assert_eq!(
        p.wait_timer_started_at,
        Some(t0() - chrono::Duration::minutes(5))
    );
    assert_eq!(p.reviewers.len(), 1);
    assert_eq!(p.reviewers[0].kind.as_deref(), Some("Team"));
    let team = p.reviewers[0].reviewer.as_ref().unwrap();
    assert_eq!(team.slug.as_deref(), Some("release-managers"));
    assert_eq!(team.display(), "Release Managers");

    // A run without a gate has none.
    assert!(
        env.client
            .pending_deployments(REPO, 9001)
            .await
            .unwrap()
            .is_empty()
    );

    // Polled again: a conditional GET answered 304, which costs no quota.
    let again = env
        .client
        .pending_deployments(REPO, GATED_RUN)
        .await
        .unwrap();
    assert_eq!(again, pending);
    let last = env.sim.requests().pop().unwrap();
    assert_eq!(last.path, REVIEW_PATH);
    assert!(last.if_none_match.is_some());
    assert_eq!(last.status, 304);
    assert_eq!(env.client.stats().not_modified, 1);
}

#[tokio::test]
async fn approvals_list_the_review_history() {
    let env = start().await;
    // 8985 was approved the day before the scenario starts.
    let history = env.client.approvals(REPO, 8985).await.unwrap();
    assert_eq!(history.len(), 1, "{history:?}");
    let a = &history[0];
    assert_eq!(a.state, "approved");
    assert_eq!(a.user.login, "carol-sre");
    assert_eq!(a.comment, "Staging green since yesterday. Ship it.");
    assert_eq!(a.environments.len(), 1);
    assert_eq!(a.environments[0].id, Some(PRODUCTION_ID));
    assert_eq!(a.environments[0].name.as_deref(), Some("production"));
    // 9004 is still waiting: no reviews yet.
    assert!(
        env.client
            .approvals(REPO, GATED_RUN)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn approve_sends_exactly_one_post_with_exactly_the_documented_body() {
    let env = start().await;
    let deployments = env
        .client
        .review_pending(REPO, GATED_RUN, &[PRODUCTION_ID], true, "Ship it!")
        .await
        .unwrap();
    // The approval lets the deploy job start: GitHub answers with the deployment it made.
    assert_eq!(deployments.len(), 1, "{deployments:?}");
    assert_eq!(deployments[0].environment, "production");
    assert_eq!(deployments[0].git_ref, "v1.4.0");

    let sent = posts(&env.sim);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].path, REVIEW_PATH);
    assert_eq!(sent[0].status, 200);
    assert_eq!(
        sent[0].body,
        Some(
            json!({"environment_ids": [PRODUCTION_ID], "state": "approved", "comment": "Ship it!"})
        )
    );

    // The gate is gone and the review is in the history.
    assert!(
        env.client
            .pending_deployments(REPO, GATED_RUN)
            .await
            .unwrap()
            .is_empty()
    );
    let history = env.client.approvals(REPO, GATED_RUN).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].state.as_str(), history[0].comment.as_str()),
        ("approved", "Ship it!")
    );
}

#[tokio::test]
async fn reject_sends_exactly_one_post_with_state_rejected() {
    let env = start().await;
    let comment = "Not during the \"sale\" — wait for Monday";
    let deployments = env
        .client
        .review_pending(REPO, GATED_RUN, &[PRODUCTION_ID], false, comment)
        .await
        .unwrap();
    assert!(deployments.is_empty(), "{deployments:?}");

    let sent = posts(&env.sim);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(
        sent[0].body,
        Some(json!({"environment_ids": [PRODUCTION_ID], "state": "rejected", "comment": comment}))
    );
    let history = env.client.approvals(REPO, GATED_RUN).await.unwrap();
    assert_eq!(history[0].state, "rejected");
    assert_eq!(history[0].comment, comment);
}

#[tokio::test]
async fn a_second_review_is_refused_with_githubs_message() {
    let env = start().await;
    env.client
        .review_pending(REPO, GATED_RUN, &[PRODUCTION_ID], true, "first")
        .await
        .unwrap();
    // Someone else (or this operator in another window) reviews the same gate again.
    let err = env
        .client
        .review_pending(REPO, GATED_RUN, &[PRODUCTION_ID], false, "second")
        .await
        .unwrap_err();
    let ApiError::Unprocessable { what, message } = &err else {
        panic!("expected Unprocessable, got {err:?}");
    };
    assert_eq!(what, REVIEW_PATH);
    assert_eq!(
        message,
        "No pending deployment requests to approve or reject"
    );
    assert!(!err.is_transient());
    assert!(
        err.to_string()
            .contains("No pending deployment requests to approve or reject"),
        "{err}"
    );
    // One POST per call: the refused one was not re-sent.
    assert_eq!(posts(&env.sim).len(), 2);
    // The first review stands.
    let history = env.client.approvals(REPO, GATED_RUN).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].comment, "first");
}

#[tokio::test]
async fn a_server_error_on_review_is_returned_and_not_retried() {
    let env = start().await;
    env.sim
        .inject(FaultRule::on("pending_deployments", Fault::Status(500)).method(Method::POST));
    let err = env
        .client
        .review_pending(REPO, GATED_RUN, &[PRODUCTION_ID], true, "Ship it!")
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Http { status: 500, .. }), "{err:?}");
    let sent = posts(&env.sim);
    assert_eq!(
        sent.len(),
        1,
        "a failed review must not be re-sent: {sent:?}"
    );
    assert_eq!(sent[0].status, 500);
    // The fault stood in for the handler: the gate is still waiting.
    env.sim.clear_faults();
    assert_eq!(
        env.client
            .pending_deployments(REPO, GATED_RUN)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn list_workflows_and_read_a_workflow_file() {
    let env = start().await;
    let workflows = env.client.list_workflows(REPO).await.unwrap();
    let paths: Vec<&str> = workflows.iter().map(|w| w.path.as_str()).collect();
    assert_eq!(
        paths,
        vec![
            ".github/workflows/ci.yml",
            ".github/workflows/build.yml",
            ".github/workflows/deploy-staging.yml",
            ".github/workflows/deploy-production.yml",
        ]
    );
    let prod = workflows
        .iter()
        .find(|w| w.path.ends_with(DEPLOY_PROD))
        .unwrap();
    assert_eq!(prod.name, "Deploy Production");
    assert_eq!(prod.state, "active");

    let yaml = env
        .client
        .workflow_file(REPO, &prod.path, "main")
        .await
        .unwrap();
    let want = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/workflows/deploy-production.yml"
    ))
    .unwrap();
    assert_eq!(yaml, want);
    assert!(yaml.contains("workflow_dispatch:"));

    // A ref with a slash travels as a query value; the path keeps its separators.
    env.client
        .workflow_file(REPO, ".github/workflows/ci.yml", "feature/cart")
        .await
        .unwrap();
    let last = env.sim.requests().pop().unwrap();
    assert_eq!(
        last.path,
        "/repos/acme/shop/contents/.github/workflows/ci.yml"
    );
    assert_eq!(last.query.as_deref(), Some("ref=feature/cart"));

    let missing = env
        .client
        .workflow_file(REPO, ".github/workflows/nope.yml", "main")
        .await
        .unwrap_err();
    assert!(matches!(missing, ApiError::NotFound { .. }), "{missing:?}");
    let dir = env
        .client
        .workflow_file(REPO, ".github/workflows", "main")
        .await
        .unwrap_err();
    assert!(
        matches!(&dir, ApiError::Decode { detail, .. } if detail.contains("directory")),
        "{dir:?}"
    );
}

#[tokio::test]
async fn dispatch_returns_the_run_which_then_appears_in_the_runs_list() {
    let env = start().await;
    env.clock.advance(Duration::from_secs(60));
    let outcome = env
        .client
        .dispatch(
            REPO,
            DEPLOY_PROD,
            "v1.4.0",
            &inputs(json!({"version": "v1.4.0"})),
        )
        .await
        .unwrap();
    let id = outcome.run_id.expect("run details were asked for");
    assert!(!outcome.fell_back);
    let base = env.sim.base_url();
    assert_eq!(
        outcome.run_url,
        Some(format!("{base}/repos/acme/shop/actions/runs/{id}"))
    );
    assert!(
        outcome
            .html_url
            .as_deref()
            .is_some_and(|u| u.ends_with(&format!("/acme/shop/actions/runs/{id}"))),
        "{outcome:?}"
    );

    let sent = posts(&env.sim);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].path, DISPATCH_PATH);
    assert_eq!(
        sent[0].body,
        Some(json!({"ref": "v1.4.0", "inputs": {"version": "v1.4.0"}, "return_run_details": true}))
    );

    let runs = env.client.list_runs(REPO, None, None).await.unwrap().value;
    let run = runs
        .iter()
        .find(|r| r.id == id)
        .expect("dispatched run listed");
    assert_eq!(run.event, "workflow_dispatch");
    assert_eq!(run.head_branch.as_deref(), Some("v1.4.0"));
    assert_eq!(run.created_at, t0() + chrono::Duration::seconds(60));
}

#[tokio::test]
async fn legacy_server_gets_one_fallback_without_return_run_details() {
    let env = start_with(true).await;
    env.clock.advance(Duration::from_secs(60));
    let sent_at = env.clock.now();
    let outcome = env
        .client
        .dispatch(
            REPO,
            DEPLOY_PROD,
            "v1.4.0",
            &inputs(json!({"version": "v1.4.0"})),
        )
        .await
        .unwrap();
    assert_eq!(
        outcome,
        DispatchOutcome {
            run_id: None,
            run_url: None,
            html_url: None,
            fell_back: true
        }
    );

    let sent = posts(&env.sim);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[0].status, 422);
    assert_eq!(
        sent[0].body,
        Some(json!({"ref": "v1.4.0", "inputs": {"version": "v1.4.0"}, "return_run_details": true}))
    );
    assert_eq!(sent[1].status, 204);
    assert_eq!(
        sent[1].body,
        Some(json!({"ref": "v1.4.0", "inputs": {"version": "v1.4.0"}}))
    );

    // Without run details the caller finds the run: the oldest workflow_dispatch run of the
    // workflow on that ref created since the send. 9004 (same workflow and ref, five minutes
    // earlier) must not be taken for it.
    let run = env
        .client
        .find_dispatched_run(REPO, DEPLOY_PROD, "refs/tags/v1.4.0", sent_at)
        .await
        .unwrap()
        .expect("the dispatched run is listed");
    assert_ne!(run.id, GATED_RUN);
    assert_eq!(run.created_at, sent_at);
    assert_eq!(run.event, "workflow_dispatch");
    let last = env.sim.requests().pop().unwrap();
    assert_eq!(
        last.path,
        "/repos/acme/shop/actions/workflows/deploy-production.yml/runs"
    );
    assert_eq!(
        last.query.as_deref(),
        Some("event=workflow_dispatch&branch=v1.4.0&per_page=30")
    );
    // Nothing newer yet: None, poll again later.
    let later = sent_at + chrono::Duration::seconds(1);
    assert_eq!(
        env.client
            .find_dispatched_run(REPO, DEPLOY_PROD, "v1.4.0", later)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn a_bad_input_is_refused_once_and_never_retried() {
    let env = start().await;
    let before = env.client.list_runs(REPO, None, None).await.unwrap().value;
    let err = env
        .client
        .dispatch(
            REPO,
            DEPLOY_PROD,
            "v1.4.0",
            &inputs(json!({"verison": "v1.4.0"})),
        )
        .await
        .unwrap_err();
    let ApiError::Unprocessable { message, .. } = &err else {
        panic!("expected Unprocessable, got {err:?}");
    };
    assert_eq!(message, "Unexpected inputs provided: [\"verison\"]");
    assert_eq!(posts(&env.sim).len(), 1, "a 422 must not be re-sent");

    // A missing required input: likewise one POST, GitHub's message.
    let err = env
        .client
        .dispatch(REPO, DEPLOY_PROD, "v1.4.0", &Map::new())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ApiError::Unprocessable { message, .. } if message == "Required input 'version' not provided"),
        "{err:?}"
    );
    assert_eq!(posts(&env.sim).len(), 2);
    // Nothing was dispatched.
    let after = env.client.list_runs(REPO, None, None).await.unwrap().value;
    assert_eq!(after.len(), before.len());
}

#[tokio::test]
async fn legacy_server_with_a_bad_input_surfaces_the_input_error() {
    let env = start_with(true).await;
    let err = env
        .client
        .dispatch(
            REPO,
            DEPLOY_PROD,
            "v1.4.0",
            &inputs(json!({"verison": "v1.4.0"})),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ApiError::Unprocessable { message, .. } if message.starts_with("Unexpected inputs provided")),
        "{err:?}"
    );
    // The field refusal, then the real one; no third attempt.
    let sent = posts(&env.sim);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent.iter().all(|r| r.status == 422));
    assert!(
        sent[1]
            .body
            .as_ref()
            .unwrap()
            .get("return_run_details")
            .is_none()
    );
}

#[tokio::test]
async fn a_server_error_on_dispatch_is_not_retried() {
    let env = start().await;
    env.sim
        .inject(FaultRule::on("/dispatches", Fault::Status(502)).method(Method::POST));
    let err = env
        .client
        .dispatch(
            REPO,
            DEPLOY_PROD,
            "v1.4.0",
            &inputs(json!({"version": "v1.4.0"})),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Http { status: 502, .. }), "{err:?}");
    // A 5xx may have dispatched a run: exactly one POST, whatever is_transient() says.
    assert_eq!(posts(&env.sim).len(), 1);
}
