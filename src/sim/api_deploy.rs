//! `/repos/{o}/{r}/environments` and `/repos/{o}/{r}/deployments`.

use serde_json::{Value, json};

use super::deploys::{self, Deployment, ENVIRONMENTS, deployments_at};
use super::render::{self, Cx};
use super::routes::{Reply, Req, with_link};
use super::scenario::World;

pub(crate) fn environments(cx: &Cx, req: &Req) -> Reply {
    let all: Vec<Value> = ENVIRONMENTS
        .iter()
        .filter_map(|e| render::environment(cx, e.0))
        .collect();
    let total = all.len();
    let (page, link) = req.page(cx, all);
    with_link(
        Reply::ok(json!({ "total_count": total, "environments": page })),
        link,
    )
}

pub(crate) fn environment(cx: &Cx, name: &str) -> Reply {
    render::environment(cx, name).map_or_else(Reply::not_found, Reply::ok)
}

pub(crate) fn route(w: &mut World, cx: &Cx, req: &Req, rest: &[&str]) -> Reply {
    match (req.method, rest) {
        ("GET", []) => list(w, cx, req),
        ("POST", []) => {
            match deploys::create(w, req.body.unwrap_or(&Value::Null), cx.t, req.user) {
                Ok(d) => Reply::json(201, render::deployment(cx, &d)),
                Err((s, m)) => Reply::error(s, m),
            }
        }
        (_, [id, more @ ..]) => {
            let Some(d) = id.parse::<u64>().ok().and_then(|id| find(w, cx, id)) else {
                return Reply::not_found();
            };
            match (req.method, more) {
                ("GET", []) => Reply::ok(render::deployment(cx, &d)),
                ("GET", ["statuses"]) => {
                    let all: Vec<Value> = d
                        .statuses
                        .iter()
                        .rev()
                        .map(|s| render::deployment_status(cx, &d, s))
                        .collect();
                    let (page, link) = req.page(cx, all);
                    with_link(Reply::ok(Value::Array(page)), link)
                }
                ("POST", ["statuses"]) => match deploys::add_status(
                    w,
                    &d,
                    req.body.unwrap_or(&Value::Null),
                    cx.t,
                    req.user,
                ) {
                    Ok(s) => {
                        let url = format!("{}/deployments/{}/statuses/{}", cx.api(), d.id, s.id);
                        Reply::json(201, render::deployment_status(cx, &d, &s))
                            .header("location", url)
                    }
                    Err((s, m)) => Reply::error(s, m),
                },
                _ => Reply::not_found(),
            }
        }
        _ => Reply::not_found(),
    }
}

fn find(w: &World, cx: &Cx, id: u64) -> Option<Deployment> {
    deployments_at(w, &cx.html(), cx.t)
        .into_iter()
        .find(|d| d.id == id)
}

fn list(w: &World, cx: &Cx, req: &Req) -> Reply {
    let all: Vec<Value> = deployments_at(w, &cx.html(), cx.t)
        .iter()
        .filter(|d| {
            req.q("environment").is_none_or(|e| d.env == e)
                && req.q("ref").is_none_or(|r| d.git_ref == r)
                && req.q("sha").is_none_or(|s| d.sha == s)
                && req.q("task").is_none_or(|t| d.task == t)
        })
        .map(|d| render::deployment(cx, d))
        .collect();
    let (page, link) = req.page(cx, all);
    with_link(Reply::ok(Value::Array(page)), link)
}
