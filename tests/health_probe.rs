//! Health probes against real HTTP servers on 127.0.0.1 whose behaviour each test flips
//! (status, delay, body, JSON fields, version), plus the tracker's thresholds, `overall` and
//! version extraction. No assertion is about how fast anything was; every wait is bounded.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{TimeZone, Utc};
use cockpit::config::{CheckConfig, VersionConfig};
use cockpit::health::{
    CheckTracker, Health, HttpProber, ProbeOutcome, Prober, SPARKLINE_LEN, USER_AGENT, evaluate,
    extract_version, overall,
};
use serde_json::json;
use tokio::task::JoinHandle;

/// No single probe in these tests may take longer than this (the checks' own timeouts are
/// far shorter); it only turns a hang into a failure.
const BOUND: Duration = Duration::from_secs(30);

#[derive(Clone)]
struct Behaviour {
    status: u16,
    body: String,
    json: bool,
    delay: Duration,
    version: String,
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            status: 200,
            body: json!({"status": "UP", "db": {"ok": true}}).to_string(),
            json: true,
            delay: Duration::ZERO,
            version: "v1.3.2".into(),
        }
    }
}

type Shared = Arc<Mutex<Behaviour>>;

struct TestServer {
    addr: SocketAddr,
    state: Shared,
    task: JoinHandle<()>,
}

