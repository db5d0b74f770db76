//! `cockpit demo`: the embedded simulator plus a config pointing at it. No token, no network.
//!
//! # The story
//!
//! The simulator plays a release of `acme/shop` (see `sim::scenario`): CI runs, a failed test
//! run, a production deploy waiting at its gate, and a staging deploy (run 9003, "Deploy
//! Staging #58") that finishes about 30 s in. Its end opens staging's cutover window by itself
//! (`[monitor] cutover_window = "60s"` in the demo, checks every 2 s while it runs).
//! [`start_story`] then makes staging wobble: from about t = 40 s its health check answers 503
//! for 3 s — one or two failed probes, so the pane turns `DEGRADED`, not `DOWN` (that takes
//! 3 consecutive failures) — and recovers; the window ends `STABLE` at about t = 90 s.
//! Production stays up unless you flip it.
//!
//! # Playing with it
//!
//! `cockpit demo --sim-port 8765` makes the simulator listen on a known port (the default is
//! a random one). From another terminal on the same machine, with no token:
//!
//! ```text
//! # take production down (any status; 503 when left out), and bring it back
//! curl -X POST -d '{"mode":"down","status":503}' http://127.0.0.1:8765/_sim/health/production
//! curl -X POST -d '{"mode":"up"}' http://127.0.0.1:8765/_sim/health/production
//! # a slow check (answers after 8 s: past the demo's 5 s timeout) or a wrong body
//! curl -X POST -d '{"mode":"slow","delay_ms":8000}' http://127.0.0.1:8765/_sim/health/staging
//! curl -X POST -d '{"mode":"wrong_body"}' http://127.0.0.1:8765/_sim/health/production
//! # a new live version (the pane warns that it differs from the last deployment)
//! curl -X POST -d '{"version":"v1.4.1"}' http://127.0.0.1:8765/_sim/version/production
//! # what is set now, and the list of endpoints
//! curl http://127.0.0.1:8765/_sim/health/production
//! curl http://127.0.0.1:8765/_sim/
//! ```
//!
//! Changes answer `204 No Content`. In the cockpit, `2` shows the Environments view, `j`/`k`
//! select a pane and `w` opens or closes its cutover window.

use std::path::Path;
use std::time::Duration;

use crate::config::{self, Config};
use crate::sim::{HealthMode, SimControl, Simulator};

/// The demo's cutover window: short enough to watch one to its verdict.
pub const CUTOVER_WINDOW: Duration = Duration::from_secs(60);
/// The check interval while a window runs.
pub const CUTOVER_INTERVAL: Duration = Duration::from_secs(2);

/// One scripted change of an environment's health check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryStep {
    /// Seconds after the demo started.
    pub at: Duration,
    pub env: &'static str,
    /// What the health endpoint answered before; when someone changed it meanwhile (through
    /// the control endpoint), the step is skipped so the story never undoes them.
    pub from: HealthMode,
    pub to: HealthMode,
}

/// Staging's wobble during its post-deploy window: 503 for 3 s, then healthy again.
pub fn story() -> Vec<StoryStep> {
    vec![
        StoryStep {
            at: Duration::from_secs(40),
            env: "staging",
            from: HealthMode::Up,
            to: HealthMode::Down(503),
        },
        StoryStep {
            at: Duration::from_secs(43),
            env: "staging",
            from: HealthMode::Down(503),
            to: HealthMode::Up,
        },
    ]
}

/// Plays [`story`] on the simulator in wall time, counted from now (call it right after the
/// simulator started). Abort the handle to stop it.
pub fn start_story(control: SimControl) -> tokio::task::JoinHandle<()> {
    play(control, story())
}

/// Plays `steps` in wall time from now.
fn play(control: SimControl, steps: Vec<StoryStep>) -> tokio::task::JoinHandle<()> {
    let start = tokio::time::Instant::now();
    tokio::spawn(async move {
        for step in steps {
            tokio::time::sleep_until(start + step.at).await;
            let done = control.replace_health(step.env, &step.from, step.to.clone());
            if done {
                tracing::info!(environment = step.env, mode = ?step.to, "demo story: health changed");
            } else {
                tracing::info!(
                    environment = step.env,
                    "demo story: step skipped, the health was changed by hand"
                );
            }
        }
    })
}

/// What the demo's local rollback prints (a real one runs the server's rollback script).
const ROLLBACK_SCRIPT: &str = "echo \"rolling back to $1\"; \
for step in 'draining traffic' 'switching the release symlink' 'no migrations to revert' \
'restarting app workers' 'warming caches'; do sleep 1; echo \"$step\"; done; \
echo 'worker 3: slow to start' >&2; sleep 1; echo \"now serving $1\"";

