//! The `:` palette through the pure `update`: typing, Tab completion, inline errors, and
//! commands that take the same path as their keys. Fixed time, no I/O.

use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use cockpit::config;
use cockpit::fixtures::{model_with_runs, release_day, t0};
use cockpit::model::{Dialog, Model, Screen};
use cockpit::msg::{Cmd, Msg, MutationKind};
use cockpit::update::update;

fn press(m: &mut Model, code: KeyCode) -> Vec<Cmd> {
    update(m, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), t0())
}

fn typed(m: &mut Model, text: &str) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    for c in text.chars() {
        cmds.extend(press(m, KeyCode::Char(c)));
    }
    cmds
}

/// Opens the palette, types `line` and presses Enter.
fn command(m: &mut Model, line: &str) -> Vec<Cmd> {
    press(m, KeyCode::Char(':'));
    assert!(m.palette.is_some(), "':' opens the palette");
    typed(m, line);
    press(m, KeyCode::Enter)
}

fn palette_error(m: &Model) -> String {
    m.palette
        .as_ref()
        .and_then(|p| p.error.clone())
        .unwrap_or_default()
}

fn runs_model() -> Model {
    let mut m = model_with_runs(release_day(t0()), t0());
    m.height = 40;
    m
}

fn envs_model() -> Model {
    let cfg = config::parse_str(
        r#"
[[repo]]
name = "acme/shop"
[[environment]]
name = "staging"
  [[environment.check]]
  name = "api"
  url = "http://127.0.0.1:1/api/health/"
[[environment]]
name = "production"
protected = true
  [[environment.check]]
  name = "api"
  url = "http://127.0.0.1:1/api/health/"
"#,
        Path::new("test.toml"),
    )
    .unwrap();
    let mut m = cockpit::tui::initial_model(&cfg, false, t0());
    m.height = 40;
    m
}

#[test]
fn watch_env_opens_that_environments_window_and_again_closes_it() {
    let mut m = envs_model();
    command(&mut m, "watch production");
    assert!(m.palette.is_none(), "a good command closes the palette");
    assert_eq!(m.screen, Screen::Environments);
    assert_eq!(m.env_selected, 1);
    assert!(m.envs[1].cutover_running());
    assert!(!m.envs[0].cutover_running());
    command(&mut m, "watch production");
    assert!(!m.envs[1].cutover_running());
}

#[test]
fn unknown_names_keep_the_palette_open_with_the_reason() {
    let mut m = envs_model();
    assert!(command(&mut m, "watch prod").is_empty());
    assert!(m.palette.is_some());
    assert_eq!(
        palette_error(&m),
        "no environment \"prod\"; environments: staging, production"
    );
    assert!(!m.envs.iter().any(|e| e.cutover_running()));
    // Typing clears the error; Esc closes, doing nothing.
    typed(&mut m, "x");
    assert_eq!(palette_error(&m), "");
    press(&mut m, KeyCode::Esc);
    assert!(m.palette.is_none());

    assert!(command(&mut m, "deploy production").is_empty());
    assert!(palette_error(&m).starts_with("unknown command \"deploy\""));
}

#[test]
fn tab_completes_commands_then_arguments() {
    let mut m = envs_model();
    press(&mut m, KeyCode::Char(':'));
    typed(&mut m, "wa");
    press(&mut m, KeyCode::Tab);
    assert_eq!(m.palette.as_ref().unwrap().text, "watch ");
    typed(&mut m, "pr");
    press(&mut m, KeyCode::Tab);
    assert_eq!(m.palette.as_ref().unwrap().text, "watch production ");
    press(&mut m, KeyCode::Enter);
    assert!(m.envs[1].cutover_running());
}

#[test]
fn tab_with_several_options_lists_them_and_cycles() {
    let mut m = runs_model();
    press(&mut m, KeyCode::Char(':'));
    typed(&mut m, "logs 900");
    press(&mut m, KeyCode::Tab);
    let p = m.palette.as_ref().unwrap();
    let options = p.completion.as_ref().unwrap().options.clone();
    // The waiting run first, then the active ones.
    assert_eq!(options[0], "9004");
    assert!(options.contains(&"9002".to_string()));
    assert_eq!(p.text, "logs 9004");
    press(&mut m, KeyCode::Tab);
    assert_eq!(
        m.palette.as_ref().unwrap().text,
        format!("logs {}", options[1])
    );
}

