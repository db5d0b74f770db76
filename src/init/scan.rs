//! One workflow file read the way `cockpit init` needs it: what triggers it, its dispatch
//! inputs, and the environments its jobs deploy to with their URLs. Lenient by design: a
//! file that cockpit cannot fully understand still yields what could be read, plus notes
//! that end up as comments in the starter config.

use serde_yaml_ng::{Mapping, Value};

use crate::dispatch::expr;
use crate::dispatch::workflow::{matrix_values, scalar};
use crate::dispatch::{InputKind, InputSpec, parse_workflow};

use super::expr_values;

/// A file from `.github/workflows/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowFile {
    /// The file name (`deploy.yml`), which is what `[[repo]] workflows` lists.
    pub file: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScannedWorkflow {
    pub file: String,
    /// The top-level `name:`.
    pub name: Option<String>,
    /// Trigger events in file order (`push`, `workflow_dispatch`, ...).
    pub events: Vec<String>,
    /// `Some` when `workflow_dispatch` triggers the workflow: its inputs, in file order.
    pub dispatch_inputs: Option<Vec<InputSpec>>,
    /// Why the inputs of a dispatchable workflow could not be read (an unknown input type).
    pub dispatch_problem: Option<String>,
    /// Where its jobs deploy, deduplicated, in job order.
    pub environments: Vec<FoundEnvironment>,
    /// Environments that could not be named (only known at run time, typed in at dispatch),
    /// written as comments.
    pub notes: Vec<String>,
    /// Why nothing could be read (invalid YAML, no `on:`); such a file is left out of the
    /// workflow list.
    pub unreadable: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundEnvironment {
    pub name: String,
    /// A literal `environment.url` that is an http(s) URL.
    pub url: Option<String>,
    /// A health endpoint's path that the deploying job's own steps call, e.g. `/web/health`
    /// from `curl -f $STAGING_URL/web/health`.
    pub health_path: Option<String>,
    /// Likewise a path with `version` in it (`curl -s $PROD_URL/web/version`).
    pub version_path: Option<String>,
}

impl ScannedWorkflow {
    /// Triggered only by `workflow_call`: its jobs run inside the callers' runs, so it never
    /// has runs of its own to watch.
    pub fn reusable_only(&self) -> bool {
        !self.events.is_empty() && self.events.iter().all(|e| e == "workflow_call")
    }

    fn unreadable(file: &str, why: String) -> ScannedWorkflow {
        ScannedWorkflow {
            file: file.to_owned(),
            name: None,
            events: Vec::new(),
            dispatch_inputs: None,
            dispatch_problem: None,
            environments: Vec::new(),
            notes: Vec::new(),
            unreadable: Some(why),
        }
    }
}

pub fn scan(file: &WorkflowFile) -> ScannedWorkflow {
    // serde_yaml_ng reads a byte-order mark as the start of a second document.
    let text = file.text.strip_prefix('\u{feff}').unwrap_or(&file.text);
    let mut doc: Value = match serde_yaml_ng::from_str(text) {
        Ok(doc) => doc,
        Err(e) => return ScannedWorkflow::unreadable(&file.file, format!("invalid YAML: {e}")),
    };
    if let Err(e) = doc.apply_merge() {
        return ScannedWorkflow::unreadable(&file.file, format!("invalid YAML: {e}"));
    }
    let Value::Mapping(root) = doc else {
        return ScannedWorkflow::unreadable(&file.file, "not a mapping of keys".into());
    };
    // A YAML 1.1 reader (and any file written back by one) turns the key `on` into `true`.
    let Some(on) = root.get("on").or_else(|| root.get(Value::Bool(true))) else {
        return ScannedWorkflow::unreadable(&file.file, "no `on:`, so GitHub never runs it".into());
    };
    let events = events(on);
    // The dispatch reader is strict about inputs (a form built from a misread input would
    // send what GitHub rejects); here a bad input only costs the inputs, not the workflow.
    let (dispatch_inputs, dispatch_problem) = match parse_workflow(text) {
        Ok(spec) => (spec.dispatchable.then_some(spec.inputs), None),
        Err(e) => (
            None,
            events
                .iter()
                .any(|e| e == "workflow_dispatch")
                .then(|| e.to_string()),
        ),
    };
    let mut scanned = ScannedWorkflow {
        file: file.file.clone(),
        name: root.get("name").and_then(scalar),
        events,
        dispatch_inputs,
        dispatch_problem,
        environments: Vec::new(),
        notes: Vec::new(),
        unreadable: None,
    };
    if let Some(Value::Mapping(jobs)) = root.get("jobs") {
        for (id, job) in jobs {
            if let (Some(id), Value::Mapping(job)) = (scalar(id), job) {
                scan_job(&id, job, &mut scanned);
            }
        }
    }
    scanned
}

/// Event names of `on:` as a string, a list or a mapping.
fn events(on: &Value) -> Vec<String> {
    match on {
        Value::Sequence(list) => list.iter().filter_map(scalar).collect(),
        Value::Mapping(map) => map.keys().filter_map(scalar).collect(),
        other => scalar(other).into_iter().collect(),
    }
}

/// The job's `environment:` (a name, or `{name, url}`), and for a job that calls a reusable
/// workflow, its `with:` values whose key mentions an environment (the callee's
/// `environment: ${{ inputs.X }}` is then known here, at the caller).
fn scan_job(id: &str, job: &Mapping, out: &mut ScannedWorkflow) {
    let mut named: Vec<(String, Option<String>)> = Vec::new();
    match job.get("environment") {
        Some(Value::Mapping(env)) => {
            if let Some(name) = env.get("name").and_then(scalar) {
                named.push((name, env.get("url").and_then(scalar)));
            }
        }
        Some(v) => named.extend(scalar(v).map(|n| (n, None))),
        None => {}
    }
    if job.contains_key("uses")
        && let Some(Value::Mapping(with)) = job.get("with")
    {
        for (key, value) in with {
            let key = scalar(key).unwrap_or_default().to_ascii_lowercase();
            if key.contains("environment") && !key.contains("url") {
                named.extend(scalar(value).map(|n| (n, None)));
            }
        }
    }
    for (text, url) in named {
        let names = resolve(id, &text, job, out);
        let url = url.and_then(|u| literal_url(id, &u, out));
        // A URL or a probed path belongs to the name only when the name is unambiguous.
        let (url, health_path, version_path) = if names.len() == 1 {
            (
                url.clone(),
                probed_path(job, url.as_deref(), "health"),
                probed_path(job, url.as_deref(), "version"),
            )
        } else {
            (None, None, None)
        };
        for name in names {
            add(
                &mut out.environments,
                FoundEnvironment {
                    name,
                    url: url.clone(),
                    health_path: health_path.clone(),
                    version_path: version_path.clone(),
                },
            );
        }
    }
}

fn add(list: &mut Vec<FoundEnvironment>, found: FoundEnvironment) {
    // GitHub compares environment names case-insensitively.
    match list
        .iter_mut()
        .find(|e| e.name.eq_ignore_ascii_case(&found.name))
    {
        Some(existing) => {
            if existing.url.is_none() {
                existing.url = found.url;
            }
            if existing.health_path.is_none() {
                existing.health_path = found.health_path;
            }
            if existing.version_path.is_none() {
                existing.version_path = found.version_path;
            }
        }
        None => list.push(found),
    }
}

/// The first path containing `keyword` that the job's `run:` steps call on the environment:
/// `$VAR/path` or `${VAR}/path` (a variable holding the environment's address) or a full URL
/// on the environment URL's host. `$VAR:8000/path` is another port, so another service.
fn probed_path(job: &Mapping, env_url: Option<&str>, keyword: &str) -> Option<String> {
    let env_host = env_url
        .and_then(|u| reqwest::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_owned));
    let Some(Value::Sequence(steps)) = job.get("steps") else {
        return None;
    };
    let scripts = steps
        .iter()
        .filter_map(|step| step.as_mapping()?.get("run").and_then(scalar));
    for script in scripts {
        let script = squash_expressions(&script);
        let words = script.split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`'));
        for word in words.filter(|w| w.to_ascii_lowercase().contains(keyword)) {
            let path = if word.starts_with("http://") || word.starts_with("https://") {
                reqwest::Url::parse(word)
                    .ok()
                    .filter(|u| u.host_str().is_some() && u.host_str() == env_host.as_deref())
                    .map(|u| u.path().to_owned())
            } else {
                after_variable(word).map(str::to_owned)
            };
            let path = path.map(|p| p.trim_end_matches([';', ')', ',', '|', '&']).to_owned());
            // Only a plain path: `/health/$ID` or `/health)...` is not an address to poll.
            let plain = |p: &String| {
                p.len() > 1
                    && p.starts_with('/')
                    && p.chars().all(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.' | '~')
                    })
            };
            if let Some(path) = path.filter(plain) {
                return Some(path);
            }
        }
    }
    None
}

/// `${{ vars.URL }}` as `$EXPR`, so an expression with spaces inside stays one word.
fn squash_expressions(script: &str) -> String {
    let mut out = String::with_capacity(script.len());
    let mut rest = script;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        out.push_str("$EXPR");
        rest = match rest[start..].find("}}") {
            Some(end) => &rest[start + end + 2..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// `/path` of `$VAR/path` or `${VAR}/path`.
fn after_variable(word: &str) -> Option<&str> {
    let rest = word.strip_prefix('$')?;
    let rest = if let Some(r) = rest.strip_prefix('{') {
        &r[r.find('}')? + 1..]
    } else {
        rest.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_')
    };
    let path = rest.split(['?', '#']).next().unwrap_or(rest);
    path.starts_with('/').then_some(path)
}

/// The environment names `text` can stand for. A plain name is itself; an expression is
/// expanded where the file says what it can be: a choice input's options, a string input's
/// default, a matrix key's values, quoted literals. Whatever stays unknown becomes a note.
fn resolve(job_id: &str, text: &str, job: &Mapping, out: &mut ScannedWorkflow) -> Vec<String> {
    let text = text.trim();
    let Some(m) = expr::mentions(text) else {
        return if text.is_empty() {
            Vec::new()
        } else {
            vec![text.to_owned()]
        };
    };
    let mut names: Vec<String> = Vec::new();
    let mut unknown = Vec::new();
    for input in &m.inputs {
        let spec = out
            .dispatch_inputs
            .iter()
            .flatten()
            .find(|i| &i.name == input);
        match spec.map(|s| (&s.kind, &s.default)) {
            Some((InputKind::Choice(options), _)) => names.extend(options.iter().cloned()),
            Some((InputKind::String, Some(default))) => {
                names.push(default.clone());
                unknown.push(format!(
                    "the string input `{input}` may name others at dispatch time"
                ));
            }
            Some((InputKind::Environment, _)) => unknown.push(format!(
                "the input `{input}` picks any of the repository's environments at dispatch time"
            )),
            // Booleans and numbers are the conditions of `a && 'x' || 'y'`, never names.
            Some((InputKind::Boolean | InputKind::Number, _)) => {}
            Some((InputKind::String, None)) => unknown.push(format!(
                "the string input `{input}` is typed in at dispatch time"
            )),
            None if out.events.iter().any(|e| e == "workflow_call") => unknown.push(format!(
                "the input `{input}` comes from the calling workflow's `with:`"
            )),
            None => unknown.push(format!("`{input}` is not a workflow_dispatch input")),
        }
    }
    for key in &m.matrix {
        let values = matrix_values(job, key);
        if values.is_empty() {
            unknown.push(format!("`matrix.{key}` has no values written in the file"));
        }
        names.extend(values);
    }
    // Only literals the expression can return: `github.ref == 'refs/heads/main'` is a test.
    names.extend(expr_values::value_literals(text));
    if names.is_empty() && unknown.is_empty() {
        unknown.push("it is only known when the job runs".into());
    }
    if !unknown.is_empty() {
        out.notes.push(format!(
            "job `{job_id}`, environment `{text}`: {}",
            unknown.join("; ")
        ));
    }
    let mut unique: Vec<String> = Vec::new();
    for name in names.into_iter().map(|n| n.trim().to_owned()) {
        if !name.is_empty() && !unique.iter().any(|u| u.eq_ignore_ascii_case(&name)) {
            unique.push(name);
        }
    }
    unique
}

/// `url` when it is a literal http(s) URL; an expression (`${{ steps.x.outputs.url }}`) is
/// only known at run time and is skipped quietly, anything else is noted.
fn literal_url(job_id: &str, url: &str, out: &mut ScannedWorkflow) -> Option<String> {
    let url = url.trim();
    if url.is_empty() || url.contains("${{") {
        return None;
    }
    match reqwest::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
            Some(url.to_owned())
        }
        _ => {
            out.notes.push(format!(
                "job `{job_id}`: environment url `{url}` is not an http(s) URL, so it is not used"
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_text(yaml: &str) -> ScannedWorkflow {
        scan(&WorkflowFile {
            file: "w.yml".into(),
            text: yaml.into(),
        })
    }

    fn names(w: &ScannedWorkflow) -> Vec<&str> {
        w.environments.iter().map(|e| e.name.as_str()).collect()
    }

    #[test]
    fn serde_yaml_ng_keeps_on_as_a_string_key() {
        // YAML 1.2, which serde_yaml_ng follows, has no `on` boolean; YAML 1.1 did.
        let doc: Value = serde_yaml_ng::from_str("on: push\n").unwrap();
        assert_eq!(doc.get("on").and_then(Value::as_str), Some("push"));
        assert!(doc.get(Value::Bool(true)).is_none());
    }

    #[test]
    fn every_spelling_of_on() {
        for (yaml, want) in [
            ("on: push\n", vec!["push"]),
            ("on: [push, pull_request]\n", vec!["push", "pull_request"]),
            ("\"on\":\n  workflow_dispatch:\n", vec!["workflow_dispatch"]),
            ("'on': workflow_dispatch\n", vec!["workflow_dispatch"]),
            (
                "true:\n  push: {}\n  schedule: []\n",
                vec!["push", "schedule"],
            ),
        ] {
            let w = scan_text(yaml);
            assert_eq!(w.events, want, "{yaml}");
            assert_eq!(w.unreadable, None, "{yaml}");
        }
        assert!(
            scan_text("on: workflow_dispatch\n")
                .dispatch_inputs
                .is_some()
        );
        assert!(scan_text("on: [push]\n").dispatch_inputs.is_none());
    }

    #[test]
    fn unreadable_files_say_why() {
        let w = scan_text("on: [push\n");
        assert!(w.unreadable.as_deref().unwrap().contains("invalid YAML"));
        let w = scan_text("name: x\njobs: {}\n");
        assert!(w.unreadable.as_deref().unwrap().contains("no `on:`"));
        let w = scan_text("- a\n- b\n");
        assert!(w.unreadable.is_some());
    }

    #[test]
    fn string_and_mapping_environments_with_urls() {
        let w = scan_text(
            "on: push\njobs:\n  a:\n    environment: staging\n  b:\n    environment:\n      \
             name: production\n      url: https://shop.example.com\n  c:\n    environment:\n      \
             name: Production\n",
        );
        assert_eq!(names(&w), ["staging", "production"]);
        assert_eq!(w.environments[0].url, None);
        assert_eq!(
            w.environments[1].url.as_deref(),
            Some("https://shop.example.com")
        );
        assert!(w.notes.is_empty(), "{:?}", w.notes);
    }

    #[test]
    fn expression_urls_are_skipped_and_bad_urls_noted() {
        let w = scan_text(
            "on: push\njobs:\n  a:\n    environment:\n      name: pages\n      \
             url: ${{ steps.d.outputs.page_url }}\n  b:\n    environment:\n      name: ftp\n      \
             url: ftp://files.example.com\n",
        );
        assert_eq!(names(&w), ["pages", "ftp"]);
        assert!(w.environments.iter().all(|e| e.url.is_none()));
        assert_eq!(w.notes.len(), 1, "{:?}", w.notes);
        assert!(w.notes[0].contains("ftp://"));
    }

    #[test]
    fn expressions_expand_through_choices_matrices_and_literals() {
        let w = scan_text(
            "on:\n  workflow_dispatch:\n    inputs:\n      target:\n        type: choice\n        \
             options: [dev, staging, production]\n      prod:\n        type: boolean\n\
             jobs:\n  a:\n    environment: ${{ inputs.target }}\n  b:\n    \
             environment: ${{ inputs.prod && 'prod-us' || 'staging-us' }}\n  c:\n    \
             strategy:\n      matrix:\n        env: [qa-1]\n        include:\n          - env: qa-2\n    \
             environment: ${{ matrix.env }}\n",
        );
        assert_eq!(
            names(&w),
            [
                "dev",
                "staging",
                "production",
                "prod-us",
                "staging-us",
                "qa-1",
                "qa-2"
            ]
        );
        assert!(w.notes.is_empty(), "{:?}", w.notes);
    }

    #[test]
    fn what_cannot_be_known_becomes_a_note() {
        let w = scan_text(
            "on:\n  workflow_dispatch:\n    inputs:\n      where:\n        type: environment\n      \
             free:\n        type: string\n      dflt:\n        default: staging\n\
             jobs:\n  a:\n    environment: ${{ vars.ENV }}\n  b:\n    environment: ${{ inputs.where }}\n  \
             c:\n    environment: ${{ inputs.free }}\n  d:\n    environment: pr-${{ github.event.number }}\n  \
             e:\n    environment: ${{ inputs.dflt }}\n  f:\n    environment: ${{ matrix.env }}\n",
        );
        // A string input's default is a name worth listing; the rest cannot be named.
        assert_eq!(names(&w), ["staging"]);
        let notes = w.notes.join("\n");
        for want in [
            "job `a`, environment `${{ vars.ENV }}`: it is only known when the job runs",
            "`where` picks any of the repository's environments",
            "`free` is typed in at dispatch time",
            "job `d`, environment `pr-${{ github.event.number }}`",
            "`dflt` may name others",
            "`matrix.env` has no values",
        ] {
            assert!(notes.contains(want), "missing {want:?} in\n{notes}");
        }
    }

    #[test]
    fn reusable_workflows_and_their_callers() {
        let callee = scan_text(
            "on:\n  workflow_call:\n    inputs:\n      environment:\n        type: string\n\
             jobs:\n  deploy:\n    environment: ${{ inputs.environment }}\n",
        );
        assert!(callee.reusable_only());
        assert!(callee.environments.is_empty());
        assert!(callee.notes[0].contains("comes from the calling workflow"));
        let caller = scan_text(
            "on: [push]\njobs:\n  stage:\n    uses: ./.github/workflows/_deploy.yml\n    with:\n      \
             environment: staging\n      environment_url: https://staging.example.com\n  \
             prod:\n    uses: ./.github/workflows/_deploy.yml\n    with:\n      target-environment: production\n",
        );
        assert!(!caller.reusable_only());
        assert_eq!(names(&caller), ["staging", "production"]);
    }

    #[test]
    fn a_bad_input_costs_the_inputs_not_the_environments() {
        let w = scan_text(
            "on:\n  workflow_dispatch:\n    inputs:\n      x:\n        type: colour\n\
             jobs:\n  a:\n    environment: production\n",
        );
        assert_eq!(w.unreadable, None);
        assert_eq!(w.dispatch_inputs, None);
        assert_eq!(names(&w), ["production"]);
        let problem = w.dispatch_problem.as_deref().unwrap_or_default();
        assert!(problem.contains("unknown input type"), "{problem}");
        assert!(w.notes.is_empty(), "{:?}", w.notes);
    }

    #[test]
    fn health_paths_the_deploy_job_probes() {
        let w = scan_text(
            "on: push\njobs:\n  a:\n    environment:\n      name: staging\n      url: https://s.example.com\n    \
             steps:\n      - run: ./deploy.sh\n      - run: |\n          curl -f $STAGING_URL:8000/v1/health\n          \
             curl -f \"$STAGING_URL/web/health?full=1\" || exit 1\n  \
             b:\n    environment:\n      name: production\n      url: https://p.example.com\n    \
             steps:\n      - run: curl https://other.example.com/health && curl -sf https://p.example.com/api/healthz\n      \
             - run: V=$(curl -s https://p.example.com/web/version)\n  \
             c:\n    environment: dev\n    steps:\n      - run: curl ${{ vars.DEV_URL }}/healthcheck/\n  \
             d:\n    environment: qa\n    steps:\n      - run: (curl $QA_URL/health/$ID; curl $QA_URL/health);\n",
        );
        let paths: Vec<Option<&str>> = w
            .environments
            .iter()
            .map(|e| e.health_path.as_deref())
            .collect();
        assert_eq!(
            paths,
            [
                Some("/web/health"),
                Some("/api/healthz"),
                Some("/healthcheck/"),
                Some("/health")
            ]
        );
        assert_eq!(
            w.environments[1].version_path.as_deref(),
            Some("/web/version")
        );
        assert_eq!(w.environments[0].version_path, None);
        let none = scan_text(
            "on: push\njobs:\n  a:\n    environment: x\n    steps:\n      - run: echo healthy\n      \
             - run: curl http://localhost:8069/health\n      - uses: some/health-action@v1\n",
        );
        assert_eq!(none.environments[0].health_path, None);
    }

    #[test]
    fn a_condition_is_not_an_environment() {
        let w = scan_text(
            "on: push\njobs:\n  a:\n    \
             environment: ${{ github.ref_name == 'main' && 'Production' || 'Staging' }}\n",
        );
        assert_eq!(names(&w), ["Production", "Staging"]);
    }

    #[test]
    fn a_byte_order_mark_is_not_a_second_document() {
        let w = scan_text(
            "\u{feff}name: x\non: workflow_dispatch\njobs:\n  a:\n    environment: dev\n",
        );
        assert_eq!(w.unreadable, None);
        assert!(w.dispatch_inputs.is_some());
        assert_eq!(names(&w), ["dev"]);
    }

    #[test]
    fn yaml_anchors_and_merge_keys() {
        let w = scan_text(
            "on: push\nx-env: &prod\n  name: production\n  url: https://p.example.com\n\
             jobs:\n  a:\n    environment: *prod\n  b:\n    environment:\n      <<: *prod\n",
        );
        assert_eq!(names(&w), ["production"]);
        assert_eq!(
            w.environments[0].url.as_deref(),
            Some("https://p.example.com")
        );
    }
}
