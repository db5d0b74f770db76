//! What happened (`Msg`), what to do about it (`Cmd`), and what a key means (`Action`).

use std::sync::Arc;

use crossterm::event::{KeyEvent, MouseEvent};

use crate::config::{CheckConfig, VersionConfig};
use crate::github::error::ApiError;
use crate::github::models::{Job, WorkflowRun};
use crate::github::{DeploymentState, Fetched, RateInfo};
use crate::health::ProbeOutcome;
use crate::model::SourceKey;
use crate::model::log_text::LogText;

/// A key's meaning, independent of which key it is (the keymap maps keys to these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Help,
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    Open,
    Back,
    Filter,
    Logs,
    RerunFailed,
    RerunAll,
    Cancel,
    OpenBrowser,
    ViewRuns,
    ViewEnvironments,
    ViewGates,
    ViewActivity,
    /// Dispatch the selected run's workflow.
    Dispatch,
    /// Roll the selected environment back.
    Rollback,
    /// Approve / reject the selected gate.
    Approve,
    Reject,
    NextView,
    PrevView,
    /// Open or close the selected environment's cutover window.
    Watch,
    NextMatch,
    PrevMatch,
    /// `:` opens the command palette.
    Palette,
}

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize {
        width: u16,
        height: u16,
    },
    /// Time moved on: schedule polls, expire messages.
    Tick,
    Runs {
        source: SourceKey,
        result: Result<Fetched<Vec<WorkflowRun>>, ApiError>,
    },
    Jobs {
        repo: String,
        run_id: u64,
        result: Result<Fetched<Vec<Job>>, ApiError>,
    },
    /// A single run, fetched because it is open but not in any polled list.
    Run {
        repo: String,
        result: Result<Box<Fetched<WorkflowRun>>, ApiError>,
    },
    Log {
        job_id: u64,
        result: Result<Arc<LogText>, ApiError>,
    },
    MutationDone {
        mutation: Mutation,
        result: Result<(), ApiError>,
    },
    Rate(RateInfo),
    Probe {
        env: usize,
        check: usize,
        outcome: ProbeOutcome,
    },
    Version {
        env: usize,
        result: Result<String, String>,
    },
    Deployments {
        env: usize,
        result: Result<Vec<DeploymentState>, ApiError>,
    },
    /// A Slack/Telegram notice could not be delivered (the error names no secret).
    NotifyFailed(String),
    /// A workflow file read for the dispatch form (or why it could not be).
    DispatchSpec {
        repo: String,
        workflow: String,
        git_ref: String,
        preset: Vec<(String, String)>,
        result: Result<crate::dispatch::WorkflowSpec, String>,
    },
    /// Commit messages a rollback would undo, or why they are unknown.
    Compared {
        env: usize,
        target: String,
        result: Result<Vec<String>, String>,
    },
    Releases {
        env: usize,
        result: Result<Vec<String>, String>,
    },
    /// Commit messages of the picker's versions: `(ref, first line)`; unreadable ones left out.
    CommitMessages {
        env: usize,
        messages: Vec<(String, String)>,
    },
    /// The rollback's connection is ready (ssh master up), or why not.
    RollbackPrepared {
        env: usize,
        result: Result<(), String>,
    },
    /// A line (or the start) of a running rollback.
    RollbackEvent {
        env: usize,
        event: crate::remote::RemoteEvent,
    },
    RollbackDone {
        mutation: Mutation,
        outcome: crate::remote::RunOutcome,
    },
    /// A dispatch was answered.
    Dispatched {
        mutation: Mutation,
        result: Result<crate::github::DispatchOutcome, ApiError>,
    },
    /// The loop tried to switch to theme `name` (`:theme`): done, or why not (the current
    /// theme is kept).
    ThemeSwitched {
        name: String,
        result: Result<(), String>,
    },
    /// The newest audit-log entries, newest first.
    Audit(Result<Vec<crate::audit::AuditEntry>, String>),
    /// A waiting run's gate: its pending deployments and its review history.
    Gate {
        repo: String,
        run_id: u64,
        result: Result<GateData, ApiError>,
    },
}

