//! `update` as a pure function: messages in, commands and state out. No I/O, fixed time.

use std::sync::Arc;

use chrono::Duration as CDuration;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use cockpit::fixtures::{job, model_with_runs, release_day, t0};
use cockpit::github::error::ApiError;
use cockpit::github::{Fetched, RateInfo};
use cockpit::model::log_text::LogText;
use cockpit::model::{Dialog, Model, PollSettings, Screen, SourceKey};
use cockpit::msg::{Cmd, Msg, MutationKind};
use cockpit::update::update;

fn key(m: &mut Model, c: char) -> Vec<Cmd> {
    update(
        m,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        t0(),
    )
}

fn code(m: &mut Model, code: KeyCode) -> Vec<Cmd> {
    update(m, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), t0())
}

fn source() -> SourceKey {
    SourceKey {
        repo: "acme/shop".into(),
        workflow: None,
        branch: None,
    }
}

fn fresh(m: &Model) -> Model {
    let mut m = m.clone();
    m.height = 40;
    m
}

/// Selects the run with this run number in the list.
fn select(m: &mut Model, number: u64) {
    let pos = m
        .visible
        .iter()
        .position(|&i| m.runs[i].run.run_number == number)
        .unwrap();
    m.selected = pos;
}

#[test]
fn first_tick_polls_every_source_once() {
    let keys = vec![
        source(),
        SourceKey {
            repo: "acme/api".into(),
            workflow: Some("ci.yml".into()),
            branch: Some("main".into()),
        },
    ];
    let mut m = Model::new(keys.clone(), PollSettings::default(), t0());
    let cmds = update(&mut m, Msg::Tick, t0());
    assert_eq!(cmds.len(), 2);
    assert!(cmds.contains(&Cmd::FetchRuns(keys[1].clone())));
    // In flight: a second tick sends nothing more.
    assert!(update(&mut m, Msg::Tick, t0() + CDuration::seconds(1)).is_empty());
}

#[test]
fn runs_are_merged_newest_first_and_polled_fast_while_active() {
    let mut m = Model::new(vec![source()], PollSettings::default(), t0());
    update(&mut m, Msg::Tick, t0());
    let runs = release_day(t0());
    update(
        &mut m,
        Msg::Runs {
            source: source(),
            result: Ok(Fetched {
                value: runs,
                not_modified: false,
            }),
        },
        t0(),
    );
    let numbers: Vec<u64> = m.runs.iter().map(|e| e.run.run_number).collect();
    assert_eq!(numbers, vec![313, 58, 8, 312, 143, 311, 90]);
    // An active run: next poll after active_poll (3 s), not idle (15 s).
    assert!(update(&mut m, Msg::Tick, t0() + CDuration::seconds(2)).is_empty());
    assert_eq!(
        update(&mut m, Msg::Tick, t0() + CDuration::seconds(3)),
        vec![Cmd::FetchRuns(source())]
    );
}

#[test]
fn idle_repos_poll_slowly_and_low_quota_stretches() {
    let mut m = Model::new(vec![source()], PollSettings::default(), t0());
    update(&mut m, Msg::Tick, t0());
    let done: Vec<_> = release_day(t0())
        .into_iter()
        .filter(|r| !r.is_active())
        .collect();
    update(
        &mut m,
        Msg::Rate(RateInfo {
            limit: 5000,
            remaining: 600,
            reset: None,
            used: 4400,
        }),
        t0(),
    );
    update(
        &mut m,
        Msg::Runs {
            source: source(),
            result: Ok(Fetched {
                value: done,
                not_modified: false,
            }),
        },
        t0(),
    );
    // 15 s idle × 2 (below 20 % quota) = 30 s.
    assert!(update(&mut m, Msg::Tick, t0() + CDuration::seconds(29)).is_empty());
    assert_eq!(
        update(&mut m, Msg::Tick, t0() + CDuration::seconds(30)).len(),
        1
    );
}

#[test]
fn failed_poll_keeps_data_marks_stale_and_backs_off_then_recovers() {
    let mut m = model_with_runs(release_day(t0()), t0());
    let now = t0() + CDuration::seconds(20);
    assert_eq!(update(&mut m, Msg::Tick, now).len(), 1);
    let err = ApiError::Http {
        status: 502,
        message: "Bad Gateway".into(),
    };
    update(
        &mut m,
        Msg::Runs {
            source: source(),
            result: Err(err),
        },
        now,
    );
    assert_eq!(m.runs.len(), 7, "last good data kept");
    assert!(m.is_stale(now));
    assert!(m.last_error().unwrap().contains("502"));
    // Backoff: about 2 s (±20 %), not immediately.
    assert!(update(&mut m, Msg::Tick, now + CDuration::milliseconds(1500)).is_empty());
    assert_eq!(
        update(&mut m, Msg::Tick, now + CDuration::milliseconds(2500)).len(),
        1
    );
    let later = now + CDuration::milliseconds(2600);
    update(
        &mut m,
        Msg::Runs {
            source: source(),
            result: Ok(Fetched {
                value: release_day(t0()),
                not_modified: true,
            }),
        },
        later,
    );
    assert!(!m.is_stale(later));
    assert!(m.last_error().is_none());
}

