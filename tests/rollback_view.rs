//! The rollback pane on screen (insta, fixed clock): the picker, the preflight, the phrase
//! dialog over it, and the streamed output with its outcome.

use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

use cockpit::config;
use cockpit::fixtures::t0;
use cockpit::github::DeploymentState;
use cockpit::model::Model;
use cockpit::msg::{Cmd, Msg};
use cockpit::remote::{RemoteEvent, RunOutcome};
use cockpit::theme::Theme;
use cockpit::update::update;
use cockpit::view;

const CONFIG: &str = r#"
[[repo]]
name = "acme/shop"
[[environment]]
name = "production"
protected = true
  [[environment.check]]
  name = "api"
  url = "http://127.0.0.1:1/api/health/"
  [environment.rollback]
  ssh = "deploy@prod-1.internal"
  port = 2222
  command = ["/opt/shop/scripts/rollback.sh", "{version}"]
"#;

fn deployment(id: u64, git_ref: &str, hours_ago: i64) -> DeploymentState {
    let at = (t0() - chrono::Duration::hours(hours_ago)).to_rfc3339();
    deployment_at(id, git_ref, "deploy", "success", &at)
}

fn deployment_at(id: u64, git_ref: &str, task: &str, state: &str, at: &str) -> DeploymentState {
    let d = json!({
        "id": id, "sha": format!("sha{id}"), "ref": git_ref, "task": task, "environment": "production",
        "description": null, "creator": {"login": "carol-sre", "id": 3}, "created_at": at,
        "updated_at": at, "statuses_url": "https://api.github.com/x", "payload": {},
        "original_environment": "production"
    });
    let s = json!({
        "id": id * 10, "state": state, "description": null, "environment": "production",
        "creator": {"login": "carol-sre", "id": 3}, "created_at": at, "updated_at": at,
        "target_url": null, "log_url": null, "environment_url": null
    });
    DeploymentState {
        deployment: serde_json::from_value(d).unwrap(),
        status: Some(serde_json::from_value(s).unwrap()),
    }
}

fn press(m: &mut Model, code: KeyCode) -> Vec<Cmd> {
    update(m, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), t0())
}

fn model() -> Model {
    let cfg = config::parse_str(CONFIG, Path::new("test.toml")).unwrap();
    let mut m = cockpit::tui::initial_model(&cfg, false, t0());
    m.actor = "alice".into();
    update(
        &mut m,
        Msg::Resize {
            width: 100,
            height: 24,
        },
        t0(),
    );
    m.envs[0].version.value = Some("v1.4.0".into());
    m.envs[0].deployments.value = Some(vec![
        deployment(3, "v1.4.0", 1),
        deployment(2, "v1.3.2", 26),
        deployment(1, "v1.3.1", 72),
    ]);
    press(&mut m, KeyCode::Char('2'));
    m
}

fn render(m: &Model) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(100, 24)).unwrap();
    t.draw(|f| view::draw(f, m, &Theme::builtin("default").unwrap(), t0()))
        .unwrap();
    t
}

