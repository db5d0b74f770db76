//! `HttpGitHub`'s rollback calls against the embedded simulator over real HTTP on 127.0.0.1:
//! a rollback deployment created with exactly the body GitHub documents and sent once, its
//! statuses in order, the live version following a successful one, the in-flight rollback
//! other operators see (and the stale or finished ones they must not), releases, and the
//! commits a rollback undoes.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use cockpit::clock::{ManualClock, SharedClock};
use cockpit::github::client::{ClientOptions, HttpGitHub};
use cockpit::github::error::ApiError;
use cockpit::github::proxy::ProxyConfig;
use cockpit::github::{GitHub, ROLLBACK_TASK};
use cockpit::sim::{Fault, FaultRule, RecordedRequest, SimOptions, Simulator};
use http::Method;
use serde_json::{Value, json};

const REPO: &str = "acme/shop";
const TOKEN: &str = "ghp_rollbackTestToken";
const DEPLOYMENTS_PATH: &str = "/repos/acme/shop/deployments";
/// The rollback timeout the tests pass as `stale_after`.
const STALE_AFTER: Duration = Duration::from_secs(30 * 60);
/// The simulator's authenticated user: the creator of everything these tests post.
const VIEWER: &str = "octocat";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap()
}

struct Env {
    sim: Simulator,
    clock: ManualClock,
    client: HttpGitHub,
}

async fn start() -> Env {
    let clock = ManualClock::new(t0());
    let mut opts = SimOptions::new(Arc::new(clock.clone()));
    opts.require_token = Some(TOKEN.into());
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

fn posts(sim: &Simulator) -> Vec<RecordedRequest> {
    sim.requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect()
}

/// What the environment itself reports as live (`/_env/{env}/version`).
async fn live_version(sim: &Simulator, env: &str) -> Option<String> {
    let v: Value = reqwest::get(sim.version_url(env))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["version"].as_str().map(String::from)
}

async fn start_rollback(env: &Env, target: &str) -> u64 {
    env.client
        .create_deployment(
            REPO,
            target,
            "production",
            ROLLBACK_TASK,
            &format!("Rollback to {target}"),
        )
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn create_deployment_sends_one_post_with_the_exact_body() {
    let env = start().await;
    let d = env
        .client
        .create_deployment(
            REPO,
            "v1.3.2",
            "production",
            ROLLBACK_TASK,
            "Rollback to v1.3.2",
        )
        .await
        .unwrap();
    assert_eq!(d.task, "rollback");
    assert_eq!(d.git_ref, "v1.3.2");
    assert_eq!(d.environment, "production");
    assert_eq!(d.description.as_deref(), Some("Rollback to v1.3.2"));
    assert_eq!(d.creator.as_ref().map(|u| u.login.as_str()), Some(VIEWER));
    assert_eq!(d.created_at, t0());

    let sent = posts(&env.sim);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].path, DEPLOYMENTS_PATH);
    assert_eq!(sent[0].status, 201);
    assert_eq!(
        sent[0].body,
        Some(json!({
            "ref": "v1.3.2",
            "environment": "production",
            "task": "rollback",
            "auto_merge": false,
            "required_contexts": [],
            "description": "Rollback to v1.3.2",
            "transient_environment": false,
        }))
    );
}