#[test]
fn rate_limit_pauses_every_get_until_reset() {
    let mut m = model_with_runs(release_day(t0()), t0());
    let now = t0() + CDuration::seconds(20);
    update(&mut m, Msg::Tick, now);
    let until = now + CDuration::seconds(90);
    let err = ApiError::RateLimited {
        until,
        secondary: true,
        message: "secondary rate limit".into(),
    };
    update(
        &mut m,
        Msg::Runs {
            source: source(),
            result: Err(err),
        },
        now,
    );
    assert!(m.rate_wait.is_some());
    assert!(update(&mut m, Msg::Tick, now + CDuration::seconds(89)).is_empty());
    assert_eq!(update(&mut m, Msg::Tick, until).len(), 1);
    assert!(m.rate_wait.is_none());
}

#[test]
fn rerun_asks_first_no_is_default_and_sends_once() {
    let mut m = fresh(&model_with_runs(release_day(t0()), t0()));
    select(&mut m, 312);
    assert!(key(&mut m, 'e').is_empty());
    assert!(matches!(m.dialog, Some(Dialog::Confirm(_))));
    // Enter = No.
    assert!(code(&mut m, KeyCode::Enter).is_empty());
    assert!(m.dialog.is_none());
    assert!(m.flash.as_ref().unwrap().text.contains("nothing sent"));
    // e, y: exactly one mutation.
    key(&mut m, 'e');
    let cmds = key(&mut m, 'y');
    assert_eq!(cmds.len(), 1);
    let Cmd::Mutate(mutation) = &cmds[0] else {
        panic!("{cmds:?}")
    };
    assert_eq!(
        (mutation.kind, mutation.run_id),
        (MutationKind::RerunFailed, 9002)
    );
    // Asking again while in flight sends nothing.
    assert!(key(&mut m, 'e').is_empty());
    assert!(m.dialog.is_none());
    // Done: the repo is polled again right away.
    let cmds = update(
        &mut m,
        Msg::MutationDone {
            mutation: mutation.clone(),
            result: Ok(()),
        },
        t0(),
    );
    assert!(cmds.contains(&Cmd::FetchRuns(source())));
    assert!(m.in_flight.is_empty());
}

#[test]
fn esc_closes_confirm_without_sending() {
    let mut m = fresh(&model_with_runs(release_day(t0()), t0()));
    select(&mut m, 312);
    key(&mut m, 'E');
    assert!(code(&mut m, KeyCode::Esc).is_empty());
    assert!(m.dialog.is_none());
}

#[test]
fn impossible_mutations_are_refused_with_a_reason() {
    let mut m = fresh(&model_with_runs(release_day(t0()), t0()));
    select(&mut m, 312);
    assert!(key(&mut m, 'c').is_empty());
    assert!(m.dialog.is_none());
    assert!(m.flash.as_ref().unwrap().text.contains("already completed"));
    select(&mut m, 313);
    key(&mut m, 'e');
    assert!(m.dialog.is_none());
    assert!(m.flash.as_ref().unwrap().text.contains("still running"));
}

#[test]
fn read_only_refuses_and_sends_nothing() {
    let mut m = fresh(&model_with_runs(release_day(t0()), t0()));
    m.read_only = true;
    select(&mut m, 313);
    assert!(key(&mut m, 'c').is_empty());
    assert!(m.dialog.is_none());
    assert!(m.flash.as_ref().unwrap().text.starts_with("read-only"));
}

#[test]
fn cancel_conflict_says_already_completed_and_is_not_retried() {
    let mut m = fresh(&model_with_runs(release_day(t0()), t0()));
    select(&mut m, 313);
    key(&mut m, 'c');
    let cmds = key(&mut m, 'y');
    let Cmd::Mutate(mutation) = cmds[0].clone() else {
        panic!()
    };
    let err = ApiError::Conflict {
        message: "Cannot cancel a workflow run that is completed.".into(),
    };
    let cmds = update(
        &mut m,
        Msg::MutationDone {
            mutation,
            result: Err(err),
        },
        t0(),
    );
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::Mutate(_))));
    assert!(m.flash.as_ref().unwrap().text.contains("already completed"));
}

