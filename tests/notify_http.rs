//! `HttpNotifier` against a local axum receiver that records every request.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::IntoResponse;
use chrono::{TimeZone, Utc};
use cockpit::config::NotifyConfig;
use cockpit::notify::{
    Delivery, HttpNotifier, Notice, NoticeLevel, Notifier, NullNotifier, SLACK, TELEGRAM,
};
use serde_json::Value;

const SLACK_VAR: &str = "TEST_SLACK_WEBHOOK";
const TG_VAR: &str = "TEST_TELEGRAM_TOKEN";
const TG_TOKEN: &str = "123456789:AAsecretTelegramTokenXYZ";
const SLACK_PATH: &str = "/services/T0SECRET/B0SECRET/slackSecretPart42";
const CHAT_ID: &str = "-1001234567890";

#[derive(Debug, Clone)]
struct Recorded {
    method: Method,
    path: String,
    body: Value,
    content_type: Option<String>,
}

#[derive(Default)]
struct Receiver {
    requests: Mutex<Vec<Recorded>>,
    /// 0 → 200 with a Telegram-like `{"ok": true}`; otherwise that status, echoing the path.
    status: AtomicU16,
    /// Milliseconds to wait before answering.
    delay_ms: AtomicU64,
}

impl Receiver {
    fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

async fn record(
    State(rx): State<Arc<Receiver>>,
    method: Method,
    uri: Uri,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let path = uri.path().to_owned();
    let recorded = Recorded {
        method,
        path: path.clone(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        content_type: headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    rx.requests.lock().expect("lock").push(recorded);
    let delay = rx.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    match rx.status.load(Ordering::SeqCst) {
        0 => (StatusCode::OK, r#"{"ok":true,"result":{}}"#.to_owned()),
        code => (
            StatusCode::from_u16(code).expect("status"),
            // A careless server reflecting the request path, secret included.
            format!("internal error handling {path}"),
        ),
    }
}

async fn start_receiver() -> (SocketAddr, Arc<Receiver>) {
    let rx = Arc::new(Receiver::default());
    let app = Router::new().fallback(record).with_state(rx.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("serve");
    });
    (addr, rx)
}

fn slack_url(addr: SocketAddr) -> String {
    format!("http://{addr}{SLACK_PATH}")
}

fn full_config() -> NotifyConfig {
    NotifyConfig {
        slack_webhook_env: Some(SLACK_VAR.into()),
        telegram_bot_token_env: Some(TG_VAR.into()),
        telegram_chat_id: Some(CHAT_ID.into()),
    }
}

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |k: &str| map.get(k).cloned()
}

fn notifier(addr: SocketAddr, cfg: &NotifyConfig) -> HttpNotifier {
    let slack = slack_url(addr);
    let env = env_of(&[(SLACK_VAR, slack.as_str()), (TG_VAR, TG_TOKEN)]);
    HttpNotifier::from_config(cfg, &env).with_telegram_api(&format!("http://{addr}"))
}

fn notice() -> Notice {
    Notice::new(
        NoticeLevel::Alert,
        "Rollback of production",
        "Health check failed 3 times <b>& rolled back</b>",
        Utc.with_ymd_and_hms(2025, 3, 4, 5, 6, 7)
            .single()
            .expect("time"),
    )
    .with_environment("production")
    .with_link("https://github.com/acme/shop/actions/runs/42")
}

/// Every string a secret could show up in.
fn assert_no_secret(text: &str, addr: SocketAddr) {
    for secret in [
        TG_TOKEN,
        "AAsecretTelegramTokenXYZ",
        SLACK_PATH,
        "slackSecretPart42",
        &slack_url(addr),
    ] {
        assert!(
            !text.contains(secret),
            "secret {secret:?} leaked into {text:?}"
        );
    }
}

fn by_channel<'a>(deliveries: &'a [Delivery], channel: &str) -> &'a Delivery {
    deliveries
        .iter()
        .find(|d| d.channel == channel)
        .unwrap_or_else(|| panic!("no {channel} delivery in {deliveries:?}"))
}

