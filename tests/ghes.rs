//! GitHub Enterprise Server: the API under `/api/v3`. The simulator serves it there (and
//! answers a plain 404 at the root), the client is given `api_url = ".../api/v3"`, and every
//! call — including the log redirect it follows and the dispatch it falls back on — must stay
//! under the prefix. The simulator records every request, so the tests check the paths
//! themselves, not just that the answers decoded.

mod support;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::KeyCode;

use cockpit::clock::{ManualClock, SharedClock};
use cockpit::github::client::{ClientOptions, HttpGitHub};
use cockpit::github::error::ApiError;
use cockpit::github::{GitHub, ROLLBACK_TASK};
use cockpit::model::{Dialog, Screen};
use cockpit::sim::{RecordedRequest, SimOptions, Simulator};
use support::harness::{Harness, HarnessOptions};

const PREFIX: &str = "/api/v3";
const REPO: &str = "acme/shop";
const TOKEN: &str = "ghp_enterpriseT0kenNeverShown";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap()
}

fn client(api_url: &str, clock: &ManualClock) -> HttpGitHub {
    let shared: SharedClock = Arc::new(clock.clone());
    HttpGitHub::new(ClientOptions {
        api_url: api_url.to_string(),
        token: Some(TOKEN.into()),
        token_source: "$GH_TOKEN".into(),
        timeout: Duration::from_secs(10),
        clock: shared,
        proxy: cockpit::github::proxy::ProxyConfig::none(),
    })
    .unwrap()
}

async fn ghes_sim(clock: &ManualClock, legacy_dispatch: bool) -> Simulator {
    let mut opts = SimOptions::new(Arc::new(clock.clone()));
    opts.require_token = Some(TOKEN.into());
    opts.api_prefix = PREFIX.into();
    opts.legacy_dispatch = legacy_dispatch;
    Simulator::start(opts).await.unwrap()
}

/// Requests that are not the environments' or the simulator's own (`/_env/`, `/_sim/`).
fn github_requests(sim: &Simulator) -> Vec<RecordedRequest> {
    sim.requests()
        .into_iter()
        .filter(|r| !r.path.starts_with("/_env/") && !r.path.starts_with("/_sim"))
        .collect()
}

/// Every GitHub request went to the API under the prefix, carrying the token, and was
/// answered — except the log downloads, which went to the log host without the token.
fn assert_all_under_prefix(reqs: &[RecordedRequest]) {
    assert!(!reqs.is_empty());
    for r in reqs {
        if r.path.starts_with("/_logs/") {
            assert_eq!(r.method, "GET", "{r:?}");
            assert_eq!(
                r.authorization, None,
                "the token went to the log host: {r:?}"
            );
            continue;
        }
        assert!(
            r.path.starts_with(&format!("{PREFIX}/")),
            "a request outside {PREFIX}: {} {}",
            r.method,
            r.path
        );
        assert!(
            r.authorization
                .as_deref()
                .is_some_and(|a| a.contains(TOKEN)),
            "API request without the token: {r:?}"
        );
        assert_ne!(r.status, 404, "answered 404: {} {}", r.method, r.path);
    }
}