#[tokio::test]
async fn statuses_in_progress_then_success_finish_the_rollback_and_move_the_live_version() {
    let env = start().await;
    let before = live_version(&env.sim, "production").await;
    assert_ne!(before.as_deref(), Some("v1.3.1"), "the test needs a change");
    let id = start_rollback(&env, "v1.3.1").await;

    let running = env
        .client
        .create_deployment_status(
            REPO,
            id,
            "in_progress",
            "Rolling back to v1.3.1",
            Some("https://ci.example.com/rollback/1"),
        )
        .await
        .unwrap();
    assert_eq!(running.state, "in_progress");
    assert_eq!(
        running.log_url.as_deref(),
        Some("https://ci.example.com/rollback/1")
    );
    let active = env
        .client
        .active_rollback(REPO, "production", STALE_AFTER)
        .await
        .unwrap()
        .expect("an in-progress rollback is active");
    assert_eq!(active.deployment.id, id);
    assert_eq!(active.state(), "in_progress");
    assert_eq!(active.by(), VIEWER);
    // Not live until it succeeded.
    assert_eq!(live_version(&env.sim, "production").await, before);

    env.clock.advance(Duration::from_secs(90));
    let done = env
        .client
        .create_deployment_status(REPO, id, "success", "Rolled back to v1.3.1", None)
        .await
        .unwrap();
    assert_eq!(done.state, "success");
    assert_eq!(
        env.client
            .active_rollback(REPO, "production", STALE_AFTER)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        live_version(&env.sim, "production").await.as_deref(),
        Some("v1.3.1")
    );

    let path = format!("{DEPLOYMENTS_PATH}/{id}/statuses");
    let sent = posts(&env.sim);
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert_eq!(sent[1].path, path);
    assert_eq!(
        sent[1].body,
        Some(json!({
            "state": "in_progress",
            "description": "Rolling back to v1.3.1",
            "log_url": "https://ci.example.com/rollback/1",
        }))
    );
    assert_eq!(sent[2].path, path);
    assert_eq!(
        sent[2].body,
        Some(json!({ "state": "success", "description": "Rolled back to v1.3.1" }))
    );
}

