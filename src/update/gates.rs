//! Gates in `update`: which waiting runs to read, what a newly opened gate announces, and
//! the review path — comment, then the typed phrase (protected) or y/N, then one POST.

use chrono::{DateTime, Utc};

use super::{activity, flash, secs};
use crate::github::error::ApiError;
use crate::github::models::RunStatus;
use crate::model::gates::GateState;
use crate::model::{Dialog, Level, Model, PhraseDialog, RunEntry};
use crate::msg::{Cmd, GateData, Mutation, MutationKind, Review};

/// Keeps one gate per waiting run, announces new ones, and reads those that are due.
pub(super) fn schedule(m: &mut Model, now: DateTime<Utc>) -> Vec<Cmd> {
    let waiting: Vec<RunEntry> = m
        .runs
        .iter()
        .filter(|e| e.run.status == Some(RunStatus::Waiting))
        .cloned()
        .collect();
    let mut cmds = Vec::new();
    // A gate whose run moved on (approved, rejected, cancelled) goes away.
    m.gates.retain(|g| {
        g.in_flight
            || waiting
                .iter()
                .any(|e| e.repo == g.repo && e.run.id == g.run_id)
    });
    for e in &waiting {
        if m.gates
            .iter()
            .any(|g| g.repo == e.repo && g.run_id == e.run.id)
        {
            continue;
        }
        m.gates.push(GateState::new(e.repo.clone(), e.run.id, now));
        let text = format!("gate opened: {} waits for approval", m.run_label(e));
        activity(m, Level::Warn, text.clone(), now);
        // The key is the keymap's: `[keys]` may have moved the Gates view off `3`.
        let key = m
            .keymap
            .label_of(crate::msg::Action::ViewGates)
            .unwrap_or_else(|| "Tab".into());
        flash(m, Level::Warn, format!("{text} — {key} shows gates"), now);
        cmds.push(Cmd::Bell);
    }
    m.gate_selected = m.gate_selected.min(m.gates.len().saturating_sub(1));
    for g in &mut m.gates {
        if !g.in_flight && now >= g.next_due {
            g.in_flight = true;
            cmds.push(Cmd::FetchGate {
                repo: g.repo.clone(),
                run_id: g.run_id,
            });
        }
    }
    cmds
}

pub(super) fn on_gate(
    m: &mut Model,
    repo: &str,
    run_id: u64,
    result: Result<GateData, ApiError>,
    now: DateTime<Utc>,
) {
    let active = m.poll.active;
    let Some(g) = m
        .gates
        .iter_mut()
        .find(|g| g.repo == repo && g.run_id == run_id)
    else {
        return;
    };
    g.in_flight = false;
    match result {
        Ok(data) => {
            g.data = Some(data);
            g.fetched_at = Some(now);
            g.error = None;
            g.failures = 0;
            g.next_due = now + secs(active);
        }
        // The last good data stays on screen, marked with the error.
        Err(e) => {
            g.error = Some(e.to_string());
            g.failures += 1;
            // A rate limit pauses every GET, not just this one.
            g.next_due = super::retry_at(&mut m.rate_wait, &e, g.failures, 2000 + run_id, now);
        }
    }
}

/// `a` / `x` on the Gates view: the selected gate, every environment the user may review.
pub(super) fn ask_selected(m: &mut Model, approve: bool, now: DateTime<Utc>) -> Vec<Cmd> {
    let Some(g) = m.gates.get(m.gate_selected) else {
        flash(m, Level::Info, "no gate is waiting".into(), now);
        return Vec::new();
    };
    let (repo, run_id) = (g.repo.clone(), g.run_id);
    ask_review(m, &repo, run_id, None, approve, now)
}

/// The start of every review, from a key or from `:approve RUN_ID [ENV]`. Returns the
/// reason it cannot start, if any (the palette shows it inline; a key shows it in the footer).
pub(super) fn ask_review(
    m: &mut Model,
    repo: &str,
    run_id: u64,
    env: Option<&str>,
    approve: bool,
    now: DateTime<Utc>,
) -> Vec<Cmd> {
    match review_for(m, repo, run_id, env, approve) {
        Ok(mutation) => {
            let verb = if approve { "Approved" } else { "Rejected" };
            let review = mutation.review.as_ref();
            let envs = review
                .map(|r| r.environments.join(", "))
                .unwrap_or_default();
            let version = review
                .and_then(|r| r.version.clone())
                .map(|v| format!(" {v}"))
                .unwrap_or_default();
            let text = format!("{verb}{version} for {envs} from cockpit");
            m.dialog = Some(Dialog::Comment {
                mutation,
                text,
                error: None,
            });
        }
        Err(why) => flash(m, Level::Warn, why, now),
    }
    Vec::new()
}

