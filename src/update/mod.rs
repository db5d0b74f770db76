//! `update`: the only place state changes. Messages in, commands out; no I/O, no clock
//! reads (time comes in as `now`), so every behaviour here is unit-tested.

mod dispatch;
mod envs;
mod gates;
mod palette;
mod rollback;

use std::hash::{Hash, Hasher};

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};

use crate::github::error::ApiError;
use crate::keymap::Context;
use crate::model::poll::{backoff, stretch};
use crate::model::runs::{DetailRow, detail_rows, failed_step, scroll_offset};
use crate::model::{
    DetailState, Dialog, Flash, Input, InputPurpose, Level, LogState, Model, PaletteState,
    RateWait, RunEntry, Screen, secs,
};
use crate::msg::{Action, Cmd, Msg, Mutation, MutationKind};

/// How long a message stays in the footer.
pub const FLASH_SECS: i64 = 8;

pub fn update(m: &mut Model, msg: Msg, now: DateTime<Utc>) -> Vec<Cmd> {
    match msg {
        Msg::Key(key) => on_key(m, key, now),
        Msg::Mouse(ev) => on_mouse(m, ev, now),
        Msg::Resize { width, height } => {
            m.width = width;
            m.height = height;
            m.clamp_selection();
            Vec::new()
        }
        Msg::Tick => on_tick(m, now),
        Msg::Runs { source, result } => {
            let Some(s) = m.sources.get_mut(&source) else {
                return Vec::new();
            };
            let was_active: Vec<u64> = s
                .runs
                .iter()
                .filter(|r| r.is_active())
                .map(|r| r.id)
                .collect();
            s.in_flight = false;
            match result {
                Ok(fetched) => {
                    s.error = None;
                    s.failures = 0;
                    s.fetched_at = Some(now);
                    let changed = !fetched.not_modified || s.runs != fetched.value;
                    s.runs = fetched.value;
                    let every = s.interval(&m.poll) * stretch(m.rate.as_ref());
                    s.next_due = now + secs(every);
                    if changed {
                        m.rebuild_runs();
                    }
                }
                Err(e) => {
                    let seed = seed_of(&source);
                    s.failures += 1;
                    s.error = Some(format!("{}: {e}", source.label()));
                    s.next_due = retry_at(&mut m.rate_wait, &e, s.failures, seed, now);
                }
            }
            let mut cmds = envs::deploy_runs_finished(m, &was_active, now);
            cmds.extend(on_tick(m, now));
            cmds
        }
        Msg::Jobs {
            repo,
            run_id,
            result,
        } => {
            let js = m.jobs.entry(run_id).or_default();
            js.in_flight = false;
            let first_load = js.fetched_at.is_none();
            match result {
                Ok(fetched) => {
                    js.jobs = fetched.value;
                    js.fetched_at = Some(now);
                    js.error = None;
                    js.failures = 0;
                    js.next_due = Some(now + secs(m.poll.active * stretch(m.rate.as_ref())));
                }
                Err(e) => {
                    js.failures += 1;
                    js.error = Some(e.to_string());
                    js.next_due = Some(retry_at(&mut m.rate_wait, &e, js.failures, run_id, now));
                }
            }
            if first_load {
                select_failed_step(m, run_id);
            }
            let wants_log = m
                .detail
                .as_ref()
                .is_some_and(|d| d.run_id == run_id && d.repo == repo && d.log_on_load);
            let mut cmds = Vec::new();
            if wants_log {
                if let Some(d) = m.detail.as_mut() {
                    d.log_on_load = false;
                }
                cmds.extend(open_best_log(m, &repo, run_id));
            }
            clamp_detail(m);
            cmds
        }
        Msg::Run { repo, result } => {
            match result {
                Ok(fetched) => {
                    let run = fetched.value;
                    m.extra_runs
                        .retain(|e| !(e.repo == repo && e.run.id == run.id));
                    m.extra_runs.push(RunEntry { repo, run });
                    m.rebuild_runs();
                }
                // Shown where the operator looks; the next jobs poll asks for it again.
                Err(e) => {
                    let text = format!("could not refresh the open run: {e}");
                    flash(m, Level::Warn, text, now);
                }
            }
            Vec::new()
        }
        Msg::Log { job_id, result } => {
            if let Some(log) = m.log.as_mut().filter(|l| l.job_id == job_id) {
                match result {
                    Ok(text) => {
                        let first = text.first_error().unwrap_or(0);
                        log.text = Some(text);
                        log.error = None;
                        log.cursor = first;
                        log.top = first.saturating_sub(3);
                    }
                    Err(e) => log.error = Some(e.to_string()),
                }
            }
            Vec::new()
        }
        Msg::MutationDone { mutation, result } => {
            m.in_flight.remove(&mutation);
            if matches!(mutation.kind, MutationKind::Approve | MutationKind::Reject) {
                let mut cmds = gates::on_reviewed(m, &mutation, &result, now);
                cmds.extend(on_tick(m, now));
                return cmds;
            }
            match result {
                Ok(()) => {
                    let text = match mutation.kind {
                        MutationKind::Cancel => format!("cancel requested for {}", mutation.label),
                        _ => format!("re-run requested for {}", mutation.label),
                    };
                    flash(m, Level::Info, text, now);
                    // Look again soon: the run changes state now.
                    for (k, s) in m.sources.iter_mut() {
                        if k.repo == mutation.repo && !s.in_flight {
                            s.next_due = now;
                        }
                    }
                    if let Some(js) = m.jobs.get_mut(&mutation.run_id) {
                        js.next_due = Some(now);
                    }
                }
                Err(ApiError::Conflict { .. }) if mutation.kind == MutationKind::Cancel => {
                    let text = format!("{} already completed: nothing to cancel", mutation.label);
                    flash(m, Level::Warn, text, now);
                }
                Err(e) => {
                    let text = format!(
                        "could not {} {}: {e} (not retried)",
                        mutation.kind.verb(),
                        mutation.label
                    );
                    flash(m, Level::Error, text, now);
                }
            }
            let mut cmds = on_tick(m, now);
            cmds.push(Cmd::ReadAudit);
            cmds
        }
        Msg::Gate {
            repo,
            run_id,
            result,
        } => {
            gates::on_gate(m, &repo, run_id, result, now);
            Vec::new()
        }
        Msg::DispatchSpec {
            repo,
            workflow,
            git_ref,
            preset,
            result,
        } => {
            dispatch::on_spec(m, repo, workflow, git_ref, preset, result, now);
            Vec::new()
        }
        Msg::Dispatched { mutation, result } => {
            let mut cmds = dispatch::on_dispatched(m, mutation, result, now);
            cmds.extend(on_tick(m, now));
            cmds
        }
        Msg::Compared {
            env,
            target,
            result,
        } => {
            rollback::on_compared(m, env, &target, result);
            Vec::new()
        }
        Msg::Releases { env, result } => rollback::on_releases(m, env, result, now),
        Msg::CommitMessages { env, messages } => {
            rollback::on_messages(m, env, messages);
            Vec::new()
        }
        Msg::RollbackPrepared { env, result } => {
            rollback::on_prepared(m, env, result);
            Vec::new()
        }
        Msg::RollbackEvent { env, event } => rollback::on_event(m, env, event, now),
        Msg::RollbackDone { mutation, outcome } => {
            let mut cmds = rollback::on_done(m, mutation, outcome, now);
            cmds.extend(on_tick(m, now));
            cmds
        }
        Msg::ThemeSwitched { name, result } => {
            match result {
                Ok(()) => flash(m, Level::Info, format!("theme: {name}"), now),
                Err(e) => flash(
                    m,
                    Level::Error,
                    format!("theme {name} not loaded: {e}"),
                    now,
                ),
            }
            Vec::new()
        }
        Msg::Audit(result) => {
            match result {
                Ok(entries) => {
                    m.audit = entries;
                    m.audit_error = None;
                }
                Err(e) => m.audit_error = Some(e),
            }
            Vec::new()
        }
        Msg::Rate(info) => {
            m.rate = Some(info);
            Vec::new()
        }
        Msg::Probe {
            env,
            check,
            outcome,
        } => envs::on_probe(m, env, check, outcome, now),
        Msg::Version { env, result } => {
            envs::on_version(m, env, result, now);
            Vec::new()
        }
        Msg::Deployments { env, result } => envs::on_deployments(m, env, result, now),
        Msg::NotifyFailed(err) => {
            let text = format!("notification not sent: {err}");
            m.activity.push(crate::model::ActivityEntry {
                at: now,
                level: Level::Warn,
                text: text.clone(),
            });
            flash(m, Level::Warn, text, now);
            Vec::new()
        }
    }
}

