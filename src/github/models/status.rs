//! Lifecycle enums shared by workflow runs, jobs and steps.
//!
//! Both enums are tolerant: a value GitHub adds later decodes to `Unknown`
//! instead of failing the whole response.

use serde::{Deserialize, Serialize};

/// Phase of a workflow run, job or step (`status` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Queued,
    InProgress,
    Completed,
    Waiting,
    Requested,
    Pending,
    ActionRequired,
    /// Any status this version of cockpit does not know about.
    #[serde(other)]
    Unknown,
}

impl RunStatus {
    /// `true` while the run/job/step may still change: anything but
    /// `Completed`, and `Unknown` (which we cannot reason about).
    pub fn is_active(self) -> bool {
        !matches!(self, RunStatus::Completed | RunStatus::Unknown)
    }
}

/// Outcome of a completed workflow run, job or step (`conclusion` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Conclusion {
    Success,
    Failure,
    Neutral,
    Cancelled,
    Skipped,
    TimedOut,
    ActionRequired,
    Stale,
    StartupFailure,
    /// Any conclusion this version of cockpit does not know about.
    #[serde(other)]
    Unknown,
}