#[test]
fn rerun_by_id_asks_like_the_key_and_picks_failed_jobs_for_a_failed_run() {
    let mut m = runs_model();
    assert!(command(&mut m, "rerun 9002").is_empty());
    let Some(Dialog::Confirm(mutation)) = &m.dialog else {
        panic!("expected the y/N confirm, got {:?}", m.dialog)
    };
    assert_eq!(
        (mutation.kind, mutation.run_id),
        (MutationKind::RerunFailed, 9002)
    );
    let cmds = press(&mut m, KeyCode::Char('y'));
    assert!(matches!(&cmds[..], [Cmd::Mutate(x)] if x.run_id == 9002));
}

#[test]
fn cancel_by_id_refuses_a_finished_run_and_read_only_refuses_everything() {
    let mut m = runs_model();
    command(&mut m, "cancel 9002");
    assert!(m.dialog.is_none());
    assert!(m.flash.as_ref().unwrap().text.contains("already completed"));

    let mut m = runs_model();
    m.read_only = true;
    assert!(command(&mut m, "cancel 9001").is_empty());
    assert!(m.dialog.is_none());
    assert!(m.flash.as_ref().unwrap().text.starts_with("read-only"));
}

#[test]
fn unknown_run_and_bad_arguments_say_so() {
    let mut m = runs_model();
    command(&mut m, "logs 12345");
    assert_eq!(palette_error(&m), "run 12345 is not in the list");
    press(&mut m, KeyCode::Esc);
    command(&mut m, "logs abc");
    assert!(palette_error(&m).contains("\"abc\" is not a run id"));
}

#[test]
fn logs_by_id_opens_the_run() {
    let mut m = runs_model();
    let cmds = command(&mut m, "logs 9002");
    assert_eq!(m.screen, Screen::RunDetail);
    assert_eq!(m.detail.as_ref().map(|d| d.run_id), Some(9002));
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::FetchJobs { run_id: 9002, .. }))
    );
}

#[test]
fn theme_switches_only_to_a_known_theme_and_quit_quits() {
    let mut m = runs_model();
    assert_eq!(
        command(&mut m, "theme default"),
        vec![Cmd::SetTheme("default".into())]
    );
    command(&mut m, "theme neon");
    assert!(palette_error(&m).starts_with("no theme \"neon\"; themes: default"));
    press(&mut m, KeyCode::Esc);
    assert_eq!(command(&mut m, "quit"), vec![Cmd::Quit]);
}

fn palette_text(m: &Model) -> String {
    m.palette
        .as_ref()
        .map(|p| p.text.clone())
        .unwrap_or_default()
}

#[test]
fn up_and_down_walk_the_commands_that_ran_newest_first() {
    let mut m = envs_model();
    command(&mut m, "watch production");
    command(&mut m, "watch prod"); // a mistake: stays open, is not remembered
    press(&mut m, KeyCode::Esc);
    command(&mut m, "watch staging");
    command(&mut m, "watch staging"); // twice in a row: kept once
    assert_eq!(m.palette_history, ["watch production", "watch staging"]);

    press(&mut m, KeyCode::Char(':'));
    press(&mut m, KeyCode::Up);
    assert_eq!(palette_text(&m), "watch staging");
    press(&mut m, KeyCode::Up);
    assert_eq!(palette_text(&m), "watch production");
    press(&mut m, KeyCode::Up);
    assert_eq!(palette_text(&m), "watch production", "nothing older");
    press(&mut m, KeyCode::Down);
    assert_eq!(palette_text(&m), "watch staging");
    press(&mut m, KeyCode::Down);
    assert_eq!(palette_text(&m), "", "past the newest: the line as typed");

    // What was typed first filters the walk; Enter runs what is shown.
    typed(&mut m, "watch p");
    press(&mut m, KeyCode::Up);
    assert_eq!(palette_text(&m), "watch production");
    press(&mut m, KeyCode::Down);
    assert_eq!(palette_text(&m), "watch p");
    press(&mut m, KeyCode::Up);
    press(&mut m, KeyCode::Enter);
    assert!(m.palette.is_none());
    assert_eq!(
        m.palette_history,
        ["watch production", "watch staging", "watch production"]
    );
}

