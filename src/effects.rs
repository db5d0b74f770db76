//! Runs each `Cmd` on a backend; the outcome comes back as `Msg`s. Nothing here decides
//! anything: retry policy and what to show live in `update`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::UnboundedSender;

use crate::audit::{AuditLog, AuditRecord, Outcome};
use crate::clock::SharedClock;
use crate::github::GitHub;
use crate::github::error::ApiError;
use crate::health::Prober;
use crate::model::log_text::LogText;
use crate::msg::{Cmd, GateData, Msg, Mutation, MutationKind};
use crate::notify::{Notice, NoticeLevel, Notifier};

/// Every backend the app talks to, behind traits.
#[derive(Clone)]
pub struct Backends {
    pub github: Arc<dyn GitHub>,
    pub prober: Arc<dyn Prober>,
    pub notifier: Arc<dyn Notifier>,
    pub clock: SharedClock,
    pub auditor: Auditor,
    /// Rollback runners kept from the preflight (connection opened) to the run.
    pub runners: crate::remote::RunnerPool,
    /// Where `:theme NAME` finds its theme.
    pub themes: crate::theme::Catalog,
}

/// Writes the audit log around every mutation: the intent, fsynced, before the request;
/// the outcome after it. A log that cannot be written stops the mutation unsent.
#[derive(Clone)]
pub struct Auditor {
    log: Option<Arc<Mutex<AuditLog>>>,
    path: Option<PathBuf>,
    /// Why the log could not be opened (every mutation is then refused with it).
    broken: Option<String>,
    actor: String,
    clock: SharedClock,
}

impl Auditor {
    /// The log at `path`; `secrets` (the token) are redacted from anything written.
    pub fn open(path: PathBuf, actor: String, secrets: &[String], clock: SharedClock) -> Auditor {
        match AuditLog::open(&path) {
            Ok(log) => Auditor {
                log: Some(Arc::new(Mutex::new(log.with_secrets(secrets)))),
                path: Some(path),
                broken: None,
                actor,
                clock,
            },
            Err(e) => Auditor {
                log: None,
                path: Some(path),
                broken: Some(e.to_string()),
                actor,
                clock,
            },
        }
    }