/// When to try a failed GET again; a rate limit also pauses every other GET.
fn retry_at(
    rate_wait: &mut Option<RateWait>,
    e: &ApiError,
    failures: u32,
    seed: u64,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    if let ApiError::RateLimited { until, .. } = e {
        *rate_wait = Some(RateWait {
            until: *until,
            reason: e.to_string(),
        });
        return *until;
    }
    now + secs(backoff(failures, seed))
}

fn seed_of<T: Hash>(t: &T) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    t.hash(&mut h);
    h.finish()
}

fn flash(m: &mut Model, level: Level, text: String, now: DateTime<Utc>) {
    m.flash = Some(Flash {
        text,
        level,
        at: now,
    });
}

/// What is due now: run lists, and the jobs of the run being looked at.
fn on_tick(m: &mut Model, now: DateTime<Utc>) -> Vec<Cmd> {
    if m.flash
        .as_ref()
        .is_some_and(|f| now - f.at > chrono::Duration::seconds(FLASH_SECS))
    {
        m.flash = None;
    }
    if m.rate_wait.as_ref().is_some_and(|w| now >= w.until) {
        m.rate_wait = None;
    }
    let github_paused = m.rate_wait.is_some();
    rollback::watch_recovery(m, now);
    let mut cmds = envs::schedule(m, now, github_paused);
    if github_paused {
        return cmds;
    }
    cmds.extend(gates::schedule(m, now));
    for (key, s) in m.sources.iter_mut() {
        if !s.in_flight && now >= s.next_due {
            s.in_flight = true;
            cmds.push(Cmd::FetchRuns(key.clone()));
        }
    }
    if let Some(d) = &m.detail {
        let active = m
            .find_run(&d.repo, d.run_id)
            .is_some_and(|e| e.run.is_active());
        let js = m.jobs.entry(d.run_id).or_default();
        let unfinished = js
            .jobs
            .iter()
            .any(|j| j.status != crate::github::models::RunStatus::Completed);
        let needed = js.fetched_at.is_none() || active || unfinished;
        let due = js.next_due.is_none_or(|t| now >= t);
        if needed && due && !js.in_flight {
            js.in_flight = true;
            cmds.push(Cmd::FetchJobs {
                repo: d.repo.clone(),
                run_id: d.run_id,
            });
            // The run itself is not in any polled list: fetch it with its jobs.
            if !m
                .sources
                .values()
                .any(|s| s.runs.iter().any(|r| r.id == d.run_id))
            {
                cmds.push(Cmd::FetchRun {
                    repo: d.repo.clone(),
                    run_id: d.run_id,
                });
            }
        }
    }
    cmds
}

