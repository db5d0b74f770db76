//! The real binary in tmux, driven as an operator would: `send-keys`, `capture-pane`, and
//! bounded waits that report the screen they last saw. Shared by the end-to-end tests
//! through `#[path]`, so it depends on nothing else under `tests/`.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
    session: String,
    _home: tempfile::TempDir,
}

impl Tmux {
    /// Runs `cmdline` in a fresh 120x40 tmux server with its own state and config dirs; the
    /// pane prints `COCKPIT_EXIT=<code>` when it ends.
    pub fn start(cmdline: &str) -> Tmux {
        assert!(
            Command::new("tmux")
                .arg("-V")
                .output()
                .is_ok_and(|o| o.status.success()),
            "tmux is required for the end-to-end tests (the test script installs it: apt-get install tmux)"
        );
        // One tmux server per test: tests in a file run in parallel.
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let home = tempfile::tempdir().unwrap();
        let socket = format!("cockpit-e2e-{}-{n}", std::process::id());
        let session = "e2e".to_string();
        let state = home.path().join("state");
        let config = home.path().join("config");
        let shell = format!(
            "env XDG_STATE_HOME={} XDG_CONFIG_HOME={} {cmdline}; echo COCKPIT_EXIT=$?; sleep 600",
            state.display(),
            config.display()
        );
        let out = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "120",
                "-y",
                "40",
                "-s",
                &session,
                &shell,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "tmux new-session: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Tmux {
            socket,
            session,
            _home: home,
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .unwrap()
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(
            &self
                .run(&["capture-pane", "-p", "-t", &self.session])
                .stdout,
        )
        .into_owned()
    }

    /// Each item is one `send-keys` (a key name like `Enter`, or literal text).
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", &self.session, k]);
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    pub fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", &self.session, "-l", text]);
        std::thread::sleep(Duration::from_millis(150));
    }

    /// Waits (bounded) until `pred` holds for the screen; panics with the last screen.
    pub fn wait_for(
        &self,
        what: &str,
        limit: Duration,
        mut pred: impl FnMut(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("waited {limit:?} for {what}; last screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// A tmux format flag of the pane (`alternate_on`, `mouse_any_flag`...).
    pub fn flag(&self, name: &str) -> String {
        let fmt = format!("#{{{name}}}");
        String::from_utf8_lossy(
            &self
                .run(&["display-message", "-p", "-t", &self.session, &fmt])
                .stdout,
        )
        .trim()
        .to_string()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// The binary to drive: `COCKPIT_BIN` (the test script passes the release build), else the
/// one cargo built for this test run.
pub fn binary() -> PathBuf {
    std::env::var_os("COCKPIT_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_cockpit")))
}
