//! The embedded GitHub simulator over real HTTP on 127.0.0.1, driven by a ManualClock.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use cockpit::clock::ManualClock;
use cockpit::sim::{Fault, FaultRule, HealthMode, SimOptions, Simulator};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

const REPO: &str = "/repos/acme/shop";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap()
}

struct Env {
    sim: Simulator,
    clock: ManualClock,
    http: Client,
    token: Option<String>,
}

async fn start(token: Option<&str>) -> Env {
    let clock = ManualClock::new(t0());
    let mut opts = SimOptions::new(Arc::new(clock.clone()));
    opts.require_token = token.map(str::to_string);
    let sim = Simulator::start(opts).await.unwrap();
    let http = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    Env {
        sim,
        clock,
        http,
        token: token.map(str::to_string),
    }
}

impl Env {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.base_url())
    }

    fn req(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let r = self
            .http
            .request(method, self.url(path))
            .header("accept", "application/vnd.github+json");
        match &self.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let r = self.req(Method::GET, path).send().await.unwrap();
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .req(Method::POST, path)
            .json(&body)
            .send()
            .await
            .unwrap();
        let s = r.status();
        let text = r.text().await.unwrap();
        (s, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn run(&self, id: u64) -> Value {
        let (s, v) = self.get(&format!("{REPO}/actions/runs/{id}")).await;
        assert_eq!(s, 200, "run {id}: {v}");
        v
    }

    async fn jobs(&self, id: u64) -> Vec<Value> {
        let (s, v) = self.get(&format!("{REPO}/actions/runs/{id}/jobs")).await;
        assert_eq!(s, 200);
        v["jobs"].as_array().unwrap().clone()
    }

    fn advance(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
    }
}

fn status_of(run: &Value) -> (String, Value) {
    (
        run["status"].as_str().unwrap().to_string(),
        run["conclusion"].clone(),
    )
}

fn header<'a>(r: &'a reqwest::Response, name: &str) -> &'a str {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test]
async fn etag_and_304_do_not_cost_rate_limit() {
    let env = start(None).await;
    let path = format!("{REPO}/actions/runs");
    let r = env.req(Method::GET, &path).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let etag = header(&r, "etag").to_string();
    assert!(etag.starts_with('"') && etag.len() == 66, "etag {etag}");
    assert_eq!(header(&r, "x-ratelimit-limit"), "5000");
    assert_eq!(header(&r, "x-ratelimit-remaining"), "4999");
    assert_eq!(header(&r, "x-ratelimit-used"), "1");
    assert_eq!(header(&r, "x-ratelimit-resource"), "core");
    let top_of_hour = Utc
        .with_ymd_and_hms(2026, 11, 22, 11, 0, 0)
        .unwrap()
        .timestamp();
    assert_eq!(header(&r, "x-ratelimit-reset"), top_of_hour.to_string());

    let r = env
        .req(Method::GET, &path)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);
    assert_eq!(header(&r, "x-ratelimit-remaining"), "4999");
    assert_eq!(header(&r, "etag"), etag);
    assert!(r.bytes().await.unwrap().is_empty());

    // time passes: run 9001 leaves the queue, the list changes, the old ETag no longer matches
    env.advance(5);
    let r = env
        .req(Method::GET, &path)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_ne!(header(&r, "etag"), etag);
    assert_eq!(header(&r, "x-ratelimit-remaining"), "4998");

    let stats = env.sim.stats();
    assert_eq!(
        (stats.total, stats.quota_costing, stats.not_modified),
        (3, 2, 1)
    );
    let reqs = env.sim.requests();
    assert_eq!(reqs[1].if_none_match.as_deref(), Some(etag.as_str()));
    assert_eq!(
        reqs.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![200, 304, 200]
    );

    // /rate_limit is free and reports the same numbers
    let (s, v) = env.get("/rate_limit").await;
    assert_eq!(s, 200);
    assert_eq!(v["resources"]["core"]["remaining"], 4998);
    assert_eq!(v["rate"]["used"], 2);
    assert_eq!(env.sim.rate_limit_remaining(), 4998);

    // a new hour resets the window
    env.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 22, 11, 0, 1).unwrap());
    let r = env.req(Method::GET, "/user").send().await.unwrap();
    assert_eq!(header(&r, "x-ratelimit-remaining"), "4999");
}

