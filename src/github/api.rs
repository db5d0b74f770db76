//! The `GitHub` backend trait: what cockpit asks of GitHub, whoever answers.

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;

use super::error::ApiError;
use super::models::{Deployment, DeploymentStatus, Job, WorkflowRun};

/// A GET's decoded body; `not_modified` when GitHub answered 304 to our ETag (free of quota)
/// and the body is the one cached from the last 200.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched<T> {
    pub value: T,
    pub not_modified: bool,
}

/// The primary rate limit as GitHub last reported it (`x-ratelimit-*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateInfo {
    pub limit: u64,
    pub remaining: u64,
    pub reset: Option<DateTime<Utc>>,
    pub used: u64,
}

/// Requests sent, split into those that cost quota and 304s that did not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    pub quota_costing: u64,
    pub not_modified: u64,
    pub failed: u64,
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A deployment and the newest of its statuses (`None` while it has none).
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentState {
    pub deployment: Deployment,
    pub status: Option<DeploymentStatus>,
}

impl DeploymentState {
    /// `success`, `failure`, `in_progress`... or `created` when it has no status yet.
    pub fn state(&self) -> &str {
        self.status
            .as_ref()
            .map(|s| s.state.as_str())
            .unwrap_or("created")
    }
}

pub trait GitHub: Send + Sync {
    /// Runs of a repo, or of one workflow (file name or id), newest first.
    fn list_runs<'a>(
        &'a self,
        repo: &'a str,
        workflow: Option<&'a str>,
        branch: Option<&'a str>,
    ) -> BoxFuture<'a, ApiResult<Fetched<Vec<WorkflowRun>>>>;

    /// One run by id.
    fn get_run<'a>(
        &'a self,
        repo: &'a str,
        run_id: u64,
    ) -> BoxFuture<'a, ApiResult<Fetched<WorkflowRun>>>;

    /// Jobs (with steps) of the run's latest attempt.
    fn list_jobs<'a>(
        &'a self,
        repo: &'a str,
        run_id: u64,
    ) -> BoxFuture<'a, ApiResult<Fetched<Vec<Job>>>>;

    /// A job's plain-text log (following GitHub's redirect without the token).
    fn job_log<'a>(&'a self, repo: &'a str, job_id: u64) -> BoxFuture<'a, ApiResult<Vec<u8>>>;

    /// POST rerun (all jobs) or rerun-failed-jobs. Never retried.
    fn rerun<'a>(
        &'a self,
        repo: &'a str,
        run_id: u64,
        failed_only: bool,
    ) -> BoxFuture<'a, ApiResult<()>>;

    /// POST cancel. Never retried; 409 = already completed.
    fn cancel<'a>(&'a self, repo: &'a str, run_id: u64) -> BoxFuture<'a, ApiResult<()>>;

    /// The newest `limit` deployments to an environment, each with its latest status.
    fn deployments<'a>(
        &'a self,
        repo: &'a str,
        environment: &'a str,
        limit: u8,
    ) -> BoxFuture<'a, ApiResult<Vec<DeploymentState>>>;

    /// GET /rate_limit (does not count against the limit).
    fn rate_limit(&self) -> BoxFuture<'_, ApiResult<RateInfo>>;

    /// The last rate limit seen in any response.
    fn last_rate(&self) -> Option<RateInfo>;

    fn stats(&self) -> ClientStats;
}
