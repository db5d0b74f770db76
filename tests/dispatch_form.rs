//! Dispatch: workflow files read for their `workflow_dispatch` inputs and environments, the
//! form's editing and validation, and the form drawn over `TestBackend` at 80×24.

use std::path::{Path, PathBuf};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Position;
use serde_json::json;

use cockpit::dispatch::{
    DispatchError, DispatchForm, EnvRef, InputKind, REF_FIELD, Values, WorkflowSpec, deploys_to,
    parse_workflow,
};
use cockpit::theme::Theme;
use cockpit::view::dispatch_form;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/workflows")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(fixtures().join(rel)).unwrap()
}

fn spec(rel: &str) -> WorkflowSpec {
    parse_workflow(&read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn yml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .collect();
    files.sort();
    files
}

fn named(names: &[&str]) -> Vec<EnvRef> {
    names.iter().map(|n| EnvRef::Named(n.to_string())).collect()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

// ---- real-world workflows ----------------------------------------------------------------

#[test]
fn every_realistic_workflow_parses() {
    let mut dirs = vec![fixtures()];
    // The shared copies are the source of tests/fixtures/workflows; read them too when they
    // are beside the checkout, so a change there that breaks parsing shows up here.
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/workflows");
    if shared.is_dir() {
        dirs.push(shared);
    }
    let mut seen = 0;
    for dir in dirs {
        for file in yml_files(&dir) {
            let text = std::fs::read_to_string(&file).unwrap();
            parse_workflow(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            seen += 1;
        }
    }
    assert!(seen >= 4, "only {seen} workflows found");
}

#[test]
fn build_and_ci_are_not_dispatchable() {
    for (file, name) in [
        ("build.yml", "Build and Push Docker Images"),
        ("ci.yml", "CI Pipeline"),
    ] {
        let s = spec(file);
        assert_eq!(s.name.as_deref(), Some(name));
        assert!(!s.dispatchable, "{file}");
        assert!(s.inputs.is_empty(), "{file}");
        assert!(s.environments.is_empty(), "{file}");
    }
}

#[test]
fn deploy_production_asks_for_a_version_and_deploys_to_production_once() {
    let s = spec("deploy-production.yml");
    assert!(s.dispatchable);
    assert_eq!(s.inputs.len(), 1);
    let v = &s.inputs[0];
    assert_eq!(v.name, "version");
    assert_eq!(
        v.description.as_deref(),
        Some("Version tag to deploy (e.g., v1.2.3)")
    );
    assert!(v.required);
    assert_eq!(v.default, None);
    assert_eq!(v.kind, InputKind::String);
    // `environment: production` and `environment: {name: production, url}`: one entry.
    assert_eq!(s.environments, named(&["production"]));
}

#[test]
fn deploy_staging_is_dispatchable_without_inputs() {
    let s = spec("deploy-staging.yml");
    assert!(s.dispatchable);
    assert!(s.inputs.is_empty());
    assert_eq!(s.environments, named(&["staging"]));
}

// ---- every input type and every shape of `on` ---------------------------------------------

#[test]
fn every_input_type_in_file_order() {
    let s = spec("dispatch/all-inputs.yml");
    assert_eq!(s.name.as_deref(), Some("Release"));
    assert!(s.dispatchable);
    let names: Vec<&str> = s.inputs.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "version",
            "environment",
            "log-level",
            "dry_run",
            "migrate",
            "replicas",
            "notes"
        ]
    );
    let kinds: Vec<&InputKind> = s.inputs.iter().map(|i| &i.kind).collect();
    assert_eq!(
        kinds,
        [
            &InputKind::String,
            &InputKind::Environment,
            &InputKind::Choice(strings(&["info", "warning", "debug"])),
            &InputKind::Boolean,
            &InputKind::Boolean,
            &InputKind::Number,
            // No `type:` means string.
            &InputKind::String,
        ]
    );
    let required: Vec<bool> = s.inputs.iter().map(|i| i.required).collect();
    assert_eq!(required, [true, true, false, false, false, false, false]);
    let defaults: Vec<Option<&str>> = s.inputs.iter().map(|i| i.default.as_deref()).collect();
    // YAML `true` and `3` come back as the text GitHub would send.
    assert_eq!(
        defaults,
        [
            None,
            None,
            Some("warning"),
            None,
            Some("true"),
            Some("3"),
            None
        ]
    );
    assert_eq!(
        s.inputs[6].description.as_deref(),
        Some("Free text for the release notes.\nShown in the Slack message.\n")
    );
    assert_eq!(
        s.environments,
        vec![EnvRef::FromInput("environment".into())]
    );
}

#[test]
fn on_as_a_string() {
    let s = spec("dispatch/on-string.yml");
    assert!(s.dispatchable);
    assert!(s.inputs.is_empty());
}

#[test]
fn on_as_a_list() {
    let s = spec("dispatch/on-list.yml");
    assert!(s.dispatchable);
    assert_eq!(s.environments, named(&["github-pages"]));
}

#[test]
fn on_as_a_map_with_a_null_workflow_dispatch() {
    let s = spec("dispatch/on-map-null.yml");
    assert!(s.dispatchable);
    assert!(s.inputs.is_empty());
    // `environment: { name: staging, url: ... }` in flow style.
    assert_eq!(s.environments, named(&["staging"]));
}

#[test]
fn on_read_as_boolean_true_by_yaml_1_1() {
    let s = spec("dispatch/on-true-key.yml");
    assert!(s.dispatchable);
    assert_eq!(s.inputs.len(), 1);
    assert_eq!(s.inputs[0].name, "ticket");
    assert!(s.inputs[0].required);
    assert_eq!(s.environments, named(&["production"]));
}

#[test]
fn other_spellings_of_on() {
    let s = parse_workflow("on: [push]\njobs: {}\n").unwrap();
    assert!(!s.dispatchable);
    let s = parse_workflow("on: push\n").unwrap();
    assert!(!s.dispatchable);
    let s = parse_workflow("\"on\":\n  workflow_dispatch: {}\n").unwrap();
    assert!(s.dispatchable);
    let s = parse_workflow("on:\n  workflow_dispatch:\n    inputs:\n").unwrap();
    assert!(s.dispatchable);
    assert!(s.inputs.is_empty());
}

#[test]
fn without_workflow_dispatch_is_not_dispatchable() {
    let s = spec("dispatch/no-dispatch.yml");
    assert_eq!(s.name.as_deref(), Some("Nightly"));
    assert!(!s.dispatchable);
    assert!(s.inputs.is_empty());
    // The environment is still known: `cockpit init` lists it.
    assert_eq!(s.environments, named(&["nightly"]));
}

#[test]
fn environment_expressions() {
    let s = spec("dispatch/env-expressions.yml");
    assert_eq!(
        s.environments,
        vec![
            EnvRef::FromInput("target".into()),
            EnvRef::FromInput("prod".into()),
            EnvRef::Named("production-us".into()),
            EnvRef::Named("staging-us".into()),
            EnvRef::Named("qa-1".into()),
            EnvRef::Named("qa-2".into()),
            EnvRef::Named("qa-3".into()),
            EnvRef::Named("release-notes".into()),
        ]
    );
}

// ---- errors ---------------------------------------------------------------------------------

#[test]
fn invalid_yaml_names_line_and_column() {
    let err = parse_workflow(&read("dispatch/invalid-yaml.yml")).unwrap_err();
    let DispatchError::Yaml { line, column, .. } = &err else {
        panic!("{err:?}");
    };
    assert!(line.is_some() && column.is_some(), "{err:?}");
    let text = err.to_string();
    assert!(text.starts_with("invalid YAML: "), "{text}");
    assert!(text.contains(&format!("line {}", line.unwrap())), "{text}");
}

#[test]
fn invalid_yaml_by_indentation_points_at_the_line() {
    let yaml = "name: x\non:\n  workflow_dispatch:\n    inputs:\n      a:\n        type: string\n       required: true\n";
    let err = parse_workflow(yaml).unwrap_err();
    let DispatchError::Yaml { line, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(*line, Some(7), "{err}");
}

#[test]
fn unknown_input_type_names_the_key_and_the_valid_types() {
    let err = parse_workflow(&read("dispatch/bad-input-type.yml"))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("on.workflow_dispatch.inputs.version.type: unknown input type \"strnig\""),
        "{err}"
    );
    assert!(
        err.contains("choice, boolean, number or environment"),
        "{err}"
    );
}

#[test]
fn choice_needs_options() {
    let err = parse_workflow(&read("dispatch/choice-without-options.yml"))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("on.workflow_dispatch.inputs.level.options:"),
        "{err}"
    );
}

