//! The `:` palette in `update`: keys edit the line, Tab completes, Enter runs the command
//! through the same paths as its key (same confirmations, same refusals).

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{ask_mutation_for, dispatch, envs, gates, on_action, open_run, rollback};
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
            return run_line(m, &text, now);
        }
        KeyCode::Tab => {
            let candidates = candidates(m);
            if let Some(p) = m.palette.as_mut() {
                tab(p, &candidates);
            }
        }
        KeyCode::Backspace => {
            p.text.pop();
            p.error = None;
            p.completion = None;
        }
        KeyCode::Char(c) if !ctrl => {
            p.text.push(c);
            p.error = None;
            p.completion = None;
        }
        _ => {}
    }
    Vec::new()
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

/// What completion offers, from what is on screen: waiting and active runs first.
fn candidates(m: &Model) -> Candidates {
    let mut runs: Vec<&RunEntry> = m.runs.iter().collect();
    runs.sort_by_key(|e| {
        (
            e.run.status != Some(crate::github::models::RunStatus::Waiting),
            !e.run.is_active(),
        )
    });
    let mut c = Candidates {
        run_ids: runs.iter().map(|e| e.run.id.to_string()).collect(),
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
    for env in &m.envs {
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
    c
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