fn contexts(screen: Screen) -> [Context; 3] {
    match screen {
        Screen::Runs => [Context::Runs, Context::List, Context::Global],
        Screen::RunDetail => [Context::RunDetail, Context::List, Context::Global],
        Screen::Logs => [Context::Logs, Context::List, Context::Global],
        Screen::Environments => [Context::Environments, Context::List, Context::Global],
        Screen::Gates => [Context::Gates, Context::List, Context::Global],
        Screen::Activity => [Context::Activity, Context::List, Context::Global],
    }
}

fn on_key(m: &mut Model, key: KeyEvent, now: DateTime<Utc>) -> Vec<Cmd> {
    if let Some(dialog) = m.dialog.clone() {
        return on_dialog_key(m, dialog, key, now);
    }
    if m.input.is_some() {
        return on_input_key(m, key);
    }
    if m.palette.is_some() {
        return palette::on_key(m, key, now);
    }
    // The rollback pane takes the keys, except the palette's: it works everywhere.
    if m.rollback.as_ref().is_some_and(|r| r.visible())
        && m.screen == Screen::Environments
        && m.keymap.lookup(&key, &[Context::Global]) != Some(Action::Palette)
    {
        return rollback::on_key(m, key, now);
    }
    let Some(action) = m.keymap.lookup(&key, &contexts(m.screen)) else {
        return Vec::new();
    };
    on_action(m, action, now)
}

