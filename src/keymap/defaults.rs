//! The keymap's data: every action's stable `[keys]` name, the default bindings, and the
//! keys that are never rebound. docs/config.md's action table is checked against these.

use super::Context;
use crate::msg::Action;

/// An action as the config names it.
pub struct ActionName {
    pub action: Action,
    /// The `[keys]` name: stable, snake_case.
    pub name: &'static str,
    /// What it does, for docs/config.md and for a binding added by an override.
    pub summary: &'static str,
}

/// Every action, in the order docs/config.md lists them.
pub const ACTIONS: &[ActionName] = &[
    name(
        Action::Quit,
        "quit",
        "quit (asks first while something is in flight)",
    ),
    name(Action::Help, "help", "this help"),
    name(Action::Palette, "palette", "command palette"),
    name(
        Action::Open,
        "open",
        "open the selected run, job or gate's run",
    ),
    name(Action::Back, "back", "back"),
    name(
        Action::OpenBrowser,
        "open_url",
        "open the selection in the browser",
    ),
    name(Action::ViewRuns, "view_runs", "Runs view"),
    name(
        Action::ViewEnvironments,
        "view_environments",
        "Environments view",
    ),
    name(Action::ViewGates, "view_gates", "Gates view"),
    name(Action::ViewActivity, "view_activity", "Activity view"),
    name(Action::NextView, "next_view", "next view"),
    name(Action::PrevView, "prev_view", "previous view"),
    name(Action::Down, "down", "move down"),
    name(Action::Up, "up", "move up"),
    name(Action::Top, "top", "go to the top"),
    name(Action::Bottom, "bottom", "go to the bottom"),
    name(Action::PageDown, "page_down", "page down"),
    name(Action::PageUp, "page_up", "page up"),
    name(Action::Filter, "filter", "filter runs / search the log"),
    name(Action::Logs, "logs", "job logs"),
    name(Action::RerunFailed, "rerun_failed", "re-run failed jobs"),
    name(Action::RerunAll, "rerun_all", "re-run all jobs"),
    name(Action::Cancel, "cancel", "cancel the run"),
    name(Action::Dispatch, "dispatch", "dispatch the run's workflow"),
    name(
        Action::NextMatch,
        "next_match",
        "next error / match in the log",
    ),
    name(
        Action::PrevMatch,
        "prev_match",
        "previous error / match in the log",
    ),
    name(Action::Approve, "approve", "approve the gate"),
    name(Action::Reject, "reject", "reject the gate"),
    name(Action::Rollback, "rollback", "roll the environment back"),
    name(Action::Watch, "watch", "open/close the cutover window"),
];

const fn name(action: Action, name: &'static str, summary: &'static str) -> ActionName {
    ActionName {
        action,
        name,
        summary,
    }
}

/// Keys that always do one thing, whatever `[keys]` says: the way out must never be lost.
/// In dialogs and prompts both cancel, doing nothing.
pub const RESERVED: &[(&str, Action)] = &[("ctrl-c", Action::Quit), ("esc", Action::Back)];

/// (keys, action, context, description, footer hint)
pub(super) type Row = (&'static [&'static str], Action, Context, &'static str, bool);

pub(super) const DEFAULTS: &[Row] = &[
    (&["q"], Action::Quit, Context::Global, "quit", true),
    (&["ctrl-c"], Action::Quit, Context::Global, "quit", false),
    (
        &["?"],
        Action::Help,
        Context::Global,
        "help (this screen)",
        true,
    ),
    (
        &["j", "down"],
        Action::Down,
        Context::List,
        "move down",
        false,
    ),
    (&["k", "up"], Action::Up, Context::List, "move up", false),
    (
        &["g", "home"],
        Action::Top,
        Context::List,
        "go to top",
        false,
    ),
    (
        &["G", "end"],
        Action::Bottom,
        Context::List,
        "go to bottom",
        false,
    ),
    (
        &["pgdn", "ctrl-d"],
        Action::PageDown,
        Context::List,
        "page down",
        false,
    ),
    (
        &["pgup", "ctrl-u"],
        Action::PageUp,
        Context::List,
        "page up",
        false,
    ),
    (&["enter"], Action::Open, Context::Global, "open", true),
    (
        &[":"],
        Action::Palette,
        Context::Global,
        "command palette (Tab completes)",
        true,
    ),
    (
        &["esc"],
        Action::Back,
        Context::Global,
        "back / close dialog",
        true,
    ),
    (&["/"], Action::Filter, Context::Runs, "filter runs", true),
    (
        &["/"],
        Action::Filter,
        Context::Logs,
        "search the log",
        true,
    ),
    (
        &["l"],
        Action::Logs,
        Context::Runs,
        "job logs of the run",
        true,
    ),
    (
        &["l"],
        Action::Logs,
        Context::RunDetail,
        "logs of the selected job",
        true,
    ),
    (
        &["e"],
        Action::RerunFailed,
        Context::Runs,
        "re-run failed jobs",
        true,
    ),
    (
        &["e"],
        Action::RerunFailed,
        Context::RunDetail,
        "re-run failed jobs",
        true,
    ),
    (
        &["E"],
        Action::RerunAll,
        Context::Runs,
        "re-run all jobs",
        false,
    ),
    (
        &["E"],
        Action::RerunAll,
        Context::RunDetail,
        "re-run all jobs",
        false,
    ),
    (
        &["c"],
        Action::Cancel,
        Context::Runs,
        "cancel the run",
        true,
    ),
    (
        &["c"],
        Action::Cancel,
        Context::RunDetail,
        "cancel the run",
        true,
    ),
    (
        &["o"],
        Action::OpenBrowser,
        Context::Global,
        "open in browser",
        true,
    ),
    (
        &["1"],
        Action::ViewRuns,
        Context::Global,
        "Runs view",
        false,
    ),
    (
        &["2"],
        Action::ViewEnvironments,
        Context::Global,
        "Environments view",
        false,
    ),
    (
        &["3"],
        Action::ViewGates,
        Context::Global,
        "Gates view",
        false,
    ),
    (
        &["4"],
        Action::ViewActivity,
        Context::Global,
        "Activity view",
        false,
    ),
    (
        &["d"],
        Action::Dispatch,
        Context::Runs,
        "dispatch the run's workflow",
        false,
    ),
    (
        &["d"],
        Action::Dispatch,
        Context::RunDetail,
        "dispatch the run's workflow",
        false,
    ),
    (
        &["a"],
        Action::Approve,
        Context::Gates,
        "approve the gate (comment, then phrase or y/N)",
        true,
    ),
    (
        &["x"],
        Action::Reject,
        Context::Gates,
        "reject the gate",
        true,
    ),
    (
        &["enter"],
        Action::Open,
        Context::Gates,
        "open the run",
        false,
    ),
    (
        &["tab"],
        Action::NextView,
        Context::Global,
        "next view",
        true,
    ),
    (
        &["shift-tab"],
        Action::PrevView,
        Context::Global,
        "previous view",
        false,
    ),
    (
        &["R"],
        Action::Rollback,
        Context::Environments,
        "roll back (pick a version, preflight, phrase)",
        true,
    ),
    (
        &["w"],
        Action::Watch,
        Context::Environments,
        "open/close the cutover window",
        true,
    ),
    (
        &["n"],
        Action::NextMatch,
        Context::Logs,
        "next error / match",
        true,
    ),
    (
        &["N"],
        Action::PrevMatch,
        Context::Logs,
        "previous error / match",
        false,
    ),
];
