//! A headless cockpit: the real pure `update`, the real `HttpGitHub` and the embedded
//! simulator over HTTP on 127.0.0.1, on a `ManualClock`, without a terminal.
//!
//! It does what `app.rs` + `effects.rs` do, but one thing at a time: advance the clock by a
//! step, send `Msg::Tick`, run each returned `Cmd` by calling the `GitHub` trait and awaiting
//! it, feed `Msg::Rate` and the result back into `update` (which may return more commands),
//! until nothing is left to do. Time only moves in [`Harness::tick`]: while a request is in
//! flight the simulator sees the same instant as the model, so a run is deterministic.
//! The only wall-clock wait is the client's own timeout when a test injects a stall.
//!
//! With [`HarnessOptions::probes`] set, health checks and version reads (`Cmd::Probe`,
//! `Cmd::FetchVersion`) run too, through the real `HttpProber` against the simulator's
//! `/_env/` endpoints: their latency is wall time while the schedule stays on the clock.
//! Off by default, so tests that count every request the simulator gets see only GitHub's.
//!
//! Used by `tests/app_recovery.rs`, `tests/health_detection.rs` and, through `#[path]`, by
//! `benches/quota.rs`, so it depends on nothing else under `tests/`.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use cockpit::clock::{Clock, ManualClock, SharedClock};
use cockpit::effects::Auditor;
use cockpit::github::client::{ClientOptions, HttpGitHub};
use cockpit::github::proxy::ProxyConfig;
use cockpit::github::{ClientStats, GitHub};
use cockpit::health::{HttpProber, Prober};
use cockpit::model::Model;
use cockpit::msg::{Cmd, Msg};
use cockpit::sim::{RecordedRequest, SimOptions, SimStats, Simulator};
use cockpit::update::update;

/// The scenario's `t = 0`.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0)
        .single()
        .unwrap_or_else(|| panic!("t0 is a valid time"))
}

/// How to start a [`Harness`].
#[derive(Clone, Debug)]
pub struct HarnessOptions {
    /// How far the clock moves per `Msg::Tick`.
    pub step: Duration,
    /// The client's per-request timeout (wall time: only matters when a stall is injected).
    pub client_timeout: Duration,
    /// The token the simulator demands, if any.
    pub require_token: Option<String>,
    /// The token the client sends, if any.
    pub token: Option<String>,
    /// Where the token "came from", for the 401 message.
    pub token_source: String,
    /// Run health probes and version reads through a real `HttpProber` (else they are
    /// dropped: issued once, never answered).
    pub probes: bool,
    /// Keep the demo's environments (their deployments are polled from GitHub too). Off,
    /// the model watches runs only, so fault tests count just the runs pipeline's requests.
    pub environments: bool,
}

impl Default for HarnessOptions {
    fn default() -> Self {
        HarnessOptions {
            step: Duration::from_millis(250),
            client_timeout: Duration::from_secs(10),
            require_token: None,
            token: None,
            token_source: "demo (no token)".into(),
            probes: false,
            environments: false,
        }
    }
}

/// A limit on the commands one message may cascade into: a loop between `update` and the
/// effects fails the run instead of hanging it.
const MAX_CASCADE: usize = 1_000;

pub struct Harness {
    pub clock: ManualClock,
    pub sim: Simulator,
    pub github: Arc<HttpGitHub>,
    pub model: Model,
    pub step: Duration,
    /// Every command run, with the simulated time it ran at.
    pub executed: Vec<(DateTime<Utc>, Cmd)>,
    /// Runs `Cmd::Probe` and `Cmd::FetchVersion` when set (see [`HarnessOptions::probes`]).
    pub prober: Option<Arc<HttpProber>>,
    /// The audit log every mutation goes through, in a temporary directory.
    pub auditor: Auditor,
    pub audit_dir: tempfile::TempDir,
}

