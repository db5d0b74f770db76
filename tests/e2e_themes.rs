//! End to end: the real binary's `demo` in tmux with a user themes directory: it starts in a
//! built-in theme, `:theme` switches to a user theme live, a broken user theme is reported in
//! the footer while cockpit goes on, and an unknown one is refused in the palette. A theme
//! that does not load at startup stops cockpit with exit code 2, naming the file and line.
//!
//! `COCKPIT_BIN` names the binary to drive (the test script passes the release build);
//! by default it is the one cargo built for this test run.

use std::path::Path;
use std::time::Duration;

#[path = "support/tmux.rs"]
mod tmux;

use tmux::{Tmux, binary};

/// `<dir>/cockpit/themes/` with `mine.toml` (a copy of `light`) and `broken.toml`.
fn user_themes() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let themes = dir.path().join("cockpit/themes");
    std::fs::create_dir_all(&themes).unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes");
    let light = std::fs::read_to_string(repo.join("light.toml")).unwrap();
    std::fs::write(themes.join("mine.toml"), &light).unwrap();
    std::fs::write(
        themes.join("broken.toml"),
        light.replace("fail = \"160\"", "fail = \"reddish\""),
    )
    .unwrap();
    dir
}

fn footer(screen: &str) -> &str {
    screen.trim_end().lines().last().unwrap_or_default()
}

#[test]
fn theme_switches_live_and_a_broken_one_is_reported_not_applied() {
    let dir = user_themes();
    let t = Tmux::start(&format!(
        "env XDG_CONFIG_HOME={} {} demo --theme colorblind",
        dir.path().display(),
        binary().display()
    ));
    let wait = Duration::from_secs(30);
    t.wait_for("the runs list", wait, |s| s.contains("Deploy Production"));

    t.keys(&[":"]);
    t.type_text("theme m");
    t.keys(&["Tab"]);
    t.wait_for("the user theme completed", wait, |s| {
        s.contains(":theme mine ")
    });
    t.keys(&["Enter"]);
    t.wait_for("the switch confirmed", wait, |s| {
        footer(s).starts_with("theme: mine")
    });

    t.keys(&[":"]);
    t.type_text("theme broken");
    t.keys(&["Enter"]);
    let screen = t.wait_for("the broken theme reported", wait, |s| {
        footer(s).starts_with("✗ theme broken not loaded:")
    });
    assert!(footer(&screen).contains("broken.toml:12:8"), "{screen}");

    t.keys(&[":"]);
    t.type_text("theme nope");
    t.keys(&["Enter"]);
    t.wait_for("the unknown theme refused", wait, |s| {
        s.contains("✗ no theme \"nope\"") && s.contains("broken, mine")
    });
    t.keys(&["Escape", "q"]);
    let end = t.wait_for("cockpit to exit", wait, |s| s.contains("COCKPIT_EXIT="));
    assert!(end.contains("COCKPIT_EXIT=0"), "{end}");
}

#[test]
fn a_theme_that_does_not_load_at_startup_exits_2_naming_the_file() {
    let dir = user_themes();
    let t = Tmux::start(&format!(
        "env XDG_CONFIG_HOME={} {} demo --theme broken",
        dir.path().display(),
        binary().display()
    ));
    let end = t.wait_for("cockpit to exit", Duration::from_secs(30), |s| {
        s.contains("COCKPIT_EXIT=")
    });
    assert!(end.contains("COCKPIT_EXIT=2"), "{end}");
    assert!(end.contains("broken.toml:12:8"), "{end}");
}
