//! The environments half of `update`: scheduling probes, version and deployment polls,
//! folding in their results, alerts on transitions, and the cutover window.

use chrono::{DateTime, Utc};

use super::{activity, flash};
use crate::github::DeploymentState;
use crate::github::error::ApiError;
use crate::health::{Health, ProbeOutcome};
use crate::model::env::{Cutover, DEPLOYMENTS_SHOWN, Verdict, check_interval};
use crate::model::poll::backoff;
use crate::model::{Level, Model, secs};
use crate::msg::{Announcement, Cmd};

/// Probes, version reads and deployment polls that are due. Probes never wait on GitHub's
/// rate limit; deployment polls (GitHub GETs) do.
pub(super) fn schedule(m: &mut Model, now: DateTime<Utc>, github_paused: bool) -> Vec<Cmd> {
    let mut cmds = finish_cutovers(m, now);
    let idle = m.poll.idle;
    let monitor = &m.monitor;
    for (i, env) in m.envs.iter_mut().enumerate() {
        let running = env.cutover_running();
        for (j, slot) in env.checks.iter_mut().enumerate() {
            if !slot.in_flight && now >= slot.next_due {
                slot.in_flight = true;
                // Counted from the send, not the answer: a probe that times out must not
                // push the next one back by its timeout.
                slot.next_due = now + secs(check_interval(&slot.config, running, monitor));
                cmds.push(Cmd::Probe {
                    env: i,
                    check: j,
                    config: Box::new(slot.config.clone()),
                });
            }
        }
        if let Some(source) = &env.version_source {
            if !env.version.in_flight && now >= env.version.next_due {
                env.version.in_flight = true;
                let timeout = env.checks.first().map(|c| c.config.timeout).unwrap_or(idle);
                cmds.push(Cmd::FetchVersion {
                    env: i,
                    source: source.clone(),
                    timeout,
                });
            }
        }
        let d = &mut env.deployments;
        if !github_paused && !env.repo.is_empty() && !d.in_flight && now >= d.next_due {
            d.in_flight = true;
            cmds.push(Cmd::FetchDeployments {
                env: i,
                repo: env.repo.clone(),
                name: env.name.clone(),
            });
        }
    }
    cmds
}

pub(super) fn on_probe(
    m: &mut Model,
    env: usize,
    check: usize,
    outcome: ProbeOutcome,
    now: DateTime<Utc>,
) -> Vec<Cmd> {
    let monitor = m.monitor.clone();
    let Some(e) = m.envs.get_mut(env) else {
        return Vec::new();
    };
    let before = e.health();
    let Some(slot) = e.checks.get_mut(check) else {
        return Vec::new();
    };
    slot.in_flight = false;
    let change = slot.tracker.record(
        &outcome,
        now,
        monitor.failure_threshold,
        monitor.success_threshold,
    );
    let check_name = slot.config.name.clone();
    // A failed probe of a check that is down. A successful one while the check is still
    // counted down (it needs `success_threshold` answers to clear) is recovery, not
    // instability: a window opened during an outage (after a rollback) must not start UNSTABLE.
    let went_down = slot.tracker.health == Health::Down && outcome.result.is_err();
    let mut first_down_in_window = false;
    if let Some(c) = e.cutover.as_mut().filter(|c| c.is_running()) {
        c.probes += 1;
        if outcome.result.is_err() {
            c.failures += 1;
        }
        if outcome.http_status.is_some() {
            c.worst_latency = c.worst_latency.max(Some(outcome.latency));
        }
        if went_down && !c.went_down {
            c.went_down = true;
            first_down_in_window = true;
        }
    }
    let after = e.health();
    let protected = e.protected;
    let name = env_label(m, env);
    let mut cmds = Vec::new();
    if let Some((old, new)) = change {
        let text = format!("{name}/{check_name}: {} → {}", old.word(), new.word());
        let level = if new == Health::Down {
            Level::Error
        } else {
            Level::Info
        };
        activity(m, level, text, now);
    }
    if first_down_in_window {
        let text = format!("{name}: cutover UNSTABLE — {check_name} is down");
        activity(m, Level::Error, text.clone(), now);
        cmds.push(Cmd::Notify(Announcement {
            title: format!("{name}: cutover unstable"),
            text,
            alert: true,
            environment: Some(name.clone()),
            link: None,
        }));
    }
    if before != after {
        cmds.extend(env_transition(
            m, &name, protected, before, after, &outcome, now,
        ));
    }
    cmds
}