impl TestServer {
    async fn start() -> Self {
        let state: Shared = Arc::default();
        let app = Router::new()
            .route("/health", get(health))
            .route("/version", get(version_text))
            .route("/version.json", get(version_json))
            .route("/loop", get(redirect_loop))
            .route("/big", get(big))
            .route("/ua", get(user_agent))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { addr, state, task }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn set(&self, change: impl FnOnce(&mut Behaviour)) {
        change(&mut self.state.lock().unwrap());
    }

    fn check(&self, path: &str) -> CheckConfig {
        CheckConfig {
            name: "api".into(),
            url: self.url(path),
            timeout: Duration::from_secs(10),
            ..CheckConfig::default()
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn health(State(state): State<Shared>) -> Response {
    let b = state.lock().unwrap().clone();
    if !b.delay.is_zero() {
        tokio::time::sleep(b.delay).await;
    }
    let status = StatusCode::from_u16(b.status).unwrap();
    let ct = if b.json {
        "application/json"
    } else {
        "text/plain"
    };
    (status, [(header::CONTENT_TYPE, ct)], b.body).into_response()
}

async fn version_text(State(state): State<Shared>) -> Response {
    let b = state.lock().unwrap().clone();
    let status = StatusCode::from_u16(b.status).unwrap();
    (status, format!("{}\n", b.version)).into_response()
}

async fn version_json(State(state): State<Shared>) -> Response {
    let b = state.lock().unwrap().clone();
    let status = StatusCode::from_u16(b.status).unwrap();
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({"version": b.version, "build": 42, "meta": {}}).to_string(),
    )
        .into_response()
}

async fn redirect_loop() -> Response {
    (StatusCode::FOUND, [(header::LOCATION, "/loop")]).into_response()
}

async fn big() -> Response {
    "x".repeat(2 * 1024 * 1024).into_response()
}

async fn user_agent(headers: HeaderMap) -> Response {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
        .into_response()
}

fn prober() -> HttpProber {
    HttpProber::new().unwrap()
}

async fn probe(prober: &HttpProber, check: &CheckConfig) -> ProbeOutcome {
    tokio::time::timeout(BOUND, prober.probe(check))
        .await
        .expect("probe did not finish within the test bound")
}

async fn version(prober: &HttpProber, v: &VersionConfig) -> Result<String, String> {
    tokio::time::timeout(BOUND, prober.version(v, Duration::from_secs(10)))
        .await
        .expect("version read did not finish within the test bound")
}

fn err(outcome: &ProbeOutcome) -> &str {
    match &outcome.result {
        Ok(()) => panic!("expected a failure, got {outcome:?}"),
        Err(e) => e,
    }
}

/// A port nothing listens on: bound, then closed again.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn status_healthy_then_unhealthy() {
    let server = TestServer::start().await;
    let prober = prober();
    let check = server.check("/health");

    let ok = probe(&prober, &check).await;
    assert_eq!(ok.result, Ok(()), "{ok:?}");
    assert_eq!(ok.http_status, Some(200));

    server.set(|b| b.status = 503);
    let bad = probe(&prober, &check).await;
    assert_eq!(err(&bad), "503");
    assert_eq!(bad.http_status, Some(503));

    // An explicit list: a maintenance page that must answer 503.
    let maintenance = CheckConfig {
        expect_status: vec![503],
        ..check.clone()
    };
    assert_eq!(probe(&prober, &maintenance).await.result, Ok(()));
    server.set(|b| b.status = 200);
    assert_eq!(
        err(&probe(&prober, &maintenance).await),
        "200, expected 503"
    );
    assert_eq!(probe(&prober, &check).await.result, Ok(()));
}

#[tokio::test]
async fn delay_past_the_timeout() {
    let server = TestServer::start().await;
    let prober = prober();
    let check = CheckConfig {
        timeout: Duration::from_millis(300),
        ..server.check("/health")
    };
    server.set(|b| b.delay = Duration::from_secs(20));
    let slow = probe(&prober, &check).await;
    assert_eq!(err(&slow), "timeout after 300ms");
    assert_eq!(slow.http_status, None);

    let check = CheckConfig {
        timeout: Duration::from_secs(1),
        ..check
    };
    assert_eq!(err(&probe(&prober, &check).await), "timeout after 1s");

    server.set(|b| b.delay = Duration::ZERO);
    let check = CheckConfig {
        timeout: Duration::from_secs(10),
        ..check
    };
    assert_eq!(probe(&prober, &check).await.result, Ok(()));
}

#[tokio::test]
async fn max_latency() {
    let server = TestServer::start().await;
    let prober = prober();
    server.set(|b| b.delay = Duration::from_millis(50));
    let tight = CheckConfig {
        max_latency: Some(Duration::from_millis(1)),
        ..server.check("/health")
    };
    let outcome = probe(&prober, &tight).await;
    let message = err(&outcome);
    assert!(message.starts_with("latency "), "{message}");
    assert!(message.ends_with("ms over max_latency 1ms"), "{message}");
    assert_eq!(outcome.http_status, Some(200));
    assert!(outcome.latency >= Duration::from_millis(50));

    let loose = CheckConfig {
        max_latency: Some(Duration::from_secs(60)),
        ..tight
    };
    assert_eq!(probe(&prober, &loose).await.result, Ok(()));
}

#[tokio::test]
async fn body_contains() {
    let server = TestServer::start().await;
    let prober = prober();
    let check = CheckConfig {
        body_contains: Some("UP".into()),
        ..server.check("/health")
    };
    server.set(|b| {
        b.json = false;
        b.body = "status: UP".into();
    });
    assert_eq!(probe(&prober, &check).await.result, Ok(()));
    server.set(|b| b.body = "status: DOWN (db unreachable)".into());
    assert_eq!(
        err(&probe(&prober, &check).await),
        r#"body does not contain "UP""#
    );
}

#[tokio::test]
async fn json_conditions_follow_the_server() {
    let server = TestServer::start().await;
    let prober = prober();
    let mut check = server.check("/health");
    check.json = BTreeMap::from([
        ("/status".to_owned(), json!("UP")),
        ("/db/ok".to_owned(), json!(true)),
    ]);
    assert_eq!(probe(&prober, &check).await.result, Ok(()));

    server.set(|b| b.body = json!({"status": "DOWN", "db": {"ok": true}}).to_string());
    assert_eq!(
        err(&probe(&prober, &check).await),
        r#"/status was "DOWN", expected "UP""#
    );

    server.set(|b| b.body = json!({"status": "UP", "db": {"ok": false}}).to_string());
    assert_eq!(
        err(&probe(&prober, &check).await),
        "/db/ok was false, expected true"
    );

    server.set(|b| b.body = json!({"status": "UP"}).to_string());
    assert_eq!(
        err(&probe(&prober, &check).await),
        "/db/ok missing, expected true"
    );

    server.set(|b| {
        b.json = false;
        b.body = "<html>oops</html>".into();
    });
    let message = probe(&prober, &check).await;
    assert!(
        err(&message).starts_with("body is not JSON ("),
        "{message:?}"
    );

    // Status is judged before the body.
    server.set(|b| b.status = 502);
    assert_eq!(err(&probe(&prober, &check).await), "502");
}

#[tokio::test]
async fn connection_refused() {
    let prober = prober();
    let check = CheckConfig {
        name: "api".into(),
        url: format!("http://127.0.0.1:{}/health", closed_port()),
        timeout: Duration::from_secs(10),
        ..CheckConfig::default()
    };
    let outcome = probe(&prober, &check).await;
    assert_eq!(err(&outcome), "connection refused");
    assert_eq!(outcome.http_status, None);
}

#[tokio::test]
async fn messages_never_carry_the_url_or_its_secrets() {
    let prober = prober();
    let check = CheckConfig {
        name: "api".into(),
        url: format!(
            "http://bob:hunter2@127.0.0.1:{}/health?token=s3cret",
            closed_port()
        ),
        timeout: Duration::from_secs(10),
        ..CheckConfig::default()
    };
    let outcome = probe(&prober, &check).await;
    let message = err(&outcome);
    assert_eq!(message, "connection refused");
    for secret in ["hunter2", "s3cret", "bob", "127.0.0.1"] {
        assert!(!message.contains(secret), "{message}");
    }

    let bad = CheckConfig {
        url: "not a url".into(),
        ..check
    };
    let outcome = probe(&prober, &bad).await;
    assert!(err(&outcome).starts_with("invalid URL"), "{outcome:?}");
}

#[tokio::test]
async fn dns_failure_is_readable() {
    let prober = prober();
    let check = CheckConfig {
        name: "api".into(),
        url: "http://does-not-exist.invalid/health".into(),
        timeout: Duration::from_secs(10),
        ..CheckConfig::default()
    };
    let outcome = probe(&prober, &check).await;
    let message = err(&outcome);
    // Where no resolver answers at all the lookup runs into the check's timeout instead.
    assert!(
        message.starts_with("DNS lookup failed for does-not-exist.invalid")
            || message == "timeout after 10s",
        "{message}"
    );
    assert_eq!(outcome.http_status, None);
}

#[tokio::test]
async fn tls_to_a_plain_http_port() {
    let server = TestServer::start().await;
    let prober = prober();
    let check = CheckConfig {
        url: format!("https://{}/health", server.addr),
        ..server.check("/health")
    };
    let outcome = probe(&prober, &check).await;
    assert!(err(&outcome).starts_with("TLS: "), "{outcome:?}");
    assert_eq!(outcome.http_status, None);
}

#[tokio::test]
async fn body_cut_short_by_the_server() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let mut request = [0u8; 4096];
            let _ = socket.read(&mut request).await;
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nUP")
                .await;
        }
    });
    let prober = prober();
    let check = CheckConfig {
        name: "api".into(),
        url: format!("http://{addr}/health"),
        timeout: Duration::from_secs(10),
        ..CheckConfig::default()
    };
    let outcome = probe(&prober, &check).await;
    assert_eq!(err(&outcome), "reading body: connection closed early");
    task.abort();
}