#[test]
fn not_a_workflow() {
    let err = parse_workflow("- a\n- b\n").unwrap_err().to_string();
    assert!(err.contains("found a list"), "{err}");
    let err = parse_workflow("").unwrap_err().to_string();
    assert!(err.contains("found nothing"), "{err}");
    let err = parse_workflow("name: x\njobs: {}\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("on: missing"), "{err}");
    let err = parse_workflow("on: 3\n").unwrap_err().to_string();
    assert!(err.contains("found a number"), "{err}");
}

// ---- deploys_to -------------------------------------------------------------------------------

#[test]
fn deploys_to_follows_the_input_named_in_the_expression() {
    let s = spec("dispatch/all-inputs.yml");
    let mut values = Values::new();
    // Nothing chosen yet, no default: deploys nowhere yet.
    assert!(deploys_to(&s, &values).is_empty());
    values.insert("environment".into(), "production".into());
    assert_eq!(deploys_to(&s, &values), strings(&["production"]));
}

#[test]
fn deploys_to_skips_boolean_conditions_and_dedups_case_insensitively() {
    let s = spec("dispatch/env-expressions.yml");
    let mut values = Values::new();
    values.insert("target".into(), "Production-US".into());
    values.insert("prod".into(), "true".into());
    assert_eq!(
        deploys_to(&s, &values),
        strings(&[
            "Production-US",
            "staging-us",
            "qa-1",
            "qa-2",
            "qa-3",
            "release-notes"
        ])
    );
}

#[test]
fn deploys_to_falls_back_to_the_input_default() {
    let s = spec("dispatch/many-inputs.yml");
    assert_eq!(deploys_to(&s, &Values::new()), strings(&["staging"]));
}

// ---- the form ---------------------------------------------------------------------------------

fn release_form() -> DispatchForm {
    DispatchForm::new(
        "acme/shop",
        "release.yml",
        "main",
        spec("dispatch/all-inputs.yml"),
    )
    .with_environments(
        &strings(&["staging", "production"]),
        &strings(&["production"]),
    )
}

fn type_str(form: &mut DispatchForm, s: &str) {
    s.chars().for_each(|c| form.input_char(c));
}

#[test]
fn fields_start_with_the_ref_and_are_prefilled_with_defaults() {
    let form = release_form();
    let fields: Vec<(&str, &str)> = form.fields().map(|f| (f.name, f.value)).collect();
    assert_eq!(
        fields,
        [
            (REF_FIELD, "main"),
            ("version", ""),
            ("environment", ""),
            ("log-level", "warning"),
            ("dry_run", "false"),
            ("migrate", "true"),
            ("replicas", "3"),
            ("notes", ""),
        ]
    );
    assert_eq!(form.focus(), 0);
    assert_eq!(form.workflow_label(), "Release");
}

#[test]
fn choice_without_default_starts_on_the_first_option() {
    let form = DispatchForm::new("a/b", "load.yml", "main", spec("dispatch/many-inputs.yml"));
    let scenario = form.fields().find(|f| f.name == "scenario").unwrap();
    assert_eq!(scenario.value, "browse");
}

#[test]
fn editing_moves_and_wraps() {
    let mut form = release_form();
    form.prev();
    assert_eq!(form.focus(), 7, "prev from the ref wraps to the last field");
    form.next();
    assert_eq!(form.focus(), 0);
    // The ref is editable.
    form.backspace();
    type_str(&mut form, "ster");
    assert_eq!(form.git_ref(), "maister");
    form.next();
    type_str(&mut form, "v1.4.0");
    form.backspace();
    form.input_char('1');
    form.input_char('\n'); // control characters are not text
    assert_eq!(form.values()["version"], "v1.4.1");
}

#[test]
fn toggle_cycle_and_typeahead() {
    let mut form = release_form();
    (0..4).for_each(|_| form.next()); // dry_run
    form.toggle();
    assert_eq!(form.values()["dry_run"], "true");
    form.cycle(1); // ←/→ flips a checkbox too
    assert_eq!(form.values()["dry_run"], "false");
    form.input_char('x'); // ignored on a boolean
    assert_eq!(form.values()["dry_run"], "false");

    form.prev(); // log-level: info, warning, debug
    form.cycle(1);
    assert_eq!(form.values()["log-level"], "debug");
    form.cycle(1);
    assert_eq!(form.values()["log-level"], "info");
    form.cycle(-1);
    assert_eq!(form.values()["log-level"], "debug");
    form.input_char('w');
    assert_eq!(form.values()["log-level"], "warning");
    form.toggle(); // Space does nothing on a choice
    form.backspace();
    assert_eq!(form.values()["log-level"], "warning");

    form.prev(); // environment: the known environments
    form.cycle(1);
    assert_eq!(form.values()["environment"], "staging");
    form.cycle(1);
    assert_eq!(form.values()["environment"], "production");
    form.cycle(1);
    assert_eq!(form.values()["environment"], "staging");
    form.backspace();
    form.backspace();
    assert_eq!(form.values()["environment"], "stagi");
    form.cycle(-1); // not a known one: ← lands on the last
    assert_eq!(form.values()["environment"], "production");
}

#[test]
fn a_valid_form_gives_string_inputs() {
    let mut form = release_form();
    form.set("version", "v1.4.0").unwrap();
    form.set("environment", "staging").unwrap();
    form.set("dry_run", "TRUE").unwrap();
    let inputs = form.submit().unwrap();
    assert_eq!(
        serde_json::Value::Object(inputs),
        json!({
            "version": "v1.4.0",
            "environment": "staging",
            "log-level": "warning",
            "dry_run": "true",
            "migrate": "true",
            "replicas": "3",
            "notes": "",
        })
    );
    assert_eq!(
        form.request_body().unwrap()["ref"],
        json!("main"),
        "the ref travels beside the inputs"
    );
}

#[test]
fn empty_optional_number_is_left_out() {
    let mut form = release_form();
    form.set("version", "v1").unwrap();
    form.set("environment", "staging").unwrap();
    form.set("replicas", "").unwrap();
    let inputs = form.validate().unwrap();
    assert!(!inputs.contains_key("replicas"));
}

#[test]
fn missing_required_fields_are_errors() {
    let mut form = release_form();
    form.set_ref("");
    let errors = form.submit().unwrap_err();
    let fields: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e.field.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            (REF_FIELD, "required: the branch or tag to run on"),
            ("version", "required"),
            ("environment", "required"),
        ]
    );
    // The focus lands on the first field in error and the errors stay for the view...
    assert_eq!(form.focus(), 0);
    assert_eq!(form.errors().len(), 3);
    // ...until that field is edited.
    form.input_char('m');
    assert!(form.error_for(REF_FIELD).is_none());
    assert!(form.error_for("version").is_some());
}

