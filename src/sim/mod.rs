//! The embedded GitHub simulator: an HTTP server on 127.0.0.1 that answers like GitHub's REST
//! API for one repository (default `acme/shop`) and plays a scripted release story driven by
//! an injected clock, plus the environments' health/version endpoints and a log host.
//! Optionally a second repository with a smaller story (`SimOptions::second_repo`), and the
//! API under a path prefix like GitHub Enterprise Server's `/api/v3` (`SimOptions::api_prefix`),
//! with its rate limiting off (`SimOptions::rate_limiting_disabled`).
//! Used by `cockpit demo` and by the integration tests. It deliberately does not use cockpit's
//! own GitHub models, so it checks them rather than mirrors them.
//!
//! Layout: `scenario` (the story and its mutations) over `history`, `plans`, `timeline` and
//! `deploys`; `server` (pipeline) → `routes` → `api_*` handlers → `render*` (JSON bodies);
//! `host` (`/_env`, `/_logs`), `control` (`/_sim`), `logs`, `faults`, `state`, `listener`.
//!
//! # Control endpoint
//!
//! Besides [`Simulator::set_health`] / [`Simulator::set_version`] (and the cloneable
//! [`SimControl`] handle), the simulator can be steered over HTTP by anything on the same
//! machine — a test, or an operator playing with `cockpit demo --sim-port 8765`. It needs no
//! token, costs no rate limit and is never hit by injected faults:
//!
//! ```text
//! GET  /_sim/                  usage text
//! POST /_sim/health/{env}      {"mode":"up"}
//!                              {"mode":"down","status":503}     (status defaults to 503)
//!                              {"mode":"slow","delay_ms":8000}  (then answers healthy)
//!                              {"mode":"wrong_body"}            (200 with an HTML page)
//! POST /_sim/version/{env}     {"version":"v1.3.2"}
//! GET  /_sim/health/{env}      the current mode, in the same JSON
//! GET  /_sim/version/{env}     {"version":"v1.4.0"}
//! ```
//!
//! A change answers `204 No Content`; a malformed body `400`, an environment the simulator
//! does not know `404` (known: `dev`, `staging`, `production`, and any given a mode or
//! version through the API), another method `405`; errors are `{"error":"..."}`. For example:
//!
//! ```text
//! curl -X POST -d '{"mode":"down","status":503}' http://127.0.0.1:8765/_sim/health/production
//! ```

mod api_deploy;
mod api_repo;
mod api_runs;
mod control;
mod deploys;
mod faults;
mod history;
mod host;
mod listener;
mod logs;
mod plans;
mod render;
mod render_actions;
mod routes;
mod scenario;
mod server;
mod state;
mod timeline;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use chrono::{DateTime, Utc};
use tokio::sync::oneshot;

pub use faults::{Fault, FaultRule};

use crate::clock::SharedClock;
use state::Shared;

/// How to start a simulator.
#[derive(Clone)]
pub struct SimOptions {
    pub clock: SharedClock,
    /// When set, GitHub API requests must carry `Authorization: Bearer <it>` (or `token <it>`).
    pub require_token: Option<String>,
    /// `owner/name` the API answers for; the scenario is the same whatever the name.
    pub repo: String,
    /// The 127.0.0.1 port to listen on; 0 (the default) picks a free one.
    pub port: u16,
    /// Answer like GitHub Enterprise Server from before `return_run_details`: a dispatch
    /// carrying the field gets `422 Invalid request. "return_run_details" is not a permitted
    /// key.` and dispatches nothing; without it, `204`.
    pub legacy_dispatch: bool,
    /// Serve the API under this path, as GitHub Enterprise Server does under `/api/v3`
    /// (empty, the default: at the root, like api.github.com). API paths outside it answer a
    /// plain 404 that costs no rate limit; `/_env/`, `/_logs/` and `/_sim/` stay at the root.
    pub api_prefix: String,
    /// A second repository (`owner/name`, e.g. `acme/payments`) with its own, smaller story:
    /// four runs of the same workflow files, one of them waiting on its `production` gate.
    /// Off by default so the counts of requests the tests pin stay the same.
    pub second_repo: Option<String>,
    /// Answer like GitHub Enterprise Server with API rate limiting off (its default): no
    /// `x-ratelimit-*` headers, no primary limit, and `GET /rate_limit` is
    /// `404 {"message":"Rate limiting is not enabled."}`. Injected faults still answer as set.
    pub rate_limiting_disabled: bool,
}

impl SimOptions {
    pub fn new(clock: SharedClock) -> Self {
        SimOptions {
            clock,
            require_token: None,
            repo: "acme/shop".into(),
            port: 0,
            legacy_dispatch: false,
            api_prefix: String::new(),
            second_repo: None,
            rate_limiting_disabled: false,
        }
    }
}

impl fmt::Debug for SimOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimOptions")
            .field(
                "require_token",
                &self.require_token.as_ref().map(|_| "<redacted>"),
            )
            .field("repo", &self.repo)
            .field("port", &self.port)
            .field("legacy_dispatch", &self.legacy_dispatch)
            .field("api_prefix", &self.api_prefix)
            .field("second_repo", &self.second_repo)
            .field("rate_limiting_disabled", &self.rate_limiting_disabled)
            .finish_non_exhaustive()
    }
}

/// One request the simulator received.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub if_none_match: Option<String>,
    pub authorization: Option<String>,
    /// The body as JSON (a JSON string holding the text if it was not JSON); `None` if empty.
    pub body: Option<serde_json::Value>,
    /// The status answered; 0 while unanswered (or if the client went away during a stall).
    pub status: u16,
}

