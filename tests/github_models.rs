//! Decodes every response example GitHub publishes (tests/fixtures/github-endpoints.json,
//! an extract of GitHub's OpenAPI description) for the endpoints cockpit calls, into
//! cockpit's own models (`cockpit::github::models`).
//!
//! A failure names the endpoint, status, media type and example, plus the JSON path
//! inside the example where serde gave up.

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use cockpit::github::models::*;
use serde::de::DeserializeOwned;
use serde_json::Value;

// ---------------------------------------------------------------------------
// Fixture access
// ---------------------------------------------------------------------------

fn fixture() -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/github-endpoints.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// One published response example.
#[derive(Debug)]
struct Example {
    endpoint: String,
    status: String,
    media_type: String,
    name: String,
    value: Value,
}

impl Example {
    fn label(&self) -> String {
        format!(
            "{} -> {} {} example `{}`",
            self.endpoint, self.status, self.media_type, self.name
        )
    }
}

/// Media types whose body is a JSON document (as opposed to diff/patch/sha text).
fn is_json_media(media_type: &str) -> bool {
    media_type == "application/json"
        || media_type.ends_with("+json")
        || media_type == "application/vnd.github.object"
}

fn find_endpoint<'a>(fixture: &'a Value, method: &str, path: &str) -> Option<&'a Value> {
    fixture["endpoints"]
        .as_array()?
        .iter()
        .find(|e| e["method"] == method && e["path"] == path)
}

/// Every example of a 2xx JSON response of one endpoint.
fn examples_of(endpoint: &Value) -> Vec<Example> {
    let label = format!(
        "{} {}",
        endpoint["method"].as_str().unwrap_or("?"),
        endpoint["path"].as_str().unwrap_or("?")
    );
    let mut out = Vec::new();
    let Some(responses) = endpoint["responses"].as_object() else {
        return out;
    };
    for (status, response) in responses {
        if !status.starts_with('2') {
            continue;
        }
        let Some(content) = response["content"].as_object() else {
            continue;
        };
        for (media_type, body) in content {
            if !is_json_media(media_type) {
                continue;
            }
            let Some(examples) = body["examples"].as_object() else {
                continue;
            };
            for (name, example) in examples {
                out.push(Example {
                    endpoint: label.clone(),
                    status: status.clone(),
                    media_type: media_type.clone(),
                    name: name.clone(),
                    value: example.get("value").cloned().unwrap_or(Value::Null),
                });
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Decoding with a JSON path in the error
// ---------------------------------------------------------------------------

/// Pretty-prints `value` one element per line and records, for every line, the JSON
/// path of the element on it (a closing bracket gets its container's path). serde_json
/// reports errors by line, so the line maps back to a path.
fn render(value: &Value, path: &str, out: &mut String, line_paths: &mut Vec<String>) {
    fn newline(path: &str, out: &mut String, line_paths: &mut Vec<String>) {
        out.push('\n');
        line_paths.push(path.to_string());
    }
    match value {
        Value::Object(map) => {
            out.push('{');
            for (i, (key, child)) in map.iter().enumerate() {
                let child_path = format!("{path}.{key}");
                newline(&child_path, out, line_paths);
                out.push_str(&serde_json::to_string(key).unwrap_or_default());
                out.push_str(": ");
                render(child, &child_path, out, line_paths);
                if i + 1 < map.len() {
                    out.push(',');
                }
            }
            newline(path, out, line_paths);
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, child) in items.iter().enumerate() {
                let child_path = format!("{path}[{i}]");
                newline(&child_path, out, line_paths);
                render(child, &child_path, out, line_paths);
                if i + 1 < items.len() {
                    out.push(',');
                }
            }
            newline(path, out, line_paths);
            out.push(']');
        }
        scalar => out.push_str(&serde_json::to_string(scalar).unwrap_or_default()),
    }
}

/// Decodes `value` as `T`; on failure the message carries the JSON path of the offending
/// element, e.g. `$.workflow_runs[0].status: unknown variant ...`.
fn decode_value<T: DeserializeOwned>(value: &Value) -> Result<T, String> {
    let mut text = String::new();
    let mut line_paths = vec!["$".to_string()];
    render(value, "$", &mut text, &mut line_paths);
    serde_json::from_str::<T>(&text).map_err(|e| {
        let at = line_paths
            .get(e.line().saturating_sub(1))
            .map_or("$", String::as_str);
        // The position serde_json reports is in the re-rendered text: drop it, the path says more.
        let message = e.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m);
        format!("at {at}: {message} (as {})", std::any::type_name::<T>())
    })
}

fn decode_as<T: DeserializeOwned>(ex: &Example) -> Result<(), String> {
    decode_value::<T>(&ex.value).map(|_| ())
}

/// Endpoints that answer an empty object (`{}`; GitHub's example shows `null`):
/// cockpit only looks at the status code.
fn empty_body(ex: &Example) -> Result<(), String> {
    match &ex.value {
        Value::Null => Ok(()),
        Value::Object(map) if map.is_empty() => Ok(()),
        other => Err(format!("expected an empty body, got {other}")),
    }
}

/// `POST .../deployments`: `201` is the new deployment; `202` means GitHub auto-merged the
/// default branch into the ref instead and answers a bare `{"message": ...}`.
fn create_deployment(ex: &Example) -> Result<(), String> {
    match ex.status.as_str() {
        "202" => decode_as::<ApiError>(ex),
        _ => decode_as::<Deployment>(ex),
    }
}

// ---------------------------------------------------------------------------
// What cockpit calls, and with which model
// ---------------------------------------------------------------------------

struct Case {
    method: &'static str,
    path: &'static str,
    /// 2xx statuses that must each have at least one decoded example.
    statuses: &'static [&'static str],
    /// Example names deliberately not decoded (a response variant cockpit never requests).
    skip: &'static [&'static str],
    decode: fn(&Example) -> Result<(), String>,
}

