//! Plain data: what the operator sees and what the poller knows. No I/O here.

pub mod env;
pub mod gates;
pub mod log_text;
pub mod poll;
pub mod repos;
pub mod rollback;
pub mod runs;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::github::RateInfo;
use crate::github::models::{Job, WorkflowRun};
use crate::msg::Mutation;
use log_text::LogText;
pub use poll::{PollSettings, SourceState};

/// One polled list of runs: a whole repo, or one of its configured workflows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceKey {
    pub repo: String,
    /// Workflow file name (`ci.yml`) or id; `None` = every workflow of the repo.
    pub workflow: Option<String>,
    pub branch: Option<String>,
}

impl SourceKey {
    pub fn label(&self) -> String {
        match &self.workflow {
            Some(w) => format!("{}:{w}", self.repo),
            None => self.repo.clone(),
        }
    }
}

/// A run as listed: the run and the repo it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct RunEntry {
    pub repo: String,
    pub run: WorkflowRun,
}

impl RunEntry {
    /// "CI #42": how a run is named in messages, dialogs and lists.
    pub fn label(&self) -> String {
        format!(
            "{} #{}",
            self.run.name.as_deref().unwrap_or("run"),
            self.run.run_number
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Runs,
    Environments,
    Gates,
    Activity,
    RunDetail,
    Logs,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DetailState {
    pub repo: String,
    pub run_id: u64,
    /// `l` was pressed before the jobs were known: open the log when they arrive.
    pub log_on_load: bool,
    /// Selected row in the flattened jobs/steps tree.
    pub selected: usize,
    pub offset: usize,
}

#[derive(Debug, Clone, Default)]
pub struct JobsState {
    pub jobs: Vec<Job>,
    pub fetched_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub in_flight: bool,
    pub next_due: Option<DateTime<Utc>>,
    pub failures: u32,
}

#[derive(Debug, Clone)]
pub struct LogState {
    pub repo: String,
    pub job_id: u64,
    pub title: String,
    pub text: Option<Arc<LogText>>,
    pub error: Option<String>,
    /// First visible line.
    pub top: usize,
    /// Line the cursor is on (highlighted; `n` moves it).
    pub cursor: usize,
    pub search: Option<String>,
}

/// Text being typed into a one-line prompt (filter, log search).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub purpose: InputPurpose,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputPurpose {
    RunFilter,
    LogSearch,
}

/// The `:` command palette being typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaletteState {
    pub text: String,
    /// Why the last Enter did not run (shown under the line; typing clears it).
    pub error: Option<String>,
    /// Options shown after Tab, and which one repeated Tabs have put in the line.
    pub completion: Option<crate::palette::Completion>,
    pub cycle: Option<usize>,
    /// Up/Down walk: the history entry shown (an index into `Model::palette_history`), and
    /// the text typed before walking, which also filters the walk by prefix.
    pub history_pos: Option<usize>,
    pub draft: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    Help,
    /// y/N confirmation of a mutation; No is the default.
    Confirm(Mutation),
    /// Quit while a mutation is in flight.
    ConfirmQuit,
    /// The comment GitHub requires with a review, prefilled; Enter goes on.
    Comment {
        mutation: Mutation,
        text: String,
        error: Option<String>,
    },
    /// A protected environment: nothing is sent until `typed` is exactly `phrase`.
    Phrase(Box<PhraseDialog>),
    /// The form built from a workflow's `workflow_dispatch` inputs.
    Dispatch(Box<crate::dispatch::DispatchForm>),
}

/// What the typed-phrase dialog shows and checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhraseDialog {
    pub mutation: Mutation,
    pub environment: String,
    /// The live version now (from the environment's pane), if known.
    pub live: Option<String>,
    /// The version the run deploys.
    pub next: Option<String>,
    pub phrase: String,
    pub typed: String,
}

