//! Synthetic runs and jobs, built through serde exactly as GitHub's JSON would arrive, for
//! snapshot tests and benchmarks. Not used by the product itself.

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::json;

use crate::github::models::{Job, WorkflowRun};
use crate::model::{Model, PollSettings, SourceKey, SourceState};

/// A fixed "now" for reproducible snapshots: 2026-11-22 10:00:00 UTC.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0)
        .single()
        .unwrap_or_default()
}

pub struct RunSpec<'a> {
    pub id: u64,
    pub workflow: &'a str,
    pub number: u64,
    pub branch: &'a str,
    pub event: &'a str,
    pub status: &'a str,
    pub conclusion: Option<&'a str>,
    pub title: &'a str,
    pub actor: &'a str,
    /// Minutes before `now` that the run was created.
    pub age_min: i64,
    /// How long it ran (or has been running).
    pub secs: i64,
}

pub fn run(spec: &RunSpec<'_>, now: DateTime<Utc>) -> WorkflowRun {
    let created = now - Duration::minutes(spec.age_min);
    let updated = created + Duration::seconds(spec.secs);
    let value = json!({
        "id": spec.id,
        "name": spec.workflow,
        "run_number": spec.number,
        "run_attempt": 1,
        "head_branch": spec.branch,
        "head_sha": "4f9c2b1d0e8a7c6b5a493827161504f3e2d1c0b9",
        "event": spec.event,
        "status": spec.status,
        "conclusion": spec.conclusion,
        "workflow_id": 1000 + spec.number % 4,
        "display_title": spec.title,
        "html_url": format!("https://github.com/acme/shop/actions/runs/{}", spec.id),
        "created_at": created,
        "updated_at": updated,
        "run_started_at": created,
        "actor": {"login": spec.actor, "id": 1, "type": "User"},
        "path": ".github/workflows/ci.yml",
    });
    serde_json::from_value(value).unwrap_or_else(|e| panic!("fixture run does not decode: {e}"))
}

/// A job with `steps` steps; `failed_step` (1-based) fails, later ones are skipped.
pub fn job(
    id: u64,
    run_id: u64,
    name: &str,
    steps: u64,
    failed_step: Option<u64>,
    now: DateTime<Utc>,
) -> Job {
    let start = now - Duration::minutes(10);
    let steps: Vec<_> = (1..=steps)
        .map(|n| {
            let (status, conclusion) = match failed_step {
                Some(f) if n == f => ("completed", Some("failure")),
                Some(f) if n > f => ("completed", Some("skipped")),
                _ => ("completed", Some("success")),
            };
            json!({
                "name": format!("Step {n} of {name}"),
                "status": status,
                "conclusion": conclusion,
                "number": n,
                "started_at": start + Duration::seconds((n as i64) * 5),
                "completed_at": start + Duration::seconds((n as i64) * 5 + 4),
            })
        })
        .collect();
    let value = json!({
        "id": id,
        "run_id": run_id,
        "run_attempt": 1,
        "name": name,
        "status": "completed",
        "conclusion": if failed_step.is_some() { "failure" } else { "success" },
        "started_at": start,
        "completed_at": start + Duration::seconds(steps.len() as i64 * 5 + 4),
        "html_url": format!("https://github.com/acme/shop/actions/runs/{run_id}/job/{id}"),
        "steps": steps,
        "runner_name": "GitHub Actions 2",
        "workflow_name": "CI",
        "head_branch": "main",
    });
    serde_json::from_value(value).unwrap_or_else(|e| panic!("fixture job does not decode: {e}"))
}

/// A model whose single source already holds `runs`, fetched at `now`.
pub fn model_with_runs(runs: Vec<WorkflowRun>, now: DateTime<Utc>) -> Model {
    let key = SourceKey {
        repo: "acme/shop".into(),
        workflow: None,
        branch: None,
    };
    let mut model = Model::new(vec![key.clone()], PollSettings::default(), now);
    if let Some(s) = model.sources.get_mut(&key) {
        *s = SourceState {
            runs,
            fetched_at: Some(now),
            error: None,
            in_flight: false,
            next_due: now + Duration::seconds(15),
            failures: 0,
        };
    }
    model.rebuild_runs();
    // Gates of waiting runs were seen (and announced) long ago, and are not due to be read:
    // tests about runs see only the runs pipeline's commands.
    for e in &model.runs {
        if e.run.status == Some(crate::github::models::RunStatus::Waiting) {
            let mut g = crate::model::gates::GateState::new(
                e.repo.clone(),
                e.run.id,
                now - Duration::hours(1),
            );
            g.next_due = now + Duration::days(1);
            model.gates.push(g);
        }
    }
    model
}