fn on_dialog_key(m: &mut Model, dialog: Dialog, key: KeyEvent, now: DateTime<Utc>) -> Vec<Cmd> {
    let ctrl_c = key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
    match dialog {
        Dialog::Help => {
            // Whatever keys help and quit are bound to close it, as do Esc and Enter.
            let bound = m.keymap.lookup(&key, &[Context::Global]);
            if matches!(key.code, KeyCode::Esc | KeyCode::Enter)
                || matches!(bound, Some(Action::Help | Action::Quit))
            {
                m.dialog = None;
            }
            Vec::new()
        }
        Dialog::Confirm(mutation) => match key.code {
            KeyCode::Char('y' | 'Y') if !ctrl_c => {
                m.dialog = None;
                send(m, mutation, now)
            }
            // No is the default: Enter, n, Esc all cancel.
            KeyCode::Char('n' | 'N') | KeyCode::Esc | KeyCode::Enter => {
                m.dialog = None;
                flash(m, Level::Info, "cancelled: nothing sent".into(), now);
                Vec::new()
            }
            _ if ctrl_c => {
                m.dialog = None;
                Vec::new()
            }
            _ => Vec::new(),
        },
        Dialog::Comment {
            mutation, mut text, ..
        } => {
            match key.code {
                KeyCode::Esc => return cancel_dialog(m, now),
                _ if ctrl_c => return cancel_dialog(m, now),
                KeyCode::Enter if text.trim().is_empty() => {
                    m.dialog = Some(Dialog::Comment {
                        mutation,
                        text,
                        error: Some("GitHub requires a comment with a review".into()),
                    });
                    return Vec::new();
                }
                KeyCode::Enter => {
                    let mut mutation = mutation;
                    if let Some(r) = mutation.review.as_mut() {
                        r.comment = text.trim().to_string();
                    }
                    gates::after_comment(m, mutation);
                    return Vec::new();
                }
                KeyCode::Backspace => {
                    text.pop();
                }
                KeyCode::Char(c) => text.push(c),
                _ => {}
            }
            m.dialog = Some(Dialog::Comment {
                mutation,
                text,
                error: None,
            });
            Vec::new()
        }
        Dialog::Dispatch(form) => dispatch::on_key(m, form, key, now),
        Dialog::Phrase(mut p) => {
            match key.code {
                KeyCode::Esc => return cancel_dialog(m, now),
                _ if ctrl_c => return cancel_dialog(m, now),
                // Enter does nothing until the phrase matches: nothing is sent early.
                KeyCode::Enter if p.matches() => {
                    m.dialog = None;
                    return send(m, p.mutation, now);
                }
                KeyCode::Backspace => {
                    p.typed.pop();
                }
                KeyCode::Char(c) => p.typed.push(c),
                _ => {}
            }
            m.dialog = Some(Dialog::Phrase(p));
            Vec::new()
        }
        Dialog::ConfirmQuit => match key.code {
            KeyCode::Char('y' | 'Y') => {
                m.quit = true;
                vec![Cmd::Quit]
            }
            _ => {
                m.dialog = None;
                Vec::new()
            }
        },
    }
}

fn on_input_key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    let Some(input) = m.input.as_mut() else {
        return Vec::new();
    };
    let purpose = input.purpose;
    match key.code {
        KeyCode::Esc => {
            m.input = None;
            if purpose == InputPurpose::RunFilter {
                m.filter.clear();
                m.apply_filter();
            }
        }
        KeyCode::Enter => {
            let text = input.text.clone();
            m.input = None;
            if purpose == InputPurpose::LogSearch {
                if let Some(log) = m.log.as_mut() {
                    log.search = (!text.is_empty()).then_some(text);
                }
                log_jump(m, true);
            }
        }
        KeyCode::Backspace => {
            input.text.pop();
            if purpose == InputPurpose::RunFilter {
                m.filter = input.text.clone();
                m.apply_filter();
            }
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            input.text.push(c);
            if purpose == InputPurpose::RunFilter {
                m.filter = input.text.clone();
                m.selected = 0;
                m.apply_filter();
            }
        }
        _ => {}
    }
    Vec::new()
}

