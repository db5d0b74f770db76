//! Paths that are not GitHub's API: the environments' own endpoints (`/_env/{env}/version`,
//! `/_env/{env}/api/health/`) and the log storage host jobs' logs redirect to (`/_logs/jobs/{id}`).
//! No token, no rate limit.

use serde_json::json;

use super::HealthMode;
use super::api_runs::find_job;
use super::deploys::{ENVIRONMENTS, live_version};
use super::logs::job_log;
use super::server::Out;
use super::state::Shared;

pub(crate) async fn serve(sh: &Shared, path: &str) -> Out {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segs.as_slice() {
        ["_env", env] => landing(sh, env),
        ["_env", env, "version"] => version(sh, env),
        ["_env", env, "api", "health"] => health(sh, env).await,
        ["_logs", "jobs", id] => logs(sh, id),
        _ => not_found(),
    }
}

fn not_found() -> Out {
    Out::text(404, "Not Found\n".into())
}

/// (known environment, live version, health mode)
fn env_state(sh: &Shared, env: &str) -> (bool, Option<String>, HealthMode) {
    let g = sh.lock();
    let known = ENVIRONMENTS.iter().any(|e| e.0 == env)
        || g.health.contains_key(env)
        || g.world.version_overrides.contains_key(env);
    let mode = g.health.get(env).cloned().unwrap_or(HealthMode::Up);
    (known, live_version(&g.world, env, sh.t()), mode)
}

fn version(sh: &Shared, env: &str) -> Out {
    match env_state(sh, env) {
        (true, Some(v), _) => Out::json(200, &json!({ "version": v })),
        _ => not_found(),
    }
}

/// The environment's "site": what `o` (open in browser) shows in the demo.
fn landing(sh: &Shared, env: &str) -> Out {
    let (known, v, _) = env_state(sh, env);
    if !known {
        return not_found();
    }
    let v = v.unwrap_or_else(|| "unknown".into());
    let mut o = Out::new(200).header("content-type", "text/html; charset=utf-8");
    o.body = format!("<html><head><title>acme shop ({env})</title></head><body><h1>acme shop</h1><p>{env} is running {v}</p></body></html>\n").into_bytes();
    o
}

async fn health(sh: &Shared, env: &str) -> Out {
    let (known, v, mode) = env_state(sh, env);
    if !known {
        return not_found();
    }
    let up = || Out::json(200, &json!({ "status": "UP", "version": v }));
    match mode {
        HealthMode::Up => up(),
        HealthMode::Down(status) => Out::json(
            status,
            &json!({ "status": "DOWN", "version": v, "error": "upstream connect error or disconnect/reset before headers" }),
        ),
        HealthMode::Slow(d) => {
            tokio::time::sleep(d).await;
            up()
        }
        HealthMode::WrongBody => {
            let mut o = Out::new(200).header("content-type", "text/html; charset=utf-8");
            o.body = b"<html><body><h1>Scheduled maintenance</h1></body></html>\n".to_vec();
            o
        }
    }
}

fn logs(sh: &Shared, id: &str) -> Out {
    let g = sh.lock();
    let cx = sh.cx();
    // One log host for both repositories, as on GitHub (job ids are unique across repos).
    let found = find_job(&g.world, id, cx.t)
        .or_else(|| g.second.as_ref().and_then(|w| find_job(w, id, cx.t)));
    let Some((_, a, plan)) = found else {
        return Out::text(
            404,
            "BlobNotFound: The specified blob does not exist.\n".into(),
        );
    };
    let views = a.jobs_at(cx.t);
    match a
        .jobs
        .iter()
        .position(|j| j.id == plan.id)
        .and_then(|i| views.get(i))
    {
        Some(view) => Out::text(200, job_log(&cx, plan, view)),
        None => not_found(),
    }
}
