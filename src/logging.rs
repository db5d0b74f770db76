//! File logging with tracing-appender: `<state_dir>/logs/cockpit.log.YYYY-MM-DD`.
//! Never to the terminal (it would paint over the TUI).

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Starts logging; keep the guard alive until the end of `main` so the last lines are written.
pub fn init(dir: &Path, level: &str) -> color_eyre::Result<WorkerGuard> {
    std::fs::create_dir_all(dir)?;
    let appender = tracing_appender::rolling::daily(dir, "cockpit.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_new(format!("warn,cockpit={level}"))
        .or_else(|_| EnvFilter::try_new("warn,cockpit=info"))?;
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .map_err(|e| color_eyre::eyre::eyre!("starting the logger: {e}"))?;
    Ok(guard)
}

/// `<state_dir>/logs`, or the data dir where the platform has no state dir.
pub fn log_dir() -> Option<PathBuf> {
    crate::config::state_dir().map(|d| d.join("logs"))
}
