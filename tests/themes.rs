//! Themes: every file in `themes/` is built in and sets every named colour; each theme is
//! legible (WCAG contrast of its text colours on its background and on the selected row);
//! the colour-blind theme keeps ok, warn and fail apart under simulated red-green colour
//! blindness; every view renders under every theme with the same text (colour only adds to
//! symbols and words) and every glyph drawn is legible; `:theme` switches live and a bad or
//! unknown theme keeps the current one; user themes load from a directory.
//!
//! Colours are judged as a typical terminal shows them: the 16 named colours as xterm's
//! palette, indices 16-255 as the standard cube and grey ramp, and `reset` as a dark terminal
//! (#1e1e1e background, #d4d4d4 text), which is what the themes that keep the terminal's own
//! background (`default`, `colorblind`) are made for.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Duration as CDuration;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use palette::color_difference::{Ciede2000, Wcag21RelativeContrast};
use palette::{FromColor, Lab, LinSrgb, Srgb};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};
use serde_json::json;
use unicode_width::UnicodeWidthStr;

use cockpit::audit::{AuditAction, AuditEntry, AuditRecord, Outcome};
use cockpit::config;
use cockpit::fixtures::{job, release_day, t0};
use cockpit::github::{DeploymentState, Fetched};
use cockpit::health::ProbeOutcome;
use cockpit::model::log_text::LogText;
use cockpit::model::{Model, SourceKey};
use cockpit::msg::{Cmd, GateData, Msg};
use cockpit::remote::RemoteEvent;
use cockpit::theme::{Catalog, Theme, ThemeError};
use cockpit::update::update;
use cockpit::view;

// ---- colours as a terminal shows them ----------------------------------------------------

const TERMINAL_BG: (u8, u8, u8) = (0x1e, 0x1e, 0x1e);
const TERMINAL_FG: (u8, u8, u8) = (0xd4, 0xd4, 0xd4);

/// xterm's 16 colours, in ANSI order.
const XTERM: [(u8, u8, u8); 16] = [
    (0, 0, 0),
    (205, 0, 0),
    (0, 205, 0),
    (205, 205, 0),
    (0, 0, 238),
    (205, 0, 205),
    (0, 205, 205),
    (229, 229, 229),
    (127, 127, 127),
    (255, 0, 0),
    (0, 255, 0),
    (255, 255, 0),
    (92, 92, 255),
    (255, 0, 255),
    (0, 255, 255),
    (255, 255, 255),
];

fn indexed(i: u8) -> (u8, u8, u8) {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    match i {
        0..=15 => XTERM[usize::from(i)],
        16..=231 => {
            let i = usize::from(i - 16);
            (LEVELS[i / 36], LEVELS[(i / 6) % 6], LEVELS[i % 6])
        }
        _ => {
            let g = 8 + 10 * (i - 232);
            (g, g, g)
        }
    }
}

/// What `c` looks like; `reset` is the terminal's background or text colour.
fn rgb(c: Color, as_background: bool) -> Srgb<f32> {
    let (r, g, b) = match c {
        Color::Reset if as_background => TERMINAL_BG,
        Color::Reset => TERMINAL_FG,
        Color::Black => indexed(0),
        Color::Red => indexed(1),
        Color::Green => indexed(2),
        Color::Yellow => indexed(3),
        Color::Blue => indexed(4),
        Color::Magenta => indexed(5),
        Color::Cyan => indexed(6),
        Color::Gray => indexed(7),
        Color::DarkGray => indexed(8),
        Color::LightRed => indexed(9),
        Color::LightGreen => indexed(10),
        Color::LightYellow => indexed(11),
        Color::LightBlue => indexed(12),
        Color::LightMagenta => indexed(13),
        Color::LightCyan => indexed(14),
        Color::White => indexed(15),
        Color::Indexed(i) => indexed(i),
        Color::Rgb(r, g, b) => (r, g, b),
    };
    Srgb::new(r, g, b).into_format()
}

fn contrast(text: Color, background: Color) -> f32 {
    rgb(text, false).relative_contrast(rgb(background, true))
}

/// The contrast every text colour must reach: WCAG AA (4.5:1) for `high-contrast`, 3:1 (AA
/// for large text, and the bar for bold status symbols) for the rest.
fn min_contrast(theme: &Theme) -> f32 {
    if theme.name == "high-contrast" {
        4.5
    } else {
        3.0
    }
}

