//! Rollback transports: run the configured rollback argv over SSH (openssh, strict host keys)
//! or on this machine, streaming its output line by line. No UI here: the app drives a
//! [`RollbackRunner`] and renders the [`RemoteEvent`]s.

mod local;
mod pool;
mod ssh;
mod stream;

use std::fmt;
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::sync::mpsc::UnboundedSender;

pub use local::LocalRunner;
pub use pool::RunnerPool;
pub use ssh::{DEFAULT_CONNECT_TIMEOUT, SshRunner};

/// What a running rollback reports, in arrival order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteEvent {
    /// The command was started (for ssh: the remote side accepted it over the master).
    Started,
    /// One line of stdout, without its line ending. A last line without a newline is still
    /// delivered.
    Stdout(String),
    /// One line of stderr, as for `Stdout`.
    Stderr(String),
    /// The end; always the last event.
    Finished(RunOutcome),
}

/// How a rollback ended. The variants keep apart what the operator must do next: a
/// `Failed` command ran and said no; `TimedOut` and `Unknown` may have changed the host;
/// `Refused` guarantees nothing ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    Success,
    Failed {
        code: i32,
    },
    /// The local side was stopped after `after`; the remote process may still be running.
    TimedOut {
        after: Duration,
    },
    /// The connection was lost mid-run: the outcome is unknown.
    Unknown {
        reason: String,
    },
    /// Nothing ran: unknown or changed host key, auth failure, unreachable host, bad version.
    Refused {
        reason: String,
    },
}

impl RunOutcome {
    pub fn is_success(&self) -> bool {
        matches!(self, RunOutcome::Success)
    }
}

impl fmt::Display for RunOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunOutcome::Success => f.write_str("rollback succeeded"),
            RunOutcome::Failed { code } => write!(
                f,
                "rollback failed: the command exited with code {code} — read its output above"
            ),
            RunOutcome::TimedOut { after } => write!(
                f,
                "rollback timed out after {}: cockpit stopped waiting, but the command may still \
                 be running on the host — check the host before trying again",
                humantime::format_duration(*after)
            ),
            RunOutcome::Unknown { reason } => write!(
                f,
                "connection lost: the rollback's outcome is unknown — check the host before \
                 trying again ({reason})"
            ),
            RunOutcome::Refused { reason } => write!(f, "rollback not started: {reason}"),
        }
    }
}

/// Runs a rollback command. Object-safe so the app can hold `Box<dyn RollbackRunner>` and
/// tests a fake.
pub trait RollbackRunner: Send + Sync {
    /// Gets ready to run (ssh: opens the master connection) so that confirming is fast. Called
    /// when the preflight is shown; an error here is shown there, before anyone confirms.
    fn prepare(&self) -> BoxFuture<'_, Result<(), String>>;

    /// Runs `argv` (no shell), streams [`RemoteEvent`]s to `events` (ending with
    /// [`RemoteEvent::Finished`]) and returns the same outcome.
    fn run(
        &self,
        argv: Vec<String>,
        timeout: Duration,
        events: UnboundedSender<RemoteEvent>,
    ) -> BoxFuture<'_, RunOutcome>;
}

/// Checks a rollback target before it goes into an argv: it must be one the picker offered
/// (`allowed`) and use only `[A-Za-z0-9._/+-]`, not starting with `-` (so it can never be read
/// as an option). argv needs no quoting, but the remote command is run by the login shell and
/// rollback scripts may pass the version on to others: a dull charset keeps it dull everywhere.
pub fn validate_version(version: &str, allowed: &[String]) -> Result<(), String> {
    if version.is_empty() {
        return Err("the rollback version is empty: pick one from the list".to_string());
    }
    if version.starts_with('-') {
        return Err(format!(
            "the rollback version {version:?} starts with '-' and could be read as an option: \
             pick a version from the list"
        ));
    }
    if let Some(bad) = version
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '+' | '-')))
    {
        return Err(format!(
            "the rollback version {version:?} contains {bad:?}; only letters, digits and . _ / + - \
             are allowed: pick a version from the list"
        ));
    }
    if !allowed.iter().any(|a| a == version) {
        return Err(format!(
            "{version:?} is not one of the versions offered for rollback: pick one from the list"
        ));
    }
    Ok(())
}

/// The configured command with `{version}` replaced inside each element; one element stays
/// one argument, whatever the version contains.
pub fn fill_argv(command: &[String], version: &str) -> Vec<String> {
    command
        .iter()
        .map(|arg| arg.replace("{version}", version))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> Vec<String> {
        ["v1.3.2", "v1.3.1", "release/2024-01+build.7"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn listed_plain_versions_pass() {
        assert_eq!(validate_version("v1.3.2", &allowed()), Ok(()));
        assert_eq!(
            validate_version("release/2024-01+build.7", &allowed()),
            Ok(())
        );
    }

    #[test]
    fn unlisted_versions_are_rejected() {
        let err = validate_version("v9.9.9", &allowed()).unwrap_err();
        assert!(err.contains("not one of the versions offered"), "{err}");
    }

    #[test]
    fn shell_syntax_is_rejected_even_when_listed() {
        for v in [
            "v1.3.2; touch /tmp/X",
            "$(touch /tmp/X)",
            "`id`",
            "a b",
            "v1\n",
            "-rf",
            "",
        ] {
            let mut list = allowed();
            list.push(v.to_string());
            assert!(validate_version(v, &list).is_err(), "{v:?} passed");
        }
    }

    #[test]
    fn fill_argv_keeps_one_element_per_argument() {
        let cmd = vec![
            "/opt/rollback.sh".to_string(),
            "--to={version}".to_string(),
            "{version}".to_string(),
        ];
        assert_eq!(
            fill_argv(&cmd, "v1 2"),
            vec!["/opt/rollback.sh", "--to=v1 2", "v1 2"]
        );
    }

    #[test]
    fn outcomes_read_plainly() {
        let lost = RunOutcome::Unknown { reason: "x".into() }.to_string();
        assert!(lost.starts_with("connection lost: the rollback's outcome is unknown"));
        let t = RunOutcome::TimedOut {
            after: Duration::from_secs(600),
        }
        .to_string();
        assert!(
            t.contains("10m") && t.contains("may still be running"),
            "{t}"
        );
    }
}