#[test]
fn failed_mutation_is_reported_not_retried() {
    let mut m = fresh(&model_with_runs(release_day(t0()), t0()));
    select(&mut m, 312);
    key(&mut m, 'e');
    let Cmd::Mutate(mutation) = key(&mut m, 'y')[0].clone() else {
        panic!()
    };
    let err = ApiError::Http {
        status: 500,
        message: "Server Error".into(),
    };
    let cmds = update(
        &mut m,
        Msg::MutationDone {
            mutation,
            result: Err(err),
        },
        t0(),
    );
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::Mutate(_))));
    assert!(m.flash.as_ref().unwrap().text.contains("not retried"));
}

#[test]
fn filter_narrows_live_and_esc_clears() {
    let mut m = fresh(&model_with_runs(release_day(t0()), t0()));
    key(&mut m, '/');
    for c in "failure".chars() {
        key(&mut m, c);
    }
    assert_eq!(m.visible.len(), 1);
    assert_eq!(m.selected_run().unwrap().run.run_number, 312);
    code(&mut m, KeyCode::Enter);
    assert_eq!(m.visible.len(), 1, "filter stays after Enter");
    code(&mut m, KeyCode::Esc);
    assert_eq!(m.visible.len(), 7);
}

#[test]
fn open_run_fetches_jobs_selects_failed_step_and_opens_its_log() {
    let mut m = fresh(&model_with_runs(release_day(t0()), t0()));
    select(&mut m, 312);
    let cmds = code(&mut m, KeyCode::Enter);
    assert_eq!(m.screen, Screen::RunDetail);
    assert_eq!(
        cmds,
        vec![Cmd::FetchJobs {
            repo: "acme/shop".into(),
            run_id: 9002
        }]
    );
    let jobs = vec![
        job(1, 9002, "lint", 4, None, t0()),
        job(2, 9002, "test", 6, Some(4), t0()),
    ];
    update(
        &mut m,
        Msg::Jobs {
            repo: "acme/shop".into(),
            run_id: 9002,
            result: Ok(Fetched {
                value: jobs,
                not_modified: false,
            }),
        },
        t0(),
    );
    // Rows: lint, 4 steps, test, steps 1..=6 → step 4 of test is row 9.
    assert_eq!(m.detail.as_ref().unwrap().selected, 9);
    let cmds = key(&mut m, 'l');
    assert_eq!(
        cmds,
        vec![Cmd::FetchLog {
            repo: "acme/shop".into(),
            job_id: 2
        }]
    );
    assert_eq!(m.screen, Screen::Logs);
    // The log arrives: the cursor starts on the first error; n walks the errors.
    let text = LogText::new(b"a\nb\n##[error]one\nc\ntest x ... FAILED\n".to_vec());
    update(
        &mut m,
        Msg::Log {
            job_id: 2,
            result: Ok(Arc::new(text)),
        },
        t0(),
    );
    assert_eq!(m.log.as_ref().unwrap().cursor, 2);
    key(&mut m, 'n');
    assert_eq!(m.log.as_ref().unwrap().cursor, 4);
    key(&mut m, 'n');
    assert_eq!(m.log.as_ref().unwrap().cursor, 2, "wraps around");
    // Esc goes back step by step.
    code(&mut m, KeyCode::Esc);
    assert_eq!(m.screen, Screen::RunDetail);
    code(&mut m, KeyCode::Esc);
    assert_eq!(m.screen, Screen::Runs);
}

#[test]
fn l_on_the_runs_list_opens_the_failed_jobs_log_once_jobs_arrive() {
    let mut m = fresh(&model_with_runs(release_day(t0()), t0()));
    select(&mut m, 312);
    let cmds = key(&mut m, 'l');
    assert_eq!(
        cmds,
        vec![Cmd::FetchJobs {
            repo: "acme/shop".into(),
            run_id: 9002
        }]
    );
    let jobs = vec![
        job(1, 9002, "lint", 4, None, t0()),
        job(2, 9002, "test", 6, Some(4), t0()),
    ];
    let cmds = update(
        &mut m,
        Msg::Jobs {
            repo: "acme/shop".into(),
            run_id: 9002,
            result: Ok(Fetched {
                value: jobs,
                not_modified: false,
            }),
        },
        t0(),
    );
    assert_eq!(
        cmds,
        vec![Cmd::FetchLog {
            repo: "acme/shop".into(),
            job_id: 2
        }]
    );
}

