//! The Environments view over `TestBackend` with a fixed clock: all up, one degraded,
//! protected and down, a narrow terminal, a cutover window in progress and its verdicts.

use std::path::Path;
use std::time::Duration;

use chrono::Duration as CDuration;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

use cockpit::config;
use cockpit::fixtures::t0;
use cockpit::github::DeploymentState;
use cockpit::health::ProbeOutcome;
use cockpit::model::{Model, Screen};
use cockpit::msg::Msg;
use cockpit::theme::Theme;
use cockpit::update::update;
use cockpit::view;

const CONFIG: &str = r#"
[[repo]]
name = "acme/shop"

[[environment]]
name = "staging"
  [[environment.check]]
  name = "api"
  url = "http://127.0.0.1:1/api/health/"
  [[environment.check]]
  name = "web"
  url = "http://127.0.0.1:1/"
  [environment.version]
  url = "http://127.0.0.1:1/version"

[[environment]]
name = "production"
protected = true
  [[environment.check]]
  name = "api"
  url = "http://127.0.0.1:1/api/health/"
  [environment.version]
  url = "http://127.0.0.1:1/version"
"#;

fn model(w: u16, h: u16) -> Model {
    let cfg = config::parse_str(CONFIG, Path::new("test.toml")).unwrap();
    let mut m = cockpit::tui::initial_model(&cfg, false, t0());
    update(
        &mut m,
        Msg::Resize {
            width: w,
            height: h,
        },
        t0(),
    );
    m.screen = Screen::Environments;
    update(&mut m, Msg::Tick, t0());
    for (env, version, deployed) in [(0, "v1.4.0", "v1.4.0"), (1, "v1.3.2", "v1.3.2")] {
        update(
            &mut m,
            Msg::Version {
                env,
                result: Ok(version.into()),
            },
            t0(),
        );
        let list = vec![
            dep(env as u64 * 10 + 2, deployed, "success", 60),
            dep(env as u64 * 10 + 1, "v1.3.1", "inactive", 3000),
        ];
        update(
            &mut m,
            Msg::Deployments {
                env,
                result: Ok(list),
            },
            t0(),
        );
    }
    for i in 0..12 {
        for (env, check) in [(0, 0), (0, 1), (1, 0)] {
            probe(
                &mut m,
                env,
                check,
                ok(10 + (i * 7 + check as u64 * 13) % 40),
                i as i64,
            );
        }
    }
    m
}

fn dep(id: u64, git_ref: &str, state: &str, age_min: i64) -> DeploymentState {
    let at = t0() - CDuration::minutes(age_min);
    DeploymentState {
        deployment: serde_json::from_value(json!({"id": id, "sha": "4f9c2b1d0e8a7c6b5a493827161504f3e2d1c0b9", "ref": git_ref, "task": "deploy", "environment": "x", "description": null, "creator": {"login": "carol-sre", "id": 3}, "created_at": at, "updated_at": at, "statuses_url": "u", "payload": {}, "original_environment": "x"})).unwrap(),
        status: serde_json::from_value(json!({"id": id * 10, "state": state, "description": null, "environment": "x", "creator": null, "created_at": at, "updated_at": at, "target_url": null, "log_url": null, "environment_url": null})).unwrap(),
    }
}

fn ok(ms: u64) -> ProbeOutcome {
    ProbeOutcome {
        http_status: Some(200),
        latency: Duration::from_millis(ms),
        result: Ok(()),
    }
}

fn failed(status: Option<u16>, err: &str) -> ProbeOutcome {
    ProbeOutcome {
        http_status: status,
        latency: Duration::from_millis(5000),
        result: Err(err.into()),
    }
}

fn probe(m: &mut Model, env: usize, check: usize, outcome: ProbeOutcome, s: i64) {
    update(
        m,
        Msg::Probe {
            env,
            check,
            outcome,
        },
        t0() + CDuration::seconds(s),
    );
}

fn render(m: &Model, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| view::draw(f, m, &Theme::builtin("default").unwrap(), t0()))
        .unwrap();
    t
}

#[test]
fn all_up() {
    let m = model(120, 14);
    insta::assert_snapshot!(render(&m, 120, 14).backend());
}

#[test]
fn one_degraded() {
    let mut m = model(120, 14);
    probe(&mut m, 0, 1, failed(None, "timeout after 5s"), 20);
    insta::assert_snapshot!(render(&m, 120, 14).backend());
}

#[test]
fn protected_and_down() {
    let mut m = model(120, 14);
    for s in [20, 30, 40] {
        probe(
            &mut m,
            1,
            0,
            failed(Some(200), "/status was \"DOWN\", expected \"UP\""),
            s,
        );
    }
    update(
        &mut m,
        Msg::Version {
            env: 1,
            result: Ok("v1.4.0".into()),
        },
        t0(),
    );
    let t = render(&m, 120, 14);
    insta::assert_snapshot!(t.backend());
    // The down pane's border is the theme's fail colour.
    let theme = Theme::builtin("default").unwrap();
    let buf = t.backend().buffer();
    let corner = (60..120u16)
        .map(|x| &buf[(x, 1)])
        .find(|c| c.symbol() == "╭" || c.symbol() == "┏")
        .unwrap();
    assert_eq!(corner.fg, theme.fail);
}

#[test]
fn narrow_terminal_stacks_panes() {
    let m = model(70, 24);
    insta::assert_snapshot!(render(&m, 70, 24).backend());
}

#[test]
fn cutover_in_progress_then_unstable() {
    let mut m = model(120, 16);
    m.env_selected = 1;
    // Opened 2 minutes ago by hand, a wobble so far.
    update(
        &mut m,
        Msg::Key(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char('w'),
            crossterm::event::KeyModifiers::NONE,
        )),
        t0() - CDuration::seconds(120),
    );
    probe(&mut m, 1, 0, failed(Some(503), "503"), -100);
    probe(&mut m, 1, 0, ok(320), -98);
    insta::assert_snapshot!("cutover_in_progress", render(&m, 120, 16).backend());
    for s in [-90, -88, -86] {
        probe(&mut m, 1, 0, failed(Some(503), "503"), s);
    }
    insta::assert_snapshot!("cutover_unstable", render(&m, 120, 16).backend());
}