/// Builds the review, or says why there is none to make.
pub(super) fn review_for(
    m: &Model,
    repo: &str,
    run_id: u64,
    env: Option<&str>,
    approve: bool,
) -> Result<Mutation, String> {
    let verb = if approve { "approve" } else { "reject" };
    let kind = if approve {
        MutationKind::Approve
    } else {
        MutationKind::Reject
    };
    let entry = m.runs.iter().find(|e| e.repo == repo && e.run.id == run_id);
    let run_label = entry.map_or_else(|| format!("run {run_id}"), |e| m.run_label(e));
    if m.read_only {
        return Err(format!(
            "read-only: refused to {verb} {run_label}; nothing sent"
        ));
    }
    let Some(g) = m
        .gates
        .iter()
        .find(|g| g.repo == repo && g.run_id == run_id)
    else {
        return Err(format!("{run_label} is not waiting on a gate"));
    };
    let Some(data) = &g.data else {
        return Err(format!("{run_label}: the gate is still being read"));
    };
    if m.in_flight.iter().any(|x| {
        x.repo == repo
            && x.run_id == run_id
            && matches!(x.kind, MutationKind::Approve | MutationKind::Reject)
    }) {
        return Err(format!("a review of {run_label} is already being sent"));
    }
    let mut pending: Vec<_> = data
        .pending
        .iter()
        .filter(|p| env.is_none_or(|e| p.environment.name.as_deref() == Some(e)))
        .collect();
    if pending.is_empty() {
        let waits = g.environments().join(", ");
        return Err(format!(
            "{run_label} does not wait on {}; it waits on {waits}",
            env.unwrap_or("anything")
        ));
    }
    let allowed = pending.iter().any(|p| p.current_user_can_approve);
    if !allowed {
        return Err(format!(
            "you are not a required reviewer of {run_label}: GitHub would refuse; nothing sent"
        ));
    }
    pending.retain(|p| p.current_user_can_approve);
    let environment_ids = pending.iter().filter_map(|p| p.environment.id).collect();
    let environments = pending
        .iter()
        .filter_map(|p| p.environment.name.clone())
        .collect();
    Ok(Mutation {
        kind,
        repo: repo.to_string(),
        run_id,
        label: run_label,
        dispatch: None,
        rollback: None,
        review: Some(Review {
            environment_ids,
            environments,
            comment: String::new(),
            version: entry.and_then(|e| e.run.head_branch.clone()),
        }),
    })
}

/// After the comment: the typed phrase for a protected environment, else y/N.
pub(super) fn after_comment(m: &mut Model, mutation: Mutation) {
    let review = mutation.review.clone().unwrap_or_else(|| Review {
        environment_ids: Vec::new(),
        environments: Vec::new(),
        comment: String::new(),
        version: None,
    });
    // The run's own repo's environment: another repo's `production` has its own rules.
    let protected = review
        .environments
        .iter()
        .filter_map(|name| m.env_of(&mutation.repo, name).and_then(|i| m.envs.get(i)))
        .find(|e| e.protected);
    match protected {
        Some(env) => {
            let next = review.version.clone();
            let phrase = env.confirm_phrase.clone().unwrap_or_else(|| {
                format!("{} {}", env.name, next.clone().unwrap_or_default())
                    .trim()
                    .to_string()
            });
            m.dialog = Some(Dialog::Phrase(Box::new(PhraseDialog {
                environment: env.name.clone(),
                live: env.version.value.clone(),
                next,
                phrase,
                typed: String::new(),
                mutation,
            })));
        }
        None => m.dialog = Some(Dialog::Confirm(mutation)),
    }
}

/// A review came back: say so, read the gate and the runs again, tell the team.
pub(super) fn on_reviewed(
    m: &mut Model,
    mutation: &Mutation,
    result: &Result<(), ApiError>,
    now: DateTime<Utc>,
) -> Vec<Cmd> {
    let approve = mutation.kind == MutationKind::Approve;
    let envs = mutation
        .review
        .as_ref()
        .map(|r| r.environments.join(", "))
        .unwrap_or_default();
    for g in &mut m.gates {
        if g.repo == mutation.repo && g.run_id == mutation.run_id {
            g.next_due = now;
        }
    }
    for (k, s) in m.sources.iter_mut() {
        if k.repo == mutation.repo && !s.in_flight {
            s.next_due = now;
        }
    }
    match result {
        Ok(()) => {
            let done = if approve { "approved" } else { "rejected" };
            let version = mutation
                .review
                .as_ref()
                .and_then(|r| r.version.clone())
                .map(|v| format!(" ({v})"))
                .unwrap_or_default();
            let by = super::by(&m.actor);
            let text = format!("{done} {envs} for {}{version}{by}", mutation.label);
            // Whose `production`: the title names the repo when there are several.
            let title_envs = if m.many_repos() {
                format!("{}:{envs}", m.repo_label(&mutation.repo))
            } else {
                envs.clone()
            };
            flash(m, Level::Info, text.clone(), now);
            activity(m, Level::Info, text.clone(), now);
            let link = m
                .runs
                .iter()
                .find(|e| e.run.id == mutation.run_id)
                .map(|e| e.run.html_url.clone());
            vec![
                Cmd::Notify(crate::msg::Announcement {
                    title: format!("{title_envs}: deployment {done}"),
                    text,
                    alert: false,
                    environment: Some(envs),
                    link,
                }),
                Cmd::ReadAudit,
            ]
        }
        Err(ApiError::Unprocessable { message, .. }) => {
            let text = format!(
                "could not {} {}: GitHub says {message:?} — probably reviewed already by someone else (not retried)",
                mutation.kind.verb(),
                mutation.label
            );
            flash(m, Level::Warn, text.clone(), now);
            activity(m, Level::Warn, text, now);
            vec![Cmd::ReadAudit]
        }
        Err(e) => {
            let text = format!(
                "could not {} {}: {e} (not retried)",
                mutation.kind.verb(),
                mutation.label
            );
            flash(m, Level::Error, text.clone(), now);
            activity(m, Level::Error, text, now);
            vec![Cmd::ReadAudit]
        }
    }
}
