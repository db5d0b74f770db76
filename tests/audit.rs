//! The audit log on disk: the hash chain and what breaks it, reopening, redaction, file mode,
//! the tail reader, and `cockpit audit verify` through the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};

use cockpit::audit::{
    self, AuditAction, AuditEntry, AuditError, AuditLog, AuditRecord, BreakReason, GENESIS_PREV,
    Outcome, VerifyReport,
};

const TOKEN: &str = "ghp_testTOKEN0123456789abcdefghijklmnop";

fn record(i: i64) -> AuditRecord {
    let ts = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap() + Duration::seconds(i);
    let mut r = AuditRecord::new(ts, "alice", AuditAction::Approve, "acme/shop");
    r.environment = Some("production".into());
    r.run_id = Some(9000 + i as u64);
    r.comment = Some(format!("comment {i}"));
    r
}

/// A log with `n` entries (intent + outcome pairs, like the app writes).
fn log_with(dir: &Path, n: i64) -> PathBuf {
    let path = dir.join("state/audit.jsonl");
    let mut log = AuditLog::open(&path).unwrap();
    for i in 0..n {
        let r = record(i);
        let r = if i % 2 == 0 {
            r
        } else {
            r.concluded(r.ts, Outcome::Ok, Some("approved".into()))
        };
        log.append(r).unwrap();
    }
    path
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn write_lines(path: &Path, lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(path, text).unwrap();
}

fn broken(path: &Path) -> (usize, BreakReason) {
    match audit::verify(path).unwrap() {
        VerifyReport::Broken { line, reason } => (line, reason),
        other => panic!("expected a break, got {other:?}"),
    }
}

#[test]
fn a_chain_of_entries_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_with(dir.path(), 6);
    let text = lines(&path);
    assert_eq!(text.len(), 6);
    let first: serde_json::Value = serde_json::from_str(&text[0]).unwrap();
    assert_eq!(first["prev"], GENESIS_PREV);
    assert_eq!(first["action"], "approve");
    assert_eq!(first["outcome"], "intent");
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = vec![
        "ts",
        "actor",
        "action",
        "repo",
        "environment",
        "run_id",
        "target",
        "comment",
        "outcome",
        "detail",
        "prev",
        "hash",
    ];
    expected.sort_unstable();
    let mut keys = keys;
    keys.sort_unstable();
    assert_eq!(keys, expected);
    let second: serde_json::Value = serde_json::from_str(&text[1]).unwrap();
    assert_eq!(second["prev"], first["hash"]);
    assert_eq!(second["outcome"], "ok");

    match audit::verify(&path).unwrap() {
        VerifyReport::Intact { entries, last_hash } => {
            assert_eq!(entries, 6);
            let last: serde_json::Value = serde_json::from_str(&text[5]).unwrap();
            assert_eq!(last_hash.as_deref(), last["hash"].as_str());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_empty_log_verifies_with_no_entries() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    AuditLog::open(&path).unwrap();
    assert_eq!(
        audit::verify(&path).unwrap(),
        VerifyReport::Intact {
            entries: 0,
            last_hash: None
        }
    );
}

#[test]
fn an_edited_comment_is_caught_on_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_with(dir.path(), 5);
    let mut text = lines(&path);
    text[2] = text[2].replace("comment 2", "comment two");
    assert_ne!(lines(&path)[2], text[2]);
    write_lines(&path, &text);
    assert_eq!(broken(&path), (3, BreakReason::HashMismatch));
    assert_eq!(
        BreakReason::HashMismatch.to_string(),
        "hash mismatch: line edited"
    );
}

#[test]
fn an_edited_and_rehashed_line_is_caught_on_the_next_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_with(dir.path(), 5);
    let mut text = lines(&path);
    let mut entry: AuditEntry = serde_json::from_str(&text[1]).unwrap();
    entry.record.comment = Some("nothing to see".into());
    let forged = AuditEntry::seal(entry.record, entry.prev).unwrap();
    text[1] = serde_json::to_string(&forged).unwrap();
    write_lines(&path, &text);
    assert_eq!(
        broken(&path),
        (3, BreakReason::PrevMismatch { previous: 2 })
    );
}

