//! Two `[[repo]]`s in one cockpit, in the pure `update` and on screen: the REPO column and
//! the `repo:` filter on Runs, the REPO column on Gates, environments named with their repo;
//! and each repo's `production` keeping its own rules (phrase, live version) when a gate or a
//! dispatch asks for the phrase.

use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

use cockpit::config;
use cockpit::fixtures::{RunSpec, release_day, run, t0};
use cockpit::github::Fetched;
use cockpit::github::models::WorkflowRun;
use cockpit::model::{Dialog, Model, Screen, SourceKey};
use cockpit::msg::{Cmd, GateData, Msg};
use cockpit::theme::Theme;
use cockpit::update::update;
use cockpit::view;

const CONFIG: &str = r#"
[[repo]]
name = "acme/shop"

[[repo]]
name = "acme/payments"

[[environment]]
name = "production"
repo = "acme/shop"
protected = true

[[environment]]
name = "staging"
repo = "acme/shop"

[[environment]]
name = "production"
repo = "acme/payments"
protected = true
confirm_phrase = "payments to production"
"#;

const W: u16 = 120;
const H: u16 = 16;

fn payments_day() -> Vec<WorkflowRun> {
    let spec = |id, workflow, number, branch, event, status, conclusion, title, age_min| RunSpec {
        id,
        workflow,
        number,
        branch,
        event,
        status,
        conclusion,
        title,
        actor: "carol-sre",
        age_min,
        secs: 60,
    };
    [
        spec(
            7004,
            "CI",
            89,
            "main",
            "push",
            "in_progress",
            None,
            "Payouts: batch transfers per currency",
            0,
        ),
        spec(
            7003,
            "Deploy Production",
            15,
            "v2.7.1",
            "workflow_dispatch",
            "waiting",
            None,
            "Deploy Production",
            3,
        ),
        spec(
            7002,
            "CI",
            88,
            "fix/refund-webhook",
            "pull_request",
            "completed",
            Some("failure"),
            "Refunds: retry the processor webhook",
            40,
        ),
        spec(
            7001,
            "CI",
            87,
            "main",
            "push",
            "completed",
            Some("success"),
            "Ledger: round refunds half-even",
            180,
        ),
    ]
    .iter()
    .map(|s| run(s, t0()))
    .collect()
}

fn source(repo: &str) -> SourceKey {
    SourceKey {
        repo: repo.into(),
        workflow: None,
        branch: None,
    }
}

fn gate_data(env_id: u64) -> GateData {
    let pending = json!([{
        "environment": {"id": env_id, "name": "production"},
        "wait_timer": 0,
        "wait_timer_started_at": null,
        "current_user_can_approve": true,
        "reviewers": [{"type": "Team", "reviewer": {"id": 7, "name": "release-managers", "slug": "release-managers"}}]
    }]);
    GateData {
        pending: serde_json::from_value(pending).unwrap(),
        approvals: vec![],
    }
}

fn press(m: &mut Model, code: KeyCode) -> Vec<Cmd> {
    update(m, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), t0())
}

fn typed(m: &mut Model, text: &str) {
    for c in text.chars() {
        press(m, KeyCode::Char(c));
    }
}

/// Both repos' runs listed, both gates read; shop's production is live at v1.3.2.
fn model() -> Model {
    let cfg = config::parse_str(CONFIG, Path::new("test.toml")).unwrap();
    let mut m = cockpit::tui::initial_model(&cfg, false, t0());
    update(
        &mut m,
        Msg::Resize {
            width: W,
            height: H,
        },
        t0(),
    );
    let mut cmds = Vec::new();
    for (repo, runs) in [
        ("acme/shop", release_day(t0())),
        ("acme/payments", payments_day()),
    ] {
        cmds.extend(update(
            &mut m,
            Msg::Runs {
                source: source(repo),
                result: Ok(Fetched {
                    value: runs,
                    not_modified: false,
                }),
            },
            t0(),
        ));
    }
    for (repo, run_id, env_id) in [("acme/shop", 9004, 202), ("acme/payments", 7003, 302)] {
        assert!(
            cmds.contains(&Cmd::FetchGate {
                repo: repo.into(),
                run_id
            }),
            "{cmds:?}"
        );
        update(
            &mut m,
            Msg::Gate {
                repo: repo.into(),
                run_id,
                result: Ok(gate_data(env_id)),
            },
            t0(),
        );
    }
    m.envs[0].version.value = Some("v1.3.2".into());
    m
}

fn render(m: &Model) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(W, H)).unwrap();
    t.draw(|f| view::draw(f, m, &Theme::builtin("default").unwrap(), t0()))
        .unwrap();
    t
}

