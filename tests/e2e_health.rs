//! End to end: the real binary's `demo --sim-port PORT` in tmux (120x40), with production's
//! health flipped from outside through the simulator's control endpoint, as an operator
//! would with curl: the Environments view shows both panes up, production turns DOWN with
//! its last error and recovers, a cutover window opened with `w` runs to `STABLE`, and
//! staging's window — opened by itself when its deploy finished — rides out the demo's
//! scripted wobble and ends `STABLE` too. Waits are bounded by a deadline and report the
//! screen they last saw; nothing asserts on how fast anything was.
//!
//! `COCKPIT_BIN` names the binary to drive (the test script passes the release build);
//! by default it is the one cargo built for this test run.

use std::time::Duration;

use serde_json::{Value, json};

#[path = "support/tmux.rs"]
mod tmux;

use tmux::{Tmux, binary};

/// A port nobody listens on right now.
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    l.local_addr().unwrap().port()
}

/// The control endpoint, called from outside the cockpit as curl would.
struct Control {
    base: String,
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
}

impl Control {
    fn new(port: u16) -> Control {
        Control {
            base: format!("http://127.0.0.1:{port}"),
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap(),
        }
    }

    fn post(&self, path: &str, body: Value) {
        let url = format!("{}{path}", self.base);
        let status = self.rt.block_on(async {
            let r = self.http.post(&url).json(&body).send().await;
            r.map(|r| r.status().as_u16())
        });
        match status {
            Ok(204) => {}
            other => panic!("POST {url} {body}: {other:?}"),
        }
    }

    fn health(&self, env: &str, body: Value) {
        self.post(&format!("/_sim/health/{env}"), body);
    }
}

/// The pane of environment `env` on an Environments screen: the text inside its border
/// (title row through bottom row, only its own columns), or `None` if it is not on screen.
fn pane(screen: &str, env: &str) -> Option<String> {
    let lines: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let title: Vec<char> = format!(" {env} ").chars().collect();
    let is_corner = |c: char| "╭┏┌".contains(c);
    for (row, line) in lines.iter().enumerate() {
        let Some(at) = line
            .windows(title.len())
            .position(|w| w == title.as_slice())
        else {
            continue;
        };
        let Some(left) = (0..at).rev().find(|&i| is_corner(line[i])) else {
            continue;
        };
        let right = (at..line.len())
            .find(|&i| "╮┓┐".contains(line[i]))
            .unwrap_or(line.len().saturating_sub(1));
        let mut out = String::new();
        for l in &lines[row..] {
            let end = (right + 1).min(l.len());
            let part: String = l.get(left..end).unwrap_or_default().iter().collect();
            out.push_str(&part);
            out.push('\n');
            if l.get(left).is_some_and(|&c| "╰┗└".contains(c)) {
                break;
            }
        }
        return Some(out);
    }
    None
}

fn pane_has(screen: &str, env: &str, needle: &str) -> bool {
    pane(screen, env).is_some_and(|p| p.contains(needle))
}

