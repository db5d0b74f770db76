//! When to poll what: pure scheduling, so the loop only asks "what is due now?".

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::secs;
use crate::github::RateInfo;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollSettings {
    /// Repos with nothing running.
    pub idle: Duration,
    /// Repos with a queued / in-progress / waiting run, and the jobs of the open run.
    pub active: Duration,
}

impl Default for PollSettings {
    fn default() -> Self {
        PollSettings {
            idle: Duration::from_secs(15),
            active: Duration::from_secs(3),
        }
    }
}

/// Longest pause between retries of a failing GET.
pub const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Polling state of one source.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceState {
    pub runs: Vec<crate::github::models::WorkflowRun>,
    pub fetched_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub in_flight: bool,
    pub next_due: DateTime<Utc>,
    pub failures: u32,
}

impl SourceState {
    pub fn new(now: DateTime<Utc>) -> Self {
        SourceState {
            runs: Vec::new(),
            fetched_at: None,
            error: None,
            in_flight: false,
            next_due: now,
            failures: 0,
        }
    }

    pub fn has_active_run(&self) -> bool {
        self.runs.iter().any(|r| r.is_active())
    }

    pub fn interval(&self, poll: &PollSettings) -> Duration {
        if self.has_active_run() {
            poll.active
        } else {
            poll.idle
        }
    }

    pub fn is_stale(&self, now: DateTime<Utc>, poll: &PollSettings) -> bool {
        if self.error.is_some() {
            return true;
        }
        match self.fetched_at {
            None => false,
            Some(at) => now - at > secs(self.interval(poll) * 2 + Duration::from_secs(5)),
        }
    }
}

/// How much to stretch polling when the quota runs low: ×2 below 20 % remaining,
/// ×4 below 10 %, ×8 below 5 %.
pub fn stretch(rate: Option<&RateInfo>) -> u32 {
    let Some(rate) = rate else { return 1 };
    if rate.limit == 0 {
        return 1;
    }
    let pct = rate.remaining * 100 / rate.limit;
    match pct {
        0..5 => 8,
        5..10 => 4,
        10..20 => 2,
        _ => 1,
    }
}

/// Exponential backoff with deterministic jitter (±20 %, derived from `seed`), capped at
/// [`MAX_BACKOFF`]: 2 s, 4 s, 8 s ... for the 1st, 2nd, 3rd failure.
pub fn backoff(failures: u32, seed: u64) -> Duration {
    let base = Duration::from_secs(2).saturating_mul(1 << failures.saturating_sub(1).min(6));
    let base = base.min(MAX_BACKOFF);
    // A cheap hash of the seed spreads retries of different sources apart.
    let h = seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(u64::from(failures))
        .rotate_left(17);
    let permille = 800 + (h % 401); // 0.8 ..= 1.2
    base.mul_f64(permille as f64 / 1000.0).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        let b1 = backoff(1, 7);
        let b2 = backoff(2, 7);
        let b9 = backoff(9, 7);
        assert!(b1 >= Duration::from_millis(1600) && b1 <= Duration::from_millis(2400));
        assert!(b2 >= Duration::from_millis(3200) && b2 <= Duration::from_millis(4800));
        assert!(b9 <= MAX_BACKOFF);
        assert!(b9 >= Duration::from_secs(48));
    }

    #[test]
    fn jitter_differs_between_sources() {
        let spread: std::collections::HashSet<_> = (0..20).map(|s| backoff(3, s)).collect();
        assert!(spread.len() > 5);
    }

    #[test]
    fn stretch_follows_quota() {
        let r = |remaining| RateInfo {
            limit: 5000,
            remaining,
            reset: None,
            used: 0,
        };
        assert_eq!(stretch(None), 1);
        assert_eq!(stretch(Some(&r(4000))), 1);
        assert_eq!(stretch(Some(&r(900))), 2);
        assert_eq!(stretch(Some(&r(400))), 4);
        assert_eq!(stretch(Some(&r(10))), 8);
    }
}
