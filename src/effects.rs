//! Runs each `Cmd` on a backend in its own task; the outcome comes back as a `Msg`.
//! Nothing here decides anything: retry policy and what to show live in `update`.

use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use crate::clock::SharedClock;
use crate::github::GitHub;
use crate::model::log_text::LogText;
use crate::msg::{Cmd, Msg, MutationKind};

/// Every backend the app talks to, behind traits.
#[derive(Clone)]
pub struct Backends {
    pub github: Arc<dyn GitHub>,
    pub clock: SharedClock,
}

/// Starts the work for `cmd`. `Quit` and `Bell` belong to the terminal loop, not here.
pub fn spawn(cmd: Cmd, backends: &Backends, tx: &UnboundedSender<Msg>) {
    let gh = backends.github.clone();
    let tx = tx.clone();
    match cmd {
        Cmd::FetchRuns(source) => {
            tokio::spawn(async move {
                let result = gh
                    .list_runs(
                        &source.repo,
                        source.workflow.as_deref(),
                        source.branch.as_deref(),
                    )
                    .await;
                if let Err(e) = &result {
                    tracing::warn!(source = %source.label(), error = %e, "listing runs failed");
                }
                send_rate(&*gh, &tx);
                let _ = tx.send(Msg::Runs { source, result });
            });
        }
        Cmd::FetchJobs { repo, run_id } => {
            tokio::spawn(async move {
                let result = gh.list_jobs(&repo, run_id).await;
                if let Err(e) = &result {
                    tracing::warn!(%repo, run_id, error = %e, "listing jobs failed");
                }
                send_rate(&*gh, &tx);
                let _ = tx.send(Msg::Jobs {
                    repo,
                    run_id,
                    result,
                });
            });
        }
        Cmd::FetchRun { repo, run_id } => {
            tokio::spawn(async move {
                let result = gh.get_run(&repo, run_id).await.map(Box::new);
                send_rate(&*gh, &tx);
                let _ = tx.send(Msg::Run { repo, result });
            });
        }
        Cmd::FetchLog { repo, job_id } => {
            tokio::spawn(async move {
                let result = match gh.job_log(&repo, job_id).await {
                    // Indexing a large log takes a moment: keep it off the async workers.
                    Ok(bytes) => tokio::task::spawn_blocking(move || Arc::new(LogText::new(bytes)))
                        .await
                        .map_err(|e| crate::github::error::ApiError::Decode {
                            what: format!("job {job_id} log"),
                            detail: e.to_string(),
                        }),
                    Err(e) => Err(e),
                };
                send_rate(&*gh, &tx);
                let _ = tx.send(Msg::Log { job_id, result });
            });
        }
        Cmd::Mutate(mutation) => {
            tokio::spawn(async move {
                tracing::info!(action = ?mutation.kind, repo = %mutation.repo, run_id = mutation.run_id, "sending mutation");
                let result = match mutation.kind {
                    MutationKind::RerunFailed => {
                        gh.rerun(&mutation.repo, mutation.run_id, true).await
                    }
                    MutationKind::RerunAll => {
                        gh.rerun(&mutation.repo, mutation.run_id, false).await
                    }
                    MutationKind::Cancel => gh.cancel(&mutation.repo, mutation.run_id).await,
                };
                tracing::info!(action = ?mutation.kind, run_id = mutation.run_id, ok = result.is_ok(), "mutation finished");
                send_rate(&*gh, &tx);
                let _ = tx.send(Msg::MutationDone { mutation, result });
            });
        }
        Cmd::OpenUrl(url) => open_url(&url),
        Cmd::Bell | Cmd::Quit => {}
    }
}

fn send_rate(gh: &dyn GitHub, tx: &UnboundedSender<Msg>) {
    if let Some(rate) = gh.last_rate() {
        let _ = tx.send(Msg::Rate(rate));
    }
}

/// Opens a URL in the browser without letting the opener write over the TUI.
fn open_url(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let spawned = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match spawned {
        // Reap it in the background so it does not linger as a zombie.
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Err(e) => tracing::warn!(%url, error = %e, "could not open the browser"),
    }
}