fn visible_repos(m: &Model) -> Vec<&str> {
    m.visible.iter().map(|&i| m.runs[i].repo.as_str()).collect()
}

#[test]
fn runs_of_both_repos_with_a_repo_column() {
    let m = model();
    assert_eq!(m.runs.len(), 11);
    assert!(visible_repos(&m).contains(&"acme/payments"));
    assert!(visible_repos(&m).contains(&"acme/shop"));
    insta::assert_snapshot!("runs_two_repos", render(&m).backend());
}

#[test]
fn repo_filter_keeps_one_repo_and_combines_with_text() {
    let mut m = model();
    press(&mut m, KeyCode::Char('/'));
    typed(&mut m, "repo:payments");
    press(&mut m, KeyCode::Enter);
    assert_eq!(m.filter, "repo:payments");
    assert_eq!(visible_repos(&m), vec!["acme/payments"; 4]);
    // The footer says which filter is on (the gate notice would hide it).
    m.flash = None;
    insta::assert_snapshot!("runs_two_repos_filtered", render(&m).backend());

    // The rest of the text narrows further; the full name works as well as the short one.
    m.filter = "repo:acme/shop ci".into();
    m.apply_filter();
    let numbers: Vec<u64> = m
        .visible
        .iter()
        .map(|&i| m.runs[i].run.run_number)
        .collect();
    assert_eq!(numbers, [313, 312, 311]);
    // Plain text still finds a repo by name, anywhere in the row.
    m.filter = "payments".into();
    m.apply_filter();
    assert_eq!(visible_repos(&m), vec!["acme/payments"; 4]);
    // Two repo: terms are either one.
    m.filter = "repo:shop repo:payments".into();
    m.apply_filter();
    assert_eq!(m.visible.len(), 11);
    m.filter = "repo:ledger".into();
    m.apply_filter();
    assert!(m.visible.is_empty());
}

#[test]
fn gates_of_both_repos_name_their_repo() {
    let mut m = model();
    press(&mut m, KeyCode::Char('3'));
    assert_eq!(m.screen, Screen::Gates);
    assert_eq!(m.gates.len(), 2);
    insta::assert_snapshot!("gates_two_repos", render(&m).backend());
    // The notices said whose run waits.
    let said: Vec<&str> = m.activity.iter().map(|a| a.text.as_str()).collect();
    assert!(
        said.contains(&"gate opened: Deploy Production #15 (payments) waits for approval"),
        "{said:?}"
    );
}

#[test]
fn environments_are_titled_with_their_repo() {
    let mut m = model();
    press(&mut m, KeyCode::Char('2'));
    let t = render(&m);
    let text: String = t
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    for label in ["shop:production", "shop:staging", "payments:production"] {
        assert!(text.contains(label), "{label} not on screen");
    }
}

/// Approving a gate of `repo`: select it, `a`, Enter on the comment; returns the dialog.
fn approve(m: &mut Model, repo: &str) -> Option<Dialog> {
    press(m, KeyCode::Char('3'));
    m.gate_selected = m.gates.iter().position(|g| g.repo == repo).unwrap();
    press(m, KeyCode::Char('a'));
    press(m, KeyCode::Enter);
    m.dialog.clone()
}

#[test]
fn each_repo_gate_asks_its_own_environment_phrase() {
    let mut m = model();
    let Some(Dialog::Phrase(p)) = approve(&mut m, "acme/payments") else {
        panic!("payments' production is protected: {:?}", m.dialog)
    };
    assert_eq!(p.phrase, "payments to production");
    assert_eq!(p.mutation.repo, "acme/payments");
    assert_eq!(p.mutation.label, "Deploy Production #15 (payments)");
    // Not the shop's live version: payments' is unknown.
    assert_eq!(p.live, None);
    press(&mut m, KeyCode::Esc);

    let Some(Dialog::Phrase(p)) = approve(&mut m, "acme/shop") else {
        panic!("shop's production is protected: {:?}", m.dialog)
    };
    assert_eq!(p.phrase, "production v1.4.0");
    assert_eq!(p.live.as_deref(), Some("v1.3.2"));
    typed(&mut m, "production v1.4.0");
    let sent = press(&mut m, KeyCode::Enter);
    assert!(
        matches!(&sent[..], [Cmd::Mutate(x)] if x.repo == "acme/shop" && x.run_id == 9004),
        "{sent:?}"
    );
}

