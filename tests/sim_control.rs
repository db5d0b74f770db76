//! The simulator's loopback control endpoint (`/_sim/`): flipping an environment's health and
//! live version over HTTP, as a test or an operator playing with `cockpit demo` does.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use cockpit::clock::ManualClock;
use cockpit::sim::{Fault, FaultRule, HealthMode, SimOptions, Simulator};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

async fn start(token: Option<&str>) -> (Simulator, Client) {
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap());
    let mut opts = SimOptions::new(Arc::new(clock));
    opts.require_token = token.map(str::to_string);
    let sim = Simulator::start(opts).await.unwrap();
    let http = Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    (sim, http)
}

async fn post(http: &Client, sim: &Simulator, path: &str, body: Value) -> (StatusCode, String) {
    let r = http
        .post(format!("{}{path}", sim.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.text().await.unwrap())
}

async fn get(http: &Client, url: &str) -> (StatusCode, String) {
    let r = http.get(url).send().await.unwrap();
    let status = r.status();
    (status, r.text().await.unwrap())
}

#[tokio::test]
async fn health_flips_down_wrong_body_and_back_up() {
    let (sim, http) = start(None).await;
    let health = sim.health_url("production");
    assert_eq!(get(&http, &health).await.0, StatusCode::OK);

    let (status, body) = post(
        &http,
        &sim,
        "/_sim/health/production",
        json!({"mode": "down", "status": 502}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert!(body.is_empty());
    let (status, body) = get(&http, &health).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert!(body.contains(r#""status":"DOWN""#), "{body}");
    // staging is untouched
    assert_eq!(
        get(&http, &sim.health_url("staging")).await.0,
        StatusCode::OK
    );

    // status defaults to 503
    post(
        &http,
        &sim,
        "/_sim/health/production",
        json!({"mode": "down"}),
    )
    .await;
    assert_eq!(get(&http, &health).await.0, StatusCode::SERVICE_UNAVAILABLE);
    let (status, body) = get(&http, &format!("{}/_sim/health/production", sim.base_url())).await;
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v, json!({"mode": "down", "status": 503}));

    post(
        &http,
        &sim,
        "/_sim/health/production",
        json!({"mode": "wrong_body"}),
    )
    .await;
    let (status, body) = get(&http, &health).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Scheduled maintenance"), "{body}");

    let (status, _) = post(
        &http,
        &sim,
        "/_sim/health/production",
        json!({"mode": "up"}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = get(&http, &health).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(r#""status":"UP""#), "{body}");
    assert_eq!(
        get(&http, &format!("{}/_sim/health/production", sim.base_url()))
            .await
            .1,
        r#"{"mode":"up"}"#
    );
}

#[tokio::test]
async fn slow_holds_the_answer_back() {
    let (sim, http) = start(None).await;
    let (status, _) = post(
        &http,
        &sim,
        "/_sim/health/staging",
        json!({"mode": "slow", "delay_ms": 3000}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let impatient = Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = impatient
        .get(sim.health_url("staging"))
        .send()
        .await
        .expect_err("a slow check must not answer within 300 ms");
    assert!(err.is_timeout(), "{err}");
    // the Rust API sees what the endpoint set
    assert_eq!(
        sim.control().health("staging"),
        HealthMode::Slow(Duration::from_secs(3))
    );
}

#[tokio::test]
async fn version_can_be_set() {
    let (sim, http) = start(None).await;
    let url = sim.version_url("production");
    let (_, before) = get(&http, &url).await;
    assert!(!before.contains("v9.9.9"), "{before}");
    let (status, body) = post(
        &http,
        &sim,
        "/_sim/version/production",
        json!({"version": "v9.9.9"}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = get(&http, &url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, r#"{"version":"v9.9.9"}"#);
    let (_, body) = get(
        &http,
        &format!("{}/_sim/version/production", sim.base_url()),
    )
    .await;
    assert_eq!(body, r#"{"version":"v9.9.9"}"#);
    // the health endpoint reports it too
    let (_, body) = get(&http, &sim.health_url("production")).await;
    assert!(body.contains("v9.9.9"), "{body}");
}

#[tokio::test]
async fn needs_no_token_and_ignores_injected_faults() {
    let (sim, http) = start(Some("ghp_secret")).await;
    sim.inject(FaultRule::always(Fault::Status(500)));
    sim.inject(FaultRule::on("_sim", Fault::Status(500)));
    let (status, body) = post(
        &http,
        &sim,
        "/_sim/health/production",
        json!({"mode": "down"}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(
        get(&http, &sim.health_url("production")).await.0,
        StatusCode::SERVICE_UNAVAILABLE
    );
    // the API is faulted meanwhile, and still wants its token
    let repo = format!("{}/repos/acme/shop", sim.base_url());
    assert_eq!(get(&http, &repo).await.0, StatusCode::INTERNAL_SERVER_ERROR);
    sim.clear_faults();
    assert_eq!(get(&http, &repo).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_requests_are_refused_with_a_reason() {
    let (sim, http) = start(None).await;
    let cases = [
        (
            "/_sim/health/production",
            json!({"mode": "sideways"}),
            400,
            "unknown mode",
        ),
        (
            "/_sim/health/production",
            json!({}),
            400,
            "\"mode\" is required",
        ),
        (
            "/_sim/health/production",
            json!({"mode": "down", "status": 42}),
            400,
            "between 100 and 599",
        ),
        (
            "/_sim/health/production",
            json!({"mode": "slow"}),
            400,
            "delay_ms",
        ),
        (
            "/_sim/health/production",
            json!({"mode": "up", "colour": "red"}),
            400,
            "unknown field",
        ),
        (
            "/_sim/health/prod",
            json!({"mode": "down"}),
            404,
            "known: dev, staging, production",
        ),
        (
            "/_sim/version/production",
            json!({"version": ""}),
            400,
            "v1.3.2",
        ),
        (
            "/_sim/version/production",
            json!({"tag": "v1"}),
            400,
            "v1.3.2",
        ),
        ("/_sim/nothing", json!({}), 404, "GET /_sim/"),
    ];
    for (path, body, want, says) in cases {
        let (status, text) = post(&http, &sim, path, body.clone()).await;
        assert_eq!(status.as_u16(), want, "{path} {body}: {text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        let msg = v["error"].as_str().unwrap_or_default();
        assert!(msg.contains(says), "{path} {body}: {msg}");
    }
    // nothing was changed by the refused requests
    assert_eq!(sim.control().health("production"), HealthMode::Up);
    // not JSON at all
    let r = http
        .post(format!("{}/_sim/health/production", sim.base_url()))
        .body("down please")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // another method
    let r = http
        .put(format!("{}/_sim/health/production", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers()["allow"], "GET, POST");
    // the usage text
    let (status, text) = get(&http, &format!("{}/_sim/", sim.base_url())).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("POST /_sim/health/{env}"), "{text}");
}