const fn case(
    method: &'static str,
    path: &'static str,
    statuses: &'static [&'static str],
    decode: fn(&Example) -> Result<(), String>,
) -> Case {
    Case {
        method,
        path,
        statuses,
        skip: &[],
        decode,
    }
}

/// A path under `/repos/{owner}/{repo}`, as spelled in the fixture.
macro_rules! repo {
    ($suffix:literal) => {
        concat!("/repos/{owner}/{repo}", $suffix)
    };
}

/// The endpoints cockpit calls that publish 2xx JSON examples, and the model each decodes to.
#[rustfmt::skip]
fn cases() -> Vec<Case> {
    vec![
        case("GET",  "/rate_limit", &["200"], decode_as::<RateLimitResponse>),
        case("GET",  "/user", &["200"], decode_as::<SimpleUser>),
        case("GET",  repo!("/actions/workflows"), &["200"], decode_as::<WorkflowsPage>),
        case("GET",  repo!("/actions/workflows/{workflow_id}"), &["200"], decode_as::<Workflow>),
        case("GET",  repo!("/actions/workflows/{workflow_id}/runs"), &["200"], decode_as::<WorkflowRunsPage>),
        case("POST", repo!("/actions/workflows/{workflow_id}/dispatches"), &["200"], decode_as::<DispatchRunDetails>),
        case("GET",  repo!("/actions/runs"), &["200"], decode_as::<WorkflowRunsPage>),
        case("GET",  repo!("/actions/runs/{run_id}"), &["200"], decode_as::<WorkflowRun>),
        case("GET",  repo!("/actions/runs/{run_id}/jobs"), &["200"], decode_as::<JobsPage>),
        case("GET",  repo!("/actions/runs/{run_id}/attempts/{attempt_number}/jobs"), &["200"], decode_as::<JobsPage>),
        case("GET",  repo!("/actions/jobs/{job_id}"), &["200"], decode_as::<Job>),
        case("GET",  repo!("/actions/runs/{run_id}/pending_deployments"), &["200"], decode_as::<Vec<PendingDeployment>>),
        case("POST", repo!("/actions/runs/{run_id}/pending_deployments"), &["200"], decode_as::<Vec<Deployment>>),
        case("GET",  repo!("/actions/runs/{run_id}/approvals"), &["200"], decode_as::<Vec<EnvironmentApproval>>),
        case("POST", repo!("/actions/runs/{run_id}/rerun"), &["201"], empty_body),
        case("POST", repo!("/actions/runs/{run_id}/rerun-failed-jobs"), &["201"], empty_body),
        case("POST", repo!("/actions/jobs/{job_id}/rerun"), &["201"], empty_body),
        case("POST", repo!("/actions/runs/{run_id}/cancel"), &["202"], empty_body),
        case("POST", repo!("/actions/runs/{run_id}/force-cancel"), &["202"], empty_body),
        case("GET",  repo!("/environments"), &["200"], decode_as::<EnvironmentsPage>),
        case("GET",  repo!("/environments/{environment_name}"), &["200"], decode_as::<Environment>),
        case("GET",  repo!("/deployments"), &["200"], decode_as::<Vec<Deployment>>),
        case("POST", repo!("/deployments"), &["201", "202"], create_deployment),
        case("GET",  repo!("/deployments/{deployment_id}/statuses"), &["200"], decode_as::<Vec<DeploymentStatus>>),
        case("POST", repo!("/deployments/{deployment_id}/statuses"), &["201"], decode_as::<DeploymentStatus>),
        case("GET",  repo!("/releases"), &["200"], decode_as::<Vec<Release>>),
        case("GET",  repo!("/releases/latest"), &["200"], decode_as::<Release>),
        Case {
            skip: &[
                // cockpit only reads files (workflow files, for their dispatch inputs).
                "response-if-content-is-a-directory",
                "response-if-content-is-a-directory-github-object",
                "response-if-content-is-a-symlink",
                "response-if-content-is-a-submodule",
            ],
            ..case("GET", repo!("/contents/{path}"), &["200"], decode_as::<ContentFile>)
        },
        case("GET",  repo!("/commits/{ref}"), &["200"], decode_as::<CommitSummary>),
        case("GET",  repo!("/compare/{basehead}"), &["200"], decode_as::<Comparison>),
    ]
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[test]
fn every_published_example_decodes() {
    let fixture = fixture();
    let mut failures = Vec::new();
    let mut summary = Vec::new();
    let mut total = 0;

    for case in cases() {
        let label = format!("{} {}", case.method, case.path);
        let Some(endpoint) = find_endpoint(&fixture, case.method, case.path) else {
            failures.push(format!("{label}: endpoint not found in the fixture"));
            continue;
        };
        let examples = examples_of(endpoint);
        let mut decoded = 0;
        let mut statuses_seen = BTreeSet::new();
        for ex in &examples {
            if case.skip.contains(&ex.name.as_str()) {
                continue;
            }
            match (case.decode)(ex) {
                Ok(()) => {
                    decoded += 1;
                    statuses_seen.insert(ex.status.clone());
                }
                Err(e) => failures.push(format!("{}: {e}", ex.label())),
            }
        }
        for skipped in case.skip {
            if !examples.iter().any(|ex| ex.name == *skipped) {
                failures.push(format!(
                    "{label}: skipped example `{skipped}` no longer exists"
                ));
            }
        }
        if decoded == 0 {
            failures.push(format!(
                "{label}: found no decodable 2xx example (expected some)"
            ));
        }
        for status in case.statuses {
            if !statuses_seen.contains(*status) {
                failures.push(format!("{label}: no example decoded for status {status}"));
            }
        }
        total += decoded;
        summary.push(format!("{decoded:>2} decoded  {label}"));
    }

    println!("{}\n{total} examples decoded", summary.join("\n"));
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Guards the table above: a 2xx JSON example on an endpoint the table does not list would
/// otherwise go unchecked.
#[test]
fn every_fixture_endpoint_with_json_examples_is_covered() {
    let fixture = fixture();
    let covered: BTreeSet<(String, String)> = cases()
        .iter()
        .map(|c| (c.method.to_string(), c.path.to_string()))
        .collect();
    let endpoints = fixture["endpoints"].as_array().expect("endpoints array");
    let missing: Vec<String> = endpoints
        .iter()
        .filter(|e| !examples_of(e).is_empty())
        .map(|e| {
            (
                e["method"].as_str().unwrap_or_default().to_string(),
                e["path"].as_str().unwrap_or_default().to_string(),
            )
        })
        .filter(|key| !covered.contains(key))
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(
        missing.is_empty(),
        "endpoints with examples but no model: {missing:?}"
    );
}

#[test]
fn decode_errors_name_the_json_path() {
    let value = serde_json::json!({
        "total_count": 1,
        "workflow_runs": [{"id": 1, "run_number": "not a number"}]
    });
    let err = decode_value::<WorkflowRunsPage>(&value).unwrap_err();
    assert!(err.contains("$.workflow_runs[0].run_number"), "{err}");

    let missing = serde_json::json!({"total_count": 1, "workflows": [{"id": 1}]});
    let err = decode_value::<WorkflowsPage>(&missing).unwrap_err();
    assert!(
        err.contains("at $.workflows[0]:") && err.contains("missing field"),
        "{err}"
    );
}

// --- concrete values -------------------------------------------------------

/// The decoded example `name` of the `status` response of `method path` (application/json).
fn example<T: DeserializeOwned>(method: &str, path: &str, status: &str, name: &str) -> T {
    let fixture = fixture();
    let endpoint = find_endpoint(&fixture, method, path)
        .unwrap_or_else(|| panic!("{method} {path} not in fixture"));
    let ex = examples_of(endpoint)
        .into_iter()
        .find(|ex| ex.status == status && ex.name == name && ex.media_type == "application/json")
        .unwrap_or_else(|| panic!("{method} {path}: no {status} example `{name}`"));
    decode_value(&ex.value).unwrap_or_else(|e| panic!("{}: {e}", ex.label()))
}

#[test]
fn rate_limit_values() {
    let rl: RateLimitResponse = example("GET", "/rate_limit", "200", "default");
    assert_eq!(rl.resources.core.limit, 5000);
    assert_eq!(rl.resources.core.remaining, 4999);
    assert_eq!(rl.resources.core.used, 1);
    assert_eq!(rl.resources.search.map(|b| b.limit), Some(30));
    assert_eq!(rl.rate.reset, 1_372_700_873);
}

#[test]
fn user_values() {
    let user: SimpleUser = example(
        "GET",
        "/user",
        "200",
        "response-with-public-profile-information",
    );
    assert_eq!(user.login, "octocat");
    assert_eq!(user.id, 1);
    assert_eq!(user.kind.as_deref(), Some("User"));
}

#[test]
fn workflow_values() {
    let page: WorkflowsPage = example("GET", repo!("/actions/workflows"), "200", "default");
    assert_eq!(page.total_count, 2);
    let names: Vec<_> = page
        .workflows
        .iter()
        .map(|w| (w.id, w.name.as_str()))
        .collect();
    assert_eq!(names, [(161_335, "CI"), (269_289, "Linter")]);
    assert_eq!(page.workflows[0].path, ".github/workflows/blank.yaml");
    assert_eq!(page.workflows[0].state, "active");
}

#[test]
fn workflow_run_values() {
    let page: WorkflowRunsPage = example("GET", repo!("/actions/runs"), "200", "default");
    assert_eq!(page.total_count, 1);
    let run = &page.workflow_runs[0];
    assert_eq!(run.id, 30_433_642);
    assert_eq!(run.status, Some(RunStatus::Queued));
    assert_eq!(run.conclusion, None);
    assert!(run.is_active());
    assert_eq!(run.title(), "Update README.md");
    assert_eq!(run.run_number, 562);
    assert_eq!(run.run_attempt, Some(1));
    assert_eq!(run.workflow_id, 159_038);
    assert_eq!(run.event, "push");
    assert_eq!(
        run.actor.as_ref().map(|a| a.login.as_str()),
        Some("octocat")
    );
    assert_eq!(
        run.created_at,
        Utc.with_ymd_and_hms(2020, 1, 22, 19, 33, 8).unwrap()
    );

    let single: WorkflowRun = example("GET", repo!("/actions/runs/{run_id}"), "200", "default");
    assert_eq!(single.head_branch.as_deref(), Some("main"));
    assert_eq!(
        single.path.as_deref(),
        Some(".github/workflows/build.yml@main")
    );
}

#[test]
fn job_values() {
    let page: JobsPage = example(
        "GET",
        repo!("/actions/runs/{run_id}/jobs"),
        "200",
        "default",
    );
    assert_eq!(page.total_count, 1);
    let job = &page.jobs[0];
    assert_eq!((job.id, job.run_id), (399_444_496, 29_679_449));
    assert_eq!(job.status, RunStatus::Completed);
    assert_eq!(job.conclusion, Some(Conclusion::Success));
    assert_eq!(job.runner_name.as_deref(), Some("my runner"));
    assert_eq!(job.steps.len(), 10);
    let first = &job.steps[0];
    assert_eq!((first.number, first.name.as_str()), (1, "Set up job"));
    // Steps use a -08:00 offset in the example; they are normalised to UTC.
    assert_eq!(
        first.started_at,
        Some(Utc.with_ymd_and_hms(2020, 1, 20, 17, 42, 40).unwrap())
    );

    let single: Job = example("GET", repo!("/actions/jobs/{job_id}"), "200", "default");
    assert_eq!(single.workflow_name.as_deref(), Some("CI"));
}

#[test]
fn pending_deployment_and_approval_values() {
    let pending: Vec<PendingDeployment> = example(
        "GET",
        repo!("/actions/runs/{run_id}/pending_deployments"),
        "200",
        "default",
    );
    let gate = &pending[0];
    assert_eq!(gate.environment.id, Some(161_088_068));
    assert_eq!(gate.environment.name.as_deref(), Some("staging"));
    assert_eq!(gate.wait_timer, 30);
    assert!(gate.current_user_can_approve);
    let reviewers: Vec<_> = gate
        .reviewers
        .iter()
        .map(|r| {
            (
                r.kind.clone().unwrap_or_default(),
                r.reviewer.as_ref().map(Reviewer::display),
            )
        })
        .collect();
    assert_eq!(
        reviewers[0],
        ("User".to_string(), Some("octocat".to_string()))
    );
    assert_eq!(reviewers[1].0, "Team");
    assert_eq!(
        gate.reviewers[1]
            .reviewer
            .as_ref()
            .and_then(|r| r.slug.as_deref()),
        Some("justice-league")
    );

    let approvals: Vec<EnvironmentApproval> = example(
        "GET",
        repo!("/actions/runs/{run_id}/approvals"),
        "200",
        "default",
    );
    assert_eq!(approvals[0].state, "approved");
    assert_eq!(approvals[0].comment, "Ship it!");
    assert_eq!(approvals[0].user.login, "octocat");
    assert_eq!(
        approvals[0].environments[0].name.as_deref(),
        Some("staging")
    );
}

#[test]
fn environment_values() {
    let page: EnvironmentsPage = example("GET", repo!("/environments"), "200", "default");
    assert_eq!(page.total_count, Some(1));
    let env = &page.environments[0];
    assert_eq!((env.id, env.name.as_str()), (161_088_068, "staging"));
    assert_eq!(env.protection_rules.len(), 3);
    assert_eq!(env.protection_rules[0]["type"], "wait_timer");
}

#[test]
fn deployment_values() {
    let list: Vec<Deployment> = example("GET", repo!("/deployments"), "200", "default");
    let d = &list[0];
    assert_eq!(d.id, 1);
    assert_eq!(d.git_ref, "topic-branch");
    assert_eq!(d.task, "deploy");
    assert_eq!(d.environment, "production");
    assert_eq!(d.original_environment.as_deref(), Some("staging"));
    assert_eq!(d.payload, serde_json::json!({}));

    let created: Deployment = example("POST", repo!("/deployments"), "201", "simple-example");
    assert_eq!(created.sha, "a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d");
    let merged: ApiError = example(
        "POST",
        repo!("/deployments"),
        "202",
        "merged-branch-response",
    );
    assert!(merged.message.starts_with("Auto-merged"));

    let statuses: Vec<DeploymentStatus> = example(
        "GET",
        repo!("/deployments/{deployment_id}/statuses"),
        "200",
        "default",
    );
    assert_eq!(statuses[0].state, "success");
    assert_eq!(statuses[0].environment.as_deref(), Some("production"));
    assert_eq!(
        statuses[0].log_url.as_deref(),
        Some("https://example.com/deployment/42/output")
    );
}

#[test]
fn release_values() {
    let latest: Release = example("GET", repo!("/releases/latest"), "200", "default");
    assert_eq!(latest.tag_name, "v1.0.0");
    assert!(!latest.draft && !latest.prerelease);
    assert_eq!(latest.body.as_deref(), Some("Description of the release"));
    assert_eq!(
        latest.published_at,
        Some(Utc.with_ymd_and_hms(2013, 2, 27, 19, 35, 32).unwrap())
    );
}

#[test]
fn content_file_values() {
    let file: ContentFile = example(
        "GET",
        repo!("/contents/{path}"),
        "200",
        "response-if-content-is-a-file",
    );
    assert_eq!(file.kind, "file");
    assert_eq!(file.encoding.as_deref(), Some("base64"));
    assert_eq!(
        (file.name.as_str(), file.path.as_str()),
        ("README.md", "README.md")
    );
    assert!(file.content.is_some_and(|c| !c.is_empty()));
}

#[test]
fn commit_and_compare_values() {
    let commit: CommitSummary = example("GET", repo!("/commits/{ref}"), "200", "default");
    assert_eq!(commit.sha, "6dcb09b5b57875f334f61aebed695e2e4193db5e");
    assert_eq!(commit.commit.message, "Fix all the bugs");
    let git_author = commit.commit.author.as_ref().expect("git author");
    assert_eq!(git_author.name.as_deref(), Some("Monalisa Octocat"));
    assert_eq!(
        git_author.date,
        Some(Utc.with_ymd_and_hms(2011, 4, 14, 16, 0, 49).unwrap())
    );
    assert_eq!(commit.author.map(|a| a.login).as_deref(), Some("octocat"));

    let cmp: Comparison = example("GET", repo!("/compare/{basehead}"), "200", "default");
    assert_eq!(cmp.status, "behind");
    assert_eq!((cmp.ahead_by, cmp.behind_by, cmp.total_commits), (1, 2, 1));
    assert_eq!(cmp.commits.len(), 1);
}

#[test]
fn dispatch_values() {
    let details: DispatchRunDetails = example(
        "POST",
        repo!("/actions/workflows/{workflow_id}/dispatches"),
        "200",
        "default",
    );
    assert_eq!(details.workflow_run_id, 1);
    assert!(details.html_url.ends_with("/actions/runs/1"));
}
