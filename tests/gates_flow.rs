//! Gates end to end without a terminal: the real `update`, the real client and the embedded
//! simulator over HTTP. Approve by keys (comment, typed phrase), one POST with exactly the
//! right body, the audit log around it, the run going on to success; and every way of not
//! sending: Esc, a wrong phrase, read-only, someone else having reviewed first.

mod support;

use std::time::Duration;

use crossterm::event::KeyCode;
use serde_json::json;

use cockpit::audit::{self, Outcome};
use cockpit::github::GitHub;
use cockpit::github::models::{Conclusion, RunStatus};
use cockpit::model::{Dialog, Screen};
use support::harness::{Harness, HarnessOptions};

const GATED_RUN: u64 = 9004;
const PRODUCTION_ID: u64 = 202;

async fn demo() -> Harness {
    let mut h = Harness::start(HarnessOptions {
        environments: true,
        ..HarnessOptions::default()
    })
    .await;
    let read = h
        .run_until(Duration::from_secs(30), |h| {
            h.model.gates.iter().any(|g| g.data.is_some())
        })
        .await;
    assert!(
        read,
        "the production gate never showed: {:?}",
        h.model.gates
    );
    h
}

fn reviews_sent(h: &Harness) -> Vec<serde_json::Value> {
    h.posts_to("/pending_deployments")
}

async fn type_text(h: &mut Harness, text: &str) {
    h.type_text(text).await;
}

async fn clear_line(h: &mut Harness, n: usize) {
    for _ in 0..n {
        h.key(KeyCode::Backspace).await;
    }
}

#[tokio::test]
async fn approve_by_keys_sends_one_post_after_the_exact_phrase_and_the_run_succeeds() {
    let mut h = demo().await;
    let gate = &h.model.gates[0];
    assert_eq!(gate.run_id, GATED_RUN);
    assert_eq!(gate.environments(), vec!["production".to_string()]);
    assert_eq!(gate.can_approve(), Some(true));

    h.key(KeyCode::Char('3')).await;
    assert_eq!(h.model.screen, Screen::Gates);
    h.key(KeyCode::Char('a')).await;
    let Some(Dialog::Comment { text, .. }) = &h.model.dialog else {
        panic!("a opens the comment prompt: {:?}", h.model.dialog)
    };
    assert_eq!(text, "Approved v1.4.0 for production from cockpit");
    h.key(KeyCode::Enter).await;
    let Some(Dialog::Phrase(p)) = &h.model.dialog else {
        panic!(
            "production is protected: the phrase comes next: {:?}",
            h.model.dialog
        )
    };
    assert_eq!(p.phrase, "production v1.4.0");

    // A wrong phrase: Enter does nothing, nothing is sent.
    type_text(&mut h, "production v1.3.2").await;
    h.key(KeyCode::Enter).await;
    assert!(matches!(h.model.dialog, Some(Dialog::Phrase(_))));
    assert!(reviews_sent(&h).is_empty());

    clear_line(&mut h, 6).await;
    type_text(&mut h, "v1.4.0").await;
    h.key(KeyCode::Enter).await;
    assert!(h.model.dialog.is_none());

    let sent = reviews_sent(&h);
    assert_eq!(
        sent,
        vec![json!({
            "environment_ids": [PRODUCTION_ID],
            "state": "approved",
            "comment": "Approved v1.4.0 for production from cockpit"
        })],
        "exactly one POST with exactly these fields"
    );
    let flash = h
        .model
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert!(flash.contains("approved production"), "{flash}");

    // One notice to the team: what, where, which version, who.
    let notices = h.notices();
    let approval: Vec<_> = notices
        .iter()
        .filter(|(_, a)| a.title == "production: deployment approved")
        .collect();
    assert_eq!(approval.len(), 1, "{notices:?}");
    let text = &approval[0].1.text;
    assert!(
        text.contains("v1.4.0") && text.contains("Deploy Production #8") && text.contains(" by "),
        "{text}"
    );
    assert!(
        approval[0]
            .1
            .link
            .as_deref()
            .unwrap_or("")
            .contains("/actions/runs/9004")
    );

    // The audit log: the intent, then the outcome; the chain verifies.
    let entries = audit::read_recent(&h.audit_path(), 10).unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].record.outcome, Outcome::Intent);
    assert_eq!(entries[0].record.outcome, Outcome::Ok);
    assert_eq!(entries[0].record.action.as_str(), "approve");
    assert_eq!(entries[0].record.run_id, Some(GATED_RUN));
    assert_eq!(entries[0].record.environment.as_deref(), Some("production"));
    assert!(audit::verify(&h.audit_path()).unwrap().is_intact());

    // The run goes on to success; the gate goes away; the deployment shows in production.
    let done = h
        .run_until(Duration::from_secs(600), |h| {
            h.model.runs.iter().any(|e| {
                e.run.id == GATED_RUN
                    && e.run.status == Some(RunStatus::Completed)
                    && e.run.conclusion == Some(Conclusion::Success)
            })
        })
        .await;
    assert!(done, "the approved run did not succeed");
    assert!(h.model.gates.is_empty(), "{:?}", h.model.gates);
    let prod = h.env_index("production");
    let deployed = h
        .run_until(Duration::from_secs(60), |h| {
            h.model.envs[prod]
                .last_good_deployment()
                .is_some_and(|d| d.deployment.git_ref == "v1.4.0")
        })
        .await;
    assert!(
        deployed,
        "production's pane does not show the v1.4.0 deployment"
    );
    assert_eq!(reviews_sent(&h).len(), 1);
}

