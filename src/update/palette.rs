//! The `:` palette in `update`: keys edit the line, Tab completes, Up/Down walk the history,
//! Enter runs the command through the same paths as its key (same confirmations, same
//! refusals) and, if it ran, records it.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{ask_mutation_for, dispatch, envs, gates, on_action, open_run, rollback};
use crate::dispatch::InputKind;
use crate::model::{Model, PaletteState, RunEntry, Screen};
use crate::msg::{Action, Cmd, MutationKind};
use crate::palette::{Candidates, Command, complete, parse};

pub(super) fn on_key(m: &mut Model, key: KeyEvent, now: DateTime<Utc>) -> Vec<Cmd> {
    let Some(p) = m.palette.as_mut() else {
        return Vec::new();
    };
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if key.code != KeyCode::Tab {
        p.cycle = None;
    }
    match key.code {
        KeyCode::Esc => m.palette = None,
        KeyCode::Char('c') if ctrl => m.palette = None,
        KeyCode::Enter => {
            let text = p.text.clone();
            let mut cmds = run_line(m, &text, now);
            // Only what ran is remembered: a line with a mistake stays open to be fixed.
            if m.palette.is_none() {
                cmds.extend(remember(m, &text));
            }
            return cmds;
        }
        KeyCode::Up => walk(p, &m.palette_history, true),
        KeyCode::Char('p') if ctrl => walk(p, &m.palette_history, true),
        KeyCode::Down => walk(p, &m.palette_history, false),
        KeyCode::Char('n') if ctrl => walk(p, &m.palette_history, false),
        KeyCode::Tab => {
            let text = p.text.clone();
            let candidates = candidates(m, &text);
            if let Some(p) = m.palette.as_mut() {
                p.history_pos = None;
                tab(p, &candidates);
            }
        }
        KeyCode::Backspace => {
            p.text.pop();
            p.error = None;
            p.completion = None;
            p.history_pos = None;
        }
        KeyCode::Char(c) if !ctrl => {
            p.text.push(c);
            p.error = None;
            p.completion = None;
            p.history_pos = None;
        }
        _ => {}
    }
    Vec::new()
}

/// Up (`older`) or Down through the commands that start with what was typed before walking,
/// newest first, skipping one equal to the line shown; Down past the newest gives the typed
/// text back.
fn walk(p: &mut PaletteState, history: &[String], older: bool) {
    if p.history_pos.is_none() {
        if !older {
            return;
        }
        p.draft = p.text.clone();
    }
    let matches = |i: &usize| history[*i].starts_with(&p.draft) && history[*i] != p.text;
    let next = match (p.history_pos, older) {
        (None, _) => (0..history.len()).rev().find(matches),
        (Some(at), true) => (0..at).rev().find(matches),
        (Some(at), false) => (at + 1..history.len()).find(matches),
    };
    match next {
        Some(i) => {
            p.history_pos = Some(i);
            p.text = history[i].clone();
        }
        None if !older => {
            p.history_pos = None;
            p.text = p.draft.clone();
        }
        // Nothing older: the line stays as it is.
        None => {}
    }
    p.error = None;
    p.completion = None;
}

/// Records a command that ran, and has the history file rewritten when there is one.
fn remember(m: &mut Model, line: &str) -> Vec<Cmd> {
    let before = m.palette_history.len();
    let last = m.palette_history.last().cloned();
    crate::palette_history::push(&mut m.palette_history, line);
    let changed = m.palette_history.len() != before || m.palette_history.last() != last.as_ref();
    match (&m.palette_history_file, changed) {
        (Some(path), true) => vec![Cmd::SavePaletteHistory {
            path: path.clone(),
            lines: m.palette_history.clone(),
        }],
        _ => Vec::new(),
    }
}

