//! `transport = "ssh"`: run the rollback on a host through the system `ssh` (openssh crate,
//! ControlMaster). Host keys are checked strictly; nothing is ever added to known_hosts.

use std::io;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use openssh::{ControlPersist, Error as SshError, KnownHosts, Session, SessionBuilder, Stdio};
use tokio::sync::Mutex;
use tokio::sync::mpsc::UnboundedSender;

use super::stream::stream_until_exit;
use super::{RemoteEvent, RollbackRunner, RunOutcome};
use crate::config::RollbackConfig;

/// How long the first TCP + SSH handshake may take before the rollback is refused.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The control socket lives in a fresh 0700 directory made by openssh under here. A Unix socket
/// path is limited to ~104-108 bytes, and `$TMPDIR` or `$XDG_RUNTIME_DIR` can be long (macOS),
/// so use the short, always-present `/tmp`.
const CONTROL_DIR: &str = "/tmp";

/// If cockpit dies without closing the master, it exits after this much idle time instead of
/// lingering (it is never idle while a command runs).
const MASTER_IDLE_SECS: usize = 600;

/// A dead network (no RST) is noticed after ~3 missed keep-alives and reported as `Unknown`
/// instead of hanging until the rollback timeout.
const SERVER_ALIVE_INTERVAL: Duration = Duration::from_secs(15);

/// Runs the rollback over one SSH master connection, opened by [`RollbackRunner::prepare`]
/// (or by the first `run`) and reused while it stays healthy.
pub struct SshRunner {
    destination: String,
    port: u16,
    identity_file: Option<PathBuf>,
    known_hosts: Option<PathBuf>,
    connect_timeout: Duration,
    session: Mutex<Option<Arc<Session>>>,
}

impl std::fmt::Debug for SshRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SshRunner")
            .field("destination", &self.destination)
            .field("port", &self.port)
            .field("identity_file", &self.identity_file)
            .field("known_hosts", &self.known_hosts)
            .field("connect_timeout", &self.connect_timeout)
            .finish_non_exhaustive()
    }
}

impl SshRunner {
    /// From `[environment.rollback]`. A missing `ssh` destination is not an error here (config
    /// validation reports it); `prepare`/`run` refuse with the fix instead.
    pub fn new(config: &RollbackConfig) -> Self {
        Self {
            destination: config.ssh.clone().unwrap_or_default(),
            port: config.port_or_default(),
            identity_file: config.identity_file.clone(),
            known_hosts: config.known_hosts.clone(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            session: Mutex::new(None),
        }
    }

    /// Overrides [`DEFAULT_CONNECT_TIMEOUT`].
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    fn known_hosts_shown(&self) -> String {
        self.known_hosts
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "~/.ssh/known_hosts".to_string())
    }

    fn where_(&self) -> String {
        format!("{} (port {})", self.destination, self.port)
    }

    async fn connect(&self) -> Result<Session, String> {
        if self.destination.is_empty() {
            return Err(
                "no ssh destination: set `ssh = \"user@host\"` in [environment.rollback]"
                    .to_string(),
            );
        }
        let mut builder = SessionBuilder::default();
        // Strict: an unknown or changed host key refuses the connection. openssh's default
        // (`Add`, accept-new) would trust whatever answers first.
        builder
            .known_hosts_check(KnownHosts::Strict)
            .port(self.port)
            .connect_timeout(self.connect_timeout)
            .server_alive_interval(SERVER_ALIVE_INTERVAL)
            .control_directory(CONTROL_DIR);
        if let Some(idle) = NonZeroUsize::new(MASTER_IDLE_SECS) {
            builder.control_persist(ControlPersist::IdleFor(idle));
        }
        if let Some(key) = &self.identity_file {
            builder.keyfile(key);
        }
        if let Some(file) = &self.known_hosts {
            // openssh 0.11 has this option (`-o UserKnownHostsFile=`); no ssh config file is
            // needed.
            builder.user_known_hosts_file(file);
        }
        builder
            .connect(&self.destination)
            .await
            .map_err(|e| self.connect_error(e))
    }