#[tokio::test]
async fn a_failed_rollback_is_no_longer_active_and_changes_nothing_live() {
    let env = start().await;
    let before = live_version(&env.sim, "production").await;
    let id = start_rollback(&env, "v1.3.1").await;
    env.client
        .create_deployment_status(REPO, id, "in_progress", "Rolling back", None)
        .await
        .unwrap();
    // GitHub refuses descriptions over 140 characters: the client cuts them.
    let long = format!("rollback.sh exited with 3: {}", "x".repeat(200));
    let failed = env
        .client
        .create_deployment_status(REPO, id, "failure", &long, None)
        .await
        .unwrap();
    assert_eq!(failed.state, "failure");
    let states: Vec<(String, usize)> = posts(&env.sim)[1..]
        .iter()
        .map(|r| {
            let b = r.body.as_ref().unwrap();
            (
                b["state"].as_str().unwrap().to_string(),
                b["description"].as_str().unwrap().chars().count(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("in_progress".to_string(), 12),
            ("failure".to_string(), 140)
        ]
    );
    assert_eq!(
        env.client
            .active_rollback(REPO, "production", STALE_AFTER)
            .await
            .unwrap(),
        None
    );
    assert_eq!(live_version(&env.sim, "production").await, before);
}

#[tokio::test]
async fn a_rollback_without_status_blocks_until_it_goes_stale() {
    let env = start().await;
    assert_eq!(
        env.client
            .active_rollback(REPO, "production", STALE_AFTER)
            .await
            .unwrap(),
        None,
        "the scenario has deploys, no rollbacks"
    );
    // Neither a plain deploy nor a rollback of another environment counts.
    env.client
        .create_deployment(REPO, "v1.4.0", "production", "deploy", "Deploy v1.4.0")
        .await
        .unwrap();
    env.client
        .create_deployment(REPO, "v1.3.2", "staging", ROLLBACK_TASK, "Rollback")
        .await
        .unwrap();
    assert_eq!(
        env.client
            .active_rollback(REPO, "production", STALE_AFTER)
            .await
            .unwrap(),
        None
    );

    // Created, first status not posted yet: another operator must already be blocked.
    let id = start_rollback(&env, "v1.3.2").await;
    let active = env
        .client
        .active_rollback(REPO, "production", STALE_AFTER)
        .await
        .unwrap()
        .expect("a fresh rollback without status is active");
    assert_eq!(active.deployment.id, id);
    assert_eq!(active.state(), "created");
    assert_eq!(active.by(), VIEWER);
    let listed = env
        .sim
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.method == "GET" && r.path == DEPLOYMENTS_PATH)
        .unwrap();
    let query = listed.query.unwrap_or_default();
    assert!(query.contains("environment=production"), "{query}");
    assert!(query.contains("task=rollback"), "{query}");

    // The operator's cockpit died: past the rollback timeout it blocks nobody.
    env.clock.advance(STALE_AFTER + Duration::from_secs(1));
    assert_eq!(
        env.client
            .active_rollback(REPO, "production", STALE_AFTER)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn a_newer_rollback_in_progress_is_found_past_a_stale_one() {
    let env = start().await;
    let stale = start_rollback(&env, "v1.3.1").await;
    env.client
        .create_deployment_status(REPO, stale, "in_progress", "Rolling back", None)
        .await
        .unwrap();
    env.clock.advance(STALE_AFTER * 2);
    let fresh = start_rollback(&env, "v1.3.2").await;
    env.client
        .create_deployment_status(REPO, fresh, "queued", "Waiting for the host", None)
        .await
        .unwrap();
    let active = env
        .client
        .active_rollback(REPO, "production", STALE_AFTER)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(active.deployment.id, fresh);
    assert_eq!(active.state(), "queued");
}

#[tokio::test]
async fn releases_are_listed_newest_first() {
    let env = start().await;
    let releases = env.client.list_releases(REPO, 10).await.unwrap();
    let tags: Vec<&str> = releases.iter().map(|r| r.tag_name.as_str()).collect();
    assert_eq!(tags, ["v1.4.0", "v1.3.2", "v1.3.1", "v1.3.0"]);
    assert!(
        releases
            .iter()
            .all(|r| !r.draft && r.published_at.is_some())
    );
    let last = env.sim.requests().pop().unwrap();
    assert_eq!(last.path, "/repos/acme/shop/releases");
    assert_eq!(last.query.as_deref(), Some("per_page=10"));

    // Polled again: a 304 from the cache.
    assert_eq!(env.client.list_releases(REPO, 10).await.unwrap(), releases);
    assert_eq!(env.sim.requests().pop().unwrap().status, 304);
}

#[tokio::test]
async fn compare_lists_the_commits_a_rollback_undoes_oldest_first() {
    let env = start().await;
    // Rolling production back from v1.4.0 to v1.3.2 undoes compare(v1.3.2, v1.4.0).
    let c = env.client.compare(REPO, "v1.3.2", "v1.4.0").await.unwrap();
    assert_eq!(c.status, "ahead");
    assert_eq!((c.ahead_by, c.behind_by, c.total_commits), (4, 0, 4));
    let messages: Vec<&str> = c
        .commits
        .iter()
        .map(|c| c.commit.message.as_str())
        .collect();
    // GitHub's order: chronological, the head last.
    assert_eq!(
        messages,
        [
            "Add saved carts API",
            "Migrate sessions to Redis",
            "Bump tokio to 1.48",
            "Release v1.4.0",
        ]
    );
    assert_eq!(
        env.sim.requests().pop().unwrap().path,
        "/repos/acme/shop/compare/v1.3.2...v1.4.0"
    );

    // A branch with a `/` is sent as is (GitHub reads `basehead` across segments).
    let c = env
        .client
        .compare(REPO, "v1.4.0", "feature/cart")
        .await
        .unwrap();
    let messages: Vec<&str> = c
        .commits
        .iter()
        .map(|c| c.commit.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "Log slow checkout queries",
            "Cart: split shipping and tax lines",
            "Cart: handle expired coupons",
        ]
    );

    // An unknown ref is a 404 naming the comparison.
    let err = env
        .client
        .compare(REPO, "v9.9.9", "v1.4.0")
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn a_server_error_on_create_is_returned_and_not_retried() {
    let env = start().await;
    env.sim
        .inject(FaultRule::on("/deployments", Fault::Status(500)).method(Method::POST));
    let err = env
        .client
        .create_deployment(REPO, "v1.3.2", "production", ROLLBACK_TASK, "Rollback")
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Http { status: 500, .. }), "{err:?}");
    let sent = posts(&env.sim);
    assert_eq!(
        sent.len(),
        1,
        "a failed create must not be re-sent: {sent:?}"
    );
    assert_eq!(sent[0].status, 500);
    // The fault stood in for the handler: no rollback exists.
    env.sim.clear_faults();
    assert_eq!(
        env.client
            .active_rollback(REPO, "production", STALE_AFTER)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn an_unknown_ref_is_refused_once_with_githubs_message() {
    let env = start().await;
    let err = env
        .client
        .create_deployment(REPO, "v0.0.1", "production", ROLLBACK_TASK, "Rollback")
        .await
        .unwrap_err();
    match &err {
        ApiError::Unprocessable { what, message } => {
            assert_eq!(what, DEPLOYMENTS_PATH);
            assert!(message.contains("v0.0.1"), "{message}");
        }
        other => panic!("expected 422, got {other:?}"),
    }
    assert_eq!(posts(&env.sim).len(), 1);
}
