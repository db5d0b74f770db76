//! `[notify]`: release notices to Slack (incoming webhook) and Telegram (Bot API `sendMessage`).
//!
//! Secrets (the Slack webhook URL, the Telegram bot token) are read from the environment
//! variables *named* in the config and never appear in a [`Delivery`] error, a log line, a
//! `problems()` message or `Debug` output. A send is never retried: a notice delivered twice is
//! worse than a missed one, and the caller shows the failure.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use serde_json::{Value, json};

use crate::config::NotifyConfig;

/// Channel name of Slack deliveries.
pub const SLACK: &str = "slack";
/// Channel name of Telegram deliveries.
pub const TELEGRAM: &str = "telegram";
/// Default Telegram Bot API base URL.
pub const TELEGRAM_API: &str = "https://api.telegram.org";
/// Time allowed for one send (connect, request and response).
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// What replaces a secret in any message.
const REDACTED: &str = "<redacted>";
/// How much of a failed answer's body is quoted in the error.
const MAX_ERROR_BODY_CHARS: usize = 200;
/// Slack limits: header text 150 chars, section text 3000 chars.
const SLACK_HEADER_MAX: usize = 150;
const SLACK_SECTION_MAX: usize = 3000;
/// Telegram limit: 4096 chars per message (after entity parsing; we stay well under).
const TELEGRAM_TEXT_MAX: usize = 3500;

/// How loud a notice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeLevel {
    Info,
    Warn,
    Alert,
}

impl NoticeLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeLevel::Info => "info",
            NoticeLevel::Warn => "warn",
            NoticeLevel::Alert => "alert",
        }
    }

    fn label(self) -> &'static str {
        match self {
            NoticeLevel::Info => "INFO",
            NoticeLevel::Warn => "WARN",
            NoticeLevel::Alert => "ALERT",
        }
    }
}

impl fmt::Display for NoticeLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One message to send to every configured channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub text: String,
    pub level: NoticeLevel,
    pub environment: Option<String>,
    pub link: Option<String>,
    pub at: DateTime<Utc>,
}

impl Notice {
    pub fn new(
        level: NoticeLevel,
        title: impl Into<String>,
        text: impl Into<String>,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            title: title.into(),
            text: text.into(),
            level,
            environment: None,
            link: None,
            at,
        }
    }

    pub fn with_environment(mut self, environment: impl Into<String>) -> Self {
        self.environment = Some(environment.into());
        self
    }

    pub fn with_link(mut self, link: impl Into<String>) -> Self {
        self.link = Some(link.into());
        self
    }

    /// One-line plain-text rendering: `[ALERT] title (production): text <link>`.
    pub fn plain_text(&self) -> String {
        let mut out = format!("[{}] {}", self.level.label(), self.title);
        if let Some(env) = &self.environment {
            out.push_str(&format!(" ({env})"));
        }
        if !self.text.is_empty() {
            out.push_str(": ");
            out.push_str(&self.text);
        }
        if let Some(link) = &self.link {
            out.push(' ');
            out.push_str(link);
        }
        out
    }
}

/// The outcome of sending one notice to one channel. `Err` holds a message without secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub channel: &'static str,
    pub result: Result<(), String>,
}

/// Sends notices. One [`Delivery`] per configured channel; none configured → none sent.
pub trait Notifier: Send + Sync {
    fn notify<'a>(&'a self, notice: &'a Notice) -> BoxFuture<'a, Vec<Delivery>>;

    /// Names of the channels a notice goes to (`"slack"`, `"telegram"`).
    fn channels(&self) -> Vec<&'static str>;
}

/// Nothing configured: sends nothing, reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NullNotifier;

impl Notifier for NullNotifier {
    fn notify<'a>(&'a self, _notice: &'a Notice) -> BoxFuture<'a, Vec<Delivery>> {
        Box::pin(async { Vec::new() })
    }

    fn channels(&self) -> Vec<&'static str> {
        Vec::new()
    }
}

/// A secret string whose `Debug` never shows it.
#[derive(Clone)]
struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[derive(Debug, Clone)]
struct Telegram {
    token: Secret,
    chat_id: String,
}

/// Slack and/or Telegram over HTTPS (one shared `reqwest` client, no redirects followed,
/// [`SEND_TIMEOUT`] per send, never retried).
#[derive(Clone)]
pub struct HttpNotifier {
    client: Option<reqwest::Client>,
    slack: Option<Secret>,
    telegram: Option<Telegram>,
    telegram_api: String,
    timeout: Duration,
    problems: Vec<String>,
}

