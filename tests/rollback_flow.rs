//! Rollback end to end without a terminal: the real `update`, the real client and simulator,
//! and the demo's `local` rollback target (a real process, streamed). Pick, preflight with
//! the commits undone, the typed phrase, the run recorded on GitHub as a deployment with
//! statuses in order, the audit log, the live version moving back and the cutover window.

mod support;

use std::time::Duration;

use crossterm::event::KeyCode;

use cockpit::audit::{self, Outcome};
use cockpit::model::Dialog;
use cockpit::model::rollback::Stage;
use support::harness::{Harness, HarnessOptions};

async fn demo() -> Harness {
    // Probes on: the live version is read from the environment like health is.
    let mut h = Harness::start(HarnessOptions {
        environments: true,
        probes: true,
        ..HarnessOptions::default()
    })
    .await;
    let prod = h.env_index("production");
    let ready = h
        .run_until(Duration::from_secs(30), |h| {
            h.model.envs[prod].deployments.value.is_some()
                && h.model.envs[prod].version.value.is_some()
        })
        .await;
    assert!(ready, "production's deployments and version never arrived");
    h
}

async fn open_picker(h: &mut Harness) {
    h.key(KeyCode::Char('2')).await;
    h.model.env_selected = h.env_index("production");
    h.key(KeyCode::Char('R')).await;
    assert!(h.model.rollback.is_some(), "{:?}", h.model.flash);
}

#[tokio::test]
async fn protected_rollback_runs_only_after_the_phrase_streams_records_and_recovers() {
    let mut h = demo().await;
    let prod = h.env_index("production");
    // Production broken through the simulator's control switch, as in the demo's story.
    h.sim
        .set_health("production", cockpit::sim::HealthMode::Down(503));
    let down = h
        .run_until(Duration::from_secs(90), |h| {
            h.model.envs[prod].health() == cockpit::health::Health::Down
        })
        .await;
    assert!(down, "production never went down");
    let live = h.model.envs[prod].version.value.clone().unwrap();
    open_picker(&mut h).await;
    let s = h.model.rollback.as_ref().unwrap();
    assert_eq!(s.stage, Stage::Pick);
    assert!(
        s.targets.iter().any(|t| t.live && t.version == live),
        "{:?}",
        s.targets
    );
    let target = s.target().unwrap().version.clone();
    assert_ne!(
        target, live,
        "the default is the last good version before the live one"
    );

    h.key(KeyCode::Enter).await;
    let s = h.model.rollback.as_ref().unwrap();
    assert_eq!(s.stage, Stage::Preflight);
    assert!(
        matches!(&s.commits, Some(Ok(c)) if !c.is_empty()),
        "the commits undone: {:?}",
        s.commits
    );
    h.key(KeyCode::Enter).await;
    let Some(Dialog::Phrase(p)) = &h.model.dialog else {
        panic!("production is protected: {:?}", h.model.dialog)
    };
    assert_eq!(p.phrase, format!("production {target}"));
    // Nothing has been recorded or run yet.
    assert!(h.posts_to("/deployments").is_empty());
    h.key(KeyCode::Enter).await;
    assert!(
        h.posts_to("/deployments").is_empty(),
        "Enter before the phrase runs nothing"
    );
    h.type_text(&format!("production {target}")).await;
    h.key(KeyCode::Enter).await;

    let s = h.model.rollback.as_ref().unwrap();
    assert_eq!(s.stage, Stage::Done, "{:?}", s.outcome);
    assert_eq!(
        s.outcome.as_ref().map(|o| o.0),
        Some(true),
        "{:?}",
        s.outcome
    );
    let out: Vec<&str> = s.lines.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(
        out.first().copied(),
        Some(format!("rolling back to {target}").as_str())
    );
    assert!(out.contains(&"restarting app workers"), "{out:?}");
    assert!(
        s.lines
            .iter()
            .any(|(err, l)| *err && l.contains("slow to start"))
    );

    // On GitHub: one deployment (task rollback, ref = target), then in_progress, success.
    let created = h.posts_to("/deployments");
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(created[0]["task"], "rollback");
    assert_eq!(created[0]["ref"], target.as_str());
    assert_eq!(created[0]["environment"], "production");
    let states: Vec<String> = h
        .posts_to("/statuses")
        .iter()
        .map(|b| b["state"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(states, vec!["in_progress", "success"]);

    // Announced when the command started on the host, and again with the outcome (who,
    // target, how long).
    let titles: Vec<String> = h.notices().iter().map(|(_, n)| n.title.clone()).collect();
    let started = titles
        .iter()
        .position(|t| t == "production: rollback started");
    let done = titles.iter().position(|t| t == "production: rollback done");
    assert!(
        matches!((started, done), (Some(a), Some(b)) if a < b),
        "{titles:?}"
    );
    let outcome = h
        .notices()
        .into_iter()
        .find(|(_, n)| n.title == "production: rollback done")
        .map(|(_, n)| n.text)
        .unwrap_or_default();
    assert!(
        outcome.starts_with(&format!(
            "rolled back production to {target} by {} in ",
            h.model.actor
        )),
        "{outcome}"
    );

    // Audit: intent then ok; the chain verifies.
    let entries = audit::read_recent(&h.audit_path(), 10).unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].record.action.as_str(), "rollback");
    assert_eq!(entries[0].record.outcome, Outcome::Ok);
    assert_eq!(entries[0].record.target.as_deref(), Some(target.as_str()));
    assert!(audit::verify(&h.audit_path()).unwrap().is_intact());

    // The cutover window opens by itself; the live version moves back; health confirms.
    assert!(h.model.envs[prod].cutover_running());
    let moved = h
        .run_until(Duration::from_secs(30), |h| {
            h.model.envs[prod].version.value.as_deref() == Some(target.as_str())
        })
        .await;
    assert!(
        moved,
        "live version still {:?}",
        h.model.envs[prod].version.value
    );
    // The simulator's server runs the old version now and answers healthy again: the pane
    // says how long recovery took.
    let healthy = h
        .run_until(Duration::from_secs(60), |h| {
            h.model
                .rollback
                .as_ref()
                .is_some_and(|s| s.healthy_after.is_some())
        })
        .await;
    assert!(
        healthy,
        "{:?}",
        h.model.rollback.as_ref().map(|s| &s.outcome)
    );
    // The rollback's own window judges the recovery, not the outage before it: the checks
    // still counted down while recovering do not make it UNSTABLE.
    let c = h.model.envs[prod].cutover.clone().unwrap();
    assert!(c.reason.contains("rolled back"), "{}", c.reason);
    assert!(!c.went_down, "{c:?}");
}