impl Harness {
    /// The demo: simulator, the demo's config (10 s idle / 2 s active polling), the model
    /// `cockpit demo` starts with, and a client pointed at the simulator.
    pub async fn start(opts: HarnessOptions) -> Harness {
        Harness::start_with_sim(opts, |_| {}).await
    }

    /// Like [`Harness::start`], with the simulator's options changed by `tweak` first.
    pub async fn start_with_sim(
        opts: HarnessOptions,
        tweak: impl FnOnce(&mut SimOptions),
    ) -> Harness {
        Harness::start_with_config(opts, tweak, |sim| {
            cockpit::demo::config_for(sim).unwrap_or_else(|e| panic!("demo config: {e}"))
        })
        .await
    }

    /// Like [`Harness::start_with_sim`], with the config built by `config` from the running
    /// simulator instead of the demo's (e.g. several `[[repo]]`s).
    pub async fn start_with_config(
        opts: HarnessOptions,
        tweak: impl FnOnce(&mut SimOptions),
        config: impl FnOnce(&Simulator) -> cockpit::config::Config,
    ) -> Harness {
        let clock = ManualClock::new(t0());
        let shared: SharedClock = Arc::new(clock.clone());
        let mut sim_opts = SimOptions::new(shared.clone());
        sim_opts.require_token = opts.require_token.clone();
        tweak(&mut sim_opts);
        let audit_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("a temp dir: {e}"));
        let auditor = Auditor::open(
            audit_dir.path().join("audit.jsonl"),
            "harness".into(),
            &[],
            shared.clone(),
        );
        let sim = Simulator::start(sim_opts)
            .await
            .unwrap_or_else(|e| panic!("starting the simulator: {e}"));
        let config = config(&sim);
        let github = HttpGitHub::new(ClientOptions {
            api_url: config.github.api_url.clone(),
            token: opts.token.clone(),
            token_source: opts.token_source.clone(),
            timeout: opts.client_timeout,
            clock: shared,
            proxy: ProxyConfig::none(),
        })
        .unwrap_or_else(|e| panic!("building the client: {e}"));
        let mut model = cockpit::tui::initial_model(&config, false, clock.now());
        if !opts.environments {
            model.envs.clear();
        }
        let prober = opts.probes.then(|| {
            Arc::new(HttpProber::new().unwrap_or_else(|e| panic!("building the prober: {e}")))
        });
        Harness {
            clock,
            sim,
            github: Arc::new(github),
            model,
            step: opts.step,
            executed: Vec::new(),
            prober,
            auditor,
            audit_dir,
        }
    }

    /// Where this harness's audit log is.
    pub fn audit_path(&self) -> std::path::PathBuf {
        self.audit_dir.path().join("audit.jsonl")
    }

    pub async fn demo() -> Harness {
        Harness::start(HarnessOptions::default()).await
    }

    /// The demo with health probes and version reads running (see [`HarnessOptions::probes`]).
    pub async fn demo_with_probes() -> Harness {
        Harness::start(HarnessOptions {
            probes: true,
            environments: true,
            ..HarnessOptions::default()
        })
        .await
    }

    /// The index of the environment called `name` in the model. Panics if there is none.
    pub fn env_index(&self, name: &str) -> usize {
        self.model
            .envs
            .iter()
            .position(|e| e.name == name)
            .unwrap_or_else(|| panic!("no environment {name:?} in the model"))
    }

    /// Announcements (`Cmd::Notify`) run so far, with the simulated time they ran at.
    pub fn notices(&self) -> Vec<(DateTime<Utc>, cockpit::msg::Announcement)> {
        self.executed
            .iter()
            .filter_map(|(at, c)| match c {
                Cmd::Notify(a) => Some((*at, a.clone())),
                _ => None,
            })
            .collect()
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Feeds `msg` to `update`, then runs every command that follows, feeding each result
    /// back, until nothing is left. The clock does not move meanwhile.
    pub async fn send(&mut self, msg: Msg) {
        let now = self.now();
        let mut queue: VecDeque<Cmd> = update(&mut self.model, msg, now).into();
        let mut ran = 0;
        while let Some(cmd) = queue.pop_front() {
            ran += 1;
            assert!(
                ran <= MAX_CASCADE,
                "update and effects keep producing commands: last {cmd:?}"
            );
            self.executed.push((now, cmd.clone()));
            for msg in self.execute(cmd).await {
                queue.extend(update(&mut self.model, msg, now));
            }
        }
    }

    /// One command on the real client through the app's own effects, awaited in place;
    /// probes and version reads on the prober, if there is one.
    async fn execute(&self, cmd: Cmd) -> Vec<Msg> {
        match (cmd, &self.prober) {
            (Cmd::Probe { env, check, config }, Some(prober)) => {
                let outcome = prober.probe(&config).await;
                vec![Msg::Probe {
                    env,
                    check,
                    outcome,
                }]
            }
            (
                Cmd::FetchVersion {
                    env,
                    source,
                    timeout,
                },
                Some(prober),
            ) => {
                let result = prober.version(&source, timeout).await;
                vec![Msg::Version { env, result }]
            }
            (cmd, _) => cockpit::effects::perform(cmd, &*self.github, &self.auditor).await,
        }
    }

    /// Moves the clock one step and ticks.
    pub async fn tick(&mut self) {
        self.clock.advance(self.step);
        self.send(Msg::Tick).await;
    }

    /// Like [`Harness::tick`], but time also passes while probes run: each probe's and version
    /// read's wall-clock duration moves the clock before its result is folded in, and every
    /// `update` sees the clock as it is then. For measuring detection of a hanging endpoint,
    /// where the check's timeout is part of the delay. Needs [`HarnessOptions::probes`].
    pub async fn tick_timed(&mut self) {
        self.clock.advance(self.step);
        let now = self.now();
        let mut queue: VecDeque<Cmd> = update(&mut self.model, Msg::Tick, now).into();
        let mut ran = 0;
        while let Some(cmd) = queue.pop_front() {
            ran += 1;
            assert!(
                ran <= MAX_CASCADE,
                "update and effects keep producing commands: last {cmd:?}"
            );
            self.executed.push((self.now(), cmd.clone()));
            let timed = matches!(cmd, Cmd::Probe { .. } | Cmd::FetchVersion { .. });
            let started = std::time::Instant::now();
            let msgs = self.execute(cmd).await;
            if timed && self.prober.is_some() {
                self.clock.advance(started.elapsed());
            }
            for msg in msgs {
                let now = self.now();
                queue.extend(update(&mut self.model, msg, now));
            }
        }
    }

    /// Ticks through `d` of simulated time.
    pub async fn run_for(&mut self, d: Duration) {
        let end = self.now() + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
        while self.now() < end {
            self.tick().await;
        }
    }

    /// Ticks until `done` holds (checked before each tick), for at most `limit` of simulated
    /// time. Returns whether it held.
    pub async fn run_until(
        &mut self,
        limit: Duration,
        mut done: impl FnMut(&Harness) -> bool,
    ) -> bool {
        let end = self.now() + chrono::Duration::from_std(limit).unwrap_or(chrono::Duration::MAX);
        loop {
            if done(self) {
                return true;
            }
            if self.now() >= end {
                return false;
            }
            self.tick().await;
        }
    }

    pub async fn key(&mut self, code: KeyCode) {
        self.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
            .await;
    }

    /// Types `text` one key at a time, as an operator would.
    pub async fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c)).await;
        }
    }

    /// Bodies of the POSTs to API paths ending in `suffix` (`/dispatches`), in order.
    pub fn posts_to(&self, suffix: &str) -> Vec<serde_json::Value> {
        self.api_requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path.ends_with(suffix))
            .map(|r| r.body.unwrap_or_default())
            .collect()
    }

    /// Puts the cursor on `run_id` in the runs list and presses Enter, as an operator would.
    /// Panics if the run is not listed.
    pub async fn open_run(&mut self, run_id: u64) {
        let pos = self
            .model
            .visible
            .iter()
            .position(|&i| self.model.runs[i].run.id == run_id)
            .unwrap_or_else(|| panic!("run {run_id} is not in the list: {:?}", self.run_ids()));
        self.model.selected = pos;
        self.key(KeyCode::Enter).await;
        let opened = self.model.detail.as_ref().map(|d| d.run_id);
        assert_eq!(opened, Some(run_id), "Enter did not open run {run_id}");
    }

    /// Ids of the runs the model lists, in display order.
    pub fn run_ids(&self) -> Vec<u64> {
        self.model.runs.iter().map(|e| e.run.id).collect()
    }

    pub fn sim_stats(&self) -> SimStats {
        self.sim.stats()
    }

    pub fn client_stats(&self) -> ClientStats {
        self.github.stats()
    }

    /// Requests to GitHub's API (not the environments or the log host).
    pub fn api_requests(&self) -> Vec<RecordedRequest> {
        self.sim
            .requests()
            .into_iter()
            .filter(|r| !r.path.starts_with("/_"))
            .collect()
    }
}