#[test]
fn bad_number_and_choice_out_of_options() {
    let mut form = release_form();
    form.set("version", "v1").unwrap();
    form.set("environment", "staging").unwrap();
    form.set("replicas", "three").unwrap();
    form.set("log-level", "verbose").unwrap();
    form.set("dry_run", "maybe").unwrap();
    let errors = form.submit().unwrap_err();
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "log-level: \"verbose\" is not one of: info, warning, debug",
            "dry_run: expected true or false, got \"maybe\"",
            "replicas: \"three\" is not a number",
        ]
    );
    assert_eq!(
        form.focus(),
        3,
        "focus on log-level, the first field in error"
    );
    form.set("replicas", "2.5").unwrap();
    form.set("log-level", "debug").unwrap();
    form.set("dry_run", "false").unwrap();
    assert!(form.submit().is_ok());
    assert!(form.errors().is_empty());
}

#[test]
fn unknown_key_names_it_and_lists_the_valid_ones() {
    let mut form = release_form();
    let err = form.set("verison", "v1").unwrap_err();
    assert_eq!(err.field, "verison");
    assert_eq!(
        err.message,
        "unknown input \"verison\"; valid inputs: version, environment, log-level, dry_run, \
         migrate, replicas, notes"
    );
    form.set("version", "v1").unwrap();
    form.set("environment", "staging").unwrap();
    // Still refused at send time: what was typed is not silently dropped.
    let errors = form.validate().unwrap_err();
    assert_eq!(errors, vec![err]);

    let mut none = DispatchForm::new("a/b", "cleanup.yml", "main", spec("dispatch/on-string.yml"));
    let err = none.set("force", "true").unwrap_err();
    assert_eq!(
        err.message,
        "unknown input \"force\": Manual cleanup takes no inputs"
    );
}