    /// Refuses every mutation with `why` (no state directory to keep a log in).
    pub fn unavailable(why: String, clock: SharedClock) -> Auditor {
        Auditor {
            log: None,
            path: None,
            broken: Some(why),
            actor: String::new(),
            clock,
        }
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// The newest `n` entries, newest first (a missing log is an empty one).
    pub async fn recent(&self, n: usize) -> Result<Vec<crate::audit::AuditEntry>, String> {
        let Some(path) = self.path.clone() else {
            return Err(self.broken.clone().unwrap_or_else(|| "no audit log".into()));
        };
        tokio::task::spawn_blocking(move || {
            crate::audit::read_recent(&path, n).map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| format!("audit reader: {e}"))?
    }

    async fn append(&self, record: AuditRecord) -> Result<(), String> {
        if let Some(why) = &self.broken {
            return Err(why.clone());
        }
        let Some(log) = self.log.clone() else {
            return Err("no audit log".into());
        };
        tokio::task::spawn_blocking(move || {
            let mut log = log
                .lock()
                .map_err(|_| "the audit log's lock is poisoned".to_string())?;
            log.append(record).map(|_| ()).map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| format!("audit writer: {e}"))?
    }

    /// The outcome line of `intent`. A failure to write it is logged, not returned: the
    /// request has been answered already and its result must still reach the screen.
    async fn conclude(&self, intent: &AuditRecord, outcome: Outcome, detail: Option<String>) {
        let record = intent.concluded(self.clock.now(), outcome, detail);
        if let Err(e) = self.append(record).await {
            tracing::error!(error = %e, action = %intent.action, "audit log: outcome not written");
        }
    }

    fn record_of(&self, m: &Mutation) -> AuditRecord {
        let mut r = AuditRecord::new(self.clock.now(), self.actor.clone(), m.kind.into(), &m.repo);
        r.run_id = Some(m.run_id);
        r.target = Some(m.label.clone());
        if let Some(d) = &m.dispatch {
            r.run_id = None;
            r.environment = (!d.environments.is_empty()).then(|| d.environments.join(","));
            r.target = Some(format!("{}@{}", d.workflow, d.git_ref));
            let inputs: Vec<String> = d.inputs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            r.comment = (!inputs.is_empty()).then(|| inputs.join(" "));
        }
        if let Some(review) = &m.review {
            r.environment = Some(review.environments.join(","));
            r.comment = Some(review.comment.clone());
            if let Some(v) = &review.version {
                r.target = Some(format!("{} {v}", m.label));
            }
        }
        r
    }
}

/// Starts the work for `cmd` in its own task, so the loop never waits on I/O.
/// `Quit` and `Bell` belong to the terminal loop, not here.
pub fn spawn(cmd: Cmd, backends: &Backends, tx: &UnboundedSender<Msg>) {
    match cmd {
        Cmd::OpenUrl(url) => open_url(&url),
        Cmd::Bell | Cmd::Quit | Cmd::SetTheme(_) => {}
        Cmd::Probe { env, check, config } => {
            let prober = backends.prober.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                let outcome = prober.probe(&config).await;
                let _ = tx.send(Msg::Probe {
                    env,
                    check,
                    outcome,
                });
            });
        }
        Cmd::FetchVersion {
            env,
            source,
            timeout,
        } => {
            let prober = backends.prober.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                let result = prober.version(&source, timeout).await;
                let _ = tx.send(Msg::Version { env, result });
            });
        }
        Cmd::Notify(a) => {
            let notifier = backends.notifier.clone();
            let now = backends.clock.now();
            let tx = tx.clone();
            tokio::spawn(async move {
                let level = if a.alert {
                    NoticeLevel::Alert
                } else {
                    NoticeLevel::Info
                };
                let mut notice = Notice::new(level, a.title, a.text, now);
                if let Some(env) = a.environment {
                    notice = notice.with_environment(env);
                }
                if let Some(link) = a.link {
                    notice = notice.with_link(link);
                }
                for d in notifier.notify(&notice).await {
                    match d.result {
                        Ok(()) => {
                            tracing::info!(channel = d.channel, title = %notice.title, "notice sent")
                        }
                        Err(e) => {
                            tracing::warn!(channel = d.channel, error = %e, "notice not sent");
                            let _ = tx.send(Msg::NotifyFailed(e));
                        }
                    }
                }
            });
        }
        Cmd::Mutate(mutation) if mutation.rollback.is_some() => {
            // Streams: every line goes to the loop as it arrives.
            let gh = backends.github.clone();
            let auditor = backends.auditor.clone();
            let runners = backends.runners.clone();
            let tx = tx.clone();
            tokio::spawn(
                async move { run_rollback(mutation, &*gh, &auditor, &runners, &tx).await },
            );
        }
        Cmd::PrepareRollback(r) => {
            let runner = backends.runners.runner(&r);
            let tx = tx.clone();
            tokio::spawn(async move {
                let result = runner.prepare().await;
                let _ = tx.send(Msg::RollbackPrepared { env: r.env, result });
            });
        }
        cmd => {
            let gh = backends.github.clone();
            let auditor = backends.auditor.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                for msg in perform(cmd, &*gh, &auditor).await {
                    let _ = tx.send(msg);
                }
            });
        }
    }
}