/// The release-day picture used by snapshots and the demo's first screen.
pub fn release_day(now: DateTime<Utc>) -> Vec<WorkflowRun> {
    let specs = [
        RunSpec {
            id: 9001,
            workflow: "CI",
            number: 313,
            branch: "main",
            event: "push",
            status: "in_progress",
            conclusion: None,
            title: "Show delivery estimate in cart",
            actor: "alice-dev",
            age_min: 1,
            secs: 50,
        },
        RunSpec {
            id: 9004,
            workflow: "Deploy Production",
            number: 8,
            branch: "v1.4.0",
            event: "workflow_dispatch",
            status: "waiting",
            conclusion: None,
            title: "Deploy Production",
            actor: "carol-sre",
            age_min: 5,
            secs: 300,
        },
        RunSpec {
            id: 9003,
            workflow: "Deploy Staging",
            number: 58,
            branch: "main",
            event: "push",
            status: "queued",
            conclusion: None,
            title: "Show delivery estimate in cart",
            actor: "alice-dev",
            age_min: 2,
            secs: 0,
        },
        RunSpec {
            id: 9002,
            workflow: "CI",
            number: 312,
            branch: "feature/cart",
            event: "push",
            status: "completed",
            conclusion: Some("failure"),
            title: "Cart: handle expired coupons",
            actor: "bob-cart",
            age_min: 25,
            secs: 203,
        },
        RunSpec {
            id: 8990,
            workflow: "Build",
            number: 143,
            branch: "main",
            event: "push",
            status: "completed",
            conclusion: Some("cancelled"),
            title: "Log slow checkout queries",
            actor: "alice-dev",
            age_min: 70,
            secs: 120,
        },
        RunSpec {
            id: 8980,
            workflow: "CI",
            number: 311,
            branch: "main",
            event: "push",
            status: "completed",
            conclusion: Some("success"),
            title: "Release v1.4.0",
            actor: "carol-sre",
            age_min: 250,
            secs: 40,
        },
        RunSpec {
            id: 8970,
            workflow: "Nightly",
            number: 90,
            branch: "main",
            event: "schedule",
            status: "completed",
            conclusion: Some("skipped"),
            title: "Nightly",
            actor: "github-actions",
            age_min: 600,
            secs: 0,
        },
    ];
    specs.iter().map(|s| run(s, now)).collect()
}

/// `n` runs, each with `jobs_per_run` jobs of 8 steps, for the render benchmark.
pub fn big_model(n: usize, jobs_per_run: usize, now: DateTime<Utc>) -> Model {
    const STATES: [(&str, Option<&str>); 5] = [
        ("completed", Some("success")),
        ("completed", Some("failure")),
        ("in_progress", None),
        ("queued", None),
        ("waiting", None),
    ];
    let runs: Vec<WorkflowRun> = (0..n)
        .map(|i| {
            let (status, conclusion) = STATES[i % STATES.len()];
            let title = format!("Change number {i} to the checkout flow");
            run(
                &RunSpec {
                    id: 100_000 + i as u64,
                    workflow: "CI",
                    number: i as u64,
                    branch: "main",
                    event: "push",
                    status,
                    conclusion,
                    title: &title,
                    actor: "alice-dev",
                    age_min: i as i64,
                    secs: 90,
                },
                now,
            )
        })
        .collect();
    let mut model = model_with_runs(runs, now);
    for i in 0..n {
        let run_id = 100_000 + i as u64;
        let js = model.jobs.entry(run_id).or_default();
        js.jobs = (0..jobs_per_run)
            .map(|j| {
                job(
                    run_id * 100 + j as u64,
                    run_id,
                    &format!("job-{j}"),
                    8,
                    (j == 3).then_some(5),
                    now,
                )
            })
            .collect();
        js.fetched_at = Some(now);
    }
    model
}