impl fmt::Debug for HttpNotifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpNotifier")
            .field("slack", &self.slack.as_ref().map(|_| REDACTED))
            .field(
                "telegram",
                &self
                    .telegram
                    .as_ref()
                    .map(|t| format!("{{ token: {REDACTED}, chat_id: {:?} }}", t.chat_id)),
            )
            .field("telegram_api", &self.telegram_api)
            .field("timeout", &self.timeout)
            .field("problems", &self.problems)
            .finish()
    }
}

/// The variable's value, trimmed; `Err` with a message naming the variable when unset or empty.
fn read_var(
    env: &dyn Fn(&str) -> Option<String>,
    key: &str,
    var: &str,
    what: &str,
) -> Result<String, String> {
    match env(var).map(|v| v.trim().to_owned()) {
        Some(v) if !v.is_empty() => Ok(v),
        Some(_) => Err(format!(
            "[notify] {key}: environment variable {var} is empty; {what} notifications disabled"
        )),
        None => Err(format!(
            "[notify] {key}: environment variable {var} is not set; {what} notifications disabled"
        )),
    }
}

impl HttpNotifier {
    /// Reads the secrets from the environment variables named in `cfg` (through `env`, so tests
    /// need not touch the process environment). A channel whose variable is unset, empty or
    /// unusable is disabled and [`problems`](Self::problems) says why, naming the variable.
    pub fn from_config(cfg: &NotifyConfig, env: &dyn Fn(&str) -> Option<String>) -> HttpNotifier {
        let mut problems = Vec::new();

        let slack = cfg.slack_webhook_env.as_deref().and_then(|var| {
            let url = read_var(env, "slack_webhook_env", var, "Slack")
                .map_err(|p| problems.push(p))
                .ok()?;
            match reqwest::Url::parse(&url) {
                Ok(u) if matches!(u.scheme(), "https" | "http") => Some(Secret(url)),
                _ => {
                    problems.push(format!(
                        "[notify] slack_webhook_env: environment variable {var} does not hold an \
                         http(s) URL; Slack notifications disabled"
                    ));
                    None
                }
            }
        });

        let token = cfg.telegram_bot_token_env.as_deref().and_then(|var| {
            let token = read_var(env, "telegram_bot_token_env", var, "Telegram")
                .map_err(|p| problems.push(p))
                .ok()?;
            let bad = token
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "/?#%".contains(c));
            if bad {
                problems.push(format!(
                    "[notify] telegram_bot_token_env: environment variable {var} does not hold a \
                     bot token; Telegram notifications disabled"
                ));
                return None;
            }
            Some(Secret(token))
        });
        let chat_id = cfg
            .telegram_chat_id
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        let telegram = match (&cfg.telegram_bot_token_env, token, chat_id) {
            (_, Some(token), Some(chat_id)) => Some(Telegram {
                token,
                chat_id: chat_id.to_owned(),
            }),
            (Some(_), Some(_), None) => {
                problems.push(
                    "[notify] telegram_chat_id is not set; Telegram notifications disabled".into(),
                );
                None
            }
            (None, _, Some(_)) => {
                problems.push(
                    "[notify] telegram_chat_id is set but telegram_bot_token_env is not; \
                     Telegram notifications disabled"
                        .into(),
                );
                None
            }
            _ => None,
        };

        let client = if slack.is_some() || telegram.is_some() {
            match build_client() {
                Ok(c) => Some(c),
                Err(e) => {
                    problems.push(format!(
                        "[notify] cannot set up the HTTP client: {}",
                        error_chain(&e.without_url())
                    ));
                    None
                }
            }
        } else {
            None
        };

