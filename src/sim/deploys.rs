//! Environments and deployments: the older history, those produced by deploy runs (derived from
//! the run's jobs at `t`), those created through the API, and what is live where.

use serde_json::{Value, json};

use super::history::{DAY, HOUR, History, MINUTE};
use super::plans::deploy_job;
use super::scenario::{Refusal, Run, World};
use super::timeline::Start;

/// name, id, url of the deployed site, created (offset)
pub(crate) const ENVIRONMENTS: &[(&str, u64, &str, i64)] = &[
    ("dev", 200, "https://dev.shop.example.com", -400 * DAY),
    (
        "staging",
        201,
        "https://staging.shop.example.com",
        -400 * DAY,
    ),
    ("production", 202, "https://shop.example.com", -400 * DAY),
];

pub(crate) fn env_id(name: &str) -> Option<u64> {
    ENVIRONMENTS.iter().find(|e| e.0 == name).map(|e| e.1)
}

pub(crate) fn env_url(name: &str) -> &'static str {
    ENVIRONMENTS
        .iter()
        .find(|e| e.0 == name)
        .map_or("", |e| e.2)
}

#[derive(Clone, Debug)]
pub(crate) struct StatusRec {
    pub id: u64,
    pub state: String,
    pub description: String,
    pub env_url: String,
    pub log_url: String,
    pub at: i64,
    pub creator: String,
}

#[derive(Clone, Debug)]
pub(crate) struct Deployment {
    pub id: u64,
    pub env: String,
    pub git_ref: String,
    pub sha: String,
    pub version: String,
    pub task: String,
    pub description: Option<String>,
    pub payload: Value,
    pub creator: String,
    pub created: i64,
    /// oldest first
    pub statuses: Vec<StatusRec>,
    pub transient: bool,
    pub production: bool,
}

impl Deployment {
    fn success_at(&self) -> Option<i64> {
        self.statuses
            .iter()
            .find(|s| s.state == "success")
            .map(|s| s.at)
    }
}

fn status(
    dep: u64,
    k: u64,
    state: &str,
    at: i64,
    env: &str,
    log_url: &str,
    creator: &str,
) -> StatusRec {
    let description = match state {
        "success" => "Deployment finished successfully.",
        "in_progress" => "Deployment started.",
        "queued" => "Deployment queued.",
        "failure" => "Deployment failed.",
        "error" => "Deployment was cancelled.",
        _ => "",
    };
    StatusRec {
        id: dep * 16 + k,
        state: state.into(),
        description: description.into(),
        env_url: env_url(env).into(),
        log_url: log_url.into(),
        at,
        creator: creator.into(),
    }
}

/// Deployments older than the runs the simulator keeps.
pub(crate) fn static_deployments(h: &History) -> Vec<Deployment> {
    let rows: [(u64, &str, usize, i64, &str); 5] = [
        (
            1_881_200_114,
            "production",
            1,
            -10 * DAY + HOUR,
            "carol-sre",
        ),
        (1_884_930_071, "staging", 3, -6 * DAY + HOUR, "carol-sre"),
        (
            1_885_004_516,
            "production",
            3,
            -6 * DAY + 2 * HOUR,
            "carol-sre",
        ),
        (1_887_210_388, "staging", 5, -2 * DAY + HOUR, "carol-sre"),
        (1_893_771_902, "dev", 11, -50 * MINUTE, "carol-sre"),
    ];
    rows.iter()
        .map(|&(id, env, commit, at, creator)| {
            let version = h.describe(commit);
            let sha = h.commits[commit].sha.clone();
            let git_ref = if version.contains("-g") {
                sha.clone()
            } else {
                version.clone()
            };
            let log = format!("https://github.com/acme/shop/deployments/{id}");
            Deployment {
                id,
                env: env.into(),
                git_ref,
                sha,
                payload: json!({ "version": version }),
                version,
                task: "deploy".into(),
                description: Some(format!("Deploy to {env}")),
                creator: creator.into(),
                created: at,
                statuses: vec![
                    status(id, 1, "in_progress", at, env, &log, creator),
                    status(id, 2, "success", at + 90, env, &log, creator),
                ],
                transient: false,
                production: env == "production",
            }
        })
        .collect()
}