/// The demo's config: the simulator's repo and environments, fast polling so the story moves,
/// and a one-minute cutover window.
pub fn config_for(sim: &Simulator) -> Result<Config, config::ConfigError> {
    let base = sim.base_url();
    let api_url = sim.api_url();
    let text = format!(
        r#"
[github]
api_url = "{api_url}"
poll = "10s"
active_poll = "2s"

[[repo]]
name = "acme/shop"

[monitor]
cutover_window = "{window}"
cutover_interval = "{interval}"

[[environment]]
name = "staging"
url = "{base}/_env/staging/"

  [[environment.check]]
  name = "api"
  url = "{staging_health}"
  interval = "10s"
  timeout = "5s"

  [environment.version]
  url = "{staging_version}"
  json_pointer = "/version"

[[environment]]
name = "production"
protected = true
url = "{base}/_env/production/"

  [[environment.check]]
  name = "api"
  url = "{prod_health}"
  interval = "10s"
  timeout = "5s"
  json = {{ "/status" = "UP" }}

  [environment.version]
  url = "{prod_version}"
  json_pointer = "/version"

  # The demo's rollback runs here (`local`): a script that prints a rollback's progress.
  # The version is its own argument ($1), never part of the script's text.
  [environment.rollback]
  transport = "local"
  command = ["sh", "-c", '''{script}''', "rollback", "{{version}}"]
  timeout = "2m"
"#,
        script = ROLLBACK_SCRIPT,
        window = humantime::format_duration(CUTOVER_WINDOW),
        interval = humantime::format_duration(CUTOVER_INTERVAL),
        staging_health = sim.health_url("staging"),
        staging_version = sim.version_url("staging"),
        prod_health = sim.health_url("production"),
        prod_version = sim.version_url("production"),
    );
    config::parse_str(&text, Path::new("<demo>"))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::SystemClock;
    use crate::sim::SimOptions;

    /// Staging's deploy ends at about t = 30 s and opens its window then.
    const WINDOW_OPENS: Duration = Duration::from_secs(30);

    #[test]
    fn the_wobble_is_inside_staging_window_and_below_the_threshold() {
        let steps = story();
        let down = &steps[0];
        let up = &steps[1];
        assert_eq!((down.env, up.env), ("staging", "staging"));
        assert_eq!(down.to, up.from);
        assert_eq!(up.to, HealthMode::Up);
        let outage = up.at - down.at;
        // At a 2 s interval a 3 s outage fails one or two probes: never the 3 that turn it down.
        assert!(outage < CUTOVER_INTERVAL * 2, "{outage:?}");
        assert!(
            down.at > WINDOW_OPENS && up.at + CUTOVER_INTERVAL * 2 < WINDOW_OPENS + CUTOVER_WINDOW
        );
    }

    #[tokio::test]
    async fn the_config_watches_both_environments_with_a_short_window() {
        let sim = Simulator::start(SimOptions::new(Arc::new(SystemClock)))
            .await
            .unwrap();
        let config = config_for(&sim).unwrap();
        assert_eq!(config.monitor.cutover_window, CUTOVER_WINDOW);
        assert_eq!(config.monitor.cutover_interval, CUTOVER_INTERVAL);
        let names: Vec<&str> = config
            .environments
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(names, ["staging", "production"]);
    }

    #[tokio::test]
    async fn the_story_plays_and_steps_aside_for_a_hand_flip() {
        let sim = Simulator::start(SimOptions::new(Arc::new(SystemClock)))
            .await
            .unwrap();
        let control = sim.control();
        let quick = |step: &StoryStep| StoryStep {
            at: step.at / 1000,
            ..step.clone()
        };
        let steps: Vec<StoryStep> = story().iter().map(quick).collect();

        // Played as written: down, then up again.
        play(sim.control(), steps[..1].to_vec()).await.unwrap();
        assert_eq!(control.health("staging"), HealthMode::Down(503));
        play(sim.control(), steps[1..].to_vec()).await.unwrap();
        assert_eq!(control.health("staging"), HealthMode::Up);

        // Someone took staging down by hand first: the story leaves it alone.
        control.set_health("staging", HealthMode::Down(500));
        play(sim.control(), steps).await.unwrap();
        assert_eq!(control.health("staging"), HealthMode::Down(500));
    }
}