#[tokio::test]
async fn slack_gets_incoming_webhook_json_with_blocks_and_fallback_text() {
    let (addr, rx) = start_receiver().await;
    let cfg = NotifyConfig {
        telegram_bot_token_env: None,
        telegram_chat_id: None,
        ..full_config()
    };
    let n = notifier(addr, &cfg);
    assert!(n.problems().is_empty(), "{:?}", n.problems());
    assert_eq!(n.channels(), vec![SLACK]);

    let deliveries = n.notify(&notice()).await;
    assert_eq!(
        deliveries,
        vec![Delivery {
            channel: SLACK,
            result: Ok(())
        }]
    );

    let reqs = rx.requests();
    assert_eq!(reqs.len(), 1, "{reqs:?}");
    let req = &reqs[0];
    assert_eq!(req.method, Method::POST);
    assert_eq!(req.path, SLACK_PATH);
    assert_eq!(req.content_type.as_deref(), Some("application/json"));

    let text = req.body["text"].as_str().expect("fallback text");
    assert!(text.contains("Rollback of production"), "{text}");
    assert!(text.contains("production"), "{text}");
    assert!(text.contains("Health check failed"), "{text}");
    assert!(text.contains("https://github.com/acme/shop/actions/runs/42"));

    let blocks = req.body["blocks"].as_array().expect("blocks");
    assert_eq!(blocks[0]["type"], "header");
    assert_eq!(blocks[0]["text"]["type"], "plain_text");
    assert!(
        blocks[0]["text"]["text"]
            .as_str()
            .expect("header")
            .contains("Rollback of production")
    );
    let all = serde_json::to_string(blocks).expect("json");
    assert!(all.contains("*Environment:*\\nproduction"), "{all}");
    // mrkdwn-escaped user text, the link, the time.
    assert!(
        all.contains("&lt;b&gt;&amp; rolled back&lt;/b&gt;"),
        "{all}"
    );
    assert!(
        all.contains("<https://github.com/acme/shop/actions/runs/42|open>"),
        "{all}"
    );
    assert!(all.contains("2025-03-04 05:06:07 UTC"), "{all}");
}

#[tokio::test]
async fn telegram_send_message_path_and_body() {
    let (addr, rx) = start_receiver().await;
    let cfg = NotifyConfig {
        slack_webhook_env: None,
        ..full_config()
    };
    let n = notifier(addr, &cfg);
    assert!(n.problems().is_empty(), "{:?}", n.problems());
    assert_eq!(n.channels(), vec![TELEGRAM]);

    let deliveries = n.notify(&notice()).await;
    assert_eq!(
        deliveries,
        vec![Delivery {
            channel: TELEGRAM,
            result: Ok(())
        }]
    );

    let reqs = rx.requests();
    assert_eq!(reqs.len(), 1, "{reqs:?}");
    let req = &reqs[0];
    assert_eq!(req.method, Method::POST);
    assert_eq!(req.path, format!("/bot{TG_TOKEN}/sendMessage"));
    assert_eq!(req.body["chat_id"], CHAT_ID);
    assert_eq!(req.body["disable_web_page_preview"], true);
    assert_eq!(req.body["parse_mode"], "HTML");
    let text = req.body["text"].as_str().expect("text");
    assert!(
        text.contains("<b>[ALERT] Rollback of production</b>"),
        "{text}"
    );
    assert!(text.contains("Environment: production"), "{text}");
    // User text is HTML-escaped so it cannot break the parse mode.
    assert!(
        text.contains("Health check failed 3 times &lt;b&gt;&amp; rolled back&lt;/b&gt;"),
        "{text}"
    );
    assert!(text.contains("https://github.com/acme/shop/actions/runs/42"));
}

#[tokio::test]
async fn exactly_one_request_per_notify_per_channel() {
    let (addr, rx) = start_receiver().await;
    let n = notifier(addr, &full_config());
    assert_eq!(n.channels(), vec![SLACK, TELEGRAM]);

    let first = n.notify(&notice()).await;
    assert_eq!(first.len(), 2);
    assert!(first.iter().all(|d| d.result.is_ok()), "{first:?}");
    assert_eq!(rx.requests().len(), 2);

    let second = n.notify(&notice()).await;
    assert!(second.iter().all(|d| d.result.is_ok()), "{second:?}");
    let reqs = rx.requests();
    assert_eq!(reqs.len(), 4, "{reqs:?}");
    let slack = reqs.iter().filter(|r| r.path == SLACK_PATH).count();
    let telegram = reqs
        .iter()
        .filter(|r| r.path == format!("/bot{TG_TOKEN}/sendMessage"))
        .count();
    assert_eq!((slack, telegram), (2, 2));
}

#[tokio::test]
async fn server_error_is_a_delivery_error_without_secrets_and_not_retried() {
    let (addr, rx) = start_receiver().await;
    rx.status.store(500, Ordering::SeqCst);
    let n = notifier(addr, &full_config());

    let deliveries = n.notify(&notice()).await;
    assert_eq!(deliveries.len(), 2, "{deliveries:?}");
    for channel in [SLACK, TELEGRAM] {
        let d = by_channel(&deliveries, channel);
        let err = d.result.clone().expect_err("500 must fail");
        assert!(err.contains("500"), "{err}");
        assert!(err.starts_with(channel), "{err}");
        // The receiver echoed the path (with the secret) in its body: it must be scrubbed.
        assert!(err.contains("<redacted>"), "{err}");
        assert_no_secret(&err, addr);
    }
    // Never retried: one request per channel.
    assert_eq!(rx.requests().len(), 2, "{:?}", rx.requests());
}

