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
    /// Switch to a built-in theme (the loop owns the theme; views only borrow it).
    SetTheme(String),
    Bell,
    Quit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MutationKind {
    RerunFailed,
    RerunAll,
    Cancel,
}

impl MutationKind {
    pub fn verb(self) -> &'static str {
        match self {
            MutationKind::RerunFailed => "re-run failed jobs of",
            MutationKind::RerunAll => "re-run all jobs of",
            MutationKind::Cancel => "cancel",
        }
    }

    /// The audit-log action name (contract.md).
    pub fn audit_action(self) -> &'static str {
        match self {
            MutationKind::RerunFailed | MutationKind::RerunAll => "rerun",
            MutationKind::Cancel => "cancel",
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
