//! Dispatch end to end without a terminal: the real `update`, the real client and the
//! embedded simulator. The form is built from the workflow file fetched over the contents
//! API; a protected target asks for the phrase; one POST with exactly the inputs; the new
//! run is opened; the audit log records it. Validation errors and Esc send nothing.

mod support;

use std::time::Duration;

use crossterm::event::KeyCode;
use serde_json::json;

use cockpit::audit::{self, Outcome};
use cockpit::model::{Dialog, Screen};
use cockpit::sim::SimOptions;
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

fn dispatches_sent(h: &Harness) -> Vec<serde_json::Value> {
    h.posts_to("/dispatches")
}

async fn type_text(h: &mut Harness, text: &str) {
    h.type_text(text).await;
}

async fn palette(h: &mut Harness, line: &str) {
    h.key(KeyCode::Char(':')).await;
    type_text(h, line).await;
    h.key(KeyCode::Enter).await;
}

#[tokio::test]
async fn palette_dispatch_to_production_asks_the_phrase_sends_once_and_watches_the_run() {
    let mut h = demo().await;
    palette(
        &mut h,
        "dispatch deploy-production.yml v1.4.0 version=v1.4.0",
    )
    .await;
    let Some(Dialog::Dispatch(form)) = &h.model.dialog else {
        panic!(
            "the form opens once the workflow file is read: {:?} / {:?}",
            h.model.dialog, h.model.flash
        )
    };
    assert_eq!(form.git_ref(), "v1.4.0");
    assert_eq!(
        form.values().get("version").map(String::as_str),
        Some("v1.4.0")
    );
    assert_eq!(form.protected_targets(), vec!["production".to_string()]);
    h.key(KeyCode::Enter).await;
    let Some(Dialog::Phrase(p)) = &h.model.dialog else {
        panic!("production is protected: {:?}", h.model.dialog)
    };
    assert_eq!(p.phrase, "production v1.4.0");
    h.key(KeyCode::Enter).await;
    assert!(
        dispatches_sent(&h).is_empty(),
        "Enter before the phrase sends nothing"
    );
    type_text(&mut h, "production v1.4.0").await;
    h.key(KeyCode::Enter).await;

    assert_eq!(
        dispatches_sent(&h),
        vec![json!({"ref": "v1.4.0", "inputs": {"version": "v1.4.0"}, "return_run_details": true})]
    );
    let said = h
        .model
        .activity
        .iter()
        .map(|a| a.text.clone())
        .collect::<Vec<_>>();
    assert!(
        said.iter().any(|t| t.starts_with("dispatched Deploy")),
        "{said:?}"
    );
    // Straight into watching the new run.
    assert_eq!(h.model.screen, Screen::RunDetail);
    let new_run = h.model.detail.as_ref().map(|d| d.run_id).unwrap();
    let listed = h
        .run_until(Duration::from_secs(30), |h| {
            h.model.runs.iter().any(|e| e.run.id == new_run)
        })
        .await;
    assert!(
        listed,
        "the dispatched run {new_run} never showed in the list"
    );

    let entries = audit::read_recent(&h.audit_path(), 10).unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].record.action.as_str(), "dispatch");
    assert_eq!(entries[0].record.outcome, Outcome::Ok);
    assert_eq!(
        entries[0].record.detail.as_deref(),
        Some(format!("run {new_run}").as_str())
    );
    assert_eq!(entries[0].record.environment.as_deref(), Some("production"));
    assert!(audit::verify(&h.audit_path()).unwrap().is_intact());
}