#[tokio::test]
async fn redirects_are_bounded() {
    let server = TestServer::start().await;
    let prober = prober();
    let outcome = probe(&prober, &server.check("/loop")).await;
    assert_eq!(err(&outcome), "too many redirects (more than 5)");
}

#[tokio::test]
async fn body_is_read_up_to_a_mebibyte() {
    let server = TestServer::start().await;
    let prober = prober();
    let check = CheckConfig {
        body_contains: Some("UP".into()),
        ..server.check("/big")
    };
    let outcome = probe(&prober, &check).await;
    assert_eq!(
        err(&outcome),
        r#"body does not contain "UP" (body cut at 1 MiB)"#
    );
    let plain = server.check("/big");
    assert_eq!(probe(&prober, &plain).await.result, Ok(()));
}

#[tokio::test]
async fn sends_the_user_agent() {
    let server = TestServer::start().await;
    let prober = prober();
    assert!(USER_AGENT.starts_with("cockpit/"));
    let check = CheckConfig {
        body_contains: Some(USER_AGENT.into()),
        ..server.check("/ua")
    };
    assert_eq!(probe(&prober, &check).await.result, Ok(()));
}

#[tokio::test]
async fn version_follows_the_server() {
    let server = TestServer::start().await;
    let prober = prober();
    let text = VersionConfig {
        url: server.url("/version"),
        json_pointer: None,
    };
    let json = VersionConfig {
        url: server.url("/version.json"),
        json_pointer: Some("/version".into()),
    };
    assert_eq!(version(&prober, &text).await, Ok("v1.3.2".into()));
    assert_eq!(version(&prober, &json).await, Ok("v1.3.2".into()));

    server.set(|b| b.version = "v1.4.0".into());
    assert_eq!(version(&prober, &text).await, Ok("v1.4.0".into()));
    assert_eq!(version(&prober, &json).await, Ok("v1.4.0".into()));

    let build = VersionConfig {
        json_pointer: Some("/build".into()),
        ..json.clone()
    };
    assert_eq!(version(&prober, &build).await, Ok("42".into()));
    let missing = VersionConfig {
        json_pointer: Some("/release".into()),
        ..json.clone()
    };
    assert_eq!(
        version(&prober, &missing).await,
        Err("/release missing".into())
    );

    server.set(|b| b.status = 503);
    assert_eq!(version(&prober, &text).await, Err("503".into()));

    let refused = VersionConfig {
        url: format!("http://127.0.0.1:{}/version", closed_port()),
        json_pointer: None,
    };
    assert_eq!(
        version(&prober, &refused).await,
        Err("connection refused".into())
    );
}

