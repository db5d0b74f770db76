//! Every screen and dialog rendered over `TestBackend` with a fixed clock. Text snapshots
//! (insta) pin layout and wording; colours that carry meaning are checked on the buffer.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

use cockpit::fixtures::{job, model_with_runs, release_day, t0};
use cockpit::github::error::ApiError;
use cockpit::github::{Fetched, RateInfo};
use cockpit::model::log_text::LogText;
use cockpit::model::{Model, SourceKey};
use cockpit::msg::Msg;
use cockpit::theme::Theme;
use cockpit::update::update;
use cockpit::view;

fn render(m: &Model, theme: &Theme, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| view::draw(f, m, theme, t0())).unwrap();
    terminal
}

fn theme() -> Theme {
    Theme::builtin("default").unwrap()
}

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
    m.rate = Some(RateInfo {
        limit: 5000,
        remaining: 4990,
        reset: None,
        used: 10,
    });
    m
}

fn key(m: &mut Model, c: KeyCode) {
    update(m, Msg::Key(KeyEvent::new(c, KeyModifiers::NONE)), t0());
}

fn select(m: &mut Model, number: u64) {
    m.selected = m
        .visible
        .iter()
        .position(|&i| m.runs[i].run.run_number == number)
        .unwrap();
}

fn open_failed_run(m: &mut Model) {
    select(m, 312);
    key(m, KeyCode::Enter);
    let jobs = vec![
        job(11, 9002, "lint", 4, None, t0()),
        job(12, 9002, "test", 6, Some(4), t0()),
    ];
    update(
        m,
        Msg::Jobs {
            repo: "acme/shop".into(),
            run_id: 9002,
            result: Ok(Fetched {
                value: jobs,
                not_modified: false,
            }),
        },
        t0(),
    );
}

/// The colour of the first cell on `row` whose symbol is `symbol`.
fn fg_of(t: &Terminal<TestBackend>, row: u16, symbol: &str) -> Color {
    let buf = t.backend().buffer();
    (0..buf.area.width)
        .map(|x| &buf[(x, row)])
        .find(|c| c.symbol() == symbol)
        .map(|c| c.fg)
        .unwrap_or_else(|| panic!("no {symbol:?} on row {row}"))
}

#[test]
fn runs_view() {
    let m = model(120, 14);
    let t = render(&m, &theme(), 120, 14);
    insta::assert_snapshot!(t.backend());
    // Meaning carried by colour too: failure red, success green, in progress "running".
    let th = theme();
    let row_of = |n: &str| {
        let buf = t.backend().buffer();
        (0..14u16)
            .find(|&y| {
                (0..120u16)
                    .map(|x| buf[(x, y)].symbol())
                    .collect::<String>()
                    .contains(n)
            })
            .unwrap()
    };
    assert_eq!(fg_of(&t, row_of("#312"), "✗"), th.fail);
    assert_eq!(fg_of(&t, row_of("#311"), "✓"), th.ok);
    assert_eq!(fg_of(&t, row_of("#8 "), "⏸"), th.warn);
}

#[test]
fn runs_view_narrow_terminal() {
    let m = model(80, 12);
    insta::assert_snapshot!(render(&m, &theme(), 80, 12).backend());
}

#[test]
fn runs_view_filtered_with_no_match() {
    let mut m = model(100, 8);
    key(&mut m, KeyCode::Char('/'));
    for c in "zzz".chars() {
        key(&mut m, KeyCode::Char(c));
    }
    insta::assert_snapshot!(render(&m, &theme(), 100, 8).backend());
}

#[test]
fn runs_view_stale_after_a_failed_poll() {
    let mut m = model(120, 8);
    let source = SourceKey {
        repo: "acme/shop".into(),
        workflow: None,
        branch: None,
    };
    update(&mut m, Msg::Tick, t0() + chrono::Duration::seconds(20));
    update(
        &mut m,
        Msg::Runs {
            source,
            result: Err(ApiError::Http {
                status: 502,
                message: "Bad Gateway".into(),
            }),
        },
        t0(),
    );
    insta::assert_snapshot!(render(&m, &theme(), 120, 8).backend());
}

#[test]
fn runs_view_rate_limited() {
    let mut m = model(120, 6);
    let source = SourceKey {
        repo: "acme/shop".into(),
        workflow: None,
        branch: None,
    };
    update(&mut m, Msg::Tick, t0() + chrono::Duration::seconds(20));
    let until = t0() + chrono::Duration::seconds(42);
    update(
        &mut m,
        Msg::Runs {
            source,
            result: Err(ApiError::RateLimited {
                until,
                secondary: true,
                message: "secondary".into(),
            }),
        },
        t0(),
    );
    insta::assert_snapshot!(render(&m, &theme(), 120, 6).backend());
}

