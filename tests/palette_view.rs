//! The palette drawn: a long inline error wraps under the box instead of being cut, the line
//! keeps the text to fix, and the hint offers the history once there is one.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use cockpit::fixtures::{model_with_runs, release_day, t0};
use cockpit::model::Model;
use cockpit::msg::Msg;
use cockpit::theme::Theme;
use cockpit::update::update;
use cockpit::view;

fn model(w: u16, h: u16) -> Model {
    let mut m = model_with_runs(release_day(t0()), t0());
    update(
        &mut m,
        Msg::Resize {
            width: w,
            height: h,
        },
        t0(),
    );
    m
}

fn key(m: &mut Model, c: KeyCode) {
    update(m, Msg::Key(KeyEvent::new(c, KeyModifiers::NONE)), t0());
}

fn type_line(m: &mut Model, line: &str) {
    for c in line.chars() {
        key(m, KeyCode::Char(c));
    }
}

fn render(m: &Model, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let theme = Theme::builtin("default").unwrap();
    t.draw(|f| view::draw(f, m, &theme, t0())).unwrap();
    t
}

fn rows(t: &Terminal<TestBackend>) -> Vec<String> {
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect())
        .collect()
}

#[test]
fn an_unknown_command_wraps_its_reason_above_the_line_it_keeps() {
    let mut m = model(72, 16);
    m.palette_history = vec!["logs 9002".into()];
    key(&mut m, KeyCode::Char(':'));
    type_line(&mut m, "deploy production now");
    key(&mut m, KeyCode::Enter);
    let t = render(&m, 72, 16);
    let screen = rows(&t);
    assert!(
        screen.iter().any(|r| r.contains("quit")),
        "the whole list of commands is shown, wrapped: {screen:#?}"
    );
    let last = screen.last().cloned().unwrap_or_default();
    assert!(last.starts_with(":deploy production now"), "{last}");
    assert!(last.contains("↑↓ history"), "{last}");
    insta::assert_snapshot!("palette_unknown_command_wraps", t.backend());
}