/// The id of the deployment made by attempt `attempt` of deploy run `run`.
pub(crate) fn run_deployment_id(run: u64, attempt: u32) -> u64 {
    1_900_000_000 + run * 100 + u64::from(attempt)
}

/// The deployments a deploy run's attempts have made by `t`.
fn run_deployments(run: &Run, hist: &History, html: &str, t: i64) -> Vec<Deployment> {
    let (Some(target), Some(jidx)) = (run.deploy.as_ref(), deploy_job(run.wf)) else {
        return vec![];
    };
    let mut out = vec![];
    for a in &run.attempts {
        let (Some(plan), Start::At(base)) = (a.jobs.get(jidx), a.start()) else {
            continue;
        };
        let Some(view) = a.jobs_at(t).into_iter().nth(jidx) else {
            continue;
        };
        let id = run_deployment_id(run.id, a.number);
        let gated = a.gate.is_some();
        let begin = base + plan.offset;
        let created = if gated { base } else { begin };
        if created > t || (!gated && !view.ran) {
            continue;
        }
        let log = format!("{html}/actions/runs/{}/job/{}", run.id, plan.id);
        let env = target.env;
        let mut statuses = vec![];
        if gated {
            statuses.push(status(id, 1, "queued", base, env, &log, &a.actor));
        }
        if view.ran {
            statuses.push(status(id, 2, "in_progress", begin, env, &log, &a.actor));
        }
        if let (Some(c), Some(at)) = (view.conclusion, view.completed) {
            let state = match c {
                "success" => "success",
                "failure" => "failure",
                _ => "error",
            };
            statuses.push(status(id, 3, state, at, env, &log, &a.actor));
        }
        out.push(Deployment {
            id,
            env: env.into(),
            git_ref: target.git_ref.clone(),
            sha: hist.commits[run.commit].sha.clone(),
            version: target.version.clone(),
            task: "deploy".into(),
            description: None,
            payload: json!({ "version": target.version }),
            creator: a.actor.clone(),
            created,
            statuses,
            transient: false,
            production: env == "production",
        });
    }
    out
}

/// Every deployment visible at `t`, newest first, with its statuses at `t` (oldest first),
/// including the automatic `inactive` status GitHub adds when a newer deployment succeeds.
pub(crate) fn deployments_at(w: &World, html: &str, t: i64) -> Vec<Deployment> {
    let mut all: Vec<Deployment> = w
        .deployments
        .iter()
        .filter(|d| d.created <= t)
        .cloned()
        .collect();
    for d in &mut all {
        d.statuses.retain(|s| s.at <= t);
    }
    for r in &w.runs {
        all.extend(run_deployments(r, &w.hist, html, t));
    }
    for d in &mut all {
        if let Some(extra) = w.extra_statuses.get(&d.id) {
            d.statuses
                .extend(extra.iter().filter(|s| s.at <= t).cloned());
            d.statuses.sort_by_key(|s| (s.at, s.id));
        }
    }
    let successes: Vec<(String, i64, u64)> = all
        .iter()
        .filter_map(|d| Some((d.env.clone(), d.success_at()?, d.id)))
        .collect();
    for d in all.iter_mut().filter(|d| !d.transient) {
        let Some(mine) = d.success_at() else { continue };
        let newer = successes
            .iter()
            .filter(|(e, at, id)| *e == d.env && *id != d.id && (*at, *id) > (mine, d.id))
            .map(|(_, at, _)| *at)
            .min();
        if let Some(at) = newer {
            let inactive = StatusRec {
                state: "inactive".into(),
                description: "This deployment is no longer active.".into(),
                ..status(d.id, 15, "inactive", at, &d.env, "", &d.creator)
            };
            d.statuses.push(inactive);
        }
    }
    all.sort_by(|a, b| b.created.cmp(&a.created).then(b.id.cmp(&a.id)));
    all
}

