//! `/repos/{o}/{r}/actions/...`: workflows, runs, jobs, logs, re-runs, cancels, dispatches,
//! deployment reviews.

use serde_json::{Value, json};

use super::deploys::{deployments_at, run_deployment_id};
use super::plans::{WORKFLOWS, workflow_index};
use super::render::{Cx, deployment};
use super::render_actions as ra;
use super::routes::{Reply, Req, with_link};
use super::scenario::{Attempt, Refusal, Run, World};

pub(crate) fn route(w: &mut World, cx: &Cx, req: &Req, rest: &[&str]) -> Reply {
    match (req.method, rest) {
        ("GET", ["workflows"]) => workflows(cx, req),
        ("GET", ["workflows", wf]) => workflow_index(wf).map_or_else(Reply::not_found, |i| {
            Reply::ok(ra::workflow(cx, &WORKFLOWS[i]))
        }),
        ("GET", ["workflows", wf, "runs"]) => {
            workflow_index(wf).map_or_else(Reply::not_found, |i| list_runs(w, cx, req, Some(i)))
        }
        ("POST", ["workflows", wf, "dispatches"]) => {
            workflow_index(wf).map_or_else(Reply::not_found, |i| dispatch(w, cx, req, i))
        }
        ("GET", ["runs"]) => list_runs(w, cx, req, None),
        (_, ["runs", id, more @ ..]) => match id.parse::<u64>() {
            Ok(id) if w.run(id).is_some_and(|r| r.created() <= cx.t) => {
                run_route(w, cx, req, id, more)
            }
            _ => Reply::not_found(),
        },
        ("GET", ["jobs", id]) => find_job(w, id, cx.t)
            .map_or_else(Reply::not_found, |(r, a, j)| job_json(w, cx, r, a, j)),
        ("GET", ["jobs", id, "logs"]) => match find_job(w, id, cx.t) {
            Some((_, _, j)) => {
                let sig = super::history::fake_sha(&format!("sig:{}:{}", j.id, cx.t));
                Reply::empty(302).header(
                    "location",
                    format!("{}/_logs/jobs/{}?sv=2025-11-05&sig={sig}", cx.host, j.id),
                )
            }
            None => Reply::not_found(),
        },
        _ => Reply::not_found(),
    }
}

fn run_route(w: &mut World, cx: &Cx, req: &Req, id: u64, more: &[&str]) -> Reply {
    let attempt = |n: &str| n.parse::<u32>().ok();
    match (req.method, more) {
        ("GET", []) => run_json(w, cx, id, None),
        ("GET", ["attempts", n]) => {
            attempt(n).map_or_else(Reply::not_found, |n| run_json(w, cx, id, Some(n)))
        }
        ("GET", ["jobs"]) => jobs(w, cx, req, id, None),
        ("GET", ["attempts", n, "jobs"]) => {
            attempt(n).map_or_else(Reply::not_found, |n| jobs(w, cx, req, id, Some(n)))
        }
        ("POST", ["rerun"]) => done(w.rerun(id, false, cx.t, req.user), 201),
        ("POST", ["rerun-failed-jobs"]) => done(w.rerun(id, true, cx.t, req.user), 201),
        ("POST", ["cancel" | "force-cancel"]) => done(w.cancel(id, cx.t), 202),
        ("GET", ["pending_deployments"]) => w
            .run(id)
            .map_or_else(Reply::not_found, |r| Reply::ok(ra::pending(cx, r))),
        ("POST", ["pending_deployments"]) => review(w, cx, req, id),
        ("GET", ["approvals"]) => w
            .run(id)
            .map_or_else(Reply::not_found, |r| Reply::ok(ra::approvals(cx, r))),
        _ => Reply::not_found(),
    }
}

fn done(r: Result<(), Refusal>, status: u16) -> Reply {
    match r {
        Ok(()) => Reply::json(status, json!({})),
        Err((s, m)) => Reply::error(s, m),
    }
}

fn workflows(cx: &Cx, req: &Req) -> Reply {
    let all: Vec<Value> = WORKFLOWS.iter().map(|w| ra::workflow(cx, w)).collect();
    let total = all.len();
    let (page, link) = req.page(cx, all);
    with_link(
        Reply::ok(json!({ "total_count": total, "workflows": page })),
        link,
    )
}

fn list_runs(w: &World, cx: &Cx, req: &Req, wf: Option<usize>) -> Reply {
    let want = |k: &str| req.q(k);
    let runs: Vec<Value> = w
        .runs_at(cx.t)
        .into_iter()
        .filter(|r| wf.is_none_or(|i| r.wf == i))
        .filter_map(|r| Some((r, r.attempts.last()?)))
        .filter(|(r, a)| {
            let st = a.state(cx.t);
            want("branch").is_none_or(|b| r.branch == b)
                && want("event").is_none_or(|e| r.event == e)
                && want("actor").is_none_or(|u| r.actor == u)
                && want("head_sha").is_none_or(|s| w.hist.commits[r.commit].sha == s)
                && want("status").is_none_or(|s| st.status == s || st.conclusion == Some(s))
        })
        .map(|(r, a)| ra::run(cx, &w.hist, r, a))
        .collect();
    let total = runs.len();
    let (page, link) = req.page(cx, runs);
    with_link(
        Reply::ok(json!({ "total_count": total, "workflow_runs": page })),
        link,
    )
}