#[test]
fn picker_preflight_phrase_and_streaming_pane() {
    let mut m = model();
    let cmds = press(&mut m, KeyCode::Char('R'));
    // Each version's commit message is read by its deployed sha.
    assert_eq!(
        cmds,
        vec![Cmd::FetchCommitMessages {
            env: 0,
            repo: "acme/shop".into(),
            refs: vec!["sha3".into(), "sha2".into(), "sha1".into()],
        }]
    );
    update(
        &mut m,
        Msg::CommitMessages {
            env: 0,
            messages: vec![
                ("sha3".into(), "Release v1.4.0".into()),
                ("sha2".into(), "Release v1.3.2: fix checkout totals".into()),
            ],
        },
        t0(),
    );
    insta::assert_snapshot!("rollback_picker", render(&m).backend());
    let cmds = press(&mut m, KeyCode::Enter);
    // The SSH connection is opened while the preflight is read.
    let [Cmd::PrepareRollback(prepared), compare] = &cmds[..] else {
        panic!("{cmds:?}")
    };
    assert_eq!(prepared.ssh.as_deref(), Some("deploy@prod-1.internal"));
    assert_eq!(
        prepared.argv,
        vec!["/opt/shop/scripts/rollback.sh", "v1.3.2"]
    );
    assert_eq!(
        compare,
        &Cmd::CompareForRollback {
            env: 0,
            repo: "acme/shop".into(),
            target: "v1.3.2".into(),
            live: "v1.4.0".into()
        }
    );
    update(
        &mut m,
        Msg::RollbackPrepared {
            env: 0,
            result: Ok(()),
        },
        t0(),
    );
    update(
        &mut m,
        Msg::Compared {
            env: 0,
            target: "v1.3.2".into(),
            result: Ok(vec!["Release v1.4.0".into(), "Add saved carts API".into()]),
        },
        t0(),
    );
    insta::assert_snapshot!("rollback_preflight", render(&m).backend());
    press(&mut m, KeyCode::Enter);
    for c in "production v1.3.2".chars() {
        press(&mut m, KeyCode::Char(c));
    }
    insta::assert_snapshot!("rollback_phrase", render(&m).backend());
    let cmds = press(&mut m, KeyCode::Enter);
    let Some(Cmd::Mutate(mutation)) = cmds.first().cloned() else {
        panic!("{cmds:?}")
    };
    let r = mutation.rollback.clone().unwrap();
    assert_eq!(r.argv, vec!["/opt/shop/scripts/rollback.sh", "v1.3.2"]);
    assert!(!r.local);
    assert_eq!(r.override_deployment, None);
    for line in ["rolling back to v1.3.2", "switching the release symlink"] {
        update(
            &mut m,
            Msg::RollbackEvent {
                env: 0,
                event: RemoteEvent::Stdout(line.into()),
            },
            t0(),
        );
    }
    update(
        &mut m,
        Msg::RollbackEvent {
            env: 0,
            event: RemoteEvent::Stderr("worker 3: slow to start".into()),
        },
        t0(),
    );
    insta::assert_snapshot!("rollback_running", render(&m).backend());
    // Esc hides it (it goes on); R shows it again, with everything that came meanwhile.
    press(&mut m, KeyCode::Esc);
    assert!(m.rollback.as_ref().is_some_and(|r| !r.visible()));
    update(
        &mut m,
        Msg::RollbackEvent {
            env: 0,
            event: RemoteEvent::Stdout("warming caches".into()),
        },
        t0(),
    );
    press(&mut m, KeyCode::Char('R'));
    assert!(
        m.rollback
            .as_ref()
            .is_some_and(|r| r.visible() && r.lines.len() == 4)
    );
    // A second rollback while this one runs is refused.
    press(&mut m, KeyCode::Char(':'));
    for c in "rollback production v1.3.1".chars() {
        press(&mut m, KeyCode::Char(c));
    }
    press(&mut m, KeyCode::Enter);
    let err = m
        .palette
        .as_ref()
        .and_then(|p| p.error.clone())
        .unwrap_or_default();
    assert!(err.contains("one at a time"), "{err}");
    press(&mut m, KeyCode::Esc);
    update(
        &mut m,
        Msg::RollbackDone {
            mutation,
            outcome: RunOutcome::Failed { code: 3 },
        },
        t0(),
    );
    insta::assert_snapshot!("rollback_failed", render(&m).backend());
}

fn run_with_output(m: &mut Model, n: usize) {
    press(m, KeyCode::Char('R'));
    press(m, KeyCode::Enter);
    press(m, KeyCode::Enter);
    for c in "production v1.3.2".chars() {
        press(m, KeyCode::Char(c));
    }
    let cmds = press(m, KeyCode::Enter);
    assert!(matches!(cmds.first(), Some(Cmd::Mutate(_))), "{cmds:?}");
    for i in 1..=n {
        update(
            m,
            Msg::RollbackEvent {
                env: 0,
                event: RemoteEvent::Stdout(format!("step {i:02}")),
            },
            t0(),
        );
    }
}