#[tokio::test]
async fn telegram_ok_false_is_an_error() {
    // A receiver answering 200 `{"ok": false}` — the Bot API's refusal shape.
    let app = Router::new().fallback(|| async {
        (
            StatusCode::OK,
            r#"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#,
        )
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });

    let cfg = NotifyConfig {
        slack_webhook_env: None,
        ..full_config()
    };
    let n = notifier(addr, &cfg);
    let deliveries = n.notify(&notice()).await;
    let err = by_channel(&deliveries, TELEGRAM)
        .result
        .clone()
        .expect_err("ok:false must fail");
    assert!(err.contains("chat not found"), "{err}");
}

#[tokio::test]
async fn unreachable_endpoint_error_has_no_secret() {
    // Bind then drop: nothing listens on this port any more.
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let n = notifier(addr, &full_config());
    let deliveries = n.notify(&notice()).await;
    assert_eq!(deliveries.len(), 2);
    for d in &deliveries {
        let err = d.result.clone().expect_err("nothing listens");
        assert_no_secret(&err, addr);
    }
}

#[tokio::test]
async fn slow_receiver_times_out_once_without_retry() {
    let (addr, rx) = start_receiver().await;
    rx.delay_ms.store(3_000, Ordering::SeqCst);
    let cfg = NotifyConfig {
        slack_webhook_env: None,
        ..full_config()
    };
    let n = notifier(addr, &cfg).with_timeout(Duration::from_millis(200));
    let started = std::time::Instant::now();
    let deliveries = n.notify(&notice()).await;
    assert!(started.elapsed() < Duration::from_secs(2));
    let err = by_channel(&deliveries, TELEGRAM)
        .result
        .clone()
        .expect_err("timeout");
    assert!(err.contains("timed out"), "{err}");
    assert_no_secret(&err, addr);
    assert_eq!(rx.requests().len(), 1);
}

#[tokio::test]
async fn nothing_configured_sends_nothing() {
    let (addr, rx) = start_receiver().await;
    let n = notifier(addr, &NotifyConfig::default());
    assert!(n.channels().is_empty());
    assert!(n.is_empty());
    assert!(n.problems().is_empty());
    assert!(n.notify(&notice()).await.is_empty());

    let null = NullNotifier;
    assert!(null.channels().is_empty());
    assert!(null.notify(&notice()).await.is_empty());

    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(rx.requests().is_empty());
}

#[tokio::test]
async fn missing_env_var_disables_channel_and_is_named() {
    let (addr, rx) = start_receiver().await;
    let slack = slack_url(addr);
    // Slack variable set, Telegram variable not set.
    let env = env_of(&[(SLACK_VAR, slack.as_str())]);
    let n = HttpNotifier::from_config(&full_config(), &env)
        .with_telegram_api(&format!("http://{addr}"));
    assert_eq!(n.channels(), vec![SLACK]);
    let problems = n.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains(TG_VAR), "{problems:?}");
    assert!(problems[0].contains("not set"), "{problems:?}");

    let deliveries = n.notify(&notice()).await;
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].channel, SLACK);
    assert_eq!(rx.requests().len(), 1);
    assert_eq!(rx.requests()[0].path, SLACK_PATH);

    // Both unset (one empty): both named, nothing enabled, nothing sent.
    let env = env_of(&[(SLACK_VAR, "  ")]);
    let n = HttpNotifier::from_config(&full_config(), &env);
    let problems = n.problems();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems.iter().any(|p| p.contains(SLACK_VAR)));
    assert!(problems.iter().any(|p| p.contains(TG_VAR)));
    assert!(n.notify(&notice()).await.is_empty());
    assert_eq!(rx.requests().len(), 1);
}

#[test]
fn telegram_without_chat_id_or_bad_values_are_problems_without_secrets() {
    let env = env_of(&[(SLACK_VAR, "not a url SECRETISH"), (TG_VAR, TG_TOKEN)]);
    let cfg = NotifyConfig {
        telegram_chat_id: None,
        ..full_config()
    };
    let n = HttpNotifier::from_config(&cfg, &env);
    assert!(n.channels().is_empty());
    let problems = n.problems();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("telegram_chat_id")));
    assert!(problems.iter().any(|p| p.contains(SLACK_VAR)));
    let joined = problems.join("\n");
    assert!(!joined.contains("SECRETISH"));
    assert!(!joined.contains(TG_TOKEN));
}

#[test]
fn debug_never_shows_secrets() {
    let addr: SocketAddr = "127.0.0.1:9".parse().expect("addr");
    let n = notifier(addr, &full_config());
    assert_eq!(n.channels(), vec![SLACK, TELEGRAM]);
    let debug = format!("{n:?}");
    let pretty = format!("{n:#?}");
    for text in [&debug, &pretty] {
        assert_no_secret(text, addr);
        assert!(text.contains("<redacted>"), "{text}");
        // The chat id is not a secret and helps debugging.
        assert!(text.contains(CHAT_ID), "{text}");
    }
}
