//! Environment gates: runs in `waiting` status and what GitHub says about their pending
//! deployments (who may approve, the wait timer) and their review history.

use chrono::{DateTime, Utc};

use crate::msg::GateData;

/// How long a gate that just appeared stays highlighted.
pub const NEW_FOR_SECS: i64 = 60;

#[derive(Debug, Clone, PartialEq)]
pub struct GateState {
    pub repo: String,
    pub run_id: u64,
    pub appeared_at: DateTime<Utc>,
    pub data: Option<GateData>,
    pub fetched_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub in_flight: bool,
    pub next_due: DateTime<Utc>,
    pub failures: u32,
}

impl GateState {
    pub fn new(repo: String, run_id: u64, now: DateTime<Utc>) -> GateState {
        GateState {
            repo,
            run_id,
            appeared_at: now,
            data: None,
            fetched_at: None,
            error: None,
            in_flight: false,
            next_due: now,
            failures: 0,
        }
    }

    pub fn is_new(&self, now: DateTime<Utc>) -> bool {
        (now - self.appeared_at).num_seconds() < NEW_FOR_SECS
    }

    /// Environment names the run waits on.
    pub fn environments(&self) -> Vec<String> {
        self.data
            .iter()
            .flat_map(|d| &d.pending)
            .filter_map(|p| p.environment.name.clone())
            .collect()
    }

    /// Whether the current user may review at least one of the pending environments
    /// (`None` until GitHub has said).
    pub fn can_approve(&self) -> Option<bool> {
        let d = self.data.as_ref()?;
        Some(d.pending.iter().any(|p| p.current_user_can_approve))
    }
}