#[test]
fn demo_health_flip_down_recover_and_cutover_windows() {
    let bin = binary();
    let port = free_port();
    let t = Tmux::start(&format!("{} demo --sim-port {port}", bin.display()));
    let control = Control::new(port);
    let wait = Duration::from_secs(30);

    t.wait_for("the runs list", wait, |s| s.contains("Deploy Production"));
    t.keys(&["2"]);
    t.wait_for("both panes up", wait, |s| {
        pane_has(s, "staging", "● UP") && pane_has(s, "production", "● UP")
    });

    // Production goes down: three failed probes at the 10 s interval, then DOWN.
    control.health("production", json!({"mode": "down", "status": 503}));
    let screen = t.wait_for("production DOWN", Duration::from_secs(60), |s| {
        pane_has(s, "production", "✗ DOWN")
    });
    let p = pane(&screen, "production").unwrap();
    assert!(p.contains("last error: 503"), "{screen}");
    assert!(p.contains("PROTECTED"), "{screen}");

    // And comes back: UP after two good probes.
    control.health("production", json!({"mode": "up"}));
    t.wait_for("production UP again", Duration::from_secs(60), |s| {
        pane_has(s, "production", "● UP") && !pane_has(s, "production", "last error")
    });

    // Meanwhile the staging deploy (run 9003, Deploy Staging #58) finished and opened
    // staging's cutover window by itself.
    let screen = t.wait_for("staging's own cutover window", wait, |s| {
        pane_has(s, "staging", "cutover ")
    });
    let s_pane = pane(&screen, "staging").unwrap();
    assert!(
        s_pane.contains("watching: Deploy Staging #58 finished")
            || s_pane.contains("watching: deployment of")
            || s_pane.contains("STABLE"),
        "{screen}"
    );

    // Open production's window by hand, from the palette with Tab completion
    // (`:wa<Tab>pro<Tab><Enter>`): the gauge appears, and with nothing failing it ends
    // STABLE (the demo's window is 60 s).
    t.keys(&[":", "wa", "Tab", "pro", "Tab"]);
    t.wait_for("the completed palette line", wait, |s| {
        s.contains(":watch production ")
    });
    t.keys(&["Enter"]);
    let screen = t.wait_for("production's cutover gauge", wait, |s| {
        pane_has(s, "production", "cutover ")
            && pane_has(s, "production", "watching: opened by hand")
    });
    assert!(
        pane(&screen, "production").unwrap().contains("/ 1m00s"),
        "{screen}"
    );
    let screen = t.wait_for("production STABLE", Duration::from_secs(75), |s| {
        pane_has(s, "production", "STABLE")
    });
    let p = pane(&screen, "production").unwrap();
    assert!(p.contains("· 0 failures"), "{screen}");
    assert!(!p.contains("UNSTABLE"), "{screen}");

    // Staging's window has run its course too: the scripted wobble (503 for 3 s at about
    // t = 40 s) cost a probe or two, never three in a row, so it is STABLE with failures.
    let screen = t.wait_for("staging STABLE", wait, |s| pane_has(s, "staging", "STABLE"));
    let s_pane = pane(&screen, "staging").unwrap();
    assert!(
        s_pane.contains("· 1 failure") || s_pane.contains("· 2 failures"),
        "the wobble did not show in staging's window:\n{screen}"
    );
    assert!(!s_pane.contains("UNSTABLE"), "{screen}");
    assert!(s_pane.contains("● UP"), "{screen}");

    t.keys(&["q"]);
    let end = t.wait_for("cockpit to exit", wait, |s| s.contains("COCKPIT_EXIT="));
    assert!(end.contains("COCKPIT_EXIT=0"), "{end}");
}

/// Issue 4's operator path: from `cockpit demo` starting to an approved production gate by
/// keys alone — `3`, `a`, Enter (the prefilled comment), the phrase, Enter — then the run
/// goes on to success, the deployment shows in production's pane and the audit entry in
/// Activity. Prints the keystrokes and seconds for docs/performance.md.
#[test]
fn demo_approve_the_production_gate_by_keys() {
    let started = std::time::Instant::now();
    let t = Tmux::start(&format!("{} demo", binary().display()));
    let wait = Duration::from_secs(30);
    t.wait_for("the gate in the header", wait, |s| {
        s.contains("⏸ 1 gate (3)")
    });
    let mut keys = 0;
    t.keys(&["3"]);
    keys += 1;
    t.wait_for("the Gates view", wait, |s| {
        s.contains("Deploy Production #8") && s.contains("can approve")
    });
    t.keys(&["a"]);
    keys += 1;
    t.wait_for("the comment prompt", wait, |s| {
        s.contains("Approved v1.4.0 for production from cockpit")
    });
    t.keys(&["Enter"]);
    keys += 1;
    t.wait_for("the phrase dialog", wait, |s| {
        s.contains("PROTECTED: production") && s.contains("disabled until the phrase matches")
    });
    t.keys(&["production v1.4.0"]);
    t.wait_for("the confirm enabled", wait, |s| {
        s.contains("[ Enter: confirm ]")
    });
    t.keys(&["Enter"]);
    keys += 1;
    let screen = t.wait_for("the approval", wait, |s| {
        s.contains("approved production for Deploy Production #8")
    });
    let took = started.elapsed();
    println!(
        "operator speed: {keys} keys plus the phrase (17 characters), the prefilled comment kept; {:.1} s from launch to approved (tmux-driven, so no human think time)",
        took.as_secs_f64()
    );
    assert_eq!(keys, 4, "{screen}");

    // The run goes on to success (the demo's production deploy takes about a minute).
    t.keys(&["1"]);
    t.wait_for(
        "Deploy Production #8 succeeded",
        Duration::from_secs(150),
        |s| {
            s.lines()
                .any(|l| l.contains("Deploy Production") && l.contains("#8") && l.contains('✓'))
        },
    );
    t.wait_for("the gate gone from the header", wait, |s| {
        !s.contains("gate (3)")
    });
    t.keys(&["2"]);
    t.wait_for(
        "v1.4.0 deployed to production",
        Duration::from_secs(60),
        |s| pane(s, "production").is_some_and(|p| p.contains("deployed v1.4.0")),
    );
    t.keys(&["4"]);
    let screen = t.wait_for("the audit entry in Activity", wait, |s| {
        s.contains("approve Deploy Production #8 v1.4.0 → production")
    });
    assert!(screen.contains("ok "), "{screen}");
    assert!(screen.contains("intent"), "{screen}");

    t.keys(&["q"]);
    let end = t.wait_for("cockpit to exit", wait, |s| s.contains("COCKPIT_EXIT="));
    assert!(end.contains("COCKPIT_EXIT=0"), "{end}");
}