fn on_action(m: &mut Model, action: Action, now: DateTime<Utc>) -> Vec<Cmd> {
    match action {
        Action::Quit => {
            if m.in_flight.is_empty() {
                m.quit = true;
                vec![Cmd::Quit]
            } else {
                m.dialog = Some(Dialog::ConfirmQuit);
                Vec::new()
            }
        }
        Action::Help => {
            m.dialog = Some(Dialog::Help);
            Vec::new()
        }
        Action::Up => move_by(m, -1),
        Action::Down => move_by(m, 1),
        Action::PageUp => move_by(m, -(m.list_height() as i64)),
        Action::PageDown => move_by(m, m.list_height() as i64),
        Action::Top => move_by(m, i64::MIN / 2),
        Action::Bottom => move_by(m, i64::MAX / 2),
        Action::Open => match m.screen {
            Screen::Runs => open_detail(m, false, now),
            Screen::RunDetail => open_selected_job_log(m),
            Screen::Gates => match m.gates.get(m.gate_selected) {
                Some(g) => {
                    let (repo, run_id) = (g.repo.clone(), g.run_id);
                    open_run(m, repo, run_id, false, now)
                }
                None => Vec::new(),
            },
            Screen::Logs | Screen::Environments | Screen::Activity => Vec::new(),
        },
        Action::Back => {
            match m.screen {
                Screen::Logs => {
                    m.log = None;
                    m.screen = if m.detail.is_some() {
                        Screen::RunDetail
                    } else {
                        Screen::Runs
                    };
                }
                Screen::RunDetail => {
                    m.detail = None;
                    m.screen = Screen::Runs;
                }
                Screen::Runs => {
                    if !m.filter.is_empty() {
                        m.filter.clear();
                        m.apply_filter();
                    }
                }
                Screen::Environments | Screen::Gates | Screen::Activity => {}
            }
            Vec::new()
        }
        Action::Filter => {
            let (purpose, text) = match m.screen {
                Screen::Logs => (
                    InputPurpose::LogSearch,
                    m.log
                        .as_ref()
                        .and_then(|l| l.search.clone())
                        .unwrap_or_default(),
                ),
                _ => (InputPurpose::RunFilter, m.filter.clone()),
            };
            m.input = Some(Input { purpose, text });
            Vec::new()
        }
        Action::Logs => match m.screen {
            Screen::Runs => open_detail(m, true, now),
            Screen::RunDetail => open_selected_job_log(m),
            Screen::Logs | Screen::Environments | Screen::Gates | Screen::Activity => Vec::new(),
        },
        Action::RerunFailed => ask_mutation(m, MutationKind::RerunFailed, now),
        Action::RerunAll => ask_mutation(m, MutationKind::RerunAll, now),
        Action::Cancel => ask_mutation(m, MutationKind::Cancel, now),
        Action::OpenBrowser => {
            let url = match m.screen {
                Screen::Runs => m.selected_run().map(|e| e.run.html_url.clone()),
                Screen::RunDetail | Screen::Logs => {
                    selected_job_url(m).or_else(|| m.detail_run().map(|e| e.run.html_url.clone()))
                }
                Screen::Environments => m.envs.get(m.env_selected).and_then(|e| e.url.clone()),
                Screen::Gates => m.gates.get(m.gate_selected).and_then(|g| {
                    m.find_run(&g.repo, g.run_id)
                        .map(|e| e.run.html_url.clone())
                }),
                Screen::Activity => None,
            };
            url.map(Cmd::OpenUrl).into_iter().collect()
        }
        Action::ViewRuns => {
            m.screen = Screen::Runs;
            Vec::new()
        }
        Action::ViewEnvironments => {
            m.screen = Screen::Environments;
            Vec::new()
        }
        Action::ViewGates => {
            m.screen = Screen::Gates;
            Vec::new()
        }
        Action::ViewActivity => {
            m.screen = Screen::Activity;
            m.activity_offset = 0;
            vec![Cmd::ReadAudit]
        }
        Action::NextView | Action::PrevView => {
            const VIEWS: [Screen; 4] = [
                Screen::Runs,
                Screen::Environments,
                Screen::Gates,
                Screen::Activity,
            ];
            // Run detail and logs belong to the Runs view.
            let at = VIEWS.iter().position(|v| *v == m.screen).unwrap_or(0);
            let next = if action == Action::NextView {
                (at + 1) % VIEWS.len()
            } else {
                (at + VIEWS.len() - 1) % VIEWS.len()
            };
            m.screen = VIEWS[next];
            if m.screen == Screen::Activity {
                m.activity_offset = 0;
                return vec![Cmd::ReadAudit];
            }
            Vec::new()
        }
        Action::Dispatch => dispatch::ask_selected(m, now),
        Action::Rollback => rollback::ask_selected(m, now),
        Action::Approve => gates::ask_selected(m, true, now),
        Action::Reject => gates::ask_selected(m, false, now),
        Action::Watch => envs::toggle_watch(m, now),
        Action::Palette => {
            m.palette = Some(PaletteState::default());
            Vec::new()
        }
        Action::NextMatch => {
            log_jump(m, true);
            Vec::new()
        }
        Action::PrevMatch => {
            log_jump(m, false);
            Vec::new()
        }
    }
}

