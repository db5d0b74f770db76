//! `transport = "local"`: run the rollback on this machine (e.g. cockpit on a bastion).

use std::process::Stdio;
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::process::Command;
use tokio::sync::mpsc::UnboundedSender;

use super::stream::stream_until_exit;
use super::{RemoteEvent, RollbackRunner, RunOutcome};

/// Runs the argv directly (no shell), stdin closed, stdout/stderr streamed.
#[derive(Debug, Default, Clone)]
pub struct LocalRunner;

impl LocalRunner {
    pub fn new() -> Self {
        Self
    }

    async fn run_inner(
        &self,
        argv: Vec<String>,
        timeout: Duration,
        events: &UnboundedSender<RemoteEvent>,
    ) -> RunOutcome {
        let Some((program, args)) = argv.split_first() else {
            return RunOutcome::Refused {
                reason: "the rollback command is empty: set `command` in [environment.rollback]"
                    .to_string(),
            };
        };
        let mut child = match Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // If cockpit's task is dropped mid-run, don't leave an orphan it can't report on.
            .kill_on_drop(true)
            .spawn()
        {
            Ok(child) => child,
            Err(e) => {
                return RunOutcome::Refused {
                    reason: format!(
                        "could not start {program:?}: {e} — check `command` in \
                         [environment.rollback] (path and execute permission)"
                    ),
                };
            }
        };
        let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
        let finished = stream_until_exit(stdout, stderr, child.wait(), events, timeout).await;
        match finished {
            Ok(Ok(status)) => match status.code() {
                Some(0) => RunOutcome::Success,
                Some(code) => RunOutcome::Failed { code },
                // Killed by a signal (not ours): shells report 128 + signal, do the same.
                None => RunOutcome::Failed {
                    code: 128 + signal_of(&status),
                },
            },
            Ok(Err(e)) => RunOutcome::Unknown {
                reason: format!("could not wait for the rollback command: {e}"),
            },
            Err(_) => {
                // Locally we can stop it: do so, so "timed out" means "not running any more"
                // for the direct child.
                let _ = child.kill().await;
                RunOutcome::TimedOut { after: timeout }
            }
        }
    }
}

#[cfg(unix)]
fn signal_of(status: &std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status.signal().unwrap_or(0)
}

#[cfg(not(unix))]
fn signal_of(_status: &std::process::ExitStatus) -> i32 {
    0
}

impl RollbackRunner for LocalRunner {
    fn prepare(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async { Ok(()) })
    }

    fn run(
        &self,
        argv: Vec<String>,
        timeout: Duration,
        events: UnboundedSender<RemoteEvent>,
    ) -> BoxFuture<'_, RunOutcome> {
        Box::pin(async move {
            let outcome = self.run_inner(argv, timeout, &events).await;
            let _ = events.send(RemoteEvent::Finished(outcome.clone()));
            outcome
        })
    }
}