/// The colours text is drawn in.
const TEXT: [&str; 8] = [
    "fg",
    "muted",
    "accent",
    "ok",
    "warn",
    "fail",
    "running",
    "protected",
];

fn colour(theme: &Theme, name: &str) -> Color {
    theme
        .colour(name)
        .unwrap_or_else(|| panic!("no colour {name}"))
}

fn builtins() -> Vec<Theme> {
    Theme::builtin_names()
        .into_iter()
        .map(|n| Theme::builtin(n).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

fn themes_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("themes")
}

// ---- theme files ---------------------------------------------------------------------------

#[test]
fn every_file_in_themes_is_built_in_and_sets_every_colour() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(themes_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut seen = Vec::new();
    for path in &files {
        assert_eq!(
            path.extension().and_then(|x| x.to_str()),
            Some("toml"),
            "{}: themes/ holds theme files only",
            path.display()
        );
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        assert!(
            Theme::builtin_names().contains(&name.as_str()),
            "{name} is in themes/ but not in BUILTIN"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let from_disk = cockpit::theme::parse(&name, &path.display().to_string(), &text)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(from_disk, Theme::builtin(&name).unwrap(), "{name}");
        for c in Theme::COLOURS {
            assert!(
                text.lines().any(|l| l.starts_with(&format!("{c} ="))),
                "{name} does not set {c}"
            );
        }
        seen.push(name);
    }
    assert_eq!(seen.len(), Theme::builtin_names().len(), "{seen:?}");
    for wanted in ["default", "light", "high-contrast", "colorblind"] {
        assert!(seen.iter().any(|n| n == wanted), "{wanted} missing");
    }
}

#[test]
fn a_theme_missing_any_colour_or_with_an_unknown_one_is_refused_by_name() {
    let text = std::fs::read_to_string(themes_dir().join("default.toml")).unwrap();
    for c in Theme::COLOURS {
        let without: String = text
            .lines()
            .filter(|l| !l.starts_with(&format!("{c} =")))
            .map(|l| format!("{l}\n"))
            .collect();
        let err = cockpit::theme::parse("mine", "mine.toml", &without)
            .unwrap_err()
            .to_string();
        assert!(err.contains(&format!("missing {c}")), "{c}: {err}");
        assert!(err.starts_with("mine.toml:"), "{err}");
    }
    let extra = format!("{text}border = \"gray\"\n");
    let err = cockpit::theme::parse("mine", "mine.toml", &extra)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown colour \"border\""), "{err}");
}

// ---- legibility of the palette ---------------------------------------------------------------