/// What `GET .../pending_deployments` and `GET .../approvals` said about one run.
#[derive(Debug, Clone, PartialEq)]
pub struct GateData {
    pub pending: Vec<crate::github::models::PendingDeployment>,
    pub approvals: Vec<crate::github::models::EnvironmentApproval>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    FetchRuns(SourceKey),
    FetchJobs {
        repo: String,
        run_id: u64,
    },
    FetchRun {
        repo: String,
        run_id: u64,
    },
    FetchLog {
        repo: String,
        job_id: u64,
    },
    Mutate(Mutation),
    FetchGate {
        repo: String,
        run_id: u64,
    },
    /// Read the newest audit-log entries (for the Activity view).
    ReadAudit,
    /// The commits a rollback would undo (`compare(target, live)`), for the preflight.
    CompareForRollback {
        env: usize,
        repo: String,
        target: String,
        live: String,
    },
    /// Releases, for a rollback target picker with no deployment history.
    FetchReleases {
        env: usize,
        repo: String,
    },
    /// The commit message of each version in the rollback picker.
    FetchCommitMessages {
        env: usize,
        repo: String,
        refs: Vec<String>,
    },
    /// Open the rollback's connection while the preflight is read (ssh; nothing runs).
    PrepareRollback(Box<RollbackRequest>),
    /// Fetch a workflow file and read its `workflow_dispatch` inputs, to open the form.
    LoadDispatch {
        repo: String,
        workflow: String,
        git_ref: String,
        preset: Vec<(String, String)>,
    },
    Probe {
        env: usize,
        check: usize,
        config: Box<CheckConfig>,
    },
    FetchVersion {
        env: usize,
        source: VersionConfig,
        timeout: std::time::Duration,
    },
    FetchDeployments {
        env: usize,
        repo: String,
        name: String,
    },
    Notify(Announcement),
    OpenUrl(String),
    /// Replace the palette history file with these commands (oldest first).
    SavePaletteHistory {
        path: std::path::PathBuf,
        lines: Vec<String>,
    },
    /// Switch to the theme of that name (the loop owns the theme and loads it; views only
    /// borrow it). Answered by `Msg::ThemeSwitched`.
    SetTheme(String),
    Bell,
    Quit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MutationKind {
    RerunFailed,
    RerunAll,
    Cancel,
    Approve,
    Reject,
    Dispatch,
    Rollback,
}

impl MutationKind {
    pub fn verb(self) -> &'static str {
        match self {
            MutationKind::RerunFailed => "re-run failed jobs of",
            MutationKind::RerunAll => "re-run all jobs of",
            MutationKind::Cancel => "cancel",
            MutationKind::Approve => "approve",
            MutationKind::Reject => "reject",
            MutationKind::Dispatch => "dispatch",
            MutationKind::Rollback => "roll back",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mutation {
    pub kind: MutationKind,
    pub repo: String,
    pub run_id: u64,
    /// "CI #42" — for messages.
    pub label: String,
    /// Approve and reject only: what is reviewed.
    pub review: Option<Review>,
    /// Dispatch only: what is started.
    pub dispatch: Option<DispatchRequest>,
    /// Rollback only: where, to what, and how.
    pub rollback: Option<Box<RollbackRequest>>,
}

/// A confirmed rollback: the environment, the target, and the transport to run it with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RollbackRequest {
    pub env: usize,
    pub environment: String,
    pub version: String,
    pub live: Option<String>,
    /// The command with `{version}` filled in: an argv, never a shell line.
    pub argv: Vec<String>,
    pub local: bool,
    pub ssh: Option<String>,
    pub port: Option<u16>,
    pub identity_file: Option<std::path::PathBuf>,
    pub known_hosts: Option<std::path::PathBuf>,
    pub timeout_secs: u64,
    /// Another operator's unfinished rollback (its GitHub deployment id) that the operator
    /// chose to override, typing the phrase: only that one is let through.
    pub override_deployment: Option<u64>,
}

/// A workflow dispatch, validated: inputs as the strings GitHub receives.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DispatchRequest {
    pub workflow: String,
    pub git_ref: String,
    pub inputs: Vec<(String, String)>,
    /// Environments it deploys to (for the audit log and the notice).
    pub environments: Vec<String>,
}

/// A review of a gate: the environments (ids for GitHub, names for people), the comment
/// GitHub requires, and the version the run deploys (for the audit log and notices).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Review {
    pub environment_ids: Vec<u64>,
    pub environments: Vec<String>,
    pub comment: String,
    pub version: Option<String>,
}

/// Something worth telling the team (Slack, Telegram): what happened, where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    pub title: String,
    pub text: String,
    /// Bad news (down, unstable) rather than information.
    pub alert: bool,
    pub environment: Option<String>,
    pub link: Option<String>,
}