#[test]
fn a_workflow_without_workflow_dispatch_cannot_be_sent() {
    let form = DispatchForm::new("a/b", "ci.yml", "main", spec("ci.yml"));
    let errors = form.validate().unwrap_err();
    assert_eq!(errors[0].field, "workflow");
    assert!(errors[0].message.contains("no workflow_dispatch trigger"));
}

#[test]
fn protected_targets_follow_the_environment_input() {
    let mut form = release_form();
    assert!(form.protected_targets().is_empty());
    form.set("environment", "staging").unwrap();
    assert_eq!(form.deploys_to(), strings(&["staging"]));
    assert!(form.protected_targets().is_empty());
    form.set("environment", "Production").unwrap();
    assert_eq!(form.protected_targets(), strings(&["Production"]));
}

// ---- the view (insta, 80×24) ------------------------------------------------------------------

fn render(form: &DispatchForm) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let theme = Theme::builtin("default").unwrap();
    t.draw(|f| dispatch_form::draw(f, f.area(), form, &theme))
        .unwrap();
    t
}

fn find_row(t: &Terminal<TestBackend>, needle: &str) -> Option<u16> {
    let buf = t.backend().buffer();
    (0..buf.area.height).find(|&y| {
        (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol())
            .collect::<String>()
            .contains(needle)
    })
}

