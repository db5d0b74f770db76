//! The environments half of `update`, pure: probe scheduling, thresholds, one alert per
//! transition, the cutover window and what opens it. Fixed time, no I/O.

use std::path::Path;
use std::time::Duration;

use chrono::Duration as CDuration;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

use cockpit::config;
use cockpit::fixtures::{RunSpec, model_with_runs, run, t0};
use cockpit::github::error::ApiError;
use cockpit::github::models::{Deployment, DeploymentStatus};
use cockpit::github::{DeploymentState, Fetched};
use cockpit::health::{Health, ProbeOutcome};
use cockpit::model::env::Verdict;
use cockpit::model::{Model, Screen, SourceKey};
use cockpit::msg::{Cmd, Msg};
use cockpit::update::update;

const CONFIG: &str = r#"
[github]
poll = "15s"
active_poll = "3s"

[[repo]]
name = "acme/shop"

[monitor]
failure_threshold = 3
success_threshold = 2
cutover_window = "5m"
cutover_interval = "2s"

[[environment]]
name = "staging"
  [[environment.check]]
  name = "api"
  url = "http://127.0.0.1:1/api/health/"

[[environment]]
name = "production"
protected = true
  [[environment.check]]
  name = "api"
  url = "http://127.0.0.1:1/api/health/"
  interval = "10s"
  timeout = "5s"
  [environment.version]
  url = "http://127.0.0.1:1/version"
  json_pointer = "/version"
"#;

const PROD: usize = 1;

fn model() -> Model {
    let cfg = config::parse_str(CONFIG, Path::new("test.toml")).unwrap();
    let mut m = cockpit::tui::initial_model(&cfg, false, t0());
    m.height = 40;
    m
}

fn ok() -> ProbeOutcome {
    ProbeOutcome {
        http_status: Some(200),
        latency: Duration::from_millis(12),
        result: Ok(()),
    }
}

fn fail() -> ProbeOutcome {
    ProbeOutcome {
        http_status: Some(503),
        latency: Duration::from_millis(30),
        result: Err("503".into()),
    }
}

fn at(s: i64) -> chrono::DateTime<chrono::Utc> {
    t0() + CDuration::seconds(s)
}

fn probe(m: &mut Model, outcome: ProbeOutcome, s: i64) -> Vec<Cmd> {
    update(
        m,
        Msg::Probe {
            env: PROD,
            check: 0,
            outcome,
        },
        at(s),
    )
}

fn notifies(cmds: &[Cmd]) -> Vec<String> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Notify(a) => Some(a.title.clone()),
            _ => None,
        })
        .collect()
}

fn deployment(id: u64, git_ref: &str, state: &str) -> DeploymentState {
    let d: Deployment = serde_json::from_value(json!({
        "id": id, "sha": "4f9c2b1d0e8a7c6b5a493827161504f3e2d1c0b9", "ref": git_ref, "task": "deploy",
        "environment": "production", "description": null, "creator": {"login": "carol-sre", "id": 3},
        "created_at": t0(), "updated_at": t0(),
        "statuses_url": "https://api.github.com/repos/acme/shop/deployments/1/statuses", "payload": {},
        "original_environment": "production"
    }))
    .unwrap();
    let s: DeploymentStatus = serde_json::from_value(json!({
        "id": id * 10, "state": state, "description": null, "environment": "production", "creator": null,
        "created_at": t0(), "updated_at": t0(), "target_url": null, "log_url": null, "environment_url": null
    }))
    .unwrap();
    DeploymentState {
        deployment: d,
        status: Some(s),
    }
}

#[test]
fn first_tick_probes_every_check_reads_versions_and_deployments() {
    let mut m = model();
    let cmds = update(&mut m, Msg::Tick, t0());
    let probes = cmds
        .iter()
        .filter(|c| matches!(c, Cmd::Probe { .. }))
        .count();
    assert_eq!(probes, 2);
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::FetchVersion { env: PROD, .. }))
    );
    assert_eq!(
        cmds.iter()
            .filter(|c| matches!(c, Cmd::FetchDeployments { .. }))
            .count(),
        2
    );
    // In flight: nothing again on the next tick.
    assert!(
        !update(&mut m, Msg::Tick, at(1))
            .iter()
            .any(|c| matches!(c, Cmd::Probe { .. }))
    );
}

#[test]
fn probes_go_on_while_github_rate_limits() {
    let mut m = model();
    update(&mut m, Msg::Tick, t0());
    let source = SourceKey {
        repo: "acme/shop".into(),
        workflow: None,
        branch: None,
    };
    let err = ApiError::RateLimited {
        until: at(600),
        secondary: false,
        message: "limit".into(),
    };
    update(
        &mut m,
        Msg::Runs {
            source,
            result: Err(err),
        },
        t0(),
    );
    probe(&mut m, ok(), 0);
    let cmds = update(&mut m, Msg::Tick, at(10));
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::Probe { env: PROD, .. })),
        "{cmds:?}"
    );
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Cmd::FetchRuns(_) | Cmd::FetchDeployments { .. }))
    );
}