/// Request counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SimStats {
    /// every request received, any path
    pub total: u64,
    /// requests that used up primary rate limit
    pub quota_costing: u64,
    /// conditional GETs answered 304 (free)
    pub not_modified: u64,
}

/// How an environment's health endpoint behaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HealthMode {
    /// 200 `{"status":"UP","version":..}`
    Up,
    /// this status with `{"status":"DOWN",..}`
    Down(u16),
    /// sleeps (tokio time) this long, then answers like `Up`
    Slow(Duration),
    /// 200 with an HTML maintenance page instead of the JSON
    WrongBody,
}

/// A running simulator. Dropping it shuts it down too.
pub struct Simulator {
    shared: Arc<Shared>,
    acceptor: listener::Acceptor,
    stop: Option<oneshot::Sender<()>>,
}

impl Simulator {
    /// Binds 127.0.0.1 on `opts.port` (0: a free port) and serves in a tokio task. The
    /// scenario's `t = 0` is `opts.clock.now()` at this call.
    pub async fn start(opts: SimOptions) -> std::io::Result<Simulator> {
        let (acceptor, listener) = listener::bind(opts.port)?;
        let base = format!("http://{}", acceptor.addr());
        let shared = Arc::new(Shared::new(&opts, base));
        let app = Router::new()
            .fallback(server::handle)
            .with_state(Arc::clone(&shared));
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = rx.await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::warn!("simulator stopped: {e}");
            }
        });
        Ok(Simulator {
            shared,
            acceptor,
            stop: Some(tx),
        })
    }

    /// `http://127.0.0.1:PORT`: the root, where the environments and the log host live.
    pub fn base_url(&self) -> String {
        self.shared.base.clone()
    }

    /// The GitHub API url to configure (`api_url`): [`Self::base_url`] plus
    /// `SimOptions::api_prefix`, e.g. `http://127.0.0.1:PORT/api/v3`.
    pub fn api_url(&self) -> String {
        self.shared.api_base.clone()
    }

    /// e.g. `{base}/_env/production/api/health/`
    pub fn health_url(&self, env: &str) -> String {
        format!("{}/_env/{env}/api/health/", self.shared.base)
    }

    /// e.g. `{base}/_env/production/version`, answering `{"version":"v1.3.2"}`
    pub fn version_url(&self, env: &str) -> String {
        format!("{}/_env/{env}/version", self.shared.base)
    }

    /// `owner/name` of the simulated repository.
    pub fn repo(&self) -> String {
        format!("{}/{}", self.shared.owner, self.shared.repo)
    }

    /// `owner/name` of the second repository, if `SimOptions::second_repo` asked for one.
    pub fn second_repo(&self) -> Option<String> {
        self.shared
            .second
            .as_ref()
            .map(|r| format!("{}/{}", r.owner, r.repo))
    }

    /// The scenario's `t = 0` (whole seconds).
    pub fn started_at(&self) -> DateTime<Utc> {
        self.shared.start
    }

    pub fn inject(&self, rule: FaultRule) {
        self.shared.lock().faults.push(rule);
    }

    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().log.clone()
    }

    pub fn stats(&self) -> SimStats {
        self.shared.lock().stats
    }

    /// What `x-ratelimit-remaining` would say now.
    pub fn rate_limit_remaining(&self) -> u32 {
        let now = self.shared.clock.now();
        let mut g = self.shared.lock();
        g.quota.roll(now);
        g.quota.remaining()
    }

    pub fn set_health(&self, env: &str, mode: HealthMode) {
        self.control().set_health(env, mode);
    }

    /// Overrides the live version of `env` (until a later deployment succeeds there).
    pub fn set_version(&self, env: &str, version: &str) {
        self.control().set_version(env, version);
    }

    /// A cloneable handle that flips health and versions from another task (the demo's
    /// scripted story); it does not keep the simulator running.
    pub fn control(&self) -> SimControl {
        SimControl {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Stops listening: when this returns, new connections are refused. Open connections are
    /// closed once their in-flight request is answered.
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.acceptor.stop();
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// Flips an environment's health and live version: what the `/_sim/` endpoint does, from Rust.
#[derive(Clone)]
pub struct SimControl {
    shared: Arc<Shared>,
}

impl SimControl {
    pub fn set_health(&self, env: &str, mode: HealthMode) {
        self.shared.lock().health.insert(env.to_string(), mode);
    }

    /// The mode `env`'s health endpoint answers with now (`Up` unless set).
    pub fn health(&self, env: &str) -> HealthMode {
        self.shared
            .lock()
            .health
            .get(env)
            .cloned()
            .unwrap_or(HealthMode::Up)
    }

    /// Sets `env`'s health to `to` only if it is still `expected`; returns whether it did.
    /// Lets a script step aside when someone else changed the mode meanwhile.
    pub fn replace_health(&self, env: &str, expected: &HealthMode, to: HealthMode) -> bool {
        let mut g = self.shared.lock();
        let now = g.health.get(env).unwrap_or(&HealthMode::Up);
        if now != expected {
            return false;
        }
        g.health.insert(env.to_string(), to);
        true
    }

    /// Overrides the live version of `env` (until a later deployment succeeds there).
    pub fn set_version(&self, env: &str, version: &str) {
        let t = self.shared.t();
        self.shared
            .lock()
            .world
            .version_overrides
            .insert(env.to_string(), (version.to_string(), t));
    }
}

impl fmt::Debug for SimControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimControl")
            .field("base_url", &self.shared.base)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator")
            .field("base_url", &self.shared.base)
            .finish_non_exhaustive()
    }
}
