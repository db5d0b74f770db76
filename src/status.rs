//! `cockpit status [--json]`: one refresh, printed, then exit.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::config::Config;
use crate::github::GitHub;
use crate::github::models::RunStatus;
use crate::health::{Health, Prober, overall};
use crate::model::runs::status_word;
use crate::model::{RunEntry, SourceKey};
use crate::view::fmt;

#[derive(Debug, Serialize)]
pub struct StatusReport {
    pub generated_at: DateTime<Utc>,
    pub rate_limit: Option<RateJson>,
    pub runs: Vec<RunJson>,
    /// One per waiting run and environment it waits on.
    pub gates: Vec<GateJson>,
    pub environments: Vec<EnvJson>,
    /// Sources that could not be fetched (the report is partial when non-empty).
    pub errors: Vec<String>,
}

/// A run waiting on an environment's protection rules.
#[derive(Debug, Serialize)]
pub struct GateJson {
    pub repo: String,
    pub run_id: u64,
    pub environment: Option<String>,
    pub environment_id: Option<u64>,
    /// Whether the token's user may review it.
    pub can_approve: bool,
    /// Minutes.
    pub wait_timer: u64,
    pub reviewers: Vec<String>,
}

/// One environment after a single probe of each check. With one sample there are no
/// thresholds to apply: a check that failed is `down`, one that passed is `up`.
#[derive(Debug, Serialize)]
pub struct EnvJson {
    pub name: String,
    /// The repo it belongs to (`owner/name`): names are unique per repo only.
    pub repo: String,
    pub protected: bool,
    pub version: Option<String>,
    pub health: Health,
    pub checks: Vec<CheckJson>,
    pub last_deployment: Option<DeploymentJson>,
}

