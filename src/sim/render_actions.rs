//! Actions objects: workflow, workflow run, job, pending deployment, approval.

use serde_json::{Value, json};

use super::deploys::{self, ENVIRONMENTS};
use super::history::{self, DAY, History};
use super::plans::{JobPlan, WORKFLOWS, Workflow};
use super::render::{Cx, env_short, node_id, repository, team, user};
use super::scenario::{Attempt, Run};
use super::timeline::JobView;

pub(crate) fn workflow(cx: &Cx, wf: &Workflow) -> Value {
    json!({
        "id": wf.id, "node_id": node_id("Workflow", wf.id), "name": wf.name, "path": format!(".github/workflows/{}", wf.file),
        "state": "active", "created_at": cx.ts(-300 * DAY), "updated_at": cx.ts(-20 * DAY),
        "url": format!("{}/actions/workflows/{}", cx.api(), wf.id),
        "html_url": format!("{}/blob/main/.github/workflows/{}", cx.html(), wf.file),
        "badge_url": format!("{}/actions/workflows/{}/badge.svg", cx.html(), wf.file)
    })
}

pub(crate) fn check_suite_id(run_id: u64) -> u64 {
    21_000_000_000 + run_id * 3
}

pub(crate) fn run(cx: &Cx, h: &History, run: &Run, a: &Attempt) -> Value {
    let st = a.state(cx.t);
    let wf = &WORKFLOWS[run.wf];
    let api = cx.api();
    let url = format!("{api}/actions/runs/{}", run.id);
    let c = &h.commits[run.commit];
    let (_, _, name, email, _) = history::user(c.author);
    let cs = check_suite_id(run.id);
    let previous = if a.number > 1 {
        Value::String(format!("{url}/attempts/{}", a.number - 1))
    } else {
        Value::Null
    };
    json!({
        "id": run.id, "name": wf.name, "node_id": node_id("WorkflowRun", run.id), "check_suite_id": cs,
        "check_suite_node_id": node_id("CheckSuite", cs), "head_branch": run.branch, "head_sha": c.sha,
        "path": format!(".github/workflows/{}", wf.file), "run_number": run.number, "event": run.event,
        "display_title": run.title, "status": st.status, "conclusion": st.conclusion, "workflow_id": wf.id,
        "url": url, "html_url": format!("{}/actions/runs/{}", cx.html(), run.id), "pull_requests": [],
        "created_at": cx.ts(run.created()), "updated_at": cx.ts(st.updated), "actor": user(cx, &run.actor),
        "run_attempt": a.number, "referenced_workflows": [], "run_started_at": cx.ts(a.created),
        "triggering_actor": user(cx, &a.actor), "jobs_url": format!("{url}/jobs"), "logs_url": format!("{url}/logs"),
        "check_suite_url": format!("{api}/check-suites/{cs}"), "artifacts_url": format!("{url}/artifacts"),
        "cancel_url": format!("{url}/cancel"), "rerun_url": format!("{url}/rerun"), "previous_attempt_url": previous,
        "workflow_url": format!("{api}/actions/workflows/{}", wf.id),
        "head_commit": {
            "id": c.sha, "tree_id": c.tree, "message": c.message, "timestamp": cx.ts(c.at),
            "author": {"name": name, "email": email}, "committer": {"name": "GitHub", "email": "noreply@github.com"}
        },
        "repository": repository(cx), "head_repository": repository(cx), "head_repository_id": 702_113_894u64
    })
}

pub(crate) fn job(
    cx: &Cx,
    h: &History,
    run: &Run,
    a: &Attempt,
    plan: &JobPlan,
    view: &JobView,
) -> Value {
    let api = cx.api();
    let steps: Vec<Value> = view
        .steps
        .iter()
        .map(|s| json!({"name": s.name, "status": s.status, "conclusion": s.conclusion, "number": s.number, "started_at": cx.ts_opt(s.started), "completed_at": cx.ts_opt(s.completed)}))
        .collect();
    let (runner_id, runner_name, group_id, group_name) = if view.ran {
        (
            json!(plan.runner),
            json!(format!("GitHub Actions {}", plan.runner)),
            json!(0),
            json!("GitHub Actions"),
        )
    } else {
        (Value::Null, Value::Null, Value::Null, Value::Null)
    };
    json!({
        "id": plan.id, "run_id": run.id, "run_url": format!("{api}/actions/runs/{}", run.id), "run_attempt": a.number,
        "node_id": node_id("CheckRun", plan.id), "head_sha": h.commits[run.commit].sha,
        "url": format!("{api}/actions/jobs/{}", plan.id), "html_url": format!("{}/actions/runs/{}/job/{}", cx.html(), run.id, plan.id),
        "status": view.status, "conclusion": view.conclusion, "created_at": cx.ts(view.created), "started_at": cx.ts(view.started),
        "completed_at": cx.ts_opt(view.completed), "name": plan.name, "steps": steps,
        "check_run_url": format!("{api}/check-runs/{}", plan.id), "labels": ["ubuntu-latest"],
        "runner_id": runner_id, "runner_name": runner_name, "runner_group_id": group_id, "runner_group_name": group_name,
        "workflow_name": WORKFLOWS[run.wf].name, "head_branch": run.branch
    })
}

/// `GET .../runs/{id}/pending_deployments`.
pub(crate) fn pending(cx: &Cx, run: &Run) -> Value {
    let Some(g) = run.attempts.last().and_then(|a| a.pending_gate(cx.t)) else {
        return json!([]);
    };
    let id = deploys::env_id(g.env).unwrap_or(0);
    json!([{
        "environment": env_short(cx, g.env, id), "wait_timer": 0, "wait_timer_started_at": cx.ts(g.requested),
        "current_user_can_approve": true, "reviewers": [{"type": "Team", "reviewer": team(cx)}]
    }])
}

/// `GET .../runs/{id}/approvals`: reviews of every attempt, newest first.
pub(crate) fn approvals(cx: &Cx, run: &Run) -> Value {
    let mut out = vec![];
    for a in run.attempts.iter().rev() {
        let Some((g, r)) = a.gate.as_ref().and_then(|g| Some((g, g.review.as_ref()?))) else {
            continue;
        };
        if r.at > cx.t {
            continue;
        }
        let (_, id, _, created) = ENVIRONMENTS
            .iter()
            .copied()
            .find(|e| e.0 == g.env)
            .unwrap_or(("", 0, "", 0));
        let mut env = env_short(cx, g.env, id);
        if let Some(m) = env.as_object_mut() {
            m.insert("created_at".into(), cx.ts(created).into());
            m.insert("updated_at".into(), cx.ts(created + 30 * DAY).into());
        }
        out.push(json!({
            "state": if r.approved { "approved" } else { "rejected" }, "comment": r.comment,
            "environments": [env], "user": user(cx, &r.user)
        }));
    }
    Value::Array(out)
}
