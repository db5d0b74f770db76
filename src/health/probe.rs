//! The I/O side of health checks: a [`Prober`] runs one check (or reads one version
//! endpoint) and answers with what it saw. [`HttpProber`] is the real one, over reqwest.
//!
//! Every probe is an async task of its own; the app spawns them (see `effects`) so a slow or
//! hanging endpoint never holds up the UI or the other checks. The check's `timeout` bounds
//! the whole exchange (connect, TLS, headers and body), and a body is read to at most
//! [`MAX_BODY_BYTES`].
//!
//! Failures without a response read like `timeout after 5s`, `connection refused`,
//! `connection reset`, `DNS lookup failed for shop.example: Name or service not known`,
//! `TLS: invalid peer certificate: UnknownIssuer`, `too many redirects (more than 5)`.
//! Messages never contain the URL, so userinfo and query secrets cannot leak through them;
//! log lines show the URL without userinfo and with secret-looking query values redacted.

use std::error::Error as StdError;
use std::io;
use std::time::{Duration, Instant};

use futures::FutureExt;
use futures::future::BoxFuture;

use super::evaluate::{evaluate, extract_version};
use super::state::ProbeOutcome;
use crate::config::{CheckConfig, VersionConfig, redact_url};

/// Bodies are read up to this many bytes; the rest is not downloaded.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Redirects followed before a probe fails with `too many redirects`.
pub const MAX_REDIRECTS: usize = 5;

/// Sent with every probe.
pub const USER_AGENT: &str = concat!("cockpit/", env!("CARGO_PKG_VERSION"));

/// Runs health checks and reads version endpoints.
pub trait Prober: Send + Sync {
    /// One probe of `check`: status, latency and whether every condition held.
    /// Never fails: transport errors are outcomes too.
    fn probe<'a>(&'a self, check: &'a CheckConfig) -> BoxFuture<'a, ProbeOutcome>;

    /// The live version at `version.url` (a 2xx answer is required), within `timeout`.
    fn version<'a>(
        &'a self,
        version: &'a VersionConfig,
        timeout: Duration,
    ) -> BoxFuture<'a, Result<String, String>>;
}

/// The real prober: one shared `reqwest::Client` (so connections to the same host are pooled
/// and reused across checks), at most [`MAX_REDIRECTS`] redirects, `User-Agent: cockpit/X.Y.Z`.
/// System proxy settings (`HTTPS_PROXY`, `NO_PROXY`, ...) apply as for any reqwest client.
#[derive(Debug, Clone)]
pub struct HttpProber {
    client: reqwest::Client,
}

/// A response as far as it was read.
struct Answer {
    status: u16,
    body: Vec<u8>,
    /// The body went on past [`MAX_BODY_BYTES`].
    truncated: bool,
}

impl HttpProber {
    /// Builds the shared client (fails only if the TLS backend cannot be set up).
    pub fn new() -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true)
            .build()?;
        Ok(Self { client })
    }

    /// A prober over a client configured elsewhere (the caller picks redirects, UA, ...).
    pub fn with_client(client: reqwest::Client) -> Self {
        Self { client }
    }

    /// GET `url` within `timeout`: the time taken and the answer, or the failure's message.
    async fn fetch(&self, url: &str, timeout: Duration) -> (Duration, Result<Answer, String>) {
        let started = Instant::now();
        let result = match tokio::time::timeout(timeout, self.get(url)).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(err)) => Err(describe_error(&err, url)),
            Err(_elapsed) => Err(format!(
                "timeout after {}",
                humantime::format_duration(timeout)
            )),
        };
        (started.elapsed(), result)
    }

    async fn get(&self, url: &str) -> Result<Answer, reqwest::Error> {
        let mut response = self.client.get(url).send().await?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        let mut truncated = false;
        while let Some(chunk) = response.chunk().await? {
            let room = MAX_BODY_BYTES - body.len();
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer {
            status,
            body,
            truncated,
        })
    }

    async fn run_check(&self, check: &CheckConfig) -> ProbeOutcome {
        let (latency, answer) = self.fetch(&check.url, check.timeout).await;
        let outcome = match answer {
            Ok(answer) => {
                let mut result = evaluate(check, answer.status, &answer.body, latency);
                if answer.truncated
                    && let Err(message) = &mut result
                {
                    message.push_str(" (body cut at 1 MiB)");
                }
                ProbeOutcome {
                    http_status: Some(answer.status),
                    latency,
                    result,
                }
            }
            Err(message) => ProbeOutcome {
                http_status: None,
                latency,
                result: Err(message),
            },
        };
        match &outcome.result {
            Ok(()) => tracing::trace!(
                check = %check.name,
                url = %log_url(&check.url),
                latency_ms = latency.as_millis() as u64,
                "probe ok"
            ),
            Err(error) => tracing::debug!(
                check = %check.name,
                url = %log_url(&check.url),
                status = outcome.http_status,
                latency_ms = latency.as_millis() as u64,
                %error,
                "probe failed"
            ),
        }
        outcome
    }

    async fn read_version(
        &self,
        version: &VersionConfig,
        timeout: Duration,
    ) -> Result<String, String> {
        let (_, answer) = self.fetch(&version.url, timeout).await;
        let result = answer.and_then(|answer| {
            if !(200..300).contains(&answer.status) {
                Err(answer.status.to_string())
            } else if answer.truncated {
                Err("body over 1 MiB".to_owned())
            } else {
                extract_version(&answer.body, version.json_pointer.as_deref())
            }
        });
        if let Err(error) = &result {
            tracing::debug!(url = %log_url(&version.url), %error, "reading the version failed");
        }
        result
    }
}

