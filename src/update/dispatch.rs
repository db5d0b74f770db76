//! Dispatch in `update`: fetch the workflow's inputs, the form, then the typed phrase (when
//! it deploys to a protected environment) or y/N, then one POST; then watch the new run.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{activity, cancel_dialog, flash, open_run};
use crate::dispatch::{DispatchForm, WorkflowSpec};
use crate::github::DispatchOutcome;
use crate::github::error::ApiError;
use crate::model::repos::names_repo;
use crate::model::{Dialog, Level, Model, PhraseDialog, Screen};
use crate::msg::{Announcement, Cmd, DispatchRequest, Mutation, MutationKind};

/// The workflow file a run came from (`.github/workflows/ci.yml` → `ci.yml`).
pub(super) fn workflow_file(path: Option<&str>) -> Option<String> {
    let file = path?.rsplit('/').next()?;
    (!file.is_empty()).then(|| file.to_string())
}

/// `d`: the selected run's workflow, at the run's ref.
pub(super) fn ask_selected(m: &mut Model, now: DateTime<Utc>) -> Vec<Cmd> {
    let entry = match m.screen {
        Screen::Runs => m.selected_run(),
        _ => m.detail_run(),
    };
    let Some(entry) = entry.cloned() else {
        return Vec::new();
    };
    let Some(workflow) = workflow_file(entry.run.path.as_deref()) else {
        flash(
            m,
            Level::Warn,
            "this run names no workflow file".into(),
            now,
        );
        return Vec::new();
    };
    let git_ref = entry
        .run
        .head_branch
        .clone()
        .unwrap_or_else(|| "main".into());
    ask(m, entry.repo, workflow, git_ref, Vec::new(), now)
}

/// What `:dispatch WORKFLOW` means: (repo, workflow file, default ref). `REPO:WORKFLOW`
/// (REPO as the `repo:` filter takes it) picks the repo; plain `WORKFLOW` runs in the repo
/// with the newest run of it, else the first repo. The ref is that newest run's, else `main`.
pub(super) fn defaults_for(m: &Model, typed: &str) -> (String, String, String) {
    let (repo, workflow) = match typed.split_once(':') {
        Some((r, w)) => match m.repos.iter().find(|repo| names_repo(r, repo)) {
            Some(repo) => (Some(repo.clone()), w),
            None => (None, typed),
        },
        None => (None, typed),
    };
    let newest = m.runs.iter().find(|e| {
        repo.as_ref().is_none_or(|r| &e.repo == r)
            && workflow_file(e.run.path.as_deref()).as_deref() == Some(workflow)
    });
    let repo = repo
        .or_else(|| newest.map(|e| e.repo.clone()))
        .or_else(|| m.repos.first().cloned())
        .unwrap_or_default();
    let git_ref = newest
        .and_then(|e| e.run.head_branch.clone())
        .unwrap_or_else(|| "main".into());
    (repo, workflow.to_string(), git_ref)
}

pub(super) fn ask(
    m: &mut Model,
    repo: String,
    workflow: String,
    git_ref: String,
    preset: Vec<(String, String)>,
    now: DateTime<Utc>,
) -> Vec<Cmd> {
    if m.read_only {
        let text = format!("read-only: refused to dispatch {workflow}; nothing sent");
        flash(m, Level::Warn, text, now);
        return Vec::new();
    }
    flash(
        m,
        Level::Info,
        format!("reading {workflow}@{git_ref} for its inputs…"),
        now,
    );
    vec![Cmd::LoadDispatch {
        repo,
        workflow,
        git_ref,
        preset,
    }]
}

/// The workflow file arrived: open the form with the palette's `key=value`s filled in.
pub(super) fn on_spec(
    m: &mut Model,
    repo: String,
    workflow: String,
    git_ref: String,
    preset: Vec<(String, String)>,
    result: Result<WorkflowSpec, String>,
    now: DateTime<Utc>,
) {
    let spec = match result {
        Ok(spec) => spec,
        Err(e) => {
            flash(m, Level::Error, format!("cannot dispatch: {e}"), now);
            return;
        }
    };
    m.workflow_inputs
        .insert((repo.clone(), workflow.clone()), spec.inputs.clone());
    if !spec.dispatchable {
        let text = format!("{workflow} has no workflow_dispatch trigger: it cannot be dispatched");
        flash(m, Level::Warn, text, now);
        return;
    }
    // Only this repo's environments: another repo's `production` is not this one.
    let own = || m.envs.iter().filter(|e| e.repo.eq_ignore_ascii_case(&repo));
    let known: Vec<String> = own().map(|e| e.name.clone()).collect();
    let protected: Vec<String> = own()
        .filter(|e| e.protected)
        .map(|e| e.name.clone())
        .collect();
    let mut form =
        DispatchForm::new(repo, workflow, git_ref, spec).with_environments(&known, &protected);
    for (k, v) in &preset {
        // An unknown key is shown in the form (and refused on submit): never dropped silently.
        if let Err(e) = form.set(k, v) {
            form.show(e);
        }
    }
    m.flash = None;
    m.dialog = Some(Dialog::Dispatch(Box::new(form)));
}

