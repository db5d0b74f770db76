//! Environments: their checks (with thresholds), live version, recent deployments, the
//! latest deploy run and the cutover window. Plain data; `update` drives it.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{RunEntry, secs};
use crate::config::{CheckConfig, Config, MonitorConfig, VersionConfig};
use crate::github::DeploymentState;
use crate::health::{CheckTracker, Health, overall};

/// How many deployments each pane lists.
pub const DEPLOYMENTS_SHOWN: u8 = 5;

#[derive(Debug, Clone, PartialEq)]
pub struct CheckSlot {
    pub config: CheckConfig,
    pub tracker: CheckTracker,
    pub next_due: DateTime<Utc>,
    pub in_flight: bool,
}

/// A polled value with its freshness and last error.
#[derive(Debug, Clone, PartialEq)]
pub struct Polled<T> {
    pub value: Option<T>,
    pub fetched_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub next_due: DateTime<Utc>,
    pub in_flight: bool,
    pub failures: u32,
}

impl<T> Polled<T> {
    pub fn new(now: DateTime<Utc>) -> Self {
        Polled {
            value: None,
            fetched_at: None,
            error: None,
            next_due: now,
            in_flight: false,
            failures: 0,
        }
    }
}

/// The post-deploy stability window.
#[derive(Debug, Clone, PartialEq)]
pub struct Cutover {
    pub started: DateTime<Utc>,
    pub ends: DateTime<Utc>,
    /// Why it opened: "deploy of v1.4.0 succeeded", "opened by hand".
    pub reason: String,
    pub probes: u32,
    pub failures: u32,
    pub worst_latency: Option<Duration>,
    /// A check went down during the window: the cutover is unstable, said at once.
    pub went_down: bool,
    /// Set when the window has run its course.
    pub verdict: Option<Verdict>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Stable,
    Unstable { failures: u32 },
}

impl Cutover {
    pub fn open(now: DateTime<Utc>, length: Duration, reason: String) -> Cutover {
        Cutover {
            started: now,
            ends: now + secs(length),
            reason,
            probes: 0,
            failures: 0,
            worst_latency: None,
            went_down: false,
            verdict: None,
        }
    }

    pub fn is_running(&self) -> bool {
        self.verdict.is_none()
    }

    /// What the window says now: unstable as soon as a check went down.
    pub fn verdict_now(&self) -> Option<Verdict> {
        self.verdict.or(self.went_down.then_some(Verdict::Unstable {
            failures: self.failures,
        }))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnvState {
    pub name: String,
    pub repo: String,
    pub protected: bool,
    /// What to type before acting on it (`None`: `ENV VERSION`).
    pub confirm_phrase: Option<String>,
    /// How to roll it back (`[environment.rollback]`), if it can be.
    pub rollback: Option<crate::config::RollbackConfig>,
    pub url: Option<String>,
    pub checks: Vec<CheckSlot>,
    pub version_source: Option<VersionConfig>,
    pub version: Polled<String>,
    pub deployments: Polled<Vec<DeploymentState>>,
    pub cutover: Option<Cutover>,
}

impl EnvState {
    pub fn health(&self) -> Health {
        overall(self.checks.iter().map(|c| c.tracker.health))
    }

    /// A rollback of this environment that GitHub shows unfinished (`task: rollback`, state
    /// queued/pending/in_progress or no status yet), from the deployments polled for the pane:
    /// what every operator's cockpit shows, and what makes `R` ask for an override. One whose
    /// last sign of life is older than the rollback timeout is stale (its cockpit died) and
    /// ignored, as `GitHub::active_rollback` does; a finished rollback ends the search.
    pub fn rollback_in_progress(
        &self,
        now: DateTime<Utc>,
    ) -> Option<crate::model::rollback::ForeignRollback> {
        let stale_after = self
            .rollback
            .as_ref()
            .map_or(Duration::from_secs(10 * 60), |r| r.timeout);
        let stale_after =
            chrono::TimeDelta::from_std(stale_after).unwrap_or(chrono::TimeDelta::MAX);
        let d = self
            .deployments
            .value
            .as_ref()?
            .iter()
            .find(|d| d.deployment.task == crate::github::ROLLBACK_TASK)?;
        if !d.unfinished() || now.signed_duration_since(d.last_activity()) > stale_after {
            return None;
        }
        Some(crate::model::rollback::ForeignRollback {
            deployment_id: d.deployment.id,
            by: d.by().to_string(),
            version: d.deployment.git_ref.clone(),
            since: d.deployment.created_at,
        })
    }

    /// The newest deployment whose latest status is `success`.
    pub fn last_good_deployment(&self) -> Option<&DeploymentState> {
        self.deployments
            .value
            .as_ref()?
            .iter()
            .find(|d| d.state() == "success")
    }

    /// The live version differs from what GitHub says was last deployed successfully.
    /// A deployment of a bare commit cannot be compared with a tag-like version that names
    /// no commit: that is not reported as a difference.
    pub fn version_mismatch(&self) -> Option<(&str, &str)> {
        let live = self.version.value.as_deref()?;
        let deployed = self.last_good_deployment()?;
        let r = deployed.deployment.git_ref.as_str();
        let is_sha = |s: &str| s.len() >= 7 && s.bytes().all(|b| b.is_ascii_hexdigit());
        let names_commit = live
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|part| is_sha(part.trim_start_matches('g')));
        if is_sha(r) && !names_commit {
            return None;
        }
        let same = live == r
            || live.trim_start_matches('v') == r.trim_start_matches('v')
            || (r.len() >= 7 && live.contains(&r[..7]))
            || deployed.deployment.sha.starts_with(live);
        (!same).then_some((live, r))
    }

    /// The newest run of the workflow that deploys here. Matched by name: a workflow whose
    /// name contains the environment's name ("Deploy Production" ↔ `production`), in the
    /// environment's repo.
    pub fn deploy_run<'a>(&self, runs: &'a [RunEntry]) -> Option<&'a RunEntry> {
        let name = self.name.to_lowercase();
        runs.iter().find(|e| {
            e.repo == self.repo
                && e.run
                    .name
                    .as_deref()
                    .is_some_and(|n| n.to_lowercase().contains(&name))
        })
    }

    pub fn cutover_running(&self) -> bool {
        self.cutover.as_ref().is_some_and(Cutover::is_running)
    }
}

/// The interval a check runs at: fast while a cutover window runs.
pub fn check_interval(
    check: &CheckConfig,
    cutover_running: bool,
    monitor: &MonitorConfig,
) -> Duration {
    if cutover_running {
        monitor.cutover_interval.min(check.interval)
    } else {
        check.interval
    }
}

/// The environments of a config, in config order.
pub fn from_config(config: &Config, now: DateTime<Utc>) -> Vec<EnvState> {
    config
        .environments
        .iter()
        .map(|e| EnvState {
            name: e.name.clone(),
            confirm_phrase: e.confirm_phrase.clone(),
            rollback: e.rollback.clone(),
            repo: config
                .repo_for(e)
                .map(|r| r.name.clone())
                .unwrap_or_default(),
            protected: e.protected,
            url: e.url.clone(),
            checks: e
                .checks
                .iter()
                .map(|c| CheckSlot {
                    config: c.clone(),
                    tracker: CheckTracker::new(),
                    next_due: now,
                    in_flight: false,
                })
                .collect(),
            version_source: e.version.clone(),
            version: Polled::new(now),
            deployments: Polled::new(now),
            cutover: None,
        })
        .collect()
}