/// What watching the demo cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QuotaReport {
    /// Simulated time watched.
    pub watched: Duration,
    /// Requests that used up primary rate limit (simulator's count).
    pub quota_costing: u64,
    /// Conditional GETs answered 304 (simulator's count).
    pub not_modified: u64,
    /// Every request the simulator received.
    pub total: u64,
    /// The client's own count of quota-costing requests.
    pub client_quota_costing: u64,
    /// The client's own count of 304s.
    pub client_not_modified: u64,
    /// API GETs after the first of their path that carried no `If-None-Match`.
    pub unconditional_repeats: u64,
}

impl QuotaReport {
    /// Scales a count to one hour of watching.
    pub fn per_hour(&self, n: u64) -> f64 {
        let secs = self.watched.as_secs_f64();
        if secs == 0.0 {
            return 0.0;
        }
        n as f64 * 3600.0 / secs
    }
}

/// GETs that repeat an earlier GET's path and query without `If-None-Match`.
pub fn unconditional_repeats(requests: &[RecordedRequest]) -> u64 {
    let mut seen = std::collections::HashSet::new();
    let mut n = 0;
    for r in requests.iter().filter(|r| r.method == "GET") {
        let key = (r.path.clone(), r.query.clone());
        if !seen.insert(key) && r.if_none_match.is_none() {
            n += 1;
        }
    }
    n
}

