//! Rollback transports against a real OpenSSH `sshd` (started per test on a loopback port with
//! throw-away keys) and the local transport. No timing assertions: streaming is proven by a
//! script that only goes on once the test has *received* its first line.

#[path = "support/sshd.rs"]
mod sshd;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use cockpit::remote::{
    LocalRunner, RemoteEvent, RollbackRunner, RunOutcome, SshRunner, fill_argv, validate_version,
};
use sshd::{Sshd, keygen, known_hosts_line};
use tokio::sync::mpsc::unbounded_channel;

/// Generous: only reached when something is broken, so the test fails instead of hanging.
const LONG: Duration = Duration::from_secs(60);

fn script(dir: &Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    fs::write(&path, format!("#!/bin/sh\n{body}")).expect("write script");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod script");
    path.display().to_string()
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// Runs `argv`; `on_event` sees each event as it arrives (to create a marker, kill sshd...).
async fn run_watching(
    runner: &dyn RollbackRunner,
    argv: Vec<String>,
    timeout: Duration,
    mut on_event: impl FnMut(&RemoteEvent),
) -> (RunOutcome, Vec<RemoteEvent>) {
    let (tx, mut rx) = unbounded_channel();
    let watch = async {
        let mut seen = Vec::new();
        while let Some(event) = rx.recv().await {
            on_event(&event);
            seen.push(event);
        }
        seen
    };
    tokio::join!(runner.run(argv, timeout, tx), watch)
}

async fn run_collect(
    runner: &dyn RollbackRunner,
    argv: Vec<String>,
    timeout: Duration,
) -> (RunOutcome, Vec<RemoteEvent>) {
    run_watching(runner, argv, timeout, |_| {}).await
}

fn stdout_of(events: &[RemoteEvent]) -> Vec<&str> {
    events
        .iter()
        .filter_map(|e| match e {
            RemoteEvent::Stdout(l) => Some(l.as_str()),
            _ => None,
        })
        .collect()
}

fn stderr_of(events: &[RemoteEvent]) -> Vec<&str> {
    events
        .iter()
        .filter_map(|e| match e {
            RemoteEvent::Stderr(l) => Some(l.as_str()),
            _ => None,
        })
        .collect()
}

// ---- shared cases, run against both transports ----

async fn streams_in_order(runner: &dyn RollbackRunner, dir: &Path) {
    let marker = dir.join("go-on");
    let argv = vec![
        script(
            dir,
            "stream.sh",
            "echo one\nwhile [ ! -e \"$1\" ]; do sleep 0.02; done\necho two >&2\necho three\nprintf partial\n",
        ),
        s(&marker),
    ];
    let (outcome, events) = run_watching(runner, argv, LONG, |e| {
        // The script waits for this file: it exists only once "one" has reached us, so the
        // run can finish only if output streams while the command is still running.
        if *e == RemoteEvent::Stdout("one".into()) {
            fs::write(&marker, "").expect("create marker");
        }
    })
    .await;
    assert_eq!(outcome, RunOutcome::Success, "{events:?}");
    assert_eq!(events.first(), Some(&RemoteEvent::Started));
    assert_eq!(
        events.last(),
        Some(&RemoteEvent::Finished(RunOutcome::Success))
    );
    assert_eq!(stdout_of(&events), ["one", "three", "partial"]);
    assert_eq!(stderr_of(&events), ["two"]);
}

async fn nonzero_exit_is_failed(runner: &dyn RollbackRunner) {
    let argv = ["/bin/sh", "-c", "echo bye; exit 3"]
        .map(String::from)
        .to_vec();
    let (outcome, events) = run_collect(runner, argv, LONG).await;
    assert_eq!(outcome, RunOutcome::Failed { code: 3 });
    assert_eq!(stdout_of(&events), ["bye"]);
    assert_eq!(
        events.last(),
        Some(&RemoteEvent::Finished(RunOutcome::Failed { code: 3 }))
    );
}

async fn timeout_is_timed_out(runner: &dyn RollbackRunner) {
    let tiny = Duration::from_millis(300);
    let argv = ["/bin/sh", "-c", "echo started; sleep 60"]
        .map(String::from)
        .to_vec();
    let (outcome, events) = run_collect(runner, argv, tiny).await;
    assert_eq!(outcome, RunOutcome::TimedOut { after: tiny });
    assert!(outcome.to_string().contains("may still be running"));
    assert_eq!(
        events.last(),
        Some(&RemoteEvent::Finished(RunOutcome::TimedOut { after: tiny }))
    );
}

const INJECTIONS: [&str; 4] = ["v1.3.2; touch {X}", "$(touch {X})", "`touch {X}`", "`id`"];

/// Versions with shell syntax: rejected by validation, and even when passed straight to the
/// runner they arrive as one literal argument and run nothing.
async fn injection_stays_literal(runner: &dyn RollbackRunner, dir: &Path) {
    let marker = dir.join("X");
    let out = dir.join("arg");
    let writer = script(dir, "writearg.sh", "printf '%s' \"$2\" > \"$1\"\n");
    let command = vec![writer, s(&out), "{version}".to_string()];
    for template in INJECTIONS {
        let version = template.replace("{X}", &s(&marker));
        // Even listed, the charset check refuses it.
        assert!(validate_version(&version, std::slice::from_ref(&version)).is_err());
        let argv = fill_argv(&command, &version);
        assert_eq!(argv.len(), 3);
        let (outcome, _) = run_collect(runner, argv, LONG).await;
        assert_eq!(outcome, RunOutcome::Success, "{version}");
        assert_eq!(fs::read_to_string(&out).expect("read arg"), version);
        assert!(!marker.exists(), "{version:?} ran a command");
    }
}

// ---- ssh against a real sshd ----

fn ssh_runner(sshd: &Sshd, known_hosts: &Path) -> SshRunner {
    SshRunner::new(&sshd.config(known_hosts))
}

#[tokio::test]
async fn ssh_streams_lines_in_order_while_running() {
    let sshd = Sshd::start();
    let runner = ssh_runner(&sshd, &sshd.known_hosts);
    runner.prepare().await.expect("prepare");
    streams_in_order(&runner, sshd.dir.path()).await;
    // The same runner again reuses the master connection.
    nonzero_exit_is_failed(&runner).await;
}

#[tokio::test]
async fn ssh_without_prepare_connects_on_run() {
    let sshd = Sshd::start();
    let runner = ssh_runner(&sshd, &sshd.known_hosts);
    nonzero_exit_is_failed(&runner).await;
}

#[tokio::test]
async fn ssh_timeout_is_timed_out() {
    let sshd = Sshd::start();
    let runner = ssh_runner(&sshd, &sshd.known_hosts);
    timeout_is_timed_out(&runner).await;
}

#[tokio::test]
async fn ssh_sshd_killed_mid_run_is_unknown() {
    let sshd = Sshd::start();
    let runner = ssh_runner(&sshd, &sshd.known_hosts);
    let argv = ["/bin/sh", "-c", "echo ready; sleep 60; echo never"]
        .map(String::from)
        .to_vec();
    let (outcome, events) = run_watching(&runner, argv, LONG, |e| {
        if *e == RemoteEvent::Stdout("ready".into()) {
            sshd.kill();
        }
    })
    .await;
    assert!(
        matches!(outcome, RunOutcome::Unknown { .. }),
        "{outcome:?} {events:?}"
    );
    assert!(
        outcome
            .to_string()
            .starts_with("connection lost: the rollback's outcome is unknown")
    );
    assert!(!stdout_of(&events).contains(&"never"));
}

async fn assert_refused(sshd: &Sshd, known_hosts: &Path, says: &str) {
    let runner = ssh_runner(sshd, known_hosts);
    let marker = sshd.path("ran");
    let err = runner.prepare().await.expect_err("prepare must refuse");
    assert!(err.contains(says), "{err}");
    assert!(
        err.contains(&s(known_hosts)),
        "names the file to fix: {err}"
    );
    let argv = vec!["/usr/bin/touch".to_string(), s(&marker)];
    let (outcome, events) = run_collect(&runner, argv, LONG).await;
    let RunOutcome::Refused { reason } = &outcome else {
        panic!("expected Refused, got {outcome:?}");
    };
    assert!(reason.contains("check the host's fingerprint"), "{reason}");
    assert_eq!(events, [RemoteEvent::Finished(outcome.clone())]);
    assert!(!marker.exists(), "the command ran despite the host key");
}

#[tokio::test]
async fn ssh_unknown_host_key_is_refused() {
    let sshd = Sshd::start();
    let empty = sshd.path("known_hosts_empty");
    fs::write(&empty, "").expect("write empty known_hosts");
    assert_refused(&sshd, &empty, "not known").await;
    // Strict: nothing was added to the file.
    assert_eq!(fs::read_to_string(&empty).expect("read"), "");
}

#[tokio::test]
async fn ssh_changed_host_key_is_refused() {
    let sshd = Sshd::start();
    let other_pub = keygen(&sshd.path("other_host_key"));
    let wrong = sshd.path("known_hosts_wrong");
    fs::write(&wrong, known_hosts_line(sshd.port, &other_pub)).expect("write known_hosts");
    assert_refused(&sshd, &wrong, "different from the one in known_hosts").await;
}

#[tokio::test]
async fn ssh_injected_versions_stay_one_literal_argument() {
    let sshd = Sshd::start();
    let runner = ssh_runner(&sshd, &sshd.known_hosts);
    injection_stays_literal(&runner, sshd.dir.path()).await;
}

// ---- local ----

fn tmp() -> PathBuf {
    tempfile::tempdir().expect("tempdir").keep()
}

#[tokio::test]
async fn local_streams_lines_in_order_while_running() {
    let dir = tmp();
    streams_in_order(&LocalRunner::new(), &dir).await;
    let _ = fs::remove_dir_all(dir);
}

#[tokio::test]
async fn local_nonzero_exit_is_failed() {
    nonzero_exit_is_failed(&LocalRunner::new()).await;
}

#[tokio::test]
async fn local_timeout_is_timed_out() {
    timeout_is_timed_out(&LocalRunner::new()).await;
}

#[tokio::test]
async fn local_injected_versions_stay_one_literal_argument() {
    let dir = tmp();
    injection_stays_literal(&LocalRunner::new(), &dir).await;
    let _ = fs::remove_dir_all(dir);
}

#[tokio::test]
async fn local_missing_program_is_refused() {
    let argv = vec!["/nonexistent/rollback.sh".to_string()];
    let (outcome, _) = run_collect(&LocalRunner::new(), argv, LONG).await;
    assert!(matches!(outcome, RunOutcome::Refused { .. }), "{outcome:?}");
}
