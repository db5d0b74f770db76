//! Terminal setup and teardown around the app loop: whatever happens (error, panic), the
//! terminal is restored — raw mode, alternate screen and mouse capture.

use std::io::stdout;

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};

use crate::app;
use crate::config::Config;
use crate::effects::Backends;
use crate::keymap::Keymap;
use crate::model::{Model, PollSettings, SourceKey};
use crate::theme::Theme;

/// The run lists to poll: one per repo, or one per configured workflow.
pub fn sources(config: &Config) -> Vec<SourceKey> {
    let mut out = Vec::new();
    for repo in &config.repos {
        if repo.workflows.is_empty() {
            out.push(SourceKey {
                repo: repo.name.clone(),
                workflow: None,
                branch: repo.branch.clone(),
            });
        } else {
            out.extend(repo.workflows.iter().map(|w| SourceKey {
                repo: repo.name.clone(),
                workflow: Some(w.clone()),
                branch: repo.branch.clone(),
            }));
        }
    }
    out
}

pub fn initial_model(
    config: &Config,
    read_only: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Model {
    let poll = PollSettings {
        idle: config.github.poll,
        active: config.github.active_poll,
    };
    let mut model = Model::new(sources(config), poll, now);
    model.read_only = read_only;
    model.actor = local_user();
    model.envs = crate::model::env::from_config(config, now);
    model.monitor = config.monitor.clone();
    model.keymap = std::sync::Arc::new(keymap(config));
    model
}

/// The keymap in force: the defaults with `[keys]` applied. A loaded config has been
/// validated, so its overrides apply; should one not, the defaults are used and the reasons
/// logged rather than starting with a keymap that means two things by one key.
pub fn keymap(config: &Config) -> Keymap {
    let entries = config.keys.iter().map(|(a, b)| (a.as_str(), b.keys()));
    Keymap::with_overrides(entries).unwrap_or_else(|problems| {
        for p in problems {
            tracing::warn!(problem = %p, "[keys] not applied");
        }
        Keymap::default()
    })
}

/// The operator's local user name (`$USER`, `$USERNAME`, `$LOGNAME`), or `unknown`.
pub fn local_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// Restores the terminal when dropped, so early returns and errors cannot skip it.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = crossterm::execute!(stdout(), DisableMouseCapture);
        ratatui::restore();
    }
}

pub async fn run(model: Model, theme: Theme, backends: Backends) -> color_eyre::Result<()> {
    // ratatui::init installs a panic hook that restores raw mode and the alternate screen;
    // ours runs first and also turns mouse capture off.
    let mut terminal = ratatui::init();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(stdout(), DisableMouseCapture);
        previous(info);
    }));
    let _guard = TerminalGuard;
    crossterm::execute!(stdout(), EnableMouseCapture)?;
    app::run(&mut terminal, model, theme, backends).await
}
