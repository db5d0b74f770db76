//! A check's health over time, with Gatus-style thresholds from `[monitor]`.
//!
//! [`CheckTracker::record`] folds one probe outcome into the check's state and reports the
//! transition when the health word changed. The rules, with `failure_threshold` = F and
//! `success_threshold` = S (a threshold of 0 counts as 1):
//!
//! - A check starts `unknown` (never probed).
//! - A success from `unknown`, `up` or `degraded` makes it `up` at once.
//! - A failure that leaves fewer than F consecutive failures makes an `up` or `unknown`
//!   check `degraded` (a `degraded` check stays `degraded`).
//! - The F-th consecutive failure makes it `down` (with F = 1 the first failure does).
//! - A `down` check needs S consecutive successes to return to `up`; until then it stays
//!   `down`, and a failure in between starts the count again.
//!
//! So with F = 3, S = 2: `unknown` → ok → `up` → fail → `degraded` → fail → `degraded` →
//! fail → `down` → ok → `down` → ok → `up`.
//!
//! [`overall`] folds the checks of one environment into one word: no checks → `unknown`;
//! any `down` → `down`; else any `degraded` → `degraded`; all `unknown` → `unknown`;
//! otherwise `up` (checks not yet probed do not hold the others back).

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// How many latencies a tracker keeps for the sparkline.
pub const SPARKLINE_LEN: usize = 60;

/// A check's (or an environment's) health, as shown and as written by `status --json`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Up,
    Degraded,
    Down,
    #[default]
    Unknown,
}

impl Health {
    /// `up`, `degraded`, `down` or `unknown`.
    pub fn word(self) -> &'static str {
        match self {
            Health::Up => "up",
            Health::Degraded => "degraded",
            Health::Down => "down",
            Health::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Health {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// What one probe found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeOutcome {
    /// The response's status; `None` when no response came (refused, timeout, DNS, TLS ...).
    pub http_status: Option<u16>,
    /// Time from sending the request to the end of the body (or to the failure).
    pub latency: Duration,
    /// `Ok` when every condition of the check held, else the first failure's message.
    pub result: Result<(), String>,
}

/// One check's running state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckTracker {
    pub health: Health,
    pub consecutive_failures: u32,
    pub consecutive_successes: u32,
    /// Status of the last probe; `None` when it got no response.
    pub last_status: Option<u16>,
    /// Latency of the last probe that got a response; `None` when the last one got none.
    pub last_latency: Option<Duration>,
    /// The last probe's failure; cleared by a success.
    pub last_error: Option<String>,
    /// Latencies (ms) of the last [`SPARKLINE_LEN`] probes that got a response, oldest first.
    pub latencies: VecDeque<u64>,
    /// When the last probe finished.
    pub last_at: Option<DateTime<Utc>>,
    /// Probes recorded.
    pub checks: u64,
    /// Failed probes recorded.
    pub failures: u64,
}

impl CheckTracker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Folds in one probe outcome (finished at `at`); returns `(old, new)` when the health
    /// changed. See the module docs for the rules.
    pub fn record(
        &mut self,
        outcome: &ProbeOutcome,
        at: DateTime<Utc>,
        failure_threshold: u32,
        success_threshold: u32,
    ) -> Option<(Health, Health)> {
        let failure_threshold = failure_threshold.max(1);
        let success_threshold = success_threshold.max(1);

        self.checks = self.checks.saturating_add(1);
        self.last_at = Some(at);
        self.last_status = outcome.http_status;
        if outcome.http_status.is_some() {
            self.last_latency = Some(outcome.latency);
            if self.latencies.len() >= SPARKLINE_LEN {
                self.latencies.pop_front();
            }
            let ms = u64::try_from(outcome.latency.as_millis()).unwrap_or(u64::MAX);
            self.latencies.push_back(ms);
        } else {
            self.last_latency = None;
        }

        let old = self.health;
        let new = match &outcome.result {
            Ok(()) => {
                self.consecutive_successes = self.consecutive_successes.saturating_add(1);
                self.consecutive_failures = 0;
                self.last_error = None;
                match old {
                    Health::Down if self.consecutive_successes < success_threshold => Health::Down,
                    _ => Health::Up,
                }
            }
            Err(message) => {
                self.consecutive_failures = self.consecutive_failures.saturating_add(1);
                self.consecutive_successes = 0;
                self.failures = self.failures.saturating_add(1);
                self.last_error = Some(message.clone());
                if self.consecutive_failures >= failure_threshold {
                    Health::Down
                } else {
                    match old {
                        Health::Down => Health::Down,
                        Health::Up | Health::Unknown | Health::Degraded => Health::Degraded,
                    }
                }
            }
        };
        self.health = new;
        (old != new).then_some((old, new))
    }

    /// The last latency in whole milliseconds (for `status --json`'s `latency_ms`).
    pub fn latency_ms(&self) -> Option<u64> {
        self.last_latency
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }
}

/// One word for a set of checks (an environment): see the module docs.
pub fn overall(healths: impl IntoIterator<Item = Health>) -> Health {
    let mut any_up = false;
    let mut any_degraded = false;
    for health in healths {
        match health {
            Health::Down => return Health::Down,
            Health::Degraded => any_degraded = true,
            Health::Up => any_up = true,
            Health::Unknown => {}
        }
    }
    if any_degraded {
        Health::Degraded
    } else if any_up {
        Health::Up
    } else {
        // No checks, or none probed yet.
        Health::Unknown
    }
}
