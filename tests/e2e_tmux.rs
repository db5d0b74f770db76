//! End to end: the real binary's `demo` in tmux, driven by keys as an operator would:
//! open the failed run, read its log, re-run it and watch it turn green, quit, and find the
//! terminal restored. Waits are bounded by a deadline and report the screen they last saw;
//! nothing asserts on how fast anything was.
//!
//! `COCKPIT_BIN` names the binary to drive (the test script passes the release build);
//! by default it is the one cargo built for this test run.

use std::process::Command;
use std::time::Duration;

#[path = "support/tmux.rs"]
mod tmux;

use tmux::{Tmux, binary};

fn line_with<'a>(screen: &'a str, needle: &str) -> Option<&'a str> {
    screen.lines().find(|l| l.contains(needle))
}

#[test]
fn demo_open_logs_rerun_to_green_and_quit() {
    let bin = binary();
    let t = Tmux::start(&format!("{} demo", bin.display()));
    let wait = Duration::from_secs(30);

    t.wait_for("the runs list", wait, |s| {
        s.contains("Deploy Production") && s.contains("#312")
    });
    let screen = t.screen();
    assert!(
        line_with(&screen, "#312")
            .unwrap()
            .trim_start()
            .starts_with('✗'),
        "{screen}"
    );

    // Filter down to the failed run and open it: the failed step is marked.
    t.keys(&["/"]);
    t.type_text("coupons");
    t.keys(&["Enter"]);
    t.wait_for("the filter", wait, |s| {
        s.contains("filter: coupons") && !s.contains("Deploy Production")
    });
    t.keys(&["Enter"]);
    t.wait_for("the failed step", wait, |s| s.contains("failed here"));

    // Its log, on the first error line; n moves to the next.
    t.keys(&["l"]);
    let log = t.wait_for("the job log", wait, |s| {
        s.contains("log: test") && s.contains("FAILED")
    });
    assert!(log.contains("error lines"), "{log}");
    t.keys(&["n"]);
    t.keys(&["Escape"]);
    t.wait_for("the run detail", wait, |s| {
        s.contains("failed here") && !s.contains("log: test")
    });
    t.keys(&["Escape"]);
    t.wait_for("the runs list", wait, |s| s.contains("filter runs"));

    // Re-run the failed jobs: asks first, then the run goes round and turns green.
    t.keys(&["e"]);
    t.wait_for("the confirmation", wait, |s| {
        s.contains("Re-run failed jobs of CI #312")
    });
    t.keys(&["y"]);
    t.wait_for("the run to turn green", Duration::from_secs(90), |s| {
        line_with(s, "#312").is_some_and(|l| l.trim_start().starts_with('✓'))
    });

    // Quit: the terminal is restored (no alternate screen, no mouse reporting).
    t.keys(&["q"]);
    let end = t.wait_for("cockpit to exit", wait, |s| s.contains("COCKPIT_EXIT="));
    assert!(end.contains("COCKPIT_EXIT=0"), "{end}");
    assert_eq!(t.flag("alternate_on"), "0", "alternate screen left on");
    assert_eq!(t.flag("mouse_any_flag"), "0", "mouse reporting left on");
}

#[test]
fn bad_config_exits_2_naming_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cockpit.toml");
    std::fs::write(
        &path,
        "[github]\npoll = \"15s\"\nbogus = 1\n\n[[repo]]\nname = \"acme/shop\"\n",
    )
    .unwrap();
    let out = Command::new(binary())
        .args(["check-config", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:3:1", path.display())), "{err}");
    assert!(err.contains("bogus"), "{err}");
}
