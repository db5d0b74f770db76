//! The `GitHub` backend trait: what cockpit asks of GitHub, whoever answers.

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;

use super::error::ApiError;
use super::models::{
    CommitSummary, Comparison, Deployment, DeploymentStatus, EnvironmentApproval, Job,
    PendingDeployment, Release, Workflow, WorkflowRun,
};

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

    /// Still running: an unfinished state ([`UNFINISHED_STATES`]) or no status yet (the
    /// moment between creating the deployment and posting its first `in_progress`).
    pub fn unfinished(&self) -> bool {
        self.status
            .as_ref()
            .is_none_or(|s| UNFINISHED_STATES.contains(&s.state.as_str()))
    }

    /// Who started it: the deployment's creator, else the author of its latest status.
    pub fn by(&self) -> &str {
        self.deployment
            .creator
            .as_ref()
            .or(self.status.as_ref().and_then(|s| s.creator.as_ref()))
            .map_or("someone", |u| u.login.as_str())
    }

    /// The last sign of life: its newest status, else its creation.
    pub fn last_activity(&self) -> DateTime<Utc> {
        self.status
            .as_ref()
            .map_or(self.deployment.created_at, |s| {
                s.created_at.max(self.deployment.created_at)
            })
    }
}

/// The `task` of the deployments cockpit creates for a rollback: what other operators'
/// cockpits look for (see [`GitHub::active_rollback`]).
pub const ROLLBACK_TASK: &str = "rollback";

/// Deployment status states that mean "still running": a rollback in one of them (or with no
/// status yet) blocks another one to the same environment, unless it has gone stale.
pub const UNFINISHED_STATES: &[&str] = &["queued", "pending", "in_progress"];

/// A rollback some operator started and has not finished (see [`GitHub::active_rollback`]):
/// a deployment with its newest status, like any other.
pub type ActiveRollback = DeploymentState;