impl Prober for HttpProber {
    fn probe<'a>(&'a self, check: &'a CheckConfig) -> BoxFuture<'a, ProbeOutcome> {
        self.run_check(check).boxed()
    }

    fn version<'a>(
        &'a self,
        version: &'a VersionConfig,
        timeout: Duration,
    ) -> BoxFuture<'a, Result<String, String>> {
        self.read_version(version, timeout).boxed()
    }
}

/// A URL fit for a log line: no userinfo at all, secret-looking query values redacted.
pub fn log_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) => {
            if !parsed.username().is_empty() || parsed.password().is_some() {
                // Only fails for URLs that cannot have userinfo, which then have none.
                let _ = parsed.set_username("");
                let _ = parsed.set_password(None);
            }
            redact_url(parsed.as_str())
        }
        Err(_) => "<invalid URL>".to_owned(),
    }
}

/// A transport failure in a few words, without the URL (reqwest's own `Display` names it).
fn describe_error(err: &reqwest::Error, url: &str) -> String {
    let chain = source_chain(err);
    let innermost = chain.last().map(|m| m.as_str()).unwrap_or_default();
    if err.is_builder() {
        return if innermost.is_empty() {
            "invalid URL".to_owned()
        } else {
            format!("invalid URL ({innermost})")
        };
    }
    if err.is_redirect() {
        return format!("too many redirects (more than {MAX_REDIRECTS})");
    }
    if chain.iter().any(|m| m.contains("dns error")) {
        let host = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| "the host".to_owned());
        let reason = innermost
            .strip_prefix("failed to lookup address information: ")
            .unwrap_or(innermost);
        return format!("DNS lookup failed for {host}: {reason}");
    }
    let kinds = io_kinds(err);
    let lower = chain.join(" ").to_lowercase();
    if err.is_connect()
        && (kinds.contains(&io::ErrorKind::InvalidData)
            || ["certificate", "tls", "handshake"]
                .iter()
                .any(|w| lower.contains(w)))
    {
        return format!("TLS: {innermost}");
    }
    for kind in kinds {
        let known = match kind {
            io::ErrorKind::ConnectionRefused => Some("connection refused"),
            io::ErrorKind::ConnectionReset => Some("connection reset"),
            io::ErrorKind::ConnectionAborted => Some("connection aborted"),
            io::ErrorKind::NotConnected => Some("not connected"),
            io::ErrorKind::TimedOut => Some("timed out"),
            io::ErrorKind::UnexpectedEof => Some("connection closed early"),
            io::ErrorKind::AddrNotAvailable => Some("address not available"),
            _ => None,
        };
        if let Some(text) = known {
            return if err.is_body() || err.is_decode() {
                format!("reading body: {text}")
            } else {
                text.to_owned()
            };
        }
    }
    let what = if err.is_connect() {
        "connect failed"
    } else if err.is_body() || err.is_decode() {
        "reading body"
    } else {
        ""
    };
    match (what, innermost) {
        ("", "") => text_without_url(err),
        ("", reason) => reason.to_owned(),
        (what, "") => what.to_owned(),
        (what, reason) => format!("{what}: {reason}"),
    }
}

/// `reqwest::Error`'s own text without the URL.
fn text_without_url(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    if let Some(url) = err.url() {
        text = text
            .replace(&format!(" ({url})"), "")
            .replace(url.as_str(), "");
    }
    text
}

/// The messages of the error's sources, outermost first, each without `(os error N)` and
/// without repeating the one before it.
fn source_chain(err: &reqwest::Error) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut next = err.source();
    while let Some(source) = next {
        let text = strip_os_error(&source.to_string());
        if !text.is_empty() && out.last() != Some(&text) {
            out.push(text);
        }
        next = source.source();
    }
    out
}

fn strip_os_error(text: &str) -> String {
    match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => text[..at].to_owned(),
        _ => text.to_owned(),
    }
}

/// The kinds of the `io::Error`s among the sources, outermost first, looking inside
/// `io::Error`s that wrap another one (rustls' errors come wrapped twice).
fn io_kinds(err: &reqwest::Error) -> Vec<io::ErrorKind> {
    let mut kinds = Vec::new();
    let mut next = err.source();
    while let Some(source) = next {
        let mut io = source.downcast_ref::<io::Error>();
        while let Some(e) = io {
            kinds.push(e.kind());
            io = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<io::Error>());
        }
        next = source.source();
    }
    kinds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_url_hides_userinfo_and_secrets() {
        assert_eq!(
            log_url("https://bob:hunter2@h.example/health?token=abc&x=1"),
            "https://h.example/health?token=***&x=1"
        );
        assert_eq!(
            log_url("https://h.example/health"),
            "https://h.example/health"
        );
        assert_eq!(log_url("not a url"), "<invalid URL>");
    }

    #[test]
    fn os_error_suffix_is_dropped() {
        assert_eq!(
            strip_os_error("Connection refused (os error 111)"),
            "Connection refused"
        );
        assert_eq!(strip_os_error("plain"), "plain");
    }
}
