//! Two `[[repo]]`s against the simulator serving both (`SimOptions::second_repo`): the runs
//! of each arrive with the right repo, the `repo:` filter narrows, each repo is polled on its
//! own schedule and never twice at once, a gate of the second repo is approved with its own
//! phrase and POSTed to its own path; and `cockpit status --json` (the real binary, on a
//! GitHub Enterprise style `/api/v3`) lists runs, gates and environments of both.

mod support;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use crossterm::event::KeyCode;
use serde_json::json;

use cockpit::clock::SystemClock;
use cockpit::config::{self, Config};
use cockpit::model::Dialog;
use cockpit::msg::Cmd;
use cockpit::sim::{SimOptions, Simulator};
use support::harness::{Harness, HarnessOptions};

const SHOP: &str = "acme/shop";
const PAYMENTS: &str = "acme/payments";
/// The runs of each repo's story visible at t = 0.
const SHOP_RUNS: [u64; 9] = [9001, 9002, 9003, 9004, 8985, 8990, 8991, 8992, 8996];
const PAYMENTS_RUNS: [u64; 4] = [7001, 7002, 7003, 7004];

fn config_text(api_url: &str) -> String {
    format!(
        r#"
[github]
api_url = "{api_url}"
poll = "10s"
active_poll = "2s"

[[repo]]
name = "{SHOP}"

[[repo]]
name = "{PAYMENTS}"

[[environment]]
name = "production"
repo = "{SHOP}"
protected = true

[[environment]]
name = "production"
repo = "{PAYMENTS}"
protected = true
confirm_phrase = "payments to production"
"#
    )
}

fn config_for(sim: &Simulator) -> Config {
    config::parse_str(&config_text(&sim.api_url()), Path::new("two-repos.toml")).unwrap()
}

async fn two_repos() -> Harness {
    let mut h = Harness::start_with_config(
        HarnessOptions {
            environments: true,
            ..HarnessOptions::default()
        },
        |o| o.second_repo = Some(PAYMENTS.into()),
        config_for,
    )
    .await;
    let ready = h
        .run_until(Duration::from_secs(30), |h| {
            h.model.gates.len() == 2 && h.model.gates.iter().all(|g| g.data.is_some())
        })
        .await;
    assert!(
        ready,
        "both gates never showed: {:?} / {:?}",
        h.model.gates,
        h.model.last_error()
    );
    h
}

fn repo_of(h: &Harness, run_id: u64) -> Option<&str> {
    h.model
        .runs
        .iter()
        .find(|e| e.run.id == run_id)
        .map(|e| e.repo.as_str())
}

#[tokio::test]
async fn runs_of_both_repos_arrive_with_their_repo_and_the_filter_narrows() {
    let mut h = two_repos().await;
    assert_eq!(h.sim.second_repo().as_deref(), Some(PAYMENTS));
    for id in SHOP_RUNS {
        assert_eq!(repo_of(&h, id), Some(SHOP), "run {id}");
    }
    for id in PAYMENTS_RUNS {
        assert_eq!(repo_of(&h, id), Some(PAYMENTS), "run {id}");
    }
    assert_eq!(h.model.runs.len(), SHOP_RUNS.len() + PAYMENTS_RUNS.len());
    assert!(h.model.last_error().is_none());

    h.key(KeyCode::Char('/')).await;
    h.type_text("repo:payments").await;
    h.key(KeyCode::Enter).await;
    let mut shown: Vec<u64> = h
        .model
        .visible
        .iter()
        .map(|&i| h.model.runs[i].run.id)
        .collect();
    shown.sort();
    assert_eq!(shown, PAYMENTS_RUNS);

    // The payments CI run that failed: its jobs and its log, from its own repo's paths.
    h.open_run(7002).await;
    h.run_for(Duration::from_secs(1)).await;
    h.key(KeyCode::Char('l')).await;
    let log = h.model.log.as_ref().unwrap();
    assert_eq!(log.repo, PAYMENTS);
    let text = log.text.as_ref().expect("the log arrived");
    assert!(text.first_error().is_some());
    assert!(
        h.api_requests()
            .iter()
            .any(|r| r.path == "/repos/acme/payments/actions/runs/7002/jobs")
    );
}

#[tokio::test]
async fn each_repo_is_polled_on_its_own_and_never_twice_at_once() {
    let mut h = two_repos().await;
    let start = h.now();
    h.run_for(Duration::from_secs(60)).await;

    // Commands: one list of runs per repo at a time.
    let mut at: HashMap<(String, DateTime<Utc>), u32> = HashMap::new();
    for (when, cmd) in &h.executed {
        if let Cmd::FetchRuns(source) = cmd {
            *at.entry((source.repo.clone(), *when)).or_default() += 1;
        }
    }
    assert!(at.values().all(|&n| n == 1), "a repo listed twice at once");

    // Requests: both repos have active runs, so both follow `active_poll` (2 s).
    let lists = |repo: &str| {
        let path = format!("/repos/{repo}/actions/runs");
        h.api_requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path == path)
            .count()
    };
    let (shop, payments) = (lists(SHOP), lists(PAYMENTS));
    let watched = (h.now() - t0_of(&h)).num_seconds() as usize;
    assert!(
        (25..=watched / 2 + 2).contains(&shop) && (25..=watched / 2 + 2).contains(&payments),
        "shop {shop}, payments {payments} lists in {watched} s (since {start})"
    );
    assert!(
        shop.abs_diff(payments) <= 2,
        "shop {shop}, payments {payments}"
    );
    // Neither repo's requests went to the other's paths, and nothing else was polled.
    assert!(h.api_requests().iter().all(|r| {
        r.path == "/rate_limit"
            || r.path.starts_with("/repos/acme/shop/")
            || r.path.starts_with("/repos/acme/payments/")
    }));
    assert!(h.api_requests().iter().all(|r| r.status != 404), "a 404");
}