fn selected_job_url(m: &Model) -> Option<String> {
    let d = m.detail.as_ref()?;
    let js = m.jobs.get(&d.run_id)?;
    let rows = detail_rows(&js.jobs);
    rows.get(d.selected)?.job().html_url.clone()
}

fn move_by(m: &mut Model, delta: i64) -> Vec<Cmd> {
    let height = m.list_height();
    let step = |pos: usize, len: usize| -> usize {
        if len == 0 {
            return 0;
        }
        (pos as i64).saturating_add(delta).clamp(0, len as i64 - 1) as usize
    };
    match m.screen {
        Screen::Runs => {
            m.selected = step(m.selected, m.visible.len());
            m.clamp_selection();
        }
        Screen::RunDetail => {
            let len = m
                .detail
                .as_ref()
                .and_then(|d| m.jobs.get(&d.run_id))
                .map(|js| detail_rows(&js.jobs).len())
                .unwrap_or(0);
            if let Some(d) = m.detail.as_mut() {
                d.selected = step(d.selected, len);
                d.offset = scroll_offset(d.offset, d.selected, height.saturating_sub(2), len);
            }
        }
        Screen::Environments => {
            m.env_selected = step(m.env_selected, m.envs.len());
        }
        Screen::Gates => {
            m.gate_selected = step(m.gate_selected, m.gates.len());
        }
        Screen::Activity => {
            let len = m.activity.len() + m.audit.len();
            m.activity_offset = step(m.activity_offset, len);
        }
        Screen::Logs => {
            if let Some(log) = m.log.as_mut() {
                let len = log.text.as_ref().map(|t| t.line_count()).unwrap_or(0);
                log.cursor = step(log.cursor, len);
                log.top = scroll_offset(log.top, log.cursor, height, len);
            }
        }
    }
    Vec::new()
}

fn clamp_detail(m: &mut Model) {
    let height = m.list_height().saturating_sub(2);
    let Some(d) = m.detail.as_mut() else { return };
    let len = m
        .jobs
        .get(&d.run_id)
        .map(|js| detail_rows(&js.jobs).len())
        .unwrap_or(0);
    d.selected = d.selected.min(len.saturating_sub(1));
    d.offset = scroll_offset(d.offset, d.selected, height, len.max(1));
}

/// On first sight of a run's jobs, put the cursor on the step that failed, if any.
fn select_failed_step(m: &mut Model, run_id: u64) {
    let Some(js) = m.jobs.get(&run_id) else {
        return;
    };
    let Some(d) = m.detail.as_mut().filter(|d| d.run_id == run_id) else {
        return;
    };
    let rows = detail_rows(&js.jobs);
    let failed = rows.iter().position(|r| match r {
        DetailRow::Step(job, step) => failed_step(job).is_some_and(|f| f.number == step.number),
        DetailRow::Job(_) => false,
    });
    if let Some(pos) = failed {
        d.selected = pos;
    }
}