#[derive(Debug, Serialize)]
pub struct CheckJson {
    pub name: String,
    pub state: Health,
    pub latency_ms: Option<u64>,
    pub last_error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DeploymentJson {
    #[serde(rename = "ref")]
    pub git_ref: String,
    pub state: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct RateJson {
    pub limit: u64,
    pub remaining: u64,
    pub reset: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize)]
pub struct RunJson {
    pub repo: String,
    pub id: u64,
    pub workflow: Option<String>,
    pub number: u64,
    pub branch: Option<String>,
    pub event: String,
    /// GitHub's own status string (`queued`, `in_progress`, `waiting`, `completed`...).
    pub status: serde_json::Value,
    pub conclusion: serde_json::Value,
    pub title: String,
    pub url: String,
    pub created_at: DateTime<Utc>,
}

/// Probes every environment once: its checks concurrently, its version, its deployments.
pub async fn environments(
    config: &Config,
    github: &dyn GitHub,
    prober: &dyn Prober,
) -> (Vec<EnvJson>, Vec<String>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for env in &config.environments {
        let outcomes = futures::future::join_all(env.checks.iter().map(|c| prober.probe(c))).await;
        let checks: Vec<CheckJson> = env
            .checks
            .iter()
            .zip(outcomes)
            .map(|(c, o)| CheckJson {
                name: c.name.clone(),
                state: if o.result.is_ok() {
                    Health::Up
                } else {
                    Health::Down
                },
                latency_ms: o.http_status.map(|_| o.latency.as_millis() as u64),
                last_error: o.result.err(),
            })
            .collect();
        let version = match &env.version {
            Some(v) => {
                let timeout = env
                    .checks
                    .first()
                    .map(|c| c.timeout)
                    .unwrap_or(std::time::Duration::from_secs(5));
                match prober.version(v, timeout).await {
                    Ok(v) => Some(v),
                    Err(e) => {
                        errors.push(format!("{} version: {e}", env.name));
                        None
                    }
                }
            }
            None => None,
        };
        let repo = config
            .repo_for(env)
            .map(|r| r.name.clone())
            .unwrap_or_default();
        let last_deployment = match github
            .deployments(&repo, &env.name, crate::model::env::DEPLOYMENTS_SHOWN)
            .await
        {
            Ok(list) => list
                .iter()
                .find(|d| d.state() == "success")
                .map(|d| DeploymentJson {
                    git_ref: d.deployment.git_ref.clone(),
                    state: d.state().to_string(),
                    at: d
                        .status
                        .as_ref()
                        .map(|s| s.created_at)
                        .unwrap_or(d.deployment.created_at),
                }),
            Err(e) => {
                errors.push(format!("{} deployments: {e}", env.name));
                None
            }
        };
        out.push(EnvJson {
            name: env.name.clone(),
            repo,
            protected: env.protected,
            version,
            health: overall(checks.iter().map(|c| c.state)),
            checks,
            last_deployment,
        });
    }
    (out, errors)
}

/// Reads what each waiting run waits on, concurrently.
pub async fn gates(github: &dyn GitHub, runs: &[RunEntry]) -> (Vec<GateJson>, Vec<String>) {
    let waiting = runs
        .iter()
        .filter(|e| e.run.status == Some(RunStatus::Waiting));
    let reads =
        waiting.map(|e| async move { (e, github.pending_deployments(&e.repo, e.run.id).await) });
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (e, result) in futures::future::join_all(reads).await {
        match result {
            Ok(pending) => out.extend(pending.into_iter().map(|p| {
                GateJson {
                    repo: e.repo.clone(),
                    run_id: e.run.id,
                    environment: p.environment.name.clone(),
                    environment_id: p.environment.id,
                    can_approve: p.current_user_can_approve,
                    wait_timer: p.wait_timer,
                    reviewers: p
                        .reviewers
                        .iter()
                        .filter_map(|r| r.reviewer.as_ref().map(|r| r.display()))
                        .collect(),
                }
            })),
            Err(err) => errors.push(format!("{} run {} gate: {err}", e.repo, e.run.id)),
        }
    }
    (out, errors)
}

/// Fetches every source once, concurrently, and probes every environment once.
pub async fn collect(
    github: Arc<dyn GitHub>,
    prober: &dyn Prober,
    config: &Config,
    sources: &[SourceKey],
    now: DateTime<Utc>,
) -> StatusReport {
    let fetches = sources.iter().map(|s| {
        let gh = github.clone();
        async move {
            let r = gh
                .list_runs(&s.repo, s.workflow.as_deref(), s.branch.as_deref())
                .await;
            (s, r)
        }
    });
    let mut runs: Vec<RunEntry> = Vec::new();
    let mut errors = Vec::new();
    for (source, result) in futures::future::join_all(fetches).await {
        match result {
            Ok(f) => runs.extend(f.value.into_iter().map(|run| RunEntry {
                repo: source.repo.clone(),
                run,
            })),
            Err(e) => errors.push(format!("{}: {e}", source.label())),
        }
    }
    runs.sort_by(|a, b| {
        b.run
            .created_at
            .cmp(&a.run.created_at)
            .then(b.run.id.cmp(&a.run.id))
    });
    runs.dedup_by(|a, b| a.run.id == b.run.id && a.repo == b.repo);
    let (gates, gate_errors) = gates(&*github, &runs).await;
    errors.extend(gate_errors);
    let (environments, env_errors) = environments(config, &*github, prober).await;
    errors.extend(env_errors);
    let rate = match github.rate_limit().await {
        Ok(r) => Some(r),
        Err(_) => github.last_rate(),
    };
    StatusReport {
        generated_at: now,
        rate_limit: rate.map(|r| RateJson {
            limit: r.limit,
            remaining: r.remaining,
            reset: r.reset,
        }),
        runs: runs
            .into_iter()
            .map(|e| RunJson {
                repo: e.repo,
                id: e.run.id,
                workflow: e.run.name.clone(),
                number: e.run.run_number,
                branch: e.run.head_branch.clone(),
                event: e.run.event.clone(),
                status: serde_json::to_value(e.run.status).unwrap_or_default(),
                conclusion: serde_json::to_value(e.run.conclusion).unwrap_or_default(),
                title: e.run.title().to_string(),
                url: e.run.html_url.clone(),
                created_at: e.run.created_at,
            })
            .collect(),
        gates,
        environments,
        errors,
    }
}

/// The plain-text table.
pub fn render_table(report: &StatusReport, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    if let Some(r) = &report.rate_limit {
        out.push_str(&format!("quota {}/{}", r.remaining, r.limit));
        if let Some(reset) = r.reset {
            out.push_str(&format!(", resets {}", reset.format("%H:%M UTC")));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "{:<10} {:<16} {:<20} {:>6}  {:<16} {:<18} {:>4}  {}\n",
        "STATUS", "REPO", "WORKFLOW", "RUN", "BRANCH", "EVENT", "AGE", "TITLE"
    ));
    for r in &report.runs {
        let status: Option<crate::github::models::RunStatus> =
            serde_json::from_value(r.status.clone()).ok();
        let conclusion = serde_json::from_value(r.conclusion.clone()).ok().flatten();
        out.push_str(&format!(
            "{:<10} {:<16} {:<20} {:>6}  {:<16} {:<18} {:>4}  {}\n",
            status_word(status, conclusion),
            fmt::truncate(&r.repo, 16),
            fmt::truncate(r.workflow.as_deref().unwrap_or("-"), 20),
            format!("#{}", r.number),
            fmt::truncate(r.branch.as_deref().unwrap_or("-"), 16),
            fmt::truncate(&r.event, 18),
            fmt::age(r.created_at, now),
            r.title
        ));
    }
    if report.runs.is_empty() {
        out.push_str("(no runs)\n");
    }
    if !report.gates.is_empty() {
        out.push_str(&format!(
            "\n{:<28} {:<16} {:<14} {}\n",
            "WAITING RUN", "WAITS ON", "YOU", "REVIEWERS"
        ));
    }
    for g in &report.gates {
        out.push_str(&format!(
            "{:<28} {:<16} {:<14} {}\n",
            fmt::truncate(&format!("{} {}", g.repo, g.run_id), 28),
            fmt::truncate(g.environment.as_deref().unwrap_or("-"), 16),
            if g.can_approve {
                "can approve"
            } else {
                "not a reviewer"
            },
            g.reviewers.join(", ")
        ));
    }
    // Names are unique per repo only: with several repos, say whose.
    let many_repos = report
        .environments
        .iter()
        .any(|e| e.repo != report.environments[0].repo);
    let env_label = |e: &EnvJson| {
        let short = e.repo.split_once('/').map_or(e.repo.as_str(), |(_, n)| n);
        let name = if many_repos {
            format!("{short}:{}", e.name)
        } else {
            e.name.clone()
        };
        if e.protected {
            format!("{name} [P]")
        } else {
            name
        }
    };
    let name_width = report
        .environments
        .iter()
        .map(|e| env_label(e).chars().count())
        .max()
        .unwrap_or(0)
        .clamp(16, 32);
    if !report.environments.is_empty() {
        out.push_str(&format!(
            "\n{:<name_width$} {:<9} {:<10} {:<16} {}\n",
            "ENVIRONMENT", "HEALTH", "VERSION", "DEPLOYED", "CHECKS"
        ));
    }
    for e in &report.environments {
        let checks: Vec<String> = e
            .checks
            .iter()
            .map(|c| match &c.last_error {
                Some(err) => format!("{} {} ({err})", c.name, c.state.word()),
                None => format!(
                    "{} {} {}ms",
                    c.name,
                    c.state.word(),
                    c.latency_ms.unwrap_or(0)
                ),
            })
            .collect();
        out.push_str(&format!(
            "{:<name_width$} {:<9} {:<10} {:<16} {}\n",
            fmt::truncate(&env_label(e), name_width),
            e.health.word(),
            fmt::truncate(e.version.as_deref().unwrap_or("-"), 10),
            fmt::truncate(
                e.last_deployment
                    .as_ref()
                    .map(|d| d.git_ref.as_str())
                    .unwrap_or("-"),
                16
            ),
            checks.join(", ")
        ));
    }
    for e in &report.errors {
        out.push_str(&format!("error: {e}\n"));
    }
    out
}