fn t0_of(h: &Harness) -> DateTime<Utc> {
    h.sim.started_at()
}

#[tokio::test]
async fn a_gate_of_the_second_repo_is_approved_with_its_own_phrase_at_its_own_path() {
    let mut h = two_repos().await;
    h.key(KeyCode::Char('3')).await;
    h.model.gate_selected = h
        .model
        .gates
        .iter()
        .position(|g| g.repo == PAYMENTS)
        .unwrap();
    h.key(KeyCode::Char('a')).await;
    h.key(KeyCode::Enter).await;
    let Some(Dialog::Phrase(p)) = &h.model.dialog else {
        panic!("payments' production is protected: {:?}", h.model.dialog)
    };
    assert_eq!(p.phrase, "payments to production");
    h.type_text("payments to production").await;
    h.key(KeyCode::Enter).await;

    let posts: Vec<(String, serde_json::Value)> = h
        .api_requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .map(|r| (r.path, r.body.unwrap_or_default()))
        .collect();
    assert_eq!(
        posts,
        [(
            "/repos/acme/payments/actions/runs/7003/pending_deployments".to_string(),
            json!({
                "environment_ids": [202],
                "state": "approved",
                "comment": "Approved v2.7.1 for production from cockpit"
            })
        )]
    );
    // The payments run goes on; the shop's gate still waits.
    let moved_on = h
        .run_until(Duration::from_secs(30), |h| {
            h.model.gates.iter().all(|g| g.repo == SHOP)
        })
        .await;
    assert!(moved_on, "{:?}", h.model.gates);
    assert_eq!(h.model.gates.len(), 1);
    let entries = cockpit::audit::read_recent(&h.audit_path(), 10).unwrap();
    assert_eq!(entries[0].record.repo, PAYMENTS);
    assert_eq!(
        entries[0].record.target.as_deref(),
        Some("Deploy Production #15 (payments) v2.7.1")
    );
}

#[tokio::test]
async fn an_unknown_repo_is_not_found_and_the_default_sim_has_one_repo() {
    let h = Harness::start(HarnessOptions::default()).await;
    assert_eq!(h.sim.second_repo(), None);
    let resp = reqwest::get(format!(
        "{}/repos/acme/payments/actions/runs",
        h.sim.api_url()
    ))
    .await
    .unwrap();
    assert_eq!(resp.status(), 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn status_json_lists_both_repos_on_an_enterprise_server() {
    const TOKEN: &str = "ghp_statusTWOrepos0123456789";
    let mut opts = SimOptions::new(Arc::new(SystemClock));
    opts.require_token = Some(TOKEN.into());
    opts.api_prefix = "/api/v3".into();
    opts.second_repo = Some(PAYMENTS.into());
    let sim = Simulator::start(opts).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cockpit.toml");
    std::fs::write(&path, config_text(&sim.api_url())).unwrap();
    let run = |args: &'static [&'static str]| {
        let (dir, path) = (dir.path().to_owned(), path.clone());
        tokio::task::spawn_blocking(move || {
            Command::new(env!("CARGO_BIN_EXE_cockpit"))
                .arg("--config")
                .arg(&path)
                .args(args)
                .env("XDG_STATE_HOME", dir.join("state"))
                .env("XDG_CONFIG_HOME", dir.join("config"))
                .env("GH_TOKEN", TOKEN)
                .env_remove("GITHUB_TOKEN")
                .output()
                .unwrap()
        })
    };
    let out = run(&["status", "--json"]).await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let runs = report["runs"].as_array().unwrap();
    let repo_of = |id: u64| {
        runs.iter()
            .find(|r| r["id"] == id)
            .map(|r| r["repo"].as_str().unwrap_or_default().to_string())
    };
    for id in SHOP_RUNS {
        assert_eq!(repo_of(id).as_deref(), Some(SHOP), "run {id}");
    }
    for id in PAYMENTS_RUNS {
        assert_eq!(repo_of(id).as_deref(), Some(PAYMENTS), "run {id}");
    }
    let gates: Vec<(String, u64, String)> = report["gates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["repo"].as_str().unwrap().to_string(),
                g["run_id"].as_u64().unwrap(),
                g["environment"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        gates,
        [
            (PAYMENTS.to_string(), 7003, "production".to_string()),
            (SHOP.to_string(), 9004, "production".to_string()),
        ]
    );
    assert_eq!(report["gates"][0]["environment_id"], 202);
    assert_eq!(report["gates"][0]["can_approve"], true);
    let envs: Vec<(&str, &str)> = report["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["repo"].as_str().unwrap(), e["name"].as_str().unwrap()))
        .collect();
    assert_eq!(envs, [(SHOP, "production"), (PAYMENTS, "production")]);
    // Every request the binary made stayed under the prefix.
    let outside: Vec<String> = sim
        .requests()
        .into_iter()
        .filter(|r| !r.path.starts_with("/api/v3/"))
        .map(|r| r.path)
        .collect();
    assert!(outside.is_empty(), "{outside:?}");

    let out = run(&["status"]).await.unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("failure") && l.contains("acme/payments") && l.contains("#88")),
        "{table}"
    );
    assert!(
        table.lines().any(|l| l.starts_with("acme/payments 7003")),
        "{table}"
    );
    for env in ["shop:production [P]", "payments:production [P]"] {
        assert!(
            table.lines().any(|l| l.starts_with(env)),
            "{env} missing:\n{table}"
        );
    }
}