/// Tab: one option fills in; several fill their common prefix and are listed; Tab again
/// (when the prefix brings nothing new) puts each option in the line in turn.
fn tab(p: &mut PaletteState, candidates: &Candidates) {
    if let (Some(i), Some(c)) = (p.cycle, p.completion.as_ref()) {
        if let Some(opt) = c.options.get((i + 1) % c.options.len().max(1)) {
            p.text.truncate(c.start);
            p.text.push_str(opt);
            p.cycle = Some((i + 1) % c.options.len());
        }
        return;
    }
    let c = complete(&p.text, candidates);
    let word = p.text[c.start..].to_string();
    match c.options.len() {
        0 => {
            p.error = Some(format!("nothing to complete for {word:?}"));
            p.completion = None;
        }
        1 => {
            p.text.truncate(c.start);
            p.text.push_str(&c.options[0]);
            if !c.options[0].ends_with('=') {
                p.text.push(' ');
            }
            p.completion = None;
        }
        _ => {
            let prefix = c.common_prefix();
            if prefix.len() > word.len() {
                p.text.truncate(c.start);
                p.text.push_str(&prefix);
            } else {
                p.text.truncate(c.start);
                p.text.push_str(&c.options[0]);
                p.cycle = Some(0);
            }
            p.completion = Some(c);
        }
    }
}

/// What completion offers for `line`, from what is on screen: waiting and active runs
/// first (only runs waiting on a gate for approve/reject), the versions of the environment
/// being rolled back, and the inputs of the workflow being dispatched once its file has been
/// read.
fn candidates(m: &Model, line: &str) -> Candidates {
    let words: Vec<&str> = line.split_whitespace().collect();
    let command = words.first().copied().unwrap_or_default();
    let mut runs: Vec<&RunEntry> = m.runs.iter().collect();
    runs.sort_by_key(|e| {
        (
            e.run.status != Some(crate::github::models::RunStatus::Waiting),
            !e.run.is_active(),
        )
    });
    let run_ids = match command {
        "approve" | "reject" => m.gates.iter().map(|g| g.run_id.to_string()).collect(),
        _ => runs.iter().map(|e| e.run.id.to_string()).collect(),
    };
    let mut c = Candidates {
        run_ids,
        // As `:rollback` and `:watch` take them: `payments:production` with several repos.
        envs: m.envs.iter().map(|e| m.env_label(e)).collect(),
        themes: m.themes.clone(),
        ..Candidates::default()
    };
    for e in &m.runs {
        if let Some(file) = dispatch::workflow_file(e.run.path.as_deref()) {
            if !c.workflows.contains(&file) {
                c.workflows.push(file);
            }
        }
        if let Some(b) = e.run.head_branch.as_deref() {
            if !c.refs.iter().any(|r| r == b) {
                c.refs.push(b.to_string());
            }
        }
    }
    let rollback_env = match (command, words.get(1)) {
        ("rollback", Some(env)) => m.envs.iter().find(|e| e.name == *env),
        _ => None,
    };
    let envs: Vec<&crate::model::env::EnvState> = match rollback_env {
        Some(env) => vec![env],
        None => m.envs.iter().collect(),
    };
    for env in envs {
        let live = env.version.value.iter().cloned();
        let deployed = env
            .deployments
            .value
            .iter()
            .flatten()
            .map(|d| d.deployment.git_ref.clone());
        for v in live.chain(deployed) {
            if !c.versions.contains(&v) {
                c.versions.push(v);
            }
        }
    }
    if let ("dispatch", Some(workflow)) = (command, words.get(1)) {
        dispatch_inputs(m, workflow, &words[2..], &mut c);
    }
    c
}

/// `name=` for each input of `workflow` not given yet, and `name=value` for the values a
/// choice, boolean or environment input accepts.
fn dispatch_inputs(m: &Model, workflow: &str, given: &[&str], c: &mut Candidates) {
    // `REPO:WORKFLOW` with several repos: the inputs are kept under the bare file name.
    let (repo, workflow, _) = dispatch::defaults_for(m, workflow);
    let Some(inputs) = m.workflow_inputs.get(&(repo, workflow)) else {
        return;
    };
    for input in inputs {
        let prefix = format!("{}=", input.name);
        let typed_in_full = given
            .iter()
            .any(|w| w.starts_with(&prefix) && w.len() > prefix.len());
        if !typed_in_full {
            c.inputs.push(prefix.clone());
        }
        let values: Vec<String> = match &input.kind {
            InputKind::Choice(options) => options.clone(),
            InputKind::Boolean => vec!["true".into(), "false".into()],
            InputKind::Environment => m.envs.iter().map(|e| e.name.clone()).collect(),
            InputKind::String | InputKind::Number => Vec::new(),
        };
        c.input_values
            .extend(values.into_iter().map(|v| format!("{prefix}{v}")));
    }
}

