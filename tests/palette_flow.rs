//! The palette against the simulator: a command that ran reaches the history file through
//! the effect (and comes back at the next start), and `:dispatch WORKFLOW` completes the
//! input names of a workflow file read from GitHub.

mod support;

use std::time::Duration;

use crossterm::event::KeyCode;

use cockpit::palette_history;
use support::harness::{Harness, HarnessOptions};

async fn demo() -> Harness {
    let mut h = Harness::start(HarnessOptions {
        environments: true,
        ..HarnessOptions::default()
    })
    .await;
    h.run_for(Duration::from_secs(3)).await;
    h
}

async fn palette(h: &mut Harness, line: &str) {
    h.key(KeyCode::Char(':')).await;
    h.type_text(line).await;
    h.key(KeyCode::Enter).await;
}

#[tokio::test]
async fn commands_that_ran_are_written_to_the_history_file_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir
        .path()
        .join("state/cockpit")
        .join(palette_history::FILE_NAME);
    let mut h = demo().await;
    h.model.palette_history_file = Some(path.clone());
    palette(&mut h, "watch staging").await;
    palette(&mut h, "logs 424242").await; // not in the list: the palette stays open
    h.key(KeyCode::Esc).await;
    palette(&mut h, "watch staging").await;
    assert_eq!(
        palette_history::load(&path).unwrap(),
        vec!["watch staging".to_string()],
        "written by the effect; repeats and mistakes are not"
    );

    // The next session starts with it: Up brings the command back.
    let mut next = demo().await;
    next.model.palette_history = palette_history::load(&path).unwrap();
    next.key(KeyCode::Char(':')).await;
    next.key(KeyCode::Up).await;
    assert_eq!(
        next.model.palette.as_ref().map(|p| p.text.as_str()),
        Some("watch staging")
    );
}

#[tokio::test]
async fn a_history_file_that_cannot_be_written_changes_nothing_on_screen() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, "x").unwrap();
    let mut h = demo().await;
    h.model.palette_history_file = Some(blocker.join(palette_history::FILE_NAME));
    palette(&mut h, "watch staging").await;
    assert!(h.model.palette.is_none());
    assert!(h.model.envs.iter().any(|e| e.cutover_running()));
    assert_eq!(h.model.palette_history, ["watch staging"]);
    let flash = h
        .model
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert!(!flash.contains("history"), "{flash}");
}

#[tokio::test]
async fn dispatch_completes_the_inputs_of_the_workflow_file_once_read() {
    let mut h = demo().await;
    // Before the file is read there is nothing to offer for `ver`.
    h.key(KeyCode::Char(':')).await;
    h.type_text("dispatch deploy-production.yml v1.4.0 ver")
        .await;
    h.key(KeyCode::Tab).await;
    let p = h.model.palette.clone().unwrap();
    assert!(
        p.error
            .unwrap_or_default()
            .starts_with("nothing to complete")
    );
    h.key(KeyCode::Esc).await;

    // Opening the form reads the file; Esc sends nothing.
    palette(&mut h, "dispatch deploy-production.yml").await;
    assert!(
        matches!(h.model.dialog, Some(cockpit::model::Dialog::Dispatch(_))),
        "{:?}",
        h.model.flash
    );
    h.key(KeyCode::Esc).await;

    h.key(KeyCode::Char(':')).await;
    h.type_text("dispatch deploy-production.yml v1.4.0 ver")
        .await;
    h.key(KeyCode::Tab).await;
    assert_eq!(
        h.model.palette.as_ref().map(|p| p.text.as_str()),
        Some("dispatch deploy-production.yml v1.4.0 version=")
    );
}