#[tokio::test]
async fn a_missing_required_input_keeps_the_form_and_esc_sends_nothing() {
    let mut h = demo().await;
    palette(&mut h, "dispatch deploy-production.yml v1.4.0").await;
    assert!(matches!(h.model.dialog, Some(Dialog::Dispatch(_))));
    h.key(KeyCode::Enter).await;
    let Some(Dialog::Dispatch(form)) = &h.model.dialog else {
        panic!("{:?}", h.model.dialog)
    };
    assert!(form.error_for("version").is_some(), "{:?}", form.errors());
    h.key(KeyCode::Esc).await;
    assert!(h.model.dialog.is_none());
    // An unknown key from the palette is shown, not dropped.
    palette(&mut h, "dispatch deploy-production.yml v1.4.0 versoin=v1").await;
    let Some(Dialog::Dispatch(form)) = &h.model.dialog else {
        panic!("{:?}", h.model.dialog)
    };
    assert!(!form.errors().is_empty());
    h.key(KeyCode::Esc).await;
    h.run_for(Duration::from_secs(3)).await;
    assert!(dispatches_sent(&h).is_empty());
    assert!(audit::read_recent(&h.audit_path(), 10).unwrap().is_empty());
}

#[tokio::test]
async fn read_only_refuses_dispatch_before_anything() {
    let mut h = demo().await;
    h.model.read_only = true;
    palette(
        &mut h,
        "dispatch deploy-production.yml v1.4.0 version=v1.4.0",
    )
    .await;
    assert!(h.model.dialog.is_none());
    let flash = h
        .model
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert!(
        flash.starts_with("read-only: refused to dispatch"),
        "{flash}"
    );
    assert!(dispatches_sent(&h).is_empty());
}

#[tokio::test]
async fn an_older_server_falls_back_and_the_run_is_not_lost() {
    let mut h = Harness::start_with_sim(
        HarnessOptions {
            environments: true,
            ..HarnessOptions::default()
        },
        |o: &mut SimOptions| o.legacy_dispatch = true,
    )
    .await;
    h.run_for(Duration::from_secs(3)).await;
    palette(
        &mut h,
        "dispatch deploy-production.yml v1.4.0 version=v1.4.0",
    )
    .await;
    h.key(KeyCode::Enter).await;
    type_text(&mut h, "production v1.4.0").await;
    h.key(KeyCode::Enter).await;
    let sent = dispatches_sent(&h);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[0]["return_run_details"], json!(true));
    assert!(sent[1].get("return_run_details").is_none());
    let said = h
        .model
        .activity
        .iter()
        .map(|a| a.text.clone())
        .collect::<Vec<_>>();
    assert!(
        said.iter().any(|t| t.contains("did not return the run")),
        "{said:?}"
    );
    // It shows up in the list by itself: the runs were polled again right away.
    let appeared = h
        .run_until(Duration::from_secs(30), |h| {
            h.model
                .runs
                .iter()
                .filter(|e| e.run.name.as_deref() == Some("Deploy Production"))
                .count()
                >= 3
        })
        .await;
    assert!(appeared, "{:?}", h.run_ids());
}

#[tokio::test]
async fn d_on_a_run_opens_the_form_for_its_workflow_at_its_ref() {
    let mut h = demo().await;
    let pos = h
        .model
        .visible
        .iter()
        .position(|&i| h.model.runs[i].run.id == 9004)
        .unwrap();
    h.model.selected = pos;
    h.key(KeyCode::Char('d')).await;
    let Some(Dialog::Dispatch(form)) = &h.model.dialog else {
        panic!("{:?} / {:?}", h.model.dialog, h.model.flash)
    };
    assert_eq!(form.workflow_file(), "deploy-production.yml");
    assert_eq!(form.git_ref(), "v1.4.0");
    // Typing goes into the form, not to the keymap (`q` does not quit).
    h.key(KeyCode::Tab).await;
    type_text(&mut h, "v1.4.1q").await;
    assert!(!h.model.quit);
    let Some(Dialog::Dispatch(form)) = &h.model.dialog else {
        panic!("{:?}", h.model.dialog)
    };
    assert_eq!(
        form.values().get("version").map(String::as_str),
        Some("v1.4.1q")
    );
}