fn row_of(t: &Terminal<TestBackend>, needle: &str) -> u16 {
    find_row(t, needle).unwrap_or_else(|| panic!("{needle:?} not on screen"))
}

fn fg_at_text(t: &Terminal<TestBackend>, needle: &str) -> ratatui::style::Color {
    let buf = t.backend().buffer();
    let y = row_of(t, needle);
    let line: Vec<&str> = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
    let first = needle.chars().next().unwrap().to_string();
    let x = (0..line.len())
        .find(|&x| line[x..].concat().starts_with(needle) && line[x] == first)
        .unwrap();
    buf[(x as u16, y)].fg
}

#[test]
fn form_fresh_with_defaults() {
    let form = release_form();
    let mut t = render(&form);
    insta::assert_snapshot!(t.backend());
    // The ref is focused: highlighted like a selected row, the terminal cursor after "main".
    let y = row_of(&t, "▸ ref");
    let theme = Theme::builtin("default").unwrap();
    assert_eq!(t.backend().buffer()[(20, y)].bg, theme.selection_bg);
    let buf = t.backend().buffer().clone();
    let x = (0..80u16)
        .find(|&x| (x..x + 4).map(|i| buf[(i, y)].symbol()).collect::<String>() == "main")
        .unwrap();
    assert_eq!(
        t.get_cursor_position().unwrap(),
        Position::new(x + 4, y),
        "cursor after the ref"
    );
}

#[test]
fn form_with_a_validation_error() {
    let mut form = release_form();
    form.set("environment", "staging").unwrap();
    form.set("replicas", "three").unwrap();
    form.set("colour", "blue").unwrap_err();
    form.submit().unwrap_err();
    let t = render(&form);
    insta::assert_snapshot!(t.backend());
    let theme = Theme::builtin("default").unwrap();
    assert_eq!(fg_at_text(&t, "✗ required"), theme.fail);
    assert_eq!(fg_at_text(&t, "✗ \"three\" is not a number"), theme.fail);
}

#[test]
fn form_with_the_protected_warning() {
    let mut form = release_form();
    form.set("version", "v1.4.0").unwrap();
    form.set("environment", "production").unwrap();
    (0..2).for_each(|_| form.next());
    let t = render(&form);
    insta::assert_snapshot!(t.backend());
    let theme = Theme::builtin("default").unwrap();
    assert_eq!(
        fg_at_text(
            &t,
            "deploys to production (PROTECTED): the phrase will be asked"
        ),
        theme.protected
    );
}

#[test]
fn form_scrolls_to_keep_the_focus_in_view() {
    let mut form = DispatchForm::new(
        "acme/shop",
        "load.yml",
        "main",
        spec("dispatch/many-inputs.yml"),
    )
    .with_environments(
        &strings(&["staging", "production"]),
        &strings(&["production"]),
    );
    // From the top, the ref through `notify` fit; `region` is below.
    (0..9).for_each(|_| form.next());
    let t = render(&form);
    row_of(&t, "▸ notify");
    row_of(&t, "↓ more");
    // Focus on the last field: the view scrolls by whole fields, the ref goes off the top.
    form.next();
    let t = render(&form);
    insta::assert_snapshot!(t.backend());
    row_of(&t, "▸ region");
    row_of(&t, "↑ more");
    assert_eq!(
        find_row(&t, "branch or tag"),
        None,
        "the ref's description scrolled off with its label"
    );
}