fn open_detail(m: &mut Model, then_log: bool, now: DateTime<Utc>) -> Vec<Cmd> {
    let Some(entry) = m.selected_run() else {
        return Vec::new();
    };
    let (repo, run_id) = (entry.repo.clone(), entry.run.id);
    open_run(m, repo, run_id, then_log, now)
}

/// Opens a run's detail (and its best log when `then_log`), whichever way it was chosen.
fn open_run(
    m: &mut Model,
    repo: String,
    run_id: u64,
    then_log: bool,
    now: DateTime<Utc>,
) -> Vec<Cmd> {
    m.detail = Some(DetailState {
        repo: repo.clone(),
        run_id,
        log_on_load: false,
        selected: 0,
        offset: 0,
    });
    m.screen = Screen::RunDetail;
    let known = m
        .jobs
        .get(&run_id)
        .is_some_and(|js| js.fetched_at.is_some());
    if then_log && known {
        return open_best_log(m, &repo, run_id);
    }
    if then_log {
        if let Some(d) = m.detail.as_mut() {
            d.log_on_load = true;
        }
    }
    if let Some(js) = m.jobs.get_mut(&run_id) {
        js.next_due = Some(now);
    }
    on_tick(m, now)
}

/// The log most worth reading: the first failed job's, else the first job's.
fn open_best_log(m: &mut Model, repo: &str, run_id: u64) -> Vec<Cmd> {
    let Some(js) = m.jobs.get(&run_id) else {
        return Vec::new();
    };
    let job = js
        .jobs
        .iter()
        .find(|j| {
            failed_step(j).is_some()
                || j.conclusion == Some(crate::github::models::Conclusion::Failure)
        })
        .or(js.jobs.first());
    let Some(job) = job else {
        return Vec::new();
    };
    let (job_id, title) = (job.id, job.name.clone());
    if let Some(d) = m.detail.as_mut() {
        let rows = detail_rows(&js.jobs);
        if let Some(pos) = rows
            .iter()
            .position(|r| matches!(r, DetailRow::Job(j) if j.id == job_id))
        {
            d.selected = pos;
        }
    }
    open_log(m, repo.to_string(), job_id, title)
}

fn open_selected_job_log(m: &mut Model) -> Vec<Cmd> {
    let Some(d) = m.detail.as_ref() else {
        return Vec::new();
    };
    let repo = d.repo.clone();
    let Some(js) = m.jobs.get(&d.run_id) else {
        return Vec::new();
    };
    let rows = detail_rows(&js.jobs);
    let Some(row) = rows.get(d.selected) else {
        return Vec::new();
    };
    let job = row.job();
    let (job_id, title) = (job.id, job.name.clone());
    open_log(m, repo, job_id, title)
}

fn open_log(m: &mut Model, repo: String, job_id: u64, title: String) -> Vec<Cmd> {
    m.log = Some(LogState {
        repo: repo.clone(),
        job_id,
        title,
        text: None,
        error: None,
        top: 0,
        cursor: 0,
        search: None,
    });
    m.screen = Screen::Logs;
    vec![Cmd::FetchLog { repo, job_id }]
}

/// `n` / `N`: the next search match if a search is set, else the next error line.
fn log_jump(m: &mut Model, forward: bool) {
    let height = m.list_height();
    let Some(log) = m.log.as_mut() else { return };
    let Some(text) = log.text.clone() else { return };
    let target = match (&log.search, forward) {
        (Some(s), true) => text.find_next(s, log.cursor),
        (Some(s), false) => text.find_prev(s, log.cursor),
        (None, true) => text.next_error(log.cursor),
        (None, false) => text.prev_error(log.cursor),
    };
    if let Some(line) = target {
        log.cursor = line;
        log.top = scroll_offset(log.top, line, height, text.line_count());
    }
}

fn ask_mutation(m: &mut Model, kind: MutationKind, now: DateTime<Utc>) -> Vec<Cmd> {
    let entry = match m.screen {
        Screen::Runs => m.selected_run(),
        _ => m.detail_run(),
    };
    match entry.cloned() {
        Some(entry) => ask_mutation_for(m, &entry, kind, now),
        None => Vec::new(),
    }
}