/// Carries out one backend command and says what happened: the rate limit as last seen
/// (when known), then the outcome. Tests await this directly instead of spawning.
pub async fn perform(cmd: Cmd, gh: &dyn GitHub, auditor: &Auditor) -> Vec<Msg> {
    let msg = match cmd {
        Cmd::Mutate(mutation) if mutation.rollback.is_some() => {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            run_rollback(
                mutation,
                gh,
                auditor,
                &crate::remote::RunnerPool::default(),
                &tx,
            )
            .await;
            drop(tx);
            let mut out = Vec::new();
            while let Some(m) = rx.recv().await {
                out.push(m);
            }
            return out;
        }
        Cmd::CompareForRollback {
            env,
            repo,
            target,
            live,
        } => {
            let result = gh
                .compare(&repo, &target, &live)
                .await
                .map(|c| {
                    c.commits
                        .iter()
                        .rev()
                        .map(|x| x.commit.message.lines().next().unwrap_or("").to_string())
                        .collect()
                })
                .map_err(|e| e.to_string());
            Msg::Compared {
                env,
                target,
                result,
            }
        }
        Cmd::PrepareRollback(r) => {
            let runner = crate::remote::RunnerPool::default().runner(&r);
            Msg::RollbackPrepared {
                env: r.env,
                result: runner.prepare().await,
            }
        }
        Cmd::FetchCommitMessages { env, repo, refs } => {
            let mut messages = Vec::with_capacity(refs.len());
            for r in refs {
                match gh.commit(&repo, &r).await {
                    Ok(c) => {
                        let first = c.commit.message.lines().next().unwrap_or("").to_string();
                        messages.push((r, first));
                    }
                    // A missing message only leaves a blank in the picker.
                    Err(e) => tracing::warn!(git_ref = %r, error = %e, "commit message not read"),
                }
            }
            Msg::CommitMessages { env, messages }
        }
        Cmd::FetchReleases { env, repo } => {
            let result = gh
                .list_releases(&repo, 20)
                .await
                .map(|rs| {
                    rs.into_iter()
                        .filter(|r| !r.draft && !r.prerelease)
                        .map(|r| r.tag_name)
                        .collect()
                })
                .map_err(|e| e.to_string());
            Msg::Releases { env, result }
        }
        Cmd::FetchRuns(source) => {
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
            Msg::Runs { source, result }
        }
        Cmd::FetchJobs { repo, run_id } => {
            let result = gh.list_jobs(&repo, run_id).await;
            if let Err(e) = &result {
                tracing::warn!(%repo, run_id, error = %e, "listing jobs failed");
            }
            Msg::Jobs {
                repo,
                run_id,
                result,
            }
        }
        Cmd::FetchRun { repo, run_id } => {
            let result = gh.get_run(&repo, run_id).await.map(Box::new);
            Msg::Run { repo, result }
        }
        Cmd::FetchLog { repo, job_id } => {
            let result = match gh.job_log(&repo, job_id).await {
                // Indexing a large log takes a moment: keep it off the async workers.
                Ok(bytes) => tokio::task::spawn_blocking(move || Arc::new(LogText::new(bytes)))
                    .await
                    .map_err(|e| ApiError::Decode {
                        what: format!("job {job_id} log"),
                        detail: e.to_string(),
                    }),
                Err(e) => Err(e),
            };
            Msg::Log { job_id, result }
        }
        Cmd::Mutate(mutation) => {
            // Recorded before anything is sent: no log line, no request.
            let intent = auditor.record_of(&mutation);
            if let Err(e) = auditor.append(intent.clone()).await {
                tracing::error!(error = %e, "audit log not written: mutation not sent");
                return vec![Msg::MutationDone {
                    mutation,
                    result: Err(ApiError::NotSent(format!(
                        "the audit log could not be written: {e}"
                    ))),
                }];
            }
            tracing::info!(action = ?mutation.kind, repo = %mutation.repo, run_id = mutation.run_id, "sending mutation");
            if let Some(d) = &mutation.dispatch {
                let inputs: serde_json::Map<String, serde_json::Value> = d
                    .inputs
                    .iter()
                    .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                    .collect();
                let result = gh
                    .dispatch(&mutation.repo, &d.workflow, &d.git_ref, &inputs)
                    .await;
                let (outcome, detail) = match &result {
                    Ok(o) => (
                        Outcome::Ok,
                        Some(match o.run_id {
                            Some(id) => format!("run {id}"),
                            None => "run id not returned".to_string(),
                        }),
                    ),
                    Err(e) => (Outcome::Failed, Some(e.to_string())),
                };
                auditor.conclude(&intent, outcome, detail).await;
                return vec![Msg::Dispatched { mutation, result }];
            }
            let result = match (&mutation.kind, &mutation.review) {
                (MutationKind::RerunFailed, _) => {
                    gh.rerun(&mutation.repo, mutation.run_id, true).await
                }
                (MutationKind::RerunAll, _) => {
                    gh.rerun(&mutation.repo, mutation.run_id, false).await
                }
                (MutationKind::Cancel, _) => gh.cancel(&mutation.repo, mutation.run_id).await,
                (MutationKind::Approve | MutationKind::Reject, Some(review)) => gh
                    .review_pending(
                        &mutation.repo,
                        mutation.run_id,
                        &review.environment_ids,
                        mutation.kind == MutationKind::Approve,
                        &review.comment,
                    )
                    .await
                    .map(|_| ()),
                (MutationKind::Approve | MutationKind::Reject, None) => {
                    Err(ApiError::NotSent("a review without environments".into()))
                }
                (MutationKind::Dispatch, _) => {
                    Err(ApiError::NotSent("a dispatch without a workflow".into()))
                }
                (MutationKind::Rollback, _) => {
                    Err(ApiError::NotSent("a rollback without a target".into()))
                }
            };
            tracing::info!(action = ?mutation.kind, run_id = mutation.run_id, ok = result.is_ok(), "mutation finished");
            let (outcome, detail) = match &result {
                Ok(()) => (Outcome::Ok, None),
                Err(e) => (Outcome::Failed, Some(e.to_string())),
            };
            auditor.conclude(&intent, outcome, detail).await;
            Msg::MutationDone { mutation, result }
        }
        Cmd::ReadAudit => return vec![Msg::Audit(auditor.recent(500).await)],
        Cmd::SavePaletteHistory { path, lines } => {
            // History is a convenience: a failed write is logged, never shown as a failure.
            let shown = path.display().to_string();
            let written = tokio::task::spawn_blocking(move || {
                crate::palette_history::save(&path, &lines).map_err(|e| e.to_string())
            })
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r);
            if let Err(e) = written {
                tracing::warn!(path = %shown, error = %e, "palette history not saved");
            }
            return Vec::new();
        }
        Cmd::LoadDispatch {
            repo,
            workflow,
            git_ref,
            preset,
        } => {
            let path = format!(".github/workflows/{workflow}");
            let result = match gh.workflow_file(&repo, &path, &git_ref).await {
                Ok(text) => crate::dispatch::parse_workflow(&text)
                    .map_err(|e| format!("{path}@{git_ref}: {e}")),
                Err(e) => Err(format!("reading {path}@{git_ref}: {e}")),
            };
            Msg::DispatchSpec {
                repo,
                workflow,
                git_ref,
                preset,
                result,
            }
        }
        Cmd::FetchGate { repo, run_id } => {
            let pending = gh.pending_deployments(&repo, run_id).await;
            let result = match pending {
                Ok(pending) => gh
                    .approvals(&repo, run_id)
                    .await
                    .map(|approvals| GateData { pending, approvals }),
                Err(e) => Err(e),
            };
            if let Err(e) = &result {
                tracing::warn!(%repo, run_id, error = %e, "reading a gate failed");
            }
            Msg::Gate {
                repo,
                run_id,
                result,
            }
        }
        Cmd::FetchDeployments { env, repo, name } => {
            let result = gh
                .deployments(&repo, &name, crate::model::env::DEPLOYMENTS_SHOWN)
                .await;
            if let Err(e) = &result {
                tracing::warn!(%repo, environment = %name, error = %e, "listing deployments failed");
            }
            Msg::Deployments { env, result }
        }
        // Not GitHub's: `spawn` routes these elsewhere.
        Cmd::Probe { .. }
        | Cmd::FetchVersion { .. }
        | Cmd::Notify(_)
        | Cmd::OpenUrl(_)
        | Cmd::SetTheme(_)
        | Cmd::Bell
        | Cmd::Quit => return Vec::new(),
    };
    let mut out = Vec::with_capacity(2);
    if let Some(rate) = gh.last_rate() {
        out.push(Msg::Rate(rate));
    }
    out.push(msg);
    out
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