#[test]
fn version_extraction() {
    assert_eq!(extract_version(b"v1.3.2\n", None), Ok("v1.3.2".into()));
    assert_eq!(extract_version(b"  1.0  ", None), Ok("1.0".into()));
    assert_eq!(extract_version(b"", None), Err("body is empty".into()));
    let body = br#"{"app":{"version":" v2.0.1 ","n":7},"flag":true}"#;
    assert_eq!(
        extract_version(body, Some("/app/version")),
        Ok("v2.0.1".into())
    );
    assert_eq!(extract_version(body, Some("/app/n")), Ok("7".into()));
    assert_eq!(
        extract_version(body, Some("/flag")),
        Err("/flag is a boolean, expected a string or number".into())
    );
    assert_eq!(
        extract_version(body, Some("/nope")),
        Err("/nope missing".into())
    );
    let not_json = extract_version(b"v1.3.2", Some("/version")).unwrap_err();
    assert!(not_json.starts_with("body is not JSON ("), "{not_json}");
}

#[test]
fn evaluate_order_status_json_body_latency() {
    let mut check = CheckConfig {
        name: "api".into(),
        url: "http://127.0.0.1/health".into(),
        body_contains: Some("UP".into()),
        max_latency: Some(Duration::from_secs(1)),
        ..CheckConfig::default()
    };
    check.json.insert("/status".into(), json!("UP"));
    let slow = Duration::from_secs(5);
    let down = br#"{"status":"DOWN"}"#;
    assert_eq!(evaluate(&check, 503, down, slow), Err("503".into()));
    assert_eq!(
        evaluate(&check, 200, down, slow),
        Err(r#"/status was "DOWN", expected "UP""#.into())
    );
    let check_body = CheckConfig {
        body_contains: Some("healthy".into()),
        ..check.clone()
    };
    assert_eq!(
        evaluate(&check_body, 200, br#"{"status":"UP"}"#, slow),
        Err(r#"body does not contain "healthy""#.into())
    );
    assert_eq!(
        evaluate(&check, 200, br#"{"status":"UP"}"#, slow),
        Err("latency 5000ms over max_latency 1s".into())
    );
    assert_eq!(
        evaluate(
            &check,
            200,
            br#"{"status":"UP"}"#,
            Duration::from_millis(20)
        ),
        Ok(())
    );
}

/// Thresholds 3/2 against a live server: Unknown → Up → Degraded → Degraded → Down →
/// (one success: still Down) → Up, with exactly one transition reported per change.
#[tokio::test]
async fn tracker_thresholds_against_a_live_server() {
    let server = TestServer::start().await;
    let prober = prober();
    let mut check = CheckConfig {
        timeout: Duration::from_millis(500),
        ..server.check("/health")
    };
    check.json.insert("/status".into(), json!("UP"));
    let mut tracker = CheckTracker::new();
    assert_eq!(tracker.health, Health::Unknown);
    let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
    let mut seen = Vec::new();
    let mut step = |tracker: &mut CheckTracker, outcome: ProbeOutcome, i: i64| {
        let transition = tracker.record(&outcome, t0 + chrono::Duration::seconds(i), 3, 2);
        seen.push((transition, tracker.health, tracker.last_error.clone()));
    };

    step(&mut tracker, probe(&prober, &check).await, 0); // ok
    server.set(|b| b.status = 503);
    step(&mut tracker, probe(&prober, &check).await, 1); // 503
    server.set(|b| {
        b.status = 200;
        b.delay = Duration::from_secs(20);
    });
    step(&mut tracker, probe(&prober, &check).await, 2); // timeout
    server.set(|b| {
        b.delay = Duration::ZERO;
        b.body = json!({"status": "DOWN"}).to_string();
    });
    step(&mut tracker, probe(&prober, &check).await, 3); // JSON
    server.set(|b| b.body = json!({"status": "UP"}).to_string());
    step(&mut tracker, probe(&prober, &check).await, 4); // ok, still down
    step(&mut tracker, probe(&prober, &check).await, 5); // ok, up

    use Health::*;
    let expected = [
        (Some((Unknown, Up)), Up, None),
        (Some((Up, Degraded)), Degraded, Some("503".to_owned())),
        (None, Degraded, Some("timeout after 500ms".to_owned())),
        (
            Some((Degraded, Down)),
            Down,
            Some(r#"/status was "DOWN", expected "UP""#.to_owned()),
        ),
        (None, Down, None),
        (Some((Down, Up)), Up, None),
    ];
    assert_eq!(seen, expected);
    assert_eq!(seen.iter().filter(|(t, _, _)| t.is_some()).count(), 4);
    assert_eq!(tracker.checks, 6);
    assert_eq!(tracker.failures, 3);
    assert_eq!(tracker.consecutive_successes, 2);
    assert_eq!(tracker.consecutive_failures, 0);
    assert_eq!(tracker.last_status, Some(200));
    // The timeout got no response, so it left no latency in the sparkline.
    assert_eq!(tracker.latencies.len(), 5);
    assert_eq!(tracker.last_at, Some(t0 + chrono::Duration::seconds(5)));
}

fn ok() -> ProbeOutcome {
    ProbeOutcome {
        http_status: Some(200),
        latency: Duration::from_millis(12),
        result: Ok(()),
    }
}

fn fail(message: &str) -> ProbeOutcome {
    ProbeOutcome {
        http_status: None,
        latency: Duration::from_secs(5),
        result: Err(message.into()),
    }
}

#[test]
fn tracker_rules() {
    let at = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
    use Health::*;

    // A failure first: unknown → degraded.
    let mut t = CheckTracker::new();
    assert_eq!(t.record(&fail("503"), at, 3, 2), Some((Unknown, Degraded)));
    // From degraded one success is enough.
    assert_eq!(t.record(&ok(), at, 3, 2), Some((Degraded, Up)));

    // Recovery from down is interrupted by a failure: the success count starts again.
    let mut t = CheckTracker::new();
    for _ in 0..2 {
        t.record(&fail("connection refused"), at, 3, 2);
    }
    assert_eq!(
        t.record(&fail("connection refused"), at, 3, 2),
        Some((Degraded, Down))
    );
    assert_eq!(t.record(&ok(), at, 3, 2), None);
    assert_eq!(t.record(&fail("503"), at, 3, 2), None);
    assert_eq!(t.health, Down);
    assert_eq!(t.last_error.as_deref(), Some("503"));
    assert_eq!(t.record(&ok(), at, 3, 2), None);
    assert_eq!(t.record(&ok(), at, 3, 2), Some((Down, Up)));
    assert_eq!(t.last_error, None);
    assert_eq!(t.latency_ms(), Some(12));

    // Threshold 1: the first failure is down; success threshold 1: the first success is up.
    let mut t = CheckTracker::new();
    assert_eq!(t.record(&fail("503"), at, 1, 1), Some((Unknown, Down)));
    assert_eq!(t.record(&ok(), at, 1, 1), Some((Down, Up)));
    // Thresholds of 0 behave as 1.
    assert_eq!(t.record(&fail("503"), at, 0, 0), Some((Up, Down)));
    assert_eq!(t.record(&ok(), at, 0, 0), Some((Down, Up)));

    // The sparkline keeps the last SPARKLINE_LEN latencies.
    let mut t = CheckTracker::new();
    for ms in 0..(SPARKLINE_LEN as u64 + 10) {
        let outcome = ProbeOutcome {
            latency: Duration::from_millis(ms),
            ..ok()
        };
        t.record(&outcome, at, 3, 2);
    }
    assert_eq!(t.latencies.len(), SPARKLINE_LEN);
    assert_eq!(t.latencies.front(), Some(&10));
    assert_eq!(t.latencies.back(), Some(&(SPARKLINE_LEN as u64 + 9)));
    t.record(&fail("timeout after 5s"), at, 3, 2);
    assert_eq!(t.last_latency, None);
    assert_eq!(t.latency_ms(), None);
    assert_eq!(t.latencies.len(), SPARKLINE_LEN);
}

#[test]
fn overall_cases() {
    use Health::*;
    assert_eq!(overall([]), Unknown);
    assert_eq!(overall([Unknown]), Unknown);
    assert_eq!(overall([Unknown, Unknown]), Unknown);
    assert_eq!(overall([Up]), Up);
    assert_eq!(overall([Up, Unknown]), Up);
    assert_eq!(overall([Up, Degraded, Unknown]), Degraded);
    assert_eq!(overall([Up, Degraded, Down]), Down);
    assert_eq!(overall([Down, Unknown]), Down);
    assert_eq!(overall(vec![Degraded, Degraded]), Degraded);
}

#[test]
fn health_words_and_json() {
    for (health, word) in [
        (Health::Up, "up"),
        (Health::Degraded, "degraded"),
        (Health::Down, "down"),
        (Health::Unknown, "unknown"),
    ] {
        assert_eq!(health.word(), word);
        assert_eq!(health.to_string(), word);
        assert_eq!(serde_json::to_value(health).unwrap(), json!(word));
    }
    assert_eq!(Health::default(), Health::Unknown);
}