    /// Every connect failure means nothing ran; say which and how to fix it. openssh only
    /// hands over ssh's own stderr text, so this reads it.
    fn connect_error(&self, e: SshError) -> String {
        let text = match &e {
            SshError::Connect(io) | SshError::Master(io) => io.to_string(),
            SshError::Ssh(io) if io.kind() == io::ErrorKind::NotFound => {
                return "the `ssh` program was not found: install the OpenSSH client (e.g. \
                        apt-get install openssh-client)"
                    .to_string();
            }
            other => other.to_string(),
        };
        let kind = match &e {
            SshError::Connect(io) => Some(io.kind()),
            _ => None,
        };
        let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.contains("Host key verification failed")
            || text.contains("REMOTE HOST IDENTIFICATION HAS CHANGED")
            || text.contains("host key is known")
        {
            let changed = text.contains("HAS CHANGED");
            format!(
                "the host key of {} is {}: check the host's fingerprint with its owner and add \
                 it to {} (ssh said: {one_line})",
                self.where_(),
                if changed {
                    "different from the one in known_hosts"
                } else {
                    "not known"
                },
                self.known_hosts_shown()
            )
        } else if kind == Some(io::ErrorKind::PermissionDenied)
            || text.contains("Permission denied")
        {
            format!(
                "{} refused the login: check `identity_file` in [environment.rollback] and that \
                 its public key is in the remote user's authorized_keys (ssh said: {one_line})",
                self.where_()
            )
        } else {
            format!(
                "could not connect to {}: {one_line} — check the host is up and reachable from \
                 here, and `ssh`/`port` in [environment.rollback]",
                self.where_()
            )
        }
    }

    /// The live session, connecting if there is none or the master died (e.g. the host
    /// rebooted between the preflight and the confirm).
    async fn session(&self) -> Result<Arc<Session>, String> {
        let mut slot = self.session.lock().await;
        if let Some(session) = slot.as_ref() {
            if session.check().await.is_ok() {
                return Ok(Arc::clone(session));
            }
            *slot = None;
        }
        let session = Arc::new(self.connect().await?);
        *slot = Some(Arc::clone(&session));
        Ok(session)
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
        let session = match self.session().await {
            Ok(session) => session,
            Err(reason) => return RunOutcome::Refused { reason },
        };
        // `command`/`args` shell-escape each element for the remote login shell: one argv
        // element stays one argument, whatever it contains. Never concatenate a command line.
        let mut command = session.command(program.as_str());
        command
            .args(args)
            // Inherited stdio would paint over the TUI: always pipe.
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = match command.spawn().await {
            Ok(child) => child,
            Err(SshError::Ssh(e)) => {
                return RunOutcome::Refused {
                    reason: format!("could not run the local `ssh` program: {e}"),
                };
            }
            Err(e) => {
                return RunOutcome::Unknown {
                    reason: format!("starting the command on {} failed: {e}", self.where_()),
                };
            }
        };
        let (stdout, stderr) = (child.stdout().take(), child.stderr().take());
        let finished = stream_until_exit(stdout, stderr, child.wait(), events, timeout).await;
        match finished {
            // Dropping the child (inside the timed-out future) killed the local ssh; the
            // remote process may go on, which `TimedOut` says.
            Err(_) => RunOutcome::TimedOut { after: timeout },
            Ok(Ok(status)) => match status.code() {
                Some(0) => RunOutcome::Success,
                Some(code) => RunOutcome::Failed { code },
                None => RunOutcome::Unknown {
                    reason: "the local ssh process was killed".to_string(),
                },
            },
            Ok(Err(SshError::Remote(e))) if e.kind() == io::ErrorKind::NotFound => {
                // openssh maps exit 127 to this; keep the code, the output says more.
                RunOutcome::Failed { code: 127 }
            }
            Ok(Err(SshError::RemoteProcessTerminated)) | Ok(Err(SshError::Disconnected)) => {
                let master = if session.check().await.is_ok() {
                    "the connection is still up, so the command was probably killed or exited \
                     with 255"
                } else {
                    "the connection to the host is gone"
                };
                RunOutcome::Unknown {
                    reason: format!("ssh ended with 255 on {}; {master}", self.where_()),
                }
            }
            Ok(Err(e)) => RunOutcome::Unknown {
                reason: format!("waiting for the command on {} failed: {e}", self.where_()),
            },
        }
    }
}

impl RollbackRunner for SshRunner {
    fn prepare(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move { self.session().await.map(|_| ()) })
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