#[test]
fn every_text_colour_is_legible_on_the_background_and_the_selected_row() {
    let mut problems = Vec::new();
    for theme in builtins() {
        let min = min_contrast(&theme);
        for name in TEXT {
            for behind in ["bg", "selection_bg"] {
                let ratio = contrast(colour(&theme, name), colour(&theme, behind));
                if ratio < min {
                    problems.push(format!(
                        "{}: {name} on {behind} is {ratio:.2}:1",
                        theme.name
                    ));
                }
            }
        }
        // The header, and its badges (STALE, waiting gates): header_fg on warn.
        for (text, behind) in [("header_fg", "header_bg"), ("header_fg", "warn")] {
            let ratio = contrast(colour(&theme, text), colour(&theme, behind));
            if ratio < min {
                problems.push(format!(
                    "{}: {text} on {behind} is {ratio:.2}:1",
                    theme.name
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_legibility_check_catches_an_illegible_theme() {
    // Dark blue text on black: what the check is there to refuse.
    let mut theme = Theme::builtin("high-contrast").unwrap();
    theme.muted = Color::Indexed(17);
    assert!(contrast(theme.muted, theme.bg) < min_contrast(&theme));
}

// ---- colour blindness ------------------------------------------------------------------------

/// Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB.
const PROTANOPIA: [[f32; 3]; 3] = [
    [0.152_286, 1.052_583, -0.204_868],
    [0.114_503, 0.786_281, 0.099_216],
    [-0.003_882, -0.048_116, 1.051_998],
];
const DEUTERANOPIA: [[f32; 3]; 3] = [
    [0.367_322, 0.860_646, -0.227_968],
    [0.280_085, 0.672_501, 0.047_413],
    [-0.011_820, 0.042_940, 0.968_881],
];
const IDENTITY: [[f32; 3]; 3] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

fn seen_with(c: Color, m: &[[f32; 3]; 3]) -> Lab {
    let (r, g, b) = rgb(c, false).into_linear::<f32>().into_components();
    let row = |i: usize| (m[i][0] * r + m[i][1] * g + m[i][2] * b).clamp(0.0, 1.0);
    Lab::from_color(LinSrgb::new(row(0), row(1), row(2)))
}

/// The smallest CIEDE2000 difference between ok, warn and fail as seen through `m`.
fn closest_states(theme: &Theme, m: &[[f32; 3]; 3]) -> (f32, &'static str) {
    [
        ("ok/fail", theme.ok, theme.fail),
        ("ok/warn", theme.ok, theme.warn),
        ("warn/fail", theme.warn, theme.fail),
    ]
    .into_iter()
    .map(|(pair, a, b)| (seen_with(a, m).difference(seen_with(b, m)), pair))
    .min_by(|x, y| x.0.total_cmp(&y.0))
    .unwrap()
}

/// A ΔE00 of 20 is a difference of hue or lightness seen at a glance (2 is about the least
/// noticeable); the colour-blind theme keeps its state colours at least that far apart.
const DISTINCT: f32 = 20.0;

#[test]
fn the_colorblind_theme_keeps_ok_warn_and_fail_apart_without_red_green_vision() {
    let theme = Theme::builtin("colorblind").unwrap();
    for (vision, m) in [
        ("normal", &IDENTITY),
        ("protanopia", &PROTANOPIA),
        ("deuteranopia", &DEUTERANOPIA),
    ] {
        let (d, pair) = closest_states(&theme, m);
        assert!(d >= DISTINCT, "{vision}: {pair} only ΔE00 {d:.1} apart");
    }
    // Its success and failure are not green and red at all.
    for c in [theme.ok, theme.fail] {
        let (r, g, b) = rgb(c, false).into_format::<u8>().into_components();
        assert!(!(g > r && g > b), "{c:?} is green");
    }
}

#[test]
fn the_simulation_sees_why_the_default_theme_is_not_colour_blind_safe() {
    // Green and red collapse under deuteranopia: what the colorblind theme exists for (the
    // default theme still reads without colour, by its symbols).
    let (d, pair) = closest_states(&Theme::builtin("default").unwrap(), &DEUTERANOPIA);
    assert!(d < DISTINCT, "{pair}: ΔE00 {d:.1}");
}

// ---- every view under every theme --------------------------------------------------------------

const CONFIG: &str = r#"
[[repo]]
name = "acme/shop"

[[environment]]
name = "staging"
  [[environment.check]]
  name = "api"
  url = "http://127.0.0.1:1/api/health/"
  [environment.version]
  url = "http://127.0.0.1:1/version"

[[environment]]
name = "production"
protected = true
  [[environment.check]]
  name = "api"
  url = "http://127.0.0.1:1/api/health/"
  [[environment.check]]
  name = "web"
  url = "http://127.0.0.1:1/"
  [environment.version]
  url = "http://127.0.0.1:1/version"
  [environment.rollback]
  ssh = "deploy@prod-1.internal"
  command = ["/opt/shop/scripts/rollback.sh", "{version}"]
"#;

const W: u16 = 110;
const H: u16 = 26;

fn press(m: &mut Model, code: KeyCode) -> Vec<Cmd> {
    update(m, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), t0())
}

fn typed(m: &mut Model, text: &str) {
    for c in text.chars() {
        press(m, KeyCode::Char(c));
    }
}

fn deployment(id: u64, git_ref: &str, state: &str, hours_ago: i64) -> DeploymentState {
    let at = t0() - CDuration::hours(hours_ago);
    DeploymentState {
        deployment: serde_json::from_value(json!({"id": id, "sha": "a1b2c3d", "ref": git_ref, "task": "deploy", "environment": "production", "description": null, "creator": {"login": "carol-sre", "id": 3}, "created_at": at, "updated_at": at, "statuses_url": "u", "payload": {}, "original_environment": "production"})).unwrap(),
        status: serde_json::from_value(json!({"id": id * 10, "state": state, "description": null, "environment": "production", "creator": null, "created_at": at, "updated_at": at, "target_url": null, "log_url": null, "environment_url": null})).unwrap(),
    }
}

fn probe(m: &mut Model, env: usize, check: usize, result: Result<(), String>, s: i64) {
    let outcome = ProbeOutcome {
        http_status: Some(if result.is_ok() { 200 } else { 503 }),
        latency: Duration::from_millis(if result.is_ok() { 40 } else { 5000 }),
        result,
    };
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

fn audit(action: AuditAction, env: &str, outcome: Outcome, minutes_ago: i64) -> AuditEntry {
    let record = AuditRecord {
        ts: t0() - CDuration::minutes(minutes_ago),
        actor: "alice".into(),
        action,
        repo: "acme/shop".into(),
        environment: Some(env.into()),
        run_id: Some(9004),
        target: Some("v1.4.0".into()),
        comment: Some("looks good".into()),
        outcome,
        detail: (outcome == Outcome::Failed).then(|| "HTTP 422".into()),
    };
    AuditEntry::seal(record, String::new()).unwrap()
}

/// Release day: runs (one waiting on production, one failed), the gate read, staging up,
/// production protected and down, deployments, audit entries and events.
fn world() -> Model {
    let cfg = config::parse_str(CONFIG, Path::new("test.toml")).unwrap();
    let mut m = cockpit::tui::initial_model(&cfg, false, t0());
    m.actor = "alice".into();
    update(
        &mut m,
        Msg::Resize {
            width: W,
            height: H,
        },
        t0(),
    );
    update(
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
    update(&mut m, Msg::Tick, t0());
    let gate = GateData {
        pending: serde_json::from_value(json!([{
            "environment": {"id": 202, "name": "production", "html_url": "https://github.com/acme/shop"},
            "wait_timer": 5, "wait_timer_started_at": "2026-11-22T09:58:00Z",
            "current_user_can_approve": true,
            "reviewers": [{"type": "User", "reviewer": {"id": 1, "login": "carol-sre"}}]
        }]))
        .unwrap(),
        approvals: serde_json::from_value(json!([
            {"environments": [{"id": 201, "name": "staging"}], "state": "approved", "user": {"login": "dave", "id": 4}, "comment": "ok"},
            {"environments": [{"id": 201, "name": "staging"}], "state": "rejected", "user": {"login": "erin", "id": 5}, "comment": "not yet"}
        ]))
        .unwrap(),
    };
    update(
        &mut m,
        Msg::Gate {
            repo: "acme/shop".into(),
            run_id: 9004,
            result: Ok(gate),
        },
        t0(),
    );
    for (env, version) in [(0, "v1.4.0"), (1, "v1.3.2")] {
        update(
            &mut m,
            Msg::Version {
                env,
                result: Ok(version.into()),
            },
            t0(),
        );
        let list = vec![
            deployment(env as u64 * 10 + 3, version, "success", 1),
            deployment(env as u64 * 10 + 2, "v1.3.1", "failure", 26),
            deployment(env as u64 * 10 + 1, "v1.3.0", "inactive", 72),
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
    for s in 0..4 {
        probe(&mut m, 0, 0, Ok(()), s);
        probe(&mut m, 1, 1, Ok(()), s);
    }
    for s in 4..8 {
        probe(&mut m, 1, 0, Err("503 Service Unavailable".into()), s);
    }
    update(
        &mut m,
        Msg::Audit(Ok(vec![
            audit(AuditAction::Approve, "production", Outcome::Ok, 3),
            audit(AuditAction::Reject, "staging", Outcome::Failed, 5),
            audit(AuditAction::Rollback, "production", Outcome::Refused, 7),
            audit(AuditAction::Dispatch, "staging", Outcome::Intent, 9),
        ])),
        t0(),
    );
    m
}

/// Every screen and dialog, by name.
fn scenes() -> Vec<(&'static str, Model)> {
    let world = world();
    let mut scenes = Vec::new();
    let mut add = |name: &'static str, f: &dyn Fn(&mut Model)| {
        let mut m = world.clone();
        f(&mut m);
        scenes.push((name, m));
    };
    add("runs", &|_| {});
    add("runs, stale after a failed poll", &|m| {
        update(m, Msg::Tick, t0() + CDuration::seconds(40));
        update(
            m,
            Msg::Runs {
                source: SourceKey {
                    repo: "acme/shop".into(),
                    workflow: None,
                    branch: None,
                },
                result: Err(cockpit::github::error::ApiError::Http {
                    status: 502,
                    message: "Bad Gateway".into(),
                }),
            },
            t0(),
        );
    });
    add("runs, filtered to nothing", &|m| {
        press(m, KeyCode::Char('/'));
        typed(m, "zzz");
    });
    let open_failed_run = |m: &mut Model| {
        let pos = m
            .visible
            .iter()
            .position(|&i| m.runs[i].run.run_number == 312)
            .unwrap();
        m.selected = pos;
        press(m, KeyCode::Enter);
        update(
            m,
            Msg::Jobs {
                repo: "acme/shop".into(),
                run_id: 9002,
                result: Ok(Fetched {
                    value: vec![
                        job(11, 9002, "lint", 4, None, t0()),
                        job(12, 9002, "test", 6, Some(4), t0()),
                    ],
                    not_modified: false,
                }),
            },
            t0(),
        );
    };
    add("run detail", &open_failed_run);
    add("logs", &|m| {
        open_failed_run(m);
        press(m, KeyCode::Char('l'));
        let text = "2026-11-22T09:50:00.0000000Z running tests\n\
                    2026-11-22T09:50:01.0000000Z ##[group]cargo test\n\
                    2026-11-22T09:50:02.0000000Z test cart::tests::rejects_expired_coupon ... FAILED\n\
                    2026-11-22T09:50:03.0000000Z ##[error]Process completed with exit code 101.\n";
        update(
            m,
            Msg::Log {
                job_id: 12,
                result: Ok(std::sync::Arc::new(LogText::new(text.as_bytes().to_vec()))),
            },
            t0(),
        );
    });
    add("environments", &|m| {
        press(m, KeyCode::Char('2'));
    });
    add("environments, cutover unstable", &|m| {
        press(m, KeyCode::Char('2'));
        m.env_selected = 1;
        press(m, KeyCode::Char('w'));
        for s in 10..14 {
            probe(m, 1, 1, Err("timeout after 5s".into()), s);
        }
    });
    add("gates", &|m| {
        press(m, KeyCode::Char('3'));
    });
    add("gate comment", &|m| {
        press(m, KeyCode::Char('3'));
        press(m, KeyCode::Char('a'));
        typed(m, "ship it");
    });
    add("gate phrase, a typo", &|m| {
        press(m, KeyCode::Char('3'));
        press(m, KeyCode::Char('a'));
        typed(m, "ship it");
        press(m, KeyCode::Enter);
        typed(m, "prod x");
    });
    add("gate phrase, matching", &|m| {
        press(m, KeyCode::Char('3'));
        press(m, KeyCode::Char('a'));
        typed(m, "ship it");
        press(m, KeyCode::Enter);
        typed(m, "production v1.4.0");
    });
    add("activity", &|m| {
        press(m, KeyCode::Char('4'));
    });
    let rollback = |m: &mut Model| {
        press(m, KeyCode::Char('2'));
        m.env_selected = 1;
        press(m, KeyCode::Char('R'));
    };
    add("rollback picker", &rollback);
    add("rollback preflight", &|m| {
        rollback(m);
        press(m, KeyCode::Down);
        press(m, KeyCode::Enter);
        update(
            m,
            Msg::Compared {
                env: 1,
                target: "v1.3.1".into(),
                result: Ok(vec!["Release v1.3.2".into()]),
            },
            t0(),
        );
    });
    add("rollback running", &|m| {
        rollback(m);
        press(m, KeyCode::Down);
        press(m, KeyCode::Enter);
        press(m, KeyCode::Enter);
        let phrase = match &m.dialog {
            Some(cockpit::model::Dialog::Phrase(p)) => p.phrase.clone(),
            other => panic!("{other:?}"),
        };
        typed(m, &phrase);
        press(m, KeyCode::Enter);
        for (err, line) in [(false, "switching the symlink"), (true, "worker 3: slow")] {
            let event = if err {
                RemoteEvent::Stderr(line.into())
            } else {
                RemoteEvent::Stdout(line.into())
            };
            update(m, Msg::RollbackEvent { env: 1, event }, t0());
        }
    });
    add("confirm", &|m| {
        let pos = m
            .visible
            .iter()
            .position(|&i| m.runs[i].run.run_number == 312)
            .unwrap();
        m.selected = pos;
        press(m, KeyCode::Char('e'));
    });
    add("dispatch form", &|m| {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/workflows/deploy-production.yml"),
        )
        .unwrap();
        update(
            m,
            Msg::DispatchSpec {
                repo: "acme/shop".into(),
                workflow: "deploy-production.yml".into(),
                git_ref: "v1.4.0".into(),
                preset: vec![("version".into(), String::new())],
                result: Ok(cockpit::dispatch::parse_workflow(&text).unwrap()),
            },
            t0(),
        );
        press(m, KeyCode::Enter);
    });
    add("help", &|m| {
        press(m, KeyCode::Char('?'));
    });
    add("palette", &|m| {
        press(m, KeyCode::Char(':'));
    });
    add("palette completion", &|m| {
        press(m, KeyCode::Char(':'));
        typed(m, "theme ");
        press(m, KeyCode::Tab);
    });
    add("palette error", &|m| {
        press(m, KeyCode::Char(':'));
        typed(m, "theme nope");
        press(m, KeyCode::Enter);
    });
    add("an error in the footer", &|m| {
        update(
            m,
            Msg::ThemeSwitched {
                name: "mine".into(),
                result: Err("mine.toml:3:7: colour fail = \"x\" is not a colour".into()),
            },
            t0(),
        );
    });
    scenes
}

fn render(m: &Model, theme: &Theme) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(W, H)).unwrap();
    t.draw(|f| view::draw(f, m, theme, t0())).unwrap();
    t
}

fn text_of(t: &Terminal<TestBackend>) -> Vec<String> {
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect())
        .collect()
}

/// Every glyph that is not legible: (x, y, glyph, contrast).
fn illegible(t: &Terminal<TestBackend>, min: f32) -> Vec<(u16, u16, String, f32)> {
    let buf = t.backend().buffer();
    let mut out = Vec::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let cell = &buf[(x, y)];
            if cell.symbol().trim().is_empty() {
                continue;
            }
            let (mut text, mut behind) = (rgb(cell.fg, false), rgb(cell.bg, true));
            if cell.modifier.contains(Modifier::REVERSED) {
                std::mem::swap(&mut text, &mut behind);
            }
            let ratio = text.relative_contrast(behind);
            if ratio < min {
                out.push((x, y, cell.symbol().to_string(), ratio));
            }
        }
    }
    out
}

#[test]
fn every_view_reads_the_same_and_legibly_under_every_theme() {
    let mut themes = builtins();
    themes.push(Theme::no_color());
    let scenes = scenes();
    assert!(scenes.len() >= 20, "{} scenes", scenes.len());
    let mut problems = Vec::new();
    for (scene, m) in &scenes {
        let reference = text_of(&render(m, &themes[0]));
        for theme in &themes {
            let t = render(m, theme);
            // The same words and symbols whatever the colours: state never rides on colour
            // alone.
            let text = text_of(&t);
            for (y, (a, b)) in reference.iter().zip(&text).enumerate() {
                if a != b {
                    problems.push(format!(
                        "{scene} / {}: row {y} reads differently:\n  {a}\n  {b}",
                        theme.name
                    ));
                }
            }
            let bad = illegible(&t, min_contrast(theme));
            if let Some((x, y, glyph, ratio)) = bad.first() {
                problems.push(format!(
                    "{scene} / {}: {} glyphs below {}:1, first {glyph:?} at ({x}, {y}) {ratio:.2}:1",
                    theme.name,
                    bad.len(),
                    min_contrast(theme)
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn themes_with_their_own_background_paint_all_of_the_screen_and_every_popup() {
    let light = Theme::builtin("light").unwrap();
    for (scene, m) in scenes() {
        let t = render(&m, &light);
        let buf = t.backend().buffer();
        // The cell after a wide glyph (🔒) is covered by it, not drawn.
        let covered = |x: u16, y: u16| x > 0 && buf[(x - 1, y)].symbol().width() > 1;
        let unpainted = (0..H)
            .flat_map(|y| (0..W).map(move |x| (x, y)))
            .filter(|&(x, y)| buf[(x, y)].bg == Color::Reset && !covered(x, y))
            .count();
        assert_eq!(
            unpainted, 0,
            "{scene}: {unpainted} cells show the terminal's background"
        );
    }
}

#[test]
fn state_symbols_are_in_the_theme_colours() {
    // The symbols carry the meaning; the colour follows the theme that is on.
    let m = world();
    for theme in builtins() {
        let t = render(&m, &theme);
        let buf = t.backend().buffer();
        let find = |symbol: &str, number: &str| {
            let y = (0..H)
                .find(|&y| text_of(&t)[usize::from(y)].contains(number))
                .unwrap_or_else(|| panic!("no {number}"));
            (0..W)
                .map(|x| &buf[(x, y)])
                .find(|c| c.symbol() == symbol)
                .map(|c| c.fg)
                .unwrap_or_else(|| panic!("no {symbol} on the row of {number}"))
        };
        assert_eq!(find("✗", "#312"), theme.fail, "{}", theme.name);
        assert_eq!(find("✓", "#311"), theme.ok, "{}", theme.name);
        assert_eq!(find("⏸", "#8 "), theme.warn, "{}", theme.name);
    }
}

#[test]
fn protected_environments_carry_the_accent_and_the_marker_wherever_they_are_named() {
    let theme = Theme::builtin("default").unwrap();
    let fg_of = |t: &Terminal<TestBackend>, needle: &str| -> Vec<Color> {
        let text = text_of(t);
        let buf = t.backend().buffer();
        text.iter()
            .enumerate()
            .filter_map(|(y, row)| {
                let col = row.find(needle)?;
                // Columns are cells: count the characters before the match.
                let x = row[..col].chars().count() as u16;
                Some(buf[(x, y as u16)].fg)
            })
            .collect()
    };
    for (scene, keys) in [
        ("gates", vec![KeyCode::Char('3')]),
        ("activity", vec![KeyCode::Char('4')]),
        ("comment", vec![KeyCode::Char('3'), KeyCode::Char('a')]),
    ] {
        let mut m = world();
        for k in keys {
            press(&mut m, k);
        }
        let t = render(&m, &theme);
        let marked = fg_of(&t, "production 🔒");
        assert!(!marked.is_empty(), "{scene}: no marked production");
        assert!(
            marked.iter().all(|c| *c == theme.protected),
            "{scene}: {marked:?}"
        );
        assert!(
            !text_of(&t).iter().any(|r| r.contains("staging 🔒")),
            "{scene}: staging is not protected"
        );
    }
}

// ---- switching, and user themes ----------------------------------------------------------------

fn user_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let light = std::fs::read_to_string(themes_dir().join("light.toml")).unwrap();
    std::fs::write(
        dir.path().join("mine.toml"),
        light.replace("fail = \"160\"", "fail = \"124\""),
    )
    .unwrap();
    let default = std::fs::read_to_string(themes_dir().join("default.toml")).unwrap();
    std::fs::write(
        dir.path().join("default.toml"),
        default.replace("fail = \"lightred\"", "fail = \"#ff5555\""),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("broken.toml"),
        default.replace("ok = \"green\"", "ok = \"greenish\""),
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a theme").unwrap();
    std::fs::write(dir.path().join("has space.toml"), "").unwrap();
    dir
}

#[test]
fn user_themes_are_listed_and_loaded_and_replace_built_ins_of_their_name() {
    let dir = user_dir();
    let themes = Catalog::new(Some(dir.path().to_owned()));
    assert_eq!(
        themes.names(),
        [
            "default",
            "light",
            "high-contrast",
            "colorblind",
            "broken",
            "mine"
        ]
    );
    let mine = themes.load("mine").unwrap();
    assert_eq!(mine.name, "mine");
    assert_eq!(mine.fail, Color::Indexed(124));
    assert_eq!(
        themes.load("default").unwrap().fail,
        Color::Rgb(0xff, 0x55, 0x55)
    );
    assert_eq!(
        Catalog::builtin_only().load("default").unwrap().fail,
        Color::LightRed
    );
    match themes.load("broken") {
        Err(ThemeError::Invalid {
            origin,
            line,
            message,
            ..
        }) => {
            assert_eq!(origin, dir.path().join("broken.toml").display().to_string());
            assert_eq!(line, 12);
            assert!(message.contains("greenish"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // No directory at all is no user themes, not an error.
    let none = Catalog::new(Some(dir.path().join("missing")));
    assert_eq!(none.names().len(), Theme::builtin_names().len());
}

fn with_user_themes() -> (tempfile::TempDir, Catalog, Model) {
    let dir = user_dir();
    let themes = Catalog::new(Some(dir.path().to_owned()));
    let mut m = world();
    m.themes = themes.names();
    (dir, themes, m)
}

#[test]
fn colon_theme_switches_live_and_says_so() {
    let (_dir, themes, mut m) = with_user_themes();
    press(&mut m, KeyCode::Char(':'));
    typed(&mut m, "theme light");
    let cmds = press(&mut m, KeyCode::Enter);
    assert_eq!(cmds, vec![Cmd::SetTheme("light".into())]);
    assert!(m.palette.is_none());
    // The loop loads it and answers; the next frame is in the new colours.
    let light = themes.load("light").unwrap();
    update(
        &mut m,
        Msg::ThemeSwitched {
            name: "light".into(),
            result: Ok(()),
        },
        t0(),
    );
    assert_eq!(
        m.flash.as_ref().map(|f| f.text.as_str()),
        Some("theme: light")
    );
    let t = render(&m, &light);
    assert_eq!(t.backend().buffer()[(0, 5)].bg, light.bg);
    // A user theme is named the same way.
    press(&mut m, KeyCode::Char(':'));
    typed(&mut m, "theme mine");
    assert_eq!(
        press(&mut m, KeyCode::Enter),
        vec![Cmd::SetTheme("mine".into())]
    );
}

#[test]
fn colon_theme_with_an_unknown_name_keeps_the_theme_and_lists_the_others() {
    let (_dir, _themes, mut m) = with_user_themes();
    press(&mut m, KeyCode::Char(':'));
    typed(&mut m, "theme nope");
    let cmds = press(&mut m, KeyCode::Enter);
    assert!(cmds.is_empty(), "{cmds:?}");
    let err = m.palette.as_ref().and_then(|p| p.error.clone()).unwrap();
    assert!(err.contains("no theme \"nope\""), "{err}");
    assert!(err.contains("colorblind") && err.contains("mine"), "{err}");
    let t = render(&m, &Theme::builtin("default").unwrap());
    assert!(
        text_of(&t)
            .iter()
            .any(|r| r.contains("✗ no theme \"nope\"")),
        "the reason is on screen"
    );
}

#[test]
fn a_theme_that_does_not_load_is_reported_in_the_footer() {
    let (_dir, themes, mut m) = with_user_themes();
    press(&mut m, KeyCode::Char(':'));
    typed(&mut m, "theme broken");
    assert_eq!(
        press(&mut m, KeyCode::Enter),
        vec![Cmd::SetTheme("broken".into())]
    );
    let err = themes.load("broken").unwrap_err().to_string();
    update(
        &mut m,
        Msg::ThemeSwitched {
            name: "broken".into(),
            result: Err(err),
        },
        t0(),
    );
    let t = render(&m, &Theme::builtin("default").unwrap());
    let footer = &text_of(&t)[usize::from(H) - 1];
    assert!(
        footer.starts_with("✗ theme broken not loaded: ") && footer.contains("broken.toml:12:"),
        "{footer}"
    );
}

#[test]
fn tab_completes_user_themes_too() {
    let (_dir, _themes, mut m) = with_user_themes();
    press(&mut m, KeyCode::Char(':'));
    typed(&mut m, "theme m");
    press(&mut m, KeyCode::Tab);
    assert_eq!(
        m.palette.as_ref().map(|p| p.text.as_str()),
        Some("theme mine ")
    );
    press(&mut m, KeyCode::Esc);
    press(&mut m, KeyCode::Char(':'));
    typed(&mut m, "theme ");
    press(&mut m, KeyCode::Tab);
    let options = m
        .palette
        .as_ref()
        .and_then(|p| p.completion.as_ref())
        .map(|c| c.options.clone())
        .unwrap_or_default();
    assert_eq!(options, m.themes);
}

#[test]
fn the_user_guide_names_every_colour_and_every_built_in() {
    let guide =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/user-guide.md"))
            .unwrap();
    for name in Theme::COLOURS.iter().chain(&Theme::builtin_names()) {
        assert!(
            guide.contains(&format!("`{name}`")),
            "docs/user-guide.md: {name}"
        );
    }
}
