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
    let d = json!({
        "id": id, "sha": "a1b2c3d", "ref": git_ref, "task": "deploy", "environment": "production",
        "description": null, "creator": {"login": "carol-sre", "id": 3}, "created_at": at,
        "updated_at": at, "statuses_url": "https://api.github.com/x", "payload": {},
        "original_environment": "production"
    });
    let s = json!({
        "id": id * 10, "state": "success", "description": null, "environment": "production",
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
    press(&mut m, KeyCode::Char('R'));
    insta::assert_snapshot!("rollback_picker", render(&m).backend());
    let cmds = press(&mut m, KeyCode::Enter);
    assert_eq!(
        cmds,
        vec![Cmd::CompareForRollback {
            env: 0,
            repo: "acme/shop".into(),
            target: "v1.3.2".into(),
            live: "v1.4.0".into()
        }]
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
