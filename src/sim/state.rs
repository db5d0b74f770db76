//! The simulator's shared state: the world, injected faults, the request log, counters,
//! the primary rate limit and the environments' health.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};

use super::faults::FaultRule;
use super::render::Cx;
use super::scenario::World;
use super::{HealthMode, RecordedRequest, SimStats};
use crate::clock::SharedClock;

pub(crate) const RATE_LIMIT: u32 = 5000;

/// The core rate limit: resets at the top of each hour of the simulator's clock.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Quota {
    pub used: u32,
    pub reset: i64,
}

impl Quota {
    fn next_reset(unix: i64) -> i64 {
        (unix.div_euclid(3600) + 1) * 3600
    }

    pub(crate) fn new(now: DateTime<Utc>) -> Self {
        Quota {
            used: 0,
            reset: Self::next_reset(now.timestamp()),
        }
    }

    /// Starts a new window once the reset time has passed.
    pub(crate) fn roll(&mut self, now: DateTime<Utc>) {
        if now.timestamp() >= self.reset {
            *self = Self::new(now);
        }
    }

    pub(crate) fn remaining(&self) -> u32 {
        RATE_LIMIT.saturating_sub(self.used)
    }
}

pub(crate) struct Inner {
    /// The story of the main repo (`SimOptions::repo`).
    pub world: World,
    /// The story of `SimOptions::second_repo`, when asked for.
    pub second: Option<World>,
    pub faults: Vec<FaultRule>,
    pub log: Vec<RecordedRequest>,
    pub stats: SimStats,
    pub quota: Quota,
    pub health: HashMap<String, HealthMode>,
}

/// `owner/name` split in two.
pub(crate) struct RepoName {
    pub owner: String,
    pub repo: String,
}

impl RepoName {
    fn parse(full: &str) -> Self {
        let (owner, repo) = full.split_once('/').unwrap_or(("acme", full));
        RepoName {
            owner: owner.into(),
            repo: repo.into(),
        }
    }
}

pub(crate) struct Shared {
    pub clock: SharedClock,
    pub start: DateTime<Utc>,
    pub token: Option<String>,
    /// `http://127.0.0.1:PORT`: where the environments, the log host and `/_sim` live.
    pub base: String,
    /// `SimOptions::api_prefix` without a trailing `/` (empty: the API is at the root).
    pub api_prefix: String,
    /// `base` plus the prefix: where the API answers (`…/api/v3` like GitHub Enterprise).
    pub api_base: String,
    pub owner: String,
    pub repo: String,
    /// `SimOptions::second_repo`
    pub second: Option<RepoName>,
    /// `SimOptions::legacy_dispatch`
    pub legacy_dispatch: bool,
    /// `SimOptions::rate_limiting_disabled`
    pub rate_limiting_disabled: bool,
    inner: Mutex<Inner>,
}

impl Shared {
    pub(crate) fn new(opts: &super::SimOptions, base: String) -> Self {
        let clock = opts.clock.clone();
        let now = clock.now();
        let start =
            now - chrono::Duration::nanoseconds(i64::from(chrono::Timelike::nanosecond(&now)));
        let main = RepoName::parse(&opts.repo);
        let second = opts.second_repo.as_deref().map(RepoName::parse);
        let api_prefix = match opts.api_prefix.trim_end_matches('/') {
            "" => String::new(),
            p if p.starts_with('/') => p.to_string(),
            p => format!("/{p}"),
        };
        Shared {
            clock,
            start,
            token: opts.require_token.clone(),
            api_base: format!("{base}{api_prefix}"),
            base,
            api_prefix,
            owner: main.owner,
            repo: main.repo,
            legacy_dispatch: opts.legacy_dispatch,
            rate_limiting_disabled: opts.rate_limiting_disabled,
            inner: Mutex::new(Inner {
                world: World::new(),
                second: second.as_ref().map(|_| World::payments()),
                faults: vec![],
                log: vec![],
                stats: SimStats::default(),
                quota: Quota::new(now),
                health: HashMap::new(),
            }),
            second,
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Seconds since the start, on the simulator's clock.
    pub(crate) fn t(&self) -> i64 {
        (self.clock.now() - self.start).num_seconds()
    }

    /// The path under the API prefix, or `None` for a path outside it.
    pub(crate) fn api_path<'p>(&self, path: &'p str) -> Option<&'p str> {
        if self.api_prefix.is_empty() {
            return Some(path);
        }
        match path.strip_prefix(self.api_prefix.as_str())? {
            "" => Some("/"),
            rest if rest.starts_with('/') => Some(rest),
            _ => None,
        }
    }

    /// What bodies of the main repo are rendered with.
    pub(crate) fn cx(&self) -> Cx<'_> {
        Cx {
            base: &self.api_base,
            host: &self.base,
            owner: &self.owner,
            repo: &self.repo,
            start: self.start,
            t: self.t(),
            legacy_dispatch: self.legacy_dispatch,
        }
    }

    /// Appends to the request log; returns the entry's index.
    pub(crate) fn record(&self, rec: RecordedRequest) -> usize {
        let mut g = self.lock();
        g.stats.total += 1;
        g.log.push(rec);
        g.log.len() - 1
    }

    pub(crate) fn set_status(&self, idx: usize, status: u16) {
        if let Some(r) = self.lock().log.get_mut(idx) {
            r.status = status;
        }
    }

    /// Whether an `Authorization` header carries the required token (if any).
    pub(crate) fn authorized(&self, header: Option<&str>) -> bool {
        let Some(token) = self.token.as_deref() else {
            return true;
        };
        let Some((scheme, value)) = header.and_then(|h| h.trim().split_once(' ')) else {
            return false;
        };
        (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token"))
            && value.trim() == token
    }
}