#[tokio::test]
async fn every_client_call_stays_under_the_prefix() {
    let clock = ManualClock::new(t0());
    let sim = ghes_sim(&clock, false).await;
    assert_eq!(sim.api_url(), format!("{}{PREFIX}", sim.base_url()));
    // A trailing slash in the config is as good as none.
    let gh = client(&format!("{}/", sim.api_url()), &clock);

    // Reading: runs (all, one workflow, one branch), a run, its jobs, a log.
    let runs = gh.list_runs(REPO, None, None).await.unwrap().value;
    assert!(runs.iter().any(|r| r.id == 9004));
    let ci = gh
        .list_runs(REPO, Some("ci.yml"), Some("feature/cart"))
        .await
        .unwrap()
        .value;
    assert!(ci.iter().any(|r| r.id == 9002), "{ci:?}");
    assert_eq!(gh.get_run(REPO, 9002).await.unwrap().value.id, 9002);
    let jobs = gh.list_jobs(REPO, 9002).await.unwrap().value;
    let test_job = jobs.iter().find(|j| j.name == "test").unwrap();
    let log = gh.job_log(REPO, test_job.id).await.unwrap();
    assert!(String::from_utf8_lossy(&log).contains("##[error]"));
    // A conditional GET again: 304 from the same prefixed path.
    assert!(gh.list_runs(REPO, None, None).await.unwrap().not_modified);

    // A gate: read it, approve it.
    let pending = gh.pending_deployments(REPO, 9004).await.unwrap();
    let env_ids: Vec<u64> = pending.iter().filter_map(|p| p.environment.id).collect();
    assert_eq!(env_ids, [202]);
    gh.approvals(REPO, 9004).await.unwrap();
    gh.review_pending(REPO, 9004, &env_ids, true, "ship it")
        .await
        .unwrap();

    // Dispatch: the workflow file over the contents API, the POST, the run found again.
    gh.list_workflows(REPO).await.unwrap();
    let yaml = gh
        .workflow_file(REPO, ".github/workflows/deploy-production.yml", "main")
        .await
        .unwrap();
    assert!(yaml.contains("workflow_dispatch"));
    let inputs = serde_json::Map::from_iter([("version".to_string(), "v1.4.0".into())]);
    let outcome = gh
        .dispatch(REPO, "deploy-production.yml", "v1.4.0", &inputs)
        .await
        .unwrap();
    let run_id = outcome.run_id.unwrap();
    // The server's own links carry the prefix too.
    let run_url = outcome.run_url.unwrap_or_default();
    assert!(
        run_url.starts_with(&format!("{}/repos/", sim.api_url())),
        "{run_url}"
    );
    let found = gh
        .find_dispatched_run(REPO, "deploy-production.yml", "v1.4.0", t0())
        .await
        .unwrap();
    assert_eq!(found.map(|r| r.id), Some(run_id));

    // Re-runs and cancels.
    gh.rerun(REPO, 9002, true).await.unwrap();
    gh.cancel(REPO, 9001).await.unwrap();

    // Deployments, releases, compare, a rollback recorded and looked up.
    let deployments = gh.deployments(REPO, "production", 5).await.unwrap();
    assert!(!deployments.is_empty());
    gh.list_releases(REPO, 10).await.unwrap();
    let cmp = gh.compare(REPO, "v1.3.2", "v1.4.0").await.unwrap();
    assert!(!cmp.commits.is_empty());
    let d = gh
        .create_deployment(REPO, "v1.3.2", "production", ROLLBACK_TASK, "rollback")
        .await
        .unwrap();
    gh.create_deployment_status(REPO, d.id, "in_progress", "rolling back", None)
        .await
        .unwrap();
    let active = gh
        .active_rollback(REPO, "production", Duration::from_secs(600))
        .await
        .unwrap();
    assert_eq!(active.map(|a| a.deployment.id), Some(d.id));
    let rate = gh.rate_limit().await.unwrap();
    assert_eq!(rate.limit, 5000);

    let reqs = github_requests(&sim);
    assert_all_under_prefix(&reqs);
    assert!(
        reqs.iter().any(|r| r.path.starts_with("/_logs/jobs/")),
        "the log was not fetched from the log host"
    );
    for suffix in [
        "/pending_deployments",
        "/dispatches",
        "/rerun-failed-jobs",
        "/cancel",
        "/deployments",
        "/statuses",
    ] {
        let posts: Vec<_> = reqs
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with(suffix))
            .collect();
        assert_eq!(posts.len(), 1, "one POST to …{suffix}: {posts:?}");
    }
    assert!(
        reqs.iter().any(|r| r.path
            == "/api/v3/repos/acme/shop/contents/.github/workflows/deploy-production.yml")
    );
}