#[tokio::test]
async fn token_is_required_when_configured() {
    let env = start(Some("s3cret")).await;
    let anon = env
        .http
        .get(env.url(&format!("{REPO}/actions/runs")))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), 401);
    let body: Value = anon.json().await.unwrap();
    assert_eq!(
        body,
        json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
    );

    let wrong = env
        .http
        .get(env.url("/user"))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let classic = env
        .http
        .get(env.url("/user"))
        .header("authorization", "token s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(classic.status(), 200);
    let (s, user) = env.get("/user").await;
    assert_eq!(s, 200);
    assert_eq!(user["login"], "octocat");

    // the environments' own endpoints need no token
    let health = env
        .http
        .get(env.sim.health_url("production"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(
        env.sim.stats().quota_costing,
        2,
        "401s and /_env cost nothing"
    );
    assert_eq!(
        env.sim.requests()[1].authorization.as_deref(),
        Some("Bearer nope")
    );
}

#[tokio::test]
async fn run_9001_progresses_with_the_clock() {
    let env = start(None).await;
    let run = env.run(9001).await;
    assert_eq!(status_of(&run), ("queued".into(), Value::Null));
    assert_eq!(
        (
            run["name"].as_str(),
            run["head_branch"].as_str(),
            run["event"].as_str()
        ),
        (Some("CI"), Some("main"), Some("push"))
    );
    let jobs = env.jobs(9001).await;
    assert_eq!(
        jobs.iter()
            .map(|j| j["name"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["lint", "test", "build"]
    );
    assert!(
        jobs.iter()
            .all(|j| j["status"] == "queued" && j["runner_name"].is_null())
    );
    assert!(jobs[0]["id"].as_u64().unwrap() > u64::from(u32::MAX));

    env.advance(6);
    assert_eq!(status_of(&env.run(9001).await).0, "in_progress");
    let jobs = env.jobs(9001).await;
    assert_eq!(jobs[0]["status"], "in_progress");
    let steps = jobs[0]["steps"].as_array().unwrap();
    assert!((4..=6).contains(&steps.len()));
    assert_eq!(steps[0]["conclusion"], "success");
    assert!(steps.iter().any(|s| s["status"] == "in_progress"));
    assert!(
        steps
            .iter()
            .any(|s| s["status"] == "queued" && s["started_at"].is_null())
    );
    assert_eq!(jobs[2]["status"], "queued", "build waits for lint and test");

    env.advance(20);
    let jobs = env.jobs(9001).await;
    assert_eq!(
        (
            jobs[0]["conclusion"].as_str(),
            jobs[1]["conclusion"].as_str()
        ),
        (Some("success"), Some("success"))
    );
    assert_eq!(jobs[2]["status"], "in_progress");

    env.advance(20);
    let run = env.run(9001).await;
    assert_eq!(status_of(&run), ("completed".into(), json!("success")));
    assert!(env.jobs(9001).await.iter().all(|j| {
        j["conclusion"] == "success"
            && j["steps"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["conclusion"] == "success")
    }));
    // filters on the list
    let (_, v) = env
        .get(&format!(
            "{REPO}/actions/runs?branch=main&status=success&per_page=100"
        ))
        .await;
    assert!(
        v["workflow_runs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == 9001)
    );
    assert!(
        v["workflow_runs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["head_branch"] == "main" && r["conclusion"] == "success")
    );
}

#[tokio::test]
async fn rerun_turns_9002_green() {
    let env = start(None).await;
    let run = env.run(9002).await;
    assert_eq!(status_of(&run), ("completed".into(), json!("failure")));
    assert_eq!(run["head_branch"], "feature/cart");
    let jobs = env.jobs(9002).await;
    let test = jobs.iter().find(|j| j["name"] == "test").unwrap();
    assert_eq!(test["conclusion"], "failure");
    let failed: Vec<&str> = test["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["conclusion"] == "failure")
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["Run tests"]);
    assert_eq!(
        jobs.iter().find(|j| j["name"] == "build").unwrap()["conclusion"],
        "skipped"
    );

    // not allowed while a run is going
    let (s, v) = env
        .post(&format!("{REPO}/actions/runs/9001/rerun"), json!(null))
        .await;
    assert_eq!(s, 403);
    assert_eq!(v["message"], "This workflow run is not completed");

    let (s, v) = env
        .post(
            &format!("{REPO}/actions/runs/9002/rerun-failed-jobs"),
            json!({}),
        )
        .await;
    assert_eq!((s, v), (StatusCode::CREATED, json!({})));
    let run = env.run(9002).await;
    assert_eq!(run["run_attempt"], 2);
    assert_eq!(status_of(&run).0, "queued");
    assert!(
        run["previous_attempt_url"]
            .as_str()
            .unwrap()
            .ends_with("/actions/runs/9002/attempts/1")
    );

    env.advance(5);
    assert_eq!(status_of(&env.run(9002).await).0, "in_progress");
    let jobs = env.jobs(9002).await;
    assert_eq!(
        jobs[0]["conclusion"], "success",
        "lint is carried over from attempt 1"
    );
    env.advance(25);
    assert_eq!(
        status_of(&env.run(9002).await),
        ("completed".into(), json!("success"))
    );

    // the failed attempt is still there
    let (_, v) = env
        .get(&format!("{REPO}/actions/runs/9002/attempts/1/jobs"))
        .await;
    assert!(
        v["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|j| j["conclusion"] == "failure")
    );
    let (_, v) = env
        .get(&format!("{REPO}/actions/runs/9002/jobs?filter=all"))
        .await;
    assert_eq!(v["total_count"], 6);
    let (s, _) = env
        .get(&format!("{REPO}/actions/runs/9002/attempts/3/jobs"))
        .await;
    assert_eq!(s, 404);

    // a full re-run of a green run is allowed again
    let (s, _) = env
        .post(
            &format!("{REPO}/actions/runs/9002/rerun"),
            json!({"enable_debug_logging": false}),
        )
        .await;
    assert_eq!(s, 201);
    assert_eq!(env.run(9002).await["run_attempt"], 3);
}

#[tokio::test]
async fn cancel_then_conflict() {
    let env = start(None).await;
    env.advance(10);
    let (s, v) = env
        .post(&format!("{REPO}/actions/runs/9001/cancel"), json!(null))
        .await;
    assert_eq!((s, v), (StatusCode::ACCEPTED, json!({})));
    let run = env.run(9001).await;
    assert_eq!(status_of(&run), ("completed".into(), json!("cancelled")));
    let jobs = env.jobs(9001).await;
    assert!(
        jobs.iter()
            .all(|j| j["status"] == "completed" && j["conclusion"] == "cancelled")
    );
    env.advance(60);
    assert_eq!(
        status_of(&env.run(9001).await).1,
        json!("cancelled"),
        "stays cancelled"
    );

    let (s, v) = env
        .post(&format!("{REPO}/actions/runs/9001/cancel"), json!(null))
        .await;
    assert_eq!(s, 409);
    assert_eq!(
        v["message"],
        "Cannot cancel a workflow run that is completed."
    );
    let (s, _) = env
        .post(
            &format!("{REPO}/actions/runs/9001/force-cancel"),
            json!(null),
        )
        .await;
    assert_eq!(s, 409);
    let (s, _) = env
        .post(&format!("{REPO}/actions/runs/424242/cancel"), json!(null))
        .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn approving_9004_deploys_v1_4_0_to_production() {
    let env = start(None).await;
    let run = env.run(9004).await;
    assert_eq!(status_of(&run), ("waiting".into(), Value::Null));
    assert_eq!(
        (
            run["head_branch"].as_str(),
            run["event"].as_str(),
            run["run_number"].as_u64()
        ),
        (Some("v1.4.0"), Some("workflow_dispatch"), Some(8))
    );
    let version = || async {
        env.http
            .get(env.sim.version_url("production"))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    assert_eq!(version().await, json!({"version": "v1.3.2"}));

    let (_, pending) = env
        .get(&format!("{REPO}/actions/runs/9004/pending_deployments"))
        .await;
    let p = &pending[0];
    assert_eq!(
        (
            p["environment"]["id"].as_u64(),
            p["environment"]["name"].as_str()
        ),
        (Some(202), Some("production"))
    );
    assert_eq!(
        (
            p["current_user_can_approve"].as_bool(),
            p["wait_timer"].as_u64()
        ),
        (Some(true), Some(0))
    );
    assert_eq!(p["reviewers"][0]["type"], "Team");
    assert_eq!(p["reviewers"][0]["reviewer"]["slug"], "release-managers");

    let path = format!("{REPO}/actions/runs/9004/pending_deployments");
    let (s, _) = env
        .post(
            &path,
            json!({"environment_ids": [202], "state": "approved"}),
        )
        .await;
    assert_eq!(s, 422, "comment is required");
    let (s, _) = env
        .post(
            &path,
            json!({"environment_ids": [202], "state": "maybe", "comment": "?"}),
        )
        .await;
    assert_eq!(s, 422);
    let (s, _) = env
        .post(
            &path,
            json!({"environment_ids": [201], "state": "approved", "comment": "wrong env"}),
        )
        .await;
    assert_eq!(s, 422);

    let body = json!({"environment_ids": [202], "state": "approved", "comment": "Ship it"});
    let (s, deps) = env.post(&path, body.clone()).await;
    assert_eq!(s, 200);
    assert_eq!(deps[0]["environment"], "production");
    assert_eq!(deps[0]["ref"], "v1.4.0");
    let recorded = env
        .sim
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(recorded.body, Some(body.clone()));
    assert_eq!(recorded.status, 200);
    let (s, _) = env.post(&path, body).await;
    assert_eq!(s, 422, "already reviewed");
    let (_, pending) = env.get(&path).await;
    assert_eq!(pending, json!([]));
    let (_, approvals) = env
        .get(&format!("{REPO}/actions/runs/9004/approvals"))
        .await;
    assert_eq!(
        (
            approvals[0]["state"].as_str(),
            approvals[0]["comment"].as_str()
        ),
        (Some("approved"), Some("Ship it"))
    );

    env.advance(3);
    assert_eq!(status_of(&env.run(9004).await).0, "in_progress");
    assert_eq!(version().await["version"], "v1.3.2");
    env.advance(25);
    assert_eq!(
        status_of(&env.run(9004).await),
        ("completed".into(), json!("success"))
    );
    assert_eq!(version().await["version"], "v1.4.0");

    let (_, deps) = env
        .get(&format!(
            "{REPO}/deployments?environment=production&per_page=10"
        ))
        .await;
    let deps = deps.as_array().unwrap();
    assert_eq!(
        deps.iter()
            .map(|d| d["payload"]["version"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["v1.4.0", "v1.3.2", "v1.3.1", "v1.3.0"]
    );
    let (_, statuses) = env
        .get(&format!("{REPO}/deployments/{}/statuses", deps[0]["id"]))
        .await;
    assert_eq!(statuses[0]["state"], "success", "newest first");
    let (_, statuses) = env
        .get(&format!("{REPO}/deployments/{}/statuses", deps[1]["id"]))
        .await;
    assert_eq!(statuses[0]["state"], "inactive", "v1.3.2 is no longer live");
}

#[tokio::test]
async fn dispatch_then_reject() {
    let env = start(None).await;
    let wf = format!("{REPO}/actions/workflows/deploy-production.yml/dispatches");
    let (s, v) = env.post(&wf, json!({"ref": "main", "inputs": {}})).await;
    assert_eq!(s, 422, "version is required: {v}");
    let (s, _) = env
        .post(
            &format!("{REPO}/actions/workflows/ci.yml/dispatches"),
            json!({"ref": "main"}),
        )
        .await;
    assert_eq!(s, 422, "CI has no workflow_dispatch trigger");
    let (s, v) = env
        .post(
            &wf,
            json!({"ref": "v1.4.0", "inputs": {"version": "v1.4.0"}, "return_run_details": true}),
        )
        .await;
    assert_eq!(s, 200);
    let id = v["workflow_run_id"].as_u64().unwrap();
    assert!(
        v["run_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/actions/runs/{id}"))
    );
    assert_eq!(status_of(&env.run(id).await).0, "waiting");
    let (_, runs) = env
        .get(&format!(
            "{REPO}/actions/workflows/deploy-production.yml/runs"
        ))
        .await;
    assert_eq!(runs["workflow_runs"][0]["id"].as_u64(), Some(id));
    assert_eq!(runs["workflow_runs"][0]["run_number"], 9);

    let (s, _) = env
        .post(
            &format!("{REPO}/actions/runs/{id}/pending_deployments"),
            json!({"environment_ids": [202], "state": "rejected", "comment": "not today"}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        status_of(&env.run(id).await),
        ("completed".into(), json!("failure"))
    );

    let (s, v) = env
        .post(
            &format!("{REPO}/actions/workflows/deploy-staging.yml/dispatches"),
            json!({"ref": "main"}),
        )
        .await;
    assert_eq!((s, v), (StatusCode::NO_CONTENT, Value::Null));
}

#[tokio::test]
async fn staging_deploy_9003_lands_around_t30() {
    let env = start(None).await;
    let version = || async {
        env.http
            .get(env.sim.version_url("staging"))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    assert_eq!(version().await["version"], "v1.4.0");
    assert_eq!(status_of(&env.run(9003).await).0, "in_progress");
    env.advance(31);
    assert_eq!(
        status_of(&env.run(9003).await),
        ("completed".into(), json!("success"))
    );
    let live = version().await["version"].as_str().unwrap().to_string();
    assert!(live.starts_with("v1.4.0-3-g"), "{live}");
    let (_, deps) = env
        .get(&format!(
            "{REPO}/deployments?environment=staging&per_page=1"
        ))
        .await;
    assert_eq!(deps[0]["payload"]["version"].as_str(), Some(live.as_str()));
    let (_, statuses) = env
        .get(&format!("{REPO}/deployments/{}/statuses", deps[0]["id"]))
        .await;
    let states: Vec<&str> = statuses
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["success", "in_progress"]);
}

#[tokio::test]
async fn job_logs_redirect_to_an_unauthenticated_host() {
    let env = start(Some("s3cret")).await;
    let (_, jobs) = env.get(&format!("{REPO}/actions/runs/9002/jobs")).await;
    let test = jobs["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["name"] == "test")
        .unwrap()
        .clone();
    let r = env
        .req(
            Method::GET,
            &format!("{REPO}/actions/jobs/{}/logs", test["id"]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    let location = header(&r, "location").to_string();
    assert!(
        location.starts_with(&format!("{}/_logs/jobs/{}", env.sim.base_url(), test["id"])),
        "{location}"
    );

    let r = env.http.get(&location).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(header(&r, "content-type").starts_with("text/plain"));
    let text = r.text().await.unwrap();
    assert!(text.contains("##[group]Run cargo test"));
    assert!(text.contains("test cart::tests::rejects_expired_coupon ... FAILED"));
    assert!(text.contains("##[error]Process completed with exit code 101."));
    for line in text.lines() {
        let (stamp, _) = line.split_once(' ').unwrap();
        assert_eq!(stamp.len(), 28, "{line}");
        assert!(
            stamp.starts_with("2026-11-22T09:") && stamp.ends_with('Z'),
            "{line}"
        );
    }
    let logs_req = env
        .sim
        .requests()
        .into_iter()
        .find(|r| r.path.starts_with("/_logs/"))
        .unwrap();
    assert_eq!(
        logs_req.authorization, None,
        "the token must not follow the redirect"
    );

    // an in-progress job has a partial log
    env.advance(8);
    let (_, jobs) = env.get(&format!("{REPO}/actions/runs/9001/jobs")).await;
    let lint = jobs["jobs"][0]["id"].as_u64().unwrap();
    let partial = env
        .http
        .get(env.url(&format!("/_logs/jobs/{lint}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(partial.contains("Complete job name: lint"));
    assert!(!partial.contains("Cleaning up orphan processes"));
}

#[tokio::test]
async fn faults_are_served_as_specified() {
    let env = start(None).await;
    let runs = format!("{REPO}/actions/runs");

    env.sim.inject(FaultRule {
        path_contains: Some("/actions/runs".into()),
        method: Some(http::Method::GET),
        remaining: Some(1),
        fault: Fault::Status(502),
    });
    let (s, v) = env.get(&runs).await;
    assert_eq!(s, 502);
    assert!(v["message"].is_string());
    assert_eq!(env.get(&runs).await.0, 200, "only once");

    env.sim.inject(
        FaultRule::on(
            "/actions/runs",
            Fault::PrimaryRateLimit { reset_in_secs: 120 },
        )
        .times(1),
    );
    let r = env.req(Method::GET, &runs).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(header(&r, "x-ratelimit-remaining"), "0");
    assert_eq!(
        header(&r, "x-ratelimit-reset"),
        (t0().timestamp() + 120).to_string()
    );
    assert!(r.text().await.unwrap().contains("API rate limit exceeded"));

    for status in [403u16, 429] {
        env.sim.inject(
            FaultRule::always(Fault::SecondaryRateLimit {
                retry_after_secs: 30,
                status,
            })
            .times(1),
        );
        let r = env.req(Method::GET, "/user").send().await.unwrap();
        assert_eq!(r.status().as_u16(), status);
        assert_eq!(header(&r, "retry-after"), "30");
        assert!(r.text().await.unwrap().contains("secondary rate limit"));
    }

    env.sim
        .inject(FaultRule::always(Fault::MalformedJson).times(1));
    let r = env.req(Method::GET, &runs).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(!text.is_empty() && serde_json::from_str::<Value>(&text).is_err());

    env.sim
        .inject(FaultRule::always(Fault::Unauthorized).times(1));
    assert_eq!(env.get("/user").await.0, 401);

    // method filter: a POST-only rule leaves GETs alone
    env.sim
        .inject(FaultRule::on("/cancel", Fault::Status(500)).method(http::Method::POST));
    assert_eq!(env.get(&runs).await.0, 200);
    assert_eq!(
        env.post(&format!("{REPO}/actions/runs/9001/cancel"), json!(null))
            .await
            .0,
        500
    );
    assert_eq!(
        status_of(&env.run(9001).await).0,
        "queued",
        "a faulted POST changes nothing"
    );

    // health endpoints only get faults aimed at them
    env.sim.clear_faults();
    env.sim.inject(FaultRule::always(Fault::Status(503)));
    assert_eq!(
        env.http
            .get(env.sim.health_url("production"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    env.sim
        .inject(FaultRule::on("/_env/production/", Fault::Status(500)));
    assert_eq!(
        env.http
            .get(env.sim.health_url("production"))
            .send()
            .await
            .unwrap()
            .status(),
        500
    );
    assert_eq!(
        env.http
            .get(env.sim.health_url("staging"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    env.sim.clear_faults();

    // a stall outlasts a short client timeout; the next request is answered
    env.sim
        .inject(FaultRule::on("/actions/runs", Fault::Stall(Duration::from_secs(3))).times(1));
    let err = env
        .req(Method::GET, &runs)
        .timeout(Duration::from_millis(200))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert_eq!(env.get(&runs).await.0, 200);
}

#[tokio::test]
async fn health_modes_and_version_override() {
    let env = start(None).await;
    let health = |env_name: &'static str| {
        let url = env.sim.health_url(env_name);
        let http = env.http.clone();
        async move {
            http.get(url)
                .timeout(Duration::from_millis(300))
                .send()
                .await
        }
    };
    let r = health("production").await.unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"status": "UP", "version": "v1.3.2"})
    );
    env.sim.set_health("production", HealthMode::Down(503));
    assert_eq!(health("production").await.unwrap().status(), 503);
    env.sim.set_health("production", HealthMode::WrongBody);
    let r = health("production").await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(serde_json::from_str::<Value>(&r.text().await.unwrap()).is_err());
    env.sim
        .set_health("production", HealthMode::Slow(Duration::from_secs(3)));
    assert!(health("production").await.unwrap_err().is_timeout());
    env.sim.set_health("production", HealthMode::Up);
    env.sim.set_version("production", "v1.3.1");
    let v: Value = env
        .http
        .get(env.sim.version_url("production"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v, json!({"version": "v1.3.1"}));
    assert_eq!(
        env.http
            .get(env.sim.health_url("nowhere"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(env.sim.stats().quota_costing, 0);
}

#[tokio::test]
async fn unknown_paths_and_other_endpoints() {
    let env = start(None).await;
    let (s, v) = env.get("/repos/acme/other/actions/runs").await;
    assert_eq!(
        (s.as_u16(), v["message"].as_str()),
        (404, Some("Not Found"))
    );
    assert_eq!(env.get(&format!("{REPO}/nope")).await.0, 404);

    let (s, repo) = env.get(REPO).await;
    assert_eq!(
        (s.as_u16(), repo["full_name"].as_str()),
        (200, Some("acme/shop"))
    );
    let site = env
        .http
        .get(env.url("/_env/production/"))
        .send()
        .await
        .unwrap();
    assert_eq!(site.status(), 200);
    assert!(site.text().await.unwrap().contains("v1.3.2"));

    let (_, wfs) = env.get(&format!("{REPO}/actions/workflows")).await;
    let names: Vec<&str> = wfs["workflows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["CI", "Build", "Deploy Staging", "Deploy Production"]
    );
    let id = wfs["workflows"][3]["id"].as_u64().unwrap();
    let (_, by_id) = env.get(&format!("{REPO}/actions/workflows/{id}")).await;
    assert_eq!(by_id["path"], ".github/workflows/deploy-production.yml");

    let (_, envs) = env.get(&format!("{REPO}/environments")).await;
    assert_eq!(envs["total_count"], 3);
    let (_, prod) = env.get(&format!("{REPO}/environments/production")).await;
    assert_eq!(prod["id"], 202);
    assert_eq!(
        prod["protection_rules"][0]["reviewers"][0]["reviewer"]["slug"],
        "release-managers"
    );

    let (_, file) = env
        .get(&format!(
            "{REPO}/contents/.github/workflows/deploy-production.yml?ref=main"
        ))
        .await;
    let b64: String = file["content"]
        .as_str()
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert_eq!(file["encoding"], "base64");
    assert!(b64.starts_with("bmFtZTog"), "base64 of 'name: '");
    let (_, dir) = env.get(&format!("{REPO}/contents/.github/workflows")).await;
    assert_eq!(dir.as_array().unwrap().len(), 4);

    let (_, rels) = env.get(&format!("{REPO}/releases")).await;
    assert_eq!(
        rels.as_array()
            .unwrap()
            .iter()
            .map(|r| r["tag_name"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["v1.4.0", "v1.3.2", "v1.3.1", "v1.3.0"]
    );
    let (_, latest) = env.get(&format!("{REPO}/releases/latest")).await;
    assert_eq!(latest["tag_name"], "v1.4.0");

    let (_, cmp) = env.get(&format!("{REPO}/compare/v1.3.2...v1.4.0")).await;
    assert_eq!(
        (
            cmp["status"].as_str(),
            cmp["ahead_by"].as_u64(),
            cmp["behind_by"].as_u64()
        ),
        (Some("ahead"), Some(4), Some(0))
    );
    assert_eq!(cmp["commits"][3]["commit"]["message"], "Release v1.4.0");
    let (_, c) = env.get(&format!("{REPO}/commits/v1.4.0")).await;
    assert_eq!(c["sha"], cmp["commits"][3]["sha"]);
    assert_eq!(
        env.get(&format!("{REPO}/commits/doesnotexist")).await.0,
        422
    );

    // paging
    let r = env
        .req(Method::GET, &format!("{REPO}/actions/runs?per_page=2"))
        .send()
        .await
        .unwrap();
    assert!(header(&r, "link").contains("rel=\"next\""));
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["workflow_runs"].as_array().unwrap().len(), 2);
    assert_eq!(v["workflow_runs"][0]["id"], 9001);

    // manual deployments and statuses
    let (s, d) = env
        .post(
            &format!("{REPO}/deployments"),
            json!({"ref": "v1.3.1", "environment": "dev", "payload": {"version": "v1.3.1"}}),
        )
        .await;
    assert_eq!(s, 201);
    let (s, st) = env
        .post(
            &format!("{REPO}/deployments/{}/statuses", d["id"]),
            json!({"state": "success"}),
        )
        .await;
    assert_eq!(s, 201);
    assert_eq!(st["environment"], "dev");
    let v: Value = env
        .http
        .get(env.sim.version_url("dev"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["version"], "v1.3.1");
    assert_eq!(
        env.post(
            &format!("{REPO}/deployments/{}/statuses", d["id"]),
            json!({"state": "bogus"})
        )
        .await
        .0,
        422
    );
}

#[tokio::test]
async fn shutdown_refuses_connections() {
    let env = start(None).await;
    let base = env.sim.base_url();
    assert_eq!(env.get("/rate_limit").await.0, 200);
    let addr: std::net::SocketAddr = base.trim_start_matches("http://").parse().unwrap();
    env.sim.shutdown();
    let err = std::net::TcpStream::connect(addr).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
    let fresh = Client::new();
    let err = fresh
        .get(format!("{base}/rate_limit"))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err}");
}

/// Every field of GitHub's published example is present in ours, with the same JSON type
/// (null aside), recursively.
fn assert_shape(example: &Value, ours: &Value, at: &str, problems: &mut Vec<String>) {
    match (example, ours) {
        (Value::Object(e), Value::Object(o)) => {
            for (k, ev) in e {
                match o.get(k) {
                    None => problems.push(format!("{at}.{k} missing")),
                    Some(ov) => assert_shape(ev, ov, &format!("{at}.{k}"), problems),
                }
            }
        }
        (Value::Array(e), Value::Array(o)) => {
            // elements of a kind ("type": "User"/"Team", "wait_timer"/...) are compared with ours of that kind
            for (i, ev) in e.iter().enumerate() {
                let kind = ev.get("type");
                let mine = match kind {
                    Some(k) => o.iter().find(|ov| ov.get("type") == Some(k)),
                    None => o.first(),
                };
                if let Some(ov) = mine {
                    assert_shape(ev, ov, &format!("{at}[{i}]"), problems);
                }
            }
        }
        (Value::Null, _) | (_, Value::Null) => {}
        (e, o) if std::mem::discriminant(e) == std::mem::discriminant(o) => {}
        (e, o) => problems.push(format!("{at}: example {e} vs ours {o}")),
    }
}

#[tokio::test]
async fn bodies_have_the_shape_of_githubs_examples() {
    let fixtures: Value =
        serde_json::from_str(include_str!("fixtures/github-endpoints.json")).unwrap();
    let example = |method: &str, path: &str, status: &str| -> Value {
        let ep = fixtures["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["method"] == method && e["path"] == path)
            .unwrap_or_else(|| panic!("{path}"));
        let content = &ep["responses"][status]["content"]["application/json"]["examples"];
        let first = content.as_object().unwrap().values().next().unwrap();
        first["value"].clone()
    };
    let env = start(None).await;
    // approve 9004 so approvals and deployments of the run exist
    env.post(
        &format!("{REPO}/actions/runs/9004/pending_deployments"),
        json!({"environment_ids": [202], "state": "approved", "comment": "ok"}),
    )
    .await;
    env.advance(30);
    let (_, deps) = env.get(&format!("{REPO}/deployments")).await;
    let dep = deps[0]["id"].clone();
    let (_, jobs) = env.get(&format!("{REPO}/actions/runs/9001/jobs")).await;
    let job = jobs["jobs"][0]["id"].clone();
    let r = "/repos/{owner}/{repo}";
    let cases = [
        ("/rate_limit".to_string(), "/rate_limit".to_string()),
        ("/user".into(), "/user".into()),
        (
            format!("{r}/actions/workflows"),
            format!("{REPO}/actions/workflows"),
        ),
        (
            format!("{r}/actions/workflows/{{workflow_id}}"),
            format!("{REPO}/actions/workflows/ci.yml"),
        ),
        (
            format!("{r}/actions/workflows/{{workflow_id}}/runs"),
            format!("{REPO}/actions/workflows/ci.yml/runs"),
        ),
        (format!("{r}/actions/runs"), format!("{REPO}/actions/runs")),
        (
            format!("{r}/actions/runs/{{run_id}}"),
            format!("{REPO}/actions/runs/9002"),
        ),
        (
            format!("{r}/actions/runs/{{run_id}}/jobs"),
            format!("{REPO}/actions/runs/9001/jobs"),
        ),
        (
            format!("{r}/actions/runs/{{run_id}}/attempts/{{attempt_number}}/jobs"),
            format!("{REPO}/actions/runs/9002/attempts/1/jobs"),
        ),
        (
            format!("{r}/actions/jobs/{{job_id}}"),
            format!("{REPO}/actions/jobs/{job}"),
        ),
        (
            format!("{r}/actions/runs/{{run_id}}/approvals"),
            format!("{REPO}/actions/runs/9004/approvals"),
        ),
        (format!("{r}/environments"), format!("{REPO}/environments")),
        (
            format!("{r}/environments/{{environment_name}}"),
            format!("{REPO}/environments/production"),
        ),
        (format!("{r}/deployments"), format!("{REPO}/deployments")),
        (
            format!("{r}/deployments/{{deployment_id}}/statuses"),
            format!("{REPO}/deployments/{dep}/statuses"),
        ),
        (format!("{r}/releases"), format!("{REPO}/releases")),
        (
            format!("{r}/releases/latest"),
            format!("{REPO}/releases/latest"),
        ),
        (
            format!("{r}/commits/{{ref}}"),
            format!("{REPO}/commits/main"),
        ),
        (
            format!("{r}/compare/{{basehead}}"),
            format!("{REPO}/compare/v1.3.2...main"),
        ),
    ];
    let mut problems = vec![];
    for (spec, ours) in &cases {
        let (s, body) = env.get(ours).await;
        assert_eq!(s, 200, "{ours}");
        assert_shape(&example("GET", spec, "200"), &body, spec, &mut problems);
    }
    // pending deployments (a fresh simulator: 9004 still waits)
    let env2 = start(None).await;
    let (_, pending) = env2
        .get(&format!("{REPO}/actions/runs/9004/pending_deployments"))
        .await;
    assert_shape(
        &example(
            "GET",
            &format!("{r}/actions/runs/{{run_id}}/pending_deployments"),
            "200",
        ),
        &pending,
        "pending",
        &mut problems,
    );
    let (_, file) = env2
        .get(&format!("{REPO}/contents/.github/workflows/ci.yml"))
        .await;
    let ep = fixtures["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == format!("{r}/contents/{{path}}"))
        .unwrap();
    let file_example = &ep["responses"]["200"]["content"]["application/json"]["examples"]["response-if-content-is-a-file"]
        ["value"];
    assert_shape(file_example, &file, "contents", &mut problems);
    // POST answers
    let (s, v) = env2
        .post(
            &format!("{REPO}/actions/workflows/deploy-staging.yml/dispatches"),
            json!({"ref": "main", "return_run_details": true}),
        )
        .await;
    assert_eq!(s, 200);
    let spec = format!("{r}/actions/workflows/{{workflow_id}}/dispatches");
    assert_shape(&example("POST", &spec, "200"), &v, &spec, &mut problems);
    let (s, v) = env2
        .post(
            &format!("{REPO}/actions/runs/9004/pending_deployments"),
            json!({"environment_ids": [202], "state": "approved", "comment": "ok"}),
        )
        .await;
    assert_eq!(s, 200);
    let spec = format!("{r}/actions/runs/{{run_id}}/pending_deployments");
    assert_shape(&example("POST", &spec, "200"), &v, &spec, &mut problems);
    let (s, dep) = env2
        .post(
            &format!("{REPO}/deployments"),
            json!({"ref": "main", "environment": "dev"}),
        )
        .await;
    assert_eq!(s, 201);
    let spec = format!("{r}/deployments");
    assert_shape(&example("POST", &spec, "201"), &dep, &spec, &mut problems);
    let (s, v) = env2
        .post(
            &format!("{REPO}/deployments/{}/statuses", dep["id"]),
            json!({"state": "in_progress"}),
        )
        .await;
    assert_eq!(s, 201);
    let spec = format!("{r}/deployments/{{deployment_id}}/statuses");
    assert_shape(&example("POST", &spec, "201"), &v, &spec, &mut problems);
    assert!(problems.is_empty(), "{problems:#?}");
}