#[test]
fn an_unconfigured_environment_of_another_repo_is_not_mistaken_for_a_configured_one() {
    // Only the shop's production is configured: the payments gate on *its* production gets
    // the y/N of an environment cockpit knows nothing about, not the shop's phrase.
    let cfg = CONFIG.replace(
        "[[environment]]\nname = \"production\"\nrepo = \"acme/payments\"\nprotected = true\nconfirm_phrase = \"payments to production\"\n",
        "",
    );
    assert_ne!(cfg, CONFIG);
    let cfg = config::parse_str(&cfg, Path::new("test.toml")).unwrap();
    let mut m = model();
    let fresh = cockpit::tui::initial_model(&cfg, false, t0());
    m.envs = fresh.envs;
    assert!(matches!(
        approve(&mut m, "acme/payments"),
        Some(Dialog::Confirm(x)) if x.repo == "acme/payments"
    ));
}

#[test]
fn palette_names_an_environment_by_repo_when_the_name_is_shared() {
    let mut m = model();
    press(&mut m, KeyCode::Char(':'));
    typed(&mut m, "watch production");
    press(&mut m, KeyCode::Enter);
    let err = m.palette.as_ref().and_then(|p| p.error.clone()).unwrap();
    assert!(
        err.contains("shop:production or payments:production"),
        "{err}"
    );
    assert!(m.envs.iter().all(|e| e.cutover.is_none()));

    for _ in 0.."watch production".len() {
        press(&mut m, KeyCode::Backspace);
    }
    typed(&mut m, "watch payments:production");
    press(&mut m, KeyCode::Enter);
    assert!(m.palette.is_none());
    assert_eq!(m.screen, Screen::Environments);
    assert_eq!(m.env_selected, 2);
    assert!(m.envs[2].cutover.is_some());
    assert!(m.envs[0].cutover.is_none());
    let said = m
        .activity
        .last()
        .map(|a| a.text.clone())
        .unwrap_or_default();
    assert!(
        said.starts_with("payments:production: cutover window opened"),
        "{said}"
    );

    // A name only one repo has needs no repo.
    press(&mut m, KeyCode::Char(':'));
    typed(&mut m, "watch staging");
    press(&mut m, KeyCode::Enter);
    assert_eq!(m.env_selected, 1);
}

fn palette(m: &mut Model, line: &str) -> Vec<Cmd> {
    press(m, KeyCode::Char(':'));
    typed(m, line);
    press(m, KeyCode::Enter)
}

fn load(repo: &str, workflow: &str, git_ref: &str) -> Cmd {
    Cmd::LoadDispatch {
        repo: repo.into(),
        workflow: workflow.into(),
        git_ref: git_ref.into(),
        preset: vec![],
    }
}

#[test]
fn palette_dispatch_takes_a_repo_before_the_workflow() {
    let mut m = model();
    // Plain: the repo with the newest run of the workflow (payments' CI #89, just now).
    assert_eq!(
        palette(&mut m, "dispatch ci.yml"),
        [load("acme/payments", "ci.yml", "main")]
    );
    assert_eq!(
        palette(&mut m, "dispatch shop:ci.yml v1.4.0"),
        [load("acme/shop", "ci.yml", "v1.4.0")]
    );
    assert_eq!(
        palette(&mut m, "dispatch acme/payments:ci.yml"),
        [load("acme/payments", "ci.yml", "main")]
    );
}

#[test]
fn a_dispatch_form_knows_only_its_own_repo_environments() {
    let yaml = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/workflows/deploy-production.yml"),
    )
    .unwrap();
    let spec = cockpit::dispatch::parse_workflow(&yaml).unwrap();
    let mut m = model();
    let spec_for = |repo: &str| Msg::DispatchSpec {
        repo: repo.into(),
        workflow: "deploy-production.yml".into(),
        git_ref: "main".into(),
        preset: vec![("version".into(), "v2.8.0".into())],
        result: Ok(spec.clone()),
    };
    update(&mut m, spec_for("acme/payments"), t0());
    assert!(matches!(m.dialog, Some(Dialog::Dispatch(_))));
    press(&mut m, KeyCode::Enter);
    let Some(Dialog::Phrase(p)) = &m.dialog else {
        panic!("payments' production is protected: {:?}", m.dialog)
    };
    assert_eq!(p.phrase, "payments to production");
    assert_eq!(p.live, None, "not the shop's live version");
    assert_eq!(p.mutation.repo, "acme/payments");
    press(&mut m, KeyCode::Esc);

    // The same file in the shop: the shop's production, its phrase and live version.
    update(&mut m, spec_for("acme/shop"), t0());
    press(&mut m, KeyCode::Enter);
    let Some(Dialog::Phrase(p)) = &m.dialog else {
        panic!("shop's production is protected: {:?}", m.dialog)
    };
    assert_eq!(p.phrase, "production v2.8.0");
    assert_eq!(p.live.as_deref(), Some("v1.3.2"));
}