#[tokio::test]
async fn the_api_is_not_at_the_root_so_a_lost_prefix_shows() {
    let clock = ManualClock::new(t0());
    let sim = ghes_sim(&clock, false).await;
    // Configured without `/api/v3`, as a user might: GitHub Enterprise answers its web UI's
    // 404 there; the client says what it could not find, and the quota is untouched.
    let gh = client(&sim.base_url(), &clock);
    let err = gh.list_runs(REPO, None, None).await.unwrap_err();
    assert!(
        matches!(&err, ApiError::NotFound { what } if what == "/repos/acme/shop/actions/runs"),
        "{err:?}"
    );
    assert_eq!(sim.stats().quota_costing, 0);
    assert_eq!(sim.rate_limit_remaining(), 5000);
    // A path that only starts like the prefix is not under it.
    let http = reqwest::Client::new();
    let resp = http
        .get(format!("{}/api/v3x/rate_limit", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn pages_and_links_the_server_builds_carry_the_prefix() {
    let clock = ManualClock::new(t0());
    let sim = ghes_sim(&clock, false).await;
    let http = reqwest::Client::new();
    let api = sim.api_url();
    let resp = http
        .get(format!("{api}/repos/{REPO}/actions/runs?per_page=2"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let link = resp.headers()["link"].to_str().unwrap().to_string();
    assert!(
        link.contains(&format!("<{api}/repos/{REPO}/actions/runs?")),
        "{link}"
    );
    let body: serde_json::Value = resp.json().await.unwrap();
    let run = &body["workflow_runs"][0];
    for key in ["url", "jobs_url", "logs_url"] {
        let url = run[key].as_str().unwrap();
        assert!(url.starts_with(&format!("{api}/repos/")), "{key}: {url}");
    }
    // The log redirect leaves the API for the log host, at the server's root.
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let job_id = 30_000_000_000u64 + 9002 * 10_000 + 100;
    let resp = no_redirects
        .get(format!("{api}/repos/{REPO}/actions/jobs/{job_id}/logs"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    let location = resp.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with(&format!("{}/_logs/jobs/{job_id}?", sim.base_url())),
        "{location}"
    );
}

#[tokio::test]
async fn an_old_enterprise_server_dispatch_falls_back_under_the_prefix() {
    let clock = ManualClock::new(t0());
    let sim = ghes_sim(&clock, true).await;
    let gh = client(&sim.api_url(), &clock);
    let outcome = gh
        .dispatch(REPO, "deploy-staging.yml", "main", &serde_json::Map::new())
        .await
        .unwrap();
    assert!(outcome.fell_back);
    assert_eq!(outcome.run_id, None);
    let posts: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .map(|r| (r.path, r.status))
        .collect();
    let path = "/api/v3/repos/acme/shop/actions/workflows/deploy-staging.yml/dispatches";
    assert_eq!(posts, [(path.to_string(), 422), (path.to_string(), 204)]);
}

/// The cockpit itself on GHES: the demo's config pointed at `…/api/v3`, driven by keys.
#[tokio::test]
async fn the_cockpit_lists_opens_logs_approves_and_dispatches_under_the_prefix() {
    let mut h = Harness::start_with_sim(
        HarnessOptions {
            environments: true,
            require_token: Some(TOKEN.into()),
            token: Some(TOKEN.into()),
            ..HarnessOptions::default()
        },
        |o| o.api_prefix = PREFIX.into(),
    )
    .await;
    let ready = h
        .run_until(Duration::from_secs(30), |h| {
            h.run_ids().contains(&9002) && h.model.gates.iter().any(|g| g.data.is_some())
        })
        .await;
    assert!(
        ready,
        "runs or the gate never arrived: {:?}",
        h.model.last_error()
    );
    assert!(h.model.last_error().is_none());

    // The failed CI run: detail, then its log at the first error.
    h.open_run(9002).await;
    h.run_for(Duration::from_secs(1)).await;
    h.key(KeyCode::Char('l')).await;
    assert_eq!(h.model.screen, Screen::Logs);
    let log = h.model.log.as_ref().unwrap();
    assert!(log.text.is_some(), "no log text: {:?}", log.error);
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Esc).await;

    // Approve the production gate: comment, phrase.
    h.key(KeyCode::Char('3')).await;
    h.key(KeyCode::Char('a')).await;
    h.key(KeyCode::Enter).await;
    assert!(matches!(h.model.dialog, Some(Dialog::Phrase(_))));
    h.type_text("production v1.4.0").await;
    h.key(KeyCode::Enter).await;
    assert_eq!(h.posts_to("/pending_deployments").len(), 1);

    // Dispatch staging from the palette: the form, y/N, one POST.
    h.key(KeyCode::Char(':')).await;
    h.type_text("dispatch deploy-staging.yml main").await;
    h.key(KeyCode::Enter).await;
    assert!(
        matches!(h.model.dialog, Some(Dialog::Dispatch(_))),
        "{:?} / {:?}",
        h.model.dialog,
        h.model.flash
    );
    h.key(KeyCode::Enter).await;
    assert!(matches!(h.model.dialog, Some(Dialog::Confirm(_))));
    h.key(KeyCode::Char('y')).await;
    assert_eq!(h.posts_to("/dispatches").len(), 1);
    h.run_for(Duration::from_secs(5)).await;

    assert_all_under_prefix(&github_requests(&h.sim));
    let reqs = github_requests(&h.sim);
    for needle in [
        "/api/v3/repos/acme/shop/actions/runs",
        "/api/v3/repos/acme/shop/actions/runs/9002/jobs",
        "/api/v3/repos/acme/shop/actions/runs/9004/pending_deployments",
        "/api/v3/repos/acme/shop/contents/.github/workflows/deploy-staging.yml",
        "/api/v3/repos/acme/shop/deployments",
    ] {
        assert!(
            reqs.iter().any(|r| r.path == needle),
            "never requested {needle}"
        );
    }
    assert!(reqs.iter().any(|r| r.path.starts_with("/_logs/jobs/")));
}

/// GitHub Enterprise's default: API rate limiting off. No `x-ratelimit-*` headers, and
/// `/rate_limit` is a 404 — cockpit shows no quota and carries on, nothing is stretched.
#[tokio::test]
async fn with_rate_limiting_off_there_is_no_quota_and_nothing_breaks() {
    let clock = ManualClock::new(t0());
    let mut opts = SimOptions::new(Arc::new(clock.clone()));
    opts.api_prefix = PREFIX.into();
    opts.rate_limiting_disabled = true;
    opts.require_token = Some(TOKEN.into());
    let sim = Simulator::start(opts).await.unwrap();
    let gh = client(&sim.api_url(), &clock);
    assert!(
        !gh.list_runs(REPO, None, None)
            .await
            .unwrap()
            .value
            .is_empty()
    );
    assert_eq!(gh.last_rate(), None);
    let err = gh.rate_limit().await.unwrap_err();
    assert!(matches!(err, ApiError::NotFound { .. }), "{err:?}");

    let mut h = Harness::start_with_sim(
        HarnessOptions {
            environments: true,
            require_token: Some(TOKEN.into()),
            token: Some(TOKEN.into()),
            ..HarnessOptions::default()
        },
        |o| {
            o.api_prefix = PREFIX.into();
            o.rate_limiting_disabled = true;
        },
    )
    .await;
    h.run_for(Duration::from_secs(20)).await;
    assert!(h.run_ids().contains(&9004));
    assert!(h.model.last_error().is_none(), "{:?}", h.model.last_error());
    assert_eq!(h.model.rate, None);
    assert_eq!(h.model.rate_wait, None);
    // Active runs are listed every `active_poll` (2 s), unstretched.
    let lists = github_requests(&h.sim)
        .iter()
        .filter(|r| r.path == "/api/v3/repos/acme/shop/actions/runs")
        .count();
    assert!((9..=12).contains(&lists), "{lists} lists in 20 s");
}

#[tokio::test(flavor = "multi_thread")]
async fn status_on_an_enterprise_server_without_rate_limiting() {
    let mut opts = SimOptions::new(Arc::new(cockpit::clock::SystemClock));
    opts.api_prefix = PREFIX.into();
    opts.rate_limiting_disabled = true;
    opts.require_token = Some(TOKEN.into());
    let sim = Simulator::start(opts).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("cockpit.toml");
    std::fs::write(
        &config,
        format!(
            "[github]\napi_url = \"{}\"\n\n[[repo]]\nname = \"{REPO}\"\n",
            sim.api_url()
        ),
    )
    .unwrap();
    let home = dir.path().to_owned();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_cockpit"))
            .arg("--config")
            .arg(&config)
            .args(["status", "--json"])
            .env("XDG_STATE_HOME", home.join("state"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("GH_TOKEN", TOKEN)
            .env_remove("GITHUB_TOKEN")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["rate_limit"], serde_json::Value::Null);
    assert_eq!(report["errors"], serde_json::json!([]));
    assert!(
        report["runs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == 9004)
    );
    assert_eq!(report["gates"][0]["run_id"], 9004);
    assert!(
        sim.requests()
            .iter()
            .all(|r| r.path.starts_with("/api/v3/"))
    );
}