fn run_json(w: &World, cx: &Cx, id: u64, n: Option<u32>) -> Reply {
    match w.run(id).and_then(|r| Some((r, r.attempt(n)?))) {
        Some((r, a)) => Reply::ok(ra::run(cx, &w.hist, r, a)),
        None => Reply::not_found(),
    }
}

fn jobs(w: &World, cx: &Cx, req: &Req, id: u64, n: Option<u32>) -> Reply {
    let Some(run) = w.run(id) else {
        return Reply::not_found();
    };
    let attempts: Vec<&Attempt> = match (n, req.q("filter")) {
        (None, Some("all")) => run.attempts.iter().rev().collect(),
        (None, Some("latest") | None) => run.attempts.last().into_iter().collect(),
        (None, Some(_)) => {
            return Reply::error(
                422,
                "Invalid request.\n\nfilter must be one of: latest, all",
            );
        }
        (Some(n), _) => match run.attempt(Some(n)) {
            Some(a) => vec![a],
            None => return Reply::not_found(),
        },
    };
    let mut all = vec![];
    for a in attempts {
        for (plan, view) in a.jobs.iter().zip(a.jobs_at(cx.t)) {
            all.push(ra::job(cx, &w.hist, run, a, plan, &view));
        }
    }
    let total = all.len();
    let (page, link) = req.page(cx, all);
    with_link(
        Reply::ok(json!({ "total_count": total, "jobs": page })),
        link,
    )
}

/// The run, attempt and index of a job visible at `t`.
pub(crate) fn find_job<'w>(
    w: &'w World,
    id: &str,
    t: i64,
) -> Option<(&'w Run, &'w Attempt, &'w super::plans::JobPlan)> {
    let id: u64 = id.parse().ok()?;
    w.runs.iter().filter(|r| r.created() <= t).find_map(|r| {
        r.attempts
            .iter()
            .filter(|a| a.created <= t)
            .find_map(|a| a.jobs.iter().find(|j| j.id == id).map(|j| (r, a, j)))
    })
}

fn job_json(w: &World, cx: &Cx, r: &Run, a: &Attempt, plan: &super::plans::JobPlan) -> Reply {
    let views = a.jobs_at(cx.t);
    match a
        .jobs
        .iter()
        .position(|j| j.id == plan.id)
        .and_then(|i| views.get(i))
    {
        Some(v) => Reply::ok(ra::job(cx, &w.hist, r, a, plan, v)),
        None => Reply::not_found(),
    }
}

fn dispatch(w: &mut World, cx: &Cx, req: &Req, wf: usize) -> Reply {
    let body = req.body.and_then(Value::as_object);
    let Some(git_ref) = body.and_then(|b| b.get("ref")).and_then(Value::as_str) else {
        return Reply::error(422, "Invalid request.\n\n\"ref\" wasn't supplied.");
    };
    let empty = serde_json::Map::new();
    let inputs = match body.and_then(|b| b.get("inputs")) {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(_) => {
            return Reply::error(
                422,
                "Invalid request.\n\nFor 'properties/inputs', it is not an object.",
            );
        }
    };
    let asked = body.and_then(|b| b.get("return_run_details"));
    if cx.legacy_dispatch && asked.is_some() {
        // Old GitHub Enterprise Server validates the body against a schema without the field.
        return Reply::error(
            422,
            "Invalid request.\n\n\"return_run_details\" is not a permitted key.",
        );
    }
    let details = asked.and_then(Value::as_bool).unwrap_or(false);
    match w.dispatch(wf, git_ref, inputs, cx.t, req.user) {
        Ok(id) if details => Reply::ok(json!({
            "workflow_run_id": id,
            "run_url": format!("{}/actions/runs/{id}", cx.api()),
            "html_url": format!("{}/actions/runs/{id}", cx.html())
        })),
        Ok(_) => Reply::empty(204),
        Err((s, m)) => Reply::error(s, m),
    }
}

fn review(w: &mut World, cx: &Cx, req: &Req, id: u64) -> Reply {
    let body = req.body.and_then(Value::as_object);
    let field = |k: &str| body.and_then(|b| b.get(k));
    let missing =
        |k: &str| Reply::error(422, format!("Invalid request.\n\n\"{k}\" wasn't supplied."));
    let Some(ids) = field("environment_ids").and_then(Value::as_array) else {
        return missing("environment_ids");
    };
    let Some(ids) = ids.iter().map(Value::as_u64).collect::<Option<Vec<u64>>>() else {
        return Reply::error(
            422,
            "Invalid request.\n\nFor 'items', it is not an integer.",
        );
    };
    let approved = match field("state").and_then(Value::as_str) {
        Some("approved") => true,
        Some("rejected") => false,
        Some(other) => {
            return Reply::error(
                422,
                format!(
                    "Invalid request.\n\nFor 'properties/state', \"{other}\" is not one of [\"approved\", \"rejected\"]."
                ),
            );
        }
        None => return missing("state"),
    };
    let Some(comment) = field("comment").and_then(Value::as_str) else {
        return missing("comment");
    };
    if let Err((s, m)) = w.review(id, &ids, approved, comment, cx.t, req.user) {
        return Reply::error(s, m);
    }
    if !approved {
        return Reply::ok(json!([]));
    }
    let attempt = w
        .run(id)
        .and_then(|r| r.attempts.last())
        .map_or(1, |a| a.number);
    let dep_id = run_deployment_id(id, attempt);
    let deps: Vec<Value> = deployments_at(w, &cx.html(), cx.t)
        .iter()
        .filter(|d| d.id == dep_id)
        .map(|d| deployment(cx, d))
        .collect();
    Reply::ok(Value::Array(deps))
}