#[test]
fn run_detail_with_failed_step() {
    let mut m = model(100, 20);
    open_failed_run(&mut m);
    let t = render(&m, &theme(), 100, 20);
    insta::assert_snapshot!(t.backend());
}

#[test]
fn log_view_on_first_error() {
    let mut m = model(100, 12);
    open_failed_run(&mut m);
    key(&mut m, KeyCode::Char('l'));
    let mut text = String::new();
    for i in 0..30 {
        text.push_str(&format!("2026-11-22T09:50:{i:02}.0000000Z line {i}\n"));
    }
    text.push_str(
        "2026-11-22T09:50:31.0000000Z test cart::tests::rejects_expired_coupon ... FAILED\n",
    );
    text.push_str("2026-11-22T09:50:32.0000000Z ##[error]Process completed with exit code 101.\n");
    update(
        &mut m,
        Msg::Log {
            job_id: 12,
            result: Ok(Arc::new(LogText::new(text.into_bytes()))),
        },
        t0(),
    );
    let t = render(&m, &theme(), 100, 12);
    insta::assert_snapshot!(t.backend());
}

#[test]
fn log_view_load_error() {
    let mut m = model(100, 6);
    open_failed_run(&mut m);
    key(&mut m, KeyCode::Char('l'));
    update(
        &mut m,
        Msg::Log {
            job_id: 12,
            result: Err(ApiError::NotFound {
                what: "/repos/acme/shop/actions/jobs/12/logs".into(),
            }),
        },
        t0(),
    );
    insta::assert_snapshot!(render(&m, &theme(), 100, 6).backend());
}

#[test]
fn confirm_dialog() {
    let mut m = model(100, 12);
    select(&mut m, 312);
    key(&mut m, KeyCode::Char('e'));
    insta::assert_snapshot!(render(&m, &theme(), 100, 12).backend());
}

#[test]
fn help_dialog_lists_the_keymap() {
    let mut m = model(100, 50);
    key(&mut m, KeyCode::Char('?'));
    let t = render(&m, &theme(), 100, 50);
    insta::assert_snapshot!(t.backend());
}

#[test]
fn no_color_theme_keeps_symbols() {
    let m = model(120, 12);
    let t = render(&m, &Theme::no_color(), 120, 12);
    let buf = t.backend().buffer();
    let text: String = (0..12u16)
        .flat_map(|y| (0..120u16).map(move |x| (x, y)))
        .map(|p| buf[p].symbol().to_string())
        .collect();
    assert!(text.contains('✗') && text.contains('⏸'));
    let coloured: Vec<_> = buf
        .content()
        .iter()
        .filter(|c| c.fg != Color::Reset || c.bg != Color::Reset)
        .map(|c| (c.symbol().to_string(), c.fg, c.bg))
        .collect();
    assert!(coloured.is_empty(), "{coloured:?}");
}

#[test]
fn palette_lists_commands_on_an_empty_line() {
    let mut m = model(100, 20);
    key(&mut m, KeyCode::Char(':'));
    insta::assert_snapshot!(render(&m, &theme(), 100, 20).backend());
}

#[test]
fn palette_completion_and_error() {
    let mut m = model(100, 16);
    key(&mut m, KeyCode::Char(':'));
    for c in "logs 900".chars() {
        key(&mut m, KeyCode::Char(c));
    }
    key(&mut m, KeyCode::Tab);
    insta::assert_snapshot!(
        "palette_completion",
        render(&m, &theme(), 100, 16).backend()
    );
    key(&mut m, KeyCode::Esc);
    key(&mut m, KeyCode::Char(':'));
    for c in "logs 1".chars() {
        key(&mut m, KeyCode::Char(c));
    }
    key(&mut m, KeyCode::Enter);
    let t = render(&m, &theme(), 100, 16);
    insta::assert_snapshot!("palette_error", t.backend());
    assert_eq!(
        fg_of(&t, 13, "r"),
        theme().fail,
        "the reason is in the error colour"
    );
}

#[test]
fn help_in_two_columns_on_a_wide_terminal_lists_every_section() {
    let mut m = model(130, 40);
    key(&mut m, KeyCode::Char('?'));
    let t = render(&m, &theme(), 130, 40);
    let text: String = t
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    for section in ["Everywhere", "Runs", "Environments", "Gates", "Activity"] {
        assert!(text.contains(section), "{section} missing from help");
    }
    assert!(text.contains("approve the gate"));
    insta::assert_snapshot!(t.backend());
}