#[test]
fn a_deleted_middle_line_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_with(dir.path(), 5);
    let mut text = lines(&path);
    text.remove(2);
    write_lines(&path, &text);
    let (line, reason) = broken(&path);
    assert_eq!(
        (line, &reason),
        (3, &BreakReason::PrevMismatch { previous: 2 })
    );
    assert!(
        reason
            .to_string()
            .starts_with("prev does not match line 2: a line was removed or reordered"),
        "{reason}"
    );
}

#[test]
fn a_deleted_first_line_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_with(dir.path(), 3);
    let mut text = lines(&path);
    text.remove(0);
    write_lines(&path, &text);
    assert_eq!(broken(&path), (1, BreakReason::NotGenesis));
}

#[test]
fn a_reordered_pair_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_with(dir.path(), 5);
    let mut text = lines(&path);
    text.swap(1, 2);
    write_lines(&path, &text);
    assert_eq!(
        broken(&path),
        (2, BreakReason::PrevMismatch { previous: 1 })
    );
}

#[test]
fn garbled_and_extended_lines_are_caught() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_with(dir.path(), 4);
    let good = lines(&path);

    let mut text = good.clone();
    text[1] = "{\"ts\": garbage".into();
    write_lines(&path, &text);
    let (line, reason) = broken(&path);
    assert_eq!(line, 2);
    assert!(reason.to_string().starts_with("not JSON"), "{reason}");

    let mut text = good.clone();
    text.insert(2, String::new());
    write_lines(&path, &text);
    assert_eq!(broken(&path).0, 3);

    // A field slipped in beside the hashed ones.
    let mut text = good.clone();
    text[3] = text[3].replacen('{', "{\"approved_by\":\"mallory\",", 1);
    write_lines(&path, &text);
    let (line, reason) = broken(&path);
    assert_eq!(line, 4);
    assert!(matches!(reason, BreakReason::NotAnEntry(_)), "{reason}");
}

#[test]
fn removing_the_last_line_is_not_detectable_by_the_chain() {
    // Documented limit: this is why the last hash is printed and the log should be shipped
    // off the machine.
    let dir = tempfile::tempdir().unwrap();
    let path = log_with(dir.path(), 4);
    let mut text = lines(&path);
    text.pop();
    write_lines(&path, &text);
    assert!(audit::verify(&path).unwrap().is_intact());
}

#[test]
fn reopening_continues_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_with(dir.path(), 3);
    let tip: serde_json::Value = serde_json::from_str(&lines(&path)[2]).unwrap();
    let mut log = AuditLog::open(&path).unwrap();
    let entry = log.append(record(3)).unwrap();
    assert_eq!(Some(entry.prev.as_str()), tip["hash"].as_str());
    drop(log);
    let mut again = AuditLog::open(&path).unwrap();
    again.append(record(4)).unwrap();
    assert_eq!(
        audit::verify(&path).unwrap(),
        VerifyReport::Intact {
            entries: 5,
            last_hash: Some(lines(&path)[4].split("\"hash\":\"").nth(1).unwrap()[..64].into()),
        }
    );
}

#[test]
fn two_handles_on_one_file_chain_one_after_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let mut a = AuditLog::open(&path).unwrap();
    let mut b = AuditLog::open(&path).unwrap();
    a.append(record(0)).unwrap();
    b.append(record(1)).unwrap();
    a.append(record(2)).unwrap();
    assert!(audit::verify(&path).unwrap().is_intact());
}

#[test]
fn a_log_moved_aside_starts_a_new_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_with(dir.path(), 2);
    let mut log = AuditLog::open(&path).unwrap();
    std::fs::rename(&path, dir.path().join("old.jsonl")).unwrap();
    let entry = log.append(record(9)).unwrap();
    assert_eq!(entry.prev, GENESIS_PREV);
    assert_eq!(lines(&path).len(), 1);
}