/// A rollback, start to end: audit the intent; refuse if another operator's rollback of the
/// environment is in progress on GitHub; record it there as a deployment (`task: rollback`),
/// `in_progress`; run the command, streaming its output; then the final status, the audit
/// outcome, and `RollbackDone`. Nothing here is retried.
pub async fn run_rollback(
    mutation: Mutation,
    gh: &dyn GitHub,
    auditor: &Auditor,
    runners: &crate::remote::RunnerPool,
    tx: &UnboundedSender<Msg>,
) {
    use crate::remote::{RemoteEvent, RunOutcome};
    let Some(r) = mutation.rollback.clone() else {
        return;
    };
    let done = |outcome: RunOutcome| Msg::RollbackDone {
        mutation: mutation.clone(),
        outcome,
    };
    let mut intent = auditor.record_of(&mutation);
    intent.environment = Some(r.environment.clone());
    intent.run_id = None;
    intent.target = Some(r.version.clone());
    intent.comment = Some(format!(
        "{} → {}: {}{}",
        r.live.as_deref().unwrap_or("?"),
        r.version,
        r.argv.join(" "),
        r.override_deployment
            .map(|id| format!(" (overriding the unfinished rollback deployment {id})"))
            .unwrap_or_default()
    ));
    if let Err(e) = auditor.append(intent.clone()).await {
        let _ = tx.send(done(RunOutcome::Refused {
            reason: format!("the audit log could not be written: {e}"),
        }));
        return;
    }
    let timeout = std::time::Duration::from_secs(r.timeout_secs);
    let deployment = match claim(gh, &mutation.repo, &r, timeout).await {
        Ok(d) => d,
        Err(reason) => {
            auditor
                .conclude(&intent, Outcome::Refused, Some(reason.clone()))
                .await;
            let _ = tx.send(done(RunOutcome::Refused { reason }));
            return;
        }
    };
    let repo = mutation.repo.clone();
    let status = |state: &'static str, text: String| {
        let repo = repo.clone();
        async move {
            if let Err(e) = gh
                .create_deployment_status(&repo, deployment.id, state, &text, None)
                .await
            {
                tracing::warn!(error = %e, state, "rollback deployment status not recorded");
            }
        }
    };
    status(
        "in_progress",
        format!("rollback to {} from cockpit", r.version),
    )
    .await;
    // The runner the preflight prepared: its SSH connection is usually up already.
    let runner = runners.runner(&r);
    let (etx, mut erx) = tokio::sync::mpsc::unbounded_channel();
    let forward = {
        let tx = tx.clone();
        let env = r.env;
        tokio::spawn(async move {
            while let Some(event) = erx.recv().await {
                if !matches!(event, RemoteEvent::Finished(_)) {
                    let _ = tx.send(Msg::RollbackEvent { env, event });
                }
            }
        })
    };
    let started = std::time::Instant::now();
    let outcome = runner.run(r.argv.clone(), timeout, etx).await;
    let took =
        humantime::format_duration(std::time::Duration::from_secs(started.elapsed().as_secs()));
    let _ = forward.await;
    let (state, audit) = match &outcome {
        RunOutcome::Success => ("success", Outcome::Ok),
        RunOutcome::Failed { .. } => ("failure", Outcome::Failed),
        RunOutcome::Refused { .. } => ("error", Outcome::Refused),
        RunOutcome::TimedOut { .. } | RunOutcome::Unknown { .. } => ("error", Outcome::Failed),
    };
    status(state, outcome.to_string()).await;
    let exit = match &outcome {
        RunOutcome::Success => "exit 0; ".to_string(),
        RunOutcome::Failed { code } => format!("exit {code}; "),
        _ => String::new(),
    };
    auditor
        .conclude(
            &intent,
            audit,
            Some(format!("{exit}took {took}; {outcome}")),
        )
        .await;
    let _ = tx.send(done(outcome));
}