#[tokio::test]
async fn esc_and_read_only_run_nothing_and_the_live_version_is_not_a_target() {
    let mut h = demo().await;
    open_picker(&mut h).await;
    // Choosing the live version itself is refused.
    let live_pos = h
        .model
        .rollback
        .as_ref()
        .unwrap()
        .targets
        .iter()
        .position(|t| t.live)
        .unwrap();
    h.model.rollback.as_mut().unwrap().selected = live_pos;
    h.key(KeyCode::Enter).await;
    assert_eq!(h.model.rollback.as_ref().unwrap().stage, Stage::Pick);
    h.key(KeyCode::Char('k')).await;
    h.key(KeyCode::Char('j')).await;
    h.key(KeyCode::Esc).await;
    assert!(h.model.rollback.is_none());
    // Preflight, phrase, Esc.
    open_picker(&mut h).await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Enter).await;
    assert!(matches!(h.model.dialog, Some(Dialog::Phrase(_))));
    h.key(KeyCode::Esc).await;
    assert!(h.model.dialog.is_none());
    // Read-only: refused before the picker.
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Esc).await;
    h.model.rollback = None;
    h.model.read_only = true;
    h.key(KeyCode::Char('R')).await;
    assert!(h.model.rollback.is_none());
    let flash = h
        .model
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert!(
        flash.starts_with("read-only: refused to roll back"),
        "{flash}"
    );
    h.run_for(Duration::from_secs(3)).await;
    assert!(h.posts_to("/deployments").is_empty());
    assert!(audit::read_recent(&h.audit_path(), 10).unwrap().is_empty());
}

#[tokio::test]
async fn palette_rollback_names_the_environment_and_version() {
    let mut h = demo().await;
    h.key(KeyCode::Char(':')).await;
    h.type_text("rollback prod").await;
    h.key(KeyCode::Enter).await;
    let err = h
        .model
        .palette
        .as_ref()
        .and_then(|p| p.error.clone())
        .unwrap_or_default();
    assert!(err.contains("no environment \"prod\""), "{err}");
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Char(':')).await;
    h.type_text("rollback staging").await;
    h.key(KeyCode::Enter).await;
    let err = h
        .model
        .palette
        .as_ref()
        .and_then(|p| p.error.clone())
        .unwrap_or_default();
    assert!(err.contains("has no [environment.rollback]"), "{err}");
    h.key(KeyCode::Esc).await;
    let prod = h.env_index("production");
    let other = h.model.envs[prod]
        .deployments
        .value
        .iter()
        .flatten()
        .map(|d| d.deployment.git_ref.clone())
        .find(|r| Some(r) != h.model.envs[prod].version.value.as_ref())
        .unwrap();
    h.key(KeyCode::Char(':')).await;
    h.type_text(&format!("rollback production {other}")).await;
    h.key(KeyCode::Enter).await;
    let s = h.model.rollback.as_ref().unwrap();
    assert_eq!(s.target().unwrap().version, other);
}