/// What a workflow dispatch produced.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DispatchOutcome {
    /// The new run, when the server said (`return_run_details`). `None` after a fallback or
    /// a `204`: find the run with [`GitHub::find_dispatched_run`].
    pub run_id: Option<u64>,
    /// The run's API url (`run_url`).
    pub run_url: Option<String>,
    /// The run's page on GitHub (`html_url`), for `o`.
    pub html_url: Option<String>,
    /// The server did not know `return_run_details` (GitHub Enterprise Server before it
    /// existed) and the dispatch was sent again without it.
    pub fell_back: bool,
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

    /// Environments the run waits on for a review, with reviewers and whether the token's
    /// user may approve. Conditional GET (ETag).
    fn pending_deployments<'a>(
        &'a self,
        repo: &'a str,
        run_id: u64,
    ) -> BoxFuture<'a, ApiResult<Vec<PendingDeployment>>>;

    /// Review history of the run (every attempt), newest first. Conditional GET (ETag).
    fn approvals<'a>(
        &'a self,
        repo: &'a str,
        run_id: u64,
    ) -> BoxFuture<'a, ApiResult<Vec<EnvironmentApproval>>>;

    /// POST pending_deployments: approve or reject the given environments. Sent exactly once,
    /// never retried. A deployment that is no longer pending (reviewed by someone else
    /// meanwhile) answers [`ApiError::Unprocessable`] with GitHub's message. Returns the
    /// deployments the approval created (empty for a rejection).
    fn review_pending<'a>(
        &'a self,
        repo: &'a str,
        run_id: u64,
        environment_ids: &'a [u64],
        approve: bool,
        comment: &'a str,
    ) -> BoxFuture<'a, ApiResult<Vec<Deployment>>>;

    /// The repo's workflows (first 100). Conditional GET (ETag).
    fn list_workflows<'a>(&'a self, repo: &'a str) -> BoxFuture<'a, ApiResult<Vec<Workflow>>>;

    /// A file's text at `git_ref` through the contents API, e.g. a workflow's YAML for its
    /// `workflow_dispatch` inputs.
    fn workflow_file<'a>(
        &'a self,
        repo: &'a str,
        path: &'a str,
        git_ref: &'a str,
    ) -> BoxFuture<'a, ApiResult<String>>;

    /// POST dispatches for `workflow` (file name or id) at `git_ref`, asking for the new
    /// run's id. Never retried; the one exception is a server that rejects
    /// `return_run_details` itself (4xx naming the field: nothing was dispatched), which gets
    /// the same dispatch once more without it (`fell_back`).
    fn dispatch<'a>(
        &'a self,
        repo: &'a str,
        workflow: &'a str,
        git_ref: &'a str,
        inputs: &'a serde_json::Map<String, serde_json::Value>,
    ) -> BoxFuture<'a, ApiResult<DispatchOutcome>>;

    /// After a dispatch that did not return its run id: the oldest `workflow_dispatch` run of
    /// `workflow` on `git_ref` created at or after `since` (the time just before the POST was
    /// sent, minus any clock skew the caller allows for). `None` while GitHub has not
    /// created it yet: poll again. With several operators dispatching the same workflow on
    /// the same ref at once this may pick someone else's run; GitHub gives no better key.
    fn find_dispatched_run<'a>(
        &'a self,
        repo: &'a str,
        workflow: &'a str,
        git_ref: &'a str,
        since: DateTime<Utc>,
    ) -> BoxFuture<'a, ApiResult<Option<WorkflowRun>>>;

    /// The newest `limit` deployments to an environment, each with its latest status.
    fn deployments<'a>(
        &'a self,
        repo: &'a str,
        environment: &'a str,
        limit: u8,
    ) -> BoxFuture<'a, ApiResult<Vec<DeploymentState>>>;

    /// POST a deployment of `git_ref` to `environment` with `task` (e.g. [`ROLLBACK_TASK`]).
    /// Sent with `auto_merge: false` (GitHub would otherwise merge the default branch into
    /// the ref, answer 202 and create nothing) and `required_contexts: []` (otherwise any
    /// failing commit status on an old ref refuses the deployment with a 409). Never retried:
    /// a second POST would create a second deployment.
    fn create_deployment<'a>(
        &'a self,
        repo: &'a str,
        git_ref: &'a str,
        environment: &'a str,
        task: &'a str,
        description: &'a str,
    ) -> BoxFuture<'a, ApiResult<Deployment>>;

    /// POST a status (`queued`, `in_progress`, `success`, `failure`, `error`...) on a
    /// deployment; `description` is cut to GitHub's 140 characters. `auto_inactive` is left
    /// to GitHub's default, so a `success` marks the previous deployments inactive. Never
    /// retried.
    fn create_deployment_status<'a>(
        &'a self,
        repo: &'a str,
        deployment_id: u64,
        state: &'a str,
        description: &'a str,
        log_url: Option<&'a str>,
    ) -> BoxFuture<'a, ApiResult<DeploymentStatus>>;

    /// The newest `per_page` releases (drafts included when the token may see them), newest
    /// first. Conditional GET (ETag).
    fn list_releases<'a>(
        &'a self,
        repo: &'a str,
        per_page: u8,
    ) -> BoxFuture<'a, ApiResult<Vec<Release>>>;

    /// `compare/{base}...{head}`: the commits reachable from `head` but not from `base`,
    /// oldest first as GitHub lists them (up to 250). The commits a rollback from `live` to
    /// `target` undoes are `compare(target, live)`. Conditional GET (ETag).
    fn compare<'a>(
        &'a self,
        repo: &'a str,
        base: &'a str,
        head: &'a str,
    ) -> BoxFuture<'a, ApiResult<Comparison>>;

    /// One commit by sha, tag or branch (`GET .../commits/{ref}`): the message shown next to
    /// each version in the rollback picker. Conditional GET (ETag).
    fn commit<'a>(
        &'a self,
        repo: &'a str,
        git_ref: &'a str,
    ) -> BoxFuture<'a, ApiResult<CommitSummary>>;

    /// The rollback of `environment` someone is running now, if any: among the newest
    /// deployments with task [`ROLLBACK_TASK`], the newest whose latest status is unfinished
    /// ([`UNFINISHED_STATES`], or no status yet) and whose last activity is younger than
    /// `stale_after` (the rollback timeout: an operator whose cockpit died mid-rollback must
    /// not block everyone forever). A finished rollback (any other state) ends the search:
    /// anything older was superseded by it.
    fn active_rollback<'a>(
        &'a self,
        repo: &'a str,
        environment: &'a str,
        stale_after: std::time::Duration,
    ) -> BoxFuture<'a, ApiResult<Option<ActiveRollback>>>;

    /// GET /rate_limit (does not count against the limit).
    fn rate_limit(&self) -> BoxFuture<'_, ApiResult<RateInfo>>;

    /// The last rate limit seen in any response.
    fn last_rate(&self) -> Option<RateInfo>;

    fn stats(&self) -> ClientStats;
}