/// Issue 5's demo story by keys: production's pane, `R`, the picker, the preflight with the
/// commits undone, the phrase, the local rollback streaming its output, then the outcome and
/// the health checks confirming recovery.
#[test]
fn demo_rollback_of_production_by_keys() {
    let t = Tmux::start(&format!("{} demo", binary().display()));
    let wait = Duration::from_secs(30);
    t.keys(&["2"]);
    t.wait_for("production's pane with its version", wait, |s| {
        pane(s, "production").is_some_and(|p| p.contains("version v"))
    });
    t.keys(&["j"]);
    t.keys(&["R"]);
    t.wait_for("the picker", wait, |s| {
        s.contains("Rollback production (PROTECTED) — pick the version") && s.contains("● live now")
    });
    t.keys(&["Enter"]);
    t.wait_for("the preflight with the commits undone", wait, |s| {
        s.contains("— preflight") && s.contains("Commits undone (") && s.contains("will run")
    });
    t.keys(&["Enter"]);
    let screen = t.wait_for("the phrase dialog", wait, |s| s.contains("Type exactly:"));
    let phrase = screen
        .lines()
        .find_map(|l| l.split("Type exactly:").nth(1))
        // The phrase is `ENV VERSION`: two words, then the dialog's border.
        .map(|rest| {
            rest.split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| panic!("no phrase on screen:\n{screen}"));
    assert!(phrase.starts_with("production v"), "{phrase:?}");
    t.keys(&[&phrase]);
    t.wait_for("the confirm enabled", wait, |s| {
        s.contains("[ Enter: confirm ]")
    });
    t.keys(&["Enter"]);
    // Output streams in while it runs (the script takes about 6 s).
    t.wait_for("streamed output while running", wait, |s| {
        s.contains("— running") && s.contains("switching the release symlink")
    });
    let screen = t.wait_for("the outcome and recovery", Duration::from_secs(60), |s| {
        s.contains("rolled back production to") && s.contains("healthy after")
    });
    assert!(screen.contains("now serving"), "{screen}");
    t.keys(&["Escape"]);
    t.wait_for(
        "production's cutover window opened by the rollback",
        wait,
        |s| pane(s, "production").is_some_and(|p| p.contains("rolled back to")),
    );
    t.keys(&["4"]);
    t.wait_for("the rollback in Activity", wait, |s| {
        s.contains("rollback") && s.contains("ok ")
    });
    t.keys(&["q"]);
    let end = t.wait_for("cockpit to exit", wait, |s| s.contains("COCKPIT_EXIT="));
    assert!(end.contains("COCKPIT_EXIT=0"), "{end}");
}