/// Another operator's rollback of production, recorded on GitHub the way their cockpit does.
async fn someone_else_rolls_back(h: &Harness, version: &str) -> u64 {
    use cockpit::github::{GitHub, ROLLBACK_TASK};
    let d = h
        .github
        .create_deployment(
            "acme/shop",
            version,
            "production",
            ROLLBACK_TASK,
            "rollback from another cockpit",
        )
        .await
        .unwrap();
    h.github
        .create_deployment_status("acme/shop", d.id, "in_progress", "rolling back", None)
        .await
        .unwrap();
    d.id
}

#[tokio::test]
async fn the_picker_shows_each_versions_commit_message_read_from_github() {
    let mut h = demo().await;
    open_picker(&mut h).await;
    // The messages come from GET .../commits/{sha} (one per version).
    let read = h
        .run_until(Duration::from_secs(5), |h| {
            h.model
                .rollback
                .as_ref()
                .is_some_and(|s| s.targets.iter().all(|t| t.message.is_some()))
        })
        .await;
    let s = h.model.rollback.as_ref().unwrap();
    assert!(read, "{:?}", s.targets);
    assert!(
        s.targets
            .iter()
            .all(|t| !t.message.as_deref().unwrap_or("").is_empty()),
        "{:?}",
        s.targets
    );
    let asked = h
        .api_requests()
        .iter()
        .filter(|r| r.path.contains("/commits/"))
        .count();
    assert_eq!(asked, s.targets.len());
}

#[tokio::test]
async fn another_operators_rollback_shows_refuses_and_can_be_overridden_with_the_phrase() {
    let mut h = demo().await;
    let prod = h.env_index("production");
    let live = h.model.envs[prod].version.value.clone().unwrap();
    open_picker(&mut h).await;
    let target = h
        .model
        .rollback
        .as_ref()
        .unwrap()
        .target()
        .unwrap()
        .version
        .clone();
    // Theirs starts after this cockpit last read the deployments: confirming is refused by
    // the check on GitHub, and nothing runs.
    let theirs = someone_else_rolls_back(&h, &live).await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Enter).await;
    h.type_text(&format!("production {target}")).await;
    h.key(KeyCode::Enter).await;
    let s = h.model.rollback.as_ref().unwrap();
    let (ok, text) = s.outcome.clone().unwrap();
    assert!(!ok && text.contains("in progress by"), "{text}");
    assert!(text.contains(&format!("deployment {theirs}")), "{text}");
    assert_eq!(h.posts_to("/deployments").len(), 1, "only theirs");
    h.key(KeyCode::Esc).await;

    // Once the deployments are read again, the pane says so, and R offers the override.
    let seen = h
        .run_until(Duration::from_secs(60), |h| {
            h.model.envs[prod].rollback_in_progress(h.now()).is_some()
        })
        .await;
    assert!(seen, "the other rollback never showed");
    h.key(KeyCode::Char('R')).await;
    let s = h.model.rollback.as_ref().unwrap();
    assert_eq!(s.overriding.as_ref().map(|o| o.deployment_id), Some(theirs));
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Enter).await;
    assert!(matches!(h.model.dialog, Some(Dialog::Phrase(_))));
    h.type_text(&format!("production {target}")).await;
    h.key(KeyCode::Enter).await;
    let s = h.model.rollback.as_ref().unwrap();
    assert_eq!(
        s.outcome.as_ref().map(|o| o.0),
        Some(true),
        "{:?}",
        s.outcome
    );
    assert_eq!(h.posts_to("/deployments").len(), 2, "theirs and ours");
    // The audit log says what was overridden, and how long it took.
    let entries = audit::read_recent(&h.audit_path(), 10).unwrap();
    let intent = entries
        .iter()
        .find(|e| e.record.outcome == Outcome::Intent && e.record.action.as_str() == "rollback")
        .map(|e| e.record.comment.clone().unwrap_or_default())
        .unwrap_or_default();
    assert!(
        intent.contains(&format!(
            "overriding the unfinished rollback deployment {theirs}"
        )),
        "{intent}"
    );
    let done = entries[0].record.detail.clone().unwrap_or_default();
    assert!(done.starts_with("exit 0; took "), "{done}");
}
