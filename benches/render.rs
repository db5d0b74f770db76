//! Frame rendering cost: 500 runs × 40 jobs at 200×60, the yardstick.
//! Run: `cargo bench --bench render`. Figures go in docs/performance.md.

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use cockpit::fixtures::{big_model, t0};
use cockpit::msg::Msg;
use cockpit::theme::Theme;
use cockpit::update::update;
use cockpit::view;

fn bench(c: &mut Criterion) {
    let theme = Theme::builtin("default").unwrap_or_else(|_| Theme::no_color());
    let now = t0();
    let mut model = big_model(500, 40, now);
    update(
        &mut model,
        Msg::Resize {
            width: 200,
            height: 60,
        },
        now,
    );
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap_or_else(|e| panic!("{e}"));

    c.bench_function("runs view, 500 runs, 200x60", |b| {
        b.iter(|| {
            terminal
                .draw(|f| view::draw(f, &model, &theme, now))
                .map(|_| ())
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });

    let mut moving = model.clone();
    c.bench_function("runs view, key j + redraw, 500 runs", |b| {
        b.iter(|| {
            update(
                &mut moving,
                Msg::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE)),
                now,
            );
            terminal
                .draw(|f| view::draw(f, &moving, &theme, now))
                .map(|_| ())
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });

    let mut detail = model.clone();
    update(
        &mut detail,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        now,
    );
    c.bench_function("run detail, 40 jobs x 8 steps, 200x60", |b| {
        b.iter(|| {
            terminal
                .draw(|f| view::draw(f, &detail, &theme, now))
                .map(|_| ())
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });

    c.bench_function("rebuild runs list, 500 runs", |b| {
        let mut m = model.clone();
        b.iter(|| m.rebuild_runs())
    });

    // A 50 MB log: index once, then draw a screen of it.
    let line = b"2026-11-22T10:00:01.1234567Z test cart::tests::applies_discount ... ok\n";
    let mut bytes = Vec::with_capacity(50 * 1024 * 1024);
    while bytes.len() < 50 * 1024 * 1024 {
        bytes.extend_from_slice(line);
    }
    let mut group = c.benchmark_group("log");
    group.sample_size(10);
    group.bench_function("index a 50 MB log", |b| {
        b.iter(|| cockpit::model::log_text::LogText::new(bytes.clone()))
    });
    let text = cockpit::model::log_text::LogText::new(bytes.clone());
    group.bench_function("search a 50 MB log (no match)", |b| {
        b.iter(|| text.find_next("##[error]", 0))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