fn screen_text(m: &Model) -> String {
    let t = render(m);
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[test]
fn the_output_scrolls_back_and_holds_still_while_lines_arrive() {
    let mut m = model();
    run_with_output(&mut m, 60);
    // Following: the newest line is on screen, the first is not.
    let text = screen_text(&m);
    assert!(
        text.contains("step 60") && !text.contains("step 01"),
        "{text}"
    );
    press(&mut m, KeyCode::Char('g'));
    let text = screen_text(&m);
    assert!(
        text.contains("step 01") && !text.contains("step 60"),
        "{text}"
    );
    assert!(text.contains("newer lines below"), "{text}");
    // New output does not move the view while scrolled back.
    update(
        &mut m,
        Msg::RollbackEvent {
            env: 0,
            event: RemoteEvent::Stdout("step 61".into()),
        },
        t0(),
    );
    let again = screen_text(&m);
    assert!(
        again.contains("step 01") && !again.contains("step 61"),
        "{again}"
    );
    press(&mut m, KeyCode::PageDown);
    let text = screen_text(&m);
    assert!(!text.contains("step 01 "), "{text}");
    press(&mut m, KeyCode::Char('G'));
    let text = screen_text(&m);
    assert!(
        text.contains("step 61") && !text.contains("newer lines below"),
        "{text}"
    );
}

#[test]
fn someone_elses_rollback_shows_and_going_on_is_an_override_with_the_phrase() {
    let mut m = model();
    let started = (t0() - chrono::Duration::minutes(2)).to_rfc3339();
    if let Some(list) = m.envs[0].deployments.value.as_mut() {
        list.insert(
            0,
            deployment_at(9, "v1.3.1", "rollback", "in_progress", &started),
        );
    }
    // Every cockpit shows it on the environment's pane.
    let text = screen_text(&m);
    assert!(
        text.contains("rollback to v1.3.1 in progress by carol-sre (2m)"),
        "{text}"
    );
    press(&mut m, KeyCode::Char('R'));
    let text = screen_text(&m);
    assert!(
        text.contains("carol-sre is rolling production back to v1.3.1")
            && text.contains("overrides it"),
        "{text}"
    );
    press(&mut m, KeyCode::Enter);
    press(&mut m, KeyCode::Enter);
    // The phrase, and only the exact one, lets it through, naming what it overrides.
    for c in "production v1.3.2".chars() {
        press(&mut m, KeyCode::Char(c));
    }
    let cmds = press(&mut m, KeyCode::Enter);
    let Some(Cmd::Mutate(mutation)) = cmds.first() else {
        panic!("{cmds:?}")
    };
    let r = mutation.rollback.as_ref().unwrap();
    assert_eq!(r.override_deployment, Some(9));
}

#[test]
fn a_finished_or_stale_rollback_is_not_in_progress() {
    let mut m = model();
    let long_ago = (t0() - chrono::Duration::hours(2)).to_rfc3339();
    let recent = (t0() - chrono::Duration::minutes(1)).to_rfc3339();
    m.envs[0].deployments.value = Some(vec![deployment_at(
        9,
        "v1.3.1",
        "rollback",
        "in_progress",
        &long_ago,
    )]);
    // Older than the rollback timeout (10 m default): its cockpit died; not blocking.
    assert_eq!(m.envs[0].rollback_in_progress(t0()), None);
    m.envs[0].deployments.value = Some(vec![deployment_at(
        9, "v1.3.1", "rollback", "success", &recent,
    )]);
    assert_eq!(m.envs[0].rollback_in_progress(t0()), None);
    m.envs[0].deployments.value = Some(vec![deployment_at(
        9,
        "v1.3.1",
        "deploy",
        "in_progress",
        &recent,
    )]);
    assert_eq!(m.envs[0].rollback_in_progress(t0()), None);
    m.envs[0].deployments.value = Some(vec![deployment_at(
        9, "v1.3.1", "rollback", "queued", &recent,
    )]);
    assert!(
        m.envs[0]
            .rollback_in_progress(t0())
            .is_some_and(|r| r.by == "carol-sre" && r.deployment_id == 9)
    );
}

#[test]
fn a_failed_connection_shows_in_the_preflight_before_anyone_confirms() {
    let mut m = model();
    press(&mut m, KeyCode::Char('R'));
    press(&mut m, KeyCode::Enter);
    assert!(screen_text(&m).contains("◌ connecting…"));
    update(
        &mut m,
        Msg::RollbackPrepared {
            env: 0,
            result: Err("host key for prod-1.internal is unknown: check the fingerprint".into()),
        },
        t0(),
    );
    let text = screen_text(&m);
    assert!(
        text.contains("✗ host key for prod-1.internal is unknown"),
        "{text}"
    );
}

#[test]
fn the_outcome_says_how_long_it_took() {
    let mut m = model();
    run_with_output(&mut m, 1);
    // The deploy's window is still running, and has failed: the rollback supersedes it.
    let mut bad = cockpit::model::env::Cutover::open(
        t0() - chrono::Duration::minutes(1),
        std::time::Duration::from_secs(300),
        "deploy of v1.4.0".into(),
    );
    bad.failures = 7;
    bad.went_down = true;
    m.envs[0].cutover = Some(bad);
    let mutation = m.in_flight.iter().next().cloned().unwrap();
    let later = t0() + chrono::Duration::seconds(42);
    update(
        &mut m,
        Msg::RollbackDone {
            mutation,
            outcome: RunOutcome::Success,
        },
        later,
    );
    let text = screen_text(&m);
    assert!(
        text.contains("rolled back production to v1.3.2 by alice in 42s"),
        "{text}"
    );
    // A fresh window for the rolled-back version, not the failed deploy's verdict.
    let c = m.envs[0].cutover.as_ref().unwrap();
    assert!(c.reason.contains("rolled back to v1.3.2"), "{}", c.reason);
    assert_eq!((c.failures, c.went_down), (0, false));
    // The script succeeded but the service has not come back: said plainly, not "waiting".
    m.envs[0].checks[0].tracker.health = cockpit::health::Health::Down;
    let text = screen_text(&m);
    assert!(text.contains("⚠ rolled back production"), "{text}");
    assert!(text.contains("NOT healthy yet: checks down"), "{text}");
}