pub(super) fn on_key(
    m: &mut Model,
    mut form: Box<DispatchForm>,
    key: KeyEvent,
    now: DateTime<Utc>,
) -> Vec<Cmd> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => return cancel_dialog(m, now),
        KeyCode::Char('c') if ctrl => return cancel_dialog(m, now),
        KeyCode::Tab | KeyCode::Down => form.next(),
        KeyCode::BackTab | KeyCode::Up => form.prev(),
        KeyCode::Left => form.cycle(-1),
        KeyCode::Right => form.cycle(1),
        KeyCode::Backspace => form.backspace(),
        // Space toggles a checkbox and is a character anywhere else; each ignores the other.
        KeyCode::Char(' ') => {
            form.toggle();
            form.input_char(' ');
        }
        KeyCode::Char(c) if !ctrl => form.input_char(c),
        KeyCode::Enter => {
            let Ok(inputs) = form.submit() else {
                // The errors are in the form, under their fields; nothing is sent.
                m.dialog = Some(Dialog::Dispatch(form));
                return Vec::new();
            };
            confirm(m, &form, inputs);
            return Vec::new();
        }
        _ => {}
    }
    m.dialog = Some(Dialog::Dispatch(form));
    Vec::new()
}

/// A valid form: the phrase when it deploys to a protected environment, else y/N.
fn confirm(m: &mut Model, form: &DispatchForm, inputs: serde_json::Map<String, serde_json::Value>) {
    let inputs: Vec<(String, String)> = inputs
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            (k, v)
        })
        .collect();
    let version = inputs
        .iter()
        .find(|(k, _)| k == "version")
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| form.git_ref().to_string());
    let environments = form.deploys_to();
    let mutation = Mutation {
        kind: MutationKind::Dispatch,
        repo: form.repo().to_string(),
        run_id: 0,
        label: format!("{} on {}", form.workflow_label(), form.git_ref()),
        review: None,
        rollback: None,
        dispatch: Some(DispatchRequest {
            workflow: form.workflow_file().to_string(),
            git_ref: form.git_ref().to_string(),
            inputs,
            environments,
        }),
    };
    let protected = form.protected_targets();
    let env = protected
        .first()
        .and_then(|name| m.env_of(&mutation.repo, name))
        .and_then(|i| m.envs.get(i));
    match (protected.first(), env) {
        (Some(name), env) => {
            let phrase = env
                .and_then(|e| e.confirm_phrase.clone())
                .unwrap_or_else(|| format!("{name} {version}"));
            m.dialog = Some(Dialog::Phrase(Box::new(PhraseDialog {
                mutation,
                environment: name.clone(),
                live: env.and_then(|e| e.version.value.clone()),
                next: Some(version),
                phrase,
                typed: String::new(),
            })));
        }
        (None, _) => m.dialog = Some(Dialog::Confirm(mutation)),
    }
}

/// The dispatch was answered: say so, and jump into watching the new run.
pub(super) fn on_dispatched(
    m: &mut Model,
    mutation: Mutation,
    result: Result<DispatchOutcome, ApiError>,
    now: DateTime<Utc>,
) -> Vec<Cmd> {
    m.in_flight.remove(&mutation);
    for (k, s) in m.sources.iter_mut() {
        if k.repo == mutation.repo && !s.in_flight {
            s.next_due = now;
        }
    }
    let envs = mutation
        .dispatch
        .as_ref()
        .map(|d| d.environments.join(", "))
        .unwrap_or_default();
    match result {
        Ok(outcome) => {
            let mut cmds = vec![Cmd::ReadAudit];
            let by = super::by(&m.actor);
            let text = match outcome.run_id {
                Some(id) => format!("dispatched {}{by}: run {id}", mutation.label),
                None => format!(
                    "dispatched {}{by}: the server did not return the run; it will appear in the list",
                    mutation.label
                ),
            };
            flash(m, Level::Info, text.clone(), now);
            activity(m, Level::Info, text.clone(), now);
            cmds.push(Cmd::Notify(Announcement {
                title: format!("dispatched {}", mutation.label),
                text,
                alert: false,
                environment: (!envs.is_empty()).then_some(envs),
                link: outcome.html_url.clone(),
            }));
            if let Some(id) = outcome.run_id {
                cmds.extend(open_run(m, mutation.repo.clone(), id, false, now));
            }
            cmds
        }
        Err(e) => {
            let text = format!("could not dispatch {}: {e} (not retried)", mutation.label);
            flash(m, Level::Error, text.clone(), now);
            activity(m, Level::Error, text, now);
            vec![Cmd::ReadAudit]
        }
    }
}