/// An environment's overall health changed: say so, and alert when it went down or came back.
fn env_transition(
    m: &mut Model,
    name: &str,
    protected: bool,
    before: Health,
    after: Health,
    outcome: &ProbeOutcome,
    now: DateTime<Utc>,
) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    let reason = outcome.result.as_ref().err().cloned().unwrap_or_default();
    if after == Health::Down {
        let tag = if protected { " (PROTECTED)" } else { "" };
        let text = format!("{name}{tag} is DOWN: {reason}");
        flash(m, Level::Error, text.clone(), now);
        activity(m, Level::Error, text.clone(), now);
        if m.monitor.bell {
            cmds.push(Cmd::Bell);
        }
        cmds.push(Cmd::Notify(Announcement {
            title: format!("{name} is DOWN"),
            text,
            alert: true,
            environment: Some(name.to_string()),
            link: None,
        }));
    } else if before == Health::Down {
        let text = format!("{name} recovered: {}", after.word());
        flash(m, Level::Info, text.clone(), now);
        activity(m, Level::Info, text.clone(), now);
        cmds.push(Cmd::Notify(Announcement {
            title: format!("{name} recovered"),
            text,
            alert: false,
            environment: Some(name.to_string()),
            link: None,
        }));
    }
    cmds
}

pub(super) fn on_version(
    m: &mut Model,
    env: usize,
    result: Result<String, String>,
    now: DateTime<Utc>,
) {
    let idle = m.poll.idle;
    let fast = m.monitor.cutover_interval;
    let Some(e) = m.envs.get_mut(env) else { return };
    let running = e.cutover.as_ref().is_some_and(Cutover::is_running);
    let v = &mut e.version;
    v.in_flight = false;
    match result {
        Ok(version) => {
            v.value = Some(version);
            v.error = None;
            v.failures = 0;
            v.fetched_at = Some(now);
            v.next_due = now + secs(if running { fast } else { idle });
        }
        Err(err) => {
            v.error = Some(err);
            v.failures += 1;
            v.next_due = now + secs(backoff(v.failures, env as u64));
        }
    }
}

pub(super) fn on_deployments(
    m: &mut Model,
    env: usize,
    result: Result<Vec<DeploymentState>, ApiError>,
    now: DateTime<Utc>,
) -> Vec<Cmd> {
    let (idle, active) = (m.poll.idle, m.poll.active);
    let Some(e) = m.envs.get_mut(env) else {
        return Vec::new();
    };
    let d = &mut e.deployments;
    d.in_flight = false;
    let list = match result {
        Ok(list) => list,
        Err(err) => {
            if let ApiError::RateLimited { until, .. } = &err {
                d.next_due = *until;
            } else {
                d.failures += 1;
                d.next_due = now + secs(backoff(d.failures, 1000 + env as u64));
            }
            d.error = Some(err.to_string());
            return Vec::new();
        }
    };
    // A deployment that turned `success` since the last poll opens the cutover window.
    let newly_live = d.value.as_ref().and_then(|prev| {
        list.iter().find(|n| {
            n.state() == "success"
                && !prev
                    .iter()
                    .any(|p| p.deployment.id == n.deployment.id && p.state() == "success")
        })
    });
    let reason = newly_live.map(|n| format!("deployment of {} succeeded", n.deployment.git_ref));
    let moving = list
        .iter()
        .any(|n| matches!(n.state(), "in_progress" | "queued" | "pending" | "created"));
    d.value = Some(
        list.into_iter()
            .take(usize::from(DEPLOYMENTS_SHOWN))
            .collect(),
    );
    d.error = None;
    d.failures = 0;
    d.fetched_at = Some(now);
    d.next_due = now + secs(if moving { active } else { idle });
    match reason {
        Some(reason) => open_cutover(m, env, reason, now),
        None => Vec::new(),
    }
}