        HttpNotifier {
            client,
            slack,
            telegram,
            telegram_api: TELEGRAM_API.to_owned(),
            timeout: SEND_TIMEOUT,
            problems,
        }
    }

    /// Test hook: send Telegram requests to `base` (e.g. `http://127.0.0.1:PORT`) instead of
    /// `https://api.telegram.org`.
    pub fn with_telegram_api(mut self, base: &str) -> HttpNotifier {
        self.telegram_api = base.trim_end_matches('/').to_owned();
        self
    }

    /// Test hook: the time allowed per send (default [`SEND_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> HttpNotifier {
        self.timeout = timeout;
        self
    }

    /// Why a configured channel is disabled (each message names the variable or key); empty
    /// when every configured channel is usable. Never contains a secret.
    pub fn problems(&self) -> Vec<String> {
        self.problems.clone()
    }

    /// No channel will be sent to.
    pub fn is_empty(&self) -> bool {
        self.channels().is_empty()
    }

    /// Every secret this notifier holds (and the secret parts of them), longest first, for
    /// scrubbing messages.
    fn secrets(&self) -> Vec<&str> {
        let mut out = Vec::new();
        if let Some(Secret(url)) = &self.slack {
            out.push(url.as_str());
            // The path of a webhook URL is the secret part; scrub it even if quoted alone.
            if let Some(i) = url.find("://") {
                let after = &url[i + 3..];
                if let Some(j) = after.find('/') {
                    let path = &after[j..];
                    if path.len() > 1 {
                        out.push(path);
                    }
                }
            }
        }
        if let Some(t) = &self.telegram {
            out.push(t.token.0.as_str());
        }
        out.retain(|s| !s.is_empty());
        out.sort_by_key(|s| std::cmp::Reverse(s.len()));
        out
    }

    fn scrub(&self, message: &str) -> String {
        redact(message, &self.secrets())
    }

    async fn send_slack(&self, client: &reqwest::Client, url: &str, notice: &Notice) -> Delivery {
        let request = client.post(url).json(&slack_payload(notice));
        let result = self.send(request, SLACK, false).await;
        self.delivered(SLACK, result)
    }

    async fn send_telegram(
        &self,
        client: &reqwest::Client,
        telegram: &Telegram,
        notice: &Notice,
    ) -> Delivery {
        let url = format!("{}/bot{}/sendMessage", self.telegram_api, telegram.token.0);
        let request = client
            .post(url)
            .json(&telegram_payload(&telegram.chat_id, notice));
        let result = self.send(request, TELEGRAM, true).await;
        self.delivered(TELEGRAM, result)
    }

    /// Sends once; `Err` is already scrubbed of secrets.
    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        channel: &str,
        telegram: bool,
    ) -> Result<(), String> {
        let timeout = self.timeout;
        let attempt = async {
            let response = request
                .timeout(timeout)
                .send()
                .await
                .map_err(|e| describe_error(e, timeout))?;
            let status = response.status();
            let body = response
                .text()
                .await
                .map_err(|e| describe_error(e, timeout))?;
            if !status.is_success() {
                return Err(format!("HTTP {}{}", status.as_u16(), quote_body(&body)));
            }
            if telegram {
                // The Bot API answers `{"ok": false, "description": ...}` on refusal.
                let answer = serde_json::from_str::<Value>(&body).unwrap_or(Value::Null);
                if answer.get("ok") == Some(&Value::Bool(false)) {
                    let why = answer
                        .get("description")
                        .and_then(Value::as_str)
                        .unwrap_or("ok: false");
                    return Err(format!("refused: {}", truncate(why, MAX_ERROR_BODY_CHARS)));
                }
            }
            Ok(())
        };
        // A hard cap as well, in case the body trickles in past the client timeout.
        match tokio::time::timeout(timeout + Duration::from_millis(500), attempt).await {
            Ok(r) => r.map_err(|e| format!("{channel}: {}", self.scrub(&e))),
            Err(_) => Err(format!(
                "{channel}: timed out after {}",
                humantime::format_duration(timeout)
            )),
        }
    }

    fn delivered(&self, channel: &'static str, result: Result<(), String>) -> Delivery {
        match &result {
            Ok(()) => tracing::info!(channel, "notice delivered"),
            Err(e) => tracing::warn!(channel, error = %e, "notice not delivered (not retried)"),
        }
        Delivery { channel, result }
    }
}

impl Notifier for HttpNotifier {
    fn notify<'a>(&'a self, notice: &'a Notice) -> BoxFuture<'a, Vec<Delivery>> {
        Box::pin(async move {
            let channels = self.channels();
            if channels.is_empty() {
                return Vec::new();
            }
            let Some(client) = &self.client else {
                return channels
                    .into_iter()
                    .map(|channel| Delivery {
                        channel,
                        result: Err(format!("{channel}: HTTP client unavailable")),
                    })
                    .collect();
            };
            let slack = async {
                match &self.slack {
                    Some(Secret(url)) => Some(self.send_slack(client, url, notice).await),
                    None => None,
                }
            };
            let telegram = async {
                match &self.telegram {
                    Some(t) => Some(self.send_telegram(client, t, notice).await),
                    None => None,
                }
            };
            let (s, t) = futures::join!(slack, telegram);
            s.into_iter().chain(t).collect()
        })
    }

    fn channels(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.slack.is_some() {
            out.push(SLACK);
        }
        if self.telegram.is_some() {
            out.push(TELEGRAM);
        }
        out
    }
}

fn build_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .user_agent(concat!("cockpit/", env!("CARGO_PKG_VERSION")))
        // A webhook that redirects is misconfigured; following it could re-send the body.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(SEND_TIMEOUT)
        .build()
}