impl PhraseDialog {
    pub fn matches(&self) -> bool {
        self.typed == self.phrase
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Flash {
    pub text: String,
    pub level: Level,
    pub at: DateTime<Utc>,
}

/// GitHub asked us to wait (rate limit or secondary limit): no GET goes out before `until`.
#[derive(Debug, Clone, PartialEq)]
pub struct RateWait {
    pub until: DateTime<Utc>,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct Model {
    pub keymap: Arc<crate::keymap::Keymap>,
    pub repos: Vec<String>,
    pub poll: PollSettings,
    pub read_only: bool,
    /// Who is at the keyboard (the local user), for notices: "approved … by alice".
    pub actor: String,
    pub screen: Screen,
    pub sources: BTreeMap<SourceKey, SourceState>,
    /// All runs of all sources, newest first (rebuilt when a source changes).
    pub runs: Vec<RunEntry>,
    /// Indices into `runs` that pass the filter.
    pub visible: Vec<usize>,
    pub filter: String,
    pub selected: usize,
    pub offset: usize,
    pub jobs: HashMap<u64, JobsState>,
    /// Runs fetched one by one because they are open but fell out of the polled lists.
    pub extra_runs: Vec<RunEntry>,
    pub detail: Option<DetailState>,
    pub log: Option<LogState>,
    pub input: Option<Input>,
    pub palette: Option<PaletteState>,
    /// Palette commands that ran, oldest first (see `palette_history`).
    pub palette_history: Vec<String>,
    /// Where the history is kept; `None` keeps it in memory only (tests, no state dir).
    pub palette_history_file: Option<std::path::PathBuf>,
    /// `workflow_dispatch` inputs of the workflow files read so far, by (repo, workflow
    /// file): the palette completes `key=` from them.
    pub workflow_inputs: HashMap<(String, String), Vec<crate::dispatch::InputSpec>>,
    /// The rollback being prepared or run (one at a time).
    pub rollback: Option<rollback::RollbackState>,
    pub dialog: Option<Dialog>,
    pub flash: Option<Flash>,
    pub rate: Option<RateInfo>,
    pub rate_wait: Option<RateWait>,
    pub in_flight: HashSet<Mutation>,
    pub width: u16,
    pub height: u16,
    pub quit: bool,
    pub envs: Vec<env::EnvState>,
    pub env_selected: usize,
    pub monitor: crate::config::MonitorConfig,
    /// Notable events, newest last (the Activity view shows them).
    pub activity: Vec<ActivityEntry>,
    /// Runs waiting on an environment gate, in the order they appeared.
    pub gates: Vec<gates::GateState>,
    pub gate_selected: usize,
    /// Operator actions as the audit log has them, newest first.
    pub audit: Vec<crate::audit::AuditEntry>,
    pub audit_error: Option<String>,
    pub activity_offset: usize,
    /// Themes `:theme` may name (built-in and the user's), as found at startup.
    pub themes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActivityEntry {
    pub at: DateTime<Utc>,
    pub level: Level,
    pub text: String,
}

impl Model {
    pub fn new(sources: Vec<SourceKey>, poll: PollSettings, now: DateTime<Utc>) -> Model {
        let mut repos: Vec<String> = sources.iter().map(|s| s.repo.clone()).collect();
        repos.dedup();
        Model {
            keymap: Arc::new(crate::keymap::Keymap::default()),
            repos,
            poll,
            read_only: false,
            actor: String::new(),
            screen: Screen::Runs,
            sources: sources
                .into_iter()
                .map(|k| (k, SourceState::new(now)))
                .collect(),
            runs: Vec::new(),
            visible: Vec::new(),
            filter: String::new(),
            selected: 0,
            offset: 0,
            jobs: HashMap::new(),
            extra_runs: Vec::new(),
            detail: None,
            log: None,
            input: None,
            palette: None,
            palette_history: Vec::new(),
            palette_history_file: None,
            workflow_inputs: HashMap::new(),
            rollback: None,
            dialog: None,
            flash: None,
            rate: None,
            rate_wait: None,
            in_flight: HashSet::new(),
            width: 120,
            height: 40,
            quit: false,
            envs: Vec::new(),
            env_selected: 0,
            monitor: crate::config::MonitorConfig::default(),
            activity: Vec::new(),
            gates: Vec::new(),
            gate_selected: 0,
            audit: Vec::new(),
            audit_error: None,
            activity_offset: 0,
            themes: crate::theme::Theme::builtin_names()
                .into_iter()
                .map(String::from)
                .collect(),
        }
    }

    pub fn selected_run(&self) -> Option<&RunEntry> {
        self.visible
            .get(self.selected)
            .and_then(|&i| self.runs.get(i))
    }

    pub fn find_run(&self, repo: &str, run_id: u64) -> Option<&RunEntry> {
        self.runs
            .iter()
            .find(|e| e.run.id == run_id && e.repo == repo)
    }

    /// The run shown in the detail view, if any.
    pub fn detail_run(&self) -> Option<&RunEntry> {
        let d = self.detail.as_ref()?;
        self.find_run(&d.repo, d.run_id)
    }

    /// Oldest successful refresh across sources: the age the header shows.
    pub fn data_fetched_at(&self) -> Option<DateTime<Utc>> {
        self.sources.values().map(|s| s.fetched_at).min().flatten()
    }

    /// Stale: a source failed its last poll, or has not refreshed for twice its interval.
    pub fn is_stale(&self, now: DateTime<Utc>) -> bool {
        self.sources.values().any(|s| s.is_stale(now, &self.poll))
    }

    pub fn last_error(&self) -> Option<&str> {
        self.sources.values().find_map(|s| s.error.as_deref())
    }

    /// Rows in the list viewport: the terminal less the header, the column titles and the footer.
    pub fn list_height(&self) -> usize {
        usize::from(self.height.saturating_sub(3)).max(1)
    }

    /// Rows of rollback output on screen: the terminal less the header, the footer, the
    /// pane's borders, its outcome (two rows) and its hint (with the blank line above it).
    pub fn rollback_output_rows(&self) -> usize {
        usize::from(self.height.saturating_sub(8)).max(1)
    }
}

pub fn secs(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}