#[test]
fn thresholds_and_exactly_one_alert_per_transition() {
    let mut m = model();
    update(&mut m, Msg::Tick, t0());
    assert!(notifies(&probe(&mut m, ok(), 0)).is_empty());
    assert_eq!(m.envs[PROD].health(), Health::Up);
    probe(&mut m, fail(), 10);
    assert_eq!(m.envs[PROD].health(), Health::Degraded);
    assert!(notifies(&probe(&mut m, fail(), 20)).is_empty());
    let cmds = probe(&mut m, fail(), 30);
    assert_eq!(m.envs[PROD].health(), Health::Down);
    assert_eq!(notifies(&cmds), vec!["production is DOWN"]);
    assert!(cmds.contains(&Cmd::Bell));
    assert!(
        m.flash
            .as_ref()
            .unwrap()
            .text
            .contains("production (PROTECTED) is DOWN: 503")
    );
    assert_eq!(
        m.envs[PROD].checks[0].tracker.last_error.as_deref(),
        Some("503")
    );
    // Still failing: no second alert.
    assert!(notifies(&probe(&mut m, fail(), 40)).is_empty());
    // One success is not enough to clear it (success_threshold = 2).
    assert!(notifies(&probe(&mut m, ok(), 50)).is_empty());
    assert_eq!(m.envs[PROD].health(), Health::Down);
    let cmds = probe(&mut m, ok(), 60);
    assert_eq!(m.envs[PROD].health(), Health::Up);
    assert_eq!(notifies(&cmds), vec!["production recovered"]);
    assert!(
        m.activity
            .iter()
            .any(|a| a.text.contains("production/api: down → up"))
    );
}

#[test]
fn next_probe_follows_the_interval() {
    let mut m = model();
    update(&mut m, Msg::Tick, t0());
    probe(&mut m, ok(), 0);
    let due = |m: &mut Model, s| {
        update(m, Msg::Tick, at(s))
            .iter()
            .any(|c| matches!(c, Cmd::Probe { env: PROD, .. }))
    };
    assert!(!due(&mut m, 9));
    assert!(due(&mut m, 10));
}

#[test]
fn cutover_by_hand_polls_fast_and_ends_stable() {
    let mut m = model();
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('2'), KeyModifiers::NONE)),
        t0(),
    );
    assert_eq!(m.screen, Screen::Environments);
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE)),
        t0(),
    );
    assert_eq!(m.env_selected, PROD);
    update(&mut m, Msg::Tick, t0());
    probe(&mut m, ok(), 0);
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('w'), KeyModifiers::NONE)),
        at(1),
    );
    assert!(m.envs[PROD].cutover_running());
    // Every check due at once, then every 2 s instead of 10 s.
    assert!(
        update(&mut m, Msg::Tick, at(1))
            .iter()
            .any(|c| matches!(c, Cmd::Probe { env: PROD, .. }))
    );
    probe(&mut m, ok(), 1);
    assert!(
        update(&mut m, Msg::Tick, at(3))
            .iter()
            .any(|c| matches!(c, Cmd::Probe { env: PROD, .. }))
    );
    // A wobble: one failure is not a down.
    probe(&mut m, fail(), 3);
    probe(&mut m, ok(), 5);
    let c = m.envs[PROD].cutover.clone().unwrap();
    assert_eq!((c.probes, c.failures), (3, 1));
    assert_eq!(c.verdict_now(), None);
    let cmds = update(&mut m, Msg::Tick, at(1 + 300));
    assert_eq!(
        m.envs[PROD].cutover.as_ref().unwrap().verdict,
        Some(Verdict::Stable)
    );
    assert_eq!(notifies(&cmds), vec!["production: cutover stable"]);
    // Said once.
    assert!(notifies(&update(&mut m, Msg::Tick, at(400))).is_empty());
}

#[test]
fn cutover_says_unstable_as_soon_as_a_check_goes_down() {
    let mut m = model();
    m.env_selected = PROD;
    update(&mut m, Msg::Tick, t0());
    probe(&mut m, ok(), 0);
    m.screen = Screen::Environments;
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('w'), KeyModifiers::NONE)),
        at(1),
    );
    probe(&mut m, fail(), 2);
    probe(&mut m, fail(), 4);
    let cmds = probe(&mut m, fail(), 6);
    assert_eq!(
        m.envs[PROD].cutover.as_ref().unwrap().verdict_now(),
        Some(Verdict::Unstable { failures: 3 })
    );
    assert!(notifies(&cmds).contains(&"production: cutover unstable".to_string()));
    update(&mut m, Msg::Tick, at(400));
    assert_eq!(
        m.envs[PROD].cutover.as_ref().unwrap().verdict,
        Some(Verdict::Unstable { failures: 3 })
    );
}