/// A reqwest error without its URL (which holds the secret), with its causes.
fn describe_error(err: reqwest::Error, timeout: Duration) -> String {
    if err.is_timeout() {
        return format!("timed out after {}", humantime::format_duration(timeout));
    }
    error_chain(&err.without_url())
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !out.contains(&s_text) {
            out.push_str(": ");
            out.push_str(&s_text);
        }
        source = s.source();
    }
    out
}

/// `: <first chars of body>` or nothing for an empty body.
fn quote_body(body: &str) -> String {
    let body = body.trim();
    if body.is_empty() {
        String::new()
    } else {
        let one_line: String = body
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        format!(": {}", truncate(&one_line, MAX_ERROR_BODY_CHARS))
    }
}

/// Replaces every occurrence of every secret by `<redacted>`.
fn redact(message: &str, secrets: &[&str]) -> String {
    let mut out = message.to_owned();
    for s in secrets {
        if !s.is_empty() && out.contains(s) {
            out = out.replace(s, REDACTED);
        }
    }
    out
}

/// At most `max` chars, with `…` when cut.
fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Slack mrkdwn escaping (`&`, `<`, `>`).
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Incoming-webhook body: `text` (fallback for notifications and old clients) plus blocks.
pub fn slack_payload(notice: &Notice) -> Value {
    let mut blocks = vec![json!({
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": truncate(&format!("[{}] {}", notice.level.label(), notice.title), SLACK_HEADER_MAX),
            "emoji": false,
        }
    })];
    let mut fields = vec![json!({
        "type": "mrkdwn",
        "text": format!("*Level:*\n{}", notice.level.label()),
    })];
    if let Some(env) = &notice.environment {
        fields.push(json!({
            "type": "mrkdwn",
            "text": format!("*Environment:*\n{}", slack_escape(env)),
        }));
    }
    blocks.push(json!({ "type": "section", "fields": fields }));
    if !notice.text.is_empty() {
        blocks.push(json!({
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": truncate(&slack_escape(&notice.text), SLACK_SECTION_MAX),
            }
        }));
    }
    let mut context = vec![json!({
        "type": "mrkdwn",
        "text": notice.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    })];
    if let Some(link) = &notice.link {
        // `|` and `>` would end the link; such URLs are shown as plain text instead.
        let text = if link.contains(['|', '>', '<']) {
            slack_escape(link)
        } else {
            format!("<{link}|open>")
        };
        context.push(json!({ "type": "mrkdwn", "text": text }));
    }
    blocks.push(json!({ "type": "context", "elements": context }));
    json!({
        "text": truncate(&notice.plain_text(), SLACK_SECTION_MAX),
        "blocks": blocks,
    })
}

/// HTML escaping for Telegram's `parse_mode: "HTML"` (`&`, `<`, `>`, `"`).
fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `sendMessage` body: HTML parse mode, every user-supplied part escaped, no link preview.
pub fn telegram_payload(chat_id: &str, notice: &Notice) -> Value {
    let mut text = format!(
        "<b>[{}] {}</b>",
        notice.level.label(),
        html_escape(&truncate(&notice.title, 256))
    );
    if let Some(env) = &notice.environment {
        text.push_str(&format!("\nEnvironment: {}", html_escape(env)));
    }
    if !notice.text.is_empty() {
        text.push_str("\n\n");
        text.push_str(&html_escape(&truncate(&notice.text, TELEGRAM_TEXT_MAX)));
    }
    if let Some(link) = &notice.link {
        text.push_str(&format!(
            "\n<a href=\"{}\">{}</a>",
            html_escape(link),
            html_escape(link)
        ));
    }
    text.push_str(&format!(
        "\n<i>{}</i>",
        notice.at.format("%Y-%m-%d %H:%M:%S UTC")
    ));
    json!({
        "chat_id": chat_id,
        "text": text,
        "parse_mode": "HTML",
        "disable_web_page_preview": true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_replaces_every_secret() {
        let out = redact("a SECRET b SECRET c tok", &["SECRET", "tok"]);
        assert_eq!(out, "a <redacted> b <redacted> c <redacted>");
    }

    #[test]
    fn truncate_is_char_safe() {
        assert_eq!(truncate("ééééé", 3), "éé…");
        assert_eq!(truncate("abc", 3), "abc");
    }

    #[test]
    fn html_is_escaped() {
        let n = Notice::new(
            NoticeLevel::Warn,
            "<b>x</b>",
            "a & b",
            DateTime::<Utc>::UNIX_EPOCH,
        );
        let v = telegram_payload("1", &n);
        let text = v["text"].as_str().unwrap_or_default();
        assert!(text.contains("&lt;b&gt;x&lt;/b&gt;"));
        assert!(text.contains("a &amp; b"));
    }
}
