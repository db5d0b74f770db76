//! A rollback in progress through its stages: pick the target, read the preflight, confirm,
//! watch the output, see the outcome and the recovery.

use chrono::{DateTime, Utc};

/// One version the environment can go back to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub version: String,
    /// The deployed commit, when the version came from a deployment (a release names a tag).
    pub sha: Option<String>,
    pub at: Option<DateTime<Utc>>,
    pub by: Option<String>,
    /// What runs there now.
    pub live: bool,
    /// The first line of the version's commit message (`None` until read, or unreadable).
    pub message: Option<String>,
}

impl Target {
    /// What to ask GitHub's commits API for: the deployed sha, else the tag.
    pub fn commit_ref(&self) -> &str {
        self.sha.as_deref().unwrap_or(&self.version)
    }
}

/// The connection the rollback will run over, made ready while the operator reads the
/// preflight so that confirming starts the command at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// `transport = "local"`: nothing to connect.
    Local,
    Connecting,
    Ready,
    /// Why it could not connect (host key, auth, network); the run tries again from scratch.
    Failed(String),
}

/// Another operator's rollback of the same environment that GitHub shows unfinished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignRollback {
    pub deployment_id: u64,
    pub by: String,
    pub version: String,
    pub since: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Pick,
    Preflight,
    Running,
    Done,
}

/// Lines kept from a rollback's output (older ones scroll away).
pub const MAX_LINES: usize = 5000;

#[derive(Debug, Clone, PartialEq)]
pub struct RollbackState {
    pub env: usize,
    pub environment: String,
    pub targets: Vec<Target>,
    pub selected: usize,
    pub stage: Stage,
    /// Where the target list came from: deployments, or releases when there are none.
    pub source: &'static str,
    /// Commit messages the rollback undoes (`None` while being read).
    pub commits: Option<Result<Vec<String>, String>>,
    /// Output lines, `true` for stderr.
    pub lines: Vec<(bool, String)>,
    /// How many of the newest output lines are below the view: 0 follows the output as it
    /// comes in. Clamped by the view to the lines there are.
    pub scrolled_back: usize,
    pub link: Link,
    /// Set when the operator chose to go on despite someone else's unfinished rollback: the
    /// phrase is asked again and only that rollback is overridden.
    pub overriding: Option<ForeignRollback>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub outcome: Option<(bool, String)>,
    /// Seconds from the end of a successful rollback to the environment being UP again.
    pub healthy_after: Option<i64>,
    /// Esc while it runs hides the pane; the output keeps coming in.
    pub hidden: bool,
}

impl RollbackState {
    /// Shown over the Environments view (and taking its keys).
    pub fn visible(&self) -> bool {
        !self.hidden
    }
}

impl RollbackState {
    pub fn target(&self) -> Option<&Target> {
        self.targets.get(self.selected)
    }

    pub fn live(&self) -> Option<&str> {
        self.targets
            .iter()
            .find(|t| t.live)
            .map(|t| t.version.as_str())
    }
}