/// The version live on `env` at `t`: the latest successful deployment, unless
/// `set_version` said otherwise more recently.
pub(crate) fn live_version(w: &World, env: &str, t: i64) -> Option<String> {
    let deployed = deployments_at(w, "", t)
        .into_iter()
        .filter(|d| d.env == env)
        .filter_map(|d| Some((d.success_at()?, d.version)))
        .max_by_key(|(at, _)| *at);
    match (deployed, w.version_overrides.get(env)) {
        (Some((at, v)), Some((o, set))) => Some(if *set >= at { o.clone() } else { v }),
        (Some((_, v)), None) => Some(v),
        (None, Some((o, _))) => Some(o.clone()),
        (None, None) => None,
    }
}

/// `POST /deployments`.
pub(crate) fn create(
    w: &mut World,
    body: &Value,
    t: i64,
    user: &str,
) -> Result<Deployment, Refusal> {
    let Some(git_ref) = body.get("ref").and_then(Value::as_str) else {
        return Err((422, "Invalid request.\n\n\"ref\" wasn't supplied.".into()));
    };
    let Some(commit) = w.hist.resolve(git_ref) else {
        return Err((422, format!("No ref found for: {git_ref}")));
    };
    let env = body
        .get("environment")
        .and_then(Value::as_str)
        .unwrap_or("production")
        .to_string();
    let payload = body.get("payload").cloned().unwrap_or_else(|| json!({}));
    let version = payload
        .get("version")
        .and_then(Value::as_str)
        .map_or_else(|| git_ref.to_string(), str::to_string);
    let id = w.next_deployment_id;
    w.next_deployment_id += 1;
    let d = Deployment {
        id,
        git_ref: git_ref.into(),
        sha: w.hist.commits[commit].sha.clone(),
        version,
        task: body
            .get("task")
            .and_then(Value::as_str)
            .unwrap_or("deploy")
            .into(),
        description: Some(
            body.get("description")
                .and_then(Value::as_str)
                .unwrap_or("")
                .into(),
        ),
        payload,
        creator: user.into(),
        created: t,
        statuses: vec![],
        transient: body
            .get("transient_environment")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        production: body
            .get("production_environment")
            .and_then(Value::as_bool)
            .unwrap_or(env == "production"),
        env,
    };
    w.deployments.push(d.clone());
    Ok(d)
}

const STATES: &[&str] = &[
    "error",
    "failure",
    "inactive",
    "in_progress",
    "queued",
    "pending",
    "success",
];

/// `POST /deployments/{id}/statuses` (the deployment must exist at `t`).
pub(crate) fn add_status(
    w: &mut World,
    dep: &Deployment,
    body: &Value,
    t: i64,
    user: &str,
) -> Result<StatusRec, Refusal> {
    let state = body.get("state").and_then(Value::as_str).unwrap_or("");
    if !STATES.contains(&state) {
        return Err((
            422,
            format!(
                "Invalid request.\n\nstate \"{state}\" is not a valid deployment status state."
            ),
        ));
    }
    let text = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let log_url = if text("log_url").is_empty() {
        text("target_url")
    } else {
        text("log_url")
    };
    let env_url_given = text("environment_url");
    let id = w.next_status_id;
    w.next_status_id += 1;
    let rec = StatusRec {
        id,
        state: state.into(),
        description: text("description"),
        env_url: if env_url_given.is_empty() {
            env_url(&dep.env).into()
        } else {
            env_url_given
        },
        log_url,
        at: t,
        creator: user.into(),
    };
    w.extra_statuses
        .entry(dep.id)
        .or_default()
        .push(rec.clone());
    Ok(rec)
}