#[tokio::test]
async fn esc_at_each_step_and_read_only_send_nothing() {
    let mut h = demo().await;
    h.key(KeyCode::Char('3')).await;
    // Esc at the comment.
    h.key(KeyCode::Char('a')).await;
    h.key(KeyCode::Esc).await;
    assert!(h.model.dialog.is_none());
    // Esc at the phrase, with the right phrase typed.
    h.key(KeyCode::Char('a')).await;
    h.key(KeyCode::Enter).await;
    type_text(&mut h, "production v1.4.0").await;
    h.key(KeyCode::Esc).await;
    assert!(h.model.dialog.is_none());
    // An empty comment is refused in place.
    h.key(KeyCode::Char('x')).await;
    clear_line(&mut h, 80).await;
    h.key(KeyCode::Enter).await;
    let Some(Dialog::Comment { error, .. }) = &h.model.dialog else {
        panic!("{:?}", h.model.dialog)
    };
    assert!(
        error
            .as_deref()
            .unwrap_or("")
            .contains("requires a comment")
    );
    h.key(KeyCode::Esc).await;
    // Read-only: refused before any dialog.
    h.model.read_only = true;
    h.key(KeyCode::Char('a')).await;
    assert!(h.model.dialog.is_none());
    let flash = h
        .model
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert!(
        flash.starts_with("read-only: refused to approve"),
        "{flash}"
    );

    h.run_for(Duration::from_secs(5)).await;
    assert!(reviews_sent(&h).is_empty());
    assert!(audit::read_recent(&h.audit_path(), 10).unwrap().is_empty());
}

#[tokio::test]
async fn reject_sends_rejected_and_the_run_stops_waiting() {
    let mut h = demo().await;
    h.key(KeyCode::Char('3')).await;
    h.key(KeyCode::Char('x')).await;
    clear_line(&mut h, 80).await;
    type_text(&mut h, "not tonight").await;
    h.key(KeyCode::Enter).await;
    type_text(&mut h, "production v1.4.0").await;
    h.key(KeyCode::Enter).await;
    assert_eq!(
        reviews_sent(&h),
        vec![
            json!({"environment_ids": [PRODUCTION_ID], "state": "rejected", "comment": "not tonight"})
        ]
    );
    let stopped = h
        .run_until(Duration::from_secs(120), |h| {
            h.model
                .runs
                .iter()
                .any(|e| e.run.id == GATED_RUN && e.run.status == Some(RunStatus::Completed))
        })
        .await;
    assert!(stopped);
    assert!(h.model.gates.is_empty());
}

#[tokio::test]
async fn someone_else_reviewing_first_gets_a_clear_422_and_no_retry() {
    let mut h = demo().await;
    h.key(KeyCode::Char('3')).await;
    h.key(KeyCode::Char('a')).await;
    h.key(KeyCode::Enter).await;
    type_text(&mut h, "production v1.4.0").await;
    // Meanwhile a colleague approves in the browser.
    h.github
        .review_pending(
            "acme/shop",
            GATED_RUN,
            &[PRODUCTION_ID],
            true,
            "from the browser",
        )
        .await
        .unwrap();
    h.key(KeyCode::Enter).await;
    assert_eq!(
        reviews_sent(&h).len(),
        2,
        "the colleague's and ours, nothing more"
    );
    let flash = h
        .model
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert!(flash.contains("reviewed already"), "{flash}");
    assert!(flash.contains("not retried"), "{flash}");
    let entries = audit::read_recent(&h.audit_path(), 10).unwrap();
    assert_eq!(entries[0].record.outcome, Outcome::Failed);
    assert!(
        entries[0]
            .record
            .detail
            .as_deref()
            .unwrap_or("")
            .contains("422")
    );
    h.run_for(Duration::from_secs(10)).await;
    assert_eq!(reviews_sent(&h).len(), 2);
}

#[tokio::test]
async fn palette_approve_walks_the_same_prompts() {
    let mut h = demo().await;
    h.key(KeyCode::Char(':')).await;
    type_text(&mut h, "approve 9004 staging").await;
    h.key(KeyCode::Enter).await;
    let err = h
        .model
        .palette
        .as_ref()
        .and_then(|p| p.error.clone())
        .unwrap_or_default();
    assert!(
        err.contains("does not wait on staging; it waits on production"),
        "{err}"
    );
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Char(':')).await;
    type_text(&mut h, "approve 9004 production").await;
    h.key(KeyCode::Enter).await;
    assert!(matches!(h.model.dialog, Some(Dialog::Comment { .. })));
    h.key(KeyCode::Enter).await;
    assert!(matches!(h.model.dialog, Some(Dialog::Phrase(_))));
    assert!(reviews_sent(&h).is_empty());
}
