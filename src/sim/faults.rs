//! Injected faults: which requests they hit and how they are answered.

use std::time::Duration;

use http::Method;

/// What goes wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status and a GitHub-style error body.
    Status(u16),
    /// Sleep (tokio time) before answering normally.
    Stall(Duration),
    /// 403 with `x-ratelimit-remaining: 0` and `x-ratelimit-reset` this far in the future.
    PrimaryRateLimit { reset_in_secs: u64 },
    /// 403 or 429 with `retry-after`.
    SecondaryRateLimit { retry_after_secs: u64, status: u16 },
    /// 200 with a truncated JSON body (for non-GET requests the handler is not run).
    MalformedJson,
    /// 401 Bad credentials.
    Unauthorized,
}

/// A fault and the requests it applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultRule {
    /// Substring of the path (or of `path?query`); `None` = every GitHub API request.
    pub path_contains: Option<String>,
    /// `None` = any method.
    pub method: Option<Method>,
    /// How many requests it still hits; `None` = until cleared.
    pub remaining: Option<u32>,
    pub fault: Fault,
}

impl FaultRule {
    /// A rule hitting every API request with `fault` until cleared.
    pub fn always(fault: Fault) -> Self {
        FaultRule {
            path_contains: None,
            method: None,
            remaining: None,
            fault,
        }
    }

    /// A rule hitting requests whose path contains `path` with `fault` until cleared.
    pub fn on(path: impl Into<String>, fault: Fault) -> Self {
        FaultRule {
            path_contains: Some(path.into()),
            method: None,
            remaining: None,
            fault,
        }
    }

    /// Limit to `method`.
    pub fn method(mut self, method: Method) -> Self {
        self.method = Some(method);
        self
    }

    /// Hit only the next `n` matching requests.
    pub fn times(mut self, n: u32) -> Self {
        self.remaining = Some(n);
        self
    }

    /// Host paths (`/_env/`, `/_logs/`) are only hit by a rule naming them explicitly.
    fn matches(&self, method: &Method, path: &str, query: Option<&str>, host_path: bool) -> bool {
        if self.remaining == Some(0) || self.method.as_ref().is_some_and(|m| m != method) {
            return false;
        }
        match self.path_contains.as_deref() {
            None => !host_path,
            Some(s) => {
                let explicit = !host_path || s.contains("_env") || s.contains("_logs");
                let full = query.map_or_else(|| path.to_string(), |q| format!("{path}?{q}"));
                explicit && full.contains(s)
            }
        }
    }
}

/// Takes the first rule matching the request (counting it down), if any.
pub(crate) fn take(
    rules: &mut Vec<FaultRule>,
    method: &Method,
    path: &str,
    query: Option<&str>,
    host_path: bool,
) -> Option<Fault> {
    let i = rules
        .iter()
        .position(|r| r.matches(method, path, query, host_path))?;
    let fault = rules[i].fault.clone();
    if let Some(n) = rules[i].remaining.as_mut() {
        *n = n.saturating_sub(1);
        if *n == 0 {
            rules.remove(i);
        }
    }
    Some(fault)
}

pub(crate) const DOCS: &str = "https://docs.github.com/rest";

/// GitHub's message for an error status.
pub(crate) fn message_for(status: u16) -> &'static str {
    match status {
        400 => "Problems parsing JSON",
        401 => "Bad credentials",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        422 => "Validation Failed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Server Error",
        503 => "Service Unavailable",
        504 => {
            "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists."
        }
        _ => "Error",
    }
}

pub(crate) const PRIMARY_MESSAGE: &str = "API rate limit exceeded for user ID 583231. If you reach out to GitHub Support for help, please include the request ID.";
pub(crate) const PRIMARY_DOCS: &str =
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits";
pub(crate) const SECONDARY_MESSAGE: &str = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.";
pub(crate) const SECONDARY_DOCS: &str = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits";

/// The first half of a JSON text: what a dropped connection or a buggy proxy leaves.
pub(crate) fn truncate(body: &[u8]) -> Vec<u8> {
    if body.len() < 4 {
        return b"{\"total_count\": 3, \"workflow_runs\": [{\"id\": ".to_vec();
    }
    let mut cut = body.len() / 2;
    while cut > 0 && (body[cut] & 0xC0) == 0x80 {
        cut -= 1;
    }
    body[..cut].to_vec()
}