#[test]
fn a_torn_last_line_is_refused_not_chained_onto() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_with(dir.path(), 3);
    let full = std::fs::read(&path).unwrap();
    // Cut the last line in half, as a crash mid-write would.
    std::fs::write(&path, &full[..full.len() - 40]).unwrap();
    let before = std::fs::read(&path).unwrap();

    let err = AuditLog::open(&path).unwrap_err();
    match &err {
        AuditError::Damaged { line, reason, .. } => {
            assert_eq!((*line, reason), (3, &BreakReason::Incomplete));
        }
        other => panic!("{other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("line 3"), "{msg}");
    assert!(msg.contains("cockpit audit verify"), "{msg}");
    assert_eq!(broken(&path), (3, BreakReason::Incomplete));
    assert!(matches!(
        audit::read_recent(&path, 5),
        Err(AuditError::Damaged { line: 3, .. })
    ));
    assert_eq!(std::fs::read(&path).unwrap(), before, "left as evidence");
}

#[test]
fn a_garbled_or_edited_last_line_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_with(dir.path(), 3);
    let mut log = AuditLog::open(&path).unwrap();
    let good = lines(&path);

    let mut text = good.clone();
    text[2] = "not json at all".into();
    write_lines(&path, &text);
    assert!(matches!(
        log.append(record(3)),
        Err(AuditError::Damaged {
            line: 3,
            reason: BreakReason::NotJson(_),
            ..
        })
    ));

    let mut text = good.clone();
    text[2] = text[2].replace("alice", "bob");
    write_lines(&path, &text);
    assert!(matches!(
        AuditLog::open(&path),
        Err(AuditError::Damaged {
            line: 3,
            reason: BreakReason::HashMismatch,
            ..
        })
    ));
    assert_eq!(lines(&path).len(), 3, "nothing appended");
}

#[test]
fn tokens_and_known_secrets_never_reach_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let mut log = AuditLog::open(&path)
        .unwrap()
        .with_secrets(&["https://hooks.slack.example/T000/B000/XXXX".to_string()]);
    let mut r = record(0);
    r.comment = Some(format!("approving; my token is {TOKEN} oops"));
    r.detail = Some("webhook https://hooks.slack.example/T000/B000/XXXX failed".into());
    r.target = Some("github_pat_11AAAAAAA0bbbbbbbbbbbb_cccccccccccc".into());
    let entry = log.append(r).unwrap();
    assert_eq!(
        entry.record.comment.as_deref(),
        Some("approving; my token is [redacted] oops")
    );
    assert_eq!(
        entry.record.detail.as_deref(),
        Some("webhook [redacted] failed")
    );
    assert_eq!(entry.record.target.as_deref(), Some("[redacted]"));

    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(TOKEN) && !text.contains("ghp_"), "{text}");
    assert!(
        !text.contains("hooks.slack") && !text.contains("github_pat_"),
        "{text}"
    );
    assert!(text.contains("[redacted]"));
    assert!(
        audit::verify(&path).unwrap().is_intact(),
        "hashed as written"
    );
}

#[cfg(unix)]
#[test]
fn the_file_is_0600_in_a_created_directory() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep/er/audit.jsonl");
    let mut log = AuditLog::open(&path).unwrap();
    log.append(record(0)).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
}