/// The one confirm-then-act path for a run mutation, from a key or from the palette.
fn ask_mutation_for(
    m: &mut Model,
    entry: &RunEntry,
    kind: MutationKind,
    now: DateTime<Utc>,
) -> Vec<Cmd> {
    let label = m.run_label(entry);
    let mutation = Mutation {
        kind,
        repo: entry.repo.clone(),
        run_id: entry.run.id,
        label,
        review: None,
        dispatch: None,
        rollback: None,
    };
    let active = entry.run.is_active();
    if m.read_only {
        let text = format!(
            "read-only: refused to {} {}; nothing sent",
            kind.verb(),
            mutation.label
        );
        flash(m, Level::Warn, text, now);
        return Vec::new();
    }
    let refusal = match kind {
        MutationKind::Cancel if !active => Some("it has already completed: nothing to cancel"),
        MutationKind::RerunFailed | MutationKind::RerunAll if active => {
            Some("it is still running: cancel it or wait for it to finish")
        }
        _ => None,
    };
    if let Some(why) = refusal {
        flash(
            m,
            Level::Warn,
            format!("cannot {} {}: {why}", kind.verb(), mutation.label),
            now,
        );
        return Vec::new();
    }
    if m.in_flight.contains(&mutation) {
        flash(
            m,
            Level::Warn,
            format!("{} is already being sent", mutation.label),
            now,
        );
        return Vec::new();
    }
    m.dialog = Some(Dialog::Confirm(mutation));
    Vec::new()
}

fn on_mouse(m: &mut Model, ev: MouseEvent, now: DateTime<Utc>) -> Vec<Cmd> {
    if m.dialog.is_some() {
        return Vec::new();
    }
    match ev.kind {
        MouseEventKind::ScrollDown => move_by(m, 3),
        MouseEventKind::ScrollUp => move_by(m, -3),
        MouseEventKind::Down(crossterm::event::MouseButton::Left) => {
            // Rows start under the header line and the table's column titles.
            let Some(row) = usize::from(ev.row).checked_sub(2) else {
                return Vec::new();
            };
            match m.screen {
                Screen::Runs => {
                    let idx = m.offset + row;
                    if idx < m.visible.len() {
                        if idx == m.selected {
                            return open_detail(m, false, now);
                        }
                        m.selected = idx;
                        m.clamp_selection();
                    }
                }
                Screen::RunDetail => {
                    // The detail view has two more lines of run summary above its list.
                    if let Some(row) = row.checked_sub(2) {
                        let target = m.detail.as_ref().map(|d| d.offset + row);
                        if let Some(t) = target {
                            let cur = m.detail.as_ref().map(|d| d.selected).unwrap_or(0);
                            return move_by(m, t as i64 - cur as i64);
                        }
                    }
                }
                Screen::Logs | Screen::Environments | Screen::Gates | Screen::Activity => {}
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Esc (or Ctrl-C) in any step of a mutation's dialogs: nothing was sent, and it says so.
fn cancel_dialog(m: &mut Model, now: DateTime<Utc>) -> Vec<Cmd> {
    m.dialog = None;
    flash(m, Level::Info, "cancelled: nothing sent".into(), now);
    Vec::new()
}

/// The one place a confirmed mutation leaves `update`: at most once while in flight.
fn send(m: &mut Model, mutation: Mutation, now: DateTime<Utc>) -> Vec<Cmd> {
    if !m.in_flight.insert(mutation.clone()) {
        return Vec::new();
    }
    let text = format!("sending: {} {}…", mutation.kind.verb(), mutation.label);
    flash(m, Level::Info, text, now);
    if mutation.kind == MutationKind::Rollback {
        rollback::on_sent(m, &mutation, now);
    }
    vec![Cmd::Mutate(mutation)]
}

/// Records a notable event for the Activity view.
fn activity(m: &mut Model, level: Level, text: String, now: DateTime<Utc>) {
    m.activity.push(crate::model::ActivityEntry {
        at: now,
        level,
        text,
    });
    // Bounded: an always-on cockpit must not grow without end.
    if m.activity.len() > 1000 {
        m.activity.drain(..100);
    }
}

/// " by alice" for notices and the timeline, or nothing when nobody is known.
fn by(actor: &str) -> String {
    if actor.is_empty() {
        String::new()
    } else {
        format!(" by {actor}")
    }
}