#[test]
fn log_search_finds_text() {
    let mut m = fresh(&model_with_runs(release_day(t0()), t0()));
    select(&mut m, 312);
    code(&mut m, KeyCode::Enter);
    let jobs = vec![job(2, 9002, "test", 6, Some(4), t0())];
    update(
        &mut m,
        Msg::Jobs {
            repo: "acme/shop".into(),
            run_id: 9002,
            result: Ok(Fetched {
                value: jobs,
                not_modified: false,
            }),
        },
        t0(),
    );
    key(&mut m, 'l');
    let text = LogText::new(b"alpha\nbeta\ngamma\nbeta again\n".to_vec());
    update(
        &mut m,
        Msg::Log {
            job_id: 2,
            result: Ok(Arc::new(text)),
        },
        t0(),
    );
    key(&mut m, '/');
    for c in "beta".chars() {
        key(&mut m, c);
    }
    code(&mut m, KeyCode::Enter);
    assert_eq!(m.log.as_ref().unwrap().cursor, 1);
    key(&mut m, 'n');
    assert_eq!(m.log.as_ref().unwrap().cursor, 3);
    key(&mut m, 'N');
    assert_eq!(m.log.as_ref().unwrap().cursor, 1);
}

#[test]
fn quit_asks_while_a_mutation_is_in_flight() {
    let mut m = fresh(&model_with_runs(release_day(t0()), t0()));
    select(&mut m, 312);
    key(&mut m, 'e');
    key(&mut m, 'y');
    assert!(key(&mut m, 'q').is_empty());
    assert_eq!(m.dialog, Some(Dialog::ConfirmQuit));
    code(&mut m, KeyCode::Esc);
    assert!(!m.quit);
    key(&mut m, 'q');
    assert_eq!(key(&mut m, 'y'), vec![Cmd::Quit]);
}

#[test]
fn quit_is_immediate_when_idle() {
    let mut m = fresh(&model_with_runs(release_day(t0()), t0()));
    assert_eq!(key(&mut m, 'q'), vec![Cmd::Quit]);
    let mut m = fresh(&model_with_runs(release_day(t0()), t0()));
    let cmds = update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        t0(),
    );
    assert_eq!(cmds, vec![Cmd::Quit]);
}

#[test]
fn selection_follows_the_run_across_refreshes() {
    let mut m = fresh(&model_with_runs(release_day(t0()), t0()));
    select(&mut m, 312);
    let mut runs = release_day(t0());
    let newest = cockpit::fixtures::run(
        &cockpit::fixtures::RunSpec {
            id: 9100,
            workflow: "CI",
            number: 314,
            branch: "main",
            event: "push",
            status: "queued",
            conclusion: None,
            title: "new",
            actor: "a",
            age_min: 0,
            secs: 0,
        },
        t0(),
    );
    runs.insert(0, newest);
    update(
        &mut m,
        Msg::Runs {
            source: source(),
            result: Ok(Fetched {
                value: runs,
                not_modified: false,
            }),
        },
        t0(),
    );
    assert_eq!(m.selected_run().unwrap().run.run_number, 312);
}

#[test]
fn movement_is_clamped_and_keeps_selection_visible() {
    let mut m = fresh(&model_with_runs(release_day(t0()), t0()));
    m.height = 6; // 3 visible rows
    code(&mut m, KeyCode::End);
    assert_eq!(m.selected, 6);
    assert_eq!(m.offset, 4);
    key(&mut m, 'j');
    assert_eq!(m.selected, 6);
    key(&mut m, 'g');
    assert_eq!((m.selected, m.offset), (0, 0));
}

#[test]
fn open_run_that_left_the_list_is_fetched_by_id() {
    let mut m = fresh(&model_with_runs(release_day(t0()), t0()));
    select(&mut m, 312);
    code(&mut m, KeyCode::Enter);
    // A refresh in which the open run no longer appears (pushed off the first page).
    let others: Vec<_> = release_day(t0())
        .into_iter()
        .filter(|r| r.id != 9002)
        .collect();
    let later = t0() + CDuration::seconds(30);
    update(
        &mut m,
        Msg::Runs {
            source: source(),
            result: Ok(Fetched {
                value: others,
                not_modified: false,
            }),
        },
        later,
    );
    if let Some(js) = m.jobs.get_mut(&9002) {
        js.in_flight = false;
        js.next_due = None;
        js.fetched_at = None;
    }
    let cmds = update(&mut m, Msg::Tick, later);
    assert!(
        cmds.contains(&Cmd::FetchRun {
            repo: "acme/shop".into(),
            run_id: 9002
        }),
        "{cmds:?}"
    );
    let run = release_day(t0())
        .into_iter()
        .find(|r| r.id == 9002)
        .unwrap();
    update(
        &mut m,
        Msg::Run {
            repo: "acme/shop".into(),
            result: Ok(Box::new(Fetched {
                value: run,
                not_modified: false,
            })),
        },
        later,
    );
    assert_eq!(m.detail_run().unwrap().run.run_number, 312);
}

#[test]
fn o_opens_the_selected_run_in_the_browser() {
    let mut m = fresh(&model_with_runs(release_day(t0()), t0()));
    select(&mut m, 312);
    assert_eq!(
        key(&mut m, 'o'),
        vec![Cmd::OpenUrl(
            "https://github.com/acme/shop/actions/runs/9002".into()
        )]
    );
}