fn fail(m: &mut Model, text: String) -> Vec<Cmd> {
    if let Some(p) = m.palette.as_mut() {
        p.error = Some(text);
        p.completion = None;
    }
    Vec::new()
}

fn find_run(m: &Model, run_id: u64) -> Option<RunEntry> {
    m.runs
        .iter()
        .chain(&m.extra_runs)
        .find(|e| e.run.id == run_id)
        .cloned()
}

/// Enter: a line that does not parse, or names something unknown, keeps the palette open
/// with the reason under it; a good one closes it and acts.
fn run_line(m: &mut Model, line: &str, now: DateTime<Utc>) -> Vec<Cmd> {
    let cmd = match parse(line) {
        Ok(cmd) => cmd,
        Err(e) => return fail(m, e.0),
    };
    let run = |m: &mut Model, run_id: u64| {
        find_run(m, run_id).ok_or_else(|| format!("run {run_id} is not in the list"))
    };
    let approve = matches!(cmd, Command::Approve { .. });
    match cmd {
        Command::Quit => {
            m.palette = None;
            on_action(m, Action::Quit, now)
        }
        Command::Watch { env } => match m.find_env(&env) {
            Ok(i) => {
                m.palette = None;
                m.env_selected = i;
                m.screen = Screen::Environments;
                envs::toggle_watch(m, now)
            }
            Err(e) => fail(m, e),
        },
        Command::Rerun { run_id } | Command::Cancel { run_id } | Command::Logs { run_id } => {
            let entry = match run(m, run_id) {
                Ok(e) => e,
                Err(e) => return fail(m, e),
            };
            m.palette = None;
            let kind = match cmd {
                Command::Cancel { .. } => MutationKind::Cancel,
                Command::Logs { .. } => {
                    return open_run(m, entry.repo.clone(), entry.run.id, true, now);
                }
                // A failed run re-runs what failed; anything else re-runs in full.
                _ if entry.run.conclusion == Some(crate::github::models::Conclusion::Failure) => {
                    MutationKind::RerunFailed
                }
                _ => MutationKind::RerunAll,
            };
            ask_mutation_for(m, &entry, kind, now)
        }
        // The loop loads the file and answers with `Msg::ThemeSwitched`.
        Command::Theme { name } => {
            if m.themes.contains(&name) {
                m.palette = None;
                vec![Cmd::SetTheme(name)]
            } else {
                let names = m.themes.join(", ");
                fail(m, format!("no theme {name:?}; themes: {names}"))
            }
        }
        Command::Approve { run_id, env } | Command::Reject { run_id, env } => {
            let Some(repo) = m
                .gates
                .iter()
                .find(|g| g.run_id == run_id)
                .map(|g| g.repo.clone())
            else {
                return fail(m, format!("run {run_id} is not waiting on a gate"));
            };
            match gates::review_for(m, &repo, run_id, env.as_deref(), approve) {
                Ok(_) => {
                    m.palette = None;
                    m.screen = Screen::Gates;
                    if let Some(i) = m.gates.iter().position(|g| g.run_id == run_id) {
                        m.gate_selected = i;
                    }
                    gates::ask_review(m, &repo, run_id, env.as_deref(), approve, now)
                }
                Err(why) => fail(m, why),
            }
        }
        Command::Dispatch {
            workflow,
            git_ref,
            inputs,
        } => {
            let (repo, workflow, default_ref) = dispatch::defaults_for(m, &workflow);
            m.palette = None;
            dispatch::ask(
                m,
                repo,
                workflow,
                git_ref.unwrap_or(default_ref),
                inputs,
                now,
            )
        }
        Command::Rollback { env, version } => {
            match rollback::from_palette(m, &env, version.as_deref(), now) {
                Ok(cmds) => {
                    m.palette = None;
                    cmds
                }
                Err(why) => fail(m, why),
            }
        }
    }
}