/// One rollback at a time across operators, with GitHub's deployments as the shared record:
/// refuse if another one of this environment is unfinished, else record this one. The error
/// is the reason, for the operator; nothing has run.
async fn claim(
    gh: &dyn GitHub,
    repo: &str,
    r: &crate::msg::RollbackRequest,
    timeout: std::time::Duration,
) -> Result<crate::github::models::Deployment, String> {
    match gh.active_rollback(repo, &r.environment, timeout).await {
        // The operator saw this one, chose to override it and typed the phrase.
        Ok(Some(active)) if r.override_deployment == Some(active.deployment.id) => {
            tracing::warn!(
                deployment = active.deployment.id,
                by = active.by(),
                "overriding an unfinished rollback of {}",
                r.environment
            );
        }
        Ok(Some(active)) => {
            return Err(format!(
                "a rollback of {} is in progress by {} (deployment {}): nothing run; R again \
                 shows it, and going on overrides it after the phrase",
                r.environment,
                active.by(),
                active.deployment.id
            ));
        }
        Ok(None) => {}
        Err(e) => {
            return Err(format!(
                "could not check GitHub for another rollback: {e}; nothing run"
            ));
        }
    }
    let description = format!("rollback to {} from cockpit", r.version);
    gh.create_deployment(
        repo,
        &r.version,
        &r.environment,
        crate::github::ROLLBACK_TASK,
        &description,
    )
    .await
    .map_err(|e| format!("could not record the rollback on GitHub: {e}; nothing run"))
}
