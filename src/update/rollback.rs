//! Rollback in `update`: the target picker, the preflight, the confirmation (typed phrase for
//! a protected environment, else y/N), the streamed output and the recovery that follows.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent};

use super::{activity, by, envs, flash};
use crate::health::Health;
use crate::model::rollback::{Link, MAX_LINES, RollbackState, Stage, Target};
use crate::model::{Dialog, Level, Model, PhraseDialog, Screen};
use crate::msg::{Announcement, Cmd, Mutation, MutationKind, RollbackRequest};
use crate::remote::{RemoteEvent, RunOutcome, fill_argv, validate_version};

/// Why this environment cannot be rolled back now, if it cannot.
fn refusal(m: &Model, env: usize) -> Option<String> {
    let e = m.envs.get(env)?;
    if m.read_only {
        return Some(format!(
            "read-only: refused to roll back {}; nothing run",
            e.name
        ));
    }
    if e.rollback.is_none() {
        return Some(format!(
            "{} has no [environment.rollback] target in the config",
            e.name
        ));
    }
    if m.in_flight.iter().any(|x| x.kind == MutationKind::Rollback) {
        return Some("a rollback is already running: one at a time".into());
    }
    None
}

/// `R` on the selected environment.
pub(super) fn ask_selected(m: &mut Model, now: DateTime<Utc>) -> Vec<Cmd> {
    // A hidden rollback comes back rather than a second one starting.
    if let Some(s) = m.rollback.as_mut().filter(|s| s.hidden) {
        s.hidden = false;
        return Vec::new();
    }
    let env = m.env_selected;
    start(m, env, None, now).unwrap_or_else(|why| {
        flash(m, Level::Warn, why, now);
        Vec::new()
    })
}