/// Runs that were active before a refresh and have completed since: a deploy run that
/// finished opens its environment's cutover window.
pub(super) fn deploy_runs_finished(
    m: &mut Model,
    was_active: &[u64],
    now: DateTime<Utc>,
) -> Vec<Cmd> {
    let mut opened = Vec::new();
    for (i, env) in m.envs.iter().enumerate() {
        if let Some(run) = env.deploy_run(&m.runs) {
            if was_active.contains(&run.run.id) && !run.run.is_active() {
                let word = crate::model::runs::status_word(run.run.status, run.run.conclusion);
                let label = run.run.name.clone().unwrap_or_default();
                opened.push((
                    i,
                    format!("{label} #{} finished: {word}", run.run.run_number),
                ));
            }
        }
    }
    let mut cmds = Vec::new();
    for (i, reason) in opened {
        cmds.extend(open_cutover(m, i, reason, now));
    }
    cmds
}

/// Opens the window (a running one is left as it is) and makes every check due now.
pub(super) fn open_cutover(
    m: &mut Model,
    env: usize,
    reason: String,
    now: DateTime<Utc>,
) -> Vec<Cmd> {
    let length = m.monitor.cutover_window;
    let label = env_label(m, env);
    let Some(e) = m.envs.get_mut(env) else {
        return Vec::new();
    };
    if e.cutover.as_ref().is_some_and(Cutover::is_running) {
        return Vec::new();
    }
    e.cutover = Some(Cutover::open(now, length, reason.clone()));
    for slot in &mut e.checks {
        if !slot.in_flight {
            slot.next_due = now;
        }
    }
    let text = format!("{label}: cutover window opened ({reason})");
    activity(m, Level::Info, text.clone(), now);
    flash(m, Level::Info, text, now);
    Vec::new()
}

/// `w`: open a window on the selected environment, or close the running one early.
pub(super) fn toggle_watch(m: &mut Model, now: DateTime<Utc>) -> Vec<Cmd> {
    let idx = m.env_selected;
    let label = env_label(m, idx);
    let Some(e) = m.envs.get_mut(idx) else {
        return Vec::new();
    };
    if e.cutover.as_ref().is_some_and(Cutover::is_running) {
        e.cutover = None;
        for slot in &mut e.checks {
            let at = slot.tracker.last_at.unwrap_or(now);
            slot.next_due = at + secs(slot.config.interval);
        }
        let text = format!("{label}: cutover window closed early");
        flash(m, Level::Info, text.clone(), now);
        activity(m, Level::Info, text, now);
        return Vec::new();
    }
    open_cutover(m, idx, "opened by hand".into(), now)
}

/// Windows that have run their course get their verdict, said once.
fn finish_cutovers(m: &mut Model, now: DateTime<Utc>) -> Vec<Cmd> {
    let mut done = Vec::new();
    for (i, e) in m.envs.iter_mut().enumerate() {
        if let Some(c) = e
            .cutover
            .as_mut()
            .filter(|c| c.is_running() && now >= c.ends)
        {
            let verdict = if c.went_down {
                Verdict::Unstable {
                    failures: c.failures,
                }
            } else {
                Verdict::Stable
            };
            c.verdict = Some(verdict);
            done.push((i, verdict, c.failures, c.probes));
        }
    }
    let mut cmds = Vec::new();
    for (i, verdict, failures, probes) in done {
        let name = env_label(m, i);
        let (text, alert) = match verdict {
            Verdict::Stable => (
                format!("{name}: cutover STABLE ({probes} checks, {failures} failed)"),
                false,
            ),
            Verdict::Unstable { failures } => (
                format!("{name}: cutover UNSTABLE — {failures} failures"),
                true,
            ),
        };
        let level = if alert { Level::Error } else { Level::Info };
        flash(m, level, text.clone(), now);
        activity(m, level, text.clone(), now);
        cmds.push(Cmd::Notify(Announcement {
            title: format!(
                "{name}: cutover {}",
                if alert { "unstable" } else { "stable" }
            ),
            text,
            alert,
            environment: Some(name),
            link: None,
        }));
    }
    cmds
}

/// The environment as notices name it: with its repo when there are several, so an alert
/// about `production` says whose.
fn env_label(m: &Model, env: usize) -> String {
    m.envs.get(env).map(|e| m.env_label(e)).unwrap_or_default()
}