#[test]
fn w_again_closes_the_window_early() {
    let mut m = model();
    m.env_selected = PROD;
    m.screen = Screen::Environments;
    let w = KeyEvent::new(KeyCode::Char('w'), KeyModifiers::NONE);
    update(&mut m, Msg::Key(w), t0());
    assert!(m.envs[PROD].cutover_running());
    update(&mut m, Msg::Key(w), at(5));
    assert!(m.envs[PROD].cutover.is_none());
}

#[test]
fn a_new_successful_deployment_opens_the_window_but_the_first_poll_does_not() {
    let mut m = model();
    update(&mut m, Msg::Tick, t0());
    let before = vec![
        deployment(2, "v1.4.0", "in_progress"),
        deployment(1, "v1.3.2", "success"),
    ];
    update(
        &mut m,
        Msg::Deployments {
            env: PROD,
            result: Ok(before),
        },
        t0(),
    );
    assert!(
        m.envs[PROD].cutover.is_none(),
        "history is not a new deploy"
    );
    let after = vec![
        deployment(2, "v1.4.0", "success"),
        deployment(1, "v1.3.2", "inactive"),
    ];
    update(
        &mut m,
        Msg::Deployments {
            env: PROD,
            result: Ok(after),
        },
        at(20),
    );
    let c = m.envs[PROD].cutover.clone().unwrap();
    assert_eq!(c.reason, "deployment of v1.4.0 succeeded");
    assert_eq!(c.ends, at(20 + 300));
}

#[test]
fn a_finished_deploy_run_opens_its_environments_window() {
    let mut m = model();
    let spec = |status, conclusion| RunSpec {
        id: 9004,
        workflow: "Deploy Production",
        number: 8,
        branch: "v1.4.0",
        event: "workflow_dispatch",
        status,
        conclusion,
        title: "Deploy Production",
        actor: "carol-sre",
        age_min: 5,
        secs: 60,
    };
    let with_runs = model_with_runs(vec![run(&spec("in_progress", None), t0())], t0());
    m.sources = with_runs.sources.clone();
    m.rebuild_runs();
    let source = m.sources.keys().next().unwrap().clone();
    m.sources.get_mut(&source).unwrap().in_flight = true;
    let done = vec![run(&spec("completed", Some("success")), t0())];
    update(
        &mut m,
        Msg::Runs {
            source,
            result: Ok(Fetched {
                value: done,
                not_modified: false,
            }),
        },
        at(30),
    );
    let c = m.envs[PROD].cutover.clone().expect("window opened");
    assert_eq!(c.reason, "Deploy Production #8 finished: success");
    assert!(m.envs[0].cutover.is_none(), "staging untouched");
}

#[test]
fn version_mismatch_is_flagged_and_sha_refs_are_not_compared_with_tags() {
    let mut m = model();
    update(&mut m, Msg::Tick, t0());
    update(
        &mut m,
        Msg::Deployments {
            env: PROD,
            result: Ok(vec![deployment(2, "v1.4.0", "success")]),
        },
        t0(),
    );
    update(
        &mut m,
        Msg::Version {
            env: PROD,
            result: Ok("v1.3.2".into()),
        },
        t0(),
    );
    assert_eq!(m.envs[PROD].version_mismatch(), Some(("v1.3.2", "v1.4.0")));
    update(
        &mut m,
        Msg::Version {
            env: PROD,
            result: Ok("v1.4.0".into()),
        },
        at(20),
    );
    assert_eq!(m.envs[PROD].version_mismatch(), None);
    let sha = "4f9c2b1d0e8a7c6b5a493827161504f3e2d1c0b9";
    update(
        &mut m,
        Msg::Deployments {
            env: PROD,
            result: Ok(vec![deployment(3, sha, "success")]),
        },
        at(40),
    );
    assert_eq!(
        m.envs[PROD].version_mismatch(),
        None,
        "a tag cannot be compared with a bare sha"
    );
    update(
        &mut m,
        Msg::Version {
            env: PROD,
            result: Ok("v1.4.0-3-g1234567".into()),
        },
        at(60),
    );
    assert_eq!(
        m.envs[PROD].version_mismatch(),
        Some(("v1.4.0-3-g1234567", sha))
    );
}

#[test]
fn a_failed_notification_is_shown() {
    let mut m = model();
    update(&mut m, Msg::NotifyFailed("slack: HTTP 500".into()), t0());
    assert!(
        m.flash
            .as_ref()
            .unwrap()
            .text
            .contains("notification not sent: slack: HTTP 500")
    );
}