/// `:rollback ENV [VERSION]` (the palette shows an error inline).
pub(super) fn from_palette(
    m: &mut Model,
    env: &str,
    version: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<Cmd>, String> {
    let i = m.find_env(env)?;
    m.env_selected = i;
    start(m, i, version, now)
}

/// Opens the picker: previous successful deployments, newest first, the live one marked,
/// the last good one before it selected; releases when there is no deployment history.
fn start(
    m: &mut Model,
    env: usize,
    version: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<Cmd>, String> {
    if let Some(why) = refusal(m, env) {
        return Err(why);
    }
    let Some(e) = m.envs.get(env) else {
        return Err("no such environment".into());
    };
    let live = e.version.value.clone();
    let mut targets: Vec<Target> = Vec::new();
    for d in e.deployments.value.iter().flatten() {
        if d.state() != "success" && d.state() != "inactive" {
            continue;
        }
        if targets.iter().any(|t| t.version == d.deployment.git_ref) {
            continue;
        }
        targets.push(Target {
            version: d.deployment.git_ref.clone(),
            sha: Some(d.deployment.sha.clone()),
            at: Some(d.deployment.created_at),
            by: d.deployment.creator.as_ref().map(|u| u.login.clone()),
            live: live.as_deref() == Some(d.deployment.git_ref.as_str()),
            message: None,
        });
    }
    // Someone else's unfinished rollback: the picker says so, and going on is an override
    // that asks for the phrase (see `confirm`). Ours is already refused above.
    let overriding = e.rollback_in_progress(now);
    let mut state = RollbackState {
        env,
        environment: e.name.clone(),
        selected: 0,
        stage: Stage::Pick,
        source: "deployments",
        commits: None,
        lines: Vec::new(),
        scrolled_back: 0,
        link: Link::Local,
        overriding,
        started_at: None,
        finished_at: None,
        outcome: None,
        healthy_after: None,
        hidden: false,
        targets,
    };
    let mut cmds = Vec::new();
    if state.targets.is_empty() {
        state.source = "releases";
        cmds.push(Cmd::FetchReleases {
            env,
            repo: e.repo.clone(),
        });
    } else {
        cmds.extend(fetch_messages(&state, &e.repo));
    }
    select_default(&mut state, version);
    m.screen = Screen::Environments;
    m.rollback = Some(state);
    Ok(cmds)
}

/// How many versions the picker reads commit messages for: one request each, asked only
/// when an operator opens the picker.
const MESSAGES_READ: usize = 12;

/// Reads the commit message of each version in the picker.
fn fetch_messages(s: &RollbackState, repo: &str) -> Option<Cmd> {
    let refs: Vec<String> = s
        .targets
        .iter()
        .take(MESSAGES_READ)
        .map(|t| t.commit_ref().to_string())
        .collect();
    (!refs.is_empty()).then(|| Cmd::FetchCommitMessages {
        env: s.env,
        repo: repo.to_string(),
        refs,
    })
}

/// Commit messages read for the picker: `(ref, first line)`.
pub(super) fn on_messages(m: &mut Model, env: usize, messages: Vec<(String, String)>) {
    let Some(s) = m.rollback.as_mut().filter(|s| s.env == env) else {
        return;
    };
    for t in &mut s.targets {
        if let Some((_, msg)) = messages.iter().find(|(r, _)| r == t.commit_ref()) {
            t.message = Some(msg.clone());
        }
    }
}

/// The connection for the preflight is ready, or why not.
pub(super) fn on_prepared(m: &mut Model, env: usize, result: Result<(), String>) {
    if let Some(s) = m
        .rollback
        .as_mut()
        .filter(|s| s.env == env && s.stage == Stage::Preflight)
    {
        s.link = match result {
            Ok(()) => Link::Ready,
            Err(e) => Link::Failed(e),
        };
    }
}

/// The asked-for version, else the newest that is not live.
fn select_default(s: &mut RollbackState, version: Option<&str>) {
    s.selected = match version {
        Some(v) => s.targets.iter().position(|t| t.version == v),
        None => s.targets.iter().position(|t| !t.live),
    }
    .unwrap_or(0);
}

pub(super) fn on_releases(
    m: &mut Model,
    env: usize,
    result: Result<Vec<String>, String>,
    now: DateTime<Utc>,
) -> Vec<Cmd> {
    let live = m.envs.get(env).and_then(|e| e.version.value.clone());
    let Some(s) = m
        .rollback
        .as_mut()
        .filter(|s| s.env == env && s.stage == Stage::Pick)
    else {
        return Vec::new();
    };
    match result {
        Ok(tags) => {
            s.targets = tags
                .into_iter()
                .map(|t| Target {
                    live: live.as_deref() == Some(t.as_str()),
                    version: t,
                    sha: None,
                    at: None,
                    by: None,
                    message: None,
                })
                .collect();
            select_default(s, None);
            let repo = m.envs.get(env).map(|e| e.repo.clone()).unwrap_or_default();
            m.rollback
                .as_ref()
                .and_then(|s| fetch_messages(s, &repo))
                .into_iter()
                .collect()
        }
        Err(e) => {
            flash(m, Level::Error, format!("reading releases: {e}"), now);
            Vec::new()
        }
    }
}

pub(super) fn on_compared(
    m: &mut Model,
    env: usize,
    target: &str,
    result: Result<Vec<String>, String>,
) {
    if let Some(s) = m
        .rollback
        .as_mut()
        .filter(|s| s.env == env && s.target().is_some_and(|t| t.version == target))
    {
        s.commits = Some(result);
    }
}

/// Keys while the rollback pane is up (and no dialog is).
pub(super) fn on_key(m: &mut Model, key: KeyEvent, now: DateTime<Utc>) -> Vec<Cmd> {
    let rows = m.rollback_output_rows();
    let Some(s) = m.rollback.as_mut() else {
        return Vec::new();
    };
    match (s.stage, key.code) {
        (Stage::Pick, KeyCode::Char('j') | KeyCode::Down) => {
            s.selected = (s.selected + 1).min(s.targets.len().saturating_sub(1));
        }
        (Stage::Pick, KeyCode::Char('k') | KeyCode::Up) => {
            s.selected = s.selected.saturating_sub(1);
        }
        (Stage::Pick, KeyCode::Enter) => {
            let Some(t) = s.target().cloned() else {
                return Vec::new();
            };
            if t.live {
                flash(
                    m,
                    Level::Warn,
                    format!("{} is what runs now: pick another version", t.version),
                    now,
                );
                return Vec::new();
            }
            s.stage = Stage::Preflight;
            s.commits = None;
            let (env, live) = (s.env, s.live().map(String::from));
            let repo = m.envs.get(env).map(|e| e.repo.clone()).unwrap_or_default();
            let mut cmds = Vec::new();
            // The SSH connection is opened while the operator reads, so confirming starts
            // the command at once (and a host-key refusal shows before anyone confirms).
            let request = m
                .envs
                .get(env)
                .and_then(|e| request_for(e, env, &t.version, None));
            s.link = match request {
                Some(r) if !r.local => {
                    cmds.push(Cmd::PrepareRollback(Box::new(r)));
                    Link::Connecting
                }
                _ => Link::Local,
            };
            match live {
                Some(live) => cmds.push(Cmd::CompareForRollback {
                    env,
                    repo,
                    target: t.version,
                    live,
                }),
                None => s.commits = Some(Err("the live version is unknown".into())),
            }
            return cmds;
        }
        (Stage::Preflight, KeyCode::Enter) => return confirm(m, now),
        (Stage::Running | Stage::Done, code) if scroll(s, code, rows) => {}
        (Stage::Preflight, KeyCode::Esc) => s.stage = Stage::Pick,
        (Stage::Pick | Stage::Done, KeyCode::Esc | KeyCode::Char('q')) => m.rollback = None,
        // While it runs, Esc hides the pane; the rollback goes on and `R` shows it again.
        (Stage::Running, KeyCode::Esc) => s.hidden = true,
        _ => {}
    }
    Vec::new()
}

/// Enter on the preflight: the phrase for a protected environment, else y/N.
fn confirm(m: &mut Model, now: DateTime<Utc>) -> Vec<Cmd> {
    let Some(s) = m.rollback.as_ref() else {
        return Vec::new();
    };
    let Some(e) = m.envs.get(s.env) else {
        return Vec::new();
    };
    let Some(target) = s.target().cloned() else {
        return Vec::new();
    };
    let allowed: Vec<String> = s.targets.iter().map(|t| t.version.clone()).collect();
    if let Err(why) = validate_version(&target.version, &allowed) {
        flash(m, Level::Error, format!("refused: {why}"), now);
        return Vec::new();
    }
    let live = s.live().map(String::from);
    let overriding = s.overriding.clone();
    let Some(request) = request_for(e, s.env, &target.version, live.clone()) else {
        return Vec::new();
    };
    let request = RollbackRequest {
        override_deployment: overriding.as_ref().map(|o| o.deployment_id),
        ..request
    };
    let mutation = Mutation {
        kind: MutationKind::Rollback,
        repo: e.repo.clone(),
        run_id: 0,
        label: format!("{} to {}", e.name, target.version),
        review: None,
        dispatch: None,
        rollback: Some(Box::new(request)),
    };
    // Overriding someone else's rollback always takes the phrase, protected or not.
    if e.protected || overriding.is_some() {
        let phrase = e
            .confirm_phrase
            .clone()
            .unwrap_or_else(|| format!("{} {}", e.name, target.version));
        m.dialog = Some(Dialog::Phrase(Box::new(PhraseDialog {
            environment: e.name.clone(),
            live,
            next: Some(target.version),
            phrase,
            typed: String::new(),
            mutation,
        })));
    } else {
        m.dialog = Some(Dialog::Confirm(mutation));
    }
    Vec::new()
}

/// The request a rollback of `e` to `version` would send (`None` without a rollback target).
fn request_for(
    e: &crate::model::env::EnvState,
    env: usize,
    version: &str,
    live: Option<String>,
) -> Option<RollbackRequest> {
    let cfg = e.rollback.as_ref()?;
    Some(RollbackRequest {
        env,
        environment: e.name.clone(),
        version: version.to_string(),
        live,
        argv: fill_argv(&cfg.command, version),
        local: cfg.transport == crate::config::Transport::Local,
        ssh: cfg.ssh.clone(),
        port: cfg.port,
        identity_file: cfg.identity_file.clone(),
        known_hosts: cfg.known_hosts.clone(),
        timeout_secs: cfg.timeout.as_secs(),
        override_deployment: None,
    })
}

/// Scrollback of the output: `true` when `code` moved it. Back from the newest lines, so
/// the view holds still while new lines arrive; `G`/End follows them again.
fn scroll(s: &mut RollbackState, code: KeyCode, rows: usize) -> bool {
    const PAGE: usize = 10;
    let max = s.lines.len().saturating_sub(rows);
    s.scrolled_back = match code {
        KeyCode::Char('k') | KeyCode::Up => s.scrolled_back + 1,
        KeyCode::PageUp => s.scrolled_back + PAGE,
        KeyCode::Char('g') | KeyCode::Home => max,
        KeyCode::Char('j') | KeyCode::Down => s.scrolled_back.saturating_sub(1),
        KeyCode::PageDown => s.scrolled_back.saturating_sub(PAGE),
        KeyCode::Char('G') | KeyCode::End => 0,
        _ => return false,
    }
    .min(max);
    true
}

/// The confirmed rollback is on its way: the pane shows its output from here.
pub(super) fn on_sent(m: &mut Model, mutation: &Mutation, now: DateTime<Utc>) {
    if let (Some(s), Some(r)) = (m.rollback.as_mut(), mutation.rollback.as_ref()) {
        if s.env == r.env {
            s.stage = Stage::Running;
            s.started_at = Some(now);
            s.lines.clear();
            s.scrolled_back = 0;
        }
    }
}

pub(super) fn on_event(
    m: &mut Model,
    env: usize,
    event: RemoteEvent,
    now: DateTime<Utc>,
) -> Vec<Cmd> {
    if event == RemoteEvent::Started {
        return started(m, env, now);
    }
    let Some(s) = m.rollback.as_mut().filter(|s| s.env == env) else {
        return Vec::new();
    };
    match event {
        RemoteEvent::Stdout(l) => s.lines.push((false, l)),
        RemoteEvent::Stderr(l) => s.lines.push((true, l)),
        RemoteEvent::Started | RemoteEvent::Finished(_) => return Vec::new(),
    }
    // Scrolled back: keep the same lines in view while new ones arrive below.
    if s.scrolled_back > 0 {
        // (Never past the first line: the view clamps, and so does the next key.)
        s.scrolled_back += 1;
    }
    if s.lines.len() > MAX_LINES {
        s.lines.drain(..s.lines.len() - MAX_LINES);
        s.scrolled_back = s.scrolled_back.min(s.lines.len());
    }
    Vec::new()
}

/// The command is running on the host (GitHub has the record, nothing refused it): the
/// start is announced, as the outcome will be.
fn started(m: &mut Model, env: usize, now: DateTime<Utc>) -> Vec<Cmd> {
    let Some(r) = m
        .in_flight
        .iter()
        .filter_map(|x| x.rollback.as_deref())
        .find(|r| r.env == env)
        .cloned()
    else {
        return Vec::new();
    };
    let text = format!(
        "rolling {} back from {} to {}{}",
        r.environment,
        r.live.as_deref().unwrap_or("?"),
        r.version,
        by(&m.actor)
    );
    activity(m, Level::Warn, text.clone(), now);
    vec![Cmd::Notify(Announcement {
        title: format!("{}: rollback started", r.environment),
        text,
        alert: true,
        environment: Some(r.environment.clone()),
        link: None,
    })]
}

pub(super) fn on_done(
    m: &mut Model,
    mutation: Mutation,
    outcome: RunOutcome,
    now: DateTime<Utc>,
) -> Vec<Cmd> {
    m.in_flight.remove(&mutation);
    let Some(r) = mutation.rollback.clone() else {
        return Vec::new();
    };
    let ok = outcome.is_success();
    // How long the command ran (a refusal ran nothing: no duration).
    let took = m
        .rollback
        .as_ref()
        .filter(|s| s.env == r.env)
        .and_then(|s| s.started_at)
        .filter(|_| !matches!(outcome, RunOutcome::Refused { .. }))
        .map(|t| crate::view::fmt::duration((now - t).num_seconds()));
    let text = if ok {
        format!(
            "rolled back {} to {}{}{}",
            r.environment,
            r.version,
            by(&m.actor),
            took.map(|t| format!(" in {t}")).unwrap_or_default()
        )
    } else {
        format!(
            "rollback of {} to {}{} did not succeed{}: {outcome}",
            r.environment,
            r.version,
            by(&m.actor),
            took.map(|t| format!(" (after {t})")).unwrap_or_default()
        )
    };
    if m.rollback.is_none() {
        // The pane was hidden while it ran: bring the outcome back to the screen.
        // Only the pane is wanted: the picker's reads are not sent.
        let _ = start(m, r.env, Some(&r.version), now);
    }
    if let Some(s) = m.rollback.as_mut().filter(|s| s.env == r.env) {
        s.hidden = false;
        s.stage = Stage::Done;
        s.finished_at = Some(now);
        s.outcome = Some((ok, text.clone()));
    }
    let level = if ok { Level::Info } else { Level::Error };
    flash(m, level, text.clone(), now);
    activity(m, level, text.clone(), now);
    let mut cmds = vec![
        Cmd::ReadAudit,
        Cmd::Notify(Announcement {
            title: format!(
                "{}: rollback {}",
                m.envs
                    .get(r.env)
                    .map_or_else(|| r.environment.clone(), |e| m.env_label(e)),
                if ok { "done" } else { "FAILED" }
            ),
            text,
            alert: !ok,
            environment: Some(r.environment.clone()),
            link: None,
        }),
    ];
    // Deployments and the live version change now: read them again.
    if let Some(e) = m.envs.get_mut(r.env) {
        e.deployments.next_due = now;
        e.version.next_due = now;
    }
    if ok {
        // The running window judged the version just rolled back: its UNSTABLE verdict would
        // keep inviting another rollback. The rolled-back version gets a window of its own.
        if let Some(e) = m.envs.get_mut(r.env) {
            e.cutover = None;
        }
        cmds.extend(envs::open_cutover(
            m,
            r.env,
            format!("rolled back to {}", r.version),
            now,
        ));
    }
    cmds
}

/// After a successful rollback: the first moment the environment is UP again.
pub(super) fn watch_recovery(m: &mut Model, now: DateTime<Utc>) {
    let Some(s) = m.rollback.as_mut() else { return };
    let (Some(done), None, Some((true, _))) = (s.finished_at, s.healthy_after, &s.outcome) else {
        return;
    };
    let Some(e) = m.envs.get(s.env) else { return };
    let probed_since = e
        .checks
        .iter()
        .all(|c| c.tracker.last_at.is_some_and(|t| t > done));
    if probed_since && e.health() == Health::Up {
        s.healthy_after = Some((now - done).num_seconds().max(0));
    }
}