#[tokio::test]
async fn append_works_from_spawn_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let mut log = AuditLog::open(&path).unwrap();
    let entry = tokio::task::spawn_blocking(move || log.append(record(0)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(entry.prev, GENESIS_PREV);
}

#[test]
fn read_recent_is_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_with(dir.path(), 5);
    let recent = audit::read_recent(&path, 3).unwrap();
    let ids: Vec<_> = recent.iter().map(|e| e.record.run_id).collect();
    assert_eq!(ids, [Some(9004), Some(9003), Some(9002)]);
    assert_eq!(audit::read_recent(&path, 50).unwrap().len(), 5);
    assert!(audit::read_recent(&path, 0).unwrap().is_empty());
    assert!(
        audit::read_recent(&dir.path().join("missing.jsonl"), 3)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_10_mb_log_reads_its_tail_and_verifies() {
    // Built with `seal` rather than `append`: 30k fsyncs would only measure the disk.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let mut text = String::new();
    let mut prev = GENESIS_PREV.to_string();
    let mut i = 0;
    while text.len() < 10 * 1024 * 1024 {
        let entry = AuditEntry::seal(record(i), prev).unwrap();
        prev = entry.hash.clone();
        text.push_str(&serde_json::to_string(&entry).unwrap());
        text.push('\n');
        i += 1;
    }
    std::fs::write(&path, &text).unwrap();

    let started = Instant::now();
    let recent = audit::read_recent(&path, 200).unwrap();
    let tail = started.elapsed();
    assert_eq!(recent.len(), 200);
    assert_eq!(recent[0].record.run_id, Some(9000 + i as u64 - 1));

    let started = Instant::now();
    let report = audit::verify(&path).unwrap();
    let walk = started.elapsed();
    assert_eq!(
        report,
        VerifyReport::Intact {
            entries: i as usize,
            last_hash: Some(prev)
        }
    );

    let started = Instant::now();
    let mut log = AuditLog::open(&path).unwrap();
    log.append(record(i)).unwrap();
    let append = started.elapsed();
    println!(
        "10 MB audit log ({i} entries): read_recent(200) {tail:?}, verify {walk:?}, \
         open+append {append:?}"
    );
}

// --- `cockpit audit verify` through the binary ---

fn cockpit(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(args)
        .env("XDG_STATE_HOME", dir.join("xdg-state"))
        .env("XDG_CONFIG_HOME", dir.join("xdg-config"))
        .env("HOME", dir)
        .env_remove("COCKPIT_CONFIG")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn cli_verify_exits_0_on_a_good_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_with(dir.path(), 4);
    let out = cockpit(
        dir.path(),
        &["audit", "verify", "--path", path.to_str().unwrap()],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.starts_with(&format!("audit log OK: 4 entries, {}\n", path.display())),
        "{stdout}"
    );
    assert!(stdout.contains("last hash: "), "{stdout}");
}

#[test]
fn cli_verify_exits_1_naming_the_tampered_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_with(dir.path(), 4);
    let mut text_lines = lines(&path);
    text_lines[2] = text_lines[2].replace("comment 2", "comment 3");
    write_lines(&path, &text_lines);
    let out = cockpit(
        dir.path(),
        &["audit", "verify", "--path", path.to_str().unwrap()],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("line 3"), "{stderr}");
    assert!(stderr.contains("hash mismatch: line edited"), "{stderr}");
    assert!(text(&out.stdout).is_empty());
}

#[test]
fn cli_verify_exits_2_on_bad_usage() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["audit"][..],
        &["audit", "verify", "--bogus"],
        &["audit", "verify", "--path"],
        &["audit", "frobnicate"],
    ] {
        let out = cockpit(dir.path(), args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    // A --config that does not exist is bad usage too.
    let out = cockpit(
        dir.path(),
        &["--config", "/nonexistent/cockpit.toml", "audit", "verify"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn cli_verify_without_path_uses_the_config_then_the_state_dir() {
    let dir = tempfile::tempdir().unwrap();

    // No config, nothing recorded yet: say so, exit 0.
    let out = cockpit(dir.path(), &["audit", "verify"]);
    let default = dir.path().join("xdg-state/cockpit/audit.jsonl");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!(
            "no audit log at {} (nothing has been recorded yet)\n",
            default.display()
        )
    );

    // The default log in the state dir.
    let mut log = AuditLog::open(&default).unwrap();
    log.append(record(0)).unwrap();
    let out = cockpit(dir.path(), &["audit", "verify"]);
    assert!(
        text(&out.stdout).starts_with(&format!("audit log OK: 1 entries, {}", default.display())),
        "{}",
        text(&out.stdout)
    );

    // [audit] path from the config, with ~ expanded.
    let config = dir.path().join("cockpit.toml");
    std::fs::write(
        &config,
        "[[repo]]\nname = \"acme/shop\"\n\n[audit]\npath = \"~/logs/audit.jsonl\"\n",
    )
    .unwrap();
    let configured = log_with(&dir.path().join("logs-src"), 2);
    std::fs::create_dir_all(dir.path().join("logs")).unwrap();
    std::fs::copy(&configured, dir.path().join("logs/audit.jsonl")).unwrap();
    let out = cockpit(
        dir.path(),
        &["--config", config.to_str().unwrap(), "audit", "verify"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with(&format!(
            "audit log OK: 2 entries, {}",
            dir.path().join("logs/audit.jsonl").display()
        )),
        "{}",
        text(&out.stdout)
    );

    // A bad config is exit 2, as everywhere else.
    std::fs::write(&config, "[audit]\nbogus = 1\n").unwrap();
    let out = cockpit(
        dir.path(),
        &["--config", config.to_str().unwrap(), "audit", "verify"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}
