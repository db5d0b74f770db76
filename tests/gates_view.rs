//! Gates in the pure `update` and on screen: a double keypress sends one review, a reviewer
//! who cannot approve is told so, and snapshots of the Gates view, the comment prompt and
//! the phrase dialog (disabled, then enabled).

use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

use cockpit::config;
use cockpit::fixtures::{release_day, t0};
use cockpit::github::Fetched;
use cockpit::model::{Dialog, Model, Screen, SourceKey};
use cockpit::msg::{Cmd, GateData, Msg};
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
"#;

fn gate_data(can_approve: bool) -> GateData {
    let pending = json!([{
        "environment": {"id": 202, "name": "production", "html_url": "https://github.com/acme/shop/deployments/activity_log?environments_filter=production"},
        "wait_timer": 5,
        "wait_timer_started_at": "2026-11-22T09:58:00Z",
        "current_user_can_approve": can_approve,
        "reviewers": [
            {"type": "Team", "reviewer": {"id": 7, "name": "release-managers", "slug": "release-managers"}},
            {"type": "User", "reviewer": {"id": 1, "login": "carol-sre"}}
        ]
    }]);
    let approvals = json!([{
        "environments": [{"id": 201, "name": "staging"}],
        "state": "approved",
        "user": {"login": "dave", "id": 4},
        "comment": "staging looks good"
    }]);
    GateData {
        pending: serde_json::from_value(pending).unwrap(),
        approvals: serde_json::from_value(approvals).unwrap(),
    }
}

fn press(m: &mut Model, code: KeyCode) -> Vec<Cmd> {
    update(m, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), t0())
}

fn typed(m: &mut Model, text: &str) {
    for c in text.chars() {
        press(m, KeyCode::Char(c));
    }
}

/// The release-day runs (9004 waits on production) with its gate read.
fn model(can_approve: bool) -> Model {
    let cfg = config::parse_str(CONFIG, Path::new("test.toml")).unwrap();
    let mut m = cockpit::tui::initial_model(&cfg, false, t0());
    update(
        &mut m,
        Msg::Resize {
            width: 110,
            height: 24,
        },
        t0(),
    );
    let mut cmds = update(
        &mut m,
        Msg::Runs {
            source: SourceKey {
                repo: "acme/shop".into(),
                workflow: None,
                branch: None,
            },
            result: Ok(Fetched {
                value: release_day(t0()),
                not_modified: false,
            }),
        },
        t0(),
    );
    cmds.extend(update(&mut m, Msg::Tick, t0()));
    assert!(
        cmds.contains(&Cmd::FetchGate {
            repo: "acme/shop".into(),
            run_id: 9004
        }),
        "{cmds:?}"
    );
    assert!(cmds.contains(&Cmd::Bell), "a new gate rings the bell");
    update(
        &mut m,
        Msg::Gate {
            repo: "acme/shop".into(),
            run_id: 9004,
            result: Ok(gate_data(can_approve)),
        },
        t0(),
    );
    press(&mut m, KeyCode::Char('3'));
    m
}

fn render(m: &Model) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(110, 24)).unwrap();
    t.draw(|f| view::draw(f, m, &Theme::builtin("default").unwrap(), t0()))
        .unwrap();
    t
}

#[test]
fn a_double_enter_or_a_second_a_while_in_flight_sends_one_review() {
    let mut m = model(true);
    press(&mut m, KeyCode::Char('a'));
    press(&mut m, KeyCode::Enter);
    typed(&mut m, "production v1.4.0");
    let first = press(&mut m, KeyCode::Enter);
    assert!(matches!(&first[..], [Cmd::Mutate(x)] if x.run_id == 9004));
    // The dialog is gone: a second Enter is just Enter (it opens the run), not a review.
    let again = press(&mut m, KeyCode::Enter);
    assert!(
        !again.iter().any(|c| matches!(c, Cmd::Mutate(_))),
        "{again:?}"
    );
    press(&mut m, KeyCode::Char('3'));
    assert!(press(&mut m, KeyCode::Char('a')).is_empty());
    assert!(m.dialog.is_none());
    let flash = m.flash.as_ref().unwrap().text.clone();
    assert!(flash.contains("already being sent"), "{flash}");
}

#[test]
fn a_user_who_cannot_approve_is_told_and_nothing_opens() {
    let mut m = model(false);
    assert!(press(&mut m, KeyCode::Char('a')).is_empty());
    assert!(m.dialog.is_none());
    assert!(
        m.flash
            .as_ref()
            .unwrap()
            .text
            .contains("not a required reviewer")
    );
    insta::assert_snapshot!("gates_view_cannot_approve", render(&m).backend());
}

#[test]
fn gates_view_comment_and_phrase_snapshots() {
    let mut m = model(true);
    assert_eq!(m.screen, Screen::Gates);
    insta::assert_snapshot!("gates_view", render(&m).backend());
    press(&mut m, KeyCode::Char('a'));
    insta::assert_snapshot!("gates_comment_prompt", render(&m).backend());
    press(&mut m, KeyCode::Enter);
    typed(&mut m, "production v1.4");
    assert!(matches!(&m.dialog, Some(Dialog::Phrase(p)) if !p.matches()));
    insta::assert_snapshot!("gates_phrase_disabled", render(&m).backend());
    typed(&mut m, ".0");
    assert!(matches!(&m.dialog, Some(Dialog::Phrase(p)) if p.matches()));
    insta::assert_snapshot!("gates_phrase_enabled", render(&m).backend());
}

#[test]
fn the_header_counts_gates_on_every_view() {
    let mut m = model(true);
    press(&mut m, KeyCode::Char('1'));
    let t = render(&m);
    let header: String = (0..110)
        .map(|x| t.backend().buffer()[(x, 0)].symbol().to_string())
        .collect();
    assert!(header.contains("⏸ 1 gate (3)"), "{header}");
}
