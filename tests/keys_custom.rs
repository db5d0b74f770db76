//! `[keys]` in force: a rebound key performs its action and the old one no longer does, typed
//! text is never taken for a key, help and the footer show the keymap in force, and
//! docs/config.md lists exactly the action names the code knows.

use std::path::Path;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use cockpit::config;
use cockpit::fixtures::{model_with_runs, release_day, t0};
use cockpit::keymap::{ACTIONS, Keymap};
use cockpit::model::{Dialog, Model};
use cockpit::msg::{Cmd, Msg, MutationKind};
use cockpit::theme::Theme;
use cockpit::update::update;
use cockpit::view;

const CUSTOM: &str = r#"
[[repo]]
name = "acme/shop"

[keys]
quit = "Q"
help = ["F1", "?"]
palette = ";"
rerun_failed = "r"
filter = "f"
approve = ["A", "ctrl-a"]
back = "h"
view_gates = "F3"
"#;

fn custom_keymap() -> Keymap {
    let cfg = config::parse_str(CUSTOM, Path::new("custom.toml")).unwrap();
    cockpit::tui::keymap(&cfg)
}

fn model(w: u16, h: u16) -> Model {
    let mut m = model_with_runs(release_day(t0()), t0());
    m.keymap = Arc::new(custom_keymap());
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

fn press(m: &mut Model, code: KeyCode) -> Vec<Cmd> {
    update(m, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), t0())
}

fn select(m: &mut Model, number: u64) {
    m.selected = m
        .visible
        .iter()
        .position(|&i| m.runs[i].run.run_number == number)
        .unwrap();
}

#[test]
fn initial_model_applies_the_configs_keys() {
    let cfg = config::parse_str(CUSTOM, Path::new("custom.toml")).unwrap();
    let mut m = cockpit::tui::initial_model(&cfg, false, t0());
    assert!(press(&mut m, KeyCode::Char('q')).is_empty());
    assert!(!m.quit);
    assert_eq!(press(&mut m, KeyCode::Char('Q')), vec![Cmd::Quit]);
}

#[test]
fn a_rebound_key_acts_and_the_old_key_no_longer_does() {
    let mut m = model(120, 20);
    select(&mut m, 312); // CI #312 failed: re-runnable
    assert!(press(&mut m, KeyCode::Char('e')).is_empty());
    assert_eq!(m.dialog, None, "e is no longer re-run failed");
    press(&mut m, KeyCode::Char('r'));
    let Some(Dialog::Confirm(mutation)) = &m.dialog else {
        panic!("r should ask to re-run, got {:?}", m.dialog);
    };
    assert_eq!(mutation.kind, MutationKind::RerunFailed);
    press(&mut m, KeyCode::Esc);

    // Quit moved from q to Q; ctrl-c is reserved and still quits.
    assert!(press(&mut m, KeyCode::Char('q')).is_empty());
    assert!(!m.quit);
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    let mut other = model(120, 20);
    assert_eq!(update(&mut other, Msg::Key(ctrl_c), t0()), vec![Cmd::Quit]);
    assert_eq!(press(&mut m, KeyCode::Char('Q')), vec![Cmd::Quit]);
}

#[test]
fn messages_name_the_key_in_force() {
    let mut m = model_with_runs(release_day(t0()), t0());
    m.keymap = Arc::new(custom_keymap());
    m.gates.clear();
    m.flash = None;
    update(&mut m, Msg::Tick, t0());
    let flash = m.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(flash.ends_with("F3 shows gates"), "{flash}");
    press(&mut m, KeyCode::F(3));
    assert_eq!(m.screen, cockpit::model::Screen::Gates);
}

#[test]
fn typed_text_is_never_taken_for_a_rebound_key() {
    let mut m = model(120, 20);
    // `f` opens the filter; the `f`, `r` and `Q` typed into it are text.
    press(&mut m, KeyCode::Char('f'));
    assert!(m.input.is_some(), "f opens the filter");
    for c in "frQ".chars() {
        press(&mut m, KeyCode::Char(c));
    }
    assert_eq!(m.input.as_ref().map(|i| i.text.as_str()), Some("frQ"));
    assert!(!m.quit && m.dialog.is_none());
    press(&mut m, KeyCode::Esc);

    // `;` opens the palette; `:` no longer does.
    press(&mut m, KeyCode::Char(':'));
    assert!(m.palette.is_none());
    press(&mut m, KeyCode::Char(';'));
    for c in "Qh?".chars() {
        press(&mut m, KeyCode::Char(c));
    }
    assert_eq!(m.palette.as_ref().map(|p| p.text.as_str()), Some("Qh?"));
    assert!(!m.quit && m.dialog.is_none());
}

#[test]
fn help_opens_and_closes_with_its_own_keys() {
    let mut m = model(120, 50);
    press(&mut m, KeyCode::F(1));
    assert_eq!(m.dialog, Some(Dialog::Help));
    // q means nothing now; Q (quit's key) closes help without quitting.
    press(&mut m, KeyCode::Char('q'));
    assert_eq!(m.dialog, Some(Dialog::Help));
    assert!(press(&mut m, KeyCode::Char('Q')).is_empty());
    assert_eq!(m.dialog, None);
    assert!(!m.quit);
}

fn screen_text(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                + "\n"
        })
        .collect()
}

#[test]
fn help_and_footer_show_the_keymap_in_force() {
    let theme = Theme::builtin("default").unwrap();
    let wide = model(220, 10);
    let mut t = Terminal::new(TestBackend::new(220, 10)).unwrap();
    t.draw(|f| view::draw(f, &wide, &theme, t0())).unwrap();
    let footer = screen_text(&t)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string();
    assert!(footer.contains("Q quit"), "{footer}");
    assert!(footer.contains("F1 help"), "{footer}");
    assert!(footer.contains("; command palette"), "{footer}");
    assert!(footer.contains("f filter runs"), "{footer}");

    let mut m = model(100, 50);
    let mut t = Terminal::new(TestBackend::new(100, 50)).unwrap();
    press(&mut m, KeyCode::Char('?'));
    t.draw(|f| view::draw(f, &m, &theme, t0())).unwrap();
    let text = screen_text(&t);
    assert!(text.contains("F1 ?"), "help lists both help keys");
    assert!(text.contains("A C-a"), "help lists both approve keys");
    assert!(!text.contains("  q    "), "q is bound to nothing");
    insta::assert_snapshot!("help_under_a_custom_keymap", t.backend());
}

/// The `[keys]` action table of docs/config.md, generated from the code: if this fails,
/// paste the expected table (printed below) into docs/config.md.
#[test]
fn docs_list_exactly_the_action_names() {
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/config.md"))
            .unwrap();
    let expected = cockpit::keymap::docs_table();
    assert!(
        docs.contains(&expected),
        "docs/config.md's [keys] table is out of date; expected:\n\n{expected}"
    );
    // And no action is documented that the code does not know.
    let section = docs
        .split("## `[keys]`")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap_or_default();
    let documented: Vec<&str> = section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .collect();
    let names: Vec<&str> = ACTIONS.iter().map(|a| a.name).collect();
    assert_eq!(documented, names);
}
