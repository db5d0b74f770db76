//! Environments, deployment gates (pending deployments, approvals),
//! deployments and deployment statuses.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::SimpleUser;

/// The environment a run waits on, as embedded in pending deployments and
/// approvals (a reduced `environment`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingEnvironment {
    pub id: Option<u64>,
    pub name: Option<String>,
    pub html_url: Option<String>,
}

/// A user or a team allowed to approve a pending deployment. Users carry
/// `login`; teams carry `name` and `slug`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reviewer {
    pub login: Option<String>,
    pub name: Option<String>,
    pub slug: Option<String>,
    pub id: Option<u64>,
}

impl Reviewer {
    /// Best label for display: user login, else team name, else team slug,
    /// else `#id`.
    pub fn display(&self) -> String {
        if let Some(label) = self
            .login
            .as_ref()
            .or(self.name.as_ref())
            .or(self.slug.as_ref())
        {
            return label.clone();
        }
        match self.id {
            Some(id) => format!("#{id}"),
            None => "unknown reviewer".to_string(),
        }
    }
}

/// One entry of `reviewers` in a pending deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingReviewer {
    /// `"User"` or `"Team"`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub reviewer: Option<Reviewer>,
}

/// `GET .../actions/runs/{id}/pending_deployments` returns a list of these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingDeployment {
    pub environment: PendingEnvironment,
    /// Minutes to wait before the job may proceed.
    pub wait_timer: u64,
    pub wait_timer_started_at: Option<DateTime<Utc>>,
    pub current_user_can_approve: bool,
    #[serde(default)]
    pub reviewers: Vec<PendingReviewer>,
}

/// `GET .../actions/runs/{id}/approvals` returns a list of these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentApproval {
    #[serde(default)]
    pub environments: Vec<PendingEnvironment>,
    /// `approved`, `rejected` or `pending`.
    pub state: String,
    pub user: SimpleUser,
    pub comment: String,
}

/// A deployment environment (`GET .../environments[/{name}]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Environment {
    pub id: u64,
    pub name: String,
    pub html_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Wait timers, required reviewers, branch policies: kept raw.
    #[serde(default)]
    pub protection_rules: Vec<serde_json::Value>,
}

/// `GET .../environments`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentsPage {
    pub total_count: Option<u64>,
    #[serde(default)]
    pub environments: Vec<Environment>,
}

/// A deployment (`GET`/`POST .../deployments`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deployment {
    pub id: u64,
    pub sha: String,
    #[serde(rename = "ref")]
    pub git_ref: String,
    pub task: String,
    pub environment: String,
    pub description: Option<String>,
    pub creator: Option<SimpleUser>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub statuses_url: String,
    /// An object or a string, as the creator sent it.
    #[serde(default)]
    pub payload: serde_json::Value,
    pub original_environment: Option<String>,
}

/// A deployment status (`GET`/`POST .../deployments/{id}/statuses`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeploymentStatus {
    pub id: u64,
    /// `error`, `failure`, `inactive`, `pending`, `success`, `queued`, `in_progress`.
    pub state: String,
    pub description: Option<String>,
    pub environment: Option<String>,
    pub creator: Option<SimpleUser>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub target_url: Option<String>,
    pub log_url: Option<String>,
    pub environment_url: Option<String>,
}