#[test]
fn a_command_that_ran_is_saved_through_an_effect_only_with_a_history_file() {
    let mut m = envs_model();
    let cmds = command(&mut m, "watch staging");
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Cmd::SavePaletteHistory { .. })),
        "no file: memory only"
    );
    let path = std::path::PathBuf::from("/state/cockpit/palette_history");
    m.palette_history_file = Some(path.clone());
    let cmds = command(&mut m, "watch production");
    assert!(cmds.contains(&Cmd::SavePaletteHistory {
        path: path.clone(),
        lines: vec!["watch staging".into(), "watch production".into()],
    }));
    // Nothing new to write: the same command again.
    let again = command(&mut m, "watch production");
    assert!(
        !again
            .iter()
            .any(|c| matches!(c, Cmd::SavePaletteHistory { .. }))
    );
    // A mistake writes nothing either.
    assert!(command(&mut m, "watch nowhere").is_empty());
}

#[test]
fn approve_completes_only_runs_waiting_on_a_gate() {
    let mut m = runs_model();
    m.gates.push(cockpit::model::gates::GateState::new(
        "acme/shop".into(),
        9004,
        t0(),
    ));
    press(&mut m, KeyCode::Char(':'));
    typed(&mut m, "approve ");
    press(&mut m, KeyCode::Tab);
    assert_eq!(palette_text(&m), "approve 9004 ");
}

#[test]
fn dispatch_completes_the_inputs_of_a_workflow_read_before() {
    use cockpit::dispatch::{InputKind, InputSpec};
    let mut m = runs_model();
    let input = |name: &str, kind: InputKind| InputSpec {
        name: name.into(),
        description: None,
        required: false,
        default: None,
        kind,
    };
    m.workflow_inputs.insert(
        ("acme/shop".into(), "deploy.yml".into()),
        vec![
            input("version", InputKind::String),
            input(
                "target",
                InputKind::Choice(vec!["canary".into(), "all".into()]),
            ),
        ],
    );
    press(&mut m, KeyCode::Char(':'));
    typed(&mut m, "dispatch deploy.yml main ");
    press(&mut m, KeyCode::Tab);
    let options = m
        .palette
        .as_ref()
        .unwrap()
        .completion
        .clone()
        .unwrap()
        .options;
    assert_eq!(options, ["version=", "target="]);
    press(&mut m, KeyCode::Esc);

    press(&mut m, KeyCode::Char(':'));
    typed(&mut m, "dispatch deploy.yml main version=v1 t");
    press(&mut m, KeyCode::Tab);
    assert_eq!(
        palette_text(&m),
        "dispatch deploy.yml main version=v1 target="
    );
    typed(&mut m, "c");
    press(&mut m, KeyCode::Tab);
    assert_eq!(
        palette_text(&m),
        "dispatch deploy.yml main version=v1 target=canary "
    );
    // A workflow whose file has not been read offers no input names.
    press(&mut m, KeyCode::Esc);
    press(&mut m, KeyCode::Char(':'));
    typed(&mut m, "dispatch ci.yml main v");
    press(&mut m, KeyCode::Tab);
    assert!(palette_error(&m).starts_with("nothing to complete"));
}

#[test]
fn rollback_completes_the_versions_of_the_environment_named() {
    let mut m = envs_model();
    m.envs[0].version.value = Some("v2.0.0-rc1".into()); // staging
    m.envs[1].version.value = Some("v1.3.2".into()); // production
    press(&mut m, KeyCode::Char(':'));
    typed(&mut m, "rollback production ");
    press(&mut m, KeyCode::Tab);
    assert_eq!(palette_text(&m), "rollback production v1.3.2 ");
}
