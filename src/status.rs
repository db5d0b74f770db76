//! `cockpit status [--json]`: one refresh, printed, then exit.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::github::GitHub;
use crate::model::runs::status_word;
use crate::model::{RunEntry, SourceKey};
use crate::view::fmt;

#[derive(Debug, Serialize)]
pub struct StatusReport {
    pub generated_at: DateTime<Utc>,
    pub rate_limit: Option<RateJson>,
    pub runs: Vec<RunJson>,
    /// Filled by the gates issue; empty until then.
    pub gates: Vec<serde_json::Value>,
    /// Filled by the environments issue; empty until then.
    pub environments: Vec<serde_json::Value>,
    /// Sources that could not be fetched (the report is partial when non-empty).
    pub errors: Vec<String>,
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

/// Fetches every source once, concurrently.
pub async fn collect(
    github: Arc<dyn GitHub>,
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
        gates: Vec::new(),
        environments: Vec::new(),
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
    for e in &report.errors {
        out.push_str(&format!("error: {e}\n"));
    }
    out
}