/// Watches the demo for `watched` of simulated time, with run 9001 (the CI run that starts
/// at t = 0) open in the detail view if `detail`, and reports what it cost.
pub async fn watch_demo(detail: bool, watched: Duration) -> (Harness, QuotaReport) {
    // Everything the demo polls from GitHub: runs, the open run's jobs, and each
    // environment's deployments with their statuses.
    let mut h = Harness::start(HarnessOptions {
        environments: true,
        ..HarnessOptions::default()
    })
    .await;
    let listed = h
        .run_until(Duration::from_secs(10), |h| h.run_ids().contains(&9001))
        .await;
    assert!(
        listed,
        "run 9001 never showed up: {:?}",
        h.model.last_error()
    );
    if detail {
        h.open_run(9001).await;
    }
    let end = t0() + chrono::Duration::from_std(watched).unwrap_or(chrono::Duration::MAX);
    while h.now() < end {
        h.tick().await;
    }
    let s = h.sim_stats();
    let c = h.client_stats();
    let report = QuotaReport {
        watched,
        quota_costing: s.quota_costing,
        not_modified: s.not_modified,
        total: s.total,
        client_quota_costing: c.quota_costing,
        client_not_modified: c.not_modified,
        unconditional_repeats: unconditional_repeats(&h.api_requests()),
    };
    (h, report)
}
