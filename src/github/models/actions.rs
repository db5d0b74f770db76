//! GitHub Actions: workflows, workflow runs, jobs and steps.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Conclusion, RunStatus, SimpleUser};

/// A workflow definition (`GET /repos/{o}/{r}/actions/workflows[/{id}]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workflow {
    pub id: u64,
    pub name: String,
    /// Path of the workflow file, e.g. `.github/workflows/ci.yml`.
    pub path: String,
    /// `active`, `deleted`, `disabled_fork`, `disabled_inactivity`, `disabled_manually`.
    pub state: String,
    pub html_url: String,
}

/// `GET /repos/{o}/{r}/actions/workflows`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowsPage {
    pub total_count: u64,
    #[serde(default)]
    pub workflows: Vec<Workflow>,
}

/// One workflow run (`GET .../actions/runs/{id}` and the list endpoints).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowRun {
    pub id: u64,
    pub name: Option<String>,
    pub run_number: u64,
    pub run_attempt: Option<u32>,
    pub head_branch: Option<String>,
    pub head_sha: String,
    /// Triggering event, e.g. `push`, `workflow_dispatch`.
    pub event: String,
    pub status: Option<RunStatus>,
    pub conclusion: Option<Conclusion>,
    pub workflow_id: u64,
    pub display_title: Option<String>,
    pub html_url: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub run_started_at: Option<DateTime<Utc>>,
    pub actor: Option<SimpleUser>,
    pub triggering_actor: Option<SimpleUser>,
    /// Workflow file path, possibly with `@ref` suffix.
    pub path: Option<String>,
    pub jobs_url: Option<String>,
}

impl WorkflowRun {
    /// Human title: `display_title`, else the workflow `name`, else `""`.
    pub fn title(&self) -> &str {
        self.display_title
            .as_deref()
            .or(self.name.as_deref())
            .unwrap_or("")
    }

    /// `true` while the run has a known, non-final status.
    pub fn is_active(&self) -> bool {
        self.status.is_some_and(RunStatus::is_active)
    }
}

/// `GET .../actions/runs` and `GET .../actions/workflows/{id}/runs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowRunsPage {
    pub total_count: u64,
    #[serde(default)]
    pub workflow_runs: Vec<WorkflowRun>,
}

/// One step of a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub name: String,
    pub status: RunStatus,
    pub conclusion: Option<Conclusion>,
    pub number: u64,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// One job of a workflow run (`GET .../actions/jobs/{id}` and the list endpoints).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: u64,
    pub run_id: u64,
    pub run_attempt: Option<u32>,
    pub name: String,
    pub status: RunStatus,
    pub conclusion: Option<Conclusion>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub html_url: Option<String>,
    #[serde(default)]
    pub steps: Vec<Step>,
    pub runner_name: Option<String>,
    pub workflow_name: Option<String>,
    pub head_branch: Option<String>,
}

/// `GET .../actions/runs/{id}/jobs` and `.../attempts/{n}/jobs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobsPage {
    pub total_count: u64,
    #[serde(default)]
    pub jobs: Vec<Job>,
}

/// `200` body of `POST .../workflows/{id}/dispatches` when the request sets
/// `return_run_details: true` (otherwise GitHub answers `204` with no body).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DispatchRunDetails {
    pub workflow_run_id: u64,
    pub run_url: String,
    pub html_url: String,
}
